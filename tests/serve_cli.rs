//! `planpress serve` as editors use it: the real binary on a free loopback
//! port, serving a copy of the demo while the test edits its files. The
//! HTTP client is a few lines of `std::net`, so that request lines reach
//! the server exactly as written (clients normalise `..` away) and the
//! event stream is read as it arrives.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/tools.rs"]
mod tools;

/// Generous: CI machines are small and busy. Timeouts only bound a failing
/// test; a passing one never waits for them.
const WAIT: Duration = Duration::from_secs(20);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the demo site in a fresh temp folder.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    dir
}

/// A running `planpress serve` and the lines it printed.
struct Serve {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    site: tempfile::TempDir,
}

impl Serve {
    fn start(site: tempfile::TempDir) -> Serve {
        Serve::start_with(site, &[])
    }

    fn start_with(site: tempfile::TempDir, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_planpress"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.path())
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        let mut serve = Serve {
            child,
            port: 0,
            lines,
            site,
        };
        let line = serve.wait_line(|l| l.contains("http://127.0.0.1:"));
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap();
        serve.port = port.parse().unwrap();
        serve
    }

    fn root(&self) -> &Path {
        self.site.path()
    }

    fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits for a printed line matching `pred`, and returns it.
    fn wait_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.log().into_iter().find(|l| pred(l)) {
                return l;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("serve exited with {status}: {:?}", self.log());
            }
            assert!(start.elapsed() < WAIT, "no such line in {:?}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        s
    }

