//! From the raw YAML tree to the typed model: the `hiargs` half of the
//! two-stage parse. Shape problems are reported here (E004 unknown field,
//! E005 wrong type or malformed value, E006 required field missing), all of
//! them, and a part that fails its shape is left out of the model so that
//! later checks do not pile consequences on top of the cause.

mod config;
mod plan;
mod scalars;

use std::sync::Arc;

use super::{CodeName, MoneyUnit};
use crate::diag::{Code, Lang, Pos, Sink, suggest, tr};
use crate::yaml::{Kind, Node, key_text};

/// Turns nodes into typed values, reporting into one file's sink.
pub(crate) struct Lower<'s, 'a> {
    sink: &'s mut Sink<'a>,
    /// The configuration, for hints that propose a value that is valid.
    known: Arc<Known>,
    /// Top-level fields whose part had a syntax error (already an E003):
    /// not reported missing.
    broken: Vec<String>,
}

/// What the configuration files hold that hints draw on: codes with their
/// names, and the money unit. Empty when the configuration is not loaded
/// (or not valid): hints then fall back to what the text alone says.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub(crate) unit: Option<MoneyUnit>,
    pub(crate) agencies: Option<Vec<(String, String)>>,
    pub(crate) categories: Option<Vec<(String, String)>>,
    pub(crate) levels: Option<Vec<(String, String)>>,
    pub(crate) kinds: Option<Vec<(String, String)>>,
}

impl Known {
    /// What `site` holds.
    pub(crate) fn of(site: &super::Site) -> Arc<Known> {
        let pairs = |list: &[CodeName]| {
            list.iter()
                .map(|c| (c.id.value.clone(), c.name.clone()))
                .collect::<Vec<_>>()
        };
        Arc::new(Known {
            unit: site.config.as_ref().map(|c| c.money_unit),
            agencies: site.agencies.as_ref().map(|a| {
                a.iter()
                    .map(|a| (a.code.value.clone(), a.name.clone()))
                    .collect()
            }),
            categories: site.catalog.as_ref().map(|c| pairs(&c.categories)),
            levels: site.catalog.as_ref().map(|c| pairs(&c.levels)),
            kinds: site.catalog.as_ref().map(|c| pairs(&c.kinds)),
        })
    }

    /// The list a code field takes its values from.
    fn list_for(&self, what: &str) -> Option<&[(String, String)]> {
        match what {
            "category" => self.categories.as_deref(),
            "levels" => self.levels.as_deref(),
            "kinds" => self.kinds.as_deref(),
            "agency" | "lead" | "partners" | "provider" => self.agencies.as_deref(),
            _ => None,
        }
    }
}

/// How a list item is named in messages: "dự án thứ 2 (`mot-cua`)".
fn item_label(key: &str, index: usize, node: &Node, lang: Lang) -> String {
    let id = match &node.kind {
        Kind::Map(entries) => entries
            .iter()
            .find(|(k, _)| key_text(k).is_some_and(|k| k == "id" || k == "category"))
            .and_then(|(_, v)| match &v.kind {
                Kind::Scalar { text, .. } if !text.trim().is_empty() => Some(text.trim()),
                _ => None,
            }),
        _ => None,
    };
    let base = match (key, lang) {
        ("projects", Lang::Vi) => format!("dự án thứ {index}"),
        ("projects", Lang::En) => format!("project {index}"),
        ("spending", Lang::Vi) => format!("dòng kinh phí thứ {index}"),
        ("spending", Lang::En) => format!("spending row {index}"),
        ("indicators", Lang::Vi) => format!("chỉ tiêu thứ {index}"),
        ("indicators", Lang::En) => format!("indicator {index}"),
        (_, Lang::Vi) => format!("`{key}` thứ {index}"),
        (_, Lang::En) => format!("`{key}` item {index}"),
    };
    match id {
        Some(id) => format!("{base} (`{id}`)"),
        None => base,
    }
}

