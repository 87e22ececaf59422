//! The Best Value self-assessment on both databases: the demo's scores import
//! whole and compare year on year; a year is saved whole by the centre only,
//! each change audited; themes with scores are kept.
use goldthread_app::assessment::AssessmentTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::assessment::{Movement, ThemeScore};
use goldthread_domain::period::Period;
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Role};
use goldthread_io::Source;
use goldthread_store::testing::databases;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn file(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

#[tokio::test]
async fn years_are_scored_compared_and_kept() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo", "")
            .await
            .unwrap();
        let cli = Caller::cli(tenant.clone());
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
        app.import_framework(&cli, &Source::Dir(dir.clone()), false, "demo")
            .await
            .unwrap();
        // The improvement actions named are the 2018 plan's.
        for kind in [
            goldthread_app::actions::ActionsKind::ActionPlans,
            goldthread_app::actions::ActionsKind::Recommendations,
            goldthread_app::actions::ActionsKind::Actions,
        ] {
            let body = std::fs::read_to_string(dir.join(format!("{}.csv", kind.name()))).unwrap();
            app.import_table(
                &cli,
                DataTable::Actions(kind),
                &file(kind.name(), &body),
                false,
                "t",
            )
            .await
            .unwrap();
        }
        let body = std::fs::read_to_string(dir.join("self-assessments.csv")).unwrap();
        let r = app
            .import_table(
                &cli,
                DataTable::Assessment(AssessmentTable::Scores),
                &file("self-assessments", &body),
                false,
                "t",
            )
            .await
            .unwrap();
        assert_eq!(r.rows, 16);
        let c = app.self_assessment_comparison(&cli).await.unwrap();
        assert_eq!(
            c.years,
            [Period::FinancialYear(2024), Period::FinancialYear(2025)]
        );
        let row = |code: &str| {
            c.rows
                .iter()
                .find(|r| r.theme.code.as_str() == code)
                .unwrap()
        };
        assert_eq!(row("PARTNERSHIP").movement, Movement::Improved);
        assert_eq!(row("RESOURCES").movement, Movement::Same);
        assert_eq!(c.means, [Some("2.50".into()), Some("3.00".into())]);
        // A year saved whole: only the centre; one audit row per change.
        let mut member = Caller::cli(tenant.clone());
        member.actor = Actor {
            email: Email::parse("member@demo.example").unwrap(),
            role: Role::Member,
            scope: vec![],
        };
        let y = Period::FinancialYear(2026);
        let score = |theme: &str, s: u8| ThemeScore {
            year: y,
            theme: Code::parse(theme).unwrap(),
            score: s,
            evidence: "Evidence".into(),
            outcomes: vec![],
            actions: vec![],
        };
        assert!(matches!(
            app.save_self_assessment(&member, y, &[score("VISION", 4)])
                .await,
            Err(AppError::Forbidden(_))
        ));
        match app
            .save_self_assessment(&cli, y, &[score("VISION", 6), score("NOPE", 2)])
            .await
        {
            Err(AppError::Validation(v)) => {
                let f: Vec<&str> = v.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, ["score_VISION", "score_NOPE"], "{v:?}");
            }
            other => panic!("{other:?}"),
        }
        app.save_self_assessment(&cli, y, &[score("VISION", 4), score("GOVERNANCE", 3)])
            .await
            .unwrap();
        let saved = app
            .save_self_assessment(&cli, y, &[score("VISION", 5)])
            .await
            .unwrap();
        assert_eq!(saved.len(), 1);
        let held: Vec<_> = app
            .self_assessment(&cli)
            .await
            .unwrap()
            .scores
            .into_iter()
            .filter(|s| s.value.year == y)
            .collect();
        assert_eq!(held.len(), 1, "GOVERNANCE left out of the year is removed");
        assert_eq!(
            app.history(&cli, "self-assessment", &held[0].id)
                .await
                .unwrap()
                .len(),
            2
        );
        // Themes with scores cannot be dropped; an unknown theme is refused.
        let e = app
            .import_table(
                &cli,
                DataTable::Assessment(AssessmentTable::Themes),
                &file(
                    "assessment-themes",
                    "code,title\nVISION,Vision and leadership\n",
                ),
                false,
                "t",
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::InUse(_)), "{e:?}");
    }
}
