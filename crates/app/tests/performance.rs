//! Performance imports and reports on every database backend.
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::performance::{OutcomeStatus, Rag};
use goldthread_domain::period::Period;
use goldthread_io::Source;
use goldthread_io::performance::Kind;
use goldthread_store::accounts::Tenant;
use goldthread_store::audit::{self, AuditFilter};
use goldthread_store::testing::{TestDb, databases};
use std::path::PathBuf;
use time::macros::date;

fn csv(name: &str, content: &str) -> Source {
    Source::Csv(
        [(format!("{name}.csv"), content.as_bytes().to_vec())]
            .into_iter()
            .collect(),
    )
}

const INDICATORS: &str = "code,title,tier,unit,polarity,frequency,source,owner,tolerance,band_low,band_high,services,outcomes,by_locality,deadline_days,definition,benchmark_typology
WASTE1,% of household waste recycled,service,percent,higher-better,quarterly,LGBF,service.manager@demo.example,,,,PE-WASTE,,yes,,Recycling rate.,other
JOBS1,Unemployed people helped into work,outcome,count,higher-better,financial-year,local,director.place@demo.example,10%,,,,LO1,no,,People helped into work.,
";
const TARGETS: &str = "indicator,period,target,band_low,band_high
WASTE1,2024/25 Q1,55,,
WASTE1,2024/25 Q2,55,,
WASTE1,2024/25 Q3,55,,
WASTE1,2024/25 Q4,55,,
JOBS1,2024/25,400,,
";
const MEASUREMENTS: &str = "indicator,period,locality,value,missing_reason,status,note
WASTE1,2024/25 Q1,,56.5,,assured,
WASTE1,2024/25 Q2,,53,,assured,
WASTE1,2024/25 Q3,,49.9,,assured,
WASTE1,2024/25 Q4,,48,,submitted,
WASTE1,2024/25 Q4,ALLOA,51,,submitted,
JOBS1,2024/25,,371,,assured,
";

async fn setup(t: &TestDb) -> (App, Tenant, Caller) {
    let app = App::new(t.db.clone());
    let tenant = app
        .add_tenant(
            &goldthread_app::ActorRef::cli(),
            "demo",
            "Demo Council",
            "Clackmannanshire",
        )
        .await
        .unwrap();
    let cli = Caller::cli(tenant.clone());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire");
    app.import_framework(
        &cli,
        &Source::Csv(
            [
                "people",
                "outcomes",
                "portfolios",
                "services",
                "contributions",
                "raci",
                "plans",
            ]
            .iter()
            .map(|n| {
                (
                    format!("{n}.csv"),
                    std::fs::read(dir.join(format!("{n}.csv"))).unwrap(),
                )
            })
            .collect(),
        ),
        false,
        "framework",
    )
    .await
    .unwrap();
    app.import_performance(
        &cli,
        Kind::Localities,
        &csv(
            "localities",
            "code,name\nALLOA,Alloa\nHILLFOOTS,Hillfoots\n",
        ),
        false,
        "localities.csv",
    )
    .await
    .unwrap();
    app.import_performance(
        &cli,
        Kind::Indicators,
        &csv("indicators", INDICATORS),
        false,
        "indicators.csv",
    )
    .await
    .unwrap();
    app.import_performance(
        &cli,
        Kind::Targets,
        &csv("targets", TARGETS),
        false,
        "targets.csv",
    )
    .await
    .unwrap();
    app.import_performance(
        &cli,
        Kind::Measurements,
        &csv("measurements", MEASUREMENTS),
        false,
        "measurements.csv",
    )
    .await
    .unwrap();
    (app, tenant, cli)
}

async fn rows(t: &TestDb) -> i64 {
    let mut c = t.db.read().await.unwrap();
    audit::count_all(&mut c).await.unwrap()
}

