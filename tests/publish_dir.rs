//! `planpress publish`, `releases` and `rollback` on `kind: dir` targets:
//! layout, incremental uploads with hard links, dry runs, rollback,
//! pruning, refusals, and publishes killed at random moments.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::Path;
use std::time::Duration;

use site::{
    Kill, Rng, demo_site, edit, files, inode, kill_seed, ok, planpress, release_dirs, run_killed,
    stderr, stdout, text, whole_current,
};

fn dir_target(name: &str, path: &Path, keep: u32) -> String {
    format!(
        "  {name}: {{ kind: dir, path: \"{}\", keep: {keep} }}\n",
        path.display()
    )
}

fn publish(site: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["publish", "--root", site.to_str().unwrap()];
    args.extend_from_slice(extra);
    planpress(&args, &[])
}

#[test]
fn publishes_incrementally_with_dry_run_rollback_and_pruning() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www/ke-hoach");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 3));
    let root = site.to_str().unwrap();

    // 1. First publish: everything is sent.
    let o = ok(publish(&site, &[]));
    let first = whole_current(&target);
    assert!(
        stdout(&o).contains(&format!("Đã xuất bản {first}")),
        "{}",
        text(&o)
    );
    assert_eq!(release_dirs(&target), std::slice::from_ref(&first));
    let built = files(&target.join("current"));
    assert!(built.contains_key("index.html"));
    assert!(built.contains_key("2019/so-tttt/index.html"));
    // The id sorts by time and carries a short content hash.
    assert_eq!(first.len(), 25);
    assert_eq!(&first[8..9], "T");
    let manifest: serde_json::Value =
        serde_json::from_slice(&built[".planpress-manifest.json"]).unwrap();
    assert!(
        manifest["content"]
            .as_str()
            .unwrap()
            .starts_with(&first[17..])
    );
    assert_eq!(
        manifest["files"].as_u64().unwrap() as usize,
        built.len() - 1
    );

    // 2. Same content: nothing to do, no new release.
    let o = ok(publish(&site, &[]));
    assert!(stdout(&o).contains("không thay đổi"), "{}", text(&o));
    assert_eq!(release_dirs(&target).len(), 1);

    // 3. A change, dry run: lists the one page that travels, changes nothing.
    edit(
        &site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Nguyễn Văn Mới",
    );
    let before = files(&target);
    let o = ok(publish(&site, &["--dry-run"]));
    let out = stdout(&o);
    assert!(out.contains("~ 2019/so-tttt/index.html"), "{out}");
    assert!(out.contains("sẽ gửi 1 tệp"), "{out}");
    assert!(!out.contains("+ "), "{out}");
    assert_eq!(files(&target), before, "a dry run changed the target");

    // 4. The real publish: one file sent, the others hard-linked.
    let o = ok(publish(&site, &[]));
    let second = whole_current(&target);
    assert_ne!(second, first);
    assert!(second > first, "ids sort by time");
    assert!(stdout(&o).contains("đã gửi 1 tệp"), "{}", text(&o));
    let rel = |id: &str, p: &str| target.join("releases").join(id).join(p);
    assert_eq!(
        inode(&rel(&first, "index.html")),
        inode(&rel(&second, "index.html"))
    );
    assert_eq!(
        inode(&rel(&first, "2019/data/plan.json")),
        inode(&rel(&second, "2019/data/plan.json"))
    );
    assert_ne!(
        inode(&rel(&first, "2019/so-tttt/index.html")),
        inode(&rel(&second, "2019/so-tttt/index.html"))
    );
    let page = std::fs::read_to_string(target.join("current/2019/so-tttt/index.html")).unwrap();
    assert!(page.contains("Nguyễn Văn Mới"));
    // The previous release is untouched by the hard links.
    let old = std::fs::read_to_string(rel(&first, "2019/so-tttt/index.html")).unwrap();
    assert!(old.contains("Bùi Thị Phương Dung") && !old.contains("Nguyễn Văn Mới"));

    // 5. releases: both, newest first, the current one marked.
    let o = ok(planpress(&["releases", "--root", root], &[]));
    let list = stdout(&o);
    let (a, b) = (list.find(&second).unwrap(), list.find(&first).unwrap());
    assert!(a < b, "{list}");
    let current_line = list.lines().find(|l| l.contains(&second)).unwrap();
    assert!(current_line.trim_start().starts_with('*'), "{list}");
    assert!(current_line.contains("đang hoạt động"), "{list}");
    assert!(
        current_line.contains(&format!(" {} ", built.len() - 1)),
        "{list}"
    );

    // 6. rollback: back to the first release, then nothing older.
    let o = ok(planpress(&["rollback", "--root", root], &[]));
    assert!(stdout(&o).contains(&first), "{}", text(&o));
    assert_eq!(whole_current(&target), first);
    let page = std::fs::read_to_string(target.join("current/2019/so-tttt/index.html")).unwrap();
    assert!(page.contains("Bùi Thị Phương Dung"));
    let o = planpress(&["rollback", "--root", root], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("--to"), "{}", text(&o));
    let o = planpress(&["rollback", "--root", root, "--to", "khong-co"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // --to takes the hash suffix of an id too.
    ok(planpress(
        &["rollback", "--root", root, "--to", &second[17..]],
        &[],
    ));
    assert_eq!(whole_current(&target), second);

    // 7. keep: 3. Three more publishes; the oldest go, never the current
    // one or the one before it.
    let mut ids = vec![first.clone(), second.clone()];
    for name in ["Người Thứ Ba", "Người Thứ Tư", "Người Thứ Năm"] {
        let prev = std::fs::read_to_string(site.join("content/2019/so-tttt.md")).unwrap();
        let last = ["Nguyễn Văn Mới", "Người Thứ Ba", "Người Thứ Tư"]
            .into_iter()
            .find(|n| prev.contains(n))
            .unwrap();
        edit(&site, "content/2019/so-tttt.md", last, name);
        ok(publish(&site, &[]));
        ids.push(whole_current(&target));
    }
    assert_eq!(release_dirs(&target), ids[2..].to_vec());
    // After a rollback to the oldest kept release, a publish keeps it (the
    // one before the new current is the newest older one, ids[4]) ...
    ok(planpress(
        &["rollback", "--root", root, "--to", &ids[2]],
        &[],
    ));
    edit(
        &site,
        "content/2019/so-tttt.md",
        "Người Thứ Năm",
        "Người Thứ Sáu",
    );
    ok(publish(&site, &[]));
    let newest = whole_current(&target);
    let kept = release_dirs(&target);
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept.contains(&newest) && kept.contains(&ids[4]), "{kept:?}");
    // ... and nothing is left over beside the releases.
    let top: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    for n in &top {
        assert!(
            ["current", "releases", ".planpress.lock"].contains(&n.as_str()),
            "{top:?}"
        );
    }
}

