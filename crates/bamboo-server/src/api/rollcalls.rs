//! `GET /api/rollcalls`: the roll calls behind one point of an alignment or balance series
//! (a year, a window or a span), how the state and each other state voted on each, and the
//! totals that give the point's figure back, a page at a time.
//!
//! The roll calls are those of `/api/align` and `/api/balance` for the same span and
//! filter (the same selection, `bamboo_core::select`), read one by one by
//! `bamboo_core::evidence`, so that the totals can be traced to the number on the chart.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use bamboo_core::evidence::{evidence, Accord, Evidence};
use bamboo_core::metrics::Metric;
use bamboo_core::select::issues_of;
use bamboo_core::{Date, Iso3, Vote};

use crate::api::atlas::{filter, flag, require_roll_calls, selection};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;
use bamboo_app::query::DEFAULT_POLES;

/// The most roll calls one page holds (and the default); `next` gives the next page.
pub const MAX_ROLL_CALLS: usize = 500;
/// The most other states one request compares the state with.
pub const MAX_OTHERS: usize = 8;

/// The parameters of the route.
pub const PARAMS: [&str; 9] = [
    "country",
    "other",
    "from",
    "to",
    "issue",
    "important",
    "absent",
    "limit",
    "cursor",
];

/// Marks an error as the fault of parameter `name` (the `field` of the JSON error).
fn at(name: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |mut e| {
        e.field.get_or_insert_with(|| name.to_string());
        e
    }
}

/// A 400 naming the parameter at fault.
fn bad(name: &'static str, message: impl std::fmt::Display) -> ApiError {
    at(name)(ApiError::bad_request(format!(
        "parameter `{name}`: {message}"
    )))
}

/// The cursor of a roll call in the listing order: `DATE~RCID`.
fn cursor_of(date: Date, rcid: u64) -> String {
    format!("{date}~{rcid}")
}

fn parse_cursor(text: &str) -> Result<(Date, u64), ApiError> {
    let no = || {
        bad(
            "cursor",
            format!("`{text}` is not a cursor; pass the `next` of the previous page unchanged (DATE~RCID, e.g. 2019-12-18~7521)"),
        )
    };
    let (d, id) = text.split_once('~').ok_or_else(no)?;
    let date = Date::parse(d).map_err(|_| no())?;
    let id: u64 = id.parse().map_err(|_| no())?;
    Ok((date, id))
}

fn vote_json(v: Option<Vote>) -> Value {
    json!(v.map(Vote::as_str))
}

/// The definitions of the answer's fields.
fn definitions() -> Value {
    json!({
        "rows": "the roll calls of the span kept by the filter on which the state and at least one other state voted (with absent=true: on which any of them voted), by date then id",
        "vote": "the state's vote: yes, abstain, no, or null when it did not vote (absent, or not a member)",
        "accord": "alike (the same vote), half (one abstained, the other did not) or opposite (yes against no); null unless both voted",
        "score": "1 − |v_a − v_b| / 2 with yes = 1, abstain = 2, no = 3: alike 1, half 0.5, opposite 0; the roll call's part of the agreement",
        "roll_calls": "the roll calls of the span kept by the filter, whoever voted (the `roll_calls` of the same span in /api/align)",
        "n": "the roll calls on which both voted",
        "agreement": format!("score_sum / n = (alike + half / 2) / n: {}", Metric::Agreement.definition()),
        "table": "the counts of the roll calls both voted on, [state's vote][other's vote], in the order yes, abstain, no: every measure of /api/align is computed from it",
        "measures": "every measure of /api/align for the same pair and span, from `table`",
        "only_subject": "roll calls of the span on which the state voted and the other did not (only_other: the reverse; neither: neither voted)",
        "next": "the cursor of the next page (pass it as `cursor`), null on the last; the totals are over the whole span on every page",
    })
}

