use super::*;
use proptest::prelude::*;
use rust_decimal_macros_free::d;
use time::macros::date;

/// Decimal literals without a macro crate.
mod rust_decimal_macros_free {
    pub fn d(s: &str) -> rust_decimal::Decimal {
        s.parse().unwrap()
    }
}

fn input(polarity: Polarity, value: Option<&str>, target: Option<&str>, tol: &str) -> StatusInput {
    StatusInput {
        polarity,
        unit: Unit::Percent,
        tolerance: Tolerance::parse(tol).unwrap(),
        period: Period::FinancialYear(2024),
        value: value.map(d),
        missing_reason: None,
        target: target.map(d),
        band: None,
        deadline_days: 60,
        today: date!(2025 - 12 - 01),
    }
}

#[test]
fn status_table() {
    use Polarity::*;
    use Rag::*;
    let cases: &[(Polarity, &str, &str, &str, Rag)] = &[
        // higher-better, 5% of 75 = 3.75 → amber from 71.25
        (HigherBetter, "75", "75", "5%", Green),
        (HigherBetter, "80", "75", "5%", Green),
        (HigherBetter, "71.25", "75", "5%", Amber),
        (HigherBetter, "71.24", "75", "5%", Red),
        (HigherBetter, "71.2", "75", "5%", Red),
        // absolute tolerance
        (HigherBetter, "73", "75", "2", Amber),
        (HigherBetter, "72.99", "75", "2", Red),
        // target 0: a percentage tolerance is 0
        (HigherBetter, "0", "0", "5%", Green),
        (HigherBetter, "-0.01", "0", "5%", Red),
        (HigherBetter, "-0.5", "0", "1", Amber),
        // negative target: tolerance is of |target|
        (HigherBetter, "-10.5", "-10", "5%", Amber),
        (HigherBetter, "-10.6", "-10", "5%", Red),
        // lower-better
        (LowerBetter, "10", "10", "10%", Green),
        (LowerBetter, "11", "10", "10%", Amber),
        (LowerBetter, "11.01", "10", "10%", Red),
        (LowerBetter, "-5", "0", "5%", Green),
        // data-only
        (DataOnly, "42", "50", "5%", NoTarget),
    ];
    for (polarity, v, t, tol, expected) in cases {
        let e = status(&input(*polarity, Some(v), Some(t), tol));
        assert_eq!(
            e.status, *expected,
            "{polarity} v={v} t={t} tol={tol}: {}",
            e.sentence
        );
    }
}

#[test]
fn no_target_missing_and_the_overdue_boundary_day() {
    let e = status(&input(Polarity::HigherBetter, Some("50"), None, "5%"));
    assert_eq!(e.status, Rag::NoTarget);
    assert_eq!(
        e.sentence,
        "No target: no target is set for 2024/25 (50% recorded)."
    );
    // 2024/25 ends 31 Mar 2025; + 60 days = 30 May 2025.
    let mut i = input(Polarity::HigherBetter, None, Some("75"), "5%");
    i.today = date!(2025 - 05 - 30);
    let e = status(&i);
    assert_eq!(
        (e.status, e.due),
        (Rag::Missing, Some(date!(2025 - 05 - 30)))
    );
    i.today = date!(2025 - 05 - 31);
    i.missing_reason = Some("system migration".into());
    let e = status(&i);
    assert_eq!(e.status, Rag::Overdue);
    assert_eq!(
        e.sentence,
        "Overdue: there is no value for 2024/25, which was due by 2025-05-30. Reason given: system migration."
    );
}

