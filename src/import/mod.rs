//! `planpress import`: a plan from a workbook (the one `new plan --xlsx`
//! writes, or an agency's own with the letter's tables) or from a Word file
//! laid out as the letter asks.
//!
//! Reading is in two steps. The readers ([`xlsx`], [`docx`]) turn the file
//! into tables of cells that know their place (`VI!K12`, table 3 row 4
//! column 5) and prose by heading. [`understand`] then finds the letter's
//! tables by the words of their headers and reads the cells into a
//! [`PlanDoc`], which the shared writer turns into the plan file. The
//! written plan is checked by the normal checker, and what it finds is
//! pointed back at the cell or paragraph it came from.

mod docx;
pub(crate) mod source;
pub(crate) mod template;
#[cfg(test)]
mod tests;
mod understand;
mod xlsx;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::diag::{Code, CommandError, Diagnostic, Lang, Severity, tr};
use crate::plan_doc::write_plan_file;
use crate::yaml::{Kind, Node};
use source::{Place, Source};
pub(crate) use understand::Names;
use understand::{Problem, Reader};

/// Largest file accepted: far above any real plan, small enough to refuse
/// before reading it.
pub(crate) const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Most bytes a zip may say it inflates to, all entries together; checked
/// in the zip's directory before anything is inflated.
pub(crate) const MAX_INFLATED_BYTES: u64 = 200 * 1024 * 1024;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Agency code, when the file does not say it.
    pub agency: Option<String>,
    /// Year, when the file does not say it.
    pub year: Option<i32>,
    /// Print, write nothing.
    pub dry_run: bool,
    /// Replace an existing plan.
    pub force: bool,
    /// `--format json`.
    pub json: bool,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The plan file written (none on a dry run).
    pub written: Option<PathBuf>,
    /// The plan file's text.
    pub text: String,
    /// The report: diagnostics (human or JSON) and a closing line.
    pub report: String,
    /// Errors among the diagnostics.
    pub errors: usize,
}

/// One diagnostic of an import: a problem of the source at its place, or
/// one of the written plan that could not be traced back.
struct Found {
    code: Code,
    place: Option<Place>,
    file: String,
    line: u32,
    column: u32,
    message: String,
    help: Option<String>,
}

fn unreadable(lang: Lang, file: &str, why: &str) -> CommandError {
    CommandError::usage(tr!(
        lang,
        "Không đọc được {file} thành một kế hoạch: {why} Không ghi tệp nào.",
        "{file} cannot be read as a plan: {why} Nothing was written."
    ))
}

/// Reads `file` with a size limit.
fn read_bounded(path: &Path, lang: Lang, label: &str) -> Result<Vec<u8>, CommandError> {
    let f = std::fs::File::open(path).map_err(|e| {
        CommandError::usage(tr!(
            lang,
            "Không mở được {label}: {e}.",
            "Cannot open {label}: {e}."
        ))
    })?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let too_big = || {
        let mb = MAX_FILE_BYTES / 1024 / 1024;
        unreadable(
            lang,
            label,
            &tr!(
                lang,
                "tệp lớn hơn {mb} MB. Một kế hoạch chỉ cần vài trăm KB: hãy xóa các trang tính, hình ảnh không thuộc kế hoạch.",
                "the file is larger than {mb} MB. A plan needs a few hundred KB: remove sheets and pictures that are not part of it."
            ),
        )
    };
    if size > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(lang, label, &e.to_string()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Refuses a zip whose directory promises more than it should inflate to,
/// before anything is inflated.
pub(crate) fn check_zip(bytes: &[u8], lang: Lang, label: &str) -> Result<(), CommandError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| unreadable(lang, label, &not_office(lang, label)))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|_| unreadable(lang, label, &not_office(lang, label)))?;
        total = total.saturating_add(entry.size());
        if entry.encrypted() {
            return Err(unreadable(lang, label, &protected(lang)));
        }
    }
    if total > MAX_INFLATED_BYTES || zip.len() > 10_000 {
        return Err(unreadable(
            lang,
            label,
            &tr!(
                lang,
                "tệp nén bung ra quá lớn (có thể là tệp độc hại).",
                "the archive inflates to far too much (it may be hostile)."
            ),
        ));
    }
    Ok(())
}

