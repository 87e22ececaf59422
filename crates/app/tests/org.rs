//! Organisation design on both databases: hand-computed costs and savings
//! (FTE fractions, on-cost, adjustments, rounding once at the end); spans and
//! layers; a reports-to cycle and every other import error refused with
//! nothing written; posts and grades one at a time, version-checked and
//! audited; salaries seen only by admin, performance and HR officers; and the
//! demo's files reproducing the 2026 paper's figures.
use goldthread_app::org::OrgTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::org::*;
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Fte, Role};
use goldthread_io::Source;
use goldthread_store::accounts::Tenant;
use goldthread_store::testing::databases;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

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

async fn import(app: &App, c: &Caller, t: OrgTable, body: &str) -> Result<(), AppError> {
    app.import_table(c, DataTable::Org(t), &file(t.name(), body), false, "t")
        .await
        .map(|_| ())
}

async fn org_audit_rows(app: &App, c: &Caller) -> usize {
    let mut n = 0;
    for t in [
        "grade",
        "post",
        "adjustments",
        "structure state",
        "on-cost rate",
    ] {
        let f = goldthread_store::audit::AuditFilter {
            entity_type: Some(t.into()),
            limit: 5000,
            ..Default::default()
        };
        n += app.audit(c, &f).await.unwrap().len();
    }
    n
}

async fn council(app: &App) -> (Tenant, Caller) {
    let tenant = app
        .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo", "")
        .await
        .unwrap();
    let cli = Caller::cli(tenant.clone());
    app.import_framework(&cli, &Source::Dir(demo()), false, "demo")
        .await
        .unwrap();
    (tenant, cli)
}

const GRADES: &str = "code,title,min_salary,max_salary,on_cost_rate
DIR,Director,90000,96000,20%
SM,Senior Manager,33333.33,35000,
TL,Team Leader,20000.01,21000,
";

const POSTS: &str = "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state
D,Director,2,DIR,1,permanent,,Place,,current
S1,Senior Manager,4,SM,1,interim,D,Place,PE-WASTE,current
D,Director,2,DIR,0.8,permanent,,Place,,immediate
S1,Senior Manager,4,SM,0.33,interim,D,Place,PE-WASTE,immediate
S2,Senior Manager,4,SM,0.33,vacant,D,Place,PE-CULT,immediate
";

const ADJUSTMENTS: &str = "state,description,grade,fte
immediate,−0.5 FTE at Team Leader,TL,-0.5
";

