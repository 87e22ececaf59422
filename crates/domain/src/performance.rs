//! Performance rules (DOMAIN §2), exactly as specified, each with an explanation:
//! indicator status (RAG), trend, the outcome roll-up, escalation and benchmarking.
//! Values are exact decimals; nothing here rounds except text for people.
use crate::period::Period;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;
use time::Date;

vocabulary!(
    /// Where an indicator sits in the performance framework (2026 A1).
    Tier, "tier" {
        Outcome => "outcome",
        Service => "service",
        Enabler => "enabler",
    }
);

vocabulary!(
    /// What an indicator's values measure.
    Unit, "unit" {
        Percent => "percent",
        Count => "count",
        Money => "money",
        Days => "days",
        Rate => "rate",
        Ratio => "ratio",
        Score => "score",
    }
);

vocabulary!(
    /// Which direction is good.
    Polarity, "polarity" {
        HigherBetter => "higher-better",
        LowerBetter => "lower-better",
        InBand => "in-band",
        DataOnly => "data-only",
    }
);

vocabulary!(
    /// Where an indicator's data comes from.
    Source, "source" {
        Local => "local",
        Lgbf => "LGBF",
        Spi => "SPI",
        Npf => "NPF",
        Partner => "partner",
    }
);

vocabulary!(
    /// A measurement's data status; only assured values are published.
    DataStatus, "data status" {
        Draft => "draft",
        Submitted => "submitted",
        Assured => "assured",
    }
);

vocabulary!(
    /// An indicator's status for one period.
    Rag, "status" {
        Green => "green",
        Amber => "amber",
        Red => "red",
        NoTarget => "no-target",
        Missing => "missing",
        Overdue => "overdue",
    }
);

vocabulary!(
    /// An outcome's rolled-up status.
    OutcomeStatus, "outcome status" {
        Green => "green",
        Amber => "amber",
        Red => "red",
        NoData => "no-data",
    }
);

vocabulary!(
    /// Direction of change against a comparable earlier value.
    Trend, "trend" {
        Improving => "improving",
        Stable => "stable",
        Worsening => "worsening",
        Up => "up",
        Down => "down",
        None => "none",
    }
);

vocabulary!(
    /// Position against a comparator, by polarity.
    Position, "position" {
        Better => "better",
        Same => "same",
        Worse => "worse",
    }
);

/// The amber tolerance: a percentage of |target| (of the nearer band edge for
/// in-band indicators) or an absolute amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    Percent(Decimal),
    Absolute(Decimal),
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance::Percent(Decimal::from(5))
    }
}

impl Tolerance {
    /// `5%`, `2.5%` or an absolute number such as `3`; empty means 5%.
    pub fn parse(s: &str) -> Result<Tolerance, String> {
        let t = s.trim();
        if t.is_empty() {
            return Ok(Tolerance::default());
        }
        let (num, pct) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let d: Decimal = num.parse().map_err(|_| {
            format!("'{t}' is not a tolerance (write a percentage like 5% or an amount like 2.5)")
        })?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(format!("a tolerance cannot be negative ('{t}')"));
        }
        Ok(if pct {
            Tolerance::Percent(d.normalize())
        } else {
            Tolerance::Absolute(d.normalize())
        })
    }

    /// The tolerance as an amount, for a target (or band edge) of `base`.
    pub fn amount(self, base: Decimal) -> Decimal {
        match self {
            Tolerance::Percent(p) => (p * base.abs() / Decimal::ONE_HUNDRED).normalize(),
            Tolerance::Absolute(a) => a,
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Percent(p) => write!(f, "{}%", p.normalize()),
            Tolerance::Absolute(a) => write!(f, "{}", a.normalize()),
        }
    }
}

