//! Benchmark of `planpress editor` on a generated site (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it), through its JSON API on a
//! real server (the release binary on a loopback port):
//! - a save (`PUT`: check the plan, write it, commit it), one at a time,
//!   `PLANPRESS_BENCH_EDITS` times (30 by default): median and p95;
//! - the live check of a form (`POST …/check`), as many times;
//! - 50 editors saving 50 different plans at once for
//!   `PLANPRESS_BENCH_SECONDS` (60 by default): median and p95 of the saves,
//!   and afterwards every plan holds its last saved value and git has one
//!   commit per save (nothing lost).
//!
//! Run with `cargo bench --bench editor`.

#[path = "common/corpus.rs"]
mod corpus;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const YEAR: i32 = 2019;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| ms(v[((v.len() as f64 - 1.0) * p).round() as usize]);
    (at(0.5), at(0.95))
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("request");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("response");
    let status = raw[9..12].parse().expect("status");
    let body = raw
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.gov.vn",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(o.status.success(), "git {args:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct Session {
    port: u16,
    cookie: String,
    csrf: String,
}

impl Session {
    fn call(&self, method: &str, path: &str, extra: &[(&str, &str)], body: &str) -> (u16, String) {
        let mut h = vec![
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
        ];
        h.extend_from_slice(extra);
        http(self.port, method, path, &h, body)
    }

    /// Reads a plan, sets its contact's phone to `phone`, saves it; the
    /// time of the save alone.
    fn save(&self, agency: &str, phone: &str) -> Duration {
        let path = format!("/api/plans/{YEAR}/{agency}");
        let (s, body) = self.call("GET", &path, &[], "");
        assert_eq!(s, 200, "{body}");
        let read: serde_json::Value = serde_json::from_str(&body).expect("json");
        let version = read["version"].as_str().expect("version").to_string();
        let mut plan = read["plan"].clone();
        plan["contact"] = serde_json::json!({"name": "Bench", "phone": phone});
        let put = serde_json::json!({"plan": plan, "sections": read["sections"]}).to_string();
        let t = Instant::now();
        let (s, body) = self.call("PUT", &path, &[("If-Match", &version)], &put);
        let took = t.elapsed();
        assert_eq!(s, 200, "{body}");
        took
    }
}

fn main() {
    let plans = env_or("PLANPRESS_BENCH_PLANS", 1000);
    let edits = env_or("PLANPRESS_BENCH_EDITS", 30);
    let seconds = env_or("PLANPRESS_BENCH_SECONDS", 60);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    corpus::generate(root, plans, YEAR);
    // Editors change drafts only: make every plan a draft.
    let folder = root.join(format!("content/{YEAR}"));
    let mut agencies = Vec::new();
    for e in std::fs::read_dir(&folder).expect("cycle") {
        let p = e.expect("entry").path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(code) = name.strip_suffix(".md").filter(|n| !n.starts_with('_')) {
            let text = std::fs::read_to_string(&p).expect("plan");
            let text = text
                .replace("status: submitted", "status: draft")
                .replace("status: approved", "status: draft");
            std::fs::write(&p, text).expect("write");
            agencies.push(code.to_string());
        }
    }
    agencies.sort();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "content"]);
    git(root, &["commit", "-q", "-m", "corpus"]);
    let bin = env!("CARGO_BIN_EXE_planpress");
    let mut add = Command::new(bin)
        .args([
            "users",
            "add",
            "bench-admin",
            "--role",
            "admin",
            "--password-stdin",
            "--root",
        ])
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("users add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"mot-mat-khau-dai\n")
        .expect("password");
    assert!(add.wait().expect("users add").success());

    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["editor", "--port", "0", "--root"])
        .arg(root)
        .stderr(Stdio::piped())
        .spawn()
        .expect("editor");
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.take().expect("stderr")),
        &mut first,
    )
    .expect("first line");
    let startup = started.elapsed();
    let port: u16 = first
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("port");
    let (s, body) = http(
        port,
        "POST",
        "/api/session",
        &[],
        r#"{"login": "bench-admin", "password": "mot-mat-khau-dai"}"#,
    );
    assert_eq!(s, 200, "{body}");
    let login: serde_json::Value = serde_json::from_str(&body).expect("json");
    // The cookie is not in the body; log in again reading the header.
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let b = r#"{"login": "bench-admin", "password": "mot-mat-khau-dai"}"#;
    write!(s, "POST /api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{b}", b.len()).expect("login");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("login");
    let cookie = raw
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let csrf =
        serde_json::from_str::<serde_json::Value>(raw.split_once("\r\n\r\n").expect("body").1)
            .expect("json")["csrf"]
            .as_str()
            .expect("csrf")
            .to_string();
    drop(login);
    let session = Arc::new(Session { port, cookie, csrf });

    // One save at a time.
    let saves: Vec<Duration> = (0..edits)
        .map(|i| session.save(&agencies[i % agencies.len()], &format!("0255.{i:07}")))
        .collect();
    // Live checks.
    let path = format!("/api/plans/{YEAR}/{}", agencies[0]);
    let (_, body) = session.call("GET", &path, &[], "");
    let read: serde_json::Value = serde_json::from_str(&body).expect("json");
    let check = serde_json::json!({"plan": read["plan"], "sections": read["sections"]}).to_string();
    let checks: Vec<Duration> = (0..edits)
        .map(|_| {
            let t = Instant::now();
            let (s, b) = session.call("POST", &format!("{path}/check"), &[], &check);
            assert_eq!(s, 200, "{b}");
            t.elapsed()
        })
        .collect();

    // 50 editors at once.
    let commits_before: usize = git(root, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count");
    let editors = 50.min(agencies.len());
    let all = Arc::new(Mutex::new(Vec::new()));
    let last = Arc::new(Mutex::new(vec![String::new(); editors]));
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let threads: Vec<_> = (0..editors)
        .map(|e| {
            let (session, all, last, agency) = (
                session.clone(),
                all.clone(),
                last.clone(),
                agencies[e].clone(),
            );
            std::thread::spawn(move || {
                let mut n = 0;
                while Instant::now() < deadline {
                    let phone = format!("0{e:03}.{n:06}");
                    let took = session.save(&agency, &phone);
                    all.lock().expect("lock").push(took);
                    last.lock().expect("lock")[e] = phone;
                    n += 1;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("editor thread");
    }
    let concurrent = all.lock().expect("lock").clone();
    let commits_after: usize = git(root, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count");
    for (e, phone) in last.lock().expect("lock").iter().enumerate() {
        let text =
            std::fs::read_to_string(folder.join(format!("{}.md", agencies[e]))).expect("plan");
        assert!(
            text.contains(phone.as_str()),
            "{}: the last save ({phone}) is lost",
            agencies[e]
        );
    }
    assert_eq!(
        commits_after - commits_before,
        concurrent.len(),
        "one commit per save"
    );
    let _ = child.kill();
    let _ = child.wait();

    let (s50, s95) = stats(saves);
    let (c50, c95) = stats(checks);
    let (p50, p95) = stats(concurrent.clone());
    println!("editor on {plans} plans: ready in {:.0} ms", ms(startup));
    println!(
        "save (check, write, commit), {edits} one at a time: median {s50:.1} ms, p95 {s95:.1} ms (target < 100 ms median)"
    );
    println!("live check, {edits} times: median {c50:.1} ms, p95 {c95:.1} ms (target < 30 ms)");
    println!(
        "{editors} editors saving for {seconds} s: {} saves, median {p50:.1} ms, p95 {p95:.1} ms (target < 200 ms median); every last save kept, one commit each",
        concurrent.len()
    );
}
