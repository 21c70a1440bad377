//! Loading a site: walk `content/`, read each file, cut front matter, parse
//! YAML, and lower it into the model. Problems become diagnostics; loading
//! itself only fails when the root is not a folder at all.

pub(crate) mod source;
pub(crate) mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic, Lang, Pos, Sink, tr};
use crate::model::lower::Lower;
use crate::model::{Body, Cycle, Plan, Site};
use yaml::{Kind, Node, YamlError, YamlErrorKind};

/// A loaded site, the problems found on the way, and the text of every file
/// read (to show the offending lines).
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) site: Site,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) sources: BTreeMap<String, String>,
    /// Canonical root, for later stages that write or watch.
    #[allow(dead_code)]
    pub(crate) root: PathBuf,
}

/// Loading could not start.
#[derive(Debug)]
pub enum LoadError {
    /// `--root` is not a readable folder.
    BadRoot(PathBuf, std::io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::BadRoot(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// The result of reading one file: its diagnostics, its text and what was
/// made of it.
struct FileResult<T> {
    value: Option<T>,
    diagnostics: Vec<Diagnostic>,
    text: Option<String>,
}

fn yaml_error(sink: &mut Sink<'_>, e: YamlError) {
    let lang = sink.lang;
    let (message, help) = match e.kind {
        YamlErrorKind::Syntax(info) => (
            tr!(
                lang,
                "Lỗi cú pháp YAML: {info}.",
                "YAML syntax error: {info}."
            ),
            tr!(
                lang,
                "Kiểm tra thụt lề (dùng dấu cách, không dùng Tab), dấu hai chấm sau tên trường, và đặt văn bản có dấu `:` hoặc `#` trong ngoặc kép.",
                "Check the indentation (spaces, not tabs), the colon after each field name, and quote text that contains `:` or `#`."
            ),
        ),
        YamlErrorKind::TooDeep => (
            {
                let max = yaml::MAX_DEPTH;
                tr!(
                    lang,
                    "YAML lồng quá sâu (quá {max} cấp).",
                    "YAML nested too deeply (over {max} levels)."
                )
            },
            tr!(
                lang,
                "Một kế hoạch chỉ cần vài cấp lồng nhau.",
                "A plan needs only a few levels of nesting."
            ),
        ),
        YamlErrorKind::TooLarge => (
            tr!(
                lang,
                "YAML có quá nhiều phần tử (kể cả khi mở rộng alias).",
                "YAML has too many nodes (counting alias expansions)."
            ),
            tr!(
                lang,
                "Bỏ các alias (`*tên`) lồng nhau; viết trực tiếp giá trị.",
                "Remove nested aliases (`*name`); write the values out."
            ),
        ),
        YamlErrorKind::UnknownAlias => (
            tr!(
                lang,
                "Alias trỏ tới một anchor chưa được định nghĩa.",
                "Alias refers to an anchor that is not defined."
            ),
            tr!(
                lang,
                "Định nghĩa `&tên` trước khi dùng `*tên`.",
                "Define `&name` before using `*name`."
            ),
        ),
        YamlErrorKind::DuplicateKey(k) => (
            tr!(
                lang,
                "Trường `{k}` được viết hai lần.",
                "Field `{k}` is written twice."
            ),
            tr!(
                lang,
                "Giữ lại một lần và xóa lần còn lại.",
                "Keep one and delete the other."
            ),
        ),
        YamlErrorKind::ComplexKey => (
            tr!(
                lang,
                "Tên trường phải là một chuỗi đơn.",
                "A field name must be a plain string."
            ),
            tr!(lang, "Viết `tên: giá trị`.", "Write `name: value`."),
        ),
        YamlErrorKind::MultipleDocuments => (
            tr!(
                lang,
                "Chỉ được có một tài liệu YAML.",
                "Only one YAML document is allowed."
            ),
            tr!(lang, "Xóa dòng `---` thừa.", "Remove the extra `---` line."),
        ),
    };
    sink.report(Code::E003, e.pos, message, Some(help));
}

fn parse_yaml(text: &str, offset: usize, sink: &mut Sink<'_>) -> Result<Option<Node>, ()> {
    yaml::parse(text, offset).map_err(|e| yaml_error(sink, e))
}

/// `language: en` of site.yaml, read before anything else so that every
/// message, even those about site.yaml, is in the site's language.
fn peek_language(node: &Node) -> Lang {
    if let Kind::Map(entries) = &node.kind {
        for (k, v) in entries {
            if yaml::key_text(k).is_some_and(|k| k == "language")
                && let Kind::Scalar { text, .. } = &v.kind
                && text == "en"
            {
                return Lang::En;
            }
        }
    }
    Lang::Vi
}

/// Loads a YAML configuration file. Problems are E070. A file that links out
/// of `root` is not read; `walk` (or `load`, for `content/` itself) reports
/// the link.
fn load_config<T>(
    root: &Path,
    path: &Path,
    rel: &str,
    lang: Lang,
    lower: impl FnOnce(&mut Lower<'_, '_>, &Node) -> Option<T>,
) -> (FileResult<T>, Lang) {
    if !inside_root(root, path) {
        let skipped = FileResult {
            value: None,
            diagnostics: Vec::new(),
            text: None,
        };
        return (skipped, lang);
    }
    let mut sink = Sink::new(lang, rel, true);
    let mut out_lang = lang;
    let text = if path.is_file() {
        source::read_text(path, &mut sink)
    } else {
        let l = sink.lang;
        sink.report(
            Code::E070,
            Pos::START,
            tr!(l, "Thiếu tệp {rel}.", "{rel} is missing."),
            Some(tr!(l, "Mỗi site cần content/site.yaml, content/agencies.yaml và content/catalog.yaml; kiểm tra lại --root.", "Every site needs content/site.yaml, content/agencies.yaml and content/catalog.yaml; check --root.")),
        );
        None
    };
    let mut value = None;
    if let Some(t) = &text
        && let Ok(node) = parse_yaml(t, 0, &mut sink)
    {
        let empty = Node {
            kind: Kind::Map(Vec::new()),
            pos: Pos::START,
        };
        let node = node.unwrap_or(empty);
        if rel.ends_with("site.yaml") {
            out_lang = peek_language(&node);
            sink.lang = out_lang;
        }
        value = lower(&mut Lower::new(&mut sink), &node);
    }
    (
        FileResult {
            value,
            diagnostics: sink.into_vec(),
            text,
        },
        out_lang,
    )
}

/// Reads a Markdown file with front matter and lowers it with `lower`.
fn load_markdown<T>(
    path: &Path,
    rel: &str,
    lang: Lang,
    config: bool,
    lower: impl FnOnce(&mut Lower<'_, '_>, Option<&Node>, Pos, Body) -> Option<T>,
) -> FileResult<T> {
    let mut sink = Sink::new(lang, rel, config);
    let text = source::read_text(path, &mut sink);
    let value = text
        .as_deref()
        .and_then(|t| lower_markdown(t, &mut sink, lower));
    FileResult {
        value,
        diagnostics: sink.into_vec(),
        text,
    }
}

fn lower_markdown<T>(
    text: &str,
    sink: &mut Sink<'_>,
    lower: impl FnOnce(&mut Lower<'_, '_>, Option<&Node>, Pos, Body) -> Option<T>,
) -> Option<T> {
    let split = source::split_front_matter(text, sink)?;
    let node = parse_yaml(split.yaml, split.yaml_line_offset, sink).ok()?;
    let body = Body::new(split.body, split.body_line);
    lower(&mut Lower::new(sink), node.as_ref(), Pos::START, body)
}

/// Loads one plan from raw bytes as `content/2019/<agency>.md` of a site with
/// no configuration, and validates it. For the fuzz target and property
/// tests: whatever the bytes, this returns diagnostics and never panics.
pub(crate) fn check_plan_bytes(bytes: &[u8]) -> Vec<Diagnostic> {
    let rel = "content/2019/plan.md";
    let mut sink = Sink::new(Lang::Vi, rel, false);
    let Some(text) = source::decode(bytes.to_vec(), &mut sink) else {
        return sink.into_vec();
    };
    let plan = lower_markdown(&text, &mut sink, |l, n, at, body| {
        l.plan(n, at, rel, "plan", body)
    });
    let mut out = sink.into_vec();
    let site = Site {
        cycles: vec![Cycle {
            year: 2019,
            meta_file: "content/2019/_plan.md".into(),
            meta: None,
            plans: plan.into_iter().collect(),
            stems: vec!["plan".into()],
        }],
        ..Site::default()
    };
    out.extend(crate::validate::validate(&site));
    out
}

/// Path of `p` relative to `root`, with `/` separators.
fn relative(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path`, once links are followed, stays inside `root`. A path that
/// does not resolve counts as inside: its absence is reported where it
/// matters.
fn inside_root(root: &Path, path: &Path) -> bool {
    std::fs::canonicalize(path).map_or(true, |target| target.starts_with(root))
}

/// E001 for a symbolic link that leads out of the root (or nowhere).
fn outside_link(rel: &str, lang: Lang) -> Vec<Diagnostic> {
    let mut sink = Sink::new(lang, rel, false);
    sink.report(
        Code::E001,
        Pos::START,
        tr!(
            lang,
            "Liên kết tượng trưng trỏ ra ngoài thư mục site (hoặc không tồn tại); không đọc.",
            "Symbolic link points outside the site folder (or nowhere); not followed."
        ),
        Some(tr!(
            lang,
            "Sao chép tệp vào trong site thay vì liên kết.",
            "Copy the file into the site instead of linking to it."
        )),
    );
    sink.into_vec()
}

/// A file found in a cycle folder.
struct Found {
    path: PathBuf,
    rel: String,
    stem: String,
}

/// Walks `content/`. Symbolic links are never followed out of the root: one
/// that points outside is reported and skipped.
fn walk(
    root: &Path,
    content: &Path,
    lang: Lang,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<i32, (Option<Found>, Vec<Found>)> {
    let mut cycles: BTreeMap<i32, (Option<Found>, Vec<Found>)> = BTreeMap::new();
    let walker = WalkDir::new(content)
        .follow_links(false)
        .min_depth(1)
        .max_depth(2)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e
                    .path()
                    .map_or_else(|| "content".to_string(), |p| relative(root, p));
                let mut sink = Sink::new(lang, &rel, false);
                sink.error(
                    Code::E001,
                    Pos::START,
                    tr!(lang, "Không đọc được: {e}.", "Cannot read: {e}."),
                );
                diags.extend(sink.into_vec());
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = entry.path().to_path_buf();
        let rel = relative(root, &path);
        let mut is_file = entry.file_type().is_file();
        if entry.path_is_symlink() {
            match std::fs::canonicalize(&path) {
                Ok(target) if target.starts_with(root) => is_file = target.is_file(),
                _ => {
                    diags.extend(outside_link(&rel, lang));
                    continue;
                }
            }
        }
        if entry.depth() != 2 || !is_file || !name.ends_with(".md") {
            continue;
        }
        let Some(year) = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .filter(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let stem = name.trim_end_matches(".md").to_string();
        let slot = cycles.entry(year).or_default();
        let found = Found { path, rel, stem };
        if found.stem == "_plan" {
            slot.0 = Some(found);
        } else if !found.stem.starts_with('_') {
            slot.1.push(found);
        }
    }
    cycles
}

/// Loads everything under `root/content`.
pub(crate) fn load(root: &Path) -> Result<Loaded, LoadError> {
    let root =
        std::fs::canonicalize(root).map_err(|e| LoadError::BadRoot(root.to_path_buf(), e))?;
    if !root.is_dir() {
        return Err(LoadError::BadRoot(
            root,
            std::io::Error::other("not a directory"),
        ));
    }
    let content = root.join("content");
    let mut loaded = Loaded {
        root: root.clone(),
        ..Loaded::default()
    };

    let (site, lang) = load_config(
        &root,
        &content.join("site.yaml"),
        "content/site.yaml",
        Lang::Vi,
        |l, n| l.site(n),
    );
    let (agencies, _) = load_config(
        &root,
        &content.join("agencies.yaml"),
        "content/agencies.yaml",
        lang,
        |l, n| l.agencies(n),
    );
    let (catalog, _) = load_config(
        &root,
        &content.join("catalog.yaml"),
        "content/catalog.yaml",
        lang,
        |l, n| l.catalog(n),
    );
    loaded.site.config = loaded.take(site, "content/site.yaml");
    loaded.site.agencies = loaded.take(agencies, "content/agencies.yaml");
    loaded.site.catalog = loaded.take(catalog, "content/catalog.yaml");

    let content_inside = inside_root(&root, &content);
    if !content_inside {
        loaded.diagnostics.extend(outside_link("content", lang));
    }
    if content_inside && content.is_dir() {
        let found = walk(&root, &content, lang, &mut loaded.diagnostics);
        for (year, (meta, plans)) in found {
            let meta_file = format!("content/{year}/_plan.md");
            let meta = match meta {
                Some(f) => {
                    let r = load_markdown(&f.path, &f.rel, lang, true, |l, n, at, body| {
                        l.cycle(n, body, at)
                    });
                    loaded.take(r, &meta_file)
                }
                None => {
                    let mut sink = Sink::new(lang, &meta_file, true);
                    sink.report(
                        Code::E070,
                        Pos::START,
                        tr!(lang, "Thư mục {year} có kế hoạch nhưng thiếu tệp _plan.md của kỳ kế hoạch.", "Folder {year} has plans but no _plan.md for the cycle."),
                        Some(tr!(lang, "Tạo content/{year}/_plan.md với year, title, deadline và legal_bases.", "Create content/{year}/_plan.md with year, title, deadline and legal_bases.")),
                    );
                    loaded.diagnostics.extend(sink.into_vec());
                    None
                }
            };
            let results: Vec<(String, FileResult<Plan>)> = plans
                .par_iter()
                .map(|f| {
                    let r = load_markdown(&f.path, &f.rel, lang, false, |l, n, at, body| {
                        l.plan(n, at, &f.rel, &f.stem, body)
                    });
                    (f.rel.clone(), r)
                })
                .collect();
            let stems = plans.iter().map(|f| f.stem.clone()).collect();
            let mut cycle = Cycle {
                year,
                meta_file,
                meta,
                plans: Vec::new(),
                stems,
            };
            for (rel, r) in results {
                if let Some(p) = loaded.take(r, &rel) {
                    cycle.plans.push(p);
                }
            }
            loaded.site.cycles.push(cycle);
        }
    }
    Ok(loaded)
}

impl Loaded {
    fn take<T>(&mut self, r: FileResult<T>, rel: &str) -> Option<T> {
        self.diagnostics.extend(r.diagnostics);
        if let Some(t) = r.text {
            self.sources.insert(rel.to_string(), t);
        }
        r.value
    }
}