impl Serialize for Tolerance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Tolerance {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Tolerance::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A value as people read it, in its unit: `71.2%`, `£1,250`, `12 days`, `3.5`.
pub fn show(v: Decimal, unit: Unit) -> String {
    let n = v.normalize();
    match unit {
        Unit::Percent => format!("{n}%"),
        Unit::Money => {
            let sign = if n.is_sign_negative() { "−" } else { "" };
            let abs = n.abs();
            let whole = abs.trunc().to_string();
            let mut grouped = String::new();
            for (i, ch) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i).is_multiple_of(3) {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            let frac = (abs - abs.trunc()).normalize();
            if frac.is_zero() {
                format!("{sign}£{grouped}")
            } else {
                format!("{sign}£{grouped}{}", &frac.to_string()[1..])
            }
        }
        Unit::Days => format!("{n} day{}", if n == Decimal::ONE { "" } else { "s" }),
        _ => n.to_string(),
    }
}

/// Everything that decides one indicator's status for one period.
#[derive(Debug, Clone)]
pub struct StatusInput {
    pub polarity: Polarity,
    pub unit: Unit,
    pub tolerance: Tolerance,
    pub period: Period,
    pub value: Option<Decimal>,
    /// Why the value is missing, if it is.
    pub missing_reason: Option<String>,
    pub target: Option<Decimal>,
    /// The target band for in-band indicators (the period's, else the default).
    pub band: Option<(Decimal, Decimal)>,
    /// Days after the period's end before a missing value is overdue.
    pub deadline_days: i64,
    pub today: Date,
}

/// A status with the inputs, tolerance, thresholds and rule that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusExplanation {
    pub status: Rag,
    pub rule: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub value: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub target: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_low: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_high: Option<Decimal>,
    /// The tolerance as configured, e.g. `5%` or `2`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tolerance: Option<Tolerance>,
    /// The tolerance as an amount for this target (below and above a band).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tolerance_amount: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tolerance_amount_above: Option<Decimal>,
    /// Values from here (inclusive) are at least amber: t − tol, t + tol, or the
    /// band widened by the tolerance.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amber_low: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amber_high: Option<Decimal>,
    /// When a missing value becomes overdue (period end + deadline days).
    pub due: Option<Date>,
    /// The status in a plain-English sentence.
    pub sentence: String,
}

impl StatusExplanation {
    fn new(status: Rag, rule: &str, input: &StatusInput, sentence: String) -> Self {
        StatusExplanation {
            status,
            rule: rule.to_string(),
            value: input.value,
            target: input.target,
            band_low: input.band.map(|b| b.0),
            band_high: input.band.map(|b| b.1),
            tolerance: None,
            tolerance_amount: None,
            tolerance_amount_above: None,
            amber_low: None,
            amber_high: None,
            due: None,
            sentence,
        }
    }
}

pub const RULE_HIGHER: &str = "higher-better: green if v ≥ t; amber if v ≥ t − tol; else red";
pub const RULE_LOWER: &str = "lower-better: green if v ≤ t; amber if v ≤ t + tol; else red";
pub const RULE_BAND: &str = "in-band [lo, hi]: green if lo ≤ v ≤ hi; amber if within tol of the band (a percentage tolerance is of the nearer edge); else red";

