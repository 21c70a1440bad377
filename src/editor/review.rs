//! The department's view of a cycle: every expected agency with the state of
//! its plan. The rows are `planpress status`'s own (`crate::status`), so the
//! page, the API and `planpress status --format json` never disagree.

use std::path::Path;

use crate::diag::{CommandError, Lang};
use crate::status::StatusRow;

/// The rows of `planpress status YEAR` for the site at `root`, as of today
/// in Vietnam (`PLANPRESS_NOW` stands in for the clock, as for `status`).
pub(crate) fn status_rows(
    root: &Path,
    year: i32,
    lang: Lang,
) -> Result<Vec<StatusRow>, CommandError> {
    let checked = crate::check::check(root).map_err(|e| CommandError::failed(e.to_string()))?;
    let site = &checked.loaded.site;
    let cycle = crate::status::pick_cycle(site, Some(year), lang)?;
    let (_, today) = crate::status::today(lang)?;
    crate::status::rows_or_error(site, cycle, &checked.diagnostics, root, today, lang)
}