    /// Sends `target` exactly as given on the request line.
    fn raw(&self, target: &[u8], headers: &str) -> Response {
        let mut s = self.connect();
        let mut req = b"GET ".to_vec();
        req.extend_from_slice(target);
        req.extend_from_slice(b" HTTP/1.1\r\n");
        req.extend_from_slice(headers.as_bytes());
        req.extend_from_slice(b"Connection: close\r\n\r\n");
        s.write_all(&req).unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).unwrap();
        Response::parse(&bytes)
    }

    fn get(&self, path: &str) -> Response {
        let host = format!("Host: 127.0.0.1:{}\r\n", self.port);
        self.raw(path.as_bytes(), &host)
    }

    /// Opens the event stream and returns it after its `hello`.
    fn events(&self) -> Events {
        let mut s = self.connect();
        write!(
            s,
            "GET /__planpress/live HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("content-type: text/event-stream"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        let mut events = Events {
            reader,
            text: String::new(),
        };
        let (name, build) = events.next(WAIT).unwrap();
        assert_eq!(name, "hello");
        assert!(!build.is_empty());
        events
    }

    /// Polls `path` until it answers `status` (after changes that may take
    /// more than one rebuild, such as a large file written in pieces).
    fn eventually(&self, path: &str, status: u16) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(path);
            if r.status == status {
                return r;
            }
            assert!(
                start.elapsed() < WAIT,
                "{path} stays {}: {}",
                r.status,
                r.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        std::fs::write(self.root().join(rel), text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The event stream, read through its chunked framing.
struct Events {
    reader: BufReader<TcpStream>,
    text: String,
}

impl Events {
    /// The next event (name, data), or `None` after `timeout`.
    fn next(&mut self, timeout: Duration) -> Option<(String, String)> {
        let until = Instant::now() + timeout;
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.trim_start().to_string());
                    }
                }
                if !data.is_empty() {
                    return Some((name, data.join("\n")));
                }
            }
            let left = until.checked_duration_since(Instant::now())?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut size = String::new();
            match self.reader.read_line(&mut size) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(e) => panic!("{e}"),
            }
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                return None;
            }
            let mut chunk = vec![0; n + 2];
            self.reader.get_ref().set_read_timeout(Some(WAIT)).unwrap();
            self.reader.read_exact(&mut chunk).unwrap();
            self.text
                .push_str(std::str::from_utf8(&chunk[..n]).unwrap());
        }
    }

    /// Waits for at least one `reload`, then for 300 ms without another:
    /// for changes that may take more than one rebuild (a large file
    /// written in pieces). Returns the last build.
    fn settle(&mut self) -> String {
        let mut build = self.reload();
        while let Some((_, b)) = self.next(Duration::from_millis(300)) {
            build = b;
        }
        build
    }

    /// The next `reload`, with the new build; fails after [`WAIT`].
    fn reload(&mut self) -> String {
        match self.next(WAIT) {
            Some((name, build)) if name == "reload" => build,
            other => panic!("expected a reload event, got {other:?}"),
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
        let head = std::str::from_utf8(&bytes[..split]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Response {
            status,
            headers,
            body: bytes[split + 4..].to_vec(),
        }
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The build an HTML page was rendered from.
    fn build(&self) -> String {
        let text = self.text();
        let at = text.find("data-planpress-build=\"").unwrap() + 22;
        text[at..].split('"').next().unwrap().to_string()
    }
}

/// Line number of the first line containing `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn serves_the_demo_in_memory_with_drafts() {
    let mut serve = Serve::start(demo_copy());
    // The demo's three cycles: 16 plans of 2019, 16 of 2020, 5 of 2026.
    serve.wait_line(|l| l.contains("37 kế hoạch"));
    for (path, ctype) in [
        ("/", "text/html; charset=utf-8"),
        ("/2019/", "text/html; charset=utf-8"),
        ("/2019/so-tttt/", "text/html; charset=utf-8"),
        ("/agencies/so-tttt/", "text/html; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/search.js", "text/javascript; charset=utf-8"),
        ("/search/index.json", "application/json"),
        ("/search/t/0.json", "application/json"),
        ("/search/d/0.json", "application/json"),
        ("/2019/data/plan.json", "application/json"),
        ("/2019/data/projects.csv", "text/csv; charset=utf-8"),
        (
            "/2019/data/ke-hoach-2019.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/atom.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/__planpress/live.js", "text/javascript; charset=utf-8"),
    ] {
        let r = serve.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), ctype, "{path}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
        assert!(!r.body.is_empty(), "{path}");
    }
    // Every HTML page listens for reloads, just before </body>.
    let page = serve.get("/2019/so-tttt/").text();
    let script = page.find("<script src=\"/__planpress/live.js\"").unwrap();
    assert!(
        page[script..]
            .trim_end()
            .ends_with("</script>\n</body>\n</html>")
    );
    // The draft is on the site, marked.
    let draft = serve.get("/2019/hoi-lhpn/");
    assert_eq!(draft.status, 200);
    assert!(draft.text().contains("BẢN NHÁP"));
    assert!(
        serve
            .get("/")
            .text()
            .contains("Bản xem trước có kèm bản nháp")
    );
    // Links point at the preview, not the portal.
    let port = serve.port;
    assert!(page.contains(&format!("href=\"http://127.0.0.1:{port}/2019/so-tttt/\"")));
    // Downloads are the real files.
    let csv = serve.get("/2019/data/projects.csv").body;
    assert!(csv.starts_with(b"\xef\xbb\xbf"));
    assert!(
        serve
            .get("/2019/data/ke-hoach-2019.xlsx")
            .body
            .starts_with(b"PK")
    );
    // A folder without its slash is redirected, so relative links work.
    let r = serve.get("/2019");
    assert_eq!((r.status, r.header("location")), (302, "/2019/"));
    let r = serve.get("/2019/so-tttt?x=1");
    assert_eq!(
        (r.status, r.header("location")),
        (302, "/2019/so-tttt/?x=1")
    );
    // Unknown paths get the site's 404 page, with status 404.
    for path in ["/nope", "/2019/nope/", "/2018/", "/static/", "/2019/data/"] {
        let r = serve.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.text().contains("Không tìm thấy trang"), "{path}");
        assert!(r.text().contains("href=\"/static/style.css\""), "{path}");
    }
    // Only GET and HEAD; HEAD has no body.
    let mut s = serve.connect();
    write!(
        s,
        "HEAD /2019/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let r = Response::parse(&bytes);
    assert_eq!((r.status, r.body.len()), (200, 0));
    let mut s = serve.connect();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    assert_eq!(Response::parse(&bytes).status, 405);
    // Nothing is written: the site is built in memory.
    assert!(!serve.root().join("output").exists());
}