fn not_office(lang: Lang, label: &str) -> String {
    tr!(
        lang,
        "tệp bị hỏng hoặc không phải tệp Excel (.xlsx) hay Word (.docx). Mở {label} bằng Excel, Word hoặc LibreOffice rồi lưu lại đúng định dạng.",
        "the file is damaged or not an Excel (.xlsx) or Word (.docx) file. Open {label} in Excel, Word or LibreOffice and save it again in that format."
    )
}

fn protected(lang: Lang) -> String {
    tr!(
        lang,
        "tệp được đặt mật khẩu. Mở tệp, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ) rồi lưu lại.",
        "the file is password-protected. Open it, remove the password (File > Info > Protect) and save it again."
    )
}

/// Imports `file` into the site at `root`.
pub fn import(root: &Path, file: &Path, opts: &ImportOptions) -> Result<Imported, CommandError> {
    let loaded = crate::load::load(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &loaded.site;
    let lang = site.lang();
    let label = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "doc" || ext == "xls" {
        let new = if ext == "doc" { "docx" } else { "xlsx" };
        return Err(unreadable(
            lang,
            &label,
            &tr!(
                lang,
                "đây là định dạng cũ .{ext}. Chuyển sang .{new} rồi nhập lại: mở bằng Word/Excel và \"Lưu thành\" .{new}, hoặc chạy `soffice --headless --convert-to {new} {label}`.",
                "this is the old .{ext} format. Convert it to .{new} and import again: open it in Word/Excel and \"Save as\" .{new}, or run `soffice --headless --convert-to {new} {label}`."
            ),
        ));
    }
    let bytes = read_bounded(file, lang, &label)?;
    // An encrypted Office file is an OLE compound file, not a zip.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(lang, &label, &protected(lang)));
    }
    check_zip(&bytes, lang, &label)?;
    let source = match ext.as_str() {
        "xlsx" | "xlsm" => xlsx::read(&bytes, lang).map_err(|why| {
            unreadable(
                lang,
                &label,
                &format!("{why}. {}", not_office(lang, &label)),
            )
        })?,
        "docx" => docx::read(&bytes).map_err(|why| {
            unreadable(
                lang,
                &label,
                &format!("{why}. {}", not_office(lang, &label)),
            )
        })?,
        _ => {
            return Err(CommandError::usage(tr!(
                lang,
                "Chỉ nhập được tệp .xlsx (Excel) hoặc .docx (Word), không phải \"{label}\".",
                "Only .xlsx (Excel) and .docx (Word) files can be imported, not \"{label}\"."
            )));
        }
    };
    // The file's own year is known only once it is read: the cycle the
    // command names, else the newest, gives the code lists.
    let newest = site.cycles.iter().map(|c| c.year).max();
    let guess = opts.year.or(newest);
    let mut names = names_of(site, guess);
    let mut reading = Reader::new(&names, lang).read(&source, &label);
    // The file may name another cycle: read it again with that cycle's
    // catalog and agencies.
    if opts.year.is_none() {
        let said = reading
            .year
            .as_ref()
            .map(|y| y.0)
            .or_else(|| year_in_text(&source));
        if let Some(said) = said
            && Some(said) != guess
        {
            names = names_of(site, Some(said));
            reading = Reader::new(&names, lang).read(&source, &label);
        }
    }
    if reading.doc.indicators.is_empty()
        && reading.doc.spending.is_empty()
        && reading.doc.projects.is_empty()
        && reading.sections.is_empty()
    {
        return Err(unreadable(
            lang,
            &label,
            &tr!(
                lang,
                "không thấy bảng II.1, II.2, VI hay mục nội dung nào của kế hoạch.",
                "none of the plan's tables II.1, II.2, VI or its sections was found."
            ),
        ));
    }
    let agency = opts
        .agency
        .clone()
        .or_else(|| reading.agency.as_ref().map(|a| a.0.clone()))
        .or_else(|| agency_in_text(&source, &names));
    let year = opts
        .year
        .or(reading.year.as_ref().map(|y| y.0))
        .or_else(|| year_in_text(&source));
    let (Some(agency), Some(year)) = (agency, year) else {
        return Err(CommandError::usage(tr!(
            lang,
            "{label} không ghi rõ cơ quan và năm kế hoạch. Chạy lại với --agency MÃ-CƠ-QUAN --year NĂM.",
            "{label} does not say which agency and year it is for. Run again with --agency CODE --year YEAR."
        )));
    };
    if agency.is_empty()
        || !agency
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(CommandError::usage(tr!(
            lang,
            "\"{agency}\" không phải là mã cơ quan trong content/agencies.yaml. Chạy lại với --agency MÃ-CƠ-QUAN.",
            "\"{agency}\" is not an agency code of content/agencies.yaml. Run again with --agency CODE."
        )));
    }
    let mut doc = reading.doc;
    doc.agency = agency.clone();
    doc.year = year;
    doc.status = "draft".into();
    doc.comment = Some(tr!(
        lang,
        "Nhập từ {label}; kiểm tra lại rồi đổi status khi gửi.",
        "Imported from {label}; review it, then change status when submitting."
    ));
    let rel = format!("content/{year}/{agency}.md");
    let target = root.join(&rel);
    let existing = std::fs::read_to_string(&target).ok();
    let body = existing.as_deref().and_then(|t| {
        let after = t.strip_prefix("---\n")?;
        let end = after.find("\n---\n")?;
        Some(after[end + 5..].to_string())
    });
    let text = write_plan_file(&doc, &reading.sections, body.as_deref());

    // Check the plan as it will be, against the site, and trace each
    // finding back to the source.
    let (plan, mut diags) = crate::load::lower_plan_text(&text, &rel, &agency, lang);
    if let Some(plan) = plan {
        let mut site = site.clone();
        let cycle = match site.cycles.iter().position(|c| c.year == year) {
            Some(i) => i,
            None => {
                site.cycles.push(crate::model::Cycle {
                    year,
                    meta_file: format!("content/{year}/_plan.md"),
                    meta: None,
                    plans: Vec::new(),
                    stems: Vec::new(),
                    catalog: None,
                });
                site.cycles.len() - 1
            }
        };
        let c = &mut site.cycles[cycle];
        c.plans.retain(|p| p.agency.value != agency);
        let validated = crate::validate::validate_plan(&site, &site.cycles[cycle], &plan);
        diags.extend(validated.into_iter().filter(|d| d.file == rel));
    }
    let found = trace(
        &text,
        &rel,
        &label,
        reading.problems,
        diags,
        &reading.places,
    );
    let errors = found
        .iter()
        .filter(|f| f.code.severity() == Severity::Error)
        .count();
    let mut written = None;
    if !opts.dry_run {
        if existing.is_some() && !opts.force {
            return Err(CommandError::failed(tr!(
                lang,
                "{rel} đã có; không thay thế. Thêm --force để thay bằng nội dung của {label}, hoặc --dry-run để xem trước.",
                "{rel} already exists; not replacing it. Add --force to replace it with {label}, or --dry-run to preview."
            )));
        }
        write_file(&target, &text).map_err(|e| {
            CommandError::failed(tr!(
                lang,
                "Không ghi được {rel}: {e}.",
                "Cannot write {rel}: {e}."
            ))
        })?;
        written = Some(target);
    }
    let report = if opts.json {
        json_report(&found, lang)
    } else {
        let mut out = human_report(&found, lang);
        let warnings = found.len() - errors;
        let what = if opts.dry_run {
            tr!(lang, "Chạy thử, không ghi gì", "Dry run, nothing written")
        } else {
            tr!(lang, "Đã ghi {rel} (bản nháp)", "Wrote {rel} (a draft)")
        };
        out.push_str(&tr!(
            lang,
            "{what}: {errors} lỗi, {warnings} cảnh báo.\n",
            "{what}: {errors} errors, {warnings} warnings.\n"
        ));
        out
    };
    Ok(Imported {
        written,
        text,
        report,
        errors,
    })
}

