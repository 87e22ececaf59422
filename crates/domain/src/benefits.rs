//! Benefits and savings (DOMAIN §5 "Benefit", §6 "Medium-term financial
//! plan"): the benefits register, each benefit's planned and realised profile
//! by financial year, savings tracking (planned, achieved, over/(under)) and
//! the medium-term funding gap those savings are set against.
//!
//! Money is integer pence throughout and every total is a plain sum, so totals
//! are exact to the penny: a table's rows, its per-line, per-portfolio and
//! per-year totals and its grand total always agree.
use crate::Code;
use crate::Email;
use crate::period::FinancialYear;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary!(
    /// What kind of benefit: a cashable saving comes off the budget; a
    /// non-cashable one has a money value that is not released (time freed,
    /// costs avoided); a non-financial one is measured by an indicator.
    BenefitKind, "benefit kind" {
        Cashable => "cashable",
        NonCashable => "non-cashable",
        NonFinancial => "non-financial",
    }
);

vocabulary!(
    /// Where a benefit comes from.
    BenefitSource, "benefit source" {
        Review => "review",
        Project => "project",
        Decision => "decision",
        Restructure => "restructure",
    }
);

vocabulary!(
    /// Where a benefit stands.
    BenefitStatus, "benefit status" {
        Planned => "planned",
        OnTrack => "on-track",
        AtRisk => "at-risk",
        Realised => "realised",
        NotRealised => "not-realised",
    }
);

vocabulary!(
    /// How sure its owner is that the benefit will be realised as planned.
    Confidence, "confidence" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

/// A benefit in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Benefit {
    pub code: Code,
    pub title: String,
    pub kind: BenefitKind,
    /// Who is accountable for realising it (a person's email).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<Email>,
    pub source: BenefitSource,
    /// What it came from: a service review's code (required when the source
    /// is `review`), or free text (a project, a committee decision).
    pub source_ref: String,
    /// The portfolio that realises it (and whose savings it counts in).
    pub portfolio: Code,
    /// The line it is tracked on within its portfolio, e.g. a 2018 directorate
    /// ("People"); empty when it is tracked on the portfolio's own line.
    pub group: String,
    /// Where things stood before (free text: a cost, a rate, a volume).
    pub baseline: String,
    /// The indicator that measures it (required for a non-financial benefit).
    pub measure: Option<Code>,
    pub status: BenefitStatus,
    pub confidence: Confidence,
    pub description: String,
}

/// One financial year of a benefit's profile: what it should bring and,
/// once known, what it did. Non-financial benefits have no money profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenefitProfile {
    /// The benefit's code.
    pub benefit: Code,
    /// The financial year, e.g. `2024/25`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2024/25"))]
    pub year: FinancialYear,
    /// Planned in the year, in pence (zero or more).
    pub planned_pence: i64,
    /// Realised in the year, in pence (zero or more); absent until reported.
    pub realised_pence: Option<i64>,
}

impl BenefitProfile {
    /// Its key: the benefit and the year, e.g. `BEN-1 2024/25`.
    pub fn key(&self) -> String {
        format!("{} {}", self.benefit, self.year)
    }
}

/// The budget gap of one financial year of the medium-term financial plan:
/// the shortfall to close that year before savings (a negative gap is a
/// surplus).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetGap {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026/27"))]
    pub year: FinancialYear,
    pub gap_pence: i64,
    /// Where the figure comes from; says "illustrative" when it is.
    pub note: String,
}

/// Why a benefit is not valid on its own terms (beyond each field parsing):
/// (field, message) pairs.
pub fn check(b: &Benefit) -> Vec<(&'static str, String)> {
    check_parts(b.kind, b.source, &b.source_ref, b.measure.as_ref())
}

/// [`check`] over the fields it looks at: a non-financial benefit needs a
/// measure, and a benefit from a review names the review.
pub fn check_parts(
    kind: BenefitKind,
    source: BenefitSource,
    source_ref: &str,
    measure: Option<&Code>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if kind == BenefitKind::NonFinancial && measure.is_none() {
        out.push((
            "measure",
            "is required for a non-financial benefit (the indicator that shows it)".into(),
        ));
    }
    if source == BenefitSource::Review && source_ref.trim().is_empty() {
        out.push((
            "source_ref",
            "is required for a benefit from a review (the review's code)".into(),
        ));
    }
    out
}

