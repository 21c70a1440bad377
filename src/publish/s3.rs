//! `kind: s3`: releases in a bucket of S3-compatible object storage, for
//! portals served from object storage behind a CDN or a proxy.
//!
//! ```text
//! <prefix>/current                                 the id of the served release
//! <prefix>/releases/<id>/...                       one complete, immutable release
//! <prefix>/releases/<id>/.planpress-manifest.json  written last: the release is complete
//! ```
//!
//! Object storage has no rename and no lock, so the layout differs from the
//! other targets in two ways. A release is uploaded in place and counts as
//! complete only once its manifest exists (the manifest is always the last
//! object written). And `current` is switched with a conditional write
//! (`If-Match` the version read at the start, or `If-None-Match: *` for the
//! first publish): of two publishes started from the same release exactly
//! one can switch it; the other stops with the portal as the winner left it.
//!
//! `current` carries the id both as its body and as the metadata header
//! `x-amz-meta-release`, so that a proxy (nginx `auth_request_set`) or a CDN
//! rule can read it without parsing a body.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, S3ConditionalPut};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, GetOptions, ObjectStore, ObjectStoreExt, PutMode,
    PutOptions, PutPayload, RetryConfig, UpdateVersion,
};

use super::manifest::{self, MANIFEST, Manifest};
use super::{CurrentLink, Endpoint, ErrorKind, PARTIAL, Staged, TargetState, Upload};
use crate::diag::{Lang, tr};

/// Requests in flight at once: enough to hide the latency of a remote
/// store, few enough not to look like an attack to its rate limiter.
const PARALLEL: usize = 16;
/// User metadata of every uploaded file: its SHA-256, so that a resumed
/// publish can trust what an earlier, cut one left behind.
const META_SHA: &str = "planpress-sha256";
/// User metadata of every uploaded file and of `current`: the release id
/// (for files, the release whose publish sent the bytes; copies keep it).
const META_RELEASE: &str = "release";

/// Cache policy of a file whose name carries a content hash
/// (`app.3fa9c2d1.css`): its bytes can never change under that name.
const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy of pages and of assets without a hash in their name: a CDN
/// may keep them a minute, so a new release shows everywhere within a
/// minute, and a page and its stylesheet are never a year apart.
const CACHE_SHORT: &str = "public, max-age=60";
/// `current` and manifests: always read fresh.
const CACHE_NONE: &str = "no-store";

