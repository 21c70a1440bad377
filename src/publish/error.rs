//! Why `publish`, `releases` or `rollback` stopped: the reasons as data,
//! their messages in the site's language, and which exit code each gets, so
//! that the commands only say what went wrong and never how to word it.

use std::fmt;

use super::{portal_unchanged, s3};
use crate::diag::{Lang, tr};
use crate::load::LoadError;

/// Why `publish`, `releases` or `rollback` could not do their work.
#[derive(Debug)]
pub struct PublishError {
    lang: Lang,
    kind: ErrorKind,
}

/// The reasons, with what a message needs.
#[derive(Debug)]
pub(crate) enum ErrorKind {
    Root(LoadError),
    NoTargets,
    UnknownTarget {
        name: String,
        names: Vec<String>,
    },
    TargetRequired {
        names: Vec<String>,
    },
    Empty,
    Placeholder {
        base_url: String,
    },
    BadPath(String),
    /// A `kind: dir` target's `path` that must not be used: empty, `/`, the
    /// site's folder or one above it.
    TargetPath {
        path: String,
    },
    /// A `kind: ssh` target's `path` that must not be used (`model::remote::path_refusal`).
    SshTargetPath {
        path: String,
        why: String,
    },
    /// A `kind: dir` target's `path` (or a folder on the way to it) is a
    /// file.
    TargetIsFile {
        path: String,
        file: String,
    },
    Io {
        what: String,
        err: std::io::Error,
    },
    Busy {
        place: String,
    },
    NotALink {
        place: String,
    },
    NoCurrent {
        place: String,
    },
    NoPrevious {
        current: String,
    },
    UnknownRelease {
        query: String,
        ids: Vec<String>,
    },
    Incomplete {
        id: String,
    },
    MissingTool {
        tool: String,
    },
    RemoteTool {
        tool: &'static str,
        host: String,
    },
    BadSshCommand {
        value: String,
    },
    BadHost {
        host: String,
    },
    HostKeyUnknown {
        host: String,
        cmd: String,
        detail: String,
    },
    HostKeyChanged {
        host: String,
        detail: String,
    },
    AuthFailed {
        host: String,
        detail: String,
    },
    Connect {
        host: String,
        detail: String,
    },
    Remote {
        step: &'static str,
        detail: String,
    },
    /// `kind: s3`; the messages live beside the code in s3.rs.
    S3 {
        place: String,
        err: s3::S3Error,
    },
}

impl PublishError {
    pub(crate) fn new(lang: Lang, kind: ErrorKind) -> Self {
        PublishError { lang, kind }
    }

    /// Whether the command line was wrong (exit code 2) rather than the
    /// work failing (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Root(_)
                | ErrorKind::NoTargets
                | ErrorKind::UnknownTarget { .. }
                | ErrorKind::TargetRequired { .. }
                | ErrorKind::UnknownRelease { .. }
        )
    }
}

impl crate::diag::Exit for PublishError {
    fn exit_code(&self) -> u8 {
        if self.is_usage() { 2 } else { 1 }
    }
}

