//! `kind: ssh`: releases on a remote host, reached with the system's
//! OpenSSH client and rsync, so that the user's `~/.ssh/config`, agent,
//! `known_hosts` and jump hosts work as they do for `ssh` itself.
//!
//! Every remote command is a constant POSIX `sh` script; the values (paths,
//! ids) travel as its positional parameters, each single-quoted, and long
//! lists travel on its standard input, NUL-separated. Nothing from
//! site.yaml is ever pasted into a script.
//!
//! All commands of one run share one connection (`ControlMaster`, with the
//! socket in a private temporary folder), so a passphrase is asked once and
//! each remote step costs a round trip, not a handshake. Host keys are
//! always checked (`StrictHostKeyChecking=yes`): an unknown or changed key
//! stops the publish with a message that says what to do.
//!
//! On the host: a POSIX shell with `mv -T` (GNU coreutils; python3 or perl
//! will do instead), `rsync`, and `flock` (util-linux) for the lock, which
//! is skipped where `flock` is missing.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use rayon::prelude::*;

use super::manifest::{self, MANIFEST, Manifest};
use super::{
    CurrentLink, Endpoint, ErrorKind, PARTIAL, Staged, TMP_LINK, TRASH, TargetState, Upload, io_err,
};
use crate::diag::Lang;

/// Environment variable with the ssh command to use, split like a shell
/// would (`PLANPRESS_SSH="ssh -F deploy/ssh_config"`), as `GIT_SSH_COMMAND`
/// does for git.
pub(crate) const SSH_ENV: &str = "PLANPRESS_SSH";

/// How to reach the target's folder.
#[derive(Clone, Debug)]
pub(crate) struct Remote {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: Option<String>,
    pub(crate) identity: Option<PathBuf>,
    /// The folder on the host, as site.yaml writes it: absolute, and not
    /// one that `path_refusal` refuses.
    pub(crate) path: String,
}

/// A folder of releases on an ssh host.
pub(crate) struct SshEndpoint {
    remote: Remote,
    /// The ssh program and its options, without the host.
    ssh: Vec<OsString>,
    /// Private folder of the connection's control socket.
    control: PathBuf,
    /// The remote process holding the lock; it lets go when its standard
    /// input closes, or when this process dies.
    lock: Option<Child>,
    has_rsync: Option<bool>,
    /// How many words of `ssh` are the user's command (`PLANPRESS_SSH`).
    base_words: usize,
    #[allow(dead_code)]
    lang: Lang,
}

// ---- the target's path ------------------------------------------------------

// ---- quoting ----------------------------------------------------------------

/// Quotes a word for a POSIX shell: `'…'`, with each `'` as `'\''`.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Quotes a word for rsync's `-e` command, which rsync splits at spaces and
/// whose quotes (single or double, no backslashes) keep spaces in a word.
fn rsync_quote(s: &str) -> Option<String> {
    if !s.contains('\'') {
        Some(format!("'{s}'"))
    } else if !s.contains('"') {
        Some(format!("\"{s}\""))
    } else {
        None
    }
}

/// Splits a command line like a POSIX shell does (quotes and backslashes;
/// no expansions). `None` for an unclosed quote.
pub(crate) fn split_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => cur.push(c),
                            '\n' => {}
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => cur.push(c),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// The command line that runs `script` with `args` as `$1`, `$2`, … on the
/// host, whatever the login shell makes of it.
fn remote_command(script: &str, args: &[&str]) -> String {
    let mut s = format!("sh -c {} planpress", sh_quote(script));
    for a in args {
        s.push(' ');
        s.push_str(&sh_quote(a));
    }
    s
}