fn write_file(target: &Path, text: &str) -> std::io::Result<()> {
    let dir = target
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.import-{}",
        target
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id()
    ));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Codes and names of the site, for reading names as codes: the code
/// lists of cycle `year` (each cycle may have its own catalog).
pub(crate) fn names_of(site: &crate::model::Site, year: Option<i32>) -> Names {
    let pairs = |l: &[crate::model::CodeName]| -> Vec<(String, String)> {
        l.iter()
            .map(|c| (c.id.value.clone(), c.name.clone()))
            .collect()
    };
    let catalog = year
        .and_then(|y| site.catalog_for(y))
        .or(site.catalog.as_ref());
    Names {
        categories: catalog.map(|c| pairs(&c.categories)).unwrap_or_default(),
        levels: catalog.map(|c| pairs(&c.levels)).unwrap_or_default(),
        kinds: catalog.map(|c| pairs(&c.kinds)).unwrap_or_default(),
        indicators: catalog
            .map(|c| {
                c.indicators
                    .iter()
                    .map(|i| (i.id.value.clone(), i.name.clone(), i.unit.id().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        // Only the agencies of that cycle: a name is read as the agency
        // that held it that year.
        agencies: site
            .agencies
            .iter()
            .flatten()
            .filter(|a| year.is_none_or(|y| a.exists_in(y)))
            .map(|a| {
                let name = year.map_or(a.name.as_str(), |y| a.name_in(y));
                (a.code.value.clone(), name.to_string())
            })
            .collect(),
        money_unit: site.config.as_ref().map(|c| c.money_unit),
    }
}

/// An agency named alone on a line before the plan (a Word letterhead).
fn agency_in_text(source: &Source, names: &Names) -> Option<String> {
    source.preamble.lines().find_map(|line| {
        let w = crate::model::sections::fold(line.trim());
        names
            .agencies
            .iter()
            .find(|(_, name)| crate::model::sections::fold(name) == w)
            .map(|(code, _)| code.clone())
    })
}

/// "KẾ HOẠCH … NĂM 2019" before the plan.
fn year_in_text(source: &Source) -> Option<i32> {
    source.preamble.lines().find_map(|line| {
        let w = crate::model::sections::fold(line);
        if !w.contains("ke hoach") {
            return None;
        }
        let i = w.rfind("nam ")?;
        w[i + 4..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|y| y.parse().ok())
            .filter(|y| (1990..=2200).contains(y))
    })
}

/// Paths of every node of a YAML tree, with where each starts.
fn paths(node: &Node, path: &str, out: &mut Vec<(crate::diag::Pos, String)>) {
    out.push((node.pos, path.to_string()));
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match &node.kind {
        Kind::Scalar { .. } => {}
        Kind::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                paths(n, &join(&i.to_string()), out);
            }
        }
        Kind::Map(entries) => {
            for (k, v) in entries {
                if let Kind::Scalar { text, .. } = &k.kind {
                    out.push((k.pos, join(text)));
                    paths(v, &join(text), out);
                }
            }
        }
    }
}

/// The front matter path of a diagnostic of the written plan, and its
/// place in the source.
fn place_of(
    d: &Diagnostic,
    tree: &[(crate::diag::Pos, String)],
    text: &str,
    places: &HashMap<String, Place>,
) -> Option<(String, Place)> {
    let path = tree
        .iter()
        .filter(|(p, _)| *p <= d.pos)
        .max_by_key(|(p, _)| *p)
        .map(|(_, path)| path.clone())
        .or_else(|| {
            // A line of the body: the section it is in.
            let line = text.lines().take(d.pos.line as usize).collect::<Vec<_>>();
            line.iter().rev().find_map(|l| {
                l.strip_prefix("## ")
                    .and_then(crate::model::SectionKey::of_heading)
                    .map(|k| format!("section.{}", k.id()))
            })
        })?;
    let mut p = path.as_str();
    loop {
        if let Some(place) = places.get(p) {
            return Some((path.clone(), place.clone()));
        }
        p = &p[..p.rfind('.')?];
    }
}

/// A field the checker says is missing because the reader could not read
/// its cell (and said so there): `total` of `spending.3` after "ba trăm".
fn missing_because_unread(
    d: &Diagnostic,
    path: &str,
    unread: &[Place],
    places: &HashMap<String, Place>,
) -> bool {
    // The checker points at the item that lacks the field, or at its first
    // key: any enclosing item of `path` can be the one.
    let ancestors: Vec<&str> = path
        .char_indices()
        .filter(|(_, c)| *c == '.')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
        .collect();
    d.code == Code::E006
        && places.iter().any(|(p, place)| {
            unread.contains(place)
                && ancestors.iter().any(|a| {
                    p.strip_prefix(a)
                        .and_then(|rest| rest.strip_prefix('.'))
                        .is_some_and(|field| d.message.contains(&format!("`{field}`")))
                })
        })
}

fn trace(
    text: &str,
    rel: &str,
    label: &str,
    problems: Vec<Problem>,
    diags: Vec<Diagnostic>,
    places: &HashMap<String, Place>,
) -> Vec<Found> {
    let mut tree = Vec::new();
    let body_line = text
        .lines()
        .skip(1)
        .position(|l| l == "---")
        .map_or(u32::MAX, |i| u32::try_from(i + 2).unwrap_or(u32::MAX));
    if let Some(root) = crate::load::front_matter_tree(text) {
        paths(&root, "", &mut tree);
    }
    let mut out: Vec<Found> = problems
        .into_iter()
        .map(|p| Found {
            code: p.code,
            place: Some(p.place),
            file: label.to_string(),
            line: 0,
            column: 0,
            message: p.message,
            help: p.help,
        })
        .collect();
    let unread: Vec<Place> = out.iter().filter_map(|f| f.place.clone()).collect();
    for d in diags {
        let in_body = d.pos.line > body_line;
        let tree_here: &[(crate::diag::Pos, String)] = if in_body { &[] } else { &tree };
        let traced = place_of(&d, tree_here, text, places);
        // The reader already said what is wrong with this cell (an unknown
        // name, a word in an amount cell): once is enough, and what follows
        // from it (the field is then missing) is not a second mistake.
        if let Some((path, place)) = &traced
            && (unread.contains(place) || missing_because_unread(&d, path, &unread, places))
        {
            continue;
        }
        let place = traced.map(|(_, p)| p);
        let (file, line, column) = match &place {
            Some(_) => (label.to_string(), 0, 0),
            None => (rel.to_string(), d.pos.line, d.pos.col),
        };
        out.push(Found {
            code: d.code,
            place,
            file,
            line,
            column,
            message: d.message,
            help: d.help,
        });
    }
    let _ = rel;
    out
}

fn human_report(found: &[Found], lang: Lang) -> String {
    let mut out = String::new();
    for f in found {
        let sev = match (f.code.severity(), lang) {
            (Severity::Error, Lang::Vi) => "lỗi",
            (Severity::Warning, Lang::Vi) => "cảnh báo",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
        };
        let at = match &f.place {
            Some(Place::Whole(_)) => f.file.clone(),
            Some(p) => format!("{}: {}", f.file, p.label(lang)),
            None => format!("{}:{}:{}", f.file, f.line, f.column),
        };
        out.push_str(&format!("{at}: {} {sev}: {}", f.code, f.message));
        if let Some(h) = &f.help {
            out.push(' ');
            out.push_str(h);
        }
        out.push('\n');
    }
    out
}

fn json_report(found: &[Found], _lang: Lang) -> String {
    let items: Vec<serde_json::Value> = found
        .iter()
        .map(|f| {
            let mut v = json!({
                "severity": f.code.severity().as_str(),
                "code": f.code.as_str(),
                "file": f.file,
                "message": match &f.help {
                    Some(h) => format!("{} {h}", f.message),
                    None => f.message.clone(),
                },
            });
            match &f.place {
                Some(Place::Cell { sheet, cell }) => {
                    v["cell"] = json!(format!("{}!{cell}", source::sheet_ref(sheet)));
                    v["sheet"] = json!(sheet);
                }
                Some(Place::Table { table, row, column }) => {
                    v["table"] = json!(table);
                    v["row"] = json!(row);
                    v["column"] = json!(column);
                }
                Some(Place::Paragraph(n)) => v["paragraph"] = json!(n),
                Some(Place::Whole(_)) => {}
                None => {
                    v["line"] = json!(f.line);
                    v["column"] = json!(f.column);
                }
            }
            v
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// `planpress new plan AGENCY --xlsx`: writes `<root>/<agency>-<year>.xlsx`,
/// prefilled with the agency's plan of that year when there is one, unless
/// `blank`.
pub fn new_plan_xlsx(
    root: &Path,
    agency: &str,
    year: Option<i32>,
    blank: bool,
) -> Result<crate::scaffold::Created, CommandError> {
    let loaded = crate::load::load(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &loaded.site;
    let lang = site.lang();
    let Some(found) = site.agency(agency) else {
        let codes: Vec<&str> = site
            .agencies
            .iter()
            .flatten()
            .map(|a| a.code.value.as_str())
            .collect();
        let hint = crate::diag::suggest(agency, &codes).map_or_else(String::new, |near| {
            tr!(
                lang,
                " Có phải ý bạn là `{near}`?",
                " Did you mean `{near}`?"
            )
        });
        return Err(CommandError::failed(tr!(
            lang,
            "Không có cơ quan mã `{agency}` trong content/agencies.yaml.{hint}",
            "No agency with code `{agency}` in content/agencies.yaml.{hint}"
        )));
    };
    let newest = site
        .cycles
        .iter()
        .filter(|c| c.meta.is_some())
        .map(|c| c.year)
        .max();
    let Some(year) = year.or(newest) else {
        return Err(CommandError::failed(tr!(
            lang,
            "Site chưa có kỳ kế hoạch nào; tạo bằng `planpress new cycle NĂM` hoặc chỉ rõ --year.",
            "The site has no cycle yet; create one with `planpress new cycle YEAR` or give --year."
        )));
    };
    let mut names = names_of(site, Some(year));
    // A blank workbook lists the indicators this agency reports, as the
    // skeleton of `new plan` does; the others have their providers.
    let foreign: Vec<&str> = site
        .catalog_for(year)
        .into_iter()
        .flat_map(|c| c.indicators.iter())
        .filter(|i| i.provider.as_ref().is_some_and(|p| p.value != agency))
        .map(|i| i.id.value.as_str())
        .collect();
    names
        .indicators
        .retain(|(id, _, _)| !foreign.contains(&id.as_str()));
    // Prefilled from the agency's plan of that year when it has one.
    let existing = (!blank)
        .then(|| {
            site.cycles
                .iter()
                .find(|c| c.year == year)
                .and_then(|c| c.plans.iter().find(|p| p.agency.value == agency))
        })
        .flatten();
    // Else from its plan of the latest earlier cycle, as `new plan` does.
    let earlier = match (blank, existing) {
        (false, None) => crate::cycles::earlier_plan(site, found, year).and_then(|prev| {
            let catalog = site.catalog_for(year)?;
            Some(crate::cycles::prefilled(site, found, year, prev, catalog))
        }),
        _ => None,
    };
    let doc = existing
        .map(crate::plan_doc::PlanDoc::from_plan)
        .or(earlier);
    let sections = existing.map(|p| crate::plan_doc::sections_of_body(&p.body.text));
    let input = template::TemplateInput {
        agency,
        agency_name: found.name_in(year),
        year,
        names: &names,
        doc: doc.as_ref(),
        sections: sections.as_ref(),
    };
    let bytes = template::workbook(&input).map_err(|e| {
        CommandError::failed(tr!(
            lang,
            "Không tạo được sổ tính: {e}.",
            "Cannot make the workbook: {e}."
        ))
    })?;
    let path = root.join(format!("{agency}-{year}.xlsx"));
    let shown = path.display().to_string();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CommandError::failed(tr!(
                    lang,
                    "{shown} đã có; không ghi đè. Xóa hoặc đổi tên nó trước.",
                    "{shown} already exists; not overwriting it. Delete or rename it first."
                ))
            } else {
                CommandError::failed(tr!(
                    lang,
                    "Không ghi được {shown}: {e}.",
                    "Cannot write {shown}: {e}."
                ))
            }
        })?;
    std::io::Write::write_all(&mut f, &bytes).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        CommandError::failed(tr!(
            lang,
            "Không ghi được {shown}: {e}.",
            "Cannot write {shown}: {e}."
        ))
    })?;
    let from = if existing.is_some() {
        tr!(
            lang,
            ", điền sẵn từ kế hoạch năm {year} đã có",
            ", prefilled from the existing {year} plan"
        )
    } else {
        String::new()
    };
    Ok(crate::scaffold::Created {
        files: vec![path],
        message: tr!(
            lang,
            "Đã tạo {shown}{from}. Điền bằng Excel hoặc LibreOffice, rồi nhập: planpress import {agency}-{year}.xlsx",
            "Created {shown}{from}. Fill it in with Excel or LibreOffice, then: planpress import {agency}-{year}.xlsx"
        ),
    })
}
