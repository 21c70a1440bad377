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
    /// Dựng trang tổng hợp và trang từng cơ quan (Build the site)
    Build {
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Thư mục kết quả (output folder; default: <root>/output)
        #[arg(long)]
        output: Option<PathBuf>,
        /// Đưa cả bản nháp lên trang, có đánh dấu (include drafts, marked)
        #[arg(long)]
        drafts: bool,
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
        Command::Build {
            root,
            output,
            drafts,
        } => build(root, output, drafts),
    }
}

fn colour_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn build(root: PathBuf, output: Option<PathBuf>, drafts: bool) -> ExitCode {
    let start = std::time::Instant::now();
    let report = |checked: &planpress::Checked| {
        if !checked.diagnostics.is_empty() {
            let colour = colour_on(&std::io::stderr());
            let text = planpress::render(
                &checked.diagnostics,
                &checked.sources,
                planpress::Format::Human,
                checked.lang,
                colour,
            );
            eprint!("{text}");
        }
    };
    match planpress::build(&root, output.as_deref(), drafts) {
        Err(planpress::BuildError::Load(e)) => {
            eprintln!("planpress: --root {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("planpress: {e}");
            ExitCode::FAILURE
        }
        Ok(planpress::BuildOutcome::Failed(checked)) => {
            report(&checked);
            ExitCode::FAILURE
        }
        Ok(planpress::BuildOutcome::Built {
            checked,
            output,
            files,
        }) => {
            report(&checked);
            let ms = start.elapsed().as_millis();
            match checked.lang {
                planpress::Lang::Vi => eprintln!(
                    "Đã dựng {files} tệp vào {} trong {ms} ms.",
                    output.display()
                ),
                planpress::Lang::En => {
                    eprintln!("Built {files} files into {} in {ms} ms.", output.display())
                }
            }
            ExitCode::SUCCESS
        }
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
    let colour = colour_on(&stdout);
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
