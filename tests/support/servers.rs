//! Real servers for the publish tests and benchmark: an OpenSSH server and
//! nginx, each started on 127.0.0.1 on a free port with its own
//! configuration in a temporary folder, and stopped when dropped (also when
//! a test fails).
//!
//! Include with `#[path = "support/servers.rs"] mod servers;` (from
//! `tests/`) or `#[path = "../tests/support/servers.rs"] mod servers;`.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "tools.rs"]
pub(crate) mod tools;

/// Programs the end-to-end tests need.
const TOOLS: &[&str] = &["sshd", "ssh", "ssh-keygen", "rsync", "nginx"];

/// Where a program is: on `PATH`, or in the sbin folders that are not on
/// every user's `PATH`.
pub(crate) fn find_tool(name: &str) -> Option<PathBuf> {
    tools::find(name)
}

/// The missing programs, if any.
pub(crate) fn missing_tools() -> Vec<&'static str> {
    TOOLS
        .iter()
        .copied()
        .filter(|t| find_tool(t).is_none())
        .collect()
}

/// Whether the publish end-to-end test may go on: skips it (or fails it
/// under `PLANPRESS_TEST_ALL=1`) when a program is missing.
pub(crate) fn require_tools() -> bool {
    let missing = missing_tools();
    tools::require(
        &missing.join(", "),
        missing.is_empty(),
        "apt-get install openssh-server openssh-client rsync nginx",
    )
}

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A server process, killed when dropped.
struct Process {
    child: Child,
    name: &'static str,
    log: PathBuf,
}

