//! The checked model of a site: typed, with exact amounts, every value
//! remembering where it was written so later stages can point at it.
//!
//! `lower` builds it from the raw YAML tree of `crate::yaml`; nothing else
//! constructs these types, so a value here has passed its shape checks.

pub(crate) mod lower;
pub(crate) mod money;
pub(crate) mod remote;
pub(crate) mod sections;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diag::{Lang, Pos};
pub use money::Amount;
pub(crate) use sections::{Body, SectionKey};

/// Folders of a cycle's pages (`<year>/…/`) that are not agencies: the
/// downloads, the print page and the split lists. An agency with one of these
/// codes would have its plan page hidden by them, so `check` refuses such a
/// code; `render`'s own folder names are tested against this list.
pub(crate) const CYCLE_FOLDERS: &[&str] = &["data", "ban-in", "phu-luc", "chi-tieu", "tinh-hinh"];

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) pos: Pos,
}

/// Groups of agencies, as in the letter's address list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Group {
    VanPhong,
    SoBanNganh,
    HoiDoanThe,
    Huyen,
    /// Communes (xã, phường, đặc khu): the local level after the 2025 reform.
    Xa,
}

impl Group {
    pub(crate) const CHOICES: &'static [(&'static str, Group)] = &[
        ("van-phong", Group::VanPhong),
        ("so-ban-nganh", Group::SoBanNganh),
        ("hoi-doan-the", Group::HoiDoanThe),
        ("huyen", Group::Huyen),
        ("xa", Group::Xa),
    ];
    pub(crate) fn id(self) -> &'static str {
        lookup_id(Self::CHOICES, self)
    }
}

/// Where a plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Status {
    Draft,
    Submitted,
    Approved,
}

impl Status {
    pub(crate) const CHOICES: &'static [(&'static str, Status)] = &[
        ("draft", Status::Draft),
        ("submitted", Status::Submitted),
        ("approved", Status::Approved),
    ];
    pub(crate) fn id(self) -> &'static str {
        lookup_id(Self::CHOICES, self)
    }

    /// The status as the department says it: the one table of these words
    /// (pages take theirs from the theme's strings).
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Draft, Lang::Vi) => "bản nháp",
            (Status::Submitted, Lang::Vi) => "đã gửi",
            (Status::Approved, Lang::Vi) => "đã phê duyệt",
            (Status::Draft, Lang::En) => "draft",
            (Status::Submitted, Lang::En) => "submitted",
            (Status::Approved, Lang::En) => "approved",
        }
    }
}

/// A label as the first word of a table cell: `bản nháp` → `Bản nháp`.
pub(crate) fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// How an indicator is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Unit {
    Percent,
    Count,
    Text,
}

impl Unit {
    pub(crate) const CHOICES: &'static [(&'static str, Unit)] = &[
        ("percent", Unit::Percent),
        ("count", Unit::Count),
        ("text", Unit::Text),
    ];
    pub(crate) fn id(self) -> &'static str {
        lookup_id(Self::CHOICES, self)
    }
}

/// The unit of every amount of a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum MoneyUnit {
    Dong,
    NghinDong,
    TrieuDong,
    TyDong,
}

impl MoneyUnit {
    pub(crate) const CHOICES: &'static [(&'static str, MoneyUnit)] = &[
        ("dong", MoneyUnit::Dong),
        ("nghin-dong", MoneyUnit::NghinDong),
        ("trieu-dong", MoneyUnit::TrieuDong),
        ("ty-dong", MoneyUnit::TyDong),
    ];
    pub(crate) fn id(self) -> &'static str {
        lookup_id(Self::CHOICES, self)
    }
    /// The unit as a reader says it.
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MoneyUnit::Dong, Lang::Vi) => "đồng",
            (MoneyUnit::NghinDong, Lang::Vi) => "nghìn đồng",
            (MoneyUnit::TrieuDong, Lang::Vi) => "triệu đồng",
            (MoneyUnit::TyDong, Lang::Vi) => "tỷ đồng",
            (MoneyUnit::Dong, Lang::En) => "VND",
            (MoneyUnit::NghinDong, Lang::En) => "thousand VND",
            (MoneyUnit::TrieuDong, Lang::En) => "million VND",
            (MoneyUnit::TyDong, Lang::En) => "billion VND",
        }
    }
}

/// `dd/mm/yyyy`, as Vietnamese documents write dates: the one date
/// formatter of pages, documents and messages.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A project's period as people write it: `2019–2020`, or `2019` for a
/// single year (never `2019–2019`).
pub(crate) fn period_text(from: i32, to: i32) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}–{to}")
    }
}

