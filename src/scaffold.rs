//! Starting points: `planpress new plan` writes an agency's plan skeleton,
//! `planpress init` a whole new site. Both write files that pass `check`
//! with no error as they are, with Vietnamese comments that explain every
//! field in the terms of the guidance letter (790/STTTT): an editor fills
//! in, and never has to look up a field name.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::diag::{CommandError, Lang, Severity, suggest, tr};
use crate::load;
use crate::model::{Agency, Site, Standing, Unit};
use crate::render::format::date;
use crate::validate::PLACEHOLDER;

/// The CI files `init` writes, ready to copy (the same as `ci-templates/`).
const GITHUB_WORKFLOW: &str = include_str!("../ci-templates/github-workflow.yml");
const GITLAB_CI: &str = include_str!("../ci-templates/gitlab-ci.yml");
const PRE_COMMIT: &str = include_str!("../ci-templates/pre-commit");

/// What a scaffold command wrote, and what to tell the editor.
#[derive(Clone, Debug)]
pub struct Created {
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// What was done and what to do next, in the site's language.
    pub message: String,
}

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `text` to a new file; never overwrites.
pub(crate) fn write_new(path: &Path, text: &str, lang: Lang) -> Result<(), CommandError> {
    let fail = |e: std::io::Error| {
        let p = path.display();
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CommandError::failed(tr!(
                lang,
                "{p} đã có; không ghi đè. Hãy sửa tệp đó, hoặc xóa nó trước nếu muốn tạo lại.",
                "{p} already exists; not overwriting it. Edit it, or delete it first to start again."
            ))
        } else {
            CommandError::failed(tr!(
                lang,
                "Không ghi được {p}: {e}.",
                "Cannot write {p}: {e}."
            ))
        }
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(fail)?;
    f.write_all(text.as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)
}

// ---- new plan -----------------------------------------------------------------

/// The plan skeleton as a reader sees it, kept out of the code so that its
/// wording can be reviewed and edited as the file it becomes. `{{name}}`
/// marks a value `plan_skeleton` fills in. `{{guidance}}` and
/// `{{indicators}}` are whole lines (or nothing), each ending in its own
/// newline, so they sit at the start of the line that follows them.
const PLAN_TEMPLATE: &str = include_str!("scaffold/plan.md");

/// `template` with each `{{name}}` of `values` replaced, in one pass: a
/// value that itself contains `{{` (an agency's name) is written as it is.
/// An unknown `{{name}}` is left in place, which a test would see.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let found = after.find("}}").and_then(|end| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..end])
                .map(|(_, v)| (end, *v))
        });
        match found {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The skeleton of `agency`'s plan for cycle `year` of `site`.
pub(crate) fn plan_skeleton(site: &Site, agency: &Agency, year: i32) -> String {
    let prior = year - 1;
    let cycle = site.cycles.iter().find(|c| c.year == year);
    let meta = cycle.and_then(|c| c.meta.as_ref());
    let unit = site
        .config
        .as_ref()
        .map_or("triệu đồng", |c| c.money_unit.label(Lang::Vi));
    let code = &agency.code.value;
    let guidance = meta
        .and_then(|m| m.guidance.as_ref())
        .map_or_else(String::new, |g| {
            format!(
                "# Viết theo Công văn số {} ngày {} của {}.\n",
                g.number,
                date(g.date),
                g.issuer
            )
        });
    let deadline = meta.map_or_else(String::new, |m| {
        format!("; hạn gửi {}", date(m.deadline.value))
    });
    let mut indicators = String::new();
    for ind in site.catalog.iter().flat_map(|c| c.indicators.iter()) {
        if ind.provider.as_ref().is_some_and(|p| p.value != *code) {
            continue;
        }
        let unit = match ind.unit {
            Unit::Percent => "tỷ lệ %",
            Unit::Count => "số lượng",
            Unit::Text => "mô tả",
        };
        let _ = writeln!(indicators, "  # {} ({unit})", ind.name);
        let _ = writeln!(indicators, "  - id: {}", ind.id.value);
        if ind.unit == Unit::Text {
            indicators.push_str("    value:\n");
        } else {
            indicators.push_str("    target:\n    actual:\n    goal:\n");
        }
        indicators.push_str("    note:\n");
    }
    let (year, prior) = (year.to_string(), prior.to_string());
    fill(
        PLAN_TEMPLATE,
        &[
            ("year", &year),
            ("prior", &prior),
            ("agency", &agency.name),
            ("guidance", &guidance),
            ("unit", unit),
            ("code", code),
            ("code_pad", &pad(code.len() + 8)),
            ("deadline", &deadline),
            ("indicators", &indicators),
            ("lead_pad", &pad(code.len() + 9)),
        ],
    )
}

/// Spaces that bring a comment to column 29, after a value `used` wide.
fn pad(used: usize) -> String {
    " ".repeat(28usize.saturating_sub(used).max(1))
}

/// The diagnostics of `file` after a check of the site at `root`: a line
/// for the editor.
pub(crate) fn check_summary(root: &Path, files: &[&str], lang: Lang) -> (usize, String) {
    let Ok(checked) = crate::check::check(root) else {
        return (0, String::new());
    };
    let mine: Vec<&crate::diag::Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| files.is_empty() || files.contains(&d.file.as_str()))
        .collect();
    let errors = mine
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = mine.len() - errors;
    let mut codes: Vec<&str> = mine.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let codes = if codes.is_empty() {
        String::new()
    } else {
        format!(" ({})", codes.join(", "))
    };
    let line = tr!(
        lang,
        "Kiểm tra: {errors} lỗi, {warnings} cảnh báo{codes}.",
        "Check: {errors} errors, {warnings} warnings{codes}."
    );
    (errors, line)
}

