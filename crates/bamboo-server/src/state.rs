//! What every handler shares: the vote data (loaded once, read-only), the ledger database,
//! the shipped doctrines and sample cases, the write token and the limits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bamboo_core::ledger::LedgerEvent;
use bamboo_data::ledger_db::{EventQuery, ImportReport, LedgerDb, LedgerDbError, StoredEvent};

use crate::auth::Token;
use crate::catalog::Catalog;
use crate::data::VoteData;
use crate::error::ApiError;
use crate::fits::IdealCache;
use crate::limits::Limits;

/// The ledger database, shared by handlers (not to be confused with `bamboo_core::ledger::Ledger`,
/// the events one doctrine reads). SQLite work runs on the blocking pool so a slow
/// disk never stalls the threads that answer other requests.
#[derive(Clone)]
pub struct SharedLedgerDb {
    db: Arc<Mutex<LedgerDb>>,
}

impl SharedLedgerDb {
    pub fn new(db: LedgerDb) -> SharedLedgerDb {
        SharedLedgerDb {
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
    ledger: SharedLedgerDb,
    catalog: Arc<Catalog>,
    token: Token,
    limits: Limits,
    db_path: PathBuf,
    ideal: IdealCache,
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
            ledger: SharedLedgerDb::new(ledger),
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

    pub fn ledger(&self) -> &SharedLedgerDb {
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
    pub fn ideal(&self) -> &IdealCache {
        &self.0.ideal
    }

    /// What this build can do, so the dashboard (and any client) can tell before asking.
    pub fn features(&self) -> serde_json::Value {
        let engine = !self.catalog().doctrines.is_empty();
        serde_json::json!({ "advise": engine, "backtest": engine, "simulate": true, "ledger": true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_database_task_is_not_reported_as_a_corrupt_event() {
        let l = SharedLedgerDb::new(LedgerDb::open_in_memory().unwrap().0);
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