#[test]
fn sentences_carry_the_right_arithmetic() {
    let e = status(&input(
        Polarity::HigherBetter,
        Some("71.2"),
        Some("75"),
        "5%",
    ));
    assert_eq!(
        e.sentence,
        "Red: 71.2% is below 71.25%, the target of 75% less the 5% tolerance of 3.75%."
    );
    assert_eq!(
        (e.tolerance_amount, e.amber_low),
        (Some(d("3.75")), Some(d("71.25")))
    );
    let e = status(&input(Polarity::HigherBetter, Some("72"), Some("75"), "5%"));
    assert_eq!(
        e.sentence,
        "Amber: 72% is below the target of 75% but within the 5% tolerance (amber from 71.25%)."
    );
    let e = status(&input(Polarity::LowerBetter, Some("11"), Some("10"), "10%"));
    assert_eq!(
        e.sentence,
        "Amber: 11% is above the target of 10% but within the 10% tolerance (amber up to 11%)."
    );
    let mut i = input(
        Polarity::HigherBetter,
        Some("1250000"),
        Some("1000000"),
        "5%",
    );
    i.unit = Unit::Money;
    assert_eq!(
        status(&i).sentence,
        "Green: £1,250,000 meets the target of £1,000,000 (at or above it)."
    );
    assert_eq!(status(&i).rule, RULE_HIGHER);
}

#[test]
fn in_band_edges_use_the_nearer_edge_for_a_percentage_tolerance() {
    let band = |v: &str, tol: &str| {
        let mut i = input(Polarity::InBand, Some(v), None, tol);
        i.band = Some((d("90"), d("110")));
        status(&i)
    };
    // 10% of 90 = 9 below (amber from 81); 10% of 110 = 11 above (amber to 121).
    for (v, expected) in [
        ("90", Rag::Green),
        ("110", Rag::Green),
        ("100", Rag::Green),
        ("81", Rag::Amber),
        ("80.99", Rag::Red),
        ("121", Rag::Amber),
        ("121.01", Rag::Red),
    ] {
        assert_eq!(band(v, "10%").status, expected, "{v}");
    }
    let e = band("85", "10%");
    assert_eq!((e.amber_low, e.amber_high), (Some(d("81")), Some(d("121"))));
    assert_eq!(
        e.sentence,
        "Amber: 85% is below the target band 90%–110% but within the 10% tolerance (amber from 81%)."
    );
    assert_eq!(band("124", "2").status, Rag::Red);
    assert_eq!(band("112", "2").status, Rag::Amber);
    let mut i = input(Polarity::InBand, Some("5"), None, "5%");
    i.band = None;
    assert_eq!(status(&i).status, Rag::NoTarget);
}

#[test]
fn tolerances_parse() {
    assert_eq!(Tolerance::parse("").unwrap(), Tolerance::Percent(d("5")));
    assert_eq!(Tolerance::parse("2.5%").unwrap().to_string(), "2.5%");
    assert_eq!(Tolerance::parse("3").unwrap(), Tolerance::Absolute(d("3")));
    assert!(Tolerance::parse("-1").is_err());
    assert!(Tolerance::parse("five").is_err());
}

#[test]
fn trend_table() {
    use Polarity::*;
    use Trend::*;
    let one = d("1");
    let t =
        |p, v: &str, prev: &str| trend(p, Some(d(v)), Some(d(prev)), Some((d("40"), d("60"))), one);
    assert_eq!(t(HigherBetter, "101", "100"), Stable); // exactly 1%
    assert_eq!(t(HigherBetter, "101.01", "100"), Improving);
    assert_eq!(t(HigherBetter, "98", "100"), Worsening);
    assert_eq!(t(LowerBetter, "98", "100"), Improving);
    assert_eq!(t(LowerBetter, "-110", "-100"), Improving);
    assert_eq!(t(HigherBetter, "0", "0"), Stable);
    assert_eq!(t(HigherBetter, "0.001", "0"), Improving);
    assert_eq!(t(LowerBetter, "-0.001", "0"), Improving);
    assert_eq!(t(DataOnly, "120", "100"), Up);
    assert_eq!(t(DataOnly, "80", "100"), Down);
    assert_eq!(t(InBand, "65", "70"), Improving); // nearer the band
    assert_eq!(t(InBand, "30", "35"), Worsening);
    assert_eq!(t(InBand, "45", "55"), Stable); // both inside
    assert_eq!(
        trend(HigherBetter, Some(d("1")), Option::None, Option::None, one),
        Trend::None
    );
    assert_eq!(
        trend(HigherBetter, Option::None, Some(d("1")), Option::None, one),
        Trend::None
    );
}

fn item(name: &str, status: Rag, quarters: i64) -> (String, Rag, i64, String) {
    (name.into(), status, quarters, "test".into())
}