/// Savings figures for a set of profile years.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Planned, every year counted.
    pub planned_pence: i64,
    /// Realised, over the years reported.
    pub achieved_pence: i64,
    /// Over (positive) or under (negative) achieved: achieved − planned, over
    /// the years whose realised figure has been reported. When every year is
    /// reported this is achieved − planned.
    pub variance_pence: i64,
    /// Planned in years with no realised figure yet (not counted in the
    /// variance): `variance = achieved − (planned − not_yet_reported)`.
    pub not_yet_reported_pence: i64,
}

impl Figures {
    fn add_profile(&mut self, p: &BenefitProfile) {
        self.planned_pence += p.planned_pence;
        match p.realised_pence {
            Some(r) => {
                self.achieved_pence += r;
                self.variance_pence += r - p.planned_pence;
            }
            None => self.not_yet_reported_pence += p.planned_pence,
        }
    }

    /// Adds another set of figures to these.
    pub fn add(&mut self, o: &Figures) {
        self.planned_pence += o.planned_pence;
        self.achieved_pence += o.achieved_pence;
        self.variance_pence += o.variance_pence;
        self.not_yet_reported_pence += o.not_yet_reported_pence;
    }
}

/// One portfolio's (or one of its lines') savings in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsRow {
    pub portfolio: Code,
    /// The line within the portfolio (a benefit's `group`); empty for the
    /// portfolio's own line.
    pub group: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2018/19"))]
    pub year: FinancialYear,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A line's savings over every year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsLine {
    pub portfolio: Code,
    pub group: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A portfolio's savings over every line and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioSavings {
    pub portfolio: Code,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Every line's savings in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearSavings {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2018/19"))]
    pub year: FinancialYear,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Savings tracking: cashable benefits' planned and realised savings by
/// portfolio (and line) and year, with totals per line, per portfolio, per
/// year and overall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsTable {
    /// By portfolio, line and year (portfolio code, then line — the
    /// portfolio's own line first — then year).
    pub rows: Vec<SavingsRow>,
    /// Each line over every year, in the same order.
    pub lines: Vec<SavingsLine>,
    /// Each portfolio over every line and year, by code.
    pub portfolios: Vec<PortfolioSavings>,
    /// Each year over every line, in year order.
    pub years: Vec<YearSavings>,
    pub total: Figures,
}

/// Savings tracking over the cashable benefits (only cashable savings come
/// off the budget; non-cashable and non-financial benefits are tracked on
/// their own pages). Profile years of benefits not in `benefits`, or not
/// cashable, are left out.
pub fn savings(benefits: &[Benefit], profiles: &[BenefitProfile]) -> SavingsTable {
    let cashable: BTreeMap<&Code, &Benefit> = benefits
        .iter()
        .filter(|b| b.kind == BenefitKind::Cashable)
        .map(|b| (&b.code, b))
        .collect();
    let mut rows: BTreeMap<(&Code, &str, FinancialYear), Figures> = BTreeMap::new();
    let mut lines: BTreeMap<(&Code, &str), Figures> = BTreeMap::new();
    let mut portfolios: BTreeMap<&Code, Figures> = BTreeMap::new();
    let mut years: BTreeMap<FinancialYear, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    for p in profiles {
        let Some(b) = cashable.get(&p.benefit) else {
            continue;
        };
        let group = b.group.as_str();
        for f in [
            rows.entry((&b.portfolio, group, p.year)).or_default(),
            lines.entry((&b.portfolio, group)).or_default(),
            portfolios.entry(&b.portfolio).or_default(),
            years.entry(p.year).or_default(),
            &mut total,
        ] {
            f.add_profile(p);
        }
    }
    SavingsTable {
        rows: rows
            .into_iter()
            .map(|((portfolio, group, year), figures)| SavingsRow {
                portfolio: portfolio.clone(),
                group: group.to_string(),
                year,
                figures,
            })
            .collect(),
        lines: lines
            .into_iter()
            .map(|((portfolio, group), figures)| SavingsLine {
                portfolio: portfolio.clone(),
                group: group.to_string(),
                figures,
            })
            .collect(),
        portfolios: portfolios
            .into_iter()
            .map(|(portfolio, figures)| PortfolioSavings {
                portfolio: portfolio.clone(),
                figures,
            })
            .collect(),
        years: years
            .into_iter()
            .map(|(year, figures)| YearSavings { year, figures })
            .collect(),
        total,
    }
}

