//! The transformation programme on both databases: the demo's files import and
//! export unchanged; a file with any error writes nothing; initiatives are
//! written by those who manage what they link to, version-checked and
//! audited; lateness is judged on the day given; a linked service is not
//! deleted.
use goldthread_app::benefits::BenefitsFile;
use goldthread_app::programmes::ProgrammeTable;
use goldthread_app::risks::RiskTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::permission::Actor;
use goldthread_domain::programme::*;
use goldthread_domain::{Code, Email, Role};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::testing::databases;
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::macros::date;

fn as_role(tenant: &Tenant, role: Role, email: &str) -> Caller {
    let mut c = Caller::cli(tenant.clone());
    c.actor = Actor {
        email: Email::parse(email).unwrap(),
        role,
        scope: vec![],
    };
    c.who = goldthread_app::ActorRef {
        user_id: None,
        label: email.into(),
    };
    c
}

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(demo().join(format!("{name}.csv"))).unwrap()
}

fn file(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn rows_of(body: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Audit rows about the programme's records.
async fn audit_rows(app: &App, c: &Caller) -> usize {
    let mut n = 0;
    for t in ["programme", "workstream", "initiative"] {
        let f = goldthread_store::audit::AuditFilter {
            entity_type: Some(t.into()),
            limit: 5000,
            ..Default::default()
        };
        n += app.audit(c, &f).await.unwrap().len();
    }
    n
}

#[tokio::test]
async fn the_programme_imports_whole_and_initiatives_are_written_by_those_they_link_to() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo", "")
            .await
            .unwrap();
        let cli = Caller::cli(tenant.clone());
        app.import_framework(&cli, &Source::Dir(demo()), false, "demo")
            .await
            .unwrap();
        // Initiatives before their programmes: refused, nothing written.
        let e = app
            .import_table(
                &cli,
                DataTable::Programme(ProgrammeTable::Initiatives),
                &file("initiatives", &read("initiatives")),
                false,
                "t",
            )
            .await
            .unwrap_err();
        assert!(
            format!("{e:?}").contains("unknown programme 'BTF-2022'"),
            "{e:?}"
        );
        // One bad row among good ones: nothing written.
        let bad = read("programmes").replace("2012-06-01", "2012-06-31");
        let before = audit_rows(&app, &cli).await;
        let e = app
            .import_table(
                &cli,
                DataTable::Programme(ProgrammeTable::Programmes),
                &file("programmes", &bad),
                false,
                "t",
            )
            .await
            .unwrap_err();
        assert!(
            format!("{e:?}").contains("'2012-06-31' is not a date"),
            "{e:?}"
        );
        assert!(
            app.programme_snapshot(&cli)
                .await
                .unwrap()
                .programmes
                .is_empty()
        );
        assert_eq!(audit_rows(&app, &cli).await, before, "nothing audited");
        // Performance officers only.
        let manager = as_role(&tenant, Role::ServiceManager, "sm.revenues@demo.example");
        let e = app
            .import_table(
                &manager,
                DataTable::Programme(ProgrammeTable::Programmes),
                &file("programmes", &read("programmes")),
                false,
                "t",
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // The demo's files load, each change audited, and export as read.
        for t in ProgrammeTable::ALL {
            if *t == ProgrammeTable::Initiatives {
                // The risks (which name the programme) and benefits the
                // initiatives carry, without their links to service reviews.
                let risks = read("risks")
                    .replace(",REV-2026-02,", ",,")
                    .replace(",REV-2026-01,", ",,");
                let mut benefits = read("benefits").lines().next().unwrap().to_string();
                for b in ["REV01", "REV02", "REV03"] {
                    for what in ["SAVING", "RESILIENCE", "RECYCLING", "TIME"] {
                        benefits += &format!(
                            "\n{b}-{what},{what},cashable,,project,,CS,,,planned,medium,,"
                        );
                    }
                }
                for (table, name, body) in [
                    (DataTable::Risk(RiskTable::Risks), "risks", risks),
                    (
                        DataTable::Benefits(BenefitsFile::Benefits),
                        "benefits",
                        benefits,
                    ),
                ] {
                    app.import_table(&cli, table, &file(name, &body), false, "t")
                        .await
                        .unwrap();
                }
            }
            let body = read(t.name());
            let before = audit_rows(&app, &cli).await;
            let r = app
                .import_table(
                    &cli,
                    DataTable::Programme(*t),
                    &file(t.name(), &body),
                    false,
                    "t",
                )
                .await
                .unwrap();
            assert_eq!(r.rows, rows_of(&body).len(), "{}", t.name());
            assert_eq!(
                audit_rows(&app, &cli).await,
                before + r.rows,
                "{}",
                t.name()
            );
            let rows = app
                .export_table(&cli, DataTable::Programme(*t))
                .await
                .unwrap();
            assert_eq!(rows, rows_of(&body), "{} exports as read", t.name());
            let again = app
                .import_table(
                    &cli,
                    DataTable::Programme(*t),
                    &file(t.name(), &body),
                    false,
                    "t",
                )
                .await
                .unwrap();
            assert_eq!(
                again.tables[t.name()],
                [0, 0, again.rows],
                "re-import changes nothing"
            );
        }
        // The summaries, judged on a day.
        let ps = app.programmes(&cli, date!(2026 - 11 - 23)).await.unwrap();
        let mcb = ps
            .iter()
            .find(|p| p.programme.code.as_str() == "MCB-2014")
            .unwrap();
        assert_eq!(mcb.workstreams.len(), 5);
        assert_eq!(mcb.summary.initiatives, 20);
        assert_eq!(
            mcb.summary.by_stage[&Stage::Closed],
            20,
            "all closed by now"
        );
        assert_eq!(mcb.summary.late, 0);
        let ttc = ps
            .iter()
            .find(|p| p.programme.code.as_str() == "TTC-2026")
            .unwrap();
        let hub = ttc
            .initiatives
            .iter()
            .find(|i| i.initiative.code.as_str() == "TTC-HUB")
            .unwrap();
        assert!(hub.late, "past its end and not closed");
        let earlier = app.programmes(&cli, date!(2026 - 10 - 31)).await.unwrap();
        let hub_then = earlier
            .iter()
            .flat_map(|p| &p.initiatives)
            .find(|i| i.initiative.code.as_str() == "TTC-HUB")
            .unwrap();
        assert!(!hub_then.late, "not late on its end date");
        let btf = ps
            .iter()
            .find(|p| p.programme.code.as_str() == "BTF-2022")
            .unwrap();
        assert_eq!(btf.workstreams.len(), 3);
        assert_eq!(btf.summary.initiatives, 34);

        // One initiative at a time, by whoever manages what it links to.
        let new = Initiative {
            code: code("TTC-PAY"),
            programme: code("TTC-2026"),
            workstream: code("CORE"),
            title: "Payments: digital by default".into(),
            scope: String::new(),
            stage: Stage::Planned,
            start: Some(date!(2026 - 04 - 01)),
            end: Some(date!(2026 - 06 - 30)),
            rag: InitiativeRag::Amber,
            commentary: String::new(),
            business_case: String::new(),
            budget_pence: Some(1_000_000),
            sponsor: None,
            lead: None,
            outcomes: vec![],
            services: vec![code("CS-REV")],
            risks: vec![code("DR05")],
            benefits: vec![code("REV01-SAVING")],
        };
        let waste = as_role(
            &tenant,
            Role::ServiceManager,
            "service.manager@demo.example",
        );
        let e = app.create_initiative(&waste, &new).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let bad = Initiative {
            stage: Stage::Closed,
            end: None,
            risks: vec![code("NOPE")],
            benefits: vec![code("BEN-NOPE")],
            workstream: code("W9"),
            ..new.clone()
        };
        let before = audit_rows(&app, &cli).await;
        match app.create_initiative(&cli, &bad).await.unwrap_err() {
            AppError::Validation(v) => {
                let fields: Vec<&str> = v.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["end", "workstream", "risks", "benefits"], "{v:?}");
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(audit_rows(&app, &cli).await, before);
        // The revenues service manager manages CS-REV.
        let revenues = app
            .create_initiative(&cli, &new)
            .await
            .map(|r| r.version)
            .unwrap();
        assert_eq!(revenues, 1);
        assert_eq!(audit_rows(&app, &cli).await, before + 1);
        let items = app
            .initiative_items(&cli, date!(2026 - 07 - 01))
            .await
            .unwrap();
        assert!(
            items
                .iter()
                .find(|i| i.initiative.code.as_str() == "TTC-PAY")
                .unwrap()
                .late
        );
        let moved = Initiative {
            services: vec![code("PE-WASTE")],
            ..new.clone()
        };
        let e = app
            .update_initiative(&manager, "TTC-PAY", &moved, Some(1))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Forbidden(_)),
            "may not move it to a service not theirs: {e:?}"
        );
        let closed = Initiative {
            stage: Stage::Closed,
            ..new.clone()
        };
        app.update_initiative(&manager, "TTC-PAY", &closed, Some(1))
            .await
            .unwrap();
        let e = app
            .update_initiative(&manager, "TTC-PAY", &closed, Some(1))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "stale version: {e:?}");
        // A linked service is not deleted.
        let svc = app
            .get::<goldthread_domain::framework::Service>(&cli, "CS-REV")
            .await
            .unwrap();
        let e = app
            .delete::<goldthread_domain::framework::Service>(&cli, "CS-REV", Some(svc.version))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("initiative(s)"), "{e}");
        // Nor is a risk or a benefit it names (both are named by the demo's
        // initiatives too), and nothing is written.
        let before = audit_rows(&app, &cli).await;
        let risk = app
            .risks(&cli)
            .await
            .unwrap()
            .risks
            .into_iter()
            .find(|r| r.value.code.as_str() == "DR05")
            .unwrap();
        let e = app
            .delete_risk(&cli, "DR05", Some(risk.version))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("TTC-PAY")),
            "{e:?}"
        );
        let benefit = app.benefit(&cli, "REV01-SAVING").await.unwrap();
        let e = app
            .delete_benefit(&cli, "REV01-SAVING", Some(benefit.benefit.version))
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::InUse(_)), "{e:?}");
        assert_eq!(audit_rows(&app, &cli).await, before);
        app.delete_initiative(&manager, "TTC-PAY", Some(2))
            .await
            .unwrap();
        assert!(
            app.programme_snapshot(&cli)
                .await
                .unwrap()
                .initiatives
                .iter()
                .all(|i| i.value.code.as_str() != "TTC-PAY")
        );
        let f = goldthread_store::audit::AuditFilter {
            entity_type: Some("initiative".into()),
            entity: Some("TTC-PAY".into()),
            limit: 5000,
            ..Default::default()
        };
        assert_eq!(
            app.audit(&cli, &f).await.unwrap().len(),
            3,
            "create, update, delete"
        );
    }
}