#[test]
fn rollup_thresholds_are_exact() {
    use Rag::*;
    // green + amber, equal weight: (2+1)/2 = 1.5 → green (boundary inclusive)
    let r = rollup(&[item("a", Green, 4), item("b", Amber, 4)]);
    assert_eq!(
        (r.status, r.score.as_deref()),
        (OutcomeStatus::Green, Some("1.5"))
    );
    // amber + red + green weighted 4,4,1: (4 + 0 + 2)/9 = 0.6667 → red
    let r = rollup(&[item("a", Amber, 4), item("b", Red, 4), item("c", Green, 1)]);
    assert_eq!(
        (r.status, r.score.as_deref()),
        (OutcomeStatus::Red, Some("0.6667"))
    );
    // amber 1 + red 0 + green 2 at 4,4,2: 8/10 = 0.8 → amber
    let r = rollup(&[item("a", Amber, 4), item("b", Red, 4), item("c", Green, 2)]);
    assert_eq!(r.status, OutcomeStatus::Amber);
    // exactly 0.75: amber 1 ×3 + red 0 ×1 = 3/4
    let r = rollup(&[
        item("a", Amber, 4),
        item("b", Amber, 4),
        item("c", Amber, 4),
        item("d", Red, 4),
    ]);
    assert_eq!(
        (r.status, r.score.as_deref()),
        (OutcomeStatus::Amber, Some("0.75"))
    );
    // excluded statuses are counted and shown, not scored
    let r = rollup(&[
        item("a", Green, 4),
        item("b", Missing, 4),
        item("c", Overdue, 2),
        item("d", NoTarget, 1),
    ]);
    assert_eq!(
        (r.status, r.counted, r.excluded),
        (OutcomeStatus::Green, 1, 3)
    );
    assert_eq!(r.items[1].points, Option::None);
    assert_eq!(
        r.sentence,
        "Green: a weighted score of 2 (at least 1.5) from 1 indicator(s) — 1 green, 0 amber, 0 red — weighted 1 in all; 3 excluded (no target, missing or overdue)."
    );
    let r = rollup(&[item("a", Missing, 4)]);
    assert_eq!((r.status, r.score), (OutcomeStatus::NoData, Option::None));
    assert_eq!(rollup(&[]).status, OutcomeStatus::NoData);
}

#[test]
fn escalation_needs_consecutive_reds_including_the_latest_or_overdue() {
    use Rag::*;
    assert_eq!(
        escalation(&[Red, Red, Green], 2),
        Some(Escalation::Red { periods: 2 })
    );
    assert_eq!(
        escalation(&[Red, Red, Red], 2),
        Some(Escalation::Red { periods: 3 })
    );
    assert_eq!(escalation(&[Red, Green, Red], 2), Option::None);
    assert_eq!(escalation(&[Green, Red, Red], 2), Option::None);
    assert_eq!(escalation(&[Red, Missing, Red], 2), Option::None);
    assert_eq!(escalation(&[Red], 2), Option::None);
    assert_eq!(escalation(&[Red, Red], 3), Option::None);
    assert_eq!(escalation(&[Overdue, Green], 2), Some(Escalation::Overdue));
    assert_eq!(escalation(&[], 2), Option::None);
}

fn ds(v: &[&str]) -> Vec<Decimal> {
    v.iter().map(|s| d(s)).collect()
}

