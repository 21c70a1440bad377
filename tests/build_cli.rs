//! `planpress build` on real sites: the demo and broken or hostile copies.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/site.rs"]
mod site;

use std::path::{Path, PathBuf};
use std::process::Output;

use rust_decimal::Decimal;
use site::{bin, copy_dir, read, repo};

/// A copy of the demo site's content in a fresh temp folder.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    dir
}

fn build(root: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("build")
        .arg("--root")
        .arg(root)
        .args(extra)
        .output()
        .unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&read(p)).unwrap()
}

#[test]
fn demo_builds_every_contract_path() {
    let site = demo_copy();
    let out = build(site.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = site.path().join("output");
    for p in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "2019/index.html",
        "2019/so-tttt/index.html",
        "agencies/so-tttt/index.html",
        "2019/data/projects.csv",
        "2019/data/spending.csv",
        "2019/data/indicators.csv",
        "2019/data/plan.json",
        "2019/data/ke-hoach-2019.xlsx",
        "search/index.json",
        "search/t/0.json",
        "search/d/0.json",
        "static/style.css",
    ] {
        assert!(o.join(p).is_file(), "{p} missing");
    }
    // The draft and the missing agency have no page; the late one does.
    assert!(!o.join("2019/hoi-lhpn").exists());
    assert!(!o.join("2019/ubnd-ly-son").exists());
    assert!(o.join("2019/so-y-te/index.html").is_file());
}

#[test]
fn plan_json_totals_agree_with_csv_and_xlsx() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let data = site.path().join("output/2019/data");
    let plan = json(&data.join("plan.json"));
    assert_eq!(plan["year"], 2019);
    assert_eq!(plan["money_unit"], "trieu-dong");
    let totals = &plan["totals"];
    let planned = dec(totals["planned"].as_str().unwrap());

    // Every amount is a decimal string, and the splits add up to `planned`.
    for key in ["by_category", "by_level", "by_kind"] {
        let sum: Decimal = totals[key]
            .as_object()
            .unwrap()
            .values()
            .map(|v| dec(v.as_str().unwrap()))
            .sum();
        assert_eq!(sum, planned, "{key}");
    }
    let agencies = plan["agencies"].as_array().unwrap();
    let by_agency: Decimal = agencies
        .iter()
        .map(|a| dec(a["planned"].as_str().unwrap()))
        .sum();
    assert_eq!(by_agency, planned);
    let spending: Decimal = agencies
        .iter()
        .map(|a| dec(a["spending"].as_str().unwrap()))
        .sum();
    assert_eq!(spending, dec(totals["spending"].as_str().unwrap()));
    let status =
        |code: &str| agencies.iter().find(|a| a["code"] == code).unwrap()["submission"].clone();
    assert_eq!(status("ubnd-ly-son"), "missing");
    assert_eq!(status("hoi-lhpn"), "draft");
    assert_eq!(status("so-y-te"), "late");
    assert_eq!(status("so-tttt"), "on-time");
    // The agency not expected to submit (and who did not) is absent.
    assert!(agencies.iter().all(|a| a["code"] != "lien-hiep-hoi-khkt"));

    // projects.csv: BOM, RFC 4180, and its planned column sums to the total.
    let bytes = std::fs::read(data.join("projects.csv")).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h.starts_with("Cần thực hiện trong năm"))
        .expect("planned column");
    let csv_sum: Decimal = rdr.records().map(|r| dec(&r.unwrap()[col])).sum();
    assert_eq!(csv_sum, planned);

    // The workbook reads back, and its annex total row holds the same figure.
    use calamine::{DataType, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(data.join("ke-hoach-2019.xlsx")).unwrap();
    let names = wb.sheet_names().to_vec();
    assert_eq!(names.len(), 4, "{names:?}");
    let range = wb.worksheet_range(&names[0]).unwrap();
    let total_row = range
        .rows()
        .find(|r| r.iter().any(|c| c.get_string() == Some("Tổng cộng")))
        .expect("a Tổng cộng row");
    let expected: f64 = planned.to_string().parse().unwrap();
    assert!(
        total_row.iter().any(|c| c.get_float() == Some(expected)),
        "{total_row:?} has no {expected}"
    );
}

