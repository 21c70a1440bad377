//! Rules that need more than one value: sums, code lists, cross-references
//! between files, deadlines and body sections. Shape rules (E001–E006) are
//! reported while loading; everything here runs on the checked model.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::diag::{Code, Diagnostic, Lang, Pos, Sink, tr};
use crate::model::date_text;
use crate::model::money::format_grouped;
use crate::model::{
    Amount, Catalog, CodeName, Cycle, Plan, SectionKey, Site, Spanned, Split, Standing, Status,
    Unit, split_sum,
};

/// Runs every rule over a loaded site: [`validate_config`], then
/// [`validate_cycle`] and [`validate_plan`] for every cycle and plan.
pub(crate) fn validate(site: &Site) -> Vec<Diagnostic> {
    let mut out = validate_config(site);
    for cycle in &site.cycles {
        out.extend(validate_cycle(site, cycle));
        let per_plan: Vec<Vec<Diagnostic>> = cycle
            .plans
            .par_iter()
            .map(|plan| validate_plan(site, cycle, plan))
            .collect();
        out.extend(per_plan.into_iter().flatten());
    }
    out
}

/// How a value left for the province to fill in starts (`init` writes them):
/// `check` warns (W108) until every one is replaced. The rule owns the mark.
pub(crate) const PLACEHOLDER: &str = "«ĐIỀN:";

/// W108: every `«ĐIỀN: …»` placeholder `init` left in a file, until the
/// province fills it in. Read from the text, so a placeholder in a comment
/// (such as the base URL's) counts too.
pub(crate) fn placeholders(
    sources: &std::collections::BTreeMap<String, String>,
    lang: Lang,
) -> Vec<Diagnostic> {
    let marker = PLACEHOLDER;
    let mut out = Vec::new();
    for (file, text) in sources {
        if !text.contains(marker) {
            continue;
        }
        let mut sink = Sink::new(lang, file, false);
        for (i, line) in text.lines().enumerate() {
            let mut from = 0;
            while let Some(at) = line[from..].find(marker) {
                let start = from + at;
                let end = line[start..]
                    .find('»')
                    .map_or(line.len(), |e| start + e + '»'.len_utf8());
                let what = &line[start..end];
                let pos = Pos {
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    col: u32::try_from(line[..start].chars().count() + 1).unwrap_or(u32::MAX),
                };
                sink.report(
                    Code::W108,
                    pos,
                    tr!(
                        lang,
                        "Chỗ cần điền chưa được điền: {what}",
                        "A placeholder is not filled in yet: {what}"
                    ),
                    Some(tr!(
                        lang,
                        "Thay cả đoạn «ĐIỀN: …» bằng thông tin thật của tỉnh (số, ngày, trích yếu văn bản), hoặc xóa dòng nếu không dùng.",
                        "Replace the whole «ĐIỀN: …» with the province's real details (number, date, title of the document), or delete the line if it does not apply."
                    )),
                );
                from = end.max(start + 1);
            }
        }
        out.extend(sink.into_vec());
    }
    out
}

/// Rules of the configuration files alone (their diagnostics name them).
pub(crate) fn validate_config(site: &Site) -> Vec<Diagnostic> {
    config_rules(site, site.lang())
}

/// Rules of one cycle as a whole: its `_plan.md` and who has not submitted
/// (diagnostics name the cycle's `_plan.md`). They depend on the cycle's
/// list of plan files, so `serve` runs them again when a plan comes or goes.
pub(crate) fn validate_cycle(site: &Site, cycle: &Cycle) -> Vec<Diagnostic> {
    cycle_rules(site, cycle, site.lang())
}

/// Rules of one plan. They read the configuration and the cycle's
/// `_plan.md`, never another plan, and every diagnostic names the plan's
/// own file: `serve` re-checks a saved plan alone with this.
pub(crate) fn validate_plan(site: &Site, cycle: &Cycle, plan: &Plan) -> Vec<Diagnostic> {
    plan_rules(site, cycle, plan, site.lang())
}

/// The code of the agency whose name is `typed` (see
/// [`crate::model::lower::code_by_name`]).
fn agency_by_name<'s>(site: &'s Site, typed: &str) -> Option<&'s str> {
    let agencies = site.agencies.as_ref()?;
    let pairs: Vec<(String, String)> = agencies
        .iter()
        .map(|a| (a.code.value.clone(), a.name.clone()))
        .collect();
    let code = crate::model::lower::code_by_name(typed, &pairs)?;
    agencies
        .iter()
        .find(|a| a.code.value == code)
        .map(|a| a.code.value.as_str())
}

fn money(a: Amount, lang: Lang) -> String {
    format_grouped(a.0, lang)
}

/// Duplicates and dangling references inside the configuration files.
fn config_rules(site: &Site, lang: Lang) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(agencies) = &site.agencies {
        let mut sink = Sink::new(lang, "content/agencies.yaml", true);
        let mut seen = HashSet::new();
        for a in agencies {
            let c = &a.code.value;
            if crate::model::CYCLE_FOLDERS.contains(&c.as_str()) {
                sink.report(
                    Code::E005,
                    a.code.pos,
                    tr!(
                        lang,
                        "Mã cơ quan `{c}` trùng với tên một thư mục của trang kỳ kế hoạch (`<năm>/{c}/`), nên trang kế hoạch của cơ quan sẽ bị che.",
                        "Agency code `{c}` is the name of a folder of the cycle's pages (`<year>/{c}/`), which would hide the agency's plan page."
                    ),
                    Some(tr!(
                        lang,
                        "Đặt mã khác (ví dụ `{c}-1`) và đổi tên tệp kế hoạch `content/<năm>/{c}.md` theo mã mới.",
                        "Choose another code (for example `{c}-1`) and rename the plan file `content/<year>/{c}.md` to match."
                    )),
                );
            }
            if !seen.insert(a.code.value.as_str()) {
                let c = &a.code.value;
                sink.report(
                    Code::E005,
                    a.code.pos,
                    tr!(
                        lang,
                        "Mã cơ quan `{c}` bị trùng.",
                        "Agency code `{c}` is used twice."
                    ),
                    Some(tr!(
                        lang,
                        "Mỗi cơ quan cần một mã riêng.",
                        "Give each agency its own code."
                    )),
                );
            }
        }
        out.extend(sink.into_vec());
    }
    if let Some(agencies) = &site.agencies {
        out.extend(successor_rules(site, agencies, lang));
    }
    if let Some(catalog) = &site.catalog {
        out.extend(catalog_rules(site, catalog, "content/catalog.yaml", lang));
    }
    for cycle in &site.cycles {
        if let Some(Some(catalog)) = &cycle.catalog {
            let file = format!("content/{}/catalog.yaml", cycle.year);
            out.extend(catalog_rules(site, catalog, &file, lang));
        }
    }
    out
}

