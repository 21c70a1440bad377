//! Benchmark of `planpress serve`: on a generated site (1,000 plans by
//! default; `PLANPRESS_BENCH_PLANS` changes it), the time from saving one
//! plan to the reload event on an open event stream, over
//! `PLANPRESS_BENCH_EDITS` saves (30 by default), and from the save to the
//! new page served. The peer, measured in the same run, is a full
//! `planpress::build` of the same site: what a preview that rebuilds
//! everything would pay per save. Run with `cargo bench --bench serve`.
//!
//! The server runs in this process through the library ([`Server::start`]),
//! on a free loopback port; the client is plain `std::net`, reading the
//! server-sent events as they arrive. The save→event time includes the
//! server's 50 ms debounce, which waits for an editor's second write.

#[path = "common/corpus.rs"]
mod corpus;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use planpress::{ServeOptions, Server};

const YEAR: i32 = 2019;
const DEFAULT_PLANS: usize = 1000;
const DEFAULT_EDITS: usize = 30;
const BUILD_RUNS: usize = 3;
const TARGET: Duration = Duration::from_millis(100);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The event stream of the preview, read through its chunked framing.
struct Events {
    reader: BufReader<TcpStream>,
    text: String,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            s,
            "GET /__planpress/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("request");
        let mut reader = BufReader::new(s);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
        }
        let mut events = Events {
            reader,
            text: String::new(),
        };
        assert_eq!(events.next().0, "hello");
        events
    }

    /// The next event: (name, data).
    fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_string();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = v.to_string();
                    }
                }
                if !data.is_empty() {
                    return (name, data);
                }
                continue;
            }
            let mut size = String::new();
            self.reader.read_line(&mut size).expect("chunk size");
            let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
            assert!(n > 0, "the event stream ended");
            let mut chunk = vec![0; n + 2];
            self.reader.read_exact(&mut chunk).expect("chunk");
            self.text
                .push_str(std::str::from_utf8(&chunk[..n]).expect("utf-8"));
        }
    }
}

/// GETs `path` and returns the body.
fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).expect("response");
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{path}: {}",
        &text[..text.len().min(300)]
    );
    text
}

fn main() {
    let plans = env_or("PLANPRESS_BENCH_PLANS", DEFAULT_PLANS);
    let edits = env_or("PLANPRESS_BENCH_EDITS", DEFAULT_EDITS).max(1);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    corpus::generate(&site, plans, YEAR);
    println!("corpus: {plans} plans");

    let mut opts = ServeOptions::new(&site);
    opts.port = 0;
    opts.quiet = true;
    let t = Instant::now();
    let server = Server::start(&opts).expect("serve starts");
    println!(
        "serve: loaded, checked and listening in {:.0} ms",
        ms(t.elapsed())
    );
    let port = server.addr().port();
    let mut events = Events::open(port);

    let stem = format!("co-quan-{:04}", plans / 2 + 1);
    let page = format!("/{YEAR}/{stem}/");
    let file = site.join(format!("content/{YEAR}/{stem}.md"));
    let original = std::fs::read_to_string(&file).expect("plan");
    // Warm-up: the first page renders after consolidating every plan.
    let t = Instant::now();
    get(port, &page);
    println!("first page: {:.0} ms", ms(t.elapsed()));

    let mut to_event = Vec::with_capacity(edits);
    let mut to_page = Vec::with_capacity(edits);
    for i in 0..edits {
        let marker = format!("Sửa lần thứ {i} trong phép đo.");
        let text = format!("{original}\n{marker}\n");
        let saved = Instant::now();
        std::fs::write(&file, text).expect("save");
        let (name, _) = events.next();
        to_event.push(saved.elapsed());
        assert_eq!(name, "reload");
        let body = get(port, &page);
        to_page.push(saved.elapsed());
        assert!(body.contains(&marker), "edit {i} not served");
        // An editor types between saves.
        std::thread::sleep(Duration::from_millis(150));
    }
    std::fs::write(&file, &original).expect("restore");
    events.next();
    server.stop();

    let mut builds = Vec::with_capacity(BUILD_RUNS);
    let out = dir.path().join("out");
    for _ in 0..BUILD_RUNS {
        let t = Instant::now();
        let r = planpress::build(&site, Some(&out), true);
        builds.push(t.elapsed());
        assert!(
            matches!(r, Ok(planpress::BuildOutcome::Built { .. })),
            "the corpus does not build"
        );
    }

    to_event.sort();
    to_page.sort();
    builds.sort();
    let event_median = percentile(&to_event, 0.5);
    let build_median = percentile(&builds, 0.5);
    println!(
        "save → reload event: median {:.1} ms, p95 {:.1} ms (min {:.1}, max {:.1}) over {edits} saves; target < {} ms: {}",
        ms(event_median),
        ms(percentile(&to_event, 0.95)),
        ms(to_event[0]),
        ms(to_event[to_event.len() - 1]),
        TARGET.as_millis(),
        if event_median < TARGET {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "save → new page served: median {:.1} ms, p95 {:.1} ms",
        ms(percentile(&to_page, 0.5)),
        ms(percentile(&to_page, 0.95)),
    );
    println!(
        "peer: full planpress build of the same site (drafts on): median {:.0} ms over {BUILD_RUNS} runs",
        ms(build_median)
    );
    println!(
        "ratio: a save reaches the browser {:.1}× sooner than a full build finishes",
        build_median.as_secs_f64() / event_median.as_secs_f64()
    );
}