#[test]
fn a_save_reloads_open_pages_with_the_new_content() {
    let mut serve = Serve::start(demo_copy());
    let rel = "content/2019/so-tttt.md";
    let text = serve.read(rel);
    let first = serve.get("/2019/so-tttt/");
    let mut events = serve.events();
    let edited = text.replace(
        "Vận hành, duy trì Trung tâm tích hợp dữ liệu tỉnh",
        "Vận hành Trung tâm dữ liệu ĐÃ SỬA",
    );
    assert_ne!(edited, text);
    serve.write(rel, &edited);
    let build = events.reload();
    assert_ne!(build, first.build());
    let page = serve.get("/2019/so-tttt/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Vận hành Trung tâm dữ liệu ĐÃ SỬA"));
    assert_eq!(page.build(), build);
    // The consolidated page and the downloads follow.
    assert!(serve.get("/2019/").text().contains("ĐÃ SỬA"));
    assert!(
        serve
            .get("/2019/data/spending.csv")
            .text()
            .contains("ĐÃ SỬA")
    );
    serve.wait_line(|l| l.starts_with("Đã sửa content/2019/so-tttt.md: dựng lại trong"));

    // An editor that writes the file twice on one save: one rebuild. (On a
    // machine so busy that the two writes end up further apart than the
    // wait after a completed write (15 ms), they are two saves: try again.)
    for attempt in 0.. {
        let before = serve.log().len();
        let started = Instant::now();
        serve.write(rel, "");
        serve.write(rel, &text);
        let gap = started.elapsed();
        if gap >= Duration::from_millis(10) && attempt < 5 {
            events.settle();
            continue;
        }
        events.reload();
        assert_eq!(events.next(Duration::from_millis(600)), None);
        assert_eq!(serve.log().len(), before + 1, "{:?}", serve.log());
        break;
    }
    assert!(!serve.get("/2019/so-tttt/").text().contains("ĐÃ SỬA"));
    // Nothing else moves: the server's own reads are no changes.
    assert_eq!(events.next(Duration::from_millis(400)), None);
}

#[test]
fn errors_show_at_every_url_until_fixed() {
    let mut serve = Serve::start(demo_copy());
    let mut events = serve.events();
    let rel = "content/2019/so-tttt.md";
    let good = serve.read(rel);
    let bad = good.replacen("total: 860", "total: 900", 1);
    let line = line_of(&bad, "total: 900");
    serve.write(rel, &bad);
    events.reload();
    for path in [
        "/",
        "/2019/",
        "/2019/so-tttt/",
        "/2019/data/plan.json",
        "/nope/",
    ] {
        let r = serve.get(path);
        assert_eq!(r.status, 500, "{path}");
        assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        let html = r.text();
        assert!(html.contains("E030"), "{path}");
        assert!(
            html.contains(&format!("content/2019/so-tttt.md:{line}:12")),
            "{html}"
        );
        assert!(html.contains("total: <mark>900</mark>"), "{html}");
        assert!(html.contains("Chưa hiển thị được trang"));
        assert!(
            html.contains("data-planpress-build="),
            "the error page reloads too"
        );
    }
    serve.wait_line(|l| l.contains("lỗi (E030 content/2019/so-tttt.md:"));

    // The editor keeps saving: the page follows, escaped.
    let worse = bad.replacen(
        "agency: so-tttt",
        "agency: so-tttt\nprojets: \"<script>alert(1)</script>\"",
        1,
    );
    serve.write(rel, &worse);
    events.reload();
    let html = serve.get("/2019/so-tttt/").text();
    assert!(html.contains("E004"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));

    // Fixed: the page comes back by itself.
    serve.write(rel, &good);
    let build = events.reload();
    let r = serve.get("/2019/so-tttt/");
    assert_eq!(r.status, 200);
    assert_eq!(r.build(), build);
    assert!(!r.text().contains("E030"));

    // A broken template: E060 with the template's file and line.
    let tpl = serve.root().join("themes/default/templates");
    std::fs::create_dir_all(&tpl).unwrap();
    events.reload(); // the new themes/ folder
    serve.write(
        "themes/default/templates/plan.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ data.year + }}</p>\n{% endblock %}\n",
    );
    events.reload();
    let html = serve.get("/").text();
    assert!(html.contains("E060"), "{html}");
    assert!(
        html.contains("themes/default/templates/plan.html:3:"),
        "{html}"
    );
    std::fs::remove_file(tpl.join("plan.html")).unwrap();
    events.reload();
    assert_eq!(serve.get("/2019/so-tttt/").status, 200);
}