/// `what` as a message shows it: a field name in backticks, a list item's
/// label as it is.
fn shown(what: &str) -> String {
    if what.contains(' ') {
        what.to_string()
    } else {
        format!("`{what}`")
    }
}

/// The entries of a mapping whose keys have been checked.
pub(crate) struct Fields<'n> {
    pos: Pos,
    entries: &'n [(Node, Node)],
    /// What the mapping is, for messages: `projects[2]`, `cost`.
    what: String,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| key_text(k).is_some_and(|t| t == key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
}

impl<'s, 'a> Lower<'s, 'a> {
    pub(crate) fn new(sink: &'s mut Sink<'a>) -> Self {
        Lower {
            sink,
            known: Arc::default(),
            broken: Vec::new(),
        }
    }

    /// Hints draw on `known` from now on.
    pub(crate) fn know(&mut self, known: Arc<Known>) {
        self.known = known;
    }

    /// Top-level fields left out after a syntax error.
    pub(crate) fn broken(&mut self, keys: Vec<String>) {
        self.broken = keys;
    }

    fn lang(&self) -> Lang {
        self.sink.lang
    }

    fn e005(&mut self, pos: Pos, message: String, help: String) {
        self.sink.report(Code::E005, pos, message, Some(help));
    }

    /// A mapping with only `known` keys; unknown keys are E004 with the
    /// nearest known key as a suggestion.
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let lang = self.lang();
        let w = shown(what);
        let Kind::Map(entries) = &node.kind else {
            let shape = node.shape();
            self.e005(
                node.pos,
                tr!(
                    lang,
                    "{w} phải là một bảng các trường (key: value), nhưng đang là {shape}.",
                    "{w} must be a mapping of fields (key: value), found a {shape}."
                ),
                tr!(
                    lang,
                    "Viết mỗi trường trên một dòng dạng `tên: giá trị`, thụt lề đều nhau.",
                    "Write one `name: value` per line, indented evenly."
                ),
            );
            return None;
        };
        for (k, _) in entries {
            let Some(key) = key_text(k) else { continue };
            if !known.contains(&key.as_str()) {
                let help = match suggest(key, known) {
                    Some(s) => tr!(lang, "Có phải ý bạn là `{s}`?", "Did you mean `{s}`?"),
                    None => {
                        let list = known.join(", ");
                        tr!(lang, "Các trường hợp lệ: {list}.", "Valid fields: {list}.")
                    }
                };
                self.sink.report(
                    Code::E004,
                    k.pos,
                    tr!(
                        lang,
                        "Trường không xác định `{key}` trong {w}.",
                        "Unknown field `{key}` in {w}."
                    ),
                    Some(help),
                );
            }
        }
        Some(Fields {
            pos: node.pos,
            entries,
            what: what.to_string(),
        })
    }

    /// A field that must be there; E006 at the mapping otherwise.
    fn required<'n>(&mut self, f: &Fields<'n>, key: &str) -> Option<&'n Node> {
        let v = f.get(key);
        if v.is_none() && !self.broken.iter().any(|b| b == key) {
            let lang = self.lang();
            let what = shown(&f.what);
            self.sink.error(
                Code::E006,
                f.pos,
                tr!(
                    lang,
                    "Thiếu trường bắt buộc `{key}` trong {what}.",
                    "Required field `{key}` is missing in {what}."
                ),
            );
        }
        v
    }

    /// A list; `null` counts as empty.
    fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            Kind::Seq(items) => Some(items),
            _ if node.is_null() => Some(&[]),
            _ => {
                let lang = self.lang();
                let shape = node.shape();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một danh sách, nhưng đang là {shape}.",
                        "`{what}` must be a list, found a {shape}."
                    ),
                    tr!(
                        lang,
                        "Mỗi phần tử viết trên một dòng bắt đầu bằng `- `.",
                        "Start each item on its own line with `- `."
                    ),
                );
                None
            }
        }
    }
}

pub(crate) use scalars::{code_by_name, slug};
