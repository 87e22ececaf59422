//! The contracts register, per tenant: each service's contracts and agreements
//! with partners.
use crate::framework::{Rec, date_text, delete_versioned, id_of, stale_or_missing};
use crate::performance::{code, corrupt};
use crate::{Result, TenantId, new_id, now_text, unique_as};
use goldthread_domain::commissioning::Contract;
use sqlx::{AnyConnection, Row};
use time::Date;

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

/// A tenant's contracts, by service code, then end date, then code.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Rec<Contract>>> {
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT c.id, c.version, c.code, s.code AS service, c.partner, c.title, c.start_date,
                c.end_date, c.value_pence, c.description
         FROM contracts c JOIN services s ON s.id = c.service_id
         WHERE c.tenant_id = $1 ORDER BY s.code, c.end_date, c.code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        out.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Contract {
                code: code(&r.try_get::<String, _>("code")?)?,
                service: code(&r.try_get::<String, _>("service")?)?,
                partner: r.try_get("partner")?,
                title: r.try_get("title")?,
                start: date(&r.try_get::<String, _>("start_date")?)?,
                end: date(&r.try_get::<String, _>("end_date")?)?,
                value_pence: r.try_get("value_pence")?,
                description: r.try_get("description")?,
            },
        });
    }
    Ok(out)
}

/// Creates a contract, or replaces the one at `existing` (id, version read); a
/// replaced contract may move to another service.
pub async fn put_contract(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    c: &Contract,
) -> Result<Rec<Contract>> {
    let now = now_text();
    let service_id = id_of(conn, tenant, "services", &c.service).await?;
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE contracts SET service_id = $1, partner = $2, title = $3, start_date = $4,
                    end_date = $5, value_pence = $6, description = $7, version = version + 1,
                    updated_at = $8
                 WHERE tenant_id = $9 AND id = $10 AND version = $11",
            )
            .bind(&service_id)
            .bind(&c.partner)
            .bind(&c.title)
            .bind(date_text(c.start))
            .bind(date_text(c.end))
            .bind(c.value_pence)
            .bind(&c.description)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "contracts", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO contracts (id, tenant_id, code, service_id, partner, title, start_date,
                    end_date, value_pence, description, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(c.code.as_str())
            .bind(&service_id)
            .bind(&c.partner)
            .bind(&c.title)
            .bind(date_text(c.start))
            .bind(date_text(c.end))
            .bind(c.value_pence)
            .bind(&c.description)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a contract '{}' already exists", c.code)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: c.clone(),
    })
}

/// Deletes a contract at `version`.
pub async fn delete_contract(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "contracts", id, version).await
}
