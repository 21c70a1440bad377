//! The plan form posted without JavaScript: an
//! `application/x-www-form-urlencoded` body whose field names say where each
//! value goes (`projects[0][cost][total]`, `projects[0][levels][1][code]`),
//! read into the same [`PlanDoc`] and [`Sections`] that the JSON API takes,
//! so that the save goes through the very same checks.
//!
//! Amounts are read as people type them (`1.200.000`, `127,5`) straight into
//! `Decimal`; a value that cannot be read is not guessed: it is kept as typed
//! and named, and nothing is saved until it is fixed.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::diag::{Lang, tr};
use crate::model::MoneyUnit;
use crate::model::money::parse_vietnamese_amount;
use crate::plan_doc::{
    ContactDoc, CostDoc, INTRO, IndicatorDoc, PeriodDoc, PlanDoc, ProjectDoc, Sections,
    SpendingDoc, SplitDoc,
};

/// What the buttons of the form ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    /// "Lưu bản nháp": save, errors allowed.
    Save,
    /// "Nộp kế hoạch": save, then submit (refused while there are errors).
    Submit,
}

/// A posted plan form, read.
#[derive(Debug, Default)]
pub(crate) struct Posted {
    pub(crate) doc: PlanDoc,
    pub(crate) sections: Sections,
    /// The session's token as the form carried it.
    pub(crate) csrf: String,
    /// The version the form was opened at; empty for a plan not saved yet.
    pub(crate) version: String,
    pub(crate) intent: Option<Intent>,
    /// Values that cannot be written, by field name, with why: nothing is
    /// saved while there are any.
    pub(crate) bad: Vec<(String, String)>,
    /// What was typed in amount fields that could not be read, by field
    /// name, to show it back as typed.
    pub(crate) raw: HashMap<String, String>,
}

/// The most rows of one list a form may post; more is not a form a person
/// filled in (the body limit keeps it small anyway).
const MAX_ROWS: usize = 2_000;

/// A field name's parts: `projects[0][cost][total]` is
/// `["projects", "0", "cost", "total"]`; `None` when it is not of that shape.
fn name_parts(name: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match name.find('[') {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    };
    let mut out = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        out.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    (!head.is_empty()).then_some(out)
}

/// The posted values as a tree: lists are maps whose keys are the row
/// numbers, in number order.
#[derive(Debug, Default)]
struct Tree {
    values: Vec<String>,
    children: BTreeMap<Key, Tree>,
}

/// A key of the tree: row numbers sort as numbers, names as text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Row(usize),
    Name(String),
}

impl Tree {
    fn insert(&mut self, parts: &[&str], value: String) {
        let mut node = self;
        for p in parts {
            let key = match p.parse::<usize>() {
                Ok(n) if n < MAX_ROWS => Key::Row(n),
                Ok(_) => return,
                Err(_) => Key::Name((*p).to_string()),
            };
            node = node.children.entry(key).or_default();
        }
        node.values.push(value);
    }

    fn get(&self, name: &str) -> Option<&Tree> {
        self.children.get(&Key::Name(name.to_string()))
    }

    /// The one value of a field, trimmed; empty when absent.
    fn text(&self, name: &str) -> String {
        self.get(name)
            .and_then(|t| t.values.first())
            .map_or(String::new(), |v| v.trim().to_string())
    }

    fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|t| !t.is_empty())
    }

    /// The rows of a list, in order.
    fn rows(&self, name: &str) -> Vec<&Tree> {
        self.get(name).map_or_else(Vec::new, |t| {
            t.children
                .iter()
                .filter(|(k, _)| matches!(k, Key::Row(_)))
                .map(|(_, v)| v)
                .collect()
        })
    }

    /// The rows of the list `name` with the number each was posted under.
    fn keyed_rows(&self, name: &str) -> Vec<(usize, &Tree)> {
        self.get(name).map_or_else(Vec::new, |t| {
            t.children
                .iter()
                .filter_map(|(k, v)| match k {
                    Key::Row(n) => Some((*n, v)),
                    Key::Name(_) => None,
                })
                .collect()
        })
    }

    /// Whether nothing was typed under this node, leaving out `except`.
    fn blank(&self, except: &[&str]) -> bool {
        self.values.iter().all(|v| v.trim().is_empty())
            && self.children.iter().all(|(k, v)| match k {
                Key::Name(n) if except.contains(&n.as_str()) => true,
                _ => v.blank(&[]),
            })
    }
}

