//! The cache of incremental builds: `.planpress/cache/` under the site.
//!
//! For every page of the last build into an output folder it records the
//! key the page was rendered from (a SHA-256 of the template's name and the
//! page's whole template context) and what the written file looked like
//! (size, modification time, inode). The next build into the same folder
//! still loads, checks and consolidates everything and builds every page's
//! context, but a page whose key and file are unchanged is linked from the
//! previous output instead of being rendered by Tera again.
//!
//! What the key does not cover is in the cache's header, and a different
//! header drops the whole cache: the format, the planpress version and the
//! identity of its executable (size and time: a rebuilt binary may render
//! differently under the same version), and the theme (every template's
//! text, the interface strings and the static files). Hashing the context
//! rather than listing the inputs of a page means that whatever a page
//! shows (a total of the cycle, a neighbour's name, its git history) is in
//! its key, so a cached page is always the bytes a clean build writes.
//!
//! The cache is safe to delete at any time (the next build renders every
//! page), a damaged one is ignored, and it is written only after the new
//! output was swapped in, atomically (a temporary file renamed).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// What a page was rendered from.
pub(crate) type Key = [u8; 32];

/// First word of a cache file; a change of layout changes it.
const FORMAT: &str = "planpress-page-cache-1";

/// The key of a page: its template and the JSON of every value the
/// template sees.
pub(crate) fn page_key(template: &str, parts: &[&dyn KeyPart]) -> Key {
    let mut w = HashWriter(Sha256::new());
    w.0.update(template.as_bytes());
    for p in parts {
        w.0.update([0]);
        p.write_json(&mut w);
    }
    w.0.finalize().into()
}

/// A part of a page's key: anything serde writes as JSON. A trait object,
/// so one key can hash the typed contexts of different templates.
pub(crate) trait KeyPart {
    /// Writes the part as JSON into `w`.
    fn write_json(&self, w: &mut dyn std::io::Write);
}

impl<T: serde::Serialize + ?Sized> KeyPart for T {
    fn write_json(&self, w: &mut dyn std::io::Write) {
        // Writing into a hasher cannot fail; a value that cannot be
        // serialised still gets a key, of what was written.
        let _ = serde_json::to_writer(w, self);
    }
}

/// Feeds `serde_json`'s output straight into the hash, without a buffer
/// the size of the page's data.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What an output file looked like right after the build that wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    mtime_ns: i128,
    ino: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    let mtime = m.modified().ok()?;
    let mtime_ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).ok()?,
        Err(e) => -i128::try_from(e.duration().as_nanos()).ok()?,
    };
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some(Stamp {
        len: m.len(),
        mtime_ns,
        ino,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Key> {
    let mut key = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// The header of a cache: everything every page depends on that its key
/// does not hold.
pub(crate) fn header(theme_fingerprint: &Key) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| stamp(&p))
        .map_or_else(String::new, |s| format!("{}-{}", s.len, s.mtime_ns));
    format!(
        "{FORMAT} {} {exe} {}",
        env!("CARGO_PKG_VERSION"),
        hex(theme_fingerprint)
    )
}

/// The cache of one build into one output folder.
pub(crate) struct PageCache {
    /// The cache file.
    file: PathBuf,
    header: String,
    /// The output folder as the previous build left it.
    output: PathBuf,
    previous: HashMap<String, (Key, Stamp)>,
    /// Pages of this build and their keys.
    now: Mutex<Vec<(String, Key)>>,
}

impl PageCache {
    /// The cache of builds from `root` into `output`, with what the last
    /// one recorded when its header is `header` (nothing otherwise).
    pub(crate) fn open(root: &Path, output: &Path, header: String) -> PageCache {
        let output = std::fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf());
        // One cache per output folder: a build into another folder must
        // not believe that folder holds this one's pages.
        let name = hex(&Sha256::digest(output.to_string_lossy().as_bytes())[..8]);
        let file = root
            .join(".planpress")
            .join("cache")
            .join(format!("pages-{name}"));
        let previous = std::fs::read_to_string(&file)
            .ok()
            .map(|text| parse(&text, &header))
            .unwrap_or_default();
        PageCache {
            file,
            header,
            output,
            previous,
            now: Mutex::new(Vec::new()),
        }
    }

    /// Whether the previous build's `path` was rendered from `key` and is
    /// still the file it wrote; then it can be linked instead of rendered.
    pub(crate) fn unchanged(&self, path: &str, key: &Key) -> Option<PathBuf> {
        let (k, s) = self.previous.get(path)?;
        if k != key {
            return None;
        }
        let file = self.output.join(path);
        (stamp(&file) == Some(*s)).then_some(file)
    }

    /// Records that this build's `path` comes from `key`.
    pub(crate) fn record(&self, path: &str, key: Key) {
        self.now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((path.to_string(), key));
    }

    /// Writes the cache of this build, once its output is in place. A
    /// cache that cannot be written only makes the next build slower, so
    /// failures are not errors of the build.
    pub(crate) fn save(self) {
        let now = self
            .now
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut text = String::with_capacity(now.len() * 120 + self.header.len() + 1);
        text.push_str(&self.header);
        text.push('\n');
        for (path, key) in &now {
            if let Some(s) = stamp(&self.output.join(path)) {
                text.push_str(&format!(
                    "{} {} {} {} {path}\n",
                    hex(key),
                    s.len,
                    s.mtime_ns,
                    s.ino
                ));
            }
        }
        let _ = write_atomically(&self.file, text.as_bytes());
    }
}

