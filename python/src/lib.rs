//! The `bamboo._bamboo` extension module (PyO3): the Rust core behind the `bamboo` Python
//! package. Tables leave as Arrow record batches through the C data interface (never as
//! CSV text), reports as the JSON the CLI prints, errors as `bamboo.BambooError` with the
//! CLI's located message. The Python layer (`bamboo/__init__.py`) turns them into pandas or
//! polars frames and Python objects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Schema};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use bamboo_app::query::Spelling;
use bamboo_core::alignment::{balance_series, series, By, SeriesSpec};
use bamboo_core::metrics::{Measures, Metric};
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::design::{Design, DesignInput};
use bamboo_data::simulation::{
    merge_partials, outcome_rows, parse_partial, partial_json, report_json, Prepared, SimInputs,
};
use bamboo_data::sweep::SweepDir;
use bamboo_data::{Countries, DataDir};
use bamboo_sim::SimConfig;

/// The most bootstrap replicates of an ideal-point fit (as `bamboo ideal --bootstrap`).
const MAX_BOOTSTRAP: u32 = 2000;

/// The most bootstrap replicates of an atlas (as `bamboo atlas --replicates`).
const MAX_REPLICATES: usize = 100_000;

create_exception!(
    _bamboo,
    BambooError,
    PyValueError,
    "A bad input, with the same located message as the bamboo CLI (file, line, key)."
);

/// One error line, the causes joined with `: ` as the CLI prints them (without its prefix).
fn err(e: impl std::fmt::Display) -> PyErr {
    BambooError::new_err(e.to_string())
}