/// Reads the form's fields (already decoded, in the order posted).
pub(crate) fn read(
    fields: &[(String, String)],
    year: i32,
    agency: &str,
    unit: MoneyUnit,
    lang: Lang,
) -> Posted {
    let mut tree = Tree::default();
    for (name, value) in fields {
        if let Some(parts) = name_parts(name) {
            // Browsers post text areas with CRLF; the file has LF.
            tree.insert(&parts, value.replace("\r\n", "\n"));
        }
    }
    let mut p = Posted {
        csrf: tree.text("csrf"),
        version: tree.text("version"),
        intent: match tree.text("action").as_str() {
            "save" => Some(Intent::Save),
            "submit" => Some(Intent::Submit),
            _ => None,
        },
        ..Posted::default()
    };
    let mut r = Reader {
        unit,
        lang,
        bad: Vec::new(),
        raw: HashMap::new(),
    };
    let contact = tree.get("contact").map(|c| ContactDoc {
        name: c.opt("name"),
        phone: c.opt("phone"),
        email: c.opt("email"),
    });
    let contact = contact.filter(|c| c.name.is_some() || c.phone.is_some() || c.email.is_some());
    let legal_bases = tree
        .text("legal_bases")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    // The number each kept row was posted under, per list: the row buttons
    // (move, remove) name a row by it.
    let mut posted_at: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut indicators = Vec::new();
    for (at, row) in tree.keyed_rows("indicators") {
        // A catalog indicator's row always posts its code; it counts only
        // when something is filled in. Another goal's row counts when
        // anything at all is.
        let catalog = row.text("kind") == "catalog";
        if row.blank(if catalog { &["id", "kind"] } else { &["kind"] }) {
            continue;
        }
        let name = format!("indicators[{}]", indicators.len());
        posted_at.entry("indicators").or_default().push(at);
        indicators.push(IndicatorDoc {
            id: row.text("id"),
            name: row.opt("name"),
            unit: row.opt("unit"),
            target: r.amount(row, &name, "target"),
            actual: r.amount(row, &name, "actual"),
            goal: r.amount(row, &name, "goal"),
            value: row.opt("value"),
            note: row.opt("note"),
        });
    }
    let mut spending = Vec::new();
    for (at, row) in tree.keyed_rows("spending") {
        if row.blank(&[]) {
            continue;
        }
        let name = format!("spending[{}]", spending.len());
        posted_at.entry("spending").or_default().push(at);
        spending.push(SpendingDoc {
            category: row.text("category"),
            task: row.text("task"),
            total: r.amount(row, &name, "total"),
            levels: r.split(row, &name, "levels"),
            kinds: r.split(row, &name, "kinds"),
            basis: row.opt("basis"),
        });
    }
    let mut projects = Vec::new();
    for (at, row) in tree.keyed_rows("projects") {
        // A spare row comes with its priority, lead and years filled in;
        // it is a project only when something else is typed.
        if row.blank(&["priority", "lead", "period"]) {
            continue;
        }
        let name = format!("projects[{}]", projects.len());
        let cost = row.get("cost");
        let cost = CostDoc {
            total: cost.and_then(|c| r.amount(c, &format!("{name}[cost]"), "total")),
            spent: cost.and_then(|c| r.amount(c, &format!("{name}[cost]"), "spent")),
            planned: cost.and_then(|c| r.amount(c, &format!("{name}[cost]"), "planned")),
        };
        let period = row.get("period").map(|t| PeriodDoc {
            from: r.year(t, &format!("{name}[period]"), "from"),
            to: r.year(t, &format!("{name}[period]"), "to"),
        });
        let period = period.filter(|p| p.from.is_some() || p.to.is_some());
        posted_at.entry("projects").or_default().push(at);
        projects.push(ProjectDoc {
            id: row.text("id"),
            name: row.text("name"),
            category: row.text("category"),
            priority: r.integer(row, &name, "priority"),
            objective: row.opt("objective"),
            period,
            lead: row.text("lead"),
            partners: row.get("partners").map_or_else(Vec::new, |t| {
                t.values
                    .iter()
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect()
            }),
            done: row.opt("done"),
            todo: row.opt("todo"),
            cost,
            levels: r.split(row, &name, "levels"),
            kinds: r.split(row, &name, "kinds"),
            investor: row.opt("investor"),
            approval: row.opt("approval"),
            necessity: row.opt("necessity"),
            standards: row.opt("standards"),
            location: row.opt("location"),
            note: row.opt("note"),
            comment: None,
        });
    }
    let mut sections = Sections::new();
    if let Some(s) = tree.get("sections") {
        let keys =
            std::iter::once(INTRO).chain(crate::model::SectionKey::ALL.iter().map(|k| k.id()));
        for key in keys {
            if let Some(text) = s.opt(key) {
                sections.insert(key.to_string(), text);
            }
        }
    }
    p.doc = PlanDoc {
        agency: agency.to_string(),
        year,
        status: "draft".into(),
        contact,
        legal_bases,
        indicators,
        spending,
        projects,
        ..PlanDoc::default()
    };
    p.sections = sections;
    // A row's button (move up or down, remove) saves the draft with that
    // change: without JavaScript, the page comes back rearranged. Not while
    // a value is unreadable, whose field is shown back by its position.
    if let Some((verb, list, at)) = row_action(&tree.text("action")) {
        p.intent = Some(Intent::Save);
        let pos = posted_at
            .get(list)
            .and_then(|v| v.iter().position(|&a| a == at));
        if let (Some(pos), true) = (pos, r.bad.is_empty()) {
            p.doc.apply(verb, list, pos);
        }
    }
    p.bad = r.bad;
    p.raw = r.raw;
    p
}

