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
        // Awaiting approval is still under way: the mixed economy projects it.
        let m = app.mixed_economy(&hub).await.unwrap();
        assert_eq!(m.changes.len(), 1, "{:?}", m.changes);
        assert_eq!(m.changes[0].to, DeliveryModel::JointCommissioning);

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
        // Approved: the change is now, not projected.
        let m = app.mixed_economy(&hub).await.unwrap();
        assert!(m.changes.is_empty(), "{:?}", m.changes);
        assert_eq!(
            m.now
                .model(DeliveryModel::JointCommissioning)
                .net_budget_pence,
            m.projected
                .model(DeliveryModel::JointCommissioning)
                .net_budget_pence
        );
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

#[tokio::test]
async fn options_one_at_a_time_the_cycle_the_schedule_and_the_mixed_economy() {
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
            Role::CommissioningOfficer,
            "commissioning@demo.example",
        );
        let member = as_role(&tenant, Role::Member, "member@demo.example");
        app.open_review(
            &hub,
            &NewReview {
                code: "W".into(),
                title: "Waste".into(),
                service: "PE-WASTE".into(),
            },
            today,
        )
        .await
        .unwrap();
        let r = app
            .edit_review(
                &hub,
                "W",
                &ReviewEdit {
                    scope: Some(ScopeStep {
                        statutory_duties: vec!["Collect household waste (EPA 1990 s.45)".into()],
                        esia: Some(EsiaStage::Simplify),
                        profile: None,
                        ..app.review(&hub, "W").await.unwrap().value.scope
                    }),
                    appraisal: Some(Appraisal {
                        years: 3,
                        ..Default::default()
                    }),
                    version: Some(1),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            r.value.scope.profile.is_some(),
            "the snapshot is kept when no new one is given"
        );
        let [quo, joint] = options().try_into().unwrap();
        // Field by field refusals, nothing written.
        let bad = ReviewOption {
            title: " ".into(),
            years: vec![],
            risk_score: 26,
            duties: vec![DutyMet {
                duty: "Not in scope".into(),
                meets: true,
            }],
            ..quo.clone()
        };
        match app.save_option(&hub, "W", None, &bad, Some(2)).await {
            Err(AppError::Validation(v)) => {
                let fields: Vec<&str> = v.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["title", "years", "risk_score", "duties"], "{v:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            app.save_option(&member, "W", None, &quo, Some(2)).await,
            Err(AppError::Forbidden(_))
        ));
        app.save_option(&hub, "W", None, &quo, Some(2))
            .await
            .unwrap();
        let second_quo = ReviewOption {
            code: code("QUO2"),
            ..quo.clone()
        };
        let e = app
            .save_option(&hub, "W", None, &second_quo, Some(3))
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("already the status quo")
                || matches!(e, AppError::Validation(ref v) if v[0].message.contains("already the status quo")),
            "{e:?}"
        );
        app.save_option(&hub, "W", None, &joint, Some(3))
            .await
            .unwrap();
        // A stop option that fails the duty cannot be preferred.
        let stop = ReviewOption {
            code: code("STOP"),
            title: "Stop collecting".into(),
            delivery_model: DeliveryModel::Stop,
            status_quo: false,
            duties: vec![DutyMet {
                duty: "Collect household waste (EPA 1990 s.45)".into(),
                meets: false,
            }],
            ..quo.clone()
        };
        let r = app
            .save_option(&hub, "W", None, &stop, Some(4))
            .await
            .unwrap();
        let mut a = r.value.appraisal.clone();
        a.preferred = Some(code("STOP"));
        a.rationale = "Cheapest".into();
        match app
            .edit_review(
                &hub,
                "W",
                &ReviewEdit {
                    appraisal: Some(a.clone()),
                    version: Some(5),
                    ..Default::default()
                },
            )
            .await
        {
            Err(AppError::Validation(v)) => {
                assert_eq!(v[0].field, "preferred");
                assert!(v[0].message.contains("cannot be preferred"), "{v:?}");
            }
            other => panic!("{other:?}"),
        }
        a.preferred = Some(code("JOINT"));
        app.edit_review(
            &hub,
            "W",
            &ReviewEdit {
                appraisal: Some(a),
                version: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Renaming the preferred option keeps it preferred; removing it is refused.
        let renamed = ReviewOption {
            code: code("REGIONAL"),
            ..joint.clone()
        };
        let r = app
            .save_option(&hub, "W", Some("JOINT"), &renamed, Some(6))
            .await
            .unwrap();
        assert_eq!(r.value.appraisal.preferred, Some(code("REGIONAL")));
        assert!(matches!(
            app.delete_option(&hub, "W", "REGIONAL", Some(7)).await,
            Err(AppError::Conflict(_))
        ));
        let r = app.delete_option(&hub, "W", "STOP", Some(7)).await.unwrap();
        assert_eq!(r.value.appraisal.options.len(), 2);

        // The mixed economy projects the preferred option of the review under way.
        let m = app.mixed_economy(&hub).await.unwrap();
        assert_eq!(m.changes.len(), 1);
        assert_eq!(m.changes[0].to, DeliveryModel::JointCommissioning);
        let jc = |e: &goldthread_domain::mixed::Economy| {
            e.model(DeliveryModel::JointCommissioning).net_budget_pence
        };
        assert_eq!(jc(&m.projected) - jc(&m.now), 613_000_000);
        assert_eq!(m.projected.net_budget_pence, m.now.net_budget_pence);

        // The review cycle: 3 to 5 years, administrators and performance officers.
        assert_eq!(app.review_cycle(&cli).await.unwrap(), 3);
        assert!(matches!(
            app.set_review_cycle(&cli, 6).await,
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            app.set_review_cycle(&hub, 4).await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(app.set_review_cycle(&cli, 5).await.unwrap(), 5);
        assert_eq!(app.review_cycle(&hub).await.unwrap(), 5);

        // The schedule: every demo service has a date; some are due.
        let s = app
            .review_schedule(&hub, date!(2028 - 06 - 01))
            .await
            .unwrap();
        assert_eq!(s.len(), 3);
        let pe = s.iter().find(|p| p.portfolio == code("PE")).unwrap();
        assert_eq!(pe.overdue + pe.due_soon + pe.no_date, pe.services.len());
        let rank = |d: &str| {
            ["overdue", "due-soon", "no-date"]
                .iter()
                .position(|x| *x == d)
        };
        let order: Vec<_> = pe
            .services
            .iter()
            .map(|x| (rank(&x.due).unwrap(), x.next_review))
            .collect();
        assert!(order.is_sorted(), "overdue first, then soonest: {order:?}");
        assert!(pe.overdue > 0, "{pe:?}");
        if let Some(w) = pe.services.iter().find(|x| x.service == code("PE-WASTE")) {
            assert_eq!(w.open_review, Some(code("W")));
        }
    }
}
