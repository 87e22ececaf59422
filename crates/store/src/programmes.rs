//! The transformation programme, per tenant: programmes, their workstreams and
//! the initiatives in them (stage, RAG, dates, budget and people as columns,
//! the rest as a JSON document, outcomes and services as links).
use crate::framework::{
    Rec, date_text, delete_unless_used, delete_versioned, id_of, replace_links, stale_or_missing,
};
use crate::performance::{code, codes_by_owner, corrupt};
use crate::{Result, StoreError, TenantId, new_id, now_text, unique_as};
use goldthread_domain::programme::{Initiative, Programme, Workstream};
use goldthread_domain::{Code, Email};
use sqlx::{AnyConnection, Row};
use time::Date;

/// Everything in a tenant's transformation programme.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeSnapshot {
    /// By code.
    pub programmes: Vec<Rec<Programme>>,
    /// By programme, then code.
    pub workstreams: Vec<Rec<Workstream>>,
    /// By code.
    pub initiatives: Vec<Rec<Initiative>>,
}

/// The parts of an initiative kept in its JSON document.
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    scope: String,
    commentary: String,
    business_case: String,
    risks: Vec<Code>,
    benefits: Vec<Code>,
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

fn email(v: Option<String>, what: &str) -> Result<Option<Email>> {
    v.map(|o| Email::parse(&o).map_err(|e| corrupt(what, e.0)))
        .transpose()
}

/// A tenant's programmes, workstreams and initiatives.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<ProgrammeSnapshot> {
    let mut snap = ProgrammeSnapshot::default();
    for r in sqlx::query(
        "SELECT id, version, code, title, sponsor, lead, start_date, end_date, description
         FROM programmes WHERE tenant_id = $1 ORDER BY code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let end: Option<String> = r.try_get("end_date")?;
        snap.programmes.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Programme {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                sponsor: email(r.try_get("sponsor")?, "programme sponsor")?,
                lead: email(r.try_get("lead")?, "programme lead")?,
                start: date(&r.try_get::<String, _>("start_date")?)?,
                end: end.map(|d| date(&d)).transpose()?,
                description: r.try_get("description")?,
            },
        });
    }
    for r in sqlx::query(
        "SELECT w.id, w.version, p.code AS programme, w.code, w.title, w.lead
         FROM workstreams w JOIN programmes p ON p.id = w.programme_id
         WHERE w.tenant_id = $1 ORDER BY p.code, w.code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.workstreams.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Workstream {
                programme: code(&r.try_get::<String, _>("programme")?)?,
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                lead: email(r.try_get("lead")?, "workstream lead")?,
            },
        });
    }
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "initiative_outcomes",
        "initiative_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    let mut services = codes_by_owner(
        conn,
        tenant,
        "initiative_services",
        "initiative_id",
        "services",
        "service_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT i.id, i.version, i.code, p.code AS programme, w.code AS workstream, i.title,
                i.stage, i.rag, i.start_date, i.end_date, i.budget_pence, i.sponsor, i.lead, i.body
         FROM initiatives i JOIN workstreams w ON w.id = i.workstream_id
              JOIN programmes p ON p.id = w.programme_id
         WHERE i.tenant_id = $1 ORDER BY i.code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let b: Body = serde_json::from_str(&r.try_get::<String, _>("body")?)
            .map_err(|e| corrupt("initiative", e))?;
        let start: Option<String> = r.try_get("start_date")?;
        let end: Option<String> = r.try_get("end_date")?;
        let value = Initiative {
            code: code(&r.try_get::<String, _>("code")?)?,
            programme: code(&r.try_get::<String, _>("programme")?)?,
            workstream: code(&r.try_get::<String, _>("workstream")?)?,
            title: r.try_get("title")?,
            scope: b.scope,
            stage: r
                .try_get::<String, _>("stage")?
                .parse()
                .map_err(|e| corrupt("initiative stage", e))?,
            start: start.map(|d| date(&d)).transpose()?,
            end: end.map(|d| date(&d)).transpose()?,
            rag: r
                .try_get::<String, _>("rag")?
                .parse()
                .map_err(|e| corrupt("initiative RAG", e))?,
            commentary: b.commentary,
            business_case: b.business_case,
            budget_pence: r.try_get("budget_pence")?,
            sponsor: email(r.try_get("sponsor")?, "initiative sponsor")?,
            lead: email(r.try_get("lead")?, "initiative lead")?,
            outcomes: outcomes.remove(&id).unwrap_or_default(),
            services: services.remove(&id).unwrap_or_default(),
            risks: b.risks,
            benefits: b.benefits,
        };
        snap.initiatives.push(Rec {
            id,
            version: r.try_get("version")?,
            value,
        });
    }
    // Byte order of codes on both databases (collations differ).
    snap.programmes
        .sort_by(|a, b| a.value.code.cmp(&b.value.code));
    snap.workstreams.sort_by(|a, b| {
        (&a.value.programme, &a.value.code).cmp(&(&b.value.programme, &b.value.code))
    });
    snap.initiatives
        .sort_by(|a, b| a.value.code.cmp(&b.value.code));
    Ok(snap)
}

