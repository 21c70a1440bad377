//! `planpress users add|list|disable|passwd`: the accounts of the editor,
//! managed by the portal's administrator on the command line.

use std::fmt::Write as _;
use std::path::Path;

use super::accounts::{
    Account, Role, StateError, Store, one_time_password, password_problem, state_dir, valid_login,
};
use crate::diag::{CommandError, Lang, suggest, tr};
use crate::load;

/// What `planpress users` is asked to do.
#[derive(Clone, Debug)]
pub enum UsersCommand {
    /// Adds an account; without a password a one-time one is made and printed.
    Add {
        /// Login name.
        login: String,
        /// `editor`, `reviewer` or `admin`.
        role: String,
        /// The agency an editor writes for.
        agency: Option<String>,
        /// Full name (the commits' author).
        name: Option<String>,
        /// E-mail (the commits' author e-mail).
        email: Option<String>,
        /// The password read from standard input, if given.
        password: Option<String>,
    },
    /// Lists the accounts.
    List,
    /// Disables an account and ends its sessions.
    Disable {
        /// Login name.
        login: String,
    },
    /// Sets a new password; without one a one-time password is printed.
    Passwd {
        /// Login name.
        login: String,
        /// The password read from standard input, if given.
        password: Option<String>,
    },
}

fn state(e: StateError) -> CommandError {
    CommandError::failed(e.0)
}

/// A password from standard input: the first line, without its line end.
fn clean(password: &str) -> &str {
    password.lines().next().unwrap_or("")
}

