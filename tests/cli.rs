//! The `goldthread review` commands, run as the binary against a SQLite database
//! holding one review made through the application layer (the CLI does not
//! open or edit reviews).
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use goldthread_app::reviews::{NewReview, ReviewEdit};
use goldthread_app::{ActorRef, App, Caller};
use goldthread_domain::review::*;
use goldthread_domain::{Code, DeliveryModel};
use goldthread_io::Source;
use goldthread_store::Db;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Output;
use time::macros::date;

const DUTY: &str = "Collect household waste (EPA 1990 s.45)";

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Three options over three years at 3.5%: QUO £100 a year; JOINT £50 one-off
/// then £80 a year; STOP costs nothing but fails the statutory duty.
fn appraisal() -> Appraisal {
    let opt =
        |c: &str, m: DeliveryModel, quo: bool, years: [(i64, i64); 3], s: u8, meets| ReviewOption {
            code: code(c),
            title: format!("Option {c}"),
            delivery_model: m,
            regional: m == DeliveryModel::JointCommissioning,
            partners: String::new(),
            description: String::new(),
            status_quo: quo,
            years: years
                .iter()
                .map(|&(one_off_pence, recurring_pence)| YearCost {
                    one_off_pence,
                    recurring_pence,
                })
                .collect(),
            risk_score: 8,
            scores: default_criteria()
                .into_iter()
                .map(|c| Score {
                    criterion: c.name,
                    score: s,
                    comment: String::new(),
                })
                .collect(),
            duties: vec![DutyMet {
                duty: DUTY.into(),
                meets,
            }],
        };
    Appraisal {
        years: 3,
        options: vec![
            opt(
                "QUO",
                DeliveryModel::SelfDelivery,
                true,
                [(0, 10_000); 3],
                3,
                true,
            ),
            opt(
                "JOINT",
                DeliveryModel::JointCommissioning,
                false,
                [(5_000, 8_000), (0, 8_000), (0, 8_000)],
                4,
                true,
            ),
            opt("STOP", DeliveryModel::Stop, false, [(0, 0); 3], 5, false),
        ],
        preferred: Some(code("JOINT")),
        rationale: "Regional collection shares a fleet".into(),
        ..Default::default()
    }
}

/// A database with the demo framework in tenant `demo` and review WASTE-2026;
/// its URL.
async fn database(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("goldthread.db").display());
    let app = App::new(Db::open(&url).await.unwrap());
    let tenant = app
        .add_tenant(&ActorRef::cli(), "demo", "Demo", "")
        .await
        .unwrap();
    let c = Caller::cli(tenant);
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/clackmannanshire");
    app.import_framework(&c, &Source::Dir(demo), false, "demo")
        .await
        .unwrap();
    let new = NewReview {
        code: "WASTE-2026".into(),
        title: "Waste services review".into(),
        service: "PE-WASTE".into(),
    };
    let r = app
        .open_review(&c, &new, date!(2026 - 11 - 23))
        .await
        .unwrap();
    let edit = ReviewEdit {
        scope: Some(ScopeStep {
            statutory_duties: vec![DUTY.into()],
            ..r.value.scope.clone()
        }),
        appraisal: Some(appraisal()),
        version: Some(r.version),
        ..Default::default()
    };
    app.edit_review(&c, "WASTE-2026", &edit).await.unwrap();
    url
}

