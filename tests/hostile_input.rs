//! Hostile and malformed input: every file in `tests/fixtures/bad-input/` (listed
//! with its importer and expected error in `cases.tsv`; `generate.py` made them
//! from the demo council's own rows) is given to `goldthread import` against
//! the demo council, on SQLite and (when GOLDTHREAD_TEST_PG_URL is set) on
//! PostgreSQL. Each must be refused with its `file:row:column: message` (or
//! file-level message), and afterwards every table of the database must hold
//! exactly what it held before, row for row and value for value — no row
//! written, no audit row, nothing. A 200 MB file is made here too.
use goldthread_store::testing::TestDb;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TENANT: &str = "clackmannanshire";

fn goldthread(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_goldthread"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env_remove("GOLDTHREAD_DATABASE_URL")
        .env_remove("GOLDTHREAD_MAX_IMPORT_MB")
        .env("GOLDTHREAD_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input")
}

/// The cases: file (relative to the corpus), importer, expected error fragment.
fn cases() -> Vec<(PathBuf, String, String)> {
    let dir = corpus();
    let text = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "cases.tsv: {l}");
            (dir.join(f[0]), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// A 200 MB measurements file (valid rows, repeated): refused by its size
/// before a byte of it is read.
fn two_hundred_megabytes(dir: &Path) -> PathBuf {
    let path = dir.join("measurements.200mb.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        f,
        "indicator,period,locality,value,missing_reason,status,note"
    )
    .unwrap();
    let row = b"NPFI-EMP01,2021,,70.2,,assured,a note long enough to fill the file quickly\n";
    let mut written = 0;
    while written < 200_000_000 {
        f.write_all(row).unwrap();
        written += row.len();
    }
    f.flush().unwrap();
    path
}

async fn run(db: TestDb) {
    let url = db.url.clone();
    let out = goldthread(&url, &["demo", "--no-serve"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every table, every row, every value (the archive's reader of the
    // database catalogue, over the whole database).
    let content = || async { db.db.table_contents().await.unwrap() };
    let before = content().await;
    assert!(before.len() > 30, "{} tables", before.len());
    let scratch = std::env::temp_dir().join(format!("goldthread-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut cases = cases();
    cases.push((
        two_hundred_megabytes(&scratch),
        "measurements".into(),
        "measurements.200mb.csv: is 190.7 MB; the largest file goldthread imports is 128.0 MB"
            .into(),
    ));
    let mut refused = 0;
    for (path, importer, expect) in &cases {
        let out = goldthread(
            &url,
            &[
                "import",
                importer,
                path.to_str().unwrap(),
                "--tenant",
                TENANT,
            ],
        );
        let said = String::from_utf8_lossy(&out.stderr);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!out.status.success(), "{name} was imported: {said}");
        assert!(
            said.contains(expect.as_str()),
            "{name}: expected '{expect}' in:\n{said}"
        );
        assert!(
            said.contains("nothing was written"),
            "{name}: the refusal must say nothing was written:\n{said}"
        );
        let after = content().await;
        assert_eq!(before.len(), after.len(), "{name} changed the tables");
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b != a)
            .map(|(b, _)| b.name.as_str())
            .collect();
        assert!(changed.is_empty(), "{name} changed {changed:?}");
        refused += 1;
    }
    std::fs::remove_dir_all(&scratch).ok();
    let files = std::fs::read_dir(corpus())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "cases.tsv" && e.file_name() != "generate.py")
        .count();
    assert_eq!(files + 1, cases.len(), "every corpus file is a case");
    assert!(refused >= 60, "{refused}");
    eprintln!(
        "{:?}: {refused} hostile files refused, database unchanged",
        db.backend()
    );
}

#[tokio::test]
async fn every_hostile_file_is_refused_and_changes_nothing() {
    run(TestDb::sqlite().await).await;
    if let Ok(pg) = std::env::var(goldthread_store::testing::PG_ENV) {
        run(TestDb::postgres(&pg).await).await;
    }
}
