//! Sweep designs (`docs/sweeps.md`): a TOML file (or the same keys from Python) naming a
//! world, its doctrines and the runs, and its points as a full factorial, a seeded Latin
//! hypercube or an explicit list; every point checked against the world before anything
//! runs, errors located by file, line and key. Points are generated one at a time, so a
//! design of a million points costs no memory until it runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bamboo_sim::rng::{mix, Rng};
use bamboo_sim::{SimConfig, World, MAX_RUNS, MAX_YEARS};
use serde::{Deserialize, Serialize};

use crate::simulation::{Prepared, SetupError};
use crate::toml_input::{from_toml_error, read, Diagnostic, InputError, Spans};

/// The most points a design may have (a sweep directory holds one file pair per point).
pub const MAX_POINTS: u64 = 1_000_000;

/// A design as written: the keys of a design file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignInput {
    /// A shipped world's name or a path (relative to the design file).
    #[serde(default = "default_world")]
    pub world: String,
    /// The doctrines compared (default: the world's `compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctrines: Option<Vec<String>>,
    #[serde(default = "default_runs")]
    pub runs: u32,
    #[serde(default = "default_years")]
    pub years: u32,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Every combination of these values (the last parameter varies fastest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factorial: Option<BTreeMap<String, Vec<f64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latin_hypercube: Option<LatinHypercube>,
    /// Explicit points, each setting the same parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<Vec<BTreeMap<String, f64>>>,
}

fn default_world() -> String {
    crate::simulation::DEFAULT_WORLD.into()
}
fn default_runs() -> u32 {
    SimConfig::DEFAULT.runs
}
fn default_years() -> u32 {
    SimConfig::DEFAULT.years
}
fn default_seed() -> u64 {
    SimConfig::DEFAULT.seed
}

/// `points` points; each parameter's range cut into `points` equal strata, one point in
/// each, paired across parameters by seeded permutations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatinHypercube {
    pub points: u32,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `name = [low, high]`.
    pub ranges: BTreeMap<String, [f64; 2]>,
}

/// One point of a design: its number (from 1) and the parameters it sets, in the design's
/// parameter order.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub number: u64,
    pub values: Vec<(String, f64)>,
}

/// A checked design, with the simulation it varies.
pub struct Design {
    pub input: DesignInput,
    /// The world as read, its doctrines compiled.
    pub base: Prepared,
    /// The parameters varied, in column order.
    pub parameters: Vec<String>,
    kind: Kind,
}

enum Kind {
    Factorial(Vec<Vec<f64>>),
    /// Per parameter: low, high and the stratum of each point.
    Latin {
        n: u32,
        seed: u64,
        ranges: Vec<[f64; 2]>,
        strata: Vec<Vec<u32>>,
    },
    Points(Vec<Vec<f64>>),
}

fn invalid(file: &Path, src: &str, path: &str, message: String) -> SetupError {
    let spans = Spans::new(src);
    let line = spans.line(path).or_else(|| {
        // The key's own line, when the path's last segment is a key in the text.
        let key = path.rsplit('.').next()?;
        src.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    });
    SetupError::Input(InputError::invalid(Diagnostic {
        file: file.to_path_buf(),
        line,
        entry: None,
        entry_kind: "point",
        field: Some(path.to_string()),
        message,
    }))
}

impl Design {
    /// Reads a design file.
    pub fn read(path: &Path) -> Result<Design, SetupError> {
        let src = read(path)?;
        Design::parse(path, &src)
    }

    /// Parses a design's text (`file` names it in errors and anchors a relative world
    /// path).
    pub fn parse(file: &Path, src: &str) -> Result<Design, SetupError> {
        let input: DesignInput = toml::from_str(src).map_err(|e| {
            SetupError::Input(InputError::invalid(from_toml_error(file, src, &e, None)))
        })?;
        Design::from_input(file, src, input)
    }

