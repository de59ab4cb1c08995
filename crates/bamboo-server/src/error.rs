//! The one error type of the API, and the one place it becomes a response.
//!
//! Every 4xx answer is JSON `{"error": "..."}` (plus `"field"` when one field of the input
//! is at fault) with a message a person can act on. A 5xx answer says nothing internal: the
//! detail goes to the log under a number, and the client gets only that number.
//! [`json_errors`] turns the answers that axum and tower-http produce on their own (unknown
//! route, wrong method, bad JSON, wrong content type, body too large, timeout) into the
//! same shape.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An API error: a status and a message for the person who sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// For a 503: when to try again, in seconds (the `Retry-After` header).
    pub retry_after: Option<u64>,
    /// For a 500: the detail that went to the log (never sent to the client).
    pub detail: Option<String>,
    /// Every located problem of the input, when there are several (a case file's): sent
    /// as `"errors": [{"line", "field", "message"}]` beside the first in `"error"`.
    pub errors: Vec<Located>,
}

/// One located problem of an input: its 1-based line, its key, and the full message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

static INTERNAL_ERRORS: AtomicU64 = AtomicU64::new(0);

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
            detail: None,
            errors: Vec::new(),
        }
    }

    /// 400: the request is malformed (a missing or unparseable parameter).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 422: well-formed, but a field's value is not allowed.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("field `{field}`: {}", message.into()),
            field: Some(field.to_string()),
            retry_after: None,
            detail: None,
            errors: Vec::new(),
        }
    }

    /// 422: well-formed, but not something the server will do (e.g. beyond its limits).
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 501: a feature this build does not have yet. The message is ours, never an error's.
    pub fn not_implemented(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_IMPLEMENTED, message)
    }

    /// 503: the server is busy or cannot do this now; try again after `seconds`.
    pub fn unavailable(message: impl Into<String>, seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }

    /// 500: logs `detail` under a fresh number and answers with the number only.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        let n = INTERNAL_ERRORS.fetch_add(1, Ordering::Relaxed) + 1;
        let detail = detail.to_string();
        tracing::error!(error_id = n, "internal error: {detail}");
        ApiError {
            detail: Some(detail),
            ..ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error #{n}; the server's log has the details"),
            )
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // One line, and no value a client sent quoted at more than 80 characters.
        let mut body = serde_json::json!({ "error": bamboo_data::text::one_line(&self.message) });
        if let Some(f) = &self.field {
            body["field"] = serde_json::json!(f);
        }
        if !self.errors.is_empty() {
            body["errors"] = self
                .errors
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "line": e.line,
                        "field": e.field,
                        "message": bamboo_data::text::one_line(&e.message),
                    })
                })
                .collect();
        }
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"bamboo\""),
            );
        }
        resp
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        let status = r.status();
        let message = match &r {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with the header `Content-Type: application/json`".into()
            }
            _ => format!("the JSON body could not be read: {}", r.body_text()),
        };
        ApiError::new(status, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::bad_request(format!("bad query string: {}", r.body_text()))
    }
}
