//! Advice, backtests and simulations: the routes that run the doctrine engine and the
//! simulator, with the limits that keep any one request bounded.
//!
//! The engine and the simulator are not in this build yet. Until they are, these routes
//! check what they can (content type, body, limits) and then answer 501 with a message
//! that says so; they never invent a result.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// A case body as sent: TOML text, or the same structure as JSON.
pub enum CaseBody {
    Toml(String),
    Json(Value),
}

/// Reads a body sent as `application/toml` or `application/json`.
pub fn case_body(headers: &HeaderMap, body: &Bytes) -> Result<CaseBody, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = || {
        std::str::from_utf8(body)
            .map(str::to_string)
            .map_err(|_| ApiError::bad_request("the body is not UTF-8 text"))
    };
    match ct.as_str() {
        "application/toml" | "text/toml" | "text/x-toml" => Ok(CaseBody::Toml(text()?)),
        "application/json" => serde_json::from_slice(body)
            .map(CaseBody::Json)
            .map_err(|e| ApiError::bad_request(format!("the JSON body could not be read: {e}"))),
        "" => Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "say what the body is: `Content-Type: application/toml` for a case file, or `application/json` for the same structure as JSON",
        )),
        other => Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type `{other}` is not accepted; send `application/toml` (a case file) or `application/json`"),
        )),
    }
}

fn engine_missing(what: &str) -> ApiError {
    ApiError::not_implemented(format!(
        "{what} needs the doctrine engine, which this build of bamboo does not include yet; the vote, chart and ledger endpoints work (see /api/health, features)"
    ))
}

/// `POST /api/advise?doctrine=NAME`.
pub async fn advise(
    State(_st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let _p = p.allow(&["doctrine"])?;
    let _cases = case_body(&headers, &body)?;
    Err(engine_missing("advice"))
}

/// `POST /api/backtest?doctrine=NAME`.
pub async fn backtest(
    State(_st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let _p = p.allow(&["doctrine"])?;
    let _cases = case_body(&headers, &body)?;
    Err(engine_missing("a backtest"))
}

/// What a simulation request asks for, checked against the limits.
#[derive(Debug, Clone, PartialEq)]
pub struct SimRequest {
    pub subject: String,
    pub doctrines: Vec<String>,
    pub runs: u32,
    pub years: u32,
    pub seed: u64,
}

/// Reads and bounds a simulation request: every number within the configured limits (422
/// beyond, naming the limit), so no request can ask for unbounded work.
pub fn sim_request(v: &Value, st: &AppState) -> Result<SimRequest, ApiError> {
    let lim = st.limits();
    let o = v.as_object().ok_or_else(|| {
        ApiError::unprocessable("the body must be a JSON object: {\"doctrines\": [...], \"runs\": N, \"years\": N, \"seed\": N}")
    })?;
    const FIELDS: [&str; 5] = ["subject", "doctrines", "runs", "years", "seed"];
    if let Some(k) = o.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ApiError::invalid_field(
            k,
            format!("is not a simulation field; allowed: {}", FIELDS.join(", ")),
        ));
    }
    let count = |name: &str, max: u64, default: u64| -> Result<u64, ApiError> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => match v.as_u64() {
                Some(n) if (1..=max).contains(&n) => Ok(n),
                Some(n) if n > max => Err(ApiError::invalid_field(
                    name,
                    format!("{n} is beyond this server's limit of {max}; ask for at most {max}"),
                )),
                _ => Err(ApiError::invalid_field(
                    name,
                    format!("must be a whole number from 1 to {max}"),
                )),
            },
        }
    };
    let runs = count(
        "runs",
        u64::from(lim.sim_max_runs),
        200.min(u64::from(lim.sim_max_runs)),
    )? as u32;
    let years = count(
        "years",
        u64::from(lim.sim_max_years),
        10.min(u64::from(lim.sim_max_years)),
    )? as u32;
    let seed = match o.get("seed") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| ApiError::invalid_field("seed", "must be a whole number ≥ 0"))?,
    };
    let subject = match o.get("subject") {
        None | Some(Value::Null) => "VNM".to_string(),
        Some(Value::String(s)) => crate::params::country(s, "subject", &st.votes().countries)
            .map_err(|e| ApiError::invalid_field("subject", e.message))?
            .to_string(),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "subject",
                "must be an ISO3 code, e.g. \"VNM\"",
            ))
        }
    };
    let doctrines: Vec<String> = match o.get("doctrines") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|d| {
                d.as_str().map(str::to_string).ok_or_else(|| {
                    ApiError::invalid_field(
                        "doctrines",
                        "must be a list of doctrine names, e.g. [\"vietnam\", \"bandwagon\"]",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid_field(
                "doctrines",
                "must be a list of doctrine names, e.g. [\"vietnam\", \"bandwagon\"]",
            ))
        }
    };
    if doctrines.len() > lim.sim_max_doctrines {
        return Err(ApiError::invalid_field(
            "doctrines",
            format!(
                "{} doctrines is beyond this server's limit of {}; compare at most {}",
                doctrines.len(),
                lim.sim_max_doctrines,
                lim.sim_max_doctrines
            ),
        ));
    }
    Ok(SimRequest {
        subject,
        doctrines,
        runs,
        years,
        seed,
    })
}

/// `POST /api/simulate`: checks the request against the limits, then (until the simulator
/// is in this build) answers 501.
pub async fn simulate(
    State(st): State<AppState>,
    p: Params,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let Json(v) = body?;
    let _req = sim_request(&v, &st)?;
    Err(ApiError::not_implemented(
        "simulation needs the simulator (bamboo-sim), which this build of bamboo does not include yet; your request was within the limits",
    ))
}

/// `GET /api/doctrines`: the shipped doctrines (files in `doctrines/` of the curated data).
pub async fn doctrines(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let list = curated_files(&st, "doctrines")?
        .into_iter()
        .map(|(name, _)| json!({ "name": name }))
        .collect::<Vec<_>>();
    Ok(Json(json!({ "doctrines": list })))
}

/// `GET /api/cases`: the sample case files, with their text, for the dashboard's picker.
pub async fn cases(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let list = curated_files(&st, "cases")?
        .into_iter()
        .map(|(name, text)| json!({ "name": name, "toml": text }))
        .collect::<Vec<_>>();
    Ok(Json(json!({ "cases": list })))
}

/// `(file stem, text)` of every `*.toml` in a folder of the curated data, sorted by name.
fn curated_files(st: &AppState, sub: &str) -> Result<Vec<(String, String)>, ApiError> {
    let Some(dir) = st.curated().dir(sub) else {
        return Ok(Vec::new());
    };
    let files = bamboo_data::toml_input::toml_files(&dir).map_err(ApiError::internal)?;
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            std::fs::read_to_string(&p)
                .map(|t| (name, t))
                .map_err(ApiError::internal)
        })
        .collect()
}