fn chain(e: &(dyn std::error::Error + 'static)) -> PyErr {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    BambooError::new_err(s)
}

/// A column of a table.
enum Col {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
}

/// A table built row by row, exported as an Arrow record batch.
#[derive(Default)]
struct Table {
    cols: Vec<(String, Col)>,
}

impl Table {
    fn new(spec: &[(&str, char)]) -> Table {
        Table {
            cols: spec
                .iter()
                .map(|(n, t)| {
                    let c = match t {
                        'i' => Col::Int(Vec::new()),
                        'f' => Col::Float(Vec::new()),
                        _ => Col::Str(Vec::new()),
                    };
                    (n.to_string(), c)
                })
                .collect(),
        }
    }
    fn i(&mut self, k: usize, v: i64) {
        self.io(k, Some(v))
    }
    fn io(&mut self, k: usize, v: Option<i64>) {
        if let Col::Int(x) = &mut self.cols[k].1 {
            x.push(v)
        }
    }
    fn f(&mut self, k: usize, v: Option<f64>) {
        if let Col::Float(x) = &mut self.cols[k].1 {
            x.push(v)
        }
    }
    fn s(&mut self, k: usize, v: Option<String>) {
        if let Col::Str(x) = &mut self.cols[k].1 {
            x.push(v)
        }
    }

    fn batch(self) -> PyResult<Batch> {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (name, c) in self.cols {
            let (dt, a): (DataType, ArrayRef) = match c {
                Col::Int(v) => {
                    let mut b = Int64Builder::with_capacity(v.len());
                    b.extend(v);
                    (DataType::Int64, Arc::new(b.finish()))
                }
                Col::Float(v) => {
                    let mut b = Float64Builder::with_capacity(v.len());
                    b.extend(v);
                    (DataType::Float64, Arc::new(b.finish()))
                }
                Col::Str(v) => {
                    let mut b = StringBuilder::new();
                    for x in v {
                        b.append_option(x);
                    }
                    (DataType::Utf8, Arc::new(b.finish()))
                }
            };
            fields.push(Field::new(name, dt, true));
            arrays.push(a);
        }
        let rb = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(err)?;
        let data = StructArray::from(rb).to_data();
        let (array, schema) = arrow_array::ffi::to_ffi(&data).map_err(err)?;
        Ok(Batch {
            array: Box::new(array),
            schema: Box::new(schema),
        })
    }
}

/// An Arrow record batch in the C data interface, for `pyarrow.RecordBatch._import_from_c`
/// (which moves it out; what is left is freed with this object).
#[pyclass(module = "bamboo._bamboo", unsendable)]
struct Batch {
    array: Box<arrow_array::ffi::FFI_ArrowArray>,
    schema: Box<arrow_array::ffi::FFI_ArrowSchema>,
}

#[pymethods]
impl Batch {
    /// The addresses of the C `ArrowArray` and `ArrowSchema` structs.
    fn pointers(&mut self) -> (usize, usize) {
        (
            &mut *self.array as *mut _ as usize,
            &mut *self.schema as *mut _ as usize,
        )
    }
}

/// The vote store, found as the CLI finds it (`data`, else `BAMBOO_DATA`, else the
/// defaults).
#[pyclass(module = "bamboo._bamboo", frozen)]
struct Store {
    store: Arc<VoteStore>,
    countries: Countries,
    /// The source line, derived from what was loaded (as the CLI derives it).
    provenance: String,
}

/// `by`, as the CLI and the API read it (`bamboo_app::query::parse_by`).
fn parse_by(by: &str) -> PyResult<By> {
    bamboo_app::query::parse_by(by, Spelling::Param).map_err(err)
}

fn push_measures(t: &mut Table, at: usize, m: &Measures) {
    t.i(at, m.n as i64);
    for (i, v) in [
        m.agreement,
        m.s,
        m.s2,
        m.kappa,
        m.kappa1,
        m.pi,
        m.coincidence,
    ]
    .into_iter()
    .enumerate()
    {
        t.f(at + 1 + i, v);
    }
}

impl Store {
    fn country(&self, text: &str, what: &str) -> PyResult<Iso3> {
        self.countries
            .resolve(text)
            .map_err(|e| err(format!("{what}: {e}")))
    }

    fn list(&self, items: &[String], what: &str) -> PyResult<Vec<Iso3>> {
        let mut out = Vec::new();
        for it in items
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let c = self.country(it, what)?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The span, checked and clamped as the CLI and the API do (`bamboo_app::query::span`).
    fn span(&self, from: Option<i32>, to: Option<i32>, by: By) -> PyResult<SeriesSpec> {
        bamboo_app::query::span(&self.store, from, to, by, Spelling::Param).map_err(err)
    }

    /// The span a subject's series covers (its voting years, with a window or the total).
    fn subject_span(&self, subject: Iso3, spec: SeriesSpec) -> PyResult<SeriesSpec> {
        bamboo_app::query::subject_span(&self.store, subject, spec, Spelling::Param).map_err(err)
    }
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (data=None, votes=Vec::new()))]
    fn new(py: Python<'_>, data: Option<PathBuf>, votes: Vec<PathBuf>) -> PyResult<Store> {
        let dir = DataDir::from_env(data.as_deref()).map_err(|e| chain(&e))?;
        let (store, countries, report) = py
            .detach(|| bamboo_data::votes::load_store(&dir, &votes))
            .map_err(|e| chain(&e))?;
        let provenance = bamboo_data::votes::provenance(&store, &report);
        Ok(Store {
            store: Arc::new(store),
            countries,
            provenance,
        })
    }

    /// Where the numbers come from, as the CLI's tables say it.
    #[getter]
    fn provenance(&self) -> String {
        self.provenance.clone()
    }

    /// `bamboo align --format csv`: from,to,a,b,n,agreement,s,s2,kappa,kappa1,pi,coincidence.
    #[pyo3(signature = (countries, from_=None, to=None, by="year"))]
    fn align(
        &self,
        py: Python<'_>,
        countries: Vec<String>,
        from_: Option<i32>,
        to: Option<i32>,
        by: &str,
    ) -> PyResult<Batch> {
        let list = self.list(&countries, "align")?;
        if list.len() < 2 {
            return Err(err("align needs a subject and at least one other state, e.g. align(['VNM', 'USA', 'CHN', 'RUS'])"));
        }
        let spec = self.subject_span(list[0], self.span(from_, to, parse_by(by)?)?)?;
        let rows = py
            .detach(|| series(&self.store, list[0], &list[1..], spec))
            .map_err(|e| chain(&e))?;
        let mut t = Table::new(&[
            ("from", 'i'),
            ("to", 'i'),
            ("a", 's'),
            ("b", 's'),
            ("n", 'i'),
            ("agreement", 'f'),
            ("s", 'f'),
            ("s2", 'f'),
            ("kappa", 'f'),
            ("kappa1", 'f'),
            ("pi", 'f'),
            ("coincidence", 'f'),
        ]);
        for r in &rows {
            for (b, m) in &r.with {
                t.i(0, i64::from(r.from));
                t.i(1, i64::from(r.to));
                t.s(2, Some(list[0].to_string()));
                t.s(3, Some(b.to_string()));
                push_measures(&mut t, 4, m);
            }
        }
        t.batch()
    }

    /// `bamboo balance --format csv`: from,to,country,pole,n,alignment,lean,balance,toward.
    #[pyo3(signature = (country, poles=vec!["USA".to_string(), "CHN".to_string(), "RUS".to_string()], from_=None, to=None, by="year", metric="agreement"))]
    #[allow(clippy::too_many_arguments)]
    fn balance(
        &self,
        py: Python<'_>,
        country: &str,
        poles: Vec<String>,
        from_: Option<i32>,
        to: Option<i32>,
        by: &str,
        metric: &str,
    ) -> PyResult<Batch> {
        let by = parse_by(by)?;
        let metric = Metric::parse(metric).ok_or_else(|| {
            err(format!(
                "metric `{metric}` is not allowed; use one of: {}",
                Metric::ALL.map(|m| m.name()).join(", ")
            ))
        })?;
        let subject = self.country(country, "balance")?;
        let poles = self.list(&poles, "poles")?;
        if poles.len() < 2 {
            return Err(err(
                "poles needs at least two states, e.g. poles=['USA', 'CHN', 'RUS']",
            ));
        }
        if poles.contains(&subject) {
            return Err(err(format!(
                "poles: {subject} is the subject itself; list the other powers"
            )));
        }
        let spec = self.subject_span(subject, self.span(from_, to, by)?)?;
        let rows = py.detach(|| -> Result<_, String> {
            if metric == Metric::Ideal {
                let f = bamboo_data::ideal::fit(&self.store, 0, 1).map_err(|e| e.to_string())?;
                bamboo_core::ideal::ideal_balance_series(&f, subject, &poles, spec)
                    .map_err(|e| e.to_string())
            } else {
                balance_series(&self.store, subject, &poles, spec, metric)
                    .map_err(|e| e.to_string())
            }
        });
        let rows = rows.map_err(err)?;
        let mut t = Table::new(&[
            ("from", 'i'),
            ("to", 'i'),
            ("country", 's'),
            ("pole", 's'),
            ("n", 'i'),
            ("alignment", 'f'),
            ("lean", 'f'),
            ("balance", 'f'),
            ("toward", 's'),
        ]);
        for r in &rows {
            for ((p, a), (_, n)) in r.reading.alignments.iter().zip(&r.n) {
                t.i(0, i64::from(r.from));
                t.i(1, i64::from(r.to));
                t.s(2, Some(subject.to_string()));
                t.s(3, Some(p.to_string()));
                t.i(4, *n as i64);
                t.f(5, *a);
                t.f(6, r.reading.lean);
                t.f(7, r.reading.balance);
                t.s(8, r.reading.toward.map(|x| x.to_string()));
            }
        }
        t.batch()
    }

    /// `bamboo dyads --format csv`: year,a,b,n,agreement,s,kappa,pi for every pair.
    #[pyo3(signature = (from_=None, to=None, year=None))]
    fn dyads(
        &self,
        py: Python<'_>,
        from_: Option<i32>,
        to: Option<i32>,
        year: Option<i32>,
    ) -> PyResult<Batch> {
        let (from_, to) = match year {
            Some(y) => (Some(y), Some(y)),
            None => (from_, to),
        };
        let spec = self.span(from_, to, By::Year)?;
        let years =
            py.detach(|| bamboo_core::dyads::dyads_by_year(&self.store, spec.from, spec.to));
        let codes = self.store.countries();
        let mut t = Table::new(&[
            ("year", 'i'),
            ("a", 's'),
            ("b", 's'),
            ("n", 'i'),
            ("agreement", 'f'),
            ("s", 'f'),
            ("kappa", 'f'),
            ("pi", 'f'),
        ]);
        for d in years.iter().flatten() {
            let m = d.table.measures();
            t.i(0, i64::from(d.year));
            t.s(1, Some(codes[d.a as usize].to_string()));
            t.s(2, Some(codes[d.b as usize].to_string()));
            t.i(3, m.n as i64);
            t.f(4, m.agreement);
            t.f(5, m.s);
            t.f(6, m.kappa);
            t.f(7, m.pi);
        }
        t.batch()
    }

    /// `bamboo ideal --format csv`: state,session,year,ideal,se,lo90,hi90,votes.
    #[pyo3(signature = (states=Vec::new(), from_=None, to=None, bootstrap=30, seed=1))]
    fn ideal(
        &self,
        py: Python<'_>,
        states: Vec<String>,
        from_: Option<i32>,
        to: Option<i32>,
        bootstrap: u32,
        seed: u64,
    ) -> PyResult<Batch> {
        if bootstrap == 1 || bootstrap > MAX_BOOTSTRAP {
            return Err(err(format!(
                "bootstrap {bootstrap}: use 0 (no standard errors) or 2 to {MAX_BOOTSTRAP} replicates"
            )));
        }
        let states = self.list(&states, "states")?;
        let f = py
            .detach(|| bamboo_data::ideal::fit(&self.store, bootstrap, seed))
            .map_err(|e| chain(&e))?;
        let q = bamboo_data::ideal::Query {
            from: from_,
            to,
            states,
        };
        let points = bamboo_data::ideal::select(&f, &q).map_err(err)?;
        let mut t = Table::new(&[
            ("state", 's'),
            ("session", 'i'),
            ("year", 'i'),
            ("ideal", 'f'),
            ("se", 'f'),
            ("lo90", 'f'),
            ("hi90", 'f'),
            ("votes", 'i'),
        ]);
        for p in points {
            t.s(0, Some(p.state.to_string()));
            t.i(1, i64::from(p.session));
            t.i(2, i64::from(p.year));
            t.f(3, Some(p.ideal));
            t.f(4, p.se);
            t.f(5, p.lo90());
            t.f(6, p.hi90());
            t.i(7, p.votes as i64);
        }
        t.batch()
    }

    /// `bamboo atlas --format csv`: every state of one period against the poles, each
    /// figure with its bootstrap interval (the columns of `bamboo_core::atlas::table`).
    #[pyo3(signature = (year=None, from_=None, to=None, poles=vec!["USA".to_string(), "CHN".to_string(), "RUS".to_string()], metric="agreement", issue=None, important=false, group=None, average=false, level=90.0, replicates=1000, seed=1, sort="state"))]
    #[allow(clippy::too_many_arguments)]
    fn atlas(
        &self,
        py: Python<'_>,
        year: Option<i32>,
        from_: Option<i32>,
        to: Option<i32>,
        poles: Vec<String>,
        metric: &str,
        issue: Option<String>,
        important: bool,
        group: Option<String>,
        average: bool,
        level: f64,
        replicates: usize,
        seed: u64,
        sort: &str,
    ) -> PyResult<Batch> {
        use bamboo_core::atlas::{table, AtlasAsk, Measure, Period};
        use bamboo_core::select::{RollCallFilter, Selection};
        let measure = Measure::parse(metric).ok_or_else(|| {
            err(format!(
                "metric `{metric}` is not allowed; use one of: {}",
                Measure::names().join(", ")
            ))
        })?;
        let filter = RollCallFilter {
            issues: match &issue {
                None => 0,
                Some(s) => {
                    RollCallFilter::parse_issues(s).map_err(|e| err(format!("issue: {e}")))?
                }
            },
            important,
        };
        if measure == Measure::Ideal && !filter.is_all() {
            return Err(err("metric ideal reads one fit of every roll call: it cannot be combined with issue or important (use a vote metric: agreement, s, kappa, pi, coincidence)"));
        }
        if !(level.is_finite() && level > 0.0 && level < 100.0) {
            return Err(err(format!("level {level}: the coverage is a percentage between 0 and 100 (exclusive), e.g. 90")));
        }
        if !(1..=MAX_REPLICATES).contains(&replicates) {
            return Err(err(format!(
                "replicates {replicates}: use a whole number from 1 to {MAX_REPLICATES}"
            )));
        }
        if year.is_some() && (from_.is_some() || to.is_some()) {
            return Err(err("year cannot be combined with from_ or to"));
        }
        if average && group.is_none() {
            return Err(err("average needs a group, e.g. group='ASEAN'"));
        }
        let order = table::Order::parse(sort).ok_or_else(|| {
            err(format!(
                "sort `{sort}` is not allowed; use one of: {}",
                table::Order::NAMES.join(", ")
            ))
        })?;
        let poles = self.list(&poles, "poles")?;
        if poles.len() < 2 {
            return Err(err(
                "poles needs at least two states, e.g. poles=['USA', 'CHN', 'RUS']",
            ));
        }
        let (from_, to) = match (year, from_, to) {
            (Some(y), _, _) => (Some(y), Some(y)),
            (None, None, None) => {
                let last = self.store.year_span().map(|s| s.1);
                (last, last)
            }
            (None, f, t) => (f, t),
        };
        let spec = self.span(from_, to, By::Total)?;
        let sel = if filter.is_all() {
            Selection::all()
        } else {
            let rules =
                bamboo_data::record::load_rules(None, &self.countries).map_err(|e| chain(&e))?;
            Selection::new(&self.store, filter, &rules)
        };
        if sel.count(self.store.span_roll_calls(spec.from..=spec.to)) == 0 {
            return Err(err(format!(
                "no roll call in {} is kept by the filter ({}); widen the span or the filter",
                bamboo_core::alignment::span_label(spec.from, spec.to),
                sel.filter.label()
            )));
        }
        let group = match &group {
            None => None,
            Some(code) => {
                let groups = bamboo_data::groups::load_groups(None, &self.countries)
                    .map_err(|e| chain(&e))?;
                Some(groups.get(code).cloned().ok_or_else(|| {
                    err(format!(
                        "group `{code}` is not a group of data/groups.toml; use one of: {}",
                        groups.codes().join(", ")
                    ))
                })?)
            }
        };
        let ask = AtlasAsk {
            period: Period {
                from: spec.from,
                to: spec.to,
            },
            poles,
            measure,
            filter: sel.filter,
            group,
            average,
            boot: bamboo_core::bootstrap::Bootstrap {
                replicates,
                seed,
                level,
            },
        };
        let a = py.detach(|| -> Result<_, String> {
            // As `bamboo atlas --metric ideal`: the default fit with 30 replicates (seed 1).
            let fit = match measure {
                Measure::Ideal => {
                    Some(bamboo_data::ideal::fit(&self.store, 30, 1).map_err(|e| e.to_string())?)
                }
                Measure::Votes(_) => None,
            };
            bamboo_core::atlas::compute_atlas(&self.store, &sel, &ask, fit.as_ref())
        });
        let a = a.map_err(err)?;
        if a.rows.is_empty() {
            return Err(err(format!(
                "no state voted in {} on the roll calls kept",
                a.period.label()
            )));
        }
        let rows = table::sorted(&a, order);
        let t = table::table(&a, &rows);
        let mut out = Table {
            cols: t
                .columns
                .iter()
                .map(|(name, kind)| {
                    let c = match kind {
                        table::Kind::Int => Col::Int(Vec::new()),
                        table::Kind::Num => Col::Float(Vec::new()),
                        table::Kind::Text => Col::Str(Vec::new()),
                    };
                    (name.clone(), c)
                })
                .collect(),
        };
        for row in t.rows {
            for (k, cell) in row.into_iter().enumerate() {
                match cell {
                    table::Cell::Int(x) => out.io(k, x),
                    table::Cell::Num(x) => out.f(k, x),
                    table::Cell::Text(x) => out.s(k, x),
                }
            }
        }
        out.batch()
    }
}

