//! Consultations and their responses ("you said, we did"), per tenant.
use crate::framework::{Rec, date_text, delete_versioned, id_of, replace_links, stale_or_missing};
use crate::performance::{code, codes_by_owner, corrupt, optional_code};
use crate::{Result, TenantId, new_id, now_text};
use goldthread_domain::Code;
use goldthread_domain::engagement::{Committee, Consultation, Response};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::Date;

/// One tenant's engagement records, with ids and versions.
#[derive(Debug, Clone, Default)]
pub struct EngagementSnapshot {
    pub consultations: Vec<Rec<Consultation>>,
    pub responses: Vec<Rec<Response>>,
    pub committees: Vec<Rec<Committee>>,
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<EngagementSnapshot> {
    let t = &tenant.0;
    let mut services = codes_by_owner(
        conn,
        tenant,
        "consultation_services",
        "consultation_id",
        "services",
        "service_id",
    )
    .await?;
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "consultation_outcomes",
        "consultation_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    let mut s = EngagementSnapshot::default();
    let mut codes: HashMap<String, Code> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, version, code, title, purpose, audience, locality, opens, closes, responses
         FROM consultations WHERE tenant_id = $1 ORDER BY opens DESC, code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let c = Consultation {
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
            purpose: r.try_get("purpose")?,
            audience: r.try_get("audience")?,
            locality: optional_code(&r.try_get::<String, _>("locality")?)?,
            opens: date(&r.try_get::<String, _>("opens")?)?,
            closes: date(&r.try_get::<String, _>("closes")?)?,
            responses: r.try_get("responses")?,
            services: services.remove(&id).unwrap_or_default(),
            outcomes: outcomes.remove(&id).unwrap_or_default(),
        };
        codes.insert(id.clone(), c.code.clone());
        s.consultations.push(Rec {
            id,
            version: r.try_get("version")?,
            value: c,
        });
    }
    for r in sqlx::query(
        "SELECT id, version, consultation_id, you_said, we_did, response_date, status
         FROM consultation_responses WHERE tenant_id = $1 ORDER BY response_date DESC, you_said",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let owner: String = r.try_get("consultation_id")?;
        s.responses.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Response {
                consultation: codes
                    .get(&owner)
                    .cloned()
                    .ok_or_else(|| corrupt("consultation", &owner))?,
                you_said: r.try_get("you_said")?,
                we_did: r.try_get("we_did")?,
                date: date(&r.try_get::<String, _>("response_date")?)?,
                status: r
                    .try_get::<String, _>("status")?
                    .parse()
                    .map_err(|e| corrupt("status", e))?,
            },
        });
    }
    s.committees = load_committees(conn, tenant).await?;
    Ok(s)
}

async fn load_committees(
    conn: &mut AnyConnection,
    tenant: &TenantId,
) -> Result<Vec<Rec<Committee>>> {
    let mut portfolios = codes_by_owner(
        conn,
        tenant,
        "committee_portfolios",
        "committee_id",
        "portfolios",
        "portfolio_id",
    )
    .await?;
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "committee_outcomes",
        "committee_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT id, version, code, title FROM committees WHERE tenant_id = $1 ORDER BY code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        out.push(Rec {
            value: Committee {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                portfolios: portfolios.remove(&id).unwrap_or_default(),
                outcomes: outcomes.remove(&id).unwrap_or_default(),
            },
            version: r.try_get("version")?,
            id,
        });
    }
    Ok(out)
}