/// An indicator's status for a period, with its explanation.
pub fn status(input: &StatusInput) -> StatusExplanation {
    let u = input.unit;
    let s = |v: Decimal| show(v, u);
    let Some(v) = input.value else {
        let due = input
            .period
            .end()
            .checked_add(time::Duration::days(input.deadline_days))
            .unwrap_or(Date::MAX);
        let reason = input
            .missing_reason
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| format!(" Reason given: {r}."))
            .unwrap_or_default();
        let (status, sentence) = if input.today > due {
            (
                Rag::Overdue,
                format!(
                    "Overdue: there is no value for {}, which was due by {due}.{reason}",
                    input.period
                ),
            )
        } else {
            (
                Rag::Missing,
                format!(
                    "Missing: there is no value for {} yet; it is due by {due}.{reason}",
                    input.period
                ),
            )
        };
        let mut e = StatusExplanation::new(
            status,
            "no value: missing until period end + deadline days, then overdue; never red",
            input,
            sentence,
        );
        e.due = Some(due);
        return e;
    };
    let no_target =
        |why: String| StatusExplanation::new(Rag::NoTarget, "no target: not rated", input, why);
    match input.polarity {
        Polarity::DataOnly => no_target(format!(
            "No target: this indicator is data only ({} for {}).",
            s(v),
            input.period
        )),
        Polarity::HigherBetter | Polarity::LowerBetter => {
            let Some(t) = input.target else {
                return no_target(format!(
                    "No target: no target is set for {} ({} recorded).",
                    input.period,
                    s(v)
                ));
            };
            let tol = input.tolerance.amount(t);
            let higher = input.polarity == Polarity::HigherBetter;
            let amber_edge = if higher { t - tol } else { t + tol };
            let (status, sentence) = if higher {
                if v >= t {
                    (
                        Rag::Green,
                        format!(
                            "Green: {} meets the target of {} (at or above it).",
                            s(v),
                            s(t)
                        ),
                    )
                } else if v >= amber_edge {
                    (
                        Rag::Amber,
                        format!(
                            "Amber: {} is below the target of {} but within the {} tolerance (amber from {}).",
                            s(v),
                            s(t),
                            input.tolerance,
                            s(amber_edge)
                        ),
                    )
                } else {
                    (
                        Rag::Red,
                        format!(
                            "Red: {} is below {}, the target of {} less the {} tolerance of {}.",
                            s(v),
                            s(amber_edge),
                            s(t),
                            input.tolerance,
                            s(tol)
                        ),
                    )
                }
            } else if v <= t {
                (
                    Rag::Green,
                    format!(
                        "Green: {} meets the target of {} (at or below it).",
                        s(v),
                        s(t)
                    ),
                )
            } else if v <= amber_edge {
                (
                    Rag::Amber,
                    format!(
                        "Amber: {} is above the target of {} but within the {} tolerance (amber up to {}).",
                        s(v),
                        s(t),
                        input.tolerance,
                        s(amber_edge)
                    ),
                )
            } else {
                (
                    Rag::Red,
                    format!(
                        "Red: {} is above {}, the target of {} plus the {} tolerance of {}.",
                        s(v),
                        s(amber_edge),
                        s(t),
                        input.tolerance,
                        s(tol)
                    ),
                )
            };
            let mut e = StatusExplanation::new(
                status,
                if higher { RULE_HIGHER } else { RULE_LOWER },
                input,
                sentence,
            );
            e.tolerance = Some(input.tolerance);
            e.tolerance_amount = Some(tol);
            if higher {
                e.amber_low = Some(amber_edge);
            } else {
                e.amber_high = Some(amber_edge);
            }
            e
        }
        Polarity::InBand => {
            let Some((lo, hi)) = input.band else {
                return no_target(format!(
                    "No target: no target band is set for {} ({} recorded).",
                    input.period,
                    s(v)
                ));
            };
            let (tol_lo, tol_hi) = (input.tolerance.amount(lo), input.tolerance.amount(hi));
            let (amber_lo, amber_hi) = (lo - tol_lo, hi + tol_hi);
            let band = format!("{}–{}", s(lo), s(hi));
            let (status, sentence) = if lo <= v && v <= hi {
                (
                    Rag::Green,
                    format!("Green: {} is inside the target band {band}.", s(v)),
                )
            } else if v < lo && v >= amber_lo {
                (
                    Rag::Amber,
                    format!(
                        "Amber: {} is below the target band {band} but within the {} tolerance (amber from {}).",
                        s(v),
                        input.tolerance,
                        s(amber_lo)
                    ),
                )
            } else if v > hi && v <= amber_hi {
                (
                    Rag::Amber,
                    format!(
                        "Amber: {} is above the target band {band} but within the {} tolerance (amber up to {}).",
                        s(v),
                        input.tolerance,
                        s(amber_hi)
                    ),
                )
            } else if v < lo {
                (
                    Rag::Red,
                    format!(
                        "Red: {} is below {}, the bottom of the target band {band} less the {} tolerance of {}.",
                        s(v),
                        s(amber_lo),
                        input.tolerance,
                        s(tol_lo)
                    ),
                )
            } else {
                (
                    Rag::Red,
                    format!(
                        "Red: {} is above {}, the top of the target band {band} plus the {} tolerance of {}.",
                        s(v),
                        s(amber_hi),
                        input.tolerance,
                        s(tol_hi)
                    ),
                )
            };
            let mut e = StatusExplanation::new(status, RULE_BAND, input, sentence);
            e.tolerance = Some(input.tolerance);
            e.tolerance_amount = Some(tol_lo);
            e.tolerance_amount_above = Some(tol_hi);
            e.amber_low = Some(amber_lo);
            e.amber_high = Some(amber_hi);
            e
        }
    }
}

/// The distance of `v` from the band [lo, hi] (0 inside).
fn distance_to_band(v: Decimal, (lo, hi): (Decimal, Decimal)) -> Decimal {
    if v < lo {
        lo - v
    } else if v > hi {
        v - hi
    } else {
        Decimal::ZERO
    }
}

