//! The department's view of a cycle: every expected agency with the state of
//! its plan. The rows are `planpress status`'s own (`crate::status`), so the
//! page, the API and `planpress status --format json` never disagree.

use std::path::Path;

use crate::diag::{CommandError, Lang, tr};
use crate::status::StatusRow;

/// The rows of a cycle, computed again only when the repository's HEAD,
/// a file under `content/` (its size or time of change, so an edit not yet
/// committed counts too) or the day changes: checking the whole site on
/// every look at the review page costs seconds at a thousand plans, and a
/// stat of each file costs milliseconds.
#[derive(Default)]
pub(crate) struct StatusCache {
    rows: std::collections::HashMap<i32, ([u8; 32], Vec<StatusRow>)>,
}

impl StatusCache {
    pub(crate) fn rows(
        cache: &std::sync::Mutex<StatusCache>,
        root: &Path,
        year: i32,
        lang: Lang,
    ) -> Result<Vec<StatusRow>, CommandError> {
        let (_, today) = crate::status::today(lang)?;
        let key = stamp(root, today);
        if let Ok(c) = cache.lock()
            && let Some((k, rows)) = c.rows.get(&year)
            && *k == key
        {
            return Ok(rows.clone());
        }
        let rows = status_rows(root, year, lang)?;
        if let Ok(mut c) = cache.lock() {
            c.rows.insert(year, (key, rows.clone()));
        }
        Ok(rows)
    }
}

/// The state the status rows depend on, hashed.
fn stamp(root: &Path, today: chrono::NaiveDate) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    fn walk(dir: &Path, h: &mut Sha256) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let Ok(meta) = e.metadata() else { continue };
            h.update(e.file_name().as_encoded_bytes());
            if meta.is_dir() {
                walk(&e.path(), h);
            } else {
                let at = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                h.update(at.to_le_bytes());
                h.update(meta.len().to_le_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(today.to_string().as_bytes());
    if let Ok(repo) = git2::Repository::discover(root)
        && let Ok(head) = repo.head()
        && let Some(id) = head.target()
    {
        h.update(id.as_bytes());
    }
    walk(&root.join("content"), &mut h);
    walk(&root.join("themes"), &mut h);
    h.finalize().into()
}

/// The rows of `planpress status YEAR` for the site at `root`, as of today
/// in Vietnam (`PLANPRESS_NOW` stands in for the clock, as for `status`).
pub(crate) fn status_rows(
    root: &Path,
    year: i32,
    lang: Lang,
) -> Result<Vec<StatusRow>, CommandError> {
    let checked = crate::check::check(root).map_err(|e| CommandError::failed(e.to_string()))?;
    let site = &checked.loaded.site;
    let cycle = crate::status::pick_cycle(site, Some(year), lang)?;
    let (_, today) = crate::status::today(lang)?;
    crate::status::rows_or_error(site, cycle, &checked.diagnostics, root, today, lang)
}

/// What the review page's button downloads: the files `planpress remind
/// YEAR` writes (one `<agency>.eml` per agency to chase, `reminders.csv`),
/// packed as one zip. They are written by [`crate::remind::remind`] into a
/// private folder of its own that is removed afterwards, so a download
/// changes nothing in the site or its repository and sends no mail.
pub(crate) struct Reminders {
    /// The zip's bytes.
    pub(crate) zip: Vec<u8>,
}

pub(crate) fn reminders_zip(root: &Path, year: i32, lang: Lang) -> Result<Reminders, CommandError> {
    use std::io::Write as _;
    let dir = private_temp_dir(lang)?;
    let out = dir.0.join("nhac");
    let opts = crate::remind::RemindOptions {
        year: Some(year),
        out: Some(out.clone()),
        send: false,
    };
    crate::remind::remind(root, &opts)?;
    let fail = |e: String| {
        CommandError::failed(tr!(
            lang,
            "Không đóng gói được thư nhắc: {e}. Hãy thử lại, hoặc chạy `planpress remind {year}` trên máy chủ.",
            "Cannot pack the reminders: {e}. Try again, or run `planpress remind {year}` on the server."
        ))
    };
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .map_err(|e| fail(e.to_string()))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for name in &names {
        let bytes = std::fs::read(out.join(name)).map_err(|e| fail(e.to_string()))?;
        zip.start_file(format!("nhac-nop-ke-hoach-{year}/{name}"), options)
            .map_err(|e| fail(e.to_string()))?;
        zip.write_all(&bytes).map_err(|e| fail(e.to_string()))?;
    }
    let zip = zip.finish().map_err(|e| fail(e.to_string()))?.into_inner();
    Ok(Reminders { zip })
}

/// A new folder only this process's user can read, removed on drop.
pub(crate) struct TempDir(pub(crate) std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn private_temp_dir(lang: Lang) -> Result<TempDir, CommandError> {
    let mut last = String::new();
    for _ in 0..8 {
        let mut n = [0u8; 8];
        getrandom::fill(&mut n).map_err(|e| CommandError::failed(e.to_string()))?;
        let path =
            std::env::temp_dir().join(format!("planpress-editor-{:016x}", u64::from_le_bytes(n)));
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        match b.create(&path) {
            Ok(()) => return Ok(TempDir(path)),
            Err(e) => last = e.to_string(),
        }
    }
    Err(CommandError::failed(tr!(
        lang,
        "Không tạo được thư mục tạm: {last}. Kiểm tra chỗ trống của ổ đĩa máy chủ.",
        "Cannot create a temporary folder: {last}. Check the server's free disk space."
    )))
}
