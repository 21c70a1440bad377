//! `planpress publish`, `releases` and `rollback`: atomic, incremental
//! deploys to the targets of `site.yaml`.
//!
//! Every target has the same layout, on a local folder (`kind: dir`) or on a
//! remote host reached with the system's OpenSSH (`kind: ssh`):
//!
//! ```text
//! <path>/current -> releases/<id>          symlink the web server serves
//! <path>/releases/<id>/                    one complete release
//! <path>/releases/<id>/.planpress-manifest.json
//! <path>/releases/.partial-<id>/           an upload in progress
//! <path>/.planpress.lock                   held while a command works
//! ```
//!
//! A publish builds the site in memory, hashes every file into a manifest,
//! compares it with the current release's manifest, hard-links the unchanged
//! files from the current release into `releases/.partial-<id>/`, sends the
//! new and changed ones, writes the manifest, renames the folder to
//! `releases/<id>/`, and only then points `current` at it by renaming a new
//! symlink over the old one. Killed at any moment, it leaves `current` on a
//! complete release; the next publish resumes the partial folder.

mod dir;
pub(crate) mod manifest;
mod s3;
pub(crate) mod ssh;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::build::render_site;
use crate::check::Checked;
use crate::diag::{Lang, Severity, sort, tr};
use crate::load::LoadError;
use crate::model::{Target, TargetKind};
use manifest::{Diff, Entry, Manifest};

/// Prefix of the folder a release is uploaded into before it is complete.
pub(crate) const PARTIAL: &str = ".partial-";
/// Prefix of a release folder being deleted.
pub(crate) const TRASH: &str = ".trash-";
/// Prefix of the temporary symlink renamed over `current`.
pub(crate) const TMP_LINK: &str = "current.tmp-";
/// The lock file at the top of a target.
pub(crate) const LOCK: &str = ".planpress.lock";

/// What `publish` should do.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// The target's name in `site.yaml`; may be left out when there is one.
    pub target: Option<String>,
    /// Only say what would be sent; change nothing.
    pub dry_run: bool,
    /// Put draft plans on the site, marked as drafts.
    pub drafts: bool,
    /// The ssh command for `kind: ssh` targets, split like a shell does
    /// (`ssh -F deploy/ssh_config`); `None` takes the environment variable
    /// `PLANPRESS_SSH`, or plain `ssh`.
    pub ssh: Option<String>,
    /// Publish even though `base_url` is still the scaffold's placeholder
    /// (a trial portal).
    pub allow_placeholder: bool,
}

/// Whether `base_url` is still a placeholder: the scaffold's
/// `example.gov.vn`, or one of the reserved `example.*` names. Published
/// with it, the sitemap, canonical links and feeds point there.
pub(crate) fn is_placeholder(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "example.gov.vn",
        "example.com",
        "example.org",
        "example.net",
    ]
    .iter()
    .any(|p| host == *p || host.ends_with(&format!(".{p}")))
}

/// Whether `base_url` is the line `init` wrote and nobody has touched: it
/// still carries the scaffold's «ĐIỀN: …» mark (W108). Only then does
/// `publish` refuse; any other `example.*` address (the contract's own
/// example, a trial portal) is warned about and published.
fn still_the_scaffolds(checked: &Checked) -> bool {
    checked
        .sources
        .get("content/site.yaml")
        .is_some_and(|text| {
            text.lines().any(|l| {
                l.trim_start().starts_with("base_url:") && l.contains(crate::validate::PLACEHOLDER)
            })
        })
}

/// The warning for a site whose `base_url` is still a placeholder, in its
/// language; `None` when the address is real (or site.yaml unread).
pub fn placeholder_warning(checked: &Checked) -> Option<String> {
    let config = checked.loaded.site.config.as_ref()?;
    let url = &config.base_url;
    is_placeholder(url).then(|| {
        tr!(
            checked.lang,
            "Cảnh báo: `base_url` vẫn là địa chỉ mẫu ({url}); sơ đồ trang, liên kết chuẩn và nguồn tin sẽ trỏ tới đó. Sửa `base_url` trong content/site.yaml trước khi xuất bản.",
            "Warning: `base_url` is still the placeholder ({url}); the sitemap, canonical links and feeds point there. Set `base_url` in content/site.yaml before publishing."
        )
    })
}

/// The words that close every refusal: nothing was changed.
pub fn portal_unchanged(lang: Lang) -> String {
    tr!(
        lang,
        "Trang cổng không thay đổi.",
        "The portal is unchanged."
    )
}

