//! The benefits register, per tenant: benefits, their planned and realised
//! profiles by financial year, and the medium-term funding gap by year.
use crate::framework::{Rec, delete_versioned, id_of, person_id_opt, stale_or_missing};
use crate::performance::{code, corrupt};
use crate::{Result, TenantId, new_id, now_text, unique_as};
use goldthread_domain::benefits::{Benefit, BenefitProfile, BudgetGap};
use goldthread_domain::period::FinancialYear;
use goldthread_domain::{Code, Email};
use sqlx::{AnyConnection, Row};
use std::str::FromStr;

/// One tenant's benefits, profiles and budget gaps, with ids and versions.
#[derive(Debug, Clone, Default)]
pub struct BenefitsSnapshot {
    /// By code.
    pub benefits: Vec<Rec<Benefit>>,
    /// By benefit code, then year.
    pub profiles: Vec<Rec<BenefitProfile>>,
    /// By year.
    pub gaps: Vec<Rec<BudgetGap>>,
}

impl BenefitsSnapshot {
    pub fn benefit_values(&self) -> Vec<Benefit> {
        self.benefits.iter().map(|r| r.value.clone()).collect()
    }
    pub fn profile_values(&self) -> Vec<BenefitProfile> {
        self.profiles.iter().map(|r| r.value.clone()).collect()
    }
    pub fn gap_values(&self) -> Vec<BudgetGap> {
        self.gaps.iter().map(|r| r.value.clone()).collect()
    }
    /// The profile of one benefit, by year.
    pub fn profile_of<'s>(&'s self, benefit: &Code) -> Vec<&'s Rec<BenefitProfile>> {
        self.profiles
            .iter()
            .filter(|p| &p.value.benefit == benefit)
            .collect()
    }
}

fn parse<T: FromStr>(what: &str, s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| corrupt(what, e))
}

fn year(y: i64) -> Result<FinancialYear> {
    i32::try_from(y)
        .map(FinancialYear)
        .map_err(|e| corrupt("financial year", e))
}

pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<BenefitsSnapshot> {
    let mut s = BenefitsSnapshot::default();
    for r in sqlx::query(
        "SELECT b.id, b.version, b.code, b.title, b.kind, u.email AS owner, b.source, b.source_ref,
                p.code AS portfolio, b.savings_group, b.baseline, i.code AS measure, b.status,
                b.confidence, b.description
         FROM benefits b
         JOIN portfolios p ON p.id = b.portfolio_id
         LEFT JOIN people pe ON pe.id = b.owner_id
         LEFT JOIN users u ON u.id = pe.user_id
         LEFT JOIN indicators i ON i.id = b.measure_id
         WHERE b.tenant_id = $1 ORDER BY b.code",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let owner: Option<String> = r.try_get("owner")?;
        let measure: Option<String> = r.try_get("measure")?;
        s.benefits.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Benefit {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                kind: parse("benefit kind", &r.try_get::<String, _>("kind")?)?,
                owner: owner
                    .map(|e| Email::parse(&e).map_err(|e| corrupt("email", e)))
                    .transpose()?,
                source: parse("benefit source", &r.try_get::<String, _>("source")?)?,
                source_ref: r.try_get("source_ref")?,
                portfolio: code(&r.try_get::<String, _>("portfolio")?)?,
                group: r.try_get("savings_group")?,
                baseline: r.try_get("baseline")?,
                measure: measure.map(|m| code(&m)).transpose()?,
                status: parse("benefit status", &r.try_get::<String, _>("status")?)?,
                confidence: parse("confidence", &r.try_get::<String, _>("confidence")?)?,
                description: r.try_get("description")?,
            },
        });
    }
    for r in sqlx::query(
        "SELECT f.id, f.version, b.code AS benefit, f.financial_year, f.planned_pence, f.realised_pence
         FROM benefit_profiles f JOIN benefits b ON b.id = f.benefit_id
         WHERE f.tenant_id = $1 ORDER BY b.code, f.financial_year",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        s.profiles.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: BenefitProfile {
                benefit: code(&r.try_get::<String, _>("benefit")?)?,
                year: year(r.try_get("financial_year")?)?,
                planned_pence: r.try_get("planned_pence")?,
                realised_pence: r.try_get("realised_pence")?,
            },
        });
    }
    for r in sqlx::query(
        "SELECT id, version, financial_year, gap_pence, note FROM budget_gap
         WHERE tenant_id = $1 ORDER BY financial_year",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        s.gaps.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: BudgetGap {
                year: year(r.try_get("financial_year")?)?,
                gap_pence: r.try_get("gap_pence")?,
                note: r.try_get("note")?,
            },
        });
    }
    Ok(s)
}

async fn measure_id(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    measure: &Option<Code>,
) -> Result<Option<String>> {
    match measure {
        Some(m) => Ok(Some(id_of(conn, tenant, "indicators", m).await?)),
        None => Ok(None),
    }
}

