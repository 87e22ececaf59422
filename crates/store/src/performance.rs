//! Performance data: localities, indicators, targets, measurements and benchmark
//! sets. Every query is tenant-scoped; values are stored as exact decimal text.
use crate::framework::{Rec, stale_or_missing};
use crate::{Result, StoreError, TenantId, new_id, now_text, unique_as};
use goldthread_domain::indicator::{
    BenchmarkGroup, BenchmarkValue, Indicator, Locality, Measurement, Target,
};
use goldthread_domain::performance::Tolerance;
use goldthread_domain::period::{Frequency, Period};
use goldthread_domain::{Code, Email};
use rust_decimal::Decimal;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::str::FromStr;

/// One tenant's performance data, with ids and versions.
#[derive(Debug, Clone, Default)]
pub struct PerfSnapshot {
    pub localities: Vec<Rec<Locality>>,
    pub indicators: Vec<Rec<Indicator>>,
    pub targets: Vec<Rec<Target>>,
    pub measurements: Vec<Rec<Measurement>>,
    pub benchmark_groups: Vec<BenchmarkGroup>,
    pub benchmark_values: Vec<BenchmarkValue>,
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(format!("{what}: {e}").into()))
}

fn parse<T: FromStr>(what: &str, s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| corrupt(what, e))
}

fn dec(s: Option<String>) -> Result<Option<Decimal>> {
    s.map(|s| Decimal::from_str(&s).map_err(|e| corrupt("decimal", e)))
        .transpose()
}

pub(crate) fn code(s: &str) -> Result<Code> {
    Code::parse(s).map_err(|e| corrupt("code", e))
}

/// A stored optional code: empty text is none.
pub(crate) fn optional_code(s: &str) -> Result<Option<Code>> {
    if s.is_empty() {
        Ok(None)
    } else {
        code(s).map(Some)
    }
}

/// A row's `period` column, read at its indicator's frequency `f`.
fn period_of(r: &sqlx::any::AnyRow, f: Frequency) -> Result<Period> {
    Period::parse(&r.try_get::<String, _>("period")?, f).map_err(|e| corrupt("period", e))
}

fn text(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.normalize().to_string())
}

/// The codes (in `target_table`) linked to each owner through `table`, in order,
/// by owner id: `owner_col` names the owner's column in `table`.
pub(crate) async fn codes_by_owner(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    owner_col: &str,
    target_table: &str,
    target_col: &str,
) -> Result<HashMap<String, Vec<Code>>> {
    let sql = format!(
        "SELECT l.{owner_col} AS owner, t.code FROM {table} l JOIN {target_table} t ON t.id = l.{target_col}
         WHERE l.tenant_id = $1 ORDER BY l.{owner_col}, l.position"
    );
    let mut map: HashMap<String, Vec<Code>> = HashMap::new();
    for r in sqlx::query(&sql).bind(&tenant.0).fetch_all(conn).await? {
        map.entry(r.try_get("owner")?)
            .or_default()
            .push(code(&r.try_get::<String, _>("code")?)?);
    }
    Ok(map)
}

/// Each indicator's code and frequency by its id (to read stored periods).
fn frequencies(indicators: &[Rec<Indicator>]) -> HashMap<&str, (&Code, Frequency)> {
    indicators
        .iter()
        .map(|r| (r.id.as_str(), (&r.value.code, r.value.frequency)))
        .collect()
}

/// The code and frequency of the indicator with `id`.
fn lookup(freq: &HashMap<&str, (&Code, Frequency)>, id: &str) -> Result<(Code, Frequency)> {
    freq.get(id)
        .map(|(c, f)| ((*c).clone(), *f))
        .ok_or_else(|| corrupt("indicator", id))
}

