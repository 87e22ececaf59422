//! Use-case tests on every database backend (SQLite always; PostgreSQL when
//! GOLDTHREAD_TEST_PG_URL is set).
use goldthread_app::input::{CellInput, OutcomeInput, PersonInput, RaciInput, RaciLine};
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::framework::{Outcome, Person, Service};
use goldthread_domain::permission::Actor;
use goldthread_domain::{Email, Role};
use goldthread_io::Source;
use goldthread_io::framework::to_tables;
use goldthread_store::accounts::Tenant;
use goldthread_store::audit;
use goldthread_store::testing::{TestDb, databases};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire")
}

async fn tenant(app: &App, code: &str) -> Tenant {
    app.add_tenant(
        &goldthread_app::ActorRef::cli(),
        code,
        &format!("{code} Council"),
        "",
    )
    .await
    .unwrap()
}

async fn demo(t: &TestDb) -> (App, Tenant) {
    let app = App::new(t.db.clone());
    let tenant = tenant(&app, "demo").await;
    app.import_framework(
        &Caller::cli(tenant.clone()),
        &Source::Dir(demo_dir()),
        false,
        "demo",
    )
    .await
    .unwrap();
    (app, tenant)
}

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

async fn audit_count(t: &TestDb) -> i64 {
    let mut c = t.db.read().await.unwrap();
    audit::count_all(&mut c).await.unwrap()
}

async fn export_tables(app: &App, tenant: &Tenant) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let fw = app
        .export_framework(&Caller::cli(tenant.clone()))
        .await
        .unwrap();
    to_tables(&fw)
        .into_iter()
        .map(|t| (t.name, t.rows))
        .collect()
}

#[tokio::test]
async fn demo_imports_and_export_round_trips_into_an_empty_tenant() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let view = app.view(&Caller::cli(a.clone())).await.unwrap();
        assert!(view.framework.services.len() >= 40, "{:?}", t.backend());
        assert_eq!(
            view.framework
                .outcomes
                .iter()
                .filter(|o| o.kind == goldthread_domain::OutcomeKind::National)
                .count(),
            11
        );
        let first = export_tables(&app, &a).await;

        // Through CSV files on disk.
        let dir = std::env::temp_dir().join(format!("gt-export-{}", uuid_like()));
        goldthread_io::framework::write_csv_dir(
            &app.export_framework(&Caller::cli(a.clone())).await.unwrap(),
            &dir,
        )
        .unwrap();
        let b = tenant(&app, "copy").await;
        app.import_framework(
            &Caller::cli(b.clone()),
            &Source::Dir(dir.clone()),
            false,
            "copy",
        )
        .await
        .unwrap();
        assert_eq!(
            first,
            export_tables(&app, &b).await,
            "CSV round trip on {:?}",
            t.backend()
        );
        std::fs::remove_dir_all(dir).unwrap();

        // Through an XLSX workbook.
        let xlsx = goldthread_io::framework::xlsx_bytes(
            &app.export_framework(&Caller::cli(a.clone())).await.unwrap(),
        )
        .unwrap();
        let c = tenant(&app, "copy2").await;
        app.import_framework(
            &Caller::cli(c.clone()),
            &Source::xlsx(xlsx).unwrap(),
            false,
            "copy2",
        )
        .await
        .unwrap();
        assert_eq!(
            first,
            export_tables(&app, &c).await,
            "XLSX round trip on {:?}",
            t.backend()
        );

        // Importing the same files again changes nothing and writes no audit rows.
        let before = audit_count(&t).await;
        let report = app
            .import_framework(
                &Caller::cli(a.clone()),
                &Source::Dir(demo_dir()),
                false,
                "again",
            )
            .await
            .unwrap();
        assert!(
            report.tables.values().all(|[c, u, _]| *c == 0 && *u == 0),
            "{report:?}"
        );
        assert_eq!(before, audit_count(&t).await);
    }
}

