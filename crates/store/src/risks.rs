//! The risk register, per tenant: risks (scores and status as columns, the rest
//! as a JSON document, outcomes and services as links), each risk's reviews
//! (the scores it recorded on a day) and the appetite per category.
use crate::framework::{Rec, date_text, delete_versioned, replace_links, stale_or_missing};
use crate::performance::{code, codes_by_owner, corrupt};
use crate::{Result, TenantId, new_id, now_text, unique_as};
use goldthread_domain::risk::{
    Appetite, Control, Risk, RiskCategory, RiskReview, RiskStatus, Scored,
};
use goldthread_domain::{Code, Email};
use sqlx::{AnyConnection, Row};
use time::Date;

/// Everything in a tenant's risk register.
#[derive(Debug, Clone, Default)]
pub struct RiskSnapshot {
    pub risks: Vec<Rec<Risk>>,
    /// Every risk's reviews, oldest first.
    pub reviews: Vec<RiskReview>,
    pub appetite: Appetite,
}

/// The parts of a risk kept in its JSON document.
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    cause: String,
    event: String,
    effect: String,
    programme: String,
    review: Option<Code>,
    controls: Vec<Control>,
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

fn scored(r: &sqlx::any::AnyRow, prefix: &str) -> Result<Scored> {
    let part = |p: &str| -> Result<u8> {
        let v: i64 = r.try_get(format!("{prefix}_{p}").as_str())?;
        u8::try_from(v).map_err(|e| corrupt("risk score", e))
    };
    Ok(Scored {
        likelihood: part("likelihood")?,
        impact: part("impact")?,
    })
}

/// A tenant's risk register, risks by code.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<RiskSnapshot> {
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "risk_outcomes",
        "risk_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    let mut services = codes_by_owner(
        conn,
        tenant,
        "risk_services",
        "risk_id",
        "services",
        "service_id",
    )
    .await?;
    let mut snap = RiskSnapshot::default();
    let mut codes = std::collections::HashMap::new();
    for r in sqlx::query(
        "SELECT id, version, code, title, category, status, owner, inherent_likelihood,
                inherent_impact, residual_likelihood, residual_impact, target_likelihood,
                target_impact, review_date, body
         FROM risks WHERE tenant_id = $1 ORDER BY code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let b: Body = serde_json::from_str(&r.try_get::<String, _>("body")?)
            .map_err(|e| corrupt("risk", e))?;
        let owner: Option<String> = r.try_get("owner")?;
        let review_date: Option<String> = r.try_get("review_date")?;
        let risk = Risk {
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
            category: r
                .try_get::<String, _>("category")?
                .parse()
                .map_err(|e| corrupt("risk category", e))?,
            cause: b.cause,
            event: b.event,
            effect: b.effect,
            owner: owner
                .map(|o| Email::parse(&o).map_err(|e| corrupt("risk owner", e.0)))
                .transpose()?,
            outcomes: outcomes.remove(&id).unwrap_or_default(),
            services: services.remove(&id).unwrap_or_default(),
            programme: b.programme,
            review: b.review,
            inherent: scored(&r, "inherent")?,
            residual: scored(&r, "residual")?,
            target: scored(&r, "target")?,
            review_date: review_date.map(|d| date(&d)).transpose()?,
            status: r
                .try_get::<String, _>("status")?
                .parse::<RiskStatus>()
                .map_err(|e| corrupt("risk status", e))?,
            controls: b.controls,
        };
        codes.insert(id.clone(), risk.code.clone());
        snap.risks.push(Rec {
            id,
            version: r.try_get("version")?,
            value: risk,
        });
    }
    for r in sqlx::query(
        "SELECT risk_id, reviewed_on, inherent_likelihood, inherent_impact, residual_likelihood,
                residual_impact, target_likelihood, target_impact, note
         FROM risk_reviews WHERE tenant_id = $1 ORDER BY reviewed_on, risk_id",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let risk_id: String = r.try_get("risk_id")?;
        let Some(risk) = codes.get(&risk_id) else {
            continue;
        };
        snap.reviews.push(RiskReview {
            risk: risk.clone(),
            date: date(&r.try_get::<String, _>("reviewed_on")?)?,
            inherent: scored(&r, "inherent")?,
            residual: scored(&r, "residual")?,
            target: scored(&r, "target")?,
            note: r.try_get("note")?,
        });
    }
    for r in sqlx::query("SELECT category, appetite FROM risk_appetite WHERE tenant_id = $1")
        .bind(&tenant.0)
        .fetch_all(&mut *conn)
        .await?
    {
        let cat: RiskCategory = r
            .try_get::<String, _>("category")?
            .parse()
            .map_err(|e| corrupt("risk category", e))?;
        let a: i64 = r.try_get("appetite")?;
        snap.appetite
            .insert(cat, u8::try_from(a).map_err(|e| corrupt("appetite", e))?);
    }
    Ok(snap)
}