#[tokio::test]
async fn statuses_roll_up_and_exceptions_on_imported_data() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let today = date!(2025 - 07 - 01);
        let r = app
            .status_report(&cli, Some(Period::FinancialYear(2024)), None, false, today)
            .await
            .unwrap();
        let waste = r
            .indicators
            .iter()
            .find(|s| s.indicator.as_str() == "WASTE1" && s.locality.is_none())
            .unwrap();
        assert_eq!(
            (waste.period.to_string(), waste.status),
            ("2024/25 Q4".to_string(), Rag::Red)
        );
        assert_eq!(
            waste.explanation.sentence,
            "Red: 48% is below 52.25%, the target of 55% less the 5% tolerance of 2.75%."
        );
        let alloa = r
            .indicators
            .iter()
            .find(|s| s.indicator.as_str() == "WASTE1" && s.locality.is_some())
            .unwrap();
        assert_eq!(
            alloa.status,
            Rag::Red,
            "Alloa: 51 is below the amber threshold 52.25"
        );
        let hill = r
            .indicators
            .iter()
            .find(|s| {
                s.locality
                    .as_ref()
                    .is_some_and(|l| l.as_str() == "HILLFOOTS")
            })
            .unwrap();
        assert_eq!(hill.status, Rag::Overdue);
        let jobs = r
            .indicators
            .iter()
            .find(|s| s.indicator.as_str() == "JOBS1")
            .unwrap();
        assert_eq!(
            jobs.status,
            Rag::Amber,
            "371 vs 400 with 10%: {}",
            jobs.explanation.sentence
        );
        // LO1: JOBS1 amber (weight 1) + WASTE1 red via PE-WASTE's contribution to LO1 (weight of its strength).
        let lo1 = r
            .outcomes
            .iter()
            .find(|o| o.outcome.as_str() == "LO1")
            .unwrap();
        assert_eq!(lo1.explanation.counted, 2, "{:#?}", lo1.explanation);
        // PE-WASTE contributes to LO1 as "some" (0.25): score = (1×1 + 0×0.25) / 1.25 = 0.8.
        assert_eq!(
            (lo1.explanation.status, lo1.explanation.score.as_deref()),
            (OutcomeStatus::Amber, Some("0.8")),
            "{}",
            lo1.explanation.sentence
        );
        let waste_item = lo1
            .explanation
            .items
            .iter()
            .find(|i| i.indicator.starts_with("WASTE1"))
            .unwrap();
        assert_eq!(
            (waste_item.weight, waste_item.via.as_str()),
            (0.25, "service PE-WASTE (some)")
        );
        let ex = app.exceptions(&cli, today).await.unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].indicator.as_str(), "WASTE1");
        assert!(
            ex[0].boards.iter().any(|(p, _)| p.as_str() == "PE"),
            "{:?}",
            ex[0].boards
        );
        // Every period of a series, for one indicator.
        let all = app
            .status_report(&cli, None, Some("WASTE1"), true, today)
            .await
            .unwrap();
        let whole: Vec<&goldthread_domain::scorecard::IndicatorStatus> = all
            .indicators
            .iter()
            .filter(|s| s.locality.is_none())
            .collect();
        assert_eq!(
            whole.len(),
            5,
            "2024/25 Q1–Q4 and 2025/26 Q1, which has ended"
        );
        assert_eq!(
            (whole[4].period.to_string(), whole[4].status),
            ("2025/26 Q1".to_string(), Rag::Missing)
        );
        assert!(matches!(
            app.status_report(&cli, None, Some("NOPE"), true, today)
                .await,
            Err(AppError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn a_data_import_is_one_audit_row_with_the_replaced_records() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let before = rows(&t).await;
        let changed = MEASUREMENTS.replace("WASTE1,2024/25 Q4,,48,", "WASTE1,2024/25 Q4,,50.5,")
            + "WASTE1,2025/26 Q1,,,system outage,draft,\n";
        let r = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &changed),
                false,
                "q4-fix.csv",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["measurements"], [1, 1, 5]);
        assert_eq!(
            rows(&t).await,
            before + 1,
            "one audit row for the whole import on {:?}",
            t.backend()
        );
        let mut c = t.db.read().await.unwrap();
        let f = AuditFilter {
            entity_type: Some("measurements".into()),
            limit: 10,
            ..Default::default()
        };
        let a = audit::list(&mut c, &cli.tenant_id(), &f).await.unwrap();
        let after = a[0].after.as_ref().unwrap();
        assert_eq!(
            (
                after["added"].as_i64(),
                after["replaced"].as_i64(),
                after["unchanged"].as_i64()
            ),
            (Some(1), Some(1), Some(5))
        );
        assert_eq!(after["sha256"].as_str().unwrap().len(), 64);
        let replaced = &a[0].before.as_ref().unwrap()["replaced"];
        assert_eq!(replaced[0]["value"], "48", "{replaced}");
        // Importing the same file again changes nothing and writes no audit row.
        let r = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &changed),
                false,
                "again",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["measurements"], [0, 0, 7]);
        assert_eq!(rows(&t).await, before + 1);
    }
}

