//! Service reviews (the Delivery Framework), per tenant: each review's steps are
//! one JSON document; its code, service and state are columns.
use crate::framework::{Rec, id_of, stale_or_missing};
use crate::performance::{code, corrupt};
use crate::{Result, TenantId, new_id, now_text};
use goldthread_domain::review::{Review, ReviewState};
use sqlx::{AnyConnection, Row};

/// The parts of a review kept in its JSON document.
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    title: String,
    author: goldthread_domain::Email,
    scope: goldthread_domain::review::ScopeStep,
    specification: goldthread_domain::review::Specification,
    appraisal: goldthread_domain::review::Appraisal,
    plan: goldthread_domain::review::ServicePlan,
    assessment: goldthread_domain::review::Assessment,
    approval: goldthread_domain::review::Approval,
}

fn body(r: &Review) -> Result<String> {
    serde_json::to_string(&Body {
        title: r.title.clone(),
        author: r.author.clone(),
        scope: r.scope.clone(),
        specification: r.specification.clone(),
        appraisal: r.appraisal.clone(),
        plan: r.plan.clone(),
        assessment: r.assessment.clone(),
        approval: r.approval.clone(),
    })
    .map_err(|e| corrupt("review", e))
}

/// A tenant's reviews, newest code last.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Rec<Review>>> {
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT r.id, r.version, r.code, s.code AS service, r.state, r.body
         FROM service_reviews r JOIN services s ON s.id = r.service_id
         WHERE r.tenant_id = $1 ORDER BY r.code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let b: Body = serde_json::from_str(&r.try_get::<String, _>("body")?)
            .map_err(|e| corrupt("review", e))?;
        let state: ReviewState = r
            .try_get::<String, _>("state")?
            .parse()
            .map_err(|e| corrupt("review state", e))?;
        out.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Review {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: b.title,
                service: code(&r.try_get::<String, _>("service")?)?,
                author: b.author,
                state,
                scope: b.scope,
                specification: b.specification,
                appraisal: b.appraisal,
                plan: b.plan,
                assessment: b.assessment,
                approval: b.approval,
            },
        });
    }
    Ok(out)
}

/// Creates a review, or replaces the one at `existing` (id, version read). Its
/// code and service never change.
pub async fn put(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    r: &Review,
) -> Result<Rec<Review>> {
    let now = now_text();
    let doc = body(r)?;
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE service_reviews SET state = $1, body = $2, version = version + 1, updated_at = $3
                 WHERE tenant_id = $4 AND id = $5 AND version = $6",
            )
            .bind(r.state.as_str())
            .bind(&doc)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "service_reviews", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            let service_id = id_of(conn, tenant, "services", &r.service).await?;
            sqlx::query(
                "INSERT INTO service_reviews (id, tenant_id, code, service_id, state, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(r.code.as_str())
            .bind(&service_id)
            .bind(r.state.as_str())
            .bind(&doc)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: r.clone(),
    })
}

/// Years between reviews of a service (3 to 5; default 3).
pub async fn review_cycle(conn: &mut AnyConnection, tenant: &TenantId) -> Result<u8> {
    let y: i64 = sqlx::query_scalar("SELECT review_cycle_years FROM tenants WHERE id = $1")
        .bind(&tenant.0)
        .fetch_one(&mut *conn)
        .await?;
    u8::try_from(y).map_err(|e| corrupt("review cycle", e))
}

/// Sets the years between reviews (the caller checks 3 to 5).
pub async fn set_review_cycle(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    years: u8,
) -> Result<()> {
    sqlx::query("UPDATE tenants SET review_cycle_years = $1 WHERE id = $2")
        .bind(i64::from(years))
        .bind(&tenant.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
