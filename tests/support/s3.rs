//! Real S3 servers for the `kind: s3` tests: moto's server (PyPI
//! `moto[server]`, atomic conditional writes) and s3s-fs (crates.io, checks
//! SigV4 signatures), each started on 127.0.0.1 on a free port and stopped
//! when dropped; an nginx that serves the bucket as the portal does; and
//! plain HTTP requests to look at the bucket from the server's side.
//!
//! Include with `#[path = "support/s3.rs"] mod s3;` (from `tests/`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "tools.rs"]
pub(crate) mod tools;

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

fn on_path(name: &str) -> Option<PathBuf> {
    tools::find(name)
}

/// A server process, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// Port it listens on.
    pub(crate) port: u16,
    log: PathBuf,
}

impl Server {
    fn spawn(mut cmd: Command, port: u16, log: PathBuf) -> Server {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).expect("log"))
            .stderr(std::fs::File::create(log.with_extension("err")).expect("log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        let mut s = Server { child, port, log };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("{cmd:?} exited ({status}):\n{}", s.logs());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{cmd:?} does not listen on {port}:\n{}",
                s.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// Its output so far.
    pub(crate) fn logs(&self) -> String {
        let a = std::fs::read_to_string(&self.log).unwrap_or_default();
        let b = std::fs::read_to_string(self.log.with_extension("err")).unwrap_or_default();
        format!("{a}{b}")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's S3 server, or `None` (with the reason printed) when it is not
/// installed: `pip install 'moto[server]'`, as scripts/test.sh does.
pub(crate) fn moto(dir: &Path) -> Option<Server> {
    let port = free_port();
    let cmd = if let Some(bin) = on_path("moto_server") {
        let mut c = Command::new(bin);
        c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        c
    } else {
        let ok = Command::new("python3")
            .args(["-c", "import moto.server"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !tools::require("moto's S3 server", ok, "pip install 'moto[server]==5.2.1'") {
            return None;
        }
        let mut c = Command::new("python3");
        c.args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ]);
        c
    };
    std::fs::create_dir_all(dir).expect("moto folder");
    Some(Server::spawn(cmd, port, dir.join("moto.log")))
}

/// s3s-fs serving `dir/data` with the key pair `key`/`secret`, or `None`
/// (with the reason printed) when it is not installed:
/// `cargo install s3s-fs@0.14.1 --features binary`, as scripts/test.sh does.
pub(crate) fn s3s_fs(dir: &Path, key: &str, secret: &str) -> Option<Server> {
    let bin = on_path("s3s-fs").or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
        Some(home.join("bin/s3s-fs")).filter(|p| p.is_file())
    });
    if !tools::require(
        "s3s-fs",
        bin.is_some(),
        "cargo install --locked s3s-fs@0.14.1 --features binary",
    ) {
        return None;
    }
    let bin = bin?;
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("s3s-fs folder");
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--access-key",
        key,
        "--secret-key",
        secret,
    ])
    .arg(&data);
    Some(Server::spawn(cmd, port, dir.join("s3s.log")))
}

/// An HTTP/1.0 answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// One unsigned HTTP/1.0 request to 127.0.0.1 (moto and nginx accept them).
pub(crate) fn request(port: u16, method: &str, path: &str, body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("request");
    s.write_all(body).expect("body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body,
    }
}

fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        let Some(j) = rest.find(&close) else { break };
        out.push(rest[..j].replace("&amp;", "&"));
        rest = &rest[j + close.len()..];
    }
    out
}

/// Every key of `bucket` under `prefix`, as the server lists them.
pub(crate) fn keys(port: u16, bucket: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q = format!("/{bucket}?list-type=2&max-keys=1000&prefix={prefix}");
        if let Some(t) = &token {
            q += "&continuation-token=";
            q += &t
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D");
        }
        let a = request(port, "GET", &q, b"");
        assert_eq!(a.status, 200, "list {bucket}/{prefix}: {}", a.text());
        let xml = a.text();
        out.extend(xml_values(&xml, "Key"));
        token = xml_values(&xml, "NextContinuationToken").pop();
        if token.is_none() {
            break;
        }
    }
    out.sort();
    out
}

/// nginx in front of a bucket as docs/publish.md shows it: every request
/// asks the store for `<prefix>/current` (auth_request), reads the release
/// id from its `x-amz-meta-release` header and proxies to
/// `<prefix>/releases/<id>/<path>`. It adds `X-Release` so that a test can
/// see which release answered.
pub(crate) struct Portal {
    server: Server,
    /// Port it listens on.
    pub(crate) port: u16,
}

