//! A small migrator: one ordered list of migrations, each with SQL common to both
//! backends plus optional backend-specific SQL (trigger bodies differ between SQLite
//! and PostgreSQL). Applied migrations are recorded with a checksum; an edited,
//! already-applied migration is refused rather than silently diverging.
use crate::{Backend, Db, Result, StoreError};
use sha2::{Digest, Sha256};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub common: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        common: include_str!("../migrations/0001_foundation.sql"),
        sqlite: include_str!("../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "performance",
        common: include_str!("../migrations/0002_performance.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "published",
        common: include_str!("../migrations/0003_published.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "settings",
        common: include_str!("../migrations/0004_settings.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "data_version",
        common: include_str!("../migrations/0005_data_version.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "engagement",
        common: include_str!("../migrations/0006_engagement.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "committees",
        common: include_str!("../migrations/0007_committees.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "reviews",
        common: include_str!("../migrations/0008_reviews.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "contracts",
        common: include_str!("../migrations/0009_contracts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "risks",
        common: include_str!("../migrations/0010_risks.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "benefits",
        common: include_str!("../migrations/0011_benefits.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "actions",
        common: include_str!("../migrations/0012_actions.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "programmes",
        common: include_str!("../migrations/0013_programmes.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "self_assessment",
        common: include_str!("../migrations/0014_self_assessment.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "org",
        common: include_str!("../migrations/0015_org.sql"),
        sqlite: "",
        postgres: "",
    },
];

impl Migration {
    fn checksum(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.common);
        h.update(self.sqlite);
        h.update(self.postgres);
        hex_string(&h.finalize())
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const CREATE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

async fn applied(db: &Db) -> Result<Vec<(i64, String)>> {
    let mut c = db.read().await?;
    sqlx::query(CREATE).execute(&mut *c).await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *c)
            .await?;
    Ok(rows)
}

pub(crate) async fn current(db: &Db) -> Result<bool> {
    let done = applied(db).await?;
    Ok(MIGRATIONS
        .iter()
        .all(|m| done.iter().any(|(v, _)| *v == m.version)))
}

/// Applies every pending migration, each in its own transaction. Returns the names applied.
pub(crate) async fn run(db: &Db) -> Result<Vec<&'static str>> {
    let mut names = Vec::new();
    let mut tx = db.write(None).await?;
    sqlx::raw_sql(CREATE).execute(tx.conn()).await?;
    if db.backend() == Backend::Postgres {
        // Two processes starting together must not both migrate.
        sqlx::query("SELECT pg_advisory_xact_lock(7253100001)")
            .execute(tx.conn())
            .await?;
    }
    let done: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(tx.conn())
            .await?;
    for m in MIGRATIONS {
        if let Some((_, sum)) = done.iter().find(|(v, _)| *v == m.version) {
            if *sum != m.checksum() {
                return Err(StoreError::Migration(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        sqlx::raw_sql(m.common).execute(tx.conn()).await?;
        let specific = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        if !specific.trim().is_empty() {
            sqlx::raw_sql(specific).execute(tx.conn()).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum())
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        names.push(m.name);
    }
    if let Some((v, _)) = done
        .iter()
        .find(|(v, _)| !MIGRATIONS.iter().any(|m| m.version == *v))
    {
        return Err(StoreError::Migration(format!(
            "the database has migration {v}, which this goldthread does not know: it is newer than this binary"
        )));
    }
    tx.commit().await?;
    Ok(names)
}
