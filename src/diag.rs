//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! Every stage reports into a [`Diagnostics`] sink instead of returning early,
//! so one run shows every problem of every file.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;

/// Interface language of messages and pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

/// Picks the Vietnamese or English text of a message; `{name}` captures work
/// in both literals.
macro_rules! tr {
    ($lang:expr, $vi:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::diag::Lang::Vi => format!($vi),
            $crate::diag::Lang::En => format!($en),
        }
    };
}
pub(crate) use tr;

/// A 1-based line and column (in characters) in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub col: u32,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos { line: 1, col: 1 };
    pub(crate) fn new(line: usize, col: usize) -> Pos {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX).max(1),
            col: u32::try_from(col).unwrap_or(u32::MAX).max(1),
        }
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Blocks `build` and `publish`; `check` exits 1.
    Error,
    /// Reported; fails `check` only with `--deny-warnings`.
    Warning,
}

impl Severity {
    /// The name used in machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($name:ident => $sev:ident,)*) => {
        /// A validation rule of the contract (PLAN-FORMAT.md, section 3).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum Code { $($name,)* }
        impl Code {
            /// The code as printed, e.g. `E030`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }
            /// The fixed severity of the rule.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }
            /// Every rule, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];
        }
    };
}

codes! {
    E001 => Error, E002 => Error, E003 => Error, E004 => Error, E005 => Error, E006 => Error,
    E010 => Error, E011 => Error, E012 => Error,
    E020 => Error, E021 => Error, E022 => Error,
    E030 => Error, E031 => Error, E032 => Error, E033 => Error, E034 => Error, E035 => Error,
    E036 => Error, E037 => Error,
    E040 => Error, E041 => Warning,
    E050 => Error, E060 => Error, E070 => Error,
    W101 => Warning, W102 => Warning, W103 => Warning, W104 => Warning, W105 => Warning,
    W106 => Warning, W107 => Warning, W108 => Warning,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule.
    pub code: Code,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// Where the offending value starts.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the message alone does not say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Severity of the diagnostic's rule.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Message and help as one sentence, for one-line formats.
    pub fn full_message(&self) -> String {
        match &self.help {
            Some(h) => format!("{} {}", self.message, h),
            None => self.message.clone(),
        }
    }
}

/// A command that could not do what was asked: why, in the site's language,
/// and the exit code to end with (1: refused or failed, 2: bad usage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandError {
    /// What went wrong and how to go on.
    pub message: String,
    /// Exit code for the command line.
    pub exit: u8,
}