/// A benefit's own figures over its profile.
pub fn benefit_figures(profile: &[BenefitProfile]) -> Figures {
    let mut f = Figures::default();
    for p in profile {
        f.add_profile(p);
    }
    f
}

/// One year of the funding gap and the cashable savings set against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapRow {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026/27"))]
    pub year: FinancialYear,
    pub gap_pence: i64,
    pub note: String,
    /// Cashable savings planned in the year.
    pub planned_pence: i64,
    /// Cashable savings realised in the year (reported so far).
    pub realised_pence: i64,
    /// gap − planned: what the planned savings leave to find.
    pub remaining_after_planned_pence: i64,
    /// gap − realised: what is still open on the savings realised so far.
    pub remaining_after_realised_pence: i64,
    /// Running totals from the table's first year, this year included.
    pub cumulative_gap_pence: i64,
    pub cumulative_planned_pence: i64,
    pub cumulative_realised_pence: i64,
    pub cumulative_remaining_after_planned_pence: i64,
    pub cumulative_remaining_after_realised_pence: i64,
}

/// Totals over the funding gap table's years.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapTotals {
    pub gap_pence: i64,
    pub planned_pence: i64,
    pub realised_pence: i64,
    pub remaining_after_planned_pence: i64,
    pub remaining_after_realised_pence: i64,
}

/// The medium-term funding gap year by year, with the cashable savings
/// planned and realised in each year set against it, and running totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapTable {
    /// The first year counted (running totals start here); absent when every
    /// recorded year is counted from the first.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: Option<FinancialYear>,
    /// The years with a recorded gap, in order.
    pub rows: Vec<GapRow>,
    pub total: GapTotals,
    /// Cashable savings in counted years that have no recorded gap (they are
    /// not set against any gap), by year.
    pub savings_in_other_years: Vec<YearSavings>,
}

/// The funding gap table over the years with a recorded gap (from `from`
/// on, when given), each set against the cashable savings planned and
/// realised that year.
pub fn funding_gap(
    gaps: &[BudgetGap],
    benefits: &[Benefit],
    profiles: &[BenefitProfile],
    from: Option<FinancialYear>,
) -> GapTable {
    let counted = |y: FinancialYear| from.is_none_or(|f| y >= f);
    let by_year: BTreeMap<FinancialYear, Figures> = savings(benefits, profiles)
        .years
        .into_iter()
        .map(|y| (y.year, y.figures))
        .collect();
    let mut gaps: Vec<&BudgetGap> = gaps.iter().filter(|g| counted(g.year)).collect();
    gaps.sort_by_key(|g| g.year);
    let mut table = GapTable {
        from,
        ..Default::default()
    };
    let mut t = GapTotals::default();
    for g in gaps {
        let s = by_year.get(&g.year).copied().unwrap_or_default();
        let row_planned = s.planned_pence;
        let row_realised = s.achieved_pence;
        t.gap_pence += g.gap_pence;
        t.planned_pence += row_planned;
        t.realised_pence += row_realised;
        t.remaining_after_planned_pence += g.gap_pence - row_planned;
        t.remaining_after_realised_pence += g.gap_pence - row_realised;
        table.rows.push(GapRow {
            year: g.year,
            gap_pence: g.gap_pence,
            note: g.note.clone(),
            planned_pence: row_planned,
            realised_pence: row_realised,
            remaining_after_planned_pence: g.gap_pence - row_planned,
            remaining_after_realised_pence: g.gap_pence - row_realised,
            cumulative_gap_pence: t.gap_pence,
            cumulative_planned_pence: t.planned_pence,
            cumulative_realised_pence: t.realised_pence,
            cumulative_remaining_after_planned_pence: t.remaining_after_planned_pence,
            cumulative_remaining_after_realised_pence: t.remaining_after_realised_pence,
        });
    }
    table.total = t;
    table.savings_in_other_years = by_year
        .into_iter()
        .filter(|(y, _)| counted(*y) && !table.rows.iter().any(|r| r.year == *y))
        .map(|(year, figures)| YearSavings { year, figures })
        .collect();
    table
}

