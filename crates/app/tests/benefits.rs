//! Benefits, savings and the funding gap on every database backend (SQLite
//! always; PostgreSQL when GOLDTHREAD_TEST_PG_URL is set), on the demo
//! council's framework and indicators: the three files imported all or
//! nothing and audited, exported as imported; single benefits created,
//! changed, deleted and profiled by the people who may; savings totals to the
//! penny; the gap arithmetic; records a benefit uses are not deleted; and the
//! demo's savings table is 2022 §6.3's exactly.
use goldthread_app::benefits::{BenefitInput, BenefitsFile, ProfileInput, ProfileLine};
use goldthread_app::reviews::NewReview;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::benefits::{Figures, SavingsLine};
use goldthread_domain::framework::{Person, Portfolio};
use goldthread_domain::period::FinancialYear;
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Role};
use goldthread_io::Source;
use goldthread_io::performance::Kind;
use goldthread_store::accounts::Tenant;
use goldthread_store::audit::{self, AuditFilter};
use goldthread_store::testing::{TestDb, databases};
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::macros::date;

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire")
}

fn csv(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

fn with_headers(file: BenefitsFile, rows: &str) -> Source {
    csv(
        file.name(),
        &format!("{}\n{rows}", file.headers().join(",")),
    )
}

fn as_role(tenant: &Tenant, role: Role, email: &str, scope: &[&str]) -> Caller {
    let mut c = Caller::cli(tenant.clone());
    c.actor = Actor {
        email: Email::parse(email).unwrap(),
        role,
        scope: scope.iter().map(|s| Code::parse(s).unwrap()).collect(),
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

/// The demo council's framework, localities and indicators, and its three
/// service reviews opened (benefits from a review name one).
async fn council(t: &TestDb) -> (App, Tenant) {
    let app = App::new(t.db.clone());
    let tenant = app
        .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo Council", "")
        .await
        .unwrap();
    let cli = Caller::cli(tenant.clone());
    app.import_framework(&cli, &Source::Dir(demo_dir()), false, "demo")
        .await
        .unwrap();
    for kind in [Kind::Localities, Kind::Indicators] {
        app.import_performance(&cli, kind, &Source::Dir(demo_dir()), false, kind.name())
            .await
            .unwrap();
    }
    for (code, service) in [
        ("REV-2026-01", "CS-REV"),
        ("REV-2026-02", "PE-WASTE"),
        ("REV-2026-03", "CS-CUST"),
    ] {
        app.open_review(
            &cli,
            &NewReview {
                code: code.into(),
                title: "Review".into(),
                service: service.into(),
            },
            date!(2026 - 11 - 23),
        )
        .await
        .unwrap();
    }
    (app, tenant)
}

async fn import_demo(app: &App, cli: &Caller) {
    for f in BenefitsFile::ALL {
        app.import_benefits(cli, *f, &Source::Dir(demo_dir()), false, f.name())
            .await
            .unwrap();
    }
}

const K: i64 = 100_000; // £1,000 in pence

#[tokio::test]
async fn the_demo_savings_table_is_2022_section_6_3_exactly() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant);
        import_demo(&app, &cli).await;
        let s = app.savings(&cli).await.unwrap();
        let directorates: BTreeMap<&str, (i64, i64, i64)> = s
            .lines
            .iter()
            .filter(|l| !l.group.is_empty())
            .map(|l: &SavingsLine| {
                (
                    l.group.as_str(),
                    (
                        l.figures.planned_pence,
                        l.figures.achieved_pence,
                        l.figures.variance_pence,
                    ),
                )
            })
            .collect();
        // 2022 §6.3, £'000: planned, achieved, over/(under) achieved.
        assert_eq!(
            directorates,
            BTreeMap::from([
                ("Chief Executive", (120 * K, 116 * K, -4 * K)),
                ("Partnership & Performance", (223 * K, 218 * K, -5 * K)),
                ("Place", (161 * K, 165 * K, 4 * K)),
                ("People", (261 * K, 55 * K, -206 * K)),
            ]),
            "{:?}",
            t.backend()
        );
        let total = directorates
            .values()
            .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
        assert_eq!(total, (765 * K, 554 * K, -211 * K));
        // The 2018/19 share of the planned £765k: £289k.
        let y = s
            .years
            .iter()
            .find(|y| y.year == FinancialYear(2018))
            .unwrap();
        assert_eq!(y.figures.planned_pence, 289 * K);
        // The directorates sit in today's portfolios: Chief Executive and
        // Partnership & Performance in Corporate Services, Place in Place and
        // Economy, People in Wellbeing.
        let portfolio_of = |g: &str| {
            s.lines
                .iter()
                .find(|l| l.group == g)
                .map(|l| l.portfolio.to_string())
                .unwrap()
        };
        assert_eq!(
            [
                "Chief Executive",
                "Partnership & Performance",
                "Place",
                "People"
            ]
            .map(portfolio_of),
            ["CS", "CS", "PE", "WB"]
        );

        // The funding gap: 2022's £11.311m for 2023/24 and c £22m to March
        // 2026; the 2026 MTFS's £19.1m cumulative by 2029/30.
        let m = 100_000_000;
        let g = app.funding_gap(&cli, None).await.unwrap();
        let first = &g.rows[0];
        assert_eq!(
            (first.year, first.gap_pence),
            (FinancialYear(2023), 1_131_100_000)
        );
        let by = |y: i32| g.rows.iter().find(|r| r.year == FinancialYear(y)).unwrap();
        assert_eq!(by(2025).cumulative_gap_pence, 22 * m);
        assert_eq!(
            by(2029).cumulative_gap_pence - by(2025).cumulative_gap_pence,
            191 * m / 10
        );
        let mtfs = app
            .funding_gap(&cli, Some(FinancialYear(2026)))
            .await
            .unwrap();
        assert_eq!(mtfs.total.gap_pence, 191 * m / 10);
        assert_eq!(mtfs.rows.last().unwrap().cumulative_gap_pence, 191 * m / 10);
        assert!(
            mtfs.rows
                .iter()
                .all(|r| r.note.contains("llustrative") || r.note.contains("MTFS"))
        );
        // 2026/27's cashable savings: Revenues' first year and the senior
        // management saving.
        assert_eq!(by(2026).planned_pence, 4_000_000 + 7_065_000);
        // The 2018 restructure's savings, and the reviews' beyond the MTFS,
        // fall in years with no recorded gap.
        assert_eq!(
            g.savings_in_other_years
                .iter()
                .map(|y| y.year)
                .collect::<Vec<_>>(),
            [2018, 2019, 2030, 2031].map(FinancialYear)
        );
        // Non-cashable savings are never set against the gap.
        assert_eq!(by(2027).planned_pence, (150 + 80 + 130) * K + 7_065_000);
    }
}

