//! Every page of the demo passes the Nu HTML Checker (vnu) with no errors.
//!
//! vnu comes from the npm package `vnu-jar`, installed by
//! `bash scripts/test.sh` into `.ci/node_modules`, and runs on Java.
//! `VNU_JAR` points elsewhere. Without them plain `cargo test` skips the
//! test and says so (tests/support/tools.rs).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/tools.rs"]
mod tools;

fn vnu_jar() -> PathBuf {
    std::env::var_os("VNU_JAR").map_or_else(
        || tools::node_modules().join("vnu-jar/build/dist/vnu.jar"),
        PathBuf::from,
    )
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "html") {
            out.push(p);
        }
    }
}

#[test]
fn every_demo_page_is_valid_html() {
    let jar = vnu_jar();
    if !tools::require(
        "java",
        tools::find("java").is_some(),
        "apt-get install default-jre-headless",
    ) || !tools::require(
        &format!("vnu.jar at {}", jar.display()),
        jar.is_file(),
        "cd .ci && npm ci, or set VNU_JAR",
    ) {
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for drafts in [false, true] {
        let output = out_dir
            .path()
            .join(if drafts { "drafts" } else { "public" });
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_planpress"));
        cmd.args(["build", "--root", root, "--output"]).arg(&output);
        if drafts {
            cmd.arg("--drafts");
        }
        let status = cmd.output().unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let mut pages = Vec::new();
    html_files(out_dir.path(), &mut pages);
    assert!(pages.len() > 30, "only {} pages", pages.len());
    let result = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&pages)
        .output()
        .expect("java: install a JRE (apt-get install default-jre-headless)");
    let report = String::from_utf8_lossy(&result.stderr).to_string()
        + &String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success() && report.trim().is_empty(),
        "vnu found errors:\n{report}"
    );
}
