//! bamboo-server: the HTTP face of bamboo. [`app`] builds the whole service (the JSON API,
//! its OpenAPI document, the SVG charts and the dashboard) from an [`AppState`]; [`serve`]
//! runs it on a listener the caller opened until a shutdown future the caller chose
//! completes. It binds no socket and reads no environment of its own, so tests drive the
//! router directly, without a socket.

pub mod answer;
pub mod api;
pub mod auth;
pub mod blocking;
pub mod catalog;
pub mod conn;
pub mod data;
pub mod error;
pub mod fits;
pub mod limits;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod sim;
pub mod state;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnFailure, DefaultOnResponse, TraceLayer};

pub use auth::{Token, TOKEN_ENV};
pub use catalog::Catalog;
pub use data::VoteData;
pub use error::ApiError;
pub use limits::Limits;
pub use state::AppState;

/// Unknown routes: 404 with the route that was asked for and where the list is.
async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "there is no {method} {}; the API is listed at /api/openapi.json and the dashboard is at /",
        uri.path()
    ))
}

/// The whole service: [`wrap`] around the routes.
pub fn app(state: AppState) -> Router {
    let (routes, _) = api::routes(&state);
    let inner: Router = routes.fallback(not_found).with_state(state.clone());
    wrap(inner, &state)
}

/// The layers around the routes, from the outside in: request logs, `nosniff`, JSON errors
/// for whatever answers without one, the request timeout, panics turned into a bare 500,
/// the body limit.
///
/// The routes sit in an inner router that the layers wrap as one service (rather than
/// being applied route by route with `Router::layer`), so that every answer the layers see
/// is complete, `Allow` header of a 405 included.
pub fn wrap(inner: Router, state: &AppState) -> Router {
    let limits = state.limits().clone();
    Router::new()
        .fallback_service(inner)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(CatchPanicLayer::custom(
            |panic: Box<dyn std::any::Any + Send>| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                ApiError::internal(format!("handler panicked: {what}")).into_response()
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(from_fn_with_state(state.clone(), middleware::uri_limit))
        .layer(from_fn_with_state(state.clone(), middleware::json_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
}

/// Serves [`app`] on `listener` until `shutdown` completes, then stops taking connections
/// and lets the requests in flight finish (each is bounded by the request timeout). The
/// connections are bounded in number and in the time their headers may take (see
/// [`conn`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits().clone();
    conn::serve_connections(listener, app(state), limits, shutdown).await
}