impl Process {
    /// Waits until `port` accepts connections; fails with the server's log
    /// if it exits or takes too long.
    fn wait_ready(&mut self, port: u16) {
        let start = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before listening on {port}:\n{}",
                    self.name,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{} does not listen on {port}:\n{}",
                self.name,
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OpenSSH server on 127.0.0.1 for the current user, with its own host
/// key and an authorized key made for it, and the client files to reach
/// it: an `ssh_config` for `ssh -F` (host keys checked against the
/// `known_hosts` written here, no agent) and the private key.
pub(crate) struct Sshd {
    process: Process,
    /// Port it listens on.
    pub(crate) port: u16,
    /// The user to log in as.
    pub(crate) user: String,
    /// The client's private key (for `identity:`).
    pub(crate) key: PathBuf,
    /// The client configuration (for `ssh -F`).
    pub(crate) ssh_config: PathBuf,
    /// The known_hosts file the configuration names: holds the server's
    /// host key.
    pub(crate) known_hosts: PathBuf,
    /// The server's host key line, as it goes in known_hosts.
    pub(crate) host_key_line: String,
}

impl Sshd {
    /// Starts a server with its files under `dir`.
    pub(crate) fn start(dir: &Path) -> Sshd {
        std::fs::create_dir_all(dir).expect("sshd folder");
        let sshd = find_tool("sshd").expect("sshd");
        let host_key = dir.join("host_ed25519");
        let key = dir.join("id_ed25519");
        for k in [&host_key, &key] {
            let _ = std::fs::remove_file(k);
            run(Command::new("ssh-keygen")
                .args([
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "planpress-test",
                    "-f",
                ])
                .arg(k));
        }
        let authorized = dir.join("authorized_keys");
        std::fs::copy(key.with_extension("pub"), &authorized).expect("authorized_keys");
        if is_root() {
            // The privilege separation folder sshd insists on.
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1:{port}\n\
                 HostKey {host}\n\
                 PidFile {pid}\n\
                 AuthorizedKeysFile {auth}\n\
                 StrictModes no\n\
                 UsePAM no\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\n\
                 PermitRootLogin prohibit-password\n\
                 UseDNS no\n\
                 PrintMotd no\n\
                 Subsystem sftp internal-sftp\n\
                 LogLevel ERROR\n",
                host = host_key.display(),
                pid = dir.join("sshd.pid").display(),
                auth = authorized.display(),
            ),
        )
        .expect("sshd_config");
        let log = dir.join("sshd.log");
        let child = Command::new(&sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("sshd.log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", sshd.display()));
        let mut process = Process {
            child,
            name: "sshd",
            log,
        };
        process.wait_ready(port);

        let pub_key = std::fs::read_to_string(host_key.with_extension("pub")).expect("host key");
        let mut parts = pub_key.split_whitespace();
        let host_key_line = format!(
            "[127.0.0.1]:{port} {} {}\n",
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default()
        );
        let known_hosts = dir.join("known_hosts");
        std::fs::write(&known_hosts, &host_key_line).expect("known_hosts");
        let ssh_config = dir.join("ssh_config");
        std::fs::write(
            &ssh_config,
            format!(
                "Host *\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  IdentityAgent none\n  BatchMode yes\n  LogLevel ERROR\n",
                known_hosts.display()
            ),
        )
        .expect("ssh_config");
        Sshd {
            process,
            port,
            user: current_user(),
            key,
            ssh_config,
            known_hosts,
            host_key_line,
        }
    }

    /// The value of `PLANPRESS_SSH` that uses this server's client files.
    pub(crate) fn planpress_ssh(&self) -> String {
        format!("ssh -F '{}'", self.ssh_config.display())
    }

    /// A publish target of site.yaml for `path` on this server.
    pub(crate) fn target_yaml(&self, name: &str, path: &Path, keep: u32) -> String {
        format!(
            "  {name}: {{ kind: ssh, host: 127.0.0.1, port: {}, user: {}, identity: \"{}\", path: \"{}\", keep: {keep} }}\n",
            self.port,
            self.user,
            self.key.display(),
            path.display()
        )
    }
}

/// nginx on 127.0.0.1 serving `<root>` (the target's `current`), with
/// symlinks followed.
pub(crate) struct Nginx {
    process: Process,
    /// Port it listens on.
    pub(crate) port: u16,
}

impl Nginx {
    /// Starts nginx with its files under `dir`, serving `root`.
    pub(crate) fn start(dir: &Path, root: &Path) -> Nginx {
        let nginx = find_tool("nginx").expect("nginx");
        std::fs::create_dir_all(dir.join("tmp")).expect("nginx folder");
        let port = free_port();
        let conf = dir.join("nginx.conf");
        let t = dir.join("tmp");
        let user = if is_root() { "user root;\n" } else { "" };
        std::fs::write(
            &conf,
            format!(
                "daemon off;\nmaster_process off;\n{user}pid {pid};\nerror_log {err} warn;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n\
                   access_log off;\n\
                   client_body_temp_path {t}/body;\n  proxy_temp_path {t}/proxy;\n\
                   fastcgi_temp_path {t}/fastcgi;\n  uwsgi_temp_path {t}/uwsgi;\n  scgi_temp_path {t}/scgi;\n\
                   types {{ text/html html; text/css css; application/json json; text/csv csv; }}\n\
                   default_type application/octet-stream;\n\
                   server {{\n\
                     listen 127.0.0.1:{port};\n\
                     root {root};\n\
                     disable_symlinks off;\n\
                     index index.html;\n\
                     location ~ /\\.planpress {{ deny all; }}\n\
                   }}\n\
                 }}\n",
                pid = dir.join("nginx.pid").display(),
                err = dir.join("error.log").display(),
                t = t.display(),
                root = root.display(),
            ),
        )
        .expect("nginx.conf");
        let log = dir.join("nginx.log");
        let child = Command::new(&nginx)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("nginx.log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", nginx.display()));
        let mut process = Process {
            child,
            name: "nginx",
            log,
        };
        process.wait_ready(port);
        Nginx { process, port }
    }

    /// `GET path` over HTTP/1.0: the status code and the body.
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        http_get(self.port, path)
    }
}

/// A minimal HTTP/1.0 GET on 127.0.0.1: the status code and the body.
pub(crate) fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").expect("request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("response");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, body.to_string())
}

/// Debian's Exim on 127.0.0.1, in its own configuration under a temporary
/// folder: it accepts every recipient and delivers every message into one
/// maildir (`inbox`), with an `Envelope-to:` header naming the envelope
/// recipients. Only root may run Exim with a private configuration (`-C`),
/// so [`Exim::require`] skips the test elsewhere.
pub(crate) struct Exim {
    process: Process,
    /// Port it listens on.
    pub(crate) port: u16,
    /// The maildir messages are delivered into.
    pub(crate) inbox: PathBuf,
}