impl CommandError {
    /// A refusal or failure (exit 1).
    pub(crate) fn failed(message: String) -> Self {
        CommandError { message, exit: 1 }
    }
    /// Bad usage: a wrong argument, root or revision (exit 2).
    pub(crate) fn usage(message: String) -> Self {
        CommandError { message, exit: 2 }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// The exit code a command ends with when this error stops it: 1 when it
/// was refused or failed, 2 on bad usage (a wrong argument, root, target or
/// revision). Each error type says its own, so that `main` maps errors to
/// codes in one place (`cli::finish`).
pub trait Exit {
    /// 1 (refused or failed) or 2 (bad usage).
    fn exit_code(&self) -> u8;
}

impl Exit for CommandError {
    fn exit_code(&self) -> u8 {
        self.exit
    }
}

/// An operating-system error in plain words, about `path` (a folder when
/// `folder`): never `(os error 2)`.
pub(crate) fn io_in_words(e: &std::io::Error, path: &Path, folder: bool, lang: Lang) -> String {
    let p = path.display();
    let what_vi = if folder { "thư mục" } else { "tệp" };
    let what_en = if folder { "folder" } else { "file" };
    match e.kind() {
        ErrorKind::NotFound => tr!(
            lang,
            "không tìm thấy {what_vi} {p}; kiểm tra lại đường dẫn",
            "{what_en} {p} not found; check the path"
        ),
        ErrorKind::PermissionDenied => tr!(
            lang,
            "không có quyền đọc {what_vi} {p}; nhờ quản trị máy cấp quyền",
            "no permission to read the {what_en} {p}; ask the administrator"
        ),
        ErrorKind::NotADirectory => {
            tr!(lang, "{p} không phải là một thư mục", "{p} is not a folder")
        }
        ErrorKind::IsADirectory => tr!(
            lang,
            "{p} là một thư mục, không phải tệp",
            "{p} is a folder, not a file"
        ),
        ErrorKind::InvalidData => tr!(
            lang,
            "nội dung {what_vi} {p} không đọc được",
            "the {what_en} {p} cannot be read"
        ),
        _ => {
            let plain = e.kind().to_string();
            tr!(
                lang,
                "không đọc được {what_vi} {p} ({plain})",
                "cannot read the {what_en} {p} ({plain})"
            )
        }
    }
}

/// Collects diagnostics for one file. Files of the site configuration report
/// every problem as E070 and keep the detailed code in the message.
pub(crate) struct Sink<'a> {
    pub(crate) lang: Lang,
    file: &'a str,
    config: bool,
    out: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(lang: Lang, file: &'a str, config: bool) -> Self {
        Sink {
            lang,
            file,
            config,
            out: Vec::new(),
        }
    }

    /// Reports `message` under `code` at `pos`.
    pub(crate) fn report(&mut self, code: Code, pos: Pos, message: String, help: Option<String>) {
        let (code, message) =
            if self.config && code != Code::E070 && code.severity() == Severity::Error {
                (Code::E070, format!("[{code}] {message}"))
            } else {
                (code, message)
            };
        self.out.push(Diagnostic {
            code,
            file: self.file.to_string(),
            pos,
            message,
            help,
        });
    }

    pub(crate) fn error(&mut self, code: Code, pos: Pos, message: String) {
        self.report(code, pos, message, None);
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.out
    }
}

/// Today in the province: Vietnam keeps UTC+7 all year (no daylight
/// saving), so a fixed offset is exact and needs no time-zone database.
pub(crate) fn today_in_vietnam() -> chrono::NaiveDate {
    now_in_vietnam().date_naive()
}

/// Asia/Ho_Chi_Minh: UTC+7.
pub(crate) const VIETNAM: chrono::FixedOffset = match chrono::FixedOffset::east_opt(7 * 3600) {
    Some(o) => o,
    None => panic!("UTC+7 is a valid offset"),
};

/// Now, in Asia/Ho_Chi_Minh (UTC+7).
pub(crate) fn now_in_vietnam() -> chrono::DateTime<chrono::FixedOffset> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .with_timezone(&VIETNAM)
}

/// Sorts diagnostics as the contract wants them: by file, line, code.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.pos.line, a.code, a.pos.col, &a.message)
            .cmp(&(&b.file, b.pos.line, b.code, b.pos.col, &b.message))
    });
}

/// The closest of `candidates` to a misspelt `word`, if it is close enough to
/// be what the editor meant.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let fields = ["agency", "year", "projects", "spending"];
        assert_eq!(suggest("projets", &fields), Some("projects"));
        assert_eq!(suggest("yera", &fields), Some("year"));
        assert_eq!(suggest("colour", &fields), None);
    }

    #[test]
    fn config_files_report_e070_with_detail() {
        let mut s = Sink::new(Lang::En, "content/site.yaml", true);
        s.error(Code::E004, Pos::START, "unknown field".into());
        let d = s.into_vec();
        assert_eq!(d[0].code, Code::E070);
        assert!(d[0].message.starts_with("[E004]"));
    }

    #[test]
    fn severities_follow_the_table() {
        assert_eq!(Code::E041.severity(), Severity::Warning);
        assert_eq!(Code::W101.severity(), Severity::Warning);
        assert_eq!(Code::E030.severity(), Severity::Error);
        assert_eq!(Code::W108.severity(), Severity::Warning);
        assert_eq!(Code::ALL.len(), 33);
    }
}
