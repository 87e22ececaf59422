//! The performance engine over one tenant's data: every indicator's status,
//! trend and benchmark position per period (and locality), each outcome's
//! roll-up for a period, and the exceptions to escalate. Pure: the caller
//! supplies the data and "today".
//!
//! - An indicator's **series** runs from its first period with a value or target
//!   to the last period that has ended by today (plus any later period with data);
//!   a period in it with no value is `missing`, then `overdue` once past its
//!   deadline. Indicators reported by locality have a series per locality too.
//! - The **target** for a period is the period's target row; an in-band
//!   indicator's band is the period's band, else its default band.
//! - **Escalation** looks at the latest period that is reported or due: periods
//!   at the end of a series that are missing but not yet overdue are skipped, so
//!   a red run is escalated while the next value is still being collected.
//! - An outcome's roll-up **for a period P** uses, for each indicator, the latest
//!   period of the indicator's own frequency that ends within P (e.g. for
//!   2024/25: Q4 of a quarterly indicator, AY2023/24 of an academic-year one);
//!   an indicator with no period ending within P is not part of that roll-up.
use crate::framework::Framework;
use crate::indicator::{BenchmarkGroup, BenchmarkValue, Indicator, Measurement, Target};
use crate::performance::{
    self, Benchmark, Escalation, OutcomeStatus, Polarity, Rag, RollupExplanation,
    StatusExplanation, StatusInput, Tier, Trend,
};
use crate::period::Period;
use crate::{Code, Email};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;

/// Which status a published (frozen) explanation belongs to: indicator × period × locality.
pub type FrozenKey = (Code, Period, Option<Code>);

/// Per indicator, the first period with a value or target and the last with a value.
fn extents<'a>(
    measurements: &'a [Measurement],
    targets: &'a [Target],
) -> HashMap<&'a Code, (Period, Option<Period>)> {
    let mut out: HashMap<&'a Code, (Period, Option<Period>)> = HashMap::new();
    for m in measurements {
        let e = out
            .entry(&m.indicator)
            .or_insert((m.period, Some(m.period)));
        e.0 = e.0.min(m.period);
        e.1 = Some(e.1.map_or(m.period, |l| l.max(m.period)));
    }
    for t in targets {
        let e = out.entry(&t.indicator).or_insert((t.period, None));
        e.0 = e.0.min(t.period);
    }
    out
}

/// Settings that are the tenant's to choose.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A change of at most this percentage of the previous value is `stable`.
    pub stable_pct: Decimal,
    /// Red for this many consecutive periods (including the latest) escalates.
    pub red_periods: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            stable_pct: Decimal::ONE,
            red_periods: 2,
        }
    }
}

/// One indicator's position for one period and locality.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorStatus {
    pub indicator: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub locality: Option<Code>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub value: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub target: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_low: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_high: Option<Decimal>,
    pub tolerance: String,
    pub status: Rag,
    pub trend_previous: Trend,
    pub trend_year_ago: Trend,
    /// Benchmark position (whole-area figures only).
    pub benchmark: Option<Benchmark>,
    /// The data status of the value (draft, submitted, assured).
    pub data_status: Option<crate::performance::DataStatus>,
    /// The explanation of `status`: as published, for a published period.
    pub explanation: StatusExplanation,
    /// Whether this period's status was published (and so is frozen).
    pub published: bool,
    /// The status computed from today's data, targets and tolerance.
    pub current_status: Rag,
    /// Published, and today's data, target, tolerance or status differ from what
    /// was published: `current_explanation` is the restatement.
    pub restated: bool,
    pub current_explanation: Option<StatusExplanation>,
}

/// An indicator to escalate to its outcome boards.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    pub indicator: Code,
    pub title: String,
    pub owner: Option<Email>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub reason: Escalation,
    /// The outcomes the indicator serves (directly, or through its services).
    pub outcomes: Vec<Code>,
    /// The boards it goes to: (portfolio, its Outcome Leader).
    pub boards: Vec<(Code, Option<Email>)>,
    pub sentence: String,
}

