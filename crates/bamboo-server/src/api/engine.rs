//! Advice, backtests and simulations: the routes that run the doctrine engine and the
//! simulator, with the limits that keep any one request bounded.
//!
//! Advice and backtests go through `bamboo_data::advisor` and its JSON printers, the very
//! functions `bamboo advise --json` and `bamboo backtest --json` call, so one case file gets
//! the same bytes from both. By default the engine reads the doctrine's own ledger file, as
//! the CLI does; `?ledger=db` reads the server's live ledger instead (the events of the
//! database that involve the doctrine's subject). Simulations run the shipped worlds and
//! doctrines through `bamboo-sim` (see `crate::sim`).

use std::path::Path;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use bamboo_core::case::Case;
use bamboo_core::ledger::Ledger;
use bamboo_data::advisor::{advice_json, backtest_json, AdviseError};
use bamboo_data::ledger_db::EventQuery;
use bamboo_data::InputError;

use crate::blocking::blocking;
use crate::catalog::DoctrineEntry;
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// What error messages call a request's body.
const BODY_NAME: &str = "request body";

/// Reads a body sent as `application/toml` (a case file) or `application/json` (the same
/// structure), into cases checked exactly as the CLI checks a case file.
pub fn read_cases(headers: &HeaderMap, body: &Bytes) -> Result<Vec<Case>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let file = Path::new(BODY_NAME);
    let text = std::str::from_utf8(body).map_err(|e| {
        let d = bamboo_data::toml_input::utf8_error(file, body, e, ct == "application/json");
        let mut err = ApiError::bad_request(d.to_string());
        err.field = d.field;
        err
    });
    let parsed = match ct.as_str() {
        "application/toml" | "text/toml" | "text/x-toml" => {
            let text = text?;
            return bamboo_data::case::parse_cases(file, text).map_err(|e| {
                let mut err = input_error(e);
                err.errors = bamboo_data::case::case_file_problems(file, text)
                    .into_iter()
                    .map(|d| crate::error::Located {
                        line: d.line,
                        field: d.field.clone(),
                        message: d.to_string(),
                    })
                    .collect();
                err
            });
        }
        "application/json" => bamboo_data::case::parse_cases_json(file, text?),
        "" => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "say what the body is: `Content-Type: application/toml` for a case file, or `application/json` for the same structure as JSON",
            ))
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Type `{other}` is not accepted; send `application/toml` (a case file) or `application/json`"),
            ))
        }
    };
    parsed.map_err(input_error)
}

fn input_error(e: InputError) -> ApiError {
    match e.diagnostic() {
        Some(d) => {
            let mut err = ApiError::unprocessable(d.to_string());
            err.field = d.field.clone();
            err
        }
        None => ApiError::internal(e),
    }
}

fn advise_error(e: AdviseError) -> ApiError {
    match e {
        AdviseError::Input(e) => input_error(e),
        AdviseError::CaseSubject { .. } | AdviseError::Backtest(_) => {
            ApiError::unprocessable(e.to_string())
        }
        other => ApiError::internal(other),
    }
}

/// [`advise_error`] for an error with one case of the body (its subject, its `actual`):
/// located at the case's line and key in the body.
fn advise_error_in(e: AdviseError, body: &[u8]) -> ApiError {
    use bamboo_core::backtest::BacktestError;
    let (id, key) = match &e {
        AdviseError::CaseSubject { id, .. } => (id.clone(), "subject"),
        AdviseError::Backtest(
            BacktestError::MissingActual { id } | BacktestError::NotAnOption { id, .. },
        ) => (id.clone(), "actual"),
        _ => return advise_error(e),
    };
    let text = e.to_string();
    let message = text
        .strip_prefix(&format!("case `{id}`: "))
        .or_else(|| text.strip_prefix(&format!("case `{id}` ")))
        .unwrap_or(&text);
    let src = std::str::from_utf8(body).unwrap_or("");
    match bamboo_data::toml_input::locate_case(Path::new(BODY_NAME), src, &id, key, message) {
        Some(d) => {
            let mut err = ApiError::unprocessable(d.to_string());
            err.field = d.field;
            err
        }
        None => advise_error(e),
    }
}

/// Reads a JSON body: `Content-Type: application/json` (415 otherwise), UTF-8, and JSON,
/// with errors that name the line and the key.
pub fn read_json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if ct != "application/json" && !(ct.starts_with("application/") && ct.ends_with("+json")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON with the header `Content-Type: application/json`",
        ));
    }
    let file = Path::new(BODY_NAME);
    let located = |d: bamboo_data::Diagnostic| {
        let mut err = ApiError::bad_request(d.to_string());
        err.field = d.field;
        err
    };
    let text = std::str::from_utf8(body)
        .map_err(|e| located(bamboo_data::toml_input::utf8_error(file, body, e, true)))?;
    serde_json::from_str(text).map_err(|e| {
        let mut d = bamboo_data::toml_input::json_error(file, text, &e);
        d.message = format!("the body is not valid JSON: {}", d.message);
        located(d)
    })
}

