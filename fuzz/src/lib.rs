//! What the fuzz targets run: every importer's reading and validation, on
//! arbitrary bytes, against the demo council as what is already held (so that
//! references to outcomes, services, people, risks … can be found or not).
//! Nothing here touches a database: the readers are the importers' whole
//! validation; the writes after them are plain inserts of validated records.
//!
//! The property: no panic, no hang, no runaway memory (libFuzzer's -timeout and
//! -rss_limit_mb), and every refusal reads as `file…: message`.
use goldthread_domain::Code;
use goldthread_domain::framework::{Framework, RaciEntry};
use goldthread_domain::indicator::{Indicator, Locality};
use goldthread_io::table::{ImportError, Source};
use goldthread_io::{actions, assessment, benefits, commissioning, engagement, framework};
use goldthread_io::{org, performance, programmes, risks};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::LazyLock;

/// Each family's tables, as their files are named.
pub const FAMILIES: &[(&str, &[&str])] = &[
    (
        "framework",
        &[
            "people",
            "outcomes",
            "portfolios",
            "services",
            "contributions",
            "raci",
            "plans",
        ],
    ),
    (
        "performance",
        &[
            "localities",
            "indicators",
            "targets",
            "measurements",
            "benchmark-groups",
            "benchmark-values",
        ],
    ),
    ("engagement", &["consultations", "responses", "committees"]),
    ("commissioning", &["contracts"]),
    (
        "risks",
        &["risks", "controls", "risk-reviews", "risk-appetite"],
    ),
    ("assessment", &["assessment-themes", "self-assessments"]),
    ("benefits", &["benefits", "benefit-profiles", "budget-gap"]),
    (
        "actions",
        &[
            "action-plans",
            "recommendations",
            "actions",
            "action-progress",
        ],
    ),
    ("programmes", &["programmes", "workstreams", "initiatives"]),
    ("org", &["grades", "posts", "adjustments"]),
];

/// The demo council, as the importers see what is held.
struct Held {
    fw: Framework,
    indicators: Vec<Indicator>,
    localities: Vec<Locality>,
    consultations: Vec<Code>,
    plans: Vec<Code>,
    recommendations: Vec<(Code, Code)>,
    actions: Vec<Code>,
    risk_codes: BTreeSet<Code>,
    risks: risks::Known,
    programmes: programmes::Known,
    benefits: Vec<goldthread_domain::benefits::Benefit>,
    themes: Vec<goldthread_domain::assessment::Theme>,
    org: org::Known,
}

fn demo() -> Source {
    Source::Dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../demo/clackmannanshire"))
}

static HELD: LazyLock<Held> = LazyLock::new(|| {
    let src = demo();
    let f = framework::read(&src, &Framework::default()).expect("the demo framework reads");
    let fw = Framework {
        people: f.people,
        outcomes: f.outcomes,
        portfolios: f.portfolios,
        services: f.services,
        contributions: f.contributions,
        raci: f
            .raci
            .into_iter()
            .flat_map(|(outcome, v)| {
                v.into_iter().map(move |(person, raci)| RaciEntry {
                    outcome: outcome.clone(),
                    person,
                    raci,
                })
            })
            .collect(),
        plans: f.plans,
    };
    let localities = performance::read_localities(&src).expect("demo localities");
    let indicators = {
        let ctx = performance::Context::new(&fw, &[], &localities);
        performance::read_indicators(&src, &ctx).expect("demo indicators")
    };
    let codes = |table: &str| -> Vec<Code> {
        let t = src.table(table).expect("demo table").expect("demo table");
        t.rows
            .iter()
            .filter_map(|(_, r)| Code::parse(&r[0]).ok())
            .collect()
    };
    let consultations = codes("consultations");
    let plans = codes("action-plans");
    let actions_held = codes("actions");
    let recommendations = src
        .table("recommendations")
        .expect("demo table")
        .expect("demo table")
        .rows
        .iter()
        .filter_map(|(_, r)| Some((Code::parse(&r[0]).ok()?, Code::parse(&r[1]).ok()?)))
        .collect();
    let outcomes: BTreeSet<Code> = fw.outcomes.iter().map(|o| o.code.clone()).collect();
    let services: BTreeSet<Code> = fw.services.iter().map(|s| s.code.clone()).collect();
    let people: BTreeSet<_> = fw.people.iter().map(|p| p.email.clone()).collect();
    let risk_codes: BTreeSet<Code> = codes("risks").into_iter().collect();
    let programme_codes: BTreeSet<Code> = codes("programmes").into_iter().collect();
    let risks = risks::Known {
        outcomes: outcomes.clone(),
        services: services.clone(),
        people: people.clone(),
        risks: risk_codes.clone(),
        programmes: programme_codes.clone(),
        ..Default::default()
    };
    let benefit_codes: BTreeSet<Code> = codes("benefits").into_iter().collect();
    let programmes = programmes::Known {
        outcomes,
        services: services.clone(),
        people,
        risks: risk_codes.clone(),
        programmes: programme_codes,
        benefits: benefit_codes,
        ..Default::default()
    };
    let benefits = {
        let known = benefits::Known {
            framework: &fw,
            indicators: &indicators
                .iter()
                .map(|i| i.code.clone())
                .collect::<Vec<_>>(),
            reviews: &[],
        };
        benefits::read_benefits(&src, &known).unwrap_or_default()
    };
    let org = org::Known {
        grades: codes("grades").into_iter().collect(),
        services,
    };
    Held {
        fw,
        indicators,
        localities,
        consultations,
        plans,
        recommendations,
        actions: actions_held,
        risk_codes,
        risks,
        programmes,
        benefits,
        themes: Vec::new(),
        org,
    }
});

