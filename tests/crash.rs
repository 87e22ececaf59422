//! Crash safety: `goldthread import measurements` is killed with SIGKILL at
//! spread-out points while it writes, again and again, on SQLite and (when
//! GOLDTHREAD_TEST_PG_URL is set) on PostgreSQL. After every kill the database
//! passes its integrity check and holds either the whole import or none of
//! it — never part — and the next import still works.
//!
//! Size and count: `GOLDTHREAD_CRASH_INDICATORS` (default 1,000: about 21,600
//! rows), `GOLDTHREAD_CRASH_PERIODS` (default 20), `GOLDTHREAD_CRASH_KILLS`
//! (default 20). The million-row run is
//! `GOLDTHREAD_CRASH_INDICATORS=25000 GOLDTHREAD_CRASH_PERIODS=40 cargo test --release --test crash`.
#![cfg(unix)]
use goldthread_store::Db;
use goldthread_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn goldthread(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_goldthread"));
    c.arg("--db")
        .arg(url)
        .env_remove("GOLDTHREAD_DATABASE_URL")
        .env("GOLDTHREAD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn run_ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `measurements.csv` with every row's note set to `note` (the last column).
fn variant(src: &Path, dir: &Path, note: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::with_capacity(text.len() + 64 * 1024);
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out += line;
        } else {
            let cut = line.rfind(',').unwrap();
            out += &line[..=cut];
            out += note;
        }
        out.push('\n');
    }
    let p = dir.join(format!("{note}.csv"));
    std::fs::write(&p, out).unwrap();
    p
}

async fn counts(db: &Db, note: &str) -> (i64, i64) {
    let mut c = db.read().await.unwrap();
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM measurements")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let noted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM measurements WHERE note = $1")
        .bind(note)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    (all, noted)
}

async fn crash_run(url: &str, work: &Path) {
    let (indicators, periods, kills) = (
        env("GOLDTHREAD_CRASH_INDICATORS", 1000),
        env("GOLDTHREAD_CRASH_PERIODS", 20),
        env("GOLDTHREAD_CRASH_KILLS", 20),
    );
    let data = work.join("data");
    run_ok(goldthread(url).args([
        "generate",
        "national",
        "--councils",
        "1",
        "--indicators",
        &indicators.to_string(),
        "--periods",
        &periods.to_string(),
        "--seed",
        "3",
        "--today",
        "2026-11-23",
        "--out",
        data.to_str().unwrap(),
    ]));
    let d = data.join("council-01");
    run_ok(goldthread(url).args(["tenant", "add", "c1", "--name", "Crash Council"]));
    run_ok(goldthread(url).args(["import", "framework", d.to_str().unwrap(), "--tenant", "c1"]));
    for k in ["localities", "indicators"] {
        let f = d.join(format!("{k}.csv"));
        run_ok(goldthread(url).args(["import", k, f.to_str().unwrap(), "--tenant", "c1"]));
    }
    let src = d.join("measurements.csv");
    let rows = std::fs::read_to_string(&src).unwrap().lines().count() as i64 - 1;

    // The rows created, then changed by a whole import, timed: the kills are
    // spread over the length of such a change.
    let import = |file: &Path| {
        run_ok(goldthread(url).args([
            "import",
            "measurements",
            file.to_str().unwrap(),
            "--tenant",
            "c1",
        ]))
    };
    import(&variant(&src, work, "created"));
    let second = variant(&src, work, "run-0");
    let t0 = Instant::now();
    import(&second);
    let whole = t0.elapsed();
    let db = Db::connect(url).await.unwrap();
    assert_eq!(counts(&db, "run-0").await, (rows, rows));

    let (mut none, mut all) = (0, 0);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in 1..=kills {
        let note = format!("run-{k}");
        let file = variant(&src, work, &note);
        // A point from 2% to 130% of a whole import's length, spread by an LCG.
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let frac = 0.02 + ((seed >> 33) % 1000) as f64 / 1000.0 * 1.28;
        let mut child = goldthread(url)
            .args([
                "import",
                "measurements",
                file.to_str().unwrap(),
                "--tenant",
                "c1",
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(frac));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        db.integrity_check()
            .await
            .unwrap_or_else(|e| panic!("kill {k} at {:.0}%: {e}", frac * 100.0));
        let (total, noted) = counts(&db, &note).await;
        assert_eq!(total, rows, "kill {k}: no row lost or doubled");
        assert!(
            noted == 0 || noted == rows,
            "kill {k} at {:.0}%: {noted} of {rows} rows written — part of an import",
            frac * 100.0
        );
        if noted == 0 {
            none += 1;
        } else {
            all += 1;
        }
    }
    // The database takes the next import whole.
    let last = variant(&src, work, "after");
    run_ok(goldthread(url).args([
        "import",
        "measurements",
        last.to_str().unwrap(),
        "--tenant",
        "c1",
    ]));
    assert_eq!(counts(&db, "after").await, (rows, rows));
    db.close().await;
    println!(
        "{url}: {rows} rows, a whole re-import {whole:.1?}; {kills} kills: {none} left nothing, {all} had committed"
    );
    assert!(none > 0, "at least one kill landed before the commit");
}

#[test]
fn killing_an_import_leaves_all_of_it_or_none() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crash-sqlite");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let url = format!("sqlite://{}", work.join("crash.db").display());
    run_ok(goldthread(&url).arg("migrate"));
    rt.block_on(crash_run(&url, &work));

    if let Ok(admin) = std::env::var("GOLDTHREAD_TEST_PG_URL") {
        let t = rt.block_on(TestDb::postgres(&admin));
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crash-postgres");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        rt.block_on(crash_run(&t.url, &work));
        drop(t);
    }
}
