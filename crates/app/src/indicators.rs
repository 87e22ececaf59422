//! Single-record changes to indicator definitions and targets, and bulk
//! measurements and targets sent as JSON. Each input is validated by the
//! importer's own rules (as a one-row or many-row table), permission-checked, and
//! audited in the same transaction as the change.
use crate::framework::{ImportReport, field_errors, record, version_required, with_version};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::indicator::{Indicator, Locality, Target};
use goldthread_domain::permission::Write;
use goldthread_io::performance::{self as pio, Context, Kind};
use goldthread_io::{ImportError, Source};
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::performance as ps;
use serde::Deserialize;
use serde_json::json;

/// An indicator definition; field names are `indicators.csv`'s columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IndicatorInput {
    pub code: String,
    pub title: String,
    /// outcome, service or enabler.
    pub tier: String,
    /// percent, count, money, days, rate, ratio or score.
    pub unit: String,
    /// higher-better, lower-better, in-band or data-only.
    pub polarity: String,
    /// monthly, quarterly, financial-year, academic-year or calendar-year.
    pub frequency: String,
    /// local, LGBF, SPI, NPF or partner.
    pub source: String,
    /// The owner's email.
    #[serde(default)]
    pub owner: Option<String>,
    /// `N%` of the target, or an absolute number; empty means 5%.
    #[serde(default)]
    pub tolerance: String,
    #[serde(default)]
    pub band_low: Option<String>,
    #[serde(default)]
    pub band_high: Option<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub by_locality: bool,
    /// Days after the period ends before a missing value is overdue (default 60).
    #[serde(default)]
    pub deadline_days: Option<i64>,
    #[serde(default)]
    pub definition: String,
    #[serde(default)]
    pub benchmark_typology: Option<String>,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl IndicatorInput {
    fn cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.code.clone(),
            self.title.clone(),
            self.tier.clone(),
            self.unit.clone(),
            self.polarity.clone(),
            self.frequency.clone(),
            self.source.clone(),
            opt(&self.owner),
            self.tolerance.clone(),
            opt(&self.band_low),
            opt(&self.band_high),
            self.services.join(";"),
            self.outcomes.join(";"),
            if self.by_locality { "yes" } else { "no" }.into(),
            self.deadline_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            self.definition.clone(),
            opt(&self.benchmark_typology),
        ]
    }
}

/// One period's target (and band, for in-band indicators).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetInput {
    /// An exact decimal; may be empty for an in-band indicator with a band.
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub band_low: Option<String>,
    #[serde(default)]
    pub band_high: Option<String>,
    /// Required when changing an existing target: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// One row of a bulk measurements request (`measurements.csv`'s columns).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeasurementRow {
    pub indicator: String,
    pub period: String,
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub missing_reason: String,
    /// draft, submitted or assured (default submitted).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

/// One row of a bulk targets request (`targets.csv`'s columns).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetRow {
    pub indicator: String,
    pub period: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub band_low: Option<String>,
    #[serde(default)]
    pub band_high: Option<String>,
}

/// A one-table source of `rows`, as if uploaded as `<name>.csv`.
pub(crate) fn rows_source(name: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Source> {
    // An importer skips a blank row, so a record (or list item) with every
    // field empty would vanish: it is refused by name instead.
    let blank: Vec<FieldError> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().all(|c| c.trim().is_empty()))
        .map(|(i, _)| FieldError {
            field: if rows.len() == 1 {
                "input".into()
            } else {
                format!("items[{i}]")
            },
            message: "every field is empty".into(),
        })
        .collect();
    if !blank.is_empty() {
        return Err(AppError::Validation(blank));
    }
    let bytes = goldthread_io::framework::csv_bytes(headers, rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Source::Csv(
        [(format!("{name}.csv"), bytes)].into_iter().collect(),
    ))
}

/// Errors of a JSON bulk request, by item: row n of the table is `items[n - 2]`.
fn item_errors(errors: Vec<ImportError>) -> AppError {
    AppError::Validation(
        errors
            .into_iter()
            .map(|e| FieldError {
                field: match (e.row, e.column) {
                    (Some(r), Some(c)) => format!("items[{}].{c}", r.saturating_sub(2)),
                    (Some(r), None) => format!("items[{}]", r.saturating_sub(2)),
                    _ => "items".into(),
                },
                message: e.message,
            })
            .collect(),
    )
}