/// The hand-computed case of the domain's tests, through the importers and
/// the database: current at maximum £160,700; immediate £101,999.99 –
/// £108,540 after −0.5 FTE at Team Leader; saving £52,160 – £58,700.01.
#[tokio::test]
async fn costs_and_savings_by_hand_through_the_importers() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let (tenant, cli) = council(&app).await;
        import(&app, &cli, OrgTable::Grades, GRADES).await.unwrap();
        import(&app, &cli, OrgTable::Posts, POSTS).await.unwrap();
        import(&app, &cli, OrgTable::Adjustments, ADJUSTMENTS)
            .await
            .unwrap();
        let s = app.state_summary(&cli, StateKind::Current).await.unwrap();
        assert_eq!(
            (s.cost_min_pence, s.cost_max_pence),
            (15_133_333, 16_070_000)
        );
        let s = app.state_summary(&cli, StateKind::Immediate).await.unwrap();
        assert_eq!(
            (s.cost_min_pence, s.cost_max_pence),
            (11_500_000, 12_219_000)
        );
        assert_eq!(
            (s.adjustments_min_pence, s.adjustments_max_pence),
            (-1_300_001, -1_365_000)
        );
        assert_eq!(
            (
                s.cost_after_adjustments_min_pence,
                s.cost_after_adjustments_max_pence
            ),
            (10_199_999, 10_854_000)
        );
        assert_eq!(s.current_basis, Some(CurrentBasis::GradeMaximum));
        assert_eq!(
            (s.saving_min_pence, s.saving_max_pence),
            (Some(5_216_000), Some(5_870_001))
        );
        assert_eq!(
            (s.posts, s.fte.to_string(), s.vacancies),
            (3, "1.46".into(), 1)
        );
        assert_eq!((s.layers, s.spans.max, s.spans.narrow.len()), (2, 2, 1));

        // The council's on-cost rate changes every grade without its own.
        app.set_on_cost_rate(&cli, Decimal::new(25, 2))
            .await
            .unwrap();
        let s = app.state_summary(&cli, StateKind::Current).await.unwrap();
        // 96,000 × 1.2 + 35,000 × 1.25 = 115,200 + 43,750 = 158,950.
        assert_eq!(s.cost_max_pence, 15_895_000);
        assert!(
            app.set_on_cost_rate(&cli, Decimal::new(15, 1))
                .await
                .is_err()
        );
        app.set_on_cost_rate(&cli, Decimal::new(3, 1))
            .await
            .unwrap();

        // An actual current cost, when entered, is what savings use.
        let st = StructureState {
            actual_cost_pence: Some(15_000_000),
            ..StructureState::empty(StateKind::Current)
        };
        let rec = app.put_structure_state(&cli, &st, None).await.unwrap();
        let s = app.state_summary(&cli, StateKind::Immediate).await.unwrap();
        assert_eq!(s.current_basis, Some(CurrentBasis::Actual));
        assert_eq!(s.saving_max_pence, Some(4_800_001));
        // A stale version of the state is refused.
        assert!(matches!(
            app.put_structure_state(&cli, &st, Some(rec.version + 1))
                .await,
            Err(AppError::Conflict(_))
        ));

        // Comparison and the workforce view.
        let c = app
            .compare_states(&cli, StateKind::Current, StateKind::Immediate)
            .await
            .unwrap();
        assert_eq!(c.from_basis, CurrentBasis::Actual);
        assert_eq!(c.counts[&ChangeKind::Added], 1);
        assert_eq!(c.counts[&ChangeKind::Changed], 2);
        let w = app.workforce(&cli, StateKind::Immediate).await.unwrap();
        assert_eq!(w.total.fte, Decimal::new(146, 2));
        let model = |k: &str| {
            w.by_delivery_model
                .iter()
                .find(|l| l.key == k)
                .map(|l| l.fte)
        };
        assert_eq!(model("self-delivery"), Some(Decimal::new(33, 2)));
        assert_eq!(model("partnership"), Some(Decimal::new(33, 2)));
        assert_eq!(model("no services"), Some(Decimal::new(8, 1)));

        // The comparison workbook has its formulas and goldthread's results.
        let bytes = app
            .comparison_xlsx(&cli, StateKind::Current, StateKind::Immediate)
            .await
            .unwrap();
        assert!(bytes.starts_with(b"PK"));
        let member = as_role(&tenant, Role::Member, "member@demo.example");
        assert!(matches!(
            app.comparison_xlsx(&member, StateKind::Current, StateKind::Immediate)
                .await,
            Err(AppError::Forbidden(_))
        ));
        // Exports are what the imports read.
        let rows = app
            .export_table(&cli, DataTable::Org(OrgTable::Adjustments))
            .await
            .unwrap();
        assert_eq!(rows[0][3], "-0.5");
    }
}

