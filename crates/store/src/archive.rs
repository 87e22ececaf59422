//! A database-neutral archive of one tenant: every row the council owns, in
//! every table (its audit trail included), with the user accounts its people
//! sign in with, as JSON that either backend restores exactly. It moves a
//! council between SQLite and PostgreSQL, or backs one up from PostgreSQL
//! without `pg_dump`.
//!
//! The archive is read from the database's own catalogue, not from a list kept
//! by hand, so a table a later migration adds is archived without anyone
//! remembering to. Left out, on purpose: sessions (sign-ins end with the old
//! database), sign-in attempts (rate-limit counters) and the migrations table
//! (the archive records the schema version instead).
use crate::audit::{self, ActorRef, NewAudit};
use crate::{Backend, Db, Result, StoreError, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

pub const FORMAT: &str = "goldthread-archive";
pub const VERSION: u32 = 1;

/// Tables never archived (see the module documentation).
const LEFT_OUT: &[&str] = &["sessions", "login_attempts", "schema_migrations"];

/// One table's rows: column names, then each row's values in that order
/// (an integer, a string or null).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRows {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub version: u32,
    /// The number of migrations the database had: a restore needs the same.
    pub schema_version: usize,
    pub tenant_code: String,
    /// Tables in an order that satisfies every foreign key.
    pub tables: Vec<TableRows>,
}

impl Archive {
    /// Row counts by table.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.tables
            .iter()
            .map(|t| (t.name.clone(), t.rows.len()))
            .collect()
    }
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    integer: bool,
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The application's tables, parents before children (a topological order of
/// the foreign keys, ties by name), each with its columns.
async fn tables(c: &mut AnyConnection, backend: Backend) -> Result<Vec<(String, Vec<Column>)>> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        ),
    }
    .fetch_all(&mut *c)
    .await?;
    let edges: Vec<(String, String)> = match backend {
        Backend::Sqlite => sqlx::query(
            "SELECT m.name AS child, p.\"table\" AS parent FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table'",
        ),
        Backend::Postgres => sqlx::query(
            "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        ),
    }
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| (r.get::<String, _>("child"), r.get::<String, _>("parent")))
    .collect();
    // Kahn's algorithm, always taking the first ready table by name.
    let mut waiting: BTreeMap<String, BTreeSet<String>> =
        names.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    for (child, parent) in edges {
        if child != parent
            && let Some(w) = waiting.get_mut(&child)
        {
            w.insert(parent);
        }
    }
    let mut ordered = Vec::new();
    while !waiting.is_empty() {
        let ready = waiting
            .iter()
            .find(|(_, parents)| parents.is_empty())
            .map(|(n, _)| n.clone())
            .ok_or_else(|| StoreError::Invalid("the tables' foreign keys form a cycle".into()))?;
        waiting.remove(&ready);
        for parents in waiting.values_mut() {
            parents.remove(&ready);
        }
        ordered.push(ready);
    }
    let mut out = Vec::new();
    for name in ordered {
        let cols: Vec<(String, String)> = match backend {
            Backend::Sqlite => sqlx::query(
                "SELECT name, type AS data_type FROM pragma_table_info($1) ORDER BY cid",
            ),
            Backend::Postgres => sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            ),
        }
        .bind(&name)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("data_type")))
        .collect();
        let cols = cols
            .into_iter()
            .map(|(name, ty)| {
                let ty = ty.to_ascii_lowercase();
                Column {
                    name,
                    integer: ty.contains("int"),
                }
            })
            .collect();
        out.push((name, cols));
    }
    Ok(out)
}

