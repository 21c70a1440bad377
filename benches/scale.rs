//! National scale: `planpress build` and Hugo on the same generated plans
//! (10,000 by default), as child processes in the same run, so that their
//! peak memory (`/usr/bin/time -v`) is each one's own. Run with
//! `cargo bench --bench scale`; `PLANPRESS_BENCH_PLANS` changes the size,
//! `PLANPRESS_BENCH_RUNS` the number of alternated clean builds (3),
//! `PLANPRESS_BENCH_TMP` the folder the site and outputs go to (a RAM disk
//! such as /dev/shm keeps the disk's own noise out), and
//! `PLANPRESS_BENCH_BIN` the planpress executable measured (an earlier
//! release build, for "before" figures beside Hugo in the same run), and
//! `PLANPRESS_BENCH_KEEP=1` keeps the generated site and outputs (the path is
//! printed) for profiling a stage by hand.
//!
//! Generation and the git commits are outside every timing. Clean builds
//! alternate planpress and Hugo, each into a folder removed beforehand,
//! outside the timing; the medians and their ratio come from the same run.

#[path = "common/corpus.rs"]
mod corpus;
#[path = "common/peer.rs"]
mod peer;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const YEAR: i32 = 2019;

/// One timed run of a child process.
struct Run {
    wall: Duration,
    peak_kib: u64,
    stderr: String,
}

/// Runs `cmd` under `/usr/bin/time -v` (GNU time: the child's own
/// `ru_maxrss`), timing the wall clock here.
fn timed(cmd: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-v").args(cmd);
    for (k, v) in env {
        c.env(k, v);
    }
    let t = Instant::now();
    let o = c
        .output()
        .expect("run /usr/bin/time (apt-get install time)");
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success(),
        "{:?} failed: {}",
        cmd,
        stderr.lines().rev().take(30).collect::<Vec<_>>().join("\n")
    );
    let peak_kib = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Run {
        wall,
        peak_kib,
        stderr,
    }
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The largest file under `dir` whose name ends with `ext`, and its size.
fn largest(dir: &Path, ext: &str) -> (u64, PathBuf) {
    let mut best = (0, PathBuf::new());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) && m.len() > best.0 {
                best = (m.len(), p.strip_prefix(dir).unwrap_or(&p).to_path_buf());
            }
        }
    }
    best
}

/// Total size and number of files under `dir`.
fn weight(dir: &Path) -> (u64, usize) {
    let (mut bytes, mut files) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                bytes += m.len();
                files += 1;
            }
        }
    }
    (bytes, files)
}

/// `timing:` lines of `PLANPRESS_TIMINGS`, by stage: (wall ms, CPU ms).
fn stages(stderr: &str) -> Vec<(String, f64, f64)> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("timing: ")?;
            let (name, nums) = rest.split_once("  ")?;
            let nums: Vec<f64> = nums
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            Some((name.trim().to_string(), *nums.first()?, *nums.get(1)?))
        })
        .collect()
}