/// The trend from `previous` to `current`: stable when |v − prev| ≤ `stable_pct`% of
/// |prev| (when prev = 0: stable iff v = 0); otherwise improving or worsening by
/// polarity (in-band: by distance to the band); data-only: up or down; `none`
/// without both values.
pub fn trend(
    polarity: Polarity,
    current: Option<Decimal>,
    previous: Option<Decimal>,
    band: Option<(Decimal, Decimal)>,
    stable_pct: Decimal,
) -> Trend {
    let (Some(v), Some(prev)) = (current, previous) else {
        return Trend::None;
    };
    let stable = if prev.is_zero() {
        v.is_zero()
    } else {
        (v - prev).abs() <= stable_pct * prev.abs() / Decimal::ONE_HUNDRED
    };
    if stable {
        return Trend::Stable;
    }
    let up = || if v > prev { Trend::Up } else { Trend::Down };
    match polarity {
        Polarity::HigherBetter => {
            if v > prev {
                Trend::Improving
            } else {
                Trend::Worsening
            }
        }
        Polarity::LowerBetter => {
            if v < prev {
                Trend::Improving
            } else {
                Trend::Worsening
            }
        }
        Polarity::InBand => match band {
            Some(b) => {
                let (dv, dp) = (distance_to_band(v, b), distance_to_band(prev, b));
                if dv < dp {
                    Trend::Improving
                } else if dv > dp {
                    Trend::Worsening
                } else {
                    Trend::Stable
                }
            }
            None => up(),
        },
        Polarity::DataOnly => up(),
    }
}

/// One indicator counted (or shown as excluded) in an outcome's roll-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollupItem {
    /// The indicator and the period of it that counts, as "CODE (period)".
    pub indicator: String,
    pub status: Rag,
    /// The weight in the roll-up: 1 for outcome-tier indicators, else the
    /// contribution strength's weight (the larger when reached both ways).
    pub weight: f64,
    /// How the indicator reaches the outcome.
    pub via: String,
    /// Points (green 2, amber 1, red 0); none when excluded.
    pub points: Option<u8>,
}

impl RollupItem {
    /// The indicator's code alone.
    pub fn code(&self) -> &str {
        self.indicator.split(' ').next().unwrap_or_default()
    }
}

/// An outcome's status for a period, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollupExplanation {
    pub status: OutcomeStatus,
    /// Σw·points / Σw, as text with up to 4 decimal places; none with no counted indicator.
    pub score: Option<String>,
    pub counted: usize,
    pub excluded: usize,
    pub rule: String,
    pub items: Vec<RollupItem>,
    pub sentence: String,
}

pub const RULE_ROLLUP: &str = "points green 2, amber 1, red 0; score = Σw·points / Σw; green if score ≥ 1.5, amber if ≥ 0.75, else red; no-target, missing and overdue are excluded but counted; no counted indicator: no-data";

/// Rolls up indicator statuses into an outcome status. Weights are in quarters
/// (1.0 = 4, 0.5 = 2, 0.25 = 1) so that the thresholds are compared exactly.
pub fn rollup(items: &[(String, Rag, i64, String)]) -> RollupExplanation {
    let mut out = Vec::new();
    let (mut wp, mut w, mut counted, mut excluded) = (0i64, 0i64, 0usize, 0usize);
    let mut counts = [0usize; 3];
    for (indicator, status, quarters, via) in items {
        let points = match status {
            Rag::Green => Some(2u8),
            Rag::Amber => Some(1),
            Rag::Red => Some(0),
            _ => None,
        };
        match points {
            Some(p) => {
                counted += 1;
                wp += quarters * i64::from(p);
                w += quarters;
                counts[usize::from(2 - p)] += 1;
            }
            None => excluded += 1,
        }
        out.push(RollupItem {
            indicator: indicator.clone(),
            status: *status,
            weight: *quarters as f64 / 4.0,
            via: via.clone(),
            points,
        });
    }
    let excluded_text = if excluded > 0 {
        format!("; {excluded} excluded (no target, missing or overdue)")
    } else {
        String::new()
    };
    if w == 0 {
        return RollupExplanation {
            status: OutcomeStatus::NoData,
            score: None,
            counted,
            excluded,
            rule: RULE_ROLLUP.into(),
            items: out,
            sentence: format!(
                "No data: no indicator with a green, amber or red status counts towards this outcome{excluded_text}."
            ),
        };
    }
    // score ≥ 1.5 ⇔ 2·Σwp ≥ 3·Σw; score ≥ 0.75 ⇔ 4·Σwp ≥ 3·Σw.
    let status = if 2 * wp >= 3 * w {
        OutcomeStatus::Green
    } else if 4 * wp >= 3 * w {
        OutcomeStatus::Amber
    } else {
        OutcomeStatus::Red
    };
    let score = (Decimal::from(wp) / Decimal::from(w))
        .round_dp(4)
        .normalize();
    let name = match status {
        OutcomeStatus::Green => "Green",
        OutcomeStatus::Amber => "Amber",
        _ => "Red",
    };
    let band = match status {
        OutcomeStatus::Green => "at least 1.5".to_string(),
        OutcomeStatus::Amber => "at least 0.75 but below 1.5".to_string(),
        _ => "below 0.75".to_string(),
    };
    let sentence = format!(
        "{name}: a weighted score of {score} ({band}) from {counted} indicator(s) — {} green, {} amber, {} red — weighted {} in all{excluded_text}.",
        counts[0],
        counts[1],
        counts[2],
        (Decimal::from(w) / Decimal::from(4)).normalize(),
    );
    RollupExplanation {
        status,
        score: Some(score.to_string()),
        counted,
        excluded,
        rule: RULE_ROLLUP.into(),
        items: out,
        sentence,
    }
}

