//! The `planpress` command line: parses arguments and calls the library.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use planpress::cli::{Failure, finish, note, out};

/// Kế hoạch ứng dụng CNTT: kiểm tra, dựng và xuất bản kế hoạch của các cơ quan.
/// (Plans for IT in state agencies: check, build and publish.)
#[derive(Parser)]
#[command(name = "planpress", version, long_about = None)]
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
        /// Chỉ báo lỗi, bỏ cảnh báo (errors only)
        #[arg(long, short)]
        quiet: bool,
        /// Liệt kê từng cơ quan chưa gửi (one W102 per missing agency)
        #[arg(long, short)]
        verbose: bool,
        /// Chỉ báo cho các tệp, thư mục này (only these files or folders)
        paths: Vec<PathBuf>,
    },
    /// Tình trạng nộp kế hoạch của từng cơ quan (Who has submitted, who is late, who to call)
    Status {
        /// Năm kế hoạch (year; default: the newest cycle)
        year: Option<i32>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Định dạng (output format)
        #[arg(long, value_enum, default_value_t = StatusFormatArg::Human)]
        format: StatusFormatArg,
    },
    /// Soạn thư nhắc các cơ quan chưa gửi, bản nháp, có lỗi (Write reminders, and send them with --send)
    Remind {
        /// Năm kế hoạch (year; default: the newest cycle)
        year: Option<i32>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Thư mục ghi thư (folder for the .eml files; default: <root>/reminders/<year>)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Gửi qua máy chủ thư `smtp:` của site.yaml (send through the relay of site.yaml)
        #[arg(long)]
        send: bool,
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
        /// Thay cả thư mục kết quả không do planpress tạo (replace an output folder planpress did not write)
        #[arg(long)]
        force: bool,
    },
    /// Xem trước site, tự tải lại trang khi lưu tệp (Live preview while editing)
    Serve {
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Địa chỉ lắng nghe; khác 127.0.0.1 thì cả mạng xem được (address to listen on; anything else shows the site to the network)
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Cổng; 0 để tự chọn cổng trống (port; 0 picks a free one)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Mở trình duyệt (open the browser)
        #[arg(long)]
        open: bool,
    },
    /// Dựng rồi xuất bản lên một đích trong site.yaml, chuyển đổi nguyên khối (Build and publish to a target, atomically)
    Publish {
        /// Tên đích trong `publish:` của site.yaml; bỏ trống nếu chỉ có một (target; optional when there is one)
        target: Option<String>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Chỉ liệt kê những tệp sẽ gửi, không thay đổi gì (list what would be sent; change nothing)
        #[arg(long)]
        dry_run: bool,
        /// Đưa cả bản nháp lên trang, có đánh dấu (include drafts, marked)
        #[arg(long)]
        drafts: bool,
        /// Vẫn xuất bản khi `base_url` còn là địa chỉ mẫu, cho bản thử (publish with the placeholder base_url, for a trial)
        #[arg(long)]
        allow_placeholder: bool,
    },
    /// Liệt kê các bản phát hành trên một đích (List the releases of a target)
    Releases {
        /// Tên đích trong `publish:` của site.yaml (target; optional when there is one)
        target: Option<String>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Quay lui: chuyển `current` về bản phát hành trước (Switch `current` back to the previous release)
    Rollback {
        /// Tên đích trong `publish:` của site.yaml (target; optional when there is one)
        target: Option<String>,
        /// Mã bản phát hành cần chuyển tới (release id; default: the one before current)
        #[arg(long, value_name = "ID")]
        to: Option<String>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// So sánh số liệu giữa hai phiên bản trong git (Compare the figures of two git revisions)
    Diff {
        /// Phiên bản trước: nhánh, thẻ, mã commit (before: branch, tag or commit)
        #[arg(default_value = "HEAD")]
        rev_a: String,
        /// Phiên bản sau; bỏ trống là thư mục làm việc (after; default: the work tree)
        rev_b: Option<String>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Định dạng (output format)
        #[arg(long, value_enum, default_value_t = DiffFormatArg::Human)]
        format: DiffFormatArg,
        /// Tính cả bản nháp vào các tổng (count drafts in the totals)
        #[arg(long)]
        drafts: bool,
    },
    /// Xuất kế hoạch ra tệp Word (Export the plan as a Word file)
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Tạo tệp mới từ mẫu (Create files from a template)
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
    /// Nhập kế hoạch từ tệp Excel (.xlsx) hoặc Word (.docx) (Import a plan from a workbook or Word file)
    Import {
        /// Tệp .xlsx hoặc .docx (the file)
        file: PathBuf,
        /// Mã cơ quan, khi tệp không ghi (agency code, when the file does not say)
        #[arg(long)]
        agency: Option<String>,
        /// Năm kế hoạch, khi tệp không ghi (year, when the file does not say)
        #[arg(long)]
        year: Option<i32>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// In kế hoạch và các lỗi, không ghi gì (print, write nothing)
        #[arg(long)]
        dry_run: bool,
        /// Thay kế hoạch đã có (replace an existing plan)
        #[arg(long)]
        force: bool,
        /// Định dạng báo cáo (report format)
        #[arg(long, value_enum, default_value_t = DiffFormatArg::Human)]
        format: DiffFormatArg,
    },
    /// Máy chủ web để các cơ quan soạn, kiểm tra, nộp kế hoạch (The editors' web app)
    Editor {
        /// Thư mục của site, trong một kho git (the site's folder, in a git work tree)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Địa chỉ lắng nghe (address to listen on)
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Cổng; 0 để tự chọn cổng trống (port; 0 picks a free one)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Thư mục trạng thái (state folder; default: <root>/.planpress)
        #[arg(long)]
        state: Option<PathBuf>,
        /// Cookie chỉ gửi qua HTTPS (mark cookies Secure, behind TLS)
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Quản lý tài khoản của trình soạn thảo web (Manage the editor's accounts)
    Users {
        #[command(subcommand)]
        what: UsersArg,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        /// Thư mục trạng thái (state folder; default: <root>/.planpress)
        #[arg(long, global = true)]
        state: Option<PathBuf>,
    },
    /// Tạo một site mới trong thư mục trống (Create a new site in an empty folder)
    Init {
        /// Thư mục của site mới (the new site's folder)
        dir: PathBuf,
        /// Năm của kỳ kế hoạch đầu tiên (year of the first cycle; default: next year)
        #[arg(long)]
        year: Option<i32>,
        /// Tên tỉnh (province; asked on a terminal when not given)
        #[arg(long)]
        province: Option<String>,
        /// Địa chỉ tuyệt đối của cổng (the portal's absolute URL; asked on a terminal)
        #[arg(long)]
        base_url: Option<String>,
        /// Ngôn ngữ giao diện (interface language)
        #[arg(long, value_enum, default_value_t = LangArg::Vi)]
        language: LangArg,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Kế hoạch dạng .docx theo thể thức văn bản hành chính (the plan as a .docx)
    Docx {
        /// Năm kế hoạch; mặc định kỳ mới nhất, với --agency kỳ mới nhất có kế hoạch của cơ quan (year; default: the newest cycle, with --agency the newest with its plan)
        year: Option<i32>,
        /// Chỉ kế hoạch của một cơ quan (one agency's plan)
        #[arg(long)]
        agency: Option<String>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Tệp ra (output file; default ke-hoach-<year>[-<agency>].docx)
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// Tạo kế hoạch mẫu cho một cơ quan (Start an agency's plan from a skeleton)
    Plan {
        /// Mã cơ quan trong content/agencies.yaml (agency code)
        agency: String,
        /// Năm kế hoạch (year; default: the newest cycle)
        #[arg(long)]
        year: Option<i32>,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Tạo sổ tính Excel <cơ-quan>-<năm>.xlsx để điền (write a workbook to fill in)
        #[arg(long)]
        xlsx: bool,
        /// Mẫu trống, không điền sẵn từ năm trước (blank, not prefilled from the earlier plan)
        #[arg(long)]
        blank: bool,
    },
    /// Tạo kỳ kế hoạch mới từ kỳ gần nhất trước đó (Start a cycle from the latest earlier one)
    Cycle {
        /// Năm của kỳ mới (the new cycle's year)
        year: i32,
        /// Thư mục của site (the site's folder)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusFormatArg {
    Human,
    Json,
    Csv,
}

#[derive(Subcommand)]
enum UsersArg {
    /// Thêm tài khoản (Add an account)
    Add {
        /// Tên đăng nhập (login)
        login: String,
        /// Vai trò: editor | reviewer | admin (role)
        #[arg(long)]
        role: String,
        /// Mã cơ quan, bắt buộc với editor (agency code; required for an editor)
        #[arg(long)]
        agency: Option<String>,
        /// Họ tên, ghi làm tác giả commit (full name; the commits' author)
        #[arg(long)]
        name: Option<String>,
        /// Email (e-mail)
        #[arg(long)]
        email: Option<String>,
        /// Đọc mật khẩu từ stdin; nếu không, in mật khẩu dùng một lần (read the password from stdin)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Liệt kê tài khoản (List the accounts)
    List,
    /// Khóa tài khoản và kết thúc các phiên (Disable an account and end its sessions)
    Disable {
        /// Tên đăng nhập (login)
        login: String,
    },
    /// Đặt lại mật khẩu (Set a new password)
    Passwd {
        /// Tên đăng nhập (login)
        login: String,
        /// Đọc mật khẩu từ stdin; nếu không, in mật khẩu dùng một lần (read the password from stdin)
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormatArg {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Vi,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Github,
    Gitlab,
}

fn main() -> ExitCode {
    // clap's frame and errors in Vietnamese (src/cli.rs).
    let parsed = planpress::cli::localize(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => finish(run(cli)),
        Err(e) => {
            let (text, code) = planpress::cli::usage_error(&e);
            if code == 0 {
                // `--help | head` closes the pipe early: not an error.
                let _ = out(&text);
            } else {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            ExitCode::from(code)
        }
    }
}

/// Runs one command. Every error comes back here as a `Failure` carrying
/// its own exit code; `finish` prints it and ends with that code.
fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check {
            root,
            format,
            deny_warnings,
            quiet,
            verbose,
            paths,
        } => {
            let view = planpress::CheckView {
                paths,
                quiet,
                verbose,
            };
            check(root, format, deny_warnings, &view)
        }
        Command::Status { year, root, format } => {
            let format = match format {
                StatusFormatArg::Human => planpress::StatusFormat::Human,
                StatusFormatArg::Json => planpress::StatusFormat::Json,
                StatusFormatArg::Csv => planpress::StatusFormat::Csv,
            };
            let r = planpress::status(&root, year, format)?;
            out(&r.text)?;
            if !matches!(format, planpress::StatusFormat::Human) {
                note(&format!("{}.", r.summary));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Remind {
            year,
            root,
            out: folder,
            send,
        } => {
            let opts = planpress::RemindOptions {
                year,
                out: folder,
                send,
            };
            let r = planpress::remind(&root, &opts)?;
            out(&r.message)?;
            for n in &r.notes {
                note(&format!("planpress: {n}"));
            }
            Ok(if r.failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Build {
            root,
            output,
            drafts,
            force,
        } => build(root, output, drafts, force),
        Command::Serve {
            root,
            bind,
            port,
            open,
        } => {
            let mut opts = planpress::ServeOptions::new(root);
            opts.bind = bind;
            opts.port = port;
            opts.open = open;
            planpress::serve(&opts)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish {
            target,
            root,
            dry_run,
            drafts,
            allow_placeholder,
        } => publish(root, target, dry_run, drafts, allow_placeholder),
        Command::Releases { target, root } => {
            done(planpress::releases(&root, target.as_deref()), |r| {
                r.render()
            })
        }
        Command::Rollback { target, to, root } => done(
            planpress::rollback(&root, target.as_deref(), to.as_deref()),
            |r| r.summary(),
        ),
        Command::Diff {
            rev_a,
            rev_b,
            root,
            format,
            drafts,
        } => diff(root, rev_a, rev_b, format, drafts),
        Command::Export {
            what:
                ExportCommand::Docx {
                    year,
                    agency,
                    root,
                    output,
                },
        } => {
            let e = planpress::export_docx(&root, year, agency.as_deref(), output.as_deref())?;
            out(&format!("{}\n", e.message))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            what:
                NewCommand::Plan {
                    agency,
                    year,
                    root,
                    xlsx,
                    blank,
                },
        } => created(if xlsx {
            planpress::new_plan_xlsx(&root, &agency, year, blank)
        } else {
            planpress::new_plan(&root, &agency, year, blank)
        }),
        Command::New {
            what: NewCommand::Cycle { year, root },
        } => created(planpress::new_cycle(&root, year)),
        Command::Import {
            file,
            agency,
            year,
            root,
            dry_run,
            force,
            format,
        } => {
            let opts = planpress::ImportOptions {
                agency,
                year,
                dry_run,
                force,
                json: matches!(format, DiffFormatArg::Json),
            };
            import(&root, &file, &opts)
        }
        Command::Users { what, root, state } => users(root, state, what),
        Command::Editor {
            root,
            bind,
            port,
            state,
            secure_cookies,
        } => {
            let mut opts = planpress::EditorOptions::new(root);
            opts.bind = bind;
            opts.port = port;
            opts.state = state;
            opts.secure_cookies = secure_cookies;
            planpress::editor(&opts)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            dir,
            year,
            province,
            base_url,
            language,
        } => {
            let lang = match language {
                LangArg::Vi => planpress::Lang::Vi,
                LangArg::En => planpress::Lang::En,
            };
            let opts = planpress::InitOptions {
                year,
                province,
                base_url,
                lang,
            };
            created(planpress::init_asking(&dir, opts))
        }
    }
}

/// `import`: the plan on stdout for a dry run, the report on stdout in
/// JSON and on stderr for people; exit 0, 1 (errors in the plan) or 2.
fn import(
    root: &std::path::Path,
    file: &std::path::Path,
    opts: &planpress::ImportOptions,
) -> Result<ExitCode, Failure> {
    let done = planpress::import(root, file, opts)?;
    if opts.dry_run && !opts.json {
        out(&done.text)?;
    }
    if opts.json {
        out(&done.report)?;
    } else {
        let _ = std::io::stderr().write_all(done.report.as_bytes());
    }
    Ok(if done.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn diff(
    root: PathBuf,
    rev_a: String,
    rev_b: Option<String>,
    format: DiffFormatArg,
    drafts: bool,
) -> Result<ExitCode, Failure> {
    let format = match format {
        DiffFormatArg::Human => planpress::DiffFormat::Human,
        DiffFormatArg::Json => planpress::DiffFormat::Json,
    };
    let (text, notes) = planpress::diff(&root, Some(&rev_a), rev_b.as_deref(), format, drafts)?;
    out(&text)?;
    for n in notes {
        note(&n);
    }
    Ok(ExitCode::SUCCESS)
}

fn users(root: PathBuf, state: Option<PathBuf>, what: UsersArg) -> Result<ExitCode, Failure> {
    let stdin = |wanted: bool| {
        wanted.then(|| {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s);
            s
        })
    };
    let cmd = match what {
        UsersArg::Add {
            login,
            role,
            agency,
            name,
            email,
            password_stdin,
        } => planpress::UsersCommand::Add {
            login,
            role,
            agency,
            name,
            email,
            password: stdin(password_stdin),
        },
        UsersArg::List => planpress::UsersCommand::List,
        UsersArg::Disable { login } => planpress::UsersCommand::Disable { login },
        UsersArg::Passwd {
            login,
            password_stdin,
        } => planpress::UsersCommand::Passwd {
            login,
            password: stdin(password_stdin),
        },
    };
    out(&planpress::users(&root, state.as_deref(), cmd)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Reports what `new` or `init` wrote.
fn created(
    outcome: Result<planpress::Created, planpress::CommandError>,
) -> Result<ExitCode, Failure> {
    out(&format!("{}\n", outcome?.message))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints a check's diagnostics on stderr, as `build` does.
fn print_diagnostics(checked: &planpress::Checked) {
    if !checked.diagnostics.is_empty() {
        let colour = colour_on(&std::io::stderr());
        let text = planpress::render(
            &planpress::for_people(checked),
            &checked.sources,
            planpress::Format::Human,
            checked.lang,
            colour,
        );
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

fn publish(
    root: PathBuf,
    target: Option<String>,
    dry_run: bool,
    drafts: bool,
    allow_placeholder: bool,
) -> Result<ExitCode, Failure> {
    let opts = planpress::PublishOptions {
        target,
        dry_run,
        drafts,
        ssh: None,
        allow_placeholder,
    };
    let outcome = planpress::publish(&root, &opts, &mut |line| note(line));
    done(outcome, |p| {
        print_diagnostics(&p.checked);
        p.report.summary()
    })
}

/// Prints the result of `publish`, `releases` or `rollback`: exit 0 when
/// done, 1 on invalid content or a failed deploy, 2 on bad usage.
fn done<T>(
    outcome: Result<planpress::Outcome<T>, planpress::PublishError>,
    text: impl FnOnce(&T) -> String,
) -> Result<ExitCode, Failure> {
    match outcome? {
        planpress::Outcome::Invalid(checked) => {
            print_diagnostics(&checked);
            note(&planpress::portal_unchanged(checked.lang));
            Ok(ExitCode::FAILURE)
        }
        planpress::Outcome::Done(t) => {
            out(&text(&t))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn colour_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn build(
    root: PathBuf,
    output: Option<PathBuf>,
    drafts: bool,
    force: bool,
) -> Result<ExitCode, Failure> {
    let start = std::time::Instant::now();
    let report = print_diagnostics;
    match planpress::build_to(&root, output.as_deref(), drafts, force)? {
        planpress::BuildOutcome::Failed(checked) => {
            report(&checked);
            Ok(ExitCode::FAILURE)
        }
        planpress::BuildOutcome::Built {
            checked,
            output,
            files,
        } => {
            report(&checked);
            if let Some(w) = planpress::placeholder_warning(&checked) {
                note(&w);
            }
            let ms = start.elapsed().as_millis();
            note(&match checked.lang {
                planpress::Lang::Vi => format!(
                    "Đã dựng {files} tệp vào {} trong {ms} ms.",
                    output.display()
                ),
                planpress::Lang::En => {
                    format!("Built {files} files into {} in {ms} ms.", output.display())
                }
            });
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(
    root: PathBuf,
    format: FormatArg,
    deny_warnings: bool,
    view: &planpress::CheckView,
) -> Result<ExitCode, Failure> {
    let mut checked = planpress::check(&root)?;
    // Machine formats keep one W102 per agency: tools count them.
    let grouped = matches!(format, FormatArg::Human);
    let view = planpress::CheckView {
        verbose: view.verbose || !grouped,
        ..view.clone()
    };
    planpress::narrow(&mut checked, &view)?;
    let format = match format {
        FormatArg::Human => planpress::Format::Human,
        FormatArg::Json => planpress::Format::Json,
        FormatArg::Github => planpress::Format::Github,
        FormatArg::Gitlab => planpress::Format::Gitlab,
    };
    let colour = colour_on(&std::io::stdout());
    let text = planpress::render(
        &checked.diagnostics,
        &checked.sources,
        format,
        checked.lang,
        colour,
    );
    out(&text)?;
    let failed = checked.errors() > 0 || (deny_warnings && checked.warnings() > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
