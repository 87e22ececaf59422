//! Storage for goldthread on SQLite (embedded default) and PostgreSQL (production),
//! through one SQL code path (sqlx's `Any` driver; portable SQL with `$n`
//! placeholders, which both backends accept) and one set of migrations.
//!
//! Every tenant-owned query takes a [`TenantId`], so a caller cannot forget the
//! tenant. Writes go through [`Db::write`], which serialises writers per tenant
//! (on SQLite through one in-process writer lock, on PostgreSQL by locking the
//! tenant row), so that validation against the current state and the write that
//! follows it see the same data, and SQLite busy errors never reach a user.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod actions;
pub mod archive;
pub mod assessment;
pub mod audit;
pub mod benefits;
pub mod commissioning;
pub mod engagement;
pub mod framework;
mod migrate;
pub mod org;
pub mod performance;
pub mod programmes;
pub mod reviews;
pub mod risks;
pub mod testing;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use migrate::MIGRATIONS;
pub use sqlx::AnyConnection;

/// The id of a tenant (council). Only obtainable from the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(pub(crate) String);

impl TenantId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the record was changed by someone else (expected version {expected}); reload and try again"
    )]
    Conflict { expected: i64 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    Duplicate(String),
    /// An operation asked of the store that it refuses (e.g. a backup over
    /// an existing file).
    #[error("{0}")]
    Invalid(String),
    #[error("database URL not supported: {0} (use sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool to one database.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    writer: Arc<Mutex<()>>,
}

/// A write transaction. Commit it with [`WriteTx::commit`]; dropping it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back now (dropping a `WriteTx` also rolls back, but later).
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Normalises a database URL: SQLite files are created if absent.
pub fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let mut u = format!("sqlite:{rest}");
        if !rest.contains("mode=") && !rest.contains(":memory:") {
            u.push(if rest.contains('?') { '&' } else { '?' });
            u.push_str("mode=rwc");
        }
        Ok((u, Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_string(), Backend::Postgres))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

pub(crate) fn now_text() -> String {
    timestamp_text(time::OffsetDateTime::now_utc())
}

/// The stored form of a timestamp: RFC 3339 UTC with microseconds, so that text
/// order is time order.
pub fn timestamp_text(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Db {
    /// Connects (creating a SQLite file if needed). Does not migrate.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // Statement journals of multi-row inserts stay in memory
                        // rather than in temporary files (imports ran 2× slower).
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db {
            pool,
            backend,
            writer: Arc::new(Mutex::new(())),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<Vec<&'static str>> {
        migrate::run(self).await
    }

    /// Whether every known migration has been applied.
    pub async fn migrations_current(&self) -> Result<bool> {
        migrate::current(self).await
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// The tenant's data version: raised by every committed write transaction for it.
    pub async fn data_version(&self, tenant: &TenantId) -> Result<i64> {
        let mut conn = self.read().await?;
        let v: Option<i64> = sqlx::query_scalar("SELECT data_version FROM tenants WHERE id = $1")
            .bind(&tenant.0)
            .fetch_optional(&mut *conn)
            .await?;
        v.ok_or(StoreError::NotFound)
    }

    /// Starts a write transaction. With a tenant, writers to that tenant are
    /// serialised until commit or rollback.
    pub async fn write(&self, tenant: Option<&TenantId>) -> Result<WriteTx> {
        let guard = if self.backend == Backend::Sqlite {
            Some(self.writer.clone().lock_owned().await)
        } else {
            None
        };
        // On SQLite, take the write lock as the transaction begins: a deferred
        // transaction that reads first and writes later can fail at once with
        // "database is locked" instead of waiting for the lock.
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        if let Some(t) = tenant {
            // Locks the tenant's row (serialising its writers on PostgreSQL) and
            // raises its data version, which commits or rolls back with the rest.
            let n = sqlx::query("UPDATE tenants SET data_version = data_version + 1 WHERE id = $1")
                .bind(&t.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
        }
        Ok(WriteTx { tx, _writer: guard })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Writes an online, consistent copy of an SQLite database to `path` with
    /// `VACUUM INTO` (readers and writers carry on meanwhile), then checks the
    /// copy with `PRAGMA integrity_check`. The file must not exist. PostgreSQL
    /// is backed up with its own tools (`pg_dump`), so this refuses it.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "backup copies an SQLite database; back up PostgreSQL with pg_dump (see the README)"
                    .into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; a backup never overwrites a file",
                path.display()
            )));
        }
        let target = path.to_string_lossy().replace('\'', "''");
        let mut c = self.pool.acquire().await?;
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(&mut *c)
            .await?;
        let copy = Db::connect(&format!("sqlite://{}", path.display())).await?;
        let verdict = integrity(&copy).await;
        copy.close().await;
        verdict
    }

    /// `PRAGMA integrity_check` on SQLite (PostgreSQL keeps its own).
    pub async fn integrity_check(&self) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        integrity(self).await
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.pool.acquire().await?;
        c.ping().await?;
        Ok(())
    }
}

async fn integrity(db: &Db) -> Result<()> {
    let mut c = db.pool.acquire().await?;
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *c)
        .await?;
    if rows == ["ok"] {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "the integrity check failed: {}",
            rows.join("; ")
        )))
    }
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`] with `message`.
pub(crate) fn unique_as(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    if let sqlx::Error::Database(d) = &err
        && d.is_unique_violation()
    {
        return StoreError::Duplicate(message());
    }
    StoreError::Db(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalise_url("sqlite://goldthread.db").unwrap(),
            ("sqlite://goldthread.db?mode=rwc".into(), Backend::Sqlite)
        );
        assert_eq!(
            normalise_url("postgres://x/y").unwrap().1,
            Backend::Postgres
        );
        assert!(normalise_url("mysql://x").is_err());
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = timestamp_text(time::macros::datetime!(2026-01-02 03:04:05.000006 UTC));
        assert_eq!(a, "2026-01-02T03:04:05.000006Z");
    }
}
