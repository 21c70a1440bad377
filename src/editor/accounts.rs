//! The editor's state: accounts, sessions and login attempts in one SQLite
//! database (`editor.db` in the state folder). SQLite is embedded (bundled):
//! a province installs nothing. Passwords are Argon2id PHC strings; session
//! and CSRF tokens are 32 random bytes, and only the SHA-256 of a session
//! token is stored, so a copy of the database (a backup) opens no session.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::diag::{Lang, tr};

/// Name of the database file in the state folder.
pub(crate) const DB_FILE: &str = "editor.db";
/// Failed logins (per login or per address) that lock further tries.
pub(crate) const MAX_FAILURES: i64 = 5;
/// The window in which failures count, in seconds.
pub(crate) const FAILURE_WINDOW: i64 = 15 * 60;
/// A session unused this long (seconds) is over.
pub(crate) const SESSION_IDLE: i64 = 8 * 3600;
/// Shortest password accepted.
pub(crate) const MIN_PASSWORD: usize = 10;

/// What an account may do (PLAN-FORMAT §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Reads and changes the drafts of one agency.
    Editor,
    /// Reads every plan, returns or approves submitted ones.
    Reviewer,
    /// Both.
    Admin,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Role> {
        match s {
            "editor" => Some(Role::Editor),
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether the role reviews (reads every plan, returns, approves).
    pub(crate) fn reviews(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }
}

/// One account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) login: String,
    pub(crate) role: Role,
    pub(crate) agency: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    /// The password is one-time: it must be changed before anything else.
    pub(crate) must_change: bool,
    pub(crate) disabled: bool,
}

impl Account {
    /// The name shown and written as a commit's author.
    pub(crate) fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.login)
    }

    /// Whether the account may act for `agency` as its editor.
    pub(crate) fn edits(&self, agency: &str) -> bool {
        matches!(self.role, Role::Editor | Role::Admin)
            && (self.role == Role::Admin || self.agency.as_deref() == Some(agency))
    }
}

/// A logged-in session.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) account: Account,
    pub(crate) csrf: String,
}

