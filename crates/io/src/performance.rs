//! The performance import/export formats: indicators, measurements, targets,
//! localities and benchmark sets. Every file is validated whole against what the
//! tenant holds; nothing is returned unless every row is valid.
use crate::rows::{Row, done, each_row, missing_table, one_row, required_table};
use crate::table::{ImportError, Source, Table};
use goldthread_domain::framework::Framework;
use goldthread_domain::indicator::{
    BenchmarkGroup, BenchmarkValue, Indicator, Locality, Measurement, Target,
};
use goldthread_domain::performance::{DataStatus, Polarity, Tolerance};
use goldthread_domain::period::{Frequency, Period};
use goldthread_domain::{Code, Email};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

pub const INDICATORS: &[&str] = &[
    "code",
    "title",
    "tier",
    "unit",
    "polarity",
    "frequency",
    "source",
    "owner",
    "tolerance",
    "band_low",
    "band_high",
    "services",
    "outcomes",
    "by_locality",
    "deadline_days",
    "definition",
    "benchmark_typology",
];
/// `benchmark_typology` may be left out.
const INDICATORS_REQUIRED: usize = 16;
pub const MEASUREMENTS: &[&str] = &[
    "indicator",
    "period",
    "locality",
    "value",
    "missing_reason",
    "status",
    "note",
];
pub const TARGETS: &[&str] = &["indicator", "period", "target", "band_low", "band_high"];
pub const LOCALITIES: &[&str] = &["code", "name"];
pub const BENCHMARK_GROUPS: &[&str] = &["typology", "group", "area"];
pub const BENCHMARK_VALUES: &[&str] = &["indicator", "period", "area", "value"];

/// The kinds of performance import, by their file name (without `.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Indicators,
    Measurements,
    Targets,
    Localities,
    BenchmarkGroups,
    BenchmarkValues,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Localities,
        Kind::Indicators,
        Kind::Targets,
        Kind::Measurements,
        Kind::BenchmarkGroups,
        Kind::BenchmarkValues,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Indicators => "indicators",
            Kind::Measurements => "measurements",
            Kind::Targets => "targets",
            Kind::Localities => "localities",
            Kind::BenchmarkGroups => "benchmark-groups",
            Kind::BenchmarkValues => "benchmark-values",
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Kind::Indicators => INDICATORS,
            Kind::Measurements => MEASUREMENTS,
            Kind::Targets => TARGETS,
            Kind::Localities => LOCALITIES,
            Kind::BenchmarkGroups => BENCHMARK_GROUPS,
            Kind::BenchmarkValues => BENCHMARK_VALUES,
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown import '{s}' (expected one of: {})",
                    Kind::ALL
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// What the tenant holds already, to check references against.
pub struct Context<'a> {
    pub framework: &'a Framework,
    pub indicators: &'a [Indicator],
    pub localities: &'a [Locality],
    by_code: std::collections::HashMap<&'a Code, usize>,
}

impl<'a> Context<'a> {
    pub fn new(
        framework: &'a Framework,
        indicators: &'a [Indicator],
        localities: &'a [Locality],
    ) -> Context<'a> {
        Context {
            framework,
            indicators,
            localities,
            by_code: indicators
                .iter()
                .enumerate()
                .map(|(n, i)| (&i.code, n))
                .collect(),
        }
    }
}

/// Reads the one table of a single-kind import.
fn table(source: &Source, kind: Kind) -> Result<Table, Vec<ImportError>> {
    required_table(source, kind.name())
}