/// The advisor for a doctrine, with the vote data when it can be found (as the CLI).
fn advisor(
    doctrine: &Path,
    data: Option<&Path>,
    votes: &[PathBuf],
    no_data: bool,
) -> PyResult<bamboo_data::advisor::Advisor> {
    let engine = bamboo_data::advisor::Advisor::open(doctrine, None).map_err(|e| chain(&e))?;
    if no_data {
        return Ok(engine);
    }
    let explicit =
        data.is_some() || std::env::var(bamboo_data::locate::ENV_VAR).is_ok_and(|v| !v.is_empty());
    let dir = match DataDir::from_env(data) {
        Ok(d) => d,
        Err(_) if !explicit => return Ok(engine),
        Err(e) => return Err(chain(&e)),
    };
    let (store, countries, _) =
        bamboo_data::votes::load_store(&dir, votes).map_err(|e| chain(&e))?;
    engine
        .with_data(&dir, Arc::new(store), &countries)
        .map_err(|e| chain(&e))
}

/// `bamboo advise --json`: the advice for each case of a case file, as JSON text.
#[pyfunction]
#[pyo3(signature = (doctrine, cases, data=None, votes=Vec::new(), no_data=false))]
fn advise(
    py: Python<'_>,
    doctrine: PathBuf,
    cases: PathBuf,
    data: Option<PathBuf>,
    votes: Vec<PathBuf>,
    no_data: bool,
) -> PyResult<String> {
    py.detach(|| {
        let engine = advisor(&doctrine, data.as_deref(), &votes, no_data)?;
        let cases = bamboo_data::case::read_cases(&cases).map_err(|e| chain(&e))?;
        let answers = engine.advice_all(&cases).map_err(|e| chain(&e))?;
        bamboo_data::advisor::advice_json(&answers).map_err(|e| chain(&e))
    })
}

