//! `planpress publish` to a `kind: ssh` target, end to end: a real OpenSSH
//! server and a real nginx, both started by the test on 127.0.0.1 on free
//! ports with their own configuration, the site fetched over HTTP after
//! each publish and rollback. ssh options come from a test `ssh_config`
//! through `PLANPRESS_SSH="ssh -F <file>"`; host keys are checked against
//! the `known_hosts` the test writes.
//!
//! The servers are Debian's `openssh-server` and `nginx`; without them plain
//! `cargo test` skips these tests and says so, and `bash scripts/test.sh`
//! installs them and fails if one is still missing (tests/support/tools.rs).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/servers.rs"]
mod servers;
#[path = "support/site.rs"]
mod site;

use std::path::Path;

use servers::{Nginx, Sshd, require_tools};
use site::{
    Kill, Rng, demo_site, edit, inode, kill_seed, ok, planpress, release_dirs, run_killed, stderr,
    stdout, text, whole_current,
};

/// A demo site whose one target is a folder on a test sshd. Fields drop
/// in order: the server stops before its folder goes.
struct Fixture {
    sshd: Sshd,
    site: std::path::PathBuf,
    /// The target's folder on the "remote" host (this machine).
    remote: std::path::PathBuf,
    dir: tempfile::TempDir,
}

