//! Action plans, per tenant: plans, their recommendations, actions (with their
//! links to outcomes and services, and risk codes) and progress notes.
use crate::framework::{
    Rec, date_text, delete_unless_used, delete_versioned, id_of, person_id_opt, stale_or_missing,
};
use crate::performance::{code, codes_by_owner, corrupt};
use crate::{Result, StoreError, TenantId, new_id, now_text, unique_as};
use goldthread_domain::actions::{
    Action, ActionPlan, ActionProgress, ProgressNote, Recommendation,
};
use goldthread_domain::{Code, Email};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::Date;

/// One tenant's action plans, with ids and versions: plans by code;
/// recommendations, actions and notes in the order they were written (each
/// action's notes also in `Action::progress`, oldest first).
#[derive(Debug, Clone, Default)]
pub struct ActionSnapshot {
    pub plans: Vec<Rec<ActionPlan>>,
    pub recommendations: Vec<Rec<Recommendation>>,
    pub actions: Vec<Rec<Action>>,
    pub progress: Vec<Rec<ActionProgress>>,
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

fn date_opt(s: Option<String>) -> Result<Option<Date>> {
    s.filter(|s| !s.is_empty()).map(|s| date(&s)).transpose()
}

fn email_opt(s: Option<String>) -> Result<Option<Email>> {
    s.map(|s| Email::parse(&s).map_err(|e| corrupt("email", e)))
        .transpose()
}

fn codes_text(c: &[Code]) -> String {
    c.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

fn codes_of(s: &str) -> Result<Vec<Code>> {
    s.split(';').filter(|c| !c.is_empty()).map(code).collect()
}

pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<ActionSnapshot> {
    let t = &tenant.0;
    let mut s = ActionSnapshot::default();
    let mut plan_codes: HashMap<String, Code> = HashMap::new();
    for r in sqlx::query(
        "SELECT p.id, p.version, p.code, p.title, p.source, u.email, p.approved, p.description
         FROM action_plans p
         LEFT JOIN people pe ON pe.id = p.owner_id LEFT JOIN users u ON u.id = pe.user_id
         WHERE p.tenant_id = $1 ORDER BY p.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let value = ActionPlan {
            code: code(&r.try_get::<String, _>("code")?)?,
            title: r.try_get("title")?,
            source: r.try_get("source")?,
            owner: email_opt(r.try_get("email")?)?,
            approved: date_opt(r.try_get("approved")?)?,
            description: r.try_get("description")?,
        };
        plan_codes.insert(id.clone(), value.code.clone());
        s.plans.push(Rec {
            version: r.try_get("version")?,
            value,
            id,
        });
    }
    let plan_of = |id: &str| {
        plan_codes
            .get(id)
            .cloned()
            .ok_or_else(|| corrupt("action plan", id))
    };
    let mut rec_codes: HashMap<String, Code> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, version, plan_id, code, body FROM recommendations
         WHERE tenant_id = $1 ORDER BY position",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let value = Recommendation {
            plan: plan_of(&r.try_get::<String, _>("plan_id")?)?,
            code: code(&r.try_get::<String, _>("code")?)?,
            text: r.try_get("body")?,
        };
        rec_codes.insert(id.clone(), value.code.clone());
        s.recommendations.push(Rec {
            version: r.try_get("version")?,
            value,
            id,
        });
    }
    let mut outcomes = codes_by_owner(
        conn,
        tenant,
        "action_links",
        "action_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    let mut services = codes_by_owner(
        conn,
        tenant,
        "action_links",
        "action_id",
        "services",
        "service_id",
    )
    .await?;
    let mut notes: HashMap<String, Vec<Rec<ProgressNote>>> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, version, action_id, note_date, by_name, body FROM action_progress
         WHERE tenant_id = $1 ORDER BY note_date, position",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        notes.entry(r.try_get("action_id")?).or_default().push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: ProgressNote {
                on: date(&r.try_get::<String, _>("note_date")?)?,
                by: r.try_get("by_name")?,
                text: r.try_get("body")?,
            },
        });
    }
    for r in sqlx::query(
        "SELECT a.id, a.version, a.code, a.plan_id, a.recommendation_id, a.title, a.leads, u.email,
                a.due, a.timescale, a.status, a.percent_complete, a.risks
         FROM actions a
         LEFT JOIN people pe ON pe.id = a.owner_id LEFT JOIN users u ON u.id = pe.user_id
         WHERE a.tenant_id = $1 ORDER BY a.position",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        let percent: i64 = r.try_get("percent_complete")?;
        let own = notes.remove(&id).unwrap_or_default();
        let value = Action {
            code: code(&r.try_get::<String, _>("code")?)?,
            plan: plan_of(&r.try_get::<String, _>("plan_id")?)?,
            recommendation: {
                let rid: String = r.try_get("recommendation_id")?;
                rec_codes
                    .get(&rid)
                    .cloned()
                    .ok_or_else(|| corrupt("recommendation", &rid))?
            },
            title: r.try_get("title")?,
            lead: r.try_get("leads")?,
            owner: email_opt(r.try_get("email")?)?,
            due: date_opt(r.try_get("due")?)?,
            timescale: r.try_get("timescale")?,
            status: r
                .try_get::<String, _>("status")?
                .parse()
                .map_err(|e| corrupt("status", e))?,
            percent_complete: u8::try_from(percent).map_err(|e| corrupt("percent", e))?,
            outcomes: outcomes.remove(&id).unwrap_or_default(),
            services: services.remove(&id).unwrap_or_default(),
            risks: codes_of(&r.try_get::<String, _>("risks")?)?,
            progress: own.iter().map(|n| n.value.clone()).collect(),
        };
        s.progress.extend(own.into_iter().map(|n| Rec {
            id: n.id,
            version: n.version,
            value: ActionProgress {
                action: value.code.clone(),
                note: n.value,
            },
        }));
        s.actions.push(Rec {
            version: r.try_get("version")?,
            value,
            id,
        });
    }
    Ok(s)
}