/// Why an s3 target failed, with what the message needs.
#[derive(Debug)]
pub(crate) enum S3Error {
    NoCredentials,
    BadEndpoint(String),
    BadPrefix(String),
    Auth { detail: String },
    NoBucket,
    Connect { detail: String },
    NoConditional { detail: String },
    Raced { now: Option<String> },
    Store { step: &'static str, detail: String },
}

/// The message of an [`S3Error`], in the site's language.
pub(crate) fn message(e: &S3Error, place: &str, l: Lang) -> String {
    match e {
        S3Error::NoCredentials => tr!(
            l,
            "Chưa có khoá truy cập kho đối tượng cho {place}. Đặt hai biến môi trường AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY (không ghi khoá vào site.yaml), rồi chạy lại. Chưa thay đổi gì.",
            "No object storage credentials for {place}. Set the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (never put keys in site.yaml), and run again. Nothing was changed."
        ),
        S3Error::BadEndpoint(v) => tr!(
            l,
            "`endpoint: {v}` trong content/site.yaml không phải là địa chỉ http(s) hợp lệ. Ví dụ: endpoint: \"https://s3.example.gov.vn\"",
            "`endpoint: {v}` in content/site.yaml is not a valid http(s) address. For example: endpoint: \"https://s3.example.gov.vn\""
        ),
        S3Error::BadPrefix(v) => tr!(
            l,
            "`prefix: {v}` trong content/site.yaml không hợp lệ: các phần cách nhau bởi / không được rỗng, «.» hay «..». Ví dụ: prefix: ke-hoach-cntt",
            "`prefix: {v}` in content/site.yaml is not valid: the parts between / may not be empty, '.' or '..'. For example: prefix: ke-hoach-cntt"
        ),
        S3Error::Auth { detail } => tr!(
            l,
            "Kho đối tượng {place} từ chối khoá truy cập. Kiểm tra AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY (đúng khoá, còn hiệu lực, được quyền đọc, ghi, xoá trong bucket), và `region:` trong site.yaml. Trang cổng không thay đổi.\n  Kho trả lời: {detail}",
            "The object store {place} refused the credentials. Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the right key, still valid, allowed to read, write and delete in the bucket), and `region:` in site.yaml. The portal is unchanged.\n  The store said: {detail}"
        ),
        S3Error::NoBucket => tr!(
            l,
            "Không có bucket nào như vậy: {place}. Kiểm tra `bucket:` và `endpoint:` trong content/site.yaml, hoặc nhờ người quản trị kho tạo bucket. Chưa thay đổi gì.",
            "There is no such bucket: {place}. Check `bucket:` and `endpoint:` in content/site.yaml, or ask the store's administrator to create the bucket. Nothing was changed."
        ),
        S3Error::Connect { detail } => tr!(
            l,
            "Không kết nối được tới kho đối tượng {place} (đã thử lại nhiều lần). Kiểm tra mạng và `endpoint:` trong site.yaml, rồi chạy lại: lần sau sẽ không gửi lại những tệp đã tới nơi. Trang cổng không thay đổi.\n  Lỗi: {detail}",
            "Cannot reach the object store {place} (retried several times). Check the network and `endpoint:` in site.yaml, and run again: the next run does not send again what already arrived. The portal is unchanged.\n  Error: {detail}"
        ),
        S3Error::NoConditional { detail } => tr!(
            l,
            "Kho đối tượng {place} không hỗ trợ ghi có điều kiện (If-Match / If-None-Match), nên hai lần xuất bản cùng lúc có thể đè nhau. planpress không xuất bản lên kho như vậy. Hãy dùng kho hỗ trợ ghi có điều kiện (AWS S3, MinIO, Ceph RGW mới, Cloudflare R2…), hoặc hỏi nhà cung cấp cách bật. Chưa thay đổi gì.\n  {detail}",
            "The object store {place} does not support conditional writes (If-Match / If-None-Match), so two publishes at once could overwrite each other. planpress does not publish to such a store. Use a store that supports them (AWS S3, MinIO, recent Ceph RGW, Cloudflare R2…), or ask the provider how to enable them. Nothing was changed.\n  {detail}"
        ),
        S3Error::Raced { now } => {
            let now = now.as_deref().unwrap_or("-");
            tr!(
                l,
                "Một lần xuất bản khác đã chuyển «current» của {place} (nay là {now}) trong khi lần này đang tải lên; lần này không ghi đè nó. Trang cổng giữ bản của lần xuất bản kia. Hãy xem `planpress releases`, rồi xuất bản lại nếu cần.",
                "Another publish switched 'current' of {place} (now {now}) while this one was uploading; this one does not overwrite it. The portal keeps the other publish's release. See `planpress releases`, and publish again if needed."
            )
        }
        S3Error::Store { step, detail } => {
            // Steps are named "vietnamese / english".
            let (vi, en) = step.split_once(" / ").unwrap_or((step, step));
            let step = match l {
                Lang::Vi => vi,
                Lang::En => en,
            };
            tr!(
                l,
                "Bước «{step}» thất bại trên kho đối tượng {place}; «current» không đổi. Chạy lại: lần sau sẽ không gửi lại những tệp đã tới nơi.\n  {detail}",
                "Step '{step}' failed on the object store {place}; 'current' is unchanged. Run again: the next run does not send again what already arrived.\n  {detail}"
            )
        }
    }
}

/// The settings of an s3 target, from site.yaml.
pub(crate) struct Config<'a> {
    pub(crate) endpoint: &'a str,
    pub(crate) bucket: &'a str,
    pub(crate) region: &'a str,
    pub(crate) prefix: &'a str,
}

