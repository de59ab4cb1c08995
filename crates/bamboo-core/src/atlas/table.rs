//! The atlas as one flat table: its columns (named after the poles) and one row per state,
//! then the UN median and the group mean. `bamboo atlas --format csv` writes it as text and
//! the Python package hands it over as Arrow columns, so both give the same columns and
//! values from this one definition.

use super::{Atlas, AtlasRow, Summary};
use crate::bootstrap::Estimate;

/// What a column holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers (counts, years, ranks), possibly missing.
    Int,
    /// Real numbers, possibly missing.
    Num,
    /// Text (codes), possibly missing.
    Text,
}

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A cell of a [`Kind::Int`] column (`None`: missing).
    Int(Option<i64>),
    /// A cell of a [`Kind::Num`] column (`None`: missing, never NaN).
    Num(Option<f64>),
    /// A cell of a [`Kind::Text`] column (`None`: missing).
    Text(Option<String>),
}

/// The atlas's columns and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Each column's name and kind, in order.
    pub columns: Vec<(String, Kind)>,
    /// The rows, each one cell per column in the columns' order and of the column's kind.
    pub rows: Vec<Vec<Cell>>,
}

/// The order of the states' rows.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// By ISO3 code (the atlas's own order).
    #[default]
    State,
    /// By rank (the most balanced first; unranked last), then code.
    Rank,
    /// By lean, largest first (undefined last), then code.
    Lean,
}

