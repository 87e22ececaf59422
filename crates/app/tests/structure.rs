//! Programmes, workstreams, action plans and recommendations one at a time, on
//! every database backend (SQLite always; PostgreSQL when
//! GOLDTHREAD_TEST_PG_URL is set): checked field by field with the importers'
//! rules, written only by administrators and performance officers, audited,
//! versioned, and deleted only when nothing hangs on them.
use goldthread_app::actions::ActionInput;
use goldthread_app::risks::RiskTable;
use goldthread_app::structure::RecordInput;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Role};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::testing::{TestDb, databases};
use serde_json::json;
use std::collections::BTreeMap;

const PEOPLE: &str = "email,name,role,scope
boss@small.example,Bea Boss,performance-officer,
bins@small.example,Bin Manager,service-manager,BINS
";
const OUTCOMES: &str = "code,title,kind,links,description
LO1,Thriving places,local,,
";
const PORTFOLIOS: &str = "code,title,outcome_leader,outcomes
PL,Place,,LO1
";
const SERVICES: &str = "code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description
BINS,Bin collection,PL,bins@small.example,statutory,universal-community,self-delivery,900,100,800,10,,
";

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn csv(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
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

fn input(v: serde_json::Value) -> RecordInput {
    serde_json::from_value(v).unwrap()
}

async fn audit_count(t: &TestDb) -> i64 {
    let mut conn = t.db.read().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn council(t: &TestDb) -> (App, Tenant) {
    let app = App::new(t.db.clone());
    let tenant = app
        .add_tenant(&goldthread_app::ActorRef::cli(), "small", "Small", "")
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
    (app, tenant)
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation(f) => f.into_iter().map(|f| f.field).collect(),
        e => panic!("expected field errors, got {e:?}"),
    }
}

#[tokio::test]
async fn programmes_and_workstreams_one_at_a_time() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let boss = as_role(&tenant, Role::PerformanceOfficer, "boss@small.example");
        let bins = as_role(&tenant, Role::ServiceManager, "bins@small.example");
        let prog = json!({"code": "TTC", "title": "Transformation", "sponsor": "boss@small.example",
                          "start": "2025-11-01", "description": "Agreed by Council"});

        // Service managers keep initiatives, not the programme itself.
        let before = audit_count(&t).await;
        let e = app
            .save_programme(&bins, None, &input(prog.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // Every problem at once, by field; nothing written.
        let bad = json!({"code": "TTC", "title": "", "sponsor": "nobody@small.example",
                         "start": "2025-11-31", "colour": "red"});
        assert_eq!(
            fields(
                app.save_programme(&boss, None, &input(bad))
                    .await
                    .unwrap_err()
            ),
            ["colour"],
            "a field that is not a column is refused first"
        );
        let bad = json!({"code": "TTC", "title": "", "sponsor": "nobody@small.example", "start": "2025-11-31"});
        assert_eq!(
            fields(
                app.save_programme(&boss, None, &input(bad))
                    .await
                    .unwrap_err()
            ),
            ["title", "sponsor", "start"]
        );
        assert_eq!(audit_count(&t).await, before);

        let p = app
            .save_programme(&boss, None, &input(prog.clone()))
            .await
            .unwrap();
        assert_eq!((p.version, p.value.code.as_str()), (1, "TTC"));
        assert_eq!(audit_count(&t).await, before + 1);
        let e = app
            .save_programme(&boss, None, &input(prog.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Duplicate(_)), "{e:?}");

        // Changing: the version read is required and checked; the code stays.
        let mut changed = prog.clone();
        changed["title"] = json!("Transformation Through Collaboration");
        assert_eq!(
            fields(
                app.save_programme(&boss, Some("TTC"), &input(changed.clone()))
                    .await
                    .unwrap_err()
            ),
            ["version"]
        );
        changed["version"] = json!(1);
        let p = app
            .save_programme(&boss, Some("TTC"), &input(changed.clone()))
            .await
            .unwrap();
        assert_eq!(p.version, 2);
        assert_eq!(p.value.title, "Transformation Through Collaboration");
        let e = app
            .save_programme(&boss, Some("TTC"), &input(changed.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "stale: {e:?}");
        let mut renamed = changed.clone();
        renamed["code"] = json!("TTC2");
        renamed["version"] = json!(2);
        assert_eq!(
            fields(
                app.save_programme(&boss, Some("TTC"), &input(renamed))
                    .await
                    .unwrap_err()
            ),
            ["code"]
        );
        let e = app
            .save_programme(&boss, Some("NOPE"), &input(changed.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");

        // Workstreams, keyed by programme and code.
        let ws = json!({"programme": "TTC", "code": "W1", "title": "Wave 1"});
        let e = app
            .save_workstream(
                &boss,
                None,
                &input(json!({"programme": "NOPE", "code": "W1", "title": "x"})),
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["programme"]);
        let w = app
            .save_workstream(&boss, None, &input(ws.clone()))
            .await
            .unwrap();
        assert_eq!(w.version, 1);
        let mut ws2 = ws.clone();
        ws2["title"] = json!("Wave one");
        ws2["version"] = json!(1);
        let w = app
            .save_workstream(&boss, Some(("TTC", "W1")), &input(ws2))
            .await
            .unwrap();
        assert_eq!((w.version, w.value.title.as_str()), (2, "Wave one"));

        // A programme with workstreams, or named by a risk, is not deleted; a
        // workstream with initiatives is not deleted.
        let e = app
            .delete_programme(&boss, "TTC", Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("1 workstream(s)")),
            "{e:?}"
        );
        let init = goldthread_domain::programme::Initiative {
            code: code("I1"),
            programme: code("TTC"),
            workstream: code("W1"),
            title: "Bins".into(),
            scope: String::new(),
            stage: goldthread_domain::programme::Stage::Idea,
            start: None,
            end: None,
            rag: goldthread_domain::programme::InitiativeRag::Green,
            commentary: String::new(),
            business_case: String::new(),
            budget_pence: None,
            sponsor: None,
            lead: None,
            outcomes: vec![],
            services: vec![code("BINS")],
            risks: vec![],
            benefits: vec![],
        };
        app.create_initiative(&bins, &init).await.unwrap();
        let e = app
            .delete_workstream(&boss, "TTC", "W1", Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("1 initiative(s)")),
            "{e:?}"
        );
        app.delete_initiative(&bins, "I1", Some(1)).await.unwrap();
        let e = app
            .delete_workstream(&boss, "TTC", "W1", Some(1))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "stale: {e:?}");
        app.delete_workstream(&boss, "TTC", "W1", Some(2))
            .await
            .unwrap();
        let risks = "code,title,category,cause,event,effect,owner,outcomes,services,programme,review,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,target_likelihood,target_impact,review_date,status\nR1,Partners hold back,partnership,,,,,,,TTC,,3,3,2,2,1,1,,open\n";
        app.import_risks(&boss, RiskTable::Risks, &csv("risks", risks), false, "t")
            .await
            .unwrap();
        let before = audit_count(&t).await;
        let e = app
            .delete_programme(&boss, "TTC", Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("risk(s) R1")),
            "{e:?}"
        );
        assert_eq!(audit_count(&t).await, before, "refusals write nothing");
        let e = app
            .delete_programme(&bins, "TTC", Some(2))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let r = app.risks(&boss).await.unwrap().risks.remove(0);
        app.delete_risk(&boss, "R1", Some(r.version)).await.unwrap();
        app.delete_programme(&boss, "TTC", Some(2)).await.unwrap();
        assert!(
            app.programme_snapshot(&boss)
                .await
                .unwrap()
                .programmes
                .is_empty()
        );

        // Each change audited, by whom, with before and after.
        let f = goldthread_store::audit::AuditFilter {
            entity_type: Some("programme".into()),
            entity: Some("TTC".into()),
            ..Default::default()
        };
        let rows = app.audit(&Caller::cli(tenant.clone()), &f).await.unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["delete", "update", "create"]);
        assert!(rows.iter().all(|r| r.actor == "boss@small.example"));
        assert_eq!(
            rows[0].before.as_ref().unwrap()["title"],
            "Transformation Through Collaboration"
        );
    }
}