/// A bucket (and key prefix) holding releases.
pub(crate) struct S3Endpoint {
    rt: tokio::runtime::Runtime,
    store: Arc<AmazonS3>,
    place: String,
    prefix: String,
    lang: Lang,
    /// The version of `current` read by [`Endpoint::state`]: the switch
    /// only succeeds if `current` is still that version.
    current_version: Option<UpdateVersion>,
    /// The release this publish uploaded; removed again if it loses a race.
    staged: Option<String>,
    /// Unfinished uploads seen by [`Endpoint::state`].
    partials: Vec<String>,
}

fn kind_at(place: &str, e: S3Error) -> ErrorKind {
    ErrorKind::S3 {
        place: place.to_string(),
        err: e,
    }
}

/// The whole chain of an error, for the detail line of a message.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s += ": ";
            s += &t;
        }
        src = c.source();
    }
    s
}

/// What an error of the store means for the user.
fn classify(step: &'static str, e: &object_store::Error) -> S3Error {
    let detail = chain(e);
    let has = |w: &str| detail.contains(w);
    if matches!(
        e,
        object_store::Error::Unauthenticated { .. } | object_store::Error::PermissionDenied { .. }
    ) || has("InvalidAccessKeyId")
        || has("SignatureDoesNotMatch")
        || has("AccessDenied")
        || has("403 Forbidden")
    {
        S3Error::Auth { detail }
    } else if has("NoSuchBucket") {
        S3Error::NoBucket
    } else if has("error sending request")
        || has("onnect")
        || has("dns error")
        || has("timed out")
        || has("Timeout")
    {
        S3Error::Connect { detail }
    } else {
        S3Error::Store { step, detail }
    }
}

/// Whether a file name carries a content hash: a dot-separated part of 8 to
/// 64 hex digits with at least one letter and one digit (`app.3fa9c2d1.css`).
fn hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            (8..=64).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_hexdigit())
                && p.bytes().any(|b| b.is_ascii_digit())
                && p.bytes().any(|b| b.is_ascii_alphabetic())
        })
}

/// The headers a file is stored with: a store guesses badly or not at all,
/// and a CDN caches by them.
pub(crate) fn headers(path: &str) -> Vec<(Attribute, String)> {
    let lower = path.to_ascii_lowercase();
    let ctype = if lower.ends_with(".svgz") {
        "image/svg+xml"
    } else if lower.ends_with(".gz") {
        // A download of a gzip file: no Content-Encoding, or a browser
        // would unpack it and save the wrong bytes.
        "application/gzip"
    } else {
        crate::output::content_type(path)
    };
    let mut out = vec![
        (Attribute::ContentType, ctype.to_string()),
        (
            Attribute::CacheControl,
            if hashed(path) {
                CACHE_IMMUTABLE
            } else {
                CACHE_SHORT
            }
            .to_string(),
        ),
    ];
    // Files are stored as built, so no Content-Encoding, except for a
    // format that is gzip by definition.
    if lower.ends_with(".svgz") {
        out.push((Attribute::ContentEncoding, "gzip".to_string()));
    }
    out
}

fn attributes(list: Vec<(Attribute, String)>) -> Attributes {
    let mut a = Attributes::new();
    for (k, v) in list {
        a.insert(k, v.into());
    }
    a
}

/// Whether a prefix makes valid keys.
fn good_prefix(p: &str) -> bool {
    p.is_empty()
        || p.split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.chars().any(char::is_control))
}

