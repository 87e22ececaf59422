//! Databases for tests: every test gets its own SQLite file and, when
//! `GOLDTHREAD_TEST_PG_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`),
//! its own freshly created PostgreSQL database. Both are removed when dropped.
use crate::{Backend, Db};
use std::path::PathBuf;

pub const PG_ENV: &str = "GOLDTHREAD_TEST_PG_URL";

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A migrated, empty database that removes itself when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub async fn sqlite() -> TestDb {
        let path =
            std::env::temp_dir().join(format!("goldthread-test-{}.db", uuid::Uuid::now_v7()));
        let url = format!("sqlite://{}", path.display());
        let db = Db::open(&url).await.expect("open test SQLite database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::File(path),
        }
    }

    pub async fn postgres(admin_url: &str) -> TestDb {
        sqlx::any::install_default_drivers();
        let name = format!("goldthread_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!("{PG_ENV} is set but PostgreSQL does not answer at {admin_url}: {e}")
            });
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let base = admin_url.split('?').next().unwrap_or(admin_url);
        let url = format!(
            "{}/{name}",
            &base[..base.rfind('/').expect("a database URL has a path")]
        );
        let db = Db::open(&url).await.expect("open test PostgreSQL database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_string(),
                name,
            },
        }
    }
}

/// The databases every storage test runs on: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite().await];
    if let Ok(url) = std::env::var(PG_ENV)
        && !url.is_empty()
    {
        v.push(TestDb::postgres(&url).await);
    }
    v
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // The test's runtime may be blocked in this drop, so use a thread and runtime of
                // our own; FORCE ends the test's own connections server-side.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async move {
                        if let Ok(mut admin) =
                            <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await
                        {
                            let _ = sqlx::raw_sql(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