fn uuid_like() -> String {
    format!(
        "{:?}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test]
async fn a_rejected_import_or_dry_run_writes_nothing() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let before = export_tables(&app, &a).await;
        let audits = audit_count(&t).await;
        let bad = Source::Csv(BTreeMap::from([
            ("outcomes.csv".to_string(), b"code,title,kind,links,description\nNEW1,New,local,,\n".to_vec()),
            (
                "services.csv".to_string(),
                b"code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description\nZZ1,New,PLCE,,statutory,support,self-delivery,1,0,1,1,,\n".to_vec(),
            ),
        ]));
        let err = app
            .import_framework(&Caller::cli(a.clone()), &bad, false, "bad")
            .await
            .unwrap_err();
        let AppError::Import(errors) = err else {
            panic!("expected an import error")
        };
        assert_eq!(
            errors[0].to_string(),
            "services.csv:2:portfolio: unknown portfolio code 'PLCE'"
        );
        assert_eq!(before, export_tables(&app, &a).await);
        assert_eq!(audits, audit_count(&t).await);

        let good = Source::Csv(BTreeMap::from([(
            "outcomes.csv".to_string(),
            b"code,title,kind,links,description\nNEW1,New,local,NPF-ECO,\n".to_vec(),
        )]));
        let report = app
            .import_framework(&Caller::cli(a.clone()), &good, true, "dry")
            .await
            .unwrap();
        assert_eq!(report.tables["outcomes"], [1, 0, 0]);
        assert_eq!(
            before,
            export_tables(&app, &a).await,
            "dry run wrote on {:?}",
            t.backend()
        );
        assert_eq!(audits, audit_count(&t).await);
    }
}

#[tokio::test]
async fn every_write_leaves_exactly_one_audit_row_with_before_and_after() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let c = as_role(&a, Role::PerformanceOfficer, "performance@demo.example");
        let mut n = audit_count(&t).await;
        let mut expect_one = async |what: &str| {
            let now = audit_count(&t).await;
            assert_eq!(now, n + 1, "{what} on {:?}", t.backend());
            n = now;
        };

        let input = OutcomeInput {
            code: "LO9".into(),
            title: "Test".into(),
            kind: "local".into(),
            links: vec!["NPF-ECO".into()],
            ..Default::default()
        };
        let rec = app.create_outcome(&c, &input).await.unwrap();
        expect_one("create").await;
        let updated = app
            .update_outcome(
                &c,
                "LO9",
                &OutcomeInput {
                    title: "Renamed".into(),
                    version: Some(rec.version),
                    ..input.clone()
                },
            )
            .await
            .unwrap();
        expect_one("update").await;
        assert_eq!(updated.version, 2);
        app.put_cell(
            &c,
            "PE-FLEET",
            "LO9",
            &CellInput {
                strength: "some".into(),
                note: "test".into(),
                version: None,
            },
        )
        .await
        .unwrap();
        expect_one("put cell").await;
        app.replace_raci(
            &c,
            "LO9",
            &RaciInput {
                items: vec![RaciLine {
                    person: "director.place@demo.example".into(),
                    raci: "A".into(),
                }],
            },
        )
        .await
        .unwrap();
        expect_one("raci").await;
        app.replace_raci(&c, "LO9", &RaciInput { items: vec![] })
            .await
            .unwrap();
        expect_one("raci cleared").await;
        app.delete_cell(&c, "PE-FLEET", "LO9", Some(1))
            .await
            .unwrap();
        expect_one("delete cell").await;
        app.delete::<Outcome>(&c, "LO9", Some(2)).await.unwrap();
        expect_one("delete").await;

        let history = app.history(&c, "outcome", &rec.id).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, vec!["delete", "update", "create"]);
        let update = &history[1];
        assert_eq!(update.actor, "performance@demo.example");
        assert_eq!(update.before.as_ref().unwrap()["title"], "Test");
        assert_eq!(update.after.as_ref().unwrap()["title"], "Renamed");
        assert_eq!(update.after.as_ref().unwrap()["version"], 2);
        assert!(history[0].after.is_none() && history[2].before.is_none());
    }
}

#[tokio::test]
async fn a_stale_version_is_refused_and_changes_nothing() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let c = Caller::cli(a.clone());
        let s = app.get::<Service>(&c, "PE-WASTE").await.unwrap();
        let audits = audit_count(&t).await;
        let input = goldthread_app::input::ServiceInput {
            code: "PE-WASTE".into(),
            title: "Changed".into(),
            portfolio: s.value.portfolio.to_string(),
            statutory_basis: s.value.statutory_basis.to_string(),
            grouping: s.value.grouping.to_string(),
            delivery_model: s.value.delivery_model.to_string(),
            gross_cost_pence: 1,
            income_pence: 0,
            net_budget_pence: 1,
            version: Some(s.version + 7),
            ..Default::default()
        };
        let err = app
            .update_service(&c, "PE-WASTE", &input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict", "{err}");
        assert_eq!(app.get::<Service>(&c, "PE-WASTE").await.unwrap(), s);
        assert_eq!(audits, audit_count(&t).await);
        let err = app
            .delete::<Service>(&c, "PE-WASTE", Some(99))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict(_) | AppError::InUse(_)),
            "{err}"
        );
    }
}

