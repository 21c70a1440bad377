//! The department's view of a cycle: every expected agency with the state of
//! its plan, as the rows of `planpress status --format json` (PLAN-FORMAT
//! §10). `status` itself is being written at the same time; until it lands
//! these rows are computed here from the plan files, with `check`'s rules.

use std::path::Path;

use serde_json::{Value, json};

use super::plans;
use crate::diag::Severity;
use crate::model::{Site, Status};

/// One row per agency expected in `year`, by code.
pub(crate) fn status_rows(root: &Path, site: &Site, year: i32) -> Vec<Value> {
    let deadline = site
        .cycles
        .iter()
        .find(|c| c.year == year)
        .and_then(|c| c.meta.as_ref())
        .map(|m| m.deadline.value);
    let mut agencies: Vec<_> = site
        .agencies
        .iter()
        .flatten()
        .filter(|a| a.expected)
        .collect();
    agencies.sort_by(|a, b| a.code.value.cmp(&b.code.value));
    let rows: Vec<Value> = agencies
        .iter()
        .map(|a| {
            let code = a.code.value.as_str();
            let path = root.join(plans::rel(year, code));
            let last_change = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok())
                .and_then(|s| chrono::DateTime::from_timestamp(s + 7 * 3600, 0))
                .map(|d| d.date_naive().format("%Y-%m-%d").to_string());
            let current = plans::read(root, year, code).ok();
            let text = current.and_then(|c| c.text);
            let (submission, submitted, days_late, errors) = match &text {
                None => ("missing", None, None, 0),
                Some(text) => {
                    let checked = plans::check_text(site, year, code, text);
                    let errors = checked
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity() == Severity::Error)
                        .count();
                    let plan = checked.plan.as_ref();
                    let submitted = plan.and_then(|p| p.submitted.as_ref()).map(|s| s.value);
                    let late = match (submitted, deadline) {
                        (Some(s), Some(d)) if s > d => Some((s - d).num_days()),
                        _ => None,
                    };
                    let state = match plan.map(|p| p.status.value) {
                        _ if errors > 0 => "invalid",
                        None => "invalid",
                        Some(Status::Draft) => "draft",
                        Some(_) if late.is_some() => "late",
                        Some(_) => "on-time",
                    };
                    (
                        state,
                        submitted.map(|d| d.format("%Y-%m-%d").to_string()),
                        late,
                        errors,
                    )
                }
            };
            json!({
                "code": code,
                "name": a.name,
                "group": a.group.id(),
                "email": a.email,
                "phone": Value::Null,
                "submission": submission,
                "submitted": submitted,
                "days_late": days_late,
                "errors": errors,
                "last_change": last_change,
            })
        })
        .collect();
    rows
}