fn lookup_id<T: PartialEq + Copy>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(id, _)| id)
}

/// `site.yaml`.
#[derive(Clone, Debug)]
pub(crate) struct SiteConfig {
    pub(crate) title: String,
    pub(crate) province: String,
    pub(crate) base_url: String,
    pub(crate) language: Lang,
    pub(crate) theme: String,
    pub(crate) money_unit: MoneyUnit,
    pub(crate) publish: Vec<Target>,
    /// Name of the git tag that marks a cycle's approved version, with
    /// `{year}` standing for the cycle's year: `approved-{year}`.
    pub(crate) approved_tag: Option<String>,
    /// The relay `remind --send` uses.
    pub(crate) smtp: Option<Smtp>,
    /// The portal's owner (Decree 42/2022): shown in every page's footer.
    pub(crate) owner: Option<Owner>,
}

/// `smtp:` of site.yaml. Credentials never sit in the repository: they
/// come from `PLANPRESS_SMTP_USER` and `PLANPRESS_SMTP_PASSWORD`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Smtp {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The sender, as a mail header writes it.
    pub(crate) from: String,
    pub(crate) starttls: bool,
}

/// `owner:` of `site.yaml`: who runs the portal and answers for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Owner {
    pub(crate) agency: String,
    pub(crate) address: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    /// Người chịu trách nhiệm chính.
    pub(crate) responsible: Option<String>,
    /// The licence of the open data (e.g. "CC BY 4.0").
    pub(crate) licence: Option<String>,
}

/// A named place to publish to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kind: TargetKind,
    pub(crate) path: String,
    pub(crate) keep: u32,
}

/// How a target is reached.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TargetKind {
    Dir,
    Ssh {
        host: String,
        port: u16,
        user: Option<String>,
        identity: Option<String>,
    },
    /// A bucket of S3-compatible object storage; the target's `path` is the
    /// key prefix (without slashes at either end, possibly empty).
    S3 {
        endpoint: String,
        bucket: String,
        region: String,
    },
}

/// One entry of `agencies.yaml`.
#[derive(Clone, Debug)]
pub(crate) struct Agency {
    pub(crate) code: Spanned<String>,
    pub(crate) name: String,
    pub(crate) group: Group,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) expected: bool,
    /// First cycle in which the agency exists; `None` is open.
    pub(crate) from: Option<Spanned<i32>>,
    /// Last cycle in which the agency exists; `None` is open.
    pub(crate) until: Option<Spanned<i32>>,
    /// The agency that took over its duties.
    pub(crate) successor: Option<Spanned<String>>,
    /// Names before a rename that kept the code: (last cycle, name), in
    /// the order written.
    pub(crate) former_names: Vec<(i32, String)>,
}

impl Agency {
    /// Whether the agency exists in cycle `year`.
    pub(crate) fn exists_in(&self, year: i32) -> bool {
        self.from.as_ref().is_none_or(|f| f.value <= year)
            && self.until.as_ref().is_none_or(|u| year <= u.value)
    }

    /// The name the agency had in cycle `year`: the earliest former name
    /// whose `until` is not before `year`, else today's name.
    pub(crate) fn name_in(&self, year: i32) -> &str {
        self.former_names
            .iter()
            .filter(|(until, _)| year <= *until)
            .min_by_key(|(until, _)| *until)
            .map_or(self.name.as_str(), |(_, n)| n.as_str())
    }
}

/// Where an agency code stands in one cycle: the one answer to "is it
/// expected, may it submit, may it lead or join a project in cycle Y".
#[derive(Clone, Copy, Debug)]
pub(crate) enum Standing<'a> {
    /// Not in agencies.yaml at all.
    Unknown,
    /// Listed, but its first cycle comes later.
    NotYet(&'a Agency),
    /// Listed, but its last cycle is past; `successor` is the agency that
    /// carries its duties in this cycle, when the chain of successors
    /// reaches one.
    Ended {
        agency: &'a Agency,
        successor: Option<&'a Agency>,
    },
    /// Exists in the cycle.
    Present(&'a Agency),
}

impl<'a> Standing<'a> {
    /// May file a plan, lead or join a project in the cycle.
    pub(crate) fn may_submit(self) -> bool {
        matches!(self, Standing::Present(_))
    }

    /// Must file a plan in the cycle.
    pub(crate) fn expected(self) -> bool {
        matches!(self, Standing::Present(a) if a.expected)
    }
}

/// An entry of a code list.
#[derive(Clone, Debug)]
pub(crate) struct CodeName {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
}

/// An indicator of section II.1.
#[derive(Clone, Debug)]
pub(crate) struct IndicatorDef {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) unit: Unit,
    pub(crate) provider: Option<Spanned<String>>,
}

