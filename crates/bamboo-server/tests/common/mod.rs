//! Helpers for the router tests: the real shared data loaded once, a fresh in-memory ledger
//! per test, and requests sent straight to the router (no socket).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_data::DataDir;
use bamboo_server::{app, AppState, Catalog, Limits, Token, VoteData};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const TOKEN: &str = "test-token-0123456789abcdef";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn data_dir() -> DataDir {
    let dir = workspace_root().join("../shared/data");
    assert!(
        dir.join("unga").is_dir(),
        "the shared data is missing at {}: the tests run on the real data",
        dir.display()
    );
    DataDir::locate(Some(&dir), None, Path::new(".")).unwrap()
}

/// The real vote data and the shipped doctrines, loaded once per test binary.
pub fn loaded() -> (Arc<VoteData>, Arc<Catalog>) {
    static V: OnceLock<(Arc<VoteData>, Arc<Catalog>)> = OnceLock::new();
    V.get_or_init(|| {
        let dir = data_dir();
        let votes = VoteData::load(&dir, &[]).unwrap();
        let catalog = Catalog::load(&workspace_root().join("data"), &dir, &votes).unwrap();
        (Arc::new(votes), Arc::new(catalog))
    })
    .clone()
}

pub fn votes() -> Arc<VoteData> {
    loaded().0
}

pub fn state_with(limits: Limits, db: LedgerDb) -> AppState {
    AppState::new(
        votes(),
        db,
        loaded().1,
        Token::from_secret(TOKEN).unwrap(),
        limits,
    )
}

pub fn state() -> AppState {
    state_with(Limits::default(), LedgerDb::open_in_memory().unwrap().0)
}

pub fn router() -> Router {
    app(state())
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `error` message of a JSON error answer, checking the shape.
    pub fn error(&self) -> String {
        assert!(
            self.content_type().starts_with("application/json"),
            "error answers are JSON, got `{}`: {}",
            self.content_type(),
            self.text()
        );
        let v = self.json();
        v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no `error` in {v}"))
            .to_string()
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_json(
    app: &Router,
    uri: &str,
    body: &serde_json::Value,
    token: Option<&str>,
) -> Answer {
    let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(app, r.body(Body::from(body.to_string())).unwrap()).await
}
