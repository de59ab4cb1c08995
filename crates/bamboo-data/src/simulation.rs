//! Simulation setup shared by the CLI and the Python package: a world and the doctrines it
//! compares, named by shipped name or path (`NAME:no-plan` drops a doctrine's moves), read
//! with errors located in the world file or the flag that named them; the inputs as a
//! bundle of their texts ([`SimInputs`], what a Dask task or a batch job on another machine
//! needs) with a fingerprint; the report and partial reports as JSON; and the report's
//! outcomes as tidy rows.

use std::path::Path;

use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_sim::{
    MergeError, Partial, ShardError, SimConfig, SimDoctrines, SimError, SimReport, Summary, World,
    WorldError,
};
use serde::{Deserialize, Serialize};

use crate::toml_input::{json_error, read, InputError};

/// Why a simulation could not be set up, run or merged. Displayed as one line that names
/// the file, line and key, or the flag, at fault.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Message(String),
    /// A problem found while reading something named at `whence` (`file:line: key`, or a
    /// flag).
    #[error("{whence}: {source}")]
    At {
        whence: String,
        #[source]
        source: Box<SetupError>,
    },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    World(#[from] WorldError),
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error(transparent)]
    Merge(#[from] MergeError),
}

impl From<ShardError> for SetupError {
    fn from(e: ShardError) -> SetupError {
        match e {
            ShardError::Sim(e) => SetupError::Sim(e),
            ShardError::Merge(e) => SetupError::Merge(e),
        }
    }
}

fn message(m: impl Into<String>) -> SetupError {
    SetupError::Message(m.into())
}

/// A text read from a file or shipped with bamboo, with where it came from (for errors).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub file: String,
    pub text: String,
}

/// Everything a simulation reads, as texts: a world, the compared doctrine specs, and the
/// text of every doctrine spec named (without its `:no-plan`), plus world parameters set
/// after reading (a sweep's point). Rebuilding a [`Prepared`] from it reads no file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimInputs {
    pub world: Source,
    pub compared: Vec<String>,
    pub doctrines: Vec<(String, Source)>,
    #[serde(default)]
    pub set: Vec<(String, f64)>,
}

/// The world simulated when none is named (`--world`, a design's `world`, the API's).
pub const DEFAULT_WORLD: &str = "default";

pub fn is_path(spec: &str) -> bool {
    spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\')
}

/// The name a compared doctrine is reported under: its shipped name (`:no-plan` kept), or
/// its file's stem.
pub fn report_name(spec: &str) -> String {
    if is_path(spec) {
        Path::new(spec)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(spec)
            .to_string()
    } else {
        spec.to_string()
    }
}

/// The text of a doctrine spec without its `:no-plan`: a file's, or a shipped doctrine's.
fn doctrine_source(base: &str) -> Result<Source, SetupError> {
    if is_path(base) {
        return Ok(Source {
            file: base.to_string(),
            text: read(Path::new(base))?,
        });
    }
    match crate::shipped::doctrine(base) {
        Some((path, src)) => Ok(Source {
            file: path.to_string(),
            text: src.to_string(),
        }),
        None => Err(message(format!(
            "unknown doctrine `{base}`; use a shipped name ({}) or a path to a doctrine file",
            crate::shipped::doctrine_names().join(", ")
        ))),
    }
}

/// Compiles a doctrine spec from its text: `NAME:no-plan` is the same doctrine without its
/// move catalogue (it decides alike and plans no offsets).
fn compile(spec: &str, src: &Source) -> Result<CompiledDoctrine, SetupError> {
    let d = crate::doctrine::parse_compiled(Path::new(&src.file), &src.text)?;
    if spec.ends_with(":no-plan") {
        let mut doc = d.doctrine().clone();
        doc.trunk.moves.clear();
        return CompiledDoctrine::new(doc).map_err(|e| message(format!("{spec}: {e}")));
    }
    Ok(d)
}

/// Loads a doctrine by shipped name or path (`NAME:no-plan` too), with the name it is
/// reported under.
pub fn load_doctrine(spec: &str) -> Result<(String, CompiledDoctrine), SetupError> {
    let spec = spec.trim();
    let base = spec.strip_suffix(":no-plan").unwrap_or(spec);
    let src = doctrine_source(base)?;
    let name = if base != spec {
        spec.to_string()
    } else {
        report_name(spec)
    };
    Ok((name, compile(spec, &src)?))
}