/// Why an indicator is escalated to its outcome board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Escalation {
    /// Red for this many consecutive periods, up to and including the latest.
    Red { periods: usize },
    /// The latest period's value is overdue.
    Overdue,
}

/// Escalation for a series of statuses, latest first: red for at least
/// `consecutive` periods including the latest, or overdue.
pub fn escalation(latest_first: &[Rag], consecutive: usize) -> Option<Escalation> {
    match latest_first.first() {
        Some(Rag::Overdue) => Some(Escalation::Overdue),
        Some(Rag::Red) => {
            let run = latest_first.iter().take_while(|s| **s == Rag::Red).count();
            (run >= consecutive.max(1)).then_some(Escalation::Red { periods: run })
        }
        _ => None,
    }
}

/// A benchmark position for one indicator and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Benchmark {
    pub rank: Option<usize>,
    pub n: usize,
    pub quartile: Option<u8>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub scotland: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub family_group_average: Option<Decimal>,
    pub vs_scotland: Option<Position>,
    pub vs_family_group: Option<Position>,
}

/// "Goodness" to rank by, larger is better; none for data-only.
fn goodness(polarity: Polarity, v: Decimal, band: Option<(Decimal, Decimal)>) -> Option<Decimal> {
    match polarity {
        Polarity::HigherBetter => Some(v),
        Polarity::LowerBetter => Some(-v),
        Polarity::InBand => band.map(|(lo, hi)| -(v - (lo + hi) / Decimal::TWO).abs()),
        Polarity::DataOnly => None,
    }
}

fn position(
    polarity: Polarity,
    own: Decimal,
    other: Decimal,
    band: Option<(Decimal, Decimal)>,
) -> Option<Position> {
    let (a, b) = (
        goodness(polarity, own, band)?,
        goodness(polarity, other, band)?,
    );
    Some(if a > b {
        Position::Better
    } else if a == b {
        Position::Same
    } else {
        Position::Worse
    })
}

fn mean(values: &[Decimal]) -> Option<Decimal> {
    (!values.is_empty())
        .then(|| (values.iter().sum::<Decimal>() / Decimal::from(values.len())).normalize())
}

/// Benchmarks `own` among `members` (area, value), with an optional `scotland`
/// comparator and the values of the own family group. Rank 1 is best by polarity
/// (in-band: nearest the band's midpoint); ties share the best rank (1, 2, 2, 4);
/// quartile = ceil(4 × rank / n); Scotland = the comparator if supplied, else the
/// mean of member values.
pub fn benchmark(
    polarity: Polarity,
    band: Option<(Decimal, Decimal)>,
    own: Option<Decimal>,
    members: &[Decimal],
    scotland: Option<Decimal>,
    family: &[Decimal],
) -> Benchmark {
    let n = members.len();
    let rank = match (own, goodness(polarity, Decimal::ZERO, band)) {
        (Some(v), Some(_)) if n > 0 => {
            let g = goodness(polarity, v, band).expect("rankable");
            Some(
                1 + members
                    .iter()
                    .filter(|m| goodness(polarity, **m, band).expect("rankable") > g)
                    .count(),
            )
        }
        _ => None,
    };
    let quartile = rank.map(|r| (4 * r).div_ceil(n) as u8);
    let scotland = scotland.or_else(|| mean(members));
    let family_group_average = mean(family);
    Benchmark {
        rank,
        n,
        quartile,
        vs_scotland: own
            .zip(scotland)
            .and_then(|(o, s)| position(polarity, o, s, band)),
        vs_family_group: own
            .zip(family_group_average)
            .and_then(|(o, f)| position(polarity, o, f, band)),
        scotland,
        family_group_average,
    }
}

#[cfg(test)]
mod tests;