/// `bamboo backtest --json`: the doctrine against the recorded choices of case files.
#[pyfunction]
#[pyo3(signature = (doctrine, cases, data=None, votes=Vec::new(), no_data=false))]
fn backtest(
    py: Python<'_>,
    doctrine: PathBuf,
    cases: Vec<PathBuf>,
    data: Option<PathBuf>,
    votes: Vec<PathBuf>,
    no_data: bool,
) -> PyResult<String> {
    py.detach(|| {
        let pre = bamboo_data::case::read_case_files(&cases).map_err(|e| chain(&e))?;
        bamboo_core::backtest::check_cases(&pre).map_err(|e| chain(&e))?;
        let engine = advisor(&doctrine, data.as_deref(), &votes, no_data)?;
        let (report, _) = engine.backtest(&pre).map_err(|e| chain(&e))?;
        bamboo_data::advisor::backtest_json(&report).map_err(|e| chain(&e))
    })
}

fn config(runs: u32, years: u32, seed: u64) -> SimConfig {
    SimConfig { runs, years, seed }
}

fn inputs_of(json: &str) -> PyResult<Prepared> {
    let i: SimInputs =
        serde_json::from_str(json).map_err(|e| err(format!("simulation inputs: {e}")))?;
    Prepared::from_inputs(&i).map_err(|e| chain(&e))
}

