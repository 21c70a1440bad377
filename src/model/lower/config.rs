//! The configuration files: site.yaml (with its publish targets),
//! agencies.yaml and catalog.yaml.

use super::{Fields, Lower};
use crate::diag::{Lang, tr};
use crate::model::{
    Agency, Catalog, CodeName, Group, IndicatorDef, MoneyUnit, SiteConfig, Smtp, Spanned, Target,
    TargetKind, Unit,
};
use crate::yaml::{Kind, Node};

impl Lower<'_, '_> {
    pub(crate) fn site(&mut self, node: &Node) -> Option<SiteConfig> {
        let f = self.map(
            node,
            "site.yaml",
            &[
                "title",
                "province",
                "base_url",
                "language",
                "theme",
                "money_unit",
                "publish",
                "approved_tag",
                "smtp",
                "owner",
            ],
        )?;
        let title = self.req_string(&f, "title");
        let province = self.opt_string(&f, "province").unwrap_or_default();
        let base_url = self.required(&f, "base_url").and_then(|n| self.url(n));
        let language = match f.get("language") {
            Some(n) => self
                .choice(n, "language", &[("vi", Lang::Vi), ("en", Lang::En)])
                .map(|s| s.value),
            None => Some(Lang::Vi),
        };
        let theme = match f.get("theme") {
            Some(n) => self.code(n, "theme").map(|s| s.value),
            None => Some("default".to_string()),
        };
        let money_unit = match f.get("money_unit") {
            Some(n) => self
                .choice(n, "money_unit", MoneyUnit::CHOICES)
                .map(|s| s.value),
            None => Some(MoneyUnit::TrieuDong),
        };
        // A broken target is reported (by `code`, `target` or `map`) and
        // left out; the others stay usable.
        let mut publish = Vec::new();
        if let Some(p) = f.get("publish") {
            match &p.kind {
                Kind::Map(entries) => {
                    for (k, v) in entries {
                        if let (Some(name), Some(mut t)) = (self.code(k, "publish"), self.target(v))
                        {
                            t.name = name.value;
                            publish.push(t);
                        }
                    }
                }
                _ => {
                    self.map(p, "publish", &[]);
                }
            }
        }
        let approved_tag = match f.get("approved_tag") {
            Some(n) => Some(self.tag_pattern(n)?),
            None => None,
        };
        let smtp = match f.get("smtp") {
            Some(n) => Some(self.smtp(n)?),
            None => None,
        };
        let owner = f.get("owner").and_then(|n| {
            let o = self.map(
                n,
                "owner",
                &[
                    "agency",
                    "address",
                    "phone",
                    "email",
                    "responsible",
                    "licence",
                ],
            )?;
            let agency = self.req_string(&o, "agency");
            Some(crate::model::Owner {
                agency: agency?,
                address: self.opt_string(&o, "address"),
                phone: self.opt_string(&o, "phone"),
                email: self.opt_string(&o, "email"),
                responsible: self.opt_string(&o, "responsible"),
                licence: self.opt_string(&o, "licence"),
            })
        });
        Some(SiteConfig {
            smtp,
            title: title?,
            owner,
            province,
            base_url: base_url?,
            language: language?,
            theme: theme?,
            money_unit: money_unit?,
            publish,
            approved_tag,
        })
    }

    /// `smtp`: the relay `remind --send` hands reminders to.
    pub(super) fn smtp(&mut self, node: &Node) -> Option<Smtp> {
        let f = self.map(node, "smtp", &["host", "port", "from", "starttls"])?;
        let host = self.req_string(&f, "host");
        let from = self.required(&f, "from").and_then(|n| self.mailbox(n));
        let starttls = match f.get("starttls") {
            Some(n) => self.boolean(n, "starttls"),
            None => Some(true),
        };
        let port = match f.get("port") {
            Some(n) => self
                .integer(n, "port")
                .and_then(|p| self.in_range(p, 1, 65535, "port"))
                .and_then(|p| u16::try_from(p).ok()),
            // The submission port with STARTTLS, plain SMTP without.
            None => Some(if starttls.unwrap_or(true) { 587 } else { 25 }),
        };
        Some(Smtp {
            host: host?,
            port: port?,
            from: from?,
            starttls: starttls?,
        })
    }