fn world_source(spec: &str) -> Result<Source, SetupError> {
    if is_path(spec) {
        return Ok(Source {
            file: spec.to_string(),
            text: read(Path::new(spec))?,
        });
    }
    match crate::shipped::world(spec) {
        Some((path, src)) => Ok(Source {
            file: path.to_string(),
            text: src.to_string(),
        }),
        None => Err(message(format!(
            "unknown world `{spec}`; use a shipped name (default) or a path to a world file"
        ))),
    }
}

/// Loads a world by shipped name or path, with where it came from and its text (to locate
/// later errors).
pub fn load_world(spec: &str) -> Result<(World, String, String), SetupError> {
    let src = world_source(spec)?;
    let w = crate::world::parse_world(Path::new(&src.file), &src.text)?;
    Ok((w, src.file, src.text))
}

/// `file:line: key` of a doctrine name in a world file, for errors: the line that names it
/// under that key, else the key's first line, else the `[world]` header (line 1 without).
fn locate_in_world(file: &str, src: &str, key: &str, name: &str) -> String {
    let needle = format!("\"{name}\"");
    let lines: Vec<&str> = src.lines().collect();
    let line = lines
        .iter()
        .position(|l| l.trim_start().starts_with(key) && l.contains(&needle))
        .or_else(|| lines.iter().position(|l| l.trim_start().starts_with(key)))
        .or_else(|| lines.iter().position(|l| l.trim() == "[world]"))
        .map_or(1, |i| i + 1);
    format!("{file}:{line}: key `{key}`")
}

/// A world with its doctrines compiled, ready to simulate, and the texts it came from.
pub struct Prepared {
    pub world: World,
    /// Every doctrine needed, by spec: the compared ones, the states' and the yardstick.
    pub compiled: Vec<(String, CompiledDoctrine)>,
    pub compared: Vec<String>,
    pub inputs: SimInputs,
}

impl Prepared {
    /// Reads a world (shipped name or path) and the doctrines to compare (comma-separated
    /// specs, as `--doctrines` takes them; `None`: the world's `compare` list).
    pub fn new(world: &str, doctrines: Option<&str>) -> Result<Prepared, SetupError> {
        let list = doctrines.map(|l| {
            l.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        });
        Prepared::with_list(world, list.as_deref())
    }

    /// [`Prepared::new`] with the doctrines as a list.
    pub fn with_list(world: &str, doctrines: Option<&[String]>) -> Result<Prepared, SetupError> {
        let wsrc = world_source(world)?;
        Prepared::build(wsrc, doctrines, &mut |base| doctrine_source(base))
    }

    /// Rebuilds the simulation from its texts alone (no file is read), then sets the
    /// bundle's world parameters.
    pub fn from_inputs(inputs: &SimInputs) -> Result<Prepared, SetupError> {
        let mut lookup = |base: &str| {
            inputs
                .doctrines
                .iter()
                .find(|(s, _)| s == base)
                .map(|(_, src)| src.clone())
                .ok_or_else(|| {
                    message(format!(
                        "the simulation's inputs hold no text for doctrine `{base}`"
                    ))
                })
        };
        let mut p = Prepared::build(inputs.world.clone(), Some(&inputs.compared), &mut lookup)?;
        for (k, v) in &inputs.set {
            p.set(k, *v)?;
        }
        Ok(p)
    }