#[tokio::test]
async fn the_audit_table_refuses_update_and_delete_in_the_database_itself() {
    for t in databases().await {
        let (_app, _a) = demo(&t).await;
        let mut c = t.db.read().await.unwrap();
        let upd = sqlx::query("UPDATE audit_log SET actor = 'mallory'")
            .execute(&mut *c)
            .await;
        assert!(upd.is_err(), "UPDATE allowed on {:?}", t.backend());
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = sqlx::query("DELETE FROM audit_log").execute(&mut *c).await;
        assert!(del.is_err(), "DELETE allowed on {:?}", t.backend());
    }
}

#[tokio::test]
async fn another_tenants_records_are_not_found() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let b = tenant(&app, "other").await;
        let other = Caller::cli(b.clone());
        assert!(matches!(
            app.get::<Outcome>(&other, "LO1").await,
            Err(AppError::NotFound(_))
        ));
        assert!(app.list::<Service>(&other).await.unwrap().is_empty());
        assert!(matches!(
            app.outcome_thread(&other, "LO1").await,
            Err(AppError::NotFound(_))
        ));
        // A person in tenant A is unknown in tenant B.
        let p = PersonInput {
            email: "x@demo.example".into(),
            name: "X".into(),
            role: "member".into(),
            ..Default::default()
        };
        app.create_person(&other, &p).await.unwrap();
        assert!(
            app.get::<Person>(&Caller::cli(a), "x@demo.example")
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn read_only_roles_are_refused_and_nothing_is_written() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let audits = audit_count(&t).await;
        for role in [Role::Member, Role::Auditor, Role::CommissioningOfficer] {
            let c = as_role(&a, role, "member@demo.example");
            let input = OutcomeInput {
                code: "LO9".into(),
                title: "T".into(),
                kind: "local".into(),
                ..Default::default()
            };
            assert_eq!(
                app.create_outcome(&c, &input).await.unwrap_err().code(),
                "forbidden"
            );
            let cell = CellInput {
                strength: "some".into(),
                ..Default::default()
            };
            assert_eq!(
                app.put_cell(&c, "PE-WASTE", "LO1", &cell)
                    .await
                    .unwrap_err()
                    .code(),
                "forbidden"
            );
        }
        assert_eq!(audits, audit_count(&t).await);
    }
}

#[tokio::test]
async fn one_fund_on_the_demo_adds_up_to_the_penny() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let c = Caller::cli(a);
        let fund = app.one_fund(&c).await.unwrap();
        let view = app.view(&c).await.unwrap();
        let total: i64 = view
            .framework
            .services
            .iter()
            .map(|s| s.net_budget_pence)
            .sum();
        assert_eq!(
            fund.attributed_total_pence + fund.unattributed_total_pence,
            total
        );
        assert_eq!(
            fund.unattributed.len(),
            view.framework.gaps().services_contributing_to_nothing.len()
        );
    }
}

#[tokio::test]
async fn passwords_sessions_and_tokens() {
    for t in databases().await {
        let (app, a) = demo(&t).await;
        let person = PersonInput {
            email: "admin@demo.example".into(),
            name: "Alex Admin".into(),
            role: "admin".into(),
            ..Default::default()
        };
        assert_eq!(
            app.add_user(&a, &person, Some("short"))
                .await
                .unwrap_err()
                .code(),
            "validation"
        );
        app.add_user(&a, &person, Some("correct horse battery"))
            .await
            .unwrap();
        assert!(
            app.login("admin@demo.example", "wrong password!", "1.2.3.4")
                .await
                .is_err()
        );
        let sid = app
            .login("Admin@Demo.Example", "correct horse battery", "1.2.3.4")
            .await
            .unwrap();
        let s = app.session(&sid).await.unwrap().unwrap();
        assert_eq!(s.caller.unwrap().role(), Role::Admin);
        app.logout(&sid).await.unwrap();
        assert!(app.session(&sid).await.unwrap().is_none());
        for _ in 0..5 {
            let _ = app
                .login("admin@demo.example", "nope nope nope", "5.6.7.8")
                .await;
        }
        assert_eq!(
            app.login("admin@demo.example", "correct horse battery", "9.9.9.9")
                .await
                .unwrap_err()
                .code(),
            "rate_limited"
        );

        let tok = app
            .create_token("admin@demo.example", None, "ci", None)
            .await
            .unwrap();
        assert_eq!(
            app.token_caller(&tok.secret).await.unwrap().tenant.code,
            "demo"
        );
        app.revoke_token(&tok.token.id).await.unwrap();
        assert!(app.token_caller(&tok.secret).await.is_err());
        let expired = app
            .create_token("admin@demo.example", None, "old", Some(-1))
            .await
            .unwrap();
        assert!(app.token_caller(&expired.secret).await.is_err());
    }
}