#[tokio::test]
async fn benefit_files_import_all_or_nothing_audited_and_export_as_imported() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        for f in BenefitsFile::ALL {
            let table: DataTable = f.name().parse().unwrap();
            assert_eq!(table, DataTable::Benefits(*f));
            assert!(DataTable::all().contains(&table));
        }

        // Any error and nothing is written, not even the good rows.
        let before = audit_count(&t).await;
        let bad = with_headers(
            BenefitsFile::Benefits,
            "B-1,Good,cashable,,project,,PE,,,planned,high,,\nB-2,Bad,cashable,,project,,NOPE,,,planned,high,,\n",
        );
        let e = app
            .import_benefits(&cli, BenefitsFile::Benefits, &bad, false, "benefits.csv")
            .await
            .unwrap_err();
        match e {
            AppError::Import(errors) => assert_eq!(
                errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                [
                    "benefits.csv:3:portfolio: unknown portfolio code 'NOPE' (add it to the framework first)"
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert!(app.benefits(&cli).await.unwrap().benefits.is_empty());
        assert_eq!(audit_count(&t).await, before);

        // A dry run counts and writes nothing.
        let dry = app
            .import_benefits(
                &cli,
                BenefitsFile::Benefits,
                &Source::Dir(demo_dir()),
                true,
                "benefits.csv",
            )
            .await
            .unwrap();
        assert_eq!((dry.rows, dry.tables["benefits"]), (11, [11, 0, 0]));
        assert!(app.benefits(&cli).await.unwrap().benefits.is_empty());
        assert_eq!(audit_count(&t).await, before);

        // Imported: one audit row per record.
        import_demo(&app, &cli).await;
        assert_eq!(
            audit_count(&t).await,
            before + 11 + 29 + 7,
            "{:?}",
            t.backend()
        );
        let snap = app.benefits(&cli).await.unwrap();
        assert_eq!(
            (snap.benefits.len(), snap.profiles.len(), snap.gaps.len()),
            (11, 29, 7)
        );
        let rows = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity: Some("RS2018-PE 2019/20".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].action.as_str(), rows[0].entity_type.as_str()),
            ("create", "benefit-profile")
        );
        assert_eq!(rows[0].after.as_ref().unwrap()["planned_pence"], 16_200_000);
        assert_eq!(rows[0].after.as_ref().unwrap()["realised_pence"], 0);
        assert_eq!(
            rows[0].context.as_ref().unwrap()["file"],
            "benefit-profiles"
        );

        // Exported exactly as the import reads it: importing the export changes nothing.
        let before = audit_count(&t).await;
        for f in BenefitsFile::ALL {
            let table = DataTable::Benefits(*f);
            let rows = app.export_table(&cli, table).await.unwrap();
            let bytes = goldthread_io::framework::csv_bytes(table.headers(), &rows).unwrap();
            let again = Source::Csv(BTreeMap::from([(format!("{}.csv", f.name()), bytes)]));
            let r = app
                .import_table(&cli, table, &again, false, "export")
                .await
                .unwrap();
            assert_eq!(r.tables[f.name()][0..2], [0, 0], "{}", f.name());
            assert!(r.removed.is_empty());
        }
        assert_eq!(audit_count(&t).await, before);
        assert_eq!(
            app.benefits(&cli).await.unwrap().profile_values(),
            snap.profile_values()
        );

        // A profile file replaces the profile of each benefit it names (and
        // only those): one year changed, one new, the rest of REV01-SAVING's
        // removed; the benefit's version rises.
        let rev01 = snap
            .benefits
            .iter()
            .find(|b| b.value.code.as_str() == "REV01-SAVING")
            .unwrap()
            .clone();
        let before = audit_count(&t).await;
        let r = app
            .import_benefits(
                &cli,
                BenefitsFile::Profiles,
                &with_headers(
                    BenefitsFile::Profiles,
                    "REV01-SAVING,2026/27,40000,38500.25\nREV01-SAVING,2027/28,150000,\nREV01-SAVING,2031/32,180000,\n",
                ),
                false,
                "benefit-profiles.csv",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["benefit-profiles"], [1, 1, 1]);
        assert_eq!(r.removed["benefit-profiles"], 3);
        assert_eq!(audit_count(&t).await, before + 5);
        let now = app.benefit(&cli, "REV01-SAVING").await.unwrap();
        assert_eq!(now.benefit.version, rev01.version + 1);
        let years: Vec<(i32, i64, Option<i64>)> = now
            .profile
            .iter()
            .map(|p| {
                (
                    p.value.year.0,
                    p.value.planned_pence,
                    p.value.realised_pence,
                )
            })
            .collect();
        assert_eq!(
            years,
            [
                (2026, 4_000_000, Some(3_850_025)),
                (2027, 15_000_000, None),
                (2031, 18_000_000, None)
            ]
        );
        assert_eq!(app.benefits(&cli).await.unwrap().profiles.len(), 29 - 3 + 1);

        // The budget gap file is the whole plan.
        let r = app
            .import_benefits(
                &cli,
                BenefitsFile::BudgetGap,
                &with_headers(
                    BenefitsFile::BudgetGap,
                    "2026/27,7200000,Illustrative\n2030/31,1000000.01,Illustrative\n",
                ),
                false,
                "budget-gap.csv",
            )
            .await
            .unwrap();
        assert_eq!(
            (r.tables["budget-gap"], r.removed["budget-gap"]),
            ([1, 1, 0], 6)
        );
        let gaps: Vec<(i32, i64)> = app
            .benefits(&cli)
            .await
            .unwrap()
            .gaps
            .iter()
            .map(|g| (g.value.year.0, g.value.gap_pence))
            .collect();
        assert_eq!(gaps, [(2026, 720_000_000), (2030, 100_000_001)]);

        // Profiles of an unknown or non-financial benefit are refused whole.
        let e = app
            .import_benefits(
                &cli,
                BenefitsFile::Profiles,
                &with_headers(BenefitsFile::Profiles, "REV02-RECYCLING,2027/28,1,\n"),
                false,
                "benefit-profiles.csv",
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "import_rejected");

        // Only administrators and performance officers import.
        for (role, email) in [
            (Role::OutcomeLeader, "director.place@demo.example"),
            (Role::ServiceManager, "service.manager@demo.example"),
            (Role::CommissioningOfficer, "commissioning@demo.example"),
            (Role::Member, "member@demo.example"),
        ] {
            let c = as_role(&tenant, role, email, &[]);
            for f in BenefitsFile::ALL {
                let e = app
                    .import_benefits(&c, *f, &Source::Dir(demo_dir()), false, "x")
                    .await
                    .unwrap_err();
                assert_eq!(e.code(), "forbidden", "{role} {}", f.name());
            }
        }
        let po = as_role(
            &tenant,
            Role::PerformanceOfficer,
            "performance@demo.example",
            &[],
        );
        app.import_benefits(
            &po,
            BenefitsFile::BudgetGap,
            &Source::Dir(demo_dir()),
            true,
            "x",
        )
        .await
        .unwrap();
    }
}

