//! Simulations for the API: the shipped worlds and doctrines (built into the binary, as
//! `bamboo simulate` names them), requests checked against the limits, one simulation
//! running at a time, and the last few reports kept so that a report and its chart cost
//! one run.
//!
//! Only shipped names are accepted, never paths: a request cannot make the server read a
//! file. The report is `bamboo_sim::simulate` on the same world, doctrines and seeds as
//! `bamboo simulate --json`, printed the same way, so the bytes are the same.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_sim::{simulate_until, SimConfig, SimDoctrines, SimError, SimReport, World};
use serde_json::Value;

use crate::error::ApiError;
use crate::limits::Limits;

/// Why the shipped simulation data cannot be loaded (a build with broken data).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SimCatalogError(#[from] bamboo_data::InputError);

/// A simulation request, checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SimRequest {
    pub world: String,
    /// The compared doctrines (the world's `compare` list when the request names none).
    pub doctrines: Vec<String>,
    pub runs: u32,
    pub years: u32,
    pub seed: u64,
}

/// The shipped worlds and doctrines, compiled once.
pub struct SimCatalog {
    worlds: Vec<(String, World)>,
    doctrines: Vec<(String, CompiledDoctrine)>,
    /// One simulation computing at a time (each uses every core already). The permit is
    /// held by the computation itself, not by the request, so an abandoned request's work
    /// keeps the gate until it has stopped.
    gate: Arc<tokio::sync::Semaphore>,
    /// Requests waiting for the gate (beyond [`Limits::sim_queue`] they get 503).
    waiting: AtomicUsize,
    /// Simulations computing now (at most one), for tests and the health answer.
    running: Arc<AtomicUsize>,
    recent: Mutex<VecDeque<(SimRequest, Arc<SimReport>)>>,
}

/// Sets a flag when dropped: the request that owns it was answered, dropped by a client
/// that went away, or stopped by the request timeout.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A place in the queue of waiting requests, given back when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a simulation as running while alive.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Reports kept for a repeated request (a report, then its chart).
const RECENT: usize = 8;

/// The request fields.
pub const SIM_FIELDS: [&str; 5] = ["world", "doctrines", "runs", "years", "seed"];

impl SimCatalog {
    /// Compiles every shipped doctrine and parses every shipped world.
    pub fn shipped() -> Result<SimCatalog, SimCatalogError> {
        let mut doctrines = Vec::new();
        for (name, path, src) in bamboo_data::shipped::DOCTRINES {
            let d = bamboo_data::doctrine::parse_compiled(Path::new(path), src)?;
            doctrines.push((name.to_string(), d));
        }
        let mut worlds = Vec::new();
        for (name, path, src) in bamboo_data::shipped::WORLDS {
            worlds.push((
                name.to_string(),
                bamboo_data::world::parse_world(Path::new(path), src)?,
            ));
        }
        Ok(SimCatalog {
            worlds,
            doctrines,
            gate: Arc::new(tokio::sync::Semaphore::new(1)),
            waiting: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            recent: Mutex::new(VecDeque::new()),
        })
    }

    pub fn world(&self, name: &str) -> Option<&World> {
        self.worlds.iter().find(|(n, _)| n == name).map(|(_, w)| w)
    }

    pub fn worlds(&self) -> impl Iterator<Item = (&str, &World)> {
        self.worlds.iter().map(|(n, w)| (n.as_str(), w))
    }

    fn doctrine(&self, name: &str) -> Option<&CompiledDoctrine> {
        self.doctrines
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
    }

