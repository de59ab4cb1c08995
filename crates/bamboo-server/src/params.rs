//! Query-string parameters, checked by name: an unknown or repeated parameter is an error
//! that lists what is allowed, and every parse error names the parameter.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

use bamboo_app::query::{parse_by, span, QueryError, Spelling};
use bamboo_core::alignment::{By, SeriesSpec};
use bamboo_core::metrics::Metric;
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::Countries;

use crate::error::ApiError;

/// The parameters of one request (an extractor; call [`Params::allow`] first).
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)?;
        Ok(Params { pairs })
    }
}

impl Params {
    /// Checks that every parameter is one of `allowed` and none is repeated.
    pub fn allow(self, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs = &self.pairs;
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad_request(if allowed.is_empty() {
                    format!("unknown parameter `{k}`: this route takes no parameters")
                } else {
                    format!("unknown parameter `{k}`; allowed: {}", allowed.join(", "))
                }));
            }
            if pairs[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(ApiError::bad_request(format!(
                    "parameter `{k}` is given twice; give it once (lists are comma-separated)"
                )));
            }
        }
        Ok(self)
    }

    /// A parameter's value; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "parameter `{name}`: `{v}` is not a whole number"
                    ))
                })
            })
            .transpose()
    }

    /// A year parameter.
    pub fn year(&self, name: &str) -> Result<Option<i32>, ApiError> {
        match self.int(name)? {
            None => Ok(None),
            Some(y) if (1..=9999).contains(&y) => Ok(Some(y as i32)),
            Some(y) => Err(ApiError::bad_request(format!(
                "parameter `{name}`: {y} is not a year"
            ))),
        }
    }

    /// A country code that must be in the country table.
    pub fn country(&self, name: &str, countries: &Countries) -> Result<Option<Iso3>, ApiError> {
        self.get(name)
            .map(|v| country(v, name, countries))
            .transpose()
    }

    /// A comma-separated list of country codes, without repeats.
    pub fn countries(
        &self,
        name: &str,
        countries: &Countries,
    ) -> Result<Option<Vec<Iso3>>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let c = country(item, name, countries)?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(Some(out))
    }

    /// `by`: `year` (default), `total`, or `window:N` (see [`bamboo_app::query::parse_by`]).
    pub fn by(&self) -> Result<By, ApiError> {
        match self.get("by") {
            None => Ok(By::Year),
            Some(v) => parse_by(v, Spelling::Param).map_err(bad),
        }
    }

    /// `metric`: agreement (default), s, kappa, pi or coincidence.
    pub fn metric(&self) -> Result<Metric, ApiError> {
        let Some(v) = self.get("metric") else {
            return Ok(Metric::Agreement);
        };
        Metric::parse(v).ok_or_else(|| {
            ApiError::bad_request(format!(
                "parameter `metric`: `{v}` is not allowed; use one of: {}",
                Metric::ALL.map(|m| m.name()).join(", ")
            ))
        })
    }

    /// `from` and `to`, defaulting to the data's span and clamped to it, with a window of
    /// `by` checked against it (see [`bamboo_app::query::span`], which the CLI calls too).
    pub fn span(&self, store: &VoteStore, by: By) -> Result<SeriesSpec, ApiError> {
        span(
            store,
            self.year("from")?,
            self.year("to")?,
            by,
            Spelling::Param,
        )
        .map_err(bad)
    }
}

/// A query error as a 400.
pub fn bad(e: QueryError) -> ApiError {
    ApiError::bad_request(e.0)
}

/// Resolves a code against the country table, naming the parameter on error.
pub fn country(text: &str, name: &str, countries: &Countries) -> Result<Iso3, ApiError> {
    countries
        .resolve(text)
        .map_err(|e| ApiError::bad_request(format!("parameter `{name}`: {e}")))
}