    fn build(
        wsrc: Source,
        doctrines: Option<&[String]>,
        source_of: &mut dyn FnMut(&str) -> Result<Source, SetupError>,
    ) -> Result<Prepared, SetupError> {
        let world = crate::world::parse_world(Path::new(&wsrc.file), &wsrc.text)?;
        let (file, src) = (&wsrc.file, &wsrc.text);
        let compared: Vec<String> = match doctrines {
            Some(list) => list.to_vec(),
            None => world.compare.clone(),
        };
        if compared.is_empty() {
            return Err(message(format!(
                "{}: lists no doctrine to compare: list them in the world's `compare` or pass --doctrines A,B",
                locate_in_world(file, src, "compare", "")
            )));
        }
        // Every doctrine needed, each spec loaded once, with where it was named.
        let mut wanted: Vec<(String, String)> = Vec::new();
        for spec in &compared {
            let whence = match doctrines {
                Some(_) => "--doctrines".to_string(),
                None => locate_in_world(file, src, "compare", spec),
            };
            wanted.push((spec.clone(), whence));
        }
        for s in &world.states {
            wanted.push((
                s.doctrine.clone(),
                locate_in_world(file, src, "doctrine", &s.doctrine),
            ));
        }
        wanted.push((
            world.yardstick.clone(),
            locate_in_world(file, src, "yardstick", &world.yardstick),
        ));
        let mut compiled: Vec<(String, CompiledDoctrine)> = Vec::new();
        let mut sources: Vec<(String, Source)> = Vec::new();
        for (spec, whence) in wanted {
            if compiled.iter().any(|(n, _)| *n == spec) {
                continue;
            }
            let at = |e: SetupError| SetupError::At {
                whence: whence.clone(),
                source: Box::new(e),
            };
            let trimmed = spec.trim();
            let base = trimmed.strip_suffix(":no-plan").unwrap_or(trimmed);
            let dsrc = match sources.iter().find(|(b, _)| b == base) {
                Some((_, s)) => s.clone(),
                None => source_of(base).map_err(at)?,
            };
            let d = compile(trimmed, &dsrc).map_err(at)?;
            if !sources.iter().any(|(b, _)| b == base) {
                sources.push((base.to_string(), dsrc));
            }
            compiled.push((spec, d));
        }
        Ok(Prepared {
            world,
            compiled,
            compared: compared.clone(),
            inputs: SimInputs {
                world: wsrc,
                compared,
                doctrines: sources,
                set: Vec::new(),
            },
        })
    }

    /// Sets a world parameter (as `--sweep` does), and records it in the inputs.
    pub fn set(&mut self, key: &str, value: f64) -> Result<(), WorldError> {
        self.world.set(key, value)?;
        self.inputs.set.push((key.to_string(), value));
        Ok(())
    }

    fn get(&self, spec: &str) -> &CompiledDoctrine {
        &self
            .compiled
            .iter()
            .find(|(n, _)| n == spec)
            .expect("build() compiles every doctrine the world and `compared` name")
            .1
    }

    /// The doctrines as the simulator takes them. Compared doctrines are named by their
    /// shipped name or file stem.
    pub fn doctrines(&self) -> SimDoctrines<'_> {
        SimDoctrines {
            compared: self
                .compared
                .iter()
                .map(|spec| (report_name(spec), self.get(spec)))
                .collect(),
            states: self
                .world
                .states
                .iter()
                .map(|s| self.get(&s.doctrine))
                .collect(),
            yardstick: self.get(&self.world.yardstick),
        }
    }

    /// A fingerprint of what the simulation reads: the world's text, the compared doctrines
    /// (by the name they are reported under) and every doctrine's text, and the parameters
    /// set. Partials merge only with partials of the same fingerprint. (FNV-1a, 64 bits: it
    /// tells honest mistakes apart, it is not a signature.)
    pub fn fingerprint(&self) -> String {
        let mut h = Fnv::default();
        h.field("world");
        h.field(&self.inputs.world.text);
        for spec in &self.compared {
            h.field("compared");
            h.field(&report_name(spec));
        }
        for (base, src) in &self.inputs.doctrines {
            h.field(if is_path(base) { "doctrine file" } else { base });
            h.field(&src.text);
        }
        for (k, v) in &self.inputs.set {
            h.field("set");
            h.field(k);
            h.field(&v.to_bits().to_string());
        }
        format!("{:016x}", h.0)
    }

    /// Runs the whole simulation.
    pub fn simulate(
        &self,
        cfg: &SimConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<SimReport, SetupError> {
        Ok(bamboo_sim::simulate(
            &self.world,
            &self.doctrines(),
            cfg,
            progress,
        )?)
    }

    /// Runs the simulation on `world` (this one's, or a sweep's value of it), stopping
    /// when `stop` says so (see `bamboo_sim::simulate_until`).
    pub fn simulate_world(
        &self,
        world: &World,
        cfg: &SimConfig,
        progress: &(dyn Fn(u64) + Sync),
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<SimReport, SetupError> {
        Ok(bamboo_sim::simulate_until(
            world,
            &self.doctrines(),
            cfg,
            progress,
            stop,
        )?)
    }

    /// Runs slice `k` of `n` of the simulation (1-based), for [`merge_partials`].
    pub fn simulate_shard(
        &self,
        cfg: &SimConfig,
        k: u32,
        n: u32,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Partial, SetupError> {
        Ok(bamboo_sim::simulate_shard(
            &self.world,
            &self.doctrines(),
            cfg,
            (k, n),
            &self.fingerprint(),
            progress,
            &|| false,
        )?)
    }
}

/// FNV-1a over length-prefixed fields.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn field(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
}

/// The most values one sweep may take.
pub const MAX_SWEEP_VALUES: usize = 50;

/// A sweep of one world parameter over a list of values: `bamboo simulate --sweep
/// P=V1,V2,...`, and the `sweep` of `POST /api/simulate` (`{"parameter": P, "values":
/// [...]}`). One simulation per value, every other input the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub parameter: String,
    pub values: Vec<f64>,
}

