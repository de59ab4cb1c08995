//! Helpers for the router tests: the real shared data loaded once, a fresh in-memory ledger
//! per test, and requests sent straight to the router (no socket).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
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

/// The votes of `year` read straight from the unvotes files (`un_roll_calls.csv.gz`,
/// `un_votes.csv.gz`: 1946-2019), with nothing of bamboo's readers or store, for tests that
/// check an answer against the raw data: roll call id -> (ISO2 code -> vote, coded as the
/// spec codes it: yes 1, abstain 2, no 3). A state absent from a roll call has no entry.
pub fn unvotes_of_year(year: u16) -> BTreeMap<u64, HashMap<String, u8>> {
    let gunzip = |name: &str| {
        let path = workspace_root().join("../shared/data/unga").join(name);
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text
    };
    // `rcid` is written as a float ("3.0").
    let rcid = |s: &str| s.parse::<f64>().unwrap() as u64;
    // rcid,session,importantvote,date,...: the first four fields hold no comma.
    let mut out: BTreeMap<u64, HashMap<String, u8>> = gunzip("un_roll_calls.csv.gz")
        .lines()
        .skip(1)
        .filter(|l| {
            l.split(',')
                .nth(3)
                .unwrap()
                .starts_with(&format!("{year}-"))
        })
        .map(|l| (rcid(l.split(',').next().unwrap()), HashMap::new()))
        .collect();
    // rcid,country,country_code,vote: a quoted country name may hold a comma, the code and
    // the vote never do.
    for l in gunzip("un_votes.csv.gz").lines().skip(1) {
        let mut back = l.rsplitn(3, ',');
        let (vote, code) = (back.next().unwrap(), back.next().unwrap());
        let Some(votes) = out.get_mut(&rcid(l.split(',').next().unwrap())) else {
            continue;
        };
        let v = match vote {
            "yes" => 1,
            "abstain" => 2,
            "no" => 3,
            other => panic!("vote `{other}` in {l}"),
        };
        votes.insert(code.to_string(), v);
    }
    out
}

/// The agreement of two states over roll calls, by the spec's formula
/// (`shared/spec/metrics.md`: the mean of `1 - |v_i - v_j| / 2` over the roll calls both
/// voted on) and its `n`, from [`unvotes_of_year`]'s votes.
pub fn raw_agreement(year: &BTreeMap<u64, HashMap<String, u8>>, a: &str, b: &str) -> (u64, f64) {
    let both: Vec<(u8, u8)> = year
        .values()
        .filter_map(|r| Some((*r.get(a)?, *r.get(b)?)))
        .collect();
    let sum: f64 = both
        .iter()
        .map(|&(x, y)| 1.0 - f64::from(x.abs_diff(y)) / 2.0)
        .sum();
    (both.len() as u64, sum / both.len() as f64)
}