/// Loads a tenant's performance data.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<PerfSnapshot> {
    let t = &tenant.0;
    let mut s = load_definitions(conn, tenant).await?;
    s.measurements = load_measurements(conn, tenant, &s.indicators).await?;
    s.targets = load_targets(conn, tenant, &s.indicators).await?;
    let freq = frequencies(&s.indicators);
    let lookup = |id: &str| lookup(&freq, id);
    let mut groups = Vec::new();
    for r in sqlx::query("SELECT typology, grp, area FROM benchmark_groups WHERE tenant_id = $1 ORDER BY typology, grp, area").bind(t).fetch_all(&mut *conn).await? {
        groups.push(BenchmarkGroup { typology: r.try_get("typology")?, group: r.try_get("grp")?, area: r.try_get("area")? });
    }
    s.benchmark_groups = groups;
    let mut values = Vec::new();
    for r in sqlx::query("SELECT indicator_id, period, area, value FROM benchmark_values WHERE tenant_id = $1 ORDER BY indicator_id, period, area").bind(t).fetch_all(&mut *conn).await? {
        let (ind, f) = lookup(&r.try_get::<String, _>("indicator_id")?)?;
        values.push(BenchmarkValue {
            indicator: ind,
            period: period_of(&r, f)?,
            area: r.try_get("area")?,
            value: dec(Some(r.try_get("value")?))?.unwrap_or_default(),
        });
    }
    s.benchmark_values = values;
    Ok(s)
}

/// A tenant's localities and indicators only (what imports check references against).
pub async fn load_definitions(conn: &mut AnyConnection, tenant: &TenantId) -> Result<PerfSnapshot> {
    let t = &tenant.0;
    let mut s = PerfSnapshot::default();
    for r in sqlx::query(
        "SELECT id, version, code, name FROM localities WHERE tenant_id = $1 ORDER BY code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        s.localities.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Locality {
                code: code(&r.try_get::<String, _>("code")?)?,
                name: r.try_get("name")?,
            },
        });
    }
    let mut services = codes_by_owner(
        conn,
        tenant,
        "indicator_services",
        "indicator_id",
        "services",
        "service_id",
    )
    .await?;
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "indicator_outcomes",
        "indicator_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT i.id, i.version, i.code, i.title, i.tier, i.unit, i.polarity, i.frequency, i.source, u.email, i.tolerance,
                i.band_low, i.band_high, i.by_locality, i.deadline_days, i.definition, i.benchmark_typology
         FROM indicators i LEFT JOIN people p ON p.id = i.owner_id LEFT JOIN users u ON u.id = p.user_id
         WHERE i.tenant_id = $1 ORDER BY i.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let email: Option<String> = r.try_get("email")?;
        let ind = Indicator {
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
            tier: parse("tier", &r.try_get::<String, _>("tier")?)?,
            unit: parse("unit", &r.try_get::<String, _>("unit")?)?,
            polarity: parse("polarity", &r.try_get::<String, _>("polarity")?)?,
            frequency: parse("frequency", &r.try_get::<String, _>("frequency")?)?,
            source: parse("source", &r.try_get::<String, _>("source")?)?,
            owner: email.map(|e| Email::parse(&e).map_err(|x| corrupt("email", x))).transpose()?,
            tolerance: Tolerance::parse(&r.try_get::<String, _>("tolerance")?).map_err(|e| corrupt("tolerance", e))?,
            band_low: dec(r.try_get("band_low")?)?,
            band_high: dec(r.try_get("band_high")?)?,
            services: services.remove(&id).unwrap_or_default(),
            outcomes: outcomes.remove(&id).unwrap_or_default(),
            by_locality: r.try_get::<i64, _>("by_locality")? != 0,
            deadline_days: r.try_get("deadline_days")?,
            definition: r.try_get("definition")?,
            benchmark_typology: r.try_get("benchmark_typology")?,
        };
        s.indicators.push(Rec { id, version: r.try_get("version")?, value: ind });
    }
    Ok(s)
}

/// Every target the tenant holds, given its indicators.
pub async fn load_targets(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    indicators: &[Rec<Indicator>],
) -> Result<Vec<Rec<Target>>> {
    let t = &tenant.0;
    let freq = frequencies(indicators);
    let lookup = |id: &str| lookup(&freq, id);
    let mut targets = Vec::new();
    for r in sqlx::query("SELECT id, version, indicator_id, period, target, band_low, band_high FROM targets WHERE tenant_id = $1").bind(t).fetch_all(&mut *conn).await? {
        let (ind, f) = lookup(&r.try_get::<String, _>("indicator_id")?)?;
        targets.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Target {
                indicator: ind,
                period: period_of(&r, f)?,
                target: dec(r.try_get("target")?)?,
                band_low: dec(r.try_get("band_low")?)?,
                band_high: dec(r.try_get("band_high")?)?,
            },
        });
    }
    Ok(targets)
}

