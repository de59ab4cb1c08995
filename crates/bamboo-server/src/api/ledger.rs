//! The ledger endpoints: list events (open), read one (open), record one (token).
//!
//! A recorded event is answered with 201 only after its transaction is committed with
//! `synchronous = FULL`, so an acknowledged write survives a crash of the server.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use bamboo_core::ledger::{validate_event, EventInput, EventKind, LedgerEvent};
use bamboo_core::Date;
use bamboo_data::ledger_db::{EventQuery, StoredEvent};

use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// The fields an event may have.
pub const EVENT_FIELDS: [&str; 7] = [
    "date", "kind", "actors", "title", "sources", "tier", "votes",
];

/// An event as the API shows it: votes as an object `{ "VNM": "abstain" }`.
pub fn event_json(e: &LedgerEvent) -> Value {
    let mut o = json!({
        "date": e.date,
        "kind": e.kind,
        "actors": e.actors,
        "title": e.title,
        "sources": e.sources,
    });
    if let Some(t) = e.tier {
        o["tier"] = json!(t.as_str());
    }
    if !e.votes.is_empty() {
        let votes: Map<String, Value> = e
            .votes
            .iter()
            .map(|(c, v)| (c.to_string(), json!(v.as_str())))
            .collect();
        o["votes"] = Value::Object(votes);
    }
    o
}

pub fn stored_json(s: &StoredEvent) -> Value {
    let mut o = event_json(&s.event);
    o["id"] = json!(s.id);
    o["origin"] = json!(s.origin);
    o["recorded_at"] = json!(s.recorded_at);
    o
}

fn string_field(o: &Map<String, Value>, name: &str, example: &str) -> Result<String, ApiError> {
    match o.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err(ApiError::invalid_field(
            name,
            format!("is required, e.g. \"{name}\": {example}"),
        )),
        Some(_) => Err(ApiError::invalid_field(
            name,
            format!("must be a string, e.g. \"{name}\": {example}"),
        )),
    }
}

fn string_list(o: &Map<String, Value>, name: &str, example: &str) -> Result<Vec<String>, ApiError> {
    let bad = || {
        ApiError::invalid_field(
            name,
            format!("must be a list of strings, e.g. \"{name}\": {example}"),
        )
    };
    match o.get(name) {
        None | Some(Value::Null) => Err(ApiError::invalid_field(
            name,
            format!("is required, e.g. \"{name}\": {example}"),
        )),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// Reads an event from JSON, naming the field of the first problem.
pub fn event_from_json(v: &Value, st: &AppState) -> Result<LedgerEvent, ApiError> {
    let o = v.as_object().ok_or_else(|| {
        ApiError::unprocessable(
            "the body must be one JSON object with date, kind, actors, title and sources",
        )
    })?;
    if let Some(k) = o.keys().find(|k| !EVENT_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::invalid_field(
            k,
            format!(
                "is not an event field; allowed: {}",
                EVENT_FIELDS.join(", ")
            ),
        ));
    }
    let input = EventInput {
        date: string_field(o, "date", "\"2023-09-10\"")?,
        kind: string_field(o, "kind", "\"visit\"")?,
        actors: string_list(o, "actors", "[\"VNM\", \"USA\"]")?,
        title: string_field(o, "title", "\"US President visits Hanoi\"")?,
        sources: string_list(o, "sources", "[\"https://…\"]")?,
        tier: match o.get("tier") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "tier",
                    "must be a string: comprehensive, strategic or comprehensive_strategic",
                ))
            }
        },
        votes: match o.get("votes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(c, v)| {
                    v.as_str().map(|s| (c.clone(), s.to_string())).ok_or_else(|| {
                        ApiError::invalid_field("votes", format!("the vote of {c} must be \"yes\", \"no\" or \"abstain\""))
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "votes",
                    "must be an object from country to vote, e.g. {\"VNM\": \"abstain\", \"USA\": \"yes\"}",
                ))
            }
        },
    };
    let event = validate_event(&input).map_err(|e| {
        let name = match e.index {
            Some(i) => format!("{}[{i}]", e.field),
            None => e.field.clone(),
        };
        let mut err = ApiError::invalid_field(&name, e.message);
        err.field = Some(e.field);
        err
    })?;
    if let Err(bamboo_data::ledger_db::LedgerDbError::TooLarge { field, problem }) =
        bamboo_data::ledger_db::check_event_size(&event)
    {
        return Err(ApiError::invalid_field(&field, problem));
    }
    let countries = &st.votes().countries;
    for (i, a) in event.actors.iter().enumerate() {
        if countries.get(*a).is_none() {
            let mut err = ApiError::invalid_field(
                &format!("actors[{i}]"),
                countries.resolve(a.as_str()).err().unwrap_or_default(),
            );
            err.field = Some("actors".into());
            return Err(err);
        }
    }
    for (c, _) in &event.votes {
        if countries.get(*c).is_none() {
            return Err(ApiError::invalid_field(
                "votes",
                countries.resolve(c.as_str()).err().unwrap_or_default(),
            ));
        }
    }
    Ok(event)
}

