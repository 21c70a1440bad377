//! A cycle against the version its approval tag marks: which agencies'
//! published planned totals moved since UBND tỉnh approved the plan. The
//! pages show it beside each plan's history, so it lives with the history.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::Repo;
use crate::consolidate::{self, CycleReport};
use crate::load;
use crate::model::{Amount, Site};

/// How one agency's planned total moved since the approved version.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AgencyMove {
    pub(crate) code: String,
    pub(crate) name: String,
    /// `None`: not published in that version.
    pub(crate) before: Option<Amount>,
    pub(crate) after: Option<Amount>,
}

impl AgencyMove {
    pub(crate) fn delta(&self) -> Amount {
        self.after.unwrap_or_default() - self.before.unwrap_or_default()
    }
}

/// A cycle against the version its approval tag marks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Approved {
    pub(crate) tag: String,
    pub(crate) date: Option<NaiveDate>,
    /// Agencies whose published planned total changed.
    pub(crate) agencies: Vec<AgencyMove>,
    /// Every published agency's move, changed or not, by code.
    pub(crate) all: Vec<AgencyMove>,
    pub(crate) before: Amount,
    pub(crate) after: Amount,
}

fn published(r: Option<&CycleReport<'_>>) -> Vec<(String, String, Amount)> {
    r.map(|r| {
        r.entries
            .iter()
            .filter(|e| e.plan.is_some())
            .map(|e| {
                (
                    e.agency.code.value.clone(),
                    e.agency.name.clone(),
                    e.totals.planned,
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Each cycle of `site` against the version its `approved_tag` marks, for
/// the cycles that have such a tag.
pub(crate) fn since_approved(
    repo: &Repo,
    root: &Path,
    site: &Site,
    drafts: bool,
) -> BTreeMap<i32, Approved> {
    let mut out = BTreeMap::new();
    let Some(pattern) = site.config.as_ref().and_then(|c| c.approved_tag.as_ref()) else {
        return out;
    };
    let mut loaded: HashMap<git2::Oid, Site> = HashMap::new();
    for cycle in &site.cycles {
        let tag = pattern.replace("{year}", &cycle.year.to_string());
        let Ok(Some(rev)) = repo.tag(&tag) else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = loaded.entry(rev.id) {
            let Ok(files) = repo.files_at(rev.id) else {
                continue;
            };
            slot.insert(load::load_files(root, &files).site);
        }
        let Some(old_site) = loaded.get(&rev.id) else {
            continue;
        };
        let now = consolidate::cycle(site, cycle, drafts);
        let old_cycle = old_site.cycles.iter().find(|c| c.year == cycle.year);
        let then = old_cycle.and_then(|c| consolidate::cycle(old_site, c, drafts));
        let (b, a) = (published(then.as_ref()), published(now.as_ref()));
        let mut all: Vec<AgencyMove> = a
            .iter()
            .map(|(code, name, amount)| AgencyMove {
                code: code.clone(),
                name: name.clone(),
                before: b.iter().find(|x| x.0 == *code).map(|x| x.2),
                after: Some(*amount),
            })
            .collect();
        for (code, name, amount) in &b {
            if !a.iter().any(|x| x.0 == *code) {
                all.push(AgencyMove {
                    code: code.clone(),
                    name: name.clone(),
                    before: Some(*amount),
                    after: None,
                });
            }
        }
        let mut agencies: Vec<AgencyMove> = all
            .iter()
            .filter(|m| m.before != m.after)
            .cloned()
            .collect();
        agencies.sort_by(|x, y| {
            y.delta()
                .0
                .abs()
                .cmp(&x.delta().0.abs())
                .then(x.name.cmp(&y.name))
        });
        out.insert(
            cycle.year,
            Approved {
                tag,
                date: rev.date,
                agencies,
                all,
                before: then.map_or(Amount::ZERO, |r| r.totals.planned),
                after: now.map_or(Amount::ZERO, |r| r.totals.planned),
            },
        );
    }
    out
}
