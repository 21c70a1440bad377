//! `planpress remind`: one reminder e-mail per agency that is missing, a
//! draft or has errors, written as `.eml` files and `reminders.csv`, and
//! with `--send` handed to the SMTP relay of `site.yaml`.
//!
//! The text comes from the theme's `remind.txt`, so a province words it
//! its own way; the rows come from [`crate::status::cycle_status`].

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};
use serde::Serialize;

use crate::diag::{CommandError, Lang, tr};
use crate::model::Smtp;
use crate::render::theme::Theme;
use crate::status::{self, StatusRow, vn_date};

/// What `remind` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct RemindOptions {
    /// The cycle; default the newest.
    pub year: Option<i32>,
    /// Where the files go; default `<root>/reminders/<year>/`.
    pub out: Option<PathBuf>,
    /// Send them through the relay of `site.yaml` too.
    pub send: bool,
}

/// What `remind` did, in the site's language.
#[derive(Debug)]
pub struct Reminded {
    /// What was written and sent, for stdout.
    pub message: String,
    /// Agencies without an e-mail address, and sending failures: for
    /// stderr, because someone has to act on them.
    pub notes: Vec<String>,
    /// Some messages could not be sent (exit 1).
    pub failed: bool,
}

/// One problem of a plan, as the template sees it.
#[derive(Serialize)]
struct Problem {
    code: String,
    file: String,
    line: u32,
    column: u32,
    message: String,
    help: Option<String>,
}

/// One reminder, before and after sending.
struct Reminder<'r> {
    row: &'r StatusRow,
    subject: String,
    body: String,
    /// The formatted message; `None` without a recipient address.
    eml: Option<Vec<u8>>,
    sent: Option<String>,
}

