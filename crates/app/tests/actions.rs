//! Action plans on every database backend (SQLite always; PostgreSQL when
//! GOLDTHREAD_TEST_PG_URL is set), on a small made-up council: the four files
//! imported by key, all or nothing, audited, nothing deleted, exported as
//! imported; single actions written by whoever manages what they link to (as
//! they were and as they will be); progress notes; overdue on an injected day;
//! records linked to actions are not deleted; and the demo's 2018 plan.
use goldthread_app::actions::{
    ActionFilter, ActionInput, ActionsKind, PROGRESS_ENTITY, ProgressInput,
};
use goldthread_app::framework::ImportReport;
use goldthread_app::risks::RiskTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::actions::{ActionStatus, PlanSummary};
use goldthread_domain::framework::{Outcome, Person, Service};
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Role};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::audit::{self, AuditFilter};
use goldthread_store::testing::{TestDb, databases};
use std::collections::BTreeMap;
use time::macros::date;

const PEOPLE: &str = "email,name,role,scope
boss@small.example,Bea Boss,performance-officer,
leader@small.example,Lou Leader,outcome-leader,PL
bins@small.example,Bin Manager,service-manager,BINS
roads@small.example,Road Manager,service-manager,ROADS
";
const OUTCOMES: &str = "code,title,kind,links,description
LO1,Thriving places,local,,
LO2,Healthy people,local,,
";
const PORTFOLIOS: &str = "code,title,outcome_leader,outcomes
PL,Place,leader@small.example,LO1
PP,People,,LO2
";
const SERVICES: &str = "code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description
BINS,Bin collection,PL,,statutory,universal-community,self-delivery,900,100,800,10,,
ROADS,Roads,PL,,statutory,universal-community,self-delivery,700,0,700,5,,
CARE,Care at home,PP,,statutory,vulnerable-people-families,partnership,6000,1000,5000,2,,
";

/// The risk an action mitigates.
const RISKS: &str = "code,title,category,cause,event,effect,owner,outcomes,services,programme,review,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,target_likelihood,target_impact,review_date,status
R-WASTE,Food waste rules missed,compliance,,,,,,BINS,,,3,4,2,4,1,4,,open
";

const PLANS: &str = "code,title,source,owner,approved,description
AUD,Audit action plan,External audit report 2025,boss@small.example,2025-03-31,Made up for the tests
";
const RECOMMENDATIONS: &str = "plan,code,text
AUD,1,Fix the bins
AUD,2,Fix the roads
";
const ACTIONS: &str = "code,plan,recommendation,title,lead,owner,due,timescale,status,percent_complete,outcomes,services,risks
AUD-1,AUD,1,New bin rounds,Head of Place,bins@small.example,2025-06-30,June 2025,complete,,LO1,BINS,
AUD-2,AUD,1,Food waste caddies,Head of Place,,2025-09-30,September 2025,in-progress,40,,BINS,R-WASTE
AUD-3,AUD,2,Pothole blitz,Roads Manager,roads@small.example,2025-06-30,June 2025,not-started,,,ROADS,
AUD-4,AUD,2,Asset survey,Chief Executive,,,Ongoing,in-progress,10,LO1,,
AUD-5,AUD,2,Dropped idea,Chief Executive,,2025-04-30,April 2025,cancelled,20,,,
";
const PROGRESS: &str = "action,date,by,text
AUD-1,2025-05-01,Bin Manager,Rounds redrawn
AUD-1,2025-06-30,Bin Manager,Rounds live
AUD-2,2025-07-15,Bin Manager,Caddies ordered
";