/// `successor` names a known agency.
fn successor_rules(site: &Site, agencies: &[crate::model::Agency], lang: Lang) -> Vec<Diagnostic> {
    let mut sink = Sink::new(lang, "content/agencies.yaml", true);
    for a in agencies {
        if let Some(succ) = &a.successor
            && site.agency(&succ.value).is_none()
        {
            let c = &succ.value;
            let codes: Vec<&str> = agencies.iter().map(|a| a.code.value.as_str()).collect();
            let help = match crate::diag::suggest(c, &codes) {
                Some(near) => tr!(lang, "Có phải ý bạn là `{near}`?", "Did you mean `{near}`?"),
                None => tr!(
                    lang,
                    "Thêm cơ quan kế nhiệm vào agencies.yaml (với `from`), rồi ghi mã của nó ở đây.",
                    "Add the successor to agencies.yaml (with `from`), then give its code here."
                ),
            };
            sink.report(
                Code::E010,
                succ.pos,
                tr!(
                    lang,
                    "Cơ quan kế nhiệm `{c}` không có trong agencies.yaml.",
                    "Successor `{c}` is not in agencies.yaml."
                ),
                Some(help),
            );
        }
    }
    sink.into_vec()
}

/// Duplicates and unknown providers of one catalog (the site's or a
/// cycle's), reported against `file`.
fn catalog_rules(site: &Site, catalog: &Catalog, file: &str, lang: Lang) -> Vec<Diagnostic> {
    let mut sink = Sink::new(lang, file, true);
    for list in [&catalog.categories, &catalog.levels, &catalog.kinds] {
        duplicate_ids(list.iter().map(|c| &c.id), &mut sink);
    }
    duplicate_ids(catalog.indicators.iter().map(|i| &i.id), &mut sink);
    if site.agencies.is_some() {
        for ind in &catalog.indicators {
            if let Some(p) = &ind.provider
                && site.agency(&p.value).is_none()
            {
                let c = &p.value;
                sink.report(
                    Code::E010,
                    p.pos,
                    tr!(
                        lang,
                        "Đơn vị cung cấp `{c}` không có trong agencies.yaml.",
                        "Provider `{c}` is not in agencies.yaml."
                    ),
                    Some(tr!(
                        lang,
                        "Dùng mã của một cơ quan trong agencies.yaml.",
                        "Use the code of an agency in agencies.yaml."
                    )),
                );
            }
        }
    }
    sink.into_vec()
}

fn duplicate_ids<'a>(ids: impl Iterator<Item = &'a Spanned<String>>, sink: &mut Sink<'_>) {
    let lang = sink.lang;
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id.value.as_str()) {
            let c = &id.value;
            sink.report(
                Code::E005,
                id.pos,
                tr!(
                    lang,
                    "Mã `{c}` bị trùng trong danh mục.",
                    "Id `{c}` appears twice in the list."
                ),
                Some(tr!(
                    lang,
                    "Mỗi mục cần một mã riêng.",
                    "Give each entry its own id."
                )),
            );
        }
    }
}

/// The cycle's own file and who has not submitted.
fn cycle_rules(site: &Site, cycle: &Cycle, lang: Lang) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(meta) = &cycle.meta
        && meta.year != cycle.year
    {
        let mut sink = Sink::new(lang, &cycle.meta_file, true);
        let (y, folder) = (meta.year, cycle.year);
        sink.report(
            Code::E012,
            meta.year_pos,
            tr!(
                lang,
                "`year` là {y} nhưng tệp nằm trong thư mục {folder}.",
                "`year` is {y} but the file is in folder {folder}."
            ),
            Some(tr!(
                lang,
                "Sửa `year` thành {folder}.",
                "Set `year` to {folder}."
            )),
        );
        out.extend(sink.into_vec());
    }
    if let Some(meta) = &cycle.meta {
        out.extend(missing_cycle_sections(meta, &cycle.meta_file, lang));
    }
    if site.agencies.is_some() {
        let mut sink = Sink::new(lang, &cycle.meta_file, false);
        for a in site.expected_in(cycle.year) {
            if !cycle.stems.contains(&a.code.value) {
                let (code, name, year) = (&a.code.value, a.name_in(cycle.year), cycle.year);
                sink.report(
                    Code::W102,
                    Pos::START,
                    tr!(
                        lang,
                        "{name} ({code}) chưa có kế hoạch năm {year}.",
                        "{name} ({code}) has no plan for {year}."
                    ),
                    Some(tr!(
                        lang,
                        "Cần tệp content/{year}/{code}.md.",
                        "Expected content/{year}/{code}.md."
                    )),
                );
            }
        }
        out.extend(sink.into_vec());
    }
    out
}

