//! Chasing submissions: where every expected agency of a cycle stands, who
//! to call, and since when (`planpress status`, the reminders of
//! `planpress remind`, and the reviewer's status rows of the editor).
//!
//! [`cycle_status`] is the one computation; the command line, `remind` and
//! the web app only format its rows.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::diag::{CommandError, Diagnostic, Lang, Severity, tr};
use crate::model::{Cycle, Site};

/// Vietnam keeps UTC+7 all year and has no daylight saving time, so a
/// fixed offset is exactly Asia/Ho_Chi_Minh (since 1975).
const VIETNAM_OFFSET_SECONDS: i64 = crate::diag::VIETNAM.local_minus_utc() as i64;

/// Where an expected agency stands in a cycle (PLAN-FORMAT §10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum State {
    // Declared in the order the department calls: the first ones first.
    Missing,
    Invalid,
    Draft,
    Late,
    OnTime,
}

impl State {
    pub(crate) fn id(self) -> &'static str {
        match self {
            State::OnTime => "on-time",
            State::Late => "late",
            State::Draft => "draft",
            State::Missing => "missing",
            State::Invalid => "invalid",
        }
    }

    /// The state as the department says it.
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        use crate::consolidate::Submission;
        match (self, lang) {
            (State::OnTime, _) => Submission::OnTime.label(lang),
            (State::Late, _) => Submission::Late.label(lang),
            (State::Draft, _) => Submission::Draft.label(lang),
            (State::Missing, _) => Submission::Missing.label(lang),
            (State::Invalid, Lang::Vi) => "có lỗi",
            (State::Invalid, Lang::En) => "has errors",
        }
    }

    /// Whether a reminder goes to the agency.
    pub(crate) fn to_chase(self) -> bool {
        matches!(self, State::Missing | State::Invalid | State::Draft)
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

fn iso_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}

/// One expected agency of a cycle. Serialized, it is one object of
/// `planpress status --format json`, keys in the contract's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct StatusRow {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) group: &'static str,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) submission: State,
    #[serde(serialize_with = "iso_date")]
    pub(crate) submitted: Option<NaiveDate>,
    /// Calendar days past the deadline in Vietnam: until the submission
    /// date for a filed plan, until today for one that is not filed yet
    /// (missing, draft, or filed without a date); 0 when not late.
    pub(crate) days_late: i64,
    /// Errors of the plan's file.
    pub(crate) errors: usize,
    /// The file's last commit date, else its modification date.
    #[serde(serialize_with = "iso_date")]
    pub(crate) last_change: Option<NaiveDate>,
    /// The plan's file relative to the root, when there is one.
    #[serde(skip)]
    pub(crate) file: Option<String>,
    /// The errors themselves, for a reminder that says what to fix.
    #[serde(skip)]
    pub(crate) problems: Vec<Diagnostic>,
}

/// Today's date in Vietnam at `unix_seconds`.
pub(crate) fn vietnam_date(unix_seconds: i64) -> Option<NaiveDate> {
    let local = unix_seconds.checked_add(VIETNAM_OFFSET_SECONDS)?;
    chrono::DateTime::from_timestamp(local, 0).map(|d| d.date_naive())
}

/// The current time, in seconds since 1970. `PLANPRESS_NOW` (RFC 3339)
/// stands in for the clock, so that a run (and a test) can be replayed
/// as of a given moment.
pub(crate) fn now_seconds(lang: Lang) -> Result<i64, CommandError> {
    if let Ok(v) = std::env::var("PLANPRESS_NOW") {
        return chrono::DateTime::parse_from_rfc3339(v.trim())
            .map(|d| d.timestamp())
            .map_err(|e| {
                CommandError::usage(tr!(
                    lang,
                    "PLANPRESS_NOW = `{v}` không phải một thời điểm RFC 3339 ({e}). Ví dụ: 2018-07-31T17:30:00Z, hoặc bỏ biến này để dùng đồng hồ máy.",
                    "PLANPRESS_NOW = `{v}` is not an RFC 3339 time ({e}). For example 2018-07-31T17:30:00Z, or unset it to use the clock."
                ))
            });
    }
    // A clock before 1970 is a broken clock; the deadline arithmetic
    // still works with it.
    let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    Ok(secs)
}