/// The next position in `table` (for a tenant, or within `scope_col = scope`).
async fn next_position(
    conn: &mut AnyConnection,
    table: &str,
    scope_col: &str,
    scope: &str,
) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(position), 0) + 1 FROM {table} WHERE {scope_col} = $1");
    Ok(sqlx::query_scalar(&sql)
        .bind(scope)
        .fetch_one(&mut *conn)
        .await?)
}

/// Creates a plan, or replaces the one at `existing` (id, version read).
pub async fn put_plan(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    p: &ActionPlan,
) -> Result<Rec<ActionPlan>> {
    let now = now_text();
    let owner = person_id_opt(conn, tenant, &p.owner).await?;
    let approved = p.approved.map(date_text);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE action_plans SET title = $1, source = $2, owner_id = $3, approved = $4,
                    description = $5, version = version + 1, updated_at = $6
                 WHERE tenant_id = $7 AND id = $8 AND version = $9",
            )
            .bind(&p.title)
            .bind(&p.source)
            .bind(owner)
            .bind(approved)
            .bind(&p.description)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "action_plans", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO action_plans (id, tenant_id, code, title, source, owner_id, approved,
                    description, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(p.code.as_str())
            .bind(&p.title)
            .bind(&p.source)
            .bind(owner)
            .bind(approved)
            .bind(&p.description)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("an action plan '{}' already exists", p.code)))?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: p.clone(),
    })
}

/// Creates a recommendation in the plan it names, or replaces the text of the
/// one at `existing` (it stays in its plan with its code).
pub async fn put_recommendation(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    r: &Recommendation,
) -> Result<Rec<Recommendation>> {
    let now = now_text();
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE recommendations SET body = $1, version = version + 1, updated_at = $2
                 WHERE tenant_id = $3 AND id = $4 AND version = $5",
            )
            .bind(&r.text)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "recommendations", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            let plan_id = id_of(conn, tenant, "action_plans", &r.plan).await?;
            let position = next_position(conn, "recommendations", "tenant_id", &tenant.0).await?;
            sqlx::query(
                "INSERT INTO recommendations (id, tenant_id, plan_id, code, body, position,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(&plan_id)
            .bind(r.code.as_str())
            .bind(&r.text)
            .bind(position)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                unique_as(e, || {
                    format!("plan {} already has a recommendation '{}'", r.plan, r.code)
                })
            })?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: r.clone(),
    })
}

/// The id of a plan's recommendation.
async fn recommendation_id(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    plan: &Code,
    rec: &Code,
) -> Result<String> {
    sqlx::query_scalar(
        "SELECT r.id FROM recommendations r JOIN action_plans p ON p.id = r.plan_id
         WHERE r.tenant_id = $1 AND p.code = $2 AND r.code = $3",
    )
    .bind(&tenant.0)
    .bind(plan.as_str())
    .bind(rec.as_str())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Creates an action, or replaces the one at `existing` (id, version read): its
/// fields and its links to outcomes and services. Its progress notes are kept
/// as they are (see [`put_progress`]); `a.progress` is not written.
pub async fn put_action(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    a: &Action,
) -> Result<Rec<Action>> {
    let now = now_text();
    let plan_id = id_of(conn, tenant, "action_plans", &a.plan).await?;
    let rec_id = recommendation_id(conn, tenant, &a.plan, &a.recommendation).await?;
    let owner = person_id_opt(conn, tenant, &a.owner).await?;
    let due = a.due.map(date_text);
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE actions SET plan_id = $1, recommendation_id = $2, title = $3, leads = $4,
                    owner_id = $5, due = $6, timescale = $7, status = $8, percent_complete = $9,
                    risks = $10, version = version + 1, updated_at = $11
                 WHERE tenant_id = $12 AND id = $13 AND version = $14",
            )
            .bind(&plan_id)
            .bind(&rec_id)
            .bind(&a.title)
            .bind(&a.lead)
            .bind(owner)
            .bind(due)
            .bind(&a.timescale)
            .bind(a.status.as_str())
            .bind(i64::from(a.percent_complete))
            .bind(codes_text(&a.risks))
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "actions", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            let position = next_position(conn, "actions", "tenant_id", &tenant.0).await?;
            sqlx::query(
                "INSERT INTO actions (id, tenant_id, code, plan_id, recommendation_id, title, leads,
                    owner_id, due, timescale, status, percent_complete, risks, position,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(a.code.as_str())
            .bind(&plan_id)
            .bind(&rec_id)
            .bind(&a.title)
            .bind(&a.lead)
            .bind(owner)
            .bind(due)
            .bind(&a.timescale)
            .bind(a.status.as_str())
            .bind(i64::from(a.percent_complete))
            .bind(codes_text(&a.risks))
            .bind(position)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, || format!("an action '{}' already exists", a.code)))?;
            (id, 1)
        }
    };
    set_links(conn, tenant, &id, &a.outcomes, &a.services).await?;
    Ok(Rec {
        id,
        version,
        value: a.clone(),
    })
}