/// Every measurement the tenant holds, given its indicators.
pub async fn load_measurements(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    indicators: &[Rec<Indicator>],
) -> Result<Vec<Rec<Measurement>>> {
    let t = &tenant.0;
    let freq = frequencies(indicators);
    let lookup = |id: &str| lookup(&freq, id);
    let mut out = Vec::new();
    // Row by row: a re-import of a million rows reads them all, and holding
    // every driver row at once as well as every record doubled its memory.
    let mut rows = sqlx::query(
        "SELECT id, version, indicator_id, period, locality, value, missing_reason, status, note FROM measurements
         WHERE tenant_id = $1 ORDER BY indicator_id, period_start, locality",
    )
    .bind(t)
    .fetch(&mut *conn);
    while let Some(r) = futures_util::TryStreamExt::try_next(&mut rows).await? {
        let (ind, f) = lookup(&r.try_get::<String, _>("indicator_id")?)?;
        out.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Measurement {
                indicator: ind,
                period: period_of(&r, f)?,
                locality: optional_code(&r.try_get::<String, _>("locality")?)?,
                value: dec(r.try_get("value")?)?,
                missing_reason: r.try_get("missing_reason")?,
                status: parse("status", &r.try_get::<String, _>("status")?)?,
                note: r.try_get("note")?,
            },
        });
    }
    Ok(out)
}

/// Replaces an indicator's links to the services and outcomes it measures.
async fn set_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    services: &[Code],
    outcomes: &[Code],
) -> Result<()> {
    for (table, col, target_table, codes) in [
        ("indicator_services", "service_id", "services", services),
        ("indicator_outcomes", "outcome_id", "outcomes", outcomes),
    ] {
        crate::framework::replace_links(
            conn,
            tenant,
            table,
            "indicator_id",
            id,
            col,
            target_table,
            codes,
        )
        .await?;
    }
    Ok(())
}

pub async fn insert_indicator(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    i: &Indicator,
) -> Result<Rec<Indicator>> {
    let id = new_id();
    let owner = crate::framework::person_id_opt(conn, tenant, &i.owner).await?;
    let now = now_text();
    sqlx::query(
        "INSERT INTO indicators (id, tenant_id, code, title, tier, unit, polarity, frequency, source, owner_id, tolerance, band_low,
            band_high, by_locality, deadline_days, definition, benchmark_typology, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
    )
    .bind(&id)
    .bind(&tenant.0)
    .bind(i.code.as_str())
    .bind(&i.title)
    .bind(i.tier.as_str())
    .bind(i.unit.as_str())
    .bind(i.polarity.as_str())
    .bind(i.frequency.as_str())
    .bind(i.source.as_str())
    .bind(owner)
    .bind(i.tolerance.to_string())
    .bind(text(i.band_low))
    .bind(text(i.band_high))
    .bind(i64::from(i.by_locality))
    .bind(i.deadline_days)
    .bind(&i.definition)
    .bind(i.benchmark_typology.clone())
    .bind(&now)
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_as(e, || format!("an indicator with code '{}' already exists", i.code)))?;
    set_links(conn, tenant, &id, &i.services, &i.outcomes).await?;
    Ok(Rec {
        id,
        version: 1,
        value: i.clone(),
    })
}

pub async fn update_indicator(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    i: &Indicator,
) -> Result<Rec<Indicator>> {
    let owner = crate::framework::person_id_opt(conn, tenant, &i.owner).await?;
    let n = sqlx::query(
        "UPDATE indicators SET code = $1, title = $2, tier = $3, unit = $4, polarity = $5, frequency = $6, source = $7,
            owner_id = $8, tolerance = $9, band_low = $10, band_high = $11, by_locality = $12, deadline_days = $13,
            definition = $14, benchmark_typology = $15, version = version + 1, updated_at = $16
         WHERE tenant_id = $17 AND id = $18 AND version = $19",
    )
    .bind(i.code.as_str())
    .bind(&i.title)
    .bind(i.tier.as_str())
    .bind(i.unit.as_str())
    .bind(i.polarity.as_str())
    .bind(i.frequency.as_str())
    .bind(i.source.as_str())
    .bind(owner)
    .bind(i.tolerance.to_string())
    .bind(text(i.band_low))
    .bind(text(i.band_high))
    .bind(i64::from(i.by_locality))
    .bind(i.deadline_days)
    .bind(&i.definition)
    .bind(i.benchmark_typology.clone())
    .bind(now_text())
    .bind(&tenant.0)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "indicators", id, version).await);
    }
    set_links(conn, tenant, id, &i.services, &i.outcomes).await?;
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: i.clone(),
    })
}