/// The texts a simulation reads (world, doctrines), as JSON: what a Dask task needs.
#[pyfunction]
#[pyo3(signature = (world="default", doctrines=None))]
fn sim_inputs(world: &str, doctrines: Option<Vec<String>>) -> PyResult<String> {
    let p = Prepared::with_list(world, doctrines.as_deref()).map_err(|e| chain(&e))?;
    serde_json::to_string(&p.inputs).map_err(err)
}

/// The outcomes of a report as a table (doctrine, outcome, mean, p5, p50, p95).
fn outcomes_table(r: &bamboo_sim::SimReport) -> PyResult<Batch> {
    let mut t = Table::new(&[
        ("doctrine", 's'),
        ("outcome", 's'),
        ("mean", 'f'),
        ("p5", 'f'),
        ("p50", 'f'),
        ("p95", 'f'),
    ]);
    for o in outcome_rows(r) {
        t.s(0, Some(o.doctrine.to_string()));
        t.s(1, Some(o.outcome.to_string()));
        t.f(2, Some(o.mean));
        t.f(3, o.summary.map(|s| s.p5));
        t.f(4, o.summary.map(|s| s.p50));
        t.f(5, o.summary.map(|s| s.p95));
    }
    t.batch()
}

/// `bamboo simulate --json`: the report's JSON text and its outcomes table.
#[pyfunction]
fn simulate(
    py: Python<'_>,
    inputs: &str,
    runs: u32,
    years: u32,
    seed: u64,
) -> PyResult<(String, Batch)> {
    let p = inputs_of(inputs)?;
    let r = py
        .detach(|| p.simulate(&config(runs, years, seed), &|_| {}))
        .map_err(|e| chain(&e))?;
    Ok((report_json(&r), outcomes_table(&r)?))
}

