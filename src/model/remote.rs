//! What can be said of a publish target from its text alone, so that
//! `check` (in the model) and `publish` (which uses the target) say the
//! same thing without the model reaching into `publish`.

use crate::diag::{Lang, tr};

/// First folders of a system, never a site's: a target there would put
/// `releases/` and `current` among the system's own files.
const SYSTEM_DIRS: &[&str] = &[
    "bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "run", "sbin", "sys", "usr",
];

/// Why an ssh target's `path` must not be used, in words that end the
/// sentence "… không dùng được: "; `None` when it may. Only the text is
/// looked at (the host is not asked), so `check` can say it too: `/`, a
/// folder right under it, a home folder, a system folder, `..`, and a
/// relative path (read from the login's home, so `.` or `..` is the home
/// itself or above it, and `~` is not expanded by the remote commands).
pub(crate) fn path_refusal(path: &str, lang: Lang) -> Option<String> {
    if path.trim().is_empty() {
        return Some(tr!(lang, "đường dẫn trống", "the path is empty"));
    }
    if path.chars().any(char::is_control) {
        return Some(tr!(
            lang,
            "đường dẫn có ký tự điều khiển (xuống dòng, tab)",
            "the path holds control characters (a line break, a tab)"
        ));
    }
    if !path.starts_with('/') {
        return Some(tr!(
            lang,
            "không phải đường dẫn tuyệt đối (bắt đầu bằng `/`); đường dẫn tương đối hay có `~` được tính từ thư mục nhà của tài khoản, dễ trỏ nhầm vào chính thư mục nhà",
            "it is not an absolute path (starting with `/`); a relative path or one with `~` counts from the login's home folder and easily points at the home itself"
        ));
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Some(tr!(
            lang,
            "đường dẫn có `..`, có thể trỏ ra ngoài thư mục đã ghi",
            "the path holds `..`, which may lead out of the folder it names"
        ));
    }
    match parts.as_slice() {
        [] => Some(tr!(
            lang,
            "đây là thư mục gốc `/` của máy chủ",
            "it is the server's root folder `/`"
        )),
        [top] => Some(tr!(
            lang,
            "`/{top}` là thư mục ngay dưới gốc, dùng chung cho cả máy",
            "`/{top}` is a folder right under the root, shared by the whole server"
        )),
        ["home" | "Users", user] | ["var", "home", user] => Some(tr!(
            lang,
            "đây là thư mục nhà của tài khoản `{user}`",
            "it is the home folder of the login `{user}`"
        )),
        [top, ..] if SYSTEM_DIRS.contains(top) => Some(tr!(
            lang,
            "`/{top}` là thư mục của hệ thống",
            "`/{top}` is a folder of the system"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_paths_are_refused_by_their_text() {
        for bad in [
            "",
            " ",
            "/",
            "//",
            "/./",
            "/srv",
            "/home/",
            "/root",
            "/home/deploy",
            "/home/deploy/",
            "/Users/an",
            "/var/home/an",
            "/etc/nginx",
            "/usr/share/www",
            "srv/site",
            ".",
            "~",
            "~/site",
            "/srv/site/..",
            "/srv/../etc/x",
            "/srv/a\nb",
        ] {
            assert!(path_refusal(bad, Lang::Vi).is_some(), "{bad:?}");
        }
        for good in [
            "/srv/ke-hoach-cntt",
            "/var/www/ke-hoach",
            "/home/deploy/ke-hoach-cntt",
            "/srv/site/",
            "/srv/./site",
        ] {
            assert_eq!(path_refusal(good, Lang::Vi), None, "{good:?}");
        }
    }
}