/// The doctrine a request names, or the default of its first case's subject (its index in
/// the catalog).
fn pick_doctrine(st: &AppState, p: &Params, cases: &[Case]) -> Result<usize, ApiError> {
    let cat = st.catalog();
    if cat.doctrines.is_empty() {
        return Err(ApiError::not_implemented(
            "no doctrines were found when the server started (it looks for doctrines/*.toml in the curated data folder), so there is nothing to advise from",
        ));
    }
    match p.get("doctrine") {
        Some(name) => cat
            .doctrines
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "there is no doctrine `{name}`; the shipped doctrines are: {}",
                    cat.names().join(", ")
                ))
            }),
        None => {
            let subject = cases[0].subject;
            cat.doctrines.iter().position(|d| {
                d.advisor.doctrine.is_default() && d.advisor.doctrine.subject() == subject
            }).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "no shipped doctrine is the default for {subject} (the subject of case `{}`); name one with ?doctrine= (shipped: {})",
                    cases[0].id,
                    cat.names().join(", ")
                ))
            })
        }
    }
}

/// The ledger to read: `file` (default, the doctrine's own, as the CLI reads) or `db`.
async fn pick_ledger(
    st: &AppState,
    p: &Params,
    d: &DoctrineEntry,
) -> Result<Option<Ledger>, ApiError> {
    match p.get("ledger") {
        None | Some("file") => Ok(None),
        Some("db") => {
            let subject = d.advisor.doctrine.subject();
            let events = st
                .ledger()
                .list(EventQuery {
                    actor: Some(subject),
                    ..EventQuery::default()
                })
                .await?;
            Ok(Some(Ledger::new(
                Some(subject),
                events.into_iter().map(|s| s.event).collect(),
            )))
        }
        Some(other) => Err(ApiError::bad_request(format!(
            "parameter `ledger`: `{other}` is not allowed; use file (the doctrine's ledger file, the default) or db (the server's live ledger)"
        ))),
    }
}

fn check_count(st: &AppState, cases: &[Case]) -> Result<(), ApiError> {
    let max = st.limits().max_cases;
    if cases.len() > max {
        return Err(ApiError::unprocessable(format!(
            "{} cases is beyond this server's limit of {max} per request; send at most {max}",
            cases.len()
        )));
    }
    Ok(())
}

fn json_text(body: String, doctrine: &str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Ok(v) = HeaderValue::from_str(doctrine) {
        r.headers_mut().insert("bamboo-doctrine", v);
    }
    r
}

/// What advise and backtest both read from a request: the cases, the doctrine (its index
/// in the catalog and name) and the ledger it reads (`None`: its ledger file).
struct EngineRequest {
    cases: Vec<Case>,
    idx: usize,
    name: String,
    ledger: Option<Ledger>,
}

