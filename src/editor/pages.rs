//! The editor's pages: server-rendered HTML that reads without JavaScript.

use axum::http::HeaderMap;
use axum::response::Response;

use super::api::App;

pub(crate) fn page(
    _app: &App,
    _path: &str,
    _query: Option<&str>,
    _headers: &HeaderMap,
) -> Response {
    Response::new(axum::body::Body::from("planpress editor"))
}
