//! Plans and what they hold (projects, spending rows, indicators, splits),
//! and a cycle's `_plan.md`.

use super::{Fields, Lower, item_label};
use crate::diag::{Pos, tr};
use crate::model::money::Amount;
use crate::model::{
    Body, Contact, Cost, CycleMeta, Guidance, IndicatorValue, Period, Plan, Project, Spanned,
    SpendingRow, Split, Status, Unit,
};
use crate::yaml::{Kind, Node};

impl Lower<'_, '_> {
    /// `levels:`/`kinds:` — a mapping of id to amount, or a single id that
    /// takes all of `whole`.
    pub(super) fn split(
        &mut self,
        node: &Node,
        what: &str,
        whole: Option<&Spanned<Amount>>,
    ) -> Option<Spanned<Split>> {
        match &node.kind {
            Kind::Scalar { .. } => {
                let id = self.code(node, what)?;
                let whole = whole?;
                Some(Spanned {
                    value: vec![(
                        id,
                        Spanned {
                            value: whole.value,
                            pos: node.pos,
                        },
                    )],
                    pos: node.pos,
                })
            }
            Kind::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                let mut ok = true;
                for (k, v) in entries {
                    let id = self.code(k, what);
                    let amount = self.amount(v, what);
                    match (id, amount) {
                        (Some(id), Some(a)) => out.push((id, a)),
                        _ => ok = false,
                    }
                }
                ok.then_some(Spanned {
                    value: out,
                    pos: node.pos,
                })
            }
            Kind::Seq(_) => {
                let lang = self.lang();
                self.e005(
                    node.pos,
                    tr!(
                        lang,
                        "`{what}` phải là một bảng `mã: số tiền` hoặc một mã duy nhất.",
                        "`{what}` must be a mapping `id: amount` or a single id."
                    ),
                    tr!(
                        lang,
                        "Ví dụ: `{what}: {{ tinh: 300, huyen: 50 }}` hoặc `{what}: tinh`.",
                        "For example: `{what}: {{ tinh: 300, huyen: 50 }}` or `{what}: tinh`."
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn cycle(&mut self, node: Option<&Node>, body: Body, at: Pos) -> Option<CycleMeta> {
        let empty = Node {
            kind: Kind::Map(Vec::new()),
            pos: at,
        };
        let node = node.unwrap_or(&empty);
        let f = self.map(
            node,
            "_plan.md",
            &[
                "year",
                "title",
                "guidance",
                "deadline",
                "legal_bases",
                "document",
                "closed",
            ],
        )?;
        let year = self.required(&f, "year").and_then(|n| self.year(n, "year"));
        let title = self.req_string(&f, "title");
        let guidance = match f.get("guidance") {
            Some(n) => self
                .map(n, "guidance", &["number", "date", "issuer"])
                .and_then(|g| {
                    let number = self.req_string(&g, "number");
                    let date = self.required(&g, "date").and_then(|n| self.date(n, "date"));
                    let issuer = self.req_string(&g, "issuer");
                    Some(Guidance {
                        number: number?,
                        date: date?.value,
                        issuer: issuer?,
                    })
                }),
            None => None,
        };
        let deadline = self
            .required(&f, "deadline")
            .and_then(|n| self.date(n, "deadline"));
        let legal_bases = self.strings(&f, "legal_bases");
        let document = f.get("document").and_then(|n| self.document(n));
        let closed = f
            .get("closed")
            .and_then(|n| self.boolean(n, "closed"))
            .unwrap_or(false);
        let year = year?;
        Some(CycleMeta {
            year: year.value,
            year_pos: year.pos,
            title: title?,
            guidance,
            deadline: deadline?,
            legal_bases,
            document,
            closed,
            body,
        })
    }

    /// `document:` of `_plan.md`. A malformed part is an E00x of its own;
    /// the rest of the cycle still loads.
    pub(super) fn document(&mut self, node: &Node) -> Option<crate::model::DocumentMeta> {
        let d = self.map(
            node,
            "document",
            &["issuer", "number", "place", "date", "signer", "recipients"],
        )?;
        let issuer = self.req_string(&d, "issuer");
        let place = self.req_string(&d, "place");
        let number = self
            .opt_string(&d, "number")
            .filter(|s| !s.trim().is_empty());
        let date = d.get("date").and_then(|n| self.date(n, "date"));
        let signer = d.get("signer").and_then(|n| {
            let s = self.map(n, "signer", &["title", "name"])?;
            let title = self.req_string(&s, "title");
            let name = self.opt_string(&s, "name");
            Some(crate::model::Signer {
                title: title?,
                name,
            })
        });
        let recipients = self.strings(&d, "recipients");
        Some(crate::model::DocumentMeta {
            issuer: issuer?,
            number,
            place: place?,
            date: date.map(|d| d.value),
            signer,
            recipients,
        })
    }

    // ---- plans ------------------------------------------------------------

    /// A plan's front matter. `at` is where to report problems of a plan
    /// whose front matter is empty.
    pub(crate) fn plan(
        &mut self,
        node: Option<&Node>,
        at: Pos,
        file: &str,
        stem: &str,
        body: Body,
    ) -> Option<Plan> {
        let empty = Node {
            kind: Kind::Map(Vec::new()),
            pos: at,
        };
        let node = node.unwrap_or(&empty);
        let lang = self.lang();
        let what = tr!(
            lang,
            "phần khai báo đầu tệp (giữa hai dòng ---)",
            "the front matter (between the two --- lines)"
        );
        let f = self.map(
            node,
            &what,
            &[
                "agency",
                "year",
                "status",
                "submitted",
                "contact",
                "legal_bases",
                "indicators",
                "spending",
                "projects",
            ],
        )?;
        let agency = self
            .required(&f, "agency")
            .and_then(|n| self.code(n, "agency"));
        let year = self.required(&f, "year").and_then(|n| self.year(n, "year"));
        let status = self
            .required(&f, "status")
            .and_then(|n| self.choice(n, "status", Status::CHOICES));
        let submitted = f.get("submitted").and_then(|n| self.date(n, "submitted"));
        let contact = f.get("contact").and_then(|n| {
            let c = self.map(n, "contact", &["name", "phone", "email"])?;
            Some(Contact {
                name: self.opt_string(&c, "name"),
                phone: self.opt_string(&c, "phone"),
                email: self.opt_string(&c, "email"),
            })
        });
        let mut malformed: Vec<&'static str> = [
            ("submitted", submitted.is_none()),
            ("contact", contact.is_none()),
        ]
        .into_iter()
        .filter(|(key, missing)| {
            *missing && (f.get(key).is_some() || self.broken.iter().any(|b| b == key))
        })
        .map(|(key, _)| key)
        .collect();
        let legal_bases = self.strings(&f, "legal_bases");
        let indicators = self.list(&f, "indicators", Self::indicator, &mut malformed);
        let spending = self.list(&f, "spending", Self::spending_row, &mut malformed);
        let projects = self.list(&f, "projects", Self::project, &mut malformed);
        Some(Plan {
            file: file.to_string(),
            stem: stem.to_string(),
            agency: agency?,
            year: year?,
            status: status?,
            submitted,
            contact,
            legal_bases,
            indicators,
            spending,
            projects,
            body,
            pos: f.pos,
            malformed,
        })
    }

    /// The items of the list `key` that lowered; `key` goes to `malformed`
    /// when one did not (or the list lost items to a syntax error), so that
    /// rules counting the items stay silent.
    pub(super) fn list<T>(
        &mut self,
        f: &Fields<'_>,
        key: &'static str,
        item: fn(&mut Self, &Node, &str) -> Option<T>,
        malformed: &mut Vec<&'static str>,
    ) -> Vec<T> {
        if self.broken.iter().any(|b| b == key) {
            malformed.push(key);
        }
        let Some(node) = f.get(key) else {
            return Vec::new();
        };
        let Some(items) = self.seq(node, key) else {
            malformed.push(key);
            return Vec::new();
        };
        let lang = self.lang();
        let out: Vec<T> = items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| item(self, n, &item_label(key, i + 1, n, lang)))
            .collect();
        if out.len() < items.len() && !malformed.contains(&key) {
            malformed.push(key);
        }
        out
    }

    pub(super) fn indicator(&mut self, node: &Node, what: &str) -> Option<IndicatorValue> {
        let f = self.map(
            node,
            what,
            &[
                "id", "name", "unit", "target", "actual", "goal", "value", "note",
            ],
        )?;
        let id = self.required(&f, "id").and_then(|n| self.code(n, "id"));
        let name = self.opt_string(&f, "name");
        let unit = f.get("unit").map(|n| self.choice(n, "unit", Unit::CHOICES));
        let mut ok = true;
        let target = self.opt_number(&f, "target", &mut ok);
        let actual = self.opt_number(&f, "actual", &mut ok);
        let goal = self.opt_number(&f, "goal", &mut ok);
        let value = self.opt_string(&f, "value");
        let note = self.opt_string(&f, "note");
        let unit = match unit {
            Some(u) => Some(u?.value),
            None => None,
        };
        ok.then_some(())?;
        Some(IndicatorValue {
            id: id?,
            name,
            unit,
            target,
            actual,
            goal,
            value,
            note,
        })
    }

    pub(super) fn spending_row(&mut self, node: &Node, what: &str) -> Option<SpendingRow> {
        let f = self.map(
            node,
            what,
            &["category", "task", "total", "levels", "kinds", "basis"],
        )?;
        let category = self
            .required(&f, "category")
            .and_then(|n| self.code(n, "category"));
        let task = self.req_string(&f, "task");
        let total = self.req_amount(&f, "total");
        let levels = self
            .required(&f, "levels")
            .and_then(|n| self.split(n, "levels", total.as_ref()));
        let kinds = self
            .required(&f, "kinds")
            .and_then(|n| self.split(n, "kinds", total.as_ref()));
        let basis = self.opt_string(&f, "basis");
        Some(SpendingRow {
            category: category?,
            task: task?,
            total: total?,
            levels: levels?,
            kinds: kinds?,
            basis,
        })
    }

    pub(super) fn project(&mut self, node: &Node, what: &str) -> Option<Project> {
        let f = self.map(
            node,
            what,
            &[
                "id",
                "name",
                "category",
                "priority",
                "objective",
                "period",
                "lead",
                "partners",
                "done",
                "todo",
                "cost",
                "levels",
                "kinds",
                "investor",
                "approval",
                "necessity",
                "standards",
                "location",
                "note",
            ],
        )?;
        let id = self.required(&f, "id").and_then(|n| self.code(n, "id"));
        let name = self.req_string(&f, "name");
        let category = self
            .required(&f, "category")
            .and_then(|n| self.code(n, "category"));
        let priority = self
            .required(&f, "priority")
            .and_then(|n| self.integer(n, "priority"));
        let period = self.required(&f, "period").and_then(|n| {
            let p = self.map(n, "period", &["from", "to"])?;
            let from = self.required(&p, "from").and_then(|n| self.year(n, "from"));
            let to = self.required(&p, "to").and_then(|n| self.year(n, "to"));
            Some(Period {
                from: from?,
                to: to?,
            })
        });
        let lead = self.required(&f, "lead").and_then(|n| self.code(n, "lead"));
        let mut partners_ok = true;
        let partners = match f.get("partners") {
            Some(n) => match &n.kind {
                Kind::Scalar { .. } => self.code(n, "partners").into_iter().collect(),
                _ => match self.seq(n, "partners") {
                    Some(items) => items
                        .iter()
                        .filter_map(|p| {
                            let c = self.code(p, "partners");
                            partners_ok &= c.is_some();
                            c
                        })
                        .collect(),
                    None => {
                        partners_ok = false;
                        Vec::new()
                    }
                },
            },
            None => Vec::new(),
        };
        let cost = self.required(&f, "cost").and_then(|n| {
            let c = self.map(n, "cost", &["total", "spent", "planned"])?;
            let total = self.req_amount(&c, "total");
            let spent = self.req_amount(&c, "spent");
            let planned = self.req_amount(&c, "planned");
            Some(Cost {
                total: total?,
                spent: spent?,
                planned: planned?,
            })
        });
        let planned = cost.as_ref().map(|c| &c.planned);
        let levels = self
            .required(&f, "levels")
            .and_then(|n| self.split(n, "levels", planned));
        let kinds = self
            .required(&f, "kinds")
            .and_then(|n| self.split(n, "kinds", planned));
        let project = Project {
            id: id?,
            name: name?,
            category: category?,
            priority: priority?,
            objective: self.opt_string(&f, "objective"),
            period: period?,
            lead: lead?,
            partners,
            done: self.opt_string(&f, "done"),
            todo: self.opt_string(&f, "todo"),
            cost: cost?,
            levels: levels?,
            kinds: kinds?,
            investor: self.opt_string(&f, "investor"),
            approval: self.opt_string(&f, "approval"),
            necessity: self.opt_string(&f, "necessity"),
            standards: self.opt_string(&f, "standards"),
            location: self.opt_string(&f, "location"),
            note: self.opt_string(&f, "note"),
        };
        partners_ok.then_some(project)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Lang, Sink};
    use crate::yaml;

    fn lower_plan(yaml_text: &str) -> (Option<Plan>, Vec<Diagnostic>) {
        let mut sink = Sink::new(Lang::En, "content/2019/x.md", false);
        let node = yaml::parse(yaml_text, 1).unwrap();
        let plan = Lower::new(&mut sink).plan(
            node.as_ref(),
            Pos::START,
            "content/2019/x.md",
            "x",
            Body::default(),
        );
        (plan, sink.into_vec())
    }

    fn codes(d: &[Diagnostic]) -> Vec<(&str, u32, u32)> {
        d.iter()
            .map(|d| (d.code.as_str(), d.pos.line, d.pos.col))
            .collect()
    }

    const MIN: &str = "agency: x\nyear: 2019\nstatus: draft\n";

    #[test]
    fn minimal_plan_lowers() {
        let (p, d) = lower_plan(MIN);
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        assert_eq!(p.agency.value, "x");
        assert_eq!(p.year.pos, Pos { line: 3, col: 7 });
    }

    #[test]
    fn e004_unknown_field_with_suggestion() {
        let (_, d) = lower_plan(&format!("{MIN}projets: []\n"));
        assert_eq!(codes(&d), [("E004", 5, 1)]);
        assert!(d[0].help.as_deref().unwrap().contains("`projects`"));
    }

    #[test]
    fn e005_vietnamese_amount_with_hint() {
        let y = format!(
            "{MIN}spending:\n  - {{ category: ha-tang, task: t, total: \"1.200.000\", levels: tinh, kinds: khac }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert_eq!(codes(&d), [("E005", 6, 42)]);
        assert!(d[0].help.as_deref().unwrap().contains("1200000"));
        assert!(p.unwrap().spending.is_empty());
    }

    #[test]
    fn e005_bad_date_and_bad_code() {
        let (_, d) =
            lower_plan("agency: So TTTT\nyear: 2019\nstatus: submitted\nsubmitted: 25/07/2018\n");
        assert_eq!(codes(&d), [("E005", 2, 9), ("E005", 5, 12)]);
        assert!(d[1].help.as_deref().unwrap().contains("2018-07-25"));
        assert!(d[0].help.as_deref().unwrap().contains("so-tttt"));
    }

    #[test]
    fn e006_required_field_missing() {
        let (p, d) = lower_plan("agency: x\nyear: 2019\n");
        assert!(p.is_none());
        assert_eq!(codes(&d), [("E006", 2, 1)]);
        assert!(d[0].message.contains("`status`"));
    }

    #[test]
    fn every_problem_of_a_file_is_reported() {
        let y = "agency: x\nyear: twenty\nstatus: sent\nprojets: 1\n";
        let (_, d) = lower_plan(y);
        assert_eq!(codes(&d), [("E004", 5, 1), ("E005", 3, 7), ("E005", 4, 9)]);
    }

    #[test]
    fn single_id_split_takes_the_whole_amount() {
        let y = format!(
            "{MIN}spending:\n  - {{ category: ha-tang, task: t, total: 350, levels: tinh, kinds: {{ su-nghiep: 350 }} }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert!(d.is_empty(), "{d:?}");
        let row = &p.unwrap().spending[0];
        assert_eq!(row.levels.value[0].1.value, "350".parse().unwrap());
    }

    #[test]
    fn follow_on_counts_are_marked() {
        let y = format!(
            "{MIN}projects:\n  - {{ id: a, name: A, category: c, priority: 1, period: {{ from: 2019, to: 2019 }}, lead: x, cost: {{ total: 1, spent: 0, planned: \"1,5\" }}, levels: {{}}, kinds: {{}} }}\n"
        );
        let (p, d) = lower_plan(&y);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`planned`"), "{d:?}");
        assert!(p.unwrap().malformed.contains(&"projects"));
    }
}