impl Row<'_> {
    /// The period in `col`, which must be of `frequency`.
    fn period(&mut self, col: &str, frequency: Frequency) -> Option<Period> {
        let v = self.raw(col).to_string();
        if v.is_empty() {
            self.error(col, "is required");
            return None;
        }
        match Period::parse(&v, frequency) {
            Ok(p) => Some(p),
            Err(e) => {
                let msg = match Period::parse_any(&v) {
                    Ok(other) if other.frequency() != frequency => {
                        format!(
                            "'{v}' is a {} period but the indicator is measured {} (like {})",
                            other.frequency(),
                            frequency,
                            frequency.example()
                        )
                    }
                    _ => e,
                };
                self.error(col, msg);
                None
            }
        }
    }

    /// The indicator named in `col`, which must exist.
    fn indicator<'c>(&mut self, col: &str, ctx: &'c Context<'_>) -> Option<&'c Indicator> {
        self.indicator_at(col, ctx).map(|(_, i)| i)
    }

    /// Like [`Row::indicator`], with its position in the context's indicators.
    fn indicator_at<'c>(
        &mut self,
        col: &str,
        ctx: &'c Context<'_>,
    ) -> Option<(usize, &'c Indicator)> {
        let code = self.code(col)?;
        match ctx.by_code.get(&code) {
            Some(&n) => Some((n, &ctx.indicators[n])),
            None => {
                self.error(
                    col,
                    format!("unknown indicator code '{code}' (import it in indicators.csv first)"),
                );
                None
            }
        }
    }

    /// Both ends of a band, or neither; low ≤ high.
    fn band(&mut self) -> Option<(Option<Decimal>, Option<Decimal>)> {
        let lo = self.decimal("band_low", false)?;
        let hi = self.decimal("band_high", false)?;
        match (lo, hi) {
            (Some(_), None) => {
                self.error("band_high", "is required when band_low is given");
                None
            }
            (None, Some(_)) => {
                self.error("band_low", "is required when band_high is given");
                None
            }
            (Some(l), Some(h)) if l > h => {
                self.error("band_high", format!("{h} is below band_low {l}"));
                None
            }
            other => Some(other),
        }
    }
}

/// Reads and validates `indicators.csv`.
pub fn read_indicators(
    source: &Source,
    ctx: &Context<'_>,
) -> Result<Vec<Indicator>, Vec<ImportError>> {
    let t = table(source, Kind::Indicators)?;
    let headers = if t.headers.len() == INDICATORS_REQUIRED {
        &INDICATORS[..INDICATORS_REQUIRED]
    } else {
        INDICATORS
    };
    let fw = ctx.framework;
    let people: BTreeSet<&Email> = fw.people.iter().map(|p| &p.email).collect();
    let services: BTreeSet<&Code> = fw.services.iter().map(|s| &s.code).collect();
    let outcomes: BTreeSet<&Code> = fw.outcomes.iter().map(|o| &o.code).collect();
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), headers, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let tier = r.parsed("tier");
        let unit = r.parsed("unit");
        let polarity: Option<Polarity> = r.parsed("polarity");
        let frequency: Option<Frequency> = r.parsed("frequency");
        let source = r.parsed("source");
        let owner = r.email("owner", false);
        if let Some(Some(e)) = &owner
            && !people.contains(e)
        {
            r.error(
                "owner",
                format!("unknown person '{e}' (add them to people.csv)"),
            );
        }
        let tolerance = {
            let v = r.optional("tolerance");
            Tolerance::parse(&v)
                .map_err(|e| r.error("tolerance", e))
                .ok()
        };
        let band = r.band();
        if let (Some(p), Some((Some(_), _))) = (polarity, band)
            && p != Polarity::InBand
        {
            r.error(
                "band_low",
                format!("a band is only for in-band indicators; this one is {p}"),
            );
        }
        let svc = r.codes("services");
        for s in svc.iter().flatten() {
            if !services.contains(s) {
                r.error("services", format!("unknown service code '{s}'"));
            }
        }
        let outs = r.codes("outcomes");
        for o in outs.iter().flatten() {
            if !outcomes.contains(o) {
                r.error("outcomes", format!("unknown outcome code '{o}'"));
            }
        }
        let by_locality = match r.optional("by_locality").as_str() {
            "" | "no" => Some(false),
            "yes" => Some(true),
            other => {
                r.error("by_locality", format!("'{other}' is not yes or no"));
                None
            }
        };
        let deadline_days = match r.optional("deadline_days").as_str() {
            "" => Some(60),
            v => match v.parse::<i64>() {
                Ok(n) if (0..=3650).contains(&n) => Some(n),
                _ => {
                    r.error(
                        "deadline_days",
                        format!("'{v}' is not a whole number of days from 0 to 3650"),
                    );
                    None
                }
            },
        };
        let definition = r.optional("definition");
        let benchmark_typology = Some(r.optional("benchmark_typology")).filter(|s| !s.is_empty());
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(title),
            Some(tier),
            Some(unit),
            Some(polarity),
            Some(frequency),
            Some(source),
            Some(owner),
            Some(tolerance),
            Some((band_low, band_high)),
            Some(services),
            Some(outcomes),
            Some(by_locality),
            Some(deadline_days),
        ) = (
            code,
            title,
            tier,
            unit,
            polarity,
            frequency,
            source,
            owner,
            tolerance,
            band,
            svc,
            outs,
            by_locality,
            deadline_days,
        ) {
            out.push(Indicator {
                code,
                title,
                tier,
                unit,
                polarity,
                frequency,
                source,
                owner,
                tolerance,
                band_low,
                band_high,
                services,
                outcomes,
                by_locality,
                deadline_days,
                definition,
                benchmark_typology,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `localities.csv`.
pub fn read_localities(source: &Source) -> Result<Vec<Locality>, Vec<ImportError>> {
    let t = table(source, Kind::Localities)?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), LOCALITIES, &mut errors, |r| {
        let code = r.code("code");
        let name = r.required("name");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(name)) = (code, name) {
            out.push(Locality { code, name });
        }
    });
    done(errors, out)
}