#[tokio::test]
async fn a_rejected_or_dry_run_performance_import_writes_nothing() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let before = rows(&t).await;
        let today = date!(2025 - 07 - 01);
        let status = app
            .status_report(&cli, None, None, true, today)
            .await
            .unwrap()
            .indicators
            .clone();
        let bad = format!("{MEASUREMENTS}WASTE1,2024/25 Q5,,1,,,\nJOBS1,2025/26,,2,,,\n");
        let err = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &bad),
                false,
                "bad",
            )
            .await
            .unwrap_err();
        let AppError::Import(e) = err else {
            panic!("expected an import error")
        };
        assert_eq!(
            e[0].to_string(),
            "measurements.csv:8:period: '2024/25 Q5' is not a quarterly period (write it like 2024/25 Q1)"
        );
        let dry = app.import_performance(&cli, Kind::Measurements, &csv("measurements", "indicator,period,locality,value,missing_reason,status,note\nJOBS1,2025/26,,420,,,\n"), true, "dry").await.unwrap();
        assert_eq!(dry.tables["measurements"], [1, 0, 0]);
        assert_eq!(rows(&t).await, before);
        assert_eq!(
            app.status_report(&cli, None, None, true, today)
                .await
                .unwrap()
                .indicators
                .clone(),
            status
        );
        // Indicators must reference existing services, outcomes and people.
        let bad_ind = INDICATORS.replace("PE-WASTE", "PE-NOPE");
        let err = app
            .import_performance(
                &cli,
                Kind::Indicators,
                &csv("indicators", &bad_ind),
                false,
                "bad",
            )
            .await
            .unwrap_err();
        assert!(
            err.details()[0]
                .message
                .contains("unknown service code 'PE-NOPE'"),
            "{:?}",
            err.details()
        );
    }
}