/// Checks a refusal reads as `file…: message`.
fn check(errors: Vec<ImportError>) {
    assert!(!errors.is_empty(), "a refusal names at least one problem");
    for e in errors {
        let shown = e.to_string();
        assert!(
            !e.file.is_empty() && !e.message.trim().is_empty() && shown.contains(": "),
            "{shown:?}"
        );
    }
}

fn outcome<T>(r: Result<T, Vec<ImportError>>) {
    if let Err(e) = r {
        check(e);
    }
}

/// Reads `source` as import table `table`, the way its import does.
pub fn import(table: &str, source: &Source) {
    let h = &*HELD;
    let ctx = performance::Context::new(&h.fw, &h.indicators, &h.localities);
    match table {
        "people" | "outcomes" | "portfolios" | "services" | "contributions" | "raci" | "plans" => {
            outcome(framework::read(source, &h.fw))
        }
        "localities" => outcome(performance::read_localities(source)),
        "indicators" => outcome(performance::read_indicators(source, &ctx)),
        "targets" => outcome(performance::read_targets(source, &ctx)),
        "measurements" => outcome(performance::read_measurements(source, &ctx)),
        "benchmark-groups" => outcome(performance::read_benchmark_groups(source)),
        "benchmark-values" => outcome(performance::read_benchmark_values(source, &ctx)),
        "consultations" => {
            let localities: Vec<Code> = h.localities.iter().map(|l| l.code.clone()).collect();
            outcome(engagement::read_consultations(source, &h.fw, &localities))
        }
        "responses" => outcome(engagement::read_responses(source, &h.consultations)),
        "committees" => outcome(engagement::read_committees(source, &h.fw)),
        "contracts" => {
            let services: Vec<Code> = h.fw.services.iter().map(|s| s.code.clone()).collect();
            outcome(commissioning::read_contracts(source, &services))
        }
        "risks" => outcome(risks::read_risks(source, &h.risks, &BTreeMap::new())),
        "controls" => outcome(risks::read_controls(source, &h.risks)),
        "risk-reviews" => outcome(risks::read_risk_reviews(source, &h.risks)),
        "risk-appetite" => outcome(risks::read_appetite(source)),
        "assessment-themes" => outcome(assessment::read_themes(source)),
        "self-assessments" => {
            let outcomes: BTreeSet<Code> = h.fw.outcomes.iter().map(|o| o.code.clone()).collect();
            let actions: BTreeSet<String> = h.actions.iter().map(|a| a.to_string()).collect();
            outcome(assessment::read_scores(
                source,
                &h.themes,
                &outcomes,
                Some(&actions),
            ))
        }
        "benefits" => {
            let indicators: Vec<Code> = h.indicators.iter().map(|i| i.code.clone()).collect();
            let known = benefits::Known {
                framework: &h.fw,
                indicators: &indicators,
                reviews: &[],
            };
            outcome(benefits::read_benefits(source, &known))
        }
        "benefit-profiles" => outcome(benefits::read_profiles(source, &h.benefits)),
        "budget-gap" => outcome(benefits::read_budget_gap(source)),
        "action-plans" => outcome(actions::read_plans(source, &h.fw)),
        "recommendations" => outcome(actions::read_recommendations(source, &h.plans)),
        "actions" => outcome(actions::read_actions(
            source,
            &actions::ActionContext {
                framework: &h.fw,
                plans: &h.plans,
                recommendations: &h.recommendations,
                risks: &h.risk_codes,
            },
        )),
        "action-progress" => outcome(actions::read_progress(source, &h.actions)),
        "programmes" => outcome(programmes::read_programmes(source, &h.programmes)),
        "workstreams" => outcome(programmes::read_workstreams(source, &h.programmes)),
        "initiatives" => outcome(programmes::read_initiatives(source, &h.programmes)),
        "grades" => outcome(org::read_grades(source)),
        "posts" => outcome(org::read_posts(source, &h.org)),
        "adjustments" => outcome(org::read_adjustments(source, &h.org)),
        other => panic!("no importer for {other}"),
    }
}

/// A family target: the first byte picks one of the family's tables, the rest
/// is that table's CSV, given as an upload would be.
pub fn csv_family(family: &str, data: &[u8]) {
    let tables = FAMILIES
        .iter()
        .find(|(f, _)| *f == family)
        .map(|(_, t)| *t)
        .expect("a known family");
    let Some((&pick, csv)) = data.split_first() else {
        return;
    };
    let table = tables[pick as usize % tables.len()];
    let source = match Source::csv([(format!("{table}.csv"), csv.to_vec())].into()) {
        Ok(s) => s,
        Err(e) => return check(vec![e]),
    };
    import(table, &source);
}

/// The CSV reader: a whole table, and the same bytes as a stream.
pub fn csv_rows(data: &[u8]) {
    match goldthread_io::table::read_csv("t.csv", data) {
        Ok(t) => {
            let mut last = 1;
            for (n, _) in &t.rows {
                assert!(*n > last, "row numbers rise: {n} after {last}");
                last = *n;
            }
        }
        Err(e) => check(vec![e]),
    }
}

/// Any bytes as an XLSX upload, read as every import table.
pub fn xlsx_workbook(data: &[u8]) {
    let source = match Source::xlsx(data.to_vec()) {
        Ok(s) => s,
        Err(e) => return check(vec![e]),
    };
    for (_, tables) in FAMILIES {
        for table in *tables {
            import(table, &source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of every family reads the demo's own file without panicking,
    /// and the held state builds.
    #[test]
    fn every_table_has_an_importer() {
        let src = demo();
        for (_, tables) in FAMILIES {
            for table in *tables {
                import(table, &src);
            }
        }
    }
}