fn input(code: &str, portfolio: &str) -> BenefitInput {
    BenefitInput {
        code: code.into(),
        title: format!("Benefit {code}"),
        kind: "cashable".into(),
        source: "project".into(),
        portfolio: portfolio.into(),
        status: "planned".into(),
        confidence: "medium".into(),
        ..Default::default()
    }
}

fn line(year: &str, planned: i64, realised: Option<i64>) -> ProfileLine {
    ProfileLine {
        year: year.into(),
        planned_pence: planned,
        realised_pence: realised,
    }
}

#[tokio::test]
async fn single_benefits_are_kept_by_those_who_may_with_versions_and_audit() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        let place = as_role(
            &tenant,
            Role::OutcomeLeader,
            "director.place@demo.example",
            &[],
        );
        let waste = as_role(
            &tenant,
            Role::ServiceManager,
            "service.manager@demo.example",
            &[],
        );
        let hub = as_role(
            &tenant,
            Role::CommissioningOfficer,
            "commissioning@demo.example",
            &[],
        );

        // The Place Director adds a benefit in Place and Economy, not in Wellbeing.
        let before = audit_count(&t).await;
        let rec = app
            .create_benefit(&place, &input("PE-1", "PE"))
            .await
            .unwrap();
        assert_eq!((rec.version, audit_count(&t).await), (1, before + 1));
        assert_eq!(
            app.create_benefit(&place, &input("WB-1", "WB"))
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            app.create_benefit(&hub, &input("X-1", "PE"))
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        // A manager of one of the portfolio's services may too.
        app.create_benefit(&waste, &input("PE-2", "PE"))
            .await
            .unwrap();
        assert_eq!(
            app.create_benefit(&cli, &input("PE-1", "PE"))
                .await
                .unwrap_err()
                .code(),
            "duplicate"
        );

        // Invalid input: every field's problem, named by field.
        let mut bad = input("PE-3", "PE");
        bad.kind = "non-financial".into();
        bad.owner = Some("nobody@demo.example".into());
        bad.source = "review".into();
        match app.create_benefit(&cli, &bad).await.unwrap_err() {
            AppError::Validation(v) => {
                let fields: Vec<&str> = v.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["owner", "measure", "source_ref"]);
            }
            other => panic!("{other:?}"),
        }

        // Update: version-checked; moving to Wellbeing needs rights there too.
        let mut i = BenefitInput::of(&rec.value, Some(1));
        i.title = "Renamed".into();
        i.group = "Old directorate".into();
        let before = audit_count(&t).await;
        let rec = app.update_benefit(&place, "PE-1", &i).await.unwrap();
        assert_eq!(
            (rec.version, rec.value.group.as_str()),
            (2, "Old directorate")
        );
        assert_eq!(audit_count(&t).await, before + 1);
        assert_eq!(
            app.update_benefit(&place, "PE-1", &i)
                .await
                .unwrap_err()
                .code(),
            "conflict"
        );
        let mut moved = BenefitInput::of(&rec.value, Some(2));
        moved.portfolio = "WB".into();
        assert_eq!(
            app.update_benefit(&place, "PE-1", &moved)
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        let mut recoded = BenefitInput::of(&rec.value, Some(2));
        recoded.code = "PE-9".into();
        assert_eq!(
            app.update_benefit(&place, "PE-1", &recoded)
                .await
                .unwrap_err()
                .code(),
            "validation"
        );
        let mut no_version = BenefitInput::of(&rec.value, None);
        no_version.title = String::new();
        match app
            .update_benefit(&place, "PE-1", &no_version)
            .await
            .unwrap_err()
        {
            AppError::Validation(v) => assert_eq!(
                v.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
                ["title", "version"]
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(app.benefit(&cli, "PE-1").await.unwrap().benefit.version, 2);

        // The profile: replaced whole, each year audited, the version raised.
        let before = audit_count(&t).await;
        let r = app
            .set_benefit_profile(
                &place,
                "PE-1",
                &ProfileInput {
                    items: vec![
                        line("2026/27", 1_000_000, Some(999_999)),
                        line("2027-28", 2_000_000, None),
                    ],
                    version: Some(2),
                },
            )
            .await
            .unwrap();
        assert_eq!(r.benefit.version, 3);
        assert_eq!(r.profile.len(), 2);
        assert_eq!(r.profile[1].value.year, FinancialYear(2027));
        assert_eq!(audit_count(&t).await, before + 2);
        // Sending the same profile again changes nothing.
        let r = app
            .set_benefit_profile(
                &place,
                "PE-1",
                &ProfileInput {
                    items: vec![
                        line("2026/27", 1_000_000, Some(999_999)),
                        line("2027/28", 2_000_000, None),
                    ],
                    version: Some(3),
                },
            )
            .await
            .unwrap();
        assert_eq!((r.benefit.version, audit_count(&t).await), (3, before + 2));
        // Problems are named by line.
        match app
            .set_benefit_profile(
                &place,
                "PE-1",
                &ProfileInput {
                    items: vec![
                        line("2026", -1, None),
                        line("2028/29", 1, Some(-5)),
                        line("2028/29", 1, None),
                    ],
                    version: Some(3),
                },
            )
            .await
            .unwrap_err()
        {
            AppError::Validation(v) => assert_eq!(
                v.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
                [
                    "items[0].year",
                    "items[0].planned_pence",
                    "items[1].realised_pence",
                    "items[2].year"
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            app.set_benefit_profile(
                &place,
                "PE-1",
                &ProfileInput {
                    items: vec![],
                    version: Some(2)
                }
            )
            .await
            .unwrap_err()
            .code(),
            "conflict"
        );

        // Savings to the penny: £9,999.99 of £10,000 realised; 2027/28 not yet reported.
        let s = app.savings(&cli).await.unwrap();
        assert_eq!(
            s.total,
            Figures {
                planned_pence: 3_000_000,
                achieved_pence: 999_999,
                variance_pence: -1,
                not_yet_reported_pence: 2_000_000,
            }
        );
        assert_eq!(s.lines[0].group, "Old directorate");

        // A benefit with a profile is not deleted; clear it first.
        assert_eq!(
            app.delete_benefit(&place, "PE-1", Some(3))
                .await
                .unwrap_err()
                .code(),
            "in_use"
        );
        let r = app
            .set_benefit_profile(
                &place,
                "PE-1",
                &ProfileInput {
                    items: vec![],
                    version: Some(3),
                },
            )
            .await
            .unwrap();
        assert!(r.profile.is_empty());
        assert_eq!(r.benefit.version, 4);
        assert_eq!(
            app.delete_benefit(&hub, "PE-1", Some(4))
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            app.delete_benefit(&place, "PE-1", Some(3))
                .await
                .unwrap_err()
                .code(),
            "conflict"
        );
        let before = audit_count(&t).await;
        app.delete_benefit(&place, "PE-1", Some(4)).await.unwrap();
        assert_eq!(audit_count(&t).await, before + 1);
        assert_eq!(
            app.benefit(&cli, "PE-1").await.unwrap_err().code(),
            "not_found"
        );
        // Its history is kept: created, changed, profiled, cleared, deleted.
        let rows = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity: Some("PE-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            ["delete", "update", "create"]
        );

        // A non-financial benefit has no money profile.
        let mut nf = input("PE-NF", "PE");
        nf.kind = "non-financial".into();
        nf.measure = Some("ENV06".into());
        app.create_benefit(&cli, &nf).await.unwrap();
        match app
            .set_benefit_profile(
                &cli,
                "PE-NF",
                &ProfileInput {
                    items: vec![line("2026/27", 1, None)],
                    version: Some(1),
                },
            )
            .await
            .unwrap_err()
        {
            AppError::Validation(v) => assert_eq!(v[0].field, "items"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn what_a_benefit_uses_is_not_deleted_under_it() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        let mut i = input("USES", "CS");
        i.owner = Some("member.scrutiny@demo.example".into());
        i.measure = Some("LOC-DIG02".into());
        app.create_benefit(&cli, &i).await.unwrap();
        let person = app
            .get::<Person>(&cli, "member.scrutiny@demo.example")
            .await
            .unwrap();
        let e = app
            .delete::<Person>(&cli, "member.scrutiny@demo.example", Some(person.version))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "in_use", "{e}");
        assert!(e.to_string().contains("benefit(s) as owner"), "{e}");
        let cs = app.get::<Portfolio>(&cli, "CS").await.unwrap();
        let e = app
            .delete::<Portfolio>(&cli, "CS", Some(cs.version))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("benefit(s)"), "{e}");
        // A fresh indicator with no data, measured by a benefit.
        app.create_indicator(
            &cli,
            &goldthread_app::indicators::IndicatorInput {
                code: "NEW-IND".into(),
                title: "New".into(),
                tier: "enabler".into(),
                unit: "count".into(),
                polarity: "data-only".into(),
                frequency: "financial-year".into(),
                source: "local".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut j = input("USES-2", "CS");
        j.kind = "non-financial".into();
        j.measure = Some("NEW-IND".into());
        app.create_benefit(&cli, &j).await.unwrap();
        let e = app
            .delete_indicator(&cli, "NEW-IND", Some(1))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "in_use", "{e}");
        assert!(e.to_string().contains("benefit(s) as their measure"), "{e}");
    }
}

/// Benefits sit on the golden thread: a service's page shows the benefits of
/// its reviews, those its indicators measure and those its initiatives
/// deliver; an outcome's page those of the services contributing to it.
#[tokio::test]
async fn benefits_reach_the_outcome_and_service_pages() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant);
        import_demo(&app, &cli).await;
        let codes = |v: &[goldthread_app::benefits::LinkedBenefit]| -> Vec<String> {
            v.iter().map(|l| l.benefit.value.code.to_string()).collect()
        };
        let rev = app
            .benefits_linked(&cli, None, Some(&code("CS-REV")))
            .await
            .unwrap();
        assert_eq!(codes(&rev), ["REV01-RESILIENCE", "REV01-SAVING"]);
        let saving = rev
            .iter()
            .find(|l| l.benefit.value.code.as_str() == "REV01-SAVING")
            .unwrap();
        assert_eq!(
            saving.via,
            [
                "From review REV-2026-01 of CS-REV",
                "Measured by indicator CORP04"
            ]
        );
        // LOC-DIG02 measures both digital and customer contact: REV03's
        // benefits reach the digital service through their measure alone.
        let digital = app
            .benefits_linked(&cli, None, Some(&code("CS-DIGITAL")))
            .await
            .unwrap();
        assert_eq!(codes(&digital), ["REV03-SAVING", "REV03-TIME"]);
        assert!(
            digital
                .iter()
                .all(|l| l.via == ["Measured by indicator LOC-DIG02"])
        );
        // Waste and customer contact contribute to LO4; revenues to LO1 only.
        let lo4 = app
            .benefits_linked(&cli, Some(&code("LO4")), None)
            .await
            .unwrap();
        assert_eq!(
            codes(&lo4),
            [
                "REV02-RECYCLING",
                "REV02-SAVING",
                "REV03-SAVING",
                "REV03-TIME"
            ]
        );
        assert_eq!(lo4[0].via, ["From review REV-2026-02 of PE-WASTE"]);
        let lo1 = codes(
            &app.benefits_linked(&cli, Some(&code("LO1")), None)
                .await
                .unwrap(),
        );
        for b in ["REV01-SAVING", "REV02-SAVING"] {
            assert!(lo1.contains(&b.to_string()), "{b} in {lo1:?}");
        }
        assert!(!lo1.contains(&"REV03-SAVING".to_string()), "{lo1:?}");
        // The 2018 restructure's savings are held by portfolio only: on no
        // service's page.
        assert!(!codes(&rev).iter().any(|c| c.starts_with("RS2018")));
    }
}

fn code(s: &str) -> goldthread_domain::Code {
    goldthread_domain::Code::parse(s).unwrap()
}
