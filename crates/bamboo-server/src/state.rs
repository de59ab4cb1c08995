//! What every handler shares: the vote data (loaded once, read-only), the ledger database,
//! the shipped doctrines and sample cases, the write token and the limits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use std::time::Duration;

use bamboo_core::ledger::LedgerEvent;
use bamboo_core::VoteStore;
use bamboo_data::ledger_db::{EventQuery, ImportReport, LedgerDb, LedgerDbError, StoredEvent};
use bamboo_data::{Countries, DataDir, DataError};

use crate::auth::Token;
use crate::catalog::Catalog;
use crate::error::ApiError;

/// The roll calls and the country table, with the provenance line every answer carries.
pub struct VoteData {
    /// Shared with the doctrines' advisors, which read the same votes.
    pub store: Arc<VoteStore>,
    pub countries: Countries,
    /// One line saying where the numbers come from.
    pub provenance: String,
    /// The world outlines for maps, read from the data folder when first asked for.
    pub geo: crate::map::GeoCache,
}

impl VoteData {
    /// Loads every vote table of a data folder (plus `extra` files) and the country table.
    pub fn load(dir: &DataDir, extra: &[PathBuf]) -> Result<VoteData, DataError> {
        let (store, countries, report) = bamboo_data::votes::load_store(dir, extra)?;
        let (lo, hi) = store.year_span().unwrap_or((0, 0));
        let provenance = format!(
            "source: {} UNGA roll calls {lo}-{hi} (unvotes 0.3.0 for 1946-2019, Voeten for 2020-2021{})",
            store.roll_calls().len(),
            if report.files.len() > 5 { ", plus imported files" } else { "" },
        );
        Ok(VoteData {
            store: Arc::new(store),
            countries,
            provenance,
            geo: crate::map::GeoCache::new(Some(dir.clone())),
        })
    }
}

/// What the server refuses to do, so that no request can make it hang or exhaust memory.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Limits {
    /// The largest request body accepted, in bytes (413 beyond).
    pub body_bytes: usize,
    /// The longest a request may take before it is stopped (408).
    #[serde(serialize_with = "millis")]
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's headers (the connection is closed
    /// after it; an idle keep-alive connection too).
    #[serde(serialize_with = "millis")]
    pub header_timeout: Duration,
    /// The most connections served at once (one more is answered 503 and closed).
    pub max_connections: usize,
    /// The longest request URI accepted, in bytes (414 beyond).
    pub uri_bytes: usize,
    /// The most cases one advise or backtest request may carry (422 beyond).
    pub max_cases: usize,
    /// The most simulated runs (replicates) per doctrine one request may ask for (422 beyond).
    pub sim_max_runs: u32,
    /// The most years one simulation may cover (422 beyond).
    pub sim_max_years: u32,
    /// The most doctrines one simulation may compare (422 beyond).
    pub sim_max_doctrines: usize,
    /// The most work one simulation may ask for, runs × years × doctrines (422 beyond):
    /// 240,000 run-years take about 1.3 s on this project's 2-core machine (release build,
    /// measured in BENCHMARKS.md).
    pub sim_max_work: u64,
    /// The most simulations waiting for the one running (503 with `Retry-After` beyond).
    pub sim_queue: usize,
    /// The most ledger events one page of a listing holds (`next` gives the next page).
    pub max_events: usize,
    /// The most bytes of JSON events one page of a listing holds.
    pub max_answer_bytes: usize,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(5),
            max_connections: 512,
            uri_bytes: 8 * 1024,
            max_cases: 500,
            sim_max_runs: 2000,
            sim_max_years: 50,
            sim_max_doctrines: 4,
            sim_max_work: 240_000,
            sim_queue: 2,
            max_events: 500,
            max_answer_bytes: 1024 * 1024,
        }
    }
}

/// The ledger database, shared by handlers. SQLite work runs on the blocking pool so a slow
/// disk never stalls the threads that answer other requests.
#[derive(Clone)]
pub struct Ledger {
    db: Arc<Mutex<LedgerDb>>,
}

impl Ledger {
    pub fn new(db: LedgerDb) -> Ledger {
        Ledger {
            db: Arc::new(Mutex::new(db)),
        }
    }

