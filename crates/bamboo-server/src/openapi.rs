//! The OpenAPI 3.1 document of the API, written by hand in `openapi.json` and served as is.

use axum::http::header;
use axum::response::IntoResponse;

/// The document, embedded at build time.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// `GET /api/openapi.json`.
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