/// What a sweep's JSON says it is.
pub const SWEEP_DEFINITION: &str = "one simulation per value of the parameter, every other input the same; each report is what `bamboo simulate --json` prints for the world with that value";

impl Sweep {
    /// Parses `KEY=V1,V2,...` (the flag's text; errors start with `--sweep`).
    pub fn parse(s: &str) -> Result<Sweep, SetupError> {
        let (key, values) = s.split_once('=').ok_or_else(|| {
            message(format!(
                "--sweep `{s}`: expected KEY=V1,V2,... such as polarisation=0.2,0.5,0.8"
            ))
        })?;
        let key = key.trim();
        let values = values
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        message(format!("--sweep {key}: `{}` is not a number", v.trim()))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sweep {
            parameter: key.to_string(),
            values,
        })
    }

    /// The world of each value, every value checked (as a world file's value is) before
    /// anything runs. The error's field is the parameter; it names every value refused.
    pub fn worlds(&self, base: &World) -> Result<Vec<World>, WorldError> {
        let key = &self.parameter;
        if self.values.is_empty() || self.values.len() > MAX_SWEEP_VALUES {
            return Err(WorldError {
                field: key.clone(),
                message: format!(
                    "give 1 to {MAX_SWEEP_VALUES} values, not {}",
                    self.values.len()
                ),
            });
        }
        let mut worlds = Vec::with_capacity(self.values.len());
        let mut refused: Vec<String> = Vec::new();
        for &v in &self.values {
            let mut w = base.clone();
            match w.set(key, v) {
                Ok(()) => worlds.push(w),
                // An unknown name is refused once, whatever the values.
                Err(e) if bamboo_sim::params::param(key).is_none() => return Err(e),
                Err(e) => refused.push(e.message),
            }
        }
        match refused.len() {
            0 => Ok(worlds),
            _ => Err(WorldError {
                field: key.clone(),
                message: refused.join("; "),
            }),
        }
    }
}

/// The JSON of a sweep (`bamboo simulate --sweep P=... --json`, and `POST /api/simulate`
/// with a `sweep`): the parameter, a definition, and per value the report `simulate
/// --json` prints for that world.
pub fn sweep_json(parameter: &str, points: &[(f64, SimReport)]) -> String {
    let points: Vec<serde_json::Value> = points
        .iter()
        .map(|(v, r)| {
            let report: serde_json::Value =
                serde_json::from_str(&report_json(r)).expect("a report is JSON");
            serde_json::json!({ "value": v, "report": report })
        })
        .collect();
    let out = serde_json::json!({
        "parameter": parameter,
        "definition": SWEEP_DEFINITION,
        "points": points,
    });
    let mut s = serde_json::to_string_pretty(&out).expect("a sweep serialises");
    s.push('\n');
    s
}

/// The tidy CSV of a sweep (`bamboo simulate --sweep P=...`): a row per value, doctrine and
/// outcome, `p_break` without quantiles.
pub fn sweep_csv(parameter: &str, points: &[(f64, SimReport)]) -> String {
    let mut csv = String::from("parameter,value,doctrine,outcome,mean,p5,p50,p95\n");
    for (v, r) in points {
        for o in outcome_rows(r) {
            match o.summary {
                Some(s) => csv.push_str(&format!(
                    "{parameter},{v},{},{},{},{},{},{}\n",
                    o.doctrine, o.outcome, s.mean, s.p5, s.p50, s.p95
                )),
                None => csv.push_str(&format!(
                    "{parameter},{v},{},{},{},,,\n",
                    o.doctrine, o.outcome, o.mean
                )),
            }
        }
    }
    csv
}

