//! Client-side search that stays small at any size: a sharded inverted
//! index, in the manner of Pagefind.
//!
//! One JSON file for the whole site was 63 MB at 10,000 plans, fetched on a
//! phone's first keystroke. Here a query fetches a small manifest, the
//! shard(s) of the term dictionary its words fall in, and the few chunks of
//! result metadata it shows:
//!
//! - `search/index.json`: `{"v": 1, "docs": N, "chunk": C, "shards": [first
//!   term of each shard, …]}`. Shards cut the sorted dictionary into
//!   contiguous ranges, so a word, or the prefix the reader is still
//!   typing, is found in one or two shards by binary search.
//! - `search/t/<i>.json`: `{"term": [doc, score, doc, score, …]}`, each
//!   term's postings best first and capped, so a common word costs as much
//!   as a rare one.
//! - `search/d/<i>.json`: `[[url, title, snippet], …]` for documents
//!   `i*C .. (i+1)*C`.
//!
//! Terms are words of the text folded as everywhere else (NFD, marks
//! dropped, `đ` → `d`, lower case), so `dao tao` finds `Đào tạo`.

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use super::markdown::to_text;
use super::pages::Ctx;
use crate::consolidate::CycleReport;
use crate::model::sections::fold;

/// Characters of a plan's prose that are indexed.
const TEXT_CHARS: usize = 4000;
/// Characters of the snippet shown under a result.
const SNIPPET_CHARS: usize = 120;
/// Documents per metadata chunk: a results page fetches at most one chunk
/// a result, and these stay under 8 KB.
pub(crate) const DOCS_PER_CHUNK: usize = 24;
/// Postings kept per term, the best scores first.
const POSTINGS_PER_TERM: usize = 300;
/// Bytes of postings a dictionary shard aims at.
const SHARD_BYTES: usize = 32 * 1024;
/// Score of a word of the title, against one per occurrence in the text.
const TITLE_SCORE: u32 = 16;
/// Occurrences in the text that still raise the score.
const MAX_TEXT_SCORE: u32 = 8;

/// Paths of the index under the output root.
pub(crate) const MANIFEST: &str = "search/index.json";

/// The index, as the files it is written to.
pub(crate) struct SearchIndex {
    pub(crate) manifest: Vec<u8>,
    pub(crate) shards: Vec<Vec<u8>>,
    pub(crate) chunks: Vec<Vec<u8>>,
}

impl SearchIndex {
    /// Every file: path and bytes.
    pub(crate) fn files(&self) -> impl Iterator<Item = (String, &[u8])> {
        std::iter::once((MANIFEST.to_string(), self.manifest.as_slice()))
            .chain(
                self.shards
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (format!("search/t/{i}.json"), b.as_slice())),
            )
            .chain(
                self.chunks
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (format!("search/d/{i}.json"), b.as_slice())),
            )
    }

    /// The bytes of one path of the index.
    pub(crate) fn file(&self, path: &str) -> Option<&[u8]> {
        if path == MANIFEST {
            return Some(&self.manifest);
        }
        let (list, rest) = if let Some(r) = path.strip_prefix("search/t/") {
            (&self.shards, r)
        } else {
            (&self.chunks, path.strip_prefix("search/d/")?)
        };
        let i: usize = rest.strip_suffix(".json")?.parse().ok()?;
        // `07.json` is not `7.json`.
        (i.to_string().len() + 5 == rest.len())
            .then(|| list.get(i).map(Vec::as_slice))
            .flatten()
    }
}

/// One searchable document: a plan or a project.
struct Doc {
    url: String,
    title: String,
    snippet: String,
    /// The document's terms, sorted, one per line: one allocation instead
    /// of one per term (70,000 documents of a hundred terms each were
    /// 300 MB of small strings at 10,000 plans).
    terms: String,
    /// The score of each term, in the same order.
    scores: Vec<u32>,
}

impl Doc {
    fn terms(&self) -> impl Iterator<Item = (&str, u32)> {
        self.terms.split('\n').zip(self.scores.iter().copied())
    }
}

/// Words of folded text.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

fn doc(url: String, title: String, text: &str, extra: &str) -> Doc {
    let mut scores: HashMap<&str, u32> = HashMap::new();
    let folded_title = fold(&title);
    for w in words(&folded_title) {
        let s = scores.entry(w).or_default();
        *s = (*s).max(TITLE_SCORE);
    }
    let folded_text = fold(&format!("{extra} {text}"));
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for w in words(&folded_text) {
        *counts.entry(w).or_default() += 1;
    }
    for (w, n) in counts {
        *scores.entry(w).or_default() += n.min(MAX_TEXT_SCORE);
    }
    let mut sorted: Vec<(&str, u32)> = scores.into_iter().collect();
    sorted.sort_unstable();
    // Words are runs of letters and digits: none holds a line break.
    let mut terms = String::with_capacity(sorted.iter().map(|(w, _)| w.len() + 1).sum());
    for (i, (w, _)) in sorted.iter().enumerate() {
        if i > 0 {
            terms.push('\n');
        }
        terms.push_str(w);
    }
    Doc {
        url,
        snippet: text.chars().take(SNIPPET_CHARS).collect(),
        title,
        terms,
        scores: sorted.iter().map(|(_, s)| *s).collect(),
    }
}