/// The data the engine works on.
pub struct Scorecard<'a> {
    pub framework: &'a Framework,
    pub indicators: &'a [Indicator],
    pub targets: &'a [Target],
    pub measurements: &'a [Measurement],
    pub localities: &'a [Code],
    pub benchmark_groups: &'a [BenchmarkGroup],
    pub benchmark_values: &'a [BenchmarkValue],
    /// The tenant's own area, as benchmark data names it.
    pub own_area: &'a str,
    pub today: Date,
    pub settings: Settings,
    values: HashMap<(&'a Code, Period, Option<&'a Code>), &'a Measurement>,
    target_of: HashMap<(&'a Code, Period), &'a Target>,
    frozen: HashMap<FrozenKey, StatusExplanation>,
    /// Per indicator: (first period with a value or target, last period with a value).
    extent: HashMap<&'a Code, (Period, Option<Period>)>,
    /// Benchmark values by indicator and period.
    bench: HashMap<(&'a Code, Period), Vec<&'a BenchmarkValue>>,
    /// The ranked member areas (every area in a benchmark group).
    members: BTreeSet<&'a str>,
    /// Per typology, the areas in the own area's family group.
    families: HashMap<&'a str, BTreeSet<&'a str>>,
}

type Key<'a> = (&'a Code, Period, Option<&'a Code>);

impl<'a> Scorecard<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        framework: &'a Framework,
        indicators: &'a [Indicator],
        targets: &'a [Target],
        measurements: &'a [Measurement],
        localities: &'a [Code],
        benchmark_groups: &'a [BenchmarkGroup],
        benchmark_values: &'a [BenchmarkValue],
        own_area: &'a str,
        today: Date,
        settings: Settings,
    ) -> Self {
        let values: HashMap<Key<'a>, &'a Measurement> = measurements
            .iter()
            .map(|m| ((&m.indicator, m.period, m.locality.as_ref()), m))
            .collect();
        let target_of = targets
            .iter()
            .map(|t| ((&t.indicator, t.period), t))
            .collect();
        Scorecard {
            framework,
            indicators,
            targets,
            measurements,
            localities,
            benchmark_groups,
            benchmark_values,
            own_area,
            today,
            settings,
            values,
            target_of,
            frozen: HashMap::new(),
            extent: extents(measurements, targets),
            members: benchmark_groups.iter().map(|g| g.area.as_str()).collect(),
            families: {
                let mut f: HashMap<&'a str, BTreeSet<&'a str>> = HashMap::new();
                for own in benchmark_groups.iter().filter(|g| g.area == own_area) {
                    f.insert(
                        own.typology.as_str(),
                        benchmark_groups
                            .iter()
                            .filter(|g| g.typology == own.typology && g.group == own.group)
                            .map(|g| g.area.as_str())
                            .collect(),
                    );
                }
                f
            },
            bench: {
                let mut b: HashMap<(&'a Code, Period), Vec<&'a BenchmarkValue>> = HashMap::new();
                for v in benchmark_values {
                    b.entry((&v.indicator, v.period)).or_default().push(v);
                }
                b
            },
        }
    }

    /// Published statuses, which stay as published (history is never re-coloured).
    pub fn with_frozen(
        mut self,
        frozen: impl IntoIterator<Item = (FrozenKey, StatusExplanation)>,
    ) -> Self {
        self.frozen = frozen.into_iter().collect();
        self
    }

    pub fn indicator(&self, code: &str) -> Option<&'a Indicator> {
        self.indicators.iter().find(|i| i.code.as_str() == code)
    }

    /// The periods an indicator is reported for (see the module docs).
    pub fn series(&self, ind: &Indicator) -> Vec<Period> {
        let Some((first, last_measured)) = self.extent.get(&ind.code).copied() else {
            return Vec::new();
        };
        // The last period that has ended by today, or a later one with a value.
        let mut last = first.previous();
        while last.next().end() < self.today {
            last = last.next();
        }
        if let Some(m) = last_measured {
            last = last.max(m);
        }
        if last < first {
            Vec::new()
        } else {
            first.through(last)
        }
    }

    fn band_for(&self, ind: &Indicator, period: Period) -> Option<(Decimal, Decimal)> {
        if ind.polarity != Polarity::InBand {
            return None;
        }
        self.target_of
            .get(&(&ind.code, period))
            .and_then(|t| t.band())
            .or(ind.default_band())
    }

    fn value(
        &self,
        ind: &'a Indicator,
        period: Period,
        locality: Option<&'a Code>,
    ) -> Option<&'a Measurement> {
        self.values.get(&(&ind.code, period, locality)).copied()
    }

    /// The status of one indicator for one period and locality.
    pub fn status(
        &self,
        ind: &'a Indicator,
        period: Period,
        locality: Option<&'a Code>,
    ) -> IndicatorStatus {
        let m = self.value(ind, period, locality);
        let band = self.band_for(ind, period);
        let target = match ind.polarity {
            Polarity::HigherBetter | Polarity::LowerBetter => self
                .target_of
                .get(&(&ind.code, period))
                .and_then(|t| t.target),
            _ => None,
        };
        let current = performance::status(&StatusInput {
            polarity: ind.polarity,
            unit: ind.unit,
            tolerance: ind.tolerance,
            period,
            value: m.and_then(|m| m.value),
            missing_reason: m.map(|m| m.missing_reason.clone()),
            target,
            band,
            deadline_days: ind.deadline_days,
            today: self.today,
        });
        let frozen = self
            .frozen
            .get(&(ind.code.clone(), period, locality.cloned()));
        let restated = frozen.is_some_and(|f| {
            (
                f.status,
                f.value,
                f.target,
                f.band_low,
                f.band_high,
                f.tolerance,
            ) != (
                current.status,
                current.value,
                current.target,
                current.band_low,
                current.band_high,
                current.tolerance,
            )
        });
        let explanation = frozen.cloned().unwrap_or_else(|| current.clone());
        let v = |p: Period| self.value(ind, p, locality).and_then(|m| m.value);
        let value = explanation.value;
        let band = explanation.band_low.zip(explanation.band_high);
        let stable = self.settings.stable_pct;
        IndicatorStatus {
            indicator: ind.code.clone(),
            period,
            locality: locality.cloned(),
            value,
            target: explanation.target,
            band_low: band.map(|b| b.0),
            band_high: band.map(|b| b.1),
            tolerance: explanation
                .tolerance
                .map(|t| t.to_string())
                .unwrap_or_else(|| ind.tolerance.to_string()),
            status: explanation.status,
            trend_previous: performance::trend(
                ind.polarity,
                value,
                v(period.previous()),
                band,
                stable,
            ),
            trend_year_ago: performance::trend(
                ind.polarity,
                value,
                v(period.year_ago()),
                band,
                stable,
            ),
            benchmark: if locality.is_none() {
                self.benchmark(ind, period, value)
            } else {
                None
            },
            data_status: m.map(|m| m.status),
            published: frozen.is_some(),
            current_status: current.status,
            restated,
            current_explanation: restated.then_some(current),
            explanation,
        }
    }

    fn benchmark(
        &self,
        ind: &Indicator,
        period: Period,
        own_value: Option<Decimal>,
    ) -> Option<Benchmark> {
        let values: Vec<&BenchmarkValue> = self
            .bench
            .get(&(&ind.code, period))
            .cloned()
            .unwrap_or_default();
        if values.is_empty() {
            return None;
        }
        let member_values: Vec<Decimal> = values
            .iter()
            .filter(|b| self.members.contains(b.area.as_str()))
            .map(|b| b.value)
            .collect();
        let own = values
            .iter()
            .find(|b| b.area == self.own_area)
            .map(|b| b.value)
            .or(own_value);
        let scotland = values
            .iter()
            .find(|b| b.area == "Scotland")
            .map(|b| b.value);
        let family: Vec<Decimal> = match ind
            .benchmark_typology
            .as_deref()
            .and_then(|t| self.families.get(t))
        {
            Some(areas) => values
                .iter()
                .filter(|b| areas.contains(b.area.as_str()))
                .map(|b| b.value)
                .collect(),
            None => Vec::new(),
        };
        Some(performance::benchmark(
            ind.polarity,
            self.band_for(ind, period),
            own,
            &member_values,
            scotland,
            &family,
        ))
    }

    /// Every status: each indicator × period in its series × (whole area and, for
    /// locality-reported indicators, each locality).
    pub fn all(&self) -> Vec<IndicatorStatus> {
        let mut out = Vec::new();
        for ind in self.indicators {
            for p in self.series(ind) {
                out.push(self.status(ind, p, None));
                if ind.by_locality {
                    for l in self.localities {
                        out.push(self.status(ind, p, Some(l)));
                    }
                }
            }
        }
        out
    }

    /// The indicator's own period that a roll-up for `p` uses (module docs).
    pub fn period_within(ind: &Indicator, p: Period) -> Option<Period> {
        let mut q = match ind.frequency {
            f if f == p.frequency() => return Some(p),
            crate::period::Frequency::Monthly => crate::period::Period::Month {
                year: p.end().year(),
                month: u8::from(p.end().month()),
            },
            crate::period::Frequency::Quarterly => {
                let e = p.end();
                let fy = if u8::from(e.month()) >= 4 {
                    e.year()
                } else {
                    e.year() - 1
                };
                let q = ((u8::from(e.month()) + 8) % 12) / 3 + 1;
                Period::Quarter { year: fy, q }
            }
            crate::period::Frequency::FinancialYear => Period::FinancialYear(p.end().year()),
            crate::period::Frequency::AcademicYear => Period::AcademicYear(p.end().year()),
            crate::period::Frequency::CalendarYear => Period::CalendarYear(p.end().year()),
        };
        while q.end() > p.end() {
            q = q.previous();
        }
        (q.end() >= p.start()).then_some(q)
    }

    /// The indicators counted towards an outcome, with their weight in quarters and
    /// how they reach it (outcome-tier: linked, weight 1; service-tier: through a
    /// contributing service, weight of its strength; the larger if both).
    pub fn outcome_indicators(&self, outcome: &Code) -> Vec<(&'a Indicator, i64, String)> {
        let mut by: BTreeMap<&Code, (&'a Indicator, i64, String)> = BTreeMap::new();
        for ind in self.indicators {
            let mut best: Option<(i64, String)> = None;
            if ind.tier == Tier::Outcome && ind.outcomes.contains(outcome) {
                best = Some((4, "outcome indicator".into()));
            }
            if ind.tier == Tier::Service {
                for c in self
                    .framework
                    .contributions
                    .iter()
                    .filter(|c| &c.outcome == outcome && ind.services.contains(&c.service))
                {
                    let q = c.strength.quarters();
                    if best.as_ref().is_none_or(|(b, _)| q > *b) {
                        best = Some((q, format!("service {} ({})", c.service, c.strength)));
                    }
                }
            }
            if let Some((q, via)) = best {
                by.insert(&ind.code, (ind, q, via));
            }
        }
        by.into_values().collect()
    }

    fn rollup_of(&self, items: Vec<(&'a Indicator, i64, String)>, p: Period) -> RollupExplanation {
        let rows: Vec<(String, Rag, i64, String)> = items
            .into_iter()
            .filter_map(|(ind, q, via)| {
                let own = Scorecard::period_within(ind, p)?;
                let s = self.status(ind, own, None);
                Some((format!("{} ({own})", ind.code), s.status, q, via))
            })
            .collect();
        performance::rollup(&rows)
    }

    /// An outcome's status for a period, with its explanation.
    pub fn outcome(&self, outcome: &Code, p: Period) -> RollupExplanation {
        self.rollup_of(self.outcome_indicators(outcome), p)
    }

    /// The enablers view: every enabler-tier indicator, weight 1.
    pub fn enablers(&self, p: Period) -> RollupExplanation {
        let items = self
            .indicators
            .iter()
            .filter(|i| i.tier == Tier::Enabler)
            .map(|i| (i, 4, "enabler".to_string()))
            .collect();
        self.rollup_of(items, p)
    }

    /// The outcomes an indicator serves: its linked outcomes and those its services contribute to.
    pub fn outcomes_of(&self, ind: &Indicator) -> Vec<Code> {
        let mut set: BTreeSet<Code> = ind.outcomes.iter().cloned().collect();
        set.extend(
            self.framework
                .contributions
                .iter()
                .filter(|c| ind.services.contains(&c.service))
                .map(|c| c.outcome.clone()),
        );
        set.into_iter().collect()
    }

    /// Indicators to escalate (whole-area figures).
    pub fn exceptions(&self) -> Vec<Exception> {
        let mut out = Vec::new();
        for ind in self.indicators {
            // Latest first, leaving out trailing periods not yet due (missing within
            // their deadline): the latest period is the latest reported or due one.
            let statuses: Vec<(Period, Rag)> = self
                .series(ind)
                .iter()
                .rev()
                .map(|p| (*p, self.status(ind, *p, None).status))
                .skip_while(|(_, s)| *s == Rag::Missing)
                .collect();
            let latest_first: Vec<Rag> = statuses.iter().map(|(_, s)| *s).collect();
            let Some(reason) = performance::escalation(&latest_first, self.settings.red_periods)
            else {
                continue;
            };
            let period = statuses[0].0;
            let outcomes = self.outcomes_of(ind);
            let boards: Vec<(Code, Option<Email>)> = self
                .framework
                .portfolios
                .iter()
                .filter(|p| p.outcomes.iter().any(|o| outcomes.contains(o)))
                .map(|p| (p.code.clone(), p.outcome_leader.clone()))
                .collect();
            let why = match &reason {
                Escalation::Red { periods } => {
                    format!(
                        "{} is red for {periods} consecutive periods up to {period}",
                        ind.code
                    )
                }
                Escalation::Overdue => format!("{}'s value for {period} is overdue", ind.code),
            };
            let to = if boards.is_empty() {
                "no outcome board (the indicator reaches no outcome led by a portfolio)".to_string()
            } else {
                boards
                    .iter()
                    .map(|(p, _)| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(Exception {
                sentence: format!("{why}; it goes to the outcome board of {to}."),
                indicator: ind.code.clone(),
                title: ind.title.clone(),
                owner: ind.owner.clone(),
                period,
                reason,
                outcomes,
                boards,
            });
        }
        out
    }

    /// Each outcome's status for `p`: (outcome, explanation).
    pub fn outcomes(&self, p: Period) -> Vec<(Code, RollupExplanation)> {
        self.framework
            .outcomes
            .iter()
            .filter(|o| o.kind == crate::OutcomeKind::Local)
            .map(|o| (o.code.clone(), self.outcome(&o.code, p)))
            .collect()
    }

    /// Whether an outcome status is a real rating (not no-data).
    pub fn rated(s: OutcomeStatus) -> bool {
        s != OutcomeStatus::NoData
    }
}

#[cfg(test)]
mod tests;