/// W106: the consolidated plan shows II.3, III, IV, V and VII from the
/// department's own text in `_plan.md`. One warning per file names every
/// section missing, pointed at where the first of them belongs (before the
/// next section that is there).
fn missing_cycle_sections(
    meta: &crate::model::CycleMeta,
    file: &str,
    lang: Lang,
) -> Vec<Diagnostic> {
    let missing: Vec<SectionKey> = SectionKey::ALL
        .into_iter()
        .filter(|k| meta.body.section(*k).is_none())
        .collect();
    let Some(first) = missing.first().copied() else {
        return Vec::new();
    };
    let at = meta
        .body
        .sections
        .iter()
        .find(|s| s.key.is_some_and(|k| k > first))
        .or(meta.body.sections.last())
        .map_or(Pos::START, |s| s.pos);
    let names = missing
        .iter()
        .map(|k| format!("“{}. {}”", k.numeral(), k.heading()))
        .collect::<Vec<_>>()
        .join(", ");
    let headings = missing
        .iter()
        .map(|k| format!("`## {}`", k.heading()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sink = Sink::new(lang, file, false);
    sink.report(
        Code::W106,
        at,
        tr!(
            lang,
            "_plan.md chưa có mục {names} của kế hoạch tổng hợp; trang kế hoạch của tỉnh sẽ ghi các mục này là chưa có.",
            "_plan.md has no section {names} for the consolidated plan; the provincial page will show them as missing."
        ),
        Some(tr!(
            lang,
            "Thêm tiêu đề {headings} và nội dung do Sở soạn vào phần thân của _plan.md, theo thứ tự II.3, III, IV, V, VII.",
            "Add {headings} with the department's text to the body of _plan.md, in the order II.3, III, IV, V, VII."
        )),
    );
    sink.into_vec()
}

fn plan_rules(site: &Site, cycle: &Cycle, plan: &Plan, lang: Lang) -> Vec<Diagnostic> {
    let mut sink = Sink::new(lang, &plan.file, false);
    let s = &mut sink;
    let agency = &plan.agency;
    if site.agencies.is_some() && site.agency(&agency.value).is_none() {
        let c = &agency.value;
        let help = match site
            .agencies
            .as_ref()
            .map(|a| a.iter().map(|a| a.code.value.as_str()).collect::<Vec<_>>())
        {
            Some(codes) => {
                match agency_by_name(site, c).or_else(|| crate::diag::suggest(c, &codes)) {
                    Some(near) => tr!(lang, "Có phải ý bạn là `{near}`?", "Did you mean `{near}`?"),
                    None => tr!(
                        lang,
                        "Dùng một mã trong content/agencies.yaml, hoặc thêm cơ quan vào đó.",
                        "Use a code from content/agencies.yaml, or add the agency there."
                    ),
                }
            }
            None => String::new(),
        };
        s.report(
            Code::E010,
            agency.pos,
            tr!(
                lang,
                "Mã cơ quan `{c}` không có trong agencies.yaml.",
                "Agency code `{c}` is not in agencies.yaml."
            ),
            Some(help),
        );
    }
    outside_years(site, cycle.year, agency, Code::E010, s);
    if plan.stem != agency.value {
        let (stem, c) = (&plan.stem, &agency.value);
        s.report(
            Code::E011,
            agency.pos,
            tr!(
                lang,
                "Tên tệp `{stem}.md` khác mã cơ quan `{c}`.",
                "File name `{stem}.md` differs from agency `{c}`."
            ),
            Some(tr!(
                lang,
                "Đổi tên tệp thành `{c}.md`, hoặc sửa `agency`.",
                "Rename the file to `{c}.md`, or fix `agency`."
            )),
        );
    }
    if plan.year.value != cycle.year {
        let (y, folder) = (plan.year.value, cycle.year);
        s.report(
            Code::E012,
            plan.year.pos,
            tr!(
                lang,
                "`year` là {y} nhưng tệp nằm trong thư mục {folder}.",
                "`year` is {y} but the file is in folder {folder}."
            ),
            Some(tr!(
                lang,
                "Sửa `year` thành {folder}, hoặc chuyển tệp sang thư mục content/{y}/.",
                "Set `year` to {folder}, or move the file to content/{y}/."
            )),
        );
    }
    status_rules(cycle, plan, s);
    let catalog = site.catalog_for(cycle.year);
    indicator_rules(site, catalog, plan, s);
    for row in &plan.spending {
        if let Some(c) = catalog {
            known(&row.category, &c.categories, "category", s);
        }
        negative(&row.total, s);
        for (split, list, what) in [
            (&row.levels, catalog.map(|c| &c.levels), "levels"),
            (&row.kinds, catalog.map(|c| &c.kinds), "kinds"),
        ] {
            split_rules(split, list, what, s);
            sum_matches(Code::E030, split, &row.total, what, "total", s);
        }
    }
    project_rules(site, cycle, catalog, plan, s);
    body_rules(plan, s);
    sink.into_vec()
}

/// `code` (a plan's agency, or a project's lead or partner) names an
/// agency that does not exist in cycle `year`: `rule` (E010 or E037), with
/// the successor to use when there is one.
fn outside_years(site: &Site, year: i32, code: &Spanned<String>, rule: Code, s: &mut Sink<'_>) {
    let lang = s.lang;
    let c = &code.value;
    let (message, help) = match site.standing(c, year) {
        Standing::Unknown | Standing::Present(_) => return,
        Standing::NotYet(a) => {
            let from = a.from.as_ref().map_or(year, |f| f.value);
            (
                tr!(
                    lang,
                    "`{c}` chỉ có từ kỳ {from}; chưa tồn tại trong kỳ {year}.",
                    "`{c}` exists only from cycle {from}, not in cycle {year}."
                ),
                tr!(
                    lang,
                    "Dùng mã của cơ quan đảm nhận nhiệm vụ này trong năm {year}, hoặc sửa `from` trong agencies.yaml.",
                    "Use the code of the agency that had these duties in {year}, or fix `from` in agencies.yaml."
                ),
            )
        }
        Standing::Ended { agency, successor } => {
            let until = agency.until.as_ref().map_or(year, |u| u.value);
            let message = tr!(
                lang,
                "`{c}` chỉ tồn tại đến kỳ {until}; không còn trong kỳ {year}.",
                "`{c}` exists only until cycle {until}, not in cycle {year}."
            );
            let help = match successor {
                Some(n) => {
                    let (nc, nn) = (&n.code.value, n.name_in(year));
                    tr!(
                        lang,
                        "Nhiệm vụ này nay thuộc {nn}: dùng mã `{nc}` (và tệp content/{year}/{nc}.md).",
                        "Its duties now belong to {nn}: use code `{nc}` (and the file content/{year}/{nc}.md)."
                    )
                }
                None => tr!(
                    lang,
                    "Dùng mã của cơ quan đảm nhận nhiệm vụ này trong năm {year}, hoặc sửa `until` trong agencies.yaml.",
                    "Use the code of the agency that has these duties in {year}, or fix `until` in agencies.yaml."
                ),
            };
            (message, help)
        }
    };
    s.report(rule, code.pos, message, Some(help));
}

fn status_rules(cycle: &Cycle, plan: &Plan, s: &mut Sink<'_>) {
    let lang = s.lang;
    if plan.status.value != Status::Draft
        && plan.submitted.is_none()
        && !plan.malformed.contains(&"submitted")
    {
        let st = plan.status.value.id();
        s.report(
            Code::E050,
            plan.status.pos,
            tr!(
                lang,
                "Trạng thái là `{st}` nhưng thiếu ngày gửi `submitted`.",
                "Status is `{st}` but the date `submitted` is missing."
            ),
            Some(tr!(
                lang,
                "Thêm dòng `submitted: 2018-07-25` (ngày gửi kế hoạch), hoặc đặt `status: draft`.",
                "Add `submitted: 2018-07-25` (the date the plan was sent), or set `status: draft`."
            )),
        );
    }
    let today = crate::diag::today_in_vietnam();
    if let Some(sub) = &plan.submitted
        && sub.value > today
    {
        let (d, t) = (date_text(sub.value), date_text(today));
        let iso = today.format("%Y-%m-%d");
        s.report(
            Code::E005,
            sub.pos,
            tr!(
                lang,
                "Ngày gửi {d} còn ở tương lai (hôm nay là {t}).",
                "The date submitted, {d}, is in the future (today is {t})."
            ),
            Some(tr!(
                lang,
                "Ghi ngày kế hoạch thực sự được gửi, dạng năm-tháng-ngày, ví dụ hôm nay: `{iso}`.",
                "Write the day the plan was really sent, as year-month-day, e.g. today: `{iso}`."
            )),
        );
    } else if let (Some(sub), Some(meta), false) = (
        &plan.submitted,
        &cycle.meta,
        plan.status.value == Status::Draft,
    ) && sub.value > meta.deadline.value
    {
        let (d, dl) = (date_text(sub.value), date_text(meta.deadline.value));
        let days = format_grouped(
            Decimal::from((sub.value - meta.deadline.value).num_days()),
            lang,
        );
        s.error(
            Code::W101,
            sub.pos,
            tr!(
                lang,
                "Gửi ngày {d}, trễ {days} ngày so với hạn {dl}.",
                "Submitted on {d}, {days} days after the deadline {dl}."
            ),
        );
    }
    let has_contact = plan
        .contact
        .as_ref()
        .is_some_and(|c| c.name.is_some() || c.phone.is_some() || c.email.is_some());
    if !has_contact && !plan.malformed.contains(&"contact") {
        s.report(
            Code::W105,
            plan.pos,
            tr!(lang, "Kế hoạch không có người liên hệ (`contact`).", "The plan has no `contact`."),
            Some(tr!(lang, "Thêm `contact: {{ name: \"…\", phone: \"…\", email: \"…\" }}` để Sở TT&TT liên hệ khi tổng hợp.", "Add `contact: {{ name: \"…\", phone: \"…\", email: \"…\" }}` so the department can reach you.")),
        );
    }
}

fn indicator_rules(site: &Site, catalog: Option<&Catalog>, plan: &Plan, s: &mut Sink<'_>) {
    let lang = s.lang;
    let mut seen = HashSet::new();
    for ind in &plan.indicators {
        let id = &ind.id.value;
        if !seen.insert(id.as_str()) {
            s.report(
                Code::E005,
                ind.id.pos,
                tr!(
                    lang,
                    "Chỉ tiêu `{id}` được khai hai lần.",
                    "Indicator `{id}` is listed twice."
                ),
                Some(tr!(
                    lang,
                    "Gộp thành một dòng.",
                    "Merge them into one entry."
                )),
            );
        }
        let def = catalog.and_then(|c| c.indicator(id));
        let unit = match (def, ind.name.as_ref()) {
            (Some(d), _) => Some(d.unit),
            (None, Some(_)) => {
                if ind.unit.is_none() {
                    s.report(
                        Code::E006,
                        ind.id.pos,
                        tr!(
                            lang,
                            "Chỉ tiêu riêng `{id}` cần có `unit`.",
                            "Own indicator `{id}` needs a `unit`."
                        ),
                        Some(tr!(
                            lang,
                            "Thêm `unit: percent`, `unit: count` hoặc `unit: text`.",
                            "Add `unit: percent`, `unit: count` or `unit: text`."
                        )),
                    );
                }
                ind.unit
            }
            (None, None) => {
                if let Some(c) = catalog {
                    let ids: Vec<&str> = c.indicators.iter().map(|i| i.id.value.as_str()).collect();
                    let help = match crate::diag::suggest(id, &ids) {
                        Some(near) => tr!(
                            lang,
                            "Có phải ý bạn là `{near}`? Nếu là mục tiêu khác, thêm `name` và `unit`.",
                            "Did you mean `{near}`? For another goal, add `name` and `unit`."
                        ),
                        None => tr!(
                            lang,
                            "Dùng mã trong catalog.yaml, hoặc thêm `name` và `unit` cho mục tiêu khác.",
                            "Use an id from catalog.yaml, or add `name` and `unit` for another goal."
                        ),
                    };
                    s.report(
                        Code::E020,
                        ind.id.pos,
                        tr!(
                            lang,
                            "Chỉ tiêu `{id}` không có trong danh mục.",
                            "Indicator `{id}` is not in the catalog."
                        ),
                        Some(help),
                    );
                }
                None
            }
        };
        if let Some(provider) = def.and_then(|d| d.provider.as_ref())
            && provider.value != plan.agency.value
        {
            let p = site
                .agency(&provider.value)
                .map_or(provider.value.as_str(), |a| a.name.as_str());
            s.report(
                Code::E021,
                ind.id.pos,
                tr!(
                    lang,
                    "Chỉ tiêu `{id}` do {p} tổng hợp và cung cấp, cơ quan khác không báo cáo.",
                    "Indicator `{id}` is reported by {p} only."
                ),
                Some(tr!(
                    lang,
                    "Xóa chỉ tiêu này khỏi kế hoạch.",
                    "Remove this indicator from the plan."
                )),
            );
        }
        let values = [&ind.target, &ind.actual, &ind.goal];
        match unit {
            Some(Unit::Percent) => {
                for v in values.into_iter().flatten() {
                    if v.value < Decimal::ZERO || v.value > Decimal::ONE_HUNDRED {
                        let x = format_grouped(v.value, lang);
                        s.report(
                            Code::E022,
                            v.pos,
                            tr!(
                                lang,
                                "Tỷ lệ {x}% nằm ngoài khoảng 0–100.",
                                "Percentage {x}% is outside 0–100."
                            ),
                            Some(tr!(
                                lang,
                                "Viết số phần trăm từ 0 đến 100, không có dấu %.",
                                "Write a percentage from 0 to 100, without the % sign."
                            )),
                        );
                    }
                }
            }
            Some(Unit::Count) => {
                for v in values.into_iter().flatten() {
                    if v.value < Decimal::ZERO {
                        let x = format_grouped(v.value, lang);
                        s.error(
                            Code::E022,
                            v.pos,
                            tr!(
                                lang,
                                "Số lượng không được âm: {x}.",
                                "A count cannot be negative: {x}."
                            ),
                        );
                    }
                }
            }
            Some(Unit::Text) => {
                for v in values.into_iter().flatten() {
                    s.report(
                        Code::E005,
                        v.pos,
                        tr!(
                            lang,
                            "Chỉ tiêu `{id}` là dạng văn bản, không nhận số.",
                            "Indicator `{id}` is a text indicator and takes no numbers."
                        ),
                        Some(tr!(
                            lang,
                            "Viết `value: \"…\"` để mô tả tình hình.",
                            "Write `value: \"…\"` to describe it."
                        )),
                    );
                }
            }
            None => {}
        }
        if let (Some(goal), Some(actual), Some(Unit::Percent | Unit::Count)) =
            (&ind.goal, &ind.actual, unit)
            && goal.value < actual.value
        {
            let (g, a) = (
                format_grouped(goal.value, lang),
                format_grouped(actual.value, lang),
            );
            s.report(
                Code::W103,
                goal.pos,
                tr!(
                    lang,
                    "Mục tiêu {g} thấp hơn ước thực hiện năm trước {a}.",
                    "Goal {g} is lower than last year's estimate {a}."
                ),
                Some(tr!(
                    lang,
                    "Kiểm tra lại số liệu, hoặc giải thích trong `note`.",
                    "Check the figures, or explain in `note`."
                )),
            );
        }
    }
}

fn known(id: &Spanned<String>, list: &[CodeName], what: &str, s: &mut Sink<'_>) {
    if list.iter().any(|c| c.id.value == id.value) {
        return;
    }
    let lang = s.lang;
    let ids: Vec<&str> = list.iter().map(|c| c.id.value.as_str()).collect();
    let v = &id.value;
    let all = ids.join(", ");
    let pairs: Vec<(String, String)> = list
        .iter()
        .map(|c| (c.id.value.clone(), c.name.clone()))
        .collect();
    let meant =
        crate::model::lower::code_by_name(v, &pairs).or_else(|| crate::diag::suggest(v, &ids));
    let help = match meant {
        Some(near) => tr!(
            lang,
            "Có phải ý bạn là `{near}`? Mã hợp lệ: {all}.",
            "Did you mean `{near}`? Valid ids: {all}."
        ),
        None => tr!(
            lang,
            "Mã hợp lệ (catalog.yaml): {all}.",
            "Valid ids (catalog.yaml): {all}."
        ),
    };
    s.report(
        Code::E020,
        id.pos,
        tr!(
            lang,
            "Mã `{v}` không có trong danh mục `{what}`.",
            "`{v}` is not a known `{what}` id."
        ),
        Some(help),
    );
}

fn negative(a: &Spanned<Amount>, s: &mut Sink<'_>) {
    if a.value.is_negative() {
        let lang = s.lang;
        let x = money(a.value, lang);
        s.report(
            Code::E033,
            a.pos,
            tr!(lang, "Số tiền âm: {x}.", "Negative amount: {x}."),
            Some(tr!(
                lang,
                "Số tiền phải từ 0 trở lên.",
                "Amounts must be zero or more."
            )),
        );
    }
}

fn split_rules(split: &Spanned<Split>, list: Option<&Vec<CodeName>>, what: &str, s: &mut Sink<'_>) {
    for (id, amount) in &split.value {
        if let Some(list) = list {
            known(id, list, what, s);
        }
        negative(amount, s);
    }
}

/// E030/E032: a split must add up to the amount it splits. The diagnostic
/// points at that amount, which is what the split contradicts.
fn sum_matches(
    code: Code,
    split: &Spanned<Split>,
    whole: &Spanned<Amount>,
    what: &str,
    whole_name: &str,
    s: &mut Sink<'_>,
) {
    let sum = split_sum(&split.value);
    if sum == whole.value {
        return;
    }
    let lang = s.lang;
    let (sum_s, whole_s, diff) = (
        money(sum, lang),
        money(whole.value, lang),
        money(sum - whole.value, lang),
    );
    let (what_vi, what_en) = match what {
        "levels" => (
            "các cấp ngân sách (`levels`)",
            "the budget levels (`levels`)",
        ),
        _ => ("các nguồn vốn (`kinds`)", "the capital kinds (`kinds`)"),
    };
    s.report(
        code,
        whole.pos,
        tr!(
            lang,
            "Tổng {what_vi} là {sum_s}, khác `{whole_name}` = {whole_s} (chênh {diff}).",
            "{what_en} add up to {sum_s}, not `{whole_name}` = {whole_s} (off by {diff})."
        ),
        Some(tr!(
            lang,
            "Sửa các số trong `{what}` hoặc `{whole_name}` cho khớp nhau.",
            "Fix the amounts in `{what}` or `{whole_name}` so they agree."
        )),
    );
}

fn project_rules(
    site: &Site,
    cycle: &Cycle,
    catalog: Option<&Catalog>,
    plan: &Plan,
    s: &mut Sink<'_>,
) {
    let lang = s.lang;
    let mut ids: HashMap<&str, Pos> = HashMap::new();
    let n = plan.projects.len();
    let mut priorities: HashMap<i64, Pos> = HashMap::new();
    for p in &plan.projects {
        let id = &p.id.value;
        if let Some(first) = ids.get(id.as_str()) {
            let line = first.line;
            s.report(
                Code::E034,
                p.id.pos,
                tr!(
                    lang,
                    "Mã dự án `{id}` bị trùng (đã dùng ở dòng {line}).",
                    "Project id `{id}` is used twice (first on line {line})."
                ),
                Some(tr!(
                    lang,
                    "Đặt cho mỗi dự án một mã riêng.",
                    "Give each project its own id."
                )),
            );
        } else {
            ids.insert(id, p.id.pos);
        }
        let pr = p.priority.value;
        // With a project left out for its own error, `n` is not the count
        // the editor sees: the range is not checked then.
        let counted = !plan.malformed.contains(&"projects");
        let prio_problem = if pr < 1 || (counted && usize::try_from(pr).map_or(true, |v| v > n)) {
            Some(tr!(
                lang,
                "Thứ tự ưu tiên {pr} nằm ngoài 1..{n} (kế hoạch có {n} dự án).",
                "Priority {pr} is outside 1..{n} (the plan has {n} projects)."
            ))
        } else if let Some(first) = priorities.get(&pr) {
            let line = first.line;
            Some(tr!(
                lang,
                "Thứ tự ưu tiên {pr} bị trùng (đã dùng ở dòng {line}).",
                "Priority {pr} is used twice (first on line {line})."
            ))
        } else {
            priorities.insert(pr, p.priority.pos);
            None
        };
        if let Some(m) = prio_problem {
            s.report(
                Code::E035,
                p.priority.pos,
                m,
                Some(tr!(
                    lang,
                    "Đánh số ưu tiên 1, 2, …, {n}, mỗi số một lần, 1 là cấp thiết nhất.",
                    "Number priorities 1, 2, …, {n}, each once, 1 the most urgent."
                )),
            );
        }
        let (from, to) = (&p.period.from, &p.period.to);
        if from.value > to.value {
            let (f, t) = (from.value, to.value);
            s.report(
                Code::E036,
                from.pos,
                tr!(
                    lang,
                    "Thời gian thực hiện bắt đầu ({f}) sau khi kết thúc ({t}).",
                    "The period starts ({f}) after it ends ({t})."
                ),
                Some(tr!(lang, "Sửa `from` ≤ `to`.", "Make `from` ≤ `to`.")),
            );
        } else if p.cost.planned.value.is_positive()
            && !(from.value..=to.value).contains(&cycle.year)
        {
            let y = cycle.year;
            let span = crate::model::period_text(from.value, to.value);
            s.report(
                Code::E036,
                from.pos,
                tr!(
                    lang,
                    "Dự án có kinh phí năm {y} nhưng thời gian thực hiện là {span}.",
                    "The project plans money for {y} but runs {span}."
                ),
                Some(tr!(
                    lang,
                    "Mở rộng thời gian thực hiện cho gồm năm {y}, hoặc đặt `planned: 0`.",
                    "Extend the period to include {y}, or set `planned: 0`."
                )),
            );
        }
        if site.agencies.is_some() {
            for a in std::iter::once(&p.lead).chain(&p.partners) {
                if site.agency(&a.value).is_none() {
                    let c = &a.value;
                    let codes: Vec<&str> = site
                        .agencies
                        .iter()
                        .flatten()
                        .map(|a| a.code.value.as_str())
                        .collect();
                    let help =
                        match agency_by_name(site, c).or_else(|| crate::diag::suggest(c, &codes)) {
                            Some(near) => {
                                tr!(lang, "Có phải ý bạn là `{near}`?", "Did you mean `{near}`?")
                            }
                            None => tr!(
                                lang,
                                "Dùng mã cơ quan trong agencies.yaml.",
                                "Use an agency code from agencies.yaml."
                            ),
                        };
                    s.report(
                        Code::E037,
                        a.pos,
                        tr!(
                            lang,
                            "`{c}` không phải là mã cơ quan đã biết.",
                            "`{c}` is not a known agency code."
                        ),
                        Some(help),
                    );
                } else if a.value != plan.agency.value {
                    // The plan's own agency out of its years is already E010.
                    outside_years(site, cycle.year, a, Code::E037, s);
                }
            }
        }
        if let Some(c) = catalog {
            known(&p.category, &c.categories, "category", s);
        }
        for a in [&p.cost.total, &p.cost.spent, &p.cost.planned] {
            negative(a, s);
        }
        let used = p.cost.spent.value + p.cost.planned.value;
        if used > p.cost.total.value {
            let (sp, pl, t) = (
                money(p.cost.spent.value, lang),
                money(p.cost.planned.value, lang),
                money(p.cost.total.value, lang),
            );
            s.report(
                Code::E031,
                p.cost.total.pos,
                tr!(
                    lang,
                    "Đã thực hiện ({sp}) + cần thực hiện ({pl}) vượt tổng kinh phí ({t}).",
                    "Spent ({sp}) + planned ({pl}) exceeds the total ({t})."
                ),
                Some(tr!(
                    lang,
                    "Tăng `total` hoặc giảm `spent`/`planned`.",
                    "Raise `total` or lower `spent`/`planned`."
                )),
            );
        }
        for (split, list, what) in [
            (&p.levels, catalog.map(|c| &c.levels), "levels"),
            (&p.kinds, catalog.map(|c| &c.kinds), "kinds"),
        ] {
            split_rules(split, list, what, s);
            sum_matches(Code::E032, split, &p.cost.planned, what, "cost.planned", s);
        }
        if p.cost.planned.value.is_positive() && p.approval.is_none() {
            s.report(
                Code::W104,
                p.id.pos,
                tr!(lang, "Dự án `{id}` có kinh phí năm nay nhưng chưa ghi quyết định phê duyệt (`approval`).", "Project `{id}` plans money this year but has no `approval`."),
                Some(tr!(lang, "Ghi số quyết định phê duyệt, hoặc \"Chưa phê duyệt\" nếu đang trình.", "Give the approving decision, or \"not yet approved\" if pending.")),
            );
        }
    }
}

fn body_rules(plan: &Plan, s: &mut Sink<'_>) {
    let lang = s.lang;
    let at = plan.body.sections.first().map_or(plan.pos, |sec| Pos {
        line: sec.pos.line,
        col: 1,
    });
    for key in SectionKey::ALL {
        let (h, id) = (key.heading(), key.id());
        match plan.body.section(key) {
            None => {
                let near = plan.body.near_heading(key);
                let (pos, help) = match &near {
                    Some((pos, line)) => (
                        *pos,
                        tr!(
                            lang,
                            "Dòng “{line}” có vẻ là tiêu đề của mục này nhưng chưa đúng dạng: thay cả dòng bằng `## {h}` (đầu dòng là hai dấu # và một dấu cách, không in đậm).",
                            "The line “{line}” looks like this section's heading but is not written as one: replace the whole line with `## {h}` (two # and a space at the start, no bold)."
                        ),
                    ),
                    None => (
                        at,
                        tr!(
                            lang,
                            "Thêm một dòng tiêu đề bắt đầu bằng hai dấu # và một dấu cách, `## {h}`, rồi viết nội dung của mục bên dưới.",
                            "Add a heading line starting with two # and a space, `## {h}`, and write the section's text below it."
                        ),
                    ),
                };
                s.report(
                    Code::E040,
                    pos,
                    tr!(
                        lang,
                        "Thiếu mục bắt buộc \"{h}\" ({id}) trong nội dung kế hoạch.",
                        "Required section \"{h}\" ({id}) is missing from the body."
                    ),
                    Some(help),
                );
            }
            Some(sec) if plan.status.value != Status::Draft && plan.body.is_blank(sec) => {
                let st = plan.status.value.id();
                s.report(
                    Code::W107,
                    sec.pos,
                    tr!(
                        lang,
                        "Mục \"{h}\" chưa có nội dung (chỉ có tiêu đề hoặc lời hướng dẫn trong <!-- -->) mà kế hoạch đã ở trạng thái `{st}`.",
                        "Section \"{h}\" has no text (only headings or <!-- --> guidance) although the plan is `{st}`."
                    ),
                    Some(tr!(
                        lang,
                        "Viết nội dung của mục dưới tiêu đề; lời hướng dẫn trong <!-- --> không hiện trên trang.",
                        "Write the section's text under its heading; <!-- --> guidance does not show on the page."
                    )),
                );
            }
            Some(_) => {}
        }
    }
    let mut highest: Option<SectionKey> = None;
    for sec in &plan.body.sections {
        let Some(key) = sec.key else { continue };
        match highest {
            Some(h) if key < h => {
                let (t, after) = (&sec.title, h.heading());
                s.report(
                    Code::E041,
                    sec.pos,
                    tr!(lang, "Mục \"{t}\" đứng sau mục \"{after}\", khác thứ tự của công văn hướng dẫn.", "Section \"{t}\" comes after \"{after}\", out of the guidance's order."),
                    Some(tr!(lang, "Thứ tự: Đánh giá chung, Mục tiêu, Định hướng, Giải pháp, Tổ chức thực hiện.", "Order: Đánh giá chung, Mục tiêu, Định hướng, Giải pháp, Tổ chức thực hiện.")),
                );
            }
            _ => highest = Some(key),
        }
    }
}

#[cfg(test)]
mod tests {
    //! One failing and one passing input for every rule, on a small site
    //! built from text. The passing plan is `PLAN`; each case edits it.

    use super::*;
    use crate::diag::Sink;
    use crate::model::lower::Lower;
    use crate::model::{Body, Cycle};
    use crate::yaml;

    const AGENCIES: &str = "
- { code: so-a, name: Sở A, group: so-ban-nganh }
- { code: so-b, name: Sở B, group: so-ban-nganh }
- { code: cuc-thue, name: Cục Thuế, group: so-ban-nganh, expected: false }
";
    const CATALOG: &str = "
categories: [{ id: ha-tang, name: H }, { id: noi-bo, name: N }]
levels: [{ id: tinh, name: T }, { id: huyen, name: H }]
kinds: [{ id: dau-tu, name: D }, { id: su-nghiep, name: S }]
indicators:
  - { id: tthc, name: TTHC, unit: percent }
  - { id: so-luong, name: SL, unit: count }
  - { id: tinh-hinh, name: TH, unit: text }
  - { id: thue, name: Thuế, unit: percent, provider: cuc-thue }
";
    const PLAN: &str = "agency: so-a
year: 2019
status: submitted
submitted: 2018-07-20
contact: { name: A }
indicators:
  - { id: tthc, target: 30, actual: 40, goal: 50 }
  - { id: so-luong, actual: 3, goal: 4 }
  - { id: tinh-hinh, value: tốt }
spending:
  - { category: ha-tang, task: t, total: 100.5, levels: { tinh: 100, huyen: 0.5 }, kinds: su-nghiep }
projects:
  - id: p1
    name: P1
    category: ha-tang
    priority: 1
    period: { from: 2019, to: 2020 }
    lead: so-a
    partners: [so-b]
    cost: { total: 10, spent: 2, planned: 8 }
    levels: tinh
    kinds: { dau-tu: 5, su-nghiep: 3 }
    approval: QĐ 1
  - id: p2
    name: P2
    category: noi-bo
    priority: 2
    period: { from: 2018, to: 2019 }
    lead: so-a
    cost: { total: 1, spent: 1, planned: 0 }
    levels: {}
    kinds: {}
";
    const BODY: &str = "## Đánh giá chung\nx\n## Mục tiêu\nx\n## Định hướng\nx\n## Giải pháp\nx\n## Tổ chức thực hiện\nx\n";

    fn lower<T>(text: &str, f: impl FnOnce(&mut Lower<'_, '_>, &yaml::Node) -> Option<T>) -> T {
        let mut sink = Sink::new(Lang::En, "x", false);
        let node = yaml::parse(text, 0).unwrap().unwrap();
        let v = f(&mut Lower::new(&mut sink), &node);
        assert!(sink.into_vec().is_empty());
        v.unwrap()
    }

    /// Codes found for a plan (and its body) under `content/2019/<stem>.md`.
    fn codes_for(stem: &str, plan: &str, body: &str) -> Vec<Code> {
        let agencies = lower(AGENCIES, |l, n| l.agencies(n));
        let catalog = lower(CATALOG, |l, n| l.catalog(n));
        let meta = lower("year: 2019\ntitle: K\ndeadline: 2018-07-31\n", |l, n| {
            l.cycle(Some(n), Body::new(BODY, 60), Pos::START)
        });
        let mut sink = Sink::new(Lang::En, "content/2019/x.md", false);
        let node = yaml::parse(plan, 1).unwrap();
        let file = format!("content/2019/{stem}.md");
        let p =
            Lower::new(&mut sink).plan(node.as_ref(), Pos::START, &file, stem, Body::new(body, 60));
        let shape = sink.into_vec();
        assert!(shape.is_empty(), "shape problems: {shape:?}");
        let site = Site {
            config: None,
            agencies: Some(agencies),
            catalog: Some(catalog),
            cycles: vec![Cycle {
                year: 2019,
                meta_file: "content/2019/_plan.md".into(),
                meta: Some(meta),
                plans: p.into_iter().collect(),
                stems: vec![stem.into(), "so-b".into()],
                catalog: None,
            }],
            ..Site::default()
        };
        validate(&site).into_iter().map(|d| d.code).collect()
    }

    fn codes(plan: &str) -> Vec<Code> {
        codes_for("so-a", plan, BODY)
    }

    fn edit(from: &str, to: &str) -> String {
        assert!(PLAN.contains(from), "{from}");
        PLAN.replacen(from, to, 1)
    }

    #[test]
    fn the_base_plan_passes_every_rule() {
        assert_eq!(codes(PLAN), Vec::<Code>::new());
    }

    #[test]
    fn every_rule_fails_on_its_own_input() {
        let cases: &[(Code, String)] = &[
            (Code::E010, edit("agency: so-a", "agency: so-x")),
            (Code::E012, edit("year: 2019", "year: 2020")),
            (
                Code::E020,
                edit("category: ha-tang, task", "category: ha-tangg, task"),
            ),
            (Code::E020, edit("levels: tinh\n", "levels: xa\n")),
            (Code::E020, edit("- { id: tthc,", "- { id: tthcc,")),
            (
                Code::E021,
                edit(
                    "- { id: tinh-hinh, value: tốt }",
                    "- { id: thue, actual: 1 }",
                ),
            ),
            (Code::E022, edit("goal: 50", "goal: 101")),
            (
                Code::E022,
                edit("actual: 3, goal: 4", "actual: -3, goal: 4"),
            ),
            (Code::E030, edit("huyen: 0.5 }", "huyen: 0.4 }")),
            (Code::E031, edit("cost: { total: 10,", "cost: { total: 9,")),
            (Code::E032, edit("dau-tu: 5,", "dau-tu: 4,")),
            (
                Code::E033,
                edit(
                    "cost: { total: 1, spent: 1,",
                    "cost: { total: 1, spent: -1,",
                ),
            ),
            (Code::E034, edit("id: p2", "id: p1")),
            (Code::E035, edit("priority: 2", "priority: 1")),
            (Code::E035, edit("priority: 2", "priority: 3")),
            (
                Code::E036,
                edit(
                    "period: { from: 2019, to: 2020 }",
                    "period: { from: 2021, to: 2020 }",
                ),
            ),
            (
                Code::E036,
                edit(
                    "period: { from: 2019, to: 2020 }",
                    "period: { from: 2020, to: 2021 }",
                ),
            ),
            (Code::E037, edit("partners: [so-b]", "partners: [so-c]")),
            (
                Code::E037,
                edit("lead: so-a\n    partners", "lead: so-z\n    partners"),
            ),
            (Code::E050, edit("submitted: 2018-07-20\n", "")),
            (
                Code::W101,
                edit("submitted: 2018-07-20", "submitted: 2018-08-01"),
            ),
            (Code::W103, edit("goal: 50", "goal: 35")),
            (Code::W104, edit("    approval: QĐ 1\n", "")),
            (Code::W105, edit("contact: { name: A }\n", "")),
        ];
        for (code, plan) in cases {
            let found = codes(plan);
            assert!(
                found.contains(code),
                "{code} not found in {found:?} for\n{plan}"
            );
        }
    }

    #[test]
    fn a_draft_needs_no_date_and_is_never_late() {
        let draft = edit(
            "status: submitted\nsubmitted: 2018-07-20\n",
            "status: draft\n",
        );
        assert_eq!(codes(&draft), Vec::<Code>::new());
    }

    #[test]
    fn e011_file_stem_differs() {
        assert!(codes_for("so-b", PLAN, BODY).contains(&Code::E011));
        assert!(!codes_for("so-a", PLAN, BODY).contains(&Code::E011));
    }

    #[test]
    fn e040_missing_and_e041_out_of_order_sections() {
        let missing = BODY.replace("## Giải pháp\nx\n", "");
        assert_eq!(codes_for("so-a", PLAN, &missing), vec![Code::E040]);
        let swapped = "## Mục tiêu\nx\n## Đánh giá chung\nx\n## Định hướng\nx\n## Giải pháp\nx\n## Tổ chức thực hiện\nx\n";
        assert_eq!(codes_for("so-a", PLAN, swapped), vec![Code::E041]);
    }

    #[test]
    fn w102_expected_agency_without_a_plan() {
        // so-b has a file in `codes_for`; cuc-thue is not expected.
        assert!(!codes(PLAN).contains(&Code::W102));
        let agencies = lower(AGENCIES, |l, n| l.agencies(n));
        let site = Site {
            agencies: Some(agencies),
            cycles: vec![Cycle {
                year: 2019,
                meta_file: "m".into(),
                meta: None,
                plans: vec![],
                stems: vec!["so-a".into()],
                catalog: None,
            }],
            ..Site::default()
        };
        let w: Vec<_> = validate(&site)
            .into_iter()
            .filter(|d| d.code == Code::W102)
            .collect();
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("so-b"));
    }

    #[test]
    fn sums_are_exact_decimals() {
        let tenths = "levels: { tinh: 0.1, huyen: 0.1 }, kinds: { su-nghiep: 0.2 }";
        let plan = edit(
            "total: 100.5, levels: { tinh: 100, huyen: 0.5 }, kinds: su-nghiep",
            &format!("total: 0.2, {tenths}"),
        );
        assert!(!codes(&plan).contains(&Code::E030));
    }

    #[test]
    fn a_plan_and_its_cycle_check_alone() {
        // `serve` re-checks one saved plan with `validate_plan` and its
        // cycle with `validate_cycle`: together with `validate_config` they
        // must give what `validate` gives, each naming only its own file.
        let agencies = lower(AGENCIES, |l, n| l.agencies(n));
        let catalog = lower(CATALOG, |l, n| l.catalog(n));
        let meta = lower("year: 2018\ntitle: K\ndeadline: 2018-07-31\n", |l, n| {
            l.cycle(Some(n), Body::new(BODY, 60), Pos::START)
        });
        let plan = |stem: &str, text: &str| {
            let file = format!("content/2019/{stem}.md");
            let mut sink = Sink::new(Lang::En, "x", false);
            let node = yaml::parse(text, 1).unwrap();
            Lower::new(&mut sink)
                .plan(node.as_ref(), Pos::START, &file, stem, Body::new(BODY, 60))
                .unwrap()
        };
        let site = Site {
            config: None,
            agencies: Some(agencies),
            catalog: Some(catalog),
            cycles: vec![Cycle {
                year: 2019,
                meta_file: "content/2019/_plan.md".into(),
                meta: Some(meta),
                plans: vec![plan("so-a", &edit("goal: 50", "goal: 101"))],
                stems: vec!["so-a".into()],
                catalog: None,
            }],
            ..Site::default()
        };
        let cycle = &site.cycles[0];
        let own = validate_plan(&site, cycle, &cycle.plans[0]);
        assert!(own.iter().any(|d| d.code == Code::E022));
        assert!(own.iter().all(|d| d.file == "content/2019/so-a.md"));
        let whole = validate_cycle(&site, cycle);
        let codes: Vec<Code> = whole.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::E070, Code::W102]); // E012 in `_plan.md`
        assert!(whole.iter().all(|d| d.file == "content/2019/_plan.md"));
        let mut parts = validate_config(&site);
        parts.extend(whole);
        parts.extend(own);
        assert_eq!(parts, validate(&site));
    }
}
