//! HTTP tests of the API and pages, on every database backend.
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use goldthread_app::input::{
    CellInput, OutcomeInput, PersonInput, PlanInput, PortfolioInput, ServiceInput,
};
use goldthread_app::{App, Caller};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::testing::{TestDb, databases};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct TestApp {
    t: TestDb,
    app: App,
    router: Router,
    tenant: Tenant,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl TestApp {
    async fn new(t: TestDb) -> TestApp {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo Council", "")
            .await
            .unwrap();
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        app.import_framework(
            &Caller::cli(tenant.clone()),
            &Source::Dir(dir),
            false,
            "demo",
        )
        .await
        .unwrap();
        let router = goldthread_web::router(app.clone(), false);
        TestApp {
            t,
            app,
            router,
            tenant,
        }
    }

    fn cli(&self) -> Caller {
        Caller::cli(self.tenant.clone())
    }

    async fn token(&self, email: &str) -> String {
        self.app
            .create_token(email, Some("demo"), "test", None)
            .await
            .unwrap()
            .secret
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    async fn api(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// Signs in through the form and returns the session cookie (`name=value`).
    async fn sign_in(&self, email: &str, password: &str) -> String {
        let body = format!(
            "email={}&password={}&next=%2F",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        );
        let r = self
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            r.body
        );
        let set = r.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        set.split(';').next().unwrap().to_string()
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    async fn audit_rows(&self) -> i64 {
        let mut c = self.t.db.read().await.unwrap();
        goldthread_store::audit::count_all(&mut c).await.unwrap()
    }

    async fn version(&self, path: &str, token: &str) -> i64 {
        self.api(Method::GET, path, token, None).await.json()["version"]
            .as_i64()
            .unwrap_or(0)
    }
}

const ROLES: &[(&str, &str, &[&str])] = &[
    ("admin", "admin@demo.example", &[]),
    ("performance-officer", "performance@demo.example", &[]),
    ("outcome-leader", "director.place@demo.example", &["PE"]),
    ("service-manager", "service.manager@demo.example", &[]),
    ("commissioning-officer", "commissioning@demo.example", &[]),
    ("member", "member@demo.example", &[]),
    ("auditor", "auditor@demo.example", &[]),
    ("hr-officer", "hr@demo.example", &[]),
];

fn multipart(files: &[(&str, &str)]) -> (String, String) {
    let boundary = "gtboundary7MA4YWxk";
    let mut body = String::new();
    for (name, content) in files {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every role against every write endpoint: allowed writes answer 2xx and leave
/// exactly one audit row; refused ones answer 403 and leave none.
#[tokio::test]
async fn permission_matrix_for_every_role_and_write_endpoint() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let cli = ta.cli();
        let mut checked = 0;
        programme_for_tests(&ta).await;
        // A grade for the posts each role changes.
        let grade = |c: &str| -> goldthread_domain::org::Grade {
            serde_json::from_value(json!({"code": c, "title": "Grade", "min_salary_pence": 100, "max_salary_pence": 200})).unwrap()
        };
        ta.app.create_grade(&cli, &grade("GB")).await.unwrap();
        // An action plan with one recommendation, for the action writes.
        for (kind, body) in [
            (
                goldthread_app::actions::ActionsKind::ActionPlans,
                "code,title,source,owner,approved,description\nAP,Audit plan,Audit,,,\n",
            ),
            (
                goldthread_app::actions::ActionsKind::Recommendations,
                "plan,code,text\nAP,1,Do better\n",
            ),
        ] {
            let file = format!("{}.csv", kind.name());
            ta.app
                .import_actions(
                    &cli,
                    kind,
                    &Source::Csv([(file, body.as_bytes().to_vec())].into_iter().collect()),
                    false,
                    "matrix",
                )
                .await
                .unwrap();
        }
        for (i, (role, email, _)) in ROLES.iter().enumerate() {
            let tok = ta.token(email).await;
            // Records for this role to delete.
            let o = OutcomeInput {
                code: format!("D{i}"),
                title: "To delete".into(),
                kind: "local".into(),
                ..Default::default()
            };
            ta.app.create_outcome(&cli, &o).await.unwrap();
            ta.app
                .create_portfolio(
                    &cli,
                    &PortfolioInput {
                        code: format!("DP{i}"),
                        title: "To delete".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let svc = ServiceInput {
                code: format!("DS{i}"),
                title: "To delete".into(),
                portfolio: "PE".into(),
                statutory_basis: "statutory".into(),
                grouping: "support".into(),
                delivery_model: "self-delivery".into(),
                ..Default::default()
            };
            ta.app.create_service(&cli, &svc).await.unwrap();
            ta.app
                .create_plan(
                    &cli,
                    &PlanInput {
                        code: format!("DPL{i}"),
                        title: "To delete".into(),
                        kind: "service-plan".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            ta.app
                .create_person(
                    &cli,
                    &PersonInput {
                        email: format!("gone{i}@demo.example"),
                        name: "Gone".into(),
                        role: "member".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            ta.app
                .put_cell(
                    &cli,
                    "PE-WASTE",
                    "LO3",
                    &CellInput {
                        strength: "some".into(),
                        note: String::new(),
                        version: None,
                    },
                )
                .await
                .ok();

            // Indicators for this role to change and delete, one with a target.
            for code in [format!("IND{i}"), format!("DIND{i}")] {
                ta.app
                    .create_indicator(
                        &cli,
                        &goldthread_app::indicators::IndicatorInput {
                            code,
                            title: "Indicator".into(),
                            tier: "service".into(),
                            unit: "count".into(),
                            polarity: "higher-better".into(),
                            frequency: "financial-year".into(),
                            source: "local".into(),
                            services: vec!["PE-WASTE".into()],
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
            }
            ta.app
                .put_target(
                    &cli,
                    &format!("IND{i}"),
                    "2023/24",
                    &goldthread_app::indicators::TargetInput {
                        target: Some("10".into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();

            // Consultations and responses for this role to change and delete.
            for code in [format!("C{i}"), format!("DC{i}")] {
                ta.app
                    .create_consultation(
                        &cli,
                        &goldthread_app::engagement::ConsultationInput {
                            code,
                            title: "Consultation".into(),
                            opens: "2025-04-01".into(),
                            closes: "2025-05-01".into(),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
            }
            let mut said = Vec::new();
            for you_said in ["Keep", "Drop"] {
                said.push(
                    ta.app
                        .create_response(
                            &cli,
                            &goldthread_app::engagement::ResponseInput {
                                consultation: format!("C{i}"),
                                you_said: you_said.into(),
                                we_did: "Listened".into(),
                                date: "2025-06-01".into(),
                                status: "draft".into(),
                                version: None,
                            },
                        )
                        .await
                        .unwrap()
                        .id,
                );
            }

            // Reviews of PE-WASTE for this role to edit, add options to, and
            // change or remove an option of.
            let option = |c: &str| {
                json!({"code": c, "title": format!("Option {c}"), "delivery_model": "partnership",
                       "years": vec![json!({"one_off_pence": 0, "recurring_pence": 100}); 5], "risk_score": 4})
            };
            for r in ["RE", "RA", "RU", "RD"] {
                let code = format!("{r}{i}");
                ta.app
                    .open_review(
                        &cli,
                        &goldthread_app::reviews::NewReview {
                            code: code.clone(),
                            title: "Waste review".into(),
                            service: "PE-WASTE".into(),
                        },
                        time::macros::date!(2026 - 11 - 23),
                    )
                    .await
                    .unwrap();
                if matches!(r, "RU" | "RD") {
                    let o = serde_json::from_value(option("X")).unwrap();
                    ta.app
                        .save_option(&cli, &code, None, &o, Some(1))
                        .await
                        .unwrap();
                }
            }

            // Risks on PE-WASTE for this role to change and delete.
            let risk = |c: &str| {
                json!({"code": c, "title": "Fleet breakdowns", "category": "operational",
                       "services": ["PE-WASTE"],
                       "inherent": {"likelihood": 4, "impact": 3},
                       "residual": {"likelihood": 3, "impact": 3},
                       "target": {"likelihood": 2, "impact": 3}})
            };
            for c in [format!("RU{i}"), format!("RD{i}")] {
                let r: goldthread_domain::risk::Risk = serde_json::from_value(risk(&c)).unwrap();
                ta.app
                    .create_risk(&cli, &r, time::macros::date!(2026 - 11 - 23))
                    .await
                    .unwrap();
            }

            // Benefits in Place and Economy for this role to change, profile
            // and delete.
            for code in [format!("BPE{i}"), format!("BPR{i}"), format!("BDEL{i}")] {
                ta.app
                    .create_benefit(
                        &cli,
                        &goldthread_app::benefits::BenefitInput {
                            code,
                            title: "Benefit".into(),
                            kind: "cashable".into(),
                            source: "project".into(),
                            portfolio: "PE".into(),
                            status: "planned".into(),
                            confidence: "medium".into(),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
            }

            // Actions on PE-WASTE for this role to change, delete and report on.
            for code in [
                format!("ACT-U{i}"),
                format!("ACT-D{i}"),
                format!("ACT-P{i}"),
            ] {
                ta.app
                    .create_action(
                        &cli,
                        &goldthread_app::actions::ActionInput {
                            code,
                            plan: "AP".into(),
                            recommendation: "1".into(),
                            title: "Waste action".into(),
                            services: vec!["PE-WASTE".into()],
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
            }

            // Initiatives on PE-WASTE for this role to change and delete.
            let initiative = |c: &str| {
                json!({"code": c, "programme": "P", "workstream": "W", "title": "Depot move",
                       "stage": "planned", "rag": "green", "services": ["PE-WASTE"]})
            };
            for c in [format!("IU{i}"), format!("ID{i}")] {
                let v: goldthread_domain::programme::Initiative =
                    serde_json::from_value(initiative(&c)).unwrap();
                ta.app.create_initiative(&cli, &v).await.unwrap();
            }
            // Programmes, workstreams, plans and recommendations for this
            // role to change and delete.
            let record = |v: Value| -> goldthread_app::structure::RecordInput {
                serde_json::from_value(v).unwrap()
            };
            for c in [format!("PU{i}"), format!("PD{i}")] {
                ta.app
                    .save_programme(
                        &cli,
                        None,
                        &record(json!({"code": c, "title": "Frame", "start": "2026-04-01"})),
                    )
                    .await
                    .unwrap();
            }
            for w in ["WU", "WD"] {
                ta.app
                    .save_workstream(
                        &cli,
                        None,
                        &record(json!({"programme": format!("PU{i}"), "code": w, "title": "Wave"})),
                    )
                    .await
                    .unwrap();
            }
            for c in [format!("APU{i}"), format!("APD{i}")] {
                ta.app
                    .save_action_plan(
                        &cli,
                        None,
                        &record(json!({"code": c, "title": "Plan", "source": "Audit"})),
                    )
                    .await
                    .unwrap();
            }
            for c in [format!("RU{i}"), format!("RD{i}")] {
                ta.app
                    .save_recommendation(
                        &cli,
                        None,
                        &record(json!({"plan": "AP", "code": c, "text": "Do it"})),
                    )
                    .await
                    .unwrap();
            }

            // Grades and posts (future state) for this role to change and delete.
            for c in [format!("GU{i}"), format!("GD{i}")] {
                ta.app.create_grade(&cli, &grade(&c)).await.unwrap();
            }
            let post = |c: &str| {
                json!({"state": "future", "code": c, "title": "Post", "tier": 2, "grade": "GB",
                       "fte": "1", "holder_status": "permanent"})
            };
            for c in [format!("PU{i}"), format!("PD{i}")] {
                let p: goldthread_domain::org::Post = serde_json::from_value(post(&c)).unwrap();
                ta.app.create_post(&cli, &p).await.unwrap();
            }
            let transition_version = ta
                .app
                .structure_states(&cli)
                .await
                .unwrap()
                .into_iter()
                .find(|s| s.details.state == goldthread_domain::org::StateKind::Transition)
                .and_then(|s| s.version);

            let full = matches!(*role, "admin" | "performance-officer");
            let leader = *role == "outcome-leader";
            let org = full || *role == "hr-officer";

            let manager = *role == "service-manager";
            let reviewer = full || leader || manager || *role == "commissioning-officer";
            let lo1 = ta.version("/api/v1/outcomes/LO1", &tok).await;
            let pe = ta.version("/api/v1/portfolios/PE", &tok).await;
            let waste = ta
                .api(Method::GET, "/api/v1/services/PE-WASTE", &tok, None)
                .await
                .json();
            let cell_version = ta
                .api(Method::GET, "/api/v1/matrix", &tok, None)
                .await
                .json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["service"] == "PE-WASTE" && c["outcome"] == "LO2")
                .map(|c| c["version"].as_i64().unwrap());
            let lo3_cell = ta
                .api(Method::GET, "/api/v1/matrix", &tok, None)
                .await
                .json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["service"] == "PE-WASTE" && c["outcome"] == "LO3")
                .map(|c| c["version"].as_i64().unwrap())
                .unwrap();
            let plan_version = ta.version("/api/v1/plans/LOIP", &tok).await;
            let member_version = ta.version("/api/v1/people/member@demo.example", &tok).await;
            let raci = ta
                .api(Method::GET, "/api/v1/outcomes/LO1/raci", &tok, None)
                .await
                .json()["items"]
                .clone();
            let raci_items: Vec<Value> = raci
                .as_array()
                .unwrap()
                .iter()
                .map(|r| json!({"person": r["person"], "raci": r["raci"]}))
                .collect();
            let mut waste_put = waste.clone();
            waste_put["title"] = json!(format!("Waste services ({role})"));
            let (ct, mp) = multipart(&[(
                "outcomes.csv",
                "code,title,kind,links,description\nNEWX,New,local,,\n",
            )]);

            let cases: Vec<(&str, Method, String, Option<Value>, bool)> = vec![
                (
                    "create outcome",
                    Method::POST,
                    "/api/v1/outcomes".into(),
                    Some(
                        json!({"code": format!("X{i}"), "title": "New", "kind": "local", "links": ["NPF-ECO"]}),
                    ),
                    full,
                ),
                (
                    "update outcome",
                    Method::PUT,
                    "/api/v1/outcomes/LO1".into(),
                    Some(
                        json!({"code": "LO1", "title": format!("Updated by {role}"), "kind": "local", "links": ["NPF-ECO"], "version": lo1}),
                    ),
                    full || leader,
                ),
                (
                    "delete outcome",
                    Method::DELETE,
                    format!("/api/v1/outcomes/D{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "replace RACI",
                    Method::PUT,
                    "/api/v1/outcomes/LO1/raci".into(),
                    Some(json!({"items": raci_items})),
                    full || leader,
                ),
                (
                    "create portfolio",
                    Method::POST,
                    "/api/v1/portfolios".into(),
                    Some(json!({"code": format!("P{i}"), "title": "New"})),
                    full,
                ),
                (
                    "update portfolio",
                    Method::PUT,
                    "/api/v1/portfolios/PE".into(),
                    Some(
                        json!({"code": "PE", "title": format!("Place and Economy ({role})"), "outcome_leader": "director.place@demo.example", "outcomes": ["LO1", "LO4"], "version": pe}),
                    ),
                    full || leader,
                ),
                (
                    "delete portfolio",
                    Method::DELETE,
                    format!("/api/v1/portfolios/DP{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "create service",
                    Method::POST,
                    "/api/v1/services".into(),
                    Some(
                        json!({"code": format!("S{i}"), "title": "New", "portfolio": "PE", "statutory_basis": "statutory", "grouping": "support", "delivery_model": "self-delivery", "gross_cost_pence": 100, "income_pence": 0, "net_budget_pence": 100}),
                    ),
                    full || leader,
                ),
                (
                    "update service",
                    Method::PUT,
                    "/api/v1/services/PE-WASTE".into(),
                    Some(waste_put),
                    full || leader || manager,
                ),
                (
                    "delete service",
                    Method::DELETE,
                    format!("/api/v1/services/DS{i}?version=1"),
                    None,
                    full || leader,
                ),
                (
                    "put matrix cell",
                    Method::PUT,
                    "/api/v1/matrix/PE-WASTE/LO2".into(),
                    Some(json!({"strength": "some", "note": role, "version": cell_version})),
                    full || leader || manager,
                ),
                (
                    "delete matrix cell",
                    Method::DELETE,
                    format!("/api/v1/matrix/PE-WASTE/LO3?version={lo3_cell}"),
                    None,
                    full || leader || manager,
                ),
                (
                    "create plan",
                    Method::POST,
                    "/api/v1/plans".into(),
                    Some(
                        json!({"code": format!("PL{i}"), "title": "New", "kind": "service-plan", "owner": "admin@demo.example"}),
                    ),
                    full,
                ),
                (
                    "update plan",
                    Method::PUT,
                    "/api/v1/plans/LOIP".into(),
                    Some(
                        json!({"code": "LOIP", "title": format!("LOIP ({role})"), "kind": "delivery-plan", "version": plan_version}),
                    ),
                    full,
                ),
                (
                    "delete plan",
                    Method::DELETE,
                    format!("/api/v1/plans/DPL{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "create person",
                    Method::POST,
                    "/api/v1/people".into(),
                    Some(
                        json!({"email": format!("new{i}@demo.example"), "name": "New", "role": "member"}),
                    ),
                    full,
                ),
                (
                    "update person",
                    Method::PUT,
                    "/api/v1/people/member@demo.example".into(),
                    Some(
                        json!({"email": "member@demo.example", "name": format!("Member ({role})"), "role": "member", "version": member_version}),
                    ),
                    full,
                ),
                (
                    "delete person",
                    Method::DELETE,
                    format!("/api/v1/people/gone{i}@demo.example?version=1"),
                    None,
                    full,
                ),
                (
                    "create indicator",
                    Method::POST,
                    "/api/v1/indicators".into(),
                    Some(
                        json!({"code": format!("NEWIND{i}"), "title": "New", "tier": "enabler", "unit": "count", "polarity": "data-only", "frequency": "financial-year", "source": "local"}),
                    ),
                    full,
                ),
                (
                    "update indicator",
                    Method::PUT,
                    format!("/api/v1/indicators/IND{i}"),
                    Some(
                        json!({"code": format!("IND{i}"), "title": format!("Indicator ({role})"), "tier": "service", "unit": "count", "polarity": "higher-better", "frequency": "financial-year", "source": "local", "services": ["PE-WASTE"], "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete indicator",
                    Method::DELETE,
                    format!("/api/v1/indicators/DIND{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "put target",
                    Method::PUT,
                    format!("/api/v1/indicators/IND{i}/targets?period=2024%2F25"),
                    Some(json!({"target": "12"})),
                    full,
                ),
                (
                    "delete target",
                    Method::DELETE,
                    format!("/api/v1/indicators/IND{i}/targets?period=2023%2F24&version=1"),
                    None,
                    full,
                ),
                (
                    "bulk targets",
                    Method::POST,
                    "/api/v1/targets".into(),
                    Some(
                        json!({"items": [{"indicator": format!("IND{i}"), "period": "2025/26", "target": "14"}]}),
                    ),
                    full,
                ),
                (
                    "bulk measurements",
                    Method::POST,
                    "/api/v1/measurements".into(),
                    Some(
                        json!({"items": [{"indicator": format!("IND{i}"), "period": "2024/25", "value": "11"}]}),
                    ),
                    full,
                ),
                (
                    "create consultation",
                    Method::POST,
                    "/api/v1/consultations".into(),
                    Some(
                        json!({"code": format!("NEWC{i}"), "title": "New", "opens": "2025-01-01", "closes": "2025-02-01", "outcomes": ["LO1"]}),
                    ),
                    full,
                ),
                (
                    "update consultation",
                    Method::PUT,
                    format!("/api/v1/consultations/C{i}"),
                    Some(
                        json!({"code": format!("C{i}"), "title": format!("Consultation ({role})"), "opens": "2025-04-01", "closes": "2025-05-01", "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete consultation",
                    Method::DELETE,
                    format!("/api/v1/consultations/DC{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "create response",
                    Method::POST,
                    "/api/v1/responses".into(),
                    Some(
                        json!({"consultation": format!("C{i}"), "you_said": "More", "we_did": "Did more", "date": "2025-06-02", "status": "published"}),
                    ),
                    full,
                ),
                (
                    "update response",
                    Method::PUT,
                    format!("/api/v1/responses/{}", said[0]),
                    Some(
                        json!({"consultation": format!("C{i}"), "you_said": "Keep", "we_did": format!("Kept ({role})"), "date": "2025-06-01", "status": "published", "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete response",
                    Method::DELETE,
                    format!("/api/v1/responses/{}?version=1", said[1]),
                    None,
                    full,
                ),
                (
                    "open review",
                    Method::POST,
                    "/api/v1/reviews".into(),
                    Some(
                        json!({"code": format!("NEWR{i}"), "title": "Review", "service": "PE-WASTE"}),
                    ),
                    reviewer,
                ),
                (
                    "edit review",
                    Method::PATCH,
                    format!("/api/v1/reviews/RE{i}"),
                    Some(json!({"title": format!("Waste review ({role})"), "version": 1})),
                    reviewer,
                ),
                (
                    "add option",
                    Method::POST,
                    format!("/api/v1/reviews/RA{i}/options?version=1"),
                    Some(option("QUO")),
                    reviewer,
                ),
                (
                    "update option",
                    Method::PUT,
                    format!("/api/v1/reviews/RU{i}/options/X?version=2"),
                    Some(option("Y")),
                    reviewer,
                ),
                (
                    "delete option",
                    Method::DELETE,
                    format!("/api/v1/reviews/RD{i}/options/X?version=2"),
                    None,
                    reviewer,
                ),
                (
                    "create risk",
                    Method::POST,
                    "/api/v1/risks".into(),
                    Some(risk(&format!("NEWRISK{i}"))),
                    full || leader || manager,
                ),
                (
                    "update risk",
                    Method::PUT,
                    format!("/api/v1/risks/RU{i}"),
                    Some({
                        let mut r = risk(&format!("RU{i}"));
                        r["title"] = json!(format!("Fleet ({role})"));
                        r["version"] = json!(1);
                        r
                    }),
                    full || leader || manager,
                ),
                (
                    "delete risk",
                    Method::DELETE,
                    format!("/api/v1/risks/RD{i}?version=1"),
                    None,
                    full || leader || manager,
                ),
                (
                    "save self-assessment",
                    Method::PUT,
                    "/api/v1/self-assessment/2025-26".into(),
                    Some(
                        json!({"scores": [{"year": "2025/26", "theme": "VISION", "score": 3, "evidence": role}]}),
                    ),
                    full,
                ),
                (
                    "set risk appetite",
                    Method::PUT,
                    "/api/v1/risk-appetite".into(),
                    Some(json!({"appetite": {"financial": 8}})),
                    full,
                ),
                (
                    "create initiative",
                    Method::POST,
                    "/api/v1/initiatives".into(),
                    Some(initiative(&format!("NEWI{i}"))),
                    full || leader || manager,
                ),
                (
                    "update initiative",
                    Method::PUT,
                    format!("/api/v1/initiatives/IU{i}"),
                    Some({
                        let mut v = initiative(&format!("IU{i}"));
                        v["title"] = json!(format!("Depot move ({role})"));
                        v["version"] = json!(1);
                        v
                    }),
                    full || leader || manager,
                ),
                (
                    "delete initiative",
                    Method::DELETE,
                    format!("/api/v1/initiatives/ID{i}?version=1"),
                    None,
                    full || leader || manager,
                ),
                (
                    "set review cycle",
                    Method::PUT,
                    "/api/v1/settings/review-cycle".into(),
                    Some(json!({"review_cycle_years": 4})),
                    full,
                ),
                // A benefit is linked to its portfolio's services: the centre,
                // the portfolio's Outcome Leader and its services' managers.
                (
                    "create benefit",
                    Method::POST,
                    "/api/v1/benefits".into(),
                    Some(
                        json!({"code": format!("NEWB{i}"), "title": "New", "kind": "cashable", "source": "project", "portfolio": "PE", "status": "planned", "confidence": "low"}),
                    ),
                    full || leader || manager,
                ),
                (
                    "update benefit",
                    Method::PUT,
                    format!("/api/v1/benefits/BPE{i}"),
                    Some(
                        json!({"code": format!("BPE{i}"), "title": format!("Benefit ({role})"), "kind": "cashable", "source": "project", "portfolio": "PE", "status": "on-track", "confidence": "medium", "version": 1}),
                    ),
                    full || leader || manager,
                ),
                (
                    "set benefit profile",
                    Method::PUT,
                    format!("/api/v1/benefits/BPR{i}/profile"),
                    Some(
                        json!({"items": [{"year": "2026/27", "planned_pence": 100_000}], "version": 1}),
                    ),
                    full || leader || manager,
                ),
                (
                    "delete benefit",
                    Method::DELETE,
                    format!("/api/v1/benefits/BDEL{i}?version=1"),
                    None,
                    full || leader || manager,
                ),
                // Actions: by what they link to (PE-WASTE), as they were and will be.
                (
                    "create action",
                    Method::POST,
                    "/api/v1/actions".into(),
                    Some(
                        json!({"code": format!("NEWA{i}"), "plan": "AP", "recommendation": "1", "title": "New", "status": "in-progress", "percent_complete": 10, "services": ["PE-WASTE"]}),
                    ),
                    full || leader || manager,
                ),
                (
                    "create unlinked action",
                    Method::POST,
                    "/api/v1/actions".into(),
                    Some(
                        json!({"code": format!("NEWU{i}"), "plan": "AP", "recommendation": "1", "title": "Linked to nothing"}),
                    ),
                    full,
                ),
                (
                    "update action",
                    Method::PUT,
                    format!("/api/v1/actions/ACT-U{i}"),
                    Some(
                        json!({"code": format!("ACT-U{i}"), "plan": "AP", "recommendation": "1", "title": format!("Waste action ({role})"), "services": ["PE-WASTE"], "version": 1}),
                    ),
                    full || leader || manager,
                ),
                (
                    "delete action",
                    Method::DELETE,
                    format!("/api/v1/actions/ACT-D{i}?version=1"),
                    None,
                    full || leader || manager,
                ),
                (
                    "add progress note",
                    Method::POST,
                    format!("/api/v1/actions/ACT-P{i}/progress"),
                    Some(json!({"text": format!("Progress ({role})")})),
                    full || leader || manager,
                ),
                // The frames the registers hang on: the centre only.
                (
                    "create programme",
                    Method::POST,
                    "/api/v1/programmes".into(),
                    Some(
                        json!({"code": format!("NEWP{i}"), "title": "New", "start": "2026-04-01"}),
                    ),
                    full,
                ),
                (
                    "update programme",
                    Method::PUT,
                    format!("/api/v1/programmes/PU{i}"),
                    Some(
                        json!({"code": format!("PU{i}"), "title": format!("Frame ({role})"), "start": "2026-04-01", "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete programme",
                    Method::DELETE,
                    format!("/api/v1/programmes/PD{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "create workstream",
                    Method::POST,
                    format!("/api/v1/programmes/PU{i}/workstreams"),
                    Some(json!({"code": "WNEW", "title": "New"})),
                    full,
                ),
                (
                    "update workstream",
                    Method::PUT,
                    format!("/api/v1/programmes/PU{i}/workstreams/WU"),
                    Some(json!({"code": "WU", "title": format!("Wave ({role})"), "version": 1})),
                    full,
                ),
                (
                    "delete workstream",
                    Method::DELETE,
                    format!("/api/v1/programmes/PU{i}/workstreams/WD?version=1"),
                    None,
                    full,
                ),
                (
                    "create action plan",
                    Method::POST,
                    "/api/v1/action-plans".into(),
                    Some(json!({"code": format!("NEWAP{i}"), "title": "New", "source": "Audit"})),
                    full,
                ),
                (
                    "update action plan",
                    Method::PUT,
                    format!("/api/v1/action-plans/APU{i}"),
                    Some(
                        json!({"code": format!("APU{i}"), "title": format!("Plan ({role})"), "source": "Audit", "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete action plan",
                    Method::DELETE,
                    format!("/api/v1/action-plans/APD{i}?version=1"),
                    None,
                    full,
                ),
                (
                    "create recommendation",
                    Method::POST,
                    "/api/v1/action-plans/AP/recommendations".into(),
                    Some(json!({"code": format!("NEWR{i}"), "text": "New"})),
                    full,
                ),
                (
                    "update recommendation",
                    Method::PUT,
                    format!("/api/v1/action-plans/AP/recommendations/RU{i}"),
                    Some(
                        json!({"code": format!("RU{i}"), "text": format!("Do it ({role})"), "version": 1}),
                    ),
                    full,
                ),
                (
                    "delete recommendation",
                    Method::DELETE,
                    format!("/api/v1/action-plans/AP/recommendations/RD{i}?version=1"),
                    None,
                    full,
                ),
                // Organisation design: admins, performance and HR officers.
                (
                    "create grade",
                    Method::POST,
                    "/api/v1/grades".into(),
                    Some(
                        json!({"code": format!("NG{i}"), "title": "New", "min_salary_pence": 100, "max_salary_pence": 200}),
                    ),
                    org,
                ),
                (
                    "update grade",
                    Method::PUT,
                    format!("/api/v1/grades/GU{i}"),
                    Some(
                        json!({"code": format!("GU{i}"), "title": format!("Grade ({role})"), "min_salary_pence": 100, "max_salary_pence": 300, "version": 1}),
                    ),
                    org,
                ),
                (
                    "delete grade",
                    Method::DELETE,
                    format!("/api/v1/grades/GD{i}?version=1"),
                    None,
                    org,
                ),
                (
                    "create post",
                    Method::POST,
                    "/api/v1/posts".into(),
                    Some(post(&format!("NP{i}"))),
                    org,
                ),
                (
                    "update post",
                    Method::PUT,
                    format!("/api/v1/posts/PU{i}?state=future"),
                    Some({
                        let mut p = post(&format!("PU{i}"));
                        p["title"] = json!(format!("Post ({role})"));
                        p["version"] = json!(1);
                        p
                    }),
                    org,
                ),
                (
                    "delete post",
                    Method::DELETE,
                    format!("/api/v1/posts/PD{i}?state=future&version=1"),
                    None,
                    org,
                ),
                (
                    "write structure state",
                    Method::PUT,
                    "/api/v1/structure-states/transition".into(),
                    Some(
                        json!({"description": format!("By {role}"), "effective": "2027-04-01", "version": transition_version}),
                    ),
                    org,
                ),
            ];
            for (what, method, path, body, allowed) in cases {
                let before = ta.audit_rows().await;
                let r = ta.api(method, &path, &tok, body).await;
                let after = ta.audit_rows().await;
                if allowed {
                    assert!(
                        r.status.is_success(),
                        "{role} {what}: expected success, got {} {} on {:?}",
                        r.status,
                        r.body,
                        ta.t.backend()
                    );
                    assert_eq!(
                        after,
                        before + 1,
                        "{role} {what}: one audit row on {:?}",
                        ta.t.backend()
                    );
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{role} {what}: {} on {:?}",
                        r.body,
                        ta.t.backend()
                    );
                    assert_eq!(r.json()["error"]["code"], "forbidden");
                    assert_eq!(
                        after, before,
                        "{role} {what}: refused write left an audit row"
                    );
                }
                checked += 1;
            }
            // Import (dry run): admins and performance officers only; a dry run writes nothing.
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import/framework?dry_run=true")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(mp))
                .unwrap();
            let before = ta.audit_rows().await;
            let r = ta.send(req).await;
            if full {
                assert_eq!(r.status, StatusCode::OK, "{role} import: {}", r.body);
                assert_eq!(r.json()["tables"]["outcomes"], json!([1, 0, 0]));
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} import: {}", r.body);
            }
            assert_eq!(before, ta.audit_rows().await);
            // Contracts import (the register, replaced whole): admins, performance
            // officers and commissioning officers. Each allowed role changes the
            // one contract: one audit row.
            let body = format!(
                "code,service,partner,title,start,end,value,description\nCON-MATRIX,PE-WASTE,Recycling Co,Reprocessing ({role}),2025-04-01,2028-03-31,1000,\n"
            );
            let (ct, mp) = multipart(&[("contracts.csv", &body)]);
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import/contracts")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(mp))
                .unwrap();
            let before = ta.audit_rows().await;
            let r = ta.send(req).await;
            if full || *role == "commissioning-officer" {
                assert_eq!(r.status, StatusCode::OK, "{role} contracts: {}", r.body);
                assert_eq!(ta.audit_rows().await, before + 1, "{role} contracts");
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{role} contracts: {}",
                    r.body
                );
                assert_eq!(r.json()["error"]["code"], "forbidden");
                assert_eq!(ta.audit_rows().await, before, "{role} contracts");
            }
            // The budget gap (the whole plan, replaced): admins and
            // performance officers. Each allowed role changes the one year.
            let body = format!("year,gap,note\n2026/27,7200000,Illustrative ({role})\n");
            let (ct, mp) = multipart(&[("budget-gap.csv", &body)]);
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import/budget-gap")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(mp))
                .unwrap();
            let before = ta.audit_rows().await;
            let r = ta.send(req).await;
            if full {
                assert_eq!(r.status, StatusCode::OK, "{role} budget gap: {}", r.body);
                assert_eq!(ta.audit_rows().await, before + 1, "{role} budget gap");
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{role} budget gap: {}",
                    r.body
                );
                assert_eq!(ta.audit_rows().await, before, "{role} budget gap");
            }
            // Action plans import: admins and performance officers; each
            // allowed role changes the plan's title: one audit row.
            let body = format!(
                "code,title,source,owner,approved,description\nAP,Audit plan ({role}),Audit,,,\n"
            );
            let (ct, mp) = multipart(&[("action-plans.csv", &body)]);
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import/action-plans")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(mp))
                .unwrap();
            let before = ta.audit_rows().await;
            let r = ta.send(req).await;
            if full {
                assert_eq!(r.status, StatusCode::OK, "{role} action plans: {}", r.body);
                assert_eq!(ta.audit_rows().await, before + 1, "{role} action plans");
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{role} action plans: {}",
                    r.body
                );
                assert_eq!(ta.audit_rows().await, before, "{role} action plans");
            }
            // Audit trail: admins and auditors only.
            let r = ta
                .api(Method::GET, "/api/v1/audit?entity_type=outcome", &tok, None)
                .await;
            let reads = matches!(*role, "admin" | "auditor");
            assert_eq!(
                r.status,
                if reads {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{role} audit"
            );
            checked += 5;
        }
        assert_eq!(checked, ROLES.len() * 78);
    }
}

#[tokio::test]
async fn another_tenants_records_answer_404_never_their_data() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let other = ta
            .app
            .add_tenant(
                &goldthread_app::ActorRef::cli(),
                "other",
                "Other Council",
                "",
            )
            .await
            .unwrap();
        let p = PersonInput {
            email: "boss@other.example".into(),
            name: "Boss".into(),
            role: "admin".into(),
            ..Default::default()
        };
        ta.app.add_user(&other, &p, None).await.unwrap();
        let tok = ta
            .app
            .create_token("boss@other.example", None, "t", None)
            .await
            .unwrap()
            .secret;
        for path in [
            "/api/v1/outcomes/LO1",
            "/api/v1/services/PE-WASTE",
            "/api/v1/portfolios/PE",
            "/api/v1/plans/LOIP",
            "/api/v1/people/admin@demo.example",
            "/api/v1/thread/outcomes/LO1",
            "/api/v1/outcomes/LO1/raci",
        ] {
            let r = ta.api(Method::GET, path, &tok, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
            assert!(!r.body.contains("Clackmannanshire"), "{path} leaked data");
        }
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/outcomes/LO1",
                &tok,
                Some(json!({"code": "LO1", "title": "x", "kind": "local", "version": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/services/PE-WASTE?version=1",
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = ta.api(Method::GET, "/api/v1/services", &tok, None).await;
        assert_eq!(r.json()["items"], json!([]));
        let r = ta.api(Method::GET, "/api/v1/one-fund", &tok, None).await;
        assert_eq!(r.json()["net_budget_total_pence"], 0);
    }
}

#[tokio::test]
async fn stale_versions_conflict_and_bad_input_is_refused_with_details() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let tok = ta.token("admin@demo.example").await;
        let before = ta
            .api(Method::GET, "/api/v1/outcomes/LO1", &tok, None)
            .await
            .body;
        let audits = ta.audit_rows().await;
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/outcomes/LO1",
                &tok,
                Some(json!({"code": "LO1", "title": "Stale", "kind": "local", "version": 99})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "conflict");
        assert_eq!(
            before,
            ta.api(Method::GET, "/api/v1/outcomes/LO1", &tok, None)
                .await
                .body
        );
        assert_eq!(audits, ta.audit_rows().await);

        let r = ta
            .api(
                Method::POST,
                "/api/v1/outcomes",
                &tok,
                Some(json!({"code": "B A D", "title": "", "kind": "galactic", "links": ["NOPE"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, vec!["code", "title", "kind", "links"], "{}", r.body);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/outcomes",
                &tok,
                Some(json!({"code": "LO1", "title": "Again", "kind": "local"})),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].clone()),
            (StatusCode::CONFLICT, json!("duplicate"))
        );
        let r = ta
            .api(Method::DELETE, "/api/v1/outcomes/LO1?version=1", &tok, None)
            .await;
        assert_eq!(r.json()["error"]["code"], "in_use", "{}", r.body);
        let r = ta.api(Method::PUT, "/api/v1/outcomes/LO1/raci", &tok, Some(json!({"items": [{"person": "admin@demo.example", "raci": "A"}, {"person": "member@demo.example", "raci": "A"}]}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("already has an Accountable"));
        let r = ta.api(Method::POST, "/api/v1/services", &tok, Some(json!({"code": "N1", "title": "N", "portfolio": "PE", "statutory_basis": "statutory", "grouping": "support", "delivery_model": "self-delivery", "gross_cost_pence": -5, "income_pence": 0, "net_budget_pence": 0}))).await;
        assert_eq!(
            r.json()["error"]["details"][0]["field"],
            "gross_cost_pence",
            "{}",
            r.body
        );
        let r = ta
            .api(
                Method::POST,
                "/api/v1/outcomes",
                &tok,
                Some(json!({"nonsense": true})),
            )
            .await;
        assert_eq!(r.json()["error"]["code"], "bad_request");
        let r = ta
            .api(Method::GET, "/api/v1/outcomes", "not-a-token", None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(audits, ta.audit_rows().await);
    }
}

fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn forms_need_the_sessions_csrf_token_and_same_origin() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let p = PersonInput {
            email: "admin@demo.example".into(),
            name: "Alex Admin".into(),
            role: "admin".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&ta.tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        let login = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "email=admin%40demo.example&password=correct+horse+battery&next=%2Fthread",
            ))
            .unwrap();
        let r = ta.send(login).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers[header::LOCATION], "/thread");
        let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let page = ta
            .send(
                Request::get("/outcomes/new")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let csrf = csrf_of(&page.body);
        let audits = ta.audit_rows().await;
        let post = |body: String, site: &str| {
            Request::post("/outcomes")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", site)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let form = "code=LO7&title=Seventh&kind=local&links=NPF-ECO&links=NPF-POV";
        let r = ta.send(post(form.to_string(), "same-origin")).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a form without its CSRF token must be refused"
        );
        let r = ta
            .send(post(format!("{form}&csrf=wrong"), "same-origin"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = ta
            .send(post(format!("{form}&csrf={csrf}"), "cross-site"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "cross-site posts are refused even with a token"
        );
        assert_eq!(audits, ta.audit_rows().await);
        let r = ta
            .send(post(format!("{form}&csrf={csrf}"), "same-origin"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let o = ta.app.outcome_thread(&ta.cli(), "LO7").await.unwrap();
        assert_eq!(o.above.len(), 2, "both checkboxes were kept");
        // A form with errors is shown again with the message beside the field.
        let r = ta
            .send(post(
                format!("code=LO8&title=&kind=local&csrf={csrf}"),
                "same-origin",
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-title-error\""), "{}", r.body);
        assert!(r.body.contains("There is a problem"));
        // Signing out ends the session.
        let r = ta
            .send(
                Request::post("/logout")
                    .header(header::COOKIE, &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}")))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = ta
            .send(
                Request::get("/")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn every_staff_page_renders_for_a_read_only_member() {
    let ta = TestApp::new(TestDb::sqlite().await).await;
    let p = PersonInput {
        email: "member@demo.example".into(),
        name: "M".into(),
        role: "member".into(),
        ..Default::default()
    };
    ta.app
        .add_user(&ta.tenant, &p, Some("correct horse battery"))
        .await
        .unwrap();
    let sid = ta
        .app
        .login("member@demo.example", "correct horse battery", "t")
        .await
        .unwrap();
    let cookie = format!("gt_session={sid}");
    for path in [
        "/",
        "/thread",
        "/outcomes",
        "/outcomes/LO1",
        "/outcomes/NPF-ECO",
        "/portfolios",
        "/portfolios/WB",
        "/services",
        "/services/PE-WASTE",
        "/plans",
        "/plans/LOIP",
        "/people",
        "/people/member@demo.example",
        "/matrix",
        "/one-fund",
        "/gaps",
        "/actions",
        "/exceptions",
        "/import",
        "/export/services.csv",
        "/export/actions.csv",
        "/export/framework.xlsx",
    ] {
        let r = ta
            .send(
                Request::get(path)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !r.body.contains("Edit this"),
            "{path} offers a member an edit"
        );
    }
    for path in [
        "/outcomes/LO1/edit",
        "/outcomes/LO1/raci",
        "/matrix/PE-WASTE/LO1",
        "/actions/new",
        "/audit",
    ] {
        let r = ta
            .send(
                Request::get(path)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = ta
        .send(
            Request::get("/nope/nope")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let ta = TestApp::new(TestDb::sqlite().await).await;
    let r = ta
        .send(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    paths.sort();
    let expected = [
        "/api/v1/action-plans",
        "/api/v1/action-plans/{code}",
        "/api/v1/action-plans/{code}/recommendations",
        "/api/v1/action-plans/{code}/recommendations/{recommendation}",
        "/api/v1/actions",
        "/api/v1/actions/{code}",
        "/api/v1/actions/{code}/progress",
        "/api/v1/audit",
        "/api/v1/benefits",
        "/api/v1/benefits/{code}",
        "/api/v1/benefits/{code}/profile",
        "/api/v1/commissioning",
        "/api/v1/committees",
        "/api/v1/consultations",
        "/api/v1/consultations/{code}",
        "/api/v1/exceptions",
        "/api/v1/export/framework",
        "/api/v1/feeds/{file}",
        "/api/v1/finance/gap",
        "/api/v1/gaps",
        "/api/v1/grades",
        "/api/v1/grades/{code}",
        "/api/v1/import/framework",
        "/api/v1/import/{kind}",
        "/api/v1/indicators",
        "/api/v1/indicators/{code}",
        "/api/v1/indicators/{code}/assure",
        "/api/v1/indicators/{code}/measurements",
        "/api/v1/indicators/{code}/targets",
        "/api/v1/initiatives",
        "/api/v1/initiatives/{code}",
        "/api/v1/matrix",
        "/api/v1/matrix/{service}/{outcome}",
        "/api/v1/me",
        "/api/v1/measurements",
        "/api/v1/mixed-economy",
        "/api/v1/one-fund",
        "/api/v1/outcomes",
        "/api/v1/outcomes/{code}",
        "/api/v1/outcomes/{code}/raci",
        "/api/v1/outcomes/{code}/status",
        "/api/v1/people",
        "/api/v1/people/{email}",
        "/api/v1/plans",
        "/api/v1/plans/{code}",
        "/api/v1/portfolios",
        "/api/v1/portfolios/{code}",
        "/api/v1/posts",
        "/api/v1/posts/{code}",
        "/api/v1/programmes",
        "/api/v1/programmes/{code}",
        "/api/v1/programmes/{code}/workstreams",
        "/api/v1/programmes/{code}/workstreams/{workstream}",
        "/api/v1/publish",
        "/api/v1/responses",
        "/api/v1/responses/{id}",
        "/api/v1/review-schedule",
        "/api/v1/reviews",
        "/api/v1/reviews/{code}",
        "/api/v1/reviews/{code}/advance",
        "/api/v1/reviews/{code}/appraisal",
        "/api/v1/reviews/{code}/approve",
        "/api/v1/reviews/{code}/implement",
        "/api/v1/reviews/{code}/options",
        "/api/v1/reviews/{code}/options/{option}",
        "/api/v1/reviews/{code}/reject",
        "/api/v1/reviews/{code}/send-back",
        "/api/v1/risk-appetite",
        "/api/v1/risks",
        "/api/v1/risks/heat-map",
        "/api/v1/risks/{code}",
        "/api/v1/savings",
        "/api/v1/self-assessment",
        "/api/v1/self-assessment/{year}",
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/settings",
        "/api/v1/settings/review-cycle",
        "/api/v1/status",
        "/api/v1/structure-states",
        "/api/v1/structure-states/compare",
        "/api/v1/structure-states/{state}",
        "/api/v1/structure-states/{state}/summary",
        "/api/v1/targets",
        "/api/v1/thread/outcomes/{code}",
        "/api/v1/thread/services/{code}",
    ];
    assert_eq!(paths, expected);
    let note = &doc["components"]["schemas"]["ProgressNote"]["properties"];
    assert!(note["date"].is_object() && note["on"].is_null(), "{note}");
    let line = doc["components"]["schemas"]["ActionLine"].to_string();
    assert!(
        line.contains("#/components/schemas/Action\"") && line.contains("days_overdue"),
        "{line}"
    );
    let action = &doc["components"]["schemas"]["Action"]["properties"];
    assert!(
        action["percent_complete"].is_object() && action["lead"].is_object(),
        "{action}"
    );
    let service = &doc["components"]["schemas"]["Service"]["properties"];
    assert!(
        service["net_budget_pence"].is_object() && service["fte"].is_object(),
        "{service}"
    );
    let r = ta
        .send(Request::get("/api/docs/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn thread_one_fund_and_gaps_over_the_api() {
    let ta = TestApp::new(TestDb::sqlite().await).await;
    let tok = ta.token("member@demo.example").await;
    let t = ta
        .api(Method::GET, "/api/v1/thread/outcomes/LO1", &tok, None)
        .await
        .json();
    assert!(
        t["above"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["kind"] == "national")
    );
    assert!(!t["services"].as_array().unwrap().is_empty());
    let s = ta
        .api(Method::GET, "/api/v1/thread/services/PE-WASTE", &tok, None)
        .await
        .json();
    assert!(
        s["outcomes"][0]["above"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["kind"] == "national")
    );
    let f = ta
        .api(Method::GET, "/api/v1/one-fund", &tok, None)
        .await
        .json();
    let attributed = f["attributed_total_pence"].as_i64().unwrap();
    let unattributed = f["unattributed_total_pence"].as_i64().unwrap();
    let services = ta
        .api(Method::GET, "/api/v1/services", &tok, None)
        .await
        .json();
    let total: i64 = services["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["net_budget_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(attributed + unattributed, total);
    let g = ta.api(Method::GET, "/api/v1/gaps", &tok, None).await.json();
    assert_eq!(g["services_contributing_to_nothing"], json!(["PE-FLEET"]));
    let m = ta
        .api(Method::GET, "/api/v1/matrix", &tok, None)
        .await
        .json();
    let first = &m["items"][0];
    assert!(first["weight"].is_number() && first["strength"].is_string());
}

#[tokio::test]
async fn a_national_operator_manages_councils_but_reads_none_of_their_data() {
    let ta = TestApp::new(TestDb::sqlite().await).await;
    ta.app
        .add_operator(
            &goldthread_app::ActorRef::cli(),
            "op@national.example",
            Some("national operator pw"),
        )
        .await
        .unwrap();
    let cookie = ta
        .sign_in("op@national.example", "national operator pw")
        .await;
    let get = |path: &str| {
        Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let r = ta.send(get("/")).await;
    assert_eq!(
        (r.status, r.headers[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/operator")
    );
    let r = ta.send(get("/operator")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Demo Council"));
    // No role in the council: none of its data.
    for path in ["/api/v1/outcomes", "/api/v1/services/PE-WASTE"] {
        assert_eq!(
            ta.send(get(path)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let form = ta.send(get("/operator/tenants/new")).await;
    let csrf = csrf_of(&form.body);
    let post = |body: String| {
        Request::post("/operator/tenants")
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        ta.send(post("code=falkirk&name=Falkirk+Council".into()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = ta
        .send(post(format!(
            "code=falkirk&name=Falkirk+Council&area_name=Falkirk&csrf={csrf}"
        )))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(ta.app.tenant("falkirk").await.unwrap().area_name, "Falkirk");
    let r = ta
        .send(post(format!("code=falkirk&name=Again&csrf={csrf}")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already exists"));
    // A council's own staff cannot manage councils.
    let p = PersonInput {
        email: "admin@demo.example".into(),
        name: "A".into(),
        role: "admin".into(),
        ..Default::default()
    };
    ta.app
        .add_user(&ta.tenant, &p, Some("correct horse battery"))
        .await
        .unwrap();
    let sid = ta
        .app
        .login("admin@demo.example", "correct horse battery", "t")
        .await
        .unwrap();
    let r = ta
        .send(
            Request::get("/operator")
                .header(header::COOKIE, format!("gt_session={sid}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn indicators_and_targets_have_single_record_crud_and_measurements_a_bulk_endpoint() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let tok = ta.token("performance@demo.example").await;
        let manager = ta.token("service.manager@demo.example").await;
        let def = json!({
            "code": "WASTE9", "title": "Household waste recycled", "tier": "service",
            "unit": "percent", "polarity": "higher-better", "frequency": "quarterly",
            "source": "LGBF", "owner": "service.manager@demo.example",
            "services": ["PE-WASTE"], "definition": "Share of household waste recycled."
        });
        // Only administrators and performance officers define indicators.
        let r = ta
            .api(
                Method::POST,
                "/api/v1/indicators",
                &manager,
                Some(def.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let audit = ta.audit_rows().await;
        let r = ta
            .api(Method::POST, "/api/v1/indicators", &tok, Some(def.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            (r.json()["version"].as_i64(), ta.audit_rows().await),
            (Some(1), audit + 1)
        );
        let r = ta
            .api(Method::POST, "/api/v1/indicators", &tok, Some(def.clone()))
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("duplicate"))
        );
        let mut bad = def.clone();
        bad["polarity"] = json!("upwards");
        bad["services"] = json!(["NOPE"]);
        let r = ta
            .api(Method::PUT, "/api/v1/indicators/WASTE9", &tok, Some(bad))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let body = r.json();
        let fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["field"].as_str())
            .collect();
        assert!(
            fields.contains(&"polarity")
                && fields.contains(&"services")
                && fields.contains(&"version"),
            "{fields:?}"
        );
        let mut changed = def.clone();
        changed["title"] = json!("Household waste recycled or composted");
        changed["version"] = json!(1);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/indicators/WASTE9",
                &tok,
                Some(changed.clone()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["version"].as_i64()),
            (StatusCode::OK, Some(2)),
            "{}",
            r.body
        );
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/indicators/WASTE9",
                &tok,
                Some(changed.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "stale version: {}", r.body);

        // A target, then the same period again without the version read.
        let q1 = "/api/v1/indicators/WASTE9/targets?period=2024%2F25%20Q1";
        let r = ta
            .api(Method::PUT, q1, &tok, Some(json!({"target": "55"})))
            .await;
        assert_eq!(
            (r.status, r.json()["target"].as_str()),
            (StatusCode::OK, Some("55")),
            "{}",
            r.body
        );
        let r = ta
            .api(Method::PUT, q1, &tok, Some(json!({"target": "56"})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = ta
            .api(
                Method::PUT,
                q1,
                &tok,
                Some(json!({"target": "56", "version": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/indicators/WASTE9/targets?period=2024%2F25",
                &tok,
                Some(json!({"target": "56"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a yearly period for a quarterly indicator: {}",
            r.body
        );

        // Bulk measurements: all or nothing, errors by item.
        let audit = ta.audit_rows().await;
        let items = json!({"items": [
            {"indicator": "WASTE9", "period": "2024/25 Q1", "value": "57.5"},
            {"indicator": "WASTE9", "period": "2024/25 Q2", "value": "lots"},
        ]});
        let r = ta
            .api(Method::POST, "/api/v1/measurements", &tok, Some(items))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["details"][0]["field"], "items[1].value");
        assert_eq!(ta.audit_rows().await, audit);
        let items = json!({"items": [
            {"indicator": "WASTE9", "period": "2024/25 Q1", "value": "57.5"},
            {"indicator": "WASTE9", "period": "2024/25 Q2", "value": "58"},
        ]});
        let r = ta
            .api(Method::POST, "/api/v1/measurements", &tok, Some(items))
            .await;
        assert_eq!(
            (r.status, r.json()["tables"]["measurements"].clone()),
            (StatusCode::OK, json!([2, 0, 0])),
            "{}",
            r.body
        );
        assert_eq!(ta.audit_rows().await, audit + 1);
        let r = ta
            .api(Method::GET, "/api/v1/indicators/WASTE9", &tok, None)
            .await;
        assert!(r.body.contains("57.5"), "{}", r.body);

        // An indicator with data cannot be deleted; its target can.
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/indicators/WASTE9?version=2",
                &tok,
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("in_use")),
            "{}",
            r.body
        );
        let r = ta
            .api(Method::DELETE, &format!("{q1}&version=2"), &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = ta
            .api(Method::DELETE, &format!("{q1}&version=2"), &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // A fresh indicator without data is deleted, and is gone.
        let mut other = def.clone();
        other["code"] = json!("WASTE10");
        let r = ta
            .api(Method::POST, "/api/v1/indicators", &tok, Some(other))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/indicators/WASTE10?version=1",
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = ta
            .api(Method::GET, "/api/v1/indicators/WASTE10", &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_public_site_and_open_data_show_only_assured_values_of_that_council() {
    use goldthread_app::indicators::{IndicatorInput, MeasurementRow};
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let cli = ta.cli();
        ta.app
            .create_indicator(
                &cli,
                &IndicatorInput {
                    code: "WASTE9".into(),
                    title: "Household waste recycled".into(),
                    tier: "outcome".into(),
                    unit: "percent".into(),
                    polarity: "higher-better".into(),
                    frequency: "financial-year".into(),
                    source: "LGBF".into(),
                    outcomes: vec!["LO3".into()],
                    definition: "Share recycled.".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let row = |period: &str, value: &str, status: &str| MeasurementRow {
            indicator: "WASTE9".into(),
            period: period.into(),
            value: Some(value.into()),
            status: status.into(),
            ..Default::default()
        };
        ta.app
            .bulk_measurements(
                &cli,
                &[
                    row("2022/23", "51.25", "assured"),
                    row("2023/24", "4321.987", "draft"),
                    row("2024/25", "8765.432", "submitted"),
                ],
                false,
            )
            .await
            .unwrap();
        let mut seen_assured = false;
        for path in [
            "/p/demo",
            "/p/demo/outcomes",
            "/p/demo/outcomes/LO3",
            "/p/demo/indicators/WASTE9",
            "/p/demo/localities",
            "/p/demo/data",
            "/p/demo/data/measurements.csv",
            "/p/demo/data/measurements.json",
            "/p/demo/data/indicators.csv",
            "/p/demo/data/targets.json",
            "/p/demo/data/outcomes.csv",
            "/p/demo/data/datapackage.json",
            "/p/demo/performance-report",
            "/p/demo/you-said-we-did",
        ] {
            let r = ta.get(path).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{path} needs no sign-in: {}",
                r.body
            );
            assert!(
                !r.body.contains("4321") && !r.body.contains("8765"),
                "{path} shows a value that is not assured"
            );
            seen_assured |= r.body.contains("51.25");
            // Read again (kept by the public cache): the same answer.
            let again = ta.get(path).await;
            assert_eq!(again.status, StatusCode::OK, "{path}");
            assert_eq!(again.body, r.body, "{path}");
            for h in [header::CONTENT_TYPE, header::ETAG, header::CACHE_CONTROL] {
                assert_eq!(again.headers.get(&h), r.headers.get(&h), "{path} {h}");
            }
        }
        assert!(seen_assured, "the assured value is published");

        // The data package describes each table's columns exactly.
        let pkg: Value =
            serde_json::from_str(&ta.get("/p/demo/data/datapackage.json").await.body).unwrap();
        for res in pkg["resources"].as_array().unwrap() {
            let csv = ta
                .get(&format!("/p/demo/data/{}", res["path"].as_str().unwrap()))
                .await;
            let header = csv.body.lines().next().unwrap().to_string();
            let fields: Vec<&str> = res["schema"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap())
                .collect();
            assert_eq!(header, fields.join(","), "{}", res["name"]);
        }

        // Staff feeds hold every value, whatever its status, and need a token.
        let tok = ta.token("performance@demo.example").await;
        let feed = ta
            .api(Method::GET, "/api/v1/feeds/measurements.csv", &tok, None)
            .await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(
            feed.body.contains("4321.987")
                && feed.body.contains("8765.432")
                && feed.body.contains("51.25")
        );
        let json = ta
            .api(Method::GET, "/api/v1/feeds/indicators.json", &tok, None)
            .await
            .json();
        assert!(
            json["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["code"] == "WASTE9")
        );
        assert_eq!(
            ta.get("/api/v1/feeds/measurements.csv").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            ta.api(Method::GET, "/api/v1/feeds/nope.csv", &tok, None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Cacheable: the same page again with its ETag is 304 Not Modified.
        let r = ta.get("/p/demo/indicators/WASTE9").await;
        let etag = r.headers[header::ETAG].to_str().unwrap().to_string();
        let again = ta
            .send(
                Request::get("/p/demo/indicators/WASTE9")
                    .header(header::IF_NONE_MATCH, &etag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);

        // Assuring the draft publishes it; the ETag changes with the page.
        ta.app
            .assure(&cli, "WASTE9", "2023/24", None)
            .await
            .unwrap_err();
        let submitted = goldthread_app::performance::MeasurementInput {
            period: "2023/24".into(),
            value: Some("4321.987".into()),
            submit: true,
            version: Some(1),
            ..Default::default()
        };
        ta.app
            .enter_measurement(&cli, "WASTE9", &submitted)
            .await
            .unwrap();
        ta.app
            .assure(&cli, "WASTE9", "2023/24", None)
            .await
            .unwrap();
        let r = ta.get("/p/demo/indicators/WASTE9").await;
        assert!(
            r.body.contains("4321.987"),
            "an assured value appears at once"
        );
        assert_ne!(r.headers[header::ETAG].to_str().unwrap(), etag);

        // Another council's public site never shows this one's data; unknown ones 404.
        ta.app
            .add_tenant(
                &goldthread_app::ActorRef::cli(),
                "other",
                "Other Council",
                "",
            )
            .await
            .unwrap();
        for path in [
            "/p/other",
            "/p/other/data/measurements.csv",
            "/p/other/data/indicators.json",
        ] {
            let r = ta.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !r.body.contains("WASTE9") && !r.body.contains("51.25"),
                "{path} leaked data"
            );
        }
        assert_eq!(
            ta.get("/p/other/indicators/WASTE9").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(ta.get("/p/nowhere").await.status, StatusCode::NOT_FOUND);
    }
}

/// The demo council's framework and performance data, through the real importers.
async fn demo_performance(ta: &TestApp) {
    use goldthread_io::performance::Kind;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
    for kind in [
        Kind::Localities,
        Kind::Indicators,
        Kind::Targets,
        Kind::Measurements,
        Kind::BenchmarkGroups,
        Kind::BenchmarkValues,
    ] {
        ta.app
            .import_performance(
                &ta.cli(),
                kind,
                &Source::Dir(dir.clone()),
                false,
                kind.name(),
            )
            .await
            .unwrap();
    }
    demo_engagement(ta).await;
}

/// The demo council's consultations and responses.
async fn demo_engagement(ta: &TestApp) {
    use goldthread_app::engagement::EngagementKind;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
    for kind in EngagementKind::ALL.iter().copied() {
        ta.app
            .import_engagement(
                &ta.cli(),
                kind,
                &Source::Dir(dir.clone()),
                false,
                kind.name(),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_one_report_covers_the_right_outcomes_statuses_and_exceptions() {
    use goldthread_domain::period::Period;
    use goldthread_web::report::{Scope, build};
    // The demo is large: SQLite only here; the report reads through the same
    // code path as every other view, tested on both databases above.
    let ta = TestApp::new(TestDb::sqlite().await).await;
    demo_performance(&ta).await;
    let cli = ta.cli();
    let today = time::macros::date!(2026 - 11 - 23);
    let fy = Period::FinancialYear(2025);
    let data = ta.app.perf_data(&cli).await.unwrap();
    let eng = ta.app.engagement(&cli).await.unwrap();
    let status = ta
        .app
        .status_report(&cli, Some(fy), None, false, today)
        .await
        .unwrap();

    let all = build(
        &data,
        &eng,
        &Default::default(),
        "Demo Council",
        fy,
        &Scope::All,
        today,
    )
    .unwrap();
    let lo1 = all.outcomes.iter().find(|o| o.code == "LO1").unwrap();
    assert!(
        lo1.you_said
            .iter()
            .any(|y| y.0.starts_with("Keep household waste")),
        "published responses about LO1"
    );
    assert!(
        all.outcomes
            .iter()
            .all(|o| o.you_said.iter().all(|y| !y.0.contains("leisure centre"))),
        "never a draft"
    );
    let shown: Vec<(String, String)> = all
        .outcomes
        .iter()
        .map(|o| (o.code.clone(), o.status.clone()))
        .collect();
    let expected: Vec<(String, String)> = status
        .outcomes
        .iter()
        .map(|o| (o.outcome.to_string(), o.explanation.status.to_string()))
        .collect();
    assert_eq!(
        shown, expected,
        "every local outcome with the engine's status"
    );
    for (o, e) in all.outcomes.iter().zip(&status.outcomes) {
        assert_eq!(o.why, e.explanation.sentence);
        assert_eq!(
            o.indicators.len(),
            e.explanation.items.len(),
            "{}: every counted indicator",
            o.code
        );
    }
    // Every escalation up to the period's end is in the summary, and under each outcome it serves.
    let card = data.card(today);
    let due: Vec<_> = card
        .exceptions()
        .into_iter()
        .filter(|x| x.period.end() <= fy.end())
        .collect();
    assert!(!due.is_empty());
    assert_eq!(all.exceptions.len(), due.len());
    for x in &due {
        assert!(all.exceptions.contains(&x.sentence), "{}", x.sentence);
        for o in all
            .outcomes
            .iter()
            .filter(|o| x.outcomes.iter().any(|c| c.as_str() == o.code))
        {
            assert!(
                o.exceptions.contains(&x.sentence),
                "{} under {}",
                x.indicator,
                o.code
            );
        }
    }
    let counted: usize = all.indicator_counts.iter().map(|(_, n)| n).sum();
    assert!(counted > 100 && !all.definitions.is_empty());
    assert!(all.improved.len() <= 10 && all.worsened.len() <= 10);

    // Scopes: one outcome; a portfolio's outcomes; unknown codes are refused.
    let one = build(
        &data,
        &eng,
        &Default::default(),
        "Demo Council",
        fy,
        &Scope::Outcome("LO2".into()),
        today,
    )
    .unwrap();
    assert_eq!(
        one.outcomes
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>(),
        ["LO2"]
    );
    let pf = build(
        &data,
        &eng,
        &Default::default(),
        "Demo Council",
        fy,
        &Scope::Portfolio("WB".into()),
        today,
    )
    .unwrap();
    let fw = data.framework();
    let wb: Vec<String> = fw
        .portfolios
        .iter()
        .find(|p| p.code.as_str() == "WB")
        .unwrap()
        .outcomes
        .iter()
        .filter(|c| {
            fw.outcome(c.as_str())
                .is_some_and(|o| o.kind == goldthread_domain::OutcomeKind::Local)
        })
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        pf.outcomes
            .iter()
            .map(|o| o.code.clone())
            .collect::<Vec<_>>(),
        wb
    );
    assert!(
        build(
            &data,
            &eng,
            &Default::default(),
            "Demo Council",
            fy,
            &Scope::Outcome("NOPE".into()),
            today
        )
        .is_err()
    );
    // Per committee: the People Committee scrutinises Wellbeing, so its report is
    // Wellbeing's; Partnership and Performance names every local outcome.
    let people = build(
        &data,
        &eng,
        &Default::default(),
        "Demo Council",
        fy,
        &Scope::Committee("PEOPLE".into()),
        today,
    )
    .unwrap();
    assert_eq!(people.scope, "People Committee");
    assert_eq!(
        people
            .outcomes
            .iter()
            .map(|o| o.code.clone())
            .collect::<Vec<_>>(),
        wb
    );
    let pp = build(
        &data,
        &eng,
        &Default::default(),
        "Demo Council",
        fy,
        &Scope::Committee("PARTNERSHIP-PERFORMANCE".into()),
        today,
    )
    .unwrap();
    assert_eq!(
        pp.outcomes
            .iter()
            .map(|o| o.code.clone())
            .collect::<Vec<_>>(),
        ["LO1", "LO2", "LO3", "LO4"]
    );
    assert!(
        build(
            &data,
            &eng,
            &Default::default(),
            "Demo Council",
            fy,
            &Scope::Committee("NOPE".into()),
            today
        )
        .is_err()
    );
    assert_eq!(
        Scope::choose(None, Some(" "), Some("PEOPLE")),
        Scope::Committee("PEOPLE".into())
    );

    // Served to staff: the builder and the document, which is a file to save on request.
    let cookie = {
        let p = PersonInput {
            email: "clerk@demo.example".into(),
            name: "Clerk".into(),
            role: "member".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&ta.tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        ta.sign_in("clerk@demo.example", "correct horse battery")
            .await
    };
    for (path, status) in [
        ("/report", StatusCode::OK),
        ("/report/view?period=2025%2F26&outcome=LO2", StatusCode::OK),
        (
            "/report/view?period=2025%2F26&portfolio=WB&download=1",
            StatusCode::OK,
        ),
        (
            "/report/view?period=2025%2F26&outcome=&portfolio=&committee=PLACE",
            StatusCode::OK,
        ),
        (
            "/report/view?period=2025%2F26&committee=NOPE",
            StatusCode::NOT_FOUND,
        ),
        (
            "/report/view?period=2025%2F99",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = ta
            .send(
                Request::get(path)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            status,
            "{path}: {}",
            &r.body[..r.body.len().min(300)]
        );
    }
    let r = ta
        .send(
            Request::get("/report/view?period=2025%2F26&outcome=LO2&download=1")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("one-report-2025-26.html")
    );
    assert!(
        r.body.contains("<html lang=\"en-GB\">") && r.body.contains("<style>"),
        "a standalone file"
    );
    let anonymous = ta
        .send(Request::get("/report/view").body(Body::empty()).unwrap())
        .await;
    assert_ne!(anonymous.status, StatusCode::OK, "the report is for staff");
}

#[tokio::test]
async fn consultations_and_you_said_we_did_import_audit_and_publish_only_what_is_published() {
    use goldthread_app::engagement::EngagementKind;
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let cli = ta.cli();
        let csv = |name: &str, body: &str| {
            Source::Csv(
                [(format!("{name}.csv"), body.as_bytes().to_vec())]
                    .into_iter()
                    .collect(),
            )
        };
        let consultations = "code,title,purpose,audience,locality,opens,closes,responses,services,outcomes\n\
            PARKS,Parks survey,How parks are used,Residents,,2025-04-01,2025-05-31,310,PE-GROUNDS,LO4\n";
        let responses = "consultation,you_said,we_did,date,status\n\
            PARKS,More benches,Twenty benches added,2025-07-01,published\n\
            PARKS,Close the toilets,Under review,2025-07-01,draft\n";
        // Responses before their consultation: refused, nothing written.
        let audit = ta.audit_rows().await;
        let err = ta
            .app
            .import_engagement(
                &cli,
                EngagementKind::Responses,
                &csv("responses", responses),
                false,
                "r",
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("rejected")
                || matches!(err, goldthread_app::AppError::Import(_)),
            "{err}"
        );
        assert_eq!(ta.audit_rows().await, audit);
        // A dry run writes nothing; then the real import, one audit row per record.
        let dry = ta
            .app
            .import_engagement(
                &cli,
                EngagementKind::Consultations,
                &csv("consultations", consultations),
                true,
                "c",
            )
            .await
            .unwrap();
        assert_eq!(dry.tables["consultations"], [1, 0, 0]);
        assert_eq!(ta.audit_rows().await, audit);
        ta.app
            .import_engagement(
                &cli,
                EngagementKind::Consultations,
                &csv("consultations", consultations),
                false,
                "c",
            )
            .await
            .unwrap();
        let r = ta
            .app
            .import_engagement(
                &cli,
                EngagementKind::Responses,
                &csv("responses", responses),
                false,
                "r",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["responses"], [2, 0, 0]);
        assert_eq!(ta.audit_rows().await, audit + 3);
        // Again, with one response changed: one update, one unchanged.
        let changed = responses.replace("Twenty benches added", "Thirty benches added");
        let r = ta
            .app
            .import_engagement(
                &cli,
                EngagementKind::Responses,
                &csv("responses", &changed),
                false,
                "r2",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["responses"], [0, 1, 1]);
        assert_eq!(ta.audit_rows().await, audit + 4);

        // The public page shows the published response only; staff see both.
        let page = ta.get("/p/demo/you-said-we-did").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Thirty benches added") && page.body.contains("Parks survey"));
        assert!(
            !page.body.contains("Close the toilets"),
            "a draft response is never public"
        );
        let tok = ta.token("admin@demo.example").await;
        let api = ta
            .api(Method::GET, "/api/v1/consultations", &tok, None)
            .await
            .json();
        assert_eq!(api["items"][0]["code"], "PARKS");
        assert_eq!(
            api["items"][0]["responses_given"].as_array().unwrap().len(),
            2
        );
        // Only administrators and performance officers import.
        let member = goldthread_app::Caller {
            actor: goldthread_domain::permission::Actor {
                role: goldthread_domain::Role::Member,
                ..cli.actor.clone()
            },
            ..cli.clone()
        };
        let err = ta
            .app
            .import_engagement(
                &member,
                EngagementKind::Consultations,
                &csv("consultations", consultations),
                false,
                "c",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, goldthread_app::AppError::Forbidden(_)),
            "{err}"
        );
    }
}

/// Consultations and responses one at a time: through the API (validated by the
/// importer's rules, versioned, audited, never deleting a consultation that has
/// responses) and through the staff forms (errors beside their fields).
#[tokio::test]
async fn consultations_and_responses_are_managed_one_at_a_time() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let tok = ta.token("admin@demo.example").await;
        let audit = ta.audit_rows().await;
        // Every problem at once, nothing written.
        let r = ta
            .api(
                Method::POST,
                "/api/v1/consultations",
                &tok,
                Some(json!({"code": "LIB", "title": "", "opens": "2025-05-01", "closes": "2025-04-01", "outcomes": ["LO99"], "responses": "many"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        for f in ["title", "closes", "outcomes", "responses"] {
            assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
        }
        assert_eq!(ta.audit_rows().await, audit);
        let body = json!({"code": "LIB", "title": "Library hours", "purpose": "Opening hours", "audience": "Library users",
            "opens": "2025-04-01", "closes": "2025-05-01", "responses": "120", "services": ["PE-WASTE"], "outcomes": ["LO1"]});
        let r = ta
            .api(
                Method::POST,
                "/api/v1/consultations",
                &tok,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["responses"], 120);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/consultations",
                &tok,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "duplicate");
        // Changing needs the version read; a stale one is refused.
        let mut change = body.clone();
        change["title"] = json!("Library opening hours");
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/consultations/LIB",
                &tok,
                Some(change.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        change["version"] = json!(1);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/consultations/LIB",
                &tok,
                Some(change.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["version"], 2);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/consultations/LIB",
                &tok,
                Some(change.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        change["code"] = json!("LIB2");
        change["version"] = json!(2);
        let r = ta
            .api(Method::PUT, "/api/v1/consultations/LIB", &tok, Some(change))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the code stays");
        // Responses: to a known consultation only, one per "you said".
        let said = json!({"consultation": "LIB", "you_said": "Open on Sundays", "we_did": "Sunday opening from June", "date": "2025-06-01", "status": "published"});
        let r = ta
            .api(Method::POST, "/api/v1/responses", &tok, Some(json!({"consultation": "NOPE", "you_said": "x", "we_did": "y", "date": "2025-02-30", "status": "live"})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = ta
            .api(Method::POST, "/api/v1/responses", &tok, Some(said.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = ta
            .api(Method::POST, "/api/v1/responses", &tok, Some(said.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            ta.get("/p/demo/you-said-we-did")
                .await
                .body
                .contains("Sunday opening from June")
        );
        // A consultation with responses is not deleted.
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/consultations/LIB?version=2",
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "in_use");
        let mut draft = said.clone();
        draft["status"] = json!("draft");
        draft["version"] = json!(1);
        let r = ta
            .api(
                Method::PUT,
                &format!("/api/v1/responses/{id}"),
                &tok,
                Some(draft),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            !ta.get("/p/demo/you-said-we-did")
                .await
                .body
                .contains("Sunday opening from June"),
            "back to draft: no longer public"
        );
        let listed = ta
            .api(Method::GET, "/api/v1/consultations", &tok, None)
            .await
            .json();
        let lib = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "LIB")
            .unwrap()
            .clone();
        assert_eq!(lib["responses_given"][0]["id"], json!(id));
        assert_eq!(lib["responses_given"][0]["version"], 2);
        let r = ta
            .api(
                Method::DELETE,
                &format!("/api/v1/responses/{id}?version=2"),
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/consultations/LIB?version=2",
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        // create, update, create response, update response, delete both.
        assert_eq!(ta.audit_rows().await, audit + 6);

        // The staff forms.
        ta.app
            .add_user(
                &ta.tenant,
                &PersonInput {
                    email: "admin@demo.example".into(),
                    name: "Alex Admin".into(),
                    role: "admin".into(),
                    ..Default::default()
                },
                Some("correct horse battery"),
            )
            .await
            .ok();
        let cookie = ta
            .sign_in("admin@demo.example", "correct horse battery")
            .await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let page = ta.send(get("/engagement/consultations/new")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = csrf_of(&page.body);
        let post = |path: &str, body: String| {
            Request::post(path)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let r = ta
            .send(post(
                "/engagement/consultations",
                format!(
                    "csrf={csrf}&code=POOL&title=&opens=2025-06-01&closes=2025-05-01&outcomes=LO1"
                ),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"f-title-error\"") && r.body.contains("id=\"f-closes-error\""),
            "{}",
            r.body
        );
        assert!(r.body.contains("value=\"POOL\""), "what was typed is kept");
        let r = ta
            .send(post(
                "/engagement/consultations",
                format!("csrf={csrf}&code=POOL&title=Pool+timetable&opens=2025-04-01&closes=2025-05-01&outcomes=LO1&services=PE-WASTE"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers[header::LOCATION],
            "/engagement/consultations/POOL?saved=created"
        );
        let page = ta.send(get("/engagement/consultations/POOL")).await;
        assert!(
            page.body.contains("Pool timetable") && page.body.contains("Add a response"),
            "{}",
            page.body
        );
        let r = ta
            .send(post(
                "/engagement/responses",
                format!("csrf={csrf}&consultation=POOL&you_said=Earlier+lanes&we_did=&date=2025-06-01&status=published"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-we_did-error\""), "{}", r.body);
        let r = ta
            .send(post(
                "/engagement/responses",
                format!("csrf={csrf}&consultation=POOL&you_said=Earlier+lanes&we_did=Lanes+from+7am&date=2025-06-01&status=published"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = ta.send(get("/engagement/consultations/POOL")).await;
        assert!(page.body.contains("Lanes from 7am"));
        // Deleting a response through its page returns to its consultation.
        let listed = ta
            .api(Method::GET, "/api/v1/consultations", &tok, None)
            .await
            .json();
        let pool = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "POOL")
            .unwrap()
            .clone();
        let said = pool["responses_given"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = ta
            .send(post(
                &format!("/engagement/responses/{said}/delete"),
                format!("csrf={csrf}&version=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers[header::LOCATION],
            "/engagement/consultations/POOL?saved=deleted"
        );
        assert!(
            !ta.send(get("/engagement/consultations/POOL"))
                .await
                .body
                .contains("Lanes from 7am")
        );
        let staff = ta.send(get("/engagement")).await;
        assert!(staff.body.contains("/engagement/consultations/POOL"));
        // Someone who may not manage engagement is refused the forms.
        let member = ta.token("member@demo.example").await;
        let r = ta
            .api(Method::POST, "/api/v1/consultations", &member, Some(body))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

/// The staff Import & export page takes the data tables one file at a time
/// (committees, consultations, measurements, …) and exports each exactly as its
/// import reads it; records that others depend on are not deleted.
#[tokio::test]
async fn data_tables_import_and_export_on_the_staff_page_and_linked_records_stay() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        ta.app
            .add_user(
                &ta.tenant,
                &PersonInput {
                    email: "admin@demo.example".into(),
                    name: "Alex Admin".into(),
                    role: "admin".into(),
                    ..Default::default()
                },
                Some("correct horse battery"),
            )
            .await
            .ok();
        let cookie = ta
            .sign_in("admin@demo.example", "correct horse battery")
            .await;
        let page = ta
            .send(
                Request::get("/import")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            page.body.contains("/export/committees.csv")
                && page.body.contains("/export/contracts.csv"),
            "{}",
            page.body
        );
        let csrf = csrf_of(&page.body);
        let upload = |files: &[(&str, &str)]| {
            let boundary = "XyZ";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            );
            for (name, content) in files {
                body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            Request::post("/import")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap()
        };
        let committees = "code,title,portfolios,outcomes\nPEOPLE,People Committee,WB,\n";
        // Mixed with a framework table: refused, nothing written.
        let audit = ta.audit_rows().await;
        let r = ta
            .send(upload(&[
                ("committees.csv", committees),
                (
                    "outcomes.csv",
                    "code,title,kind,links,description\nLO9,Ninth,local,,\n",
                ),
            ]))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("one file at a time"), "{}", r.body);
        assert_eq!(ta.audit_rows().await, audit);
        let r = ta
            .send(upload(&[(
                "committees.csv",
                "code,title,portfolios,outcomes\nX,,NOPE,\n",
            )]))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("committees.csv:2:title"), "{}", r.body);
        let r = ta.send(upload(&[("committees.csv", committees)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(ta.audit_rows().await, audit + 1);
        let tok = ta.token("admin@demo.example").await;
        let api = ta
            .api(Method::GET, "/api/v1/committees", &tok, None)
            .await
            .json();
        assert_eq!(api["items"][0]["code"], "PEOPLE");
        assert_eq!(api["items"][0]["portfolios"], json!(["WB"]));
        let r = ta
            .send(
                Request::get("/export/committees.csv")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, committees);
        // A title a spreadsheet would run as a formula is neutralised in the
        // export (OWASP CSV injection) and the export imports back to exactly it.
        let formula = "=HYPERLINK(\"http://x.example\",\"y\")";
        let r = ta
            .send(upload(&[(
                "committees.csv",
                &format!(
                    "code,title,portfolios,outcomes\nPEOPLE,\"{}\",WB,\n",
                    formula.replace('"', "\"\"")
                ),
            )]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let export = || {
            Request::get("/export/committees.csv")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let exported = ta.send(export()).await.body;
        assert!(exported.contains(",\"'=HYPERLINK("), "{exported}");
        let r = ta.send(upload(&[("committees.csv", &exported)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let api = ta
            .api(Method::GET, "/api/v1/committees", &tok, None)
            .await
            .json();
        assert_eq!(api["items"][0]["title"], formula);
        assert_eq!(ta.send(export()).await.body, exported);
        let r = ta.send(upload(&[("committees.csv", committees)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A portfolio a committee scrutinises, and a service an indicator measures,
        // answer 409 in_use to a delete instead of failing on the database.
        let before_deletes = ta.audit_rows().await;
        let wb = ta.version("/api/v1/portfolios/WB", &tok).await;
        let r = ta
            .api(
                Method::DELETE,
                &format!("/api/v1/portfolios/WB?version={wb}"),
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "in_use");
        ta.app
            .create_indicator(
                &ta.cli(),
                &goldthread_app::indicators::IndicatorInput {
                    code: "TONNES".into(),
                    title: "Tonnes".into(),
                    tier: "service".into(),
                    unit: "count".into(),
                    polarity: "higher-better".into(),
                    frequency: "financial-year".into(),
                    source: "local".into(),
                    services: vec!["PE-WASTE".into()],
                    outcomes: vec!["LO3".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let svc = ta.version("/api/v1/services/PE-WASTE", &tok).await;
        let r = ta
            .api(
                Method::DELETE,
                &format!("/api/v1/services/PE-WASTE?version={svc}"),
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("indicator"), "{}", r.body);
        assert_eq!(
            ta.audit_rows().await,
            before_deletes + 1,
            "the indicator only"
        );
        // A service a contract is for answers 409 in_use too; the contracts file
        // imports on the page and exports as imported.
        let contracts = "code,service,partner,title,start,end,value,description\nCON-1,PE-GROUNDS,Parks Co,Grass cutting,2025-04-01,2027-03-31,120000.5,Illustrative\n";
        let r = ta.send(upload(&[("contracts.csv", contracts)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("contracts: 1 created"), "{}", r.body);
        let r = ta
            .send(
                Request::get("/export/contracts.csv")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.body, contracts.replace("120000.5", "120000.50"));
        let before = ta.audit_rows().await;
        let svc = ta.version("/api/v1/services/PE-GROUNDS", &tok).await;
        let r = ta
            .api(
                Method::DELETE,
                &format!("/api/v1/services/PE-GROUNDS?version={svc}"),
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "in_use");
        assert!(r.body.contains("contract"), "{}", r.body);
        assert_eq!(ta.audit_rows().await, before);
    }
}

/// A service review through the API, as the Commissioning Hub and the two
/// signatories would run it, then its pages as a signed-in officer sees them.
#[tokio::test]
async fn a_review_runs_through_the_api_and_its_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let hub = ta.token("commissioning@demo.example").await;
        let leader = ta.token("director.place@demo.example").await;
        let manager = ta.token("service.manager@demo.example").await;
        let member = ta.token("member@demo.example").await;
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews",
                &hub,
                Some(json!({"code": "W26", "title": "Waste review", "service": "PE-WASTE"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        assert_eq!(v["state"], "scoping");
        assert_eq!(v["missing"][0]["field"], "esia", "{v}");
        let duty = "Collect household waste (EPA 1990 s.45)";
        let scores = |s: u8| {
            goldthread_domain::review::TOM_PRINCIPLES
                .iter()
                .map(|c| json!({"criterion": c, "score": s}))
                .collect::<Vec<_>>()
        };
        let r = ta
            .api(
                Method::PATCH,
                "/api/v1/reviews/W26",
                &hub,
                Some(json!({
                    "version": 1,
                    "scope": {"outcomes": ["LO4"], "statutory_duties": [duty], "esia": "integrate"},
                    "specification": {"scope": "Kerbside", "volumes": "24,500 households", "standards": "Fortnightly", "quality_safety": "Crew safety"},
                    "appraisal": {"years": 3, "discount_rate": "0.035", "criteria": goldthread_domain::review::TOM_PRINCIPLES.iter().map(|c| json!({"name": c, "weight": "1"})).collect::<Vec<_>>(), "options": []},
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["scope"]["profile"].is_object(), "snapshot kept");
        let option = |code: &str, model: &str, quo: bool, yearly: i64, s: u8, meets: bool| {
            json!({"code": code, "title": format!("Option {code}"), "delivery_model": model, "status_quo": quo,
                   "years": vec![json!({"one_off_pence": 0, "recurring_pence": yearly}); 3],
                   "risk_score": 8, "scores": scores(s), "duties": [{"duty": duty, "meets": meets}]})
        };
        let mut version = 2;
        for o in [
            option("A", "self-delivery", true, 10_000, 2, true),
            option("B", "joint-commissioning", false, 9_000, 4, true),
            option("C", "stop", false, 0, 5, false),
        ] {
            let r = ta
                .api(
                    Method::POST,
                    &format!("/api/v1/reviews/W26/options?version={version}"),
                    &hub,
                    Some(o),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            version = r.json()["version"].as_i64().unwrap();
        }
        // A member may read but not change.
        let r = ta
            .api(
                Method::POST,
                &format!("/api/v1/reviews/W26/options?version={version}"),
                &member,
                Some(option("D", "commercial", false, 1, 1, true)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The appraisal, computed and explained.
        let a = ta
            .api(Method::GET, "/api/v1/reviews/W26/appraisal", &member, None)
            .await
            .json();
        assert_eq!(a["discount_rate"], json!(0.035));
        let b = &a["options"][1];
        assert_eq!(b["years"][2]["year_index"], 2);
        assert_eq!(b["years"][2]["recurring_pence"], 9_000);
        assert_eq!(a["options"][0]["npc_pence"], 28_997);
        assert_eq!(b["npc_pence"], 26_097);
        assert_eq!(b["saving_vs_status_quo_pence"], 2_900);
        assert_eq!(b["weighted_score"], json!(80.0));
        assert_eq!(b["rank"], 1);
        assert_eq!(a["options"][2]["fails_statutory"], true);
        assert_eq!(a["options"][2]["rank"], Value::Null);
        assert!(
            b["explanation"]["npc"]
                .as_str()
                .unwrap()
                .contains("£90 ÷ 1.035"),
            "{b}"
        );
        // A failing option cannot be preferred.
        let review = ta
            .api(Method::GET, "/api/v1/reviews/W26", &hub, None)
            .await
            .json();
        let mut appraisal = review["appraisal"].clone();
        appraisal["preferred"] = json!("C");
        appraisal["rationale"] = json!("Cheapest");
        let r = ta
            .api(
                Method::PATCH,
                "/api/v1/reviews/W26",
                &hub,
                Some(json!({"version": version, "appraisal": appraisal})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("cannot be preferred"), "{}", r.body);
        appraisal["preferred"] = json!("B");
        let dims: Vec<Value> = goldthread_domain::review::Dimension::ALL
            .iter()
            .map(|d| json!({"dimension": d, "impact": "neutral", "evidence": "No change for residents"}))
            .collect();
        let checks: Vec<Value> = goldthread_domain::review::Check::ALL
            .iter()
            .map(|c| json!({"check": c, "status": "done"}))
            .collect();
        let r = ta
            .api(
                Method::PATCH,
                "/api/v1/reviews/W26",
                &hub,
                Some(json!({"version": version, "appraisal": appraisal,
                    "plan": {"costs": "As appraised", "resources": "Shared fleet", "quality_safety": "As now"},
                    "assessment": {"impacts": dims, "checks": checks}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        version = r.json()["version"].as_i64().unwrap();
        for _ in 0..5 {
            let r = ta
                .api(
                    Method::POST,
                    "/api/v1/reviews/W26/advance",
                    &hub,
                    Some(json!({"version": version})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            version = r.json()["version"].as_i64().unwrap();
        }
        let m = ta
            .api(Method::GET, "/api/v1/mixed-economy", &member, None)
            .await
            .json();
        assert_eq!(m["changes"][0]["to"], "joint-commissioning", "{m}");
        // Two keys: the hub cannot sign; the leader signs once, not twice.
        let approve = |version: i64| Some(json!({"version": version}));
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews/W26/approve",
                &hub,
                approve(version),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews/W26/approve",
                &leader,
                approve(version),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "awaiting-approval");
        version = r.json()["version"].as_i64().unwrap();
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews/W26/approve",
                &leader,
                approve(version),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews/W26/approve",
                &manager,
                approve(version),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "approved");
        let svc = ta
            .api(Method::GET, "/api/v1/services/PE-WASTE", &member, None)
            .await
            .json();
        assert_eq!(svc["delivery_model"], "joint-commissioning");
        let r = ta
            .api(
                Method::POST,
                "/api/v1/reviews/W26/reject",
                &hub,
                Some(json!({"version": r.json()["version"], "reason": "Too late"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let s = ta
            .api(
                Method::GET,
                "/api/v1/review-schedule?today=2029-06-01",
                &member,
                None,
            )
            .await;
        assert_eq!(s.status, StatusCode::OK);
        assert_eq!(s.json()["items"].as_array().unwrap().len(), 3);

        // The pages, signed in as the hub.
        let p = PersonInput {
            email: "commissioning@demo.example".into(),
            name: "Kirsty Anderson".into(),
            role: "commissioning-officer".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&ta.tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        let cookie = ta
            .sign_in("commissioning@demo.example", "correct horse battery")
            .await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        for (path, text) in [
            ("/reviews", "Review schedule"),
            ("/reviews/W26", "Options side by side"),
            ("/reviews/new", "Open a service review"),
            ("/mixed-economy", "By outcome"),
            ("/commissioning", "Contracts ending within 12 months"),
        ] {
            let r = ta.send(get(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(text), "{path}");
        }
        let x = ta.send(get("/reviews/W26/appraisal.xlsx")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(
            x.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        // A new review through the form, then a step with an error beside its field.
        let form = ta.send(get("/reviews/new")).await;
        let csrf = csrf_of(&form.body);
        let post = |path: &str, body: String| {
            Request::post(path)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let r = ta
            .send(post(
                "/reviews",
                format!("code=G26&title=Grounds&service=PE-GROUNDS&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(post(
                "/reviews/G26/step/appraisal",
                format!("version=1&years=4&discount_rate=lots&weight_0=1&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"f-discount_rate-error\""),
            "{}",
            r.body
        );
        assert!(r.body.contains("value=\"lots\""), "what was typed is kept");
        let r = ta
            .send(post(
                "/reviews/G26/decide/advance",
                format!("version=1&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("E-S-I-A stage"), "says what is missing");
        let r = ta
            .send(post(
                "/reviews/G26/step/scope",
                format!("version=1&outcomes=LO4&esia=simplify&demand=Parks&feedback=&statutory_duties=&funding_constraints=&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(post(
                "/reviews/G26/decide/advance",
                format!("version=2&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(post(
                "/reviews/G26/decide/send-back",
                format!("version=3&reason=&csrf={csrf}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"reason-send-back-error\""),
            "{}",
            r.body
        );
    }
}

/// The risk register over the API and in the pages: bands and flags, filters,
/// the heat map, field errors; the register's pages and the escalation in
/// Exceptions.
#[tokio::test]
async fn risks_through_the_api_and_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let tok = ta.token("performance@demo.example").await;
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/risk-appetite",
                &tok,
                Some(json!({"appetite": {"financial": 8, "delivery": 12}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["appetite"]["strategic"], Value::Null);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/risks",
                &tok,
                Some(json!({"code": "FIN-1", "title": "Funding gap widens", "category": "financial",
                    "outcomes": ["LO1"], "review_date": "2026-01-31",
                    "inherent": {"likelihood": 5, "impact": 4},
                    "residual": {"likelihood": 4, "impact": 4},
                    "target": {"likelihood": 2, "impact": 4},
                    "controls": [{"control": "Medium-term financial strategy", "effectiveness": "partly"}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        assert_eq!(
            (
                &v["inherent_score"],
                &v["inherent_band"],
                &v["residual_score"],
                &v["residual_band"],
                &v["target_band"]
            ),
            (
                &json!(20),
                &json!("very-high"),
                &json!(16),
                &json!("high"),
                &json!("medium")
            )
        );
        assert_eq!(v["above_appetite"], true);
        assert_eq!(v["review_overdue"], true);
        // Field errors, nothing written.
        let r = ta
            .api(
                Method::POST,
                "/api/v1/risks",
                &tok,
                Some(json!({"code": "BAD", "title": "", "category": "financial",
                    "inherent": {"likelihood": 2, "impact": 2},
                    "residual": {"likelihood": 3, "impact": 3},
                    "target": {"likelihood": 1, "impact": 9}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            ["title", "target_impact", "residual_likelihood"],
            "{}",
            r.body
        );
        // Filters and the heat map.
        let l = ta
            .api(
                Method::GET,
                "/api/v1/risks?above_appetite=true&outcome=LO1",
                &tok,
                None,
            )
            .await
            .json();
        assert_eq!(l["items"].as_array().unwrap().len(), 1);
        let l = ta
            .api(Method::GET, "/api/v1/risks?band=low", &tok, None)
            .await
            .json();
        assert!(l["items"].as_array().unwrap().is_empty());
        let h = ta
            .api(
                Method::GET,
                "/api/v1/risks/heat-map?basis=inherent",
                &tok,
                None,
            )
            .await
            .json();
        assert_eq!(h["cells"][4][3], json!(["FIN-1"]));
        let d = ta
            .api(Method::GET, "/api/v1/risks/FIN-1", &tok, None)
            .await
            .json();
        assert_eq!(
            d["reviews"].as_array().unwrap().len(),
            1,
            "the first review"
        );

        // The pages, signed in.
        let p = PersonInput {
            email: "performance@demo.example".into(),
            name: "Ross Paterson".into(),
            role: "performance-officer".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&ta.tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        let cookie = ta
            .sign_in("performance@demo.example", "correct horse battery")
            .await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        for (path, text) in [
            ("/risks", "FIN-1 — Funding gap widens"),
            (
                "/risks?flag=above-appetite",
                "Risks matching the filter (1 of 1)",
            ),
            (
                "/risks/FIN-1",
                "Above appetite: residual 16 &#62; 8, escalated",
            ),
            ("/risks/new", "Add a risk"),
            ("/risks/appetite", "Risk appetite"),
            ("/outcomes/LO1", "FIN-1 — Funding gap widens"),
            ("/exceptions", "Risks above appetite (1)"),
            (
                "/report/view?period=2025%2F26&outcome=LO1",
                "Risks to this outcome",
            ),
        ] {
            let r = ta.send(get(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(text), "{path}: {text}");
        }
        let form = ta.send(get("/risks/new")).await;
        let csrf = csrf_of(&form.body);
        let r = ta
            .send(
                Request::post("/risks")
                    .header(header::COOKIE, &cookie)
                    .header("sec-fetch-site", "same-origin")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "csrf={csrf}&code=OPS-1&title=Depot+flood&category=operational&services=PE-WASTE&inherent_likelihood=2&inherent_impact=2&residual_likelihood=3&residual_impact=3&target_likelihood=1&target_impact=1&control_0=Sandbags&control_effectiveness_0="
                    )))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"f-control_effectiveness_0-error\""),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"Depot flood\""),
            "kept what was typed"
        );
    }
}

#[tokio::test]
async fn the_self_assessment_pages_score_a_year_with_errors_beside_fields() {
    let ta = TestApp::new(TestDb::sqlite().await).await;
    let p = PersonInput {
        email: "admin@demo.example".into(),
        name: "Alex Admin".into(),
        role: "admin".into(),
        ..Default::default()
    };
    ta.app
        .add_user(&ta.tenant, &p, Some("correct horse battery"))
        .await
        .unwrap();
    let cookie = ta
        .sign_in("admin@demo.example", "correct horse battery")
        .await;
    let get = |path: &str| {
        Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let r = ta.send(get("/self-assessment")).await;
    assert!(r.body.contains("No year has been assessed yet."));
    let form = ta.send(get("/self-assessment/2025-26")).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form.body);
    let post = |body: String| {
        Request::post("/self-assessment/2025-26")
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let r = ta
        .send(post(format!(
            "csrf={csrf}&score_VISION=&evidence_VISION=Strong+vision&score_GOVERNANCE=4&outcomes_GOVERNANCE=LO9"
        )))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"f-score_VISION-error\""), "{}", r.body);
    let r = ta
        .send(post(format!(
            "csrf={csrf}&score_VISION=3&score_GOVERNANCE=4&outcomes_GOVERNANCE=LO9"
        )))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("id=\"f-outcomes_GOVERNANCE-error\""),
        "{}",
        r.body
    );
    let r = ta
        .send(post(format!(
            "csrf={csrf}&score_VISION=3&evidence_VISION=Strong+vision&score_GOVERNANCE=4&outcomes_GOVERNANCE=LO1"
        )))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = ta.send(get("/self-assessment")).await;
    assert!(r.body.contains("3 satisfactory") && r.body.contains("Strong vision"));
}

/// The demo's localities, indicators, reviews and benefit files on top of its
/// framework (benefits name indicators as measures and reviews as sources).
async fn demo_benefits(ta: &TestApp) {
    let cli = ta.cli();
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
    use goldthread_io::performance::Kind;
    for kind in [Kind::Localities, Kind::Indicators] {
        ta.app
            .import_performance(&cli, kind, &Source::Dir(dir.clone()), false, kind.name())
            .await
            .unwrap();
    }
    for (code, service) in [
        ("REV-2026-01", "CS-REV"),
        ("REV-2026-02", "PE-WASTE"),
        ("REV-2026-03", "CS-CUST"),
    ] {
        ta.app
            .open_review(
                &cli,
                &goldthread_app::reviews::NewReview {
                    code: code.into(),
                    title: "Review".into(),
                    service: service.into(),
                },
                time::macros::date!(2026 - 11 - 23),
            )
            .await
            .unwrap();
    }
    for f in goldthread_app::benefits::BenefitsFile::ALL {
        ta.app
            .import_benefits(&cli, *f, &Source::Dir(dir.clone()), false, f.name())
            .await
            .unwrap();
    }
}

/// Benefits through the API (savings reproducing 2022 §6.3, the funding gap,
/// one benefit created, profiled and refused deletion) and the staff pages
/// (register with filters, a benefit, savings and gap pages with captioned
/// tables and charts, forms answering 422 with errors beside the fields).
#[tokio::test]
async fn benefits_savings_and_the_funding_gap_over_the_api_and_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        demo_benefits(&ta).await;
        let tok = ta.token("member@demo.example").await;

        // Savings: the 2018 directorates' lines are 2022 §6.3's table.
        let s = ta.api(Method::GET, "/api/v1/savings", &tok, None).await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
        let s = s.json();
        let k = 100_000;
        let lines: Vec<(String, i64, i64, i64)> = s["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["group"] != "")
            .map(|l| {
                (
                    l["group"].as_str().unwrap().to_string(),
                    l["planned_pence"].as_i64().unwrap() / k,
                    l["achieved_pence"].as_i64().unwrap() / k,
                    l["variance_pence"].as_i64().unwrap() / k,
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("Chief Executive".to_string(), 120, 116, -4),
                ("Partnership & Performance".to_string(), 223, 218, -5),
                ("Place".to_string(), 161, 165, 4),
                ("People".to_string(), 261, 55, -206),
            ]
        );
        assert!(s["total"]["planned_pence"].is_i64() && s["years"][0]["year"] == "2018/19");

        // The funding gap, and from the 2026 MTFS's first year.
        let g = ta
            .api(Method::GET, "/api/v1/finance/gap", &tok, None)
            .await
            .json();
        assert_eq!(g["rows"][0]["year"], "2023/24");
        assert_eq!(g["rows"][0]["gap_pence"], 1_131_100_000);
        let g = ta
            .api(
                Method::GET,
                "/api/v1/finance/gap?from=2026%2F27",
                &tok,
                None,
            )
            .await
            .json();
        assert_eq!(g["from"], "2026/27");
        assert_eq!(g["total"]["gap_pence"], 1_910_000_000);
        let r = ta
            .api(Method::GET, "/api/v1/finance/gap?from=soon", &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["details"][0]["field"], "from");

        // One benefit through the API.
        let admin = ta.token("admin@demo.example").await;
        let audit = ta.audit_rows().await;
        let r = ta
            .api(
                Method::POST,
                "/api/v1/benefits",
                &admin,
                Some(json!({"code": "API-1", "title": "", "kind": "non-financial", "source": "review", "source_ref": "REV-1999-01", "portfolio": "NOPE", "status": "planned", "confidence": "sure"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            ["title", "portfolio", "confidence", "measure", "source_ref"]
        );
        assert_eq!(ta.audit_rows().await, audit);
        let body = json!({"code": "API-1", "title": "Fleet telematics", "kind": "cashable", "owner": "service.manager@demo.example",
            "source": "project", "source_ref": "Fleet review", "portfolio": "PE", "status": "on-track", "confidence": "high"});
        let r = ta
            .api(Method::POST, "/api/v1/benefits", &admin, Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["version"], 1);
        assert_eq!(r.json()["profile"], json!([]));
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/benefits/API-1/profile",
                &admin,
                Some(json!({"items": [{"year": "2025/26", "planned_pence": 5_000_000, "realised_pence": 4_500_001}, {"year": "2026/27", "planned_pence": 5_000_000}], "version": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let b = r.json();
        assert_eq!(b["version"], 2);
        assert_eq!(b["profile"][1]["realised_pence"], Value::Null);
        assert_eq!(b["figures"]["variance_pence"], -499_999);
        assert_eq!(b["figures"]["not_yet_reported_pence"], 5_000_000);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/benefits/API-1/profile",
                &admin,
                Some(json!({"items": [{"year": "2025", "planned_pence": -1}], "version": 2})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["error"]["details"][1]["field"],
            "items[0].planned_pence"
        );
        let mut change = body.clone();
        change["status"] = json!("at-risk");
        change["version"] = json!(1);
        let r = ta
            .api(Method::PUT, "/api/v1/benefits/API-1", &admin, Some(change))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "the profile raised the version"
        );
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/benefits/API-1?version=2",
                &admin,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "in_use");
        assert_eq!(ta.audit_rows().await, audit + 3);
        let r = ta
            .api(Method::GET, "/api/v1/benefits/NOPE", &tok, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let listed = ta
            .api(Method::GET, "/api/v1/benefits", &tok, None)
            .await
            .json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 12);

        // The pages.
        for (email, role) in [
            ("admin@demo.example", "admin"),
            ("member@demo.example", "member"),
        ] {
            ta.app
                .add_user(
                    &ta.tenant,
                    &PersonInput {
                        email: email.into(),
                        name: role.into(),
                        role: role.into(),
                        ..Default::default()
                    },
                    Some("correct horse battery"),
                )
                .await
                .ok();
        }
        let cookie = ta
            .sign_in("admin@demo.example", "correct horse battery")
            .await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        for (path, has) in [
            (
                "/benefits",
                &[
                    "<caption>Benefits register</caption>",
                    "RS2018-PE — 2018 restructure: People directorate",
                    "href=\"/export/benefits.csv\"",
                    "Add a benefit",
                ][..],
            ),
            (
                "/benefits?portfolio=WB&kind=cashable",
                &["1 of 12 benefits shown", "RS2018-PE"][..],
            ),
            (
                "/benefits/RS2018-PE",
                &[
                    "(£206,000)",
                    "<caption>Profile by financial year</caption>",
                    "Edit its profile",
                    "create (profile 2019/20)",
                ][..],
            ),
            (
                "/benefits/REV01-SAVING",
                &[
                    "href=\"/reviews/REV-2026-01\"",
                    "CORP04",
                    "Not yet reported",
                ][..],
            ),
            (
                "/savings",
                &[
                    "<caption>Savings on named lines</caption>",
                    "£765,000",
                    "£554,000",
                    "(£211,000)",
                    "role=\"img\"",
                    "<figcaption>",
                ][..],
            ),
            (
                "/finance/gap",
                &[
                    "<caption>Funding gap and savings by financial year</caption>",
                    "£11,311,000",
                    "<caption>Running totals</caption>",
                    "role=\"img\"",
                    "Illustrative",
                ][..],
            ),
            (
                "/finance/gap?from=2026/27",
                &["From 2026/27", "£19,100,000"][..],
            ),
            ("/benefits/new", &["Add a benefit", "id=\"f-measure\""][..]),
            (
                "/benefits/API-1/profile",
                &["id=\"f-year_1\"", "value=\"2025/26\"", "value=\"2027/28\""][..],
            ),
            (
                "/import",
                &["benefits.csv", "benefit-profiles.csv", "budget-gap.csv"][..],
            ),
            ("/", &["href=\"/benefits\""][..]),
        ] {
            let r = ta.send(get(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            for h in has {
                assert!(r.body.contains(h), "{path} lacks {h}");
            }
        }
        let r = ta.send(get("/benefits?portfolio=WB&kind=cashable")).await;
        assert!(!r.body.contains("RS2018-CE"));
        let r = ta.send(get("/export/budget-gap.csv")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.starts_with("year,gap,note\n2023/24,11311000,"),
            "{}",
            r.body
        );

        let csrf = csrf_of(&ta.send(get("/benefits/new")).await.body);
        let post = |path: &str, body: String| {
            Request::post(path)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        // Errors beside their fields, what was typed kept.
        let r = ta
            .send(post(
                "/benefits",
                format!("csrf={csrf}&code=WEB-1&title=&kind=non-financial&source=decision&source_ref=Cabinet&portfolio=WB&group=&baseline=&measure=&status=planned&confidence=low&description="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in ["f-title-error", "f-measure-error"] {
            assert!(r.body.contains(&format!("id=\"{id}\"")), "{id}: {}", r.body);
        }
        assert!(r.body.contains("value=\"WEB-1\"") && r.body.contains("<title>Error:"));
        let r = ta
            .send(post(
                "/benefits",
                format!("csrf={csrf}&code=WEB-1&title=Family+support+hub&kind=cashable&owner=&source=decision&source_ref=Cabinet&portfolio=WB&group=&baseline=&measure=&status=planned&confidence=low&description="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers[header::LOCATION], "/benefits/WEB-1?saved=created");
        // The profile form: problems by line, then saved.
        let r = ta
            .send(post(
                "/benefits/WEB-1/profile",
                format!("csrf={csrf}&version=1&year_1=2026%2F27&planned_1=ten&realised_1=&year_2=2026&planned_2=5&realised_2=&year_3=&planned_3=&realised_3="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-planned_1-error\""), "{}", r.body);
        let r = ta
            .send(post(
                "/benefits/WEB-1/profile",
                format!("csrf={csrf}&version=1&year_1=2026%2F27&planned_1=10&realised_1=&year_2=2026&planned_2=5&realised_2=&year_3=&planned_3=&realised_3="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-year_2-error\""), "{}", r.body);
        assert!(r.body.contains("value=\"2026\""), "what was typed is kept");
        let r = ta
            .send(post(
                "/benefits/WEB-1/profile",
                format!("csrf={csrf}&version=1&year_1=2026%2F27&planned_1=%C2%A3120%2C000.50&realised_1=&year_2=2027%2F28&planned_2=240000&realised_2="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = ta.send(get("/benefits/WEB-1")).await;
        assert!(page.body.contains("£360,000.50"), "{}", page.body);
        // Edit: a stale version is refused beside the form.
        let r = ta
            .send(post(
                "/benefits/WEB-1",
                format!("csrf={csrf}&version=1&title=Family+support+hub&kind=cashable&owner=&source=decision&source_ref=Cabinet&portfolio=WB&group=&baseline=&measure=&status=on-track&confidence=low&description="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("changed by someone else"), "{}", r.body);
        let r = ta
            .send(post(
                "/benefits/WEB-1",
                format!("csrf={csrf}&version=2&title=Family+support+hub&kind=cashable&owner=&source=decision&source_ref=Cabinet&portfolio=WB&group=&baseline=&measure=&status=on-track&confidence=low&description="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Clearing the profile, then deleting.
        let r = ta
            .send(post(
                "/benefits/WEB-1/profile",
                format!("csrf={csrf}&version=3&year_1=&planned_1=&realised_1="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(post(
                "/benefits/WEB-1/delete",
                format!("csrf={csrf}&version=4"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers[header::LOCATION], "/benefits?saved=deleted");

        // A member reads and cannot edit.
        let member = ta
            .sign_in("member@demo.example", "correct horse battery")
            .await;
        let as_member = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &member)
                .body(Body::empty())
                .unwrap()
        };
        for path in [
            "/benefits",
            "/benefits/RS2018-PE",
            "/savings",
            "/finance/gap",
        ] {
            let r = ta.send(as_member(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !r.body.contains("Edit this") && !r.body.contains("Add a benefit"),
                "{path}"
            );
        }
        for path in [
            "/benefits/new",
            "/benefits/RS2018-PE/edit",
            "/benefits/RS2018-PE/profile",
        ] {
            assert_eq!(
                ta.send(as_member(path)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
}

/// The demo's action plan through the API (plans with summaries, a plan by
/// recommendation, actions filtered and overdue on an injected day, one action
/// created, changed, reported on and deleted) and the staff pages (lists,
/// plan and action pages, forms with errors beside their fields, exceptions,
/// outcome and service pages).
#[tokio::test]
async fn action_plans_through_the_api_and_their_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let cli = ta.cli();
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        for kind in goldthread_app::actions::ActionsKind::ALL {
            ta.app
                .import_actions(&cli, *kind, &Source::Dir(dir.clone()), false, "demo")
                .await
                .unwrap();
        }
        // Two risks an action may mitigate.
        let risks = "code,title,category,cause,event,effect,owner,outcomes,services,programme,review,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,target_likelihood,target_impact,review_date,status\nR1,One,delivery,,,,,,,,,2,2,1,1,1,1,,open\nR2,Two,delivery,,,,,,,,,2,2,1,1,1,1,,open\n";
        ta.app
            .import_risks(
                &cli,
                goldthread_app::risks::RiskTable::Risks,
                &Source::Csv([("risks.csv".to_string(), risks.as_bytes().to_vec())].into()),
                false,
                "t",
            )
            .await
            .unwrap();
        let tok = ta.token("admin@demo.example").await;
        let get = |path: &str| {
            let path = path.to_string();
            let tok = tok.clone();
            let ta = &ta;
            async move { ta.api(Method::GET, &path, &tok, None).await }
        };

        // Plans with their summaries on the day.
        let r = get("/api/v1/action-plans?today=2026-11-23").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let plan = &r.json()["items"][0];
        assert_eq!(plan["code"], "BV18");
        assert_eq!(plan["summary"]["actions"], 18);
        assert_eq!(plan["summary"]["complete"], 12);
        assert_eq!(plan["summary"]["overdue"], 2);
        // Before any due date, nothing is overdue.
        let r = get("/api/v1/action-plans?today=2018-03-31").await;
        assert_eq!(r.json()["items"][0]["summary"]["overdue"], 0);
        let r = get("/api/v1/action-plans?today=2018-04-01").await;
        assert_eq!(
            r.json()["items"][0]["summary"]["overdue"],
            0,
            "A-i is complete"
        );
        let r = get("/api/v1/action-plans?today=not-a-day").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["details"][0]["field"], "today");

        // A plan recommendation by recommendation.
        let r = get("/api/v1/action-plans/BV18?today=2026-11-23").await;
        assert_eq!(r.status, StatusCode::OK);
        let d = r.json();
        assert_eq!(d["recommendations"].as_array().unwrap().len(), 4);
        assert_eq!(d["recommendations"][1]["actions"][3]["code"], "BV18-D-iv");
        assert_eq!(
            d["recommendations"][1]["actions"][3]["services"],
            json!(["CS-PROC"])
        );
        assert_eq!(
            get("/api/v1/action-plans/NOPE").await.status,
            StatusCode::NOT_FOUND
        );

        // Overdue actions: a separate filter (the /exceptions JSON keeps its shape).
        let r = get("/api/v1/actions?overdue=true&today=2026-11-23").await;
        let codes: Vec<String> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes, ["BV18-A-iv-b", "BV18-D-i"]);
        assert_eq!(r.json()["items"][0]["overdue"], true);
        assert_eq!(r.json()["items"][0]["days_overdue"], 3068);
        let ex = get("/api/v1/exceptions?today=2026-11-23").await.json();
        assert!(ex["items"].is_array() && ex.as_object().unwrap().len() == 1);
        let r = get("/api/v1/actions?status=in-progress&plan=BV18").await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 6);
        let r = get("/api/v1/actions?service=PE-CITYDEAL").await;
        assert_eq!(r.json()["items"][0]["code"], "BV18-E-iii");
        let r = get("/api/v1/actions?lead=Depute%20Chief%20Executive").await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
        let r = get("/api/v1/actions?status=done").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["details"][0]["field"], "status");

        // One action: created, read, changed, reported on, deleted; each audited.
        let audit = ta.audit_rows().await;
        let body = json!({"code": "BV18-G-i", "plan": "BV18", "recommendation": "4",
            "title": "report progress on this plan to Council", "lead": "Chief Executive",
            "due": "2026-12-31", "timescale": "December 2026", "status": "in-progress",
            "percent_complete": "20", "services": ["CS-PERF"], "outcomes": ["CP6"]});
        let r = ta
            .api(Method::POST, "/api/v1/actions", &tok, Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["percent_complete"], 20);
        assert_eq!(
            r.json()["plan_title"],
            "Clackmannanshire Council Best Value Assurance Report, 2018 – Action Plan"
        );
        let r = ta
            .api(Method::POST, "/api/v1/actions", &tok, Some(body.clone()))
            .await;
        assert_eq!(r.json()["error"]["code"], "duplicate");
        let mut bad = body.clone();
        bad["code"] = json!("BV18-G-ii");
        bad["status"] = json!("complete");
        bad["recommendation"] = json!("7");
        let r = ta
            .api(Method::POST, "/api/v1/actions", &tok, Some(bad))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["recommendation", "percent_complete"]);
        let r = get("/api/v1/actions/BV18-G-i?today=2027-01-01").await;
        assert_eq!(
            (
                r.json()["overdue"].clone(),
                r.json()["days_overdue"].clone()
            ),
            (json!(true), json!(1))
        );
        let mut change = body.clone();
        change["status"] = json!("complete");
        change["percent_complete"] = json!(null);
        change["version"] = json!(1);
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/actions/BV18-G-i",
                &tok,
                Some(change.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["version"].clone(),
                r.json()["percent_complete"].clone()
            ),
            (json!(2), json!(100))
        );
        let r = ta
            .api(Method::PUT, "/api/v1/actions/BV18-G-i", &tok, Some(change))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/actions/BV18-G-i/progress?today=2026-12-01",
                &tok,
                Some(json!({"text": "Reported to Council"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let note = &r.json()["progress"][0];
        assert_eq!(
            (note["date"].clone(), note["by"].clone()),
            (json!("2026-12-01"), json!("Alex Admin"))
        );
        let r = ta
            .api(
                Method::POST,
                "/api/v1/actions/BV18-G-i/progress",
                &tok,
                Some(json!({"text": ""})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = ta
            .api(
                Method::DELETE,
                "/api/v1/actions/BV18-G-i?version=2",
                &tok,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(
            get("/api/v1/actions/BV18-G-i").await.status,
            StatusCode::NOT_FOUND
        );
        // create, update, progress, delete.
        assert_eq!(ta.audit_rows().await, audit + 4);

        // The staff pages.
        ta.app
            .add_user(
                &ta.tenant,
                &PersonInput {
                    email: "admin@demo.example".into(),
                    name: "Alex Admin".into(),
                    role: "admin".into(),
                    ..Default::default()
                },
                Some("correct horse battery"),
            )
            .await
            .ok();
        let cookie = ta
            .sign_in("admin@demo.example", "correct horse battery")
            .await;
        let page = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let r = ta.send(page("/actions")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains("href=\"/actions\" aria-current=\"page\">Actions</a>")
                && r.body.contains("/action-plans/BV18")
                && r.body.contains("2 overdue")
                && r.body.contains("Overdue by ")
                && r.body.contains("18 of 18 actions shown")
                && r.body.contains("Add an action"),
            "{}",
            r.body
        );
        let r = ta.send(page("/actions?overdue=yes&plan=BV18")).await;
        assert!(r.body.contains("2 of 18 actions shown"), "{}", r.body);
        let r = ta
            .send(page(
                "/actions?lead=Head+of+Resources+%26+Governance&status=complete",
            ))
            .await;
        assert!(r.body.contains("2 of 18 actions shown"), "{}", r.body);
        let r = ta.send(page("/action-plans/BV18")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Recommendation 4")
                && r.body.contains("Councillors and officers should build")
                && r.body.contains("BV18-F-iii"),
            "{}",
            r.body
        );
        assert_eq!(
            ta.send(page("/action-plans/NOPE")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = ta.send(page("/actions/BV18-A-iv-b")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Developing a programme of digitisation")
                && r.body.contains("Overdue by ")
                && r.body
                    .contains("Illustrative: the first digital projects are under way")
                && r.body.contains("/services/CS-DIGITAL")
                && r.body.contains("Edit this action")
                && r.body.contains("Add a progress note"),
            "{}",
            r.body
        );
        let r = ta.send(page("/exceptions")).await;
        assert!(
            r.body.contains("Overdue actions (2)") && r.body.contains("/actions/BV18-D-i"),
            "{}",
            r.body
        );
        let r = ta.send(page("/services/CS-PROC")).await;
        assert!(
            r.body.contains("Actions linked to this service")
                && r.body.contains("/actions/BV18-D-iv"),
            "{}",
            r.body
        );
        let r = ta.send(page("/outcomes/LO4")).await;
        assert!(
            r.body.contains("Actions linked to this outcome")
                && r.body.contains("/actions/BV18-D-v"),
            "{}",
            r.body
        );
        // The One Report lists the outcome's open actions.
        let r = ta
            .send(page("/report/view?period=2025%2F26&outcome=LO4"))
            .await;
        assert!(
            r.body.contains("Actions for this outcome")
                && r.body
                    .contains("BV18-D-v — facilitates applications for asset transfer"),
            "{}",
            r.body
        );

        // The forms: errors beside their fields (422), what was typed kept.
        let form = ta.send(page("/actions/new?plan=BV18")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains("value=\"BV18/4\""), "{}", form.body);
        let csrf = csrf_of(&form.body);
        let post = |path: &str, body: String| {
            Request::post(path)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let r = ta
            .send(post(
                "/actions",
                format!("csrf={csrf}&code=BV18-H&recommendation=&title=&status=complete&percent_complete=50&due=2026-02-30"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["recommendation", "title", "due", "percent_complete"] {
            assert!(
                r.body.contains(&format!("id=\"f-{f}-error\"")),
                "{f}: {}",
                r.body
            );
        }
        assert!(
            r.body.contains("value=\"BV18-H\""),
            "what was typed is kept"
        );
        let r = ta
            .send(post(
                "/actions",
                format!("csrf={csrf}&code=BV18-H&recommendation=BV18%2F2&title=publish+the+standards&lead=Chief+Executive&status=in-progress&percent_complete=10&due=2027-03-31&services=CS-PERF&outcomes=CP6&risks=R1%3B+R2"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers[header::LOCATION], "/actions/BV18-H?saved=created");
        let r = ta.send(page("/actions/BV18-H?saved=created")).await;
        assert!(
            r.body.contains("Created.") && r.body.contains("R1, R2"),
            "{}",
            r.body
        );
        // The risk's page lists the action that mitigates it; so does the API.
        let r = ta.send(page("/risks/R1")).await;
        assert!(
            r.body.contains("Actions mitigating this risk") && r.body.contains("BV18-H"),
            "{}",
            r.body
        );
        let r = ta
            .api(Method::GET, "/api/v1/actions?risk=R2", &tok, None)
            .await
            .json();
        assert_eq!(r["items"][0]["code"], "BV18-H");
        assert_eq!(r["items"].as_array().unwrap().len(), 1);
        let r = ta.send(page("/actions/BV18-H/edit")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("name=\"version\" value=\"1\""));
        let r = ta
            .send(post(
                "/actions/BV18-H",
                format!("csrf={csrf}&version=1&recommendation=BV18%2F2&title=publish+the+standards&status=not-started&percent_complete=30"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"f-percent_complete-error\""),
            "{}",
            r.body
        );
        let r = ta
            .send(post(
                "/actions/BV18-H",
                format!("csrf={csrf}&version=1&recommendation=BV18%2F2&title=publish+the+standards&status=complete&services=CS-PERF"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta.send(page("/actions/BV18-H/progress")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("value=\"Alex Admin\""), "{}", r.body);
        let r = ta
            .send(post(
                "/actions/BV18-H/progress",
                format!("csrf={csrf}&date=2027-02-30&by=&text="),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["date", "text"] {
            assert!(
                r.body.contains(&format!("id=\"f-{f}-error\"")),
                "{f}: {}",
                r.body
            );
        }
        // An empty "by" is the person signed in.
        assert!(!r.body.contains("id=\"f-by-error\""));
        let r = ta
            .send(post(
                "/actions/BV18-H/progress",
                format!("csrf={csrf}&date=2027-03-01&by=Chief+Executive&text=Standards+published"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers[header::LOCATION],
            "/actions/BV18-H?saved=progress"
        );
        let r = ta.send(page("/actions/BV18-H?saved=progress")).await;
        assert!(
            r.body.contains("Progress note added.") && r.body.contains("Standards published"),
            "{}",
            r.body
        );
        let r = ta
            .send(post(
                "/actions/BV18-H/delete",
                format!("csrf={csrf}&version=2"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers[header::LOCATION], "/actions?saved=deleted");

        // A member reads the pages but is offered no change and refused the forms.
        ta.app
            .add_user(
                &ta.tenant,
                &PersonInput {
                    email: "member@demo.example".into(),
                    name: "Isla Buchanan".into(),
                    role: "member".into(),
                    ..Default::default()
                },
                Some("correct horse battery"),
            )
            .await
            .ok();
        let member = ta
            .sign_in("member@demo.example", "correct horse battery")
            .await;
        let as_member = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &member)
                .body(Body::empty())
                .unwrap()
        };
        for path in ["/actions", "/action-plans/BV18", "/actions/BV18-C"] {
            let r = ta.send(as_member(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !r.body.contains("Edit this") && !r.body.contains("Add an action"),
                "{path}"
            );
        }
        for path in [
            "/actions/new",
            "/actions/BV18-C/edit",
            "/actions/BV18-C/progress",
            "/action-plans/new",
            "/action-plans/BV18/edit",
            "/action-plans/BV18/recommendations/new",
            "/action-plans/BV18/recommendations/1/edit",
        ] {
            assert_eq!(
                ta.send(as_member(path)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }

        // Plans and recommendations by form (the centre).
        let r = ta.send(page("/actions")).await;
        assert!(r.body.contains("href=\"/action-plans/new\""));
        let r = ta
            .send(post(
                "/action-plans",
                format!("csrf={csrf}&code=SA26&title=&source=&approved=2026-02-30"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["title", "approved"] {
            assert!(
                r.body.contains(&format!("id=\"f-{f}-error\"")),
                "{f}: {}",
                r.body
            );
        }
        let r = ta
            .send(post(
                "/action-plans",
                format!("csrf={csrf}&code=SA26&title=Self-assessment+2026&source=Best+Value+self-assessment+2026&owner=admin%40demo.example"),
            ))
            .await;
        assert_eq!(
            r.headers[header::LOCATION],
            "/action-plans/SA26?saved=created"
        );
        let r = ta
            .send(post(
                "/action-plans/SA26/recommendations",
                format!("csrf={csrf}&code=1&text=Strengthen+scrutiny"),
            ))
            .await;
        assert_eq!(
            r.headers[header::LOCATION],
            "/action-plans/SA26?saved=created"
        );
        let r = ta.send(page("/action-plans/SA26?saved=created")).await;
        for text in [
            "Created.",
            "Strengthen scrutiny",
            "Edit this plan",
            "Edit or delete recommendation 1",
        ] {
            assert!(r.body.contains(text), "{text}");
        }
        let r = ta
            .send(post(
                "/action-plans/SA26/recommendations/1",
                format!("csrf={csrf}&text=Strengthen+member+scrutiny&version=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(post(
                "/action-plans/SA26/delete",
                format!("csrf={csrf}&version=1"),
            ))
            .await;
        assert!(r.body.contains("1 recommendation(s)"), "{}", r.body);
        let r = ta
            .send(post(
                "/action-plans/SA26/recommendations/1/delete",
                format!("csrf={csrf}&version=2"),
            ))
            .await;
        assert_eq!(
            r.headers[header::LOCATION],
            "/action-plans/SA26?saved=deleted"
        );
        let r = ta
            .send(post(
                "/action-plans/SA26/delete",
                format!("csrf={csrf}&version=1"),
            ))
            .await;
        assert_eq!(r.headers[header::LOCATION], "/actions?saved=deleted");
    }
}

/// A programme `P` with workstream `W`, imported as the CLI.
async fn programme_for_tests(ta: &TestApp) {
    use goldthread_app::programmes::ProgrammeTable;
    use goldthread_app::tables::DataTable;
    for (t, body) in [
        (
            ProgrammeTable::Programmes,
            "code,title,sponsor,lead,start,end,description\nP,Programme,,,2026-01-01,,\n",
        ),
        (
            ProgrammeTable::Workstreams,
            "programme,code,title,lead\nP,W,Workstream,\n",
        ),
    ] {
        let source = goldthread_io::Source::Csv(std::collections::BTreeMap::from([(
            format!("{}.csv", t.name()),
            body.as_bytes().to_vec(),
        )]));
        ta.app
            .import_table(&ta.cli(), DataTable::Programme(t), &source, false, "t")
            .await
            .unwrap();
    }
    // A benefit an initiative may deliver.
    let benefits = "code,title,kind,owner,source,source_ref,portfolio,baseline,measure,status,confidence,description,group\nBEN-1,Depot saving,cashable,,project,,PE,,,planned,medium,,\n";
    ta.app
        .import_table(
            &ta.cli(),
            DataTable::Benefits(goldthread_app::benefits::BenefitsFile::Benefits),
            &Source::Csv([("benefits.csv".to_string(), benefits.as_bytes().to_vec())].into()),
            false,
            "t",
        )
        .await
        .unwrap();
}

/// The transformation programme through the API (programmes with summaries,
/// initiatives with filters, create, change, delete; field errors) and the
/// pages (register with filters, programme, initiative, forms with errors
/// beside fields, initiatives on outcome and service pages).
#[tokio::test]
async fn programmes_through_the_api_and_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        programme_for_tests(&ta).await;
        let tok = ta.token("performance@demo.example").await;
        let r = ta
            .api(
                Method::POST,
                "/api/v1/initiatives",
                &tok,
                Some(json!({"code": "I-1", "programme": "P", "workstream": "W",
                    "title": "Depot move", "stage": "implementation", "rag": "amber",
                    "start": "2026-01-01", "end": "2026-03-31", "budget_pence": 1250050,
                    "outcomes": ["LO1"], "services": ["PE-WASTE"], "benefits": ["BEN-1"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["late"], true, "{}", r.body);
        let r = ta
            .api(
                Method::POST,
                "/api/v1/initiatives",
                &tok,
                Some(
                    json!({"code": "I-2", "programme": "P", "workstream": "NOPE",
                    "title": "", "stage": "closed", "rag": "green", "risks": ["R9"]}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            ["title", "end", "workstream", "risks"],
            "{}",
            r.body
        );
        let l = ta
            .api(
                Method::GET,
                "/api/v1/programmes?today=2026-03-31",
                &tok,
                None,
            )
            .await;
        assert_eq!(l.status, StatusCode::OK, "{}", l.body);
        let l = l.json();
        let p = &l["items"][0];
        assert_eq!(p["code"], "P");
        assert_eq!(p["workstreams"][0]["code"], "W");
        assert_eq!(p["summary"]["initiatives"], 1);
        assert_eq!(p["summary"]["by_stage"]["implementation"], 1);
        assert_eq!(p["summary"]["by_rag"]["amber"], 1);
        assert_eq!(p["summary"]["late"], 0, "not late on its end date");
        assert_eq!(p["summary"]["budget_pence"], 1250050);
        let d = ta
            .api(Method::GET, "/api/v1/programmes/P", &tok, None)
            .await;
        assert_eq!(d.json()["summary"]["late"], 1);
        assert_eq!(
            ta.api(Method::GET, "/api/v1/programmes/NOPE", &tok, None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        for (q, n) in [
            ("?stage=implementation&service=PE-WASTE", 1),
            ("?rag=red", 0),
            ("?late=true&today=2026-04-01", 1),
            ("?late=true&today=2026-03-31", 0),
            ("?outcome=LO2", 0),
        ] {
            let l = ta
                .api(Method::GET, &format!("/api/v1/initiatives{q}"), &tok, None)
                .await;
            assert_eq!(l.status, StatusCode::OK, "{q}: {}", l.body);
            assert_eq!(l.json()["items"].as_array().unwrap().len(), n, "{q}");
        }
        let i = ta
            .api(Method::GET, "/api/v1/initiatives/I-1", &tok, None)
            .await
            .json();
        assert_eq!(i["version"], 1);
        let mut put = i.clone();
        put["stage"] = json!("closed");
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/initiatives/I-1",
                &tok,
                Some(put.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["late"], false, "closed is never late");
        let r = ta
            .api(Method::PUT, "/api/v1/initiatives/I-1", &tok, Some(put))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

        // The pages, signed in.
        let p = PersonInput {
            email: "performance@demo.example".into(),
            name: "Ross Paterson".into(),
            role: "performance-officer".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&ta.tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        let cookie = ta
            .sign_in("performance@demo.example", "correct horse battery")
            .await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        for (path, text) in [
            ("/programmes", "I-1 — Depot move"),
            (
                "/programmes?stage=closed&rag=amber",
                "Initiatives matching the filter in P (1 of 1)",
            ),
            ("/programmes?rag=red", "No initiative matches."),
            ("/programmes/P", "Initiatives in workstream W"),
            ("/initiatives/I-1", "£12,500.50"),
            ("/initiatives/new", "Add an initiative"),
            ("/initiatives/I-1/edit", "Edit I-1 — Depot move"),
            ("/outcomes/LO1", "I-1 — Depot move"),
            ("/services/PE-WASTE", "I-1 — Depot move"),
            ("/exceptions", "Late initiatives"),
        ] {
            let r = ta.send(get(path)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(text), "{path}: {text}");
        }
        let form = ta.send(get("/initiatives/new")).await;
        let csrf = csrf_of(&form.body);
        let post = |body: String| {
            Request::post("/initiatives")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let r = ta
            .send(post(format!(
                "csrf={csrf}&code=I-3&title=New+depot&workstream=P%2FW&stage=planned&rag=green&start=2026-05-01&end=2026-04-01&budget=12.345&services=PE-WASTE"
            )))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-budget-error\""), "{}", r.body);
        assert!(
            r.body.contains("value=\"New depot\""),
            "kept what was typed"
        );
        let r = ta
            .send(post(format!(
                "csrf={csrf}&code=I-3&title=New+depot&workstream=P%2FW&stage=planned&rag=green&start=2026-05-01&end=2026-04-01&services=PE-WASTE"
            )))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-end-error\""), "{}", r.body);
        let r = ta
            .send(post(format!(
                "csrf={csrf}&code=I-3&title=New+depot&workstream=P%2FW&stage=planned&rag=green&start=2026-05-01&end=2026-09-30&budget=500&services=PE-WASTE&benefits=BEN-1"
            )))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let i = ta
            .api(Method::GET, "/api/v1/initiatives/I-3", &tok, None)
            .await
            .json();
        assert_eq!(i["budget_pence"], 50000);
        assert_eq!(i["benefits"], json!(["BEN-1"]));
        let r = ta.send(get("/initiatives/I-3")).await;
        assert!(r.body.contains("href=\"/benefits/BEN-1\""), "benefits link");
        // The benefit it delivers is on the service's page, saying how.
        let r = ta.send(get("/services/PE-WASTE")).await;
        assert!(
            r.body.contains("BEN-1 — Depot saving")
                && r.body.contains("Delivered by initiative I-3"),
            "{}",
            r.body
        );

        // Programmes and workstreams by form: errors beside fields, then
        // saved, shown, refused while in use, deleted.
        let send = |path: &str, body: String| {
            Request::post(path)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let r = ta.send(get("/programmes/new")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Add a programme"));
        let r = ta
            .send(send(
                "/programmes",
                format!(
                    "csrf={csrf}&code=P2&title=&start=2026-13-01&sponsor=nobody%40demo.example"
                ),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["title", "start", "sponsor"] {
            assert!(
                r.body.contains(&format!("id=\"f-{f}-error\"")),
                "{f}: {}",
                r.body
            );
        }
        assert!(r.body.contains("value=\"P2\""), "kept what was typed");
        let r = ta
            .send(send(
                "/programmes",
                format!("csrf={csrf}&code=P2&title=Second+programme&start=2026-04-01&description=By+form"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers[header::LOCATION], "/programmes/P2?saved=created");
        let r = ta.send(get("/programmes/P2?saved=created")).await;
        for text in [
            "Created.",
            "Edit this programme",
            "Add a workstream",
            "By form",
        ] {
            assert!(r.body.contains(text), "{text}");
        }
        let r = ta
            .send(send(
                "/programmes/P2/workstreams",
                format!("csrf={csrf}&code=W2&title=Wave+two"),
            ))
            .await;
        assert_eq!(r.headers[header::LOCATION], "/programmes/P2?saved=created");
        let r = ta.send(get("/programmes/P2/workstreams/W2/edit")).await;
        assert!(
            r.body.contains("Edit workstream W2 — Wave two"),
            "{}",
            r.body
        );
        let r = ta
            .send(send(
                "/programmes/P2/workstreams/W2",
                format!("csrf={csrf}&title=Wave+2&version=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = ta
            .send(send(
                "/programmes/P2/delete",
                format!("csrf={csrf}&version=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("1 workstream(s)"), "{}", r.body);
        let r = ta
            .send(send(
                "/programmes/P2/workstreams/W2/delete",
                format!("csrf={csrf}&version=2"),
            ))
            .await;
        assert_eq!(r.headers[header::LOCATION], "/programmes/P2?saved=deleted");
        let r = ta
            .send(send(
                "/programmes/P2/delete",
                format!("csrf={csrf}&version=1"),
            ))
            .await;
        assert_eq!(r.headers[header::LOCATION], "/programmes?saved=deleted");
        assert_eq!(
            ta.api(Method::GET, "/api/v1/programmes/P2", &tok, None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

/// Organisation design through the API and the pages: salaries and each
/// post's cost for admin, performance and HR officers only, totals for
/// everyone; unknown states answer 404 in the API's format; the pages show
/// the chart, the comparison (with the workbook for the few) and the
/// workforce view; the post form puts errors beside its fields.
#[tokio::test]
async fn organisation_design_through_the_api_and_pages() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let cli = ta.cli();
        use goldthread_app::org::OrgTable;
        use goldthread_app::tables::DataTable;
        let demo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        for table in OrgTable::ALL {
            let name = format!("{}.csv", table.name());
            let body = std::fs::read(demo.join(&name)).unwrap();
            let source = Source::Csv(std::collections::BTreeMap::from([(name, body)]));
            ta.app
                .import_table(&cli, DataTable::Org(*table), &source, false, "t")
                .await
                .unwrap();
        }
        let hr = ta.token("hr@demo.example").await;
        let member = ta.token("member@demo.example").await;
        let g = ta
            .api(Method::GET, "/api/v1/grades", &hr, None)
            .await
            .json();
        assert_eq!(g["items"][0]["code"], "CE");
        assert_eq!(g["items"][0]["max_salary_pence"], 13_200_000);
        let g = ta
            .api(Method::GET, "/api/v1/grades", &member, None)
            .await
            .json();
        assert!(g["items"][0]["max_salary_pence"].is_null());
        let p = ta
            .api(Method::GET, "/api/v1/posts/CE?state=immediate", &hr, None)
            .await
            .json();
        assert_eq!(p["cost_max_pence"], 17_160_000);
        let p = ta
            .api(
                Method::GET,
                "/api/v1/posts/CE?state=immediate",
                &member,
                None,
            )
            .await
            .json();
        assert!(p["cost_max_pence"].is_null() && p["title"] == "Chief Executive");
        let s = ta
            .api(
                Method::GET,
                "/api/v1/structure-states/immediate/summary",
                &member,
                None,
            )
            .await
            .json();
        assert_eq!(s["saving_min_pence"], 7_065_240);
        assert_eq!(s["saving_max_pence"], 12_758_460);
        let c = ta
            .api(
                Method::GET,
                "/api/v1/structure-states/compare?from=current&to=immediate",
                &member,
                None,
            )
            .await
            .json();
        assert_eq!(c["counts"]["added"], 6);
        assert_eq!(c["counts"]["deleted"], 7);
        let l = ta
            .api(Method::GET, "/api/v1/structure-states", &member, None)
            .await
            .json();
        assert_eq!(l["items"].as_array().unwrap().len(), 4);
        let r = ta
            .api(
                Method::GET,
                "/api/v1/structure-states/later/summary",
                &member,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"]["code"], "not_found");
        // A cycle through the API: a field error, nothing written.
        let audit = ta.audit_rows().await;
        let ce = ta
            .api(Method::GET, "/api/v1/posts/CE?state=immediate", &hr, None)
            .await
            .json();
        let mut put = ce.clone();
        put["reports_to"] = json!("SM-HR");
        let r = ta
            .api(
                Method::PUT,
                "/api/v1/posts/CE?state=immediate",
                &hr,
                Some(put),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["details"][0]["field"], "reports_to");
        assert_eq!(ta.audit_rows().await, audit);

        // The pages.
        for (email, role) in [
            ("hr@demo.example", "hr-officer"),
            ("member@demo.example", "member"),
        ] {
            let p = PersonInput {
                email: email.into(),
                name: "Someone".into(),
                role: role.into(),
                ..Default::default()
            };
            ta.app
                .add_user(&ta.tenant, &p, Some("correct horse battery"))
                .await
                .unwrap();
        }
        for (email, sees) in [("hr@demo.example", true), ("member@demo.example", false)] {
            let cookie = ta.sign_in(email, "correct horse battery").await;
            let get = |path: &str| {
                Request::get(path)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap()
            };
            for (path, text) in [
                ("/org", "£70,652.40 to £127,584.60"),
                ("/org/states/immediate", "Organisation chart"),
                (
                    "/org/states/immediate",
                    "Head of Service (Corporate Services)",
                ),
                (
                    "/org/compare?from=current&to=immediate",
                    "Changes post by post",
                ),
                (
                    "/org/workforce",
                    "By delivery model of the services managed",
                ),
                ("/org/grades", "Pay grades"),
            ] {
                let r = ta.send(get(path)).await;
                assert_eq!(r.status, StatusCode::OK, "{email} {path}");
                assert!(r.body.contains(text), "{email} {path}: {text}");
            }
            let r = ta.send(get("/org/states/immediate")).await;
            assert_eq!(r.body.contains("£171,600"), sees, "{email}: a post's cost");
            let r = ta.send(get("/org/grades")).await;
            assert_eq!(r.body.contains("£132,000"), sees, "{email}: salaries");
            let r = ta
                .send(get("/org/compare.xlsx?from=current&to=immediate"))
                .await;
            assert_eq!(r.status.is_success(), sees, "{email}: workbook");
            let r = ta.send(get("/org/posts/new?state=immediate")).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        // A state's details: HR may set the current state's actual cost,
        // and the saving is then measured from it; members may not.
        let member = ta
            .sign_in("member@demo.example", "correct horse battery")
            .await;
        let r = ta
            .send(
                Request::get("/org/states/current/details")
                    .header(header::COOKIE, &member)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let cookie = ta.sign_in("hr@demo.example", "correct horse battery").await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let r = ta.send(get("/org/states/current/details")).await;
        assert_eq!(r.status, StatusCode::OK);
        {
            let csrf = csrf_of(&r.body);
            let version = r
                .body
                .split("name=\"version\" value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap_or_default()
                .to_string();
            let post = |body: String| {
                Request::post("/org/states/current/details")
                    .header(header::COOKIE, &cookie)
                    .header("sec-fetch-site", "same-origin")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap()
            };
            let r = ta
                .send(post(format!(
                    "csrf={csrf}&version={version}&effective=2026-02-31&actual_cost=lots"
                )))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            for f in ["effective", "actual_cost"] {
                assert!(r.body.contains(&format!("id=\"f-{f}-error\"")), "{f}");
            }
            let r = ta
                .send(post(format!(
                    "csrf={csrf}&version={version}&effective=2026-02-01&description=As+paid&actual_cost=1900000"
                )))
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = ta.send(get("/org/states/immediate")).await;
            assert!(r.body.contains("£1,900,000"), "{}", r.body);
        }
    }
}

/// Every response carries a request id (the caller's own kept), and the
/// readiness probe says the database is reachable and migrated.
#[tokio::test]
async fn requests_have_ids_and_the_service_reports_ready() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        let a = ta.send(get("/healthz")).await;
        let b = ta.send(get("/healthz")).await;
        let id = |r: &Reply| {
            r.headers
                .get("x-request-id")
                .expect("x-request-id on the response")
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(id(&a).len(), 36, "a UUID: {}", id(&a));
        assert_ne!(id(&a), id(&b), "each request its own id");
        let mine = ta
            .send(
                Request::get("/api/v1/me")
                    .header("x-request-id", "support-ticket-42")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(mine.status, StatusCode::UNAUTHORIZED);
        assert_eq!(id(&mine), "support-ticket-42");
        let r = ta.send(get("/readyz")).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    }
}

/// Sixteen clients change the same record through the API at once, each
/// reading it, adding one to a counter kept in its description and writing it
/// back with the version read (retrying on 409). No update is lost: the final
/// counter equals the number of writes accepted; every refusal is a 409 and
/// nothing answers 5xx; SQLite's busy/locked errors never reach a client.
/// `GOLDTHREAD_CONCURRENCY_SECS` sets how long (default 30 seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_editing_one_record_lose_no_update() {
    let secs: u64 = std::env::var("GOLDTHREAD_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    for t in databases().await {
        let backend = t.backend();
        let ta = std::sync::Arc::new(TestApp::new(t).await);
        let tok = std::sync::Arc::new(ta.token("admin@demo.example").await);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        let mut clients = Vec::new();
        for _ in 0..16 {
            let (ta, tok) = (ta.clone(), tok.clone());
            clients.push(tokio::spawn(async move {
                let (mut accepted, mut conflicts, mut other) = (0u64, 0u64, Vec::new());
                while std::time::Instant::now() < until {
                    let r = ta.api(Method::GET, "/api/v1/outcomes/LO1", &tok, None).await;
                    if r.status != StatusCode::OK {
                        other.push(format!("GET {} {}", r.status, r.body));
                        continue;
                    }
                    let o = r.json();
                    let n: u64 = o["description"].as_str().unwrap_or("").parse().unwrap_or(0);
                    let mut body = o.clone();
                    body["description"] = json!((n + 1).to_string());
                    let body = json!({"code": "LO1", "title": o["title"], "kind": o["kind"],
                        "links": o["links"], "description": body["description"], "version": o["version"]});
                    let w = ta
                        .api(Method::PUT, "/api/v1/outcomes/LO1", &tok, Some(body))
                        .await;
                    match w.status {
                        StatusCode::OK => accepted += 1,
                        StatusCode::CONFLICT => {
                            assert_eq!(w.json()["error"]["code"], "conflict", "{}", w.body);
                            conflicts += 1
                        }
                        s => other.push(format!("PUT {s} {}", w.body)),
                    }
                }
                (accepted, conflicts, other)
            }));
        }
        let (mut accepted, mut conflicts) = (0, 0);
        for c in clients {
            let (a, k, other) = c.await.unwrap();
            assert!(other.is_empty(), "{backend:?}: {other:?}");
            accepted += a;
            conflicts += k;
        }
        let o = ta
            .api(Method::GET, "/api/v1/outcomes/LO1", &tok, None)
            .await
            .json();
        let n: u64 = o["description"].as_str().unwrap().parse().unwrap();
        assert!(accepted > 0, "{backend:?}: some writes accepted");
        assert_eq!(
            n, accepted,
            "{backend:?}: no lost update ({conflicts} conflicts)"
        );
        assert_eq!(
            o["version"].as_i64().unwrap() as u64,
            accepted + 1,
            "{backend:?}"
        );
        println!("{backend:?}: {accepted} writes accepted, {conflicts} answered 409 in {secs} s");
    }
}

/// Every API operation in the OpenAPI document (so a new route cannot be
/// missed), for an anonymous caller and for every role: anonymous callers are
/// refused with 401 unless the operation is documented as public; signed-in
/// callers never see a 5xx or a 401; the read-only roles (member, auditor)
/// never have a write accepted, no refused write leaves an audit row, and no
/// operation takes an empty body as a whole record (the walk found one that
/// answered 500 instead of a field error).
#[tokio::test]
async fn every_api_operation_for_every_role_and_anonymous() {
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let doc = ta
            .send(
                Request::get("/api/openapi.json")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .json();
        // Every reference in the document resolves (a client generator or
        // schemathesis refuses the document otherwise).
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref") {
                        out.push(r.clone());
                    }
                    o.values().for_each(|x| refs(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in &all {
            assert!(
                doc.pointer(r.trim_start_matches('#')).is_some(),
                "unresolved {r}"
            );
        }
        let (mut ops, mut blanks) = (Vec::new(), Vec::new());
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let public = op
                    .get("security")
                    .and_then(|s| s.as_array())
                    .is_some_and(|s| {
                        s.is_empty()
                            || s.iter()
                                .any(|x| x.as_object().is_some_and(|o| o.is_empty()))
                    });
                // Path parameters get a value that names nothing.
                let mut p = path.clone();
                while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
                    p.replace_range(a..=b, "NOPE");
                }
                // A body with every documented field blank, for writes.
                let mut blank = serde_json::Map::new();
                let mut schemas: Vec<Value> = op
                    .pointer("/requestBody/content/application~1json/schema")
                    .cloned()
                    .into_iter()
                    .collect();
                while let Some(sch) = schemas.pop() {
                    let sch = match sch.get("$ref").and_then(|r| r.as_str()) {
                        Some(r) => doc
                            .pointer(r.trim_start_matches('#'))
                            .cloned()
                            .unwrap_or_default(),
                        None => sch,
                    };
                    for k in ["allOf", "oneOf", "anyOf"] {
                        if let Some(parts) = sch.get(k).and_then(|v| v.as_array()) {
                            schemas.extend(parts.iter().cloned());
                        }
                    }
                    if let Some(props) = sch.get("properties").and_then(|v| v.as_object()) {
                        for (name, prop) in props {
                            let ty = prop.get("type").map(|t| t.to_string()).unwrap_or_default();
                            if ty.contains("array") {
                                blank.insert(name.clone(), json!([]));
                            } else if !["integer", "number", "boolean", "object"]
                                .iter()
                                .any(|t| ty.contains(t))
                            {
                                blank.insert(name.clone(), json!(""));
                            }
                        }
                    }
                }
                blanks.push((method.to_uppercase(), p.clone(), Value::Object(blank)));
                ops.push((method.to_uppercase(), p, public));
            }
        }
        assert!(ops.len() > 100, "{} operations", ops.len());
        let mut accepted = Vec::new();
        let mut tokens = vec![(None, "anonymous")];
        let admin = ta.token("admin@demo.example").await;
        for (role, email, _) in ROLES {
            tokens.push((Some(ta.token(email).await), role));
        }
        for (tok, role) in &tokens {
            for (method, path, public) in &ops {
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                let mut req = Request::builder().method(m.clone()).uri(path.as_str());
                if let Some(t) = tok {
                    req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
                }
                let body = if m == Method::GET || m == Method::DELETE {
                    Body::empty()
                } else {
                    req = req.header(header::CONTENT_TYPE, "application/json");
                    Body::from("{}")
                };
                let audit_before = ta.audit_rows().await;
                let r = ta.send(req.body(body).unwrap()).await;
                if r.status.is_success() && m != Method::GET {
                    accepted.push(format!("{role} {method} {path}"));
                } else {
                    assert_eq!(
                        ta.audit_rows().await,
                        audit_before,
                        "{role} {method} {path}: a refused write left an audit row"
                    );
                }
                assert!(
                    !r.status.is_server_error(),
                    "{role} {method} {path}: {} {}",
                    r.status,
                    r.body
                );
                if tok.is_none() && !public {
                    assert_eq!(
                        r.status,
                        StatusCode::UNAUTHORIZED,
                        "anonymous {method} {path}"
                    );
                }
                if tok.is_some() {
                    assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{role} {method} {path}");
                }
                if matches!(*role, "member" | "auditor" | "anonymous") && m != Method::GET {
                    assert!(
                        !r.status.is_success(),
                        "{role} {method} {path} was accepted: {}",
                        r.body
                    );
                }
            }
        }
        // Nothing in the API takes an empty body as a whole record.
        assert!(
            accepted.is_empty(),
            "accepted with an empty body: {accepted:#?}"
        );
        // Every documented field blank: a field error, never a 5xx, nothing
        // written by a refusal (schemathesis found two that answered 500).
        for (method, path, body) in &blanks {
            if method == "GET"
                || method == "DELETE"
                || body.as_object().is_none_or(|o| o.is_empty())
            {
                continue;
            }
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let before = ta.audit_rows().await;
            let r = ta.api(m, path, &admin, Some(body.clone())).await;
            assert!(
                !r.status.is_server_error(),
                "{method} {path} {body}: {} {}",
                r.status,
                r.body
            );
            if !r.status.is_success() {
                assert_eq!(ta.audit_rows().await, before, "{method} {path}");
            }
        }
    }
}

/// Every page route, read from the router's source (every `.route(…, get(…))`
/// in this crate, so a new page cannot be missed), fetched as an anonymous
/// caller, as every role of the council, and as another council's
/// administrator: anonymous callers are sent to sign in (only the public site
/// and the sign-in page answer them), nobody gets a server error, a signed-in
/// user is never sent to sign in, and the other council never sees this one's
/// records (its codes answer 404 or 403, and no page shows them).
#[tokio::test]
async fn every_page_for_every_role_anonymous_and_another_council() {
    fn page_routes() -> Vec<String> {
        let mut files = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut routes = std::collections::BTreeSet::new();
        while let Some(f) = files.pop() {
            if f.is_dir() {
                files.extend(std::fs::read_dir(&f).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if f.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find(".route(") {
                rest = &rest[i + ".route(".len()..];
                let Some(q) = rest.find('"') else { break };
                if !rest[..q].trim().is_empty() {
                    continue;
                }
                let path_end = rest[q + 1..].find('"').unwrap() + q + 1;
                let path = &rest[q + 1..path_end];
                // The route's method router: up to the parenthesis closing `.route(`.
                let mut depth = 1;
                let end = rest[path_end + 1..]
                    .char_indices()
                    .find(|(_, ch)| {
                        match ch {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(rest.len(), |(i, _)| path_end + 1 + i);
                let call = &rest[path_end..end];
                if call.contains("get(") && !path.starts_with("/api") {
                    routes.insert(path.to_string());
                }
            }
        }
        routes.into_iter().collect()
    }
    let routes = page_routes();
    assert!(routes.len() > 80, "{routes:?}");
    for t in databases().await {
        let ta = TestApp::new(t).await;
        let password = "correct horse battery";
        let mut callers: Vec<(String, Option<String>)> = vec![("anonymous".into(), None)];
        for (role, email, _) in ROLES {
            let email_addr = goldthread_domain::Email::parse(email).unwrap();
            ta.app
                .set_password(&ta.cli(), &email_addr, password)
                .await
                .unwrap();
            let sid = ta.app.login(email, password, "t").await.unwrap();
            callers.push((role.to_string(), Some(format!("gt_session={sid}"))));
        }
        let other = ta
            .app
            .add_tenant(
                &goldthread_app::ActorRef::cli(),
                "other",
                "Other Council",
                "",
            )
            .await
            .unwrap();
        let boss = PersonInput {
            email: "boss@other.example".into(),
            name: "Boss".into(),
            role: "admin".into(),
            ..Default::default()
        };
        ta.app
            .add_user(&other, &boss, Some(password))
            .await
            .unwrap();
        let sid = ta
            .app
            .login("boss@other.example", password, "t")
            .await
            .unwrap();
        let other_cookie = format!("gt_session={sid}");
        let mut checked = 0;
        for route in &routes {
            // Placeholders get this council's records where the demo has them.
            let mut path = String::new();
            let mut demo_code = false;
            for seg in route.split('/').skip(1) {
                path.push('/');
                if seg.starts_with('{') {
                    let parent = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                    let v = match (parent, seg) {
                        ("p", _) => "demo",
                        ("outcomes", _) => "LO1",
                        ("portfolios", _) => "WB",
                        ("services", _) => "PE-WASTE",
                        ("plans", _) => "LOIP",
                        ("people", _) => "member@demo.example",
                        ("matrix", _) => "PE-WASTE",
                        (_, "{outcome}") => "LO1",
                        _ => "NOPE",
                    };
                    demo_code |= v != "NOPE" && v != "demo";
                    path.push_str(v);
                } else {
                    path.push_str(seg);
                }
            }
            if route == "/" {
                path = "/".into();
            }
            let public = path.starts_with("/p/")
                || path.starts_with("/static/")
                || ["/login", "/healthz", "/readyz"].contains(&path.as_str())
                || path.starts_with("/api/docs");
            for (who, cookie) in callers
                .iter()
                .chain([&("other council".to_string(), Some(other_cookie.clone()))])
            {
                let mut req = Request::get(&path);
                if let Some(c) = cookie {
                    req = req.header(header::COOKIE, c);
                }
                let r = ta.send(req.body(Body::empty()).unwrap()).await;
                let to_login = r
                    .headers
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .is_some_and(|l| l.starts_with("/login"));
                assert!(!r.status.is_server_error(), "{who} {path}: {}", r.status);
                match (who.as_str(), cookie) {
                    (_, None) if !public => assert!(
                        to_login || r.status == StatusCode::UNAUTHORIZED,
                        "anonymous {path}: {} (must be sent to sign in)",
                        r.status
                    ),
                    (_, None) => {}
                    ("other council", _) => {
                        assert!(!to_login, "{who} {path} sent to sign in");
                        if demo_code && !public {
                            assert!(
                                [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&r.status),
                                "{who} {path}: {} (another council's record)",
                                r.status
                            );
                        }
                        if !public {
                            assert!(
                                !r.body.contains("Waste services")
                                    && !r.body.contains("attractive to businesses")
                                    && !r.body.contains("Demo Council"),
                                "{who} {path} shows this council's data"
                            );
                        }
                    }
                    _ => assert!(!to_login, "{who} {path} sent to sign in"),
                }
                checked += 1;
            }
        }
        eprintln!(
            "{:?}: {} page routes × {} callers = {checked} requests",
            ta.t.backend(),
            routes.len(),
            callers.len() + 1
        );
    }
}
