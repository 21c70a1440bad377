//! The portal's search in a real browser: headless Chromium types into the
//! search box of the built demo, served over HTTP on 127.0.0.1, and the
//! results ignore diacritics (`dao tao` finds `Đào tạo`).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Serves `dir` on a free loopback port from a thread, for GETs only.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = line
                    .split(' ')
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/");
                let mut rel = path.trim_start_matches('/').to_string();
                if rel.is_empty() || rel.ends_with('/') {
                    rel.push_str("index.html");
                }
                let file = dir.join(&rel);
                let (status, body) = match std::fs::File::open(&file) {
                    Ok(mut f) if !rel.contains("..") => {
                        let mut b = Vec::new();
                        f.read_to_end(&mut b).unwrap();
                        ("200 OK", b)
                    }
                    _ => ("404 Not Found", b"not found".to_vec()),
                };
                let ctype = match Path::new(&rel).extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("css") => "text/css",
                    Some("js") => "text/javascript",
                    Some("json") => "application/json",
                    Some("svg") => "image/svg+xml",
                    _ => "application/octet-stream",
                };
                let _ = write!(
                    stream,
                    "HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

#[test]
fn search_ignores_diacritics_in_the_browser() {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = Path::new(root).join("tests/e2e/search.js");
    assert!(
        Path::new(root)
            .join(".ci/node_modules/playwright-core")
            .is_dir()
            && Path::new("/usr/bin/chromium").exists(),
        "needs playwright-core and chromium: run `bash scripts/test.sh` once"
    );
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["build", "--root", root, "--output"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let port = serve(site);
    let result = Command::new("node")
        .arg(&script)
        .arg(format!("http://127.0.0.1:{port}/"))
        .args([
            "dao tao",
            "Đào tạo",
            "ha tang",
            "khongcochudaynaoca",
            "dao ta",
            "một cửa điện tử",
        ])
        .output()
        .expect("node");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let found: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let titles = |q: &str| -> Vec<String> {
        found["results"][q]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let plain = titles("dao tao");
    assert!(!plain.is_empty(), "nothing for `dao tao`: {found}");
    assert!(
        plain
            .iter()
            .any(|t| t.contains("Đào tạo") || t.contains("đào tạo")),
        "{plain:?}"
    );
    assert_eq!(
        plain,
        titles("Đào tạo"),
        "with or without diacritics, the same results"
    );
    assert!(!titles("ha tang").is_empty());
    assert!(titles("khongcochudaynaoca").is_empty());
    // The word still being typed matches as a prefix.
    let typing = titles("dao ta");
    assert!(!typing.is_empty(), "{found}");
    assert!(typing.iter().all(|t| plain.contains(t) || !t.is_empty()));
    // The exact phrase in a title comes first.
    let phrase = titles("một cửa điện tử");
    assert!(
        phrase
            .first()
            .is_some_and(|t| t.to_lowercase().contains("một cửa điện tử")),
        "{phrase:?}"
    );
    // Each query fetched only a part of the index.
    for (q, n) in found["bytes"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        assert!(n > 0 && n < 300_000, "{q}: {n} bytes of index");
    }
}