/// The last lines of a tool's error output, for a message.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
        .collect();
    let start = lines.len().saturating_sub(6);
    let mut s = lines[start..].join(" | ");
    if s.len() > 1200 {
        let mut cut = 1200;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

// ---- remote scripts -----------------------------------------------------------

/// Lists releases, partial uploads and `current`; tells which tools exist.
const INSPECT: &str = r#"
if ! cd -- "$1" 2>/dev/null; then echo absent; echo end; exit 0; fi
if [ -L current ]; then printf 'current %s\n' "$(readlink current)"
elif [ -e current ]; then echo notalink; fi
if [ -d releases ]; then
  for f in releases/* releases/.[!.]*; do
    if [ -d "$f" ] && [ ! -L "$f" ]; then printf 'dir %s\n' "${f#releases/}"; fi
  done
fi
if command -v rsync >/dev/null 2>&1; then echo tool-rsync; fi
echo end
"#;

/// Prints the manifests of the releases named in `$2…`, each after a marker
/// line (JSON never holds a raw newline, so the marker cannot be forged).
/// A release without one prints only its marker, and the script still
/// succeeds: the release is listed as incomplete, as on a dir target.
const MANIFESTS: &str = r#"
cd -- "$1" 2>/dev/null || exit 0
shift
for id; do
  printf '\n@@planpress-manifest %s\n' "$id"
  cat -- "releases/$id/.planpress-manifest.json" 2>/dev/null || :
done
exit 0
"#;

/// Holds the target's lock until standard input closes.
const LOCK_SCRIPT: &str = r#"
umask 022
mkdir -p -- "$1" && cd -- "$1" || exit 1
exec 9>>.planpress.lock
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || { echo busy; exit 0; }
fi
echo locked
exec cat >/dev/null
"#;

/// Lists the files of a partial upload, NUL-separated.
const LIST: &str = r#"
cd -- "$1/releases/$2" 2>/dev/null || exit 0
find . ! -type d -exec printf '%s\0' {} +
"#;

/// Makes `releases/$2` afresh: deletes stale folders (`$4…`) and
/// temporary links, and, resuming the partial upload `$3`, hard-links the
/// files named on standard input from it, then deletes it. The old folder
/// is never reused in place: a process of the killed publish that still
/// writes into it (an orphaned rsync) cannot reach the new release.
const PREPARE: &str = r#"
set -e
umask 022
mkdir -p -- "$1/releases"
cd -- "$1"
partial=$2; resume=$3; shift 3
for l in current.tmp-*; do if [ -L "$l" ]; then rm -f -- "$l"; fi; done
cd releases
for s; do rm -rf -- "$s" 2>/dev/null || :; done
rm -rf -- "$partial"
mkdir -m 755 -- "$partial"
if [ -n "$resume" ] && [ -d "$resume" ]; then
  old=$(cd -- "$resume" && pwd -P)
  rsync -a --files-from=- --from0 --link-dest="$old" -- "$resume/" "$partial/" 2>/dev/null || :
  rm -rf -- "$resume" 2>/dev/null || :
else
  cat >/dev/null
fi
"#;

/// Hard-links the files named on standard input from release `$2` into
/// `$3`, in one rsync run on the host (`--link-dest`).
const LINK: &str = r#"
set -e
cd -- "$1/releases"
base=$(cd -- "$2" && pwd -P)
rsync -a --files-from=- --from0 --link-dest="$base" -- "$2/" "$3/"
"#;

/// Renames the complete upload `$2` to release `$3`, its files flushed to
/// disk first (`sync -f`: only that file system, where GNU sync has it).
const COMMIT: &str = r#"
set -e
cd -- "$1/releases"
test -f "$2/.planpress-manifest.json"
test ! -e "$3"
sync -f "$2" 2>/dev/null || sync 2>/dev/null || :
mv -- "$2" "$3"
"#;

/// Points `current` at release `$2` by renaming the new link `$3` over it.
const SWITCH: &str = r#"
set -e
cd -- "$1"
if [ ! -f "releases/$2/.planpress-manifest.json" ]; then
  echo "releases/$2: no manifest, not switching" >&2; exit 3
fi
rm -f -- "$3"
ln -s -- "releases/$2" "$3"
if mv -T -- "$3" current 2>/dev/null; then exit 0; fi
if command -v python3 >/dev/null 2>&1; then
  exec python3 -c 'import os, sys; os.replace(sys.argv[1], sys.argv[2])' "$3" current
fi
exec perl -e 'rename($ARGV[0], $ARGV[1]) or die "rename: $!\n"' "$3" current
"#;

/// Deletes releases `$2…`, each renamed out of the way first.
const REMOVE: &str = r#"
set -e
cd -- "$1/releases"
shift
for id; do
  if [ -d "$id" ]; then
    rm -rf -- ".trash-$id"
    mv -- "$id" ".trash-$id"
    rm -rf -- ".trash-$id"
  fi
done
"#;

// ---- the endpoint -------------------------------------------------------------

fn valid_host(h: &str) -> bool {
    !h.is_empty() && !h.starts_with('-') && !h.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl SshEndpoint {
    /// An endpoint on `remote`; `command` is the ssh command to use (by
    /// default `$PLANPRESS_SSH`, or `ssh`).
    pub(crate) fn new(
        remote: Remote,
        command: Option<&str>,
        lang: Lang,
    ) -> Result<Self, ErrorKind> {
        if !valid_host(&remote.host) {
            return Err(ErrorKind::BadHost { host: remote.host });
        }
        // Before any connection: nothing is made on the host.
        if let Some(why) = crate::model::remote::path_refusal(&remote.path, lang) {
            return Err(ErrorKind::SshTargetPath {
                path: remote.path,
                why,
            });
        }
        let command = match command {
            Some(c) => Ok(c.to_string()),
            None => std::env::var(SSH_ENV),
        };
        let mut ssh: Vec<OsString> = match command {
            Ok(v) if !v.trim().is_empty() => split_words(&v)
                .filter(|w| !w.is_empty())
                .ok_or(ErrorKind::BadSshCommand { value: v })?
                .into_iter()
                .map(OsString::from)
                .collect(),
            _ => vec!["ssh".into()],
        };
        let base_words = ssh.len();
        let control = private_dir().map_err(|e| io_err(std::env::temp_dir().display(), e))?;
        let mut o = |k: &str, v: &str| {
            ssh.push("-o".into());
            ssh.push(format!("{k}={v}").into());
        };
        o("StrictHostKeyChecking", "yes");
        o("ControlMaster", "auto");
        o("ControlPath", &format!("{}/%C", control.display()));
        o("ControlPersist", "60");
        o("ConnectTimeout", "30");
        o("ServerAliveInterval", "15");
        o("ServerAliveCountMax", "4");
        if remote.identity.is_some() {
            o("IdentitiesOnly", "yes");
        }
        if let Some(id) = &remote.identity {
            ssh.push("-i".into());
            ssh.push(id.clone().into_os_string());
        }
        if remote.port != 22 {
            ssh.push("-p".into());
            ssh.push(remote.port.to_string().into());
        }
        if let Some(u) = &remote.user {
            ssh.push("-l".into());
            ssh.push(u.into());
        }
        Ok(SshEndpoint {
            remote,
            ssh,
            control,
            lock: None,
            has_rsync: None,
            base_words,
            lang,
        })
    }

    fn who(&self) -> String {
        let r = &self.remote;
        let user = r
            .user
            .as_ref()
            .map_or_else(String::new, |u| format!("{u}@"));
        if r.port == 22 {
            format!("{user}{}", r.host)
        } else {
            format!("{user}{} (port {})", r.host, r.port)
        }
    }

    /// The command a user runs to connect as planpress does, to check and
    /// accept the host key.
    fn hint(&self) -> String {
        let mut words: Vec<String> = self.ssh[..self.base_words]
            .iter()
            .map(|w| w.to_string_lossy().to_string())
            .collect();
        if self.remote.port != 22 {
            words.push("-p".into());
            words.push(self.remote.port.to_string());
        }
        let user = self
            .remote
            .user
            .as_ref()
            .map_or_else(String::new, |u| format!("{u}@"));
        words.push(format!("{user}{}", self.remote.host));
        words
            .iter()
            .map(|w| {
                if w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./@:=%+,".contains(c))
                {
                    w.clone()
                } else {
                    sh_quote(w)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.ssh[0]);
        c.args(&self.ssh[1..]);
        c
    }

    /// Turns a failed ssh or rsync run into a message.
    fn failure(&self, step: &'static str, status: ExitStatus, stderr: &[u8]) -> ErrorKind {
        let text = String::from_utf8_lossy(stderr);
        let detail = tail(stderr);
        let host = self.who();
        if text.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || (text.contains("Host key for") && text.contains("has changed"))
        {
            ErrorKind::HostKeyChanged { host, detail }
        } else if text.contains("Host key verification failed")
            || text.contains("host key is known")
        {
            ErrorKind::HostKeyUnknown {
                host,
                cmd: self.hint(),
                detail,
            }
        } else if text.contains("Permission denied (") || text.contains("Too many authentication") {
            ErrorKind::AuthFailed { host, detail }
        } else if text.contains("rsync: command not found")
            || text.contains("rsync: not found")
            || text.contains("rsync: No such file")
        {
            ErrorKind::RemoteTool {
                tool: "rsync",
                host,
            }
        } else if status.code() == Some(255) {
            ErrorKind::Connect { host, detail }
        } else {
            let code = status
                .code()
                .map_or_else(|| "signal".to_string(), |c| c.to_string());
            ErrorKind::Remote {
                step,
                detail: format!("exit {code}: {detail}"),
            }
        }
    }

    fn spawn_error(&self, program: &OsString, e: std::io::Error) -> ErrorKind {
        if e.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::MissingTool {
                tool: program.to_string_lossy().to_string(),
            }
        } else {
            io_err(program.to_string_lossy(), e)
        }
    }

    /// Runs `script` on the host with `args` after the target's path, and
    /// `input` on its standard input; returns its standard output.
    fn run(
        &self,
        step: &'static str,
        script: &str,
        args: &[&str],
        input: &[u8],
    ) -> Result<Vec<u8>, ErrorKind> {
        let mut all = vec![self.remote.path.as_str()];
        all.extend_from_slice(args);
        let mut child = self
            .command()
            .arg("--")
            .arg(&self.remote.host)
            .arg(remote_command(script, &all))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(&self.ssh[0], e))?;
        let output = std::thread::scope(|s| {
            if let Some(mut stdin) = child.stdin.take() {
                s.spawn(move || {
                    let _ = stdin.write_all(input);
                });
            }
            child.wait_with_output()
        })
        .map_err(|e| io_err("ssh", e))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(self.failure(step, output.status, &output.stderr))
        }
    }

    /// The files of partial upload `name`.
    fn list(&self, name: &str) -> Result<Vec<String>, ErrorKind> {
        let out = self.run("list", LIST, &[name], b"")?;
        Ok(out
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let s = String::from_utf8_lossy(p).to_string();
                s.strip_prefix("./").map_or(s.clone(), str::to_string)
            })
            .collect())
    }

    /// Uploads the files to send, and the manifest, with rsync; says what
    /// rsync counted.
    fn upload(&self, job: &Upload<'_>) -> Result<Transferred, ErrorKind> {
        let staging = Staging::new().map_err(|e| io_err(std::env::temp_dir().display(), e))?;
        let dir = &staging.0;
        let mut folders = BTreeSet::new();
        for e in &job.send {
            if let Some((parent, _)) = e.path.rsplit_once('/') {
                folders.insert(parent);
            }
        }
        for f in &folders {
            std::fs::create_dir_all(dir.join(f)).map_err(|e| io_err(dir.display(), e))?;
        }
        job.send
            .par_iter()
            .map(|e| {
                let bytes = job.bytes.get(e.path.as_str()).copied().unwrap_or_default();
                let p = dir.join(&e.path);
                std::fs::write(&p, bytes).map_err(|err| io_err(p.display(), err))
            })
            .collect::<Result<(), ErrorKind>>()?;
        let m = dir.join(MANIFEST);
        std::fs::write(&m, &job.manifest).map_err(|e| io_err(m.display(), e))?;
        let mut list: Vec<u8> = Vec::new();
        for e in &job.send {
            list.extend_from_slice(e.path.as_bytes());
            list.push(0);
        }
        list.extend_from_slice(MANIFEST.as_bytes());
        list.push(0);

        let mut rsh = String::new();
        for w in &self.ssh {
            let w = w.to_string_lossy();
            let q = rsync_quote(&w).ok_or_else(|| ErrorKind::BadSshCommand {
                value: w.to_string(),
            })?;
            if !rsh.is_empty() {
                rsh.push(' ');
            }
            rsh.push_str(&q);
        }
        let host = if self.remote.host.contains(':') {
            format!("[{}]", self.remote.host)
        } else {
            self.remote.host.clone()
        };
        let dest = format!(
            "{host}:{}/releases/{}/",
            self.remote.path.trim_end_matches('/'),
            job.partial
        );
        let rsync: OsString = "rsync".into();
        let mut child = Command::new(&rsync)
            .args([
                "--recursive",
                "--links",
                "--times",
                "--perms",
                "--chmod=D755,F644",
                "--checksum",
                "--compress",
                "--protect-args",
                "--stats",
                "--files-from=-",
                "--from0",
                "-e",
                &rsh,
                "--",
            ])
            .arg(format!("{}/", dir.display()))
            .arg(&dest)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(&rsync, e))?;
        let output = std::thread::scope(|s| {
            if let Some(mut stdin) = child.stdin.take() {
                let list = &list;
                s.spawn(move || {
                    let _ = stdin.write_all(list);
                });
            }
            child.wait_with_output()
        })
        .map_err(|e| io_err("rsync", e))?;
        if !output.status.success() {
            return Err(self.failure("rsync", output.status, &output.stderr));
        }
        let stats = String::from_utf8_lossy(&output.stdout);
        let number = |label: &str| -> Option<u64> {
            let line = stats.lines().find(|l| l.trim_start().starts_with(label))?;
            let digits: String = line[line.find(':')? + 1..]
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .filter(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        };
        Ok(Transferred {
            wire: number("Total bytes sent"),
            files: number("Number of regular files transferred")
                .and_then(|n| usize::try_from(n).ok()),
            bytes: number("Total transferred file size"),
        })
    }
}

impl Drop for SshEndpoint {
    fn drop(&mut self) {
        if let Some(mut child) = self.lock.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
        let _ = self
            .command()
            .args(["-O", "exit", "--"])
            .arg(&self.remote.host)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.control);
    }
}

impl Endpoint for SshEndpoint {
    fn place(&self) -> String {
        let r = &self.remote;
        let user = r
            .user
            .as_ref()
            .map_or_else(String::new, |u| format!("{u}@"));
        let port = if r.port == 22 {
            String::new()
        } else {
            format!(":{}", r.port)
        };
        let path = if r.path.starts_with('/') {
            r.path.clone()
        } else {
            format!("/~/{}", r.path)
        };
        format!("ssh://{user}{}{port}{path}", r.host)
    }

    fn lock(&mut self) -> Result<(), ErrorKind> {
        let mut child = self
            .command()
            .arg("--")
            .arg(&self.remote.host)
            .arg(remote_command(LOCK_SCRIPT, &[&self.remote.path]))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(&self.ssh[0], e))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        match line.trim() {
            "locked" => {
                self.lock = Some(child);
                Ok(())
            }
            "busy" => {
                drop(child.stdin.take());
                let _ = child.wait();
                Err(ErrorKind::Busy {
                    place: self.place(),
                })
            }
            _ => {
                drop(child.stdin.take());
                let mut err = Vec::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_end(&mut err);
                }
                let status = child.wait().map_err(|e| io_err("ssh", e))?;
                Err(self.failure("lock", status, &err))
            }
        }
    }

    fn state(&mut self) -> Result<TargetState, ErrorKind> {
        let out = self.run("inspect", INSPECT, &[], b"")?;
        let text = String::from_utf8_lossy(&out);
        let mut state = TargetState {
            releases: Vec::new(),
            partials: Vec::new(),
            trash: Vec::new(),
            current: CurrentLink::Absent,
        };
        let mut complete = false;
        let mut rsync = false;
        for line in text.lines() {
            if let Some(link) = line.strip_prefix("current ") {
                state.current = match link
                    .strip_prefix("releases/")
                    .map(|l| l.trim_end_matches('/'))
                {
                    Some(id) if manifest::is_id(id) => CurrentLink::Release(id.to_string()),
                    _ => CurrentLink::Elsewhere,
                };
            } else if line == "notalink" {
                state.current = CurrentLink::NotALink;
            } else if let Some(name) = line.strip_prefix("dir ") {
                if manifest::is_id(name) {
                    state.releases.push(name.to_string());
                } else if name.starts_with(PARTIAL) {
                    state.partials.push(name.to_string());
                } else if name.starts_with(TRASH) {
                    state.trash.push(name.to_string());
                }
            } else if line == "tool-rsync" {
                rsync = true;
            } else if line == "end" {
                complete = true;
            }
        }
        if !complete {
            return Err(ErrorKind::Remote {
                step: "inspect",
                detail: tail(&out),
            });
        }
        self.has_rsync = Some(rsync);
        state.releases.sort();
        state.partials.sort();
        Ok(state)
    }

    fn manifests(&mut self, ids: &[String]) -> Result<Vec<Option<Manifest>>, ErrorKind> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let args: Vec<&str> = ids.iter().map(String::as_str).collect();
        let out = self.run("manifests", MANIFESTS, &args, b"")?;
        let marker: &[u8] = b"\n@@planpress-manifest ";
        let mut found = std::collections::HashMap::new();
        let mut rest: &[u8] = &out;
        // After each marker: "<id>\n<json>".
        while let Some(i) = find(rest, marker) {
            rest = &rest[i + marker.len()..];
            let end = find(rest, marker).unwrap_or(rest.len());
            let chunk = &rest[..end];
            if let Some(nl) = chunk.iter().position(|b| *b == b'\n') {
                let id = String::from_utf8_lossy(&chunk[..nl]).to_string();
                found.insert(id, Manifest::parse(&chunk[nl + 1..]));
            }
            rest = &rest[end..];
        }
        Ok(ids.iter().map(|id| found.remove(id).flatten()).collect())
    }

    fn stage(&mut self, job: &Upload<'_>) -> Result<Staged, ErrorKind> {
        if self.has_rsync == Some(false) {
            return Err(ErrorKind::RemoteTool {
                tool: "rsync",
                host: self.who(),
            });
        }
        // Resuming: the files to send that the killed publish had already
        // uploaded are linked into the new folder; rsync --checksum then
        // keeps those that are right and replaces the others.
        let mut resumable: Vec<u8> = Vec::new();
        let mut present = 0usize;
        if let Some(r) = &job.resume {
            let send: BTreeSet<&str> = job.send.iter().map(|e| e.path.as_str()).collect();
            for f in self.list(r)? {
                if send.contains(f.as_str()) {
                    present += 1;
                    resumable.extend_from_slice(f.as_bytes());
                    resumable.push(0);
                }
            }
        }
        let mut args: Vec<&str> = vec![&job.partial, job.resume.as_deref().unwrap_or("")];
        args.extend(job.stale.iter().map(String::as_str));
        self.run("prepare", PREPARE, &args, &resumable)?;

        let mut staged = Staged::default();
        if let Some(base) = job.base
            && !job.link.is_empty()
        {
            let mut list: Vec<u8> = Vec::new();
            for e in &job.link {
                list.extend_from_slice(e.path.as_bytes());
                list.push(0);
            }
            self.run("link", LINK, &[base, &job.partial], &list)?;
            staged.linked = job.link.len();
        }
        let t = self.upload(job)?;
        staged.wire = t.wire;
        // rsync's counts include the manifest, always sent.
        let all = job.send.len();
        let all_bytes: u64 = job.send.iter().map(|e| e.size).sum();
        let files = t.files.map_or(all, |n| n.saturating_sub(1).min(all));
        staged.resumed = (all - files).min(present);
        staged.sent = all - staged.resumed;
        staged.sent_bytes = t.bytes.map_or(all_bytes, |b| {
            b.saturating_sub(job.manifest.len() as u64).min(all_bytes)
        });
        Ok(staged)
    }

    fn commit(&mut self, partial: &str, id: &str) -> Result<(), ErrorKind> {
        self.run("commit", COMMIT, &[partial, id], b"").map(|_| ())
    }

    fn switch(&mut self, id: &str) -> Result<(), ErrorKind> {
        let tmp = format!("{TMP_LINK}{id}-{}", std::process::id());
        self.run("switch", SWITCH, &[id, &tmp], b"").map(|_| ())
    }

    fn remove(&mut self, ids: &[String]) -> Result<(), ErrorKind> {
        let args: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.run("remove", REMOVE, &args, b"").map(|_| ())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A new folder only this user can enter, under the temporary folder.
/// Folders of earlier runs that were killed (their process is gone) are
/// deleted on the way.
fn private_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    remove_dead(&base);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for i in 0..100u32 {
        let p = base.join(format!("planpress-{}-{nanos:x}-{i}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        builder.mode(0o700);
        match builder.create(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "cannot create a private temporary folder",
    ))
}

/// Deletes `planpress-<pid>-…` folders of processes that no longer run
/// (killed runs), closing the ssh connections they left open.
fn remove_dead(base: &std::path::Path) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix("planpress-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            // A connection the killed run left open is closed first.
            for socket in std::fs::read_dir(e.path()).into_iter().flatten().flatten() {
                if !socket.file_type().is_ok_and(|t| is_socket(&t)) {
                    continue;
                }
                let _ = Command::new("ssh")
                    .arg("-o")
                    .arg(format!("ControlPath={}", socket.path().display()))
                    .args(["-O", "exit", "--", "planpress"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(unix)]
fn is_socket(t: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_socket(t)
}

#[cfg(not(unix))]
fn is_socket(_: &std::fs::FileType) -> bool {
    false
}

/// What rsync counted in an upload.
struct Transferred {
    /// Bytes on the wire.
    wire: Option<u64>,
    /// Files sent (those already right on the host are not).
    files: Option<usize>,
    /// Their size.
    bytes: Option<u64>,
}

/// Local copies of the files to send, deleted when dropped.
struct Staging(PathBuf);

impl Staging {
    fn new() -> std::io::Result<Staging> {
        private_dir().map(Staging)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quotes_survive_a_shell() {
        for s in [
            "plain",
            "with space",
            "it's",
            "$(rm -rf /)",
            "`x`",
            "a\"b",
            "\\n",
            "",
            "*",
        ] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", sh_quote(s)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), s);
        }
        let cmd = remote_command("printf '%s|' \"$@\"", &["a b", "c'd", "$HOME"]);
        let out = Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "a b|c'd|$HOME|");
    }

    #[test]
    fn splits_commands_like_a_shell() {
        assert_eq!(
            split_words("ssh -F '/tmp/my dir/cfg' -o \"A=b c\" x\\ y").unwrap(),
            ["ssh", "-F", "/tmp/my dir/cfg", "-o", "A=b c", "x y"]
        );
        assert_eq!(split_words("  ssh  ").unwrap(), ["ssh"]);
        assert!(split_words("ssh 'open").is_none());
        assert_eq!(rsync_quote("a b").unwrap(), "'a b'");
        assert_eq!(rsync_quote("it's").unwrap(), "\"it's\"");
        assert!(rsync_quote("'\"").is_none());
    }

    #[test]
    fn hosts_cannot_be_options() {
        assert!(valid_host("portal.example.gov.vn"));
        assert!(!valid_host("-oProxyCommand=sh"));
        assert!(!valid_host("a b"));
        assert!(!valid_host(""));
    }
}
