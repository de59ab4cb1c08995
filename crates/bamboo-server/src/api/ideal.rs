//! `GET /api/ideal?from=&to=&state=`: the ideal points of `bamboo ideal --format json`,
//! byte for byte, and ideal-point alignment for `align` and `balance` with
//! `metric=ideal`. Each fit (kept in [`crate::fits`]) is computed on the first request that needs it, once, on the
//! blocking pool, and kept for the server's life: the estimate alone (a second or two)
//! for `metric=ideal`, as `bamboo align --metric ideal` fits it; with its bootstrap (some
//! seconds more) for `/api/ideal`.

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bamboo_data::ideal::{self as fit_io, Query, QueryError};

use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// How long a request waits for the fit: a second short of the request timeout.
pub fn wait(st: &AppState) -> Duration {
    st.limits()
        .request_timeout
        .saturating_sub(Duration::from_secs(1))
}

fn query_error(e: QueryError) -> ApiError {
    match e {
        QueryError::NoState(_) => ApiError::invalid_field("state", e.to_string()),
        _ => ApiError::bad_request(e.to_string()),
    }
}

/// `GET /api/ideal?from=&to=&state=`.
pub async fn ideal(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let p = p.allow(&["from", "to", "state"])?;
    let q = Query {
        from: p.year("from")?,
        to: p.year("to")?,
        states: p
            .countries("state", &st.votes().countries)?
            .unwrap_or_default(),
    };
    let text = crate::blocking::blocking(move || {
        let fit = st.ideal().full_blocking(&st.votes().store, wait(&st))?;
        let points = fit_io::select(&fit, &q).map_err(query_error)?;
        let source = fit_io::source_line(&st.votes().store, &fit);
        Ok(fit_io::json_text(&fit, &q, &points, &source))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}
