//! One rule for tests that need a program this machine may lack (Chromium,
//! LibreOffice, sshd, Exim, moto, ...): plain `cargo test` skips them and
//! says so on one line, so a newcomer's run is green and honest about what
//! it did not check; `bash scripts/test.sh` installs every tool and sets
//! `PLANPRESS_TEST_ALL=1`, under which a missing tool fails the test, so CI
//! can never pass by skipping.
//!
//! Include with `#[path = "support/tools.rs"] mod tools;` and start the test
//! with `if !tools::require(...) { return; }`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable scripts/test.sh sets to turn every skip into a failure.
pub(crate) const ALL: &str = "PLANPRESS_TEST_ALL";

/// Whether the test may go on: true when `available`. Otherwise prints
/// `SKIPPED <test>: needs <what> (<install_hint>, or run bash scripts/test.sh)`
/// to stderr and returns false, or panics with that text (without
/// `SKIPPED`) when `PLANPRESS_TEST_ALL=1`.
pub(crate) fn require(what: &str, available: bool, install_hint: &str) -> bool {
    if available {
        return true;
    }
    let msg = format!(
        "{}: needs {what} ({install_hint}, or run bash scripts/test.sh)",
        test_name()
    );
    if std::env::var(ALL).is_ok_and(|v| v == "1") {
        panic!("{msg} [{ALL}=1: a missing tool fails the test instead of skipping it]");
    }
    eprintln!("SKIPPED {msg}");
    false
}

/// The running test's name: libtest names each test's thread after it.
/// With `--test-threads=1` the test may run on the main thread, whose name
/// says nothing, so the message then names the binary.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => std::env::args()
            .next()
            .map(|a| {
                Path::new(&a)
                    .file_name()
                    .map_or(a.clone(), |f| f.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "this test".into()),
    }
}

/// Where a program is: on `PATH`, or in the sbin folders that are not on
/// every user's `PATH` (sshd, nginx, exim4).
pub(crate) fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether `cmd` runs and exits with success (a probe such as
/// `python3 -c "import docx"`).
pub(crate) fn runs(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// The npm packages scripts/test.sh installs from `.ci/package.json`, or
/// `CI_NODE_MODULES` when set.
pub(crate) fn node_modules() -> PathBuf {
    std::env::var_os("CI_NODE_MODULES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules"),
        PathBuf::from,
    )
}

/// The browser the browser tests drive (Debian's package).
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether node, Debian's chromium and the pinned playwright-core are all
/// here: what every tests/e2e/*.js script needs.
pub(crate) fn browser_available() -> bool {
    find("node").is_some()
        && Path::new(CHROMIUM).exists()
        && node_modules().join("playwright-core").is_dir()
}

/// How to get what [`browser_available`] checks.
pub(crate) const BROWSER_HINT: &str =
    "apt-get install nodejs chromium, then `cd .ci && npm ci` for playwright-core";
