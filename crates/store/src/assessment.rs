//! Best Value self-assessment, per tenant: the themes (none held = the
//! defaults) and each year's score per theme.
use crate::framework::{Rec, delete_versioned, replace_links, stale_or_missing};
use crate::performance::{code, codes_by_owner, corrupt};
use crate::{Result, TenantId, new_id, now_text};
use goldthread_domain::assessment::{Theme, ThemeScore};
use goldthread_domain::period::Period;
use sqlx::{AnyConnection, Row};

/// A tenant's self-assessment.
#[derive(Debug, Clone, Default)]
pub struct AssessmentSnapshot {
    /// The themes configured, in order (empty: the defaults apply).
    pub themes: Vec<Theme>,
    /// Every score, by year then theme.
    pub scores: Vec<Rec<ThemeScore>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    evidence: String,
    actions: Vec<String>,
}

/// The tenant's themes and scores.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<AssessmentSnapshot> {
    let mut snap = AssessmentSnapshot::default();
    for r in sqlx::query(
        "SELECT code, title FROM assessment_themes WHERE tenant_id = $1 ORDER BY position",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.themes.push(Theme {
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
        });
    }
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "self_assessment_outcomes",
        "assessment_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT id, version, year, theme, score, body FROM self_assessments
         WHERE tenant_id = $1 ORDER BY year, theme",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let b: Body = serde_json::from_str(&r.try_get::<String, _>("body")?)
            .map_err(|e| corrupt("self-assessment", e))?;
        let score: i64 = r.try_get("score")?;
        snap.scores.push(Rec {
            version: r.try_get("version")?,
            value: ThemeScore {
                year: Period::parse_any(&r.try_get::<String, _>("year")?)
                    .map_err(|e| corrupt("self-assessment year", e))?,
                theme: code(&r.try_get::<String, _>("theme")?)?,
                score: u8::try_from(score).map_err(|e| corrupt("self-assessment score", e))?,
                evidence: b.evidence,
                outcomes: outcomes.remove(&id).unwrap_or_default(),
                actions: b.actions,
            },
            id,
        });
    }
    Ok(snap)
}

/// Replaces the tenant's themes (in order).
pub async fn set_themes(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    themes: &[Theme],
) -> Result<()> {
    sqlx::query("DELETE FROM assessment_themes WHERE tenant_id = $1")
        .bind(&tenant.0)
        .execute(&mut *conn)
        .await?;
    for (i, t) in themes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO assessment_themes (tenant_id, code, title, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(&tenant.0)
        .bind(t.code.as_str())
        .bind(&t.title)
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Creates a year's score for a theme, or replaces the one at `existing`.
pub async fn put_score(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    s: &ThemeScore,
) -> Result<Rec<ThemeScore>> {
    let now = now_text();
    let body = serde_json::to_string(&Body {
        evidence: s.evidence.clone(),
        actions: s.actions.clone(),
    })
    .map_err(|e| corrupt("self-assessment", e))?;
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE self_assessments SET score = $1, body = $2, version = version + 1,
                    updated_at = $3
                 WHERE tenant_id = $4 AND id = $5 AND version = $6",
            )
            .bind(i64::from(s.score))
            .bind(&body)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "self_assessments", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO self_assessments (id, tenant_id, year, theme, score, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(s.year.to_string())
            .bind(s.theme.as_str())
            .bind(i64::from(s.score))
            .bind(&body)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    replace_links(
        conn,
        tenant,
        "self_assessment_outcomes",
        "assessment_id",
        &id,
        "outcome_id",
        "outcomes",
        &s.outcomes,
    )
    .await?;
    Ok(Rec {
        id,
        version,
        value: s.clone(),
    })
}

/// Deletes a score at `version`, with its links.
pub async fn delete_score(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    replace_links(
        conn,
        tenant,
        "self_assessment_outcomes",
        "assessment_id",
        id,
        "outcome_id",
        "outcomes",
        &[],
    )
    .await?;
    delete_versioned(conn, tenant, "self_assessments", id, version).await
}