    fn doctrine_names(&self) -> Vec<&str> {
        self.doctrines.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The shipped doctrines that can stand for a world's subject (same subject and poles).
    pub fn candidates(&self, w: &World) -> Vec<&str> {
        let subject = w.states[w.subject].iso3;
        self.doctrines
            .iter()
            .filter(|(_, d)| d.subject() == subject && d.poles() == w.poles.as_slice())
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Reads and bounds a request: names must be shipped, and runs, years, doctrines and
    /// their product within the limits (422 beyond, naming the field and the limit).
    pub fn request(&self, v: &Value, lim: &Limits) -> Result<SimRequest, ApiError> {
        let o = v.as_object().ok_or_else(|| {
            ApiError::unprocessable(
                "the body must be a JSON object: {\"doctrines\": [...], \"runs\": N, \"years\": N, \"seed\": N}",
            )
        })?;
        if let Some(k) = o.keys().find(|k| !SIM_FIELDS.contains(&k.as_str())) {
            return Err(ApiError::invalid_field(
                k,
                format!(
                    "is not a simulation field; allowed: {}",
                    SIM_FIELDS.join(", ")
                ),
            ));
        }
        let get = |k: &str| o.get(k).filter(|v| !v.is_null());
        let num = |k: &str| get(k).map(|v| (v.to_string(), v.as_u64()));
        self.check(
            get("world").map(|v| v.as_str().ok_or(())).transpose(),
            get("doctrines")
                .map(|v| {
                    v.as_array()
                        .and_then(|a| a.iter().map(|d| d.as_str()).collect::<Option<Vec<_>>>())
                        .ok_or(())
                })
                .transpose(),
            num("runs"),
            num("years"),
            num("seed"),
            lim,
        )
    }

    /// The same checks for query parameters (the chart's GET).
    pub fn request_from_params(
        &self,
        p: &crate::params::Params,
        lim: &Limits,
    ) -> Result<SimRequest, ApiError> {
        let num = |k: &str| p.get(k).map(|v| (v.to_string(), v.parse::<u64>().ok()));
        let doctrines: Option<Vec<&str>> = p.get("doctrines").map(|d| {
            d.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        });
        self.check(
            Ok(p.get("world")),
            Ok(doctrines),
            num("runs"),
            num("years"),
            num("seed"),
            lim,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        world: Result<Option<&str>, ()>,
        doctrines: Result<Option<Vec<&str>>, ()>,
        runs: Option<(String, Option<u64>)>,
        years: Option<(String, Option<u64>)>,
        seed: Option<(String, Option<u64>)>,
        lim: &Limits,
    ) -> Result<SimRequest, ApiError> {
        let world_name = world
            .map_err(|_| {
                ApiError::invalid_field("world", "must be a shipped world's name, e.g. \"default\"")
            })?
            .unwrap_or("default")
            .to_string();
        let w = self.world(&world_name).ok_or_else(|| {
            ApiError::invalid_field(
                "world",
                format!(
                    "there is no shipped world `{world_name}`; use one of: {}",
                    self.worlds
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let count = |field: &str, v: Option<(String, Option<u64>)>, max: u64, default: u64| match v
        {
            None => Ok(default.min(max)),
            Some((_, Some(n))) if (1..=max).contains(&n) => Ok(n),
            Some((_, Some(n))) if n > max => Err(ApiError::invalid_field(
                field,
                format!("{n} is beyond this server's limit of {max}; ask for at most {max}"),
            )),
            Some((text, _)) => Err(ApiError::invalid_field(
                field,
                format!("must be a whole number from 1 to {max}, got {text}"),
            )),
        };
        let runs = count("runs", runs, u64::from(lim.sim_max_runs), 500)? as u32;
        let years = count("years", years, u64::from(lim.sim_max_years), 30)? as u32;
        let seed = match seed {
            None => 1,
            Some((_, Some(n))) => n,
            Some((text, None)) => {
                return Err(ApiError::invalid_field(
                    "seed",
                    format!("must be a whole number ≥ 0, got {text}"),
                ))
            }
        };
        let doctrines: Vec<String> = match doctrines.map_err(|_| {
            ApiError::invalid_field(
                "doctrines",
                "must be a list of doctrine names, e.g. [\"vietnam\", \"neutral\"]",
            )
        })? {
            None => w.compare.clone(),
            Some(list) if list.is_empty() => w.compare.clone(),
            Some(list) => list.into_iter().map(str::to_string).collect(),
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
        for (i, d) in doctrines.iter().enumerate() {
            if doctrines[..i].contains(d) {
                return Err(ApiError::invalid_field(
                    "doctrines",
                    format!("`{d}` is listed twice"),
                ));
            }
            let Some(c) = self.doctrine(d) else {
                return Err(ApiError::invalid_field(
                    "doctrines",
                    format!(
                        "there is no shipped doctrine `{d}`; use: {}",
                        self.doctrine_names().join(", ")
                    ),
                ));
            };
            let subject = w.states[w.subject].iso3;
            if c.subject() != subject || c.poles() != w.poles.as_slice() {
                return Err(ApiError::invalid_field(
                    "doctrines",
                    format!(
                        "`{d}` is about {} between {}, but the world `{world_name}` needs a doctrine for {subject} between {}; use one of: {}",
                        c.subject(),
                        list(c.poles()),
                        list(&w.poles),
                        self.candidates(w).join(", ")
                    ),
                ));
            }
        }
        let work = u64::from(runs) * u64::from(years) * doctrines.len() as u64;
        if work > lim.sim_max_work {
            return Err(ApiError::unprocessable(format!(
                "{runs} runs × {years} years × {} doctrines = {work} run-years is beyond this server's limit of {}; ask for fewer runs, years or doctrines",
                doctrines.len(),
                lim.sim_max_work
            )));
        }
        Ok(SimRequest {
            world: world_name,
            doctrines,
            runs,
            years,
            seed,
        })
    }

    /// Simulations computing now (0 or 1).
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Requests waiting for the one computing.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Runs a checked request (or finds it among the recent ones), one at a time.
    ///
    /// At most `lim.sim_queue` requests wait for the one computing; more get 503 with
    /// `Retry-After`. A request that is dropped (its client went away, or the request
    /// timeout stopped it) stops its simulation before the next chunk of runs, and the gate
    /// is held until the computation has really ended, so abandoned work never piles up.
    pub async fn run(
        self: &Arc<Self>,
        req: SimRequest,
        lim: &Limits,
    ) -> Result<Arc<SimReport>, ApiError> {
        if let Some(r) = self.cached(&req) {
            return Ok(r);
        }
        let _place = {
            let before = self.waiting.fetch_add(1, Ordering::SeqCst);
            let place = Waiting(&self.waiting);
            // The one computing holds the gate; the others wait, up to the bound.
            if before > lim.sim_queue {
                return Err(ApiError::unavailable(
                    format!(
                        "the server is busy with other simulations ({} waiting, the limit is {}); try again in a few seconds",
                        before,
                        lim.sim_queue
                    ),
                    2,
                ));
            }
            place
        };
        // Waiting for the gate is bounded by the request timeout like everything else.
        let permit = self
            .gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal(format!("simulation gate closed: {e}")))?;
        if let Some(r) = self.cached(&req) {
            return Ok(r);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let _stop_on_drop = StopOnDrop(stop.clone());
        let me = self.clone();
        let key = req.clone();
        self.running.fetch_add(1, Ordering::SeqCst);
        let running = Running(self.running.clone());
        let report = crate::blocking::blocking(move || {
            // Both released only when the computation ends, stopped or not.
            let _permit = permit;
            let _running = running;
            me.simulate(&req, &stop)
        })
        .await?;
        let report = Arc::new(report);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back((key, report.clone()));
        Ok(report)
    }

    fn cached(&self, req: &SimRequest) -> Option<Arc<SimReport>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent
            .iter()
            .find(|(k, _)| k == req)
            .map(|(_, r)| r.clone())
    }

    fn simulate(&self, req: &SimRequest, stop: &AtomicBool) -> Result<SimReport, ApiError> {
        let w = self
            .world(&req.world)
            .ok_or_else(|| ApiError::internal("checked world vanished"))?;
        let get = |n: &str| {
            self.doctrine(n).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "the world names doctrine `{n}`, which is not shipped"
                ))
            })
        };
        let docs = SimDoctrines {
            compared: req
                .doctrines
                .iter()
                .map(|n| get(n).map(|d| (n.clone(), d)))
                .collect::<Result<_, _>>()?,
            states: w
                .states
                .iter()
                .map(|s| get(&s.doctrine))
                .collect::<Result<_, _>>()?,
            yardstick: get(&w.yardstick)?,
        };
        let cfg = SimConfig {
            runs: req.runs,
            years: req.years,
            seed: req.seed,
        };
        simulate_until(w, &docs, &cfg, &|_| {}, &|| stop.load(Ordering::Relaxed)).map_err(|e| {
            match e {
                // Nobody is waiting for this answer any more.
                SimError::Stopped => ApiError::unavailable("the simulation was stopped", 1),
                e => ApiError::unprocessable(e.to_string()),
            }
        })
    }
}

fn list(c: &[bamboo_core::Iso3]) -> String {
    c.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
}

/// The JSON of `bamboo simulate --json`.
pub fn report_json(r: &SimReport) -> Result<String, ApiError> {
    let mut s = serde_json::to_string_pretty(r).map_err(ApiError::internal)?;
    s.push('\n');
    Ok(s)
}