/// `catalog.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) categories: Vec<CodeName>,
    pub(crate) levels: Vec<CodeName>,
    pub(crate) kinds: Vec<CodeName>,
    pub(crate) indicators: Vec<IndicatorDef>,
}

impl Catalog {
    pub(crate) fn indicator(&self, id: &str) -> Option<&IndicatorDef> {
        self.indicators.iter().find(|i| i.id.value == id)
    }
}

/// The guidance letter a cycle answers.
#[derive(Clone, Debug)]
pub(crate) struct Guidance {
    pub(crate) number: String,
    pub(crate) date: NaiveDate,
    pub(crate) issuer: String,
}

/// Who signs the document UBND tỉnh issues.
#[derive(Clone, Debug)]
pub(crate) struct Signer {
    /// The signer's capacity, one line per `\n` ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH").
    pub(crate) title: String,
    pub(crate) name: Option<String>,
}

/// `document:` of `_plan.md`: the heading and closing of the document
/// UBND tỉnh issues, for print and for the Word file.
#[derive(Clone, Debug)]
pub(crate) struct DocumentMeta {
    pub(crate) issuer: String,
    /// Empty until the document is issued.
    pub(crate) number: Option<String>,
    pub(crate) place: String,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) signer: Option<Signer>,
    /// Nơi nhận.
    pub(crate) recipients: Vec<String>,
}

/// `<year>/_plan.md`.
#[derive(Clone, Debug)]
pub(crate) struct CycleMeta {
    pub(crate) year: i32,
    /// Where `year` is written, to point at it when it contradicts the folder.
    pub(crate) year_pos: Pos,
    pub(crate) title: String,
    pub(crate) guidance: Option<Guidance>,
    pub(crate) deadline: Spanned<NaiveDate>,
    pub(crate) legal_bases: Vec<String>,
    pub(crate) document: Option<DocumentMeta>,
    /// The cycle takes no more changes from editors.
    pub(crate) closed: bool,
    pub(crate) body: Body,
}

/// Who to call about a plan.
#[derive(Clone, Debug, Default)]
pub(crate) struct Contact {
    pub(crate) name: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
}

/// One line of II.1: an indicator's prior-year target and estimate, and this
/// year's goal.
#[derive(Clone, Debug)]
pub(crate) struct IndicatorValue {
    pub(crate) id: Spanned<String>,
    /// Own name and unit, for "other goals" outside the catalog.
    pub(crate) name: Option<String>,
    pub(crate) unit: Option<Unit>,
    pub(crate) target: Option<Spanned<Decimal>>,
    pub(crate) actual: Option<Spanned<Decimal>>,
    pub(crate) goal: Option<Spanned<Decimal>>,
    pub(crate) value: Option<String>,
    pub(crate) note: Option<String>,
}

/// How an amount is split over budget levels or capital kinds.
pub(crate) type Split = Vec<(Spanned<String>, Spanned<Amount>)>;

/// Sum of a split.
pub(crate) fn split_sum(split: &Split) -> Amount {
    split.iter().map(|(_, a)| a.value).sum()
}

/// One row of II.2: prior-year spending.
#[derive(Clone, Debug)]
pub(crate) struct SpendingRow {
    pub(crate) category: Spanned<String>,
    pub(crate) task: String,
    pub(crate) total: Spanned<Amount>,
    pub(crate) levels: Spanned<Split>,
    pub(crate) kinds: Spanned<Split>,
    pub(crate) basis: Option<String>,
}

/// Years a project runs.
#[derive(Clone, Debug)]
pub(crate) struct Period {
    pub(crate) from: Spanned<i32>,
    pub(crate) to: Spanned<i32>,
}

/// Cost of a project: all of it, what was spent before, what this year needs.
#[derive(Clone, Debug)]
pub(crate) struct Cost {
    pub(crate) total: Spanned<Amount>,
    pub(crate) spent: Spanned<Amount>,
    pub(crate) planned: Spanned<Amount>,
}