/// `planpress new plan`: writes `content/<year>/<agency>.md` under `root`,
/// a skeleton with every field that passes `check` as it is (a draft; the
/// one expected warning is W105 until the contact is filled in). `year`
/// defaults to the newest cycle.
pub fn new_plan(
    root: &Path,
    agency: &str,
    year: Option<i32>,
    blank: bool,
) -> Result<Created, CommandError> {
    let loaded = load::load(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &loaded.site;
    let lang = site.lang();
    let Some(agencies) = site.agencies.as_ref() else {
        return Err(CommandError::failed(tr!(
            lang,
            "Không đọc được content/agencies.yaml; chạy `planpress check` để xem lỗi.",
            "content/agencies.yaml cannot be read; run `planpress check` to see why."
        )));
    };
    let Some(found) = agencies.iter().find(|a| a.code.value == agency) else {
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.value.as_str()).collect();
        let hint = match suggest(agency, &codes) {
            Some(near) => {
                let name = site.agency(near).map_or("", |a| a.name.as_str());
                tr!(
                    lang,
                    " Có phải ý bạn là `{near}` ({name})?",
                    " Did you mean `{near}` ({name})?"
                )
            }
            None => {
                let list = codes.join(", ");
                tr!(
                    lang,
                    " Các mã có trong content/agencies.yaml: {list}.",
                    " The codes in content/agencies.yaml: {list}."
                )
            }
        };
        return Err(CommandError::failed(tr!(
            lang,
            "Không có cơ quan mã `{agency}` trong content/agencies.yaml.{hint}",
            "No agency with code `{agency}` in content/agencies.yaml.{hint}"
        )));
    };
    let cycles: Vec<i32> = site
        .cycles
        .iter()
        .filter(|c| c.meta.is_some())
        .map(|c| c.year)
        .collect();
    let year = match year {
        Some(y) if cycles.contains(&y) => y,
        Some(y) => {
            let list = cycles
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(CommandError::failed(tr!(
                lang,
                "Chưa có kỳ kế hoạch {y} (tệp content/{y}/_plan.md). Các kỳ hiện có: {list}. Hãy tạo content/{y}/_plan.md trước.",
                "There is no cycle {y} (file content/{y}/_plan.md). Cycles: {list}. Create content/{y}/_plan.md first."
            )));
        }
        None => match cycles.iter().max() {
            Some(y) => *y,
            None => {
                return Err(CommandError::failed(tr!(
                    lang,
                    "Site chưa có kỳ kế hoạch nào: tạo content/<năm>/_plan.md trước (xem `planpress init`).",
                    "The site has no cycle yet: create content/<year>/_plan.md first (see `planpress init`)."
                )));
            }
        },
    };
    if let Some(refusal) = not_in_cycle(site, agency, year, lang) {
        return Err(refusal);
    }
    let rel = format!("content/{year}/{agency}.md");
    let path = loaded.root.join(&rel);
    let earlier = if blank {
        None
    } else {
        crate::cycles::earlier_plan(site, found, year)
    };
    let prefilled = earlier.and_then(|prev| {
        Some((
            prev,
            crate::cycles::prefilled_file(
                site,
                found,
                year,
                prev,
                &plan_skeleton(site, found, year),
            )?,
        ))
    });
    let text = match &prefilled {
        Some((_, text)) => text.clone(),
        None => plan_skeleton(site, found, year),
    };
    write_new(&path, &text, lang)?;
    let (_, summary) = check_summary(&loaded.root, &[rel.as_str()], lang);
    let name = found.name_in(year);
    let from = match prefilled {
        Some((prev, _)) => {
            let (py, pf) = (prev.year.value, &prev.file);
            tr!(
                lang,
                " Số liệu điền sẵn từ {pf} (năm {py}): chỉ tiêu, kinh phí năm {py} (mục II.2) và các dự án còn tiếp tục; xem ghi chú ở đầu tệp.",
                " Prefilled from {pf} ({py}): indicators, the {py} spending (II.2) and the projects that continue; see the note at the top of the file."
            )
        }
        None => String::new(),
    };
    let message = tr!(
        lang,
        "Đã tạo {rel}: kế hoạch năm {year} của {name}, ở trạng thái bản nháp (draft).{from}\n{summary}\nTiếp theo: điền số liệu và nội dung, xem trước bằng `planpress serve`, rồi đổi `status: submitted` và ghi ngày `submitted` khi gửi.",
        "Created {rel}: the {year} plan of {name}, as a draft.{from}\n{summary}\nNext: fill in the figures and text, preview with `planpress serve`, then set `status: submitted` and the `submitted` date when you send it."
    );
    Ok(Created {
        files: vec![path],
        message,
    })
}