/// The result of a command that reads the site first.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The site (or, for `releases` and `rollback`, `site.yaml`) has
    /// errors; nothing was done. Print its diagnostics.
    Invalid(Box<Checked>),
    /// The command did its work.
    Done(T),
}

/// A publish that ran: the check's warnings and what was done.
#[derive(Debug)]
pub struct Published {
    /// The check's findings (warnings only).
    pub checked: Checked,
    /// What was done, or with `--dry-run` would be done.
    pub report: Report,
}

/// What a publish did, or with `--dry-run` would do.
#[derive(Debug)]
pub struct Report {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// The new release, now current; `None` for a dry run or when nothing
    /// changed.
    pub id: Option<String>,
    /// The release that was current before.
    pub previous: Option<String>,
    /// Files of the whole site.
    pub files: usize,
    /// Total size of the site.
    pub bytes: u64,
    /// Files sent (new or changed), or that a dry run would send.
    pub sent_files: usize,
    /// Their bytes: the payload that travels.
    pub sent_bytes: u64,
    /// Bytes on the wire as the transfer tool counted them (ssh only).
    pub wire_bytes: Option<u64>,
    /// Files hard-linked from the current release.
    pub linked_files: usize,
    /// Files of the current release left out of the new one.
    pub removed_files: usize,
    /// Files found complete in the partial upload of an earlier, killed
    /// publish and not sent again.
    pub resumed_files: usize,
    /// Old releases deleted to honour `keep`.
    pub pruned: Vec<String>,
    /// The site is the same as the current release: nothing was done.
    pub unchanged: bool,
    /// This was a dry run.
    pub dry_run: bool,
    /// For a dry run, one line per file that would change.
    pub changes: Vec<String>,
    /// Cleaning up old releases failed after the switch (the publish
    /// itself succeeded).
    pub prune_error: Option<String>,
    /// Time taken to check and build the site.
    pub build_time: std::time::Duration,
    /// Time taken to deploy it (hash, compare, upload, switch, prune).
    pub deploy_time: std::time::Duration,
    lang: Lang,
}

/// One release of a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Its id (the folder's name).
    pub id: String,
    /// Number of files, from its manifest.
    pub files: Option<usize>,
    /// Total size, from its manifest.
    pub bytes: Option<u64>,
    /// `current` points at it.
    pub current: bool,
}

/// The releases of a target, newest first.
#[derive(Debug)]
pub struct Releases {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// Complete releases, newest first.
    pub releases: Vec<Release>,
    /// Uploads that did not finish (the next publish resumes or removes
    /// them).
    pub partials: Vec<String>,
    lang: Lang,
}

/// What a rollback did.
#[derive(Debug)]
pub struct RolledBack {
    /// The target's name.
    pub target: String,
    /// Where it is, for people.
    pub place: String,
    /// The release that was current.
    pub from: String,
    /// The release now current.
    pub to: String,
    lang: Lang,
}

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

// ---- what a target must do ------------------------------------------------

/// Where `current` points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Current {
    /// There is no `current` yet.
    Absent,
    /// `current -> releases/<id>`.
    Release(String),
    /// A symlink to something that is not one of our releases.
    Elsewhere,
    /// A folder or file: refused, never replaced.
    NotALink,
}

/// The folders and link of a target.
#[derive(Clone, Debug)]
pub(crate) struct State {
    /// Complete releases, sorted (oldest first).
    pub(crate) releases: Vec<String>,
    /// `.partial-*` folders, sorted.
    pub(crate) partials: Vec<String>,
    /// `.trash-*` folders.
    pub(crate) trash: Vec<String>,
    pub(crate) current: Current,
}

impl State {
    /// The current release, if it is one of the complete releases.
    fn current_release(&self) -> Option<&str> {
        match &self.current {
            Current::Release(id) if self.releases.contains(id) => Some(id),
            _ => None,
        }
    }
}

/// One upload: what goes into `releases/<partial>/`.
pub(crate) struct Job<'a> {
    /// `.partial-<id>`.
    pub(crate) partial: String,
    /// A partial folder of an earlier publish to continue from.
    pub(crate) resume: Option<String>,
    /// Folders under `releases/` to delete first (other partials, trash).
    pub(crate) stale: Vec<String>,
    /// The release to hard-link unchanged files from.
    pub(crate) base: Option<&'a str>,
    /// Unchanged files: linked from `base`.
    pub(crate) link: Vec<&'a Entry>,
    /// New and changed files: sent.
    pub(crate) send: Vec<&'a Entry>,
    /// The bytes of every file, by path.
    pub(crate) bytes: BTreeMap<&'a str, &'a [u8]>,
    /// The manifest, as written into the release.
    pub(crate) manifest: Vec<u8>,
}

