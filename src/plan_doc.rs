//! A plan as editable data, and the one writer of plan files.
//!
//! The editors' web app, `import` and the prefilled `new plan` all produce a
//! plan from something other than a hand-written file: a form, a workbook, last
//! year's plan. They hand a [`PlanDoc`] (section 2's front matter as plain
//! values, not yet checked) and the prose [`Sections`] to [`write_plan_file`],
//! which writes the file the loader reads back into the same plan. Checking
//! stays where it is: the written file goes through `load` and `validate` like
//! any other, so a draft may be written with errors and is reported with them.
//!
//! Amounts are `Decimal` everywhere and travel through JSON as decimal
//! strings (`"127.5"`), never as floats.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Plan, SectionKey, Spanned, Split};

/// Section 2's front matter as plain data. Required fields of a project are
/// `Option`s so that a draft can lack them; the checker says what is missing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanDoc {
    pub(crate) agency: String,
    pub(crate) year: i32,
    /// `draft`, `submitted` or `approved`.
    pub(crate) status: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) submitted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) contact: Option<ContactDoc>,
    #[serde(default)]
    pub(crate) legal_bases: Vec<String>,
    #[serde(default)]
    pub(crate) indicators: Vec<IndicatorDoc>,
    #[serde(default)]
    pub(crate) spending: Vec<SpendingDoc>,
    #[serde(default)]
    pub(crate) projects: Vec<ProjectDoc>,
    /// Written as `# …` lines at the top of the front matter.
    #[serde(skip)]
    pub(crate) comment: Option<String>,
}

/// Who to call about a plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<String>,
}

/// One line of II.1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndicatorDoc {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// `percent`, `count` or `text`, for "other goals" outside the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unit: Option<String>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<Decimal>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) actual: Option<Decimal>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) goal: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// One row of II.2.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpendingDoc {
    pub(crate) category: String,
    pub(crate) task: String,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) total: Option<Decimal>,
    #[serde(default)]
    pub(crate) levels: SplitDoc,
    #[serde(default)]
    pub(crate) kinds: SplitDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) basis: Option<String>,
}

/// Years a project runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeriodDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) to: Option<i32>,
}

/// Cost of a project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CostDoc {
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) total: Option<Decimal>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) spent: Option<Decimal>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub(crate) planned: Option<Decimal>,
}

/// One row of the VI annex, every field of section 2.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectDoc {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) period: Option<PeriodDoc>,
    pub(crate) lead: String,
    #[serde(default)]
    pub(crate) partners: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) done: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) todo: Option<String>,
    #[serde(default)]
    pub(crate) cost: CostDoc,
    #[serde(default)]
    pub(crate) levels: SplitDoc,
    #[serde(default)]
    pub(crate) kinds: SplitDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) investor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) approval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) necessity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) standards: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    /// Written as `# …` lines just above the project.
    #[serde(skip)]
    pub(crate) comment: Option<String>,
}

/// An amount split over budget levels or capital kinds, in the order given.
/// In JSON an object `{"tinh": "1500"}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SplitDoc(pub(crate) Vec<(String, Decimal)>);

impl SplitDoc {
    fn of(split: &Spanned<Split>) -> SplitDoc {
        SplitDoc(
            split
                .value
                .iter()
                .map(|(id, amount)| (id.value.clone(), amount.value.0))
                .collect(),
        )
    }
}