/// Why `agency` cannot have a plan in cycle `year`, when it cannot.
fn not_in_cycle(site: &Site, agency: &str, year: i32, lang: Lang) -> Option<CommandError> {
    let message = match site.standing(agency, year) {
        Standing::Present(_) | Standing::Unknown => return None,
        Standing::NotYet(a) => {
            let from = a.from.as_ref().map_or(year, |f| f.value);
            tr!(
                lang,
                "`{agency}` chỉ có từ kỳ {from} (content/agencies.yaml), nên chưa có kế hoạch năm {year}.",
                "`{agency}` exists only from cycle {from} (content/agencies.yaml), so it has no {year} plan."
            )
        }
        Standing::Ended {
            agency: a,
            successor,
        } => {
            let until = a.until.as_ref().map_or(year, |u| u.value);
            match successor {
                Some(s) => {
                    let (sc, sn) = (&s.code.value, s.name_in(year));
                    tr!(
                        lang,
                        "`{agency}` chỉ tồn tại đến kỳ {until}; năm {year} nhiệm vụ của nó thuộc {sn}. Chạy `planpress new plan {sc} --year {year}`.",
                        "`{agency}` exists only until cycle {until}; in {year} its duties belong to {sn}. Run `planpress new plan {sc} --year {year}`."
                    )
                }
                None => tr!(
                    lang,
                    "`{agency}` chỉ tồn tại đến kỳ {until} (content/agencies.yaml), nên không có kế hoạch năm {year}.",
                    "`{agency}` exists only until cycle {until} (content/agencies.yaml), so it has no {year} plan."
                ),
            }
        }
    };
    Some(CommandError::failed(message))
}

/// `planpress new cycle YEAR`: `content/<YEAR>/_plan.md` from the latest
/// earlier cycle, and its `catalog.yaml` when that cycle has one. Refuses
/// to overwrite, and writes nothing when any of the files is there.
pub fn new_cycle(root: &std::path::Path, year: i32) -> Result<Created, CommandError> {
    let loaded = crate::load::load(root).map_err(|e| CommandError::usage(format!("--root {e}")))?;
    let site = &loaded.site;
    let lang = site.lang();
    if !(1901..=2200).contains(&year) {
        return Err(CommandError::usage(tr!(
            lang,
            "Năm {year} không hợp lệ: viết năm bốn chữ số, ví dụ 2020.",
            "{year} is not a valid year: write a four-digit year, e.g. 2020."
        )));
    }
    let rel = format!("content/{year}/_plan.md");
    if loaded.root.join(&rel).exists() {
        return Err(CommandError::failed(tr!(
            lang,
            "{rel} đã có; không ghi đè. Sửa tệp đó, hoặc xóa nó trước nếu muốn tạo lại kỳ {year}.",
            "{rel} already exists; not overwriting it. Edit it, or delete it first to start cycle {year} again."
        )));
    }
    let Some(prev) = site
        .cycles
        .iter()
        .filter(|c| c.year < year && c.meta.is_some())
        .max_by_key(|c| c.year)
    else {
        return Err(CommandError::failed(tr!(
            lang,
            "Không có kỳ kế hoạch nào trước năm {year} để làm gốc (cần content/<năm>/_plan.md hợp lệ). Chạy `planpress check` để xem lỗi, hoặc tạo {rel} bằng tay.",
            "There is no cycle before {year} to start from (a valid content/<year>/_plan.md). Run `planpress check` to see why, or write {rel} by hand."
        )));
    };
    let Some(meta) = prev.meta.as_ref() else {
        return Err(CommandError::failed(String::new()));
    };
    let mut files = vec![(
        rel.clone(),
        crate::cycles::next_cycle_md(meta, prev.year, year),
    )];
    let catalog_src = loaded
        .root
        .join(format!("content/{}/catalog.yaml", prev.year));
    if prev.catalog.is_some() {
        let text = std::fs::read_to_string(&catalog_src).map_err(|e| {
            let p = catalog_src.display();
            CommandError::failed(tr!(
                lang,
                "Không đọc được {p}: {e}.",
                "Cannot read {p}: {e}."
            ))
        })?;
        files.push((format!("content/{year}/catalog.yaml"), text));
    }
    for (r, _) in &files {
        if loaded.root.join(r).exists() {
            return Err(CommandError::failed(tr!(
                lang,
                "{r} đã có; không ghi đè, và chưa tạo tệp nào.",
                "{r} already exists; not overwriting it, and nothing was written."
            )));
        }
    }
    let mut written = Vec::new();
    // The catalog first: a cycle whose `_plan.md` exists is complete.
    for (r, text) in files.iter().rev() {
        let path = loaded.root.join(r);
        write_new(&path, text, lang)?;
        written.push(path);
    }
    let prev_year = prev.year;
    let (_, summary) = check_summary(&loaded.root, &[rel.as_str()], lang);
    let message = tr!(
        lang,
        "Đã tạo {rel} từ kỳ {prev_year}.\n{summary}\nTiếp theo: xác nhận ngày hướng dẫn và hạn gửi (dòng ghi XÁC NHẬN), rà soát căn cứ chung, rồi tạo kế hoạch của từng cơ quan bằng `planpress new plan MÃ --year {year}`: số liệu được điền sẵn từ kế hoạch năm {prev_year}.",
        "Created {rel} from cycle {prev_year}.\n{summary}\nNext: confirm the guidance date and the deadline (lines marked XÁC NHẬN), review the legal bases, then start each agency's plan with `planpress new plan CODE --year {year}`: it is prefilled from its {prev_year} plan."
    );
    Ok(Created {
        files: written,
        message,
    })
}

