//! Benchmark of `planpress publish` on a generated corpus (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it): the first publish, then a
//! republish after one plan changed, to a `kind: dir` target and, when
//! OpenSSH's server, rsync and nginx are installed, to a `kind: ssh` target
//! on a test sshd on 127.0.0.1. Prints bytes and times and the ratio of the
//! republish's bytes to the first publish's (target: below 5 %).
//!
//! First it checks that two builds of the same content are byte-identical,
//! page by page: a publish sends only what changed only if unchanged pages
//! do not change (a build timestamp would break that).
//!
//! Run with `cargo bench --bench publish`.

#[path = "common/corpus.rs"]
mod corpus;
#[path = "../tests/support/servers.rs"]
mod servers;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const YEAR: i32 = 2019;
const DEFAULT_PLANS: usize = 1000;
/// Most a republish after one plan changed may send, of the first publish.
const TARGET_RATIO: f64 = 0.05;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("prefix");
                out.insert(
                    rel.to_string_lossy().to_string(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn mb(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let v = bytes as f64 / 1e6;
    format!("{v:.2} MB")
}

fn publish(
    site: &Path,
    target: &str,
    ssh: Option<&str>,
    dry_run: bool,
) -> (planpress::Report, Duration) {
    let opts = planpress::PublishOptions {
        target: Some(target.to_string()),
        dry_run,
        drafts: false,
        ssh: ssh.map(str::to_string),
        // The corpus keeps the scaffold's example.gov.vn address.
        allow_placeholder: true,
    };
    let t = Instant::now();
    match planpress::publish(site, &opts, &mut |_| {}) {
        Ok(planpress::Outcome::Done(p)) => (p.report, t.elapsed()),
        Ok(planpress::Outcome::Invalid(c)) => panic!("the corpus has errors: {:?}", c.diagnostics),
        Err(e) => panic!("publish to {target} failed: {e}"),
    }
}

/// Changes one field of plan `i`'s contact, which shows on that plan's
/// page only. `round` makes each change new.
fn change_one_plan(site: &Path, i: usize, round: usize) {
    let p = site.join(format!("content/{YEAR}/co-quan-{:04}.md", i + 1));
    let text = std::fs::read_to_string(&p).expect("plan");
    let line = text
        .lines()
        .find(|l| l.starts_with("contact:"))
        .expect("contact line")
        .to_string();
    let new =
        format!("contact: {{ name: \"Người liên hệ mới {round}\", phone: \"0255.3700000\" }}");
    std::fs::write(&p, text.replacen(&line, &new, 1)).expect("write plan");
}

fn bench_target(site: &Path, name: &str, ssh: Option<&str>, round: usize) {
    let (first, t1) = publish(site, name, ssh, false);
    println!(
        "[{name}] first publish: {} files, {} sent{} in {:.2} s ({:.2} s build, {:.2} s deploy)",
        first.files,
        mb(first.sent_bytes),
        first
            .wire_bytes
            .map_or_else(String::new, |w| format!(" ({} on the wire)", mb(w))),
        t1.as_secs_f64(),
        first.build_time.as_secs_f64(),
        first.deploy_time.as_secs_f64(),
    );
    change_one_plan(site, 499, round);
    let (dry, _) = publish(site, name, ssh, true);
    let (second, t2) = publish(site, name, ssh, false);
    #[allow(clippy::cast_precision_loss)]
    let ratio = second.sent_bytes as f64 / first.sent_bytes.max(1) as f64;
    println!(
        "[{name}] republish after one plan changed: {} files sent ({}), {} linked{} in {:.2} s ({:.2} s build, {:.2} s deploy)",
        second.sent_files,
        mb(second.sent_bytes),
        second.linked_files,
        second
            .wire_bytes
            .map_or_else(String::new, |w| format!(", {} on the wire", mb(w))),
        t2.as_secs_f64(),
        second.build_time.as_secs_f64(),
        second.deploy_time.as_secs_f64(),
    );
    println!(
        "[{name}]   files that travelled: {}",
        dry.changes.join(", ")
    );
    println!(
        "[{name}]   ratio republish / first publish = {:.3} % of the bytes (target < {:.0} %): {}",
        ratio * 100.0,
        TARGET_RATIO * 100.0,
        if ratio < TARGET_RATIO {
            "met"
        } else {
            "MISSED"
        }
    );
    if let (Some(w1), Some(w2)) = (first.wire_bytes, second.wire_bytes) {
        #[allow(clippy::cast_precision_loss)]
        let wr = w2 as f64 / w1.max(1) as f64;
        println!(
            "[{name}]   on the wire (rsync, compressed): {:.3} %",
            wr * 100.0
        );
    }
    // A republish with nothing changed sends nothing.
    let (third, t3) = publish(site, name, ssh, false);
    println!(
        "[{name}] republish without change: {} (in {:.2} s)",
        if third.unchanged {
            "nothing to do"
        } else {
            "UNEXPECTED new release"
        },
        t3.as_secs_f64()
    );
}

fn main() {
    let plans = std::env::var("PLANPRESS_BENCH_PLANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PLANS);
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    corpus::generate(&site, plans, YEAR);

    // Two builds of the same content must be byte-identical.
    let (a, b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    for out in [&a, &b] {
        match planpress::build(&site, Some(out), false) {
            Ok(planpress::BuildOutcome::Built { .. }) => {}
            other => panic!("the corpus does not build: {other:?}"),
        }
    }
    let (fa, fb) = (files(&a), files(&b));
    let differing: Vec<&String> = fa.keys().filter(|k| fa.get(*k) != fb.get(*k)).collect();
    let total: u64 = fa.values().map(|v| v.len() as u64).sum();
    println!(
        "corpus: {plans} plans, {} files, {}; two builds: {}",
        fa.len(),
        mb(total),
        if differing.is_empty() && fa.len() == fb.len() {
            "byte-identical".to_string()
        } else {
            format!("DIFFER in {differing:?}")
        }
    );

    // Targets: a local folder, and the test sshd if the tools are here.
    let www = dir.path().join("www");
    let mut yaml = std::fs::read_to_string(site.join("content/site.yaml")).expect("site.yaml");
    yaml.push_str(&format!(
        "publish:\n  local: {{ kind: dir, path: \"{}\", keep: 3 }}\n",
        www.display()
    ));
    let missing = servers::missing_tools();
    let sshd = if missing.is_empty() {
        let s = servers::Sshd::start(&dir.path().join("sshd"));
        yaml.push_str(&s.target_yaml("portal", &dir.path().join("remote"), 3));
        Some(s)
    } else {
        None
    };
    std::fs::write(site.join("content/site.yaml"), yaml).expect("site.yaml");

    bench_target(&site, "local", None, 1);
    match &sshd {
        Some(s) => bench_target(&site, "portal", Some(&s.planpress_ssh()), 2),
        None => {
            println!("ssh target skipped: {missing:?} missing (bash scripts/test.sh installs them)")
        }
    }
}