/// Lines of a cache file with header `header`; a line that does not read
/// is left out, and another header gives nothing.
fn parse(text: &str, header: &str) -> HashMap<String, (Key, Stamp)> {
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return HashMap::new();
    }
    lines
        .filter_map(|l| {
            let mut f = l.splitn(5, ' ');
            let key = unhex(f.next()?)?;
            let len = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let ino = f.next()?.parse().ok()?;
            let path = f.next()?.to_string();
            Some((path, (key, Stamp { len, mtime_ns, ino })))
        })
        .collect()
}

fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // A name of this process's own: two builds of one site at once each
    // write their whole file, and the last rename wins.
    let tmp = dir.join(format!(".pages-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes));
    let renamed = written.and_then(|()| std::fs::rename(&tmp, file));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_changes_with_any_value_the_template_sees() {
        let a = page_key("plan.html", &[&json!({"x": 1}), &json!("../")]);
        assert_eq!(a, page_key("plan.html", &[&json!({"x": 1}), &json!("../")]));
        assert_ne!(a, page_key("plan.html", &[&json!({"x": 2}), &json!("../")]));
        assert_ne!(
            a,
            page_key("agency.html", &[&json!({"x": 1}), &json!("../")])
        );
        assert_ne!(
            a,
            page_key("plan.html", &[&json!({"x": 1}), &json!("../../")])
        );
    }

    #[test]
    fn a_page_is_reused_only_while_key_header_and_file_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path().join("site"), dir.path().join("out"));
        std::fs::create_dir_all(out.join("2019")).unwrap();
        std::fs::write(out.join("2019/index.html"), "trang").unwrap();
        let key = page_key("cycle.html", &[&json!(1)]);
        let c = PageCache::open(&root, &out, "h1".into());
        assert!(
            c.unchanged("2019/index.html", &key).is_none(),
            "empty cache"
        );
        c.record("2019/index.html", key);
        c.save();

        let c = PageCache::open(&root, &out, "h1".into());
        assert!(c.unchanged("2019/index.html", &key).is_some());
        let other = page_key("cycle.html", &[&json!(2)]);
        assert!(c.unchanged("2019/index.html", &other).is_none());
        assert!(c.unchanged("2020/index.html", &key).is_none());
        // Another theme or binary: nothing is reused.
        let c2 = PageCache::open(&root, &out, "h2".into());
        assert!(c2.unchanged("2019/index.html", &key).is_none());
        // A file changed by hand after the build is rendered again.
        std::fs::write(out.join("2019/index.html"), "trang khác").unwrap();
        assert!(c.unchanged("2019/index.html", &key).is_none());
        // Another output folder has its own cache.
        let c3 = PageCache::open(&root, &dir.path().join("out2"), "h1".into());
        assert!(c3.previous.is_empty());
    }

    #[test]
    fn a_damaged_cache_is_ignored() {
        let text = "h\nnot hex 1 2 3 a.html\n";
        assert!(parse(text, "h").is_empty());
        let good = format!("h\n{} 5 7 9 a b.html\n", hex(&[1; 32]));
        let p = parse(&good, "h");
        assert_eq!(p["a b.html"].1.len, 5);
        assert!(parse(&good, "other").is_empty());
    }
}