/// One page of the evidence as JSON.
fn answer(
    st: &AppState,
    subject: Iso3,
    others: &[Iso3],
    e: &Evidence,
    filter_all: Option<Value>,
    limit: usize,
    after: Option<(Date, u64)>,
) -> Result<Value, ApiError> {
    let v = st.votes();
    let rules = bamboo_data::record::load_rules(None, &v.countries)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let rcs = v.store.roll_calls();
    let start = match after {
        None => 0,
        Some(c) => e
            .calls
            .partition_point(|k| (rcs[k.index].date, rcs[k.index].rcid) <= c),
    };
    let budget = st.limits().max_answer_bytes;
    let mut used = 0;
    let mut page: Vec<Value> = Vec::new();
    for k in e.calls[start..].iter().take(limit) {
        let rc = &rcs[k.index];
        let issues = issues_of(rc, &rules);
        let row = json!({
            "rcid": rc.rcid,
            "date": rc.date.to_string(),
            "session": rc.session,
            "resolution": rc.resolution,
            "title": rc.title,
            "issues": bamboo_core::store::Issue::ALL
                .into_iter()
                .filter(|i| issues & (1 << *i as u8) != 0)
                .map(|i| i.code())
                .collect::<Vec<_>>(),
            "important": rc.important,
            "vote": vote_json(k.subject),
            "with": others.iter().zip(&k.others).map(|(o, y)| {
                let accord = k.subject.zip(*y).map(|(a, b)| Accord::of(a, b));
                json!({
                    "country": o,
                    "vote": vote_json(*y),
                    "accord": accord.map(Accord::as_str),
                    "score": accord.map(Accord::score),
                })
            }).collect::<Vec<_>>(),
        });
        let size = row.to_string().len() + 1;
        if !page.is_empty() && used + size > budget {
            break;
        }
        used += size;
        page.push(row);
    }
    let more = start + page.len() < e.calls.len();
    let next = if more {
        let rc = &rcs[e.calls[start + page.len() - 1].index];
        Some(cursor_of(rc.date, rc.rcid))
    } else {
        None
    };
    let mut out = json!({
        "country": subject,
        "name": v.countries.short_name(subject),
        "others": others.iter().map(|c| json!({"iso3": c, "name": v.countries.short_name(*c)})).collect::<Vec<_>>(),
        "from": e.from,
        "to": e.to,
        "roll_calls": e.roll_calls,
        "listed": e.calls.len(),
        "totals": e.totals.iter().map(|t| json!({
            "country": t.other,
            "n": t.both(),
            "alike": t.alike,
            "half": t.half,
            "opposite": t.opposite,
            "score_sum": t.score_sum(),
            // The metric's own arithmetic, so the figure is align's to the last bit.
            "agreement": t.table.measures().agreement,
            "only_subject": t.only_subject,
            "only_other": t.only_other,
            "neither": t.neither,
            "table": t.table.c,
            "measures": t.table.measures(),
        })).collect::<Vec<_>>(),
        "definitions": definitions(),
        "source": bamboo_data::text::source_json(&v.provenance),
        "count": page.len(),
        "truncated": more,
        "next": next,
        "rows": page,
    });
    if let Some(f) = filter_all {
        out["filter"] = f;
    }
    Ok(out)
}

/// `GET /api/rollcalls?country=VNM&other=USA,CHN,RUS&from=2019&to=2019&issue=&important=&absent=&limit=&cursor=`.
pub async fn rollcalls(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    let p = p.allow(&PARAMS)?;
    blocking(move || {
        let v = st.votes();
        let subject = p
            .country("country", &v.countries)
            .map_err(at("country"))?
            .ok_or_else(|| {
                bad(
                    "country",
                    "is required: the state whose votes are listed, e.g. country=VNM",
                )
            })?;
        let others = match p.countries("other", &v.countries).map_err(at("other"))? {
            Some(o) if !o.is_empty() => o,
            _ => DEFAULT_POLES
                .into_iter()
                .filter(|c| *c != subject)
                .collect(),
        };
        if others.contains(&subject) {
            return Err(bad(
                "other",
                format!("{subject} is the state itself; list the states to compare it with (default: USA,CHN,RUS)"),
            ));
        }
        if others.len() > MAX_OTHERS {
            return Err(bad(
                "other",
                format!(
                    "{} states: at most {MAX_OTHERS} per request",
                    others.len()
                ),
            ));
        }
        let spec = p
            .span(&v.store, bamboo_core::alignment::By::Total)
            .map_err(|e| {
            let name = if e.message.contains("`to`") && !e.message.contains("`from`") {
                "to"
            } else {
                "from"
            };
            at(name)(e)
        })?;
        let (from, to) = (spec.from, spec.to);
        let limit = match p.int("limit").map_err(at("limit"))? {
            None => MAX_ROLL_CALLS,
            Some(n) if n >= 1 && n as usize <= MAX_ROLL_CALLS => n as usize,
            Some(n) => {
                return Err(bad(
                    "limit",
                    format!("{n} is not allowed; use 1 to {MAX_ROLL_CALLS} and follow `next` for more"),
                ))
            }
        };
        let after = p.get("cursor").map(parse_cursor).transpose()?;
        let absent = flag(&p, "absent").map_err(at("absent"))?;
        let f = filter(&p).map_err(|e| {
            let name = if e.message.contains("`important`") {
                "important"
            } else {
                "issue"
            };
            at(name)(e)
        })?;
        let sel = selection(&st, f)?;
        require_roll_calls(&st, &sel, from, to)?;
        let e = evidence(&v.store, subject, &others, from, to, &sel, absent)
            .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        let filter_json = (!sel.filter.is_all()).then(|| {
            json!({ "issues": sel.filter.issue_codes(), "important": sel.filter.important, "definition": sel.filter.definition() })
        });
        answer(&st, subject, &others, &e, filter_json, limit, after)
    })
    .await
    .map(Json)
}
