//! Loading a site: walk `content/`, read each file, cut front matter, parse
//! YAML, and lower it into the model. Problems become diagnostics; loading
//! itself only fails when the root is not a folder at all.

mod nesting;
pub(crate) mod paste;
pub(crate) mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic, Lang, Pos, Sink, tr};
use crate::model::lower::{Known, Lower};
use crate::model::{Body, Cycle, Plan, Site};
use crate::yaml::{self, Kind, Node, YamlError, YamlErrorKind};

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
            LoadError::BadRoot(p, e) => {
                let vi = crate::diag::io_in_words(e, p, true, Lang::Vi);
                let en = crate::diag::io_in_words(e, p, true, Lang::En);
                write!(f, "--root: {vi} ({en}).")
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl crate::diag::Exit for LoadError {
    /// A root that cannot be read is a wrong argument.
    fn exit_code(&self) -> u8 {
        2
    }
}

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
        YamlErrorKind::Syntax(info) => syntax_message(&info, lang),
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

/// The parser's English words, as an editor can act on them. The parser's
/// own text follows in English sites only: in Vietnamese it helps nobody.
fn syntax_message(info: &str, lang: Lang) -> (String, String) {
    let (vi, en, help_vi, help_en) = if info == paste::UNCLOSED {
        (
            "Dấu mở `[` hoặc `{` chưa được đóng trên cùng dòng",
            "an opening `[` or `{` not closed on its line",
            "Thêm dấu đóng (`]` cho `[`, `}` cho `{`) ở cuối giá trị, trên cùng dòng.",
            "Add the closing bracket (`]` for `[`, `}` for `{`) at the end of the value, on the same line.",
        )
    } else if info.contains("mapping values are not allowed") {
        (
            "Dấu hai chấm `:` ở chỗ không được có",
            "a colon `:` where none may be",
            "Nếu giá trị có dấu `:`, đặt cả giá trị trong ngoặc kép thẳng \"…\"; nếu đây là tên trường, đặt nó trên dòng riêng, thụt lề như các trường cùng cấp.",
            "If the value contains `:`, put the whole value in straight quotes \"…\"; if this is a field name, put it on its own line, indented like its siblings.",
        )
    } else if info.contains("tab") {
        (
            "Có ký tự Tab ở phần thụt lề",
            "a tab in the indentation",
            "Thay Tab bằng dấu cách (hai dấu cách cho mỗi cấp).",
            "Replace the tab with spaces (two per level).",
        )
    } else if info.contains("did not find expected ',' or '}'")
        || info.contains("did not find expected ',' or ']'")
    {
        (
            "Thiếu dấu đóng `}` hoặc `]`, hoặc thiếu dấu phẩy giữa hai phần tử",
            "a missing closing `}` or `]`, or a missing comma between two entries",
            "Mỗi `{` cần một `}` và mỗi `[` cần một `]` trên cùng dòng; ngăn các phần tử bằng dấu phẩy và dấu cách. Số thập phân viết bằng dấu chấm (127.5).",
            "Close each `{` with `}` and each `[` with `]` on the same line; separate entries with a comma and a space. Decimals take a dot (127.5).",
        )
    } else if info.contains("did not find expected key")
        || info.contains("did not find expected '-'")
        || info.contains("indentation")
    {
        (
            "Thụt lề không khớp với các dòng cùng cấp",
            "indentation that does not line up with its siblings",
            "Các trường cùng cấp phải bắt đầu ở cùng một cột; phần tử danh sách bắt đầu bằng `- ` thẳng hàng nhau.",
            "Fields of one level start in the same column; list items start with `- `, lined up.",
        )
    } else if info.contains("quoted scalar") {
        (
            "Ngoặc kép mở mà không đóng",
            "a quote that is opened and never closed",
            "Đóng ngoặc kép \"…\" trên cùng dòng; nếu văn bản có dấu \" bên trong, dùng ngoặc đơn '…' bên ngoài.",
            "Close the quote \"…\" on the same line; if the text contains \", quote it with '…' instead.",
        )
    } else if info.contains("cannot start any token") {
        (
            "Một ký tự không được đứng đầu giá trị (như `@`, `` ` ``, `%`)",
            "a character that cannot start a value (such as `@`, `` ` ``, `%`)",
            "Đặt cả giá trị trong ngoặc kép thẳng \"…\".",
            "Put the whole value in straight quotes \"…\".",
        )
    } else {
        (
            "Cấu trúc YAML không đọc được",
            "YAML that cannot be read",
            "Kiểm tra thụt lề (dùng dấu cách, không dùng Tab), dấu hai chấm và dấu cách sau tên trường, và đặt văn bản có dấu `:` hoặc `#` trong ngoặc kép thẳng \"…\".",
            "Check the indentation (spaces, not tabs), the colon and space after each field name, and quote text that contains `:` or `#` with straight quotes \"…\".",
        )
    };
    match lang {
        Lang::Vi => (format!("Lỗi cú pháp YAML: {vi}."), help_vi.to_string()),
        Lang::En => (
            format!("YAML syntax error: {en} (parser: {info})."),
            help_en.to_string(),
        ),
    }
}

/// E003 (E005 for a decimal comma) for each pasted character [`paste::tidy`]
/// repaired.
fn report_slips(found: Vec<paste::Found>, sink: &mut Sink<'_>) {
    let lang = sink.lang;
    for f in found {
        let (code, message, help) = match f.slip {
            paste::Slip::Tab => (
                Code::E003,
                tr!(
                    lang,
                    "Ký tự Tab ở phần thụt lề: YAML chỉ nhận dấu cách.",
                    "A tab in the indentation: YAML takes only spaces."
                ),
                tr!(
                    lang,
                    "Xóa Tab và thụt lề bằng dấu cách (hai dấu cách cho mỗi cấp).",
                    "Delete the tab and indent with spaces (two per level)."
                ),
            ),
            paste::Slip::Space(c) => {
                let code_point = format!("U+{:04X}", u32::from(c));
                (
                    Code::E003,
                    tr!(
                        lang,
                        "Dấu cách đặc biệt ({code_point}, thường do sao chép từ Word hay trang web) ở chỗ YAML cần dấu cách thường.",
                        "A special space ({code_point}, usually copied from Word or a web page) where YAML needs a plain space."
                    ),
                    tr!(
                        lang,
                        "Xóa ký tự này và gõ lại một dấu cách thường.",
                        "Delete it and type a plain space."
                    ),
                )
            }
            paste::Slip::CurlyQuote(c) => (
                Code::E003,
                tr!(
                    lang,
                    "Ngoặc kép kiểu Word ({c}…) quanh giá trị: YAML chỉ hiểu ngoặc kép thẳng \"…\".",
                    "Word-style quotes ({c}…) around a value: YAML reads only straight quotes \"…\"."
                ),
                tr!(
                    lang,
                    "Gõ lại hai dấu ngoặc kép bằng phím \" (hoặc tắt \"Smart quotes\" trong Word).",
                    "Retype both quotes with the \" key (or turn off \"Smart quotes\" in Word)."
                ),
            ),
            paste::Slip::Bom => (
                Code::E003,
                tr!(
                    lang,
                    "Ký tự ẩn BOM (U+FEFF) giữa tệp, thường do dán nội dung từ tệp khác.",
                    "An invisible byte-order mark (U+FEFF) inside the file, usually from pasting another file."
                ),
                tr!(
                    lang,
                    "Xóa ký tự ẩn này: đặt con trỏ ở vị trí báo lỗi, xóa rồi gõ lại ký tự đầu dòng.",
                    "Delete it: put the cursor at the reported place, delete and retype the first character."
                ),
            ),
            paste::Slip::NoSpace { key } => (
                Code::E003,
                tr!(
                    lang,
                    "Thiếu dấu cách sau `{key}:`, nên cả dòng bị đọc thành một đoạn chữ.",
                    "No space after `{key}:`, so the whole line reads as one text."
                ),
                tr!(
                    lang,
                    "Thêm một dấu cách sau dấu hai chấm: `{key}: …`.",
                    "Add a space after the colon: `{key}: …`."
                ),
            ),
            paste::Slip::DecimalComma { typed, fixed } => (
                Code::E005,
                tr!(
                    lang,
                    "Số `{typed}` có dấu phẩy thập phân trong `{{ … }}`: dấu phẩy ở đây ngăn cách các phần tử, nên `{typed}` bị đọc thành hai phần tử.",
                    "The number `{typed}` has a decimal comma inside `{{ … }}`: commas there separate entries, so `{typed}` reads as two entries."
                ),
                tr!(
                    lang,
                    "Dùng dấu chấm cho phần thập phân: `{fixed}`.",
                    "Use a dot for the decimal part: `{fixed}`."
                ),
            ),
        };
        sink.report(code, f.pos, message, Some(help));
    }
}

/// What could be read of a YAML document, and its top-level fields whose
/// part had a syntax error. Every problem is reported into `sink`; `Err`
/// only when nothing could be read at all.
fn parse_yaml(
    text: &str,
    offset: usize,
    sink: &mut Sink<'_>,
) -> Result<(Option<Node>, Vec<String>), ()> {
    let (tidied, found) = paste::tidy(text, offset);
    report_slips(found, sink);
    let rec = paste::parse_recovering(&tidied, offset);
    let failed = !rec.errors.is_empty() && rec.node.is_none();
    for e in rec.errors {
        yaml_error(sink, e);
    }
    if failed {
        return Err(());
    }
    Ok((rec.node, rec.broken))
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

/// Loads a YAML configuration file from the disk. Problems are E070. A file
/// that links out of `root` is not read; `walk` (or `load`, for `content/`
/// itself) reports the link.
fn load_config<T>(
    root: &Path,
    path: &Path,
    rel: &str,
    lang: Lang,
    lower: impl FnOnce(&mut Lower<'_, '_>, &Node) -> Option<T>,
) -> (FileResult<T>, Lang) {
    config_from(&Disk { root }, path, rel, lang, lower)
}

/// Loads a YAML configuration file from `src`. Problems are E070.
fn config_from<T>(
    src: &dyn Source,
    path: &Path,
    rel: &str,
    lang: Lang,
    lower: impl FnOnce(&mut Lower<'_, '_>, &Node) -> Option<T>,
) -> (FileResult<T>, Lang) {
    let presence = src.presence(path, rel);
    if presence == Presence::Skipped {
        let skipped = FileResult {
            value: None,
            diagnostics: Vec::new(),
            text: None,
        };
        return (skipped, lang);
    }
    let mut sink = Sink::new(lang, rel, true);
    let mut out_lang = lang;
    let text = if presence == Presence::File {
        src.read(path, rel, &mut sink)
    } else {
        let l = sink.lang;
        // The likeliest cause: the command was run inside `content/`
        // itself, where the configuration files sit one level up from
        // where planpress looks for them.
        let inside_content = src.is_content_folder();
        let help = if inside_content {
            tr!(
                l,
                "Lệnh đang chạy ngay trong thư mục content/. Chạy lại từ thư mục cha của nó (`cd ..`), hoặc thêm `--root ..`.",
                "The command runs inside the content/ folder itself. Run it again from its parent folder (`cd ..`), or add `--root ..`."
            )
        } else {
            tr!(
                l,
                "Mỗi site cần content/site.yaml, content/agencies.yaml và content/catalog.yaml; kiểm tra lại --root.",
                "Every site needs content/site.yaml, content/agencies.yaml and content/catalog.yaml; check --root."
            )
        };
        sink.report(
            Code::E070,
            Pos::START,
            tr!(l, "Thiếu tệp {rel}.", "{rel} is missing."),
            Some(help),
        );
        None
    };
    let mut value = None;
    if let Some(t) = &text
        && let Ok((node, broken)) = parse_yaml(t, 0, &mut sink)
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
        let mut l = Lower::new(&mut sink);
        l.broken(broken);
        value = lower(&mut l, &node);
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
    src: &dyn Source,
    path: &Path,
    rel: &str,
    lang: Lang,
    config: bool,
    lower: impl FnOnce(&mut Lower<'_, '_>, Option<&Node>, Pos, Body) -> Option<T>,
) -> FileResult<T> {
    let mut sink = Sink::new(lang, rel, config);
    let text = src.read(path, rel, &mut sink);
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
    let (node, broken) = parse_yaml(split.yaml, split.yaml_line_offset, sink).ok()?;
    nesting::check(split.body, split.body_line, sink);
    let body = Body::new(split.body, split.body_line);
    let mut l = Lower::new(sink);
    l.broken(broken);
    lower(&mut l, node.as_ref(), Pos::START, body)
}

/// Loads one plan from raw bytes as `content/2019/<agency>.md` of a site with
/// no configuration: the site (none when the bytes are not text) and the
/// diagnostics of loading it. For the
/// fuzz target (`crate::check_plan_bytes` validates it): whatever the bytes,
/// this never panics.
pub(crate) fn plan_site_from_bytes(bytes: &[u8]) -> (Option<Site>, Vec<Diagnostic>) {
    let rel = "content/2019/plan.md";
    let mut sink = Sink::new(Lang::Vi, rel, false);
    let Some(text) = source::decode(bytes.to_vec(), &mut sink) else {
        return (None, sink.into_vec());
    };
    let plan = lower_markdown(&text, &mut sink, |l, n, at, body| {
        l.plan(n, at, rel, "plan", body)
    });
    let out = sink.into_vec();
    let site = Site {
        cycles: vec![Cycle {
            year: 2019,
            meta_file: "content/2019/_plan.md".into(),
            meta: None,
            plans: plan.into_iter().collect(),
            stems: vec!["plan".into()],
            catalog: None,
        }],
        ..Site::default()
    };
    (Some(site), out)
}

/// Lowers one plan file from its bytes (a blob of a git revision), as the
/// loader would lower `rel`; diagnostics are dropped. `None` when the plan
/// cannot be read at all.
pub(crate) fn plan_from_bytes(bytes: &[u8], rel: &str) -> Option<Plan> {
    let mut sink = Sink::new(Lang::Vi, rel, false);
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > source::MAX_FILE_BYTES {
        return None;
    }
    let text = source::decode(bytes.to_vec(), &mut sink)?;
    let stem = rel
        .rsplit('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".md");
    lower_markdown(&text, &mut sink, |l, n, at, body| {
        l.plan(n, at, rel, stem, body)
    })
}

/// Lowers one plan given as text, as the loader lowers `rel`, keeping its
/// diagnostics: for `import`, which checks a plan before it is written.
pub(crate) fn lower_plan_text(
    text: &str,
    rel: &str,
    stem: &str,
    lang: Lang,
) -> (Option<Plan>, Vec<Diagnostic>) {
    let mut sink = Sink::new(lang, rel, false);
    let plan = lower_markdown(text, &mut sink, |l, n, at, body| {
        l.plan(n, at, rel, stem, body)
    });
    (plan, sink.into_vec())
}

/// The front matter of `text` as a YAML tree with positions in `text`.
pub(crate) fn front_matter_tree(text: &str) -> Option<Node> {
    let mut sink = Sink::new(Lang::Vi, "", false);
    let split = source::split_front_matter(text, &mut sink)?;
    yaml::parse(split.yaml, split.yaml_line_offset)
        .ok()
        .flatten()
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
pub(crate) fn inside_root(root: &Path, path: &Path) -> bool {
    std::fs::canonicalize(path).map_or(true, |target| target.starts_with(root))
}

/// E001 for a symbolic link that leads out of the root (or nowhere).
pub(crate) fn outside_link(rel: &str, lang: Lang) -> Vec<Diagnostic> {
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
fn walk(root: &Path, content: &Path, lang: Lang, diags: &mut Vec<Diagnostic>) -> Walked {
    let mut cycles = Walked::new();
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
        if entry.depth() != 2 || !is_file {
            continue;
        }
        let folder = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        classify(&mut cycles, &folder, &name, path, rel);
    }
    cycles
}

/// The files of one cycle folder.
#[derive(Default)]
struct CycleFiles {
    meta: Option<Found>,
    plans: Vec<Found>,
    /// The cycle's own `catalog.yaml`.
    catalog: Option<Found>,
}

/// Files of the cycle folders, by year.
type Walked = BTreeMap<i32, CycleFiles>;

/// Files a cycle folder `folder` holds `name`: a plan, the cycle's
/// `_plan.md` or `catalog.yaml`, or something to pass over.
fn classify(cycles: &mut Walked, folder: &str, name: &str, path: PathBuf, rel: String) {
    let is_catalog = name == "catalog.yaml";
    if name.starts_with('.') || !(name.ends_with(".md") || is_catalog) {
        return;
    }
    let Some(year) = Some(folder)
        .filter(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<i32>().ok())
    else {
        return;
    };
    let stem = name.trim_end_matches(".md").to_string();
    let slot = cycles.entry(year).or_default();
    let found = Found { path, rel, stem };
    if is_catalog {
        slot.catalog = Some(found);
    } else if found.stem == "_plan" {
        slot.meta = Some(found);
    } else if !found.stem.starts_with('_') {
        slot.plans.push(found);
    }
}

/// Whether a configuration file can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Presence {
    /// A file to read.
    File,
    /// Not there: E070.
    Missing,
    /// Not to be read, silently (a link out of the root, reported by the walk).
    Skipped,
}

/// Where a site's files come from: the disk under `--root`, or the blobs of
/// a git revision. Both go through the same lowering, so a plan reads the
/// same whichever it comes from.
trait Source: Sync {
    /// Whether the configuration file `rel` (at `path`) is there to read.
    fn presence(&self, path: &Path, rel: &str) -> Presence;
    /// The text of a file (BOM dropped, CRLF made LF), or `None` with E001 in
    /// `sink`.
    fn read(&self, path: &Path, rel: &str, sink: &mut Sink<'_>) -> Option<String>;
    /// Where the file `rel` (relative to the root) is.
    fn locate(&self, rel: &str) -> PathBuf;
    /// Whether the root given is itself a site's `content/` folder.
    fn is_content_folder(&self) -> bool {
        false
    }
    /// The cycle folders of `content/` and their Markdown files; problems
    /// met on the way go to `diags`.
    fn walk(&self, lang: Lang, diags: &mut Vec<Diagnostic>) -> Walked;
}

/// The site's folder on disk.
struct Disk<'a> {
    root: &'a Path,
}

impl Source for Disk<'_> {
    fn presence(&self, path: &Path, _rel: &str) -> Presence {
        if !inside_root(self.root, path) {
            Presence::Skipped
        } else if path.is_file() {
            Presence::File
        } else {
            Presence::Missing
        }
    }

    fn read(&self, path: &Path, _rel: &str, sink: &mut Sink<'_>) -> Option<String> {
        source::read_text(path, sink)
    }

    fn locate(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn is_content_folder(&self) -> bool {
        self.root.join("site.yaml").is_file() && self.root.join("agencies.yaml").is_file()
    }

    fn walk(&self, lang: Lang, diags: &mut Vec<Diagnostic>) -> Walked {
        let content = self.root.join("content");
        let inside = inside_root(self.root, &content);
        if !inside {
            diags.extend(outside_link("content", lang));
        }
        if inside && content.is_dir() {
            walk(self.root, &content, lang, diags)
        } else {
            Walked::new()
        }
    }
}

/// A site held in memory: file contents by path relative to the root
/// (`content/site.yaml`, `content/2019/so-tttt.md`), as read from a git
/// revision.
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// Contents by `/`-separated path relative to the root.
    pub(crate) bytes: BTreeMap<String, Vec<u8>>,
    /// Files left unread because they are over the size limit, with their
    /// size: E001 like an oversized file on disk.
    pub(crate) too_large: BTreeMap<String, u64>,
}

impl Source for Files {
    fn presence(&self, _path: &Path, rel: &str) -> Presence {
        if self.bytes.contains_key(rel) || self.too_large.contains_key(rel) {
            Presence::File
        } else {
            Presence::Missing
        }
    }

    fn read(&self, _path: &Path, rel: &str, sink: &mut Sink<'_>) -> Option<String> {
        if let Some(size) = self.too_large.get(rel) {
            source::too_large(*size, sink);
            return None;
        }
        let bytes = self.bytes.get(rel)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > source::MAX_FILE_BYTES {
            source::too_large(size, sink);
            return None;
        }
        source::decode(bytes.clone(), sink)
    }

    fn locate(&self, rel: &str) -> PathBuf {
        PathBuf::from(rel)
    }

    fn walk(&self, _lang: Lang, _diags: &mut Vec<Diagnostic>) -> Walked {
        let mut cycles = Walked::new();
        let names = self.bytes.keys().chain(self.too_large.keys());
        for rel in names {
            let mut parts = rel.split('/');
            if let (Some("content"), Some(folder), Some(name), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            {
                classify(&mut cycles, folder, name, PathBuf::from(rel), rel.clone());
            }
        }
        for files in cycles.values_mut() {
            files.plans.sort_by(|a, b| a.rel.cmp(&b.rel));
        }
        cycles
    }
}

/// Loads only `content/site.yaml`: enough for the commands that work on
/// publish targets (`releases`, `rollback`), which must not depend on the
/// plans being valid. Returns the loaded config and the site's language.
pub(crate) fn load_site_config(root: &Path) -> Result<(Loaded, Lang), LoadError> {
    let root =
        std::fs::canonicalize(root).map_err(|e| LoadError::BadRoot(root.to_path_buf(), e))?;
    if !root.is_dir() {
        return Err(LoadError::BadRoot(
            root,
            std::io::Error::from(std::io::ErrorKind::NotADirectory),
        ));
    }
    let mut loaded = Loaded {
        root: root.clone(),
        ..Loaded::default()
    };
    let (site, lang) = load_config(
        &root,
        &root.join("content").join("site.yaml"),
        "content/site.yaml",
        Lang::Vi,
        |l, n| l.site(n),
    );
    loaded.site.config = loaded.take(site, "content/site.yaml");
    Ok((loaded, lang))
}

/// Loads everything under `root/content`.
pub(crate) fn load(root: &Path) -> Result<Loaded, LoadError> {
    let root =
        std::fs::canonicalize(root).map_err(|e| LoadError::BadRoot(root.to_path_buf(), e))?;
    if !root.is_dir() {
        return Err(LoadError::BadRoot(
            root,
            std::io::Error::from(std::io::ErrorKind::NotADirectory),
        ));
    }
    Ok(load_from(&Disk { root: &root }, root.clone(), true))
}

/// Loads the configuration and every cycle's `_plan.md`, and lists the plan
/// files of each cycle (`stems`) without reading them: what the editor needs
/// to start in well under a second on a site of a thousand plans.
pub(crate) fn load_frame(root: &Path) -> Result<Loaded, LoadError> {
    let root =
        std::fs::canonicalize(root).map_err(|e| LoadError::BadRoot(root.to_path_buf(), e))?;
    if !root.is_dir() {
        return Err(LoadError::BadRoot(
            root,
            std::io::Error::other("not a directory"),
        ));
    }
    Ok(load_from(&Disk { root: &root }, root.clone(), false))
}

/// Lowers `text` as the plan file `rel` (`content/<year>/<stem>.md`), as
/// [`load`] lowers it from disk: the editor's live check and save.
pub(crate) fn plan_from_text(
    text: &str,
    rel: &str,
    stem: &str,
    lang: Lang,
) -> (Option<Plan>, Vec<Diagnostic>) {
    plan_in_site(text, rel, stem, lang, None)
}

/// As [`plan_from_text`], with the code lists and agencies of `site` known,
/// so that a bad or missing code's hint names the codes it may be.
pub(crate) fn plan_in_site(
    text: &str,
    rel: &str,
    stem: &str,
    lang: Lang,
    site: Option<&crate::model::Site>,
) -> (Option<Plan>, Vec<Diagnostic>) {
    let known = site.map(Known::of);
    let mut sink = Sink::new(lang, rel, false);
    let plan = lower_markdown(text, &mut sink, |l, n, at, body| {
        if let Some(k) = &known {
            l.know(k.clone());
        }
        l.plan(n, at, rel, stem, body)
    });
    (plan, sink.into_vec())
}

/// Loads a site held in memory (the files of a git revision) as `load`
/// loads one from disk: same lowering, same diagnostics. `root` is only
/// recorded.
pub(crate) fn load_files(root: &Path, files: &Files) -> Loaded {
    load_from(files, root.to_path_buf(), true)
}

/// Loads everything under `content/` of `src`.
fn load_from(src: &dyn Source, root: PathBuf, with_plans: bool) -> Loaded {
    let mut loaded = Loaded {
        root,
        ..Loaded::default()
    };
    let config = |rel: &str| (src.locate(rel), rel.to_string());
    let (path, rel) = config("content/site.yaml");
    let (site, lang) = config_from(src, &path, &rel, Lang::Vi, |l, n| l.site(n));
    let (path, rel) = config("content/agencies.yaml");
    let (agencies, _) = config_from(src, &path, &rel, lang, |l, n| l.agencies(n));
    let (path, rel) = config("content/catalog.yaml");
    let (catalog, _) = config_from(src, &path, &rel, lang, |l, n| l.catalog(n));
    loaded.site.config = loaded.take(site, "content/site.yaml");
    let agencies = loaded.take(agencies, "content/agencies.yaml");
    loaded.site.set_agencies(agencies);
    loaded.site.catalog = loaded.take(catalog, "content/catalog.yaml");

    let known = Known::of(&loaded.site);
    let found = src.walk(lang, &mut loaded.diagnostics);
    for (year, files) in found {
        let CycleFiles {
            meta,
            plans,
            catalog,
        } = files;
        let catalog = catalog.map(|f| {
            let (r, _) = config_from(src, &f.path, &f.rel, lang, |l, n| l.catalog(n));
            loaded.take(r, &f.rel)
        });
        let meta_file = format!("content/{year}/_plan.md");
        let meta = match meta {
            Some(f) => {
                let r = load_markdown(src, &f.path, &f.rel, lang, true, |l, n, at, body| {
                    l.cycle(n, body, at)
                });
                loaded.take(r, &meta_file)
            }
            None => {
                let mut sink = Sink::new(lang, &meta_file, true);
                sink.report(
                    Code::E070,
                    Pos::START,
                    tr!(
                        lang,
                        "Thư mục {year} có kế hoạch nhưng thiếu tệp _plan.md của kỳ kế hoạch.",
                        "Folder {year} has plans but no _plan.md for the cycle."
                    ),
                    Some(tr!(
                        lang,
                        "Tạo content/{year}/_plan.md với year, title, deadline và legal_bases.",
                        "Create content/{year}/_plan.md with year, title, deadline and legal_bases."
                    )),
                );
                loaded.diagnostics.extend(sink.into_vec());
                None
            }
        };
        let none: &[_] = &[];
        let results: Vec<(String, FileResult<Plan>)> = if with_plans { &plans[..] } else { none }
            .par_iter()
            .map(|f| {
                let r = load_markdown(src, &f.path, &f.rel, lang, false, |l, n, at, body| {
                    l.know(known.clone());
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
            catalog,
        };
        for (rel, r) in results {
            if let Some(p) = loaded.take(r, &rel) {
                cycle.plans.push(p);
            }
        }
        loaded.site.cycles.push(cycle);
    }
    loaded
}

/// One plan file read again on its own, as [`load`] reads it: for `serve`,
/// which reloads only the file an editor saved.
#[derive(Debug, Default)]
pub(crate) struct PlanFile {
    /// The file counts as filed: it exists, is a file and stays inside the
    /// root (it belongs in the cycle's `stems`, even when it fails to load).
    pub(crate) listed: bool,
    pub(crate) plan: Option<Plan>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) text: Option<String>,
}

/// Loads `content/<year>/<stem>.md` under the canonical `root` alone. A file
/// that is gone (or is a folder) is not listed; a symbolic link out of the
/// root is E001, as in [`load`].
pub(crate) fn load_plan(
    root: &Path,
    year: i32,
    stem: &str,
    lang: Lang,
    known: &Arc<Known>,
) -> PlanFile {
    let rel = format!("content/{year}/{stem}.md");
    let path = root.join(&rel);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return PlanFile::default();
    };
    let is_file = if meta.file_type().is_symlink() {
        match std::fs::canonicalize(&path) {
            Ok(target) if target.starts_with(root) => target.is_file(),
            _ => {
                return PlanFile {
                    diagnostics: outside_link(&rel, lang),
                    ..PlanFile::default()
                };
            }
        }
    } else {
        meta.is_file()
    };
    if !is_file {
        return PlanFile::default();
    }
    let r = load_markdown(
        &Disk { root },
        &path,
        &rel,
        lang,
        false,
        |l, n, at, body| {
            l.know(known.clone());
            l.plan(n, at, &rel, stem, body)
        },
    );
    PlanFile {
        listed: true,
        plan: r.value,
        diagnostics: r.diagnostics,
        text: r.text,
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// `load_plan` makes of a file what `load` makes of it.
    #[test]
    fn one_plan_loads_as_in_the_whole_site() {
        let dir = tempfile::tempdir().unwrap();
        let cycle = dir.path().join("content/2019");
        std::fs::create_dir_all(&cycle).unwrap();
        std::fs::write(
            cycle.join("so-a.md"),
            "\u{feff}---\r\nagency: so-a\r\nyear: 2019\r\nstatus: draft\r\nprojets: []\r\n---\r\nx\r\n",
        )
        .unwrap();
        std::fs::write(cycle.join("so-b.md"), "no front matter").unwrap();
        let whole = load(dir.path()).unwrap();
        let root = whole.root.clone();
        let a = load_plan(&root, 2019, "so-a", Lang::Vi, &Known::of(&whole.site));
        assert!(a.listed);
        assert_eq!(a.plan.unwrap().agency.value, "so-a");
        assert!(a.diagnostics.iter().any(|d| d.code == Code::E004));
        let b = load_plan(&root, 2019, "so-b", Lang::Vi, &Arc::default());
        assert!((b.listed, b.plan.is_none()) == (true, true));
        let mut one: Vec<Diagnostic> = a.diagnostics.into_iter().chain(b.diagnostics).collect();
        let mut all: Vec<Diagnostic> = whole
            .diagnostics
            .into_iter()
            .filter(|d| d.file.starts_with("content/2019/so-"))
            .collect();
        crate::diag::sort(&mut one);
        crate::diag::sort(&mut all);
        assert_eq!(one, all);
        assert_eq!(
            a.text.as_deref(),
            whole
                .sources
                .get("content/2019/so-a.md")
                .map(String::as_str)
        );
        let gone = load_plan(&root, 2019, "so-c", Lang::Vi, &Arc::default());
        assert!(!gone.listed && gone.plan.is_none() && gone.diagnostics.is_empty());
        std::fs::create_dir(cycle.join("folder.md")).unwrap();
        assert!(!load_plan(&root, 2019, "folder", Lang::Vi, &Arc::default()).listed);
    }

    #[cfg(unix)]
    #[test]
    fn a_plan_linked_out_of_the_root_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.md"), "---\nagency: x\n---\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cycle = dir.path().join("content/2019");
        std::fs::create_dir_all(&cycle).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.md"), cycle.join("x.md")).unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let p = load_plan(&root, 2019, "x", Lang::En, &Arc::default());
        assert!(!p.listed && p.plan.is_none() && p.text.is_none());
        assert_eq!(p.diagnostics[0].code, Code::E001);
    }
}

#[cfg(test)]
mod files_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every file under `content/` of the demo, as a git revision gives them.
    fn demo_files() -> (PathBuf, Files) {
        let root = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap();
        let mut files = Files::default();
        for e in WalkDir::new(root.join("content")).min_depth(1).max_depth(2) {
            let e = e.unwrap();
            if e.file_type().is_file() {
                files
                    .bytes
                    .insert(relative(&root, e.path()), std::fs::read(e.path()).unwrap());
            }
        }
        (root, files)
    }

    #[test]
    fn a_site_in_memory_loads_as_it_does_from_disk() {
        let (root, files) = demo_files();
        let disk = load(&root).unwrap();
        let mem = load_files(&root, &files);
        let key = |l: &Loaded| {
            l.diagnostics
                .iter()
                .map(|d| (d.file.clone(), d.code, d.pos, d.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&disk), key(&mem));
        assert_eq!(disk.sources, mem.sources);
        assert_eq!(disk.site.cycles.len(), mem.site.cycles.len());
        for (a, b) in disk.site.cycles.iter().zip(&mem.site.cycles) {
            assert_eq!(a.stems, b.stems);
            let files = |c: &Cycle| c.plans.iter().map(|p| p.file.clone()).collect::<Vec<_>>();
            assert_eq!(files(a), files(b));
        }
        let v = |l: &Loaded| crate::validate::validate(&l.site);
        assert_eq!(v(&disk), v(&mem));
    }

    #[test]
    fn oversized_and_broken_files_in_memory_are_diagnosed() {
        let (root, mut files) = demo_files();
        files
            .too_large
            .insert("content/2019/so-y-te.md".into(), 50 << 20);
        files.bytes.remove("content/2019/so-y-te.md");
        files.bytes.insert(
            "content/2019/so-tttt.md".into(),
            b"---\nagency: [\n---\n".to_vec(),
        );
        files.bytes.remove("content/catalog.yaml");
        let mem = load_files(&root, &files);
        let codes: Vec<(&str, Code)> = mem
            .diagnostics
            .iter()
            .map(|d| (d.file.as_str(), d.code))
            .collect();
        assert!(
            codes.contains(&("content/2019/so-y-te.md", Code::E001)),
            "{codes:?}"
        );
        assert!(
            codes.contains(&("content/2019/so-tttt.md", Code::E003)),
            "{codes:?}"
        );
        assert!(
            codes.contains(&("content/catalog.yaml", Code::E070)),
            "{codes:?}"
        );
        // The broken plan still counts as filed.
        assert!(mem.site.cycles[0].stems.contains(&"so-y-te".to_string()));
    }
}
