//! Organisation design, per tenant: pay grades, structure states' details,
//! the posts of each state (with the services they manage as links), each
//! state's adjustments and the council's on-cost rate.
use crate::framework::{
    Rec, date_text, delete_versioned, id_of, refuse_if_used, replace_links, stale_or_missing,
};
use crate::performance::{code, codes_by_owner, corrupt};
use crate::{Result, TenantId, new_id, now_text, unique_as};
use goldthread_domain::Fte;
use goldthread_domain::org::{Adjustment, Grade, Post, StateKind, StructureState};
use rust_decimal::Decimal;
use sqlx::{AnyConnection, Row};
use std::str::FromStr;
use time::Date;

/// Everything in a tenant's organisation design.
#[derive(Debug, Clone, Default)]
pub struct OrgSnapshot {
    /// The council's on-cost rate, when it has set one.
    pub on_cost_rate: Option<Decimal>,
    /// By code.
    pub grades: Vec<Rec<Grade>>,
    /// The states with details held, in state order.
    pub states: Vec<Rec<StructureState>>,
    /// By state, then code.
    pub posts: Vec<Rec<Post>>,
    /// By state, then position.
    pub adjustments: Vec<Adjustment>,
}

fn decimal(what: &str, s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| corrupt(what, e))
}

fn state(s: &str) -> Result<StateKind> {
    s.parse().map_err(|e| corrupt("structure state", e))
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

/// A tenant's organisation design.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<OrgSnapshot> {
    let mut snap = OrgSnapshot {
        on_cost_rate: on_cost_rate(conn, tenant).await?,
        ..Default::default()
    };
    for r in sqlx::query(
        "SELECT id, version, code, title, min_salary_pence, max_salary_pence, on_cost_rate
         FROM grades WHERE tenant_id = $1",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let rate: Option<String> = r.try_get("on_cost_rate")?;
        snap.grades.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Grade {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                min_salary_pence: r.try_get("min_salary_pence")?,
                max_salary_pence: r.try_get("max_salary_pence")?,
                on_cost_rate: rate.map(|s| decimal("on-cost rate", &s)).transpose()?,
            },
        });
    }
    for r in sqlx::query(
        "SELECT id, version, state, effective_date, description, actual_cost_pence
         FROM structure_states WHERE tenant_id = $1",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let effective: Option<String> = r.try_get("effective_date")?;
        snap.states.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: StructureState {
                state: state(&r.try_get::<String, _>("state")?)?,
                effective: effective.map(|d| date(&d)).transpose()?,
                description: r.try_get("description")?,
                actual_cost_pence: r.try_get("actual_cost_pence")?,
            },
        });
    }
    let mut services = codes_by_owner(
        conn,
        tenant,
        "post_services",
        "post_id",
        "services",
        "service_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT p.id, p.version, p.state, p.code, p.title, p.tier, g.code AS grade, p.fte,
                p.holder_status, p.reports_to, p.portfolio, p.extra_duties
         FROM posts p JOIN grades g ON g.id = p.grade_id
         WHERE p.tenant_id = $1",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let reports_to: Option<String> = r.try_get("reports_to")?;
        let tier: i64 = r.try_get("tier")?;
        let value = Post {
            state: state(&r.try_get::<String, _>("state")?)?,
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
            tier: u8::try_from(tier).map_err(|e| corrupt("tier", e))?,
            grade: code(&r.try_get::<String, _>("grade")?)?,
            fte: Fte::parse(&r.try_get::<String, _>("fte")?).map_err(|e| corrupt("FTE", e))?,
            holder_status: r
                .try_get::<String, _>("holder_status")?
                .parse()
                .map_err(|e| corrupt("holder status", e))?,
            reports_to: reports_to.map(|c| code(&c)).transpose()?,
            portfolio: r.try_get("portfolio")?,
            services: services.remove(&id).unwrap_or_default(),
            extra_duties: r.try_get("extra_duties")?,
        };
        snap.posts.push(Rec {
            id,
            version: r.try_get("version")?,
            value,
        });
    }
    for r in sqlx::query(
        "SELECT a.state, a.description, g.code AS grade, a.fte
         FROM org_adjustments a JOIN grades g ON g.id = a.grade_id
         WHERE a.tenant_id = $1 ORDER BY a.position",
    )
    .bind(&tenant.0)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.adjustments.push(Adjustment {
            state: state(&r.try_get::<String, _>("state")?)?,
            description: r.try_get("description")?,
            grade: code(&r.try_get::<String, _>("grade")?)?,
            fte: decimal("FTE", &r.try_get::<String, _>("fte")?)?,
        });
    }
    // Byte order of codes on both databases (collations differ).
    snap.grades.sort_by(|a, b| a.value.code.cmp(&b.value.code));
    snap.states.sort_by_key(|s| s.value.state);
    snap.posts
        .sort_by(|a, b| (a.value.state, &a.value.code).cmp(&(b.value.state, &b.value.code)));
    snap.adjustments.sort_by_key(|a| a.state);
    Ok(snap)
}