/// `bamboo simulate --shard K/N --json`: the partial report of slice K of N.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn shard(
    py: Python<'_>,
    inputs: &str,
    runs: u32,
    years: u32,
    seed: u64,
    k: u32,
    n: u32,
) -> PyResult<String> {
    let p = inputs_of(inputs)?;
    let part = py
        .detach(|| p.simulate_shard(&config(runs, years, seed), k, n, &|_| {}))
        .map_err(|e| chain(&e))?;
    Ok(partial_json(&part))
}

/// `bamboo simulate merge`: the report one process gives (JSON text, and its outcomes
/// table), from every shard's JSON text.
#[pyfunction]
fn merge(parts: Vec<String>) -> PyResult<(String, Batch)> {
    let mut ps = Vec::with_capacity(parts.len());
    let mut labels = Vec::with_capacity(parts.len());
    for (i, t) in parts.iter().enumerate() {
        let label = format!("part {}", i + 1);
        ps.push(parse_partial(Path::new(&label), t).map_err(|e| chain(&e))?);
        labels.push(label);
    }
    let r = merge_partials(&ps, &labels).map_err(|e| chain(&e))?;
    Ok((report_json(&r), outcomes_table(&r)?))
}

/// A checked sweep design and its output directory.
#[pyclass(module = "bamboo._bamboo", frozen)]
struct Sweep {
    design: Design,
    dir: Option<SweepDir>,
}

