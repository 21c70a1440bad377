//! Escaping text for HTML and XML: one home, so that every page, feed,
//! chart and error page escapes the same five characters the same way.

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn html(text: &str) -> String {
    escape(text, "&#39;")
}

/// Escapes text for XML content and attribute values (SVG, feeds, the
/// sitemap): as [`html`], with the apostrophe as XML names it.
pub(crate) fn xml(text: &str) -> String {
    escape(text, "&apos;")
}

fn escape(text: &str, apostrophe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_characters_and_nothing_else() {
        let t = r#"<a href="x">Tom & Jerry's — Sở Y tế</a>"#;
        assert_eq!(
            html(t),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s — Sở Y tế&lt;/a&gt;"
        );
        assert_eq!(
            xml(t),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s — Sở Y tế&lt;/a&gt;"
        );
        // Escaping twice shows the first escape, as it must.
        assert_eq!(html("&amp;"), "&amp;amp;");
    }
}