/// The council's on-cost rate, when it has set one.
pub async fn on_cost_rate(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Option<Decimal>> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT on_cost_rate FROM org_settings WHERE tenant_id = $1")
            .bind(&tenant.0)
            .fetch_optional(&mut *conn)
            .await?;
    v.map(|s| decimal("on-cost rate", &s)).transpose()
}

/// Sets the council's on-cost rate.
pub async fn set_on_cost_rate(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    rate: Decimal,
) -> Result<()> {
    sqlx::query("DELETE FROM org_settings WHERE tenant_id = $1")
        .bind(&tenant.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO org_settings (tenant_id, on_cost_rate, updated_at) VALUES ($1, $2, $3)",
    )
    .bind(&tenant.0)
    .bind(rate.normalize().to_string())
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates a grade, or replaces the one at `existing` (id, version read).
pub async fn put_grade(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    g: &Grade,
) -> Result<Rec<Grade>> {
    let now = now_text();
    let rate = g.on_cost_rate.map(|r| r.normalize().to_string());
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE grades SET title = $1, min_salary_pence = $2, max_salary_pence = $3,
                    on_cost_rate = $4, version = version + 1, updated_at = $5
                 WHERE tenant_id = $6 AND id = $7 AND version = $8",
            )
            .bind(&g.title)
            .bind(g.min_salary_pence)
            .bind(g.max_salary_pence)
            .bind(&rate)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "grades", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO grades (id, tenant_id, code, title, min_salary_pence,
                    max_salary_pence, on_cost_rate, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(g.code.as_str())
            .bind(&g.title)
            .bind(g.min_salary_pence)
            .bind(g.max_salary_pence)
            .bind(&rate)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("a grade '{}' already exists", g.code)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: g.clone(),
    })
}

/// Deletes a grade at `version`, unless a post or an adjustment uses it.
pub async fn delete_grade(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(
        conn,
        "this grade",
        &[
            ("post(s)", "SELECT COUNT(*) FROM posts WHERE grade_id = $1"),
            (
                "adjustment(s)",
                "SELECT COUNT(*) FROM org_adjustments WHERE grade_id = $1",
            ),
        ],
        id,
    )
    .await?;
    delete_versioned(conn, tenant, "grades", id, version).await
}

/// Creates a state's details, or replaces those at `existing`.
pub async fn put_state(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    s: &StructureState,
) -> Result<Rec<StructureState>> {
    let now = now_text();
    let effective = s.effective.map(date_text);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE structure_states SET effective_date = $1, description = $2,
                    actual_cost_pence = $3, version = version + 1, updated_at = $4
                 WHERE tenant_id = $5 AND id = $6 AND version = $7",
            )
            .bind(&effective)
            .bind(&s.description)
            .bind(s.actual_cost_pence)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "structure_states", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO structure_states (id, tenant_id, state, effective_date, description,
                    actual_cost_pence, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(s.state.as_str())
            .bind(&effective)
            .bind(&s.description)
            .bind(s.actual_cost_pence)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("the {} state already has details", s.state)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: s.clone(),
    })
}

/// Creates a post, or replaces the one at `existing` (its state and code
/// stay).
pub async fn put_post(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    p: &Post,
) -> Result<Rec<Post>> {
    let now = now_text();
    let grade = id_of(conn, tenant, "grades", &p.grade).await?;
    let fte = p.fte.to_string();
    let reports_to = p.reports_to.as_ref().map(|c| c.as_str().to_string());
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE posts SET title = $1, tier = $2, grade_id = $3, fte = $4,
                    holder_status = $5, reports_to = $6, portfolio = $7, extra_duties = $8,
                    version = version + 1, updated_at = $9
                 WHERE tenant_id = $10 AND id = $11 AND version = $12",
            )
            .bind(&p.title)
            .bind(i64::from(p.tier))
            .bind(&grade)
            .bind(&fte)
            .bind(p.holder_status.as_str())
            .bind(&reports_to)
            .bind(&p.portfolio)
            .bind(&p.extra_duties)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "posts", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO posts (id, tenant_id, state, code, title, tier, grade_id, fte,
                    holder_status, reports_to, portfolio, extra_duties, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(p.state.as_str())
            .bind(p.code.as_str())
            .bind(&p.title)
            .bind(i64::from(p.tier))
            .bind(&grade)
            .bind(&fte)
            .bind(p.holder_status.as_str())
            .bind(&reports_to)
            .bind(&p.portfolio)
            .bind(&p.extra_duties)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                unique_as(e, || {
                    format!("the {} state already has a post '{}'", p.state, p.code)
                })
            })?;
            (id, 1)
        }
    };
    replace_links(
        conn,
        tenant,
        "post_services",
        "post_id",
        &id,
        "service_id",
        "services",
        &p.services,
    )
    .await?;
    Ok(Rec {
        id,
        version,
        value: p.clone(),
    })
}