// ---- init ---------------------------------------------------------------------

/// Section I's national bases from the seed (laws and decisions of the
/// Government and the Prime Minister), common to every province. The
/// seed's provincial decisions are Quảng Ngãi's: a new site gets marked
/// placeholders for its own instead ([`PLACEHOLDER`]).
const LEGAL_BASES: &[&str] = &[
    "Luật Công nghệ thông tin; Luật Giao dịch điện tử; Luật An toàn thông tin mạng; Nghị định số 64/2007/NĐ-CP ngày 10/4/2007 của Chính phủ về ứng dụng CNTT trong hoạt động của cơ quan nhà nước",
    "Quyết định số 80/2014/QĐ-TTg ngày 30/12/2014 của Thủ tướng Chính phủ quy định thí điểm về thuê dịch vụ công nghệ thông tin trong cơ quan nhà nước",
    "Nghị quyết số 36a/NQ-CP ngày 14/10/2015 của Chính phủ về Chính phủ điện tử",
    "Quyết định số 898/QĐ-TTg ngày 27/5/2016 của Thủ tướng Chính phủ về việc phê duyệt phương hướng, mục tiêu, nhiệm vụ bảo đảm an toàn thông tin mạng giai đoạn 2016-2020",
    "Quyết định số 05/2017/QĐ-TTg ngày 16/3/2017 của Thủ tướng Chính phủ về việc ban hành quy định về hệ thống phương án ứng cứu khẩn cấp bảo đảm an toàn thông tin mạng quốc gia",
];

/// The province's own bases, to fill in (the seed's Quảng Ngãi lines, as
/// kinds of document).
const PROVINCE_BASES: &[&str] = &[
    "quy định của UBND tỉnh về ứng dụng công nghệ thông tin trong cơ quan nhà nước (số, ngày, trích yếu)",
    "kế hoạch ứng dụng công nghệ thông tin giai đoạn 5 năm của UBND tỉnh (số, ngày, trích yếu)",
    "kiến trúc Chính quyền điện tử của tỉnh (quyết định ban hành)",
    "kế hoạch ứng dụng công nghệ thông tin năm trước của tỉnh (đối với nhiệm vụ chuyển tiếp)",
];

fn placeholder(what: &str) -> String {
    format!("{PLACEHOLDER} {what}»")
}

/// The seed's code lists: the four investment categories, budget levels,
/// capital kinds, and the nine indicators of II.1 with their providers.
const CATALOG: &str = r#"# Danh mục dùng chung cho mọi kế hoạch (theo mẫu kế hoạch ứng dụng CNTT hằng năm).
# Kế hoạch của các cơ quan dùng các mã (id) ở đây; tên hiện trên trang.

categories:        # Hạng mục đầu tư: bốn dòng của bảng II.2 và phụ lục VI, theo thứ tự này
  - { id: ha-tang,   name: "Hạ tầng kỹ thuật và đảm bảo an toàn, an ninh thông tin" }
  - { id: noi-bo,    name: "Ứng dụng CNTT trong nội bộ cơ quan nhà nước" }
  - { id: nguoi-dan, name: "Ứng dụng CNTT phục vụ người dân và doanh nghiệp" }
  - { id: nhan-luc,  name: "Đào tạo nguồn nhân lực CNTT" }

levels:            # Ngân sách TW / Tỉnh / Huyện / khác
  - { id: trung-uong, name: "Ngân sách trung ương" }
  - { id: tinh,       name: "Ngân sách tỉnh" }
  - { id: huyen,      name: "Ngân sách huyện" }
  - { id: khac,       name: "Nguồn khác" }

kinds:             # Nguồn vốn đầu tư / nguồn sự nghiệp / khác
  - { id: dau-tu,    name: "Vốn đầu tư" }
  - { id: su-nghiep, name: "Kinh phí sự nghiệp" }
  - { id: khac,      name: "Nguồn khác" }