#[tokio::test]
async fn a_published_period_is_never_recoloured_and_changes_show_as_restatements() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let today = date!(2025 - 07 - 01);
        let fy = Period::FinancialYear(2024);
        let before = rows(&t).await;
        let r = app.publish(&cli, fy, today).await.unwrap();
        assert_eq!(
            r.statuses, 4,
            "WASTE1 Q4 (area + 2 localities) and JOBS1 2024/25"
        );
        assert_eq!(
            rows(&t).await,
            before + 1,
            "one audit row for the publication"
        );
        let err = app.publish(&cli, fy, today).await.unwrap_err();
        assert_eq!(err.code(), "conflict", "{err}");
        // Later, the Q4 value is corrected and the JOBS1 target lowered.
        let fixed = MEASUREMENTS.replace(
            "WASTE1,2024/25 Q4,,48,,submitted,",
            "WASTE1,2024/25 Q4,,57,,assured,",
        );
        app.import_performance(
            &cli,
            Kind::Measurements,
            &csv("measurements", &fixed),
            false,
            "fix.csv",
        )
        .await
        .unwrap();
        app.import_performance(
            &cli,
            Kind::Targets,
            &csv(
                "targets",
                &TARGETS.replace("JOBS1,2024/25,400", "JOBS1,2024/25,360"),
            ),
            false,
            "t.csv",
        )
        .await
        .unwrap();
        let report = app
            .status_report(&cli, Some(fy), None, false, today)
            .await
            .unwrap();
        let waste = report
            .indicators
            .iter()
            .find(|s| s.indicator.as_str() == "WASTE1" && s.locality.is_none())
            .unwrap();
        assert!(waste.published && waste.restated);
        assert_eq!(
            (waste.status, waste.current_status),
            (Rag::Red, Rag::Green),
            "stays red as published; green is the restatement"
        );
        assert_eq!(waste.value.map(|v| v.to_string()), Some("48".into()));
        assert_eq!(
            waste.current_explanation.as_ref().unwrap().sentence,
            "Green: 57% meets the target of 55% (at or above it)."
        );
        let jobs = report
            .indicators
            .iter()
            .find(|s| s.indicator.as_str() == "JOBS1")
            .unwrap();
        assert_eq!(
            (
                jobs.status,
                jobs.current_status,
                jobs.target.map(|v| v.to_string())
            ),
            (Rag::Amber, Rag::Green, Some("400".into()))
        );
        // The outcome roll-up for the published period uses the published statuses.
        let lo1 = report
            .outcomes
            .iter()
            .find(|o| o.outcome.as_str() == "LO1")
            .unwrap();
        assert_eq!(lo1.explanation.score.as_deref(), Some("0.8"));
        // Unpublished periods are computed afresh.
        let q1 = app
            .status_report(
                &cli,
                Some(Period::Quarter { year: 2024, q: 1 }),
                Some("WASTE1"),
                false,
                today,
            )
            .await
            .unwrap();
        assert!(!q1.indicators[0].published && !q1.indicators[0].restated);
        assert_eq!(app.publications(&cli).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn an_indicator_linked_to_nothing_is_a_framework_gap() {
    let t = TestDb::sqlite().await;
    let (app, _tenant, cli) = setup(&t).await;
    assert!(
        app.gaps(&cli)
            .await
            .unwrap()
            .indicators_linked_to_nothing
            .is_empty()
    );
    let lonely = format!(
        "{INDICATORS}LONELY,Unlinked,enabler,count,data-only,calendar-year,local,,,,,,,no,,Nothing links here.,\n"
    );
    app.import_performance(
        &cli,
        Kind::Indicators,
        &csv("indicators", &lonely),
        false,
        "x",
    )
    .await
    .unwrap();
    let g = app.gaps(&cli).await.unwrap();
    assert_eq!(
        g.indicators_linked_to_nothing
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        vec!["LONELY"]
    );
}

#[tokio::test]
async fn service_managers_enter_values_and_performance_officers_assure_them() {
    use goldthread_app::performance::MeasurementInput;
    use goldthread_domain::performance::DataStatus;
    for t in databases().await {
        let (app, tenant, _cli) = setup(&t).await;
        let as_role = |role, email: &str| {
            let mut c = Caller::cli(tenant.clone());
            c.actor.role = role;
            c.actor.email = goldthread_domain::Email::parse(email).unwrap();
            c.who.label = email.to_string();
            c
        };
        // service.manager leads PE-WASTE, which WASTE1 measures.
        let sm = as_role(
            goldthread_domain::Role::ServiceManager,
            "service.manager@demo.example",
        );
        let po = as_role(
            goldthread_domain::Role::PerformanceOfficer,
            "performance@demo.example",
        );
        let other = as_role(
            goldthread_domain::Role::ServiceManager,
            "nobody@demo.example",
        );
        let mut input = MeasurementInput {
            period: "2025/26 Q1".into(),
            value: Some("54.5".into()),
            ..Default::default()
        };
        let before = rows(&t).await;
        let m = app.enter_measurement(&sm, "WASTE1", &input).await.unwrap();
        assert_eq!(
            (m.status, m.value.map(|v| v.to_string())),
            (DataStatus::Draft, Some("54.5".into()))
        );
        assert_eq!(rows(&t).await, before + 1);
        assert_eq!(
            app.enter_measurement(&other, "WASTE1", &input)
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        // Changing it needs the version read; a stale one is refused.
        input.submit = true;
        assert_eq!(
            app.enter_measurement(&sm, "WASTE1", &input)
                .await
                .unwrap_err()
                .code(),
            "validation"
        );
        input.version = Some(7);
        assert_eq!(
            app.enter_measurement(&sm, "WASTE1", &input)
                .await
                .unwrap_err()
                .code(),
            "conflict"
        );
        input.version = Some(1);
        assert_eq!(
            app.enter_measurement(&sm, "WASTE1", &input)
                .await
                .unwrap()
                .status,
            DataStatus::Submitted
        );
        // Only the centre assures, and only a submitted value.
        assert_eq!(
            app.assure(&sm, "WASTE1", "2025/26 Q1", None)
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            app.assure(&po, "WASTE1", "2025/26 Q1", None)
                .await
                .unwrap()
                .status,
            DataStatus::Assured
        );
        assert_eq!(
            app.assure(&po, "WASTE1", "2025/26 Q1", None)
                .await
                .unwrap_err()
                .code(),
            "bad_request"
        );
        // Editing an assured value sends it back for assurance.
        input.version = Some(3);
        input.value = Some("55".into());
        input.submit = false;
        assert_eq!(
            app.enter_measurement(&sm, "WASTE1", &input)
                .await
                .unwrap()
                .status,
            DataStatus::Draft
        );
        // Bad input is refused field by field, and nothing is written.
        let n = rows(&t).await;
        let bad = MeasurementInput {
            period: "2025/26".into(),
            value: Some("lots".into()),
            ..Default::default()
        };
        let err = app
            .enter_measurement(&sm, "WASTE1", &bad)
            .await
            .unwrap_err();
        let fields: Vec<String> = err.details().into_iter().map(|d| d.field).collect();
        assert_eq!(fields, vec!["period", "value"], "{:?}", err.details());
        assert_eq!(rows(&t).await, n);
    }
}

#[tokio::test]
async fn each_tenant_chooses_its_escalation_run_and_stable_threshold() {
    use goldthread_app::performance::RuleSettings;
    for t in databases().await {
        let (app, tenant, cli) = setup(&t).await;
        let today = date!(2025 - 07 - 01);
        assert_eq!(
            app.rule_settings(&cli).await.unwrap(),
            RuleSettings {
                red_periods: 2,
                stable_pct: "1".into()
            }
        );
        assert_eq!(app.exceptions(&cli, today).await.unwrap().len(), 1);
        let before = rows(&t).await;
        app.set_rule_settings(
            &cli,
            &RuleSettings {
                red_periods: 3,
                stable_pct: "10".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(rows(&t).await, before + 1);
        // WASTE1 is red for only 2 periods: no longer escalated at 3.
        assert!(app.exceptions(&cli, today).await.unwrap().is_empty());
        // 53 against 56.5 is a 6.2% fall: stable within 10%.
        let r = app
            .status_report(
                &cli,
                Some(Period::Quarter { year: 2024, q: 2 }),
                Some("WASTE1"),
                false,
                today,
            )
            .await
            .unwrap();
        assert_eq!(
            r.indicators[0].trend_previous,
            goldthread_domain::performance::Trend::Stable
        );
        let bad = app
            .set_rule_settings(
                &cli,
                &RuleSettings {
                    red_periods: 0,
                    stable_pct: "lots".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(bad.details().len(), 2);
        let mut member = Caller::cli(tenant.clone());
        member.actor.role = goldthread_domain::Role::Member;
        assert_eq!(
            app.set_rule_settings(
                &member,
                &RuleSettings {
                    red_periods: 2,
                    stable_pct: "1".into()
                }
            )
            .await
            .unwrap_err()
            .code(),
            "forbidden"
        );
    }
}

#[tokio::test]
async fn only_admins_and_performance_officers_import_data() {
    let t = TestDb::sqlite().await;
    let (app, tenant, _cli) = setup(&t).await;
    let mut c = Caller::cli(tenant);
    c.actor.role = goldthread_domain::Role::ServiceManager;
    let err = app
        .import_performance(
            &c,
            Kind::Measurements,
            &csv("measurements", MEASUREMENTS),
            false,
            "x",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn generated_national_data_imports_through_the_real_importers() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let dir = std::env::temp_dir().join(format!(
            "gt-national-{}-{:?}",
            std::process::id(),
            t.backend()
        ));
        let spec = goldthread_io::generate::Spec {
            councils: 2,
            indicators: 40,
            periods: 6,
            seed: 3,
            today: date!(2026 - 11 - 23),
        };
        let w = goldthread_io::generate::national(&spec, &dir).unwrap();
        for k in 1..=2 {
            let tenant = app
                .add_tenant(
                    &goldthread_app::ActorRef::cli(),
                    &format!("council-{k:02}"),
                    &format!("Council {k:02}"),
                    "",
                )
                .await
                .unwrap();
            let cli = Caller::cli(tenant);
            let d = dir.join(format!("council-{k:02}"));
            app.import_framework(&cli, &Source::Dir(d.clone()), false, "framework")
                .await
                .unwrap();
            for kind in [
                Kind::Localities,
                Kind::Indicators,
                Kind::Targets,
                Kind::Measurements,
            ] {
                app.import_performance(&cli, kind, &Source::Dir(d.clone()), false, kind.name())
                    .await
                    .unwrap();
            }
            for kind in [Kind::BenchmarkGroups, Kind::BenchmarkValues] {
                app.import_performance(&cli, kind, &Source::Dir(dir.clone()), false, kind.name())
                    .await
                    .unwrap();
            }
            let r = app
                .status_report(&cli, None, None, true, date!(2026 - 11 - 23))
                .await
                .unwrap();
            assert!(r.indicators.len() >= 40 * 6, "{}", r.indicators.len());
            // Benchmarks rank this council among both.
            assert!(
                r.indicators
                    .iter()
                    .any(|s| s.benchmark.as_ref().is_some_and(|b| b.n == 2))
            );
        }
        assert_eq!(w.measurements, 2 * 6 * (40 + 4));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// `rows` quarterly WASTE1 measurements from 1900/01 Q1 on, whole area.
fn waste_rows(rows: usize, value: &str) -> String {
    let mut s = String::from(MEASUREMENTS.lines().next().unwrap());
    s.push('\n');
    for i in 0..rows {
        let y = 1900 + i / 4;
        s.push_str(&format!(
            "WASTE1,{y}/{:02} Q{},,{value},,submitted,\n",
            (y + 1) % 100,
            i % 4 + 1
        ));
    }
    s
}

async fn measurement_count(app: &App, cli: &Caller) -> usize {
    app.load_perf_data(cli).await.unwrap().measurements.len()
}

#[tokio::test]
async fn a_streamed_import_is_all_or_nothing_across_batches_and_reports_every_bad_row() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let before = measurement_count(&app, &cli).await;
        let audit_before = rows(&t).await;
        // 9,000 rows: more than two write batches; the errors come after both.
        let mut bad = waste_rows(9_000, "50");
        bad.push_str("WASTE1,2024/25 Q9,,1,,,\nWASTE1,1900/01 Q1,,2,,,\nNOPE,2024/25,,1,,,\n");
        let err = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &bad),
                false,
                "bad",
            )
            .await
            .unwrap_err();
        let AppError::Import(e) = err else {
            panic!("expected an import error")
        };
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "measurements.csv:9002:period: '2024/25 Q9' is not a quarterly period (write it like 2024/25 Q1)",
                "measurements.csv:9003:period: WASTE1 1900/01 Q1 is a duplicate of row 2",
                "measurements.csv:9004:indicator: unknown indicator code 'NOPE' (import it in indicators.csv first)",
            ]
        );
        assert_eq!(measurement_count(&app, &cli).await, before);
        assert_eq!(rows(&t).await, audit_before);

        // The same rows without the bad ones: added, except the four quarters of
        // 2024/25 the setup imported, which are replaced; then again with every
        // value changed: all replaced; then unchanged.
        let good = waste_rows(9_000, "50");
        let r = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &good),
                false,
                "good",
            )
            .await
            .unwrap();
        assert_eq!((r.rows, r.tables["measurements"]), (9_000, [8_996, 4, 0]));
        assert_eq!(measurement_count(&app, &cli).await, before + 8_996);
        let changed = waste_rows(9_000, "51.5");
        let r = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &changed),
                false,
                "changed",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["measurements"], [0, 9_000, 0]);
        let r = app
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", &changed),
                false,
                "again",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["measurements"], [0, 0, 9_000]);
        assert_eq!(
            rows(&t).await,
            audit_before + 2,
            "one audit row per import that changed something"
        );
    }
}