fn body(r: &Risk) -> Result<String> {
    serde_json::to_string(&Body {
        cause: r.cause.clone(),
        event: r.event.clone(),
        effect: r.effect.clone(),
        programme: r.programme.clone(),
        review: r.review.clone(),
        controls: r.controls.clone(),
    })
    .map_err(|e| corrupt("risk", e))
}

async fn set_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    services: &[Code],
    outcomes: &[Code],
) -> Result<()> {
    for (table, col, target, codes) in [
        ("risk_services", "service_id", "services", services),
        ("risk_outcomes", "outcome_id", "outcomes", outcomes),
    ] {
        replace_links(conn, tenant, table, "risk_id", id, col, target, codes).await?;
    }
    Ok(())
}

/// Creates a risk, or replaces the one at `existing` (id, version read).
pub async fn put_risk(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    r: &Risk,
) -> Result<Rec<Risk>> {
    let now = now_text();
    let doc = body(r)?;
    let owner = r.owner.as_ref().map(|e| e.as_str().to_string());
    let review_date = r.review_date.map(date_text);
    let s = |v: u8| i64::from(v);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE risks SET title = $1, category = $2, status = $3, owner = $4,
                    inherent_likelihood = $5, inherent_impact = $6, residual_likelihood = $7,
                    residual_impact = $8, target_likelihood = $9, target_impact = $10,
                    review_date = $11, body = $12, version = version + 1, updated_at = $13
                 WHERE tenant_id = $14 AND id = $15 AND version = $16",
            )
            .bind(&r.title)
            .bind(r.category.as_str())
            .bind(r.status.as_str())
            .bind(&owner)
            .bind(s(r.inherent.likelihood))
            .bind(s(r.inherent.impact))
            .bind(s(r.residual.likelihood))
            .bind(s(r.residual.impact))
            .bind(s(r.target.likelihood))
            .bind(s(r.target.impact))
            .bind(&review_date)
            .bind(&doc)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "risks", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO risks (id, tenant_id, code, title, category, status, owner,
                    inherent_likelihood, inherent_impact, residual_likelihood, residual_impact,
                    target_likelihood, target_impact, review_date, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(r.code.as_str())
            .bind(&r.title)
            .bind(r.category.as_str())
            .bind(r.status.as_str())
            .bind(&owner)
            .bind(s(r.inherent.likelihood))
            .bind(s(r.inherent.impact))
            .bind(s(r.residual.likelihood))
            .bind(s(r.residual.impact))
            .bind(s(r.target.likelihood))
            .bind(s(r.target.impact))
            .bind(&review_date)
            .bind(&doc)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a risk '{}' already exists", r.code)))?;
            (id, 1)
        }
    };
    set_links(conn, tenant, &id, &r.services, &r.outcomes).await?;
    Ok(Rec {
        id,
        version,
        value: r.clone(),
    })
}

/// Deletes a risk at `version`, with its links and reviews.
pub async fn delete_risk(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    set_links(conn, tenant, id, &[], &[]).await?;
    sqlx::query("DELETE FROM risk_reviews WHERE tenant_id = $1 AND risk_id = $2")
        .bind(&tenant.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    delete_versioned(conn, tenant, "risks", id, version).await
}

/// Records a review of the risk with id `risk_id` (replacing one on the same day).
pub async fn put_review(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    risk_id: &str,
    r: &RiskReview,
) -> Result<()> {
    let on = date_text(r.date);
    sqlx::query(
        "DELETE FROM risk_reviews WHERE tenant_id = $1 AND risk_id = $2 AND reviewed_on = $3",
    )
    .bind(&tenant.0)
    .bind(risk_id)
    .bind(&on)
    .execute(&mut *conn)
    .await?;
    let s = |v: u8| i64::from(v);
    sqlx::query(
        "INSERT INTO risk_reviews (id, tenant_id, risk_id, reviewed_on, inherent_likelihood,
            inherent_impact, residual_likelihood, residual_impact, target_likelihood,
            target_impact, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(new_id())
    .bind(&tenant.0)
    .bind(risk_id)
    .bind(&on)
    .bind(s(r.inherent.likelihood))
    .bind(s(r.inherent.impact))
    .bind(s(r.residual.likelihood))
    .bind(s(r.residual.impact))
    .bind(s(r.target.likelihood))
    .bind(s(r.target.impact))
    .bind(&r.note)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the appetite for one category (1–25), or clears it.
pub async fn set_appetite(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    category: RiskCategory,
    appetite: Option<u8>,
) -> Result<()> {
    sqlx::query("DELETE FROM risk_appetite WHERE tenant_id = $1 AND category = $2")
        .bind(&tenant.0)
        .bind(category.as_str())
        .execute(&mut *conn)
        .await?;
    if let Some(a) = appetite {
        sqlx::query(
            "INSERT INTO risk_appetite (tenant_id, category, appetite) VALUES ($1, $2, $3)",
        )
        .bind(&tenant.0)
        .bind(category.as_str())
        .bind(i64::from(a))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