/// One row of the VI annex.
#[derive(Clone, Debug)]
pub(crate) struct Project {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) category: Spanned<String>,
    pub(crate) priority: Spanned<i64>,
    pub(crate) objective: Option<String>,
    pub(crate) period: Period,
    pub(crate) lead: Spanned<String>,
    pub(crate) partners: Vec<Spanned<String>>,
    pub(crate) done: Option<String>,
    pub(crate) todo: Option<String>,
    pub(crate) cost: Cost,
    pub(crate) levels: Spanned<Split>,
    pub(crate) kinds: Spanned<Split>,
    pub(crate) investor: Option<String>,
    pub(crate) approval: Option<String>,
    pub(crate) necessity: Option<String>,
    pub(crate) standards: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) note: Option<String>,
}

/// One agency's plan for one cycle.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Path relative to the root, `/`-separated.
    pub(crate) file: String,
    pub(crate) stem: String,
    pub(crate) agency: Spanned<String>,
    pub(crate) year: Spanned<i32>,
    pub(crate) status: Spanned<Status>,
    pub(crate) submitted: Option<Spanned<NaiveDate>>,
    pub(crate) contact: Option<Contact>,
    pub(crate) legal_bases: Vec<String>,
    pub(crate) indicators: Vec<IndicatorValue>,
    pub(crate) spending: Vec<SpendingRow>,
    pub(crate) projects: Vec<Project>,
    pub(crate) body: Body,
    /// Where the front matter's fields start, for problems of the whole plan.
    pub(crate) pos: Pos,
    /// Optional fields that are written but malformed (already an E005):
    /// rules about their absence stay quiet instead of piling on.
    pub(crate) malformed: Vec<&'static str>,
}

/// One planning cycle: its folder, its `_plan.md` and its plans.
#[derive(Clone, Debug)]
pub(crate) struct Cycle {
    pub(crate) year: i32,
    /// `content/<year>/_plan.md`, relative to the root.
    pub(crate) meta_file: String,
    pub(crate) meta: Option<CycleMeta>,
    pub(crate) plans: Vec<Plan>,
    /// Stems of every plan file of the folder, including those that failed
    /// to load: an agency with a broken file has still submitted something.
    pub(crate) stems: Vec<String>,
    /// `content/<year>/catalog.yaml`: `Some(None)` when the file is there
    /// but invalid (already E070), so the cycle's rules stay quiet instead
    /// of falling back to the site's catalog.
    pub(crate) catalog: Option<Option<Catalog>>,
}

/// Everything loaded from `content/`. Parts that failed to load are `None`,
/// so that checks needing them stay quiet instead of cascading.
#[derive(Clone, Debug, Default)]
pub(crate) struct Site {
    pub(crate) config: Option<SiteConfig>,
    /// Set once by `load` (through [`Site::set_agencies`]), before any
    /// lookup.
    pub(crate) agencies: Option<Vec<Agency>>,
    pub(crate) catalog: Option<Catalog>,
    pub(crate) cycles: Vec<Cycle>,
    /// Position of each agency code in `agencies`, made on the first
    /// lookup: every row of every table and download looks a name up, and
    /// a province may list a thousand agencies.
    pub(crate) agency_index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

impl Site {
    pub(crate) fn lang(&self) -> Lang {
        self.config.as_ref().map_or(Lang::Vi, |c| c.language)
    }

    pub(crate) fn set_agencies(&mut self, agencies: Option<Vec<Agency>>) {
        self.agencies = agencies;
        self.agency_index = std::sync::OnceLock::new();
    }

    pub(crate) fn agency(&self, code: &str) -> Option<&Agency> {
        let list = self.agencies.as_ref()?;
        let index = self.agency_index.get_or_init(|| {
            let mut index = std::collections::HashMap::with_capacity(list.len());
            for (i, a) in list.iter().enumerate() {
                // The first of a duplicated code wins, as a scan would.
                index.entry(a.code.value.clone()).or_insert(i);
            }
            index
        });
        index.get(code).and_then(|&i| list.get(i))
    }

    /// The catalog of cycle `year`: its own `catalog.yaml` when it has one,
    /// else the site's.
    pub(crate) fn catalog_for(&self, year: i32) -> Option<&Catalog> {
        match self.cycles.iter().find(|c| c.year == year) {
            Some(Cycle {
                catalog: Some(own), ..
            }) => own.as_ref(),
            _ => self.catalog.as_ref(),
        }
    }

