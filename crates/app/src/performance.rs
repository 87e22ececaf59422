//! Use cases of the performance engine: importing indicators and their data,
//! and reading statuses, outcome roll-ups and exceptions.
use crate::framework::{Change, ImportReport, View, record, record_json};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::framework::Framework;
use goldthread_domain::indicator::{
    BenchmarkGroup, BenchmarkValue, Indicator, Locality, Measurement, Target,
};
use goldthread_domain::performance::{DataStatus, RollupExplanation};
use goldthread_domain::period::{Frequency, Period};
use goldthread_domain::permission::Write;
use goldthread_domain::scorecard::{Exception, FrozenKey, IndicatorStatus, Scorecard, Settings};
use goldthread_io::Source;
use goldthread_io::performance::{self as pio, Context, Kind};
use goldthread_store::WriteTx;
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::performance::{self as ps, PerfSnapshot};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use time::Date;

/// A tenant's framework and performance data, owned, for the scorecard.
/// See [`App::public_stamp`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicStamp {
    pub version: i64,
    pub name: String,
    pub area: String,
}

#[derive(Clone)]
pub struct PerfData {
    pub view: View,
    pub perf: PerfSnapshot,
    pub indicators: Vec<Indicator>,
    pub targets: Vec<Target>,
    pub measurements: Vec<Measurement>,
    pub localities: Vec<Code>,
    pub own_area: String,
    pub settings: Settings,
    /// Published statuses, keyed by indicator × period × locality.
    pub frozen: Vec<(FrozenKey, goldthread_domain::performance::StatusExplanation)>,
}

impl PerfData {
    fn new(
        view: View,
        perf: PerfSnapshot,
        own_area: String,
        frozen: Vec<ps::Frozen>,
        settings: Settings,
    ) -> PerfData {
        PerfData {
            settings,
            frozen: frozen
                .into_iter()
                .filter_map(|f| {
                    let e = serde_json::from_value(f.explanation).ok()?;
                    Some(((f.indicator, f.period, f.locality), e))
                })
                .collect(),
            indicators: perf.indicators.iter().map(|r| r.value.clone()).collect(),
            targets: perf.targets.iter().map(|r| r.value.clone()).collect(),
            measurements: perf.measurements.iter().map(|r| r.value.clone()).collect(),
            localities: perf
                .localities
                .iter()
                .map(|r| r.value.code.clone())
                .collect(),
            view,
            perf,
            own_area,
        }
    }

    pub fn framework(&self) -> &Framework {
        &self.view.framework
    }

    /// What the public may see: only `assured` values (drafts and submitted values
    /// are missing), and current statuses on them rather than published ones (which
    /// may have been computed from values not yet assured).
    pub fn assured_only(&self) -> PerfData {
        let mut d = self.clone();
        d.measurements.retain(|m| m.status == DataStatus::Assured);
        d.perf
            .measurements
            .retain(|r| r.value.status == DataStatus::Assured);
        d.frozen.clear();
        d
    }

    /// The engine over this data as of `today`.
    pub fn card(&self, today: Date) -> Scorecard<'_> {
        Scorecard::new(
            &self.view.framework,
            &self.indicators,
            &self.targets,
            &self.measurements,
            &self.localities,
            &self.perf.benchmark_groups,
            &self.perf.benchmark_values,
            &self.own_area,
            today,
            self.settings.clone(),
        )
        .with_frozen(self.frozen.iter().cloned())
    }
}

/// The latest financial year that has ended by `today` (the default reporting period).
pub fn default_period(today: Date) -> Period {
    let mut p = Period::FinancialYear(today.year());
    while p.end() >= today {
        p = p.previous();
    }
    p
}

/// One outcome's roll-up for a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeRow {
    pub outcome: Code,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub explanation: RollupExplanation,
}

/// Statuses for a period (or every period), with outcome roll-ups.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub today: Date,
    pub indicators: Vec<IndicatorStatus>,
    pub outcomes: Vec<OutcomeRow>,
    pub enablers: RollupExplanation,
}

