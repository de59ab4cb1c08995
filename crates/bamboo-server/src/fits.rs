//! The ideal-point fits the server keeps: each computed on the first request that needs it,
//! once, on the blocking pool, and kept for the server's life (the estimate alone for
//! `metric=ideal`; with its bootstrap for `/api/ideal`, the atlas and the map).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use bamboo_core::ideal::IdealPoints;
use bamboo_core::VoteStore;
use bamboo_data::ideal as fit_io;

use crate::error::ApiError;

type Shared = Arc<OnceLock<Result<Arc<IdealPoints>, String>>>;

/// The fits, each computed when first needed.
pub struct IdealCache {
    /// With the bootstrap: `/api/ideal`.
    full: LazyFit,
    /// The estimate alone: `metric=ideal`.
    estimate: LazyFit,
}

impl Default for IdealCache {
    fn default() -> Self {
        let o = fit_io::options();
        IdealCache {
            full: LazyFit::new(o.bootstrap, o.seed),
            estimate: LazyFit::new(0, o.seed),
        }
    }
}

impl IdealCache {
    /// Sets the bootstrap replicates and seed of `/api/ideal`'s fit; only before it starts.
    pub fn configure(&self, bootstrap: u32, seed: u64) {
        *self.full.config.lock().unwrap_or_else(|p| p.into_inner()) = (bootstrap, seed);
    }

    /// The fit with its bootstrap (`/api/ideal`; the atlas and the map with `metric=ideal`
    /// draw from its standard errors), for code on the blocking pool (see [`LazyFit::get`]).
    pub fn full_blocking(
        &self,
        store: &Arc<VoteStore>,
        wait: Duration,
    ) -> Result<Arc<IdealPoints>, ApiError> {
        self.full.get(store, wait)
    }

    /// The estimate without a bootstrap, for code on the blocking pool.
    pub fn estimate_blocking(
        &self,
        store: &Arc<VoteStore>,
        wait: Duration,
    ) -> Result<Arc<IdealPoints>, ApiError> {
        self.estimate.get(store, wait)
    }
}

/// One fit, computed when first needed.
struct LazyFit {
    /// Bootstrap replicates and seed.
    config: Mutex<(u32, u64)>,
    started: AtomicBool,
    fit: Shared,
}

impl LazyFit {
    fn new(bootstrap: u32, seed: u64) -> LazyFit {
        LazyFit {
            config: Mutex::new((bootstrap, seed)),
            started: AtomicBool::new(false),
            fit: Arc::new(OnceLock::new()),
        }
    }

    /// Starts the fit on the blocking pool, unless it has been started.
    fn start(&self, store: &Arc<VoteStore>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let (bootstrap, seed) = *self.config.lock().unwrap_or_else(|p| p.into_inner());
        let store = store.clone();
        let cell = self.fit.clone();
        tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let r = fit_io::fit(&store, bootstrap, seed)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            tracing::info!(
                ms = t.elapsed().as_millis() as u64,
                bootstrap,
                ok = r.is_ok(),
                "ideal points fitted"
            );
            let _ = cell.set(r);
        });
    }

    fn ready(&self) -> Option<Result<Arc<IdealPoints>, ApiError>> {
        self.fit
            .get()
            .map(|r| r.clone().map_err(ApiError::unprocessable))
    }

    fn not_yet() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the ideal-point fit is still being computed (once, for the server's life: a few seconds); retry shortly",
        )
    }

    /// The fit, starting it if nobody has; waits up to `wait` for it, then answers 503 (the
    /// fit goes on, and a later request gets it). It blocks while it waits: call it on the
    /// blocking pool (every handler that needs a fit does, `/api/ideal` included).
    fn get(&self, store: &Arc<VoteStore>, wait: Duration) -> Result<Arc<IdealPoints>, ApiError> {
        self.start(store);
        let deadline = Instant::now() + wait;
        loop {
            if let Some(r) = self.ready() {
                return r;
            }
            if Instant::now() >= deadline {
                return Err(Self::not_yet());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