/// Creates a benefit, or replaces the one at `existing` (id, version read).
pub async fn put_benefit(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    b: &Benefit,
) -> Result<Rec<Benefit>> {
    let now = now_text();
    let portfolio_id = id_of(conn, tenant, "portfolios", &b.portfolio).await?;
    let owner_id = person_id_opt(conn, tenant, &b.owner).await?;
    let measure_id = measure_id(conn, tenant, &b.measure).await?;
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE benefits SET code = $1, title = $2, kind = $3, owner_id = $4, source = $5,
                    source_ref = $6, portfolio_id = $7, savings_group = $8, baseline = $9,
                    measure_id = $10, status = $11, confidence = $12, description = $13,
                    version = version + 1, updated_at = $14
                 WHERE tenant_id = $15 AND id = $16 AND version = $17",
            )
            .bind(b.code.as_str())
            .bind(&b.title)
            .bind(b.kind.as_str())
            .bind(&owner_id)
            .bind(b.source.as_str())
            .bind(&b.source_ref)
            .bind(&portfolio_id)
            .bind(&b.group)
            .bind(&b.baseline)
            .bind(&measure_id)
            .bind(b.status.as_str())
            .bind(b.confidence.as_str())
            .bind(&b.description)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a benefit '{}' already exists", b.code)))?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "benefits", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO benefits (id, tenant_id, code, title, kind, owner_id, source, source_ref,
                    portfolio_id, savings_group, baseline, measure_id, status, confidence,
                    description, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(b.code.as_str())
            .bind(&b.title)
            .bind(b.kind.as_str())
            .bind(&owner_id)
            .bind(b.source.as_str())
            .bind(&b.source_ref)
            .bind(&portfolio_id)
            .bind(&b.group)
            .bind(&b.baseline)
            .bind(&measure_id)
            .bind(b.status.as_str())
            .bind(b.confidence.as_str())
            .bind(&b.description)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a benefit '{}' already exists", b.code)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: b.clone(),
    })
}

/// Raises a benefit's version (at `version`) when its profile changes, so
/// that the version a reader holds covers the benefit and its profile.
/// Answers the new version.
pub async fn touch_benefit(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<i64> {
    let n = sqlx::query(
        "UPDATE benefits SET version = version + 1, updated_at = $1
         WHERE tenant_id = $2 AND id = $3 AND version = $4",
    )
    .bind(now_text())
    .bind(&tenant.0)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "benefits", id, version).await);
    }
    Ok(version + 1)
}

/// Deletes a benefit at `version` (delete its profile first).
pub async fn delete_benefit(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "benefits", id, version).await
}

/// Creates one year of a benefit's profile, or replaces the one at `existing`.
pub async fn put_profile(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    p: &BenefitProfile,
) -> Result<Rec<BenefitProfile>> {
    let now = now_text();
    let benefit_id = id_of(conn, tenant, "benefits", &p.benefit).await?;
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE benefit_profiles SET benefit_id = $1, financial_year = $2, planned_pence = $3,
                    realised_pence = $4, version = version + 1, updated_at = $5
                 WHERE tenant_id = $6 AND id = $7 AND version = $8",
            )
            .bind(&benefit_id)
            .bind(i64::from(p.year.start_year()))
            .bind(p.planned_pence)
            .bind(p.realised_pence)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "benefit_profiles", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO benefit_profiles (id, tenant_id, benefit_id, financial_year,
                    planned_pence, realised_pence, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(&benefit_id)
            .bind(i64::from(p.year.start_year()))
            .bind(p.planned_pence)
            .bind(p.realised_pence)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("'{}' already has {}", p.benefit, p.year)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: p.clone(),
    })
}

pub async fn delete_profile(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "benefit_profiles", id, version).await
}

/// Creates one year's budget gap, or replaces the one at `existing`.
pub async fn put_gap(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    g: &BudgetGap,
) -> Result<Rec<BudgetGap>> {
    let now = now_text();
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE budget_gap SET financial_year = $1, gap_pence = $2, note = $3,
                    version = version + 1, updated_at = $4
                 WHERE tenant_id = $5 AND id = $6 AND version = $7",
            )
            .bind(i64::from(g.year.start_year()))
            .bind(g.gap_pence)
            .bind(&g.note)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "budget_gap", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO budget_gap (id, tenant_id, financial_year, gap_pence, note, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(i64::from(g.year.start_year()))
            .bind(g.gap_pence)
            .bind(&g.note)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("{} already has a budget gap", g.year)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: g.clone(),
    })
}

pub async fn delete_gap(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "budget_gap", id, version).await
}

async fn codes_of(conn: &mut AnyConnection, tenant: &TenantId, table: &str) -> Result<Vec<Code>> {
    let rows: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT code FROM {table} WHERE tenant_id = $1 ORDER BY code"
    ))
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|c| code(c)).collect()
}

/// The codes of the tenant's indicators (a benefit's measure is one).
pub async fn indicator_codes(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Code>> {
    codes_of(conn, tenant, "indicators").await
}

/// The codes of the tenant's service reviews (a benefit from a review names one).
pub async fn review_codes(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<Code>> {
    codes_of(conn, tenant, "service_reviews").await
}
