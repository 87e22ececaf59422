//! Service reviews end to end on both databases: opened with the matrix's
//! outcomes and a snapshot, taken step by step, refused when a step is
//! incomplete, signed off by the two named people, and on approval the service's
//! delivery model and next review date change with their audit rows.
use goldthread_app::reviews::{NewReview, ReviewEdit, Transition};
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::permission::Actor;
use goldthread_domain::review::*;
use goldthread_domain::{Code, DeliveryModel, Email, Role};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::testing::databases;
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

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn options() -> Vec<ReviewOption> {
    let scores = |s: u8| {
        default_criteria()
            .into_iter()
            .map(|c| Score {
                criterion: c.name,
                score: s,
                comment: String::new(),
            })
            .collect::<Vec<_>>()
    };
    let opt = |c: &str, m: DeliveryModel, quo: bool, yearly: i64, s: u8| ReviewOption {
        code: code(c),
        title: c.into(),
        delivery_model: m,
        regional: m == DeliveryModel::JointCommissioning,
        partners: String::new(),
        description: String::new(),
        status_quo: quo,
        years: vec![
            YearCost {
                one_off_pence: 0,
                recurring_pence: yearly
            };
            3
        ],
        risk_score: 8,
        scores: scores(s),
        duties: vec![DutyMet {
            duty: "Collect household waste (EPA 1990 s.45)".into(),
            meets: true,
        }],
    };
    vec![
        opt("QUO", DeliveryModel::SelfDelivery, true, 613_000_000, 3),
        opt(
            "JOINT",
            DeliveryModel::JointCommissioning,
            false,
            580_000_000,
            4,
        ),
    ]
}

