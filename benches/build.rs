//! Benchmark of `planpress::build` on a generated corpus (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it), against Hugo building the
//! same plans' Markdown and project tables with a minimal layout, measured
//! in the same run. Run with `cargo bench --bench build`.

#[path = "common/corpus.rs"]
mod corpus;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const YEAR: i32 = 2019;
const DEFAULT_PLANS: usize = 1000;
const TARGET: Duration = Duration::from_secs(2);

/// A minimal Hugo site over the same plan files: each plan's body as
/// Markdown and its projects as a table (Hugo reads the YAML front matter).
const HUGO_CONFIG: &str = "baseURL = 'https://example.gov.vn/'\ntitle = 'bench'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT', '404']\n";
const HUGO_SINGLE: &str = r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Params.agency }}</h1>
<table><tr><th>TT</th><th>Tên</th><th>Tổng</th><th>Đã thực hiện</th><th>Năm nay</th></tr>
{{ range .Params.projects }}<tr><td>{{ .priority }}</td><td>{{ .name }}</td><td>{{ .cost.total }}</td><td>{{ .cost.spent }}</td><td>{{ .cost.planned }}</td></tr>{{ end }}
</table>
<table><tr><th>Nội dung</th><th>Tổng</th></tr>{{ range .Params.spending }}<tr><td>{{ .task }}</td><td>{{ .total }}</td></tr>{{ end }}</table>
{{ .Content }}
</body></html>"#;
const HUGO_LIST: &str = r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Params.agency }}</a></li>{{ end }}</ul></body></html>"#;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn hugo_site(corpus: &Path, dir: &Path) -> std::io::Result<()> {
    let content = dir.join("content/plans");
    std::fs::create_dir_all(&content)?;
    std::fs::create_dir_all(dir.join("layouts/_default"))?;
    std::fs::write(dir.join("config.toml"), HUGO_CONFIG)?;
    std::fs::write(dir.join("layouts/_default/single.html"), HUGO_SINGLE)?;
    std::fs::write(dir.join("layouts/_default/list.html"), HUGO_LIST)?;
    std::fs::write(dir.join("layouts/index.html"), HUGO_LIST)?;
    for e in std::fs::read_dir(corpus.join(format!("content/{YEAR}")))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !name.starts_with('_') {
            std::fs::copy(e.path(), content.join(&name))?;
        }
    }
    Ok(())
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
    match commit_corpus(&site) {
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
    if let Err(e) = hugo_site(&site, &hugo_dir) {
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

/// `git init`, a first commit of the whole corpus, then a second that edits
/// one plan in ten, as agencies revise their plans.
fn commit_corpus(site: &Path) -> std::io::Result<()> {
    let git = |args: &[&str]| -> std::io::Result<()> {
        let o = Command::new("git")
            .args([
                "-c",
                "user.name=Bench",
                "-c",
                "user.email=bench@example.gov.vn",
            ])
            .args(args)
            .current_dir(site)
            .output()?;
        if o.status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(
                String::from_utf8_lossy(&o.stderr).to_string(),
            ))
        }
    };
    git(&["init", "-q"])?;
    git(&["add", "content"])?;
    git(&["commit", "-q", "-m", "Kế hoạch năm"])?;
    let cycle = site.join(format!("content/{YEAR}"));
    let mut names: Vec<_> = std::fs::read_dir(&cycle)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".md") && !n.starts_with('_'))
        .collect();
    names.sort();
    for name in names.iter().step_by(10) {
        let path = cycle.join(name);
        let mut text = std::fs::read_to_string(&path)?;
        text.push_str("\nĐã rà soát lại theo góp ý của Sở Thông tin và Truyền thông.\n");
        std::fs::write(&path, text)?;
    }
    git(&["commit", "-q", "-a", "-m", "Rà soát theo góp ý"])
}

fn report(what: &str, times: &[Duration]) {
    println!(
        "{what}: median {:.3} s (min {:.3}, max {:.3}) over {RUNS} runs",
        median(times.to_vec()).as_secs_f64(),
        times.iter().min().map_or(0.0, Duration::as_secs_f64),
        times.iter().max().map_or(0.0, Duration::as_secs_f64),
    );
}