# Mục II.1: các chỉ tiêu đánh giá. unit: percent (tỷ lệ %) | count (số lượng) |
# text (mô tả). provider: chỉ cơ quan này tổng hợp và cung cấp chỉ tiêu.
indicators:
  - id: tthc-truc-tuyen
    name: "Tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet"
    unit: percent
  - id: thue-khai-qua-mang
    name: "Tỷ lệ hồ sơ khai thuế của doanh nghiệp được thực hiện qua mạng Internet"
    unit: percent
    provider: cuc-thue
  - id: thue-nop-qua-mang
    name: "Tỷ lệ số doanh nghiệp thực hiện nộp thuế qua mạng Internet"
    unit: percent
    provider: cuc-thue
  - id: thue-ho-ca-nhan
    name: "Tỷ lệ số hộ, cá nhân kinh doanh kê khai nghĩa vụ thuế phát sinh qua mạng từ việc cho thuê tài sản và lệ phí trước bạ khi đăng ký ô tô, xe máy"
    unit: percent
    provider: cuc-thue
  - id: dau-thau-dien-tu
    name: "Tỷ lệ các gói thầu quan trọng của các cơ quan nhà nước trên địa bàn tỉnh sử dụng hệ thống đấu thầu điện tử"
    unit: percent
    provider: so-khdt
  - id: bhxh-giao-dich
    name: "Tỷ lệ cơ quan, tổ chức thực hiện giao dịch điện tử trong việc thực hiện thủ tục tham gia Bảo hiểm xã hội"
    unit: percent
    provider: bhxh
  - id: van-ban-trinh-dien-tu
    name: "Tỷ lệ văn bản không mật trình Ủy ban nhân dân tỉnh, Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ, Thủ tướng Chính phủ, Chính phủ dưới dạng điện tử (bao gồm cả các văn bản trình song song cùng văn bản giấy)"
    unit: percent
  - id: van-ban-dien-tu
    name: "Tỷ lệ văn bản trao đổi giữa các cơ quan nhà nước dưới dạng điện tử (bao gồm cả các văn bản gửi song song cùng văn bản giấy)"
    unit: percent
  - id: cchc-tinh-hinh
    name: "Tình hình triển khai ứng dụng công nghệ thông tin phục vụ cải cách hành chính (mô hình một cửa điện tử, trung tâm hành chính công, dịch vụ công, phần mềm quản lý, ứng dụng chữ ký số trong trao đổi văn bản điện tử,...)"
    unit: text
"#;