#[test]
fn pages_use_vietnamese_numbers_and_dates() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let o = site.path().join("output");
    let plan = json(&o.join("2019/data/plan.json"));
    let planned = plan["totals"]["planned"].as_str().unwrap().to_string();
    let cycle = read(&o.join("2019/index.html"));
    // 43820.5 → 43.820,5
    let d = dec(&planned).normalize();
    let text = d.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if !frac.is_empty() {
        grouped = format!("{grouped},{frac}");
    }
    assert!(
        cycle.contains(&grouped),
        "{grouped} not on the consolidated page"
    );
    assert!(cycle.contains("triệu đồng"));
    assert!(cycle.contains("31/07/2018"), "deadline as dd/mm/yyyy");
    let late = read(&o.join("2019/so-y-te/index.html"));
    assert!(late.contains("06/08/2018"));
    assert!(cycle.contains("<html lang=\"vi\">"));
}

#[test]
fn english_interface() {
    let site = demo_copy();
    let p = site.path().join("content/site.yaml");
    std::fs::write(&p, read(&p).replace("language: vi", "language: en")).unwrap();
    assert!(build(site.path(), &[]).status.success());
    let page = read(&site.path().join("output/2019/index.html"));
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Grand total"));
    assert!(page.contains("million VND"));
    // The agencies wrote their plans in Vietnamese: the prose says so.
    let plan = read(&site.path().join("output/2019/so-tttt/index.html"));
    assert!(plan.contains("<div class=\"prose\" lang=\"vi\">"));
    assert!(!plan.contains("<div class=\"prose\">"));
    // On a Vietnamese site, nothing to say.
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let plan = read(&site.path().join("output/2019/so-tttt/index.html"));
    assert!(plan.contains("<div class=\"prose\">"));
    assert!(!plan.contains("class=\"prose\" lang="));
}

#[test]
fn drafts_only_with_the_flag_and_marked() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let o = site.path().join("output");
    assert!(!o.join("2019/hoi-lhpn/index.html").exists());
    let without = json(&o.join("2019/data/plan.json"));

    assert!(build(site.path(), &["--drafts"]).status.success());
    let page = read(&o.join("2019/hoi-lhpn/index.html"));
    assert!(page.contains("BẢN NHÁP"), "draft banner");
    let home = read(&o.join("index.html"));
    assert!(
        home.contains("draft-site"),
        "every page says drafts are included"
    );
    let with = json(&o.join("2019/data/plan.json"));
    let a = dec(without["totals"]["planned"].as_str().unwrap());
    let b = dec(with["totals"]["planned"].as_str().unwrap());
    assert!(b > a, "the draft's projects count with --drafts");
}

#[test]
fn errors_write_nothing_and_keep_the_old_output() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let index = site.path().join("output/index.html");
    let before = read(&index);
    let plan = site.path().join("content/2019/so-tttt.md");
    let text = read(&plan).replacen("total: ", "total: -", 1);
    std::fs::write(&plan, text).unwrap();
    let out = build(site.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("content/2019/so-tttt.md:"), "{stderr}");
    assert_eq!(read(&index), before);
}

#[test]
fn template_errors_are_e060_with_file_and_line() {
    let site = demo_copy();
    override_template(
        site.path(),
        "404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ data.x | nosuchfilter }}\n{% endblock %}\n",
    );
    let out = build(site.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("E060"), "{stderr}");
    assert!(
        stderr.contains("themes/default/templates/404.html:3:"),
        "{stderr}"
    );
    assert!(!site.path().join("output").exists());
}

