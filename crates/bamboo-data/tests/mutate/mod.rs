//! The mutation engine of the fuzz targets: seeded mutations of real files (byte flips,
//! line deletions and duplications, value swaps, extreme tokens, truncation), a watchdog
//! for hangs, and the tally of what the readers answered.
//!
//! Shared by `tests/mutants.rs` (the readers) and the server's `tests/mutants.rs` (request
//! bodies). `BAMBOO_MUTANTS=N` sets the mutants per target (default: a quick run of a few
//! seconds per reader), `BAMBOO_MUTANTS_SEED=S` the seed (default fixed, so `cargo test`
//! always runs the same mutants).
#![allow(dead_code)]

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The mutants per target: `BAMBOO_MUTANTS`, else `quick`.
pub fn count(quick: usize) -> usize {
    std::env::var("BAMBOO_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(quick)
}

/// The seed: `BAMBOO_MUTANTS_SEED`, else a fixed one.
pub fn seed() -> u64 {
    std::env::var("BAMBOO_MUTANTS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x0ba4_b005_2024)
}

/// SplitMix64: small, seeded, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values a careless user or an attacker might put anywhere.
pub const EXTREME: &[&str] = &[
    "1.7e308",
    "-1.7e308",
    "1e309",
    "nan",
    "inf",
    "-inf",
    "+inf",
    "-0.0",
    "0",
    "-1",
    "4294967296",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "0.000000000000000000000000000001",
    "\"\"",
    "\" \"",
    "[]",
    "{}",
    "[[]]",
    "true",
    "\"x\"",
    "\"ZZZ\"",
    "\"vnm\"",
    "\"2024-01-01T00:00:00Z\"",
    "\"2024-01-01Tgarbage\"",
    "\"2024-02-30\"",
    "\"0000-00-00\"",
    "2024-01-01",
    "1979-05-27T07:32:00Z",
    "\"\\u0000\"",
    "\"\u{202e}evil\"",
    "\"../../../../etc/passwd\"",
    "\"/dev/zero\"",
    "'''",
    "\"\"\"",
    "=",
    "[",
    "]]",
    "#",
    "\\",
    "\u{feff}",
    "\u{0}",
    "\"é\"",
    ",",
    ",,,,,,",
    "\"\"\"\"",
    "\"a,b\"",
];

/// One mutation operator.
#[derive(Copy, Clone, Debug)]
pub enum Op {
    FlipByte,
    DeleteLine,
    DuplicateLine,
    SwapLines,
    SwapValues,
    ExtremeValue,
    ExtremeToken,
    Truncate,
    DeleteRange,
    LongValue,
}

pub const OPS: [Op; 10] = [
    Op::FlipByte,
    Op::DeleteLine,
    Op::DuplicateLine,
    Op::SwapLines,
    Op::SwapValues,
    Op::ExtremeValue,
    Op::ExtremeToken,
    Op::Truncate,
    Op::DeleteRange,
    Op::LongValue,
];

/// The separator between a key (or column) and a value in a line: `=` for TOML, `,` for CSV.
fn value_start(line: &[u8], sep: u8) -> Option<usize> {
    line.iter().position(|&c| c == sep).map(|i| i + 1)
}

/// Applies 1 to 3 mutations to `src`. `sep` is `b'='` for TOML, `b','` for CSV.
pub fn mutate(src: &[u8], rng: &mut Rng, sep: u8) -> (Vec<u8>, Vec<Op>) {
    let mut out = src.to_vec();
    let mut ops = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let op = *rng.pick(&OPS);
        ops.push(op);
        apply(&mut out, op, rng, sep);
    }
    (out, ops)
}

fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(out: &mut Vec<u8>, op: Op, rng: &mut Rng, sep: u8) {
    if out.is_empty() {
        out.extend_from_slice(rng.pick(EXTREME).as_bytes());
        return;
    }
    let mut ls = lines(out);
    let n = ls.len();
    match op {
        Op::FlipByte => {
            let i = rng.below(out.len());
            out[i] ^= 1 << rng.below(8);
            return;
        }
        Op::DeleteLine => {
            ls.remove(rng.below(n));
        }
        Op::DuplicateLine => {
            let i = rng.below(n);
            let l = ls[i].clone();
            ls.insert(rng.below(n + 1), l);
        }
        Op::SwapLines => {
            let (a, b) = (rng.below(n), rng.below(n));
            ls.swap(a, b);
        }
        Op::SwapValues => {
            let with: Vec<usize> = (0..n)
                .filter(|&i| value_start(&ls[i], sep).is_some())
                .collect();
            if with.len() >= 2 {
                let (a, b) = (*rng.pick(&with), *rng.pick(&with));
                let va = value_start(&ls[a], sep).unwrap();
                let vb = value_start(&ls[b], sep).unwrap();
                let (ka, xa) = ls[a].split_at(va);
                let (kb, xb) = ls[b].split_at(vb);
                let na = [ka, xb].concat();
                let nb = [kb, xa].concat();
                ls[a] = na;
                ls[b] = nb;
            }
        }
        Op::ExtremeValue => {
            let with: Vec<usize> = (0..n)
                .filter(|&i| value_start(&ls[i], sep).is_some())
                .collect();
            if let Some(&i) = with.get(rng.below(with.len().max(1))) {
                let v = value_start(&ls[i], sep).unwrap();
                let tok = rng.pick(EXTREME);
                let mut l = ls[i][..v].to_vec();
                if sep == b'=' {
                    l.push(b' ');
                    l.extend_from_slice(tok.as_bytes());
                    l.push(b'\n');
                } else {
                    // CSV: replace one field, keep the rest of the record.
                    let rest = &ls[i][v..];
                    let next = rest.iter().position(|&c| c == b',');
                    l.extend_from_slice(tok.trim_matches('"').as_bytes());
                    match next {
                        Some(j) => l.extend_from_slice(&rest[j..]),
                        None => l.push(b'\n'),
                    }
                }
                ls[i] = l;
            }
        }
        Op::ExtremeToken => {
            let i = rng.below(out.len() + 1);
            let tok = rng.pick(EXTREME).as_bytes();
            out.splice(i..i, tok.iter().copied());
            return;
        }
        Op::Truncate => {
            let i = rng.below(out.len());
            out.truncate(i);
            return;
        }
        Op::DeleteRange => {
            let a = rng.below(out.len());
            let b = (a + 1 + rng.below(64)).min(out.len());
            out.drain(a..b);
            return;
        }
        Op::LongValue => {
            let with: Vec<usize> = (0..n)
                .filter(|&i| value_start(&ls[i], sep).is_some())
                .collect();
            if let Some(&i) = with.get(rng.below(with.len().max(1))) {
                let v = value_start(&ls[i], sep).unwrap();
                let mut l = ls[i][..v].to_vec();
                let long = "z".repeat(100_000 + rng.below(100_000));
                if sep == b'=' {
                    l.extend_from_slice(format!(" \"{long}\"\n").as_bytes());
                } else {
                    l.extend_from_slice(long.as_bytes());
                    l.push(b'\n');
                }
                ls[i] = l;
            }
        }
    }
    *out = ls.concat();
}

/// What one mutant made a reader do.
#[derive(Debug)]
pub enum Outcome {
    /// Read without error (the check of the result passed).
    Valid,
    /// Refused with a located one-line error.
    Located,
    /// Refused, but the error lacks the file, the line or the key, or is not one line.
    Unlocated(String),
    /// A valid read whose result breaks an invariant.
    BadResult(String),
}

/// The tally of one target.
#[derive(Default)]
pub struct Tally {
    pub name: String,
    pub mutants: usize,
    pub valid: usize,
    pub located: usize,
    pub unlocated: Vec<String>,
    pub bad_results: Vec<String>,
    pub panics: Vec<String>,
    pub hangs: Vec<String>,
    pub slowest: Duration,
}

impl Tally {
    pub fn rejections(&self) -> usize {
        self.located + self.unlocated.len()
    }

    /// The share of rejections that were located.
    pub fn located_share(&self) -> f64 {
        if self.rejections() == 0 {
            1.0
        } else {
            self.located as f64 / self.rejections() as f64
        }
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} mutants, {} valid, {} rejected ({} located, {:.2}%), {} panics, {} hangs, {} bad results, slowest {} ms",
            self.name,
            self.mutants,
            self.valid,
            self.rejections(),
            self.located,
            100.0 * self.located_share(),
            self.panics.len(),
            self.hangs.len(),
            self.bad_results.len(),
            self.slowest.as_millis()
        );
        for (what, list) in [
            ("unlocated", &self.unlocated),
            ("panic", &self.panics),
            ("hang", &self.hangs),
            ("bad result", &self.bad_results),
        ] {
            let show = std::env::var("BAMBOO_MUTANTS_SHOW")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(8);
            for x in list.iter().take(show) {
                let _ = write!(s, "\n  {what}: {x}");
            }
        }
        s
    }

    /// Fails the test unless: no panic, no hang, no bad result, and at least `share` of the
    /// rejections located.
    pub fn check(&self, share: f64) {
        assert!(
            self.panics.is_empty()
                && self.hangs.is_empty()
                && self.bad_results.is_empty()
                && self.located_share() >= share,
            "{}",
            self.summary()
        );
    }
}