#[tokio::test]
async fn action_plans_and_recommendations_one_at_a_time() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let boss = as_role(&tenant, Role::PerformanceOfficer, "boss@small.example");
        let bins = as_role(&tenant, Role::ServiceManager, "bins@small.example");
        let plan = json!({"code": "AUD", "title": "Audit action plan", "source": "External audit 2025",
                          "owner": "boss@small.example", "approved": "2025-03-31", "description": ""});
        let e = app
            .save_action_plan(&bins, None, &input(plan.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let bad = json!({"code": "AUD", "title": "", "source": "x", "owner": "nobody@small.example", "approved": "2025-02-30"});
        assert_eq!(
            fields(
                app.save_action_plan(&boss, None, &input(bad))
                    .await
                    .unwrap_err()
            ),
            ["title", "owner", "approved"]
        );
        assert_eq!(
            fields(
                app.save_action_plan(&boss, None, &input(json!({})))
                    .await
                    .unwrap_err()
            ),
            ["code"],
            "an empty record is a field error, not a blank row skipped"
        );
        let p = app
            .save_action_plan(&boss, None, &input(plan.clone()))
            .await
            .unwrap();
        assert_eq!(p.version, 1);
        let mut plan2 = plan.clone();
        plan2["title"] = json!("Audit plan 2025");
        plan2["version"] = json!(1);
        assert_eq!(
            app.save_action_plan(&boss, Some("AUD"), &input(plan2))
                .await
                .unwrap()
                .version,
            2
        );

        // Recommendations: within a known plan; the same code in two plans is
        // two recommendations.
        let rec = json!({"plan": "AUD", "code": "1", "text": "Fix the bins"});
        assert_eq!(
            fields(
                app.save_recommendation(
                    &boss,
                    None,
                    &input(json!({"plan": "NOPE", "code": "1", "text": "x"}))
                )
                .await
                .unwrap_err()
            ),
            ["plan"]
        );
        app.save_recommendation(&boss, None, &input(rec.clone()))
            .await
            .unwrap();
        let e = app
            .save_recommendation(&boss, None, &input(rec.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Duplicate(_)), "{e:?}");
        let mut rec2 = rec.clone();
        rec2["text"] = json!("Fix the bins, and keep them fixed");
        rec2["version"] = json!(1);
        let r = app
            .save_recommendation(&boss, Some(("AUD", "1")), &input(rec2))
            .await
            .unwrap();
        assert_eq!(
            (r.version, r.value.text.as_str()),
            (2, "Fix the bins, and keep them fixed")
        );

        // Not deleted while something hangs on it.
        app.create_action(
            &bins,
            &ActionInput {
                code: "AUD-1".into(),
                plan: "AUD".into(),
                recommendation: "1".into(),
                title: "New rounds".into(),
                services: vec!["BINS".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let before = audit_count(&t).await;
        let e = app
            .delete_recommendation(&boss, "AUD", "1", Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("1 action(s)")),
            "{e:?}"
        );
        let e = app
            .delete_action_plan(&boss, "AUD", Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::InUse(m) if m.contains("1 recommendation(s)")),
            "{e:?}"
        );
        assert_eq!(audit_count(&t).await, before);
        app.delete_action(&bins, "AUD-1", Some(1)).await.unwrap();
        app.delete_recommendation(&boss, "AUD", "1", Some(2))
            .await
            .unwrap();
        app.delete_action_plan(&boss, "AUD", Some(2)).await.unwrap();
        assert!(app.action_register(&boss).await.unwrap().plans.is_empty());
        assert_eq!(audit_count(&t).await, before + 3);
    }
}
