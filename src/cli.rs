//! The command line's own words in Vietnamese: clap's help frame and its
//! errors. The command line is read before any site.yaml, so its language
//! cannot follow the site: Vietnamese comes first and English follows in
//! brackets, as in the commands' own descriptions.

use std::io::ErrorKind;
use std::path::Path;

use clap::error::{ContextKind, ContextValue, ErrorKind as ClapKind};

use crate::diag::{Lang, tr};

/// The help page's frame (`Usage:`, `Commands:`, `Options:` in clap's own).
pub const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Cách dùng (usage): {usage}

{all-args}{after-help}";

/// Heading of the subcommands in help.
pub const COMMANDS_HEADING: &str = "Lệnh (commands)";
/// Heading of the options and arguments in help.
pub const OPTIONS_HEADING: &str = "Tùy chọn (options)";
/// Help of `-h`/`--help`.
pub const HELP_FLAG: &str = "In trợ giúp này (print help)";
/// Help of `-V`/`--version`.
pub const VERSION_FLAG: &str = "In số phiên bản (print version)";

fn context(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Sets the Vietnamese frame on `cmd` and all its subcommands: help
/// template, headings, and `-h`/`-V` with Vietnamese help.
pub fn localize(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let has_version = cmd.get_version().is_some();
    let cmd = cmd
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading(COMMANDS_HEADING)
        .subcommand_value_name("LỆNH")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(HELP_FLAG),
        );
    let cmd = if has_version {
        cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(VERSION_FLAG),
        )
    } else {
        cmd
    };
    cmd.mut_args(|a| a.help_heading(OPTIONS_HEADING))
        .mut_subcommands(localize)
}

/// clap's remaining English words of a help page, in Vietnamese.
fn vietnamese_help(text: &str) -> String {
    text.replace("[OPTIONS]", "[TÙY CHỌN]")
        .replace("[default: ", "[mặc định: ")
        .replace("[possible values: ", "[giá trị: ")
}

/// What to print for a command line clap refused, and the exit code: 0 for
/// help and version (printed as clap made them), 2 for a mistake.
pub fn usage_error(e: &clap::Error) -> (String, u8) {
    let first = |kind| context(e, kind).into_iter().next().unwrap_or_default();
    let arg = first(ContextKind::InvalidArg);
    let value = first(ContextKind::InvalidValue);
    let sub = first(ContextKind::InvalidSubcommand);
    let valid = context(e, ContextKind::ValidValue).join(", ");
    let hint = {
        let sub = context(e, ContextKind::SuggestedSubcommand);
        let flag = context(e, ContextKind::SuggestedArg);
        match (sub.first(), flag.first()) {
            (Some(s), _) | (None, Some(s)) => {
                format!("\nCó phải ý bạn là `{s}`? (did you mean `{s}`?)")
            }
            _ => String::new(),
        }
    };
    let text = match e.kind() {
        ClapKind::DisplayHelp => return (vietnamese_help(&e.render().to_string()), 0),
        ClapKind::DisplayVersion => {
            let mut v = e.render().to_string();
            if !v.ends_with('\n') {
                v.push('\n');
            }
            return (v, 0);
        }
        ClapKind::DisplayHelpOnMissingArgumentOrSubcommand | ClapKind::MissingSubcommand => {
            "Thiếu lệnh: viết `planpress <lệnh>`, ví dụ `planpress check`. Xem các lệnh bằng `planpress --help`.\n(a command is missing: see `planpress --help`.)".to_string()
        }
        ClapKind::InvalidSubcommand => format!(
            "Không có lệnh `{sub}`.{hint}\nXem các lệnh bằng `planpress --help`. (no such command)"
        ),
        ClapKind::UnknownArgument => format!(
            "Không có tùy chọn `{arg}`.{hint}\nXem các tùy chọn của lệnh bằng `--help`. (no such option)"
        ),
        ClapKind::InvalidValue if valid.is_empty() => format!(
            "Giá trị `{value}` của `{arg}` không hợp lệ. (invalid value)"
        ),
        ClapKind::InvalidValue => format!(
            "Giá trị `{value}` của `{arg}` không hợp lệ; chọn một trong: {valid}. (invalid value)"
        ),
        ClapKind::ValueValidation => format!(
            "Giá trị `{value}` của `{arg}` không đúng dạng. (invalid value)"
        ),
        ClapKind::MissingRequiredArgument => {
            let missing = context(e, ContextKind::InvalidArg).join(", ");
            format!("Thiếu {missing}. (a required argument is missing)")
        }
        ClapKind::TooManyValues | ClapKind::ArgumentConflict => {
            format!("Thừa hoặc trùng `{arg}{value}`. (unexpected argument)")
        }
        _ => "Không hiểu dòng lệnh. Xem cách dùng bằng `planpress --help`. (could not read the command line)".to_string(),
    };
    (format!("planpress: {text}\n"), 2)
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn cmd() -> Command {
        localize(
            Command::new("planpress")
                .version("1")
                .subcommand(
                    Command::new("check").arg(
                        Arg::new("format")
                            .long("format")
                            .value_parser(["human", "json"]),
                    ),
                )
                .subcommand(Command::new("build")),
        )
    }

    #[test]
    fn help_has_a_vietnamese_frame() {
        let (t, code) = refused(&["planpress", "--help"]);
        assert_eq!(code, 0);
        for english in ["Usage:", "Options:", "Commands:", "Print help", "[OPTIONS]"] {
            assert!(!t.contains(english), "{english} in {t}");
        }
        assert!(
            t.contains("Cách dùng") && t.contains("Lệnh") && t.contains("In trợ giúp"),
            "{t}"
        );
        let (t, _) = refused(&["planpress", "check", "-h"]);
        assert!(t.contains("Tùy chọn") && !t.contains("Options:"), "{t}");
    }

    fn refused(args: &[&str]) -> (String, u8) {
        match cmd().try_get_matches_from(args) {
            Ok(_) => panic!("accepted {args:?}"),
            Err(e) => usage_error(&e),
        }
    }

    #[test]
    fn clap_errors_speak_vietnamese() {
        let (t, code) = refused(&["planpress", "chek"]);
        assert_eq!(code, 2);
        assert!(t.contains("Không có lệnh `chek`"), "{t}");
        assert!(t.contains("`check`"), "{t}");
        let (t, _) = refused(&["planpress", "check", "--formt", "json"]);
        assert!(t.contains("Không có tùy chọn `--formt`"), "{t}");
        assert!(t.contains("`--format`"), "{t}");
        let (t, _) = refused(&["planpress", "check", "--format", "xml"]);
        assert!(t.contains("Giá trị `xml`"), "{t}");
        assert!(t.contains("human, json"), "{t}");
        assert!(!t.contains("error:") && !t.contains("tip:"), "{t}");
    }

    #[test]
    fn os_errors_in_words() {
        let e = std::io::Error::from(ErrorKind::NotFound);
        let t = io_in_words(&e, Path::new("/x/y"), true, Lang::Vi);
        assert_eq!(t, "không tìm thấy thư mục /x/y; kiểm tra lại đường dẫn");
        assert!(!t.contains("os error"));
    }
}