/// Today in Vietnam, by the clock or `PLANPRESS_NOW`.
pub(crate) fn today(lang: Lang) -> Result<(i64, NaiveDate), CommandError> {
    let now = now_seconds(lang)?;
    let date = vietnam_date(now).ok_or_else(|| {
        CommandError::usage(tr!(
            lang,
            "PLANPRESS_NOW nằm ngoài khoảng ngày tháng dùng được.",
            "PLANPRESS_NOW is out of the range of usable dates."
        ))
    })?;
    Ok((now, date))
}

/// The newest cycle, or `year`'s, or a usage error naming the cycles.
pub(crate) fn pick_cycle(
    site: &Site,
    year: Option<i32>,
    lang: Lang,
) -> Result<&Cycle, CommandError> {
    let found = match year {
        Some(y) => site.cycles.iter().find(|c| c.year == y),
        None => site.cycles.iter().max_by_key(|c| c.year),
    };
    found.ok_or_else(|| {
        let years: Vec<String> = site.cycles.iter().map(|c| c.year.to_string()).collect();
        let years = years.join(", ");
        match year {
            Some(y) if !years.is_empty() => CommandError::usage(tr!(
                lang,
                "Không có kỳ kế hoạch năm {y} (thư mục content/{y}/). Các kỳ hiện có: {years}.",
                "There is no {y} cycle (folder content/{y}/). Cycles: {years}."
            )),
            _ => CommandError::usage(tr!(
                lang,
                "Site chưa có kỳ kế hoạch nào: cần thư mục content/<năm>/ có tệp _plan.md.",
                "The site has no cycle yet: it needs a folder content/<year>/ with a _plan.md."
            )),
        }
    })
}

/// Where every agency expected in `cycle` stands, sorted so that the ones
/// to call come first: missing, with errors, drafts, late, on time; then
/// by group and name. `diagnostics` are the site's (their errors are
/// counted per plan file); `today` is the date in Vietnam.
///
/// `None` when the cycle's `_plan.md` or the registry did not load (their
/// errors say why): without a deadline or a list nobody can be late.
pub(crate) fn cycle_status(
    site: &Site,
    cycle: &Cycle,
    diagnostics: &[Diagnostic],
    root: &Path,
    today: NaiveDate,
) -> Option<Vec<StatusRow>> {
    let deadline = cycle.meta.as_ref()?.deadline.value;
    site.agencies.as_ref()?;
    let late_by = |d: NaiveDate| (d - deadline).num_days().max(0);
    let mut rows: Vec<StatusRow> = site
        .expected_in(cycle.year)
        .map(|agency| {
            let code = &agency.code.value;
            let file = format!("content/{}/{code}.md", cycle.year);
            let filed = cycle.stems.iter().any(|s| s == code);
            let plan = cycle.plans.iter().find(|p| &p.stem == code);
            let problems: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| d.file == file && d.severity() == Severity::Error)
                .cloned()
                .collect();
            let submission = match plan {
                _ if !filed => State::Missing,
                // A file that did not load has its errors; one with none
                // cannot happen, and is still nothing the department can use.
                None => State::Invalid,
                Some(_) if !problems.is_empty() => State::Invalid,
                Some(p) => match crate::consolidate::submission(p, deadline) {
                    crate::consolidate::Submission::OnTime => State::OnTime,
                    crate::consolidate::Submission::Late => State::Late,
                    _ => State::Draft,
                },
            };
            let submitted = plan
                .filter(|p| p.status.value != crate::model::Status::Draft)
                .and_then(|p| p.submitted.as_ref())
                .map(|d| d.value);
            let days_late = match (submission, submitted) {
                (State::OnTime, _) => 0,
                (_, Some(d)) => late_by(d),
                (_, None) => late_by(today),
            };
            let contact = plan.and_then(|p| p.contact.as_ref());
            StatusRow {
                code: code.clone(),
                name: agency.name_in(cycle.year).to_string(),
                group: agency.group.id(),
                email: agency
                    .email
                    .clone()
                    .or_else(|| contact.and_then(|c| c.email.clone())),
                phone: agency
                    .phone
                    .clone()
                    .or_else(|| contact.and_then(|c| c.phone.clone())),
                submission,
                submitted,
                days_late,
                errors: problems.len(),
                last_change: None,
                file: filed.then_some(file),
                problems,
            }
        })
        .collect();
    fill_last_change(root, &mut rows);
    rows.sort_by(|a, b| {
        (
            a.submission,
            std::cmp::Reverse(a.days_late),
            a.group_rank(),
            &a.name,
        )
            .cmp(&(
                b.submission,
                std::cmp::Reverse(b.days_late),
                b.group_rank(),
                &b.name,
            ))
    });
    Some(rows)
}