/// Reads and validates `targets.csv`.
pub fn read_targets(source: &Source, ctx: &Context<'_>) -> Result<Vec<Target>, Vec<ImportError>> {
    let t = table(source, Kind::Targets)?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), TARGETS, &mut errors, |r| {
        let Some(ind) = r.indicator("indicator", ctx) else {
            return;
        };
        let period = r.period("period", ind.frequency);
        let target = r.decimal("target", false);
        let band = r.band();
        match (ind.polarity, &target, &band) {
            (Polarity::DataOnly, _, _) => r.error(
                "indicator",
                format!("{} is data-only: it has no targets", ind.code),
            ),
            (Polarity::InBand, _, Some((None, None))) => r.error(
                "band_low",
                format!("{} is in-band: give band_low and band_high", ind.code),
            ),
            (Polarity::HigherBetter | Polarity::LowerBetter, Some(None), _) => {
                r.error("target", "is required")
            }
            (Polarity::HigherBetter | Polarity::LowerBetter, _, Some((Some(_), _))) => r.error(
                "band_low",
                format!(
                    "a band is only for in-band indicators; {} is {}",
                    ind.code, ind.polarity
                ),
            ),
            _ => {}
        }
        let Some(period) = period else { return };
        if r.duplicate(
            &mut seen,
            "period",
            (ind.code.clone(), period),
            &format!("{} {period}", ind.code),
        ) {
            return;
        }
        if let (Some(target), Some((band_low, band_high))) = (target, band) {
            out.push(Target {
                indicator: ind.code.clone(),
                period,
                target,
                band_low,
                band_high,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `measurements.csv` whole (for small inputs: a form, a test).
pub fn read_measurements(
    source: &Source,
    ctx: &Context<'_>,
) -> Result<Vec<Measurement>, Vec<ImportError>> {
    validate_measurements(table(source, Kind::Measurements)?, ctx)
}

/// Validates a table of measurements (also used for single values entered in forms).
pub fn validate_measurements(
    t: Table,
    ctx: &Context<'_>,
) -> Result<Vec<Measurement>, Vec<ImportError>> {
    let mut check = MeasurementCheck::new(ctx);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if let Err(e) = t.expect_headers(MEASUREMENTS) {
        return Err(vec![e]);
    }
    for (number, cells) in &t.rows {
        out.extend(check.row(&t.name, *number, cells, &mut errors));
    }
    done(errors, out)
}

/// Most error messages kept from one streamed import; the rest are counted.
pub const MAX_ERRORS: usize = 1000;

/// Validates measurement rows one at a time, remembering only each row's key
/// (for duplicates), never the rows.
struct MeasurementCheck<'c> {
    ctx: &'c Context<'c>,
    localities: BTreeSet<&'c Code>,
    seen: BTreeMap<(usize, Period, Option<Code>), usize>,
}

impl<'c> MeasurementCheck<'c> {
    fn new(ctx: &'c Context<'c>) -> Self {
        MeasurementCheck {
            ctx,
            localities: ctx.localities.iter().map(|l| &l.code).collect(),
            seen: BTreeMap::new(),
        }
    }

    fn row(
        &mut self,
        file: &str,
        number: usize,
        cells: &[String],
        errors: &mut Vec<ImportError>,
    ) -> Option<Measurement> {
        let mut out = None;
        one_row(file, MEASUREMENTS, number, cells, errors, &mut |r| {
            out = self.check(r);
        });
        out
    }

    fn check(&mut self, r: &mut Row<'_>) -> Option<Measurement> {
        let (idx, ind) = r.indicator_at("indicator", self.ctx)?;
        let period = r.period("period", ind.frequency);
        let locality = match r.optional("locality").as_str() {
            "" => Some(None),
            v => match Code::parse(v) {
                Ok(c) if !self.localities.contains(&c) => {
                    r.error(
                        "locality",
                        format!("unknown locality code '{c}' (import it in localities.csv first)"),
                    );
                    None
                }
                Ok(_) if !ind.by_locality => {
                    r.error(
                        "locality",
                        format!(
                            "{} is not reported by locality (leave locality empty)",
                            ind.code
                        ),
                    );
                    None
                }
                Ok(c) => Some(Some(c)),
                Err(e) => {
                    r.error("locality", e.0);
                    None
                }
            },
        };
        let value = r.decimal("value", false);
        let missing_reason = r.optional("missing_reason");
        match (&value, missing_reason.is_empty()) {
            (Some(None), true) => r.error("missing_reason", "is required when there is no value"),
            (Some(Some(_)), false) => r.error(
                "missing_reason",
                "must be empty when there is a value (use note for comments)",
            ),
            _ => {}
        }
        let status = match r.optional("status").as_str() {
            "" => Some(DataStatus::Submitted),
            v => v
                .parse::<DataStatus>()
                .map_err(|e| r.error("status", e))
                .ok(),
        };
        let note = r.optional("note");
        let (Some(period), Some(locality)) = (period, locality) else {
            return None;
        };
        match self.seen.entry((idx, period, locality.clone())) {
            std::collections::btree_map::Entry::Occupied(first) => {
                let shown = format!(
                    "{} {period}{}",
                    ind.code,
                    locality
                        .as_ref()
                        .map(|l| format!(" {l}"))
                        .unwrap_or_default()
                );
                r.error(
                    "period",
                    format!("{shown} is a duplicate of row {}", first.get()),
                );
                return None;
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(r.number);
            }
        }
        if let (Some(value), Some(status)) = (value, status)
            && (value.is_some() || !missing_reason.is_empty())
            && (value.is_none() || missing_reason.is_empty())
        {
            return Some(Measurement {
                indicator: ind.code.clone(),
                period,
                locality,
                value,
                missing_reason,
                status,
                note,
            });
        }
        None
    }
}

/// A measurements file read and validated as a stream, in batches: only the keys
/// seen so far are held (to find duplicates), so a file of a million rows needs
/// little memory. Errors are collected as they are found (the first
/// [`MAX_ERRORS`] kept, the rest counted); once there is one, no further batch is
/// returned, but reading goes on to report every problem.
pub struct MeasurementStream<'s> {
    rows: crate::table::RowStream<'s>,
    check: MeasurementCheck<'s>,
    errors: Vec<ImportError>,
    more_errors: usize,
    read: usize,
}

impl<'s> MeasurementStream<'s> {
    /// Opens `measurements.csv` (or the only CSV given, or the sheet) and checks
    /// its headers.
    pub fn open(source: &'s Source, ctx: &'s Context<'s>) -> Result<Self, Vec<ImportError>> {
        let name = Kind::Measurements.name();
        let rows = match source.stream(name) {
            Ok(Some(rows)) => rows,
            Ok(None) => return Err(vec![missing_table(name)]),
            Err(e) => return Err(vec![e]),
        };
        rows.expect_headers(MEASUREMENTS).map_err(|e| vec![e])?;
        Ok(MeasurementStream {
            rows,
            check: MeasurementCheck::new(ctx),
            errors: Vec::new(),
            more_errors: 0,
            read: 0,
        })
    }

    /// Up to `max` valid measurements, or `None` at the end of the file. After the
    /// first error this reads (and checks) the rest of the file and returns `None`.
    pub fn next_batch(&mut self, max: usize) -> Option<Vec<Measurement>> {
        let mut batch = Vec::with_capacity(max.min(4096));
        let mut errors = Vec::new();
        while batch.len() < max || !self.ok() {
            let Some(row) = self.rows.next_row() else {
                break;
            };
            self.read += 1;
            match row {
                Ok((number, cells)) => {
                    if let Some(m) = self.check.row(&self.rows.name, number, &cells, &mut errors)
                        && self.ok()
                        && errors.is_empty()
                    {
                        batch.push(m);
                    }
                }
                Err(e) => errors.push(e),
            }
            for e in errors.drain(..) {
                if self.errors.len() < MAX_ERRORS {
                    self.errors.push(e);
                } else {
                    self.more_errors += 1;
                }
            }
        }
        (!batch.is_empty() && self.ok()).then_some(batch)
    }

    fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Rows read so far.
    pub fn rows(&self) -> usize {
        self.read
    }

    /// How far through the file: (done, total), in bytes (rows for a sheet).
    pub fn progress(&self) -> (u64, u64) {
        self.rows.progress()
    }

    /// The file's SHA-256 (once read to the end).
    pub fn sha256(&self) -> String {
        self.rows.sha256()
    }

    /// Every problem found, or nothing when the whole file was valid.
    pub fn finish(mut self) -> Result<(), Vec<ImportError>> {
        if self.more_errors > 0 {
            self.errors.push(ImportError::file(
                &self.rows.name,
                format!("… and {} more problems not listed", self.more_errors),
            ));
        }
        done(self.errors, ())
    }
}

/// Reads and validates `benchmark-groups.csv`.
pub fn read_benchmark_groups(source: &Source) -> Result<Vec<BenchmarkGroup>, Vec<ImportError>> {
    let t = table(source, Kind::BenchmarkGroups)?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), BENCHMARK_GROUPS, &mut errors, |r| {
        let (typology, group, area) = (
            r.required("typology"),
            r.required("group"),
            r.required("area"),
        );
        let (Some(typology), Some(group), Some(area)) = (typology, group, area) else {
            return;
        };
        if r.duplicate(
            &mut seen,
            "area",
            (typology.clone(), area.clone()),
            &format!("{area} in {typology}"),
        ) {
            return;
        }
        out.push(BenchmarkGroup {
            typology,
            group,
            area,
        });
    });
    done(errors, out)
}