/// The report as `bamboo simulate --json` prints it (pretty JSON and a newline).
pub fn report_json(r: &SimReport) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a report serialises");
    s.push('\n');
    s
}

/// A partial report as `bamboo simulate --shard K/N --json` writes it: one line of JSON.
pub fn partial_json(p: &Partial) -> String {
    let mut s = serde_json::to_string(p).expect("a partial serialises");
    s.push('\n');
    s
}

/// Reads a partial report from its JSON text (`file` names it in errors).
pub fn parse_partial(file: &Path, text: &str) -> Result<Partial, SetupError> {
    serde_json::from_str(text)
        .map_err(|e| SetupError::Input(InputError::invalid(json_error(file, text, &e))))
}

/// Reads a partial report file.
pub fn read_partial(path: &Path) -> Result<Partial, SetupError> {
    parse_partial(path, &read(path)?)
}

/// Merges partial reports (named by `labels` in errors) into the report one process gives.
pub fn merge_partials(parts: &[Partial], labels: &[String]) -> Result<SimReport, SetupError> {
    Ok(bamboo_sim::merge_labelled(parts, &|i| {
        labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("part {}", i + 1))
    })?)
}

/// One outcome of one doctrine: the rows of the outcome table (a Python DataFrame, a
/// sweep's table). `p_break` has its value in `mean` and no quantiles.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeRow<'a> {
    pub doctrine: &'a str,
    pub outcome: &'static str,
    pub summary: Option<&'a Summary>,
    pub mean: f64,
}

/// The names of the outcomes, in the report's order (`bamboo_sim::OUTCOMES`):
/// `economic_gain`, `incidents`, `breaks`, `autonomy`, `final_lean` (with quantiles), then
/// `p_break`.
pub const OUTCOMES: [&str; 6] = {
    let mut out = [""; 6];
    let mut i = 0;
    while i < 6 {
        out[i] = bamboo_sim::OUTCOMES[i].name;
        i += 1;
    }
    out
};

/// The outcome table of a report: per doctrine, every outcome of `bamboo_sim::OUTCOMES`.
pub fn outcome_rows(r: &SimReport) -> Vec<OutcomeRow<'_>> {
    let mut rows = Vec::new();
    for d in &r.doctrines {
        for o in &bamboo_sim::OUTCOMES {
            rows.push(OutcomeRow {
                doctrine: &d.name,
                outcome: o.name,
                summary: o.of(&d.outcomes),
                mean: o.mean(&d.outcomes),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_rebuilds_the_same_simulation_without_files() {
        let mut p = Prepared::new("default", Some("vietnam,neutral:no-plan")).unwrap();
        p.set("polarisation", 0.4).unwrap();
        let json = serde_json::to_string(&p.inputs).unwrap();
        let back: SimInputs = serde_json::from_str(&json).unwrap();
        let q = Prepared::from_inputs(&back).unwrap();
        assert_eq!(q.fingerprint(), p.fingerprint());
        assert_eq!(q.world, p.world);
        let cfg = SimConfig {
            runs: 6,
            years: 3,
            seed: 2,
        };
        let a = report_json(&p.simulate(&cfg, &|_| {}).unwrap());
        let b = report_json(&q.simulate(&cfg, &|_| {}).unwrap());
        assert_eq!(a, b);
        assert!(a.contains("\"neutral:no-plan\""));
        // Another parameter is another fingerprint.
        let mut r = Prepared::new("default", Some("vietnam,neutral:no-plan")).unwrap();
        r.set("polarisation", 0.5).unwrap();
        assert_ne!(r.fingerprint(), p.fingerprint());
    }

    #[test]
    fn unknown_names_say_what_is_allowed_and_where_they_were_named() {
        let e = Prepared::new("nowhere", None).err().unwrap().to_string();
        assert!(e.starts_with("unknown world `nowhere`"), "{e}");
        let e = Prepared::new("default", Some("vietnam,nope"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("--doctrines: unknown doctrine `nope`"), "{e}");
    }
}