/// Reads rows as JSON values, every value through `CAST(… AS TEXT)` so both
/// backends give the same text, ordered by every column.
async fn rows(
    c: &mut AnyConnection,
    backend: Backend,
    table: &str,
    cols: &[Column],
    filter: &str,
    bind: Option<&str>,
) -> Result<Vec<Vec<Value>>> {
    let select = cols
        .iter()
        .enumerate()
        .map(|(i, col)| format!("CAST({} AS TEXT) AS c{i}", quote(&col.name)))
        .collect::<Vec<_>>()
        .join(", ");
    // Byte order and nulls first on both backends (PostgreSQL would otherwise
    // sort text by its locale and nulls last), so both write the same archive.
    let collate = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " COLLATE \"C\"",
    };
    let order = cols
        .iter()
        .map(|col| format!("CAST({} AS TEXT){collate} NULLS FIRST", quote(&col.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {select} FROM {} {filter} ORDER BY {order}",
        quote(table)
    );
    let mut q = sqlx::query(&sql);
    if let Some(b) = bind {
        q = q.bind(b.to_string());
    }
    let mut out = Vec::new();
    for r in q.fetch_all(&mut *c).await? {
        let mut row = Vec::with_capacity(cols.len());
        for (i, col) in cols.iter().enumerate() {
            let v: Option<String> = r.try_get(i)?;
            row.push(match v {
                None => Value::Null,
                Some(s) if col.integer => s.parse::<i64>().map(Value::from).map_err(|_| {
                    StoreError::Invalid(format!("{table}.{}: '{s}' is not an integer", col.name))
                })?,
                Some(s) => Value::String(s),
            });
        }
        out.push(row);
    }
    Ok(out)
}

impl Db {
    /// The number of migrations applied.
    async fn schema_version(&self, c: &mut AnyConnection) -> Result<usize> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(&mut *c)
            .await?;
        Ok(n as usize)
    }

    /// Every row of every table, whole (sessions and migrations included), in
    /// the archive's order and form: two databases hold the same content when
    /// these are equal.
    pub async fn table_contents(&self) -> Result<Vec<TableRows>> {
        let mut c = self.read().await?;
        let backend = self.backend();
        let mut out = Vec::new();
        for (name, cols) in tables(&mut c, backend).await? {
            let rows = rows(&mut c, backend, &name, &cols, "", None).await?;
            out.push(TableRows {
                name,
                columns: cols.into_iter().map(|c| c.name).collect(),
                rows,
            });
        }
        Ok(out)
    }

    /// Every row the tenant owns, and the user accounts of its people and
    /// tokens, as a neutral archive.
    pub async fn export_archive(&self, tenant: &TenantId) -> Result<Archive> {
        let mut c = self.read().await?;
        let schema_version = self.schema_version(&mut c).await?;
        let code: String = sqlx::query_scalar("SELECT code FROM tenants WHERE id = $1")
            .bind(tenant.as_str())
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound)?;
        let backend = self.backend();
        let mut out = Vec::new();
        for (name, cols) in tables(&mut c, backend).await? {
            if LEFT_OUT.contains(&name.as_str()) {
                continue;
            }
            let has = |n: &str| cols.iter().any(|c| c.name == n);
            let rows = if name == "tenants" {
                rows(
                    &mut c,
                    backend,
                    &name,
                    &cols,
                    "WHERE id = $1",
                    Some(tenant.as_str()),
                )
                .await?
            } else if name == "users" {
                rows(
                    &mut c,
                    backend,
                    &name,
                    &cols,
                    "WHERE id IN (SELECT user_id FROM people WHERE tenant_id = $1) OR id IN (SELECT user_id FROM api_tokens WHERE tenant_id = $1) OR id IN (SELECT actor_id FROM audit_log WHERE tenant_id = $1)",
                    Some(tenant.as_str()),
                )
                .await?
            } else if has("tenant_id") {
                rows(
                    &mut c,
                    backend,
                    &name,
                    &cols,
                    "WHERE tenant_id = $1",
                    Some(tenant.as_str()),
                )
                .await?
            } else {
                return Err(StoreError::Invalid(format!(
                    "table {name} belongs to no tenant and is not known to the archive"
                )));
            };
            out.push(TableRows {
                name,
                columns: cols.into_iter().map(|c| c.name).collect(),
                rows,
            });
        }
        Ok(Archive {
            format: FORMAT.into(),
            version: VERSION,
            schema_version,
            tenant_code: code,
            tables: out,
        })
    }

    /// Restores an archive as a new tenant, in one transaction: refused, with
    /// nothing written, when the archive is not one this version reads, its
    /// schema differs, the council is already here, or one of its accounts
    /// clashes with another one here. An account already here (same id and
    /// email, e.g. a person who works for two councils) is kept as it is.
    /// Records the restore in the audit trail. Returns the rows written.
    pub async fn restore_archive(
        &self,
        a: &Archive,
        actor: &ActorRef,
        label: &str,
    ) -> Result<usize> {
        if a.format != FORMAT || a.version != VERSION {
            return Err(StoreError::Invalid(format!(
                "not a goldthread archive this version reads (format '{}', version {})",
                a.format, a.version
            )));
        }
        let mut tx = self.write(None).await?;
        let c = tx.conn();
        let here = self.schema_version(c).await?;
        if a.schema_version != here {
            return Err(StoreError::Invalid(format!(
                "the archive's schema has {} migrations and this database {here}; restore it with the goldthread version that wrote it",
                a.schema_version
            )));
        }
        let known: BTreeMap<String, Vec<Column>> =
            tables(c, self.backend()).await?.into_iter().collect();
        let tenant_id = a
            .tables
            .iter()
            .find(|t| t.name == "tenants")
            .and_then(|t| {
                let i = t.columns.iter().position(|c| c == "id")?;
                t.rows.first()?.get(i)?.as_str().map(str::to_string)
            })
            .ok_or_else(|| StoreError::Invalid("the archive holds no council".into()))?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT code FROM tenants WHERE id = $1 OR code = $2")
                .bind(&tenant_id)
                .bind(&a.tenant_code)
                .fetch_optional(&mut *c)
                .await?;
        if let Some(code) = exists {
            return Err(StoreError::Duplicate(format!(
                "council '{code}' is already in this database; nothing was restored"
            )));
        }
        let mut written = 0;
        for t in &a.tables {
            let cols = known.get(&t.name).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the archive has a table '{}' this database does not",
                    t.name
                ))
            })?;
            let names: BTreeSet<&str> = cols.iter().map(|c| c.name.as_str()).collect();
            if t.columns
                .iter()
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                != names
            {
                return Err(StoreError::Invalid(format!(
                    "the archive's {} has columns {:?}; this database's has {:?}",
                    t.name, t.columns, names
                )));
            }
            let integer: Vec<bool> = t
                .columns
                .iter()
                .map(|n| cols.iter().any(|c| &c.name == n && c.integer))
                .collect();
            let insert = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote(&t.name),
                t.columns
                    .iter()
                    .map(|c| quote(c))
                    .collect::<Vec<_>>()
                    .join(", "),
                integer
                    .iter()
                    .enumerate()
                    .map(|(i, int)| if *int {
                        format!("CAST(${} AS BIGINT)", i + 1)
                    } else {
                        format!("${}", i + 1)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for row in &t.rows {
                if row.len() != t.columns.len() {
                    return Err(StoreError::Invalid(format!(
                        "a row of the archive's {} has {} values for {} columns",
                        t.name,
                        row.len(),
                        t.columns.len()
                    )));
                }
                if t.name == "users" && !new_user(c, &t.columns, row).await? {
                    continue;
                }
                let mut q = sqlx::query(&insert);
                for v in row {
                    q = q.bind(match v {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        other => {
                            return Err(StoreError::Invalid(format!(
                                "the archive's {} holds {other}, which is not a value a column takes",
                                t.name
                            )));
                        }
                    });
                }
                q.execute(&mut *c).await?;
                written += 1;
            }
        }
        let tenant = TenantId(tenant_id);
        audit::record(
            c,
            NewAudit {
                tenant: Some(&tenant),
                actor,
                action: "restore",
                entity_type: "tenant",
                entity_id: Some(tenant.as_str()),
                entity_code: Some(&a.tenant_code),
                before: None,
                after: Some(serde_json::to_value(a.counts()).unwrap_or(Value::Null)),
                context: Some(serde_json::json!({ "archive": label, "rows": written })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }
}

/// Whether the archived user in `row` must be inserted: not when the same
/// account (id and email) is already here; refused when either clashes.
async fn new_user(c: &mut AnyConnection, columns: &[String], row: &[Value]) -> Result<bool> {
    let field = |n: &str| {
        columns
            .iter()
            .position(|c| c == n)
            .and_then(|i| row[i].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (id, email) = (field("id"), field("email"));
    let held: Option<(String, String)> =
        sqlx::query("SELECT id, email FROM users WHERE id = $1 OR email = $2")
            .bind(&id)
            .bind(&email)
            .fetch_optional(&mut *c)
            .await?
            .map(|r| (r.get("id"), r.get("email")));
    match held {
        None => Ok(true),
        Some((i, e)) if i == id && e == email => Ok(false),
        Some((i, e)) => Err(StoreError::Duplicate(format!(
            "the archive's account {email} clashes with the account {e} ({i}) here; nothing was restored"
        ))),
    }
}