/// Replaces an action's links to outcomes and services, keeping their order.
async fn set_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    action_id: &str,
    outcomes: &[Code],
    services: &[Code],
) -> Result<()> {
    sqlx::query("DELETE FROM action_links WHERE tenant_id = $1 AND action_id = $2")
        .bind(&tenant.0)
        .bind(action_id)
        .execute(&mut *conn)
        .await?;
    for (col, table, codes) in [
        ("outcome_id", "outcomes", outcomes),
        ("service_id", "services", services),
    ] {
        for (i, c) in codes.iter().enumerate() {
            let target = id_of(conn, tenant, table, c).await?;
            sqlx::query(&format!(
                "INSERT INTO action_links (tenant_id, action_id, {col}, position) VALUES ($1, $2, $3, $4)"
            ))
            .bind(&tenant.0)
            .bind(action_id)
            .bind(target)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Deletes an action at `version`, with its links and progress notes.
pub async fn delete_action(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT version FROM actions WHERE tenant_id = $1 AND id = $2")
            .bind(&tenant.0)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match current {
        None => return Err(StoreError::NotFound),
        Some(v) if v != version => return Err(StoreError::Conflict { expected: version }),
        Some(_) => {}
    }
    set_links(conn, tenant, id, &[], &[]).await?;
    sqlx::query("DELETE FROM action_progress WHERE tenant_id = $1 AND action_id = $2")
        .bind(&tenant.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    delete_versioned(conn, tenant, "actions", id, version).await
}

/// Adds a progress note to the action it names, or replaces the one at
/// `existing` (it stays with its action).
pub async fn put_progress(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    existing: Option<(&str, i64)>,
    p: &ActionProgress,
) -> Result<Rec<ActionProgress>> {
    let now = now_text();
    let (id, version) = match existing {
        Some((id, version)) => {
            let n = sqlx::query(
                "UPDATE action_progress SET note_date = $1, by_name = $2, body = $3,
                    version = version + 1, updated_at = $4
                 WHERE tenant_id = $5 AND id = $6 AND version = $7",
            )
            .bind(date_text(p.note.on))
            .bind(&p.note.by)
            .bind(&p.note.text)
            .bind(&now)
            .bind(&tenant.0)
            .bind(id)
            .bind(version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(stale_or_missing(conn, tenant, "action_progress", id, version).await);
            }
            (id.to_string(), version + 1)
        }
        None => {
            let id = new_id();
            let action_id = id_of(conn, tenant, "actions", &p.action).await?;
            let position = next_position(conn, "action_progress", "action_id", &action_id).await?;
            sqlx::query(
                "INSERT INTO action_progress (id, tenant_id, action_id, note_date, by_name, body,
                    position, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(&id)
            .bind(&tenant.0)
            .bind(&action_id)
            .bind(date_text(p.note.on))
            .bind(&p.note.by)
            .bind(&p.note.text)
            .bind(position)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    Ok(Rec {
        id,
        version,
        value: p.clone(),
    })
}

/// Deletes an action plan at `version`; refused while it has recommendations.
pub async fn delete_plan(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_unless_used(
        conn,
        tenant,
        ("action_plans", "this action plan"),
        &[(
            "recommendation(s)",
            "SELECT COUNT(*) FROM recommendations WHERE plan_id = $1",
        )],
        id,
        version,
    )
    .await
}

/// Deletes a recommendation at `version`; refused while it has actions.
pub async fn delete_recommendation(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_unless_used(
        conn,
        tenant,
        ("recommendations", "this recommendation"),
        &[(
            "action(s)",
            "SELECT COUNT(*) FROM actions WHERE recommendation_id = $1",
        )],
        id,
        version,
    )
    .await
}