/// The longest one mutant may take before it counts as a hang (generous: a debug build on
/// a busy 2-core machine; the readers take milliseconds).
pub const HANG: Duration = Duration::from_secs(20);

/// Runs `f` on `n` mutants of each base file, counting outcomes; a panic or a hang is
/// caught and recorded with the mutation that caused it.
pub fn run<F>(name: &str, bases: &[(String, Vec<u8>)], n: usize, sep: u8, f: F) -> Tally
where
    F: Fn(&str, Vec<u8>) -> Outcome + Send + Sync + Clone + 'static,
{
    let mut rng = Rng::new(seed() ^ fxhash(name));
    let mut t = Tally {
        name: name.to_string(),
        ..Tally::default()
    };
    for k in 0..n {
        let (label, base) = &bases[k % bases.len()];
        let (m, ops) = mutate(base, &mut rng, sep);
        let what = format!("{label} mutant #{k} {ops:?}");
        let (tx, rx) = mpsc::channel();
        let g = f.clone();
        let label2 = label.clone();
        let started = Instant::now();
        let h = std::thread::spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g(&label2, m)));
            let _ = tx.send(r);
        });
        t.mutants += 1;
        match rx.recv_timeout(HANG) {
            Ok(Ok(o)) => {
                let _ = h.join();
                t.slowest = t.slowest.max(started.elapsed());
                match o {
                    Outcome::Valid => t.valid += 1,
                    Outcome::Located => t.located += 1,
                    Outcome::Unlocated(e) => t.unlocated.push(format!("{what}: {e}")),
                    Outcome::BadResult(e) => t.bad_results.push(format!("{what}: {e}")),
                }
            }
            Ok(Err(p)) => {
                let _ = h.join();
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                t.panics.push(format!("{what}: {msg}"));
            }
            Err(_) => t.hangs.push(what),
        }
    }
    t
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Whether an error line is located: `FILE:LINE: …` with a key or field named, one line,
/// and a message after the location.
pub fn line_is_located(text: &str, file: &str) -> bool {
    let Some(rest) = text.strip_prefix(file) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let named = ["key `", "field `", "header `"]
        .iter()
        .any(|k| rest.contains(k));
    digits > 0
        && rest[digits..].starts_with(": ")
        && named
        && !text.contains('\n')
        && !text.trim_end().ends_with(':')
}
