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
/// the plan of `agency`, as a Word file at `output` (default
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
    let year = match year.or_else(|| years.iter().copied().max()) {
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
                site.catalog
                    .as_ref()
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
            Lang::Vi => format!("Đã xuất kế hoạch năm {year} ra {p}."),
            Lang::En => format!("Exported the {year} plan to {p}."),
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