/// What a row's button asks: `up-projects-3`, `down-projects-3`,
/// `remove-spending-1` (the number is the row's in the posted names).
fn row_action(action: &str) -> Option<(RowVerb, &str, usize)> {
    let (verb, rest) = action.split_once('-')?;
    let verb = match verb {
        "up" => RowVerb::Up,
        "down" => RowVerb::Down,
        "remove" => RowVerb::Remove,
        _ => return None,
    };
    let (list, at) = rest.rsplit_once('-')?;
    let list = ["projects", "spending", "indicators"]
        .into_iter()
        .find(|l| *l == list)?;
    if verb != RowVerb::Remove && list != "projects" {
        return None;
    }
    Some((verb, list, at.parse().ok()?))
}

/// A change to the order or the rows of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowVerb {
    /// One place earlier (a higher priority).
    Up,
    /// One place later.
    Down,
    /// Out of the plan.
    Remove,
}

impl PlanDoc {
    /// Moves or removes the row at `pos` of `list`; projects are then
    /// numbered by their place, as the page's own reordering does.
    fn apply(&mut self, verb: RowVerb, list: &str, pos: usize) {
        match (list, verb) {
            ("projects", RowVerb::Up) if pos > 0 => self.projects.swap(pos - 1, pos),
            ("projects", RowVerb::Down) if pos + 1 < self.projects.len() => {
                self.projects.swap(pos, pos + 1)
            }
            ("projects", RowVerb::Remove) if pos < self.projects.len() => {
                self.projects.remove(pos);
            }
            ("spending", RowVerb::Remove) if pos < self.spending.len() => {
                self.spending.remove(pos);
            }
            ("indicators", RowVerb::Remove) if pos < self.indicators.len() => {
                self.indicators.remove(pos);
            }
            _ => return,
        }
        if list == "projects" {
            for (i, p) in self.projects.iter_mut().enumerate() {
                p.priority = i64::try_from(i + 1).ok();
            }
        }
    }
}

struct Reader {
    unit: MoneyUnit,
    lang: Lang,
    bad: Vec<(String, String)>,
    raw: HashMap<String, String>,
}