#[pymethods]
impl Sweep {
    /// A design from a TOML file (`path`), or from its keys as JSON text (`json`, with
    /// `name` to call it in errors).
    #[new]
    #[pyo3(signature = (path=None, json=None, out=None))]
    fn new(path: Option<PathBuf>, json: Option<String>, out: Option<PathBuf>) -> PyResult<Sweep> {
        let design = match (path, json) {
            (Some(p), None) => Design::read(&p).map_err(|e| chain(&e))?,
            (None, Some(j)) => {
                let file = Path::new("design");
                let input: DesignInput =
                    serde_json::from_str(&j).map_err(|e| err(format!("design: {e}")))?;
                Design::from_input(file, &j, input).map_err(|e| chain(&e))?
            }
            _ => return Err(err("give a design file or a design's keys")),
        };
        let dir = match out {
            Some(o) => Some(SweepDir::open(&o, &design).map_err(|e| chain(&e))?),
            None => None,
        };
        Ok(Sweep { design, dir })
    }

    fn __len__(&self) -> usize {
        self.design.len() as usize
    }

    #[getter]
    fn parameters(&self) -> Vec<String> {
        self.design.parameters.clone()
    }

    #[getter]
    fn config(&self) -> (u32, u32, u64) {
        let c = self.design.config();
        (c.runs, c.years, c.seed)
    }

