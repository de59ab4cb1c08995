//! Answers whose body is already written: a JSON document as text (the bytes the CLI
//! prints for the same question, from `bamboo_app`) and an SVG drawing.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A JSON document already written as text.
pub fn json(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// An SVG drawing.
pub fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
