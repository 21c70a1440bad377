//! `planpress publish` to a `kind: s3` target, end to end, against real S3
//! servers started by the test on 127.0.0.1: moto's server (atomic
//! conditional writes: the races) and s3s-fs (checks SigV4 signatures: bad
//! credentials). What was uploaded is checked from the server's side (its
//! listing and each object's headers), and the portal is read through nginx
//! configured as docs/publish.md says.
//!
//! Without moto, s3s-fs or nginx plain `cargo test` skips the tests and
//! says why; `bash scripts/test.sh` installs them and fails if one is still
//! missing (tests/support/tools.rs).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/s3.rs"]
mod s3;
#[path = "support/site.rs"]
mod site;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use s3::{Portal, Server, keys, request};
use site::{
    Kill, Rng, demo_site, edit, kill_seed, ok, planpress, run_killed, stderr, stdout, text,
};

const BUCKET: &str = "ke-hoach";
const PREFIX: &str = "cntt";
const CREDS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIDPLANPRESSTEST"),
    ("AWS_SECRET_ACCESS_KEY", "planpress-test-secret"),
];

fn s3_target(port: u16, keep: u32) -> String {
    format!(
        "  cdn: {{ kind: s3, endpoint: \"http://127.0.0.1:{port}\", bucket: {BUCKET}, prefix: {PREFIX}, region: us-east-1, keep: {keep} }}\n"
    )
}

fn run(site: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut all = vec![args[0], "--root", site.to_str().unwrap()];
    all.extend_from_slice(&args[1..]);
    planpress(&all, env)
}

/// moto with the bucket made, and a demo site publishing to it.
struct Fixture {
    moto: Server,
    site: PathBuf,
    dir: tempfile::TempDir,
}