impl Serialize for SplitDoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (id, amount) in &self.0 {
            map.serialize_entry(id, &amount.to_string())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SplitDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SplitDoc, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SplitDoc;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of code: amount (amounts as decimal strings)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<SplitDoc, A::Error> {
                let mut out = Vec::new();
                while let Some((id, amount)) = m.next_entry::<String, DecimalText>()? {
                    out.push((id, amount.0));
                }
                Ok(SplitDoc(out))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A decimal read from a JSON string (or a JSON integer, which is exact),
/// never from a float.
struct DecimalText(Decimal);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DecimalText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DecimalText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an amount as a decimal string, such as \"127.5\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Decimal::from_str_exact(v.trim())
                    .map(DecimalText)
                    .map_err(|_| E::custom(format!("not a decimal number: {v:?}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<DecimalText, E> {
                Err(E::custom(
                    "amounts are written as decimal strings (\"127.5\"), not JSON numbers with a fraction",
                ))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `Option<Decimal>` as an optional decimal string.
mod opt_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<super::DecimalText>::deserialize(d)?.map(|t| t.0))
    }
}

/// The prose of a plan: `intro` (before the first section) and the keys of
/// [`SectionKey::id`], each mapped to the Markdown under its heading.
pub(crate) type Sections = BTreeMap<String, String>;

/// The key of the text before the first section.
pub(crate) const INTRO: &str = "intro";

impl PlanDoc {
    /// Gives each project that has a name but no code one made from its
    /// name (`Nâng cấp mạng LAN` → `nang-cap-mang-lan`, `-2` when taken):
    /// a form's user names a project and should not have to invent a code.
    pub(crate) fn name_unnamed_projects(&mut self) {
        let mut taken: std::collections::HashSet<String> = self
            .projects
            .iter()
            .map(|p| p.id.trim().to_string())
            .filter(|id| !id.is_empty())
            .collect();
        for p in &mut self.projects {
            if !p.id.trim().is_empty() {
                continue;
            }
            let mut base = crate::model::lower::slug(&p.name);
            // Long names make unwieldy codes: cut at a word near 40 bytes.
            if base.len() > 40 {
                let cut = base[..40].rfind('-').unwrap_or(40);
                base.truncate(cut);
            }
            if base.is_empty() {
                continue;
            }
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(id.clone());
            p.id = id;
        }
    }

    /// The editable form of a plan that was read. Lossless for a plan that
    /// lowered without shape errors; a value that failed to lower (an E005)
    /// is not in the model and so not here.
    pub(crate) fn from_plan(plan: &Plan) -> PlanDoc {
        let opt = |d: &Option<Spanned<Decimal>>| d.as_ref().map(|s| s.value);
        PlanDoc {
            agency: plan.agency.value.clone(),
            year: plan.year.value,
            status: plan.status.value.id().to_string(),
            submitted: plan.submitted.as_ref().map(|d| d.value.to_string()),
            contact: plan.contact.as_ref().map(|c| ContactDoc {
                name: c.name.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
            }),
            legal_bases: plan.legal_bases.clone(),
            indicators: plan
                .indicators
                .iter()
                .map(|i| IndicatorDoc {
                    id: i.id.value.clone(),
                    name: i.name.clone(),
                    unit: i.unit.map(|u| u.id().to_string()),
                    target: opt(&i.target),
                    actual: opt(&i.actual),
                    goal: opt(&i.goal),
                    value: i.value.clone(),
                    note: i.note.clone(),
                })
                .collect(),
            spending: plan
                .spending
                .iter()
                .map(|r| SpendingDoc {
                    category: r.category.value.clone(),
                    task: r.task.clone(),
                    total: Some(r.total.value.0),
                    levels: SplitDoc::of(&r.levels),
                    kinds: SplitDoc::of(&r.kinds),
                    basis: r.basis.clone(),
                })
                .collect(),
            projects: plan
                .projects
                .iter()
                .map(|p| ProjectDoc {
                    id: p.id.value.clone(),
                    name: p.name.clone(),
                    category: p.category.value.clone(),
                    priority: Some(p.priority.value),
                    objective: p.objective.clone(),
                    period: Some(PeriodDoc {
                        from: Some(p.period.from.value),
                        to: Some(p.period.to.value),
                    }),
                    lead: p.lead.value.clone(),
                    partners: p.partners.iter().map(|s| s.value.clone()).collect(),
                    done: p.done.clone(),
                    todo: p.todo.clone(),
                    cost: CostDoc {
                        total: Some(p.cost.total.value.0),
                        spent: Some(p.cost.spent.value.0),
                        planned: Some(p.cost.planned.value.0),
                    },
                    levels: SplitDoc::of(&p.levels),
                    kinds: SplitDoc::of(&p.kinds),
                    investor: p.investor.clone(),
                    approval: p.approval.clone(),
                    necessity: p.necessity.clone(),
                    standards: p.standards.clone(),
                    location: p.location.clone(),
                    note: p.note.clone(),
                    comment: None,
                })
                .collect(),
            comment: None,
        }
    }

    /// The front matter as YAML (without the `---` lines), in the key order
    /// of section 2, every string quoted where YAML could misread it.
    pub(crate) fn front_matter(&self) -> String {
        let mut y = Yaml::default();
        if let Some(c) = &self.comment {
            y.comment(0, c);
        }
        y.key(0, "agency", &plain_or_quoted(&self.agency));
        y.key(0, "year", &self.year.to_string());
        y.key(0, "status", &plain_or_quoted(&self.status));
        if let Some(d) = &self.submitted {
            y.key(0, "submitted", &date(d));
        }
        if let Some(c) = &self.contact {
            let fields = [("name", &c.name), ("phone", &c.phone), ("email", &c.email)];
            let parts: Vec<(&str, String)> = fields
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (*k, quoted(v))))
                .collect();
            y.key(0, "contact", &flow(&parts));
        }
        if !self.legal_bases.is_empty() {
            y.open(0, "legal_bases");
            for b in &self.legal_bases {
                y.item(2, &quoted(b));
            }
        }
        if !self.indicators.is_empty() {
            y.blank();
            y.open(0, "indicators");
            for i in &self.indicators {
                y.start_item(2);
                y.key(4, "id", &plain_or_quoted(&i.id));
                y.opt(4, "name", i.name.as_deref().map(quoted));
                y.opt(4, "unit", i.unit.as_deref().map(plain_or_quoted));
                y.opt(4, "target", i.target.map(|d| d.to_string()));
                y.opt(4, "actual", i.actual.map(|d| d.to_string()));
                y.opt(4, "goal", i.goal.map(|d| d.to_string()));
                y.opt(4, "value", i.value.as_deref().map(quoted));
                y.opt(4, "note", i.note.as_deref().map(quoted));
            }
        }
        if !self.spending.is_empty() {
            y.blank();
            y.open(0, "spending");
            for r in &self.spending {
                y.start_item(2);
                y.key(4, "category", &plain_or_quoted(&r.category));
                y.key(4, "task", &quoted(&r.task));
                y.opt(4, "total", r.total.map(|d| d.to_string()));
                y.key(4, "levels", &split(&r.levels, r.total));
                y.key(4, "kinds", &split(&r.kinds, r.total));
                y.opt(4, "basis", r.basis.as_deref().map(quoted));
            }
        }
        if !self.projects.is_empty() {
            y.blank();
            y.open(0, "projects");
            for p in &self.projects {
                if let Some(c) = &p.comment {
                    y.comment(2, c);
                }
                y.start_item(2);
                y.key(4, "id", &plain_or_quoted(&p.id));
                y.key(4, "name", &quoted(&p.name));
                y.key(4, "category", &plain_or_quoted(&p.category));
                y.opt(4, "priority", p.priority.map(|n| n.to_string()));
                y.opt(4, "objective", p.objective.as_deref().map(quoted));
                if let Some(period) = &p.period {
                    let parts: Vec<(&str, String)> = [("from", period.from), ("to", period.to)]
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v.to_string())))
                        .collect();
                    y.key(4, "period", &flow(&parts));
                }
                y.key(4, "lead", &plain_or_quoted(&p.lead));
                if !p.partners.is_empty() {
                    let list: Vec<String> = p.partners.iter().map(|s| plain_or_quoted(s)).collect();
                    y.key(4, "partners", &format!("[{}]", list.join(", ")));
                }
                y.opt(4, "done", p.done.as_deref().map(quoted));
                y.opt(4, "todo", p.todo.as_deref().map(quoted));
                let cost: Vec<(&str, String)> = [
                    ("total", p.cost.total),
                    ("spent", p.cost.spent),
                    ("planned", p.cost.planned),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v.to_string())))
                .collect();
                y.key(4, "cost", &flow(&cost));
                y.key(4, "levels", &split(&p.levels, p.cost.planned));
                y.key(4, "kinds", &split(&p.kinds, p.cost.planned));
                y.opt(4, "investor", p.investor.as_deref().map(quoted));
                y.opt(4, "approval", p.approval.as_deref().map(quoted));
                y.opt(4, "necessity", p.necessity.as_deref().map(quoted));
                y.opt(4, "standards", p.standards.as_deref().map(quoted));
                y.opt(4, "location", p.location.as_deref().map(quoted));
                y.opt(4, "note", p.note.as_deref().map(quoted));
            }
        }
        y.out
    }
}

