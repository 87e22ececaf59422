//! Two `goldthread serve` processes on one PostgreSQL database behave as one
//! service: a session made by signing in on one is good on the other, signing
//! out on either ends it everywhere, and a change made through one is read
//! through the other at once (no per-process cache serves stale data). Runs
//! when GOLDTHREAD_TEST_PG_URL is set (as `.ci/run` does).
use goldthread_store::testing::TestDb;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn goldthread(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_goldthread"));
    c.arg("--db")
        .arg(url)
        .env_remove("GOLDTHREAD_DATABASE_URL")
        .env("GOLDTHREAD_LOG", "warn");
    c
}

fn serve(url: &str) -> Server {
    let port = free_port();
    let child = goldthread(url)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = Server(child, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if http(port, "GET", "/readyz", &[], "").0 == 200 {
            return s;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("server on {port} never became ready");
}

/// A minimal HTTP/1.1 exchange: (status, headers lower-cased, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new(), String::new());
    };
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    req += "\r\n";
    req += body;
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

#[test]
fn two_servers_on_one_postgres_database_are_one_service() {
    let Ok(admin) = std::env::var("GOLDTHREAD_TEST_PG_URL") else {
        eprintln!("GOLDTHREAD_TEST_PG_URL is not set: skipped");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = rt.block_on(TestDb::postgres(&admin));
    let url = t.url.clone();
    let out = goldthread(&url)
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (serve(&url), serve(&url));

    // Sign in on A.
    let form = "email=admin%40demo.example&password=clacks-demo-2026&next=%2F";
    let (status, head, _) = http(
        a.1,
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        form,
    );
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let hdr = [("cookie", cookie.as_str())];
    // The session is good on B.
    let (status, _, body) = http(b.1, "GET", "/outcomes/LO1", &hdr, "");
    assert_eq!(status, 200, "B takes A's session");
    assert!(body.contains("Sign out"), "signed in on B");

    // A change through B's API is read through A at once (no per-process
    // cache serves stale data).
    let out = goldthread(&url)
        .args([
            "token",
            "create",
            "--email",
            "admin@demo.example",
            "--tenant",
            "clackmannanshire",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .find(|w| w.len() > 30)
        .expect("the token")
        .to_string();
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    // A's public page for the outcome is rendered and kept before the change.
    let public = "/p/clackmannanshire/outcomes/LO1";
    let (status, _, before) = http(a.1, "GET", public, &[], "");
    assert_eq!(status, 200);
    assert!(!before.contains("Changed through B"));
    let (_, _, again) = http(a.1, "GET", public, &[], "");
    assert_eq!(again, before, "a kept page is served whole");
    let (status, _, body) = http(a.1, "GET", "/api/v1/outcomes/LO1", &auth, "");
    assert_eq!(status, 200, "{body}");
    let mut o: serde_json::Value = serde_json::from_str(&body).unwrap();
    o["description"] = serde_json::json!("Changed through B");
    let put = serde_json::json!({"code": o["code"], "title": o["title"], "kind": o["kind"],
        "links": o["links"], "description": o["description"], "version": o["version"]});
    let json = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, _, body) = http(b.1, "PUT", "/api/v1/outcomes/LO1", &json, &put.to_string());
    assert_eq!(status, 200, "{body}");
    let (_, _, body) = http(a.1, "GET", "/outcomes/LO1", &hdr, "");
    assert!(
        body.contains("Changed through B"),
        "A reads B's change at once"
    );
    let (status, _, body) = http(a.1, "GET", public, &[], "");
    assert_eq!(status, 200);
    assert!(
        body.contains("Changed through B"),
        "A's public page shows B's change at once, not the page it kept"
    );
    // The same version read on A is now stale on both.
    let (status, _, _) = http(a.1, "PUT", "/api/v1/outcomes/LO1", &json, &put.to_string());
    assert_eq!(status, 409, "A refuses the stale version B already used");

    // Imports through A and B at the same time into one council are
    // serialised: every one is accepted, none interleaves with another (the
    // three rows each writes end up all from one import), and each is one
    // audit row.
    let audit_before: i64 = rt.block_on(async {
        let mut c = t.db.read().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    });
    let import = |port: u16, who: &'static str, bearer: String| {
        std::thread::spawn(move || {
            for i in 0..8 {
                let items: Vec<serde_json::Value> = ["2021", "2022", "2023"]
                    .iter()
                    .map(|p| {
                        serde_json::json!({"indicator": "NPFI-EMP01", "period": p,
                            "value": "71.5", "status": "assured", "note": format!("{who}{i}")})
                    })
                    .collect();
                let body = serde_json::json!({ "items": items }).to_string();
                let (status, _, reply) = http(
                    port,
                    "POST",
                    "/api/v1/measurements",
                    &[
                        ("authorization", bearer.as_str()),
                        ("content-type", "application/json"),
                    ],
                    &body,
                );
                assert_eq!(status, 200, "{who}{i}: {reply}");
            }
        })
    };
    let (ta, tb) = (
        import(a.1, "A", bearer.clone()),
        import(b.1, "B", bearer.clone()),
    );
    ta.join().unwrap();
    tb.join().unwrap();
    let (notes, audit_after): (Vec<String>, i64) = rt.block_on(async {
        let mut c = t.db.read().await.unwrap();
        let notes = sqlx::query_scalar(
            "SELECT DISTINCT m.note FROM measurements m JOIN indicators i ON i.id = m.indicator_id WHERE i.code = 'NPFI-EMP01' AND m.locality = '' AND m.period IN ('2021', '2022', '2023')",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let audit = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        (notes, audit)
    });
    assert_eq!(notes.len(), 1, "one import's rows, whole: {notes:?}");
    assert_eq!(audit_after - audit_before, 16, "one audit row per import");

    // Signing out on B ends the session on A too.
    let page = http(b.1, "GET", "/", &hdr, "").2;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap()
        .to_string();
    let with_origin = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("sec-fetch-site", "same-origin"),
    ];
    let (status, _, _) = http(
        b.1,
        "POST",
        "/logout",
        &with_origin,
        &format!("csrf={csrf}"),
    );
    assert_eq!(status, 303);
    let (status, head, _) = http(a.1, "GET", "/outcomes/LO1", &hdr, "");
    assert!(
        status == 303 && head.contains("location: /login"),
        "A no longer takes the session: {status} {head}"
    );
    drop((a, b));
    drop(t);
}