/// Pages go to disk as they are rendered: a template that fails on one
/// page only, after others were written, still leaves the previous output
/// exactly as it was and no work folder behind.
#[test]
fn a_render_error_after_some_pages_keeps_the_old_output() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let out = site.path().join("output");
    let before = snapshot(&out);
    override_template(
        site.path(),
        "plan.html",
        "{% extends \"base.html\" %}{% block content %}\n<p>mới</p>\n{% if data.agency.code == \"so-tttt\" %}{{ data.nothing.here }}{% endif %}\n{% endblock %}\n",
    );
    let failed = build(site.path(), &[]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("E060"), "{stderr}");
    assert!(
        stderr.contains("themes/default/templates/plan.html:3"),
        "{stderr}"
    );
    assert!(before == snapshot(&out), "the previous output changed");
    assert_no_work_folders(site.path());
}

#[test]
fn one_template_overrides_the_builtin_theme() {
    let site = demo_copy();
    override_template(
        site.path(),
        "404.html",
        "{% extends \"base.html\" %}{% block content %}<p>Trang riêng của tỉnh</p>{% endblock %}",
    );
    std::fs::create_dir_all(site.path().join("themes/default/static")).unwrap();
    std::fs::write(site.path().join("themes/default/static/extra.css"), "p{}").unwrap();
    assert!(build(site.path(), &[]).status.success());
    let o = site.path().join("output");
    assert!(read(&o.join("404.html")).contains("Trang riêng của tỉnh"));
    assert!(o.join("static/extra.css").is_file());
    assert!(
        read(&o.join("2019/index.html")).contains("VI."),
        "other templates stay built in"
    );
}

const PAYLOADS: [&str; 5] = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "[bấm](javascript:alert('x3'))",
    "<a href=\"javascript:alert('x4')\">a</a>",
    "<iframe src=\"https://evil.example\"></iframe><form action=\"https://evil.example\"><input></form><p style=\"x:1\" onclick=\"alert('x5')\">p</p>",
];