/// What staging did.
#[derive(Debug, Default)]
pub(crate) struct Staged {
    pub(crate) linked: usize,
    pub(crate) sent: usize,
    pub(crate) sent_bytes: u64,
    pub(crate) resumed: usize,
    pub(crate) wire: Option<u64>,
}

/// A place releases live: a local folder or a folder on an ssh host.
pub(crate) trait Endpoint {
    /// Where it is, for messages.
    fn place(&self) -> String;
    /// Takes the target's lock until the endpoint is dropped.
    fn lock(&mut self) -> Result<(), ErrorKind>;
    /// Lists releases, partial uploads and where `current` points.
    fn state(&mut self) -> Result<State, ErrorKind>;
    /// The manifests of `ids`, `None` for a missing or unreadable one.
    fn manifests(&mut self, ids: &[String]) -> Result<Vec<Option<Manifest>>, ErrorKind>;
    /// Fills `releases/<job.partial>/`: cleans up, resumes, links, sends,
    /// and writes the manifest last.
    fn stage(&mut self, job: &Job<'_>) -> Result<Staged, ErrorKind>;
    /// Renames the complete partial folder to `releases/<id>`.
    fn commit(&mut self, partial: &str, id: &str) -> Result<(), ErrorKind>;
    /// Points `current` at `releases/<id>` in one rename.
    fn switch(&mut self, id: &str) -> Result<(), ErrorKind>;
    /// Deletes releases.
    fn remove(&mut self, ids: &[String]) -> Result<(), ErrorKind>;
}

fn open(
    target: &Target,
    root: &Path,
    lang: Lang,
    ssh_command: Option<&str>,
) -> Result<Box<dyn Endpoint>, ErrorKind> {
    Ok(match &target.kind {
        TargetKind::Dir => Box::new(dir::DirEndpoint::new(dir_target(&target.path, root)?)),
        TargetKind::Ssh {
            host,
            port,
            user,
            identity,
        } => Box::new(ssh::SshEndpoint::new(
            ssh::Remote {
                host: host.clone(),
                port: *port,
                user: user.clone(),
                identity: identity.as_deref().map(|i| local_path(i, root)),
                path: target.path.clone(),
            },
            ssh_command,
            lang,
        )?),
        TargetKind::S3 {
            endpoint,
            bucket,
            region,
        } => Box::new(s3::S3Endpoint::new(
            &s3::Config {
                endpoint,
                bucket,
                region,
                prefix: &target.path,
            },
            lang,
        )?),
    })
}

/// The folder of a `kind: dir` target, refused before anything is created:
/// an empty path (the site's own folder), `/`, the site's folder or one
/// above it would fill them with `releases/` and `current`, and prune old
/// releases there; a file on the way would fail half-way.
fn dir_target(p: &str, root: &Path) -> Result<PathBuf, ErrorKind> {
    let refused = || ErrorKind::TargetPath {
        path: p.to_string(),
    };
    if p.trim().is_empty() {
        return Err(refused());
    }
    let path = local_path(p, root);
    // The nearest part of the path that exists: it must be a folder, and
    // once links are resolved, not `/` nor the root or a folder above it.
    let mut existing = path.as_path();
    loop {
        match std::fs::metadata(existing) {
            Ok(m) if !m.is_dir() => {
                return Err(ErrorKind::TargetIsFile {
                    path: p.to_string(),
                    file: existing.display().to_string(),
                });
            }
            Ok(_) => break,
            Err(_) => match existing.parent() {
                Some(parent) => existing = parent,
                None => break,
            },
        }
    }
    let real = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    let lexical_root = path.components().all(|c| {
        matches!(
            c,
            std::path::Component::RootDir | std::path::Component::CurDir
        )
    });
    if (existing == path.as_path() && (real.parent().is_none() || root.starts_with(&real)))
        || lexical_root
    {
        return Err(refused());
    }
    Ok(path)
}

/// A local path of site.yaml: `~/` is the home folder, and a relative path
/// is relative to the site's root.
fn local_path(p: &str, root: &Path) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    root.join(p)
}