#[tokio::test]
async fn a_review_runs_end_to_end_and_approval_changes_the_service() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo", "")
            .await
            .unwrap();
        let cli = Caller::cli(tenant.clone());
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
        app.import_framework(&cli, &Source::Dir(dir), false, "demo")
            .await
            .unwrap();
        let today = date!(2026 - 11 - 23);
        let hub = as_role(
            &tenant,
            Role::PerformanceOfficer,
            "performance@demo.example",
        );
        let leader = as_role(&tenant, Role::OutcomeLeader, "director.place@demo.example");
        let manager = as_role(
            &tenant,
            Role::ServiceManager,
            "service.manager@demo.example",
        );
        let member = as_role(&tenant, Role::Member, "member@demo.example");

        // Opening: validation, permission, pre-filled scope.
        let bad = app
            .open_review(
                &hub,
                &NewReview {
                    code: "R 1".into(),
                    title: "".into(),
                    service: "NOPE".into(),
                },
                today,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(bad, AppError::Validation(ref v) if v.len() == 3),
            "{bad:?}"
        );
        let new = NewReview {
            code: "WASTE-2026".into(),
            title: "Waste services review".into(),
            service: "PE-WASTE".into(),
        };
        assert!(matches!(
            app.open_review(&member, &new, today).await,
            Err(AppError::Forbidden(_))
        ));
        let r = app.open_review(&hub, &new, today).await.unwrap();
        assert_eq!(r.value.state, ReviewState::Scoping);
        assert!(
            !r.value.scope.outcomes.is_empty(),
            "outcomes from the matrix"
        );
        assert_eq!(
            r.value.scope.profile.as_ref().unwrap().net_budget_pence,
            613_000_000
        );
        assert_eq!(r.value.appraisal.criteria.len(), 10);
        assert!(matches!(
            app.open_review(&hub, &new, today).await,
            Err(AppError::Duplicate(_))
        ));

        // An incomplete step does not move, and says what is missing.
        let err = app
            .transition_review(&hub, "WASTE-2026", Some(1), &Transition::Advance, today)
            .await
            .unwrap_err();
        match err {
            AppError::Validation(v) => assert_eq!(v[0].field, "esia"),
            other => panic!("{other:?}"),
        }
        let mut version = 1;
        fn edit(version: &mut i64, e: ReviewEdit) -> ReviewEdit {
            *version += 1;
            ReviewEdit {
                version: Some(*version - 1),
                ..e
            }
        }
        let scope = ScopeStep {
            statutory_duties: vec!["Collect household waste (EPA 1990 s.45)".into()],
            esia: Some(EsiaStage::Integrate),
            ..r.value.scope.clone()
        };
        let specification = Specification {
            scope: "Kerbside collection".into(),
            volumes: "24,000 households".into(),
            standards: "Weekly residual and recycling".into(),
            quality_safety: "Crew safety".into(),
        };
        let appraisal = Appraisal {
            years: 3,
            options: options(),
            preferred: Some(code("JOINT")),
            rationale: "Regional collection shares a fleet".into(),
            ..Default::default()
        };
        let plan = ServicePlan {
            costs: "As appraised".into(),
            resources: "Shared fleet with Stirling".into(),
            benefits: vec![PlannedBenefit {
                description: "Lower fleet cost".into(),
                annual_saving_pence: 33_000_000,
            }],
            quality_safety: "As now".into(),
        };
        let mut assessment = Assessment {
            impacts: Dimension::ALL
                .iter()
                .map(|d| ImpactEntry {
                    dimension: *d,
                    impact: Impact::Neutral,
                    evidence: "Same collection frequency".into(),
                    mitigation: String::new(),
                })
                .collect(),
            checks: Check::ALL
                .iter()
                .map(|c| CheckEntry {
                    check: *c,
                    status: CheckStatus::Done,
                    note: String::new(),
                })
                .collect(),
        };
        assessment.checks[3].status = CheckStatus::Outstanding;
        let e = edit(
            &mut version,
            ReviewEdit {
                scope: Some(scope),
                specification: Some(specification),
                appraisal: Some(appraisal),
                plan: Some(plan),
                assessment: Some(assessment.clone()),
                ..Default::default()
            },
        );
        app.edit_review(&hub, "WASTE-2026", &e).await.unwrap();
        for _ in 0..5 {
            let v = version;
            version += 1;
            app.transition_review(&hub, "WASTE-2026", Some(v), &Transition::Advance, today)
                .await
                .unwrap();
        }
        let r = app.review(&hub, "WASTE-2026").await.unwrap();
        assert_eq!(r.value.state, ReviewState::AwaitingApproval);
        assert_eq!(r.version, version);

        // Sign-off: the named people only, nothing outstanding, two keys.
        let e = app
            .transition_review(
                &member,
                "WASTE-2026",
                Some(version),
                &Transition::SignOff(SignOffRole::OutcomeLeader),
                today,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app
            .transition_review(
                &leader,
                "WASTE-2026",
                Some(version),
                &Transition::SignOff(SignOffRole::OutcomeLeader),
                today,
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("outstanding") || matches!(e, AppError::Validation(_)),
            "{e:?}"
        );
        // Sent back a step (with a reason) to finish the consultation, then on again.
        app.transition_review(
            &hub,
            "WASTE-2026",
            Some(version),
            &Transition::SendBack("Consult the unions".into()),
            today,
        )
        .await
        .unwrap();
        version += 1;
        assessment.checks[3].status = CheckStatus::Done;
        let e = edit(
            &mut version,
            ReviewEdit {
                assessment: Some(assessment),
                committee_reference: Some("PL/2026/14".into()),
                ..Default::default()
            },
        );
        app.edit_review(&hub, "WASTE-2026", &e).await.unwrap();
        app.transition_review(
            &hub,
            "WASTE-2026",
            Some(version),
            &Transition::Advance,
            today,
        )
        .await
        .unwrap();
        version += 1;
        app.transition_review(
            &leader,
            "WASTE-2026",
            Some(version),
            &Transition::SignOff(SignOffRole::OutcomeLeader),
            today,
        )
        .await
        .unwrap();
        version += 1;
        let svc = app
            .get::<goldthread_domain::framework::Service>(&cli, "PE-WASTE")
            .await
            .unwrap();
        assert_eq!(
            svc.value.delivery_model,
            DeliveryModel::SelfDelivery,
            "one key is not enough"
        );
        let e = app
            .transition_review(
                &leader,
                "WASTE-2026",
                Some(version),
                &Transition::SignOff(SignOffRole::ServiceManager),
                today,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Forbidden(_)),
            "not the service manager: {e:?}"
        );
        let r = app
            .transition_review(
                &manager,
                "WASTE-2026",
                Some(version),
                &Transition::SignOff(SignOffRole::ServiceManager),
                today,
            )
            .await
            .unwrap();
        assert_eq!(r.value.state, ReviewState::Approved);
        assert_eq!(r.value.approval.committee_reference, "PL/2026/14");
        let svc = app
            .get::<goldthread_domain::framework::Service>(&cli, "PE-WASTE")
            .await
            .unwrap();
        assert_eq!(svc.value.delivery_model, DeliveryModel::JointCommissioning);
        assert_eq!(svc.value.next_review, Some(date!(2029 - 11 - 23)));
        let history = app.history(&cli, "service", &svc.id).await.unwrap();
        assert!(
            history.iter().any(|h| h
                .context
                .as_ref()
                .is_some_and(|c| c["review"] == "WASTE-2026")),
            "the service change is audited with its review"
        );
        // A stale version is refused; implementation follows approval.
        assert!(matches!(
            app.transition_review(&hub, "WASTE-2026", Some(1), &Transition::Implement, today)
                .await,
            Err(AppError::Conflict(_))
        ));
        let r = app
            .transition_review(
                &hub,
                "WASTE-2026",
                Some(r.version),
                &Transition::Implement,
                today,
            )
            .await
            .unwrap();
        assert_eq!(r.value.state, ReviewState::Implemented);
        // The service cannot be deleted while reviews refer to it.
        let e = app
            .delete::<goldthread_domain::framework::Service>(&cli, "PE-WASTE", Some(svc.version))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("review"), "{e}");
    }
}