impl Fixture {
    /// `None` when the servers are not installed: the test then skips.
    fn new(keep: u32) -> Option<Fixture> {
        if !require_tools() {
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let sshd = Sshd::start(&tmp.path().join("sshd"));
        let remote = tmp.path().join("remote/ke-hoach-cntt");
        let site = demo_site(tmp.path(), "vi", &sshd.target_yaml("portal", &remote, keep));
        Some(Fixture {
            sshd,
            site,
            remote,
            dir: tmp,
        })
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--root", self.site.to_str().unwrap()]);
        planpress(&all, &[("PLANPRESS_SSH", &self.sshd.planpress_ssh())])
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }
}

#[test]
fn publish_change_and_rollback_over_ssh_served_by_nginx() {
    let Some(f) = Fixture::new(2) else {
        return;
    };

    // First publish, then the portal serves it.
    let o = ok(f.run(&["publish"]));
    let first = whole_current(&f.remote);
    assert!(
        stdout(&o).contains(&format!("Đã xuất bản {first}")),
        "{}",
        text(&o)
    );
    assert!(stdout(&o).contains("ssh://"), "{}", text(&o));
    let nginx = Nginx::start(&f.tmp().join("nginx"), &f.remote.join("current"));
    let (code, home) = nginx.get("/");
    assert_eq!(code, 200, "{home}");
    assert!(
        home.contains("Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi"),
        "{home}"
    );
    let (code, page) = nginx.get("/2019/so-tttt/index.html");
    assert_eq!(code, 200);
    assert!(page.contains("Bùi Thị Phương Dung"));
    let (code, _) = nginx.get("/.planpress-manifest.json");
    assert_eq!(code, 403, "the manifest is not served");

    // A change: the dry run lists it and changes nothing.
    edit(
        &f.site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Nguyễn Văn Mới",
    );
    let o = ok(f.run(&["publish", "portal", "--dry-run"]));
    assert!(
        stdout(&o).contains("~ 2019/so-tttt/index.html"),
        "{}",
        text(&o)
    );
    assert_eq!(release_dirs(&f.remote), std::slice::from_ref(&first));
    assert!(
        nginx
            .get("/2019/so-tttt/index.html")
            .1
            .contains("Bùi Thị Phương Dung")
    );

    // Publish it: one file travels, the rest are hard links on the host.
    let o = ok(f.run(&["publish"]));
    let second = whole_current(&f.remote);
    assert!(stdout(&o).contains("đã gửi 1 tệp"), "{}", text(&o));
    let (code, page) = nginx.get("/2019/so-tttt/index.html");
    assert_eq!(code, 200);
    assert!(page.contains("Nguyễn Văn Mới"), "{page}");
    let rel = |id: &str, p: &str| f.remote.join("releases").join(id).join(p);
    assert_eq!(
        inode(&rel(&first, "index.html")),
        inode(&rel(&second, "index.html"))
    );
    assert_ne!(
        inode(&rel(&first, "2019/so-tttt/index.html")),
        inode(&rel(&second, "2019/so-tttt/index.html"))
    );

    // releases over ssh.
    let o = ok(f.run(&["releases"]));
    let list = stdout(&o);
    let line = list.lines().find(|l| l.contains(&second)).unwrap();
    assert!(line.trim_start().starts_with('*'), "{list}");
    assert!(list.contains(&first), "{list}");

    // Roll back: the portal serves the old page again.
    let o = ok(f.run(&["rollback"]));
    assert!(stdout(&o).contains(&format!("về {first}")), "{}", text(&o));
    assert_eq!(whole_current(&f.remote), first);
    let (code, page) = nginx.get("/2019/so-tttt/index.html");
    assert_eq!(code, 200);
    assert!(page.contains("Bùi Thị Phương Dung") && !page.contains("Nguyễn Văn Mới"));

    // keep: 2. Another publish (from the rolled-back state) prunes the
    // oldest release, never the current one or the one before it.
    edit(
        &f.site,
        "content/2019/so-tttt.md",
        "Nguyễn Văn Mới",
        "Trần Thị Ba",
    );
    ok(f.run(&["publish"]));
    let third = whole_current(&f.remote);
    assert_eq!(release_dirs(&f.remote), [second.clone(), third.clone()]);
    assert!(
        nginx
            .get("/2019/so-tttt/index.html")
            .1
            .contains("Trần Thị Ba")
    );
    ok(f.run(&["rollback", "--to", &second]));
    assert!(
        nginx
            .get("/2019/so-tttt/index.html")
            .1
            .contains("Nguyễn Văn Mới")
    );

    // Nothing left over: no partial upload, no temporary link, no ssh
    // control socket folder.
    let top: Vec<String> = std::fs::read_dir(&f.remote)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(top.iter().all(|n| !n.starts_with("current.tmp")), "{top:?}");
}

#[test]
fn unknown_host_key_is_a_clear_error() {
    let Some(f) = Fixture::new(5) else {
        return;
    };
    std::fs::write(&f.sshd.known_hosts, "").unwrap();
    let o = f.run(&["publish"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    assert!(err.contains("chưa có trong known_hosts"), "{err}");
    assert!(err.contains(&format!("-p {} ", f.sshd.port)), "{err}");
    assert!(!f.remote.exists(), "nothing may reach an unverified host");

    // Another key on record for the host: refused too, with the warning.
    let other = f.tmp().join("other_host_key");
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .status()
        .unwrap();
    assert!(st.success());
    let public = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let key: Vec<&str> = public.split_whitespace().take(2).collect();
    std::fs::write(
        &f.sshd.known_hosts,
        format!("[127.0.0.1]:{} {}\n", f.sshd.port, key.join(" ")),
    )
    .unwrap();
    let o = f.run(&["releases"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("KHÁC"), "{}", text(&o));

    // With the right key, it works.
    std::fs::write(&f.sshd.known_hosts, &f.sshd.host_key_line).unwrap();
    ok(f.run(&["publish"]));
    whole_current(&f.remote);
}

#[test]
fn a_refused_key_says_to_check_user_and_identity() {
    let Some(f) = Fixture::new(5) else {
        return;
    };
    let other = f.tmp().join("other_key");
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .status()
        .unwrap();
    assert!(st.success());
    let yaml = std::fs::read_to_string(f.site.join("content/site.yaml")).unwrap();
    std::fs::write(
        f.site.join("content/site.yaml"),
        yaml.replace(
            &f.sshd.key.display().to_string(),
            &other.display().to_string(),
        ),
    )
    .unwrap();
    let o = f.run(&["publish"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("identity"), "{}", text(&o));
    assert!(!f.remote.exists());
}

/// Publishes over ssh killed with SIGKILL during their upload: the portal
/// keeps serving a whole release after each, although the killed run's
/// rsync and ssh processes may live on for a while; the next publish
/// resumes and finishes.
#[test]
fn killed_ssh_publishes_leave_the_portal_whole() {
    let Some(f) = Fixture::new(3) else {
        return;
    };
    ok(f.run(&["publish"]));
    let nginx = Nginx::start(&f.tmp().join("nginx"), &f.remote.join("current"));
    let env = [("PLANPRESS_SSH", f.sshd.planpress_ssh())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let yaml = std::fs::read_to_string(f.site.join("content/site.yaml")).unwrap();
    let title = "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi";
    let seed = kill_seed();
    let mut rng = Rng(seed);
    let mut rounds = Vec::new();
    for round in 1..=6 {
        // Every page changes: a long upload.
        std::fs::write(
            f.site.join("content/site.yaml"),
            yaml.replacen(title, &format!("{title}, lần {round}"), 1),
        )
        .unwrap();
        let delay = std::time::Duration::from_millis(rng.next() % 1500);
        let (finished, _, _) = run_killed(&f.site, &env, Some(Kill::IntoUpload(delay)));
        rounds.push(format!(
            "{delay:?}: {}",
            if finished { "finished" } else { "killed" }
        ));
        whole_current(&f.remote);
        let (code, home) = nginx.get("/");
        assert_eq!(code, 200, "round {round}: {home}");
    }
    eprintln!("ssh kill test: seed {seed} (PLANPRESS_KILL_SEED replays): {rounds:?}");
    std::fs::write(
        f.site.join("content/site.yaml"),
        yaml.replacen(title, &format!("{title}, lần cuối"), 1),
    )
    .unwrap();
    ok(f.run(&["publish"]));
    whole_current(&f.remote);
    assert!(nginx.get("/").1.contains("lần cuối"));
    let dirs = release_dirs(&f.remote);
    assert!(dirs.iter().all(|d| !d.starts_with('.')), "{dirs:?}");
}

/// The newest release on the host has no manifest (a copy by hand, a
/// disk that filled up): `releases` lists it as incomplete and `rollback`
/// still works, as on a `kind: dir` target, instead of a bare "exit 1".
#[test]
fn a_release_without_manifest_is_listed_not_fatal() {
    let Some(f) = Fixture::new(5) else {
        return;
    };
    ok(f.run(&["publish"]));
    let first = whole_current(&f.remote);
    edit(
        &f.site,
        "content/2019/_plan.md",
        "Quảng Ngãi",
        "Quảng Ngãi (sửa)",
    );
    ok(f.run(&["publish"]));
    let second = whole_current(&f.remote);
    let stray = "29991231T235959Z-00000000";
    std::fs::create_dir_all(f.remote.join("releases").join(stray).join("2019")).unwrap();
    std::fs::write(
        f.remote.join("releases").join(stray).join("index.html"),
        "x",
    )
    .unwrap();

    let o = ok(f.run(&["releases"]));
    let out = stdout(&o);
    assert!(
        out.contains(stray) && out.contains("thiếu manifest"),
        "{}",
        text(&o)
    );
    assert!(
        out.contains(&first) && out.contains(&second),
        "{}",
        text(&o)
    );

    let o = ok(f.run(&["rollback"]));
    assert_eq!(whole_current(&f.remote), first, "{}", text(&o));
    // Switching to it is refused, with the reason.
    let o = f.run(&["rollback", "--to", stray]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("thiếu manifest"), "{}", text(&o));
    assert_eq!(whole_current(&f.remote), first);
}
