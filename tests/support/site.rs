//! Helpers of the publish tests: copies of the demo site, running the
//! binary, and checking that a target's `current` is a whole release.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub(crate) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_planpress"))
}

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target)
                .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

/// A copy of the demo site in `dir`, with `targets` (YAML lines of
/// `publish:`, each indented by two spaces) as its publish targets.
pub(crate) fn demo_site(dir: &Path, language: &str, targets: &str) -> PathBuf {
    let site = dir.join("site");
    copy_dir(&repo().join("content"), &site.join("content"));
    std::fs::write(
        site.join("content/site.yaml"),
        format!(
            "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi\n\
             province: Quảng Ngãi\n\
             base_url: https://cntt.quangngai.gov.vn/ke-hoach-cntt\n\
             language: {language}\n\
             theme: default\n\
             money_unit: trieu-dong\n\
             publish:\n{targets}"
        ),
    )
    .expect("site.yaml");
    site
}

/// Replaces `from` by `to` in a file of the site.
pub(crate) fn edit(site: &Path, rel: &str, from: &str, to: &str) {
    let p = site.join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).expect("write");
}

/// Runs `planpress <args>` with extra environment variables.
pub(crate) fn planpress(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run planpress")
}

/// Writes `text` to `rel` under `root`, making the folders on the way.
pub(crate) fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// The text of `p`; a test that cannot read it fails naming the file.
pub(crate) fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `o`, once its command is known to have succeeded: otherwise the test
/// fails showing everything the command printed.
pub(crate) fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", text(&o));
    o
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir` (not following links), by `/`-separated path.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let e = e.expect("entry");
            let t = e.file_type().expect("type");
            if t.is_dir() {
                walk(root, &e.path(), out);
            } else {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .to_string();
                out.insert(rel, std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The release `<target>/current` points at, after checking that it is
/// whole: a symlink to `releases/<id>`, a manifest, and exactly the files
/// the manifest lists, each with its size and SHA-256. Panics otherwise.
pub(crate) fn whole_current(target: &Path) -> String {
    let cur = target.join("current");
    let link = std::fs::read_link(&cur).unwrap_or_else(|e| panic!("{}: {e}", cur.display()));
    let link = link.to_string_lossy().to_string();
    let id = link
        .strip_prefix("releases/")
        .unwrap_or_else(|| panic!("current -> {link}"))
        .to_string();
    let release = target.join("releases").join(&id);
    let mut found = files(&release);
    let manifest = found
        .remove(".planpress-manifest.json")
        .unwrap_or_else(|| panic!("{id}: no manifest"));
    let m: serde_json::Value = serde_json::from_slice(&manifest).expect("manifest JSON");
    assert_eq!(m["id"], id.as_str());
    let entries = m["entries"].as_array().expect("entries");
    assert_eq!(
        entries.len(),
        found.len(),
        "{id}: files and manifest differ"
    );
    for e in entries {
        let path = e["path"].as_str().expect("path");
        let bytes = found
            .get(path)
            .unwrap_or_else(|| panic!("{id}: {path} missing"));
        assert_eq!(
            e["size"].as_u64(),
            Some(bytes.len() as u64),
            "{id}: {path} size"
        );
        assert_eq!(
            e["sha256"].as_str(),
            Some(sha256(bytes).as_str()),
            "{id}: {path} hash"
        );
    }
    id
}

/// The names in `<target>/releases`, sorted.
pub(crate) fn release_dirs(target: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(target.join("releases"))
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The inode of a file.
pub(crate) fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .ino()
}

/// When to kill a publish.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kill {
    /// This long after it starts.
    After(Duration),
    /// This long after it starts uploading.
    IntoUpload(Duration),
}

/// Runs `planpress publish`, killing it with SIGKILL as `kill` says.
/// Returns whether it finished, how long its upload took (from the
/// "uploading" line to its end) if it finished, and how long it ran.
pub(crate) fn run_killed(
    site: &Path,
    env: &[(&str, &str)],
    kill: Option<Kill>,
) -> (bool, Option<Duration>, Duration) {
    use std::io::BufRead;
    let start = Instant::now();
    let mut cmd = bin();
    cmd.args(["publish", "--root", site.to_str().expect("UTF-8 path")]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn planpress");
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            if line.starts_with("Đang tải lên") {
                let _ = tx.send(Instant::now());
            }
        }
    });
    let mut upload_start = None;
    match kill {
        None => {}
        Some(Kill::After(d)) => std::thread::sleep(d),
        Some(Kill::IntoUpload(d)) => {
            upload_start = rx.recv_timeout(Duration::from_secs(60)).ok();
            std::thread::sleep(d);
        }
    }
    if kill.is_some() {
        let _ = child.kill();
    }
    let status = child.wait().expect("wait");
    let end = Instant::now();
    reader.join().expect("reader");
    let upload_start = upload_start.or_else(|| rx.try_recv().ok());
    (status.success(), upload_start.map(|u| end - u), end - start)
}

/// xorshift64*, for kill moments (seed it from the clock and print the
/// seed, so that a failure can be replayed).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The seed of the kill moments: `PLANPRESS_KILL_SEED`, or the clock.
pub(crate) fn kill_seed() -> u64 {
    std::env::var("PLANPRESS_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        })
}
