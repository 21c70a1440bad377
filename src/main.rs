//! The `planpress` command line: parses arguments and calls the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Kế hoạch ứng dụng CNTT: kiểm tra, dựng và xuất bản kế hoạch của các cơ quan.
/// (Plans for IT in state agencies: check, build and publish.)
#[derive(Parser)]
#[command(name = "planpress", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Kiểm tra mọi kế hoạch của site (Validate every plan of the site)
    Check {
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Định dạng báo cáo (report format)
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Coi cảnh báo là lỗi (fail on warnings too)
        #[arg(long)]
        deny_warnings: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Github,
    Gitlab,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            root,
            format,
            deny_warnings,
        } => check(root, format, deny_warnings),
    }
}

fn check(root: PathBuf, format: FormatArg, deny_warnings: bool) -> ExitCode {
    let checked = match planpress::check(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("planpress: --root {e}");
            return ExitCode::from(2);
        }
    };
    let format = match format {
        FormatArg::Human => planpress::Format::Human,
        FormatArg::Json => planpress::Format::Json,
        FormatArg::Github => planpress::Format::Github,
        FormatArg::Gitlab => planpress::Format::Gitlab,
    };
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = planpress::render(
        &checked.diagnostics,
        &checked.sources,
        format,
        checked.lang,
        colour,
    );
    let mut lock = stdout.lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
    let failed = checked.errors() > 0 || (deny_warnings && checked.warnings() > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