impl StatusRow {
    fn group_rank(&self) -> usize {
        crate::model::Group::CHOICES
            .iter()
            .position(|(id, _)| *id == self.group)
            .unwrap_or(usize::MAX)
    }
}

/// The last commit of each plan file from git; the modification date of
/// the file when it was never committed, changed since, or there is no
/// repository.
fn fill_last_change(root: &Path, rows: &mut [StatusRow]) {
    let rels: Vec<String> = rows.iter().filter_map(|r| r.file.clone()).collect();
    let histories = crate::git::Repo::open(root).ok().and_then(|repo| {
        crate::git::history::histories(&repo, &rels, &std::collections::HashMap::new()).ok()
    });
    for row in rows.iter_mut() {
        let Some(rel) = &row.file else { continue };
        let committed = histories
            .as_ref()
            .and_then(|h| h.files.get(rel))
            .filter(|h| !h.uncommitted)
            .and_then(|h| h.revisions.first())
            .and_then(|r| r.date);
        row.last_change = committed.or_else(|| mtime_date(&root.join(rel)));
    }
}

fn mtime_date(path: &Path) -> Option<NaiveDate> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = match modified.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok()?,
        Err(e) => -i64::try_from(e.duration().as_secs()).ok()?,
    };
    vietnam_date(secs)
}

/// The one-line count the department reads first:
/// "12/18 đã gửi, 3 trễ hạn, 2 bản nháp, 1 có lỗi, 1 chưa gửi".
pub(crate) fn summary(rows: &[StatusRow], year: i32, lang: Lang) -> String {
    let n = |s: State| rows.iter().filter(|r| r.submission == s).count();
    let total = rows.len();
    let sent = n(State::OnTime) + n(State::Late);
    let (late, draft, invalid, missing) = (
        n(State::Late),
        n(State::Draft),
        n(State::Invalid),
        n(State::Missing),
    );
    let mut parts = vec![tr!(
        lang,
        "Năm {year}: {sent}/{total} đã gửi",
        "{year}: {sent}/{total} submitted"
    )];
    if late > 0 {
        parts.push(tr!(lang, "{late} trễ hạn", "{late} late"));
    }
    if draft > 0 {
        let s = if draft == 1 { "" } else { "s" };
        parts.push(tr!(lang, "{draft} bản nháp", "{draft} draft{s}"));
    }
    if invalid > 0 {
        parts.push(tr!(lang, "{invalid} có lỗi", "{invalid} with errors"));
    }
    if missing > 0 {
        parts.push(tr!(lang, "{missing} chưa gửi", "{missing} missing"));
    }
    parts.join(", ")
}

/// `dd/mm/yyyy`, as Vietnamese documents write dates.
pub(crate) fn vn_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(String::new, crate::model::date_text)
}

/// How `status` prints its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFormat {
    /// A table for a terminal, with the summary line.
    Human,
    /// The contract's JSON array.
    Json,
    /// CSV (UTF-8 with BOM, as Excel in Vietnam opens it).
    Csv,
}

/// What `planpress status` prints: the report on stdout, and notes for
/// stderr (the summary, for the machine formats).
#[derive(Debug)]
pub struct StatusReport {
    /// The table, JSON or CSV.
    pub text: String,
    /// The summary line, for stderr when stdout is a machine format.
    pub summary: String,
}

/// `planpress status [YEAR]`.
pub fn status(
    root: &Path,
    year: Option<i32>,
    format: StatusFormat,
) -> Result<StatusReport, CommandError> {
    let checked =
        crate::check::check(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &checked.loaded.site;
    let lang = checked.lang;
    let cycle = pick_cycle(site, year, lang)?;
    let (_, today) = today(lang)?;
    let rows = rows_or_error(site, cycle, &checked.diagnostics, root, today, lang)?;
    let summary = summary(&rows, cycle.year, lang);
    let text = match format {
        StatusFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rows)
                .map_err(|e| CommandError::failed(e.to_string()))?;
            s.push('\n');
            s
        }
        StatusFormat::Csv => csv_text(&rows)?,
        StatusFormat::Human => human(&rows, cycle, &summary, lang),
    };
    Ok(StatusReport { text, summary })
}

