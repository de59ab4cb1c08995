//! A sweep's output directory (`bamboo sweep DESIGN -o DIR`, `bamboo.dask.sweep`): per point
//! its report (`points/NNNNNN.json`, the bytes `bamboo simulate --json` prints) and its row
//! (`points/NNNNNN.csv`), each written atomically as soon as the point is done; the table
//! `sweep.csv` (a header and one row per point, in point order) assembled from the rows; and
//! `design.json`, so that a rerun resumes only the same design and skips the points done.
//! Nothing is held per point: memory is flat in the number of points.

use std::io::Write;
use std::path::{Path, PathBuf};

use bamboo_sim::SimReport;

use crate::design::{Design, Point};
use crate::simulation::{outcome_rows, report_json, SetupError};

/// The format tag of `design.json`.
pub const SWEEP_FORMAT: &str = "bamboo-sweep/1";

fn io(path: &Path, what: &str, e: std::io::Error) -> SetupError {
    SetupError::Message(format!("{}: cannot {what}: {e}", path.display()))
}

/// Writes a file atomically: a temporary file beside it, synced, then renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SetupError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(path, "write", e)
    })
}

/// The columns of the table: `point`, the parameters, then per compared doctrine and
/// outcome its mean and 5/50/95% quantiles (`p_break`: its value only).
pub fn columns(design: &Design) -> Vec<String> {
    let mut c = vec!["point".to_string()];
    c.extend(design.parameters.iter().cloned());
    for spec in &design.base.compared {
        let d = crate::simulation::report_name(spec);
        for o in crate::simulation::OUTCOMES {
            if o == "p_break" {
                c.push(format!("{d}.p_break"));
            } else {
                for q in ["mean", "p5", "p50", "p95"] {
                    c.push(format!("{d}.{o}.{q}"));
                }
            }
        }
    }
    c
}

/// A CSV cell: numbers in Rust's shortest round-trip form; text quoted when it must be.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The header line of the table.
pub fn header(design: &Design) -> String {
    let mut s = columns(design)
        .iter()
        .map(|c| cell(c))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    s
}

/// The row of one point (with its newline).
pub fn row(p: &Point, r: &SimReport) -> String {
    let mut cells = vec![p.number.to_string()];
    cells.extend(p.values.iter().map(|(_, v)| v.to_string()));
    for o in outcome_rows(r) {
        match o.summary {
            Some(s) => cells.extend([s.mean, s.p5, s.p50, s.p95].map(|x| x.to_string())),
            None => cells.push(o.mean.to_string()),
        }
    }
    let mut s = cells.join(",");
    s.push('\n');
    s
}

