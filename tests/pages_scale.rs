//! Pages people can open at any size of site: the real binary builds a
//! site of a few hundred generated plans, and the pages are read back.
//! The consolidated page keeps its summary and does not grow with the
//! plans; the long lists live on split pages whose rows are the annex of
//! plan.json exactly once, and whose subtotals add up (in Decimal) to the
//! consolidated totals.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use site::{copy_dir, files, planpress, repo, text};

/// The demo with `copies` more 2019 plans, half of them copies of a
/// department's plan (group `so-ban-nganh`), half of a district's
/// (`huyen`), under new agency codes.
fn generated_site(dir: &Path, copies: usize) -> std::path::PathBuf {
    let root = dir.join("site");
    copy_dir(&repo().join("content"), &root.join("content"));
    let c = root.join("content");
    let mut agencies = std::fs::read_to_string(c.join("agencies.yaml")).unwrap();
    let sources = [("so-tttt", "so-ban-nganh"), ("ubnd-binh-son", "huyen")];
    for i in 0..copies {
        let (from, group) = sources[i % 2];
        let plan = std::fs::read_to_string(c.join(format!("2019/{from}.md"))).unwrap();
        let code = format!("co-quan-{i:04}");
        agencies.push_str(&format!(
            "\n- code: {code}\n  name: Cơ quan thử {i}\n  group: {group}\n"
        ));
        std::fs::write(
            c.join(format!("2019/{code}.md")),
            plan.replacen(&format!("agency: {from}"), &format!("agency: {code}"), 1),
        )
        .unwrap();
    }
    std::fs::write(c.join("agencies.yaml"), agencies).unwrap();
    root
}

fn build(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = root.join("output");
    let o = planpress(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    files(&out)
}

fn page(site: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        site.get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

/// `1.234,5` → 1234.5.
fn vi(s: &str) -> Decimal {
    let plain: String = s.trim().replace('.', "").replace(',', ".");
    if plain.is_empty() {
        return Decimal::ZERO;
    }
    plain
        .parse()
        .unwrap_or_else(|_| panic!("not an amount: {s:?}"))
}

/// The cells labelled `label` in the table rows of class `class` (`""`:
/// rows without a class), in order.
fn cells(html: &str, class: &str, label: &str) -> Vec<Decimal> {
    let open = if class.is_empty() {
        "<tr>".to_string()
    } else {
        format!("<tr class=\"{class}\">")
    };
    let cell = format!("data-label=\"{label}\">");
    html.split(&open)
        .skip(1)
        .filter_map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            // "chưa gửi" in place of amounts: an agency with no plan.
            if row.contains("class=\"absent\"") {
                return None;
            }
            let at = row.find(&cell)? + cell.len();
            Some(vi(&row[at..at + row[at..].find('<').unwrap()]))
        })
        .collect()
}

const PLANNED: &str = "Cần thực hiện trong năm 2019";