#[test]
fn refuses_errors_and_prints_them_like_build() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 5));
    ok(publish(&site, &[]));
    let good = whole_current(&target);
    // The agency code no longer matches the file: E011, an error.
    edit(
        &site,
        "content/2019/so-tttt.md",
        "agency: so-tttt",
        "agency: so-ttt",
    );
    for extra in [&[][..], &["--dry-run"][..]] {
        let o = publish(&site, extra);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let err = stderr(&o);
        assert!(err.contains("lỗi[E011]"), "{err}");
        assert!(err.contains("content/2019/so-tttt.md:2:9"), "{err}");
        assert!(err.contains("Trang cổng không thay đổi."), "{err}");
        assert!(stdout(&o).is_empty(), "{}", text(&o));
    }
    assert_eq!(whole_current(&target), good);
    assert_eq!(release_dirs(&target), [good]);
}

#[test]
fn the_scaffold_base_url_is_not_published_by_mistake() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 5));
    // The line as `init` writes it when no address was given.
    edit(
        &site,
        "content/site.yaml",
        "https://cntt.quangngai.gov.vn/ke-hoach-cntt",
        "https://example.gov.vn/ke-hoach-cntt   # «ĐIỀN: địa chỉ tuyệt đối của cổng»",
    );
    // Refused, with the fix and the reassurance, and nothing written.
    let o = publish(&site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    for words in [
        "`base_url`",
        "example.gov.vn",
        "--allow-placeholder",
        "Trang cổng không thay đổi.",
    ] {
        assert!(err.contains(words), "{words}: {err}");
    }
    assert!(!target.join("current").exists());
    // A dry run warns and says what a real run would do.
    let o = ok(publish(&site, &["--dry-run"]));
    assert!(stderr(&o).contains("địa chỉ mẫu"), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("Chạy lại không có --dry-run để gửi"), "{out}");
    assert!(!out.contains("Không có gì thay đổi trên đích"), "{out}");
    assert!(!target.join("current").exists());
    // A trial portal may go out knowingly.
    let o = ok(publish(&site, &["--allow-placeholder"]));
    assert!(stderr(&o).contains("địa chỉ mẫu"), "{}", text(&o));
    whole_current(&target);
    // An example address someone wrote on purpose (the contract's own
    // example) is warned about, not refused.
    edit(
        &site,
        "content/site.yaml",
        "   # «ĐIỀN: địa chỉ tuyệt đối của cổng»",
        "",
    );
    let o = ok(publish(&site, &[]));
    assert!(stderr(&o).contains("địa chỉ mẫu"), "{}", text(&o));
    // Release times are the province's (UTC+7).
    let o = ok(planpress(
        &["releases", "--root", site.to_str().unwrap()],
        &[],
    ));
    assert!(stdout(&o).contains("+07"), "{}", text(&o));
    assert!(!stdout(&o).contains("UTC"), "{}", text(&o));
}