/// A performance record imported one by one (created or replaced by its key),
/// each change audited.
pub(crate) trait PerRecord: Serialize + PartialEq + Sized + Send + Sync {
    const ENTITY: &'static str;
    fn key(&self) -> String;
    fn insert(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send;
    fn update(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send;
}

impl PerRecord for Locality {
    const ENTITY: &'static str = "locality";
    fn key(&self) -> String {
        self.code.to_string()
    }
    fn insert(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        ps::insert_locality(c, t, v)
    }
    fn update(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        ps::update_locality(c, t, id, version, v)
    }
}

impl PerRecord for Indicator {
    const ENTITY: &'static str = "indicator";
    fn key(&self) -> String {
        self.code.to_string()
    }
    fn insert(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        ps::insert_indicator(c, t, v)
    }
    fn update(
        c: &mut goldthread_store::AnyConnection,
        t: &goldthread_store::TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        ps::update_indicator(c, t, id, version, v)
    }
}

/// Creates or replaces each row by key, auditing each change with `context`.
pub(crate) async fn apply_each<T: PerRecord>(
    tx: &mut WriteTx,
    c: &Caller,
    report: &mut ImportReport,
    table: &str,
    context: &Value,
    rows: Vec<T>,
    existing: &[Rec<T>],
) -> Result<()> {
    let tid = c.tenant_id();
    for row in rows {
        let k = row.key();
        let (action, before, rec) = match existing.iter().find(|r| r.value.key() == k) {
            Some(b) if b.value == row => {
                report.count(table, Change::Unchanged);
                continue;
            }
            Some(b) => (
                "update",
                Some(json!(b)),
                T::update(tx.conn(), &tid, &b.id, b.version, &row).await?,
            ),
            None => ("create", None, T::insert(tx.conn(), &tid, &row).await?),
        };
        record(
            tx,
            c,
            action,
            T::ENTITY,
            Some(&rec.id),
            &k,
            before,
            Some(json!(rec)),
            Some(context.clone()),
        )
        .await?;
        report.count(
            table,
            if action == "create" {
                Change::Created
            } else {
                Change::Updated
            },
        );
    }
    Ok(())
}

/// Counts of a bulk import and the before-images of what it replaced.
#[derive(Default)]
struct Bulk {
    added: usize,
    replaced: usize,
    unchanged: usize,
    before: BeforeImages,
}

/// The before-image of every record an import replaced, written as JSON text
/// (`{"replaced":[…]}`, each image exactly as a JSON value would write it) as
/// the records are replaced. A re-import of a million measurements held them
/// as values at about 2.5 KB each (2.9 GB in all); as text each is about
/// 150 bytes.
struct BeforeImages {
    text: Vec<u8>,
    count: usize,
}

impl Default for BeforeImages {
    fn default() -> Self {
        BeforeImages {
            text: b"{\"replaced\":[".to_vec(),
            count: 0,
        }
    }
}

impl BeforeImages {
    fn push(&mut self, record: &impl serde::Serialize) {
        if self.count > 0 {
            self.text.push(b',');
        }
        // Through a value, so that keys are in the same (sorted) order as
        // every other audit row's.
        let v = serde_json::to_value(record).expect("records serialise");
        serde_json::to_writer(&mut self.text, &v).expect("writes to memory");
        self.count += 1;
    }

    fn into_json(mut self) -> goldthread_store::audit::AuditJson {
        self.text.extend_from_slice(b"]}");
        goldthread_store::audit::AuditJson::Text(
            String::from_utf8(self.text).expect("serde_json writes UTF-8"),
        )
    }
}

impl App {
    /// The caller's tenant's framework and performance data: shared, and loaded
    /// again only after the tenant's data has changed.
    pub async fn perf_data(&self, c: &Caller) -> Result<Arc<PerfData>> {
        let tenant = c.tenant_id();
        let version = self.db.data_version(&tenant).await?;
        let cell = self
            .cache
            .data_cell(tenant.as_str(), version, &c.tenant.area_name);
        cell.get_or_try_init(|| async { self.load_perf_data(c).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The public view of a council, found by its code, for anyone: its data with
    /// only assured values ([`PerfData::assured_only`]), shared like
    /// [`App::perf_data`].
    pub async fn public_data(&self, tenant_code: &str) -> Result<(Caller, Arc<PerfData>)> {
        let tenant = self.tenant(tenant_code).await.map_err(|_| {
            AppError::NotFound(format!("There is no council '{tenant_code}' here."))
        })?;
        let c = Caller::public(tenant);
        let id = c.tenant_id();
        let version = self.db.data_version(&id).await?;
        let cell = self.cache.data_cell(
            &format!("{}#public", id.as_str()),
            version,
            &c.tenant.area_name,
        );
        let data = cell
            .get_or_try_init(|| async {
                Ok::<_, AppError>(Arc::new(self.perf_data(&c).await?.assured_only()))
            })
            .await?
            .clone();
        Ok((c, data))
    }

    /// What the public site of council `tenant_code` depends on, read fresh:
    /// its tenant id, data version, name and area. Public renderings made
    /// under another stamp are stale.
    pub async fn public_stamp(&self, tenant_code: &str) -> Result<(String, PublicStamp)> {
        let mut conn = self.db.read().await?;
        let (tenant, version) = goldthread_store::accounts::tenant_and_version_by_code(
            &mut conn,
            &tenant_code.to_lowercase(),
        )
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no council '{tenant_code}' here.")))?;
        Ok((
            tenant.id,
            PublicStamp {
                version,
                name: tenant.name,
                area: tenant.area_name,
            },
        ))
    }

    /// [`App::perf_data`] read from the database, bypassing the cache.
    pub async fn load_perf_data(&self, c: &Caller) -> Result<PerfData> {
        let view = self.view(c).await?;
        let mut conn = self.db.read().await?;
        let perf = ps::load(&mut conn, &c.tenant_id()).await?;
        let frozen = ps::frozen(&mut conn, &c.tenant_id()).await?;
        let settings = settings_of(ps::settings(&mut conn, &c.tenant_id()).await?);
        Ok(PerfData::new(
            view,
            perf,
            c.tenant.area_name.clone(),
            frozen,
            settings,
        ))
    }

    /// Imports one kind of performance file (all or nothing; `dry_run` rolls back).
    pub async fn import_performance(
        &self,
        c: &Caller,
        kind: Kind,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        self.import_performance_with(c, kind, source, dry_run, label, &|_, _| {})
            .await
    }

    /// [`App::import_performance`], calling `progress(done, total)` as a streamed
    /// measurements file is read (bytes, or rows of a sheet).
    pub async fn import_performance_with(
        &self,
        c: &Caller,
        kind: Kind,
        source: &Source,
        dry_run: bool,
        label: &str,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<ImportReport> {
        source.require_rows(kind.name(), kind.headers())?;
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let snap = fs::load(tx.conn(), &c.tenant_id()).await?;
        let fw = snap.framework();
        c.require(Write::ImportFramework, &fw)?;
        // What each kind is checked and compared against, and no more: a
        // measurements import reads the held values itself, below.
        let perf = match kind {
            Kind::Measurements | Kind::Targets => {
                let mut p = ps::load_definitions(tx.conn(), &c.tenant_id()).await?;
                if kind == Kind::Targets {
                    p.targets = ps::load_targets(tx.conn(), &c.tenant_id(), &p.indicators).await?;
                }
                p
            }
            _ => ps::load(tx.conn(), &c.tenant_id()).await?,
        };
        let mut sha256 = None;
        let indicators: Vec<Indicator> = perf.indicators.iter().map(|r| r.value.clone()).collect();
        let localities: Vec<Locality> = perf.localities.iter().map(|r| r.value.clone()).collect();
        let ctx = Context::new(&fw, &indicators, &localities);
        let ids: HashMap<&Code, &str> = perf
            .indicators
            .iter()
            .map(|r| (&r.value.code, r.id.as_str()))
            .collect();
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        let table = kind.name();
        let tid = c.tenant_id();
        let audit_ctx = json!({"import": label, "file": table});
        let mut bulk = Bulk::default();
        match kind {
            Kind::Localities => {
                let rows = pio::read_localities(source).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &audit_ctx,
                    rows,
                    &perf.localities,
                )
                .await?;
            }
            Kind::Indicators => {
                let mut rows = pio::read_indicators(source, &ctx).map_err(AppError::Import)?;
                report.rows = rows.len();
                // A file without the optional benchmark_typology column keeps
                // each held indicator's typology rather than clearing it.
                if !source.has_column(table, "benchmark_typology") {
                    let held: HashMap<&Code, &Indicator> = perf
                        .indicators
                        .iter()
                        .map(|r| (&r.value.code, &r.value))
                        .collect();
                    for r in &mut rows {
                        if let Some(h) = held.get(&r.code) {
                            r.benchmark_typology = h.benchmark_typology.clone();
                        }
                    }
                }
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &audit_ctx,
                    rows,
                    &perf.indicators,
                )
                .await?;
            }
            Kind::Targets => {
                let rows = pio::read_targets(source, &ctx).map_err(AppError::Import)?;
                report.rows = rows.len();
                let existing: HashMap<(&Code, Period), &goldthread_store::framework::Rec<Target>> =
                    perf.targets
                        .iter()
                        .map(|r| ((&r.value.indicator, r.value.period), r))
                        .collect();
                for t in &rows {
                    match existing.get(&(&t.indicator, t.period)) {
                        Some(b) if &b.value == t => bulk.unchanged += 1,
                        Some(b) => {
                            ps::put_target(
                                tx.conn(),
                                &tid,
                                ids[&t.indicator],
                                Some((&b.id, b.version)),
                                t,
                            )
                            .await?;
                            bulk.replaced += 1;
                            bulk.before.push(&b.value);
                        }
                        None => {
                            ps::put_target(tx.conn(), &tid, ids[&t.indicator], None, t).await?;
                            bulk.added += 1;
                        }
                    }
                }
            }
            Kind::Measurements => {
                // Streamed: validated and written a batch at a time; the first
                // error stops the writing (the transaction is rolled back) but
                // not the checking, so every problem is reported.
                let held = ps::load_measurements(tx.conn(), &tid, &perf.indicators).await?;
                let existing: HashMap<
                    (&Code, Period, Option<&Code>),
                    &goldthread_store::framework::Rec<Measurement>,
                > = held
                    .iter()
                    .map(|r| {
                        let v = &r.value;
                        ((&v.indicator, v.period, v.locality.as_ref()), r)
                    })
                    .collect();
                let mut stream =
                    pio::MeasurementStream::open(source, &ctx).map_err(AppError::Import)?;
                while let Some(batch) = stream.next_batch(4096) {
                    let mut new_rows: Vec<(&str, &Measurement)> = Vec::with_capacity(batch.len());
                    for m in &batch {
                        match existing.get(&(&m.indicator, m.period, m.locality.as_ref())) {
                            Some(b) if &b.value == m => bulk.unchanged += 1,
                            Some(b) => {
                                ps::put_measurement(
                                    tx.conn(),
                                    &tid,
                                    ids[&m.indicator],
                                    Some((&b.id, b.version)),
                                    m,
                                )
                                .await?;
                                bulk.replaced += 1;
                                bulk.before.push(&b.value);
                            }
                            None => new_rows.push((ids[&m.indicator], m)),
                        }
                    }
                    bulk.added += new_rows.len();
                    ps::insert_measurements(tx.conn(), &tid, &new_rows).await?;
                    let (done, total) = stream.progress();
                    progress(done, total);
                }
                report.rows = stream.rows();
                sha256 = Some(stream.sha256());
                stream.finish().map_err(AppError::Import)?;
            }
            Kind::BenchmarkGroups => {
                let rows: Vec<BenchmarkGroup> =
                    pio::read_benchmark_groups(source).map_err(AppError::Import)?;
                report.rows = rows.len();
                for g in &rows {
                    match perf
                        .benchmark_groups
                        .iter()
                        .find(|b| b.typology == g.typology && b.area == g.area)
                    {
                        Some(b) if b == g => bulk.unchanged += 1,
                        Some(b) => {
                            ps::put_benchmark_group(tx.conn(), &tid, g).await?;
                            bulk.replaced += 1;
                            bulk.before.push(b);
                        }
                        None => {
                            ps::put_benchmark_group(tx.conn(), &tid, g).await?;
                            bulk.added += 1;
                        }
                    }
                }
            }
            Kind::BenchmarkValues => {
                let rows: Vec<BenchmarkValue> =
                    pio::read_benchmark_values(source, &ctx).map_err(AppError::Import)?;
                report.rows = rows.len();
                let existing: HashMap<(&Code, Period, &str), &BenchmarkValue> = perf
                    .benchmark_values
                    .iter()
                    .map(|b| ((&b.indicator, b.period, b.area.as_str()), b))
                    .collect();
                for v in &rows {
                    match existing.get(&(&v.indicator, v.period, v.area.as_str())) {
                        Some(b) if *b == v => bulk.unchanged += 1,
                        Some(b) => {
                            ps::put_benchmark_value(tx.conn(), &tid, ids[&v.indicator], v).await?;
                            bulk.replaced += 1;
                            bulk.before.push(b);
                        }
                        None => {
                            ps::put_benchmark_value(tx.conn(), &tid, ids[&v.indicator], v).await?;
                            bulk.added += 1;
                        }
                    }
                }
            }
        }
        if matches!(
            kind,
            Kind::Targets | Kind::Measurements | Kind::BenchmarkGroups | Kind::BenchmarkValues
        ) {
            let e = report.tables.entry(table.to_string()).or_default();
            *e = [bulk.added, bulk.replaced, bulk.unchanged];
            if bulk.added + bulk.replaced > 0 {
                // One audit row for the whole import, with the before-image of every record it replaced.
                let after = json!({
                    "file": label,
                    "sha256": match sha256 {
                        Some(h) => h,
                        None => source.sha256(kind.name()).map_err(|e| AppError::Import(vec![e]))?,
                    },
                    "rows": report.rows,
                    "added": bulk.added,
                    "replaced": bulk.replaced,
                    "unchanged": bulk.unchanged,
                });
                record_json(
                    &mut tx,
                    c,
                    "import",
                    table,
                    None,
                    label,
                    Some(bulk.before.into_json()),
                    Some(after),
                    Some(audit_ctx),
                )
                .await?;
            }
        }
        report.finish(tx).await
    }

    /// Statuses for `period` (default: the latest ended financial year) or, with
    /// `all_periods`, every period of every series; outcome roll-ups for `period`.
    /// Computed once per change of the tenant's data (and per question asked).
    pub async fn status_report(
        &self,
        c: &Caller,
        period: Option<Period>,
        indicator: Option<&str>,
        all_periods: bool,
        today: Date,
    ) -> Result<Arc<StatusReport>> {
        let tenant = c.tenant_id();
        let version = self.db.data_version(&tenant).await?;
        let key = (period, indicator.map(str::to_string), all_periods, today);
        let cell = self
            .cache
            .report_cell(tenant.as_str(), version, &c.tenant.area_name, key);
        cell.get_or_try_init(|| async {
            self.compute_status_report(c, period, indicator, all_periods, today)
                .await
                .map(Arc::new)
        })
        .await
        .cloned()
    }

    async fn compute_status_report(
        &self,
        c: &Caller,
        period: Option<Period>,
        indicator: Option<&str>,
        all_periods: bool,
        today: Date,
    ) -> Result<StatusReport> {
        let data = self.perf_data(c).await?;
        let card = data.card(today);
        let period = period.unwrap_or_else(|| default_period(today));
        if let Some(code) = indicator
            && card.indicator(code).is_none()
        {
            return Err(AppError::NotFound(format!("no indicator '{code}'")));
        }
        let chosen: Vec<&Indicator> = data
            .indicators
            .iter()
            .filter(|i| indicator.is_none_or(|c| i.code.as_str() == c))
            .collect();
        let mut rows = Vec::new();
        for ind in chosen {
            let periods = if all_periods {
                card.series(ind)
            } else {
                Scorecard::period_within(ind, period).into_iter().collect()
            };
            for p in periods {
                rows.push(card.status(ind, p, None));
                if ind.by_locality {
                    for l in &data.localities {
                        rows.push(card.status(ind, p, Some(l)));
                    }
                }
            }
        }
        let outcomes = card
            .outcomes(period)
            .into_iter()
            .map(|(code, explanation)| OutcomeRow {
                title: data
                    .framework()
                    .outcome(code.as_str())
                    .map(|o| o.title.clone())
                    .unwrap_or_default(),
                outcome: code,
                period,
                explanation,
            })
            .collect();
        Ok(StatusReport {
            period,
            today,
            indicators: rows,
            enablers: card.enablers(period),
            outcomes,
        })
    }

    /// One outcome's roll-up for a period, explained.
    pub async fn outcome_status(
        &self,
        c: &Caller,
        outcome: &str,
        period: Option<Period>,
        today: Date,
    ) -> Result<OutcomeRow> {
        let data = self.perf_data(c).await?;
        let o = data
            .framework()
            .outcome(outcome)
            .ok_or_else(|| AppError::NotFound(format!("no outcome '{outcome}'")))?;
        let period = period.unwrap_or_else(|| default_period(today));
        let explanation = data.card(today).outcome(&o.code, period);
        Ok(OutcomeRow {
            outcome: o.code.clone(),
            title: o.title.clone(),
            period,
            explanation,
        })
    }

    /// Publishes a period: freezes the statuses of every indicator's period within
    /// it (whole area and localities) and the outcome roll-ups, with the thresholds
    /// used, so that later changes show as restatements and never re-colour what
    /// was published. A period is published once.
    pub async fn publish(&self, c: &Caller, period: Period, today: Date) -> Result<PublishReport> {
        let data = self.perf_data(c).await?;
        c.require(Write::ImportFramework, data.framework())?;
        let card = data.card(today);
        let ids: HashMap<&Code, &str> = data
            .perf
            .indicators
            .iter()
            .map(|r| (&r.value.code, r.id.as_str()))
            .collect();
        let mut rows = Vec::new();
        for ind in &data.indicators {
            let Some(own) = Scorecard::period_within(ind, period) else {
                continue;
            };
            let localities: Vec<Option<&Code>> = std::iter::once(None)
                .chain(data.localities.iter().filter(|_| ind.by_locality).map(Some))
                .collect();
            for l in localities {
                let s = card.status(ind, own, l);
                rows.push((
                    ids[&ind.code].to_string(),
                    own,
                    l.cloned(),
                    s.status.to_string(),
                    serde_json::to_value(&s.explanation).unwrap_or(Value::Null),
                ));
            }
        }
        let outcomes: Vec<(Code, String, Value)> = card
            .outcomes(period)
            .into_iter()
            .map(|(o, e)| {
                (
                    o,
                    e.status.to_string(),
                    serde_json::to_value(&e).unwrap_or(Value::Null),
                )
            })
            .collect();
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let p = ps::publish(
            tx.conn(),
            &c.tenant_id(),
            &period,
            &c.who.label,
            &rows,
            &outcomes,
        )
        .await
        .map_err(|e| match e {
            goldthread_store::StoreError::Duplicate(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        let summary: Vec<Value> = outcomes
            .iter()
            .map(|(o, s, _)| json!({"outcome": o, "status": s}))
            .collect();
        record(
            &mut tx,
            c,
            "publish",
            "publication",
            Some(&p.id),
            &period.to_string(),
            None,
            Some(json!({"period": period, "statuses": rows.len(), "outcomes": summary, "as_of": today})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(PublishReport {
            period,
            published_at: p.published_at,
            statuses: rows.len(),
            outcomes: outcomes.len(),
        })
    }

    /// The periods published so far.
    pub async fn publications(&self, c: &Caller) -> Result<Vec<ps::Publication>> {
        let mut conn = self.db.read().await?;
        Ok(ps::publications(&mut conn, &c.tenant_id()).await?)
    }

    /// Indicators to escalate to their outcome boards.
    pub async fn exceptions(&self, c: &Caller, today: Date) -> Result<Vec<Exception>> {
        Ok(self.perf_data(c).await?.card(today).exceptions())
    }
}

/// What a publication froze.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub published_at: String,
    /// Indicator statuses frozen (those published before are kept as they were).
    pub statuses: usize,
    pub outcomes: usize,
}

/// Parses a period given by a user in any canonical form (`2024/25`, `2024/25 Q1`, `2024-05`, `2024`, `AY2024/25`).
pub fn parse_period(s: &str) -> Result<Period> {
    Period::parse_any(s).map_err(|e| AppError::field("period", e))
}

/// Parses a period of a given frequency.
pub fn parse_period_as(s: &str, f: Frequency) -> Result<Period> {
    Period::parse(s, f).map_err(|e| AppError::field("period", e))
}

fn settings_of(stored: Option<(i64, String)>) -> Settings {
    match stored {
        Some((red, pct)) => Settings {
            red_periods: usize::try_from(red).unwrap_or(2),
            stable_pct: pct.parse().unwrap_or(rust_decimal::Decimal::ONE),
        },
        None => Settings::default(),
    }
}

/// A tenant's choices for the performance rules.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSettings {
    /// Red for this many consecutive periods (including the latest) escalates (1–12).
    pub red_periods: usize,
    /// A change of at most this percentage of the previous value is stable (0–100), e.g. "1".
    pub stable_pct: String,
}

impl App {
    /// The tenant's rule settings (defaults: 2 periods, 1%).
    pub async fn rule_settings(&self, c: &Caller) -> Result<RuleSettings> {
        let mut conn = self.db.read().await?;
        let s = settings_of(ps::settings(&mut conn, &c.tenant_id()).await?);
        Ok(RuleSettings {
            red_periods: s.red_periods,
            stable_pct: s.stable_pct.normalize().to_string(),
        })
    }

    /// Changes the tenant's rule settings (admins and performance officers; audited).
    pub async fn set_rule_settings(&self, c: &Caller, new: &RuleSettings) -> Result<RuleSettings> {
        let mut errors = Vec::new();
        if !(1..=12).contains(&new.red_periods) {
            errors.push(crate::FieldError {
                field: "red_periods".into(),
                message: "must be a whole number from 1 to 12".into(),
            });
        }
        let pct: Option<rust_decimal::Decimal> =
            new.stable_pct
                .trim()
                .parse()
                .ok()
                .filter(|p: &rust_decimal::Decimal| {
                    !p.is_sign_negative() && *p <= rust_decimal::Decimal::ONE_HUNDRED
                });
        if pct.is_none() {
            errors.push(crate::FieldError {
                field: "stable_pct".into(),
                message: format!("'{}' is not a percentage from 0 to 100", new.stable_pct),
            });
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let before = self.rule_settings(c).await?;
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let fw = fs::load(tx.conn(), &c.tenant_id()).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let after = RuleSettings {
            red_periods: new.red_periods,
            stable_pct: pct.unwrap_or_default().normalize().to_string(),
        };
        ps::put_settings(
            tx.conn(),
            &c.tenant_id(),
            after.red_periods as i64,
            &after.stable_pct,
        )
        .await?;
        record(
            &mut tx,
            c,
            "update",
            "settings",
            None,
            "performance rules",
            Some(json!(before)),
            Some(json!(after)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// A value entered through a form or the API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MeasurementInput {
    /// A period of the indicator's frequency, e.g. 2025/26 Q2.
    pub period: String,
    /// A locality code; empty or absent for the whole area.
    #[serde(default)]
    pub locality: Option<String>,
    /// An exact decimal; empty or absent when missing (then give a missing_reason).
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub missing_reason: String,
    #[serde(default)]
    pub note: String,
    /// Submit for assurance (else saved as a draft).
    #[serde(default)]
    pub submit: bool,
    /// Required when changing an existing value: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl App {
    /// Enters or changes one value, as a draft or submitted for assurance.
    /// Changing an assured value sends it back for assurance.
    pub async fn enter_measurement(
        &self,
        c: &Caller,
        indicator: &str,
        i: &MeasurementInput,
    ) -> Result<Measurement> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let fw = fs::load(tx.conn(), &c.tenant_id()).await?.framework();
        let perf = ps::load(tx.conn(), &c.tenant_id()).await?;
        let rec = perf
            .indicators
            .iter()
            .find(|r| r.value.code.as_str() == indicator)
            .ok_or_else(|| AppError::NotFound(format!("no indicator '{indicator}'")))?;
        let ind = &rec.value;
        c.require(
            Write::Measurement {
                services: &ind.services,
                outcomes: &ind.outcomes,
            },
            &fw,
        )?;
        let indicators = [ind.clone()];
        let localities: Vec<Locality> = perf.localities.iter().map(|r| r.value.clone()).collect();
        let ctx = Context::new(&fw, &indicators, &localities);
        let status = if i.submit { "submitted" } else { "draft" };
        let cells = vec![
            ind.code.to_string(),
            i.period.clone(),
            i.locality.clone().unwrap_or_default(),
            i.value.clone().unwrap_or_default(),
            i.missing_reason.clone(),
            status.to_string(),
            i.note.clone(),
        ];
        let table = goldthread_io::Table {
            name: "measurement".into(),
            headers: pio::MEASUREMENTS.iter().map(|h| h.to_string()).collect(),
            rows: vec![(2, cells)],
        };
        let m = pio::validate_measurements(table, &ctx)
            .map_err(|errors| {
                AppError::Validation(
                    errors
                        .into_iter()
                        .map(|e| crate::FieldError {
                            field: e.column.unwrap_or_else(|| "input".into()),
                            message: e.message,
                        })
                        .collect(),
                )
            })?
            .remove(0);
        let existing = perf.measurements.iter().find(|r| {
            r.value.indicator == m.indicator
                && r.value.period == m.period
                && r.value.locality == m.locality
        });
        if let Some(b) = existing {
            match i.version {
                Some(v) => crate::error::check_version("value", v, b.version)?,
                None => {
                    return Err(AppError::field(
                        "version",
                        "is required when changing an existing value: send the version you read",
                    ));
                }
            }
        }
        ps::put_measurement(
            tx.conn(),
            &c.tenant_id(),
            &rec.id,
            existing.map(|b| (b.id.as_str(), b.version)),
            &m,
        )
        .await?;
        let key = measurement_key(&m);
        let action = if existing.is_some() {
            "update"
        } else {
            "create"
        };
        record(
            &mut tx,
            c,
            action,
            "measurement",
            existing.map(|b| b.id.as_str()),
            &key,
            existing.map(|b| json!(b)),
            Some(json!(m)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Marks a submitted value as assured (performance officers and admins).
    pub async fn assure(
        &self,
        c: &Caller,
        indicator: &str,
        period: &str,
        locality: Option<&str>,
    ) -> Result<Measurement> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let fw = fs::load(tx.conn(), &c.tenant_id()).await?.framework();
        c.require(Write::Assure, &fw)?;
        let perf = ps::load(tx.conn(), &c.tenant_id()).await?;
        let rec = perf
            .indicators
            .iter()
            .find(|r| r.value.code.as_str() == indicator)
            .ok_or_else(|| AppError::NotFound(format!("no indicator '{indicator}'")))?;
        let p = parse_period_as(period, rec.value.frequency)?;
        let loc = locality.filter(|l| !l.is_empty());
        let b = perf
            .measurements
            .iter()
            .find(|r| {
                r.value.indicator == rec.value.code
                    && r.value.period == p
                    && r.value.locality.as_ref().map(|l| l.as_str()) == loc
            })
            .ok_or_else(|| AppError::NotFound(format!("no value of {indicator} for {period}")))?;
        if b.value.status != DataStatus::Submitted {
            return Err(AppError::BadRequest(format!(
                "only a submitted value can be assured; this one is {}",
                b.value.status
            )));
        }
        let mut m = b.value.clone();
        m.status = DataStatus::Assured;
        ps::put_measurement(
            tx.conn(),
            &c.tenant_id(),
            &rec.id,
            Some((&b.id, b.version)),
            &m,
        )
        .await?;
        record(
            &mut tx,
            c,
            "assure",
            "measurement",
            Some(&b.id),
            &measurement_key(&m),
            Some(json!(b)),
            Some(json!(m)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }
}

fn measurement_key(m: &Measurement) -> String {
    format!(
        "{} {}{}",
        m.indicator,
        m.period,
        m.locality
            .as_ref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_images_are_the_text_a_json_value_of_them_would_be() {
        #[derive(Serialize)]
        struct R {
            zeta: &'static str,
            alpha: Option<i64>,
            note: &'static str,
        }
        let records = [
            R {
                zeta: "z",
                alpha: Some(1),
                note: "quote \" and \u{e9}",
            },
            R {
                zeta: "y",
                alpha: None,
                note: "=HYPERLINK(\"x\")",
            },
        ];
        for n in 0..=records.len() {
            let mut b = BeforeImages::default();
            records[..n].iter().for_each(|r| b.push(r));
            let want =
                json!({ "replaced": records[..n].iter().map(|r| json!(r)).collect::<Vec<_>>() });
            match b.into_json() {
                goldthread_store::audit::AuditJson::Text(t) => {
                    assert_eq!(t, want.to_string(), "{n} records");
                    assert_eq!(serde_json::from_str::<Value>(&t).unwrap(), want);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