impl App {
    /// Loads what indicator changes are checked against, in `tx`.
    async fn indicator_scope(
        &self,
        tx: &mut goldthread_store::WriteTx,
        c: &Caller,
    ) -> Result<(goldthread_domain::framework::Framework, ps::PerfSnapshot)> {
        let fw = fs::load(tx.conn(), &c.tenant_id()).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let perf = ps::load_definitions(tx.conn(), &c.tenant_id()).await?;
        Ok((fw, perf))
    }

    fn validate_indicator(
        fw: &goldthread_domain::framework::Framework,
        perf: &ps::PerfSnapshot,
        i: &IndicatorInput,
    ) -> Result<Indicator> {
        let indicators: Vec<Indicator> = perf.indicators.iter().map(|r| r.value.clone()).collect();
        let localities: Vec<Locality> = perf.localities.iter().map(|r| r.value.clone()).collect();
        let ctx = Context::new(fw, &indicators, &localities);
        let source = rows_source(
            Kind::Indicators.name(),
            Kind::Indicators.headers(),
            &[i.cells()],
        )?;
        let mut v = pio::read_indicators(&source, &ctx).map_err(field_errors)?;
        v.pop()
            .ok_or_else(|| AppError::Internal("validated indicator missing".into()))
    }

    /// Defines a new indicator (administrators and performance officers).
    pub async fn create_indicator(&self, c: &Caller, i: &IndicatorInput) -> Result<Rec<Indicator>> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let (fw, perf) = self.indicator_scope(&mut tx, c).await?;
        let value = Self::validate_indicator(&fw, &perf, i)?;
        if perf.indicators.iter().any(|r| r.value.code == value.code) {
            return Err(AppError::Duplicate(format!(
                "an indicator '{}' already exists",
                value.code
            )));
        }
        let rec = ps::insert_indicator(tx.conn(), &c.tenant_id(), &value).await?;
        let key = value.code.to_string();
        record(
            &mut tx,
            c,
            "create",
            "indicator",
            Some(&rec.id),
            &key,
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes an indicator's definition. Its frequency cannot change once it has
    /// data (every stored period would stop being one of its periods).
    pub async fn update_indicator(
        &self,
        c: &Caller,
        code: &str,
        i: &IndicatorInput,
    ) -> Result<Rec<Indicator>> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let (fw, perf) = self.indicator_scope(&mut tx, c).await?;
        let before = find(&perf, code)?.clone();
        let (value, version) = with_version(Self::validate_indicator(&fw, &perf, i), i.version)?;
        if value.code != before.value.code
            && perf.indicators.iter().any(|r| r.value.code == value.code)
        {
            return Err(AppError::Duplicate(format!(
                "an indicator '{}' already exists",
                value.code
            )));
        }
        crate::error::check_version("indicator", version, before.version)?;
        if value.frequency != before.value.frequency {
            let n = ps::indicator_data(tx.conn(), &c.tenant_id(), &before.id).await?;
            if n > 0 {
                return Err(AppError::field(
                    "frequency",
                    format!(
                        "cannot change from {} to {}: {n} stored values, targets or published statuses use its periods (define a new indicator instead)",
                        before.value.frequency, value.frequency
                    ),
                ));
            }
        }
        let rec =
            ps::update_indicator(tx.conn(), &c.tenant_id(), &before.id, version, &value).await?;
        record(
            &mut tx,
            c,
            "update",
            "indicator",
            Some(&rec.id),
            &value.code.to_string(),
            Some(json!(before)),
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes an indicator that has no values, targets, benchmark values or
    /// published statuses (nothing is ever lost by deleting a definition).
    pub async fn delete_indicator(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let (_, perf) = self.indicator_scope(&mut tx, c).await?;
        let before = find(&perf, code)?.clone();
        let version = version_required(version)?;
        crate::error::check_version("indicator", version, before.version)?;
        let n = ps::indicator_data(tx.conn(), &c.tenant_id(), &before.id).await?;
        if n > 0 {
            return Err(AppError::InUse(format!(
                "indicator '{code}' has {n} stored values, targets, benchmark values or published statuses; it cannot be deleted"
            )));
        }
        ps::delete_indicator(tx.conn(), &c.tenant_id(), &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            "indicator",
            Some(&before.id),
            code,
            Some(json!(before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (creates or replaces) the target of one period.
    pub async fn put_target(
        &self,
        c: &Caller,
        code: &str,
        period: &str,
        i: &TargetInput,
    ) -> Result<Target> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let (fw, perf) = self.indicator_scope(&mut tx, c).await?;
        let ind = find(&perf, code)?.clone();
        let indicators = [ind.value.clone()];
        let ctx = Context::new(&fw, &indicators, &[]);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let source = rows_source(
            Kind::Targets.name(),
            Kind::Targets.headers(),
            &[vec![
                code.to_string(),
                period.to_string(),
                opt(&i.target),
                opt(&i.band_low),
                opt(&i.band_high),
            ]],
        )?;
        let t = pio::read_targets(&source, &ctx)
            .map_err(field_errors)?
            .pop()
            .ok_or_else(|| AppError::Internal("validated target missing".into()))?;
        let existing = ps::load_targets(tx.conn(), &c.tenant_id(), &perf.indicators)
            .await?
            .into_iter()
            .find(|r| r.value.indicator == t.indicator && r.value.period == t.period);
        if let Some(b) = &existing {
            let v = i.version.ok_or_else(|| {
                AppError::field(
                    "version",
                    "is required when changing an existing target: send the version you read",
                )
            })?;
            crate::error::check_version("target", v, b.version)?;
        }
        ps::put_target(
            tx.conn(),
            &c.tenant_id(),
            &ind.id,
            existing.as_ref().map(|b| (b.id.as_str(), b.version)),
            &t,
        )
        .await?;
        let key = format!("{} {}", t.indicator, t.period);
        record(
            &mut tx,
            c,
            if existing.is_some() {
                "update"
            } else {
                "create"
            },
            "target",
            existing.as_ref().map(|b| b.id.as_str()),
            &key,
            existing.as_ref().map(|b| json!(b)),
            Some(json!(t)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Deletes the target of one period.
    pub async fn delete_target(
        &self,
        c: &Caller,
        code: &str,
        period: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let (_, perf) = self.indicator_scope(&mut tx, c).await?;
        let ind = find(&perf, code)?.clone();
        let p = crate::performance::parse_period_as(period, ind.value.frequency)?;
        let b = ps::load_targets(tx.conn(), &c.tenant_id(), &perf.indicators)
            .await?
            .into_iter()
            .find(|r| r.value.indicator == ind.value.code && r.value.period == p)
            .ok_or_else(|| AppError::NotFound(format!("no target of {code} for {period}")))?;
        let version = version_required(version)?;
        crate::error::check_version("target", version, b.version)?;
        ps::delete_target(tx.conn(), &c.tenant_id(), &b.id, version).await?;
        let key = format!("{code} {p}");
        record(
            &mut tx,
            c,
            "delete",
            "target",
            Some(&b.id),
            &key,
            Some(json!(b)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Many measurements at once, exactly as an import of `measurements.csv` with
    /// these rows (all or nothing; one audit row); errors name `items[i].field`.
    pub async fn bulk_measurements(
        &self,
        c: &Caller,
        items: &[MeasurementRow],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|m| {
                vec![
                    m.indicator.clone(),
                    m.period.clone(),
                    m.locality.clone().unwrap_or_default(),
                    m.value.clone().unwrap_or_default(),
                    m.missing_reason.clone(),
                    m.status.clone(),
                    m.note.clone(),
                ]
            })
            .collect();
        self.bulk(c, Kind::Measurements, &rows, dry_run).await
    }

    /// Many targets at once, as an import of `targets.csv` with these rows.
    pub async fn bulk_targets(
        &self,
        c: &Caller,
        items: &[TargetRow],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|t| {
                vec![
                    t.indicator.clone(),
                    t.period.clone(),
                    opt(&t.target),
                    opt(&t.band_low),
                    opt(&t.band_high),
                ]
            })
            .collect();
        self.bulk(c, Kind::Targets, &rows, dry_run).await
    }

    async fn bulk(
        &self,
        c: &Caller,
        kind: Kind,
        rows: &[Vec<String>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        if rows.is_empty() {
            return Err(AppError::field("items", "is empty: send at least one item"));
        }
        let source = rows_source(kind.name(), kind.headers(), rows)?;
        let label = format!("API bulk {}", kind.name());
        self.import_performance(c, kind, &source, dry_run, &label)
            .await
            .map_err(|e| match e {
                AppError::Import(errors) => item_errors(errors),
                other => other,
            })
    }
}

fn find<'p>(perf: &'p ps::PerfSnapshot, code: &str) -> Result<&'p Rec<Indicator>> {
    perf.indicators
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no indicator '{code}'")))
}
