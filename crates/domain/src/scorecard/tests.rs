use super::*;
use crate::framework::tests::{code, sample};
use crate::performance::{DataStatus, Source, Tolerance, Unit};
use crate::period::Frequency;
use time::macros::date;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn indicator(
    c: &str,
    tier: Tier,
    polarity: Polarity,
    frequency: Frequency,
    services: &[&str],
    outcomes: &[&str],
) -> Indicator {
    Indicator {
        code: code(c),
        title: format!("Indicator {c}"),
        tier,
        unit: Unit::Percent,
        polarity,
        frequency,
        source: Source::Local,
        owner: None,
        tolerance: Tolerance::default(),
        band_low: None,
        band_high: None,
        services: services.iter().map(|s| code(s)).collect(),
        outcomes: outcomes.iter().map(|s| code(s)).collect(),
        by_locality: false,
        deadline_days: 60,
        definition: String::new(),
        benchmark_typology: None,
    }
}

fn m(ind: &str, period: Period, value: Option<&str>) -> Measurement {
    Measurement {
        indicator: code(ind),
        period,
        locality: None,
        value: value.map(d),
        missing_reason: if value.is_none() {
            "not collected".into()
        } else {
            String::new()
        },
        status: DataStatus::Assured,
        note: String::new(),
    }
}

fn t(ind: &str, period: Period, target: &str) -> Target {
    Target {
        indicator: code(ind),
        period,
        target: Some(d(target)),
        band_low: None,
        band_high: None,
    }
}

fn q(year: i32, q: u8) -> Period {
    Period::Quarter { year, q }
}

struct Data {
    fw: Framework,
    indicators: Vec<Indicator>,
    targets: Vec<Target>,
    measurements: Vec<Measurement>,
}

/// S1 serves LO1 (primary, from the sample framework). SQ: quarterly service
/// indicator on S1; OY: yearly outcome indicator on LO1; EN: an enabler.
fn data() -> Data {
    let fw = sample();
    let indicators = vec![
        indicator(
            "SQ",
            Tier::Service,
            Polarity::HigherBetter,
            Frequency::Quarterly,
            &["S1"],
            &[],
        ),
        indicator(
            "OY",
            Tier::Outcome,
            Polarity::LowerBetter,
            Frequency::FinancialYear,
            &[],
            &["LO1"],
        ),
        indicator(
            "EN",
            Tier::Enabler,
            Polarity::HigherBetter,
            Frequency::FinancialYear,
            &[],
            &[],
        ),
    ];
    let mut targets = Vec::new();
    let mut measurements = Vec::new();
    for qn in 1..=4 {
        targets.push(t("SQ", q(2024, qn), "80"));
    }
    // Q1 green, Q2 amber, Q3 red, Q4 red → escalate; 2025/26 Q1 not yet collected.
    measurements.push(m("SQ", q(2024, 1), Some("85")));
    measurements.push(m("SQ", q(2024, 2), Some("77")));
    measurements.push(m("SQ", q(2024, 3), Some("60")));
    measurements.push(m("SQ", q(2024, 4), Some("59")));
    targets.push(t("OY", Period::FinancialYear(2023), "10"));
    targets.push(t("OY", Period::FinancialYear(2024), "10"));
    measurements.push(m("OY", Period::FinancialYear(2023), Some("12")));
    measurements.push(m("OY", Period::FinancialYear(2024), Some("9")));
    measurements.push(m("EN", Period::FinancialYear(2024), Some("50")));
    Data {
        fw,
        indicators,
        targets,
        measurements,
    }
}

fn card(data: &Data, today: Date) -> Scorecard<'_> {
    Scorecard::new(
        &data.fw,
        &data.indicators,
        &data.targets,
        &data.measurements,
        &[],
        &[],
        &[],
        "Own",
        today,
        Settings::default(),
    )
}

#[test]
fn a_series_runs_to_the_last_ended_period_and_due_periods_without_a_value_are_missing_then_overdue()
{
    let data = data();
    // 2025/26 Q1 ended 30 Jun 2025: due 29 Aug 2025.
    let c = card(&data, date!(2025 - 08 - 29));
    let sq = c.indicator("SQ").unwrap();
    let series = c.series(sq);
    assert_eq!(series.first(), Some(&q(2024, 1)));
    assert_eq!(series.last(), Some(&q(2025, 1)));
    assert_eq!(c.status(sq, q(2025, 1), None).status, Rag::Missing);
    let c = card(&data, date!(2025 - 08 - 30));
    assert_eq!(c.status(sq, q(2025, 1), None).status, Rag::Overdue);
    // No target for 2025/26 Q1: an overdue value is still overdue, never red.
    let statuses: Vec<Rag> = c
        .series(sq)
        .iter()
        .map(|p| c.status(sq, *p, None).status)
        .collect();
    assert_eq!(
        statuses,
        vec![Rag::Green, Rag::Amber, Rag::Red, Rag::Red, Rag::Overdue]
    );
}

#[test]
fn trends_compare_with_the_previous_period_and_a_year_earlier() {
    let data = data();
    let c = card(&data, date!(2025 - 06 - 01));
    let oy = c.indicator("OY").unwrap();
    let s = c.status(oy, Period::FinancialYear(2024), None);
    assert_eq!(
        (s.status, s.trend_previous, s.trend_year_ago),
        (Rag::Green, Trend::Improving, Trend::Improving)
    );
    let sq = c.indicator("SQ").unwrap();
    let s = c.status(sq, q(2024, 3), None);
    assert_eq!(
        (s.trend_previous, s.trend_year_ago),
        (Trend::Worsening, Trend::None)
    );
}