/// `planpress remind [YEAR] [--out DIR] [--send]`.
pub fn remind(root: &Path, opts: &RemindOptions) -> Result<Reminded, CommandError> {
    let checked =
        crate::check::check(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &checked.loaded.site;
    let lang = checked.lang;
    let config = site.config.as_ref().ok_or_else(|| {
        CommandError::failed(tr!(
            lang,
            "content/site.yaml có lỗi. Chạy `planpress check` để xem và sửa trước.",
            "content/site.yaml has errors. Run `planpress check` to see and fix them first."
        ))
    })?;
    let smtp = config.smtp.as_ref().ok_or_else(|| {
        CommandError::usage(tr!(
            lang,
            "Thư nhắc cần địa chỉ người gửi: thêm vào content/site.yaml dòng\n  smtp: {{ host: mail.example.gov.vn, port: 587, from: \"Sở Thông tin và Truyền thông <stttt@example.gov.vn>\", starttls: true }}\n(host là máy chủ gửi thư của cơ quan; chỉ dùng khi có --send).",
            "Reminders need a sender: add to content/site.yaml\n  smtp: {{ host: mail.example.gov.vn, port: 587, from: \"Department of Information <stttt@example.gov.vn>\", starttls: true }}\n(host is your mail relay; used only with --send)."
        ))
    })?;
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| CommandError::usage(format!("smtp.from: {e}")))?;
    let cycle = status::pick_cycle(site, opts.year, lang)?;
    let (now, today) = status::today(lang)?;
    let rows = status::rows_or_error(site, cycle, &checked.diagnostics, root, today, lang)?;
    let theme = Theme::load(root, &config.theme, lang).map_err(|diags| {
        let list: Vec<String> = diags
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}: {}",
                    d.file,
                    d.pos.line,
                    d.pos.col,
                    d.full_message()
                )
            })
            .collect();
        CommandError::failed(list.join("\n"))
    })?;
    let meta = cycle.meta.as_ref();
    let sender_org = meta
        .and_then(|m| m.guidance.as_ref())
        .map(|g| g.issuer.clone())
        .or_else(|| from.name.clone())
        .unwrap_or_else(|| from.email.to_string());
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| root.join("reminders").join(cycle.year.to_string()));
    let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0));
    let mut reminders = Vec::new();
    for row in rows.iter().filter(|r| r.submission.to_chase()) {
        let mut ctx = tera::Context::new();
        ctx.insert("year", &cycle.year);
        ctx.insert("cycle_title", &meta.map(|m| m.title.clone()));
        ctx.insert(
            "guidance",
            &meta.and_then(|m| m.guidance.as_ref()).map(|g| {
                serde_json::json!({
                    "number": g.number, "issuer": g.issuer,
                    "date": vn_date(Some(g.date)),
                })
            }),
        );
        ctx.insert("deadline", &vn_date(meta.map(|m| m.deadline.value)));
        ctx.insert("today", &vn_date(Some(today)));
        ctx.insert("province", &config.province);
        ctx.insert("site_title", &config.title);
        ctx.insert("sender_org", &sender_org);
        ctx.insert("agency", row);
        ctx.insert("submission", row.submission.id());
        ctx.insert("days_late", &row.days_late);
        ctx.insert("errors", &row.errors);
        ctx.insert("file", &row.file);
        let problems: Vec<Problem> = row
            .problems
            .iter()
            .map(|d| Problem {
                code: d.code.as_str().to_string(),
                file: d.file.clone(),
                line: d.pos.line,
                column: d.pos.col,
                message: d.message.clone(),
                help: d.help.clone(),
            })
            .collect();
        ctx.insert("problems", &problems);
        let text = theme.render("remind.txt", &ctx, lang).map_err(|diags| {
            let list: Vec<String> = diags
                .iter()
                .map(|d| format!("{}:{}: {}", d.file, d.pos.line, d.full_message()))
                .collect();
            CommandError::failed(list.join("\n"))
        })?;
        let text = String::from_utf8_lossy(&text).into_owned();
        let (subject, body) = split_subject(&text, cycle.year, &row.name);
        // A malformed address keeps this one agency from a message, not
        // the others: it is reported below with the ones that have none.
        let eml = row.email.as_ref().and_then(|email| {
            message(
                &from, &row.name, email, &subject, &body, date, cycle.year, &row.code, now,
            )
            .ok()
        });
        reminders.push(Reminder {
            row,
            subject,
            body,
            eml,
            sent: None,
        });
    }
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    write_files(&out_dir, &reminders, &codes, lang)?;
    let shown = out_dir.strip_prefix(root).map_or_else(
        |_| out_dir.display().to_string(),
        |p| p.display().to_string(),
    );
    let mut notes = Vec::new();
    for r in reminders.iter().filter(|r| r.eml.is_none()) {
        let (name, code) = (&r.row.name, &r.row.code);
        let phone = r.row.phone.as_deref().map_or_else(String::new, |p| {
            tr!(lang, " Gọi điện: {p}.", " Phone: {p}.")
        });
        notes.push(match &r.row.email {
            None => tr!(
                lang,
                "{name} ({code}) chưa có email: thư nhắc chỉ có trong reminders.csv. Thêm `email:` cho cơ quan này trong content/agencies.yaml.{phone}",
                "{name} ({code}) has no e-mail address: its reminder is only in reminders.csv. Add `email:` for it in content/agencies.yaml.{phone}"
            ),
            Some(email) => tr!(
                lang,
                "{name} ({code}): `{email}` không phải một địa chỉ email, nên chưa có tệp .eml; thư nhắc chỉ có trong reminders.csv. Sửa `email:` của cơ quan này trong content/agencies.yaml.{phone}",
                "{name} ({code}): `{email}` is not an e-mail address, so there is no .eml; its reminder is only in reminders.csv. Fix the agency's `email:` in content/agencies.yaml.{phone}"
            ),
        });
    }
    let written = reminders.iter().filter(|r| r.eml.is_some()).count();
    let total = reminders.len();
    let y = cycle.year;
    let mut message = if total == 0 {
        tr!(
            lang,
            "Năm {y}: mọi cơ quan đã gửi kế hoạch hợp lệ, không cần nhắc. Đã ghi {shown}/reminders.csv (trống).",
            "{y}: every agency has filed a valid plan; nobody to remind. Wrote {shown}/reminders.csv (empty)."
        )
    } else {
        tr!(
            lang,
            "Năm {y}: {total} cơ quan cần nhắc; đã ghi {written} thư (.eml) và reminders.csv vào {shown}/.",
            "{y}: {total} agencies to remind; wrote {written} messages (.eml) and reminders.csv into {shown}/."
        )
    };
    let mut failed = false;
    if opts.send && written > 0 {
        let transport = transport(smtp, &from, lang)?;
        if let Err(e) = transport.test_connection() {
            let (host, port) = (&smtp.host, smtp.port);
            return Err(CommandError::failed(tr!(
                lang,
                "Không kết nối được máy chủ gửi thư {host}:{port} ({e}). Chưa gửi thư nào; các tệp .eml và reminders.csv vẫn ở {shown}/. Kiểm tra `smtp:` trong content/site.yaml (host, port, starttls) và mạng, rồi chạy lại với --send.",
                "Cannot reach the mail relay {host}:{port} ({e}). Nothing was sent; the .eml files and reminders.csv are in {shown}/. Check `smtp:` in content/site.yaml (host, port, starttls) and the network, then run again with --send."
            )));
        }
        let mut sent = 0;
        for r in &mut reminders {
            let Some(eml) = &r.eml else { continue };
            let email = r.row.email.clone().unwrap_or_default();
            let Ok(to) = email.trim().parse::<lettre::Address>() else {
                continue;
            };
            let Ok(envelope) = lettre::address::Envelope::new(Some(from.email.clone()), vec![to])
            else {
                continue;
            };
            // lettre ends the data with CRLF.CRLF itself: the file's own
            // last line end would arrive as an extra empty line.
            let wire = eml.strip_suffix(b"\r\n").unwrap_or(eml);
            match transport.send_raw(&envelope, wire) {
                Ok(_) => {
                    sent += 1;
                    let at = status::now_seconds(lang).unwrap_or(now);
                    r.sent = Some(sent_stamp(at));
                }
                Err(e) => {
                    failed = true;
                    let (name, code) = (&r.row.name, &r.row.code);
                    notes.push(tr!(
                        lang,
                        "Không gửi được thư cho {name} ({code}) <{email}>: {e}. Thư vẫn ở {shown}/{code}.eml; sửa địa chỉ rồi chạy lại với --send.",
                        "Could not send to {name} ({code}) <{email}>: {e}. The message is still in {shown}/{code}.eml; fix the address and run again with --send."
                    ));
                }
            }
        }
        // Rewritten so that the `sent` column says who has it now.
        write_csv(&out_dir, &reminders, lang)?;
        let host = &smtp.host;
        message.push_str(&tr!(
            lang,
            " Đã gửi {sent}/{written} thư qua {host}.",
            " Sent {sent}/{written} through {host}."
        ));
    }
    message.push('\n');
    Ok(Reminded {
        message,
        notes,
        failed,
    })
}