/// Runs `goldthread --db URL ARGS…`.
fn goldthread(url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_goldthread"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env_remove("GOLDTHREAD_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[tokio::test]
async fn review_list_shows_code_service_state_preferred_and_title() {
    let url = database(&scratch("list")).await;
    let out = ok(&goldthread(&url, &["review", "list", "--tenant", "demo"]));
    assert_eq!(
        out,
        "WASTE-2026\tPE-WASTE\tscoping\tJOINT\tWaste services review\n"
    );
    let out = ok(&goldthread(
        &url,
        &["review", "list", "--tenant", "demo", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["code"], "WASTE-2026");
    assert_eq!(v[0]["service"], "PE-WASTE");
    assert_eq!(v[0]["state"], "scoping");
    assert_eq!(v[0]["preferred"], "JOINT");
    assert_eq!(v[0]["version"], 2);
}

#[tokio::test]
async fn review_show_prints_the_appraisal_in_pounds() {
    let url = database(&scratch("show")).await;
    let out = ok(&goldthread(
        &url,
        &["review", "show", "WASTE-2026", "--tenant", "demo"],
    ));
    for needle in [
        "Review WASTE-2026: Waste services review",
        "State     scoping",
        DUTY,
        "Options appraisal (3 years, discount rate 3.5%)",
        "No sign-offs yet.",
        "Preferred option JOINT: Regional collection shares a fleet",
    ] {
        assert!(out.contains(needle), "{needle} in\n{out}");
    }
    // NPC by hand: QUO 100 + 100/1.035 + 100/1.035² = £289.97; JOINT £281.98,
    // saving £7.99; STOP £0.00, saving £289.97, fails its duty so not ranked.
    let row = |c: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(c))
            .unwrap_or_else(|| panic!("no row {c} in\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("QUO "),
        [
            "QUO",
            "self-delivery",
            "yes",
            "£289.97",
            "£0.00",
            "60.00",
            "2",
            "no"
        ]
    );
    assert_eq!(
        row("JOINT "),
        [
            "JOINT",
            "*",
            "joint-commissioning",
            "(regional)",
            "no",
            "£281.98",
            "£7.99",
            "80.00",
            "1",
            "no"
        ]
    );
    assert_eq!(
        row("STOP "),
        [
            "STOP", "stop", "no", "£0.00", "£289.97", "100.00", "-", "yes"
        ]
    );

    let out = ok(&goldthread(
        &url,
        &[
            "review",
            "show",
            "WASTE-2026",
            "--tenant",
            "demo",
            "--format",
            "json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["review"]["code"], "WASTE-2026");
    assert_eq!(v["review"]["version"], 2);
    assert_eq!(v["review"]["appraisal"]["options"][1]["code"], "JOINT");
    let f = &v["figures"];
    assert_eq!(f[0]["npc_pence"], 28997);
    assert_eq!(f[1]["npc_pence"], 28198);
    assert_eq!(f[1]["saving_vs_status_quo_pence"], 799);
    assert_eq!(f[1]["rank"], 1);
    assert_eq!(f[2]["fails_statutory"], true);
    assert!(f[2]["rank"].is_null());
}

#[tokio::test]
async fn review_export_writes_the_workbook_or_json() {
    let dir = scratch("export");
    let url = database(&dir).await;
    let xlsx = dir.join("appraisal.xlsx");
    let out = ok(&goldthread(
        &url,
        &[
            "review",
            "export",
            "WASTE-2026",
            "--tenant",
            "demo",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("(XLSX)"), "{out}");
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Appraisal", "Criteria", "Scores", "Explanation"]
    );
    let v = wb.worksheet_range("Appraisal").unwrap();
    let f = wb.worksheet_formula("Appraisal").unwrap();
    // The summary's first row (QUO) is row 13; NPC is column F.
    assert_eq!(v.get_value((12, 0)), Some(&Data::String("QUO".into())));
    match v.get_value((12, 5)) {
        Some(Data::Float(npc)) => assert_eq!((npc * 100.0).round(), 28997.0),
        other => panic!("{other:?}"),
    }
    assert!(f.get_value((12, 5)).unwrap().starts_with("SUMPRODUCT("));

    let json = dir.join("appraisal.json");
    let out = ok(&goldthread(
        &url,
        &[
            "review",
            "export",
            "WASTE-2026",
            "--tenant",
            "demo",
            "--out",
            json.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("(JSON)"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["review"]["code"], "WASTE-2026");
    assert_eq!(v["figures"][0]["npc_pence"], 28997);

    // Any other name is a workbook.
    let other = dir.join("appraisal.dat");
    ok(&goldthread(
        &url,
        &[
            "review",
            "export",
            "WASTE-2026",
            "--tenant",
            "demo",
            "--out",
            other.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::read(&other).unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn an_unknown_review_or_tenant_is_refused_with_exit_code_1() {
    let dir = scratch("unknown");
    let url = database(&dir).await;
    let out = dir.join("nope.xlsx");
    for args in [
        vec!["review", "show", "NOPE", "--tenant", "demo"],
        vec![
            "review",
            "export",
            "NOPE",
            "--tenant",
            "demo",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = goldthread(&url, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("no review 'NOPE'"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout.is_empty());
    }
    assert!(!out.exists(), "nothing written");
    let o = goldthread(&url, &["review", "list", "--tenant", "nowhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no tenant 'nowhere'"));
}

/// `goldthread import|export benefits|benefit-profiles|budget-gap`: each file
/// imported (a dry run writes nothing), exported as imported, and a file with
/// an error refused whole with exit code 1 and `file:row:column` messages.
#[tokio::test]
async fn benefit_files_import_and_export_by_the_command_line() {
    let dir = scratch("benefits");
    let url = database(&dir).await;
    let files = [
        (
            "benefits",
            "code,title,kind,owner,source,source_ref,portfolio,baseline,measure,status,confidence,description,group\n\
             BEN-1,Waste saving,cashable,service.manager@demo.example,project,Route redesign,PE,,,on-track,medium,Illustrative.,\n\
             BEN-2,Old restructure,cashable,,restructure,2018,WB,,,not-realised,high,,People\n",
        ),
        (
            "benefit-profiles",
            "benefit,year,planned,realised\nBEN-1,2026/27,180000,\nBEN-2,2018/19,261000,55000.5\n",
        ),
        (
            "budget-gap",
            "year,gap,note\n2026/27,7200000,Illustrative\n2027/28,4600000,Illustrative\n",
        ),
    ];
    for (name, body) in files {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, body).unwrap();
        let p = path.to_str().unwrap();
        let dry = ok(&goldthread(
            &url,
            &["import", name, p, "--tenant", "demo", "--dry-run"],
        ));
        assert!(dry.contains("Dry run"), "{dry}");
        let done = ok(&goldthread(&url, &["import", name, p, "--tenant", "demo"]));
        assert!(done.contains(&format!("{name}: 2 created")), "{done}");
        let out = dir.join(format!("{name}-out.csv"));
        ok(&goldthread(
            &url,
            &[
                "export",
                name,
                "--tenant",
                "demo",
                "--out",
                out.to_str().unwrap(),
            ],
        ));
        let exported = std::fs::read_to_string(&out).unwrap();
        let again = ok(&goldthread(
            &url,
            &["import", name, out.to_str().unwrap(), "--tenant", "demo"],
        ));
        assert!(
            again.contains("0 created, 0 updated, 2 unchanged"),
            "{name}: {again}\n{exported}"
        );
    }
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "benefit,year,planned,realised\nBEN-1,2026/27,-1,\nNOPE,2026,1,\n",
    )
    .unwrap();
    let o = goldthread(
        &url,
        &[
            "import",
            "benefit-profiles",
            bad.to_str().unwrap(),
            "--tenant",
            "demo",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    for line in [
        "bad.csv:2:planned: '-1' is negative; amounts must be zero or more",
        "bad.csv:3:benefit: unknown benefit code 'NOPE' (add it to benefits.csv first)",
        "bad.csv:3:year: '2026' is not a financial-year period (write it like 2024/25)",
    ] {
        assert!(err.contains(line), "{err}");
    }
    let out = dir.join("profiles-after.csv");
    ok(&goldthread(
        &url,
        &[
            "export",
            "benefit-profiles",
            "--tenant",
            "demo",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "benefit,year,planned,realised\nBEN-1,2026/27,180000,\nBEN-2,2018/19,261000,55000.50\n"
    );
}

/// The demo, loaded as `goldthread demo` loads it, reproduces the 2026
/// paper's figures through `goldthread org summary` (computed from its posts
/// and grades); the organisation files export and re-import unchanged.
#[test]
fn org_summary_of_the_demo_gives_the_2026_figures() {
    let dir = scratch("org");
    let url = format!("sqlite://{}", dir.join("goldthread.db").display());
    ok(&goldthread(&url, &["demo", "--no-serve"]));
    let t = "clackmannanshire";
    let out = ok(&goldthread(
        &url,
        &[
            "org",
            "summary",
            "--tenant",
            t,
            "--state",
            "immediate",
            "--format",
            "json",
        ],
    ));
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pence = |k: &str| s[k].as_i64().unwrap_or_else(|| panic!("{k} in {s}"));
    let near = |k: &str, pounds: i64| {
        assert!(
            (pence(k) - pounds * 100).abs() <= 100_000,
            "{k}: {}",
            pence(k)
        )
    };
    near("cost_min_pence", 1_855_000);
    near("cost_max_pence", 1_912_000);
    near("current_cost_pence", 1_951_000);
    near("saving_min_pence", 70_650);
    near("saving_max_pence", 127_587);
    assert_eq!(
        pence("cost_after_adjustments_min_pence"),
        pence("cost_min_pence") - 3_139_500
    );
    assert_eq!(s["current_basis"], "grade-maximum");
    assert_eq!(s["adjustments"][0]["fte"], "-0.5");
    assert_eq!(s["posts"], 17);
    assert_eq!(s["fte"], "17");
    assert_eq!(s["layers"], 4);
    assert!(s["spans"]["median"].is_string());
    let out = ok(&goldthread(
        &url,
        &[
            "org", "summary", "--tenant", t, "--state", "current", "--format", "json",
        ],
    ));
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    let chief = &c["by_tier"][1];
    assert_eq!(
        (
            chief["tier"].as_i64(),
            chief["not_permanent_pct_to_here"].as_str()
        ),
        (Some(2), Some("50"))
    );
    let text = ok(&goldthread(&url, &["org", "summary", "--tenant", t]));
    assert!(
        text.contains("saving against current: £70,652.40 – £127,584.60"),
        "{text}"
    );

    // Export, re-import: nothing changes.
    for table in ["grades", "posts", "adjustments"] {
        let path = dir.join(format!("{table}.csv"));
        let p = path.to_str().unwrap();
        ok(&goldthread(
            &url,
            &["export", table, "--tenant", t, "--out", p],
        ));
        let report = ok(&goldthread(&url, &["import", table, p, "--tenant", t]));
        assert!(report.contains("0 created, 0 updated"), "{table}: {report}");
    }
    // The comparison workbook.
    let xlsx = dir.join("compare.xlsx");
    ok(&goldthread(
        &url,
        &[
            "org",
            "compare",
            "--tenant",
            t,
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    ));
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
    let f = wb.worksheet_formula("Summary").unwrap();
    assert!(f.used_cells().any(|(_, _, s)| s.contains("SUMIFS(Posts!")));
    let v = wb.worksheet_range("Summary").unwrap();
    assert!(v.used_cells().any(|(_, _, d)| *d == Data::Float(70652.4)));
}

/// `backup` writes a checked copy while the database is in use and never
/// overwrites; `restore` puts a sound backup back (only with --replace over an
/// existing database) and refuses a file that is not one, replacing nothing.
#[tokio::test]
async fn backup_and_restore_an_sqlite_database() {
    let dir = scratch("backup");
    let url = database(&dir).await;
    let copy = dir.join("backup.db");
    let c = copy.to_str().unwrap();
    let out = ok(&goldthread(&url, &["backup", "--out", c]));
    assert!(out.contains("integrity check passed"), "{out}");
    assert!(copy.metadata().unwrap().len() > 0);
    let again = goldthread(&url, &["backup", "--out", c]);
    assert_eq!(again.status.code(), Some(1), "never overwrites");
    // A change after the backup…
    ok(&goldthread(
        &url,
        &["tenant", "add", "later", "--name", "Later Council"],
    ));
    assert!(ok(&goldthread(&url, &["tenant", "list"])).contains("later"));
    // …is gone once the backup is restored, and the demo tenant is back.
    let refused = goldthread(&url, &["restore", "--from", c]);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "an existing database needs --replace"
    );
    let out = ok(&goldthread(&url, &["restore", "--from", c, "--replace"]));
    assert!(out.contains("Restored"), "{out}");
    let tenants = ok(&goldthread(&url, &["tenant", "list"]));
    assert!(
        tenants.contains("demo") && !tenants.contains("later"),
        "{tenants}"
    );
    let reviews = ok(&goldthread(&url, &["review", "list", "--tenant", "demo"]));
    assert!(reviews.contains("WASTE-2026"), "{reviews}");
    // Not a database: refused, and the database is untouched.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"this is not an SQLite file at all, just text").unwrap();
    let bad = goldthread(
        &url,
        &["restore", "--from", junk.to_str().unwrap(), "--replace"],
    );
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nothing was replaced"));
    assert!(ok(&goldthread(&url, &["tenant", "list"])).contains("demo"));
}

/// `--config FILE` (or GOLDTHREAD_CONFIG): the file sets what neither a flag
/// nor the environment does; a misspelt key stops the command with exit 2.
#[test]
fn a_configuration_file_fills_in_what_flags_and_environment_leave_unset() {
    let dir = scratch("config");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_goldthread"));
        c.args(args)
            .current_dir(&dir)
            .env_remove("GOLDTHREAD_DATABASE_URL")
            .env_remove("GOLDTHREAD_CONFIG")
            .env_remove("GOLDTHREAD_MAX_IMPORT_MB");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let from_file = dir.join("from-file.db");
    let config = dir.join("goldthread.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\nmax_import_mb = 1\nlog = \"error\"\n",
            from_file.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    ok(&run(&["--config", config, "migrate"], &[]));
    assert!(from_file.exists(), "the file's database_url was used");
    ok(&run(
        &["tenant", "add", "demo", "--name", "Demo"],
        &[("GOLDTHREAD_CONFIG", config)],
    ));
    // The environment wins over the file, and a flag over both.
    let from_env = dir.join("from-env.db");
    let env_url = format!("sqlite://{}", from_env.display());
    ok(&run(
        &["--config", config, "migrate"],
        &[("GOLDTHREAD_DATABASE_URL", &env_url)],
    ));
    assert!(from_env.exists());
    let from_flag = dir.join("from-flag.db");
    let flag_url = format!("sqlite://{}", from_flag.display());
    ok(&run(
        &["--config", config, "--db", &flag_url, "migrate"],
        &[("GOLDTHREAD_DATABASE_URL", &env_url)],
    ));
    assert!(from_flag.exists());
    // max_import_mb = 1: a 2 MB file is refused unread, unless the
    // environment raises the limit (it then fails on its content instead).
    let big = dir.join("localities.csv");
    std::fs::write(&big, format!("code,name\n{}", "X,".repeat(1024 * 1024))).unwrap();
    let big = big.to_str().unwrap();
    let out = run(
        &[
            "--config",
            config,
            "import",
            "localities",
            big,
            "--tenant",
            "demo",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the largest file goldthread imports is 1.0 MB"),
        "{said}"
    );
    let out = run(
        &[
            "--config",
            config,
            "import",
            "localities",
            big,
            "--tenant",
            "demo",
        ],
        &[("GOLDTHREAD_MAX_IMPORT_MB", "8")],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("the largest file"), "{said}");
    // A misspelt key is an error naming it, and nothing runs.
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "databse_url = \"sqlite://x.db\"\n").unwrap();
    let out = run(&["--config", bad.to_str().unwrap(), "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown field `databse_url`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("x.db").exists());
}