/// Creates a programme, or replaces the one at `existing` (id, version read).
pub async fn put_programme(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    p: &Programme,
) -> Result<Rec<Programme>> {
    let now = now_text();
    let sponsor = p.sponsor.as_ref().map(|e| e.as_str().to_string());
    let lead = p.lead.as_ref().map(|e| e.as_str().to_string());
    let end = p.end.map(date_text);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE programmes SET title = $1, sponsor = $2, lead = $3, start_date = $4,
                    end_date = $5, description = $6, version = version + 1, updated_at = $7
                 WHERE tenant_id = $8 AND id = $9 AND version = $10",
            )
            .bind(&p.title)
            .bind(&sponsor)
            .bind(&lead)
            .bind(date_text(p.start))
            .bind(&end)
            .bind(&p.description)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "programmes", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO programmes (id, tenant_id, code, title, sponsor, lead, start_date,
                    end_date, description, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(p.code.as_str())
            .bind(&p.title)
            .bind(&sponsor)
            .bind(&lead)
            .bind(date_text(p.start))
            .bind(&end)
            .bind(&p.description)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a programme '{}' already exists", p.code)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: p.clone(),
    })
}

/// Creates a workstream, or replaces the one at `existing` (its programme and
/// code stay).
pub async fn put_workstream(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    w: &Workstream,
) -> Result<Rec<Workstream>> {
    let now = now_text();
    let lead = w.lead.as_ref().map(|e| e.as_str().to_string());
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE workstreams SET title = $1, lead = $2, version = version + 1, updated_at = $3
                 WHERE tenant_id = $4 AND id = $5 AND version = $6",
            )
            .bind(&w.title)
            .bind(&lead)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "workstreams", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            let programme = id_of(conn, tenant, "programmes", &w.programme).await?;
            sqlx::query(
                "INSERT INTO workstreams (id, tenant_id, programme_id, code, title, lead,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(&programme)
            .bind(w.code.as_str())
            .bind(&w.title)
            .bind(&lead)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                unique_as(e, || {
                    format!(
                        "programme {} already has a workstream '{}'",
                        w.programme, w.code
                    )
                })
            })?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: w.clone(),
    })
}

async fn workstream_id(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    programme: &Code,
    workstream: &Code,
) -> Result<String> {
    // Callers validate the workstream first; a vanished one is not found.
    sqlx::query_scalar(
        "SELECT w.id FROM workstreams w JOIN programmes p ON p.id = w.programme_id
         WHERE w.tenant_id = $1 AND p.code = $2 AND w.code = $3",
    )
    .bind(&tenant.0)
    .bind(programme.as_str())
    .bind(workstream.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)
}

fn body(i: &Initiative) -> Result<String> {
    serde_json::to_string(&Body {
        scope: i.scope.clone(),
        commentary: i.commentary.clone(),
        business_case: i.business_case.clone(),
        risks: i.risks.clone(),
        benefits: i.benefits.clone(),
    })
    .map_err(|e| corrupt("initiative", e))
}

async fn set_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    services: &[Code],
    outcomes: &[Code],
) -> Result<()> {
    for (table, col, target, codes) in [
        ("initiative_services", "service_id", "services", services),
        ("initiative_outcomes", "outcome_id", "outcomes", outcomes),
    ] {
        replace_links(conn, tenant, table, "initiative_id", id, col, target, codes).await?;
    }
    Ok(())
}

/// Creates an initiative, or replaces the one at `existing` (id, version read).
pub async fn put_initiative(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    i: &Initiative,
) -> Result<Rec<Initiative>> {
    let now = now_text();
    let doc = body(i)?;
    let ws = workstream_id(conn, tenant, &i.programme, &i.workstream).await?;
    let sponsor = i.sponsor.as_ref().map(|e| e.as_str().to_string());
    let lead = i.lead.as_ref().map(|e| e.as_str().to_string());
    let start = i.start.map(date_text);
    let end = i.end.map(date_text);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE initiatives SET workstream_id = $1, title = $2, stage = $3, rag = $4,
                    start_date = $5, end_date = $6, budget_pence = $7, sponsor = $8, lead = $9,
                    body = $10, version = version + 1, updated_at = $11
                 WHERE tenant_id = $12 AND id = $13 AND version = $14",
            )
            .bind(&ws)
            .bind(&i.title)
            .bind(i.stage.as_str())
            .bind(i.rag.as_str())
            .bind(&start)
            .bind(&end)
            .bind(i.budget_pence)
            .bind(&sponsor)
            .bind(&lead)
            .bind(&doc)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "initiatives", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO initiatives (id, tenant_id, code, workstream_id, title, stage, rag,
                    start_date, end_date, budget_pence, sponsor, lead, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(i.code.as_str())
            .bind(&ws)
            .bind(&i.title)
            .bind(i.stage.as_str())
            .bind(i.rag.as_str())
            .bind(&start)
            .bind(&end)
            .bind(i.budget_pence)
            .bind(&sponsor)
            .bind(&lead)
            .bind(&doc)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("an initiative '{}' already exists", i.code)))?;
            (id, 1)
        }
    };
    set_links(conn, tenant, &id, &i.services, &i.outcomes).await?;
    Ok(Rec {
        id,
        version,
        value: i.clone(),
    })
}

/// Deletes an initiative at `version`, with its links.
pub async fn delete_initiative(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    set_links(conn, tenant, id, &[], &[]).await?;
    delete_versioned(conn, tenant, "initiatives", id, version).await
}

/// Deletes a programme at `version`; refused while it has workstreams.
pub async fn delete_programme(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_unless_used(
        conn,
        tenant,
        ("programmes", "this programme"),
        &[(
            "workstream(s)",
            "SELECT COUNT(*) FROM workstreams WHERE programme_id = $1",
        )],
        id,
        version,
    )
    .await
}

/// Deletes a workstream at `version`; refused while it has initiatives.
pub async fn delete_workstream(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_unless_used(
        conn,
        tenant,
        ("workstreams", "this workstream"),
        &[(
            "initiative(s)",
            "SELECT COUNT(*) FROM initiatives WHERE workstream_id = $1",
        )],
        id,
        version,
    )
    .await
}