    /// Checks a design given as its keys (from Python: `file` and `src` locate errors; the
    /// text may be the JSON the keys came from).
    pub fn from_input(
        file: &Path,
        src: &str,
        mut input: DesignInput,
    ) -> Result<Design, SetupError> {
        let bad = |path: &str, m: String| invalid(file, src, path, m);
        if input.runs == 0 || input.runs > MAX_RUNS {
            return Err(bad(
                "runs",
                format!("{} is outside 1..{MAX_RUNS}", input.runs),
            ));
        }
        if !(1..=MAX_YEARS).contains(&input.years) {
            return Err(bad(
                "years",
                format!("{} is outside 1..{MAX_YEARS}", input.years),
            ));
        }
        // A relative world path is relative to the design file.
        let world =
            if crate::simulation::is_path(&input.world) && Path::new(&input.world).is_relative() {
                file.parent()
                    .map_or_else(|| PathBuf::from(&input.world), |d| d.join(&input.world))
                    .display()
                    .to_string()
            } else {
                input.world.clone()
            };
        let base = Prepared::with_list(&world, input.doctrines.as_deref()).map_err(|e| {
            SetupError::At {
                whence: format!("{}: key `world`", file.display()),
                source: Box::new(e),
            }
        })?;
        input.world = world;
        let kinds = [
            input.factorial.is_some(),
            input.latin_hypercube.is_some(),
            input.point.is_some(),
        ];
        if kinds.iter().filter(|&&k| k).count() != 1 {
            return Err(bad(
                "",
                "a design has exactly one of [factorial], [latin_hypercube] or [[point]]".into(),
            ));
        }
        let (parameters, kind) = if let Some(f) = &input.factorial {
            let mut total: u64 = 1;
            for (k, vs) in f {
                if vs.is_empty() {
                    return Err(bad(&format!("factorial.{k}"), "lists no value".into()));
                }
                total = total.saturating_mul(vs.len() as u64);
            }
            if f.is_empty() {
                return Err(bad("factorial", "names no parameter".into()));
            }
            if total > MAX_POINTS {
                return Err(bad(
                    "factorial",
                    format!("has {total} points; at most {MAX_POINTS}"),
                ));
            }
            (
                f.keys().cloned().collect::<Vec<_>>(),
                Kind::Factorial(f.values().cloned().collect()),
            )
        } else if let Some(l) = &input.latin_hypercube {
            if l.points == 0 || u64::from(l.points) > MAX_POINTS {
                return Err(bad(
                    "latin_hypercube.points",
                    format!("{} is outside 1..{MAX_POINTS}", l.points),
                ));
            }
            if l.ranges.is_empty() {
                return Err(bad("latin_hypercube.ranges", "names no parameter".into()));
            }
            for (k, [lo, hi]) in &l.ranges {
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err(bad(
                        &format!("latin_hypercube.ranges.{k}"),
                        format!("[{lo}, {hi}] is not a range [low, high] with low <= high"),
                    ));
                }
            }
            let strata = (0..l.ranges.len())
                .map(|d| permutation(l.points, mix(l.seed ^ 0x006c_6873) ^ d as u64))
                .collect();
            (
                l.ranges.keys().cloned().collect(),
                Kind::Latin {
                    n: l.points,
                    seed: l.seed,
                    ranges: l.ranges.values().copied().collect(),
                    strata,
                },
            )
        } else {
            let ps = input
                .point
                .as_ref()
                .expect("exactly one kind is given (checked above) and it is not the other two");
            let first: Vec<String> = ps
                .first()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            if first.is_empty() {
                return Err(bad("point", "the first [[point]] sets no parameter".into()));
            }
            if ps.len() as u64 > MAX_POINTS {
                return Err(bad(
                    "point",
                    format!("has {} points; at most {MAX_POINTS}", ps.len()),
                ));
            }
            for (i, p) in ps.iter().enumerate() {
                let keys: Vec<&String> = p.keys().collect();
                if keys != first.iter().collect::<Vec<_>>() {
                    return Err(bad(
                        &format!("point[{i}]"),
                        format!(
                            "sets {} but point 1 sets {}; every point sets the same parameters",
                            keys.iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            first.join(", ")
                        ),
                    ));
                }
            }
            (
                first,
                Kind::Points(ps.iter().map(|p| p.values().copied().collect()).collect()),
            )
        };
        let d = Design {
            input,
            base,
            parameters,
            kind,
        };
        // Every point must set the world: check them all before running any (one point at a
        // time, so memory stays flat).
        for p in d.points() {
            if let Err(e) = d.world(&p) {
                let (k, v) = p
                    .values
                    .iter()
                    .find(|(k, _)| e.field == *k)
                    .cloned()
                    .unwrap_or_default();
                let path = match &d.kind {
                    Kind::Factorial(_) => format!("factorial.{k}"),
                    Kind::Latin { .. } => format!("latin_hypercube.ranges.{k}"),
                    Kind::Points(_) => format!("point[{}].{k}", p.number - 1),
                };
                let msg = e.message.clone();
                return Err(bad(
                    &path,
                    format!("point {} sets {k} = {v}: {msg}", p.number),
                ));
            }
        }
        Ok(d)
    }

    /// The simulation settings shared by every point.
    pub fn config(&self) -> SimConfig {
        SimConfig {
            runs: self.input.runs,
            years: self.input.years,
            seed: self.input.seed,
        }
    }

    /// How many points the design has.
    pub fn len(&self) -> u64 {
        match &self.kind {
            Kind::Factorial(vs) => vs.iter().map(|v| v.len() as u64).product(),
            Kind::Latin { n, .. } => u64::from(*n),
            Kind::Points(ps) => ps.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `number` (from 1).
    pub fn point(&self, number: u64) -> Point {
        let i = number - 1;
        let vals: Vec<f64> = match &self.kind {
            Kind::Factorial(vs) => {
                let mut rest = i;
                let mut out = vec![0.0; vs.len()];
                for (d, v) in vs.iter().enumerate().rev() {
                    out[d] = v[(rest % v.len() as u64) as usize];
                    rest /= v.len() as u64;
                }
                out
            }
            Kind::Latin {
                n,
                seed,
                ranges,
                strata,
            } => ranges
                .iter()
                .zip(strata)
                .enumerate()
                .map(|(d, ([lo, hi], s))| {
                    let mut r = Rng::from_u64(mix(mix(*seed ^ 0x6c68_7370) ^ i) ^ d as u64);
                    let u = (f64::from(s[i as usize]) + r.uniform()) / f64::from(*n);
                    lo + (hi - lo) * u
                })
                .collect(),
            Kind::Points(ps) => ps[i as usize].clone(),
        };
        Point {
            number,
            values: self.parameters.iter().cloned().zip(vals).collect(),
        }
    }

    /// The points in order, one at a time.
    pub fn points(&self) -> impl Iterator<Item = Point> + '_ {
        (1..=self.len()).map(|n| self.point(n))
    }

    /// The world of a point.
    pub fn world(&self, p: &Point) -> Result<World, bamboo_sim::WorldError> {
        let mut w = self.base.world.clone();
        for (k, v) in &p.values {
            w.set(k, *v)?;
        }
        Ok(w)
    }

    /// The inputs of a point as texts (for a Dask task or a job on another machine).
    pub fn point_inputs(&self, p: &Point) -> crate::simulation::SimInputs {
        let mut i = self.base.inputs.clone();
        i.set.extend(p.values.iter().cloned());
        i
    }
}