/// The cursor of an event in the listing order: `DATE~ID`.
fn cursor_of(s: &StoredEvent) -> String {
    format!("{}~{}", s.event.date, s.id)
}

fn parse_cursor(text: &str) -> Result<(Date, i64), ApiError> {
    let bad = || {
        ApiError::invalid_field(
            "cursor",
            "is not a cursor; pass the `next` of the previous page unchanged (DATE~ID)",
        )
    };
    let (d, id) = text.split_once('~').ok_or_else(bad)?;
    let date = Date::parse(d).map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    Ok((date, id))
}

/// `GET /api/ledger/events?actor=&kind=&from=&to=&limit=&cursor=`: one page of events, by
/// date then id. A page holds at most `limit` events (default and most: the limit in
/// /api/health) and at most `max_answer_bytes` of JSON; `next` is the cursor of the next
/// page (`null` on the last).
pub async fn list(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    let p = p.allow(&["actor", "kind", "from", "to", "limit", "cursor"])?;
    let v = st.votes();
    let date = |name: &str| -> Result<Option<Date>, ApiError> {
        p.get(name)
            .map(|d| {
                Date::parse(d)
                    .map_err(|e| ApiError::bad_request(format!("parameter `{name}`: {e}")))
            })
            .transpose()
    };
    let max = st.limits().max_events;
    let limit = match p.int("limit")? {
        None => max,
        Some(n) if n >= 1 && n as usize <= max => n as usize,
        Some(n) => {
            return Err(ApiError::bad_request(format!(
                "parameter `limit`: {n} is not allowed; use 1 to {max} and follow `next` for more"
            )))
        }
    };
    let q = EventQuery {
        actor: p.country("actor", &v.countries)?,
        kind: p
            .get("kind")
            .map(|k| {
                EventKind::parse(k).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "parameter `kind`: `{k}` is not an event kind; use one of: {}",
                        EventKind::ALL.map(EventKind::as_str).join(", ")
                    ))
                })
            })
            .transpose()?,
        from: date("from")?,
        to: date("to")?,
        // One more than asked, to say whether there is a next page.
        limit: Some(limit + 1),
        after: p.get("cursor").map(parse_cursor).transpose()?,
    };
    let events = st.ledger().list(q).await?;
    // At most `limit` events and `max_answer_bytes` of JSON (the first event always fits:
    // a stored event is at most 16 KiB).
    let budget = st.limits().max_answer_bytes;
    let mut used = 0;
    let mut page: Vec<Value> = Vec::new();
    let mut last: Option<&StoredEvent> = None;
    for e in events.iter().take(limit) {
        let j = stored_json(e);
        let size = j.to_string().len() + 1;
        if !page.is_empty() && used + size > budget {
            break;
        }
        used += size;
        page.push(j);
        last = Some(e);
    }
    let more = events.len() > page.len();
    Ok(Json(json!({
        "count": page.len(),
        "truncated": more,
        "next": if more { last.map(cursor_of) } else { None },
        "kinds": EventKind::ALL.map(EventKind::as_str),
        "events": page,
    })))
}

/// `GET /api/ledger/events/{id}`.
pub async fn get_one(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::bad_request(format!("`{id}` is not an event id (a whole number)"))
    })?;
    match st.ledger().get(id).await? {
        Some(e) => Ok(Json(stored_json(&e))),
        None => Err(ApiError::not_found(format!(
            "there is no ledger event {id}"
        ))),
    }
}

/// `POST /api/ledger/events` (needs the token): records one event, 201 once committed.
pub async fn create(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let v = crate::api::engine::read_json_body(&headers, &body)?;
    let event = event_from_json(&v, &st)?;
    let stored = st.ledger().insert(event, "api".into()).await?;
    tracing::info!(id = stored.id, date = %stored.event.date, kind = %stored.event.kind, "ledger event recorded");
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/ledger/events/{}", stored.id),
        )],
        Json(stored_json(&stored)),
    )
        .into_response())
}