pub async fn insert_locality(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    l: &Locality,
) -> Result<Rec<Locality>> {
    let id = new_id();
    sqlx::query("INSERT INTO localities (id, tenant_id, code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(l.code.as_str())
        .bind(&l.name)
        .bind(now_text())
        .execute(conn)
        .await
        .map_err(|e| unique_as(e, || format!("a locality with code '{}' already exists", l.code)))?;
    Ok(Rec {
        id,
        version: 1,
        value: l.clone(),
    })
}

pub async fn update_locality(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    l: &Locality,
) -> Result<Rec<Locality>> {
    let n = sqlx::query("UPDATE localities SET name = $1, version = version + 1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND version = $5")
        .bind(&l.name)
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "localities", id, version).await);
    }
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: l.clone(),
    })
}

/// Creates or replaces one target (by indicator × period).
pub async fn put_target(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    indicator_id: &str,
    existing: Option<(&str, i64)>,
    t: &Target,
) -> Result<()> {
    let q = match existing {
        Some((id, version)) => sqlx::query(
            "UPDATE targets SET target = $1, band_low = $2, band_high = $3, version = version + 1, updated_at = $4
             WHERE tenant_id = $5 AND id = $6 AND version = $7",
        )
        .bind(text(t.target))
        .bind(text(t.band_low))
        .bind(text(t.band_high))
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id.to_string())
        .bind(version),
        None => sqlx::query(
            "INSERT INTO targets (target, band_low, band_high, updated_at, tenant_id, id, indicator_id, period)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(text(t.target))
        .bind(text(t.band_low))
        .bind(text(t.band_high))
        .bind(now_text())
        .bind(&tenant.0)
        .bind(new_id())
        .bind(indicator_id.to_string())
        .bind(t.period.to_string()),
    };
    if q.execute(conn).await?.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            expected: existing.map(|e| e.1).unwrap_or(0),
        });
    }
    Ok(())
}

/// Creates or replaces one measurement (by indicator × period × locality).
pub async fn put_measurement(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    indicator_id: &str,
    existing: Option<(&str, i64)>,
    m: &Measurement,
) -> Result<()> {
    let q = match existing {
        Some((id, version)) => sqlx::query(
            "UPDATE measurements SET value = $1, missing_reason = $2, status = $3, note = $4, version = version + 1, updated_at = $5
             WHERE tenant_id = $6 AND id = $7 AND version = $8",
        )
        .bind(text(m.value))
        .bind(m.missing_reason.clone())
        .bind(m.status.as_str())
        .bind(m.note.clone())
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id.to_string())
        .bind(version),
        None => sqlx::query(
            "INSERT INTO measurements (value, missing_reason, status, note, updated_at, tenant_id, id, indicator_id, period, period_start, locality)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(text(m.value))
        .bind(m.missing_reason.clone())
        .bind(m.status.as_str())
        .bind(m.note.clone())
        .bind(now_text())
        .bind(&tenant.0)
        .bind(new_id())
        .bind(indicator_id.to_string())
        .bind(m.period.to_string())
        .bind(crate::framework::date_text(m.period.start()))
        .bind(m.locality.as_ref().map(|l| l.to_string()).unwrap_or_default()),
    };
    if q.execute(conn).await?.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            expected: existing.map(|e| e.1).unwrap_or(0),
        });
    }
    Ok(())
}