/// Runs one point of a design.
pub fn run_point(
    design: &Design,
    p: &Point,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimReport, SetupError> {
    let w = design.world(p)?;
    Ok(bamboo_sim::simulate(
        &w,
        &design.base.doctrines(),
        &design.config(),
        progress,
    )?)
}

/// A sweep's output directory, opened for one design.
pub struct SweepDir {
    pub dir: PathBuf,
    points: u64,
    header: String,
}

/// What `design.json` records: the design as checked and the fingerprint of its inputs.
fn manifest(design: &Design) -> String {
    let v = serde_json::json!({
        "format": SWEEP_FORMAT,
        "design": design.input,
        "inputs": design.base.fingerprint(),
        "points": design.len(),
        "columns": columns(design),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("a manifest serialises");
    s.push('\n');
    s
}

impl SweepDir {
    /// Opens (creating) `dir` for `design`: a directory of another design is refused.
    pub fn open(dir: &Path, design: &Design) -> Result<SweepDir, SetupError> {
        std::fs::create_dir_all(dir.join("points")).map_err(|e| io(dir, "create", e))?;
        let m = manifest(design);
        let mpath = dir.join("design.json");
        match std::fs::read_to_string(&mpath) {
            Ok(old) if old == m => {}
            Ok(_) => {
                return Err(SetupError::Message(format!(
                    "{}: holds a sweep of another design (or other inputs); resume only the same design, or pass another -o DIR",
                    mpath.display()
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_atomic(&mpath, m.as_bytes())?,
            Err(e) => return Err(io(&mpath, "read", e)),
        }
        Ok(SweepDir {
            dir: dir.to_path_buf(),
            points: design.len(),
            header: header(design),
        })
    }

    fn file(&self, number: u64, ext: &str) -> PathBuf {
        self.dir.join("points").join(format!("{number:06}.{ext}"))
    }

    /// Whether point `number` is done (its row, written last, is there).
    pub fn is_done(&self, number: u64) -> bool {
        self.file(number, "csv").is_file() && self.file(number, "json").is_file()
    }

    /// The points not done yet, in order.
    pub fn todo(&self) -> impl Iterator<Item = u64> + '_ {
        (1..=self.points).filter(|&n| !self.is_done(n))
    }

    /// Records a point's report: its JSON, then its row (so a row means both are whole).
    pub fn write_point(&self, p: &Point, r: &SimReport) -> Result<(), SetupError> {
        write_atomic(&self.file(p.number, "json"), report_json(r).as_bytes())?;
        write_atomic(&self.file(p.number, "csv"), row(p, r).as_bytes())
    }

    /// Records a point from its report's JSON and row as a remote task returned them.
    pub fn write_point_text(&self, number: u64, json: &str, row: &str) -> Result<(), SetupError> {
        write_atomic(&self.file(number, "json"), json.as_bytes())?;
        write_atomic(&self.file(number, "csv"), row.as_bytes())
    }

    /// Assembles `sweep.csv` (atomically, streaming one row at a time) once every point is
    /// done; returns its path.
    pub fn finish(&self) -> Result<PathBuf, SetupError> {
        if let Some(n) = self.todo().next() {
            return Err(SetupError::Message(format!(
                "{}: point {n} of {} is not done yet; rerun the sweep to finish it",
                self.dir.display(),
                self.points
            )));
        }
        let out = self.dir.join("sweep.csv");
        let tmp = self
            .dir
            .join(format!(".sweep.csv.{}.tmp", std::process::id()));
        let res = (|| {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            f.write_all(self.header.as_bytes())?;
            for n in 1..=self.points {
                f.write_all(&std::fs::read(self.file(n, "csv"))?)?;
            }
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &out)
        })();
        res.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(&out, "write", e)
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_resumes_to_the_same_table_and_refuses_another_design() {
        let src = "runs = 4\nyears = 3\nseed = 2\ndoctrines = [\"vietnam\", \"neutral\"]\n[factorial]\npolarisation = [0.2, 0.6]\nvolatility = [0.1, 0.2]\n";
        let d = Design::parse(Path::new("d.toml"), src).unwrap();
        let t = tempfile::tempdir().unwrap();
        let run = |dir: &Path, stop_after: usize| {
            let s = SweepDir::open(dir, &d).unwrap();
            let todo: Vec<u64> = s.todo().collect();
            for n in todo.into_iter().take(stop_after) {
                let p = d.point(n);
                s.write_point(&p, &run_point(&d, &p, &|_| {}).unwrap())
                    .unwrap();
            }
            s
        };
        let whole = run(&t.path().join("a"), usize::MAX).finish().unwrap();
        let s = run(&t.path().join("b"), 3);
        assert!(s.finish().is_err());
        assert_eq!(s.todo().collect::<Vec<_>>(), [4]);
        let resumed = run(&t.path().join("b"), usize::MAX).finish().unwrap();
        let a = std::fs::read_to_string(whole).unwrap();
        assert_eq!(a, std::fs::read_to_string(resumed).unwrap());
        assert_eq!(a.lines().count(), 5);
        assert!(
            a.starts_with("point,polarisation,volatility,vietnam.economic_gain.mean,"),
            "{a}"
        );
        assert_eq!(
            a.lines().nth(1).unwrap().split(',').count(),
            columns(&d).len()
        );
        let other =
            Design::parse(Path::new("d.toml"), &src.replace("runs = 4", "runs = 5")).unwrap();
        let e = SweepDir::open(&t.path().join("a"), &other)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("another design"), "{e}");
    }
}