async fn engine_request(
    st: &AppState,
    p: Params,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<EngineRequest, ApiError> {
    let p = p.allow(&["doctrine", "ledger"])?;
    engine_request_of(st, &p, headers, body).await
}

async fn engine_request_of(
    st: &AppState,
    p: &Params,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<EngineRequest, ApiError> {
    let cases = read_cases(headers, body)?;
    check_count(st, &cases)?;
    let idx = pick_doctrine(st, p, &cases)?;
    let name = st.catalog().doctrines[idx].name.clone();
    let ledger = pick_ledger(st, p, &st.catalog().doctrines[idx]).await?;
    Ok(EngineRequest {
        cases,
        idx,
        name,
        ledger,
    })
}

/// `POST /api/advise?doctrine=NAME&ledger=file|db`.
pub async fn advise(
    State(st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let EngineRequest {
        cases,
        idx,
        name,
        ledger,
    } = engine_request(&st, p, &headers, &body).await?;
    let text = blocking(move || {
        let d = &st.catalog().doctrines[idx];
        let answers = match &ledger {
            Some(l) => d.advisor.advice_all_with(&cases, l),
            None => d.advisor.advice_all(&cases),
        }
        .map_err(|e| advise_error_in(e, &body))?;
        advice_json(&answers).map_err(advise_error)
    })
    .await?;
    Ok(json_text(text, &name))
}

/// `POST /api/backtest?doctrine=NAME&ledger=file|db`.
pub async fn backtest(
    State(st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let EngineRequest {
        cases,
        idx,
        name,
        ledger,
    } = engine_request(&st, p, &headers, &body).await?;
    let text = blocking(move || {
        let d = &st.catalog().doctrines[idx];
        let (report, _) = match &ledger {
            Some(l) => d.advisor.backtest_with(&cases, l),
            None => d.advisor.backtest(&cases),
        }
        .map_err(|e| advise_error_in(e, &body))?;
        backtest_json(&report).map_err(advise_error)
    })
    .await?;
    Ok(json_text(text, &name))
}

/// `POST /api/plan?doctrine=NAME&ledger=file|db&horizon=MONTHS`: the dated agenda of
/// offsetting moves after each case's choice, byte for byte what `bamboo plan --json`
/// prints for the same file (the dashboard's plan timeline draws it).
pub async fn plan(
    State(st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = p.allow(&["doctrine", "ledger", "horizon"])?;
    let horizon = match p.get("horizon") {
        None => None,
        Some(h) => match h.strip_suffix('m').unwrap_or(h).parse::<u32>() {
            Ok(m) if (1..=60).contains(&m) => Some(m),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "parameter `horizon`: `{}` is not allowed; 1 to 60 months, written 12 or 12m",
                    bamboo_data::text::clip(h)
                )))
            }
        },
    };
    let EngineRequest {
        cases,
        idx,
        name,
        ledger,
    } = engine_request_of(&st, &p, &headers, &body).await?;
    if st.catalog().doctrines[idx]
        .advisor
        .doctrine
        .trunk()
        .moves
        .is_empty()
    {
        return Err(ApiError::unprocessable(format!(
            "the doctrine `{name}` has no [[trunk.move]] catalogue, so there is nothing to plan (docs/planning.md)"
        )));
    }
    let text = blocking(move || {
        let d = &st.catalog().doctrines[idx];
        let l = ledger.as_ref().unwrap_or(&d.advisor.ledger);
        let answers = cases
            .iter()
            .map(|c| d.advisor.plan_case_with(c, l, horizon))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| advise_error_in(e, &body))?;
        bamboo_data::advisor::plan_json(&answers).map_err(advise_error)
    })
    .await?;
    Ok(json_text(text, &name))
}

/// `POST /api/simulate`: a simulation of shipped worlds and doctrines, bounded by the limits
/// (422 beyond), with world parameters set and one of them swept if asked, answered with
/// the JSON of `bamboo simulate --json` (with `--set`, `--sweep`).
pub async fn simulate(
    State(st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    p.allow(&[])?;
    // The syntax first (400), then the fields (422).
    read_json_body(&headers, &body)?;
    let text = std::str::from_utf8(&body).map_err(ApiError::internal)?;
    let sim = st.catalog().sim.clone();
    let req = sim.request(text, st.limits())?;
    let answer = sim.answer(req, st.limits()).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        answer.json.clone(),
    )
        .into_response())
}

/// `GET /api/worlds`: the shipped simulation worlds, with the doctrines each can compare and
/// its parameters (meaning, range, value); the request's defaults, the outcomes every
/// report carries, and the limits.
pub async fn worlds(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let sim = &st.catalog().sim;
    let list = sim
        .worlds()
        .map(|(name, w)| {
            json!({
                "name": name,
                "title": w.name,
                "description": w.description,
                "subject": w.states[w.subject].iso3,
                "poles": w.poles,
                "start_year": w.start_year,
                "compare": w.compare,
                "doctrines": sim.candidates(w),
                "parameters": crate::sim::parameters_json(w),
            })
        })
        .collect::<Vec<_>>();
    let lim = st.limits();
    let mut v = crate::sim::defaults_json();
    v["worlds"] = json!(list);
    v["limits"] = json!({
        "runs": lim.sim_max_runs, "years": lim.sim_max_years,
        "doctrines": lim.sim_max_doctrines, "work": lim.sim_max_work,
    });
    Ok(Json(v))
}

/// `GET /api/doctrines`: the shipped doctrines, which is each subject's default, and what
/// each stands for.
pub async fn doctrines(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let v = st.votes();
    let list = st
        .catalog()
        .doctrines
        .iter()
        .map(|d| {
            let doc = d.advisor.doctrine.doctrine();
            json!({
                "name": d.name,
                "title": doc.name,
                "subject": doc.subject,
                "subject_name": v.countries.short_name(doc.subject),
                "default": doc.default,
                "poles": doc.poles,
                "summary": doc.summary,
                "roots": doc.roots.iter().map(|r| json!({"id": r.id, "principle": r.principle})).collect::<Vec<_>>(),
                "moves": doc.trunk.moves.len(),
            })
        })
        .collect::<Vec<_>>();
    Ok(Json(json!({ "doctrines": list })))
}

/// `GET /api/cases`: the sample case files, with their text, for the dashboard's picker.
pub async fn cases(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let list = st
        .catalog()
        .cases
        .iter()
        .map(|c| json!({ "name": c.name, "toml": c.toml }))
        .collect::<Vec<_>>();
    Ok(Json(json!({ "cases": list })))
}