/// Creates or replaces a benchmark group membership (by typology × area).
pub async fn put_benchmark_group(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    g: &BenchmarkGroup,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM benchmark_groups WHERE tenant_id = $1 AND typology = $2 AND area = $3",
    )
    .bind(&tenant.0)
    .bind(&g.typology)
    .bind(&g.area)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO benchmark_groups (tenant_id, typology, grp, area) VALUES ($1, $2, $3, $4)",
    )
    .bind(&tenant.0)
    .bind(&g.typology)
    .bind(&g.group)
    .bind(&g.area)
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates or replaces a benchmark value (by indicator × period × area).
pub async fn put_benchmark_value(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    indicator_id: &str,
    v: &BenchmarkValue,
) -> Result<()> {
    sqlx::query("DELETE FROM benchmark_values WHERE tenant_id = $1 AND indicator_id = $2 AND period = $3 AND area = $4")
        .bind(&tenant.0)
        .bind(indicator_id)
        .bind(v.period.to_string())
        .bind(&v.area)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO benchmark_values (tenant_id, indicator_id, period, area, value) VALUES ($1, $2, $3, $4, $5)")
        .bind(&tenant.0)
        .bind(indicator_id)
        .bind(v.period.to_string())
        .bind(&v.area)
        .bind(v.value.normalize().to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A published period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Publication {
    pub id: String,
    pub period: String,
    pub published_at: String,
    pub published_by: String,
}

/// A frozen status: indicator code, period text, locality code ('' = whole area),
/// status and its explanation as published (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    pub indicator: Code,
    pub period: Period,
    pub locality: Option<Code>,
    pub explanation: serde_json::Value,
}

pub async fn publications(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Publication>> {
    let rows = sqlx::query("SELECT id, period, published_at, published_by FROM publications WHERE tenant_id = $1 ORDER BY published_at")
        .bind(&tenant.0)
        .fetch_all(conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Publication {
                id: r.try_get("id")?,
                period: r.try_get("period")?,
                published_at: r.try_get("published_at")?,
                published_by: r.try_get("published_by")?,
            })
        })
        .collect()
}

/// Every frozen status of a tenant.
pub async fn frozen(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Frozen>> {
    let rows = sqlx::query(
        "SELECT i.code, i.frequency, p.period, p.locality, p.explanation FROM published_statuses p
         JOIN indicators i ON i.id = p.indicator_id WHERE p.tenant_id = $1",
    )
    .bind(&tenant.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let f: Frequency = parse("frequency", &r.try_get::<String, _>("frequency")?)?;
            Ok(Frozen {
                indicator: code(&r.try_get::<String, _>("code")?)?,
                period: period_of(&r, f)?,
                locality: optional_code(&r.try_get::<String, _>("locality")?)?,
                explanation: serde_json::from_str(&r.try_get::<String, _>("explanation")?)
                    .map_err(|e| corrupt("explanation", e))?,
            })
        })
        .collect()
}