fn select<'c>(targets: &'c [Target], name: Option<&str>) -> Result<&'c Target, ErrorKind> {
    let names = || targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    match name {
        Some(n) => targets
            .iter()
            .find(|t| t.name == n)
            .ok_or_else(|| ErrorKind::UnknownTarget {
                name: n.to_string(),
                names: names(),
            }),
        None => match targets {
            [] => Err(ErrorKind::NoTargets),
            [one] => Ok(one),
            _ => Err(ErrorKind::TargetRequired { names: names() }),
        },
    }
}

/// The release before `current`: the newest one older than it.
fn before<'r>(releases: &'r [String], current: &str) -> Option<&'r String> {
    releases.iter().filter(|r| r.as_str() < current).max()
}

/// Releases to delete so that at most `keep` remain, oldest first, never
/// `current` nor the release before it.
pub(crate) fn prune_list(releases: &[String], current: &str, keep: u32) -> Vec<String> {
    let mut sorted: Vec<&String> = releases.iter().collect();
    sorted.sort();
    let prev = before(releases, current);
    let protected = |r: &String| r == current || Some(r) == prev;
    let mut excess = sorted.len().saturating_sub(keep as usize);
    let mut out = Vec::new();
    for r in sorted {
        if excess == 0 {
            break;
        }
        if !protected(r) {
            out.push(r.clone());
            excess -= 1;
        }
    }
    out
}

/// Finds a release by its id, or by a prefix or suffix of it that only it
/// has (`--to 20190716`, `--to 3fa9c2d1`).
fn resolve<'r>(releases: &'r [String], query: &str) -> Option<&'r String> {
    if let Some(exact) = releases.iter().find(|r| r.as_str() == query) {
        return Some(exact);
    }
    let hits: Vec<&String> = releases
        .iter()
        .filter(|r| !query.is_empty() && (r.starts_with(query) || r.ends_with(query)))
        .collect();
    match hits.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Loads only site.yaml, for `releases` and `rollback`.
fn site_targets(root: &Path) -> Result<Result<(Checked, Lang), Checked>, PublishError> {
    let (mut loaded, lang) = crate::load::load_site_config(root)
        .map_err(|e| PublishError::new(Lang::Vi, ErrorKind::Root(e)))?;
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    sort(&mut diagnostics);
    let sources = std::mem::take(&mut loaded.sources);
    let failed =
        loaded.site.config.is_none() || diagnostics.iter().any(|d| d.severity() == Severity::Error);
    let checked = Checked {
        diagnostics,
        sources,
        lang,
        loaded,
    };
    Ok(if failed {
        Err(checked)
    } else {
        Ok((checked, lang))
    })
}

// ---- the commands ---------------------------------------------------------