fn fixture(keep: u32) -> Option<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let moto = s3::moto(&dir.path().join("moto"))?;
    let made = request(moto.port, "PUT", &format!("/{BUCKET}"), b"");
    assert_eq!(made.status, 200, "create bucket: {}", made.text());
    // Anonymous reads, as a portal's bucket has them for nginx (moto
    // names HEAD's permission on its own).
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:HeadObject"],"Resource":"arn:aws:s3:::{BUCKET}/*"}}]}}"#
    );
    let set = request(
        moto.port,
        "PUT",
        &format!("/{BUCKET}?policy"),
        policy.as_bytes(),
    );
    assert!(set.status < 300, "bucket policy: {}", set.text());
    let site = demo_site(dir.path(), "vi", &s3_target(moto.port, keep));
    Some(Fixture { moto, site, dir })
}

impl Fixture {
    fn get(&self, key: &str) -> s3::Answer {
        request(
            self.moto.port,
            "GET",
            &format!("/{BUCKET}/{PREFIX}/{key}"),
            b"",
        )
    }

    /// The id `current` names, from the store.
    fn current(&self) -> Option<String> {
        let a = self.get("current");
        (a.status == 200).then(|| a.text().lines().next().unwrap_or_default().to_string())
    }

    /// Release ids under `releases/`, with or without a manifest.
    fn release_ids(&self) -> BTreeSet<String> {
        keys(self.moto.port, BUCKET, &format!("{PREFIX}/releases/"))
            .iter()
            .filter_map(|k| k.split('/').nth(2).map(str::to_string))
            .collect()
    }

    /// The manifest of a release, from the store.
    fn manifest(&self, id: &str) -> Option<serde_json::Value> {
        let a = self.get(&format!("releases/{id}/.planpress-manifest.json"));
        (a.status == 200).then(|| serde_json::from_slice(&a.body).unwrap())
    }

    /// Path -> sha256 of a release's manifest.
    fn entries(&self, id: &str) -> BTreeMap<String, String> {
        let m = self.manifest(id).unwrap();
        m["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["path"].as_str().unwrap().to_string(),
                    e["sha256"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Asserts that `current` names a release whose every file is in the
    /// store with the bytes of its manifest.
    fn assert_current_whole(&self) -> String {
        let id = self.current().expect("current");
        let want = self.entries(&id);
        let have: BTreeSet<String> =
            keys(self.moto.port, BUCKET, &format!("{PREFIX}/releases/{id}/"))
                .into_iter()
                .map(|k| k[format!("{PREFIX}/releases/{id}/").len()..].to_string())
                .collect();
        for p in want.keys() {
            assert!(have.contains(p), "current {id} lacks {p}");
        }
        id
    }
}

#[test]
fn publishes_only_changes_then_rolls_back() {
    let Some(f) = fixture(3) else { return };
    let env = CREDS;

    // 1. First publish: everything is sent, `current` written last.
    let o = ok(run(&f.site, &["publish"], env));
    let first = f.assert_current_whole();
    assert!(
        stdout(&o).contains(&format!("Đã xuất bản {first}")),
        "{}",
        text(&o)
    );
    assert!(
        stdout(&o).contains(&format!("s3://{BUCKET}/{PREFIX}")),
        "{}",
        text(&o)
    );
    let all = f.entries(&first);
    assert!(all.contains_key("index.html") && all.contains_key("2019/so-tttt/index.html"));
    // Headers set on purpose, and the id in `current`'s metadata for the
    // proxy.
    let page = f.get(&format!("releases/{first}/index.html"));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(page.header("content-encoding"), None);
    let css = f.get(&format!("releases/{first}/static/style.css"));
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let cur = f.get("current");
    assert_eq!(cur.header("x-amz-meta-release"), Some(first.as_str()));
    assert_eq!(cur.header("cache-control"), Some("no-store"));

    // 2. Same site: nothing to do.
    let o = ok(run(&f.site, &["publish"], env));
    assert!(stdout(&o).contains("không thay đổi"), "{}", text(&o));
    assert_eq!(f.release_ids().len(), 1);

    // 3. One plan changes; a dry run says what would travel and changes
    // nothing in the store.
    edit(
        &f.site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Nguyễn Văn Mới",
    );
    let before = keys(f.moto.port, BUCKET, "");
    let o = ok(run(&f.site, &["publish", "--dry-run"], env));
    assert!(stdout(&o).contains("Chạy thử"), "{}", text(&o));
    assert!(
        stdout(&o).contains("~ 2019/so-tttt/index.html"),
        "{}",
        text(&o)
    );
    assert_eq!(keys(f.moto.port, BUCKET, ""), before, "a dry run wrote");

    let o = ok(run(&f.site, &["publish"], env));
    let second = f.assert_current_whole();
    assert_ne!(second, first);
    let new = f.entries(&second);
    let changed: BTreeSet<&String> = new
        .iter()
        .filter(|(p, h)| all.get(*p) != Some(*h))
        .map(|(p, _)| p)
        .collect();
    assert!(
        changed
            .iter()
            .any(|p| p.as_str() == "2019/so-tttt/index.html")
    );
    assert!(
        !changed.iter().any(|p| p.starts_with("2019/so-tai-chinh/")),
        "another agency's page changed: {changed:?}"
    );
    // From the server's side: an object keeps, in `x-amz-meta-release`,
    // the release whose publish sent its bytes (a copy inside the store
    // keeps it). Exactly the changed files carry the new id.
    let mut sent = BTreeSet::new();
    for p in new.keys() {
        let a = request(
            f.moto.port,
            "HEAD",
            &format!("/{BUCKET}/{PREFIX}/releases/{second}/{p}"),
            b"",
        );
        assert_eq!(a.status, 200, "{p}");
        let by = a
            .header("x-amz-meta-release")
            .unwrap_or_default()
            .to_string();
        assert!(by == first || by == second, "{p}: {by}");
        if by == second {
            sent.insert(p);
        }
    }
    assert_eq!(sent, changed, "what travelled is not what changed");
    let n = changed.len();
    assert!(
        stdout(&o).contains(&format!("đã gửi {n} tệp")),
        "{}",
        text(&o)
    );

    // 4. releases and rollback.
    let o = ok(run(&f.site, &["releases"], env));
    let out = stdout(&o);
    assert!(out.contains(&first) && out.contains(&second), "{out}");
    let o = ok(run(&f.site, &["rollback"], env));
    assert!(
        stdout(&o).contains(&format!("từ {second} về {first}")),
        "{}",
        text(&o)
    );
    assert_eq!(f.current().as_deref(), Some(first.as_str()));
    let o = ok(run(&f.site, &["rollback", "--to", &second], env));
    assert!(stdout(&o).contains(&second), "{}", text(&o));
    assert_eq!(f.current().as_deref(), Some(second.as_str()));

    // 5. keep: 3 prunes the oldest, never current nor the one before.
    for name in ["Người Thứ Ba", "Người Thứ Tư", "Người Thứ Năm"] {
        let last = std::fs::read_to_string(f.site.join("content/2019/so-tttt.md")).unwrap();
        let from = if last.contains("Nguyễn Văn Mới") {
            "Nguyễn Văn Mới"
        } else {
            ["Người Thứ Ba", "Người Thứ Tư"]
                .into_iter()
                .find(|n| last.contains(n))
                .unwrap()
        };
        edit(&f.site, "content/2019/so-tttt.md", from, name);
        ok(run(&f.site, &["publish"], env));
    }
    let ids = f.release_ids();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(!ids.contains(&first), "{ids:?}");
    f.assert_current_whole();
    drop(f.dir);
}

#[test]
fn refusals_say_what_to_do_and_change_nothing() {
    let Some(f) = fixture(5) else { return };
    // No credentials in the environment.
    let o = run(
        &f.site,
        &["publish"],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("AWS_ACCESS_KEY_ID"), "{}", text(&o));
    assert!(stderr(&o).contains("Chưa thay đổi gì"), "{}", text(&o));
    assert!(keys(f.moto.port, BUCKET, "").is_empty());
    // In English on an English site.
    let en = demo_site(&f.dir.path().join("en"), "en", &s3_target(f.moto.port, 5));
    let o = run(
        &en,
        &["publish"],
        &[("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", " ")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("No object storage credentials"),
        "{}",
        text(&o)
    );

    // A bucket that does not exist.
    let other = demo_site(
        &f.dir.path().join("other"),
        "vi",
        &s3_target(f.moto.port, 5).replace("bucket: ke-hoach", "bucket: khong-co"),
    );
    let o = run(&other, &["publish"], CREDS);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("Không có bucket nào như vậy"),
        "{}",
        text(&o)
    );

    // An endpoint that is not a URL: a clear error before anything.
    let bad = demo_site(
        &f.dir.path().join("bad"),
        "vi",
        &s3_target(f.moto.port, 5).replace("endpoint: \"http://", "endpoint: \"ftp://"),
    );
    let o = run(&bad, &["publish"], CREDS);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("endpoint: ftp://"), "{}", text(&o));
    assert!(keys(f.moto.port, BUCKET, "").is_empty());

    // A store that ignores conditional writes: found before any upload.
    let Some(proxy) = s3::without_conditions(&f.dir.path().join("strip"), f.moto.port) else {
        return;
    };
    let plain = demo_site(&f.dir.path().join("plain"), "vi", &s3_target(proxy.port, 5));
    let o = run(&plain, &["publish"], CREDS);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("không hỗ trợ ghi có điều kiện"),
        "{}",
        text(&o)
    );
    assert!(
        keys(f.moto.port, BUCKET, "").is_empty(),
        "something was written"
    );
}

/// s3s-fs checks every request's SigV4 signature: a wrong secret is
/// refused, clearly, and the bucket keeps what it had.
#[test]
fn bad_credentials_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (key, secret) = (CREDS[0].1, CREDS[1].1);
    let Some(s3s) = s3::s3s_fs(&dir.path().join("s3s"), key, secret) else {
        return;
    };
    std::fs::create_dir_all(dir.path().join("s3s/data").join(BUCKET)).unwrap();
    let site = demo_site(dir.path(), "vi", &s3_target(s3s.port, 5));
    let o = ok(run(&site, &["publish"], CREDS));
    assert!(stdout(&o).contains("Đã xuất bản"), "{}", text(&o));
    let data = dir.path().join("s3s/data").join(BUCKET).join(PREFIX);
    let current = std::fs::read_to_string(data.join("current")).unwrap();

    edit(
        &site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Người Khác",
    );
    let snapshot = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = walk(p);
        v.sort();
        v
    };
    let before = snapshot(&data);
    let o = run(
        &site,
        &["publish"],
        &[CREDS[0], ("AWS_SECRET_ACCESS_KEY", "not-the-secret")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    assert!(err.contains("từ chối khoá truy cập"), "{err}");
    assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    assert!(err.contains("Trang cổng không thay đổi"), "{err}");
    assert_eq!(snapshot(&data), before);
    assert_eq!(
        std::fs::read_to_string(data.join("current")).unwrap(),
        current
    );
}

fn walk(p: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out
}

/// Two publishes of different sites started together from the same
/// release: exactly one switches `current`; the other says so, leaves the
/// winner's release served, and takes its own upload away.
#[test]
fn of_two_concurrent_publishes_exactly_one_wins() {
    let Some(f) = fixture(5) else { return };
    ok(run(&f.site, &["publish"], CREDS));
    let base = f.assert_current_whole();
    let other = f.dir.path().join("other");
    site::copy_dir(&f.site, &other);
    edit(
        &f.site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Bên A",
    );
    edit(
        &other,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Bên B",
    );
    // Every page changes, so that both uploads are long and overlap.
    edit(
        &f.site,
        "content/site.yaml",
        "tỉnh Quảng Ngãi",
        "tỉnh Quảng Ngãi (A)",
    );
    edit(
        &other,
        "content/site.yaml",
        "tỉnh Quảng Ngãi",
        "tỉnh Quảng Ngãi (B)",
    );
    let a = {
        let site = f.site.clone();
        std::thread::spawn(move || run(&site, &["publish"], CREDS))
    };
    let b = run(&other, &["publish"], CREDS);
    let a = a.join().unwrap();
    let won: Vec<&std::process::Output> = [&a, &b]
        .into_iter()
        .filter(|o| o.status.success())
        .collect();
    assert_eq!(won.len(), 1, "A: {}\nB: {}", text(&a), text(&b));
    let lost = if a.status.success() { &b } else { &a };
    assert!(
        stderr(lost).contains("Một lần xuất bản khác đã chuyển «current»"),
        "{}",
        text(lost)
    );
    let now = f.assert_current_whole();
    assert_ne!(now, base);
    assert!(stdout(won[0]).contains(&now), "{}", text(won[0]));
    // The loser's release is gone; the base and the winner's remain.
    assert_eq!(
        f.release_ids(),
        [base, now].into_iter().collect::<BTreeSet<_>>()
    );
}

/// Links of a page, resolved against its path, on this site only.
fn links(page_path: &str, html: &str) -> Vec<String> {
    let dir = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let Some(j) = rest.find('"') else { break };
            let link = &rest[..j];
            rest = &rest[j..];
            if link.contains("://")
                || link.starts_with('#')
                || link.starts_with("mailto:")
                || link.is_empty()
            {
                continue;
            }
            let link = link.split(['#', '?']).next().unwrap_or_default();
            let mut parts: Vec<&str> = dir
                .trim_matches('/')
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let path = if let Some(abs) = link.strip_prefix('/') {
                parts.clear();
                abs
            } else {
                link
            };
            for seg in path.split('/') {
                match seg {
                    "" | "." => {}
                    ".." => {
                        parts.pop();
                    }
                    s => parts.push(s),
                }
            }
            let mut url = format!("/{}", parts.join("/"));
            if link.ends_with('/') && !url.ends_with('/') {
                url.push('/');
            }
            out.push(url);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A reader fetches pages through nginx, as docs/publish.md sets it up,
/// while publishes are killed with SIGKILL at random moments: every answer
/// is a 200 from a complete release, every link of a page works, and
/// `current` always names a complete release.
#[test]
fn the_portal_stays_whole_while_publishes_are_killed() {
    let Some(f) = fixture(4) else { return };
    let Some(portal) = Portal::start(&f.dir.path().join("nginx"), f.moto.port, BUCKET, PREFIX)
    else {
        return;
    };
    ok(run(&f.site, &["publish"], CREDS));
    f.assert_current_whole();
    let (status, home) = {
        let a = request(portal.port, "GET", "/", b"");
        (a.status, a.text())
    };
    assert_eq!(status, 200, "{home}\n{}", portal.errors());
    let targets = links("/", &home);
    assert!(targets.len() > 10, "{targets:?}");

    // The reader: the home page and every page it links to, again and
    // again; a page and its links must come from complete releases.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = Arc::clone(&stop);
        let port = portal.port;
        let moto = f.moto.port;
        std::thread::spawn(move || {
            let mut fetched = 0usize;
            let mut failures = Vec::new();
            let mut complete: BTreeSet<String> = BTreeSet::new();
            while !stop.load(Ordering::Relaxed) {
                let home = request(port, "GET", "/", b"");
                if home.status != 200 {
                    failures.push(format!("/ -> {}", home.status));
                    continue;
                }
                for url in links("/", &home.text()) {
                    let a = request(port, "GET", &url, b"");
                    fetched += 1;
                    let rel = a.header("x-release").unwrap_or_default().to_string();
                    if a.status != 200 {
                        failures.push(format!("{url} -> {} (release {rel})", a.status));
                    }
                    if !complete.contains(&rel) {
                        let m = request(
                            moto,
                            "HEAD",
                            &format!("/{BUCKET}/{PREFIX}/releases/{rel}/.planpress-manifest.json"),
                            b"",
                        );
                        if m.status == 200 {
                            complete.insert(rel);
                        } else {
                            failures.push(format!("{url} served from incomplete release {rel}"));
                        }
                    }
                }
            }
            (fetched, failures, complete)
        })
    };

    let seed = kill_seed();
    eprintln!("s3 kill test: seed {seed} (PLANPRESS_KILL_SEED={seed} replays)");
    let mut rng = Rng(seed);
    let c = f.site.join("content");
    let site_yaml = std::fs::read_to_string(c.join("site.yaml")).unwrap();
    let change = |round: usize| {
        std::fs::write(
            c.join("site.yaml"),
            site_yaml.replacen(
                "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi",
                &format!("title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi, lần {round}"),
                1,
            ),
        )
        .unwrap();
    };
    change(1);
    let (full, upload) = match run_killed(&f.site, CREDS, None) {
        (true, Some(upload), full) => (full, upload),
        other => panic!("the uninterrupted publish failed: {other:?}"),
    };
    f.assert_current_whole();
    let mut outcomes = Vec::new();
    for round in 2..14 {
        change(round);
        let before = f.current();
        let kill = if round % 2 == 0 {
            Kill::After(Duration::from_micros(
                rng.next() % (full.as_micros() as u64 + 1),
            ))
        } else {
            Kill::IntoUpload(Duration::from_micros(
                rng.next() % (upload.as_micros() as u64 * 12 / 10 + 1),
            ))
        };
        let (finished, _, _) = run_killed(&f.site, CREDS, Some(kill));
        f.assert_current_whole();
        let after = f.current();
        outcomes.push(format!(
            "{kill:?}: {}",
            if finished {
                "finished"
            } else if after != before {
                "killed after the switch"
            } else {
                "killed"
            }
        ));
        if !finished && after == before {
            // The same site again: it resumes what the killed one sent
            // (the objects it uploaded itself, not those it copied).
            let mut uploaded = 0;
            for id in f.release_ids() {
                if f.manifest(&id).is_some() {
                    continue;
                }
                let dir = format!("{PREFIX}/releases/{id}/");
                for k in keys(f.moto.port, BUCKET, &dir) {
                    let a = request(f.moto.port, "HEAD", &format!("/{BUCKET}/{k}"), b"");
                    if a.header("x-amz-meta-release") == Some(id.as_str()) {
                        uploaded += 1;
                    }
                }
            }
            let o = ok(run(&f.site, &["publish"], CREDS));
            f.assert_current_whole();
            let said = stdout(&o)
                .lines()
                .find(|l| l.contains("Tiếp tục"))
                .map(str::to_string);
            outcomes.push(format!(
                "  next publish ({uploaded} uploaded before): {said:?}"
            ));
            if uploaded > 0 {
                let said = said.unwrap_or_default();
                assert!(
                    said.contains(&format!(" {uploaded} tệp")),
                    "{uploaded} files were uploaded by the killed publish: {said}"
                );
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (fetched, failures, complete) = reader.join().unwrap();
    eprintln!(
        "s3 kill test rounds: {outcomes:#?}\nreader: {fetched} fetches from releases {complete:?}"
    );
    assert!(failures.is_empty(), "{failures:#?}\n{}", portal.errors());
    assert!(fetched > 0);
    assert!(complete.len() >= 2, "the reader saw only {complete:?}");
    assert!(
        outcomes.iter().any(|o| o.contains("killed")),
        "{outcomes:?}"
    );

    // Leftovers are cleaned by the next complete publish.
    change(99);
    ok(run(&f.site, &["publish"], CREDS));
    let last = f.assert_current_whole();
    let ids = f.release_ids();
    assert!(ids.iter().all(|id| f.manifest(id).is_some()), "{ids:?}");
    assert!(ids.len() <= 4 && ids.contains(&last), "{ids:?}");
}

/// The network to the store is cut in the middle of an upload and comes
/// back a moment later: the publish retries with backoff and finishes. Cut
/// for good, the publish fails saying so, `current` stays, and the next
/// run resumes without sending again what arrived.
#[test]
fn a_network_cut_is_retried_then_resumed() {
    let Some(f) = fixture(5) else { return };
    let relay_dir = f.dir.path().join("relay");
    let Some(relay) = s3::relay(&relay_dir, f.moto.port, None) else {
        return;
    };
    let port = relay.port;
    let site = demo_site(&f.dir.path().join("via"), "vi", &s3_target(port, 5));
    ok(run(&site, &["publish"], CREDS));
    let first = f.assert_current_whole();

    // A short cut: the publish rides it out.
    edit(
        &site,
        "content/site.yaml",
        "tỉnh Quảng Ngãi",
        "tỉnh Quảng Ngãi (1)",
    );
    let mut relay = Some(relay);
    let (mut child, lines) = spawn_publish(&site);
    let rest = wait_for_upload(lines);
    drop(relay.take());
    std::thread::sleep(Duration::from_millis(1500));
    relay = s3::relay(&relay_dir, f.moto.port, Some(port));
    let status = child.wait().unwrap();
    let err = rest.join().unwrap();
    assert!(
        status.success(),
        "the publish did not ride out a 1.5 s cut:\n{err}"
    );
    let second = f.assert_current_whole();
    assert_ne!(second, first);

    // A long cut: the publish gives up with a clear message; current stays.
    edit(
        &site,
        "content/site.yaml",
        "tỉnh Quảng Ngãi (1)",
        "tỉnh Quảng Ngãi (2)",
    );
    let (child, lines) = spawn_publish(&site);
    let rest = wait_for_upload(lines);
    drop(relay.take());
    let out = child.wait_with_output().unwrap();
    let err = rest.join().unwrap();
    assert!(!out.status.success());
    assert!(
        err.contains("Không kết nối được tới kho đối tượng") || err.contains("thất bại trên kho"),
        "{err}"
    );
    assert!(
        err.contains("«current» không đổi") || err.contains("Trang cổng không thay đổi"),
        "{err}"
    );
    assert_eq!(f.current().as_deref(), Some(second.as_str()));

    // The network is back: the next run resumes.
    let _relay = s3::relay(&relay_dir, f.moto.port, Some(port));
    let o = ok(run(&site, &["publish"], CREDS));
    f.assert_current_whole();
    assert_ne!(f.current().as_deref(), Some(second.as_str()));
    eprintln!("after the cut: {}", stdout(&o));
}

fn spawn_publish(site: &Path) -> (std::process::Child, std::process::ChildStderr) {
    let mut cmd = site::bin();
    cmd.args(["publish", "--root", site.to_str().unwrap()]);
    for (k, v) in CREDS {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    (child, err)
}

/// Reads stderr until the upload starts; the rest of it is collected by
/// the returned thread.
fn wait_for_upload(err: std::process::ChildStderr) -> std::thread::JoinHandle<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    let h = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            if line.starts_with("Đang tải lên") {
                let _ = tx.send(());
            }
            all += &line;
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the upload never started");
    h
}