/// Records a publication with its frozen statuses (those not frozen already) and
/// outcome roll-ups. Refuses a period published before.
pub async fn publish(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    period: &Period,
    by: &str,
    statuses: &[(String, Period, Option<Code>, String, serde_json::Value)],
    outcomes: &[(Code, String, serde_json::Value)],
) -> Result<Publication> {
    let p = Publication {
        id: new_id(),
        period: period.to_string(),
        published_at: now_text(),
        published_by: by.to_string(),
    };
    sqlx::query("INSERT INTO publications (id, tenant_id, period, published_at, published_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(&p.id)
        .bind(&tenant.0)
        .bind(&p.period)
        .bind(&p.published_at)
        .bind(&p.published_by)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("{period} has already been published")))?;
    for (indicator_id, ip, locality, status, explanation) in statuses {
        let loc = locality.as_ref().map(|l| l.to_string()).unwrap_or_default();
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM published_statuses WHERE tenant_id = $1 AND indicator_id = $2 AND period = $3 AND locality = $4",
        )
        .bind(&tenant.0)
        .bind(indicator_id)
        .bind(ip.to_string())
        .bind(&loc)
        .fetch_one(&mut *conn)
        .await?;
        if exists > 0 {
            continue;
        }
        sqlx::query(
            "INSERT INTO published_statuses (publication_id, tenant_id, indicator_id, period, locality, status, explanation)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id)
        .bind(&tenant.0)
        .bind(indicator_id)
        .bind(ip.to_string())
        .bind(loc)
        .bind(status)
        .bind(explanation.to_string())
        .execute(&mut *conn)
        .await?;
    }
    for (outcome, status, explanation) in outcomes {
        sqlx::query("INSERT INTO published_outcomes (publication_id, tenant_id, outcome, status, explanation) VALUES ($1, $2, $3, $4, $5)")
            .bind(&p.id)
            .bind(&tenant.0)
            .bind(outcome.as_str())
            .bind(status)
            .bind(explanation.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(p)
}

/// A tenant's settings: (red periods to escalate, stable percentage as text).
pub async fn settings(
    conn: &mut AnyConnection,
    tenant: &TenantId,
) -> Result<Option<(i64, String)>> {
    let row =
        sqlx::query("SELECT red_periods, stable_pct FROM tenant_settings WHERE tenant_id = $1")
            .bind(&tenant.0)
            .fetch_optional(conn)
            .await?;
    row.map(|r| Ok((r.try_get("red_periods")?, r.try_get("stable_pct")?)))
        .transpose()
}

pub async fn put_settings(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    red_periods: i64,
    stable_pct: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM tenant_settings WHERE tenant_id = $1")
        .bind(&tenant.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO tenant_settings (tenant_id, red_periods, stable_pct, updated_at) VALUES ($1, $2, $3, $4)")
        .bind(&tenant.0)
        .bind(red_periods)
        .bind(stable_pct)
        .bind(now_text())
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts new measurements in batches of 32 rows per statement. Larger batches are
/// slower on SQLite: the driver resolves each `$n` parameter by name, linearly, so
/// binding one statement costs the square of its parameter count (measured: 400
/// rows a statement made an import three times slower than 32).
pub async fn insert_measurements(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    rows: &[(&str, &Measurement)],
) -> Result<()> {
    const COLUMNS: usize = 11;
    // SQLite's anonymous `?` parameters bind in constant time each; its numbered
    // ones are looked up by name, which made large statements quadratic.
    let numbered = conn.backend_name() != "SQLite";
    const ROWS: usize = 256;
    let now = now_text();
    for chunk in rows.chunks(ROWS) {
        let mut sql = String::with_capacity(160 + chunk.len() * COLUMNS * 6);
        sql.push_str(
            "INSERT INTO measurements (value, missing_reason, status, note, updated_at, tenant_id, id, indicator_id, period, period_start, locality) VALUES ",
        );
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for c in 0..COLUMNS {
                if c > 0 {
                    sql.push_str(", ");
                }
                if numbered {
                    sql.push_str(&format!("${}", i * COLUMNS + c + 1));
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for (indicator_id, m) in chunk {
            q = q
                .bind(text(m.value))
                .bind(m.missing_reason.clone())
                .bind(m.status.as_str())
                .bind(m.note.clone())
                .bind(now.clone())
                .bind(tenant.0.clone())
                .bind(new_id())
                .bind(indicator_id.to_string())
                .bind(m.period.to_string())
                .bind(crate::framework::date_text(m.period.start()))
                .bind(
                    m.locality
                        .as_ref()
                        .map(|l| l.to_string())
                        .unwrap_or_default(),
                );
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many stored records refer to an indicator: measurements, targets,
/// benchmark values and published statuses.
pub async fn indicator_data(conn: &mut AnyConnection, tenant: &TenantId, id: &str) -> Result<i64> {
    let mut n = 0;
    for table in [
        "measurements",
        "targets",
        "benchmark_values",
        "published_statuses",
    ] {
        let c: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND indicator_id = $2"
        ))
        .bind(&tenant.0)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        n += c;
    }
    Ok(n)
}

/// Deletes an indicator that nothing refers to (see [`indicator_data`]), with
/// its links.
pub async fn delete_indicator(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    crate::framework::refuse_if_used(
        conn,
        "this indicator",
        &[(
            "benefit(s) as their measure",
            "SELECT COUNT(*) FROM benefits WHERE measure_id = $1",
        )],
        id,
    )
    .await?;
    set_links(conn, tenant, id, &[], &[]).await?;
    crate::framework::delete_versioned(conn, tenant, "indicators", id, version).await
}

/// Deletes one target.
pub async fn delete_target(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    crate::framework::delete_versioned(conn, tenant, "targets", id, version).await
}