    /// Where `code` stands in cycle `year`. Pages, rules, the prefilled
    /// plan, the chasing list and the editor all ask this, so they agree.
    pub(crate) fn standing(&self, code: &str, year: i32) -> Standing<'_> {
        let Some(agency) = self.agency(code) else {
            return Standing::Unknown;
        };
        if agency.exists_in(year) {
            return Standing::Present(agency);
        }
        if agency.from.as_ref().is_some_and(|f| year < f.value) {
            return Standing::NotYet(agency);
        }
        // Follow successors to one that exists in `year`; the bound stops
        // a loop written by mistake.
        let mut next = agency.successor.as_ref();
        let mut successor = None;
        for _ in 0..16 {
            let Some(s) = next.and_then(|c| self.agency(&c.value)) else {
                break;
            };
            if s.exists_in(year) {
                successor = Some(s);
                break;
            }
            next = s.successor.as_ref();
        }
        Standing::Ended { agency, successor }
    }

    /// The agencies that must file a plan in cycle `year`, in registry
    /// order.
    pub(crate) fn expected_in(&self, year: i32) -> impl Iterator<Item = &Agency> {
        self.agencies
            .iter()
            .flatten()
            .filter(move |a| self.standing(&a.code.value, year).expected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(
        code: &str,
        from: Option<i32>,
        until: Option<i32>,
        successor: Option<&str>,
    ) -> Agency {
        let s = |v: &str| Spanned {
            value: v.to_string(),
            pos: Pos::START,
        };
        let y = |v: i32| Spanned {
            value: v,
            pos: Pos::START,
        };
        Agency {
            code: s(code),
            name: format!("Now {code}"),
            group: Group::SoBanNganh,
            email: None,
            phone: None,
            expected: true,
            from: from.map(y),
            until: until.map(y),
            successor: successor.map(s),
            former_names: vec![
                (2018, format!("Old {code}")),
                (2010, format!("Older {code}")),
            ],
        }
    }

    fn site(list: Vec<Agency>) -> Site {
        let mut site = Site::default();
        site.set_agencies(Some(list));
        site
    }

    #[test]
    fn standing_follows_from_until_and_successors() {
        let s = site(vec![
            agency("a", None, Some(2020), Some("b")),
            agency("b", Some(2021), Some(2024), Some("c")),
            agency("c", Some(2025), None, None),
            agency("loop", None, Some(2019), Some("loop")),
        ]);
        assert!(s.standing("a", 2020).may_submit());
        assert!(
            matches!(s.standing("a", 2021), Standing::Ended { successor: Some(b), .. } if b.code.value == "b")
        );
        // The chain goes on to whoever exists in the year.
        assert!(
            matches!(s.standing("a", 2026), Standing::Ended { successor: Some(c), .. } if c.code.value == "c")
        );
        assert!(matches!(s.standing("c", 2019), Standing::NotYet(_)));
        assert!(matches!(s.standing("x", 2019), Standing::Unknown));
        assert!(matches!(
            s.standing("loop", 2030),
            Standing::Ended {
                successor: None,
                ..
            }
        ));
        let expected = |y| {
            s.expected_in(y)
                .map(|a| a.code.value.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(expected(2019), ["a", "loop"]);
        assert_eq!(expected(2022), ["b"]);
        assert_eq!(expected(2025), ["c"]);
    }

    #[test]
    fn the_name_of_the_time() {
        let a = agency("a", None, None, None);
        assert_eq!(a.name_in(2005), "Older a");
        assert_eq!(a.name_in(2010), "Older a");
        assert_eq!(a.name_in(2011), "Old a");
        assert_eq!(a.name_in(2018), "Old a");
        assert_eq!(a.name_in(2019), "Now a");
    }

    #[test]
    fn a_cycle_catalog_replaces_the_sites() {
        let code = |id: &str| CodeName {
            id: Spanned {
                value: id.into(),
                pos: Pos::START,
            },
            name: id.into(),
        };
        let cat = |level: &str| Catalog {
            levels: vec![code(level)],
            ..Catalog::default()
        };
        let cycle = |year, catalog| Cycle {
            year,
            meta_file: String::new(),
            meta: None,
            plans: Vec::new(),
            stems: Vec::new(),
            catalog,
        };
        let s = Site {
            catalog: Some(cat("huyen")),
            cycles: vec![
                cycle(2019, None),
                cycle(2026, Some(Some(cat("xa")))),
                cycle(2027, Some(None)),
            ],
            ..Site::default()
        };
        let level = |y| s.catalog_for(y).map(|c| c.levels[0].id.value.clone());
        assert_eq!(level(2019).as_deref(), Some("huyen"));
        assert_eq!(level(2026).as_deref(), Some("xa"));
        // A broken cycle catalog is not silently replaced by the site's.
        assert_eq!(level(2027), None);
        assert_eq!(level(2030).as_deref(), Some("huyen"));
    }
}