/// A small line writer: block mappings and sequences, values already
/// formatted. Every item of a sequence starts with `- ` and its first key on
/// the same line, as people write YAML by hand.
#[derive(Default)]
struct Yaml {
    out: String,
    /// The next key opens an item (`- key: …`).
    item_open: bool,
}

impl Yaml {
    fn indent(&mut self, n: usize) {
        if self.item_open {
            self.out.extend(std::iter::repeat_n(' ', n - 2));
            self.out.push_str("- ");
            self.item_open = false;
        } else {
            self.out.extend(std::iter::repeat_n(' ', n));
        }
    }
    fn key(&mut self, n: usize, key: &str, value: &str) {
        self.indent(n);
        let _ = writeln!(self.out, "{key}: {value}");
    }
    fn opt(&mut self, n: usize, key: &str, value: Option<String>) {
        if let Some(v) = value {
            self.key(n, key, &v);
        }
    }
    fn open(&mut self, n: usize, key: &str) {
        self.indent(n);
        let _ = writeln!(self.out, "{key}:");
    }
    fn item(&mut self, n: usize, value: &str) {
        self.out.extend(std::iter::repeat_n(' ', n));
        let _ = writeln!(self.out, "- {value}");
    }
    fn start_item(&mut self, _n: usize) {
        self.item_open = true;
    }
    fn comment(&mut self, n: usize, text: &str) {
        for line in text.lines() {
            self.out.extend(std::iter::repeat_n(' ', n));
            let line = line.trim_end();
            if line.is_empty() {
                self.out.push_str("#\n");
            } else {
                let _ = writeln!(self.out, "# {line}");
            }
        }
    }
    fn blank(&mut self) {
        self.out.push('\n');
    }
}