/// Pence as pounds with an over/(under) sign, the way savings trackers show a
/// variance: `£4,000` over, `(£4,000)` under, `£0` on target.
pub fn over_under(pence: i64) -> String {
    let shown = crate::money::format_pounds_display(pence.abs());
    if pence < 0 {
        format!("({shown})")
    } else {
        shown
    }
}

/// Pence in thousands of pounds with an over/(under) sign, as council papers'
/// tables show them (`£'000`): `120`, `(4)`; a figure that is not a whole
/// thousand keeps its decimals (`0.5`, `(70.65)`).
pub fn thousands(pence: i64) -> String {
    let abs = pence.unsigned_abs();
    let whole = abs / 100_000;
    let rest = abs % 100_000;
    let text = if rest == 0 {
        whole.to_string()
    } else {
        let frac = format!("{rest:05}");
        format!("{whole}.{}", frac.trim_end_matches('0'))
    };
    if pence < 0 { format!("({text})") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn benefit(c: &str, kind: BenefitKind, portfolio: &str, group: &str) -> Benefit {
        Benefit {
            code: code(c),
            title: c.into(),
            kind,
            owner: None,
            source: BenefitSource::Restructure,
            source_ref: String::new(),
            portfolio: code(portfolio),
            group: group.into(),
            baseline: String::new(),
            measure: None,
            status: BenefitStatus::Planned,
            confidence: Confidence::Medium,
            description: String::new(),
        }
    }

    fn profile(b: &str, year: i32, planned: i64, realised: Option<i64>) -> BenefitProfile {
        BenefitProfile {
            benefit: code(b),
            year: FinancialYear(year),
            planned_pence: planned,
            realised_pence: realised,
        }
    }

    const K: i64 = 100_000; // £1,000 in pence

    /// The 2018 restructure (2022 §6.3, £'000) as benefits, split over
    /// 2018/19 (£289k planned in all) and 2019/20.
    fn restructure_2018() -> (Vec<Benefit>, Vec<BenefitProfile>) {
        use BenefitKind::Cashable;
        let benefits = vec![
            benefit("R-CE", Cashable, "CS", "Chief Executive"),
            benefit("R-PP", Cashable, "CS", "Partnership & Performance"),
            benefit("R-PL", Cashable, "PE", "Place"),
            benefit("R-PE", Cashable, "WB", "People"),
        ];
        let p = |b, y, planned: i64, realised: i64| profile(b, y, planned * K, Some(realised * K));
        let profiles = vec![
            p("R-CE", 2018, 45, 45),
            p("R-CE", 2019, 75, 71),
            p("R-PP", 2018, 84, 84),
            p("R-PP", 2019, 139, 134),
            p("R-PL", 2018, 61, 61),
            p("R-PL", 2019, 100, 104),
            p("R-PE", 2018, 99, 55),
            p("R-PE", 2019, 162, 0),
        ];
        (benefits, profiles)
    }

    #[test]
    fn the_2018_restructure_savings_table_of_2022_section_6_3() {
        let (b, p) = restructure_2018();
        let t = savings(&b, &p);
        let lines: Vec<(&str, String, String, String)> = t
            .lines
            .iter()
            .map(|l| {
                (
                    l.group.as_str(),
                    thousands(l.figures.planned_pence),
                    thousands(l.figures.achieved_pence),
                    thousands(l.figures.variance_pence),
                )
            })
            .collect();
        let row = |g: &'static str, a: &str, b: &str, c: &str| (g, a.into(), b.into(), c.into());
        assert_eq!(
            lines,
            [
                row("Chief Executive", "120", "116", "(4)"),
                row("Partnership & Performance", "223", "218", "(5)"),
                row("Place", "161", "165", "4"),
                row("People", "261", "55", "(206)"),
            ]
        );
        assert_eq!(
            t.total,
            Figures {
                planned_pence: 765 * K,
                achieved_pence: 554 * K,
                variance_pence: -211 * K,
                not_yet_reported_pence: 0,
            }
        );
        assert_eq!(
            (
                thousands(t.total.variance_pence),
                over_under(t.total.variance_pence)
            ),
            ("(211)".to_string(), "(£211,000)".to_string())
        );
        // The 2018/19 share: £289k planned.
        assert_eq!(t.years[0].year, FinancialYear(2018));
        assert_eq!(t.years[0].figures.planned_pence, 289 * K);
        // By portfolio: Chief Executive and Partnership & Performance are both
        // in Corporate Services.
        let by: Vec<(&str, i64, i64, i64)> = t
            .portfolios
            .iter()
            .map(|p| {
                (
                    p.portfolio.as_str(),
                    p.figures.planned_pence / K,
                    p.figures.achieved_pence / K,
                    p.figures.variance_pence / K,
                )
            })
            .collect();
        assert_eq!(
            by,
            [
                ("CS", 343, 334, -9),
                ("PE", 161, 165, 4),
                ("WB", 261, 55, -206)
            ]
        );
        assert_eq!(t.rows.len(), 8);
    }

    #[test]
    fn totals_agree_to_the_penny_and_unreported_years_are_not_under_achieved() {
        use BenefitKind::*;
        let b = vec![
            benefit("A", Cashable, "P1", ""),
            benefit("B", Cashable, "P1", ""),
            benefit("C", Cashable, "P2", "Old directorate"),
            benefit("N", NonCashable, "P1", ""),
            benefit("F", NonFinancial, "P1", ""),
        ];
        let p = vec![
            profile("A", 2024, 10_001, Some(10_000)),
            profile("A", 2025, 20_000, None),
            profile("B", 2024, 33_333, Some(40_000)),
            profile("C", 2025, 1, Some(0)),
            // Not cashable, and a benefit not in the register: left out.
            profile("N", 2024, 99_999, Some(99_999)),
            profile("GONE", 2024, 5, Some(5)),
        ];
        let t = savings(&b, &p);
        let f = |planned, achieved, variance, not_yet| Figures {
            planned_pence: planned,
            achieved_pence: achieved,
            variance_pence: variance,
            not_yet_reported_pence: not_yet,
        };
        let rows: Vec<(&str, &str, i32, Figures)> = t
            .rows
            .iter()
            .map(|r| (r.portfolio.as_str(), r.group.as_str(), r.year.0, r.figures))
            .collect();
        assert_eq!(
            rows,
            [
                ("P1", "", 2024, f(43_334, 50_000, 6_666, 0)),
                ("P1", "", 2025, f(20_000, 0, 0, 20_000)),
                ("P2", "Old directorate", 2025, f(1, 0, -1, 0)),
            ]
        );
        assert_eq!(t.total, f(63_335, 50_000, 6_665, 20_000));
        let sum = |v: Vec<Figures>| {
            v.iter().fold(Figures::default(), |mut a, f| {
                a.add(f);
                a
            })
        };
        assert_eq!(sum(t.rows.iter().map(|r| r.figures).collect()), t.total);
        assert_eq!(sum(t.lines.iter().map(|r| r.figures).collect()), t.total);
        assert_eq!(sum(t.years.iter().map(|y| y.figures).collect()), t.total);
        assert_eq!(
            sum(t.portfolios.iter().map(|y| y.figures).collect()),
            t.total
        );
        assert_eq!(
            t.total.variance_pence,
            t.total.achieved_pence - (t.total.planned_pence - t.total.not_yet_reported_pence)
        );
        assert_eq!(savings(&b, &[]), SavingsTable::default());
    }

    #[test]
    fn variances_are_shown_over_or_in_brackets_under() {
        for (pence, shown, k) in [
            (400_000, "£4,000", "4"),
            (-400_000, "(£4,000)", "(4)"),
            (0, "£0", "0"),
            (-20_600_000, "(£206,000)", "(206)"),
            (-1, "(£0.01)", "(0.00001)"),
            (7_065_000, "£70,650", "70.65"),
            (50_000, "£500", "0.5"),
        ] {
            assert_eq!(over_under(pence), shown, "{pence}");
            assert_eq!(thousands(pence), k, "{pence}");
        }
    }

    #[test]
    fn the_funding_gap_year_by_year_with_savings_set_against_it() {
        use BenefitKind::*;
        let m = 100_000_000; // £1m in pence
        let gap = |y, g: i64| BudgetGap {
            year: FinancialYear(y),
            gap_pence: g,
            note: "illustrative".into(),
        };
        let gaps = vec![gap(2027, 4 * m), gap(2026, 7 * m), gap(2028, -m)];
        let b = vec![
            benefit("S1", Cashable, "P1", ""),
            benefit("S2", Cashable, "P2", ""),
            benefit("NC", NonCashable, "P1", ""),
        ];
        let p = vec![
            profile("S1", 2025, 50, Some(50)),
            profile("S1", 2026, 2 * m, Some(m)),
            profile("S2", 2026, m, None),
            profile("S1", 2027, 5 * m, None),
            profile("NC", 2026, 9 * m, Some(9 * m)),
        ];
        let t = funding_gap(&gaps, &b, &p, None);
        let rows: Vec<[i64; 11]> = t
            .rows
            .iter()
            .map(|r| {
                [
                    r.year.0.into(),
                    r.gap_pence / m,
                    r.planned_pence / m,
                    r.realised_pence / m,
                    r.remaining_after_planned_pence / m,
                    r.remaining_after_realised_pence / m,
                    r.cumulative_gap_pence / m,
                    r.cumulative_planned_pence / m,
                    r.cumulative_realised_pence / m,
                    r.cumulative_remaining_after_planned_pence / m,
                    r.cumulative_remaining_after_realised_pence / m,
                ]
            })
            .collect();
        assert_eq!(
            rows,
            [
                [2026, 7, 3, 1, 4, 6, 7, 3, 1, 4, 6],
                // Savings beyond the gap: a negative remaining gap.
                [2027, 4, 5, 0, -1, 4, 11, 8, 1, 3, 10],
                // A surplus year.
                [2028, -1, 0, 0, -1, -1, 10, 8, 1, 2, 9],
            ]
        );
        assert_eq!(
            t.total,
            GapTotals {
                gap_pence: 10 * m,
                planned_pence: 8 * m,
                realised_pence: m,
                remaining_after_planned_pence: 2 * m,
                remaining_after_realised_pence: 9 * m,
            }
        );
        assert_eq!(t.rows[0].note, "illustrative");
        // 2025/26 has savings but no recorded gap.
        assert_eq!(t.savings_in_other_years.len(), 1);
        assert_eq!(t.savings_in_other_years[0].year, FinancialYear(2025));
        assert_eq!(t.savings_in_other_years[0].figures.planned_pence, 50);

        // From 2027/28 on, running totals start again.
        let later = funding_gap(&gaps, &b, &p, Some(FinancialYear(2027)));
        assert_eq!(later.from, Some(FinancialYear(2027)));
        assert_eq!(later.rows.len(), 2);
        assert_eq!(later.rows[0].cumulative_gap_pence, 4 * m);
        assert_eq!(
            later.rows[1].cumulative_remaining_after_planned_pence,
            -2 * m
        );
        assert!(later.savings_in_other_years.is_empty());
        assert_eq!(funding_gap(&[], &b, &p, None).rows, []);
    }

    #[test]
    fn a_non_financial_benefit_needs_a_measure_and_a_review_benefit_its_review() {
        let mut b = benefit("X", BenefitKind::NonFinancial, "P1", "");
        assert_eq!(check(&b).len(), 1);
        assert_eq!(check(&b)[0].0, "measure");
        b.measure = Some(code("ENV06"));
        assert!(check(&b).is_empty());
        b.source = BenefitSource::Review;
        assert_eq!(check(&b)[0].0, "source_ref");
        b.source_ref = "REV-2026-02".into();
        assert!(check(&b).is_empty());
    }

    #[test]
    fn vocabularies_have_text_forms() {
        assert_eq!(
            BenefitKind::expected(),
            "cashable, non-cashable, non-financial"
        );
        assert_eq!(
            BenefitStatus::expected(),
            "planned, on-track, at-risk, realised, not-realised"
        );
        assert_eq!(
            BenefitSource::expected(),
            "review, project, decision, restructure"
        );
        assert_eq!(Confidence::expected(), "high, medium, low");
        assert_eq!(
            "maybe".parse::<Confidence>().unwrap_err(),
            "unknown confidence 'maybe' (expected one of: high, medium, low)"
        );
        let p = profile("BEN-1", 2024, 1, None);
        assert_eq!(p.key(), "BEN-1 2024/25");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["year"], "2024/25");
        assert!(json["realised_pence"].is_null());
    }
}