#[test]
fn long_lists_move_to_split_pages_that_add_up_and_no_page_grows_with_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let small = build(&generated_site(&dir.path().join("a"), 80));
    let big = build(&generated_site(&dir.path().join("b"), 400));

    // The consolidated page keeps its summary: five times the plans add
    // next to nothing to it (figures get longer by a digit or two).
    let (a, b) = (small["2019/index.html"].len(), big["2019/index.html"].len());
    assert!(
        b < a + a / 20,
        "the consolidated page grows with the plans: {a} → {b} bytes"
    );
    // No page of the big site is over 600 KB (the demo's largest is about
    // 220 KB): every list that grows is split into pages.
    for (p, bytes) in &big {
        if p.ends_with(".html") {
            assert!(bytes.len() < 600_000, "{p} is {} bytes", bytes.len());
        }
    }

    let json: serde_json::Value = serde_json::from_slice(&big["2019/data/plan.json"]).unwrap();
    let total = Decimal::from_str_exact(json["totals"]["planned"].as_str().unwrap()).unwrap();
    let cycle = page(&big, "2019/index.html");

    // Every project of plan.json is a row of exactly one annex page,
    // found by its link to the agency's plan.
    let annex: Vec<(&String, String)> = big
        .iter()
        .filter(|(p, _)| p.starts_with("2019/phu-luc/") && p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).unwrap()))
        .collect();
    assert!(
        annex.iter().any(|(p, _)| p.ends_with("/2/index.html")),
        "no category of 400 plans takes a second page: {:?}",
        annex.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, html) in &annex {
        for row in html.split("<tr>").skip(1) {
            if let Some(at) = row.find("<td class=\"name\"><a href=\"") {
                let href = &row[at + 26..];
                let href = &href[..href.find('"').unwrap()];
                *seen
                    .entry(href.trim_start_matches("../").to_string())
                    .or_default() += 1;
            }
        }
    }
    let mut expected = 0;
    for a in json["agencies"].as_array().unwrap() {
        for p in a["projects"].as_array().into_iter().flatten() {
            expected += 1;
            let key = format!(
                "{}/#{}",
                a["code"].as_str().unwrap(),
                p["id"].as_str().unwrap()
            );
            assert_eq!(
                seen.get(&key),
                Some(&1),
                "{key} on {:?} annex pages",
                seen.get(&key)
            );
        }
    }
    assert_eq!(
        seen.len(),
        expected,
        "annex rows that plan.json does not have"
    );

    // Each page's rows add up to its page subtotal; the pages of a
    // category to the category's subtotal; the categories to the total on
    // the consolidated page, which is plan.json's.
    let categories = cells(&cycle, "subtotal", PLANNED);
    assert_eq!(categories.len(), 4, "one summary row per category");
    assert_eq!(categories.iter().copied().sum::<Decimal>(), total);
    assert_eq!(cells(&cycle, "total", PLANNED)[0], total);
    let mut by_category: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for (p, html) in &annex {
        let rows: Decimal = cells(html, "", PLANNED).into_iter().sum();
        let subtotal = cells(html, "subtotal", PLANNED);
        assert_eq!(subtotal.len(), 1, "{p}");
        assert_eq!(rows, subtotal[0], "{p}: rows against the page subtotal");
        let cat = p.split('/').nth(2).unwrap().to_string();
        let whole = cells(html, "total", PLANNED)
            .first()
            .copied()
            .unwrap_or(subtotal[0]);
        let e = by_category.entry(cat).or_insert((Decimal::ZERO, whole));
        assert_eq!(
            e.1, whole,
            "{p}: another category total than its other pages"
        );
        e.0 += rows;
    }
    let mut sum = Decimal::ZERO;
    for (cat, (pages, whole)) in &by_category {
        assert_eq!(*pages, *whole, "{cat}: pages against the category subtotal");
        assert!(
            categories.contains(whole),
            "{cat}: {whole} not on the consolidated page"
        );
        sum += *whole;
    }
    assert_eq!(sum, total);

    // The submission table: a row per group on the consolidated page, a
    // row per agency on the groups' pages, every expected agency once.
    let status: Vec<String> = big
        .iter()
        .filter(|(p, _)| p.starts_with("2019/tinh-hinh/"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect();
    let rows: usize = status
        .iter()
        .map(|h| h.split("<td class=\"num tt\">").count() - 1)
        .sum();
    assert_eq!(rows, json["agencies"].as_array().unwrap().len());
    let planned: Decimal = status.iter().flat_map(|h| cells(h, "", PLANNED)).sum();
    assert_eq!(planned, total);

    // The whole-document print page is there, and too long at this size
    // to carry every row: it says where the whole annex is.
    let print = page(&big, "2019/ban-in/index.html");
    assert!(
        print.contains(".docx"),
        "the print page names the Word file"
    );
    assert!(print.contains("quá dài để in"));
}

/// On the demo the split pages still make sense: a page per category of
/// the annex, each with its rows, and the whole-document print page
/// carries every project.
#[test]
fn the_demo_has_a_page_per_category_and_a_whole_print_page() {
    let dir = tempfile::tempdir().unwrap();
    let site = build(&generated_site(dir.path(), 0));
    let json: serde_json::Value = serde_json::from_slice(&site["2019/data/plan.json"]).unwrap();
    let annex: Vec<&String> = site
        .keys()
        .filter(|p| p.starts_with("2019/phu-luc/"))
        .collect();
    assert_eq!(
        annex,
        [
            "2019/phu-luc/ha-tang/index.html",
            "2019/phu-luc/nguoi-dan/index.html",
            "2019/phu-luc/nhan-luc/index.html",
            "2019/phu-luc/noi-bo/index.html"
        ]
    );
    let cycle = page(&site, "2019/index.html");
    for p in &annex {
        let url = p.trim_start_matches("2019/").trim_end_matches("index.html");
        assert!(
            cycle.contains(&format!("href=\"{url}\"")),
            "no link to {url}"
        );
    }
    let print = page(&site, "2019/ban-in/index.html");
    for a in json["agencies"].as_array().unwrap() {
        for p in a["projects"].as_array().into_iter().flatten() {
            let href = format!(
                "href=\"../{}/#{}\"",
                a["code"].as_str().unwrap(),
                p["id"].as_str().unwrap()
            );
            assert!(print.contains(&href), "the print page lacks {href}");
        }
    }
    let total = Decimal::from_str_exact(json["totals"]["planned"].as_str().unwrap()).unwrap();
    assert_eq!(cells(&print, "total", PLANNED)[0], total);
    // The consolidated page of the demo is no longer the whole document.
    assert!(cycle.len() < 200_000, "{} bytes", cycle.len());
}