impl Reader {
    /// An amount as typed (`1.200.000`, `127,5`, `1 250,5`); `None` when
    /// empty, and when unreadable, which is then reported and kept as typed.
    fn amount(&mut self, row: &Tree, base: &str, key: &str) -> Option<Decimal> {
        let typed = row.text(key);
        if typed.is_empty() {
            return None;
        }
        match parse_vietnamese_amount(&typed, self.unit) {
            Ok(d) => Some(d),
            Err(e) => {
                let name = format!("{base}[{key}]");
                let lang = self.lang;
                let hint = e.hint(lang);
                self.bad.push((
                    name.clone(),
                    tr!(
                        lang,
                        "“{typed}” không phải là một số tiền hay con số đọc được. Viết như 1.200.000 hoặc 127,5. {hint}",
                        "“{typed}” is not an amount or figure that can be read. Write it like 1.200.000 or 127,5. {hint}"
                    ),
                ));
                self.raw.insert(name, typed);
                None
            }
        }
    }

    fn year(&mut self, row: &Tree, base: &str, key: &str) -> Option<i32> {
        let typed = row.text(key);
        if typed.is_empty() {
            return None;
        }
        match typed.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Some(y),
            _ => {
                let name = format!("{base}[{key}]");
                let lang = self.lang;
                self.bad.push((
                    name.clone(),
                    tr!(
                        lang,
                        "“{typed}” không phải là một năm: viết bốn chữ số, ví dụ 2026.",
                        "“{typed}” is not a year: write four digits, e.g. 2026."
                    ),
                ));
                self.raw.insert(name, typed);
                None
            }
        }
    }

    fn integer(&mut self, row: &Tree, base: &str, key: &str) -> Option<i64> {
        let typed = row.text(key);
        if typed.is_empty() {
            return None;
        }
        match typed.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let name = format!("{base}[{key}]");
                let lang = self.lang;
                self.bad.push((
                    name.clone(),
                    tr!(
                        lang,
                        "“{typed}” không phải là một số thứ tự: viết một số nguyên, ví dụ 3.",
                        "“{typed}” is not a rank: write a whole number, e.g. 3."
                    ),
                ));
                self.raw.insert(name, typed);
                None
            }
        }
    }

    /// A split's rows (`levels[0][code]`, `levels[0][amount]`): a row with
    /// neither is a spare left empty; a row with an amount but no source, or
    /// an amount that cannot be read, is reported and kept for the page.
    fn split(&mut self, row: &Tree, base: &str, key: &str) -> SplitDoc {
        let mut out = Vec::new();
        for r in row.rows(key) {
            let code = r.text("code");
            let typed = r.text("amount");
            if typed.is_empty() {
                // A source chosen without an amount says nothing yet; the
                // browser's form leaves it out the same way.
                continue;
            }
            let name = format!("{base}[{key}][{}]", out.len());
            let amount = self.amount(r, &name, "amount");
            if code.is_empty() {
                let lang = self.lang;
                self.bad.push((
                    format!("{name}[code]"),
                    match key {
                        "levels" => tr!(
                            lang,
                            "Chọn cấp ngân sách cho số tiền {typed}, hoặc xóa số tiền.",
                            "Choose the budget level of the amount {typed}, or clear the amount."
                        ),
                        _ => tr!(
                            lang,
                            "Chọn nguồn vốn cho số tiền {typed}, hoặc xóa số tiền.",
                            "Choose the kind of funds of the amount {typed}, or clear the amount."
                        ),
                    },
                ));
                self.raw.insert(format!("{name}[amount]"), typed);
            }
            // An unreadable amount keeps its row (as zero here, as typed on
            // the page); nothing is saved while `bad` holds it.
            out.push((code, amount.unwrap_or(Decimal::ZERO)));
        }
        SplitDoc(out)
    }
}