    /// The columns of the sweep's table.
    #[getter]
    fn columns(&self) -> Vec<String> {
        bamboo_data::sweep::columns(&self.design)
    }

    /// Point `number` (from 1): its parameters.
    fn point(&self, number: u64) -> PyResult<Vec<(String, f64)>> {
        if number == 0 || number > self.design.len() {
            return Err(err(format!(
                "point {number}: the design has points 1 to {}",
                self.design.len()
            )));
        }
        Ok(self.design.point(number).values)
    }

    /// The inputs of the design's simulation as JSON text (without any point's values).
    fn inputs(&self) -> PyResult<String> {
        serde_json::to_string(&self.design.base.inputs).map_err(err)
    }

    /// The points not yet written to the output directory.
    fn todo(&self) -> PyResult<Vec<u64>> {
        Ok(self.out()?.todo().collect())
    }

    /// Writes a point's report JSON and row, atomically.
    fn write_point(&self, number: u64, json: &str, row: &str) -> PyResult<()> {
        self.out()?
            .write_point_text(number, json, row)
            .map_err(|e| chain(&e))
    }

    /// Assembles `sweep.csv` once every point is written; returns its path.
    fn finish(&self) -> PyResult<PathBuf> {
        self.out()?.finish().map_err(|e| chain(&e))
    }
}

impl Sweep {
    fn out(&self) -> PyResult<&SweepDir> {
        self.dir
            .as_ref()
            .ok_or_else(|| err("this design was opened without an output directory"))
    }
}

/// Runs one point of a sweep from its inputs (JSON text) and values: its report's JSON and
/// its row of the table, as `bamboo sweep` writes them.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn run_point(
    py: Python<'_>,
    inputs: &str,
    runs: u32,
    years: u32,
    seed: u64,
    number: u64,
    values: Vec<(String, f64)>,
) -> PyResult<(String, String)> {
    let mut i: SimInputs =
        serde_json::from_str(inputs).map_err(|e| err(format!("simulation inputs: {e}")))?;
    i.set.extend(values.iter().cloned());
    let p = Prepared::from_inputs(&i).map_err(|e| chain(&e))?;
    let r = py
        .detach(|| p.simulate(&config(runs, years, seed), &|_| {}))
        .map_err(|e| chain(&e))?;
    let point = bamboo_data::design::Point { number, values };
    Ok((report_json(&r), bamboo_data::sweep::row(&point, &r)))
}

#[pymodule]
fn _bamboo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BambooError", m.py().get_type::<BambooError>())?;
    m.add_class::<Store>()?;
    m.add_class::<Batch>()?;
    m.add_class::<Sweep>()?;
    m.add_function(wrap_pyfunction!(advise, m)?)?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(sim_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(run_point, m)?)?;
    Ok(())
}