/// Creates a committee, or replaces the one at `existing` (id, version read).
pub async fn put_committee(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    c: &Committee,
) -> Result<Rec<Committee>> {
    let now = now_text();
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE committees SET title = $1, version = version + 1, updated_at = $2
                 WHERE tenant_id = $3 AND id = $4 AND version = $5",
            )
            .bind(&c.title)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "committees", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO committees (id, tenant_id, code, title, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(c.code.as_str())
            .bind(&c.title)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    for (table, col, target, codes) in [
        (
            "committee_portfolios",
            "portfolio_id",
            "portfolios",
            &c.portfolios,
        ),
        ("committee_outcomes", "outcome_id", "outcomes", &c.outcomes),
    ] {
        replace_links(conn, tenant, table, "committee_id", &id, col, target, codes).await?;
    }
    Ok(Rec {
        id,
        version,
        value: c.clone(),
    })
}

/// Creates a consultation, or replaces the one at `existing` (id, version read).
pub async fn put_consultation(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    c: &Consultation,
) -> Result<Rec<Consultation>> {
    let now = now_text();
    let locality = c
        .locality
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_default();
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE consultations SET title = $1, purpose = $2, audience = $3, locality = $4, opens = $5, closes = $6,
                    responses = $7, version = version + 1, updated_at = $8
                 WHERE tenant_id = $9 AND id = $10 AND version = $11",
            )
            .bind(&c.title)
            .bind(&c.purpose)
            .bind(&c.audience)
            .bind(&locality)
            .bind(date_text(c.opens))
            .bind(date_text(c.closes))
            .bind(c.responses)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "consultations", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO consultations (id, tenant_id, code, title, purpose, audience, locality, opens, closes, responses, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(c.code.as_str())
            .bind(&c.title)
            .bind(&c.purpose)
            .bind(&c.audience)
            .bind(&locality)
            .bind(date_text(c.opens))
            .bind(date_text(c.closes))
            .bind(c.responses)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    set_consultation_links(conn, tenant, &id, &c.services, &c.outcomes).await?;
    Ok(Rec {
        id,
        version,
        value: c.clone(),
    })
}

/// Replaces the services and outcomes a consultation concerns.
async fn set_consultation_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    services: &[Code],
    outcomes: &[Code],
) -> Result<()> {
    for (table, col, target, codes) in [
        ("consultation_services", "service_id", "services", services),
        ("consultation_outcomes", "outcome_id", "outcomes", outcomes),
    ] {
        replace_links(
            conn,
            tenant,
            table,
            "consultation_id",
            id,
            col,
            target,
            codes,
        )
        .await?;
    }
    Ok(())
}

/// Creates a response (to the consultation it names), or replaces the one at
/// `existing`.
pub async fn put_response(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    r: &Response,
) -> Result<Rec<Response>> {
    let now = now_text();
    match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE consultation_responses SET you_said = $1, we_did = $2, response_date = $3, status = $4, version = version + 1, updated_at = $5
                 WHERE tenant_id = $6 AND id = $7 AND version = $8",
            )
            .bind(&r.you_said)
            .bind(&r.we_did)
            .bind(date_text(r.date))
            .bind(r.status.as_str())
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(
                    stale_or_missing(conn, tenant, "consultation_responses", id, version).await,
                );
            }
            Ok(Rec {
                id: id.to_string(),
                version: version + 1,
                value: r.clone(),
            })
        }
        None => {
            let id = new_id();
            let consultation_id = id_of(conn, tenant, "consultations", &r.consultation).await?;
            sqlx::query(
                "INSERT INTO consultation_responses (id, tenant_id, consultation_id, you_said, we_did, response_date, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(&consultation_id)
            .bind(&r.you_said)
            .bind(&r.we_did)
            .bind(date_text(r.date))
            .bind(r.status.as_str())
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            Ok(Rec {
                id,
                version: 1,
                value: r.clone(),
            })
        }
    }
}

/// Deletes a consultation (with its links to services and outcomes) at `version`.
/// Its responses must have been deleted first.
pub async fn delete_consultation(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    set_consultation_links(conn, tenant, id, &[], &[]).await?;
    delete_versioned(conn, tenant, "consultations", id, version).await
}

/// Deletes a response at `version`.
pub async fn delete_response(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "consultation_responses", id, version).await
}
