//! Simulations for the API: the shipped worlds and doctrines (built into the binary, as
//! `bamboo simulate` names them), requests read into [`SimParams`] and checked against the
//! limits, one simulation running at a time, and the last few answers kept so that a
//! report and its chart cost one run.
//!
//! Only shipped names are accepted, never paths: a request cannot make the server read a
//! file. Once checked, a request is set up by `bamboo_data::simulation::Prepared`, with the
//! world's parameters set and a sweep's values checked by `bamboo_sim::World::set`, and
//! printed by the same functions as `bamboo simulate --json` (`--set`, `--sweep`), so the
//! bytes are the same. The defaults (world, runs, years, seed) are the CLI's:
//! `bamboo_sim::SimConfig::DEFAULT`.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_data::simulation::{
    report_json, sweep_json, Prepared, SetupError, Sweep, DEFAULT_WORLD, MAX_SWEEP_VALUES,
};
use bamboo_sim::{SimConfig, SimError, SimReport, World};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::limits::Limits;

/// Why the shipped simulation data cannot be loaded (a build with broken data).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SimCatalogError(#[from] bamboo_data::InputError);

/// A simulation request as sent: the body of `POST /api/simulate` (the query of the
/// chart's GET gives the same fields, its parameters by name). Every field is optional;
/// unknown fields are refused.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimParams {
    /// A shipped world (default `default`).
    pub world: Option<String>,
    /// Shipped doctrines for the world's subject (default, or empty: the world's `compare`).
    pub doctrines: Option<Vec<String>>,
    /// Runs per doctrine, years per run, the seed (default `SimConfig::DEFAULT`).
    pub runs: Option<u64>,
    pub years: Option<u64>,
    pub seed: Option<u64>,
    /// World parameters to set, by name (`bamboo_sim::params`).
    #[serde(default)]
    pub parameters: BTreeMap<String, f64>,
    /// One parameter over a list of values: the answer is the sweep's JSON.
    pub sweep: Option<Sweep>,
}

/// The fields of [`SimParams`], as the body names them.
pub const BODY_FIELDS: [&str; 7] = [
    "world",
    "doctrines",
    "runs",
    "years",
    "seed",
    "parameters",
    "sweep",
];

/// The query parameters of the chart's GET: the request's fields and every world
/// parameter by name (`?volatility=0.1`).
pub static SIM_FIELDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut f = vec!["world", "doctrines", "runs", "years", "seed"];
    f.extend(bamboo_sim::params::names());
    f
});

/// A simulation request, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct SimRequest {
    pub world: String,
    /// The compared doctrines (the world's `compare` list when the request names none).
    pub doctrines: Vec<String>,
    pub runs: u32,
    pub years: u32,
    pub seed: u64,
    /// World parameters set, in name order.
    pub parameters: Vec<(String, f64)>,
    pub sweep: Option<Sweep>,
}

/// What a checked request answers: the JSON text, and the report when it is one
/// simulation (not a sweep), for its chart.
pub struct SimAnswer {
    pub json: String,
    pub report: Option<SimReport>,
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
    recent: Mutex<VecDeque<(SimRequest, Arc<SimAnswer>)>>,
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

    /// Reads a request's body (JSON already checked for syntax) into [`SimParams`], with
    /// a located error naming the field (422), then checks it.
    pub fn request(&self, text: &str, lim: &Limits) -> Result<SimRequest, ApiError> {
        let p: SimParams = serde_json::from_str(text).map_err(|e| {
            let d = bamboo_data::toml_input::json_error(Path::new("request body"), text, &e);
            let message = if e.to_string().starts_with("unknown field") {
                let mut d = d.clone();
                // The key's own line, when serde gave none.
                if d.line.is_none() {
                    let key = format!("\"{}\"", d.field.as_deref().unwrap_or(""));
                    d.line = text.lines().position(|l| l.contains(&key)).map(|i| i + 1);
                }
                d.message = format!(
                    "is not a simulation field; allowed: {}",
                    BODY_FIELDS.join(", ")
                );
                d.to_string()
            } else {
                d.to_string()
            };
            let mut err = ApiError::unprocessable(message);
            err.field = d.field;
            err
        })?;
        self.check(p, lim)
    }