pub(crate) fn io_err(what: impl fmt::Display, err: std::io::Error) -> ErrorKind {
    ErrorKind::Io {
        what: what.to_string(),
        err,
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = self.lang;
        let list = |v: &[String]| v.join(", ");
        let text = match &self.kind {
            ErrorKind::Root(e) => format!("--root {e}"),
            ErrorKind::NoTargets => tr!(
                l,
                "content/site.yaml chưa khai báo đích xuất bản nào (`publish:`). Ví dụ:\n  publish:\n    local: {{ kind: dir, path: /srv/www/ke-hoach-cntt, keep: 5 }}",
                "content/site.yaml declares no publish target (`publish:`). For example:\n  publish:\n    local: {{ kind: dir, path: /srv/www/ke-hoach-cntt, keep: 5 }}"
            ),
            ErrorKind::UnknownTarget { name, names } => {
                let names = list(names);
                tr!(
                    l,
                    "Không có đích xuất bản «{name}» trong content/site.yaml. Các đích: {names}.",
                    "No publish target '{name}' in content/site.yaml. Targets: {names}."
                )
            }
            ErrorKind::TargetRequired { names } => {
                let names = list(names);
                tr!(
                    l,
                    "site.yaml có nhiều đích xuất bản; hãy chọn một: {names}.\n  Ví dụ: planpress publish <ĐÍCH>",
                    "site.yaml has several publish targets; name one: {names}.\n  For example: planpress publish <TARGET>"
                )
            }
            ErrorKind::Empty => tr!(
                l,
                "Site dựng ra không có tệp nào; không xuất bản một site rỗng.",
                "The built site has no file; an empty site is not published."
            ),
            ErrorKind::Placeholder { base_url } => tr!(
                l,
                "`base_url` trong content/site.yaml vẫn là địa chỉ mẫu ({base_url}): sơ đồ trang, liên kết chuẩn và nguồn tin RSS sẽ trỏ tới đó, không tới cổng thật.\n  Sửa `base_url` thành địa chỉ thật của cổng rồi xuất bản lại; nếu đây là bản thử, chạy lại với --allow-placeholder.",
                "`base_url` in content/site.yaml is still the placeholder ({base_url}): the sitemap, canonical links and feeds would point there, not to the real portal.\n  Set `base_url` to the portal's real address and publish again; for a trial, run again with --allow-placeholder."
            ),
            ErrorKind::BadPath(p) => tr!(
                l,
                "Không thể xuất bản tệp có đường dẫn «{p}».",
                "Cannot publish a file with the path '{p}'."
            ),
            ErrorKind::TargetPath { path } => tr!(
                l,
                "Đích xuất bản có `path: \"{path}\"` không dùng được: đường dẫn trống, `/`, thư mục site hoặc thư mục chứa nó. Trong content/site.yaml, ghi một thư mục riêng cho site, ví dụ `path: /srv/www/ke-hoach-cntt`.",
                "The publish target's `path: \"{path}\"` cannot be used: it is empty, `/`, the site's folder or a folder above it. In content/site.yaml, give a folder of the site's own, e.g. `path: /srv/www/ke-hoach-cntt`."
            ),
            ErrorKind::SshTargetPath { path, why } => tr!(
                l,
                "Đích xuất bản ssh có `path: \"{path}\"` không dùng được: {why}. Trong content/site.yaml, ghi đường dẫn tuyệt đối tới một thư mục riêng cho site trên máy chủ, ví dụ `path: /srv/ke-hoach-cntt`. Chưa kết nối tới máy chủ, chưa tạo gì ở đó.",
                "The ssh publish target's `path: \"{path}\"` cannot be used: {why}. In content/site.yaml, give the absolute path of a folder of the site's own on the server, e.g. `path: /srv/ke-hoach-cntt`. Nothing was connected to or created there."
            ),
            ErrorKind::TargetIsFile { path, file } => tr!(
                l,
                "Đích xuất bản `path: \"{path}\"` không dùng được: {file} là một tệp, không phải thư mục. Sửa `path` trong content/site.yaml, hoặc chuyển tệp đó đi chỗ khác; chưa tạo gì ở đó.",
                "The publish target `path: \"{path}\"` cannot be used: {file} is a file, not a folder. Fix `path` in content/site.yaml, or move that file away; nothing was created there."
            ),
            ErrorKind::Io { what, err } => {
                let why = crate::diag::io_in_words(err, std::path::Path::new(what), false, l);
                format!("{what}: {why}")
            }
            ErrorKind::Busy { place } => tr!(
                l,
                "Một lệnh planpress khác đang làm việc trên {place}; hãy chờ nó xong rồi chạy lại.",
                "Another planpress command is working on {place}; wait for it to finish and run again."
            ),
            ErrorKind::NotALink { place } => tr!(
                l,
                "{place}/current đã có nhưng không phải là liên kết tượng trưng (symlink). Hãy chuyển nó sang chỗ khác (ví dụ mv current current.cu) rồi xuất bản lại.",
                "{place}/current exists and is not a symlink. Move it away (for example mv current current.old) and publish again."
            ),
            ErrorKind::NoCurrent { place } => tr!(
                l,
                "{place} chưa có bản phát hành nào đang hoạt động (current); chưa thể quay lui.",
                "{place} has no current release; there is nothing to roll back."
            ),
            ErrorKind::NoPrevious { current } => tr!(
                l,
                "Không có bản phát hành nào cũ hơn {current}; dùng --to <ID> để chọn một bản (xem `planpress releases`).",
                "There is no release older than {current}; use --to <ID> to pick one (see `planpress releases`)."
            ),
            ErrorKind::UnknownRelease { query, ids } => {
                let ids = if ids.is_empty() {
                    "-".to_string()
                } else {
                    list(ids)
                };
                tr!(
                    l,
                    "Không tìm thấy đúng một bản phát hành «{query}». Các bản: {ids}.",
                    "No single release matches '{query}'. Releases: {ids}."
                )
            }
            ErrorKind::Incomplete { id } => tr!(
                l,
                "Bản phát hành {id} thiếu manifest; không chuyển sang nó.",
                "Release {id} has no manifest; not switching to it."
            ),
            ErrorKind::MissingTool { tool } => tr!(
                l,
                "Không chạy được `{tool}` trên máy này. Hãy cài OpenSSH client và rsync (apt-get install openssh-client rsync).",
                "Cannot run `{tool}` on this machine. Install the OpenSSH client and rsync (apt-get install openssh-client rsync)."
            ),
            ErrorKind::RemoteTool { tool, host } => tr!(
                l,
                "Máy chủ {host} không có `{tool}`; hãy cài nó trên máy chủ (apt-get install {tool}).",
                "The host {host} has no `{tool}`; install it there (apt-get install {tool})."
            ),
            ErrorKind::BadSshCommand { value } => tr!(
                l,
                "Không hiểu biến môi trường PLANPRESS_SSH = {value:?} (dấu nháy chưa đóng?).",
                "Cannot parse the environment variable PLANPRESS_SSH = {value:?} (unclosed quote?)."
            ),
            ErrorKind::BadHost { host } => tr!(
                l,
                "`host: {host}` không phải là tên máy hợp lệ.",
                "`host: {host}` is not a valid host name."
            ),
            ErrorKind::HostKeyUnknown { host, cmd, detail } => tr!(
                l,
                "Khóa máy chủ (host key) của {host} chưa có trong known_hosts, nên planpress không kết nối (planpress luôn kiểm tra khóa máy chủ).\n  Hãy so dấu vân tay của khóa với người quản trị máy chủ, rồi chạy `{cmd}` một lần để chấp nhận nó (hoặc thêm nó vào known_hosts).\n  ssh: {detail}",
                "The host key of {host} is not in known_hosts, so planpress does not connect (planpress always checks host keys).\n  Compare the key's fingerprint with the host's administrator, then run `{cmd}` once to accept it (or add it to known_hosts).\n  ssh: {detail}"
            ),
            ErrorKind::HostKeyChanged { host, detail } => tr!(
                l,
                "Khóa máy chủ (host key) của {host} KHÁC với khóa trong known_hosts: có thể đang bị giả mạo, hoặc máy chủ vừa được cài lại. Không kết nối.\n  Hãy hỏi người quản trị máy chủ trước khi sửa known_hosts.\n  ssh: {detail}",
                "The host key of {host} DIFFERS from the one in known_hosts: someone may be impersonating it, or the host was reinstalled. Not connecting.\n  Ask the host's administrator before you change known_hosts.\n  ssh: {detail}"
            ),
            ErrorKind::AuthFailed { host, detail } => tr!(
                l,
                "{host} từ chối đăng nhập. Kiểm tra `user:` và `identity:` trong site.yaml, hoặc khóa trong ssh-agent (ssh-add -l).\n  ssh: {detail}",
                "{host} refused the login. Check `user:` and `identity:` in site.yaml, or the keys in your ssh agent (ssh-add -l).\n  ssh: {detail}"
            ),
            ErrorKind::Connect { host, detail } => tr!(
                l,
                "Không kết nối được tới {host}.\n  ssh: {detail}",
                "Cannot connect to {host}.\n  ssh: {detail}"
            ),
            ErrorKind::S3 { place, err } => s3::message(err, place, l),
            ErrorKind::Remote { step, detail } => tr!(
                l,
                "Bước «{step}» thất bại trên máy chủ; «current» không đổi.\n  {detail}",
                "Step '{step}' failed on the host; 'current' is unchanged.\n  {detail}"
            ),
        };
        // Whatever was refused, the editor needs to know the public site
        // is as it was.
        write!(f, "{text}\n{}", portal_unchanged(l))
    }
}

impl std::error::Error for PublishError {}