/// Why the state could not be read or changed, in the interface language.
#[derive(Debug)]
pub(crate) struct StateError(pub(crate) String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Outcome of a login.
#[derive(Debug)]
pub(crate) enum Login {
    /// A new session: its token (for the cookie) and CSRF token.
    Ok {
        token: String,
        session: Box<Session>,
    },
    /// Wrong login or password, or a disabled account.
    Bad,
    /// Too many failures for this login or address in the window.
    Locked,
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// 32 random bytes as lowercase hex.
pub(crate) fn random_token() -> Result<String, StateError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StateError(format!("getrandom: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A one-time password: 14 characters without look-alikes (0/O, 1/l/I), easy
/// to read out over the phone.
pub(crate) fn one_time_password() -> Result<String, StateError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).map_err(|e| StateError(format!("getrandom: {e}")))?;
    // 256 is not a multiple of the alphabet's length; the bias is under 1 %
    // per character and leaves about 80 bits, far beyond what lockout allows.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// Argon2id with the parameters OWASP recommends (19 MiB, 2 passes).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub(crate) fn hash_password(password: &str) -> Result<String, StateError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StateError(format!("argon2: {e}")))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A login name: 2 to 64 of `a-z 0-9 . _ - @`, starting with a letter or digit.
pub(crate) fn valid_login(login: &str) -> bool {
    (2..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-@".contains(&b))
        && login
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// What is wrong with a new password, if anything.
pub(crate) fn password_problem(password: &str, login: &str, lang: Lang) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Some(tr!(
            lang,
            "Mật khẩu phải dài ít nhất {MIN_PASSWORD} ký tự.",
            "The password must be at least {MIN_PASSWORD} characters long."
        ));
    }
    if login.len() >= 4 && password.to_lowercase().contains(login) {
        return Some(tr!(
            lang,
            "Mật khẩu không được chứa tên đăng nhập.",
            "The password must not contain the login."
        ));
    }
    if password.chars().count() > 256 {
        return Some(tr!(
            lang,
            "Mật khẩu dài quá 256 ký tự.",
            "The password is longer than 256 characters."
        ));
    }
    None
}

/// The state database.
pub(crate) struct Store {
    conn: Connection,
    lang: Lang,
}

/// The state folder for a site: `--state`, or `<root>/.planpress/`.
pub(crate) fn state_dir(root: &Path, state: Option<&Path>) -> PathBuf {
    state.map_or_else(|| root.join(".planpress"), Path::to_path_buf)
}

fn sql_error(lang: Lang, e: rusqlite::Error) -> StateError {
    StateError(tr!(
        lang,
        "Lỗi cơ sở dữ liệu tài khoản ({DB_FILE}): {e}.",
        "Error in the accounts database ({DB_FILE}): {e}."
    ))
}

impl Store {
    /// Opens (creating when needed) `editor.db` in `dir`. The folder is made
    /// private to its owner and carries a `.gitignore` of `*`, so that
    /// neither git nor a careless `git add -A` ever takes a hash or session.
    pub(crate) fn open(dir: &Path, lang: Lang) -> Result<Store, StateError> {
        let fail = |e: std::io::Error| {
            let d = dir.display();
            StateError(tr!(
                lang,
                "Không tạo được thư mục trạng thái {d}: {e}. Kiểm tra quyền ghi, hoặc chọn thư mục khác bằng --state.",
                "Cannot create the state folder {d}: {e}. Check write permission, or choose another with --state."
            ))
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        }
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n").map_err(fail)?;
        }
        let conn = Connection::open(dir.join(DB_FILE)).map_err(|e| sql_error(lang, e))?;
        let store = Store { conn, lang };
        store.init().map_err(|e| sql_error(lang, e))?;
        Ok(store)
    }

    fn init(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS accounts (
                login TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                agency TEXT,
                name TEXT,
                email TEXT,
                hash TEXT NOT NULL,
                must_change INTEGER NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                created INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS sessions (
                token_hash TEXT PRIMARY KEY,
                login TEXT NOT NULL REFERENCES accounts(login) ON DELETE CASCADE,
                csrf TEXT NOT NULL,
                created INTEGER NOT NULL,
                seen INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS attempts (
                key TEXT NOT NULL,
                at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key, at);
            CREATE TABLE IF NOT EXISTS reviews (
                year INTEGER NOT NULL,
                agency TEXT NOT NULL,
                comment TEXT NOT NULL,
                by TEXT NOT NULL,
                at INTEGER NOT NULL,
                PRIMARY KEY (year, agency)
            );",
        )
    }

    fn err(&self, e: rusqlite::Error) -> StateError {
        sql_error(self.lang, e)
    }

    /// Adds an account with `password` (already checked).
    pub(crate) fn add(&self, account: &Account, password: &str) -> Result<(), StateError> {
        let hash = hash_password(password)?;
        let lang = self.lang;
        let login = &account.login;
        let done = self.conn.execute(
            "INSERT INTO accounts (login, role, agency, name, email, hash, must_change, disabled, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
            params![
                login,
                account.role.as_str(),
                account.agency,
                account.name,
                account.email,
                hash,
                account.must_change,
                now()
            ],
        );
        match done {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StateError(tr!(
                    lang,
                    "Tài khoản {login} đã có. Chọn tên khác, hoặc dùng `planpress users passwd {login}` để đặt lại mật khẩu.",
                    "Account {login} already exists. Choose another login, or use `planpress users passwd {login}` to reset its password."
                )))
            }
            Err(e) => Err(self.err(e)),
        }
    }

    fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Account, String)> {
        let role: String = r.get(1)?;
        Ok((
            Account {
                login: r.get(0)?,
                role: Role::parse(&role).unwrap_or(Role::Editor),
                agency: r.get(2)?,
                name: r.get(3)?,
                email: r.get(4)?,
                must_change: r.get(6)?,
                disabled: r.get(7)?,
            },
            r.get(5)?,
        ))
    }

    const COLUMNS: &'static str = "login, role, agency, name, email, hash, must_change, disabled";

    /// The account `login`, if any.
    pub(crate) fn account(&self, login: &str) -> Result<Option<Account>, StateError> {
        self.account_and_hash(login)
            .map(|a| a.map(|(account, _)| account))
    }

    fn account_and_hash(&self, login: &str) -> Result<Option<(Account, String)>, StateError> {
        self.conn
            .query_row(
                &format!("SELECT {} FROM accounts WHERE login = ?1", Self::COLUMNS),
                [login],
                Self::row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every account, by login.
    pub(crate) fn list(&self) -> Result<Vec<Account>, StateError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM accounts ORDER BY login",
                Self::COLUMNS
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], Self::row)
            .map_err(|e| self.err(e))?
            .map(|r| r.map(|(a, _)| a))
            .collect::<rusqlite::Result<Vec<_>>>();
        rows.map_err(|e| self.err(e))
    }

    /// Disables `login` and ends its sessions. `false` when there is no such
    /// account.
    pub(crate) fn disable(&self, login: &str) -> Result<bool, StateError> {
        let n = self
            .conn
            .execute("UPDATE accounts SET disabled = 1 WHERE login = ?1", [login])
            .map_err(|e| self.err(e))?;
        self.conn
            .execute("DELETE FROM sessions WHERE login = ?1", [login])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Sets a new password. `one_time` marks it to be changed at the next
    /// login. Every other session of the account ends (a reset after a leak
    /// must lock the thief out); `keep` is the session that asked, if any.
    pub(crate) fn set_password(
        &self,
        login: &str,
        password: &str,
        one_time: bool,
        keep: Option<&str>,
    ) -> Result<bool, StateError> {
        let hash = hash_password(password)?;
        let n = self
            .conn
            .execute(
                "UPDATE accounts SET hash = ?2, must_change = ?3 WHERE login = ?1",
                params![login, hash, one_time],
            )
            .map_err(|e| self.err(e))?;
        let keep = keep.map(token_hash).unwrap_or_default();
        self.conn
            .execute(
                "DELETE FROM sessions WHERE login = ?1 AND token_hash != ?2",
                params![login, keep],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn failures(&self, key: &str, since: i64) -> Result<i64, StateError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM attempts WHERE key = ?1 AND at > ?2",
                params![key, since],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Checks `password` for `login` coming from `address`. Five failures in
    /// fifteen minutes for the login or for the address lock both out, even
    /// with the right password (so a guesser learns nothing from a late hit).
    pub(crate) fn login(
        &self,
        login: &str,
        password: &str,
        address: &str,
    ) -> Result<Login, StateError> {
        let t = now();
        let since = t - FAILURE_WINDOW;
        let (by_login, by_address) = (format!("login:{login}"), format!("addr:{address}"));
        if self.failures(&by_login, since)? >= MAX_FAILURES
            || self.failures(&by_address, since)? >= MAX_FAILURES
        {
            return Ok(Login::Locked);
        }
        let found = self.account_and_hash(login)?;
        let ok = match &found {
            Some((a, hash)) => verify_password(password, hash) && !a.disabled,
            None => {
                // Spend the same time as a real check, so that timing does
                // not tell which logins exist.
                let _ = hash_password(password);
                false
            }
        };
        let Some((account, _)) = found.filter(|_| ok) else {
            self.conn
                .execute(
                    "INSERT INTO attempts (key, at) VALUES (?1, ?3), (?2, ?3)",
                    params![by_login, by_address, t],
                )
                .map_err(|e| self.err(e))?;
            self.conn
                .execute("DELETE FROM attempts WHERE at <= ?1", [t - FAILURE_WINDOW])
                .map_err(|e| self.err(e))?;
            return Ok(Login::Bad);
        };
        self.conn
            .execute("DELETE FROM attempts WHERE key = ?1", [&by_login])
            .map_err(|e| self.err(e))?;
        let (token, csrf) = (random_token()?, random_token()?);
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, login, csrf, created, seen) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![token_hash(&token), account.login, csrf, t],
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .execute("DELETE FROM sessions WHERE seen < ?1", [t - SESSION_IDLE])
            .map_err(|e| self.err(e))?;
        Ok(Login::Ok {
            token,
            session: Box::new(Session { account, csrf }),
        })
    }

    /// The live session of a cookie's token, refreshed; `None` when unknown,
    /// idle too long, or its account is disabled.
    pub(crate) fn session(&self, token: &str) -> Result<Option<Session>, StateError> {
        let t = now();
        let h = token_hash(token);
        let found: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT login, csrf, seen FROM sessions WHERE token_hash = ?1",
                [&h],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((login, csrf, seen)) = found else {
            return Ok(None);
        };
        if seen < t - SESSION_IDLE {
            self.logout(token)?;
            return Ok(None);
        }
        let Some(account) = self.account(&login)?.filter(|a| !a.disabled) else {
            return Ok(None);
        };
        if t - seen > 60 {
            self.conn
                .execute(
                    "UPDATE sessions SET seen = ?2 WHERE token_hash = ?1",
                    params![h, t],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(Some(Session { account, csrf }))
    }

    /// Whether `password` is the account's current one.
    pub(crate) fn verify(&self, login: &str, password: &str) -> Result<bool, StateError> {
        Ok(self
            .account_and_hash(login)?
            .is_some_and(|(_, hash)| verify_password(password, &hash)))
    }

    /// Records the reviewer's comment on returning a plan.
    pub(crate) fn set_review(
        &self,
        year: i32,
        agency: &str,
        comment: &str,
        by: &str,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO reviews (year, agency, comment, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![year, agency, comment, by, now()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Forgets the comment once the plan is submitted again.
    pub(crate) fn clear_review(&self, year: i32, agency: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "DELETE FROM reviews WHERE year = ?1 AND agency = ?2",
                params![year, agency],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The last return's comment, reviewer and time (Unix seconds).
    pub(crate) fn review(
        &self,
        year: i32,
        agency: &str,
    ) -> Result<Option<(String, String, i64)>, StateError> {
        self.conn
            .query_row(
                "SELECT comment, by, at FROM reviews WHERE year = ?1 AND agency = ?2",
                params![year, agency],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Ends the session of `token`.
    pub(crate) fn logout(&self, token: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                [token_hash(token)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("state"), Lang::En).unwrap();
        (dir, s)
    }

    fn editor(login: &str) -> Account {
        Account {
            login: login.into(),
            role: Role::Editor,
            agency: Some("so-a".into()),
            name: Some("Nguyễn Văn A".into()),
            email: None,
            must_change: false,
            disabled: false,
        }
    }

    #[test]
    fn login_checks_the_argon2id_hash() {
        let (_d, s) = store();
        s.add(&editor("an"), "mat-khau-dai-du").unwrap();
        let phc: String = s
            .conn
            .query_row("SELECT hash FROM accounts", [], |r| r.get(0))
            .unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(matches!(
            s.login("an", "sai-mat-khau", "1.2.3.4").unwrap(),
            Login::Bad
        ));
        let Login::Ok { token, session } = s.login("an", "mat-khau-dai-du", "1.2.3.4").unwrap()
        else {
            panic!("right password refused")
        };
        assert_eq!(session.account.login, "an");
        assert_eq!(s.session(&token).unwrap().unwrap().csrf, session.csrf);
        // Only the hash of the token is stored.
        let stored: String = s
            .conn
            .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
    }

    #[test]
    fn five_failures_lock_even_the_right_password() {
        let (_d, s) = store();
        s.add(&editor("an"), "mat-khau-dai-du").unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(s.login("an", "x", "1.2.3.4").unwrap(), Login::Bad));
        }
        assert!(matches!(
            s.login("an", "mat-khau-dai-du", "5.6.7.8").unwrap(),
            Login::Locked
        ));
    }

    #[test]
    fn disabling_ends_sessions_and_logins() {
        let (_d, s) = store();
        s.add(&editor("an"), "mat-khau-dai-du").unwrap();
        let Login::Ok { token, .. } = s.login("an", "mat-khau-dai-du", "a").unwrap() else {
            panic!()
        };
        assert!(s.disable("an").unwrap());
        assert!(s.session(&token).unwrap().is_none());
        assert!(matches!(
            s.login("an", "mat-khau-dai-du", "a").unwrap(),
            Login::Bad
        ));
    }

    #[test]
    fn duplicate_login_is_refused_with_advice() {
        let (_d, s) = store();
        s.add(&editor("an"), "mat-khau-dai-du").unwrap();
        let e = s.add(&editor("an"), "mat-khau-dai-du").unwrap_err();
        assert!(e.0.contains("users passwd an"), "{e}");
    }

    #[test]
    fn logins_and_passwords_are_checked() {
        assert!(valid_login("nguyen.van-a@so"));
        assert!(!valid_login("Nguyen"));
        assert!(!valid_login("../x"));
        assert!(password_problem("ngan", "an", Lang::Vi).is_some());
        assert!(password_problem("anh1-mat-khau-dai", "anh1", Lang::Vi).is_some());
        assert!(password_problem("mot-mat-khau-dai", "an2", Lang::Vi).is_none());
        let p = one_time_password().unwrap();
        assert_eq!(p.len(), 14);
        assert!(password_problem(&p, "zz-not-in", Lang::Vi).is_none());
    }
}