impl Portal {
    pub(crate) fn start(dir: &Path, store_port: u16, bucket: &str, prefix: &str) -> Option<Portal> {
        let nginx = on_path("nginx");
        if !tools::require("nginx", nginx.is_some(), "apt-get install nginx") {
            return None;
        }
        let nginx = nginx?;
        let t = dir.join("tmp");
        std::fs::create_dir_all(&t).expect("nginx folder");
        let port = free_port();
        let user = if is_root() { "user root;\n" } else { "" };
        let conf = dir.join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                r#"daemon off;
master_process off;
{user}pid {pid};
error_log {err} warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {t}/body;
  proxy_temp_path {t}/proxy;
  fastcgi_temp_path {t}/fastcgi;
  uwsgi_temp_path {t}/uwsgi;
  scgi_temp_path {t}/scgi;
  upstream store {{ server 127.0.0.1:{store_port}; keepalive 16; }}
  server {{
    listen 127.0.0.1:{port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location = /_current {{
      internal;
      proxy_pass http://store/{bucket}/{prefix}/current;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }}
    location ~ /\.planpress {{ return 404; }}
    location / {{
      auth_request /_current;
      auth_request_set $release $upstream_http_x_amz_meta_release;
      rewrite ^(.*)/$ $1/index.html break;
      proxy_pass http://store/{bucket}/{prefix}/releases/$release$uri;
      proxy_hide_header x-amz-meta-planpress-sha256;
      proxy_hide_header x-amz-meta-release;
      add_header X-Release $release always;
    }}
  }}
}}
"#,
                pid = dir.join("nginx.pid").display(),
                err = dir.join("error.log").display(),
                t = t.display(),
            ),
        )
        .expect("nginx.conf");
        let mut cmd = Command::new(nginx);
        cmd.arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf);
        let server = Server::spawn(cmd, port, dir.join("nginx.log"));
        Some(Portal { server, port })
    }

    /// nginx's error log.
    pub(crate) fn errors(&self) -> String {
        std::fs::read_to_string(self.server.log.with_file_name("error.log")).unwrap_or_default()
    }
}

/// nginx in front of a store that drops the `If-Match` and `If-None-Match`
/// headers of every request: a store that ignores conditional writes, as
/// some S3-compatible stores still do.
pub(crate) fn without_conditions(dir: &Path, store_port: u16) -> Option<Server> {
    proxy(dir, store_port, None, true)
}

/// nginx passing everything to a store, on `port` (a free one if `None`):
/// stopping it and starting it again on the same port cuts the network.
pub(crate) fn relay(dir: &Path, store_port: u16, port: Option<u16>) -> Option<Server> {
    proxy(dir, store_port, port, false)
}

fn proxy(dir: &Path, store_port: u16, port: Option<u16>, strip: bool) -> Option<Server> {
    let nginx = on_path("nginx");
    if !tools::require("nginx", nginx.is_some(), "apt-get install nginx") {
        return None;
    }
    let nginx = nginx?;
    let t = dir.join("tmp");
    std::fs::create_dir_all(&t).expect("nginx folder");
    let port = port.unwrap_or_else(free_port);
    let user = if is_root() { "user root;\n" } else { "" };
    let conf = dir.join("nginx.conf");
    let strip = if strip {
        "proxy_set_header If-Match \"\";\n      proxy_set_header If-None-Match \"\";"
    } else {
        ""
    };
    std::fs::write(
        &conf,
        format!(
            r#"daemon off;
master_process off;
{user}pid {pid};
error_log {err} warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {t}/body;
  proxy_temp_path {t}/proxy;
  fastcgi_temp_path {t}/fastcgi;
  uwsgi_temp_path {t}/uwsgi;
  scgi_temp_path {t}/scgi;
  client_max_body_size 0;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{store_port};
      proxy_set_header Host $http_host;
      {strip}
    }}
  }}
}}
"#,
            pid = dir.join("nginx.pid").display(),
            err = dir.join("error.log").display(),
            t = t.display(),
        ),
    )
    .expect("nginx.conf");
    let mut cmd = Command::new(nginx);
    cmd.arg("-e")
        .arg(dir.join("error.log"))
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf);
    Some(Server::spawn(cmd, port, dir.join("nginx.log")))
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