#[tokio::test]
async fn a_change_made_by_another_process_is_seen_by_the_next_report() {
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        // A second App shares the database but not the cache, like a second server.
        let other = App::new(t.db.clone());
        let today = date!(2025 - 07 - 01);
        let q4 = |r: &goldthread_app::performance::StatusReport| {
            r.indicators
                .iter()
                .find(|s| {
                    s.indicator.as_str() == "WASTE1"
                        && s.period.to_string() == "2024/25 Q4"
                        && s.locality.is_none()
                })
                .map(|s| s.status)
        };
        let fy = Some(Period::FinancialYear(2024));
        let first = app
            .status_report(&cli, fy, None, true, today)
            .await
            .unwrap();
        assert_eq!(q4(&first), Some(Rag::Red));
        let again = app
            .status_report(&cli, fy, None, true, today)
            .await
            .unwrap();
        assert!(
            std::sync::Arc::ptr_eq(&first, &again),
            "served from the cache"
        );
        other
            .import_performance(
                &cli,
                Kind::Measurements,
                &csv("measurements", "indicator,period,locality,value,missing_reason,status,note\nWASTE1,2024/25 Q4,,60,,submitted,\n"),
                false,
                "fix",
            )
            .await
            .unwrap();
        let after = app
            .status_report(&cli, fy, None, true, today)
            .await
            .unwrap();
        assert_eq!(q4(&after), Some(Rag::Green));
    }
}

/// A file may leave out the optional `benchmark_typology` column (files made
/// before it existed); the held typologies are then kept, not cleared.
#[tokio::test]
async fn an_indicators_file_without_its_optional_column_keeps_what_is_held() {
    use goldthread_app::tables::DataTable;
    for t in databases().await {
        let (app, _tenant, cli) = setup(&t).await;
        let short: String = INDICATORS
            .lines()
            .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
            .collect();
        assert!(!short.contains("benchmark_typology"));
        let r = app
            .import_performance(
                &cli,
                Kind::Indicators,
                &csv("indicators", &short),
                false,
                "old",
            )
            .await
            .unwrap();
        assert_eq!(r.tables["indicators"], [0, 0, 2]);
        let rows = app
            .export_table(&cli, DataTable::Performance(Kind::Indicators))
            .await
            .unwrap();
        let waste = rows.iter().find(|r| r[0] == "WASTE1").unwrap();
        assert_eq!(waste.last().map(String::as_str), Some("other"));
    }
}