/// The subject from a leading `Subject:` line of the template's text, and
/// the rest as the body.
fn split_subject(text: &str, year: i32, name: &str) -> (String, String) {
    let text = text.trim_start_matches(['\n', '\r']);
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match first.strip_prefix("Subject:") {
        Some(s) => (
            s.trim().to_string(),
            rest.trim_start_matches(['\n', '\r']).to_string(),
        ),
        None => (
            format!("Kế hoạch ứng dụng CNTT năm {year} - {name}"),
            text.to_string(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn message(
    from: &Mailbox,
    name: &str,
    email: &str,
    subject: &str,
    body: &str,
    date: SystemTime,
    year: i32,
    code: &str,
    now: i64,
) -> Result<Vec<u8>, String> {
    let to = email
        .trim()
        .parse::<lettre::Address>()
        .map_err(|e| e.to_string())?;
    let domain = from.email.domain().to_string();
    let m = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(Some(name.to_string()), to))
        .subject(subject)
        .date(date)
        // Stable for one cycle, agency and moment: a resend of the same
        // file is recognisably the same message.
        .message_id(Some(format!("<planpress.{year}.{code}.{now}@{domain}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(body.replace('\n', "\r\n"))
        .map_err(|e| e.to_string())?;
    let mut bytes = m.formatted();
    // A message file ends with a line end, as it does on the wire.
    if !bytes.ends_with(b"\r\n") {
        bytes.extend_from_slice(b"\r\n");
    }
    Ok(bytes)
}

fn transport(smtp: &Smtp, from: &Mailbox, lang: Lang) -> Result<SmtpTransport, CommandError> {
    let user = std::env::var("PLANPRESS_SMTP_USER").ok();
    let password = std::env::var("PLANPRESS_SMTP_PASSWORD").ok();
    let loopback = smtp.host == "localhost"
        || smtp
            .host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if user.is_some() && !smtp.starttls && !loopback {
        return Err(CommandError::usage(tr!(
            lang,
            "Không gửi mật khẩu thư qua mạng khi chưa mã hóa: đặt `starttls: true` trong `smtp:` của content/site.yaml (thường với port 587).",
            "Refusing to send the mail password over an unencrypted connection: set `starttls: true` in `smtp:` of content/site.yaml (usually with port 587)."
        )));
    }
    let tls = if smtp.starttls {
        let params = TlsParameters::new(smtp.host.clone())
            .map_err(|e| CommandError::failed(format!("TLS {}: {e}", smtp.host)))?;
        Tls::Required(params)
    } else {
        Tls::None
    };
    let mut b = SmtpTransport::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls)
        .hello_name(ClientId::Domain(from.email.domain().to_string()))
        .timeout(Some(Duration::from_secs(30)));
    if let (Some(u), Some(p)) = (user, password) {
        b = b.credentials(Credentials::new(u, p));
    }
    Ok(b.build())
}

/// When a message went out, in Vietnam's time.
fn sent_stamp(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0)
        .map(|d| {
            d.with_timezone(&crate::diag::VIETNAM)
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// Writes every `.eml` and `reminders.csv`, each whole or not at all, and
/// removes reminders left from an earlier run for agencies that no longer
/// need one: such a file would be sent by mistake.
fn write_files(
    dir: &Path,
    reminders: &[Reminder<'_>],
    codes: &[&str],
    lang: Lang,
) -> Result<(), CommandError> {
    let fail = |e: std::io::Error| {
        let d = dir.display();
        CommandError::failed(tr!(
            lang,
            "Không ghi được thư nhắc vào {d}: {e}. Chọn thư mục khác bằng --out.",
            "Cannot write the reminders into {d}: {e}. Choose another folder with --out."
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let keep: Vec<String> = reminders
        .iter()
        .filter(|r| r.eml.is_some())
        .map(|r| format!("{}.eml", r.row.code))
        .collect();
    // Only files this command writes: `<agency>.eml` of an agency of the
    // cycle. Anything else in an `--out` folder is the user's.
    for code in codes {
        let name = format!("{code}.eml");
        let path = dir.join(&name);
        if !keep.contains(&name) && path.is_file() {
            std::fs::remove_file(path).map_err(fail)?;
        }
    }
    for r in reminders {
        if let Some(eml) = &r.eml {
            write_atomic(&dir.join(format!("{}.eml", r.row.code)), eml).map_err(fail)?;
        }
    }
    write_csv(dir, reminders, lang)
}

fn write_csv(dir: &Path, reminders: &[Reminder<'_>], lang: Lang) -> Result<(), CommandError> {
    let fail = |e: String| {
        let d = dir.display();
        CommandError::failed(tr!(
            lang,
            "Không ghi được {d}/reminders.csv: {e}.",
            "Cannot write {d}/reminders.csv: {e}."
        ))
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "name",
        "email",
        "phone",
        "submission",
        "days_late",
        "errors",
        "subject",
        "body",
        "file",
        "sent",
    ])
    .map_err(|e| fail(e.to_string()))?;
    for r in reminders {
        let file = if r.eml.is_some() {
            format!("{}.eml", r.row.code)
        } else {
            String::new()
        };
        w.write_record([
            r.row.code.as_str(),
            &r.row.name,
            r.row.email.as_deref().unwrap_or(""),
            r.row.phone.as_deref().unwrap_or(""),
            r.row.submission.id(),
            &r.row.days_late.to_string(),
            &r.row.errors.to_string(),
            &r.subject,
            &r.body,
            &file,
            r.sent.as_deref().unwrap_or(""),
        ])
        .map_err(|e| fail(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(e.to_string()))?;
    let mut with_bom = "\u{feff}".as_bytes().to_vec();
    with_bom.extend_from_slice(&bytes);
    write_atomic(&dir.join("reminders.csv"), &with_bom).map_err(|e| fail(e.to_string()))
}

/// Writes a sibling temporary file and renames it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_subject_line_is_the_subject() {
        let (s, b) = split_subject("\nSubject: Nhắc gửi\n\nKính gửi: A.\n", 2019, "A");
        assert_eq!(s, "Nhắc gửi");
        assert_eq!(b, "Kính gửi: A.\n");
        let (s, b) = split_subject("Kính gửi: A.\n", 2019, "A");
        assert_eq!(s, "Kế hoạch ứng dụng CNTT năm 2019 - A");
        assert_eq!(b, "Kính gửi: A.\n");
    }

    #[test]
    fn sent_stamps_are_in_vietnam_time() {
        assert_eq!(sent_stamp(1_533_056_400), "2018-08-01T00:00:00+07:00");
    }
}