/// The agencies a new site starts with: those the letter addresses by
/// function, including the three that provide indicators.
const AGENCIES: &[(&str, &str, &str)] = &[
    ("van-phong-ubnd", "Văn phòng UBND tỉnh", "van-phong"),
    ("van-phong-hdnd", "Văn phòng HĐND tỉnh", "van-phong"),
    ("so-tttt", "Sở Thông tin và Truyền thông", "so-ban-nganh"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư", "so-ban-nganh"),
    ("so-tai-chinh", "Sở Tài chính", "so-ban-nganh"),
    ("so-noi-vu", "Sở Nội vụ", "so-ban-nganh"),
    ("cuc-thue", "Cục Thuế tỉnh", "so-ban-nganh"),
    ("bhxh", "Bảo hiểm xã hội tỉnh", "so-ban-nganh"),
    ("hoi-nong-dan", "Hội Nông dân tỉnh", "hoi-doan-the"),
    ("hoi-lhpn", "Hội Liên hiệp Phụ nữ tỉnh", "hoi-doan-the"),
    ("tinh-doan", "Tỉnh Đoàn", "hoi-doan-the"),
];

fn site_yaml(province: &str, base_url: Option<&str>, lang: Lang) -> String {
    let title = quoted(&format!("Kế hoạch ứng dụng CNTT tỉnh {province}"));
    let province = quoted(province);
    let base_url = match base_url {
        Some(u) => format!("{u}   # Địa chỉ tuyệt đối của cổng"),
        None => format!(
            "https://example.gov.vn/ke-hoach-cntt   # {}",
            placeholder("địa chỉ tuyệt đối của cổng, thay ví dụ này trước khi xuất bản")
        ),
    };
    let language = crate::render::format::lang_code(lang);
    format!(
        r#"# Cấu hình cổng thông tin kế hoạch ứng dụng CNTT (planpress).
title: {title}              # Tên cổng, ở đầu mọi trang
province: {province}
base_url: {base_url}
language: {language}                             # vi | en: ngôn ngữ giao diện
theme: default
money_unit: trieu-dong                   # dong | nghin-dong | trieu-dong | ty-dong: đơn vị của mọi số tiền
approved_tag: "approved-{{year}}"         # Thẻ git đánh dấu bản kế hoạch được UBND tỉnh phê duyệt
                                         # (git tag approved-2019); trang tổng hợp so sánh với bản đó.
# Nơi xuất bản (planpress publish TÊN); bỏ dấu # để dùng:
# publish:
#   portal: {{ kind: ssh, host: portal.example.gov.vn, port: 22, user: deploy, path: /srv/ke-hoach-cntt, keep: 5 }}
#   local:  {{ kind: dir, path: /srv/www/ke-hoach-cntt, keep: 5 }}
"#
    )
}

fn agencies_yaml() -> String {
    let mut s = String::from(
        "# Danh sách các cơ quan, đơn vị lập kế hoạch (nơi nhận Công văn hướng dẫn).\n\
         # code: mã [a-z0-9-], không trùng, là tên tệp kế hoạch (content/<năm>/<code>.md)\n\
         # group: van-phong | so-ban-nganh | hoi-doan-the | huyen\n\
         # expected: false nếu cơ quan không phải gửi kế hoạch (mặc định: true)\n",
    );
    let mut group = "";
    for (code, name, g) in AGENCIES {
        if *g != group {
            group = g;
            let title = match *g {
                "van-phong" => "Văn phòng",
                "so-ban-nganh" => "Sở, ban, ngành",
                _ => "Hội, đoàn thể",
            };
            let _ = write!(s, "\n# {title}\n");
        }
        let _ = writeln!(s, "- code: {code}\n  name: {}\n  group: {g}", quoted(name));
    }
    s.push_str(
        "\n# Huyện, thành phố: mỗi UBND huyện, thành phố một mục, ví dụ:\n\
         # - code: ubnd-huyen-a\n\
         #   name: \"UBND huyện A\"\n\
         #   group: huyen\n\
         #   email: ubnd-huyen-a@example.gov.vn\n",
    );
    s
}

fn cycle_md(year: i32, province: &str) -> String {
    let prior = year - 1;
    let title = quoted(&format!(
        "Kế hoạch ứng dụng CNTT trong hoạt động của cơ quan nhà nước tỉnh {province} năm {year}"
    ));
    let mut s = String::new();
    let _ = writeln!(s, "---");
    let _ = writeln!(
        s,
        "# Kỳ kế hoạch {year}: hướng dẫn, hạn gửi và căn cứ chung."
    );
    let _ = writeln!(s, "year: {year}");
    let _ = writeln!(s, "title: {title}");
    let _ = writeln!(
        s,
        "# Văn bản hướng dẫn của Sở TT&TT; bỏ dấu # và ghi số, ngày khi đã ban hành:"
    );
    let _ = writeln!(
        s,
        "# guidance: {{ number: \"…/STTTT\", date: {prior}-07-16, issuer: \"Sở Thông tin và Truyền thông\" }}"
    );
    let _ = writeln!(
        s,
        "deadline: {prior}-07-31          # Hạn các cơ quan gửi kế hoạch về Sở TT&TT"
    );
    let _ = writeln!(
        s,
        "legal_bases:                   # I. Căn cứ lập Kế hoạch, chung cho mọi kế hoạch của kỳ; rà soát theo năm"
    );
    for l in LEGAL_BASES {
        let _ = writeln!(s, "  - {}", quoted(l));
    }
    let _ = writeln!(
        s,
        "  # Văn bản của tỉnh: thay mỗi dòng «ĐIỀN …» bằng văn bản thật, hoặc xóa dòng không dùng."
    );
    for l in PROVINCE_BASES {
        let _ = writeln!(s, "  - {}", quoted(&placeholder(l)));
    }
    let _ = writeln!(s, "---");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Thực hiện {}, Sở Thông tin và Truyền thông hướng dẫn các sở, ban, ngành, hội, đoàn thể tỉnh và UBND các huyện, thành phố xây dựng kế hoạch ứng dụng công nghệ thông tin năm {year}. Trang này tổng hợp kế hoạch của các cơ quan, đơn vị.",
        placeholder(
            "kế hoạch ứng dụng công nghệ thông tin giai đoạn 5 năm của UBND tỉnh (số, ngày)"
        )
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "<!-- Phần giới thiệu của kế hoạch toàn tỉnh, hiện ở đầu trang tổng hợp: thay bằng đánh giá chung của tỉnh. -->"
    );
    // The department's own II.3, III, IV, V and VII of the consolidated
    // plan (W106 when one is missing), each to be written over.
    for (heading, text) in [
        (
            "Đánh giá chung; khó khăn, hạn chế và đề xuất giải pháp",
            format!("Đánh giá kết quả ứng dụng CNTT năm {prior} của các cơ quan nhà nước trong tỉnh, khó khăn, hạn chế và đề xuất."),
        ),
        (
            "Mục tiêu ứng dụng CNTT",
            format!("Mục tiêu ứng dụng CNTT năm {year} của tỉnh."),
        ),
        (
            "Định hướng nội dung",
            format!("Định hướng nội dung ứng dụng và phát triển CNTT năm {year}."),
        ),
        ("Giải pháp thực hiện", "Các giải pháp tài chính, pháp lý, tổ chức và nhân lực.".to_string()),
        ("Tổ chức thực hiện", "Trách nhiệm của Sở Thông tin và Truyền thông, các sở, ban, ngành và UBND các huyện, thành phố.".to_string()),
    ] {
        let _ = writeln!(s);
        let _ = writeln!(s, "## {heading}");
        let _ = writeln!(s);
        let _ = writeln!(s, "{text}");
    }
    s
}

const GITIGNORE: &str = "# Thư mục kết quả của `planpress build`\n/output/\n\
# Thư nhắc của `planpress remind` (có địa chỉ email; tạo lại khi cần)\n/reminders/\n\
# Trạng thái của planpress: tài khoản biên tập và bộ nhớ đệm của build (không đưa lên git)\n/.planpress/\n";