impl Order {
    /// The names, as `--sort` takes them.
    pub const NAMES: [&'static str; 3] = ["state", "rank", "lean"];

    /// The order of a name.
    pub fn parse(s: &str) -> Option<Order> {
        match s {
            "state" => Some(Order::State),
            "rank" => Some(Order::Rank),
            "lean" => Some(Order::Lean),
            _ => None,
        }
    }
}

/// The atlas's rows in an order.
pub fn sorted(a: &Atlas, order: Order) -> Vec<&AtlasRow> {
    let mut rows: Vec<&AtlasRow> = a.rows.iter().collect();
    match order {
        Order::State => {}
        Order::Rank => rows.sort_by_key(|r| (r.rank.unwrap_or(u32::MAX), r.state)),
        Order::Lean => rows.sort_by(|x, y| {
            let l = |r: &AtlasRow| r.reading.lean.value.unwrap_or(f64::NEG_INFINITY);
            l(y).total_cmp(&l(x)).then(x.state.cmp(&y.state))
        }),
    }
    rows
}

fn columns(a: &Atlas) -> Vec<(String, Kind)> {
    use Kind::{Int, Num, Text};
    let mut c: Vec<(String, Kind)> = Vec::new();
    let mut add = |name: String, k: Kind| c.push((name, k));
    for (n, k) in [
        ("from", Int),
        ("to", Int),
        ("kind", Text),
        ("state", Text),
        ("roll_calls", Int),
    ] {
        add(n.into(), k);
    }
    for p in &a.poles {
        add(format!("n_{p}"), Int);
        add(p.to_string(), Num);
        add(format!("{p}_lo"), Num);
        add(format!("{p}_hi"), Num);
    }
    for n in [
        "lean",
        "lean_lo",
        "lean_hi",
        "balance",
        "balance_lo",
        "balance_hi",
    ] {
        add(n.into(), Num);
    }
    add("toward".into(), Text);
    add("tie".into(), Text);
    add("toward_share".into(), Num);
    for n in ["rank", "rank_lo", "rank_hi", "ranked"] {
        add(n.into(), Int);
    }
    for p in &a.poles {
        add(format!("median_{p}"), Num);
    }
    add("median_lean".into(), Num);
    add("lean_vs_median".into(), Num);
    add("previous_from".into(), Int);
    add("previous_to".into(), Int);
    for p in &a.poles {
        add(format!("change_{p}"), Num);
        add(format!("change_{p}_lo"), Num);
        add(format!("change_{p}_hi"), Num);
    }
    for n in ["change_lean", "change_lean_lo", "change_lean_hi"] {
        add(n.into(), Num);
    }
    c
}

fn est(row: &mut Vec<Cell>, e: &Estimate) {
    row.extend([e.value, e.lo, e.hi].map(Cell::Num));
}

fn int(x: Option<u32>) -> Cell {
    Cell::Int(x.map(i64::from))
}

fn text(x: Option<String>) -> Cell {
    Cell::Text(x)
}

/// The columns shared by every row: the period and its roll calls.
fn head(a: &Atlas, kind: &str, name: &str) -> Vec<Cell> {
    vec![
        Cell::Int(Some(i64::from(a.period.from))),
        Cell::Int(Some(i64::from(a.period.to))),
        text(Some(kind.into())),
        text(Some(name.into())),
        Cell::Int(Some(a.observations as i64)),
    ]
}

/// The median's figures, the row's lean against it, and the previous period.
fn median_tail(a: &Atlas, row: &mut Vec<Cell>, lean: Option<f64>) {
    row.extend(a.median.alignments.iter().map(|e| Cell::Num(e.value)));
    row.push(Cell::Num(a.median.lean.value));
    row.push(Cell::Num(lean.zip(a.median.lean.value).map(|(x, m)| x - m)));
    row.push(int(a.previous.map(|p| p.from as u32)));
    row.push(int(a.previous.map(|p| p.to as u32)));
}

fn missing_change(a: &Atlas, row: &mut Vec<Cell>) {
    row.extend((0..3 * (a.poles.len() + 1)).map(|_| Cell::Num(None)));
}

fn state_row(a: &Atlas, r: &AtlasRow) -> Vec<Cell> {
    let mut row = head(a, "state", r.state.as_str());
    for (e, n) in r.reading.alignments.iter().zip(&r.reading.n) {
        row.push(int(Some(*n)));
        est(&mut row, e);
    }
    est(&mut row, &r.reading.lean);
    est(&mut row, &r.reading.balance);
    row.push(text(r.reading.toward.map(|t| t.to_string())));
    let tie: Vec<&str> = r.reading.tie.iter().map(|p| p.as_str()).collect();
    row.push(text((!tie.is_empty()).then(|| tie.join("+"))));
    row.push(Cell::Num(r.reading.toward_share));
    row.extend([r.rank, r.rank_lo, r.rank_hi].map(int));
    row.push(Cell::Int(Some(a.ranked as i64)));
    median_tail(a, &mut row, r.reading.lean.value);
    match &r.change {
        Some(c) => {
            for e in &c.alignments {
                est(&mut row, e);
            }
            est(&mut row, &c.lean);
        }
        None => missing_change(a, &mut row),
    }
    row
}

fn summary_row(a: &Atlas, kind: &str, name: &str, m: &Summary) -> Vec<Cell> {
    let mut row = head(a, kind, name);
    for e in &m.alignments {
        row.push(Cell::Int(Some(m.states as i64)));
        est(&mut row, e);
    }
    est(&mut row, &m.lean);
    est(&mut row, &m.balance);
    row.push(text(m.toward.map(|t| t.to_string())));
    row.push(text(None));
    row.push(Cell::Num(None));
    row.extend([None, None, None].map(int));
    row.push(Cell::Int(Some(a.ranked as i64)));
    median_tail(a, &mut row, m.lean.value);
    missing_change(a, &mut row);
    row
}

/// The atlas as a table: `rows` in the order given (a sorted view of `a.rows`), then the
/// UN median (`kind` = `median`, state `UN`) and the group mean if any (`group_mean`).
pub fn table(a: &Atlas, rows: &[&AtlasRow]) -> Table {
    let mut out: Vec<Vec<Cell>> = rows.iter().map(|r| state_row(a, r)).collect();
    out.push(summary_row(a, "median", "UN", &a.median));
    if let Some((code, m)) = &a.average {
        out.push(summary_row(a, "group_mean", code, m));
    }
    Table {
        columns: columns(a),
        rows: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlas::{atlas, AtlasQuery, Period, VoteAlignment};
    use crate::bootstrap::Bootstrap;
    use crate::metrics::Metric;
    use crate::select::Selection;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::{Date, Iso3, Vote};

    fn small() -> crate::VoteStore {
        let mut b = VoteStoreBuilder::new();
        let c = Iso3::from_static;
        for i in 0..12u8 {
            let d = Date::new(2000 + i32::from(i / 6), 1 + i % 6, 1).unwrap();
            b.add_roll_call(RollCall::new(u64::from(i), d, 0)).unwrap();
            let v = |k: u8| Vote::from_code(1 + (i + k) % 3).unwrap();
            let vnm = if i % 2 == 0 { v(0) } else { v(1) };
            for (s, x) in [("USA", v(0)), ("CHN", v(1)), ("VNM", vnm), ("IND", v(2))] {
                b.add_vote(u64::from(i), c(s), x).unwrap();
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn every_row_has_a_cell_per_column_of_its_kind() {
        let store = small();
        let sel = Selection::all();
        let src = VoteAlignment {
            store: &store,
            selection: &sel,
            metric: Metric::Agreement,
        };
        let poles = vec![Iso3::from_static("USA"), Iso3::from_static("CHN")];
        let q = AtlasQuery {
            period: Period {
                from: 2001,
                to: 2001,
            },
            previous: Some(Period {
                from: 2000,
                to: 2000,
            }),
            poles,
            boot: Bootstrap {
                replicates: 50,
                seed: 1,
                level: 90.0,
            },
            only: None,
            average: Some(("G".into(), vec![Iso3::from_static("VNM")])),
        };
        let a = atlas(&src, &q);
        let rows: Vec<&AtlasRow> = a.rows.iter().collect();
        let t = table(&a, &rows);
        assert_eq!(
            t.rows.len(),
            a.rows.len() + 2,
            "states, the median, the mean"
        );
        assert_eq!(t.columns[5].0, "n_USA");
        assert_eq!(t.columns.last().unwrap().0, "change_lean_hi");
        for row in &t.rows {
            assert_eq!(row.len(), t.columns.len());
            for (cell, (name, kind)) in row.iter().zip(&t.columns) {
                let k = match cell {
                    Cell::Int(_) => Kind::Int,
                    Cell::Num(_) => Kind::Num,
                    Cell::Text(_) => Kind::Text,
                };
                assert_eq!(k, *kind, "column {name}");
            }
        }
        let vnm = &t.rows[rows.iter().position(|r| r.state.as_str() == "VNM").unwrap()];
        let col = |n: &str| t.columns.iter().position(|c| c.0 == n).unwrap();
        assert_eq!(vnm[col("previous_from")], Cell::Int(Some(2000)));
        assert_eq!(
            vnm[col("lean")],
            Cell::Num(
                a.rows
                    .iter()
                    .find(|r| r.state.as_str() == "VNM")
                    .unwrap()
                    .reading
                    .lean
                    .value
            )
        );
        assert_eq!(
            t.rows[t.rows.len() - 2][col("kind")],
            Cell::Text(Some("median".into()))
        );
        assert_eq!(
            t.rows[t.rows.len() - 1][col("state")],
            Cell::Text(Some("G".into()))
        );
    }
}
