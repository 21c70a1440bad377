//! What `publish`, `releases` and `rollback` did, as data the command line
//! and the tests read, and as text for people in the site's language.

use super::manifest;
use crate::check::Checked;
use crate::diag::{Lang, tr};

/// The result of a command that reads the site first.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The site (or, for `releases` and `rollback`, `site.yaml`) has
    /// errors; nothing was done. Print its diagnostics.
    Invalid(Box<Checked>),
    /// The command did its work.
    Done(T),
}

/// A publish that ran: the check's warnings and what was done.
#[derive(Debug)]
pub struct Published {
    /// The check's findings (warnings only).
    pub checked: Checked,
    /// What was done, or with `--dry-run` would be done.
    pub report: Report,
}

/// What a publish did, or with `--dry-run` would do.
#[derive(Debug)]
pub struct Report {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// The new release, now current; `None` for a dry run or when nothing
    /// changed.
    pub id: Option<String>,
    /// The release that was current before.
    pub previous: Option<String>,
    /// Files of the whole site.
    pub files: usize,
    /// Total size of the site.
    pub bytes: u64,
    /// Files sent (new or changed), or that a dry run would send.
    pub sent_files: usize,
    /// Their bytes: the payload that travels.
    pub sent_bytes: u64,
    /// Bytes on the wire as the transfer tool counted them (ssh only).
    pub wire_bytes: Option<u64>,
    /// Files hard-linked from the current release.
    pub linked_files: usize,
    /// Files of the current release left out of the new one.
    pub removed_files: usize,
    /// Files found complete in the partial upload of an earlier, killed
    /// publish and not sent again.
    pub resumed_files: usize,
    /// Old releases deleted to honour `keep`.
    pub pruned: Vec<String>,
    /// The site is the same as the current release: nothing was done.
    pub unchanged: bool,
    /// This was a dry run.
    pub dry_run: bool,
    /// For a dry run, one line per file that would change.
    pub changes: Vec<String>,
    /// Cleaning up old releases failed after the switch (the publish
    /// itself succeeded).
    pub prune_error: Option<String>,
    /// Time taken to check and build the site.
    pub build_time: std::time::Duration,
    /// Time taken to deploy it (hash, compare, upload, switch, prune).
    pub deploy_time: std::time::Duration,
    pub(super) lang: Lang,
}

/// One release of a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Its id (the folder's name).
    pub id: String,
    /// Number of files, from its manifest.
    pub files: Option<usize>,
    /// Total size, from its manifest.
    pub bytes: Option<u64>,
    /// `current` points at it.
    pub current: bool,
}

/// The releases of a target, newest first.
#[derive(Debug)]
pub struct Releases {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// Complete releases, newest first.
    pub releases: Vec<Release>,
    /// Uploads that did not finish (the next publish resumes or removes
    /// them).
    pub partials: Vec<String>,
    pub(super) lang: Lang,
}

/// What a rollback did.
#[derive(Debug)]
pub struct RolledBack {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// The release that was current.
    pub from: String,
    /// The release now current.
    pub to: String,
    pub(super) lang: Lang,
}

/// A size for people: `12,3 MB` in Vietnamese, `12.3 MB` in English.
pub(crate) fn size(bytes: u64, lang: Lang) -> String {
    #[allow(clippy::cast_precision_loss)] // display only
    let b = bytes as f64;
    let (v, unit) = if bytes < 1000 {
        return format!("{bytes} B");
    } else if b < 1e6 {
        (b / 1e3, "KB")
    } else if b < 1e9 {
        (b / 1e6, "MB")
    } else {
        (b / 1e9, "GB")
    };
    let s = format!("{v:.1}");
    match lang {
        Lang::Vi => format!("{} {unit}", s.replace('.', ",")),
        Lang::En => format!("{s} {unit}"),
    }
}

/// The date of a release id in the province's time (ids are in UTC):
/// `16/07/2019 16:30:00 +07`.
fn id_date(id: &str) -> String {
    manifest::id_time(id).map_or_else(String::new, |t| {
        t.and_utc()
            .with_timezone(&crate::diag::VIETNAM)
            .format("%d/%m/%Y %H:%M:%S +07")
            .to_string()
    })
}

