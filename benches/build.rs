//! Benchmark of `planpress::build` on a generated corpus (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it), against Hugo building the
//! same plans' Markdown and project tables with a minimal layout, measured
//! in the same run. Run with `cargo bench --bench build`.

#[path = "common/corpus.rs"]
mod corpus;
#[path = "common/peer.rs"]
mod peer;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const YEAR: i32 = 2019;
const DEFAULT_PLANS: usize = 1000;
const TARGET: Duration = Duration::from_secs(2);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let plans = std::env::var("PLANPRESS_BENCH_PLANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PLANS);
    // `PLANPRESS_BENCH_CORPUS=<dir>` only writes the corpus there, to
    // profile `planpress build` on it by hand.
    if let Some(keep) = std::env::var_os("PLANPRESS_BENCH_CORPUS") {
        corpus::generate(Path::new(&keep), plans, YEAR);
        println!(
            "corpus of {plans} plans written to {}",
            Path::new(&keep).display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    corpus::generate(&site, plans, YEAR);
    // Sites live in git, and plan pages show each file's history.
    match peer::commit(&site, YEAR) {
        Ok(()) => println!("corpus committed to git in two commits (history on every plan page)"),
        Err(e) => println!("corpus not in git ({e}): plan pages without history"),
    }
    let out = dir.path().join("out");
    // Warm-up, and the corpus must build.
    match planpress::build(&site, Some(&out), false) {
        Ok(planpress::BuildOutcome::Built { files, .. }) => {
            println!("corpus: {plans} plans, {files} files written")
        }
        other => panic!("the corpus does not build: {other:?}"),
    }
    // Two ways to build: over the previous output (an editor's rebuild;
    // planpress links unchanged files, Hugo overwrites them) and into an
    // empty folder (CI on a fresh clone). The folder is removed outside the
    // timing.
    let timed = |clean: bool, run: &dyn Fn()| -> Vec<Duration> {
        (0..RUNS)
            .map(|_| {
                if clean {
                    let _ = std::fs::remove_dir_all(&out);
                    let _ = std::fs::remove_dir_all(dir.path().join("hugo-out"));
                }
                let t = Instant::now();
                run();
                t.elapsed()
            })
            .collect()
    };
    let ours_run = || {
        let r = planpress::build(&site, Some(&out), false);
        assert!(matches!(r, Ok(planpress::BuildOutcome::Built { .. })));
    };
    let ours_re = timed(false, &ours_run);
    let ours_clean = timed(true, &ours_run);
    report("planpress rebuild", &ours_re);
    report("planpress clean build", &ours_clean);
    let ours = median(ours_re.clone());
    println!(
        "target {:.1} s for a full build: {}",
        TARGET.as_secs_f64(),
        if ours.max(median(ours_clean.clone())) <= TARGET {
            "met"
        } else {
            "MISSED"
        }
    );

    let hugo_dir = dir.path().join("hugo");
    if let Err(e) = peer::hugo_site(&site, YEAR, &hugo_dir) {
        println!("peer skipped: cannot lay out the Hugo site: {e}");
        return;
    }
    let run_hugo = || {
        Command::new("hugo")
            .args(["--quiet", "-s"])
            .arg(&hugo_dir)
            .arg("-d")
            .arg(dir.path().join("hugo-out"))
            .output()
    };
    match run_hugo() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!(
                "peer skipped: hugo failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return;
        }
        Err(e) => {
            println!("peer skipped: hugo not found ({e}); apt-get install hugo");
            return;
        }
    }
    let hugo_run = || {
        let o = run_hugo().expect("hugo");
        assert!(o.status.success());
    };
    let hugo_re = timed(false, &hugo_run);
    let hugo_clean = timed(true, &hugo_run);
    report("hugo rebuild (Markdown and project tables only)", &hugo_re);
    report("hugo clean build", &hugo_clean);
    for (what, a, b) in [
        ("rebuild", &ours_re, &hugo_re),
        ("clean build", &ours_clean, &hugo_clean),
    ] {
        println!(
            "ratio planpress / hugo, {what} = {:.2} (target ≤ 1.0; planpress also validates, consolidates, draws charts and writes CSV/JSON/XLSX)",
            median(a.clone()).as_secs_f64() / median(b.clone()).as_secs_f64()
        );
    }
}

fn report(what: &str, times: &[Duration]) {
    println!(
        "{what}: median {:.3} s (min {:.3}, max {:.3}) over {RUNS} runs",
        median(times.to_vec()).as_secs_f64(),
        times.iter().min().map_or(0.0, Duration::as_secs_f64),
        times.iter().max().map_or(0.0, Duration::as_secs_f64),
    );
}