/// The rows, or an error that says which file keeps them from being known.
pub(crate) fn rows_or_error(
    site: &Site,
    cycle: &Cycle,
    diagnostics: &[Diagnostic],
    root: &Path,
    today: NaiveDate,
    lang: Lang,
) -> Result<Vec<StatusRow>, CommandError> {
    cycle_status(site, cycle, diagnostics, root, today).ok_or_else(|| {
        let file = if cycle.meta.is_none() {
            cycle.meta_file.clone()
        } else {
            "content/agencies.yaml".to_string()
        };
        CommandError::failed(tr!(
            lang,
            "Không tính được tình trạng nộp vì {file} có lỗi. Chạy `planpress check` để xem và sửa lỗi đó trước.",
            "Cannot tell who submitted: {file} has errors. Run `planpress check` to see and fix them first."
        ))
    })
}

fn csv_text(rows: &[StatusRow]) -> Result<String, CommandError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CommandError::failed(e.to_string());
    w.write_record([
        "code",
        "name",
        "group",
        "email",
        "phone",
        "submission",
        "submitted",
        "days_late",
        "errors",
        "last_change",
    ])
    .map_err(fail)?;
    for r in rows {
        let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            r.code.as_str(),
            &r.name,
            r.group,
            r.email.as_deref().unwrap_or(""),
            r.phone.as_deref().unwrap_or(""),
            r.submission.id(),
            &iso(r.submitted),
            &r.days_late.to_string(),
            &r.errors.to_string(),
            &iso(r.last_change),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CommandError::failed(e.to_string()))?;
    // The BOM makes Excel read the Vietnamese names as UTF-8.
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

fn human(rows: &[StatusRow], cycle: &Cycle, summary: &str, lang: Lang) -> String {
    let deadline = vn_date(cycle.meta.as_ref().map(|m| m.deadline.value));
    let y = cycle.year;
    let mut out = tr!(
        lang,
        "Tình trạng nộp kế hoạch năm {y} (hạn gửi {deadline})\n\n",
        "Submissions for {y} (deadline {deadline})\n\n"
    );
    let header = match lang {
        Lang::Vi => [
            "Cơ quan",
            "Tình trạng",
            "Ngày gửi",
            "Trễ",
            "Lỗi",
            "Sửa lần cuối",
            "Liên hệ",
        ],
        Lang::En => [
            "Agency",
            "State",
            "Submitted",
            "Late",
            "Errors",
            "Last change",
            "Contact",
        ],
    };
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let contact = [r.email.as_deref(), r.phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let contact = if contact.is_empty() {
                tr!(lang, "(chưa có email, điện thoại)", "(no e-mail, no phone)")
            } else {
                contact
            };
            let late = match r.days_late {
                0 => String::new(),
                1 => tr!(lang, "1 ngày", "1 day"),
                d => tr!(lang, "{d} ngày", "{d} days"),
            };
            [
                format!("{} ({})", r.name, r.code),
                r.submission.label(lang).to_string(),
                vn_date(r.submitted),
                late,
                if r.errors == 0 {
                    String::new()
                } else {
                    r.errors.to_string()
                },
                vn_date(r.last_change),
                contact,
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            table
                .iter()
                .map(|row| row[i].chars().count())
                .chain(std::iter::once(header[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                let pad = widths[i].saturating_sub(c.chars().count()) + 2;
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header));
    for row in &table {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.push_str(&line(&cells));
    }
    out.push('\n');
    out.push_str(summary);
    out.push_str(".\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_date_turns_at_17_utc() {
        // 2018-07-31 16:59:59 UTC is 23:59:59 in Quảng Ngãi; a second later
        // it is 1 August there.
        let before = chrono::NaiveDate::from_ymd_opt(2018, 7, 31)
            .and_then(|d| d.and_hms_opt(16, 59, 59))
            .map(|t| t.and_utc().timestamp());
        let before = before.unwrap_or_default();
        assert_eq!(vietnam_date(before), NaiveDate::from_ymd_opt(2018, 7, 31));
        assert_eq!(
            vietnam_date(before + 1),
            NaiveDate::from_ymd_opt(2018, 8, 1)
        );
    }

    #[test]
    fn states_sort_in_calling_order_and_serialize_as_the_contract_says() {
        let mut s = [
            State::OnTime,
            State::Late,
            State::Draft,
            State::Invalid,
            State::Missing,
        ];
        s.sort();
        let ids: Vec<&str> = s.iter().map(|s| s.id()).collect();
        assert_eq!(ids, ["missing", "invalid", "draft", "late", "on-time"]);
        assert_eq!(
            serde_json::to_string(&State::OnTime).unwrap_or_default(),
            "\"on-time\""
        );
    }
}
