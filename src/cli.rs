//! The command line's own words in Vietnamese: clap's help frame and its
//! errors. The command line is read before any site.yaml, so its language
//! cannot follow the site: Vietnamese comes first and English follows in
//! brackets, as in the commands' own descriptions.

use std::fmt::Display;
use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind as ClapKind};

use crate::diag::Exit;

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

/// Why a command stopped short: an error of the library, with its words
/// and exit code, or standard output that would not take what was printed.
#[derive(Debug)]
pub enum Failure {
    /// A command's own error, already in the user's words.
    Command {
        /// What went wrong and how to go on.
        message: String,
        /// 1 (refused or failed) or 2 (bad usage).
        exit: u8,
    },
    /// Writing to standard output failed.
    Stdout(std::io::Error),
}

impl<E: Exit + Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Command {
            message: e.to_string(),
            exit: e.exit_code(),
        }
    }
}

impl Failure {
    /// The code the process ends with. A closed pipe (`planpress status
    /// --json | head -c 10`) is 0, as for ripgrep and the Unix tools that
    /// die of SIGPIPE unseen: the reader took what it wanted. Any other
    /// failed write (a full disk) is 1, a failure: the output is cut short.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Command { exit, .. } => *exit,
            Failure::Stdout(e) if e.kind() == ErrorKind::BrokenPipe => 0,
            Failure::Stdout(_) => 1,
        }
    }

    /// What to tell the user on stderr, or nothing for a closed pipe. The
    /// site's language is not known here (stdout failed after the command
    /// ran), so Vietnamese comes first and English in brackets.
    pub fn message(&self) -> Option<String> {
        match self {
            Failure::Command { message, .. } => Some(message.clone()),
            Failure::Stdout(e) => match e.kind() {
                ErrorKind::BrokenPipe => None,
                ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Some(
                    "không ghi được kết quả ra đầu ra chuẩn vì đĩa đã đầy; kết quả bị cắt dở. \
                     Giải phóng chỗ trống hoặc ghi ra ổ khác rồi chạy lại lệnh. \
                     (could not write the output: the disk is full; free some space or \
                     write elsewhere, then run the command again)"
                        .to_string(),
                ),
                kind => Some(format!(
                    "không ghi được kết quả ra đầu ra chuẩn ({kind}); kết quả bị cắt dở. \
                     Kiểm tra nơi nhận kết quả (tệp, ổ đĩa) rồi chạy lại lệnh. \
                     (could not write the output; check where it goes, then run again)"
                )),
            },
        }
    }
}

/// Writes `text` to standard output and flushes it, so that a closed pipe
/// or a full disk is an error here rather than a panic inside `print!` or a
/// silent loss at exit.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut lock = std::io::stdout().lock();
    lock.write_all(text.as_bytes())
        .and_then(|()| lock.flush())
        .map_err(Failure::Stdout)
}

/// Writes `text` and a line end to standard error. A failure is dropped:
/// there is nowhere left to report it, and `eprintln!` would panic.
pub fn note(text: &str) {
    let mut lock = std::io::stderr().lock();
    let _ = lock
        .write_all(text.as_bytes())
        .and_then(|()| lock.write_all(b"\n"));
}

/// The one place where a command's result becomes the process's exit code:
/// errors are printed once, as `planpress: <why>`.
pub fn finish(result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(f) => {
            if let Some(m) = f.message() {
                note(&format!("planpress: {m}"));
            }
            ExitCode::from(f.exit_code())
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
    fn a_closed_pipe_is_quiet_and_a_full_disk_is_not() {
        let pipe = Failure::Stdout(std::io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(pipe.exit_code(), 0);
        assert_eq!(pipe.message(), None);
        let full = Failure::Stdout(std::io::Error::from(ErrorKind::StorageFull));
        assert_eq!(full.exit_code(), 1);
        let m = full.message().unwrap_or_default();
        assert!(m.starts_with("không ghi được") && m.contains("đầy"), "{m}");
        assert!(!m.contains("os error"), "{m}");
    }

    #[test]
    fn each_error_keeps_its_exit_code() {
        let usage = Failure::from(crate::CommandError::usage("x".into()));
        assert_eq!((usage.exit_code(), usage.message()), (2, Some("x".into())));
        let failed = Failure::from(crate::CommandError::failed("y".into()));
        assert_eq!(failed.exit_code(), 1);
    }
}