#[test]
fn target_is_required_when_there_are_several() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let targets = dir_target("mot", &a, 5) + &dir_target("hai", &tmp.path().join("b"), 5);
    let site = demo_site(tmp.path(), "vi", &targets);
    let root = site.to_str().unwrap();
    for cmd in ["publish", "releases", "rollback"] {
        let o = planpress(&[cmd, "--root", root], &[]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", text(&o));
        assert!(stderr(&o).contains("mot, hai"), "{cmd}: {}", text(&o));
    }
    let o = planpress(&["publish", "ba", "--root", root], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("«ba»"), "{}", text(&o));
    ok(planpress(&["publish", "mot", "--root", root], &[]));
    whole_current(&a);
    assert!(!tmp.path().join("b").exists());
    let o = ok(planpress(&["releases", "hai", "--root", root], &[]));
    assert!(stdout(&o).contains("chưa có bản phát hành"), "{}", text(&o));
}

#[test]
fn english_messages_with_language_en() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "en", &dir_target("local", &target, 5));
    let root = site.to_str().unwrap();
    let o = ok(publish(&site, &["--dry-run"]));
    assert!(
        stdout(&o).starts_with("Dry run: publishing to 'local'"),
        "{}",
        text(&o)
    );
    assert!(!target.join("current").exists());
    let o = ok(publish(&site, &[]));
    assert!(stdout(&o).starts_with("Published "), "{}", text(&o));
    let o = ok(planpress(&["releases", "--root", root], &[]));
    assert!(stdout(&o).contains("← current"), "{}", text(&o));
    let o = planpress(&["rollback", "--root", root], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("There is no release older than"),
        "{}",
        text(&o)
    );
}

#[test]
fn rollback_works_when_the_plans_are_broken() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 5));
    ok(publish(&site, &[]));
    let first = whole_current(&target);
    edit(
        &site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Nguyễn Văn Mới",
    );
    ok(publish(&site, &[]));
    // Someone breaks a plan; the bad publish must still be undone.
    std::fs::write(site.join("content/2019/so-tttt.md"), "---\nagency: [\n").unwrap();
    let o = ok(planpress(
        &["rollback", "--root", site.to_str().unwrap()],
        &[],
    ));
    assert!(stdout(&o).contains(&first), "{}", text(&o));
    assert_eq!(whole_current(&target), first);
}