impl Report {
    /// What happened, for people, in the site's language.
    pub fn summary(&self) -> String {
        let l = self.lang;
        let t = &self.target;
        let p = &self.place;
        let mut s = String::new();
        if self.unchanged {
            let cur = self.previous.as_deref().unwrap_or("-");
            s += &tr!(
                l,
                "Site không thay đổi so với bản đang hoạt động {cur} trên «{t}» ({p}); không xuất bản gì.",
                "The site is the same as the current release {cur} of '{t}' ({p}); nothing to publish."
            );
            s.push('\n');
            return s;
        }
        let (n, b) = (self.sent_files, size(self.sent_bytes, l));
        let (k, r) = (self.linked_files, self.removed_files);
        if self.dry_run {
            s += &tr!(
                l,
                "Chạy thử: xuất bản lên «{t}» ({p}) sẽ gửi {n} tệp ({b}), liên kết {k} tệp không đổi, bỏ {r} tệp.",
                "Dry run: publishing to '{t}' ({p}) would send {n} files ({b}), link {k} unchanged files, and drop {r} files."
            );
            s.push('\n');
            for c in &self.changes {
                s += "  ";
                s += c;
                s.push('\n');
            }
            s += &tr!(
                l,
                "Chạy lại không có --dry-run để gửi {n} tệp và chuyển trang cổng sang bản mới. Lần chạy thử này chưa thay đổi gì trên đích.",
                "Run again without --dry-run to send the {n} files and switch the portal to the new release. This dry run changed nothing on the target."
            );
            s.push('\n');
            return s;
        }
        let id = self.id.as_deref().unwrap_or("-");
        let (files, total) = (self.files, size(self.bytes, l));
        s += &tr!(
            l,
            "Đã xuất bản {id} lên «{t}» ({p}): {files} tệp ({total}); đã gửi {n} tệp ({b}), liên kết {k} tệp không đổi, bỏ {r} tệp.",
            "Published {id} to '{t}' ({p}): {files} files ({total}); sent {n} files ({b}), linked {k} unchanged files, dropped {r} files."
        );
        s.push('\n');
        if let Some(w) = self.wire_bytes {
            let w = size(w, l);
            s += &tr!(
                l,
                "  Dữ liệu thực gửi qua mạng (rsync, đã nén): {w}.",
                "  Bytes on the wire (rsync, compressed): {w}."
            );
            s.push('\n');
        }
        if self.resumed_files > 0 {
            let m = self.resumed_files;
            s += &tr!(
                l,
                "  Tiếp tục lần tải lên dở dang trước: {m} tệp đã có sẵn, không gửi lại.",
                "  Resumed the unfinished upload before: {m} files were already there and not sent again."
            );
            s.push('\n');
        }
        match &self.previous {
            Some(prev) => {
                s += &tr!(
                    l,
                    "  «current» đã chuyển từ {prev} sang {id}. Quay lui: planpress rollback {t}",
                    "  'current' switched from {prev} to {id}. To undo: planpress rollback {t}"
                )
            }
            None => {
                s += &tr!(
                    l,
                    "  «current» trỏ tới {id}.",
                    "  'current' points at {id}."
                )
            }
        }
        s.push('\n');
        if !self.pruned.is_empty() {
            let list = self.pruned.join(", ");
            s += &tr!(
                l,
                "  Đã xoá bản cũ (keep): {list}.",
                "  Deleted old releases (keep): {list}."
            );
            s.push('\n');
        }
        if let Some(e) = &self.prune_error {
            s += &tr!(
                l,
                "  Cảnh báo: chưa xoá được bản cũ: {e}",
                "  Warning: could not delete old releases: {e}"
            );
            s.push('\n');
        }
        s
    }
}

impl Releases {
    /// The list, for people, in the site's language.
    pub fn render(&self) -> String {
        let l = self.lang;
        let (t, p) = (&self.target, &self.place);
        let mut s = String::new();
        if self.releases.is_empty() {
            s += &tr!(
                l,
                "«{t}» ({p}) chưa có bản phát hành nào.",
                "'{t}' ({p}) has no release yet."
            );
            s.push('\n');
        } else {
            s += &tr!(
                l,
                "Các bản phát hành của «{t}» ({p}), mới nhất trước:",
                "Releases of '{t}' ({p}), newest first:"
            );
            s.push('\n');
            let (hid, hdate, hfiles, hsize) = match l {
                Lang::Vi => ("Mã", "Thời điểm", "Số tệp", "Dung lượng"),
                Lang::En => ("Id", "Date", "Files", "Size"),
            };
            s += &format!("    {hid:<25}  {hdate:<23}  {hfiles:>7}  {hsize:>10}\n");
            for r in &self.releases {
                let mark = if r.current { "*" } else { " " };
                let files = r.files.map_or_else(|| "?".into(), |f| f.to_string());
                let bytes = r.bytes.map_or_else(|| "?".into(), |b| size(b, l));
                let note = if r.current {
                    tr!(l, "  ← đang hoạt động (current)", "  ← current")
                } else if r.files.is_none() {
                    tr!(l, "  (thiếu manifest)", "  (manifest missing)")
                } else {
                    String::new()
                };
                s += &format!(
                    "  {mark} {:<25}  {:<23}  {files:>7}  {bytes:>10}{note}\n",
                    r.id,
                    id_date(&r.id)
                );
            }
        }
        for partial in &self.partials {
            s += &tr!(
                l,
                "  (tải lên dở dang: releases/{partial}; lần xuất bản sau sẽ tiếp tục hoặc dọn nó)",
                "  (unfinished upload: releases/{partial}; the next publish resumes or removes it)"
            );
            s.push('\n');
        }
        s
    }
}

impl RolledBack {
    /// What happened, for people, in the site's language.
    pub fn summary(&self) -> String {
        let l = self.lang;
        let (t, p, from, to) = (&self.target, &self.place, &self.from, &self.to);
        let mut s = if from == to {
            tr!(
                l,
                "{to} đã là bản đang hoạt động của «{t}» ({p}); không đổi gì.",
                "{to} is already the current release of '{t}' ({p}); nothing changed."
            )
        } else {
            tr!(
                l,
                "Đã chuyển «current» của «{t}» ({p}) từ {from} về {to}.",
                "Switched 'current' of '{t}' ({p}) from {from} to {to}."
            )
        };
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_both_languages() {
        assert_eq!(size(999, Lang::Vi), "999 B");
        assert_eq!(size(12_345_678, Lang::Vi), "12,3 MB");
        assert_eq!(size(12_345_678, Lang::En), "12.3 MB");
        assert_eq!(size(1_500, Lang::En), "1.5 KB");
    }
}