#[tokio::test]
async fn import_errors_of_every_kind_write_nothing_and_cycles_are_refused() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let (_tenant, cli) = council(&app).await;
        // Posts before their grades.
        let e = import(&app, &cli, OrgTable::Posts, POSTS)
            .await
            .unwrap_err();
        assert!(format!("{e:?}").contains("unknown grade 'DIR'"), "{e:?}");
        import(&app, &cli, OrgTable::Grades, GRADES).await.unwrap();
        let audit = org_audit_rows(&app, &cli).await;
        for (table, body, expected) in [
            (
                OrgTable::Grades,
                "code,title,min_salary,max_salary,on_cost_rate\nX,X,100,50,\n",
                "grades.csv:2:max_salary: is below the minimum salary",
            ),
            (
                OrgTable::Grades,
                "code,title,min,max\n",
                "grades.csv:1:min_salary: the headers must be exactly",
            ),
            (
                OrgTable::Posts,
                "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\nA,A,1,DIR,1,permanent,C,,,current\nB,B,2,SM,1,permanent,A,,,current\nC,C,3,SM,1,permanent,B,,,current\n",
                "posts.csv:2:reports_to: reports-to goes round in a cycle: A → C → B → A",
            ),
            (
                OrgTable::Posts,
                "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\nA,A,1,DIR,1,permanent,NOPE,,,current\n",
                "posts.csv:2:reports_to: reports to 'NOPE', which is not a post of the current state",
            ),
            (
                OrgTable::Posts,
                "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\nA,A,x,DIR,1,gone,,,NOPE,current\n",
                "posts.csv:2:tier: invalid digit found in string",
            ),
            (
                OrgTable::Posts,
                "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\nA,A,1,DIR,0,permanent,,,,current\n",
                "posts.csv:2:fte: a post has more than 0 FTE",
            ),
            (
                OrgTable::Adjustments,
                "state,description,grade,fte\nimmediate,x,NOPE,-0.5\n",
                "adjustments.csv:2:grade: unknown grade 'NOPE' (import grades.csv first)",
            ),
            (
                OrgTable::Adjustments,
                "state,description,grade,fte\nimmediate,x,TL,abc\n",
                "adjustments.csv:2:fte: 'abc' is not a number",
            ),
        ] {
            let e = import(&app, &cli, table, body).await.unwrap_err();
            let AppError::Import(errors) = &e else {
                panic!("{e:?}")
            };
            let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            assert!(
                text.iter().any(|t| t.starts_with(expected)),
                "{expected}: {text:?}"
            );
        }
        assert_eq!(org_audit_rows(&app, &cli).await, audit, "nothing written");
        assert!(app.posts(&cli, None).await.unwrap().is_empty());

        // A good file, then one bad row among good ones: nothing changes.
        import(&app, &cli, OrgTable::Posts, POSTS).await.unwrap();
        let held = app.posts(&cli, None).await.unwrap();
        let bad = POSTS.replace(
            "S2,Senior Manager,4,SM,0.33,vacant,D",
            "S2,Senior Manager,4,SM,0.33,vacant,S2",
        );
        assert!(import(&app, &cli, OrgTable::Posts, &bad).await.is_err());
        assert_eq!(app.posts(&cli, None).await.unwrap(), held);

        // A state given again is replaced whole; others are untouched.
        let only = "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\nD,Director,2,DIR,1,permanent,,Place,,immediate\n";
        let r = app
            .import_table(
                &cli,
                DataTable::Org(OrgTable::Posts),
                &file("posts", only),
                false,
                "t",
            )
            .await
            .unwrap();
        assert_eq!(r.removed["posts"], 2);
        assert_eq!(r.tables["posts"], [0, 1, 0]);
        assert_eq!(
            app.posts(&cli, Some(StateKind::Immediate))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            app.posts(&cli, Some(StateKind::Current))
                .await
                .unwrap()
                .len(),
            2
        );
    }
}

fn post(state: StateKind, c: &str, tier: u8, g: &str, to: Option<&str>) -> Post {
    Post {
        state,
        code: code(c),
        title: format!("Post {c}"),
        tier,
        grade: code(g),
        fte: Fte::parse("1").unwrap(),
        holder_status: HolderStatus::Permanent,
        reports_to: to.map(code),
        portfolio: String::new(),
        services: vec![],
        extra_duties: String::new(),
    }
}