fn readme(province: &str, year: i32) -> String {
    format!(
        "# Kế hoạch ứng dụng CNTT tỉnh {province}\n\n\
         Kho kế hoạch của các cơ quan, đơn vị, dựng thành cổng thông tin bằng planpress.\n\n\
         - `content/site.yaml`: cấu hình cổng; `content/agencies.yaml`: các cơ quan; `content/catalog.yaml`: danh mục.\n\
         - `content/{year}/_plan.md`: kỳ kế hoạch {year}; `content/{year}/<mã cơ quan>.md`: kế hoạch của từng cơ quan.\n\n\
         Quy trình:\n\n\
         1. `git switch -c ke-hoach-<mã cơ quan>`: tạo nhánh.\n\
         2. `planpress new plan <mã cơ quan>`: tạo kế hoạch mẫu; điền số liệu và nội dung.\n\
         3. `planpress check`, `planpress serve`: kiểm tra và xem trước.\n\
         4. `git commit`, `git push`, mở pull request (merge request): CI kiểm tra và ghi lỗi lên từng dòng.\n\
         5. Sở TT&TT xem xét (`planpress diff`), hợp nhất vào `main`; CI xuất bản cổng thông tin.\n\n\
         Cài móc kiểm tra trước khi commit: `git config core.hooksPath scripts`.\n"
    )
}

/// The calendar year now, by the system clock (UTC).
fn this_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    chrono::DateTime::from_timestamp(secs, 0).map_or(2019, |d| {
        use chrono::Datelike as _;
        d.year()
    })
}

/// What `planpress init` is told; what it is not told it asks on a
/// terminal, or leaves as a marked placeholder.
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    /// Year of the first cycle (default: next year).
    pub year: Option<i32>,
    /// The province's name, as in "tỉnh Bình Định".
    pub province: Option<String>,
    /// The portal's absolute address.
    pub base_url: Option<String>,
    /// Interface language.
    pub lang: Lang,
}