/// Runs a `users` command on the site at `root`; returns what to print.
pub fn users(
    root: &Path,
    state_arg: Option<&Path>,
    cmd: UsersCommand,
) -> Result<String, CommandError> {
    let loaded = load::load_frame(root).map_err(|e| {
        CommandError::usage(tr!(
            Lang::Vi,
            "--root {e}: không đọc được thư mục site.",
            "--root {e}: cannot read the site's folder."
        ))
    })?;
    let lang = loaded.site.lang();
    let store = Store::open(&state_dir(&loaded.root, state_arg), lang).map_err(state)?;
    let no_account = |login: &str| {
        CommandError::failed(tr!(
            lang,
            "Không có tài khoản {login}. Xem danh sách bằng `planpress users list`.",
            "No account {login}. See the list with `planpress users list`."
        ))
    };
    match cmd {
        UsersCommand::Add {
            login,
            role,
            agency,
            name,
            email,
            password,
        } => {
            if !valid_login(&login) {
                return Err(CommandError::usage(tr!(
                    lang,
                    "Tên đăng nhập `{login}` không hợp lệ: dùng 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang hoặc @, bắt đầu bằng chữ hoặc số (ví dụ: nguyen.van.a).",
                    "Login `{login}` is not valid: use 2–64 of a-z, 0-9, dot, underscore, hyphen or @, starting with a letter or digit (e.g. nguyen.van.a)."
                )));
            }
            let Some(role) = Role::parse(&role) else {
                return Err(CommandError::usage(tr!(
                    lang,
                    "Vai trò `{role}` không có: chọn editor (biên tập của một cơ quan), reviewer (Sở duyệt) hoặc admin.",
                    "No role `{role}`: choose editor (of one agency), reviewer (the department) or admin."
                )));
            };
            let agency = match (role, agency) {
                (Role::Editor, None) => {
                    return Err(CommandError::usage(tr!(
                        lang,
                        "Tài khoản biên tập (editor) cần --agency MÃ-CƠ-QUAN: cơ quan mà người này viết kế hoạch.",
                        "An editor account needs --agency CODE: the agency whose plans this person writes."
                    )));
                }
                (_, Some(code)) => {
                    if loaded.site.agency(&code).is_none() {
                        let codes: Vec<&str> = loaded
                            .site
                            .agencies
                            .iter()
                            .flatten()
                            .map(|a| a.code.value.as_str())
                            .collect();
                        let hint = suggest(&code, &codes)
                            .map(|s| tr!(lang, " Có phải là `{s}`?", " Did you mean `{s}`?"))
                            .unwrap_or_default();
                        return Err(CommandError::usage(tr!(
                            lang,
                            "Không có cơ quan `{code}` trong content/agencies.yaml.{hint}",
                            "No agency `{code}` in content/agencies.yaml.{hint}"
                        )));
                    }
                    Some(code)
                }
                (_, None) => None,
            };
            let (password, one_time) = match password {
                Some(p) => {
                    let p = clean(&p).to_string();
                    if let Some(problem) = password_problem(&p, &login, lang) {
                        return Err(CommandError::usage(problem));
                    }
                    (p, false)
                }
                None => (one_time_password().map_err(state)?, true),
            };
            let account = Account {
                login: login.clone(),
                role,
                agency,
                name: name.filter(|n| !n.trim().is_empty()),
                email: email.filter(|e| !e.trim().is_empty()),
                must_change: one_time,
                disabled: false,
            };
            store.add(&account, &password).map_err(state)?;
            Ok(if one_time {
                tr!(
                    lang,
                    "Đã tạo tài khoản {login}. Mật khẩu dùng một lần: {password}\nNgười dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên.\n",
                    "Account {login} created. One-time password: {password}\nIt must be changed at the first login.\n"
                )
            } else {
                tr!(
                    lang,
                    "Đã tạo tài khoản {login}.\n",
                    "Account {login} created.\n"
                )
            })
        }
        UsersCommand::List => {
            let accounts = store.list().map_err(state)?;
            if accounts.is_empty() {
                return Ok(tr!(
                    lang,
                    "Chưa có tài khoản nào. Thêm bằng `planpress users add LOGIN --role editor --agency MÃ`.\n",
                    "No accounts yet. Add one with `planpress users add LOGIN --role editor --agency CODE`.\n"
                ));
            }
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "LOGIN\tVAI TRÒ\tCƠ QUAN\tHỌ TÊN\tEMAIL\tTRẠNG THÁI",
                    "LOGIN\tROLE\tAGENCY\tNAME\tEMAIL\tSTATE"
                )
            );
            for a in accounts {
                let state = if a.disabled {
                    tr!(lang, "đã khóa", "disabled")
                } else if a.must_change {
                    tr!(lang, "chờ đổi mật khẩu", "must change password")
                } else {
                    tr!(lang, "hoạt động", "active")
                };
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{state}",
                    a.login,
                    a.role.as_str(),
                    a.agency.as_deref().unwrap_or("-"),
                    a.name.as_deref().unwrap_or("-"),
                    a.email.as_deref().unwrap_or("-"),
                );
            }
            Ok(out)
        }
        UsersCommand::Disable { login } => {
            if store.disable(&login).map_err(state)? {
                Ok(tr!(
                    lang,
                    "Đã khóa tài khoản {login}; mọi phiên đăng nhập của tài khoản này đã kết thúc.\n",
                    "Account {login} disabled; all its sessions have ended.\n"
                ))
            } else {
                Err(no_account(&login))
            }
        }
        UsersCommand::Passwd { login, password } => {
            if store.account(&login).map_err(state)?.is_none() {
                return Err(no_account(&login));
            }
            let (password, one_time) = match password {
                Some(p) => {
                    let p = clean(&p).to_string();
                    if let Some(problem) = password_problem(&p, &login, lang) {
                        return Err(CommandError::usage(problem));
                    }
                    (p, false)
                }
                None => (one_time_password().map_err(state)?, true),
            };
            store
                .set_password(&login, &password, one_time, None)
                .map_err(state)?;
            Ok(if one_time {
                tr!(
                    lang,
                    "Mật khẩu mới dùng một lần của {login}: {password}\nNgười dùng phải đổi ở lần đăng nhập tới; các phiên cũ đã kết thúc.\n",
                    "New one-time password for {login}: {password}\nIt must be changed at the next login; old sessions have ended.\n"
                )
            } else {
                tr!(
                    lang,
                    "Đã đổi mật khẩu của {login}; các phiên cũ đã kết thúc.\n",
                    "Password of {login} changed; old sessions have ended.\n"
                )
            })
        }
    }
}
