//! Exit codes when standard output fails: a reader that closed the pipe
//! early ends the command quietly with 0 (as ripgrep does), a full disk is
//! a Vietnamese error and exit 1; neither panics.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/site.rs"]
mod site;

use site::{bin, copy_dir, repo};

/// Runs the binary with its stdout on a pipe whose reading end is already
/// closed, so that the first write fails with EPIPE whatever its size.
fn with_closed_pipe(args: &[&str], dir: &Path) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd: Command = bin();
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped());
    cmd.output().expect("run planpress")
}

fn with_full_disk(args: &[&str], dir: &Path) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run planpress")
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let site = dir.join("site");
    copy_dir(&repo().join("content"), &site.join("content"));
    site
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = demo(tmp.path());
    for args in [
        &["status", "--format", "json"][..],
        &["check", "--format", "json"],
        &["new", "plan", "so-y-te"],
        &["--help"],
    ] {
        let o = with_closed_pipe(args, &site);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            !err.contains("ghi được"),
            "{args:?} reported the pipe: {err}"
        );
    }
    // The plan was written before its report met the closed pipe.
    assert!(site.join("content/2026/so-y-te.md").is_file());
}

#[test]
fn a_real_pipe_closed_by_head_ends_quietly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = demo(tmp.path());
    let mut child = bin()
        .args(["status", "--format", "json"])
        .current_dir(&site)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run planpress");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 10];
    std::io::Read::read_exact(&mut out, &mut first).expect("10 bytes");
    drop(out);
    let o = child.wait_with_output().expect("wait");
    let err = stderr(&o);
    assert_eq!(&first[..1], b"[", "status --format json starts a list");
    // The command may have written everything before the pipe closed: either
    // way it ends with 0 and never panics.
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_full_disk_is_an_error_in_vietnamese() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = demo(tmp.path());
    for args in [
        &["status", "--format", "json"][..],
        &["check", "--format", "json"],
        &["new", "plan", "so-y-te"],
    ] {
        let o = with_full_disk(args, &site);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains("planpress: không ghi được kết quả") && err.contains("đĩa đã đầy"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("os error"), "{args:?}: {err}");
    }
}

#[test]
fn errors_keep_their_exit_codes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nowhere");
    let missing = missing.to_str().expect("utf-8 path");
    for (args, code) in [
        (&["check", "--root", missing][..], 2),
        (&["build", "--root", missing], 2),
        (&["status", "--root", missing], 2),
        (&["publish", "--root", missing], 2),
    ] {
        let o = bin().args(args).output().expect("run planpress");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.starts_with("planpress: "), "{args:?}: {err}");
        assert_eq!(err.matches("planpress: ").count(), 1, "{args:?}: {err}");
    }
}