/// Asks for one value on the terminal; `None` when the answer is empty or
/// stdin is not a terminal (then nothing is read).
fn ask(question: &str) -> Option<String> {
    use std::io::{BufRead as _, IsTerminal as _};
    if !std::io::stdin().is_terminal() {
        return None;
    }
    eprint!("{question}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    let line = line.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// `planpress init`, asking on a terminal for the province, the year and
/// the base URL when they are not given. No other province's names or
/// documents are written: section I has the letter's national bases and
/// marked placeholders (W108 until filled) for the province's own.
pub fn init_asking(dir: &Path, mut opts: InitOptions) -> Result<Created, CommandError> {
    let lang = opts.lang;
    if opts.province.is_none() {
        opts.province = ask(&tr!(
            lang,
            "Tên tỉnh (ví dụ: Bình Định)",
            "Province (e.g. Bình Định)"
        ));
    }
    if opts.year.is_none() {
        let next = this_year() + 1;
        let answer = ask(&tr!(
            lang,
            "Năm của kỳ kế hoạch đầu tiên [{next}]",
            "Year of the first cycle [{next}]"
        ));
        if let Some(a) = answer {
            let year = a.parse::<i32>().map_err(|_| {
                CommandError::usage(tr!(
                    lang,
                    "`{a}` không phải là một năm; viết bốn chữ số, ví dụ {next}.",
                    "`{a}` is not a year; write four digits, e.g. {next}."
                ))
            })?;
            opts.year = Some(year);
        }
    }
    if opts.base_url.is_none() {
        opts.base_url = ask(&tr!(
            lang,
            "Địa chỉ cổng (ví dụ: https://stttt.binhdinh.gov.vn/ke-hoach); để trống nếu chưa có",
            "Portal address (e.g. https://portal.example.gov.vn/plans); empty if not known yet"
        ));
    }
    if let Some(u) = &opts.base_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(CommandError::usage(tr!(
            lang,
            "--base-url `{u}` phải là địa chỉ tuyệt đối, bắt đầu bằng https://.",
            "--base-url `{u}` must be an absolute address starting with https://."
        )));
    }
    init_with(dir, &opts)
}

/// `planpress init` without asking: [`init_asking`] with no terminal.
pub fn init(
    dir: &Path,
    year: Option<i32>,
    province: &str,
    lang: Lang,
) -> Result<Created, CommandError> {
    let opts = InitOptions {
        year,
        province: Some(province.to_string()),
        base_url: None,
        lang,
    };
    init_with(dir, &opts)
}

/// A new site in `dir` (which must be empty or absent): site.yaml,
/// agencies.yaml, the seed's catalog, one cycle (`year`, default next year)
/// and the CI files. It passes `check` with no error; the warnings are W102
/// (agencies with no plan yet) and W108 (placeholders to fill).
fn init_with(dir: &Path, opts: &InitOptions) -> Result<Created, CommandError> {
    let lang = opts.lang;
    let year = opts.year;
    let d = dir.display();
    if dir.exists() {
        let not_empty = match std::fs::read_dir(dir) {
            Ok(mut entries) => entries.next().is_some(),
            Err(_) => true,
        };
        if not_empty {
            return Err(CommandError::failed(tr!(
                lang,
                "{d} đã có và không trống; `planpress init` chỉ tạo site trong một thư mục trống hoặc chưa có.",
                "{d} exists and is not empty; `planpress init` only creates a site in an empty or new folder."
            )));
        }
    }
    let year = year.unwrap_or_else(|| this_year() + 1);
    if !(1901..=2200).contains(&year) {
        return Err(CommandError::usage(tr!(
            lang,
            "Năm {year} không hợp lệ.",
            "{year} is not a valid year."
        )));
    }
    let province_text = match opts.province.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => p.to_string(),
        _ => placeholder("tên tỉnh"),
    };
    let province = province_text.as_str();
    let base_url = opts.base_url.as_deref().map(|u| u.trim_end_matches('/'));
    let files: Vec<(String, String)> = vec![
        (
            "content/site.yaml".into(),
            site_yaml(province, base_url, lang),
        ),
        ("content/agencies.yaml".into(), agencies_yaml()),
        ("content/catalog.yaml".into(), CATALOG.to_string()),
        (format!("content/{year}/_plan.md"), cycle_md(year, province)),
        (".gitignore".into(), GITIGNORE.to_string()),
        ("README.md".into(), readme(province, year)),
        (
            ".github/workflows/planpress.yml".into(),
            GITHUB_WORKFLOW.to_string(),
        ),
        (".gitlab-ci.yml".into(), GITLAB_CI.to_string()),
        ("scripts/pre-commit".into(), PRE_COMMIT.to_string()),
    ];
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        write_new(&path, text, lang)?;
        written.push(path);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let hook = dir.join("scripts/pre-commit");
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).map_err(|e| {
            let p = hook.display();
            CommandError::failed(tr!(
                lang,
                "Không đặt được quyền chạy cho {p}: {e}.",
                "Cannot make {p} executable: {e}."
            ))
        })?;
    }
    let (_, summary) = check_summary(dir, &[], lang);
    let message = tr!(
        lang,
        "Đã tạo site mới trong {d} (kỳ kế hoạch {year}).\n{summary} Các cảnh báo W102 nhắc những cơ quan chưa có kế hoạch; W108 chỉ những chỗ «ĐIỀN: …» cần thay bằng thông tin của tỉnh.\nTiếp theo:\n  cd {d} && git init && git add . && git commit -m \"Khởi tạo site\"\n  git config core.hooksPath scripts     # kiểm tra trước mỗi commit\n  planpress new plan so-tttt            # tạo kế hoạch mẫu cho một cơ quan\n  planpress serve                       # xem trước",
        "Created a new site in {d} (cycle {year}).\n{summary} The W102 warnings list the agencies with no plan yet; W108 points at each «ĐIỀN: …» placeholder to replace with the province's own details.\nNext:\n  cd {d} && git init && git add . && git commit -m \"New site\"\n  git config core.hooksPath scripts     # check before each commit\n  planpress new plan so-tttt            # start a plan for an agency\n  planpress serve                       # preview"
    );
    Ok(Created {
        files: written,
        message,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quoted_strings_survive_yaml() {
        let q = quoted("a \"b\" \\ c: #d");
        let node = crate::yaml::parse(&format!("k: {q}\n"), 0)
            .unwrap()
            .unwrap();
        let crate::yaml::Kind::Map(e) = node.kind else {
            panic!()
        };
        assert_eq!(
            e[0].1.kind,
            crate::yaml::Kind::Scalar {
                text: "a \"b\" \\ c: #d".into(),
                plain: false
            }
        );
    }

    #[test]
    fn ci_templates_are_valid_yaml() {
        for t in [GITHUB_WORKFLOW, GITLAB_CI] {
            assert!(crate::yaml::parse(t, 0).unwrap().is_some());
        }
        assert!(PRE_COMMIT.starts_with("#!/bin/sh\n"));
    }

    #[test]
    fn the_skeleton_lists_only_the_indicators_the_agency_may_report() {
        let site = load::load(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .site;
        let tax = site.agency("cuc-thue").unwrap();
        let other = site.agency("so-noi-vu").unwrap();
        let a = plan_skeleton(&site, tax, 2019);
        let b = plan_skeleton(&site, other, 2019);
        assert!(a.contains("- id: thue-khai-qua-mang"));
        assert!(!b.contains("- id: thue-khai-qua-mang"));
        assert!(b.contains("- id: tthc-truc-tuyen"));
        assert!(b.contains("hạn gửi 31/07/2018"));
    }

    #[test]
    fn every_placeholder_of_the_skeleton_is_filled() {
        let site = load::load(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .site;
        for code in ["cuc-thue", "so-noi-vu"] {
            let agency = site.agency(code).unwrap();
            for year in [2019, 2020, 2026, 2031] {
                let s = plan_skeleton(&site, agency, year);
                assert!(!s.contains("{{"), "{code} {year}: {s}");
            }
        }
        assert_eq!(
            fill("a {{x}} {{y}} {{", &[("x", "{{y}}")]),
            "a {{y}} {{y}} {{"
        );
    }
}