#[test]
fn hostile_markdown_and_front_matter_never_reach_a_page() {
    let site = demo_copy();
    let plan = site.path().join("content/2019/so-tttt.md");
    let text = read(&plan);
    // In the body, under every section.
    let mut hostile = text.clone();
    for p in PAYLOADS {
        hostile.push_str(&format!("\n\n{p}\n"));
        hostile = hostile.replacen("## III.", &format!("{p}\n\n## III."), 1);
    }
    // In front-matter strings: task, objective, note, contact, legal bases.
    let js = "<script>alert('fm')</script><img src=x onerror=alert('fm2')>";
    hostile = hostile.replacen("name: \"Bùi", &format!("name: \"{js} Bùi"), 1);
    hostile = hostile.replacen("task: \"", &format!("task: \"{js}"), 1);
    hostile = hostile.replacen("objective: \"", &format!("objective: \"{js}"), 1);
    hostile = hostile.replacen("basis: \"", &format!("basis: \"{js}"), 1);
    std::fs::write(&plan, hostile).unwrap();
    let cat = site.path().join("content/catalog.yaml");
    std::fs::write(
        &cat,
        read(&cat).replacen("name: \"Hạ tầng", &format!("name: \"{js}Hạ tầng"), 1),
    )
    .unwrap();
    let out = build(site.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = site.path().join("output");
    let mut checked = 0;
    for entry in walk(&o) {
        if !entry.extension().is_some_and(|e| e == "html" || e == "xml") {
            continue;
        }
        let page = read(&entry).to_lowercase();
        // Escaped text may say "onerror=": only real tags count.
        for tag in tags(&page) {
            // An event handler is an attribute name: outside the quotes
            // (a quote inside a value is always escaped, so this is
            // exact). Titles of pages may quote the escaped payload.
            let names = outside_quotes(tag);
            for bad in ["onerror", "onclick"] {
                assert!(
                    !names.contains(bad),
                    "{bad} in <{tag}> of {}",
                    entry.display()
                );
            }
            for bad in ["javascript:", "style=\"x"] {
                assert!(
                    !tag.contains(bad),
                    "{bad} in <{tag}> of {}",
                    entry.display()
                );
            }
            // The theme's own search form is fine; the injected ones are not.
            assert!(!tag.starts_with("iframe"), "<{tag}> in {}", entry.display());
            assert!(
                !tag.contains("evil.example"),
                "<{tag}> in {}",
                entry.display()
            );
        }
        assert!(
            !page.contains("<script>alert"),
            "script in {}",
            entry.display()
        );
        checked += 1;
    }
    assert!(checked > 10);
    let page = read(&o.join("2019/so-tttt/index.html"));
    assert!(
        page.contains("&lt;script&gt;alert"),
        "front-matter text is shown, escaped"
    );
}

/// The inside of every `<…>` tag of a page.
fn tags(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// A tag with its quoted attribute values left out.
fn outside_quotes(tag: &str) -> String {
    tag.split('"').step_by(2).collect::<Vec<_>>().join("\"\"")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every file under `dir` (relative path, bytes), sorted: two snapshots are
/// equal when the folder holds the same files with the same bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A template of the site's own `default` theme, overriding the built-in.
fn override_template(site: &Path, name: &str, text: &str) {
    let t = site.join("themes/default/templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join(name), text).unwrap();
}

/// No build left a work folder (`.output.new-…`) beside the output.
fn assert_no_work_folders(root: &Path) {
    let names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".output.")),
        "{names:?}"
    );
}

/// A larger site: the demo's plans copied under new agency codes, so that a
/// build takes long enough to be killed in the middle.
fn big_site(copies: usize) -> tempfile::TempDir {
    let site = demo_copy();
    let c = site.path().join("content");
    let mut agencies = read(&c.join("agencies.yaml"));
    let plan = read(&c.join("2019/so-tttt.md"));
    for i in 0..copies {
        let code = format!("co-quan-{i:04}");
        agencies.push_str(&format!(
            "\n- code: {code}\n  name: Cơ quan thử {i}\n  group: so-ban-nganh\n"
        ));
        std::fs::write(
            c.join(format!("2019/{code}.md")),
            plan.replacen("agency: so-tttt", &format!("agency: {code}"), 1),
        )
        .unwrap();
    }
    std::fs::write(c.join("agencies.yaml"), agencies).unwrap();
    site
}

/// Killing a build at any moment leaves the previous output whole: every
/// file of the old build is there with its old bytes, or the new build is
/// there whole.
#[test]
fn a_killed_build_leaves_the_previous_output_whole() {
    let site = big_site(150);
    assert!(build(site.path(), &[]).status.success());
    let out = site.path().join("output");
    let old = snapshot(&out);
    // The next build changes one figure everywhere it shows.
    let p = site.path().join("content/2019/co-quan-0000.md");
    std::fs::write(
        &p,
        read(&p).replacen("Bùi Thị Phương Dung", "Nguyễn Văn Mới", 1),
    )
    .unwrap();
    let mut saw_new = false;
    for delay_ms in [5u64, 20, 40, 60, 90, 120, 160, 220, 300, 400, 600] {
        let mut child = bin()
            .arg("build")
            .arg("--root")
            .arg(site.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        if now != old {
            // Not the old build: then the whole new one.
            let page = String::from_utf8_lossy(
                &now.iter()
                    .find(|(p, _)| p == Path::new("2019/co-quan-0000/index.html"))
                    .unwrap()
                    .1,
            )
            .to_string();
            assert!(page.contains("Nguyễn Văn Mới"));
            assert_eq!(now.len(), old.len());
            saw_new = true;
            break;
        }
    }
    // Whatever happened, a clean build afterwards works and leaves no
    // stray work folders beside the output.
    assert!(build(site.path(), &[]).status.success());
    assert_no_work_folders(site.path());
    let _ = saw_new;
}

/// A shared link shows a picture: every page names the theme's card, an
/// absolute URL, and the card is a 1200×630 PNG in the output.
#[test]
fn shared_links_have_a_picture() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let o = site.path().join("output");
    for page in ["index.html", "2019/index.html", "2019/so-tttt/index.html"] {
        let html = read(&o.join(page));
        assert!(
            html.contains("<meta property=\"og:image\" content=\"https://example.gov.vn/ke-hoach-cntt/static/og.png\">"),
            "{page}"
        );
    }
    let png = std::fs::read(o.join("static/og.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 630));
}

#[test]
fn sitemap_and_feed_are_well_formed() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let o = site.path().join("output");
    let sitemap = read(&o.join("sitemap.xml"));
    assert!(sitemap.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    assert!(sitemap.contains("<loc>https://example.gov.vn/ke-hoach-cntt/2019/so-tttt/</loc>"));
    let atom = read(&o.join("atom.xml"));
    for part in [
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        "<updated>",
        "<id>https://",
        "<entry>",
    ] {
        assert!(atom.contains(part), "{part}");
    }
}

#[test]
fn search_index_folds_diacritics_in_sorted_shards() {
    let site = demo_copy();
    assert!(build(site.path(), &[]).status.success());
    let dir = site.path().join("output/search");
    let manifest = json(&dir.join("index.json"));
    let docs = manifest["docs"].as_u64().unwrap();
    let chunk = manifest["chunk"].as_u64().unwrap();
    let firsts: Vec<String> = manifest["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!firsts.is_empty());
    let mut terms = Vec::new();
    for (i, first) in firsts.iter().enumerate() {
        let shard = json(&dir.join(format!("t/{i}.json")));
        let keys: Vec<&String> = shard.as_object().unwrap().keys().collect();
        assert_eq!(
            keys.first().map(|k| k.as_str()),
            Some(first.as_str()),
            "shard {i}"
        );
        for (term, list) in shard.as_object().unwrap() {
            let list = list.as_array().unwrap();
            assert!(!list.is_empty() && list.len() % 2 == 0, "{term}");
            for pair in list.chunks(2) {
                assert!(pair[0].as_u64().unwrap() < docs, "{term}: doc out of range");
            }
            // Best scores first.
            let scores: Vec<u64> = list.chunks(2).map(|p| p[1].as_u64().unwrap()).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{term}");
            terms.push(term.clone());
        }
    }
    let mut sorted = terms.clone();
    sorted.sort();
    assert_eq!(terms, sorted, "the dictionary is sorted across shards");
    for t in ["dao", "tao", "ha", "tang"] {
        assert!(
            terms.iter().any(|x| x == t),
            "{t}: Đào tạo and Hạ tầng fold"
        );
    }
    assert!(
        terms
            .iter()
            .all(|t| !t.contains('đ') && t == &t.to_lowercase())
    );
    // Every document has its metadata: url, title, snippet.
    let chunks = docs.div_ceil(chunk);
    let mut seen = 0;
    for c in 0..chunks {
        let rows = json(&dir.join(format!("d/{c}.json")));
        for row in rows.as_array().unwrap() {
            let row = row.as_array().unwrap();
            assert_eq!(row.len(), 3);
            // A plan (or project) of one of the demo's cycles.
            let url = row[0].as_str().unwrap();
            assert!(
                ["2019/", "2020/", "2026/"]
                    .iter()
                    .any(|y| url.starts_with(y)),
                "{url}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, docs);
    assert!(!dir.join(format!("d/{chunks}.json")).exists());
}

/// Two builds of the same site write the same bytes, file for file: what
/// lets publish send only what changed and hard-link the rest.
#[test]
fn two_builds_write_the_same_bytes() {
    let site = demo_copy();
    let a = site.path().join("out-a");
    let b = site.path().join("out-b");
    for out in [&a, &b] {
        let o = build(site.path(), &["--output", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&a) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&a).unwrap();
        let other = std::fs::read(b.join(rel)).unwrap_or_default();
        assert!(
            std::fs::read(entry.path()).unwrap() == other,
            "{} differs",
            rel.display()
        );
        compared += 1;
    }
    assert!(compared > 50, "{compared} files");
}

/// A build with `PLANPRESS_TIMINGS`: its output, and how many pages the
/// cache let it link from the previous output instead of rendering them.
fn build_counting(root: &Path, extra: &[&str]) -> (Output, usize, usize) {
    let o = bin()
        .arg("build")
        .arg("--root")
        .arg(root)
        .args(extra)
        .env("PLANPRESS_TIMINGS", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("timing: reused "))
        .unwrap_or_else(|| panic!("no cache line in {err}"));
    let nums: Vec<usize> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (o, nums[0], nums[1])
}

/// After one plan changed, a build renders only the pages whose data
/// changed, links the others from the previous output, and writes exactly
/// the bytes of a clean build. The cache stays out of the output, a deleted
/// cache only means rendering everything again, and another theme renders
/// every page again.
#[test]
fn an_incremental_build_writes_what_a_clean_build_writes() {
    let site = demo_copy();
    let root = site.path();
    let out = root.join("output");
    let (_, reused, pages) = build_counting(root, &[]);
    assert_eq!(reused, 0, "a first build has nothing to reuse");
    assert!(pages > 20, "{pages} pages");
    assert!(root.join(".planpress/cache").is_dir());

    let p = root.join("content/2019/so-tttt.md");
    let text = read(&p);
    assert!(text.contains("Bùi Thị Phương Dung"));
    std::fs::write(
        &p,
        text.replacen("Bùi Thị Phương Dung", "Nguyễn Văn Mới", 1),
    )
    .unwrap();
    let (_, reused, pages) = build_counting(root, &[]);
    assert!(
        reused > 0 && reused < pages,
        "one plan changed: {reused} of {pages} pages reused"
    );
    let changed = read(&out.join("2019/so-tttt/index.html"));
    assert!(
        changed.contains("Nguyễn Văn Mới"),
        "the changed plan is rendered again"
    );

    // A clean build elsewhere, without any cache, writes the same bytes.
    let incremental = snapshot(&out);
    std::fs::remove_dir_all(root.join(".planpress")).unwrap();
    let clean = root.join("clean");
    let (_, reused, _) = build_counting(root, &["--output", clean.to_str().unwrap()]);
    assert_eq!(reused, 0);
    let fresh = snapshot(&clean);
    assert_eq!(incremental.len(), fresh.len());
    for ((pa, a), (pb, b)) in incremental.iter().zip(&fresh) {
        assert_eq!(pa, pb);
        assert!(a == b, "{} differs from a clean build", pa.display());
    }
    assert!(
        incremental
            .iter()
            .all(|(p, _)| !p.components().any(|c| c.as_os_str() == ".planpress")),
        "the cache is never in the output"
    );

    // With its cache deleted, the next build renders everything, the same.
    std::fs::remove_dir_all(root.join(".planpress")).unwrap();
    let (_, reused, _) = build_counting(root, &[]);
    assert_eq!(reused, 0);
    assert!(snapshot(&out) == incremental);
    let (_, reused, pages) = build_counting(root, &[]);
    assert_eq!(reused, pages, "nothing changed: every page is reused");

    // Another theme: no page is reused, and the change shows.
    let base = read(&repo().join("themes/default/templates/404.html"));
    // Inside the last block: a child template may hold nothing outside.
    let at = base.rfind("{% endblock %}").unwrap();
    override_template(
        root,
        "404.html",
        &format!("{}<!-- đổi giao diện -->{}", &base[..at], &base[at..]),
    );
    let (_, reused, _) = build_counting(root, &[]);
    assert_eq!(reused, 0, "a theme change renders every page again");
    assert!(read(&out.join("404.html")).contains("đổi giao diện"));
}

/// The demo (this repository) and new sites keep the build cache out of git.
#[test]
fn the_cache_folder_is_ignored_by_git() {
    let ignored = read(&repo().join(".gitignore"));
    assert!(
        ignored.lines().any(|l| l.trim() == "/.planpress/"),
        "{ignored}"
    );
}
