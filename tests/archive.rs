//! The database-neutral archive: the demo council (with its audit trail) goes
//! from SQLite to PostgreSQL and back through `goldthread export all` and
//! `goldthread restore --from`, and every table holds the same rows at the end
//! as at the start — counts and every value, audit trail included, apart from
//! the one audit row each restore adds. Restores that must be refused change
//! nothing. Without GOLDTHREAD_TEST_PG_URL the middle database is SQLite too.
use goldthread_store::archive::Archive;
use goldthread_store::testing::{PG_ENV, TestDb};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn goldthread(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goldthread"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env_remove("GOLDTHREAD_DATABASE_URL")
        .env("GOLDTHREAD_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn refused(o: Output, says: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(says), "expected '{says}' in: {err}");
}

fn export(url: &str, dir: &Path, name: &str) -> (PathBuf, Archive) {
    let path = dir.join(name);
    ok(goldthread(
        url,
        &[
            "export",
            "all",
            "--tenant",
            "clackmannanshire",
            "--out",
            path.to_str().unwrap(),
        ],
    ));
    let a: Archive = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, a)
}

/// The archive with the audit rows of restores taken out, and how many there were.
fn without_restores(mut a: Archive) -> (Archive, usize) {
    let audit = a.tables.iter_mut().find(|t| t.name == "audit_log").unwrap();
    let action = audit.columns.iter().position(|c| c == "action").unwrap();
    let before = audit.rows.len();
    audit
        .rows
        .retain(|r| r[action] != Value::String("restore".into()));
    let restores = before - audit.rows.len();
    (a, restores)
}

async fn middle() -> TestDb {
    match std::env::var(PG_ENV) {
        Ok(pg) => TestDb::postgres(&pg).await,
        Err(_) => TestDb::sqlite().await,
    }
}

#[tokio::test]
async fn a_council_round_trips_sqlite_to_postgresql_and_back_with_nothing_lost() {
    let dir = std::env::temp_dir().join(format!("goldthread-archive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = TestDb::sqlite().await;
    ok(goldthread(&first.url, &["demo", "--no-serve"]));
    // A few more audited changes, so the trail holds imports and edits.
    let csv = dir.join("localities.csv");
    std::fs::write(&csv, "code,name\nALLOA,Alloa town\nMENSTRIE,Menstrie\n").unwrap();
    ok(goldthread(
        &first.url,
        &[
            "import",
            "localities",
            csv.to_str().unwrap(),
            "--tenant",
            "clackmannanshire",
        ],
    ));
    let (a1_path, a1) = export(&first.url, &dir, "a1.json");
    let counts = a1.counts();
    assert!(counts["audit_log"] > 10, "{counts:?}");
    assert!(counts["measurements"] > 1000, "{counts:?}");
    assert_eq!(counts["tenants"], 1);
    assert!(
        !counts.contains_key("sessions"),
        "sessions are never archived"
    );

    let second = middle().await;
    let said = ok(goldthread(
        &second.url,
        &["restore", "--from", a1_path.to_str().unwrap()],
    ));
    assert!(said.contains("Restored clackmannanshire"), "{said}");
    let (a2_path, a2) = export(&second.url, &dir, "a2.json");

    let third = TestDb::sqlite().await;
    ok(goldthread(
        &third.url,
        &["restore", "--from", a2_path.to_str().unwrap()],
    ));
    let (_, a3) = export(&third.url, &dir, "a3.json");

    let (a2, r2) = without_restores(a2);
    let (a3, r3) = without_restores(a3);
    assert_eq!((r2, r3), (1, 2), "each restore is audited once");
    for (i, other) in [(2, &a2), (3, &a3)] {
        assert_eq!(other.counts(), counts, "archive {i}: counts by table");
        for (t, u) in a1.tables.iter().zip(&other.tables) {
            assert_eq!(t.name, u.name);
            assert_eq!(t.columns, u.columns, "{}", t.name);
            assert!(t.rows == u.rows, "archive {i}: table {} differs", t.name);
        }
    }

    // Refused, with nothing changed: the council already there; an archive
    // cut short; one of another schema; one whose rows do not fit (the
    // transaction takes back the rows already written).
    refused(
        goldthread(
            &second.url,
            &["restore", "--from", a1_path.to_str().unwrap()],
        ),
        "is already in this database; nothing was restored",
    );
    // --replace is for SQLite backups: an archive never replaces a council.
    refused(
        goldthread(
            &second.url,
            &["restore", "--from", a1_path.to_str().unwrap(), "--replace"],
        ),
        "--replace does not apply",
    );
    let bytes = std::fs::read(&a1_path).unwrap();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let empty = TestDb::sqlite().await;
    refused(
        goldthread(&empty.url, &["restore", "--from", cut.to_str().unwrap()]),
        "is not a goldthread archive",
    );
    let mut other = a1.clone();
    other.schema_version += 1;
    let other_path = dir.join("other-schema.json");
    std::fs::write(&other_path, serde_json::to_vec(&other).unwrap()).unwrap();
    refused(
        goldthread(
            &empty.url,
            &["restore", "--from", other_path.to_str().unwrap()],
        ),
        "restore it with the goldthread version that wrote it",
    );
    let mut broken = a1.clone();
    let last = broken
        .tables
        .iter_mut()
        .rev()
        .find(|t| !t.rows.is_empty())
        .unwrap();
    last.rows[0].pop();
    let broken_path = dir.join("broken.json");
    std::fs::write(&broken_path, serde_json::to_vec(&broken).unwrap()).unwrap();
    refused(
        goldthread(
            &empty.url,
            &["restore", "--from", broken_path.to_str().unwrap()],
        ),
        "values for",
    );
    let tenants =
        String::from_utf8_lossy(&goldthread(&empty.url, &["tenant", "list"]).stdout).to_string();
    assert!(!tenants.contains("clackmannanshire"), "{tenants}");
    let (_, again) = export(&second.url, &dir, "a2-again.json");
    assert_eq!(
        without_restores(again).0,
        a2,
        "the refusals changed nothing"
    );
    // An archive never overwrites a file.
    refused(
        goldthread(
            &first.url,
            &[
                "export",
                "all",
                "--tenant",
                "clackmannanshire",
                "--out",
                a1_path.to_str().unwrap(),
            ],
        ),
        "never overwrites",
    );
    std::fs::remove_dir_all(&dir).ok();
}