fn csv(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn as_role(tenant: &Tenant, role: Role, email: &str, scope: &[&str]) -> Caller {
    let mut c = Caller::cli(tenant.clone());
    c.actor = Actor {
        email: Email::parse(email).unwrap(),
        role,
        scope: scope.iter().map(|s| code(s)).collect(),
    };
    c.name = email.split('@').next().unwrap().to_string();
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

async fn council(t: &TestDb) -> (App, Tenant) {
    let app = App::new(t.db.clone());
    let tenant = app
        .add_tenant(
            &goldthread_app::ActorRef::cli(),
            "small",
            "Small Council",
            "",
        )
        .await
        .unwrap();
    let cli = Caller::cli(tenant.clone());
    let framework = Source::Csv(BTreeMap::from([
        ("people.csv".to_string(), PEOPLE.as_bytes().to_vec()),
        ("outcomes.csv".to_string(), OUTCOMES.as_bytes().to_vec()),
        ("portfolios.csv".to_string(), PORTFOLIOS.as_bytes().to_vec()),
        ("services.csv".to_string(), SERVICES.as_bytes().to_vec()),
    ]));
    app.import_framework(&cli, &framework, false, "small")
        .await
        .unwrap();
    app.import_risks(&cli, RiskTable::Risks, &csv("risks", RISKS), false, "risks")
        .await
        .unwrap();
    (app, tenant)
}

/// The council with the four action files imported.
async fn with_plan(t: &TestDb) -> (App, Tenant) {
    let (app, tenant) = council(t).await;
    let cli = Caller::cli(tenant.clone());
    for (kind, body) in [
        (ActionsKind::ActionPlans, PLANS),
        (ActionsKind::Recommendations, RECOMMENDATIONS),
        (ActionsKind::Actions, ACTIONS),
        (ActionsKind::ActionProgress, PROGRESS),
    ] {
        app.import_actions(&cli, kind, &csv(kind.name(), body), false, kind.name())
            .await
            .unwrap();
    }
    (app, tenant)
}

fn counts(r: &ImportReport, table: &str) -> [usize; 3] {
    r.tables[table]
}

#[tokio::test]
async fn the_four_files_import_by_key_audited_nothing_deleted_and_export_as_imported() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        for (name, kind) in [
            ("action-plans", ActionsKind::ActionPlans),
            ("recommendations", ActionsKind::Recommendations),
            ("actions", ActionsKind::Actions),
            ("action-progress", ActionsKind::ActionProgress),
        ] {
            let table: DataTable = name.parse().unwrap();
            assert_eq!(table, DataTable::Actions(kind));
            assert!(DataTable::all().contains(&table));
        }
        assert_eq!(
            DataTable::Actions(ActionsKind::Actions).headers().join(","),
            ACTIONS.lines().next().unwrap()
        );

        // Out of order: actions need their plan and recommendation first.
        let before = audit_count(&t).await;
        let err = app
            .import_actions(
                &cli,
                ActionsKind::Actions,
                &csv("actions", ACTIONS),
                false,
                "x",
            )
            .await
            .unwrap_err();
        let AppError::Import(errors) = err else {
            panic!("{err}")
        };
        assert_eq!(
            errors[0].to_string(),
            "actions.csv:2:plan: unknown action plan 'AUD' (import it in action-plans.csv first)"
        );
        assert_eq!(audit_count(&t).await, before);

        // A dry run counts and writes nothing.
        let dry = app
            .import_table(
                &cli,
                DataTable::Actions(ActionsKind::ActionPlans),
                &csv("action-plans", PLANS),
                true,
                "action-plans.csv",
            )
            .await
            .unwrap();
        assert_eq!((dry.rows, counts(&dry, "action-plans")), (1, [1, 0, 0]));
        assert!(app.action_register(&cli).await.unwrap().plans.is_empty());
        assert_eq!(audit_count(&t).await, before);

        // Each file in turn: one audit row per record, with the file as context.
        let mut expected = before;
        for (kind, body, n) in [
            (ActionsKind::ActionPlans, PLANS, 1),
            (ActionsKind::Recommendations, RECOMMENDATIONS, 2),
            (ActionsKind::Actions, ACTIONS, 5),
            (ActionsKind::ActionProgress, PROGRESS, 3),
        ] {
            let r = app
                .import_actions(&cli, kind, &csv(kind.name(), body), false, "upload")
                .await
                .unwrap();
            assert_eq!(counts(&r, kind.name()), [n, 0, 0], "{}", kind.name());
            expected += n as i64;
            assert_eq!(audit_count(&t).await, expected, "{:?}", t.backend());
        }
        let held = app.action_register(&cli).await.unwrap();
        let aud1 = &held.actions[0].value;
        assert_eq!(aud1.code.as_str(), "AUD-1");
        assert_eq!(aud1.percent_complete, 100);
        assert_eq!(aud1.owner.as_ref().unwrap().as_str(), "bins@small.example");
        assert_eq!(aud1.progress.len(), 2);
        assert_eq!(aud1.progress[1].text, "Rounds live");
        assert_eq!(held.actions[1].value.risks, [code("R-WASTE")]);
        assert_eq!(held.plans[0].value.approved, Some(date!(2025 - 03 - 31)));
        let mut conn = t.db.read().await.unwrap();
        let rows = audit::list(
            &mut conn,
            &tenant.tenant_id(),
            &AuditFilter {
                entity_type: Some("action".into()),
                entity: Some("AUD-2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, "create");
        assert_eq!(rows[0].after.as_ref().unwrap()["percent_complete"], 40);
        assert_eq!(rows[0].context.as_ref().unwrap()["file"], "actions");
        let notes = audit::list(
            &mut conn,
            &tenant.tenant_id(),
            &AuditFilter {
                entity_type: Some(PROGRESS_ENTITY.into()),
                entity: Some("AUD-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            notes.len(),
            2,
            "a note's audit row is filed under its action's code"
        );
        drop(conn);

        // Exported exactly as imported: importing every export changes nothing.
        let before = audit_count(&t).await;
        for kind in ActionsKind::ALL {
            let table = DataTable::Actions(*kind);
            let rows = app.export_table(&cli, table).await.unwrap();
            let bytes = goldthread_io::framework::csv_bytes(table.headers(), &rows).unwrap();
            let again = Source::Csv(BTreeMap::from([(format!("{}.csv", kind.name()), bytes)]));
            let r = app
                .import_table(&cli, table, &again, false, "export")
                .await
                .unwrap();
            let n = r.rows;
            assert_eq!(counts(&r, kind.name()), [0, 0, n], "{}", kind.name());
        }
        assert_eq!(audit_count(&t).await, before);
        assert_eq!(
            app.export_table(&cli, DataTable::Actions(ActionsKind::Actions))
                .await
                .unwrap()[0],
            [
                "AUD-1",
                "AUD",
                "1",
                "New bin rounds",
                "Head of Place",
                "bins@small.example",
                "2025-06-30",
                "June 2025",
                "complete",
                "100",
                "LO1",
                "BINS",
                ""
            ]
        );

        // Create or update by key; what the file leaves out stays, and an
        // action keeps its progress notes.
        let next = "code,plan,recommendation,title,lead,owner,due,timescale,status,percent_complete,outcomes,services,risks
AUD-2,AUD,1,Food waste caddies,Head of Place,,2025-09-30,September 2025,in-progress,80,,BINS,R-WASTE
AUD-6,AUD,1,Garden waste permits,Head of Place,,,,not-started,,,BINS,
";
        let before = audit_count(&t).await;
        let r = app
            .import_actions(
                &cli,
                ActionsKind::Actions,
                &csv("actions", next),
                false,
                "actions.csv",
            )
            .await
            .unwrap();
        assert_eq!(counts(&r, "actions"), [1, 1, 0]);
        assert!(r.removed.is_empty(), "nothing is deleted");
        assert_eq!(audit_count(&t).await, before + 2);
        let held = app.action_register(&cli).await.unwrap();
        let codes: Vec<&str> = held.actions.iter().map(|a| a.value.code.as_str()).collect();
        assert_eq!(
            codes,
            ["AUD-1", "AUD-2", "AUD-3", "AUD-4", "AUD-5", "AUD-6"]
        );
        assert_eq!(held.actions[1].value.percent_complete, 80);
        assert_eq!(held.actions[1].value.progress.len(), 1, "notes kept");
        assert_eq!(held.actions[1].version, 2);

        // Any error and nothing is written, though other rows are good.
        let before = audit_count(&t).await;
        let bad = "code,plan,recommendation,title,lead,owner,due,timescale,status,percent_complete,outcomes,services,risks
AUD-7,AUD,1,Good row,,,,,,,,BINS,
AUD-2,AUD,1,Now complete,,,,,complete,90,,BINS,
AUD-8,AUD,3,Bad recommendation,,nobody@small.example,2025-02-30,,,,LO9,NOPE,
";
        let err = app
            .import_actions(
                &cli,
                ActionsKind::Actions,
                &csv("actions", bad),
                false,
                "actions.csv",
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), "import_rejected");
        let AppError::Import(errors) = err else {
            panic!()
        };
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "actions.csv:3:percent_complete: a complete action is 100% complete (found 90); mark it in progress instead",
                "actions.csv:4:recommendation: plan AUD has no recommendation '3' (import it in recommendations.csv first)",
                "actions.csv:4:owner: unknown person 'nobody@small.example' (add them to people.csv)",
                "actions.csv:4:due: '2025-02-30' is not a date (use YYYY-MM-DD)",
                "actions.csv:4:outcomes: unknown outcome code 'LO9'",
                "actions.csv:4:services: unknown service code 'NOPE'",
            ]
        );
        assert_eq!(audit_count(&t).await, before);
        let after = app.action_register(&cli).await.unwrap();
        assert_eq!(after.actions.len(), 6);
        assert_eq!(after.actions[1].value.title, "Food waste caddies");

        // Progress notes: the same note again is unchanged; a new one is added.
        let r = app
            .import_actions(
                &cli,
                ActionsKind::ActionProgress,
                &csv(
                    "action-progress",
                    "action,date,by,text\nAUD-1,2025-06-30,Bin Manager,Rounds live\nAUD-1,2025-06-30,Bin Manager,Complaints down\n",
                ),
                false,
                "action-progress.csv",
            )
            .await
            .unwrap();
        assert_eq!(counts(&r, "action-progress"), [1, 0, 1]);

        // Imports are for administrators and performance officers.
        for role in [
            Role::OutcomeLeader,
            Role::ServiceManager,
            Role::CommissioningOfficer,
            Role::Member,
        ] {
            let c = as_role(&tenant, role, "leader@small.example", &["PL", "BINS"]);
            let r = app
                .import_actions(
                    &c,
                    ActionsKind::ActionPlans,
                    &csv("action-plans", PLANS),
                    false,
                    "x",
                )
                .await;
            assert!(matches!(r, Err(AppError::Forbidden(_))), "{role}");
        }
        let po = as_role(&tenant, Role::PerformanceOfficer, "boss@small.example", &[]);
        assert!(
            app.import_actions(
                &po,
                ActionsKind::ActionPlans,
                &csv("action-plans", PLANS),
                false,
                "x"
            )
            .await
            .is_ok()
        );
    }
}

fn input(code: &str, rec: &str, services: &[&str], outcomes: &[&str]) -> ActionInput {
    ActionInput {
        code: code.into(),
        plan: "AUD".into(),
        recommendation: rec.into(),
        title: format!("Action {code}"),
        lead: "Someone".into(),
        due: Some("2025-12-31".into()),
        timescale: "December 2025".into(),
        status: Some("in-progress".into()),
        percent_complete: Some("25".into()),
        services: services.iter().map(|s| s.to_string()).collect(),
        outcomes: outcomes.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[tokio::test]
async fn single_actions_are_written_by_whoever_manages_their_links_as_they_were_and_will_be() {
    for t in databases().await {
        let (app, tenant) = with_plan(&t).await;
        let bins = as_role(
            &tenant,
            Role::ServiceManager,
            "bins@small.example",
            &["BINS"],
        );
        let roads = as_role(
            &tenant,
            Role::ServiceManager,
            "roads@small.example",
            &["ROADS"],
        );
        let leader = as_role(&tenant, Role::OutcomeLeader, "leader@small.example", &[]);
        let po = as_role(&tenant, Role::PerformanceOfficer, "boss@small.example", &[]);
        let member = as_role(&tenant, Role::Member, "m@small.example", &["BINS"]);
        let hub = as_role(&tenant, Role::CommissioningOfficer, "h@small.example", &[]);

        // Create: by the links the action will have.
        for (who, i, allowed) in [
            (&bins, input("N1", "1", &["BINS"], &[]), true),
            (&bins, input("N2", "1", &["ROADS"], &[]), false),
            (&bins, input("N3", "1", &[], &["LO1"]), false),
            (&bins, input("N4", "1", &[], &[]), false),
            // An Outcome Leader: services in their portfolio, outcomes it leads.
            (&leader, input("N5", "1", &["ROADS"], &[]), true),
            (&leader, input("N6", "1", &[], &["LO1"]), true),
            (&leader, input("N7", "1", &["CARE"], &["LO2"]), false),
            (&po, input("N8", "2", &[], &[]), true),
            (&member, input("N9", "1", &["BINS"], &[]), false),
            (&hub, input("N10", "1", &["BINS"], &[]), false),
        ] {
            let before = audit_count(&t).await;
            let r = app.create_action(who, &i).await;
            if allowed {
                let rec = r.unwrap_or_else(|e| panic!("{} {}: {e}", who.actor.email, i.code));
                assert_eq!(rec.version, 1);
                assert_eq!(audit_count(&t).await, before + 1, "{}", i.code);
            } else {
                assert!(
                    matches!(r, Err(AppError::Forbidden(_))),
                    "{} {}: {r:?}",
                    who.actor.email,
                    i.code
                );
                assert_eq!(audit_count(&t).await, before, "{}", i.code);
            }
        }
        let rows = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity: Some("N1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows[0].actor, "bins@small.example");

        // Update: the caller must be allowed the action as it was and as it will be.
        let mut to_roads = input("N1", "1", &["ROADS"], &[]);
        to_roads.version = Some(1);
        let r = app.update_action(&bins, "N1", &to_roads).await;
        assert!(
            matches!(r, Err(AppError::Forbidden(_))),
            "moved away: {r:?}"
        );
        let r = app.update_action(&roads, "N1", &to_roads).await;
        assert!(
            matches!(r, Err(AppError::Forbidden(_))),
            "taken over: {r:?}"
        );
        // Keeping one of their own links, a manager may share the action.
        let before = audit_count(&t).await;
        let mut both = input("N1", "1", &["BINS", "ROADS"], &[]);
        both.version = Some(1);
        both.title = "Shared".into();
        let rec = app.update_action(&bins, "N1", &both).await.unwrap();
        assert_eq!(rec.version, 2);
        assert_eq!(audit_count(&t).await, before + 1);
        // Now the roads manager may change it too, and so may the Outcome
        // Leader of both services.
        both.version = Some(2);
        both.title = "Shared by roads".into();
        assert_eq!(
            app.update_action(&roads, "N1", &both)
                .await
                .unwrap()
                .version,
            3
        );
        both.version = Some(3);
        both.title = "Shared by the leader".into();
        assert_eq!(
            app.update_action(&leader, "N1", &both)
                .await
                .unwrap()
                .version,
            4
        );
        // Neither manager may take the other's service off the shared action;
        // the Outcome Leader of both may.
        let mut bins_only = input("N1", "1", &["BINS"], &[]);
        bins_only.version = Some(4);
        let before = audit_count(&t).await;
        let r = app.update_action(&bins, "N1", &bins_only).await;
        assert!(
            matches!(&r, Err(AppError::Forbidden(m)) if m.contains("remove a link")),
            "unlinked another manager: {r:?}"
        );
        let mut roads_only = input("N1", "1", &["ROADS"], &[]);
        roads_only.version = Some(4);
        let r = app.update_action(&roads, "N1", &roads_only).await;
        assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
        assert_eq!(audit_count(&t).await, before, "refusals write nothing");
        // Stale versions, a missing version, a changed code, bad fields.
        both.version = Some(3);
        let r = app.update_action(&roads, "N1", &both).await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");
        both.version = None;
        let Err(AppError::Validation(f)) = app.update_action(&roads, "N1", &both).await else {
            panic!()
        };
        assert_eq!(f[0].field, "version");
        let mut renamed = both.clone();
        renamed.version = Some(4);
        renamed.code = "N1B".into();
        let Err(AppError::Validation(f)) = app.update_action(&roads, "N1", &renamed).await else {
            panic!()
        };
        assert_eq!(f[0].field, "code");
        let mut bad = input("N11", "9", &["BINS"], &["LO9"]);
        bad.status = Some("complete".into());
        bad.percent_complete = Some("50".into());
        bad.due = Some("2025-13-01".into());
        let Err(AppError::Validation(f)) = app.create_action(&bins, &bad).await else {
            panic!()
        };
        let fields: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["recommendation", "due", "percent_complete", "outcomes"]
        );
        let r = app.create_action(&po, &input("N1", "1", &[], &[])).await;
        assert!(matches!(r, Err(AppError::Duplicate(_))), "{r:?}");
        // Numbers or text for the percentage, through JSON.
        let json: ActionInput = serde_json::from_value(serde_json::json!({
            "code": "N12", "plan": "AUD", "recommendation": "1", "title": "From JSON",
            "status": "in-progress", "percent_complete": 35, "services": ["BINS"]
        }))
        .unwrap();
        assert_eq!(json.percent_complete.as_deref(), Some("35"));
        assert_eq!(
            app.create_action(&bins, &json)
                .await
                .unwrap()
                .value
                .percent_complete,
            35
        );

        // Delete: by the links it has; its notes go with it, kept in the audit row.
        app.add_progress(
            &bins,
            "N12",
            &ProgressInput {
                text: "Started".into(),
                ..Default::default()
            },
            date!(2025 - 08 - 01),
        )
        .await
        .unwrap();
        assert!(matches!(
            app.delete_action(&roads, "N12", Some(1)).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            app.delete_action(&bins, "N12", Some(7)).await,
            Err(AppError::Conflict(_))
        ));
        let before = audit_count(&t).await;
        app.delete_action(&bins, "N12", Some(1)).await.unwrap();
        assert_eq!(audit_count(&t).await, before + 1);
        let cli = Caller::cli(tenant.clone());
        let held = app.action_register(&cli).await.unwrap();
        assert!(held.actions.iter().all(|a| a.value.code.as_str() != "N12"));
        assert!(
            held.progress
                .iter()
                .all(|p| p.value.action.as_str() != "N12")
        );
        let gone = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity_type: Some("action".into()),
                entity: Some("N12".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(gone[0].action, "delete");
        assert_eq!(
            gone[0].before.as_ref().unwrap()["progress"][0]["text"],
            "Started"
        );
        assert!(matches!(
            app.delete_action(&bins, "N12", Some(1)).await,
            Err(AppError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn progress_notes_and_overdue_on_an_injected_day() {
    for t in databases().await {
        let (app, tenant) = with_plan(&t).await;
        let cli = Caller::cli(tenant.clone());
        let bins = as_role(
            &tenant,
            Role::ServiceManager,
            "bins@small.example",
            &["BINS"],
        );
        let roads = as_role(
            &tenant,
            Role::ServiceManager,
            "roads@small.example",
            &["ROADS"],
        );

        // A note: dated today and by the caller unless given; audited; the
        // action's version does not move.
        let before = audit_count(&t).await;
        let rec = app
            .add_progress(
                &bins,
                "AUD-2",
                &ProgressInput {
                    text: "Caddies delivered to half the town".into(),
                    ..Default::default()
                },
                date!(2025 - 09 - 01),
            )
            .await
            .unwrap();
        assert_eq!(audit_count(&t).await, before + 1);
        assert_eq!(rec.version, 1);
        let last = rec.value.progress.last().unwrap();
        assert_eq!((last.on, last.by.as_str()), (date!(2025 - 09 - 01), "bins"));
        let rows = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity_type: Some(PROGRESS_ENTITY.into()),
                entity: Some("AUD-2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            rows[0].after.as_ref().unwrap()["text"],
            "Caddies delivered to half the town"
        );
        // An earlier date and another author may be given; notes stay in date order.
        let rec = app
            .add_progress(
                &bins,
                "AUD-2",
                &ProgressInput {
                    date: Some("2025-08-01".into()),
                    by: Some("Head of Place".into()),
                    text: "Supplier chosen".into(),
                },
                date!(2025 - 09 - 02),
            )
            .await
            .unwrap();
        let texts: Vec<&str> = rec.value.progress.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Caddies ordered",
                "Supplier chosen",
                "Caddies delivered to half the town"
            ]
        );
        // The same note twice, an empty note, a bad date, another's action.
        let before = audit_count(&t).await;
        let again = ProgressInput {
            date: Some("2025-08-01".into()),
            by: Some("Head of Place".into()),
            text: "Supplier chosen".into(),
        };
        assert!(matches!(
            app.add_progress(&bins, "AUD-2", &again, date!(2025 - 09 - 02))
                .await,
            Err(AppError::Duplicate(_))
        ));
        let Err(AppError::Validation(f)) = app
            .add_progress(
                &bins,
                "AUD-2",
                &ProgressInput {
                    date: Some("2025-02-30".into()),
                    text: " ".into(),
                    ..Default::default()
                },
                date!(2025 - 09 - 02),
            )
            .await
        else {
            panic!()
        };
        let fields: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["date", "text"]);
        assert!(matches!(
            app.add_progress(&roads, "AUD-2", &again, date!(2025 - 09 - 02))
                .await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            app.add_progress(&bins, "NOPE", &again, date!(2025 - 09 - 02))
                .await,
            Err(AppError::NotFound(_))
        ));
        assert_eq!(audit_count(&t).await, before);

        // Overdue: due date passed and neither complete nor cancelled. AUD-3
        // (not started) is due 2025-06-30; AUD-2 (in progress) 2025-09-30;
        // AUD-1 is complete and AUD-5 cancelled; AUD-4 is ongoing.
        let overdue = |day| {
            let app = app.clone();
            let cli = cli.clone();
            async move {
                app.overdue_actions(&cli, day)
                    .await
                    .unwrap()
                    .iter()
                    .map(|a| (a.action.code.to_string(), a.days_overdue.unwrap()))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(overdue(date!(2025 - 06 - 30)).await, []);
        assert_eq!(overdue(date!(2025 - 07 - 01)).await, [("AUD-3".into(), 1)]);
        assert_eq!(overdue(date!(2025 - 09 - 30)).await, [("AUD-3".into(), 92)]);
        assert_eq!(
            overdue(date!(2025 - 10 - 01)).await,
            [("AUD-3".into(), 93), ("AUD-2".into(), 1)],
            "longest overdue first"
        );

        // Plans with their summaries on the day.
        let plans = app.action_plans(&cli, date!(2025 - 10 - 01)).await.unwrap();
        assert_eq!(plans.len(), 1);
        assert_eq!(
            plans[0].summary,
            PlanSummary {
                actions: 5,
                not_started: 1,
                in_progress: 2,
                complete: 1,
                cancelled: 1,
                overdue: 2,
                // (100 + 40 + 0 + 10) / 4, the cancelled one left out
                mean_percent_complete: Some(38),
            }
        );
        let json = serde_json::to_value(&plans[0]).unwrap();
        assert_eq!(json["code"], "AUD");
        assert_eq!(json["summary"]["overdue"], 2);
        let detail = app
            .action_plan(&cli, "AUD", date!(2025 - 10 - 01))
            .await
            .unwrap();
        let by_rec: Vec<(String, Vec<String>)> = detail
            .recommendations
            .iter()
            .map(|r| {
                (
                    r.recommendation.code.to_string(),
                    r.actions
                        .iter()
                        .map(|a| a.action.code.to_string())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            by_rec,
            [
                ("1".into(), vec!["AUD-1".into(), "AUD-2".into()]),
                (
                    "2".into(),
                    vec!["AUD-3".into(), "AUD-4".into(), "AUD-5".into()]
                )
            ]
        );
        assert!(detail.recommendations[1].actions[0].overdue);
        assert!(matches!(
            app.action_plan(&cli, "NOPE", date!(2025 - 10 - 01)).await,
            Err(AppError::NotFound(_))
        ));

        // Filters: plan, status, overdue, lead, outcome, service.
        let listed = |f: ActionFilter| {
            let app = app.clone();
            let cli = cli.clone();
            async move {
                app.actions(&cli, date!(2025 - 10 - 01), &f)
                    .await
                    .unwrap()
                    .iter()
                    .map(|a| a.action.code.to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(listed(ActionFilter::default()).await.len(), 5);
        assert_eq!(
            listed(ActionFilter {
                status: Some(ActionStatus::InProgress),
                ..Default::default()
            })
            .await,
            ["AUD-2", "AUD-4"]
        );
        assert_eq!(
            listed(ActionFilter {
                overdue: Some(false),
                ..Default::default()
            })
            .await,
            ["AUD-1", "AUD-4", "AUD-5"]
        );
        assert_eq!(
            listed(ActionFilter {
                lead: Some(" chief executive".into()),
                ..Default::default()
            })
            .await,
            ["AUD-4", "AUD-5"]
        );
        assert_eq!(
            listed(ActionFilter {
                service: Some(code("BINS")),
                outcome: Some(code("LO1")),
                ..Default::default()
            })
            .await,
            ["AUD-1"]
        );
        assert!(
            listed(ActionFilter {
                plan: Some(code("OTHER")),
                ..Default::default()
            })
            .await
            .is_empty()
        );
        let one = app
            .action(&cli, "AUD-3", date!(2025 - 10 - 01))
            .await
            .unwrap();
        assert!(one.overdue);
        assert_eq!(one.plan_title, "Audit action plan");
        let json = serde_json::to_value(&one).unwrap();
        assert_eq!(json["status"], "not-started");
        assert_eq!(json["due"], "2025-06-30");
        assert_eq!(json["days_overdue"], 93);
    }
}

#[tokio::test]
async fn records_linked_to_actions_are_not_deleted() {
    for t in databases().await {
        let (app, tenant) = with_plan(&t).await;
        let cli = Caller::cli(tenant.clone());
        let before = audit_count(&t).await;
        let v = app.get::<Service>(&cli, "ROADS").await.unwrap().version;
        let err = app
            .delete::<Service>(&cli, "ROADS", Some(v))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("1 action(s)"), "{err}");
        assert_eq!(err.code(), "in_use");
        let v = app.get::<Outcome>(&cli, "LO1").await.unwrap().version;
        let err = app
            .delete::<Outcome>(&cli, "LO1", Some(v))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("2 action(s)"), "{err}");
        let v = app
            .get::<Person>(&cli, "roads@small.example")
            .await
            .unwrap()
            .version;
        let err = app
            .delete::<Person>(&cli, "roads@small.example", Some(v))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("1 action(s) as owner"), "{err}");
        let v = app
            .get::<Person>(&cli, "boss@small.example")
            .await
            .unwrap()
            .version;
        let err = app
            .delete::<Person>(&cli, "boss@small.example", Some(v))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("1 action plan(s) as owner"),
            "{err}"
        );
        // Nor is a risk an action mitigates.
        let risk = app.risks(&cli).await.unwrap().risks.remove(0);
        let err = app
            .delete_risk(&cli, "R-WASTE", Some(risk.version))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("action(s) AUD-2"), "{err}");
        assert_eq!(err.code(), "in_use");
        // An action may only name a risk in the register.
        let mut unknown = input("AUD-9", "1", &["BINS"], &[]);
        unknown.risks = vec!["R-NOPE".into()];
        let Err(AppError::Validation(f)) = app.create_action(&cli, &unknown).await else {
            panic!()
        };
        assert_eq!(f[0].field, "risks");
        assert_eq!(audit_count(&t).await, before);
        // Once the action is gone, the service may go.
        app.delete_action(&cli, "AUD-3", Some(1)).await.unwrap();
        let v = app.get::<Service>(&cli, "ROADS").await.unwrap().version;
        app.delete::<Service>(&cli, "ROADS", Some(v)).await.unwrap();
    }
}

/// The demo's 2018 Best Value action plan (DEMO-DATA §6c): 4 recommendations
/// and every action of the plan, with its timescale and leads as written.
#[tokio::test]
async fn the_demo_plan_has_four_recommendations_and_every_action() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo Council", "")
            .await
            .unwrap();
        let cli = Caller::cli(tenant);
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        app.import_framework(&cli, &Source::Dir(dir.clone()), false, "demo")
            .await
            .unwrap();
        for kind in ActionsKind::ALL {
            app.import_actions(&cli, *kind, &Source::Dir(dir.clone()), false, "demo")
                .await
                .unwrap();
        }
        let today = date!(2026 - 11 - 23);
        let plan = app.action_plan(&cli, "BV18", today).await.unwrap();
        assert_eq!(
            plan.plan.source,
            "Audit Scotland Best Value Assurance Report 2018"
        );
        let recs: Vec<&str> = plan
            .recommendations
            .iter()
            .map(|r| r.recommendation.code.as_str())
            .collect();
        assert_eq!(recs, ["1", "2", "3", "4"]);
        assert!(plan.recommendations[0].recommendation.text.starts_with(
            "councillors and officers should build on their constructive working relationships"
        ));
        // (recommendation, action, timescale, lead) exactly as DEMO-DATA §6c.
        let expected = [
            ("1", "BV18-A", "", ""),
            (
                "1",
                "BV18-A-i",
                "March, 2018",
                "Council (all elected members)",
            ),
            (
                "1",
                "BV18-A-ii",
                "May 2018",
                "Council (Appointments Committee)",
            ),
            (
                "1",
                "BV18-A-iv-a",
                "June 2018",
                "Council (all elected members) and Chief Executive",
            ),
            (
                "1",
                "BV18-A-iv-b",
                "June 2018",
                "Council (all elected members) and Head of Resources & Governance",
            ),
            (
                "1",
                "BV18-B",
                "June 2018",
                "Council (all elected members) and Head of Resources & Governance (in consultation with CMT)",
            ),
            (
                "1",
                "BV18-C",
                "May 2018",
                "Group Leaders and Chief Executive",
            ),
            (
                "2",
                "BV18-D-i",
                "June 2018",
                "Council (all elected members)",
            ),
            (
                "2",
                "BV18-D-ii",
                "May 2018 and ongoing",
                "Head of Strategy & Customer Services",
            ),
            (
                "2",
                "BV18-D-iii",
                "April 2018",
                "Council (all elected members)",
            ),
            (
                "2",
                "BV18-D-iv",
                "April 2018",
                "Head of Resources & Governance",
            ),
            (
                "2",
                "BV18-D-v",
                "Ongoing",
                "Head of Strategy & Customer Services",
            ),
            (
                "3",
                "BV18-E-i",
                "June 2018",
                "Clackmannanshire Alliance representatives",
            ),
            ("3", "BV18-E-ii", "June 2018", "Depute Chief Executive"),
            ("3", "BV18-E-iii", "Ongoing", "Executive Director"),
            (
                "4",
                "BV18-F-i",
                "August 2018",
                "Head of Resources & Governance",
            ),
            ("4", "BV18-F-ii", "April 2018", "Depute Chief Executive"),
            ("4", "BV18-F-iii", "Ongoing", "Chief Executive"),
        ];
        let found: Vec<(&str, &str, &str, &str)> = plan
            .recommendations
            .iter()
            .flat_map(|r| {
                r.actions.iter().map(move |a| {
                    (
                        r.recommendation.code.as_str(),
                        a.action.code.as_str(),
                        a.action.timescale.as_str(),
                        a.action.lead.as_str(),
                    )
                })
            })
            .collect();
        assert_eq!(found, expected);
        let all: Vec<&goldthread_app::actions::ActionLine> = plan
            .recommendations
            .iter()
            .flat_map(|r| &r.actions)
            .collect();
        let a = |c: &str| all.iter().find(|a| a.action.code.as_str() == c).unwrap();
        assert_eq!(a("BV18-A-i").action.due, Some(date!(2018 - 03 - 31)));
        assert_eq!(a("BV18-D-ii").action.due, Some(date!(2018 - 05 - 31)));
        assert_eq!(a("BV18-F-i").action.due, Some(date!(2018 - 08 - 31)));
        assert_eq!(a("BV18-E-iii").action.due, None);
        assert_eq!(a("BV18-D-iv").action.services, [code("CS-PROC")]);
        assert_eq!(a("BV18-E-iii").action.services, [code("PE-CITYDEAL")]);
        assert_eq!(
            a("BV18-E-i").action.outcomes,
            [code("LO1"), code("LO2"), code("LO3"), code("LO4")]
        );
        // Mostly complete, some in progress, a couple overdue.
        assert_eq!(
            (
                plan.summary.actions,
                plan.summary.complete,
                plan.summary.in_progress,
                plan.summary.overdue
            ),
            (18, 12, 6, 2)
        );
        let overdue: Vec<String> = app
            .overdue_actions(&cli, today)
            .await
            .unwrap()
            .iter()
            .map(|a| a.action.code.to_string())
            .collect();
        assert_eq!(overdue, ["BV18-A-iv-b", "BV18-D-i"]);
        let notes = &app.action_register(&cli).await.unwrap().progress;
        assert!(notes.len() >= 18, "{} notes", notes.len());
    }
}