/// Builds the site at `root`, refuses on any error, and deploys it to a
/// target of its `site.yaml`. `log` receives progress lines.
pub fn publish(
    root: &Path,
    opts: &PublishOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome<Published>, PublishError> {
    let start = std::time::Instant::now();
    // The target first, from site.yaml alone: a usage error comes before a
    // long build. (An invalid site.yaml is reported by the build below.)
    if let Ok((checked, lang)) = site_targets(root)? {
        let targets = checked
            .loaded
            .site
            .config
            .as_ref()
            .map_or(&[][..], |c| c.publish.as_slice());
        select(targets, opts.target.as_deref()).map_err(|k| PublishError::new(lang, k))?;
    }
    let rendered = render_site(root, opts.drafts)
        .map_err(|e| PublishError::new(Lang::Vi, ErrorKind::Root(e)))?;
    let (checked, files) = match rendered {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let build_time = start.elapsed();
    if let Some(config) = &checked.loaded.site.config
        && is_placeholder(&config.base_url)
    {
        let (lang, url) = (checked.lang, config.base_url.clone());
        if !opts.allow_placeholder && !opts.dry_run && still_the_scaffolds(&checked) {
            return Err(PublishError::new(
                lang,
                ErrorKind::Placeholder { base_url: url },
            ));
        }
        log(&tr!(
            lang,
            "Cảnh báo: `base_url` vẫn là địa chỉ mẫu ({url}); sơ đồ trang, liên kết chuẩn và nguồn tin sẽ trỏ tới đó.",
            "Warning: `base_url` is still the placeholder ({url}); the sitemap, canonical links and feeds point there."
        ));
    }
    let mut report = deploy(&checked, &files, opts, log)?;
    report.build_time = build_time;
    report.deploy_time = start.elapsed() - build_time;
    Ok(Outcome::Done(Published { checked, report }))
}

/// The work of `publish` once the site is built and valid.
fn deploy(
    checked: &Checked,
    files: &[crate::output::OutFile],
    opts: &PublishOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Report, PublishError> {
    let lang = checked.lang;
    let err = |kind| PublishError::new(lang, kind);
    let targets = checked
        .loaded
        .site
        .config
        .as_ref()
        .map_or(&[][..], |c| c.publish.as_slice());
    let target = select(targets, opts.target.as_deref()).map_err(err)?;
    if files.is_empty() {
        return Err(err(ErrorKind::Empty));
    }
    let mut manifest = Manifest::of(files).map_err(|p| err(ErrorKind::BadPath(p)))?;
    let mut ep = open(target, &checked.loaded.root, lang, opts.ssh.as_deref()).map_err(err)?;
    let place = ep.place();
    if !opts.dry_run {
        ep.lock().map_err(err)?;
    }
    let state = ep.state().map_err(err)?;
    if state.current == Current::NotALink {
        return Err(err(ErrorKind::NotALink { place }));
    }
    let current = state.current_release().map(str::to_string);
    let base = match &current {
        Some(id) => ep
            .manifests(std::slice::from_ref(id))
            .map_err(err)?
            .pop()
            .flatten(),
        None => None,
    };
    let id = manifest::new_id(
        chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()),
        &state.releases,
        &manifest.content,
    );
    manifest.stamp(&id);
    let diff = Diff::between(base.as_ref(), &manifest);
    let unchanged = base.as_ref().is_some_and(|b| b.content == manifest.content);
    let mut out = Report {
        target: target.name.clone(),
        place,
        id: None,
        previous: current.clone(),
        files: manifest.files,
        bytes: manifest.bytes,
        sent_files: if unchanged {
            0
        } else {
            diff.added.len() + diff.changed.len()
        },
        sent_bytes: if unchanged { 0 } else { diff.sent_bytes() },
        wire_bytes: None,
        linked_files: diff.same.len(),
        removed_files: diff.removed.len(),
        resumed_files: 0,
        pruned: Vec::new(),
        unchanged,
        dry_run: opts.dry_run,
        changes: Vec::new(),
        prune_error: None,
        build_time: std::time::Duration::ZERO,
        deploy_time: std::time::Duration::ZERO,
        lang,
    };
    if unchanged {
        return Ok(out);
    }
    if opts.dry_run {
        let mut lines: Vec<(&str, String)> = Vec::new();
        for e in &diff.added {
            lines.push((&e.path, format!("+ {}  ({})", e.path, size(e.size, lang))));
        }
        for e in &diff.changed {
            lines.push((&e.path, format!("~ {}  ({})", e.path, size(e.size, lang))));
        }
        for e in &diff.removed {
            lines.push((&e.path, format!("- {}", e.path)));
        }
        lines.sort();
        out.changes = lines.into_iter().map(|(_, l)| l).collect();
        return Ok(out);
    }

    let resume = state.partials.last().cloned();
    let stale: Vec<String> = state
        .partials
        .iter()
        .filter(|p| Some(*p) != resume.as_ref())
        .chain(&state.trash)
        .cloned()
        .collect();
    let job = Job {
        partial: format!("{PARTIAL}{id}"),
        resume,
        stale,
        base: if base.is_some() {
            current.as_deref()
        } else {
            None
        },
        link: diff.same.clone(),
        send: diff.sent(),
        bytes: files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect(),
        manifest: manifest.to_json(),
    };
    {
        let n = job.send.len();
        let b = size(out.sent_bytes, lang);
        let k = job.link.len();
        log(&tr!(
            lang,
            "Đang tải lên {n} tệp mới hoặc đã đổi ({b}), liên kết {k} tệp không đổi…",
            "Uploading {n} new or changed files ({b}), linking {k} unchanged files…"
        ));
    }
    let staged = ep.stage(&job).map_err(err)?;
    ep.commit(&job.partial, &id).map_err(err)?;
    ep.switch(&id).map_err(err)?;
    out.id = Some(id.clone());
    out.linked_files = staged.linked;
    out.sent_files = staged.sent;
    out.sent_bytes = staged.sent_bytes;
    out.resumed_files = staged.resumed;
    out.wire_bytes = staged.wire;

    let mut all = state.releases.clone();
    all.push(id.clone());
    let pruned = prune_list(&all, &id, target.keep);
    if !pruned.is_empty() {
        match ep.remove(&pruned) {
            Ok(()) => out.pruned = pruned,
            Err(e) => out.prune_error = Some(PublishError::new(lang, e).to_string()),
        }
    }
    Ok(out)
}

/// Lists the releases of a target.
pub fn releases(root: &Path, target: Option<&str>) -> Result<Outcome<Releases>, PublishError> {
    let (checked, lang) = match site_targets(root)? {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let err = |kind| PublishError::new(lang, kind);
    let Some(config) = checked.loaded.site.config.as_ref() else {
        return Ok(Outcome::Invalid(Box::new(checked)));
    };
    let target = select(&config.publish, target).map_err(err)?;
    let mut ep = open(target, &checked.loaded.root, lang, None).map_err(err)?;
    let state = ep.state().map_err(err)?;
    let manifests = ep.manifests(&state.releases).map_err(err)?;
    let current = state.current_release();
    let mut list: Vec<Release> = state
        .releases
        .iter()
        .zip(manifests)
        .map(|(id, m)| Release {
            id: id.clone(),
            files: m.as_ref().map(|m| m.files),
            bytes: m.as_ref().map(|m| m.bytes),
            current: Some(id.as_str()) == current,
        })
        .collect();
    list.reverse();
    Ok(Outcome::Done(Releases {
        target: target.name.clone(),
        place: ep.place(),
        releases: list,
        partials: state.partials,
        lang,
    }))
}

/// Points `current` of a target back at the release before it, or at the
/// release `to`.
pub fn rollback(
    root: &Path,
    target: Option<&str>,
    to: Option<&str>,
) -> Result<Outcome<RolledBack>, PublishError> {
    let (checked, lang) = match site_targets(root)? {
        Ok(v) => v,
        Err(checked) => return Ok(Outcome::Invalid(Box::new(checked))),
    };
    let err = |kind| PublishError::new(lang, kind);
    let Some(config) = checked.loaded.site.config.as_ref() else {
        return Ok(Outcome::Invalid(Box::new(checked)));
    };
    let target = select(&config.publish, target).map_err(err)?;
    let mut ep = open(target, &checked.loaded.root, lang, None).map_err(err)?;
    let place = ep.place();
    ep.lock().map_err(err)?;
    let state = ep.state().map_err(err)?;
    let from = match &state.current {
        Current::Release(id) => id.clone(),
        Current::NotALink => return Err(err(ErrorKind::NotALink { place })),
        Current::Absent | Current::Elsewhere => return Err(err(ErrorKind::NoCurrent { place })),
    };
    let dest = match to {
        Some(q) => resolve(&state.releases, q).ok_or_else(|| {
            err(ErrorKind::UnknownRelease {
                query: q.to_string(),
                ids: state.releases.clone(),
            })
        })?,
        None => before(&state.releases, &from).ok_or_else(|| {
            err(ErrorKind::NoPrevious {
                current: from.clone(),
            })
        })?,
    }
    .clone();
    if dest != from {
        let m = ep
            .manifests(std::slice::from_ref(&dest))
            .map_err(err)?
            .pop()
            .flatten();
        if m.is_none() {
            return Err(err(ErrorKind::Incomplete { id: dest }));
        }
        ep.switch(&dest).map_err(err)?;
    }
    Ok(Outcome::Done(RolledBack {
        target: target.name.clone(),
        place,
        from,
        to: dest,
        lang,
    }))
}

// ---- reports --------------------------------------------------------------

/// A size for people: `12,3 MB` in Vietnamese, `12.3 MB` in English.
pub(crate) fn size(bytes: u64, lang: Lang) -> String {
    #[allow(clippy::cast_precision_loss)] // display only
    let b = bytes as f64;
    let (v, unit) = if bytes < 1000 {
        return format!("{bytes} B");
    } else if b < 1e6 {
        (b / 1e3, "KB")
    } else if b < 1e9 {
        (b / 1e6, "MB")
    } else {
        (b / 1e9, "GB")
    };
    let s = format!("{v:.1}");
    match lang {
        Lang::Vi => format!("{} {unit}", s.replace('.', ",")),
        Lang::En => format!("{s} {unit}"),
    }
}

/// The date of a release id in the province's time (ids are in UTC):
/// `16/07/2019 16:30:00 +07`.
fn id_date(id: &str) -> String {
    manifest::id_time(id).map_or_else(String::new, |t| {
        t.and_utc()
            .with_timezone(&crate::diag::VIETNAM)
            .format("%d/%m/%Y %H:%M:%S +07")
            .to_string()
    })
}

impl Report {
    /// What happened, for people, in the site's language.
    pub fn summary(&self) -> String {
        let l = self.lang;
        let t = &self.target;
        let p = &self.place;
        let mut s = String::new();
        if self.unchanged {
            let cur = self.previous.as_deref().unwrap_or("-");
            s += &tr!(
                l,
                "Site không thay đổi so với bản đang hoạt động {cur} trên «{t}» ({p}); không xuất bản gì.",
                "The site is the same as the current release {cur} of '{t}' ({p}); nothing to publish."
            );
            s.push('\n');
            return s;
        }
        let (n, b) = (self.sent_files, size(self.sent_bytes, l));
        let (k, r) = (self.linked_files, self.removed_files);
        if self.dry_run {
            s += &tr!(
                l,
                "Chạy thử: xuất bản lên «{t}» ({p}) sẽ gửi {n} tệp ({b}), liên kết {k} tệp không đổi, bỏ {r} tệp.",
                "Dry run: publishing to '{t}' ({p}) would send {n} files ({b}), link {k} unchanged files, and drop {r} files."
            );
            s.push('\n');
            for c in &self.changes {
                s += "  ";
                s += c;
                s.push('\n');
            }
            s += &tr!(
                l,
                "Chạy lại không có --dry-run để gửi {n} tệp và chuyển trang cổng sang bản mới. Lần chạy thử này chưa thay đổi gì trên đích.",
                "Run again without --dry-run to send the {n} files and switch the portal to the new release. This dry run changed nothing on the target."
            );
            s.push('\n');
            return s;
        }
        let id = self.id.as_deref().unwrap_or("-");
        let (files, total) = (self.files, size(self.bytes, l));
        s += &tr!(
            l,
            "Đã xuất bản {id} lên «{t}» ({p}): {files} tệp ({total}); đã gửi {n} tệp ({b}), liên kết {k} tệp không đổi, bỏ {r} tệp.",
            "Published {id} to '{t}' ({p}): {files} files ({total}); sent {n} files ({b}), linked {k} unchanged files, dropped {r} files."
        );
        s.push('\n');
        if let Some(w) = self.wire_bytes {
            let w = size(w, l);
            s += &tr!(
                l,
                "  Dữ liệu thực gửi qua mạng (rsync, đã nén): {w}.",
                "  Bytes on the wire (rsync, compressed): {w}."
            );
            s.push('\n');
        }
        if self.resumed_files > 0 {
            let m = self.resumed_files;
            s += &tr!(
                l,
                "  Tiếp tục lần tải lên dở dang trước: {m} tệp đã có sẵn, không gửi lại.",
                "  Resumed the unfinished upload before: {m} files were already there and not sent again."
            );
            s.push('\n');
        }
        match &self.previous {
            Some(prev) => {
                s += &tr!(
                    l,
                    "  «current» đã chuyển từ {prev} sang {id}. Quay lui: planpress rollback {t}",
                    "  'current' switched from {prev} to {id}. To undo: planpress rollback {t}"
                )
            }
            None => {
                s += &tr!(
                    l,
                    "  «current» trỏ tới {id}.",
                    "  'current' points at {id}."
                )
            }
        }
        s.push('\n');
        if !self.pruned.is_empty() {
            let list = self.pruned.join(", ");
            s += &tr!(
                l,
                "  Đã xoá bản cũ (keep): {list}.",
                "  Deleted old releases (keep): {list}."
            );
            s.push('\n');
        }
        if let Some(e) = &self.prune_error {
            s += &tr!(
                l,
                "  Cảnh báo: chưa xoá được bản cũ: {e}",
                "  Warning: could not delete old releases: {e}"
            );
            s.push('\n');
        }
        s
    }
}

impl Releases {
    /// The list, for people, in the site's language.
    pub fn render(&self) -> String {
        let l = self.lang;
        let (t, p) = (&self.target, &self.place);
        let mut s = String::new();
        if self.releases.is_empty() {
            s += &tr!(
                l,
                "«{t}» ({p}) chưa có bản phát hành nào.",
                "'{t}' ({p}) has no release yet."
            );
            s.push('\n');
        } else {
            s += &tr!(
                l,
                "Các bản phát hành của «{t}» ({p}), mới nhất trước:",
                "Releases of '{t}' ({p}), newest first:"
            );
            s.push('\n');
            let (hid, hdate, hfiles, hsize) = match l {
                Lang::Vi => ("Mã", "Thời điểm", "Số tệp", "Dung lượng"),
                Lang::En => ("Id", "Date", "Files", "Size"),
            };
            s += &format!("    {hid:<25}  {hdate:<23}  {hfiles:>7}  {hsize:>10}\n");
            for r in &self.releases {
                let mark = if r.current { "*" } else { " " };
                let files = r.files.map_or_else(|| "?".into(), |f| f.to_string());
                let bytes = r.bytes.map_or_else(|| "?".into(), |b| size(b, l));
                let note = if r.current {
                    tr!(l, "  ← đang hoạt động (current)", "  ← current")
                } else if r.files.is_none() {
                    tr!(l, "  (thiếu manifest)", "  (manifest missing)")
                } else {
                    String::new()
                };
                s += &format!(
                    "  {mark} {:<25}  {:<23}  {files:>7}  {bytes:>10}{note}\n",
                    r.id,
                    id_date(&r.id)
                );
            }
        }
        for partial in &self.partials {
            s += &tr!(
                l,
                "  (tải lên dở dang: releases/{partial}; lần xuất bản sau sẽ tiếp tục hoặc dọn nó)",
                "  (unfinished upload: releases/{partial}; the next publish resumes or removes it)"
            );
            s.push('\n');
        }
        s
    }
}

impl RolledBack {
    /// What happened, for people, in the site's language.
    pub fn summary(&self) -> String {
        let l = self.lang;
        let (t, p, from, to) = (&self.target, &self.place, &self.from, &self.to);
        let mut s = if from == to {
            tr!(
                l,
                "{to} đã là bản đang hoạt động của «{t}» ({p}); không đổi gì.",
                "{to} is already the current release of '{t}' ({p}); nothing changed."
            )
        } else {
            tr!(
                l,
                "Đã chuyển «current» của «{t}» ({p}) từ {from} về {to}.",
                "Switched 'current' of '{t}' ({p}) from {from} to {to}."
            )
        };
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn prunes_the_oldest_but_never_current_or_the_one_before() {
        let r = ids(&["a1", "a2", "a3", "a4", "a5"]);
        assert_eq!(prune_list(&r, "a5", 3), ids(&["a1", "a2"]));
        assert_eq!(prune_list(&r, "a5", 5), Vec::<String>::new());
        // keep: 1 still keeps the one before current.
        assert_eq!(prune_list(&r, "a5", 1), ids(&["a1", "a2", "a3"]));
        // After a rollback to a2, a2 and a1 stay; newer ones may go.
        assert_eq!(prune_list(&r, "a2", 2), ids(&["a3", "a4", "a5"]));
        assert_eq!(prune_list(&r, "a2", 4), ids(&["a3"]));
    }

    #[test]
    fn resolves_ids_by_prefix_or_suffix() {
        let r = ids(&[
            "20190716T093000Z-aaaa1111",
            "20190716T100000Z-bbbb2222",
            "20190801T080000Z-cccc3333",
        ]);
        assert_eq!(resolve(&r, "20190801").unwrap(), &r[2]);
        assert_eq!(resolve(&r, "bbbb2222").unwrap(), &r[1]);
        assert_eq!(resolve(&r, &r[0]).unwrap(), &r[0]);
        assert!(resolve(&r, "20190716").is_none(), "ambiguous");
        assert!(resolve(&r, "zzz").is_none());
        assert!(resolve(&r, "").is_none());
        assert_eq!(before(&r, &r[2]), Some(&r[1]));
        assert_eq!(before(&r, &r[0]), None);
    }

    #[test]
    fn selects_the_only_target_or_the_named_one() {
        let t = |name: &str| Target {
            name: name.into(),
            kind: TargetKind::Dir,
            path: "/x".into(),
            keep: 5,
        };
        assert!(matches!(select(&[], None), Err(ErrorKind::NoTargets)));
        assert_eq!(select(&[t("a")], None).unwrap().name, "a");
        let two = [t("a"), t("b")];
        match select(&two, None) {
            Err(ErrorKind::TargetRequired { names }) => assert_eq!(names, ids(&["a", "b"])),
            other => panic!("{other:?}"),
        }
        assert_eq!(select(&two, Some("b")).unwrap().name, "b");
        assert!(matches!(
            select(&two, Some("c")),
            Err(ErrorKind::UnknownTarget { .. })
        ));
    }

    #[test]
    fn sizes_read_in_both_languages() {
        assert_eq!(size(999, Lang::Vi), "999 B");
        assert_eq!(size(12_345_678, Lang::Vi), "12,3 MB");
        assert_eq!(size(12_345_678, Lang::En), "12.3 MB");
        assert_eq!(size(1_500, Lang::En), "1.5 KB");
    }
}