    /// The same checks for query parameters (the chart's GET): the fields by name, the
    /// doctrines comma-separated, every world parameter by its own name.
    pub fn request_from_params(
        &self,
        p: &crate::params::Params,
        lim: &Limits,
    ) -> Result<SimRequest, ApiError> {
        let num = |k: &str| -> Result<Option<u64>, ApiError> {
            p.get(k)
                .map(|v| {
                    v.parse::<u64>().map_err(|_| {
                        ApiError::invalid_field(k, format!("must be a whole number ≥ 0, got {v}"))
                    })
                })
                .transpose()
        };
        let mut parameters = BTreeMap::new();
        for name in bamboo_sim::params::names() {
            if let Some(v) = p.get(name) {
                let x = v
                    .parse::<f64>()
                    .map_err(|_| ApiError::invalid_field(name, format!("`{v}` is not a number")))?;
                parameters.insert(name.to_string(), x);
            }
        }
        self.check(
            SimParams {
                world: p.get("world").map(str::to_string),
                doctrines: p.get("doctrines").map(|d| {
                    d.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }),
                runs: num("runs")?,
                years: num("years")?,
                seed: num("seed")?,
                parameters,
                sweep: None,
            },
            lim,
        )
    }

    /// Checks a request: names must be shipped; runs, years, doctrines, sweep values and
    /// their product within the limits (422 beyond, naming the field and the limit); every
    /// world parameter and sweep value checked as a world file's value is.
    pub fn check(&self, p: SimParams, lim: &Limits) -> Result<SimRequest, ApiError> {
        let world_name = p.world.unwrap_or_else(|| DEFAULT_WORLD.to_string());
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
        let count = |field: &str, v: Option<u64>, max: u64, default: u64| match v {
            None => Ok(default.min(max)),
            Some(n) if (1..=max).contains(&n) => Ok(n),
            Some(n) if n > max => Err(ApiError::invalid_field(
                field,
                format!("{n} is beyond this server's limit of {max}; ask for at most {max}"),
            )),
            Some(n) => Err(ApiError::invalid_field(
                field,
                format!("must be a whole number from 1 to {max}, got {n}"),
            )),
        };
        let d = SimConfig::DEFAULT;
        let runs = count(
            "runs",
            p.runs,
            u64::from(lim.sim_max_runs),
            u64::from(d.runs),
        )? as u32;
        let years = count(
            "years",
            p.years,
            u64::from(lim.sim_max_years),
            u64::from(d.years),
        )? as u32;
        let seed = p.seed.unwrap_or(d.seed);
        let doctrines = match p.doctrines {
            None => w.compare.clone(),
            Some(list) if list.is_empty() => w.compare.clone(),
            Some(list) => list,
        };
        self.check_doctrines(&world_name, w, &doctrines, lim)?;
        // The world parameters, set in name order, each checked as `--set` checks it.
        let mut world = w.clone();
        let parameters: Vec<(String, f64)> = p.parameters.into_iter().collect();
        for (k, v) in &parameters {
            world
                .set(k, *v)
                .map_err(|e| ApiError::invalid_field(&format!("parameters.{k}"), e.message))?;
        }
        let points = match &p.sweep {
            None => 1,
            Some(sw) => {
                let field = if bamboo_sim::params::param(&sw.parameter).is_none() {
                    "sweep.parameter"
                } else {
                    "sweep.values"
                };
                sw.worlds(&world).map_err(|e| {
                    ApiError::invalid_field(field, format!("{}: {}", sw.parameter, e.message))
                })?;
                sw.values.len() as u64
            }
        };
        let work = u64::from(runs) * u64::from(years) * doctrines.len() as u64 * points;
        if work > lim.sim_max_work {
            let sweep = if p.sweep.is_some() {
                format!(" × {points} sweep values")
            } else {
                String::new()
            };
            return Err(ApiError::unprocessable(format!(
                "{runs} runs × {years} years × {} doctrines{sweep} = {work} run-years is beyond this server's limit of {}; ask for fewer runs, years, doctrines or values",
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
            parameters,
            sweep: p.sweep,
        })
    }

    /// The compared doctrines: within the limit, each once, shipped, and for the world's
    /// subject between its poles.
    fn check_doctrines(
        &self,
        world_name: &str,
        w: &World,
        doctrines: &[String],
        lim: &Limits,
    ) -> Result<(), ApiError> {
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
        Ok(())
    }

    /// Simulations computing now (0 or 1).
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Requests waiting for the one computing.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Runs a checked request that is one simulation (not a sweep) and gives its report,
    /// for the chart; see [`SimCatalog::answer`].
    pub async fn run(
        self: &Arc<Self>,
        req: SimRequest,
        lim: &Limits,
    ) -> Result<Arc<SimReport>, ApiError> {
        let a = self.answer(req, lim).await?;
        match &a.report {
            Some(r) => Ok(Arc::new(r.clone())),
            None => Err(ApiError::unprocessable(
                "a sweep has no single report; ask without `sweep`",
            )),
        }
    }

    /// Runs a checked request (or finds it among the recent ones), one at a time.
    ///
    /// At most `lim.sim_queue` requests wait for the one computing; more get 503 with
    /// `Retry-After`. A request that is dropped (its client went away, or the request
    /// timeout stopped it) stops its simulation before the next chunk of runs, and the gate
    /// is held until the computation has really ended, so abandoned work never piles up.
    pub async fn answer(
        self: &Arc<Self>,
        req: SimRequest,
        lim: &Limits,
    ) -> Result<Arc<SimAnswer>, ApiError> {
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
        let key = req.clone();
        self.running.fetch_add(1, Ordering::SeqCst);
        let running = Running(self.running.clone());
        let answer = crate::blocking::blocking(move || {
            // Both released only when the computation ends, stopped or not.
            let _permit = permit;
            let _running = running;
            simulate(&req, &stop)
        })
        .await?;
        let answer = Arc::new(answer);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back((key, answer.clone()));
        Ok(answer)
    }

    fn cached(&self, req: &SimRequest) -> Option<Arc<SimAnswer>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent
            .iter()
            .find(|(k, _)| k == req)
            .map(|(_, r)| r.clone())
    }
}

/// Sets up a checked request as `bamboo simulate` does (the shipped world and doctrines,
/// `--set` for each parameter) and runs it, or each value of its sweep.
fn simulate(req: &SimRequest, stop: &AtomicBool) -> Result<SimAnswer, ApiError> {
    let setup = |e: SetupError| ApiError::unprocessable(e.to_string());
    let mut prep = Prepared::with_list(&req.world, Some(&req.doctrines)).map_err(setup)?;
    for (k, v) in &req.parameters {
        prep.set(k, *v)
            .map_err(|e| ApiError::invalid_field(&format!("parameters.{k}"), e.message))?;
    }
    let cfg = SimConfig {
        runs: req.runs,
        years: req.years,
        seed: req.seed,
    };
    let stopped = || stop.load(Ordering::Relaxed);
    let run = |w: &World| {
        prep.simulate_world(w, &cfg, &|_| {}, &stopped)
            .map_err(|e| match e {
                // Nobody is waiting for this answer any more.
                SetupError::Sim(SimError::Stopped) => {
                    ApiError::unavailable("the simulation was stopped", 1)
                }
                e => ApiError::unprocessable(e.to_string()),
            })
    };
    match &req.sweep {
        None => {
            let r = run(&prep.world)?;
            Ok(SimAnswer {
                json: report_json(&r),
                report: Some(r),
            })
        }
        Some(sw) => {
            let worlds = sw.worlds(&prep.world).map_err(|e| {
                ApiError::invalid_field("sweep.values", format!("{}: {}", sw.parameter, e.message))
            })?;
            let mut points = Vec::with_capacity(worlds.len());
            for (v, w) in sw.values.iter().zip(&worlds) {
                points.push((*v, run(w)?));
            }
            Ok(SimAnswer {
                json: sweep_json(&sw.parameter, &points),
                report: None,
            })
        }
    }
}

/// What the dashboard needs to steer a world: every parameter with its meaning, range,
/// default and value in this world.
pub fn parameters_json(w: &World) -> Value {
    Value::Array(
        bamboo_sim::params::parameters()
            .map(|p| {
                json!({
                    "name": p.name,
                    "doc": p.doc,
                    "section": p.section,
                    "min": p.min,
                    "max": p.max,
                    "default": p.default,
                    "value": p.get(w),
                })
            })
            .collect(),
    )
}

/// The defaults of a request and the outcomes every report carries, for `GET /api/worlds`.
pub fn defaults_json() -> Value {
    let d = SimConfig::DEFAULT;
    json!({
        "defaults": { "world": DEFAULT_WORLD, "runs": d.runs, "years": d.years, "seed": d.seed },
        "outcomes": bamboo_sim::OUTCOMES,
        "sweep_values": MAX_SWEEP_VALUES,
    })
}

fn list(c: &[bamboo_core::Iso3]) -> String {
    c.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
}