    /// Runs `f` on the blocking pool with the database. A task that fails (panics) is an
    /// internal error of its own, never mistaken for a database error.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut LedgerDb) -> Result<T, LedgerDbError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.db.clone();
        let joined = tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-written transaction
            // (SQLite rolls it back), so a poisoned lock is safe to reuse.
            let mut guard = db.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await;
        match joined {
            Ok(r) => r.map_err(db_error),
            Err(e) => Err(ApiError::internal(format!("the database task failed: {e}"))),
        }
    }

    pub async fn list(&self, q: EventQuery) -> Result<Vec<StoredEvent>, ApiError> {
        self.with(move |db| db.list(&q)).await
    }

    pub async fn get(&self, id: i64) -> Result<Option<StoredEvent>, ApiError> {
        self.with(move |db| db.get(id)).await
    }

    pub async fn count(&self) -> Result<usize, ApiError> {
        self.with(|db| db.count()).await
    }

    /// What `/api/health` says of the ledger: how many events, whether and from what it was
    /// seeded, and whether its file is still there to write.
    pub async fn status(&self) -> Result<serde_json::Value, ApiError> {
        self.with(|db| {
            Ok(serde_json::json!({
                "events": db.count()?,
                "seeded_from": db.seeding()?,
                "seeded_at": db.meta("seeded_at")?,
                "writable": db.file_ok(),
            }))
        })
        .await
    }

    /// Records an event; returns once it is committed to disk.
    pub async fn insert(&self, e: LedgerEvent, origin: String) -> Result<StoredEvent, ApiError> {
        self.with(move |db| db.insert(&e, &origin)).await
    }

    pub async fn import(
        &self,
        events: Vec<LedgerEvent>,
        origin: String,
    ) -> Result<ImportReport, ApiError> {
        self.with(move |db| db.import(&events, &origin)).await
    }
}

/// The answer for a database error: what a client can act on is said (409 duplicate, 422
/// too large, 503 lost or read-only file); anything else is a 500 with only its number.
fn db_error(e: LedgerDbError) -> ApiError {
    use axum::http::StatusCode;
    match e {
        LedgerDbError::Duplicate { existing } => ApiError::new(
            StatusCode::CONFLICT,
            format!("this event (same date, kind, actors and title) is already in the ledger as /api/ledger/events/{existing}"),
        ),
        LedgerDbError::TooLarge { field, problem } => ApiError::invalid_field(&field, problem),
        LedgerDbError::Gone { .. } | LedgerDbError::ReadOnly { .. } => {
            tracing::error!("ledger write refused: {e}");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the ledger database cannot be written: its file was removed, replaced or made read-only while the server ran; nothing was recorded (the server's log has the details)",
            )
        }
        other => ApiError::internal(other),
    }
}

struct Inner {
    votes: Arc<VoteData>,
    ledger: Ledger,
    catalog: Arc<Catalog>,
    token: Token,
    limits: Limits,
    db_path: PathBuf,
    ideal: crate::api::ideal::IdealCache,
}

/// The state every handler receives; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(
        votes: Arc<VoteData>,
        ledger: LedgerDb,
        catalog: Arc<Catalog>,
        token: Token,
        limits: Limits,
    ) -> AppState {
        let db_path = ledger.path().to_path_buf();
        AppState(Arc::new(Inner {
            votes,
            ledger: Ledger::new(ledger),
            catalog,
            token,
            limits,
            db_path,
            ideal: Default::default(),
        }))
    }

    pub fn votes(&self) -> &VoteData {
        &self.0.votes
    }

    pub fn ledger(&self) -> &Ledger {
        &self.0.ledger
    }

    pub fn catalog(&self) -> &Catalog {
        &self.0.catalog
    }

    pub fn token(&self) -> &Token {
        &self.0.token
    }

    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    pub fn db_path(&self) -> &Path {
        &self.0.db_path
    }

    /// The ideal-point fit, computed on first use.
    pub fn ideal(&self) -> &crate::api::ideal::IdealCache {
        &self.0.ideal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_database_task_is_not_reported_as_a_corrupt_event() {
        let l = Ledger::new(LedgerDb::open_in_memory().unwrap().0);
        let e = l
            .with(|_| -> Result<(), LedgerDbError> { panic!("boom") })
            .await
            .unwrap_err();
        assert_eq!(e.status.as_u16(), 500);
        let detail = e.detail.unwrap();
        assert!(detail.contains("the database task failed"), "{detail}");
        assert!(
            !detail.contains("event 0") && !detail.contains("invalid"),
            "{detail}"
        );
        // The lock a panicking task held is still usable.
        assert_eq!(l.count().await.unwrap(), 0);
    }
}
