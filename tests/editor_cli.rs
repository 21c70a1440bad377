//! `planpress users` and `planpress editor` on the real binary: accounts on
//! the command line; the JSON API of PLAN-FORMAT §11 against a real server
//! on 127.0.0.1, one test per row of the contract's table.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use site::{bin, copy_dir, repo, stderr, stdout};

/// A copy of the demo site in `dir`/site.
fn demo(dir: &Path) -> std::path::PathBuf {
    let site = dir.join("site");
    copy_dir(&repo().join("content"), &site.join("content"));
    site
}

fn users(root: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = bin();
    cmd.arg("users").args(args).arg("--root").arg(root);
    if password.is_some() {
        cmd.arg("--password-stdin");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(p) = password {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{p}\n").as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn users_add_list_disable_passwd() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());

    // An editor needs an agency, and a known one.
    let o = users(&root, &["add", "an", "--role", "editor"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--agency"), "{}", stderr(&o));
    let o = users(
        &root,
        &["add", "an", "--role", "editor", "--agency", "so-ttt"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("so-tttt"),
        "suggests the near code: {}",
        stderr(&o)
    );

    // Without --password-stdin a one-time password is printed.
    let o = users(
        &root,
        &[
            "add",
            "an",
            "--role",
            "editor",
            "--agency",
            "so-tttt",
            "--name",
            "Nguyễn Văn An",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("một lần"), "{}", stdout(&o));

    // A short password read from stdin is refused and says why.
    let o = users(&root, &["add", "duyet", "--role", "reviewer"], Some("ngan"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("10"), "{}", stderr(&o));
    let o = users(
        &root,
        &["add", "duyet", "--role", "reviewer"],
        Some("mot-mat-khau-dai"),
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let o = users(
        &root,
        &["add", "duyet", "--role", "reviewer"],
        Some("mot-mat-khau-dai"),
    );
    assert_eq!(o.status.code(), Some(1), "a duplicate is refused");

    let list = stdout(&users(&root, &["list"], None));
    assert!(
        list.contains("an\teditor\tso-tttt\tNguyễn Văn An"),
        "{list}"
    );
    assert!(list.contains("duyet\treviewer\t-"), "{list}");

    assert!(users(&root, &["disable", "an"], None).status.success());
    let list = stdout(&users(&root, &["list"], None));
    assert!(list.contains("đã khóa"), "{list}");
    assert_eq!(
        users(&root, &["disable", "khong-co"], None).status.code(),
        Some(1)
    );

    let o = users(&root, &["passwd", "duyet"], Some("mat-khau-moi-dai"));
    assert!(o.status.success(), "{}", stderr(&o));

    // The state folder keeps itself out of git.
    let ignore = std::fs::read_to_string(root.join(".planpress/.gitignore")).unwrap();
    assert_eq!(ignore.trim(), "*");
    assert!(root.join(".planpress/editor.db").is_file());
}