    /// An address as a mail header carries it: `stttt@example.gov.vn` or
    /// `Sở TT&TT <stttt@example.gov.vn>`.
    pub(super) fn mailbox(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "from")?;
        if s.value.parse::<lettre::message::Mailbox>().is_ok() {
            return Some(s.value);
        }
        let lang = self.lang();
        let v = &s.value;
        self.e005(
            node.pos,
            tr!(
                lang,
                "`from` = `{v}` không phải là một địa chỉ thư điện tử.",
                "`from` = `{v}` is not an e-mail address."
            ),
            tr!(
                lang,
                "Ví dụ: `\"Sở Thông tin và Truyền thông <stttt@example.gov.vn>\"` hoặc `stttt@example.gov.vn`.",
                "For example: `\"Department of Information <stttt@example.gov.vn>\"` or `stttt@example.gov.vn`."
            ),
        );
        None
    }

    /// `approved_tag`: a git tag name once `{year}` is put in.
    pub(super) fn tag_pattern(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "approved_tag")?;
        let name = s.value.replace("{year}", "2019");
        if !s.value.is_empty() && git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Some(s.value);
        }
        let lang = self.lang();
        let v = &s.value;
        self.e005(
            node.pos,
            tr!(
                lang,
                "`approved_tag` = `{v}` không phải là tên thẻ (tag) git hợp lệ.",
                "`approved_tag` = `{v}` is not a valid git tag name."
            ),
            tr!(
                lang,
                "Dùng chữ, số, `-`, `.` và `{{year}}` cho năm của kỳ kế hoạch, ví dụ `approved-{{year}}`.",
                "Use letters, digits, `-`, `.` and `{{year}}` for the cycle's year, e.g. `approved-{{year}}`."
            ),
        );
        None
    }

    pub(super) fn url(&mut self, node: &Node) -> Option<String> {
        let s = self.string(node, "base_url")?;
        let ok = (s.value.starts_with("https://") || s.value.starts_with("http://"))
            && s.value.len() > "https://".len()
            && !s.value.contains(char::is_whitespace);
        if !ok {
            let lang = self.lang();
            self.e005(
                node.pos,
                tr!(
                    lang,
                    "`base_url` phải là địa chỉ tuyệt đối.",
                    "`base_url` must be an absolute URL."
                ),
                tr!(
                    lang,
                    "Ví dụ: https://example.gov.vn/ke-hoach-cntt",
                    "For example: https://example.gov.vn/ke-hoach-cntt"
                ),
            );
            return None;
        }
        Some(s.value.trim_end_matches('/').to_string())
    }

    pub(super) fn target(&mut self, node: &Node) -> Option<Target> {
        let f = self.map(
            node,
            "publish",
            &[
                "kind", "host", "port", "user", "path", "keep", "identity", "endpoint", "bucket",
                "prefix", "region",
            ],
        )?;
        #[derive(Clone, Copy)]
        enum K {
            Dir,
            Ssh,
            S3,
        }
        let kind = self.required(&f, "kind").and_then(|n| {
            self.choice(
                n,
                "kind",
                &[("dir", K::Dir), ("ssh", K::Ssh), ("s3", K::S3)],
            )
        });
        let Some(kind) = kind.map(|k| k.value) else {
            // Still report a missing path, as before kinds other than
            // dir and ssh existed.
            let _ = self.req_string(&f, "path");
            if let Some(n) = f.get("keep") {
                let _ = self
                    .integer(n, "keep")
                    .and_then(|k| self.in_range(k, 1, 1000, "keep"));
            }
            return None;
        };
        // An s3 target has a key prefix in place of a path.
        let path = match kind {
            K::S3 => Some(
                self.opt_string(&f, "prefix")
                    .unwrap_or_default()
                    .trim_matches('/')
                    .to_string(),
            ),
            K::Dir | K::Ssh => self.req_string(&f, "path"),
        };
        let keep = match f.get("keep") {
            Some(n) => self
                .integer(n, "keep")
                .and_then(|k| self.in_range(k, 1, 1000, "keep")),
            None => Some(5),
        };
        let kind = match kind {
            K::Dir => TargetKind::Dir,
            K::Ssh => {
                let host = self.req_string(&f, "host");
                let port = match f.get("port") {
                    Some(n) => self
                        .integer(n, "port")
                        .and_then(|p| self.in_range(p, 1, 65535, "port")),
                    None => Some(22),
                };
                if let (Some(p), Some(node)) = (&path, f.get("path"))
                    && let Some(why) = crate::model::remote::path_refusal(p, self.lang())
                {
                    let lang = self.lang();
                    self.e005(
                        node.pos,
                        tr!(
                            lang,
                            "`path: \"{p}\"` của đích xuất bản ssh không dùng được: {why}.",
                            "The ssh publish target's `path: \"{p}\"` cannot be used: {why}."
                        ),
                        tr!(
                            lang,
                            "Ghi đường dẫn tuyệt đối tới một thư mục riêng cho site trên máy chủ, ví dụ `path: /srv/ke-hoach-cntt`.",
                            "Give the absolute path of a folder of the site's own on the server, e.g. `path: /srv/ke-hoach-cntt`."
                        ),
                    );
                }
                TargetKind::Ssh {
                    host: host?,
                    port: u16::try_from(port?).ok()?,
                    user: self.opt_string(&f, "user"),
                    identity: self.opt_string(&f, "identity"),
                }
            }
            K::S3 => {
                let endpoint = self.req_string(&f, "endpoint");
                let bucket = self.req_string(&f, "bucket");
                TargetKind::S3 {
                    endpoint: endpoint?.trim_end_matches('/').to_string(),
                    bucket: bucket?,
                    region: self
                        .opt_string(&f, "region")
                        .unwrap_or_else(|| "us-east-1".to_string()),
                }
            }
        };
        Some(Target {
            name: String::new(),
            kind,
            path: path?,
            keep: u32::try_from(keep?).ok()?,
        })
    }

    pub(super) fn in_range(
        &mut self,
        n: Spanned<i64>,
        lo: i64,
        hi: i64,
        what: &str,
    ) -> Option<i64> {
        if (lo..=hi).contains(&n.value) {
            return Some(n.value);
        }
        let lang = self.lang();
        let v = n.value;
        self.e005(
            n.pos,
            tr!(
                lang,
                "`{what}` = {v} nằm ngoài khoảng cho phép.",
                "`{what}` = {v} is out of range."
            ),
            tr!(
                lang,
                "Giá trị từ {lo} đến {hi}.",
                "Use a value from {lo} to {hi}."
            ),
        );
        None
    }

    pub(crate) fn agencies(&mut self, node: &Node) -> Option<Vec<Agency>> {
        let items = self.seq(node, "agencies.yaml")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("agencies[{}]", i + 1);
            let Some(f) = self.map(
                item,
                &what,
                &[
                    "code",
                    "name",
                    "group",
                    "email",
                    "phone",
                    "expected",
                    "from",
                    "until",
                    "successor",
                    "former_names",
                ],
            ) else {
                ok = false;
                continue;
            };
            let code = self.required(&f, "code").and_then(|n| self.code(n, "code"));
            let name = self.req_string(&f, "name");
            let group = self
                .required(&f, "group")
                .and_then(|n| self.choice(n, "group", Group::CHOICES));
            let email = self.opt_string(&f, "email");
            let phone = self.opt_string(&f, "phone");
            let expected = match f.get("expected") {
                Some(n) => self.boolean(n, "expected"),
                None => Some(true),
            };
            let from = f.get("from").map(|n| self.year(n, "from"));
            let until = f.get("until").map(|n| self.year(n, "until"));
            let successor = f.get("successor").map(|n| self.code(n, "successor"));
            let former_names = match f.get("former_names") {
                Some(n) => self.former_names(n),
                None => Some(Vec::new()),
            };
            let bounds_ok = !matches!(from, Some(None))
                && !matches!(until, Some(None))
                && !matches!(successor, Some(None));
            let (from, until, successor) = (from.flatten(), until.flatten(), successor.flatten());
            if let (Some(f), Some(u)) = (&from, &until)
                && u.value < f.value
            {
                let lang = self.lang();
                let (fv, uv) = (f.value, u.value);
                self.e005(
                    u.pos,
                    tr!(
                        lang,
                        "`until` = {uv} trước `from` = {fv}.",
                        "`until` = {uv} is before `from` = {fv}."
                    ),
                    tr!(
                        lang,
                        "`from` là kỳ đầu tiên, `until` là kỳ cuối cùng cơ quan còn tồn tại.",
                        "`from` is the first cycle and `until` the last in which the agency exists."
                    ),
                );
                ok = false;
                continue;
            }
            match (code, name, group, expected, former_names) {
                (Some(code), Some(name), Some(group), Some(expected), Some(former_names))
                    if bounds_ok =>
                {
                    out.push(Agency {
                        code,
                        name,
                        group: group.value,
                        email,
                        phone,
                        expected,
                        from,
                        until,
                        successor,
                        former_names,
                    });
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `former_names: [{ until: 2018, name: "..." }]`.
    pub(super) fn former_names(&mut self, node: &Node) -> Option<Vec<(i32, String)>> {
        let items = self.seq(node, "former_names")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("former_names[{}]", i + 1);
            let Some(e) = self.map(item, &what, &["until", "name"]) else {
                ok = false;
                continue;
            };
            let until = self
                .required(&e, "until")
                .and_then(|n| self.year(n, "until"));
            let name = self.req_string(&e, "name");
            match (until, name) {
                (Some(u), Some(n)) => out.push((u.value, n)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub(super) fn code_list(&mut self, f: &Fields<'_>, key: &str) -> Option<Vec<CodeName>> {
        let node = self.required(f, key)?;
        let items = self.seq(node, key)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let what = format!("{key}[{}]", i + 1);
            let Some(e) = self.map(item, &what, &["id", "name"]) else {
                ok = false;
                continue;
            };
            let id = self.required(&e, "id").and_then(|n| self.code(n, "id"));
            let name = self.req_string(&e, "name");
            match (id, name) {
                (Some(id), Some(name)) => out.push(CodeName { id, name }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub(crate) fn catalog(&mut self, node: &Node) -> Option<Catalog> {
        let f = self.map(
            node,
            "catalog.yaml",
            &["categories", "levels", "kinds", "indicators"],
        )?;
        let categories = self.code_list(&f, "categories");
        let levels = self.code_list(&f, "levels");
        let kinds = self.code_list(&f, "kinds");
        let mut indicators = Some(Vec::new());
        if let Some(items) = f.get("indicators").and_then(|n| self.seq(n, "indicators")) {
            for (i, item) in items.iter().enumerate() {
                let what = format!("indicators[{}]", i + 1);
                let def = self
                    .map(item, &what, &["id", "name", "unit", "provider"])
                    .and_then(|e| {
                        let id = self.required(&e, "id").and_then(|n| self.code(n, "id"));
                        let name = self.req_string(&e, "name");
                        let unit = self
                            .required(&e, "unit")
                            .and_then(|n| self.choice(n, "unit", Unit::CHOICES));
                        let provider = match e.get("provider") {
                            Some(n) => Some(self.code(n, "provider")?),
                            None => None,
                        };
                        Some(IndicatorDef {
                            id: id?,
                            name: name?,
                            unit: unit?.value,
                            provider,
                        })
                    });
                match (def, indicators.as_mut()) {
                    (Some(d), Some(v)) => v.push(d),
                    _ => indicators = None,
                }
            }
        }
        Some(Catalog {
            categories: categories?,
            levels: levels?,
            kinds: kinds?,
            indicators: indicators?,
        })
    }
}

#[cfg(test)]
mod s3_target_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::diag::Sink;
    use crate::yaml;

    fn target(text: &str) -> (Option<Target>, Vec<crate::diag::Diagnostic>) {
        let mut sink = Sink::new(Lang::En, "content/site.yaml", false);
        let node = yaml::parse(text, 1).unwrap();
        let t = Lower::new(&mut sink).target(node.as_ref().unwrap());
        (t, sink.into_vec())
    }

    #[test]
    fn s3_targets_take_endpoint_bucket_prefix_and_region() {
        let (t, d) = target(
            "{ kind: s3, endpoint: \"https://s3.example.gov.vn/\", bucket: ke-hoach, prefix: /ke-hoach-cntt/, region: hn-1, keep: 5 }",
        );
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.path, "ke-hoach-cntt");
        assert_eq!(
            t.kind,
            TargetKind::S3 {
                endpoint: "https://s3.example.gov.vn".into(),
                bucket: "ke-hoach".into(),
                region: "hn-1".into(),
            }
        );
        // prefix and region may be left out; no path is needed.
        let (t, d) = target("{ kind: s3, endpoint: \"http://127.0.0.1:9000\", bucket: b }");
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.path, "");
        assert!(matches!(t.kind, TargetKind::S3 { ref region, .. } if region == "us-east-1"));
    }

    #[test]
    fn s3_targets_need_a_bucket_and_credentials_never_come_from_site_yaml() {
        let (t, d) = target("{ kind: s3, endpoint: \"https://s3.example.gov.vn\" }");
        assert!(t.is_none());
        assert!(d.iter().any(|d| d.message.contains("bucket")), "{d:?}");
        let (_, d) = target(
            "{ kind: s3, endpoint: \"https://s3.example.gov.vn\", bucket: b, secret_key: x }",
        );
        assert!(d.iter().any(|d| d.code.as_str() == "E004"), "{d:?}");
    }
}