#[test]
fn benchmark_ranks_ties_quartiles_and_comparators() {
    let members = ds(&["10", "20", "20", "30"]);
    // higher-better: 30 is 1st, 20s share 2nd, 10 is 4th.
    let b = benchmark(
        Polarity::HigherBetter,
        None,
        Some(d("20")),
        &members,
        None,
        &ds(&["10", "30"]),
    );
    assert_eq!((b.rank, b.n, b.quartile), (Some(2), 4, Some(2)));
    assert_eq!(b.scotland, Some(d("20"))); // mean of members
    assert_eq!(b.family_group_average, Some(d("20")));
    assert_eq!(
        (b.vs_scotland, b.vs_family_group),
        (Some(Position::Same), Some(Position::Same))
    );
    let b = benchmark(
        Polarity::HigherBetter,
        None,
        Some(d("10")),
        &members,
        Some(d("25")),
        &[],
    );
    assert_eq!(
        (b.rank, b.quartile, b.scotland, b.vs_scotland),
        (Some(4), Some(4), Some(d("25")), Some(Position::Worse))
    );
    assert_eq!(b.family_group_average, Option::None);
    // lower-better ranks ascending
    let b = benchmark(
        Polarity::LowerBetter,
        None,
        Some(d("10")),
        &members,
        None,
        &[],
    );
    assert_eq!(
        (b.rank, b.quartile, b.vs_scotland),
        (Some(1), Some(1), Some(Position::Better))
    );
    // n < 4: quartile = ceil(4 × rank / n)
    let b = benchmark(
        Polarity::HigherBetter,
        None,
        Some(d("5")),
        &ds(&["5", "9"]),
        None,
        &[],
    );
    assert_eq!((b.rank, b.n, b.quartile), (Some(2), 2, Some(4)));
    let b = benchmark(
        Polarity::HigherBetter,
        None,
        Some(d("9")),
        &ds(&["5", "9", "1"]),
        None,
        &[],
    );
    assert_eq!((b.rank, b.quartile), (Some(1), Some(2)));
    // in-band: by distance to the midpoint (50)
    let b = benchmark(
        Polarity::InBand,
        Some((d("40"), d("60"))),
        Some(d("52")),
        &ds(&["50", "52", "70", "35"]),
        None,
        &[],
    );
    assert_eq!(b.rank, Some(2));
    // data-only is not ranked
    let b = benchmark(Polarity::DataOnly, None, Some(d("5")), &members, None, &[]);
    assert_eq!(
        (b.rank, b.quartile, b.vs_scotland),
        (Option::None, Option::None, Option::None)
    );
    // no own value
    let b = benchmark(
        Polarity::HigherBetter,
        None,
        Option::None,
        &members,
        None,
        &[],
    );
    assert_eq!((b.rank, b.n), (Option::None, 4));
}

#[test]
fn values_are_shown_in_their_unit() {
    assert_eq!(show(d("71.20"), Unit::Percent), "71.2%");
    assert_eq!(show(d("1234567.5"), Unit::Money), "£1,234,567.5");
    assert_eq!(show(d("-12"), Unit::Money), "−£12");
    assert_eq!(show(d("1"), Unit::Days), "1 day");
    assert_eq!(show(d("3.50"), Unit::Days), "3.5 days");
    assert_eq!(show(d("0.333"), Unit::Ratio), "0.333");
}

proptest! {
    /// For higher-better and lower-better, status is monotone in the value: a
    /// better value never gets a worse status.
    #[test]
    fn status_is_monotone(t in -1000i64..1000, tol in 0i64..50, a in -2000i64..2000, b in -2000i64..2000) {
        let rank = |r: Rag| match r { Rag::Green => 2, Rag::Amber => 1, _ => 0 };
        for polarity in [Polarity::HigherBetter, Polarity::LowerBetter] {
            let s = |v: i64| {
                let mut i = input(polarity, Some("0"), Some("0"), &format!("{tol}%"));
                i.value = Some(Decimal::from(v));
                i.target = Some(Decimal::from(t));
                rank(status(&i).status)
            };
            let (lo, hi) = (a.min(b), a.max(b));
            if polarity == Polarity::HigherBetter {
                prop_assert!(s(lo) <= s(hi));
            } else {
                prop_assert!(s(lo) >= s(hi));
            }
        }
    }

    /// Rank is between 1 and n, and permuting the members never changes it.
    #[test]
    fn ranking_ignores_order(mut values in prop::collection::vec(-100i64..100, 1..40), own in -100i64..100) {
        let members: Vec<Decimal> = values.iter().map(|v| Decimal::from(*v)).collect();
        let b1 = benchmark(Polarity::HigherBetter, None, Some(Decimal::from(own)), &members, None, &[]);
        values.reverse();
        let rev: Vec<Decimal> = values.iter().map(|v| Decimal::from(*v)).collect();
        let b2 = benchmark(Polarity::HigherBetter, None, Some(Decimal::from(own)), &rev, None, &[]);
        prop_assert_eq!(&b1, &b2);
        let r = b1.rank.unwrap();
        prop_assert!(r >= 1 && r <= members.len() + 1);
    }
}
