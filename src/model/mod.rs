//! The checked model of a site: typed, with exact amounts, every value
//! remembering where it was written so later stages can point at it.
//!
//! `lower` builds it from the raw YAML tree of `load::yaml`; nothing else
//! constructs these types, so a value here has passed its shape checks.

pub(crate) mod lower;
pub(crate) mod money;
pub(crate) mod sections;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diag::{Lang, Pos};
pub use money::Amount;
pub(crate) use sections::{Body, SectionKey};

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
}

impl Group {
    pub(crate) const CHOICES: &'static [(&'static str, Group)] = &[
        ("van-phong", Group::VanPhong),
        ("so-ban-nganh", Group::SoBanNganh),
        ("hoi-doan-the", Group::HoiDoanThe),
        ("huyen", Group::Huyen),
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
}

/// One entry of `agencies.yaml`.
#[derive(Clone, Debug)]
pub(crate) struct Agency {
    pub(crate) code: Spanned<String>,
    pub(crate) name: String,
    pub(crate) group: Group,
    pub(crate) email: Option<String>,
    pub(crate) expected: bool,
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
}
