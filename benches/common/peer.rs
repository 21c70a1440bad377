//! What the build benchmarks share besides the corpus: the Hugo peer's site
//! over the same plan files, and putting the corpus in git (sites live in
//! git, and plan pages show each file's history).

use std::path::Path;
use std::process::Command;

/// A minimal Hugo site over the same plan files: each plan's body as
/// Markdown and its projects as a table (Hugo reads the YAML front matter).
const HUGO_CONFIG: &str = "baseURL = 'https://example.gov.vn/'\ntitle = 'bench'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT', '404']\n";
const HUGO_SINGLE: &str = r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Params.agency }}</h1>
<table><tr><th>TT</th><th>Tên</th><th>Tổng</th><th>Đã thực hiện</th><th>Năm nay</th></tr>
{{ range .Params.projects }}<tr><td>{{ .priority }}</td><td>{{ .name }}</td><td>{{ .cost.total }}</td><td>{{ .cost.spent }}</td><td>{{ .cost.planned }}</td></tr>{{ end }}
</table>
<table><tr><th>Nội dung</th><th>Tổng</th></tr>{{ range .Params.spending }}<tr><td>{{ .task }}</td><td>{{ .total }}</td></tr>{{ end }}</table>
{{ .Content }}
</body></html>"#;
const HUGO_LIST: &str = r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Params.agency }}</a></li>{{ end }}</ul></body></html>"#;

/// Lays out the Hugo site in `dir` over the plans of cycle `year` of
/// `corpus`.
pub(crate) fn hugo_site(corpus: &Path, year: i32, dir: &Path) -> std::io::Result<()> {
    let content = dir.join("content/plans");
    std::fs::create_dir_all(&content)?;
    std::fs::create_dir_all(dir.join("layouts/_default"))?;
    std::fs::write(dir.join("config.toml"), HUGO_CONFIG)?;
    std::fs::write(dir.join("layouts/_default/single.html"), HUGO_SINGLE)?;
    std::fs::write(dir.join("layouts/_default/list.html"), HUGO_LIST)?;
    std::fs::write(dir.join("layouts/index.html"), HUGO_LIST)?;
    for e in std::fs::read_dir(corpus.join(format!("content/{year}")))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !name.starts_with('_') {
            std::fs::copy(e.path(), content.join(&name))?;
        }
    }
    Ok(())
}

/// `git init`, a first commit of the whole corpus, then a second that edits
/// one plan in ten, as agencies revise their plans.
pub(crate) fn commit(site: &Path, year: i32) -> std::io::Result<()> {
    let git = |args: &[&str]| -> std::io::Result<()> {
        let o = Command::new("git")
            .args([
                "-c",
                "user.name=Bench",
                "-c",
                "user.email=bench@example.gov.vn",
            ])
            .args(args)
            .current_dir(site)
            .output()?;
        if o.status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(
                String::from_utf8_lossy(&o.stderr).to_string(),
            ))
        }
    };
    git(&["init", "-q"])?;
    git(&["add", "content"])?;
    git(&["commit", "-q", "-m", "Kế hoạch năm"])?;
    let cycle = site.join(format!("content/{year}"));
    let mut names: Vec<_> = std::fs::read_dir(&cycle)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".md") && !n.starts_with('_'))
        .collect();
    names.sort();
    for name in names.iter().step_by(10) {
        let path = cycle.join(name);
        let mut text = std::fs::read_to_string(&path)?;
        text.push_str("\nĐã rà soát lại theo góp ý của Sở Thông tin và Truyền thông.\n");
        std::fs::write(&path, text)?;
    }
    git(&["commit", "-q", "-a", "-m", "Rà soát theo góp ý"])
}