#[test]
fn new_and_deleted_plans_appear_and_disappear() {
    let mut serve = Serve::start(demo_copy());
    let mut events = serve.events();
    assert_eq!(serve.get("/2019/ubnd-ly-son/").status, 404);
    let text = serve
        .read("content/2019/ubnd-binh-son.md")
        .replace("ubnd-binh-son", "ubnd-ly-son");
    serve.write("content/2019/ubnd-ly-son.md", &text);
    events.reload();
    let r = serve.get("/2019/ubnd-ly-son/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("UBND huyện Lý Sơn"));
    assert_eq!(serve.get("/agencies/ubnd-ly-son/").status, 200);
    serve.wait_line(|l| l.starts_with("Đã thêm content/2019/ubnd-ly-son.md"));
    // Renamed to its agency code's near miss: E011, then renamed back.
    std::fs::rename(
        serve.root().join("content/2019/ubnd-ly-son.md"),
        serve.root().join("content/2019/ly-son.md"),
    )
    .unwrap();
    events.reload();
    assert!(serve.get("/").text().contains("E011"));
    std::fs::remove_file(serve.root().join("content/2019/ly-son.md")).unwrap();
    events.reload();
    assert_eq!(serve.get("/2019/ubnd-ly-son/").status, 404);
    // A plan deleted: its page is gone, the cycle shows it missing.
    std::fs::remove_file(serve.root().join("content/2019/so-y-te.md")).unwrap();
    events.reload();
    assert_eq!(serve.get("/2019/so-y-te/").status, 404);
    assert_eq!(serve.get("/2019/").status, 200);
    serve.wait_line(|l| l.starts_with("Đã xóa content/2019/so-y-te.md"));
    // A new cycle folder.
    std::fs::create_dir(serve.root().join("content/2021")).unwrap();
    let meta = serve
        .read("content/2020/_plan.md")
        .replace("year: 2020", "year: 2021");
    serve.write("content/2021/_plan.md", meta);
    events.reload();
    serve.eventually("/2021/", 200);
}

#[test]
fn nothing_outside_the_site_is_served() {
    let site = demo_copy();
    std::fs::write(site.path().join("secret.txt"), "secret").unwrap();
    let serve = Serve::start(site);
    let host = format!("Host: 127.0.0.1:{}\r\n", serve.port);
    for target in [
        &b"/../secret.txt"[..],
        b"/../../../../../../etc/passwd",
        b"/2019/../../secret.txt",
        b"/%2e%2e/secret.txt",
        b"/%2E%2E%2Fsecret.txt",
        b"/.%2e/secret.txt",
        b"/2019/%2e%2e/%2e%2e/secret.txt",
        b"/%252e%252e/secret.txt",
        b"/..\\secret.txt",
        b"/..%5csecret.txt",
        b"/static\\..\\..\\secret.txt",
        b"//etc/passwd",
        b"/%2fetc/passwd",
        b"/etc/passwd",
        b"/C:/Windows/win.ini",
        b"/c%3a%5cwindows%5cwin.ini",
        b"/index.html%00.css",
        b"/%00",
        b"/secret.txt",
        b"/content/site.yaml",
        b"/content/2019/so-tttt.md",
        b"/.git/config",
        b"http://127.0.0.1/../secret.txt",
        b"*",
    ] {
        let r = serve.raw(target, &host);
        assert_eq!(r.status, 404, "{}", String::from_utf8_lossy(target));
        assert!(!r.text().contains("secret"));
    }
    // A raw NUL in the request line is not even HTTP: the parser refuses it.
    let r = serve.raw(b"/secret\0.txt", &host);
    assert_eq!(r.status, 400);
    // A page of another site whose name resolves here (DNS rebinding).
    let r = serve.raw(b"/", "Host: evil.example\r\n");
    assert_eq!(r.status, 403);
    assert_eq!(serve.raw(b"/", "Host: localhost\r\n").status, 200);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Nguyễn Thị Lan",
            "-c",
            "user.email=lan@example.gov.vn",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// In a repository, the preview's plan pages show each plan's history as
/// the built site does: a save marks the plan as changed since the last
/// commit, and a commit made while serving reloads the pages with it.
#[test]
fn the_preview_shows_git_history_and_follows_commits() {
    let site = demo_copy();
    git(site.path(), &["init", "-q"]);
    git(site.path(), &["add", "content"]);
    git(site.path(), &["commit", "-q", "-m", "Kế hoạch ban đầu"]);
    let mut s = Serve::start(site);
    let uncommitted = "chưa được lưu vào git";
    let page = s.get("/2019/so-tttt/").text();
    assert!(
        page.contains("id=\"cap-history\""),
        "no history on the page"
    );
    assert!(page.contains("Kế hoạch ban đầu"));
    assert!(!page.contains(uncommitted));

    let mut events = s.events();
    let rel = "content/2019/so-tttt.md";
    s.write(rel, s.read(rel) + "\nBổ sung một đoạn.\n");
    events.reload();
    assert!(s.get("/2019/so-tttt/").text().contains(uncommitted));

    git(s.root(), &["commit", "-q", "-a", "-m", "Bổ sung nội dung"]);
    events.reload();
    let page = s.get("/2019/so-tttt/").text();
    assert!(
        page.contains("Bổ sung nội dung"),
        "the new commit is not listed"
    );
    assert!(!page.contains(uncommitted));
    s.wait_line(|l| l.contains("HEAD của git"));

    // git commands that move nothing (status refreshes the index) do not
    // reload open pages.
    git(s.root(), &["status", "--short"]);
    assert_eq!(events.next(Duration::from_millis(600)), None);
}

#[test]
fn garbage_never_stops_the_server() {
    let serve = Serve::start(demo_copy());
    let mut events = serve.events();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("content/2019/rac.md", b"\xff\xfe\x00\x01 not text".to_vec()),
        ("content/2019/rac.md", b"---\n[: {{{\n".to_vec()),
        (
            "content/2019/rac.md",
            format!("---\na: {}\n---\n", "[".repeat(100_000)).into_bytes(),
        ),
        ("content/2019/rac.md", vec![b'x'; 5 * 1024 * 1024]),
        (
            "content/2019/rac.md",
            b"---\na: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n---\n"
                .to_vec(),
        ),
        ("content/site.yaml", b"\x00\x00garbage: [".to_vec()),
    ];
    let site_yaml = serve.read("content/site.yaml");
    for (rel, bytes) in cases {
        serve.write(rel, bytes);
        events.settle();
        let r = serve.get("/2019/so-tttt/");
        assert_eq!(r.status, 500, "{rel}");
        assert!(r.text().contains(rel), "{rel}");
    }
    serve.write("content/site.yaml", site_yaml);
    events.settle();
    assert_eq!(serve.get("/").status, 500); // rac.md is still there
    std::fs::remove_file(serve.root().join("content/2019/rac.md")).unwrap();
    serve.eventually("/2019/so-tttt/", 200);
    // Folders where files belong, and files where folders belong.
    std::fs::create_dir(serve.root().join("content/2019/thu-muc.md")).unwrap();
    std::fs::write(serve.root().join("themes"), "not a folder").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(serve.get("/2019/so-tttt/").status, 200);
}

#[test]
fn english_sites_get_english_messages() {
    let site = demo_copy();
    let yaml = site.path().join("content/site.yaml");
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("language: vi", "language: en");
    std::fs::write(&yaml, text).unwrap();
    let mut serve = Serve::start(site);
    serve.wait_line(|l| l.starts_with("planpress serve: preview at http://127.0.0.1:"));
    let mut events = serve.events();
    let rel = "content/2019/so-tttt.md";
    serve.write(
        rel,
        serve.read(rel).replacen("year: 2019", "year: 2019x", 1),
    );
    events.reload();
    let html = serve.get("/").text();
    assert!(html.contains("This page cannot be shown"), "{html}");
    assert!(html.contains("lang=\"en\""));
    serve.wait_line(|l| l.starts_with("Changed content/2019/so-tttt.md: rebuilt in"));
    assert_eq!(serve.get("/nope").status, 500);
}

#[test]
fn ctrl_c_stops_cleanly_with_pages_open() {
    let mut serve = Serve::start(demo_copy());
    let mut events = serve.events();
    assert_eq!(serve.get("/").status, 200);
    let status = Command::new("kill")
        .args(["-INT", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The event stream ends instead of holding the shutdown up.
    assert_eq!(events.next(WAIT), None);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = serve.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < WAIT, "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    serve.wait_line(|l| l == "Đã dừng xem trước.");
    assert!(TcpStream::connect(("127.0.0.1", serve.port)).is_err());
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let first = Serve::start(demo_copy());
    let out = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["serve", "--port", &first.port.to_string(), "--root"])
        .arg(first.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{}", first.port)), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["serve", "--port", "0", "--root", "/no/such/site"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_browser_reloads_by_itself() {
    let script = repo().join("tests/e2e/serve.js");
    let chromium = std::env::var_os("CHROME_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    let node = Command::new("node").arg("--version").output();
    if !tools::require(
        "node, chromium and playwright-core",
        node.is_ok_and(|o| o.status.success())
            && repo().join(".ci/node_modules/playwright-core").is_dir()
            && chromium.exists(),
        tools::BROWSER_HINT,
    ) {
        return;
    }
    let serve = Serve::start(demo_copy());
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("http://127.0.0.1:{}/", serve.port))
        .arg(serve.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\nserver: {:?}",
        String::from_utf8_lossy(&out.stderr),
        serve.log()
    );
    let seen: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // First load, reload, error, error, back: the browser did every step.
    assert_eq!(
        seen["statuses"],
        serde_json::json!([200, 200, 500, 500, 200]),
        "{seen}"
    );
    assert_eq!(seen["scrollBefore"], seen["scrollAfter"], "{seen}");
}

/// The sockets `pid` holds open (the listener, clients, event streams).
fn open_sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

/// Whether the server closed `s` (or answered and closed) before the
/// test's own read timeout: a slow client is cut off, not kept for ever.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_connections_capped() {
    let serve = Serve::start(demo_copy());
    let limit = Duration::from_secs(40); // the server's is 10 s
    // Slowloris: a request head that never ends.
    let mut slow = serve.connect();
    slow.set_read_timeout(Some(limit)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: b\r\n")
        .unwrap();
    // Idle: a kept-alive connection after its answer.
    let mut idle = serve.connect();
    idle.set_read_timeout(Some(limit)).unwrap();
    let host = format!("Host: 127.0.0.1:{}\r\n", serve.port);
    idle.write_all(format!("GET /404.html HTTP/1.1\r\n{host}\r\n").as_bytes())
        .unwrap();
    // A flood of connections that send nothing: the server holds at most
    // its cap of them, the rest wait in the system's queue.
    let flood: Vec<TcpStream> = (0..400)
        .map(|_| TcpStream::connect(("127.0.0.1", serve.port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let held = open_sockets(serve.child.id());
    assert!(held <= 256 + 8, "the server holds {held} sockets");
    let start = Instant::now();
    assert!(closed_by_server(&mut slow), "a slow request head is kept");
    assert!(closed_by_server(&mut idle), "an idle connection is kept");
    assert!(start.elapsed() < limit);
    // Once the idle ones are cut off, a real request gets through.
    drop(flood);
    let r = serve.get("/2019/so-tttt/");
    assert_eq!(r.status, 200);
}

#[test]
fn a_body_nested_too_deep_is_an_error_page_not_a_hung_preview() {
    let serve = Serve::start(demo_copy());
    let mut events = serve.events();
    let rel = "content/2019/so-tttt.md";
    let deep = format!(
        "{}\n\nĐoạn cuối.\n\n{}x\n",
        serve.read(rel),
        "<div>".repeat(20_000)
    );
    serve.write(rel, &deep);
    events.reload();
    let r = serve.get("/2019/so-tttt/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("E005"), "{}", r.text());
    // Other pages answer at once too.
    assert_eq!(serve.get("/2019/bhxh/").status, 500);
}

/// A body too long for the preview to render quickly (600 KB of footnotes,
/// which took the worker over a minute at 4 MB): an error page at once for
/// every page, nothing rendered, and the preview comes back when it is cut.
#[test]
fn a_body_too_long_to_render_quickly_is_an_error_page_not_a_busy_worker() {
    let mut serve = Serve::start(demo_copy());
    let mut events = serve.events();
    let rel = "content/2019/so-tttt.md";
    let good = serve.read(rel);
    let refs: String = (0..40_000).map(|i| format!("x[^{i}] ")).collect();
    let defs: String = (0..40_000).map(|i| format!("[^{i}]: n\n")).collect();
    let long = format!("{good}\n\n{refs}\n\n{defs}");
    assert!(long.len() > 600 * 1024 && long.len() < 4 * 1024 * 1024);
    serve.write(rel, &long);
    events.reload();
    for path in ["/2019/so-tttt/", "/2019/", "/2019/bhxh/"] {
        let r = serve.get(path);
        assert_eq!(r.status, 500, "{path}");
        let html = r.text();
        assert!(
            html.contains("E001") && html.contains("512 KB"),
            "{path}: {html}"
        );
        assert!(html.contains("content/2019/so-tttt.md:"), "{html}");
    }
    serve.wait_line(|l| l.contains("E001 content/2019/so-tttt.md:"));
    // `check` has no such limit: only the preview does.
    let o = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["check", "--root"])
        .arg(serve.root())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serve.write(rel, &good);
    events.reload();
    assert_eq!(serve.get("/2019/so-tttt/").status, 200);
}
