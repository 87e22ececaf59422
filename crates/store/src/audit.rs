//! The audit trail: append-only rows of who changed what, when, before and after.
//! Rows are written in the same transaction as the change they describe.
use crate::{Result, TenantId};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

/// Who is acting: a signed-in user, a token holder, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRef {
    pub user_id: Option<String>,
    /// An email address, or `cli:<os user>` for the command line.
    pub label: String,
}

impl ActorRef {
    pub fn cli() -> ActorRef {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        ActorRef {
            user_id: None,
            label: format!("cli:{who}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub tenant: Option<&'a TenantId>,
    pub actor: &'a ActorRef,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub entity_code: Option<&'a str>,
    pub before: Option<AuditJson>,
    pub after: Option<Value>,
    pub context: Option<Value>,
}

/// A before-image for the audit trail: a JSON value, or JSON text already
/// written. An import that replaces a million records writes their
/// before-images as text as it goes: held as values they would take gigabytes.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditJson {
    Value(Value),
    Text(String),
}

impl From<Value> for AuditJson {
    fn from(v: Value) -> Self {
        AuditJson::Value(v)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: String,
    pub actor: String,
    pub at: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub entity_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub context: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    /// Matches the entity's id or its code.
    pub entity: Option<String>,
    pub actor: Option<String>,
    /// RFC 3339 timestamp or ISO date; rows at or after it.
    pub since: Option<String>,
    pub limit: i64,
}

fn json_text(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

pub async fn record(conn: &mut AnyConnection, a: NewAudit<'_>) -> Result<String> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor_id, actor, at, action, entity_type, entity_id, entity_code, before_json, after_json, context)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(a.tenant.map(|t| t.0.clone()))
    .bind(a.actor.user_id.clone())
    .bind(&a.actor.label)
    .bind(crate::now_text())
    .bind(a.action)
    .bind(a.entity_type)
    .bind(a.entity_id.map(str::to_string))
    .bind(a.entity_code.map(str::to_string))
    .bind(a.before.map(|b| match b {
        AuditJson::Value(v) => v.to_string(),
        AuditJson::Text(t) => t,
    }))
    .bind(json_text(&a.after))
    .bind(json_text(&a.context))
    .execute(conn)
    .await?;
    Ok(id)
}

fn parse_json(s: Option<String>) -> Option<Value> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

/// The audit rows of one tenant, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    f: &AuditFilter,
) -> Result<Vec<AuditRow>> {
    let mut sql = String::from(
        "SELECT id, actor, at, action, entity_type, entity_id, entity_code, before_json, after_json, context
         FROM audit_log WHERE tenant_id = $1",
    );
    let mut binds: Vec<String> = vec![tenant.0.clone()];
    let mut push = |sql: &mut String, clause: &str, value: String| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(t) = &f.entity_type {
        push(&mut sql, " AND entity_type = ?", t.clone());
    }
    if let Some(e) = &f.entity {
        push(&mut sql, " AND (entity_id = ?", e.clone());
        push(&mut sql, " OR entity_code = ?)", e.clone());
    }
    if let Some(a) = &f.actor {
        push(&mut sql, " AND actor = ?", a.clone());
    }
    if let Some(s) = &f.since {
        push(&mut sql, " AND at >= ?", s.clone());
    }
    let limit = if f.limit <= 0 { 500 } else { f.limit.min(5000) };
    sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get("id")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
                action: r.try_get("action")?,
                entity_type: r.try_get("entity_type")?,
                entity_id: r.try_get("entity_id")?,
                entity_code: r.try_get("entity_code")?,
                before: parse_json(r.try_get("before_json")?),
                after: parse_json(r.try_get("after_json")?),
                context: parse_json(r.try_get("context")?),
            })
        })
        .collect()
}

/// Counts every audit row (all tenants); for tests and operations.
pub async fn count_all(conn: &mut AnyConnection) -> Result<i64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(conn)
        .await?;
    Ok(n)
}