/// Deletes a post at `version`, with its links.
pub async fn delete_post(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    replace_links(
        conn,
        tenant,
        "post_services",
        "post_id",
        id,
        "service_id",
        "services",
        &[],
    )
    .await?;
    delete_versioned(conn, tenant, "posts", id, version).await
}

/// Replaces a state's adjustments with `adjustments` (in order).
pub async fn replace_adjustments(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    state: StateKind,
    adjustments: &[Adjustment],
) -> Result<()> {
    sqlx::query("DELETE FROM org_adjustments WHERE tenant_id = $1 AND state = $2")
        .bind(&tenant.0)
        .bind(state.as_str())
        .execute(&mut *conn)
        .await?;
    let now = now_text();
    for (i, a) in adjustments.iter().enumerate() {
        let grade = id_of(conn, tenant, "grades", &a.grade).await?;
        sqlx::query(
            "INSERT INTO org_adjustments (id, tenant_id, state, position, description, grade_id,
                fte, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&tenant.0)
        .bind(state.as_str())
        .bind(i as i64)
        .bind(&a.description)
        .bind(&grade)
        .bind(a.fte.normalize().to_string())
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::databases;
    use goldthread_domain::Code;
    use goldthread_domain::org::HolderStatus;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[tokio::test]
    async fn organisation_round_trips_on_both_databases() {
        for t in databases().await {
            let mut tx = t.db.write(None).await.unwrap();
            let tenant = crate::accounts::create_tenant(tx.conn(), "org", "Org", "Area")
                .await
                .unwrap()
                .tenant_id();
            let conn = tx.conn();
            assert!(load(conn, &tenant).await.unwrap().grades.is_empty());
            let g = Grade {
                code: c("SM"),
                title: "Senior Manager".into(),
                min_salary_pence: 7_150_000,
                max_salary_pence: 7_408_800,
                on_cost_rate: Some("0.285".parse().unwrap()),
            };
            let rec = put_grade(conn, &tenant, None, &g).await.unwrap();
            let p = Post {
                state: StateKind::Immediate,
                code: c("SM-1"),
                title: "Senior Manager (Housing)".into(),
                tier: 4,
                grade: c("SM"),
                fte: Fte::parse("0.5").unwrap(),
                holder_status: HolderStatus::Interim,
                reports_to: Some(c("HOS")),
                portfolio: "Place".into(),
                services: vec![],
                extra_duties: "Chief Social Work Officer".into(),
            };
            let prec = put_post(conn, &tenant, None, &p).await.unwrap();
            let p2 = Post {
                state: StateKind::Current,
                ..p.clone()
            };
            put_post(conn, &tenant, None, &p2).await.unwrap();
            let a = Adjustment {
                state: StateKind::Immediate,
                description: "−0.5 FTE Team Leader".into(),
                grade: c("SM"),
                fte: "-0.5".parse().unwrap(),
            };
            replace_adjustments(
                conn,
                &tenant,
                StateKind::Immediate,
                std::slice::from_ref(&a),
            )
            .await
            .unwrap();
            let s = StructureState {
                state: StateKind::Current,
                effective: Some(time::macros::date!(2026 - 02 - 26)),
                description: "As it is".into(),
                actual_cost_pence: Some(195_100_000),
            };
            put_state(conn, &tenant, None, &s).await.unwrap();
            set_on_cost_rate(conn, &tenant, "0.31".parse().unwrap())
                .await
                .unwrap();
            let snap = load(conn, &tenant).await.unwrap();
            assert_eq!(snap.on_cost_rate, Some("0.31".parse().unwrap()));
            assert_eq!(snap.grades[0].value, g);
            assert_eq!(snap.posts.len(), 2);
            assert_eq!(snap.posts[0].value, p2, "current before immediate");
            assert_eq!(snap.posts[1].value, p);
            assert_eq!(snap.adjustments, vec![a]);
            assert_eq!(snap.states[0].value, s);
            // A grade in use is not deleted; a stale version is refused.
            assert!(matches!(
                delete_grade(conn, &tenant, &rec.id, 1).await,
                Err(crate::StoreError::InUse(_))
            ));
            assert!(matches!(
                delete_post(conn, &tenant, &prec.id, 7).await,
                Err(crate::StoreError::Conflict { .. })
            ));
            delete_post(conn, &tenant, &prec.id, 1).await.unwrap();
            assert_eq!(load(conn, &tenant).await.unwrap().posts.len(), 1);
            tx.rollback().await.unwrap();
        }
    }
}