impl S3Endpoint {
    pub(crate) fn new(cfg: &Config<'_>, lang: Lang) -> Result<S3Endpoint, ErrorKind> {
        let place = format!(
            "s3://{}/{} ({})",
            cfg.bucket,
            cfg.prefix,
            cfg.endpoint.trim_end_matches('/')
        );
        let http = cfg.endpoint.starts_with("http://");
        if !(http || cfg.endpoint.starts_with("https://")) || cfg.endpoint.len() <= "https://".len()
        {
            return Err(kind_at(
                &place,
                S3Error::BadEndpoint(cfg.endpoint.to_string()),
            ));
        }
        if !good_prefix(cfg.prefix) {
            return Err(kind_at(&place, S3Error::BadPrefix(cfg.prefix.to_string())));
        }
        // Only these two variables: a publish must never pick up another
        // account's session, profile or instance role by accident.
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        let (Some(key), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
        else {
            return Err(kind_at(&place, S3Error::NoCredentials));
        };
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            // Enough to ride out a few seconds of network trouble (the
            // backoff is jittered, so the waits are shorter than 0.5 s,
            // 1 s, 2 s... on average).
            max_retries: 10,
            retry_timeout: Duration::from_secs(120),
        };
        let store = AmazonS3Builder::new()
            .with_endpoint(cfg.endpoint.trim_end_matches('/'))
            .with_bucket_name(cfg.bucket)
            .with_region(cfg.region)
            .with_access_key_id(key)
            .with_secret_access_key(secret)
            .with_allow_http(http)
            // Path-style URLs: every S3-compatible store understands them,
            // virtual hosts need DNS for each bucket.
            .with_virtual_hosted_style_request(false)
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            .with_retry(retry)
            .build()
            .map_err(|e| {
                kind_at(
                    &place,
                    S3Error::Store {
                        step: "cấu hình / config",
                        detail: chain(&e),
                    },
                )
            })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| super::io_err("tokio", e))?;
        Ok(S3Endpoint {
            rt,
            store: Arc::new(store),
            place,
            prefix: cfg.prefix.to_string(),
            lang,
            current_version: None,
            staged: None,
            partials: Vec::new(),
        })
    }

    fn fail(&self, e: S3Error) -> ErrorKind {
        kind_at(&self.place, e)
    }

    fn key(&self, rest: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(rest)
        } else {
            Key::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn release_key(&self, id: &str, path: &str) -> Key {
        self.key(&format!("releases/{id}/{path}"))
    }

    /// Reads `current`: its text and version, `None` when absent.
    async fn read_current(
        store: &AmazonS3,
        key: &Key,
    ) -> Result<Option<(String, UpdateVersion)>, object_store::Error> {
        match store.get(key).await {
            Ok(r) => {
                let v = UpdateVersion {
                    e_tag: r.meta.e_tag.clone(),
                    version: r.meta.version.clone(),
                };
                let bytes = r.bytes().await?;
                Ok(Some((
                    String::from_utf8_lossy(&bytes).trim().to_string(),
                    v,
                )))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Checks that the store refuses a conditional write whose condition
    /// fails; a store that ignores the headers would let two publishes
    /// both switch `current`.
    async fn probe(store: &AmazonS3, key: &Key) -> Result<(), S3Error> {
        let step = "kiểm tra ghi có điều kiện / conditional write check";
        let create = || PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        let first = store
            .put_opts(key, PutPayload::from_static(b"probe"), create())
            .await;
        let result = match first {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => {
                let again = store
                    .put_opts(key, PutPayload::from_static(b"probe"), create())
                    .await;
                match again {
                    Err(
                        object_store::Error::AlreadyExists { .. }
                        | object_store::Error::Precondition { .. },
                    ) => {
                        let stale = PutOptions {
                            mode: PutMode::Update(UpdateVersion {
                                e_tag: Some("\"00000000000000000000000000000000\"".into()),
                                version: None,
                            }),
                            ..PutOptions::default()
                        };
                        match store
                            .put_opts(key, PutPayload::from_static(b"probe"), stale)
                            .await
                        {
                            Err(object_store::Error::Precondition { .. }) => Ok(()),
                            Ok(_) => Err(S3Error::NoConditional {
                                detail: "If-Match: a write with a wrong ETag was accepted".into(),
                            }),
                            Err(e) => Err(unsupported_or(step, &e)),
                        }
                    }
                    Ok(_) => Err(S3Error::NoConditional {
                        detail: "If-None-Match: * : an existing object was overwritten".into(),
                    }),
                    Err(e) => Err(unsupported_or(step, &e)),
                }
            }
            Err(e) => Err(unsupported_or(step, &e)),
        };
        let _ = store.delete(key).await;
        result
    }
}

/// A store that answers 501 Not Implemented (or says so) to a conditional
/// write does not support them; anything else is the usual failure.
fn unsupported_or(step: &'static str, e: &object_store::Error) -> S3Error {
    match classify(step, e) {
        S3Error::Store { detail, .. }
            if matches!(
                e,
                object_store::Error::NotImplemented { .. }
                    | object_store::Error::NotSupported { .. }
            ) || detail.contains("NotImplemented")
                || detail.contains("501 Not Implemented") =>
        {
            S3Error::NoConditional { detail }
        }
        other => other,
    }
}

/// A progress bar on a terminal, nothing otherwise.
fn progress(len: usize, msg: String) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(len as u64).with_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {bar:40} {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(msg);
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}

impl Endpoint for S3Endpoint {
    fn place(&self) -> String {
        self.place.clone()
    }

    /// Object storage has no lock: the conditional write of `current` is
    /// what keeps two publishes apart, so this checks that the store honours
    /// it before anything is uploaded.
    fn lock(&mut self) -> Result<(), ErrorKind> {
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let key = self.key(&format!(".planpress-probe-{pid}-{nanos}"));
        let store = Arc::clone(&self.store);
        self.rt
            .block_on(Self::probe(&store, &key))
            .map_err(|e| self.fail(e))
    }

    fn state(&mut self) -> Result<TargetState, ErrorKind> {
        let store = Arc::clone(&self.store);
        let releases_key = self.key("releases");
        let current_key = self.key("current");
        let prefix = self.prefix.clone();
        let (ids, current) = self
            .rt
            .block_on(async {
                let listing = store
                    .list_with_delimiter(Some(&releases_key))
                    .await
                    .map_err(|e| classify("liệt kê / list", &e))?;
                let ids: Vec<String> = listing
                    .common_prefixes
                    .iter()
                    .filter_map(|p| p.filename().map(str::to_string))
                    .filter(|n| manifest::is_id(n))
                    .collect();
                let current = Self::read_current(&store, &current_key)
                    .await
                    .map_err(|e| classify("đọc current / read current", &e))?;
                Ok::<_, S3Error>((ids, current))
            })
            .map_err(|e| self.fail(e))?;
        // A release is complete when its manifest exists.
        let complete: Vec<bool> = self
            .rt
            .block_on(
                stream::iter(ids.iter().map(|id| {
                    let store = Arc::clone(&store);
                    let key = key_of(&prefix, &format!("releases/{id}/{MANIFEST}"));
                    async move {
                        match store.head(&key).await {
                            Ok(_) => Ok(true),
                            Err(object_store::Error::NotFound { .. }) => Ok(false),
                            Err(e) => Err(classify("đọc manifest / read manifest", &e)),
                        }
                    }
                }))
                .buffered(PARALLEL)
                .try_collect(),
            )
            .map_err(|e| self.fail(e))?;
        let mut releases = Vec::new();
        let mut partials = Vec::new();
        for (id, done) in ids.into_iter().zip(complete) {
            if done {
                releases.push(id);
            } else {
                partials.push(id);
            }
        }
        releases.sort();
        partials.sort();
        self.partials.clone_from(&partials);
        let current = match current {
            None => {
                self.current_version = None;
                CurrentLink::Absent
            }
            Some((text, version)) => {
                self.current_version = Some(version);
                if manifest::is_id(&text) {
                    CurrentLink::Release(text)
                } else {
                    CurrentLink::Elsewhere
                }
            }
        };
        Ok(TargetState {
            releases,
            partials,
            trash: Vec::new(),
            current,
        })
    }

    fn manifests(&mut self, ids: &[String]) -> Result<Vec<Option<Manifest>>, ErrorKind> {
        let store = Arc::clone(&self.store);
        let keys: Vec<Key> = ids
            .iter()
            .map(|id| self.release_key(id, MANIFEST))
            .collect();
        self.rt
            .block_on(
                stream::iter(keys.into_iter().map(|key| {
                    let store = Arc::clone(&store);
                    async move {
                        match store.get(&key).await {
                            Ok(r) => match r.bytes().await {
                                Ok(b) => Ok(Manifest::parse(&b)),
                                Err(e) => Err(classify("đọc manifest / read manifest", &e)),
                            },
                            Err(object_store::Error::NotFound { .. }) => Ok(None),
                            Err(e) => Err(classify("đọc manifest / read manifest", &e)),
                        }
                    }
                }))
                .buffered(PARALLEL)
                .try_collect(),
            )
            .map_err(|e| self.fail(e))
    }

    fn stage(&mut self, job: &Upload<'_>) -> Result<Staged, ErrorKind> {
        let id = job
            .partial
            .strip_prefix(PARTIAL)
            .unwrap_or(&job.partial)
            .to_string();
        self.staged = Some(id.clone());
        let store = Arc::clone(&self.store);
        let prefix = self.prefix.clone();
        let lang = self.lang;
        let mut staged = Staged::default();

        // What an earlier, cut publish already uploaded whole and right:
        // copied inside the store rather than sent again.
        let mut resumed: BTreeMap<&str, Key> = BTreeMap::new();
        if let Some(partial) = &job.resume {
            let want: BTreeMap<&str, &str> = job
                .send
                .iter()
                .map(|e| (e.path.as_str(), e.sha256.as_str()))
                .collect();
            let found: Vec<Option<(&str, Key)>> = self
                .rt
                .block_on(
                    stream::iter(want.into_iter().map(|(path, sha)| {
                        let store = Arc::clone(&store);
                        let key = key_of(&prefix, &format!("releases/{partial}/{path}"));
                        async move {
                            let head = GetOptions {
                                head: true,
                                ..GetOptions::default()
                            };
                            match store.get_opts(&key, head).await {
                                Ok(r) => {
                                    let theirs =
                                        r.attributes.get(&Attribute::Metadata(META_SHA.into()));
                                    Ok(theirs
                                        .is_some_and(|v| v.as_ref() == sha)
                                        .then_some((path, key)))
                                }
                                Err(object_store::Error::NotFound { .. }) => Ok(None),
                                Err(e) => Err(classify("tiếp tục / resume", &e)),
                            }
                        }
                    }))
                    .buffer_unordered(PARALLEL)
                    .try_collect(),
                )
                .map_err(|e| self.fail(e))?;
            resumed = found.into_iter().flatten().collect();
        }

        // Copies inside the store: unchanged files from the current
        // release, and what the cut publish left.
        let mut copies: Vec<(Key, Key)> = Vec::new();
        if let Some(base) = job.base {
            for e in &job.link {
                copies.push((
                    key_of(&prefix, &format!("releases/{base}/{}", e.path)),
                    key_of(&prefix, &format!("releases/{id}/{}", e.path)),
                ));
            }
        }
        for (path, from) in &resumed {
            copies.push((
                from.clone(),
                key_of(&prefix, &format!("releases/{id}/{path}")),
            ));
        }
        let total = copies.len() + job.send.len();
        let bar = progress(total, tr!(lang, "Đang tải lên", "Uploading").to_string());
        self.rt
            .block_on(
                stream::iter(copies.into_iter().map(|(from, to)| {
                    let store = Arc::clone(&store);
                    let bar = bar.clone();
                    async move {
                        store
                            .copy(&from, &to)
                            .await
                            .map_err(|e| classify("sao chép / copy", &e))?;
                        bar.inc(1);
                        Ok::<_, S3Error>(())
                    }
                }))
                .buffer_unordered(PARALLEL)
                .try_collect::<Vec<()>>(),
            )
            .map_err(|e| self.fail(e))?;
        staged.linked = job.link.len();
        staged.resumed = resumed.len();

        let sends: Vec<_> = job
            .send
            .iter()
            .filter(|e| !resumed.contains_key(e.path.as_str()))
            .map(|e| {
                let bytes = job.bytes.get(e.path.as_str()).copied().unwrap_or_default();
                let mut attrs = headers(&e.path);
                attrs.push((Attribute::Metadata(META_SHA.into()), e.sha256.clone()));
                attrs.push((Attribute::Metadata(META_RELEASE.into()), id.clone()));
                (
                    key_of(&prefix, &format!("releases/{id}/{}", e.path)),
                    PutPayload::from(bytes.to_vec()),
                    attributes(attrs),
                )
            })
            .collect();
        staged.sent = sends.len();
        staged.sent_bytes = sends
            .iter()
            .map(|(_, p, _)| p.content_length() as u64)
            .sum();
        self.rt
            .block_on(
                stream::iter(sends.into_iter().map(|(key, payload, attributes)| {
                    let store = Arc::clone(&store);
                    let bar = bar.clone();
                    async move {
                        let opts = PutOptions {
                            attributes,
                            ..PutOptions::default()
                        };
                        store
                            .put_opts(&key, payload, opts)
                            .await
                            .map_err(|e| classify("tải lên / upload", &e))?;
                        bar.inc(1);
                        Ok::<_, S3Error>(())
                    }
                }))
                .buffer_unordered(PARALLEL)
                .try_collect::<Vec<()>>(),
            )
            .map_err(|e| self.fail(e))?;
        bar.finish_and_clear();

        // The manifest last: from now on the release is complete.
        let opts = PutOptions {
            attributes: attributes(vec![
                (Attribute::ContentType, "application/json".into()),
                (Attribute::CacheControl, CACHE_NONE.into()),
            ]),
            ..PutOptions::default()
        };
        let key = self.release_key(&id, MANIFEST);
        self.rt
            .block_on(store.put_opts(&key, PutPayload::from(job.manifest.clone()), opts))
            .map_err(|e| self.fail(classify("ghi manifest / write manifest", &e)))?;

        // Every file is there before `current` may name the release (a
        // store's listing shows what it holds, whatever happened meanwhile).
        let dir = self.key(&format!("releases/{id}"));
        let held: std::collections::BTreeSet<String> = self
            .rt
            .block_on(
                store
                    .list(Some(&dir))
                    .map_ok(|m| m.location.to_string())
                    .try_collect(),
            )
            .map_err(|e| self.fail(classify("kiểm tra / verify", &e)))?;
        let base = format!("{dir}/");
        let missing: Vec<&str> = job
            .link
            .iter()
            .chain(&job.send)
            .map(|e| e.path.as_str())
            .filter(|p| !held.contains(&format!("{base}{p}")))
            .collect();
        if let Some(first) = missing.first() {
            let n = missing.len();
            let detail = tr!(
                lang,
                "Sau khi tải lên vẫn thiếu {n} tệp, ví dụ {first} (có thể một lần xuất bản khác vừa dọn chúng).",
                "{n} files are missing after the upload, for example {first} (another publish may have just cleaned them up)."
            );
            return Err(self.fail(S3Error::Store {
                step: "kiểm tra / verify",
                detail,
            }));
        }
        Ok(staged)
    }

    fn commit(&mut self, _partial: &str, _id: &str) -> Result<(), ErrorKind> {
        // Uploaded in place: the manifest written last made it complete.
        Ok(())
    }

    fn switch(&mut self, id: &str) -> Result<(), ErrorKind> {
        let store = Arc::clone(&self.store);
        let key = self.key("current");
        let mode = match &self.current_version {
            Some(v) => PutMode::Update(v.clone()),
            None => PutMode::Create,
        };
        let opts = PutOptions {
            mode,
            attributes: attributes(vec![
                (Attribute::ContentType, "text/plain; charset=utf-8".into()),
                (Attribute::CacheControl, CACHE_NONE.into()),
                (Attribute::Metadata(META_RELEASE.into()), id.to_string()),
            ]),
            ..PutOptions::default()
        };
        let put =
            self.rt
                .block_on(store.put_opts(&key, PutPayload::from(id.as_bytes().to_vec()), opts));
        match put {
            Ok(r) => {
                self.current_version = Some(r.into());
                if self.staged.as_deref() == Some(id) {
                    // Every upload unfinished when this publish started
                    // belongs to a publish that is dead, or that started
                    // from the old `current` and so can no longer switch
                    // it: none of them can become a release. Best effort:
                    // one that stays is cleaned by the next publish.
                    let leftovers: Vec<String> = std::mem::take(&mut self.partials)
                        .into_iter()
                        .filter(|p| p != id)
                        .collect();
                    let _ = self.remove(&leftovers);
                }
                Ok(())
            }
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => {
                let now = self
                    .rt
                    .block_on(Self::read_current(&store, &key))
                    .ok()
                    .flatten()
                    .map(|(t, _)| t);
                // The release this publish uploaded will never be served:
                // take it away, unless the winner made the very same one.
                if self.staged.as_deref() == Some(id) && now.as_deref() != Some(id) {
                    let _ = self.remove(&[id.to_string()]);
                }
                Err(self.fail(S3Error::Raced { now }))
            }
            Err(e) => Err(self.fail(classify("chuyển current / switch current", &e))),
        }
    }

    fn remove(&mut self, ids: &[String]) -> Result<(), ErrorKind> {
        let store = Arc::clone(&self.store);
        for id in ids {
            // The manifest first: a release cut half-way through deletion
            // is then an unfinished upload, never a complete-looking one.
            let manifest = self.release_key(id, MANIFEST);
            let dir = self.key(&format!("releases/{id}"));
            self.rt
                .block_on(async {
                    match store.delete(&manifest).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                    let keys = store.list(Some(&dir)).map_ok(|m| m.location).boxed();
                    store
                        .delete_stream(keys)
                        .try_collect::<Vec<Key>>()
                        .await
                        .map(|_| ())
                })
                .map_err(|e| self.fail(classify("xoá bản cũ / delete release", &e)))?;
        }
        Ok(())
    }
}

fn key_of(prefix: &str, rest: &str) -> Key {
    if prefix.is_empty() {
        Key::from(rest)
    } else {
        Key::from(format!("{prefix}/{rest}"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn header(path: &str, a: &Attribute) -> Option<String> {
        headers(path)
            .into_iter()
            .find(|(k, _)| k == a)
            .map(|(_, v)| v)
    }

    #[test]
    fn pages_cache_briefly_and_hashed_assets_for_a_year() {
        assert_eq!(
            header("index.html", &Attribute::CacheControl).unwrap(),
            CACHE_SHORT
        );
        assert_eq!(
            header("static/style.css", &Attribute::CacheControl).unwrap(),
            CACHE_SHORT
        );
        assert_eq!(
            header("static/app.3fa9c2d1.css", &Attribute::CacheControl).unwrap(),
            CACHE_IMMUTABLE
        );
        // A word of hex letters or a year is not a content hash.
        assert!(!hashed("static/deadbeef.cafebabe.css"));
        assert!(!hashed("2019/20190716.html"));
        assert!(!hashed("app.css"));
    }

    #[test]
    fn content_types_and_encodings_are_set_on_purpose() {
        assert_eq!(
            header("2019/so-tttt/index.html", &Attribute::ContentType).unwrap(),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            header("data/2019.csv", &Attribute::ContentType).unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(header("index.html", &Attribute::ContentEncoding), None);
        assert_eq!(
            header("charts/a.svgz", &Attribute::ContentEncoding).unwrap(),
            "gzip"
        );
        // A .gz download keeps its bytes: no Content-Encoding.
        assert_eq!(header("data/all.csv.gz", &Attribute::ContentEncoding), None);
        assert_eq!(
            header("data/all.csv.gz", &Attribute::ContentType).unwrap(),
            "application/gzip"
        );
    }

    #[test]
    fn prefixes_must_make_valid_keys() {
        assert!(good_prefix(""));
        assert!(good_prefix("ke-hoach-cntt"));
        assert!(good_prefix("tinh/ke-hoach"));
        assert!(!good_prefix("a//b"));
        assert!(!good_prefix("a/../b"));
        assert!(!good_prefix("."));
    }

    #[test]
    fn keys_sit_under_the_prefix() {
        assert_eq!(key_of("", "current").as_ref(), "current");
        assert_eq!(
            key_of("ke-hoach", "releases/x/index.html").as_ref(),
            "ke-hoach/releases/x/index.html"
        );
    }

    #[test]
    fn errors_are_told_in_vietnamese_first() {
        let m = message(&S3Error::NoCredentials, "s3://b/p", Lang::Vi);
        assert!(m.contains("AWS_ACCESS_KEY_ID") && m.contains("Chưa thay đổi gì"));
        let m = message(&S3Error::NoBucket, "s3://b/p", Lang::En);
        assert!(m.contains("no such bucket"));
    }
}