/// The form name of a value at a JSON path of the API
/// (`plan.projects[0].cost.total` is `projects[0][cost][total]`).
pub(crate) fn name_of_path(path: &str) -> String {
    let path = path.strip_prefix("plan.").unwrap_or(path);
    let mut out = String::new();
    for (i, part) in path.split('.').enumerate() {
        let (head, index) = match part.split_once('[') {
            Some((h, rest)) => (h, Some(rest.trim_end_matches(']'))),
            None => (part, None),
        };
        if i == 0 {
            out.push_str(head);
        } else {
            out.push('[');
            out.push_str(head);
            out.push(']');
        }
        if let Some(n) = index {
            out.push('[');
            out.push_str(n);
            out.push(']');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn post(pairs: &[(&str, &str)]) -> Posted {
        let fields: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        read(&fields, 2026, "so-a", MoneyUnit::TrieuDong, Lang::Vi)
    }

    #[test]
    fn names_say_where_values_go() {
        assert_eq!(
            name_parts("projects[0][cost][total]"),
            Some(vec!["projects", "0", "cost", "total"])
        );
        assert_eq!(name_parts("csrf"), Some(vec!["csrf"]));
        assert_eq!(name_parts("a[0"), None);
        assert_eq!(name_parts("[0]"), None);
        assert_eq!(
            name_of_path("plan.projects[2].cost.total"),
            "projects[2][cost][total]"
        );
        assert_eq!(name_of_path("plan.contact.name"), "contact[name]");
        assert_eq!(
            name_of_path("plan.spending[0].levels.tinh"),
            "spending[0][levels][tinh]"
        );
    }

    #[test]
    fn a_form_reads_into_the_plan_model() {
        let p = post(&[
            ("csrf", "t"),
            ("version", "v1"),
            ("action", "submit"),
            ("contact[name]", " Lê Bình "),
            ("legal_bases", "A\r\n\r\nB"),
            ("indicators[0][kind]", "catalog"),
            ("indicators[0][id]", "dvc"),
            ("indicators[1][kind]", "catalog"),
            ("indicators[1][id]", "khac"),
            ("indicators[1][goal]", "127,5"),
            ("projects[0][priority]", "1"),
            ("projects[0][lead]", "so-a"),
            ("projects[0][period][from]", "2026"),
            ("projects[0][name]", "Một cửa"),
            ("projects[0][cost][total]", "1.200.000"),
            ("projects[0][levels][0][code]", "tinh"),
            ("projects[0][levels][0][amount]", "1 250,5"),
            ("projects[0][levels][1][code]", ""),
            ("projects[0][levels][1][amount]", ""),
            ("projects[0][partners]", "so-b"),
            ("projects[0][partners]", "so-c"),
            // A spare row with only what the page filled in.
            ("projects[1][priority]", "2"),
            ("projects[1][lead]", "so-a"),
            ("projects[1][period][from]", "2026"),
            ("projects[1][period][to]", "2026"),
            ("spending[0][category]", ""),
            ("spending[0][task]", ""),
            ("sections[muc-tieu]", "Dòng 1\r\nDòng 2"),
            ("sections[khong-co]", "bỏ qua"),
        ]);
        assert_eq!(p.intent, Some(Intent::Submit));
        assert_eq!(p.version, "v1");
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(p.doc.contact.unwrap().name.as_deref(), Some("Lê Bình"));
        assert_eq!(p.doc.legal_bases, vec!["A", "B"]);
        assert_eq!(p.doc.indicators.len(), 1);
        assert_eq!(p.doc.indicators[0].goal, Some(d("127.5")));
        assert_eq!(p.doc.projects.len(), 1);
        let pj = &p.doc.projects[0];
        assert_eq!(pj.cost.total, Some(d("1200000")));
        assert_eq!(pj.levels.0, vec![("tinh".to_string(), d("1250.5"))]);
        assert_eq!(pj.partners, vec!["so-b", "so-c"]);
        assert_eq!(
            pj.period,
            Some(PeriodDoc {
                from: Some(2026),
                to: None
            })
        );
        assert!(p.doc.spending.is_empty());
        assert_eq!(p.sections.len(), 1);
        assert_eq!(p.sections["muc-tieu"], "Dòng 1\nDòng 2");
    }

    #[test]
    fn unreadable_values_are_named_and_kept_as_typed() {
        let p = post(&[
            ("projects[3][name]", "A"),
            ("projects[3][cost][total]", "một tỷ"),
            ("projects[3][period][to]", "20x6"),
            ("projects[3][kinds][0][code]", ""),
            ("projects[3][kinds][0][amount]", "5"),
        ]);
        let names: Vec<&str> = p.bad.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "projects[0][cost][total]",
                "projects[0][period][to]",
                "projects[0][kinds][0][code]"
            ]
        );
        assert_eq!(p.raw["projects[0][cost][total]"], "một tỷ");
        assert_eq!(p.raw["projects[0][kinds][0][amount]"], "5");
        assert!(p.bad[0].1.contains("1.200.000"), "{}", p.bad[0].1);
    }
}
