//! Made-up sample data shared by the golden check (`tests/golden.rs`) and the renderers'
//! unit tests (through `#[path]` in `src/lib.rs`), so both draw the same grids, summaries
//! and fans from one definition. Changing a number here changes the pinned golden bytes.
#![allow(dead_code)]

use bamboo_report::{FanPoint, Summary};

/// `prefix 0`, `prefix 1`, ...: `n` row or column names.
pub fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

/// An `n × m` grid of values in 0..1, every eleventh cell (on a diagonal pattern) missing.
pub fn grid_values(n: usize, m: usize) -> Vec<Vec<Option<f64>>> {
    (0..n)
        .map(|r| {
            (0..m)
                .map(|c| {
                    if (r * 7 + c * 3) % 11 == 0 {
                        None
                    } else {
                        Some(((r * m + c) % 97) as f64 / 96.0)
                    }
                })
                .collect()
        })
        .collect()
}

/// A distribution's summary around median `m` with spread `s` (the mean a little above).
pub fn summary(m: f64, s: f64) -> Summary {
    Summary {
        min: m - 3.0 * s,
        p5: m - 1.6 * s,
        p25: m - 0.7 * s,
        median: m,
        p75: m + 0.7 * s,
        p95: m + 1.6 * s,
        max: m + 3.0 * s,
        mean: m + 0.1 * s,
    }
}

/// The `i`-th group of a fan from 2022: `len` yearly points, its median rising from
/// `0.3 + 0.15 i` and its bands widening.
pub fn fan_points(i: usize, len: usize) -> Vec<FanPoint> {
    (0..len)
        .map(|t| {
            let m = 0.3 + 0.15 * i as f64 + 0.004 * t as f64;
            let s = 0.01 + 0.004 * t as f64;
            FanPoint::new(
                2022.0 + t as f64,
                [m - 2.0 * s, m - s, m, m + s, m + 2.0 * s],
            )
        })
        .collect()
}
