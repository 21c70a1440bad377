//! The portal's search in a real browser: headless Chromium types into the
//! search box of the built demo, served over HTTP on 127.0.0.1, and the
//! results ignore diacritics (`dao tao` finds `Đào tạo`).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/static_http.rs"]
mod static_http;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;

use static_http::serve;

#[test]
fn search_ignores_diacritics_in_the_browser() {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = Path::new(root).join("tests/e2e/search.js");
    if !tools::require(
        "node, chromium and playwright-core",
        tools::browser_available(),
        tools::BROWSER_HINT,
    ) {
        return;
    }
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