/// Builds the index of every published plan and project.
pub(crate) fn build(ctx: &Ctx<'_>, reports: &[CycleReport<'_>]) -> SearchIndex {
    let plans: Vec<(i32, &crate::model::Agency, &crate::model::Plan)> = reports
        .iter()
        .flat_map(|r| r.plans().map(move |(a, p)| (r.year, a, p)))
        .collect();
    let docs: Vec<Doc> = plans
        .par_iter()
        .flat_map_iter(|(year, agency, plan)| {
            let url = format!("{year}/{}/", agency.code.value);
            let text: String = to_text(&plan.body.text).chars().take(TEXT_CHARS).collect();
            let title = format!("{} — {year}", agency.name_in(*year));
            let mut docs = vec![doc(url.clone(), title, &text, "")];
            for p in &plan.projects {
                let body = [p.objective.as_deref(), p.todo.as_deref(), p.done.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let category = ctx
                    .site
                    .catalog_for(*year)
                    .unwrap_or(ctx.catalog)
                    .categories
                    .iter()
                    .find(|c| c.id.value == p.category.value)
                    .map_or("", |c| c.name.as_str());
                let title = format!("{} ({}, {year})", p.name, agency.name_in(*year));
                docs.push(doc(format!("{url}#{}", p.id.value), title, &body, category));
            }
            docs
        })
        .collect();

    // Postings of every term: (document, score).
    let mut postings: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        for (term, score) in d.terms() {
            postings.entry(term).or_default().push((id, score));
        }
    }
    let mut terms: Vec<(&str, Vec<(u32, u32)>)> = postings.into_iter().collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let encoded: Vec<(&str, String)> = terms
        .into_par_iter()
        .map(|(term, mut list)| {
            list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(POSTINGS_PER_TERM);
            let mut s = String::with_capacity(list.len() * 8);
            for (i, (doc, score)) in list.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{doc},{score}");
            }
            (term, s)
        })
        .collect();

    // Cut the sorted dictionary into shards of about SHARD_BYTES.
    let mut shards: Vec<Vec<u8>> = Vec::new();
    let mut firsts: Vec<&str> = Vec::new();
    let mut current = String::new();
    for (term, list) in &encoded {
        if current.is_empty() {
            firsts.push(term);
            current.push('{');
        } else {
            current.push(',');
        }
        current.push_str(&json_string(term));
        current.push_str(":[");
        current.push_str(list);
        current.push(']');
        if current.len() >= SHARD_BYTES {
            current.push('}');
            shards.push(std::mem::take(&mut current).into_bytes());
        }
    }
    if !current.is_empty() {
        current.push('}');
        shards.push(current.into_bytes());
    }

    let chunks: Vec<Vec<u8>> = docs
        .par_chunks(DOCS_PER_CHUNK)
        .map(|chunk| {
            let rows: Vec<[&str; 3]> = chunk
                .iter()
                .map(|d| [d.url.as_str(), d.title.as_str(), d.snippet.as_str()])
                .collect();
            serde_json::to_vec(&rows).unwrap_or_default()
        })
        .collect();

    let manifest = serde_json::to_vec(&serde_json::json!({
        "v": 1,
        "docs": docs.len(),
        "chunk": DOCS_PER_CHUNK,
        "shards": firsts,
    }))
    .unwrap_or_default();
    SearchIndex {
        manifest,
        shards,
        chunks,
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_scores_title_words_above_text_words() {
        let d = doc(
            "u".into(),
            "Hạ tầng kỹ thuật".into(),
            "đào tạo đào tạo hạ",
            "",
        );
        let score = |t: &str| d.terms().find(|(w, _)| *w == t).map(|(_, s)| s);
        assert_eq!(score("dao"), Some(2));
        assert_eq!(score("tang"), Some(TITLE_SCORE));
        assert_eq!(score("ha"), Some(TITLE_SCORE + 1));
        assert_eq!(score("x"), None);
    }

    #[test]
    fn files_are_found_by_their_exact_path() {
        let idx = SearchIndex {
            manifest: b"{}".to_vec(),
            shards: vec![b"s0".to_vec()],
            chunks: vec![b"d0".to_vec(), b"d1".to_vec()],
        };
        assert_eq!(idx.file("search/index.json"), Some(&b"{}"[..]));
        assert_eq!(idx.file("search/t/0.json"), Some(&b"s0"[..]));
        assert_eq!(idx.file("search/d/1.json"), Some(&b"d1"[..]));
        assert_eq!(idx.file("search/d/01.json"), None);
        assert_eq!(idx.file("search/d/2.json"), None);
        assert_eq!(idx.file("search/x/0.json"), None);
        let paths: Vec<String> = idx.files().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "search/index.json",
                "search/t/0.json",
                "search/d/0.json",
                "search/d/1.json"
            ]
        );
    }
}