/// Reads and validates `benchmark-values.csv`.
pub fn read_benchmark_values(
    source: &Source,
    ctx: &Context<'_>,
) -> Result<Vec<BenchmarkValue>, Vec<ImportError>> {
    let t = table(source, Kind::BenchmarkValues)?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), BENCHMARK_VALUES, &mut errors, |r| {
        let Some(ind) = r.indicator("indicator", ctx) else {
            return;
        };
        let period = r.period("period", ind.frequency);
        let area = r.required("area");
        let value = r.decimal("value", true).flatten();
        let (Some(period), Some(area), Some(value)) = (period, area, value) else {
            return;
        };
        if r.duplicate(
            &mut seen,
            "area",
            (ind.code.clone(), period, area.clone()),
            &format!("{} {period} {area}", ind.code),
        ) {
            return;
        }
        out.push(BenchmarkValue {
            indicator: ind.code.clone(),
            period,
            area,
            value,
        });
    });
    done(errors, out)
}

fn dec(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn join(codes: &[Code]) -> String {
    codes.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

pub fn indicator_rows(v: &[Indicator]) -> Vec<Vec<String>> {
    v.iter()
        .map(|i| {
            vec![
                i.code.to_string(),
                i.title.clone(),
                i.tier.to_string(),
                i.unit.to_string(),
                i.polarity.to_string(),
                i.frequency.to_string(),
                i.source.to_string(),
                i.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                i.tolerance.to_string(),
                dec(i.band_low),
                dec(i.band_high),
                join(&i.services),
                join(&i.outcomes),
                if i.by_locality {
                    "yes".into()
                } else {
                    "no".into()
                },
                i.deadline_days.to_string(),
                i.definition.clone(),
                i.benchmark_typology.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

pub fn measurement_rows(v: &[Measurement]) -> Vec<Vec<String>> {
    v.iter()
        .map(|m| {
            vec![
                m.indicator.to_string(),
                m.period.to_string(),
                m.locality
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                dec(m.value),
                m.missing_reason.clone(),
                m.status.to_string(),
                m.note.clone(),
            ]
        })
        .collect()
}

pub fn target_rows(v: &[Target]) -> Vec<Vec<String>> {
    v.iter()
        .map(|t| {
            vec![
                t.indicator.to_string(),
                t.period.to_string(),
                dec(t.target),
                dec(t.band_low),
                dec(t.band_high),
            ]
        })
        .collect()
}

pub fn locality_rows(v: &[Locality]) -> Vec<Vec<String>> {
    v.iter()
        .map(|l| vec![l.code.to_string(), l.name.clone()])
        .collect()
}

pub fn benchmark_group_rows(v: &[BenchmarkGroup]) -> Vec<Vec<String>> {
    v.iter()
        .map(|g| vec![g.typology.clone(), g.group.clone(), g.area.clone()])
        .collect()
}

pub fn benchmark_value_rows(v: &[BenchmarkValue]) -> Vec<Vec<String>> {
    v.iter()
        .map(|b| {
            vec![
                b.indicator.to_string(),
                b.period.to_string(),
                b.area.clone(),
                b.value.normalize().to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests;