/// `{ a: 1, b: 2 }`, or `{}`.
fn flow(parts: &[(&str, String)]) -> String {
    if parts.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = parts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", inner.join(", "))
}

/// A split as people write it: a single code when it takes the whole
/// amount, else `{ tinh: 300, huyen: 50 }`.
fn split(split: &SplitDoc, whole: Option<Decimal>) -> String {
    if let [(id, amount)] = split.0.as_slice()
        && whole == Some(*amount)
        && is_plain_code(id)
    {
        return id.clone();
    }
    let parts: Vec<(String, String)> = split
        .0
        .iter()
        .map(|(id, a)| (plain_or_quoted(id), a.to_string()))
        .collect();
    if parts.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = parts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", inner.join(", "))
}

/// A date as YAML's plain `2018-07-25` when it has that shape; anything else
/// quoted, so that the checker reports it instead of YAML misreading it.
fn date(text: &str) -> String {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if shaped {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// Codes (`so-tttt`, `ha-tang`) are written plain; the words YAML reads as
/// something else are not codes.
fn is_plain_code(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !matches!(
            s,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        )
}

fn plain_or_quoted(s: &str) -> String {
    if is_plain_code(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A YAML double-quoted scalar: the one style in which every string,
/// whatever it holds, reads back as itself.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Controls, the BOM, and the line and paragraph separators YAML
            // treats as breaks.
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Cuts a body at its recognised level-2 headings. A level-2 heading the
/// letter does not name stays, with its text, in the section before it, so
/// nothing is lost; so does a second heading of a section already seen.
pub(crate) fn sections_of_body(body: &str) -> Sections {
    let parsed = crate::model::Body::new(body, 1);
    let mut out = Sections::new();
    let mut current = INTRO.to_string();
    let mut pieces: Vec<(String, &str)> = vec![(current.clone(), &body[parsed.preamble.clone()])];
    for (i, section) in parsed.sections.iter().enumerate() {
        // A heading runs from where the text before it ends.
        let heading_start = match i {
            0 => parsed.preamble.end,
            _ => parsed.sections[i - 1].content.end,
        };
        match section.key.map(|k| k.id().to_string()) {
            Some(key) if !pieces.iter().any(|(k, _)| *k == key) => {
                current = key;
                pieces.push((current.clone(), &body[section.content.clone()]));
            }
            _ => pieces.push((current.clone(), &body[heading_start..section.content.end])),
        }
    }
    for (key, text) in pieces {
        let entry = out.entry(key).or_default();
        entry.push_str(text);
    }
    for text in out.values_mut() {
        *text = trim_blank_lines(text).to_string();
    }
    out.retain(|k, v| k != INTRO || !v.is_empty());
    out
}

fn trim_blank_lines(text: &str) -> &str {
    let start = text
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(text.len(), |(i, _)| {
            text[..i].rfind('\n').map_or(0, |n| n + 1)
        });
    text[start..].trim_end()
}

/// The heading the letter gives a section, for plans of `year`.
pub(crate) fn letter_heading(key: SectionKey, year: i32) -> String {
    match key {
        SectionKey::DanhGia => "II.3. Đánh giá chung; khó khăn, hạn chế và đề xuất".into(),
        SectionKey::MucTieu => format!("III. Mục tiêu ứng dụng CNTT năm {year}"),
        SectionKey::DinhHuong => format!("IV. Định hướng nội dung ứng dụng CNTT năm {year}"),
        SectionKey::GiaiPhap => "V. Giải pháp thực hiện".into(),
        SectionKey::ToChuc => "VII. Tổ chức thực hiện".into(),
    }
}

/// A body with the introduction, then every section of the letter under its
/// heading, in the letter's order. The headings are the letter's Vietnamese
/// ones whatever the interface language: they are how sections are found.
pub(crate) fn body_from_sections(sections: &Sections, year: i32) -> String {
    let mut out = String::new();
    if let Some(intro) = sections.get(INTRO).map(|s| s.trim())
        && !intro.is_empty()
    {
        out.push_str(intro);
        out.push_str("\n\n");
    }
    for key in SectionKey::ALL {
        let _ = writeln!(out, "## {}\n", letter_heading(key, year));
        if let Some(text) = sections.get(key.id()).map(|s| trim_blank_lines(s))
            && !text.is_empty()
        {
            out.push_str(text);
            out.push_str("\n\n");
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Normalises line endings for comparing prose typed in a browser (CRLF)
/// with prose in a file.
fn same_prose(a: &Sections, b: &Sections) -> bool {
    let norm = |s: &Sections| -> Sections {
        s.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    trim_blank_lines(&v.replace("\r\n", "\n")).to_string(),
                )
            })
            .filter(|(k, v)| k != INTRO || !v.is_empty())
            .collect()
    };
    norm(a) == norm(b)
}

/// The whole plan file: front matter, then the body. `existing_body`, the
/// body of the file being replaced, is kept byte for byte when its sections
/// say the same as `sections`, so saving a form never rewrites what an
/// editor wrote by hand.
pub(crate) fn write_plan_file(
    doc: &PlanDoc,
    sections: &Sections,
    existing_body: Option<&str>,
) -> String {
    let body = match existing_body {
        Some(b) if same_prose(&sections_of_body(b), sections) => b.to_string(),
        _ => body_from_sections(sections, doc.year),
    };
    let mut out = String::with_capacity(body.len() + 4096);
    out.push_str("---\n");
    out.push_str(&doc.front_matter());
    out.push_str("---\n");
    if !body.starts_with('\n') {
        out.push('\n');
    }
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_named_without_a_code_gets_one_from_its_name() {
        let project = |id: &str, name: &str| ProjectDoc {
            id: id.into(),
            name: name.into(),
            ..ProjectDoc::default()
        };
        let mut doc = PlanDoc {
            projects: vec![
                project("nang-cap-mang-lan", "Nâng cấp mạng LAN"),
                project("", "Nâng cấp mạng LAN"),
                project(
                    " ",
                    "Đào tạo an toàn thông tin cho cán bộ, công chức của Hội và các chi hội cơ sở",
                ),
                project("", "—"),
            ],
            ..PlanDoc::default()
        };
        doc.name_unnamed_projects();
        let ids: Vec<&str> = doc.projects.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "nang-cap-mang-lan",
                "nang-cap-mang-lan-2",
                "dao-tao-an-toan-thong-tin-cho-can-bo",
                // Nothing to make a code of: left for check to report.
                "",
            ]
        );
    }

    fn demo_plans() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/content/2019");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("demo cycle") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if name.ends_with(".md") && !name.starts_with('_') {
                out.push((name, std::fs::read_to_string(&path).expect("read")));
            }
        }
        assert!(out.len() >= 12, "the demo has its plans");
        out
    }

    fn lower(text: &str, name: &str) -> Plan {
        crate::load::plan_from_bytes(text.as_bytes(), &format!("content/2019/{name}"))
            .expect("plan lowers")
    }

    /// Body text after the front matter's closing line.
    fn body_of(text: &str) -> &str {
        let after = text.strip_prefix("---\n").expect("front matter");
        let end = after.find("\n---\n").expect("closed");
        &after[end + 5..]
    }

    #[test]
    fn every_demo_plan_round_trips() {
        for (name, text) in demo_plans() {
            let plan = lower(&text, &name);
            let doc = PlanDoc::from_plan(&plan);
            let sections = sections_of_body(&plan.body.text);
            let written = write_plan_file(&doc, &sections, Some(&plan.body.text));
            let again = lower(&written, &name);
            assert_eq!(PlanDoc::from_plan(&again), doc, "{name}");
            assert_eq!(
                again.body.text, plan.body.text,
                "{name}: body kept byte for byte"
            );
            assert_eq!(body_of(&written), body_of(&text), "{name}");
            // Without the old body, the sections still read back the same.
            let fresh = write_plan_file(&doc, &sections, None);
            let again = lower(&fresh, &name);
            assert_eq!(PlanDoc::from_plan(&again), doc, "{name}");
            assert!(
                same_prose(&sections_of_body(&again.body.text), &sections),
                "{name}"
            );
        }
    }

    #[test]
    fn every_demo_plan_checks_the_same_after_rewriting() {
        for (name, text) in demo_plans() {
            let plan = lower(&text, &name);
            let doc = PlanDoc::from_plan(&plan);
            let written = write_plan_file(&doc, &sections_of_body(&plan.body.text), None);
            let codes = |t: &str| -> Vec<String> {
                crate::check_plan_bytes(
                    t.replace(&format!("agency: {}", doc.agency), "agency: plan")
                        .as_bytes(),
                )
                .into_iter()
                .map(|d| d.code.to_string())
                .collect()
            };
            assert_eq!(codes(&written), codes(&text), "{name}");
        }
    }

    #[test]
    fn strings_that_yaml_would_misread_are_quoted() {
        for s in [
            "yes",
            "no",
            "null",
            "~",
            "123",
            "1.5",
            "2019-01-01",
            "a: b",
            "- x",
            "# c",
            "\"q\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "\u{feff}bom",
            "'",
            "{x}",
            "[y]",
            "&a",
            "*b",
            "!t",
            "%p",
            "@a",
            "`x`",
            "  lead",
            "trail  ",
            "",
            "Đào tạo",
            "=HYPERLINK(\"x\")",
        ] {
            let doc = PlanDoc {
                agency: "so-tttt".into(),
                year: 2019,
                status: "draft".into(),
                legal_bases: vec![s.to_string()],
                projects: vec![ProjectDoc {
                    id: "p".into(),
                    name: s.to_string(),
                    category: "ha-tang".into(),
                    priority: Some(1),
                    period: Some(PeriodDoc {
                        from: Some(2019),
                        to: Some(2019),
                    }),
                    lead: "so-tttt".into(),
                    cost: CostDoc {
                        total: Some(Decimal::ONE),
                        spent: Some(Decimal::ZERO),
                        planned: Some(Decimal::ONE),
                    },
                    levels: SplitDoc(vec![("tinh".into(), Decimal::ONE)]),
                    kinds: SplitDoc(vec![("dau-tu".into(), Decimal::ONE)]),
                    ..ProjectDoc::default()
                }],
                ..PlanDoc::default()
            };
            let text = write_plan_file(&doc, &Sections::new(), None);
            let plan = lower(&text, "so-tttt.md");
            // The loader trims text fields; the writer must not change more.
            assert_eq!(plan.legal_bases.len(), 1, "{s:?}");
            assert_eq!(plan.legal_bases[0].trim(), s.trim(), "{s:?}");
            assert_eq!(plan.projects[0].name.trim(), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn amounts_keep_their_digits_and_splits_their_order() {
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        let row = SpendingDoc {
            category: "ha-tang".into(),
            task: "t".into(),
            total: Some(d("12345678901.2345678")),
            levels: SplitDoc(vec![
                ("tinh".into(), d("0.1")),
                ("trung-uong".into(), d("12345678901.1345678")),
            ]),
            kinds: SplitDoc(vec![("su-nghiep".into(), d("12345678901.2345678"))]),
            basis: None,
        };
        let doc = PlanDoc {
            agency: "so-tttt".into(),
            year: 2019,
            status: "draft".into(),
            spending: vec![row],
            ..PlanDoc::default()
        };
        let text = doc.front_matter();
        assert!(text.contains("total: 12345678901.2345678"), "{text}");
        assert!(
            text.contains("levels: { tinh: 0.1, trung-uong: 12345678901.1345678 }"),
            "{text}"
        );
        assert!(text.contains("kinds: su-nghiep\n"), "{text}");
        let plan = lower(&write_plan_file(&doc, &Sections::new(), None), "so-tttt.md");
        assert_eq!(PlanDoc::from_plan(&plan).spending, doc.spending);
    }

    #[test]
    fn json_amounts_are_strings_and_floats_are_refused() {
        let doc = PlanDoc {
            agency: "a".into(),
            year: 2019,
            status: "draft".into(),
            indicators: vec![IndicatorDoc {
                id: "x".into(),
                goal: Some(Decimal::from_str_exact("27.50").expect("d")),
                ..IndicatorDoc::default()
            }],
            ..PlanDoc::default()
        };
        let json = serde_json::to_string(&doc).expect("json");
        assert!(json.contains(r#""goal":"27.50""#), "{json}");
        let back: PlanDoc = serde_json::from_str(&json).expect("back");
        assert_eq!(back, doc);
        let float = json.replace(r#""goal":"27.50""#, r#""goal":27.5"#);
        assert!(serde_json::from_str::<PlanDoc>(&float).is_err());
        let int = json.replace(r#""goal":"27.50""#, r#""goal":27"#);
        let back: PlanDoc = serde_json::from_str(&int).expect("integers are exact");
        assert_eq!(back.indicators[0].goal, Some(Decimal::from(27)));
    }

    #[test]
    fn unknown_headings_and_repeats_stay_in_the_section_before() {
        let body =
            "Mở đầu.\n\n## III. Mục tiêu\n\nA.\n\n## Phụ lục riêng\n\nB.\n\n## Mục tiêu\n\nC.\n";
        let s = sections_of_body(body);
        assert_eq!(s[INTRO], "Mở đầu.");
        assert_eq!(
            s["muc-tieu"],
            "A.\n\n## Phụ lục riêng\n\nB.\n\n## Mục tiêu\n\nC."
        );
        let written = body_from_sections(&s, 2019);
        assert_eq!(sections_of_body(&written)["muc-tieu"], s["muc-tieu"]);
    }

    #[test]
    fn comments_are_written_where_given() {
        let doc = PlanDoc {
            agency: "so-tttt".into(),
            year: 2020,
            status: "draft".into(),
            comment: Some("Điền từ kế hoạch năm 2019.\nKiểm tra lại.".into()),
            projects: vec![ProjectDoc {
                id: "p".into(),
                name: "n".into(),
                category: "ha-tang".into(),
                lead: "so-tttt".into(),
                comment: Some("Dự án chuyển tiếp: điền levels và kinds.".into()),
                ..ProjectDoc::default()
            }],
            ..PlanDoc::default()
        };
        let fm = doc.front_matter();
        assert!(
            fm.starts_with("# Điền từ kế hoạch năm 2019.\n# Kiểm tra lại.\nagency: so-tttt\n"),
            "{fm}"
        );
        assert!(
            fm.contains("projects:\n  # Dự án chuyển tiếp: điền levels và kinds.\n  - id: p\n"),
            "{fm}"
        );
        assert!(fm.contains("    levels: {}\n"), "{fm}");
    }
}