#[test]
fn the_outcome_roll_up_uses_each_indicators_period_within_the_requested_one() {
    let data = data();
    let c = card(&data, date!(2025 - 06 - 01));
    // For 2024/25: SQ uses Q4 (red, weight 1 as primary), OY uses 2024/25 (green, weight 1).
    let r = c.outcome(&code("LO1"), Period::FinancialYear(2024));
    assert_eq!(r.counted, 2);
    assert_eq!(r.score.as_deref(), Some("1"));
    assert_eq!(r.status, OutcomeStatus::Amber);
    let names: Vec<&str> = r.items.iter().map(|i| i.indicator.as_str()).collect();
    assert_eq!(names, vec!["OY (2024/25)", "SQ (2024/25 Q4)"]);
    assert_eq!(r.items[1].via, "service S1 (primary)");
    // For a quarter, the yearly indicator has no period ending within it.
    let r = c.outcome(&code("LO1"), q(2024, 2));
    assert_eq!((r.counted, r.status), (1, OutcomeStatus::Amber));
    // Enablers roll up separately, never into outcomes.
    assert_eq!(
        c.enablers(Period::FinancialYear(2024)).status,
        OutcomeStatus::NoData
    );
    assert_eq!(
        c.outcome(&code("LO2"), Period::FinancialYear(2024)).status,
        OutcomeStatus::NoData
    );
}

#[test]
fn periods_within_another() {
    let ind = |f| indicator("X", Tier::Service, Polarity::HigherBetter, f, &[], &[]);
    let fy = Period::FinancialYear(2024);
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::Quarterly), fy),
        Some(q(2024, 4))
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::Monthly), fy),
        Some(Period::Month {
            year: 2025,
            month: 3
        })
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::AcademicYear), fy),
        Some(Period::AcademicYear(2023))
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::CalendarYear), fy),
        Some(Period::CalendarYear(2024))
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::FinancialYear), q(2024, 2)),
        None
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::FinancialYear), q(2024, 4)),
        Some(fy)
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::Quarterly), q(2024, 1)),
        Some(q(2024, 1))
    );
    assert_eq!(
        Scorecard::period_within(&ind(Frequency::Quarterly), Period::CalendarYear(2024)),
        Some(q(2024, 3))
    );
}

#[test]
fn exceptions_go_to_the_board_of_the_portfolio_leading_the_outcome() {
    let data = data();
    let c = card(&data, date!(2025 - 06 - 01));
    let ex = c.exceptions();
    assert_eq!(ex.len(), 1, "{ex:#?}");
    assert_eq!(ex[0].indicator.as_str(), "SQ");
    assert_eq!(ex[0].reason, Escalation::Red { periods: 2 });
    assert_eq!(ex[0].outcomes, vec![code("LO1")]);
    assert_eq!(
        ex[0].boards,
        vec![(code("P1"), Some(crate::framework::tests::email("a@x.org")))]
    );
    assert_eq!(
        ex[0].sentence,
        "SQ is red for 2 consecutive periods up to 2024/25 Q4; it goes to the outcome board of P1."
    );
    // While 2025/26 Q1 is being collected (missing, not yet due), the red run still escalates.
    let c = card(&data, date!(2025 - 07 - 15));
    assert_eq!(c.exceptions()[0].reason, Escalation::Red { periods: 2 });
    assert_eq!(c.exceptions()[0].period, q(2024, 4));
    // Once 2025/26 Q1 is overdue, that is the reason.
    let c = card(&data, date!(2025 - 09 - 01));
    assert_eq!(c.exceptions()[0].reason, Escalation::Overdue);
    assert_eq!(
        c.exceptions()[0].sentence,
        "SQ's value for 2025/26 Q1 is overdue; it goes to the outcome board of P1."
    );
}

#[test]
fn a_status_never_depends_on_unrelated_data() {
    let mut data = data();
    let c = card(&data, date!(2025 - 06 - 01));
    let before: Vec<IndicatorStatus> = c
        .all()
        .into_iter()
        .filter(|s| s.indicator.as_str() == "OY")
        .collect();
    data.measurements.push(m("SQ", q(2023, 4), Some("1")));
    data.targets.push(t("SQ", q(2023, 4), "99"));
    let c = card(&data, date!(2025 - 06 - 01));
    let after: Vec<IndicatorStatus> = c
        .all()
        .into_iter()
        .filter(|s| s.indicator.as_str() == "OY")
        .collect();
    assert_eq!(before, after);
}

proptest::proptest! {
    /// The order data arrives in never changes any status, trend, roll-up or exception.
    #[test]
    fn statuses_do_not_depend_on_the_order_of_the_data(seed in 0u64..10_000) {
        let original = data();
        let today = date!(2025 - 09 - 01);
        let base = card(&original, today);
        let (all, rollup, ex) = (base.all(), base.outcome(&code("LO1"), Period::FinancialYear(2024)), base.exceptions());
        let mut shuffled = data();
        // A deterministic shuffle from the seed.
        let n = shuffled.measurements.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64 * 1442695040888963407) % (i as u64 + 1)) as usize;
            shuffled.measurements.swap(i, j);
        }
        shuffled.targets.reverse();
        shuffled.indicators.reverse();
        let c = card(&shuffled, today);
        let mut a = c.all();
        let mut b = all.clone();
        let key = |s: &IndicatorStatus| (s.indicator.clone(), s.period, s.locality.clone());
        a.sort_by_key(key);
        b.sort_by_key(key);
        proptest::prop_assert_eq!(a, b);
        proptest::prop_assert_eq!(c.outcome(&code("LO1"), Period::FinancialYear(2024)), rollup);
        proptest::prop_assert_eq!(c.exceptions(), ex);
    }
}