#[test]
fn refuses_a_current_that_is_not_a_symlink_and_a_locked_target() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 5));
    std::fs::create_dir_all(target.join("current")).unwrap();
    std::fs::write(target.join("current/index.html"), "hand-made").unwrap();
    let o = publish(&site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("không phải là liên kết"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(target.join("current/index.html")).unwrap(),
        "hand-made"
    );
    std::fs::remove_dir_all(target.join("current")).unwrap();

    // Another command holds the lock: refused at once, nothing changes.
    ok(publish(&site, &[]));
    let id = whole_current(&target);
    let lock = std::fs::OpenOptions::new()
        .append(true)
        .open(target.join(".planpress.lock"))
        .unwrap();
    lock.lock().unwrap();
    edit(
        &site,
        "content/2019/so-tttt.md",
        "Bùi Thị Phương Dung",
        "Nguyễn Văn Mới",
    );
    let o = publish(&site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("đang làm việc"), "{}", text(&o));
    assert_eq!(whole_current(&target), id);
    drop(lock);
    ok(publish(&site, &[]));
    assert_ne!(whole_current(&target), id);
}

/// A partial upload left by a killed publish, with a complete file, a
/// truncated one, a stray one, and a hard link into the current release
/// under a path whose bytes change: the next publish keeps the complete
/// file, replaces the others without touching the current release, and
/// says it resumed.
#[test]
fn resumes_a_partial_upload_safely() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 5));
    ok(publish(&site, &[]));
    let first = whole_current(&target);
    let cur = target.join("releases").join(&first);

    // What the next publish will send.
    edit(
        &site,
        "content/2019/_plan.md",
        "Quảng Ngãi",
        "Quảng Ngãi (sửa)",
    );
    let out = tmp.path().join("out");
    let o = planpress(
        &[
            "build",
            "--root",
            site.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let new = files(&out);
    let old = files(&cur);
    let changed: Vec<&String> = new
        .keys()
        .filter(|p| old.get(*p).is_some_and(|b| *b != new[*p]))
        .collect();
    assert!(changed.len() >= 3, "{changed:?}");

    let partial = target.join("releases/.partial-20000101T000000Z-00000000");
    std::fs::create_dir_all(partial.join("2019")).unwrap();
    // A complete, correct file.
    let done = changed[0];
    std::fs::create_dir_all(partial.join(done).parent().unwrap()).unwrap();
    std::fs::write(partial.join(done), &new[done]).unwrap();
    // A file cut short.
    let cut = changed[1];
    std::fs::create_dir_all(partial.join(cut).parent().unwrap()).unwrap();
    std::fs::write(partial.join(cut), &new[cut][..new[cut].len() / 2]).unwrap();
    // A hard link to the current release where the new bytes differ: must
    // be replaced, never written through.
    let linked = changed[2];
    std::fs::create_dir_all(partial.join(linked).parent().unwrap()).unwrap();
    std::fs::hard_link(cur.join(linked), partial.join(linked)).unwrap();
    std::fs::write(partial.join("stray.html"), "stray").unwrap();

    let o = ok(publish(&site, &[]));
    assert!(
        stdout(&o).contains("Tiếp tục lần tải lên dở dang"),
        "{}",
        text(&o)
    );
    let second = whole_current(&target);
    assert_eq!(files(&target.join("current")).get(linked), new.get(linked));
    assert!(!target.join("current/stray.html").exists());
    // The first release is still whole and unchanged.
    assert_eq!(files(&cur), old);
    assert_eq!(release_dirs(&target), [first, second]);
}

/// Kill -9 at 20 random moments of publishes: after each, `current`
/// resolves to a release whose files all match its manifest. Then a clean
/// publish finishes the work and leaves nothing behind.
#[test]
fn killed_publishes_leave_the_portal_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www");
    let site = demo_site(tmp.path(), "vi", &dir_target("local", &target, 4));
    // A larger site, so a publish has a long upload to be killed in.
    let c = site.join("content");
    let mut agencies = std::fs::read_to_string(c.join("agencies.yaml")).unwrap();
    let plan = std::fs::read_to_string(c.join("2019/so-tttt.md")).unwrap();
    for i in 0..60 {
        let code = format!("co-quan-{i:04}");
        agencies.push_str(&format!(
            "\n- code: {code}\n  name: Cơ quan thử {i}\n  group: so-ban-nganh\n"
        ));
        std::fs::write(
            c.join(format!("2019/{code}.md")),
            plan.replacen("agency: so-tttt", &format!("agency: {code}"), 1),
        )
        .unwrap();
    }
    std::fs::write(c.join("agencies.yaml"), agencies).unwrap();
    ok(publish(&site, &[]));
    whole_current(&target);

    // Each round changes one plan, and odd rounds every page (the title).
    let site_yaml = std::fs::read_to_string(c.join("site.yaml")).unwrap();
    let change = |round: usize| {
        std::fs::write(
            c.join("site.yaml"),
            site_yaml.replacen(
                "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi",
                &format!(
                    "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi, lần {}",
                    round.div_ceil(2)
                ),
                1,
            ),
        )
        .unwrap();
        let p = c.join("2019/co-quan-0000.md");
        let text = std::fs::read_to_string(&p).unwrap();
        let name = text
            .lines()
            .find(|l| l.contains("contact:"))
            .unwrap()
            .to_string();
        std::fs::write(
            &p,
            text.replacen(
                &name,
                &format!("contact: {{ name: \"Người số {round}\" }}"),
                1,
            ),
        )
        .unwrap();
    };

    // How long an uninterrupted publish takes, and its upload (from the
    // "uploading" line to the end), to aim the kills.
    change(1);
    let (full, upload) = match run_killed(&site, &[], None) {
        (true, Some(upload), full) => (full, upload),
        other => panic!("the uninterrupted publish failed: {other:?}"),
    };
    whole_current(&target);

    let seed = kill_seed();
    eprintln!(
        "kill test: seed {seed} (PLANPRESS_KILL_SEED={seed} replays); publish {full:?}, upload {upload:?}"
    );
    let mut rng = Rng(seed);
    let mut outcomes = Vec::new();
    for round in 2..22 {
        change(round);
        let before = whole_current(&target);
        // Even rounds: anywhere in the run; odd rounds (every page
        // changed): inside the upload.
        let kill = if round % 2 == 0 {
            Kill::After(Duration::from_micros(
                rng.next() % (full.as_micros() as u64 + 1),
            ))
        } else {
            Kill::IntoUpload(Duration::from_micros(
                rng.next() % (upload.as_micros() as u64 * 12 / 10 + 1),
            ))
        };
        let (finished, _, _) = run_killed(&site, &[], Some(kill));
        let after = whole_current(&target);
        outcomes.push(format!(
            "{kill:?}: {}",
            if finished {
                "finished"
            } else if after != before {
                "killed after the switch"
            } else {
                "killed"
            }
        ));
    }
    eprintln!("kill test rounds: {outcomes:#?}");
    assert!(
        outcomes.iter().any(|o| o.contains("killed")),
        "{outcomes:?}"
    );

    // The next publish resumes or cleans up, and leaves nothing behind.
    change(99);
    ok(publish(&site, &[]));
    let last = whole_current(&target);
    let page =
        std::fs::read_to_string(target.join("current/2019/co-quan-0000/index.html")).unwrap();
    assert!(page.contains("Người số 99"));
    let dirs = release_dirs(&target);
    assert!(dirs.iter().all(|d| !d.starts_with('.')), "{dirs:?}");
    assert!(dirs.len() <= 4 && dirs.contains(&last), "{dirs:?}");
    let top: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(top.iter().all(|n| !n.starts_with("current.tmp")), "{top:?}");
}
