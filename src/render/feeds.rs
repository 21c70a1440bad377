//! Site files: sitemap, Atom feed and the client-side search index.

use std::fmt::Write as _;

use super::theme::Theme;
use crate::consolidate::CycleReport;
use crate::model::SiteConfig;

use crate::escape::xml as xml_escape;

/// sitemaps.org 0.9: one `<url>` per page.
pub(crate) fn sitemap(base_url: &str, pages: &[String]) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut sorted: Vec<&String> = pages.iter().collect();
    sorted.sort();
    for p in sorted {
        let path = p.trim_end_matches("index.html");
        let _ = writeln!(
            out,
            "  <url><loc>{}</loc></url>",
            xml_escape(&format!("{base_url}/{path}"))
        );
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// Atom 1.0: one entry per published plan, newest submission first.
pub(crate) fn atom(config: &SiteConfig, reports: &[CycleReport<'_>], theme: &Theme) -> Vec<u8> {
    let mut entries: Vec<(chrono::NaiveDate, String, String, String)> = Vec::new();
    for r in reports {
        for e in &r.entries {
            let (agency, Some(plan)) = (e.agency, e.plan) else {
                continue;
            };
            let date = plan
                .submitted
                .as_ref()
                .map_or(r.meta.deadline.value, |d| d.value);
            let url = format!("{}/{}/{}/", config.base_url, r.year, agency.code.value);
            let title = format!("{} — {} {}", e.name, theme.t("cycle"), r.year);
            let summary = format!(
                "{} {}: {} {}",
                theme.t("planned"),
                r.year,
                super::format::money(e.totals.planned, config.language),
                config.money_unit.label(config.language)
            );
            entries.push((date, url, title, summary));
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let updated = entries
        .first()
        .map_or_else(|| "2000-01-01".to_string(), |e| e.0.to_string());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let _ = writeln!(out, "  <title>{}</title>", xml_escape(&config.title));
    let _ = writeln!(out, "  <id>{}/</id>", xml_escape(&config.base_url));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"{}/atom.xml\"/>",
        xml_escape(&config.base_url)
    );
    let _ = writeln!(out, "  <link href=\"{}/\"/>", xml_escape(&config.base_url));
    let _ = writeln!(out, "  <updated>{updated}T00:00:00Z</updated>");
    let _ = writeln!(
        out,
        "  <author><name>{}</name></author>",
        xml_escape(&config.title)
    );
    for (date, url, title, summary) in entries {
        let _ = writeln!(
            out,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{date}T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>",
            xml_escape(&title),
            xml_escape(&url),
            xml_escape(&url),
            xml_escape(&summary)
        );
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}
