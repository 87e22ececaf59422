//! The risk register on both databases: the demo's files import and export
//! unchanged; a file with any error writes nothing; single risks are written by
//! those who manage what they link to, each change of scores recorded as a
//! review; appetite escalates; a linked service is not deleted.
use goldthread_app::risks::{RiskItem, RiskTable};
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::permission::Actor;
use goldthread_domain::risk::*;
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

fn file(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

#[tokio::test]
async fn the_register_imports_whole_and_is_written_by_those_it_links_to() {
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
        // Risks naming demo reviews are rejected until the reviews exist —
        // and nothing is written.
        let risks_csv = std::fs::read_to_string(demo().join("risks.csv")).unwrap();
        let e = app
            .import_table(
                &cli,
                DataTable::Risk(RiskTable::Risks),
                &file("risks", &risks_csv),
                false,
                "t",
            )
            .await
            .unwrap_err();
        assert!(
            format!("{e:?}").contains("unknown service review 'REV-2026-02'"),
            "{e:?}"
        );
        assert!(
            format!("{e:?}").contains("unknown programme 'TTC-2026'"),
            "{e:?}"
        );
        assert!(app.risks(&cli).await.unwrap().risks.is_empty());
        // The programme the risks name.
        app.import_table(
            &cli,
            DataTable::Programme(goldthread_app::programmes::ProgrammeTable::Programmes),
            &file(
                "programmes",
                &std::fs::read_to_string(demo().join("programmes.csv")).unwrap(),
            ),
            false,
            "t",
        )
        .await
        .unwrap();
        // Without the review links, the whole register loads and exports as read.
        let unlinked = risks_csv
            .replace(",REV-2026-02,", ",,")
            .replace(",REV-2026-01,", ",,");
        for (t, body) in [
            (
                RiskTable::RiskAppetite,
                std::fs::read_to_string(demo().join("risk-appetite.csv")).unwrap(),
            ),
            (RiskTable::Risks, unlinked.clone()),
            (
                RiskTable::Controls,
                std::fs::read_to_string(demo().join("controls.csv")).unwrap(),
            ),
            (
                RiskTable::RiskReviews,
                std::fs::read_to_string(demo().join("risk-reviews.csv")).unwrap(),
            ),
        ] {
            let r = app
                .import_table(&cli, DataTable::Risk(t), &file(t.name(), &body), false, "t")
                .await
                .unwrap();
            assert!(r.rows > 0, "{r:?}");
        }
        let snap = app.risks(&cli).await.unwrap();
        assert_eq!(snap.risks.len(), 15);
        assert_eq!(snap.appetite[&RiskCategory::Financial], 8);
        assert_eq!(snap.reviews.len(), 30);
        let rows = app
            .export_table(&cli, DataTable::Risk(RiskTable::Risks))
            .await
            .unwrap();
        let mut reread = csv::Reader::from_reader(unlinked.as_bytes());
        let expected: Vec<Vec<String>> = reread
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(rows, expected, "export is what the import read");
        // Importing the same again changes nothing.
        let again = app
            .import_table(
                &cli,
                DataTable::Risk(RiskTable::Risks),
                &file("risks", &unlinked),
                false,
                "t",
            )
            .await
            .unwrap();
        assert!(
            again.summary().contains("15 unchanged"),
            "{}",
            again.summary()
        );

        // Views on a day: above appetite, overdue reviews.
        let today = date!(2026 - 11 - 23);
        let items = app.risk_items(&cli, today).await.unwrap();
        let item = |c: &str| items.iter().find(|i| i.risk.code.as_str() == c).unwrap();
        let dr05: &RiskItem = item("DR05");
        assert_eq!(
            (dr05.residual_score, dr05.residual_band, dr05.appetite),
            (16, Some(Band::High), Some(12))
        );
        assert!(dr05.above_appetite && dr05.review_overdue);
        assert!(!item("DR01").above_appetite);

        // One at a time: a service manager for their own services only.
        let manager = as_role(
            &tenant,
            Role::ServiceManager,
            "service.manager@demo.example",
        );
        let mut r = Risk {
            code: code("WASTE-01"),
            title: "Fleet breakdowns".into(),
            category: RiskCategory::Operational,
            cause: "Ageing fleet".into(),
            event: "Collection vehicles off the road".into(),
            effect: "Missed collections".into(),
            owner: Some(Email::parse("service.manager@demo.example").unwrap()),
            outcomes: vec![],
            services: vec![code("PE-WASTE")],
            programme: "TTC-2026".into(),
            review: None,
            inherent: Scored {
                likelihood: 4,
                impact: 3,
            },
            residual: Scored {
                likelihood: 3,
                impact: 3,
            },
            target: Scored {
                likelihood: 2,
                impact: 3,
            },
            review_date: Some(date!(2027 - 03 - 31)),
            status: RiskStatus::Open,
            controls: vec![Control {
                control: "Preventive maintenance".into(),
                owner: None,
                effectiveness: Effectiveness::Partly,
            }],
        };
        let bad = Risk {
            residual: Scored {
                likelihood: 5,
                impact: 5,
            },
            services: vec![code("NOPE")],
            programme: "Transformation".into(),
            ..r.clone()
        };
        match app.create_risk(&manager, &bad, today).await {
            Err(AppError::Validation(v)) => {
                let f: Vec<&str> = v.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, ["residual_likelihood", "services", "programme"], "{v:?}");
            }
            other => panic!("{other:?}"),
        }
        let elsewhere = Risk {
            services: vec![code("CS-REV")],
            ..r.clone()
        };
        assert!(matches!(
            app.create_risk(&manager, &elsewhere, today).await,
            Err(AppError::Forbidden(_))
        ));
        let rec = app.create_risk(&manager, &r, today).await.unwrap();
        // Moving it to a service they do not manage is refused.
        assert!(matches!(
            app.update_risk(&manager, "WASTE-01", &elsewhere, Some(rec.version), today)
                .await,
            Err(AppError::Forbidden(_))
        ));
        // A change of scores is a review; a change of words is not.
        r.residual = Scored {
            likelihood: 2,
            impact: 3,
        };
        let rec = app
            .update_risk(
                &manager,
                "WASTE-01",
                &r,
                Some(rec.version),
                date!(2026 - 12 - 01),
            )
            .await
            .unwrap();
        r.title = "Fleet breakdowns and hires".into();
        let rec = app
            .update_risk(
                &manager,
                "WASTE-01",
                &r,
                Some(rec.version),
                date!(2026 - 12 - 02),
            )
            .await
            .unwrap();
        let history: Vec<RiskReview> = app
            .risks(&cli)
            .await
            .unwrap()
            .reviews
            .into_iter()
            .filter(|x| x.risk.as_str() == "WASTE-01")
            .collect();
        assert_eq!(
            history
                .iter()
                .map(|h| (h.date, h.residual.score()))
                .collect::<Vec<_>>(),
            [(today, 9), (date!(2026 - 12 - 01), 6)]
        );
        assert_eq!(
            app.history(&cli, "risk", &rec.id).await.unwrap().len(),
            3,
            "created and changed twice, all audited"
        );
        // A stale version is refused.
        assert!(matches!(
            app.update_risk(&manager, "WASTE-01", &r, Some(1), today)
                .await,
            Err(AppError::Conflict(_))
        ));
        // A linked service cannot be deleted.
        let svc = app
            .get::<goldthread_domain::framework::Service>(&cli, "PE-WASTE")
            .await
            .unwrap();
        let e = app
            .delete::<goldthread_domain::framework::Service>(&cli, "PE-WASTE", Some(svc.version))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("risk"), "{e}");
        app.delete_risk(&manager, "WASTE-01", Some(rec.version))
            .await
            .unwrap();

        // The appetite: administrators and performance officers, 1–25.
        assert!(matches!(
            app.set_appetite(
                &manager,
                &BTreeMap::from([(RiskCategory::Delivery, Some(20))])
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            app.set_appetite(&cli, &BTreeMap::from([(RiskCategory::Delivery, Some(26))]))
                .await,
            Err(AppError::Validation(_))
        ));
        let a = app
            .set_appetite(&cli, &BTreeMap::from([(RiskCategory::Delivery, Some(16))]))
            .await
            .unwrap();
        assert_eq!(a[&RiskCategory::Delivery], 16);
        let items = app.risk_items(&cli, today).await.unwrap();
        assert!(
            !items
                .iter()
                .find(|i| i.risk.code.as_str() == "DR05")
                .unwrap()
                .above_appetite,
            "16 is now acceptable"
        );
        // Bad files: every error kind reported, nothing written.
        let e = app
            .import_table(
                &cli,
                DataTable::Risk(RiskTable::RiskAppetite),
                &file(
                    "risk-appetite",
                    "category,appetite\nstrategic,30\nstrategic,3\nweird,4\n",
                ),
                false,
                "t",
            )
            .await
            .unwrap_err();
        let text = format!("{e:?}");
        for x in ["30 is not from 1 to 25", "duplicate of row 2", "weird"] {
            assert!(text.contains(x), "{text}");
        }
        assert_eq!(
            app.risks(&cli).await.unwrap().appetite[&RiskCategory::Strategic],
            12
        );
    }
}
