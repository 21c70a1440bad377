//! Benchmark of `planpress::check` on a generated corpus (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it), with a peer for scale: a
//! Python script that reads the same plan files and parses their front
//! matter with PyYAML. Run with `cargo bench --bench check`; see
//! `benches/README.md`.

#[path = "common/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Timed repetitions, for planpress and for the peer alike.
const RUNS: usize = 10;
/// Cycle year of the corpus.
const YEAR: i32 = 2019;
/// Plans in the corpus unless `PLANPRESS_BENCH_PLANS` says otherwise.
const DEFAULT_PLANS: usize = 1000;
/// The target of the contract's performance budget.
const TARGET: Duration = Duration::from_millis(500);

/// The peer: reads every `.md` file of the cycle folder (plans and
/// `_plan.md`), cuts out the front matter and parses it with PyYAML, `runs`
/// times, timing itself. Exit status 3 when PyYAML is missing.
const PEER: &str = r#"
import os, sys, time
try:
    import yaml
except ImportError:
    print("PyYAML is not installed")
    sys.exit(3)
Loader = getattr(yaml, "CSafeLoader", None)
loader_name = "CSafeLoader" if Loader is not None else "SafeLoader"
if Loader is None:
    Loader = yaml.SafeLoader

def front_matter(text):
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ValueError("no front matter")
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("front matter not closed")
    return text[4:end + 1]

def once(folder):
    docs = 0
    projects = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            text = f.read().decode("utf-8")
        data = yaml.load(front_matter(text), Loader=Loader)
        docs += 1
        projects += len(data.get("projects") or [])
    return docs, projects

folder, runs = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(runs):
    start = time.perf_counter()
    docs, projects = once(folder)
    times.append(time.perf_counter() - start)
times.sort()
mid = len(times) // 2
median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
print("loader=%s files=%d projects=%d min=%.6f median=%.6f max=%.6f"
      % (loader_name, docs, projects, times[0], median, times[-1]))
"#;

fn main() {
    let plans = match std::env::var("PLANPRESS_BENCH_PLANS") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("PLANPRESS_BENCH_PLANS must be a positive integer, not {v:?}");
                std::process::exit(2);
            }
        },
        Err(_) => DEFAULT_PLANS,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Timings are only comparable on an otherwise idle machine: say if not.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!("load average before the run: {}", load.join(" "));
    }

    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => fail(&format!("cannot create a temporary folder: {e}")),
    };
    let root = dir.path();
    let start = Instant::now();
    corpus::generate(root, plans, YEAR);
    let generated = start.elapsed();
    let cycle = root.join("content").join(YEAR.to_string());
    println!(
        "corpus: {plans} plans, {:.1} MiB, generated in {} ({cores} cores available)",
        folder_size(&cycle) as f64 / (1024.0 * 1024.0),
        fmt(generated),
    );

    // The corpus must stay valid: otherwise the benchmark times error paths.
    // This run is also the warm-up (page cache, thread pool, allocator).
    let checked = match planpress::check(root) {
        Ok(c) => c,
        Err(e) => fail(&format!("planpress::check failed to load the corpus: {e}")),
    };
    if checked.errors() > 0 {
        let first: Vec<_> = checked.diagnostics.iter().take(20).cloned().collect();
        eprint!(
            "{}",
            planpress::render(
                &first,
                &checked.sources,
                planpress::Format::Human,
                checked.lang,
                false
            )
        );
        fail(&format!(
            "the generated corpus has {} errors (first ones above): \
             benches/corpus.rs must generate a valid site",
            checked.errors()
        ));
    }
    println!(
        "check: {} diagnostics ({} errors, {} warnings) on the warm-up run",
        checked.diagnostics.len(),
        checked.errors(),
        checked.warnings(),
    );
    drop(checked);

    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let result = black_box(planpress::check(black_box(root)));
        times.push(start.elapsed());
        drop(result);
    }
    let (min, median, max) = stats(&mut times);
    println!(
        "planpress check, {plans} plans, {RUNS} runs: min {}  median {}  max {}",
        fmt(min),
        fmt(median),
        fmt(max),
    );
    if plans == DEFAULT_PLANS {
        let verdict = if median < TARGET { "met" } else { "NOT met" };
        println!(
            "target: median < {} on 1,000 plans (2 cores): {verdict} on {cores} cores",
            fmt(TARGET)
        );
    }

    match peer(&cycle) {
        Ok(p) => {
            println!(
                "peer (python3 + PyYAML {}, {} files, {} projects), {RUNS} runs: min {}  median {}  max {}",
                p.loader,
                p.files,
                p.projects,
                fmt(p.min),
                fmt(p.median),
                fmt(p.max),
            );
            println!(
                "ratio planpress median / peer median: {:.3} (below 1: planpress is faster)",
                median.as_secs_f64() / p.median.as_secs_f64()
            );
        }
        Err(why) => println!("peer skipped: {why}"),
    }
}

/// What the peer script reported.
struct Peer {
    loader: String,
    files: u64,
    projects: u64,
    min: Duration,
    median: Duration,
    max: Duration,
}

/// Runs the peer on the cycle folder; `Err` says why it was skipped.
fn peer(cycle: &Path) -> Result<Peer, String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PEER)
        .arg(cycle)
        .arg(RUNS.to_string())
        .output()
        .map_err(|e| format!("python3 cannot be run ({e})"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(3) {
        return Err(format!(
            "{} (pip install pyyaml)",
            stdout.trim().trim_end_matches('.')
        ));
    }
    if !out.status.success() {
        return Err(format!(
            "the peer script failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let field = |key: &str| -> Result<String, String> {
        stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=').map(str::to_string))
            .ok_or_else(|| format!("the peer printed no `{key}`: {}", stdout.trim()))
    };
    let number = |key: &str| -> Result<u64, String> {
        field(key)?
            .parse()
            .map_err(|e| format!("bad `{key}` from the peer: {e}"))
    };
    let seconds = |key: &str| -> Result<Duration, String> {
        let s: f64 = field(key)?
            .parse()
            .map_err(|e| format!("bad `{key}` from the peer: {e}"))?;
        Duration::try_from_secs_f64(s).map_err(|e| format!("bad `{key}` from the peer: {e}"))
    };
    Ok(Peer {
        loader: field("loader")?,
        files: number("files")?,
        projects: number("projects")?,
        min: seconds("min")?,
        median: seconds("median")?,
        max: seconds("max")?,
    })
}

/// Sorts `times` and returns min, median and max.
fn stats(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    times.sort_unstable();
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    };
    (times[0], median, times[n - 1])
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Total size of the files directly in `dir`.
fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn fail(message: &str) -> ! {
    eprintln!("bench check: {message}");
    std::process::exit(1);
}