#[tokio::test]
async fn posts_and_grades_one_at_a_time_with_salaries_for_the_few() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let (tenant, cli) = council(&app).await;
        import(&app, &cli, OrgTable::Grades, GRADES).await.unwrap();
        let hr = as_role(&tenant, Role::HrOfficer, "hr@demo.example");
        let member = as_role(&tenant, Role::Member, "member@demo.example");
        let leader = as_role(&tenant, Role::OutcomeLeader, "director.place@demo.example");
        let audit = org_audit_rows(&app, &cli).await;
        let s = StateKind::Future;
        let ce = app
            .create_post(&hr, &post(s, "CE", 1, "DIR", None))
            .await
            .unwrap();
        app.create_post(&hr, &post(s, "A", 2, "SM", Some("CE")))
            .await
            .unwrap();
        for (who, refused) in [(&member, true), (&leader, true)] {
            let r = app
                .create_post(who, &post(s, "B", 2, "SM", Some("CE")))
                .await;
            assert_eq!(matches!(r, Err(AppError::Forbidden(_))), refused);
        }
        assert_eq!(org_audit_rows(&app, &cli).await, audit + 2);
        // A cycle, an unknown grade, a missing reports-to: field errors.
        let mut looped = post(s, "CE", 1, "DIR", Some("A"));
        let e = app
            .update_post(&hr, s, "CE", &looped, Some(ce.version))
            .await
            .unwrap_err();
        let AppError::Validation(f) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(f[0].field, "reports_to");
        assert!(f[0].message.contains("cycle"), "{f:?}");
        looped.reports_to = None;
        looped.grade = code("NOPE");
        let e = app
            .update_post(&hr, s, "CE", &looped, Some(ce.version))
            .await
            .unwrap_err();
        assert!(format!("{e:?}").contains("unknown grade 'NOPE'"));
        let e = app
            .create_post(&hr, &post(s, "Z", 2, "SM", Some("NOWHERE")))
            .await
            .unwrap_err();
        assert!(format!("{e:?}").contains("not a post of the future state"));
        // A stale version is refused; the right one saves.
        let mut better = post(s, "CE", 1, "DIR", None);
        better.holder_status = HolderStatus::Interim;
        assert!(matches!(
            app.update_post(&hr, s, "CE", &better, Some(ce.version + 1))
                .await,
            Err(AppError::Conflict(_))
        ));
        app.update_post(&hr, s, "CE", &better, Some(ce.version))
            .await
            .unwrap();
        // A post others report to is not deleted; a grade in use neither.
        assert!(matches!(
            app.delete_post(&hr, s, "CE", Some(2)).await,
            Err(AppError::InUse(_))
        ));
        assert!(matches!(
            app.delete_grade(&hr, "SM", Some(1)).await,
            Err(AppError::InUse(_))
        ));
        app.delete_post(&hr, s, "A", Some(1)).await.unwrap();

        // Salaries: the grade list and each post's cost for admin,
        // performance and HR officers; aggregates for everyone.
        let g = app.grades(&hr).await.unwrap();
        assert_eq!(g[0].max_salary_pence, Some(9_600_000));
        let g = app.grades(&member).await.unwrap();
        assert_eq!(g[0].max_salary_pence, None);
        assert_eq!(g[0].on_cost_rate, None);
        let p = app.post(&hr, s, "CE").await.unwrap();
        assert_eq!(p.cost_max_pence, Some(11_520_000));
        for who in [&member, &leader] {
            let p = app.post(who, s, "CE").await.unwrap();
            assert_eq!((p.cost_min_pence, p.cost_max_pence), (None, None));
            assert!(matches!(
                app.export_table(who, DataTable::Org(OrgTable::Grades))
                    .await,
                Err(AppError::Forbidden(_))
            ));
            let totals = app.state_summary(who, s).await.unwrap();
            assert_eq!(totals.cost_max_pence, 11_520_000);
        }
        // Grades one at a time.
        let mut grade = Grade {
            code: code("NEW"),
            title: "New".into(),
            min_salary_pence: 100,
            max_salary_pence: 200,
            on_cost_rate: None,
        };
        assert!(matches!(
            app.create_grade(&member, &grade).await,
            Err(AppError::Forbidden(_))
        ));
        let rec = app.create_grade(&hr, &grade).await.unwrap();
        grade.max_salary_pence = 50;
        assert!(matches!(
            app.update_grade(&hr, "NEW", &grade, Some(rec.version))
                .await,
            Err(AppError::Validation(_))
        ));
        grade.max_salary_pence = 300;
        app.update_grade(&hr, "NEW", &grade, Some(rec.version))
            .await
            .unwrap();
        app.delete_grade(&hr, "NEW", Some(rec.version + 1))
            .await
            .unwrap();
        assert_eq!(org_audit_rows(&app, &cli).await, audit + 7);
    }
}