/// A seeded permutation of 0..n (Fisher-Yates).
fn permutation(n: u32, seed: u64) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n).collect();
    let mut r = Rng::from_u64(seed);
    for i in (1..v.len()).rev() {
        let j = (r.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Design, String> {
        Design::parse(Path::new("d.toml"), src).map_err(|e| e.to_string())
    }

    #[test]
    fn a_factorial_has_every_combination_last_parameter_fastest() {
        let d = parse(
            "runs = 5\n[factorial]\npolarisation = [0.2, 0.5]\nvolatility = [0.1, 0.2, 0.3]\n",
        )
        .unwrap();
        assert_eq!(d.len(), 6);
        assert_eq!(d.parameters, ["polarisation", "volatility"]);
        let ps: Vec<Point> = d.points().collect();
        assert_eq!(
            ps[0].values,
            [("polarisation".into(), 0.2), ("volatility".into(), 0.1)]
        );
        assert_eq!(ps[1].values[1].1, 0.2);
        assert_eq!(
            ps[3].values,
            [("polarisation".into(), 0.5), ("volatility".into(), 0.1)]
        );
    }

    #[test]
    fn a_latin_hypercube_has_one_point_per_stratum_and_is_seeded() {
        let src = "[latin_hypercube]\npoints = 20\nseed = 4\nranges = { polarisation = [0.1, 0.9], volatility = [0.0, 0.4] }\n";
        let d = parse(src).unwrap();
        assert_eq!(d.len(), 20);
        for (k, (lo, hi)) in [(0, (0.1, 0.9)), (1, (0.0, 0.4))] {
            let mut strata: Vec<usize> = d
                .points()
                .map(|p| {
                    let x = p.values[k].1;
                    assert!((lo..=hi).contains(&x));
                    (((x - lo) / (hi - lo)) * 20.0).floor() as usize
                })
                .collect();
            strata.sort();
            assert_eq!(strata, (0..20).collect::<Vec<_>>());
        }
        let again = parse(src).unwrap();
        assert_eq!(d.point(7), again.point(7));
        let other = parse(&src.replace("seed = 4", "seed = 5")).unwrap();
        assert_ne!(d.point(7), other.point(7));
    }

    #[test]
    fn bad_designs_name_the_line_and_key() {
        let cases = [
            (
                "runs = 0\n[factorial]\npolarisation = [0.2]\n",
                "d.toml:1: key `runs`",
                "outside",
            ),
            (
                "[factorial]\npolarisation = [0.2, 1.5]\n",
                "d.toml:2: key `factorial.polarisation`",
                "point 2 sets polarisation = 1.5",
            ),
            (
                "[factorial]\ngravity = [1]\n",
                "d.toml:2: key `factorial.gravity`",
                "unknown parameter",
            ),
            (
                "[[point]]\npolarisation = 0.2\n[[point]]\nvolatility = 0.1\n",
                "d.toml:3: key `point[1]`",
                "same parameters",
            ),
            ("runs = 3\n", "d.toml:1", "exactly one of"),
            (
                "[factorial]\npolarisation = [0.2]\n[[point]]\npolarisation = 0.1\n",
                "d.toml",
                "exactly one of",
            ),
            (
                "[latin_hypercube]\npoints = 3\nranges = { polarisation = [0.9, 0.1] }\n",
                "d.toml:3: key `latin_hypercube.ranges.polarisation`",
                "low <= high",
            ),
            (
                "[factorial]\npolarisation = \"high\"\n",
                "d.toml:2",
                "polarisation",
            ),
            ("wrold = \"default\"\n", "d.toml:1", "wrold"),
            (
                "world = \"mars\"\n[factorial]\npolarisation = [0.2]\n",
                "d.toml: key `world`: unknown world `mars`",
                "",
            ),
        ];
        for (src, at, msg) in cases {
            let e = parse(src)
                .err()
                .unwrap_or_else(|| panic!("accepted: {src}"));
            assert!(e.starts_with(at) && e.contains(msg), "{src}\n→ {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }
}