impl Exim {
    /// How to make Exim runnable here, if it is not.
    pub(crate) fn unavailable() -> Option<String> {
        if find_tool("exim4").is_none() {
            return Some("apt-get install exim4-daemon-light".into());
        }
        if !is_root() {
            return Some(
                "run the tests as root: Exim runs a private configuration (-C) only for root"
                    .into(),
            );
        }
        let user = Command::new("id").arg("Debian-exim").output();
        if !user.is_ok_and(|o| o.status.success()) {
            return Some("the Debian-exim user is missing: reinstall exim4-daemon-light".into());
        }
        None
    }

    /// Whether the test may go on: skips it (or fails it under
    /// `PLANPRESS_TEST_ALL=1`) when Exim cannot run here.
    pub(crate) fn require() -> bool {
        let why = Exim::unavailable();
        tools::require(
            "a local Exim (exim4, as root)",
            why.is_none(),
            why.as_deref().unwrap_or_default(),
        )
    }

    /// Starts Exim with its spool, log and maildir under `dir`.
    pub(crate) fn start(dir: &Path) -> Exim {
        Exim::start_refusing(dir, &[])
    }

    /// Like [`Exim::start`], but refusing the recipients `refused` at RCPT
    /// with a 550, as a relay does for an unknown mailbox.
    pub(crate) fn start_refusing(dir: &Path, refused: &[&str]) -> Exim {
        let dir = dir.join("exim");
        for sub in ["spool", "log", "mail"] {
            std::fs::create_dir_all(dir.join(sub)).expect("exim folder");
        }
        // Exim drops to its own user to write spool, log and mail.
        run(Command::new("chown")
            .args(["-R", "Debian-exim:Debian-exim"])
            .arg(&dir));
        let port = free_port();
        let d = dir.display();
        let deny: String = refused
            .iter()
            .map(|r| format!("  deny recipients = {r}\n       message = no such mailbox\n"))
            .collect();
        let conf = dir.join("exim.conf");
        std::fs::write(
            &conf,
            format!(
                "keep_environment =\n\
                 tls_advertise_hosts =\n\
                 primary_hostname = planpress.test\n\
                 local_interfaces = 127.0.0.1\n\
                 spool_directory = {d}/spool\n\
                 log_file_path = {d}/log/%slog\n\
                 pid_file_path = {d}/exim.pid\n\
                 exim_user = Debian-exim\n\
                 exim_group = Debian-exim\n\
                 never_users = root\n\
                 host_lookup =\n\
                 rfc1413_hosts =\n\
                 acl_smtp_rcpt = acl_check_rcpt\n\
                 begin acl\n\
                 acl_check_rcpt:\n{deny}  accept\n\
                 begin routers\n\
                 all:\n  driver = accept\n  transport = mailbox\n\
                 begin transports\n\
                 mailbox:\n  driver = appendfile\n  directory = {d}/mail/inbox\n  \
                 maildir_format\n  create_directory\n  envelope_to_add\n  \
                 user = Debian-exim\n  group = Debian-exim\n  mode = 0640\n\
                 begin retry\n\
                 *  *  F,1m,1m\n"
            ),
        )
        .expect("exim.conf");
        let log = dir.join("log/mainlog");
        let exim = find_tool("exim4").expect("exim4");
        // -bdf: the daemon stays in the foreground, so dropping the child
        // stops it.
        let child = Command::new(exim)
            .arg("-C")
            .arg(&conf)
            .args(["-bdf", "-oX", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start exim4");
        let mut process = Process {
            child,
            name: "exim4",
            log,
        };
        process.wait_ready(port);
        Exim {
            port,
            inbox: dir.join("mail/inbox"),
            process,
        }
    }

    /// The delivered messages, once `n` have arrived (or after 15 s, with
    /// what there is: the test's count then says what is missing).
    pub(crate) fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        let start = Instant::now();
        loop {
            let mut found: Vec<PathBuf> = std::fs::read_dir(self.inbox.join("new"))
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            if found.len() >= n || start.elapsed() > Duration::from_secs(15) {
                found.sort();
                return found
                    .iter()
                    .map(|p| std::fs::read(p).unwrap_or_default())
                    .collect();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Exim's main log, to explain a failure.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.process.log).unwrap_or_default()
    }
}