/// The demo's organisation files reproduce the 2026 paper (§3.5c, §3.10,
/// §2.7f) within £1,000, computed from posts and grades.
#[tokio::test]
async fn the_demo_reproduces_the_2026_paper() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let (_tenant, cli) = council(&app).await;
        for table in OrgTable::ALL {
            import(&app, &cli, *table, &read(table.name()))
                .await
                .unwrap();
        }
        let within = |pence: i64, pounds: i64| (pence - pounds * 100).abs() <= 100_000;
        let current = app.state_summary(&cli, StateKind::Current).await.unwrap();
        assert!(
            within(current.cost_max_pence, 1_951_000),
            "{}",
            current.cost_max_pence
        );
        let s = app.state_summary(&cli, StateKind::Immediate).await.unwrap();
        assert!(within(s.cost_min_pence, 1_855_000), "{}", s.cost_min_pence);
        assert!(within(s.cost_max_pence, 1_912_000), "{}", s.cost_max_pence);
        assert_eq!(s.current_cost_pence, Some(current.cost_max_pence));
        let (lo, hi) = (s.saving_min_pence.unwrap(), s.saving_max_pence.unwrap());
        assert!(within(lo, 70_650), "{lo}");
        assert!(within(hi, 127_587), "{hi}");
        // As computed (pence): the note in the README quotes these.
        assert_eq!(current.cost_max_pence, 195_095_160);
        assert_eq!(
            (s.cost_min_pence, s.cost_max_pence),
            (185_476_200, 191_214_920)
        );
        assert_eq!((lo, hi), (7_065_240, 12_758_460));
        // 50% of the 'tier 1' leadership (the chief officers: tiers 1 and 2)
        // not permanent.
        let chief = current.by_tier.iter().find(|t| t.tier == 2).unwrap();
        assert_eq!(chief.not_permanent_pct_to_here, Some(Decimal::new(50, 0)));
        // Exhibit 5: two Directors, four Heads of Service, one reporting to
        // the Chief Executive; four layers.
        let posts = app.posts(&cli, Some(StateKind::Immediate)).await.unwrap();
        let tier = |n: u8| posts.iter().filter(|p| p.post.tier == n).count();
        assert_eq!((tier(1), tier(2), tier(3)), (1, 2, 4));
        let cs = posts
            .iter()
            .find(|p| p.post.code.as_str() == "HOS-CS")
            .unwrap();
        assert_eq!(cs.post.reports_to, Some(code("CE")));
        assert!(
            posts
                .iter()
                .any(|p| p.post.extra_duties.contains("Depute Chief Executive"))
        );
        assert_eq!(s.layers, 4);
        // The illustrative later states have fewer posts.
        let tr = app
            .state_summary(&cli, StateKind::Transition)
            .await
            .unwrap();
        let fu = app.state_summary(&cli, StateKind::Future).await.unwrap();
        assert!(fu.posts < tr.posts && tr.posts < s.posts);
    }
}
