//! The server's own middleware, between the layers of `tower-http` and the routes: every
//! error answer made JSON ([`json_errors`]), the URI limit ([`uri_limit`]) and the token
//! check of write routes ([`require_token`]).

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::bearer_token;
use crate::error::ApiError;
use crate::limits::Limits;
use crate::state::AppState;

/// The message for an answer that left the router without a JSON body.
fn message_for(
    status: StatusCode,
    method: &Method,
    path: &str,
    allow: &str,
    text: &str,
    limits: &Limits,
) -> String {
    match status {
        StatusCode::NOT_FOUND => format!(
            "there is no {method} {path}; the API is listed at /api/openapi.json and the dashboard is at /"
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{path} does not take {method}; it takes {allow}")
        }
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is larger than this server's limit of {} bytes; send less (the limits are at /api/health)",
            limits.body_bytes
        ),
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request took longer than this server's limit of {} ms and was stopped; send a smaller request, or the whole body at once (the limits are at /api/health)",
            limits.request_timeout.as_millis()
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE if text.is_empty() => {
            "unsupported Content-Type; see /api/openapi.json for what each route accepts".into()
        }
        _ if !text.trim().is_empty() => text.trim().to_string(),
        s => s
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_string(),
    }
}

/// Middleware: every error answer (status ≥ 400) that is not already JSON becomes an
/// [`ApiError`]; a 5xx keeps only its status, its detail goes to the log.
pub async fn json_errors(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let status = resp.status();
    if status.as_u16() < 400 {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // A 413 is rewritten even when an extractor already made it JSON, to name the limit.
    if is_json && status != StatusCode::PAYLOAD_TOO_LARGE {
        return resp;
    }
    let allow = resp
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let err = if status.is_server_error() {
        ApiError::internal(format!("{status} on {method} {path}: {text}"))
    } else {
        ApiError::new(
            status,
            message_for(status, &method, &path, &allow, &text, st.limits()),
        )
    };
    let mut out = err.into_response();
    // Keep the headers a client needs to act (Allow on 405, WWW-Authenticate on 401).
    for h in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&h) {
            out.headers_mut().insert(h, v.clone());
        }
    }
    out
}

/// Middleware for write routes: 401 unless the request carries the token.
pub async fn require_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    match header {
        None => Err(unauthorized(
            "this request changes the ledger and needs the header `Authorization: Bearer <token>`; the token is BAMBOO_TOKEN, or the one the server printed when it started",
        )),
        Some(h) => {
            let given = bearer_token(h).ok_or_else(|| {
                    unauthorized(
                        "the Authorization header must be `Bearer <token>` (the word Bearer, a space, then the token)",
                    )
                })?;
            if state.token().matches(given) {
                Ok(next.run(req).await)
            } else {
                tracing::warn!(path = %req.uri().path(), "write refused: wrong token");
                Err(unauthorized(
                    "the token is wrong; use BAMBOO_TOKEN, or the one the server printed when it started",
                ))
            }
        }
    }
}

/// 414 for a URI longer than the limit, before anything reads it.
pub async fn uri_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let max = st.limits().uri_bytes;
    let len = req.uri().to_string().len();
    if len > max {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the request's URI is {len} bytes, longer than this server's limit of {max}; send fewer or shorter parameters"),
        )
        .into_response();
    }
    next.run(req).await
}