/// Bytes of the search index three queries download in Chromium, the
/// portal's own script typing into its search box (tests/e2e/search.js),
/// over a static server of the output on 127.0.0.1. Skipped, with the
/// reason, where the browser tools are not installed.
fn search_bytes(out: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join(".ci/node_modules/playwright-core").is_dir()
        || !Path::new("/usr/bin/chromium").exists()
    {
        println!("search bytes skipped: needs playwright-core and chromium (bash scripts/test.sh)");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let Ok(mut server) = Command::new("python3")
        .args(["-m", "http.server", "--bind", "127.0.0.1", "-d"])
        .arg(out)
        .arg(port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    else {
        println!("search bytes skipped: python3 not found");
        return;
    };
    let url = format!("http://127.0.0.1:{port}/");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let queries = ["dao tao", "dịch vụ công trực tuyến", "an toan thong tin"];
    let o = Command::new("node")
        .arg(root.join("tests/e2e/search.js"))
        .arg(&url)
        .args(queries)
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let Ok(o) = o.as_ref().map_err(|e| e.to_string()).and_then(|o| {
        if o.status.success() {
            Ok(o)
        } else {
            Err(String::from_utf8_lossy(&o.stderr).to_string())
        }
    }) else {
        println!("search bytes not measured: {:?}", o.map(|o| o.status));
        return;
    };
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    for q in queries {
        let bytes = found["bytes"][q].as_u64().unwrap_or(0);
        let hits = found["results"][q].as_array().map_or(0, Vec::len);
        println!(
            "search `{q}`: {:.0} KB of index downloaded (target ≤ 300 KB), {hits} results shown",
            bytes as f64 / 1000.0
        );
    }
}

fn refs(v: &[std::ffi::OsString]) -> Vec<&std::ffi::OsStr> {
    v.iter().map(|s| s.as_os_str()).collect()
}

fn ms(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let env_num = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let plans = env_num("PLANPRESS_BENCH_PLANS", 10_000);
    let runs = env_num("PLANPRESS_BENCH_RUNS", 3).max(1);
    let base =
        std::env::var_os("PLANPRESS_BENCH_TMP").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let keep = std::env::var_os("PLANPRESS_BENCH_KEEP").is_some();
    let site = dir.path().join("site");
    if keep {
        println!("kept after the run: {}", dir.path().display());
    }
    let bin = std::env::var("PLANPRESS_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_planpress").to_string());
    let bin = bin.as_str();
    println!("planpress measured: {bin}");
    println!("load average at the start: {}", loadavg());
    let t = Instant::now();
    corpus::generate(&site, plans, YEAR);
    match peer::commit(&site, YEAR) {
        Ok(()) => println!(
            "corpus of {plans} plans generated and committed to git in {} (not timed)",
            ms(t.elapsed())
        ),
        Err(e) => println!("corpus of {plans} plans not in git ({e}): plan pages without history"),
    }
    let hugo_dir = dir.path().join("hugo");
    peer::hugo_site(&site, YEAR, &hugo_dir).expect("lay out the Hugo site");
    let ours_out = dir.path().join("out");
    let hugo_out = dir.path().join("hugo-out");
    let os = |s: &str| std::ffi::OsString::from(s);
    let ours_cmd = [
        os(bin),
        os("build"),
        os("--root"),
        site.clone().into_os_string(),
        os("--output"),
        ours_out.clone().into_os_string(),
    ];
    let hugo_cmd = [
        os("hugo"),
        os("--quiet"),
        os("-s"),
        hugo_dir.clone().into_os_string(),
        os("-d"),
        hugo_out.clone().into_os_string(),
    ];
    let have_hugo = Command::new("hugo").arg("version").output().is_ok();
    if !have_hugo {
        println!("peer skipped: hugo not found; apt-get install hugo");
    }
    // The clean builds compared never reuse a cache: each starts without
    // `.planpress/` as a fresh clone would.
    let cache = site.join(".planpress");
    let clean = || {
        let _ = std::fs::remove_dir_all(&ours_out);
        let _ = std::fs::remove_dir_all(&hugo_out);
        let _ = std::fs::remove_dir_all(&cache);
    };
    // Warm-up: page cache, and both must build.
    clean();
    timed(&refs(&ours_cmd), &[]);
    if have_hugo {
        timed(&refs(&hugo_cmd), &[]);
    }
    let (mut ours, mut hugo) = (Vec::new(), Vec::new());
    let mut stage_runs: Vec<Vec<(String, f64, f64)>> = Vec::new();
    for _ in 0..runs {
        clean();
        let r = timed(&refs(&ours_cmd), &[("PLANPRESS_TIMINGS", "1")]);
        stage_runs.push(stages(&r.stderr));
        ours.push(r);
        if have_hugo {
            clean();
            hugo.push(timed(&refs(&hugo_cmd), &[]));
        }
    }
    let wall = |v: &[Run]| median(v.iter().map(|r| r.wall).collect());
    let peak = |v: &[Run]| median(v.iter().map(|r| r.peak_kib).collect());
    println!(
        "planpress clean build: median {} over {runs}, peak {} MiB",
        ms(wall(&ours)),
        peak(&ours) / 1024
    );
    if have_hugo {
        println!(
            "hugo clean build (Markdown and project tables only): median {} over {runs}, peak {} MiB",
            ms(wall(&hugo)),
            peak(&hugo) / 1024
        );
        println!(
            "ratio planpress / hugo: time {:.2} (target ≤ 0.5), peak memory {:.2} (target ≤ 0.33)",
            wall(&ours).as_secs_f64() / wall(&hugo).as_secs_f64(),
            peak(&ours) as f64 / peak(&hugo) as f64
        );
    }
    // The stage breakdown, medians over the runs.
    println!("planpress stages (median wall / CPU ms):");
    if let Some(first) = stage_runs.first() {
        for (i, (name, _, _)) in first.iter().enumerate() {
            let w: Vec<u64> = stage_runs
                .iter()
                .filter_map(|s| s.get(i))
                .map(|s| s.1 as u64)
                .collect();
            let c: Vec<u64> = stage_runs
                .iter()
                .filter_map(|s| s.get(i))
                .map(|s| s.2 as u64)
                .collect();
            println!(
                "  {name:<14} {:>7} ms wall {:>7} ms CPU",
                median(w),
                median(c)
            );
        }
    }
    // `check`, as an editor or CI runs it.
    let check_cmd = [
        os(bin),
        os("check"),
        os("--root"),
        site.clone().into_os_string(),
    ];
    let checks: Vec<Run> = (0..runs.max(5))
        .map(|_| timed(&refs(&check_cmd), &[]))
        .collect();
    println!(
        "planpress check: median {} over {}, peak {} MiB (target < 1 s)",
        ms(wall(&checks)),
        checks.len(),
        peak(&checks) / 1024
    );

    // Incremental: one plan changed since the previous build, which left
    // its cache in `.planpress/`.
    let _ = std::fs::remove_dir_all(&ours_out);
    timed(&refs(&ours_cmd), &[]);
    let (bytes, files) = weight(&ours_out);
    let (page, page_path) = largest(&ours_out, ".html");
    let (any, any_path) = largest(&ours_out, "");
    println!(
        "output: {files} files, {} MiB; largest page {} ({:.1} MB); largest file {} ({:.1} MB)",
        bytes / (1 << 20),
        page_path.display(),
        page as f64 / 1e6,
        any_path.display(),
        any as f64 / 1e6
    );

    search_bytes(&ours_out);
    let plan = site.join(format!("content/{YEAR}/co-quan-{:04}.md", plans / 2 + 1));
    let mut incr = Vec::new();
    for i in 0..runs {
        let mut text = std::fs::read_to_string(&plan).expect("plan");
        text.push_str(&format!("\nBổ sung lần {i}.\n"));
        std::fs::write(&plan, text).expect("plan");
        incr.push(timed(&refs(&ours_cmd), &[]));
    }
    println!(
        "planpress build after one plan changed: median {} over {runs} ({:.2} of the clean build, target ≤ 0.10), peak {} MiB",
        ms(wall(&incr)),
        wall(&incr).as_secs_f64() / wall(&ours).as_secs_f64(),
        peak(&incr) / 1024
    );
    println!("load average at the end: {}", loadavg());
    if keep {
        let _ = dir.keep();
    }
}
