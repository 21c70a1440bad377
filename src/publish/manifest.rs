//! The manifest of a release: every file's path, size and SHA-256, and the
//! release ids built from it.
//!
//! A release id is `YYYYMMDDTHHMMSSZ-<8 hex>`: the UTC time of the publish,
//! so that ids sort by time, and the start of the content hash, so that two
//! releases with the same files are recognisable at a glance.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::output::OutFile;

/// Name of the manifest inside a release folder. It is not listed in
/// itself, and no built file may have this name.
pub(crate) const MANIFEST: &str = ".planpress-manifest.json";

/// Version of the manifest format.
const FORMAT: u32 = 1;

/// Length of the time part of an id: `20190716T093000Z`.
const TIME_LEN: usize = 16;
/// Format of the time part of an id.
const TIME_FMT: &str = "%Y%m%dT%H%M%SZ";

/// One file of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    /// Path under the release, `/`-separated.
    pub(crate) path: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub(crate) sha256: String,
}

/// What a release holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// Version of this format.
    pub(crate) format: u32,
    /// The release id (the folder's name).
    pub(crate) id: String,
    /// When it was published, RFC 3339 in UTC.
    pub(crate) created: String,
    /// The program that wrote it.
    pub(crate) generator: String,
    /// SHA-256 of the list of paths and hashes: equal for equal sites.
    pub(crate) content: String,
    /// Number of files.
    pub(crate) files: usize,
    /// Total size in bytes.
    pub(crate) bytes: u64,
    /// Every file, sorted by path.
    pub(crate) entries: Vec<FileEntry>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes` as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether `path` is a safe relative path of a built file: no empty, `.` or
/// `..` component, no backslash or control character, and not ours.
pub(crate) fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
        && !path.split('/').any(|c| c.starts_with(".planpress"))
}

impl Manifest {
    /// The manifest of a built site (id and date are set by [`Self::stamp`]).
    /// Hashes every file on every core. `Err` names a path that cannot be
    /// published.
    pub(crate) fn of(files: &[OutFile]) -> Result<Manifest, String> {
        if let Some((bad, _)) = files.iter().find(|(p, _)| !safe_path(p)) {
            return Err(bad.clone());
        }
        let mut entries: Vec<FileEntry> = files
            .par_iter()
            .map(|(path, bytes)| FileEntry {
                path: path.clone(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(w) = entries.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(w[0].path.clone());
        }
        let mut listing = Sha256::new();
        for e in &entries {
            listing.update(format!("{}\0{}\0{}\n", e.path, e.size, e.sha256).as_bytes());
        }
        Ok(Manifest {
            format: FORMAT,
            id: String::new(),
            created: String::new(),
            generator: format!("planpress {}", env!("CARGO_PKG_VERSION")),
            content: hex(&listing.finalize()),
            files: entries.len(),
            bytes: entries.iter().map(|e| e.size).sum(),
            entries,
        })
    }

    /// Gives the manifest its release id and date.
    pub(crate) fn stamp(&mut self, id: &str) {
        self.id = id.to_string();
        self.created = id_time(id).map_or_else(String::new, |t| {
            t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
        });
    }

    /// The JSON text: the summary first, then one entry per line, so that
    /// the file reads well and diffs well.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut s = String::with_capacity(160 * self.entries.len() + 400);
        let q = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let _ = writeln!(s, "{{");
        let _ = writeln!(s, "  \"format\": {},", self.format);
        let _ = writeln!(s, "  \"id\": {},", q(&self.id));
        let _ = writeln!(s, "  \"created\": {},", q(&self.created));
        let _ = writeln!(s, "  \"generator\": {},", q(&self.generator));
        let _ = writeln!(s, "  \"content\": {},", q(&self.content));
        let _ = writeln!(s, "  \"files\": {},", self.files);
        let _ = writeln!(s, "  \"bytes\": {},", self.bytes);
        let _ = writeln!(s, "  \"entries\": [");
        for (i, e) in self.entries.iter().enumerate() {
            let comma = if i + 1 < self.entries.len() { "," } else { "" };
            let _ = writeln!(
                s,
                "    {{\"path\": {}, \"size\": {}, \"sha256\": {}}}{comma}",
                q(&e.path),
                e.size,
                q(&e.sha256)
            );
        }
        let _ = writeln!(s, "  ]");
        let _ = writeln!(s, "}}");
        s.into_bytes()
    }

    /// Reads a manifest. `None` when it is not one of ours, or names a path
    /// that could lead outside its release.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes).ok()?;
        let sane = m.format == FORMAT
            && m.entries.len() == m.files
            && m.entries.iter().all(|e| {
                safe_path(&e.path)
                    && e.sha256.len() == 64
                    && e.sha256.bytes().all(|b| b.is_ascii_hexdigit())
            });
        sane.then_some(m)
    }

    /// Entries by path.
    pub(crate) fn by_path(&self) -> BTreeMap<&str, &FileEntry> {
        self.entries.iter().map(|e| (e.path.as_str(), e)).collect()
    }
}

/// How a new release differs from the current one.
#[derive(Debug, Default)]
pub(crate) struct Diff<'m> {
    /// In both, same bytes: hard-linked from the current release.
    pub(crate) same: Vec<&'m FileEntry>,
    /// Not in the current release: sent.
    pub(crate) added: Vec<&'m FileEntry>,
    /// In both with other bytes: sent.
    pub(crate) changed: Vec<&'m FileEntry>,
    /// In the current release only: left out of the new one.
    pub(crate) removed: Vec<&'m FileEntry>,
}

impl<'m> Diff<'m> {
    /// Compares `new` with `base` (the current release), path by path.
    pub(crate) fn between(base: Option<&'m Manifest>, new: &'m Manifest) -> Diff<'m> {
        let old = base.map(Manifest::by_path).unwrap_or_default();
        let mut d = Diff::default();
        for e in &new.entries {
            match old.get(e.path.as_str()) {
                Some(o) if o.sha256 == e.sha256 && o.size == e.size => d.same.push(e),
                Some(_) => d.changed.push(e),
                None => d.added.push(e),
            }
        }
        if let Some(base) = base {
            let now = new.by_path();
            d.removed = base
                .entries
                .iter()
                .filter(|e| !now.contains_key(e.path.as_str()))
                .collect();
        }
        d
    }

    /// Files that travel, sorted by path.
    pub(crate) fn sent(&self) -> Vec<&'m FileEntry> {
        let mut v: Vec<&FileEntry> = self.added.iter().chain(&self.changed).copied().collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    /// Bytes that travel.
    pub(crate) fn sent_bytes(&self) -> u64 {
        self.added.iter().chain(&self.changed).map(|e| e.size).sum()
    }
}

/// Whether `name` is a release id.
pub(crate) fn is_id(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == TIME_LEN + 9
        && id_time(name).is_some()
        && b[TIME_LEN] == b'-'
        && b[TIME_LEN + 1..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// The time an id was made, UTC.
pub(crate) fn id_time(id: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(id.get(..TIME_LEN)?, TIME_FMT).ok()
}

/// A new release id at `now` for `content` (its hash). Ids sort by time: if
/// `now` is not after the newest of `existing` (same second, or a clock set
/// back), the id takes the second after it instead.
pub(crate) fn new_id(now: DateTime<Utc>, existing: &[String], content: &str) -> String {
    let mut t = now.naive_utc();
    if let Some(last) = existing.iter().filter_map(|e| id_time(e)).max()
        && t < last + TimeDelta::seconds(1)
    {
        t = last + TimeDelta::seconds(1);
    }
    let short = content.get(..8).unwrap_or("00000000");
    format!("{}-{short}", t.format(TIME_FMT))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn site(files: &[(&str, &str)]) -> Vec<OutFile> {
        files
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn manifest_round_trips_and_hashes_content() {
        let mut m = Manifest::of(&site(&[("b/index.html", "B"), ("a.txt", "A")])).unwrap();
        m.stamp("20190716T093000Z-0123abcd");
        assert_eq!(m.entries[0].path, "a.txt");
        assert_eq!(m.files, 2);
        assert_eq!(m.bytes, 2);
        assert_eq!(m.created, "2019-07-16T09:30:00Z");
        assert_eq!(
            m.entries[0].sha256,
            "559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd"
        );
        let back = Manifest::parse(&m.to_json()).unwrap();
        assert_eq!(back, m);
        // Same files, same content hash, whatever the order.
        let again = Manifest::of(&site(&[("a.txt", "A"), ("b/index.html", "B")])).unwrap();
        assert_eq!(again.content, m.content);
        let other = Manifest::of(&site(&[("a.txt", "A"), ("b/index.html", "C")])).unwrap();
        assert_ne!(other.content, m.content);
    }

    #[test]
    fn refuses_unsafe_paths_and_tampered_manifests() {
        for bad in [
            "../x",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            "a\nb",
            ".planpress-manifest.json",
            "",
        ] {
            assert!(Manifest::of(&site(&[(bad, "x")])).is_err(), "{bad:?}");
        }
        assert!(Manifest::of(&site(&[("a", "1"), ("a", "2")])).is_err());
        let mut m = Manifest::of(&site(&[("a.txt", "A")])).unwrap();
        m.entries[0].path = "../../etc/passwd".into();
        assert!(Manifest::parse(&m.to_json()).is_none());
        assert!(Manifest::parse(b"{}").is_none());
        assert!(Manifest::parse(b"not json").is_none());
    }

    #[test]
    fn diff_sorts_files_into_same_added_changed_removed() {
        let old = Manifest::of(&site(&[("a", "1"), ("b", "2"), ("c", "3")])).unwrap();
        let new = Manifest::of(&site(&[("a", "1"), ("b", "22"), ("d", "4")])).unwrap();
        let d = Diff::between(Some(&old), &new);
        let names = |v: &[&FileEntry]| v.iter().map(|e| e.path.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.same), ["a"]);
        assert_eq!(names(&d.changed), ["b"]);
        assert_eq!(names(&d.added), ["d"]);
        assert_eq!(names(&d.removed), ["c"]);
        assert_eq!(names(&d.sent()), ["b", "d"]);
        assert_eq!(d.sent_bytes(), 3);
        let first = Diff::between(None, &new);
        assert_eq!(first.added.len(), 3);
        assert!(first.removed.is_empty());
    }

    #[test]
    fn ids_sort_by_time_and_carry_the_hash() {
        let t = DateTime::parse_from_rfc3339("2019-07-16T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = new_id(t, &[], "abcdef0123456789");
        assert_eq!(id, "20190716T093000Z-abcdef01");
        assert!(is_id(&id));
        // Same second again, or a clock set back: the next second.
        let next = new_id(t, std::slice::from_ref(&id), "0000000011");
        assert_eq!(next, "20190716T093001Z-00000000");
        assert!(next > id);
        for bad in [
            "20190716T093000Z-ABCDEF01",
            "20190716T093000Z-abcdef0",
            "20191316T093000Z-abcdef01",
            ".partial-20190716T093000Z-abcdef01",
            "current",
        ] {
            assert!(!is_id(bad), "{bad}");
        }
    }
}
