//! `planpress export docx`: the plan of a cycle (or of one agency) as a
//! Word file, written atomically.

use std::path::{Path, PathBuf};

use crate::check::check;
use crate::diag::{CommandError, Lang, Severity, tr};

/// What `export` wrote.
#[derive(Debug)]
pub struct Exported {
    /// The file written.
    pub path: PathBuf,
    /// What to tell the user.
    pub message: String,
}

/// Writes the consolidated plan of `year` (default: the newest cycle), or
/// the plan of `agency` (default: the newest cycle with its plan), as a Word file at `output` (default
/// `ke-hoach-<year>.docx` or `ke-hoach-<year>-<agency>.docx` in the current
/// folder). Refuses a site with errors, as `build` does.
pub fn export_docx(
    root: &Path,
    year: Option<i32>,
    agency: Option<&str>,
    output: Option<&Path>,
) -> Result<Exported, CommandError> {
    let checked = check(root).map_err(|e| CommandError::usage(e.to_string()))?;
    let lang = checked.lang;
    let errors = checked.errors();
    if checked
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error)
    {
        return Err(CommandError::failed(tr!(
            lang,
            "Site có {errors} lỗi; chạy `planpress check` để xem và sửa trước khi xuất.",
            "The site has {errors} errors; run `planpress check` to see and fix them before exporting."
        )));
    }
    let site = &checked.loaded.site;
    let years: Vec<i32> = site.cycles.iter().map(|c| c.year).collect();
    // Without a YEAR: the newest cycle; for one agency, the newest cycle
    // with its plan (an agency that ended, or has not filed yet, still
    // exports the last plan it has). The message says which was taken.
    let filed_in = |code: &str| {
        site.cycles
            .iter()
            .filter(|c| c.plans.iter().any(|p| p.stem == code))
            .map(|c| c.year)
            .max()
    };
    let picked = match (year, agency) {
        (Some(_), _) => None,
        (None, Some(code)) => filed_in(code).or_else(|| years.iter().copied().max()),
        (None, None) => years.iter().copied().max(),
    };
    let year = match year.or(picked) {
        Some(y) if years.contains(&y) => y,
        other => {
            let y = other.map_or_else(String::new, |y| y.to_string());
            let list = years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(CommandError::usage(tr!(
                lang,
                "Không có kỳ kế hoạch {y} trong content/. Các kỳ hiện có: {list}.",
                "There is no cycle {y} in content/. Cycles: {list}."
            )));
        }
    };
    let newest = years.iter().copied().max().unwrap_or(year);
    let chosen = match (picked, agency) {
        (None, _) => String::new(),
        (Some(_), Some(code)) if year < newest => tr!(
            lang,
            "Không ghi năm: xuất kỳ {year}, kỳ gần nhất có kế hoạch của `{code}` (kỳ mới nhất {newest} không có). Ghi năm để chọn kỳ khác, ví dụ `planpress export docx {year} --agency {code}`.\n",
            "No year given: exporting {year}, the newest cycle with a plan of `{code}` (the newest cycle, {newest}, has none). Give a year to choose another, e.g. `planpress export docx {year} --agency {code}`.\n"
        ),
        (Some(_), _) => tr!(
            lang,
            "Không ghi năm: xuất kỳ mới nhất, {year}. Ghi năm để chọn kỳ khác, ví dụ `planpress export docx {year}`.\n",
            "No year given: exporting the newest cycle, {year}. Give a year to choose another, e.g. `planpress export docx {year}`.\n"
        ),
    };
    let cycle = site
        .cycles
        .iter()
        .find(|c| c.year == year)
        .ok_or_else(|| CommandError::usage(format!("{year}")))?;
    let report = crate::consolidate::cycle(site, cycle, false).ok_or_else(|| {
        CommandError::failed(tr!(
            lang,
            "Chưa đủ site.yaml, agencies.yaml, catalog.yaml và content/{year}/_plan.md để lập kế hoạch.",
            "site.yaml, agencies.yaml, catalog.yaml and content/{year}/_plan.md are needed to make the plan."
        ))
    })?;
    let (bytes, default_name) = match agency {
        None => (
            crate::render::docx::cycle_docx(site, &report),
            format!("ke-hoach-{year}.docx"),
        ),
        Some(code) => {
            let entry = report
                .entries
                .iter()
                .find(|e| e.agency.code.value == code && e.filed.is_some());
            let Some((e, plan)) = entry.and_then(|e| Some((e, e.filed?))) else {
                return Err(CommandError::usage(tr!(
                    lang,
                    "Cơ quan `{code}` chưa có kế hoạch năm {year} (content/{year}/{code}.md).",
                    "Agency `{code}` has no plan for {year} (content/{year}/{code}.md)."
                )));
            };
            let mut e = e.clone();
            e.totals = crate::consolidate::plan_totals(
                site.catalog_for(year)
                    .ok_or_else(|| CommandError::failed(String::new()))?,
                plan,
            );
            (
                crate::render::docx::plan_docx(site, &report, &e, plan),
                format!("ke-hoach-{year}-{code}.docx"),
            )
        }
    };
    let bytes = bytes.map_err(CommandError::failed)?;
    let path = output.map_or_else(|| PathBuf::from(&default_name), Path::to_path_buf);
    write_atomic(&path, &bytes).map_err(|e| {
        let p = path.display();
        CommandError::failed(tr!(
            lang,
            "Không ghi được {p}: {e}",
            "Could not write {p}: {e}"
        ))
    })?;
    let p = path.display().to_string();
    Ok(Exported {
        message: match lang {
            Lang::Vi => format!("{chosen}Đã xuất kế hoạch năm {year} ra {p}."),
            Lang::En => format!("{chosen}Exported the {year} plan to {p}."),
        },
        path,
    })
}

/// A file that is either the old one or the whole new one: written beside
/// its place and renamed over it.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
