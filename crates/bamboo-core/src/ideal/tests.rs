//! Tests of the ideal-point model on synthetic votes drawn from known positions.
#![allow(clippy::print_stderr)] // says what the coverage test measured

use super::boot::uniform;
use super::normal::cdf;
use super::*;
use crate::store::VoteStoreBuilder;
use crate::vote::Vote;

fn code(i: usize) -> Iso3 {
    if i == 0 {
        return Iso3::from_static("USA");
    }
    let b = [b'A' + (i / 26 % 26) as u8, b'A' + (i % 26) as u8, b'Q'];
    Iso3::parse(std::str::from_utf8(&b).unwrap()).unwrap()
}

/// A standard normal draw from two keyed uniforms (Box-Muller).
fn normal(seed: u64, k: u64) -> f64 {
    let u1 = uniform(seed, 9_999, 2 * k).max(1e-300);
    let u2 = uniform(seed, 9_999, 2 * k + 1);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A synthetic world: `n` states over `sessions` sessions with `per` roll calls each.
/// Positions follow a random walk (state 0, "USA", is kept at the positive end); state
/// `n − 1` joins halfway. Returns the store and the true positions `truth[session][state]`
/// (NaN where the state did not sit).
fn world(n: usize, sessions: usize, per: usize, seed: u64) -> (VoteStore, Vec<Vec<f64>>) {
    let mut truth = vec![vec![f64::NAN; n]; sessions];
    for i in 0..n {
        let mut x = if i == 0 { 2.0 } else { normal(seed, i as u64) };
        for (t, row) in truth.iter_mut().enumerate() {
            x += 0.15 * normal(seed, (1000 + t * n + i) as u64);
            if i == n - 1 && t < sessions / 2 {
                continue;
            }
            row[i] = x;
        }
    }
    let mut b = VoteStoreBuilder::new();
    let mut rcid = 0u64;
    for (t, row) in truth.iter().enumerate() {
        for r in 0..per {
            rcid += 1;
            let date = Date::new(1946 + t as i32, 10, 1 + (r % 28) as u8).unwrap();
            b.add_roll_call(RollCall {
                session: Some(t as u32 + 1),
                ..RollCall::new(rcid, date, 0)
            })
            .unwrap();
            let k = rcid * 7;
            let a = 3.0 * (uniform(seed, 1, k) - 0.5);
            let sign = if uniform(seed, 2, k) < 0.5 { -1.0 } else { 1.0 };
            let disc = sign * (0.7 + 1.5 * uniform(seed, 3, k));
            let g = 0.3 + 0.8 * uniform(seed, 4, k);
            for (i, &x) in row.iter().enumerate() {
                if x.is_nan() || uniform(seed, 5, k * 1000 + i as u64) < 0.05 {
                    continue; // absent
                }
                let mu = a + disc * x;
                let u = uniform(seed, 6, k * 1000 + i as u64);
                let v = if u < cdf(-mu) {
                    Vote::Yes
                } else if u < cdf(g - mu) {
                    Vote::Abstain
                } else {
                    Vote::No
                };
                b.add_vote(rcid, code(i), v).unwrap();
            }
        }
    }
    (b.build().unwrap(), truth)
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

fn quick() -> IdealOptions {
    IdealOptions {
        bootstrap: 0,
        ..IdealOptions::default()
    }
}

#[test]
fn recovers_known_positions() {
    let (store, truth) = world(40, 8, 50, 11);
    let fit = fit(&store, &quick()).unwrap();
    assert!(fit.info().converged, "{:?}", fit.info());
    for (t, row) in truth.iter().enumerate() {
        let s = t as u32 + 1;
        let (mut est, mut tru) = (Vec::new(), Vec::new());
        for (i, &x) in row.iter().enumerate() {
            if let Some(p) = fit.get(code(i), s) {
                est.push(p.ideal);
                tru.push(x);
            }
        }
        let r = corr(&est, &tru);
        assert!(r > 0.95, "session {s}: r = {r}");
        // Each session is standardised.
        let m = est.iter().sum::<f64>() / est.len() as f64;
        let sd = (est.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / est.len() as f64).sqrt();
        assert!(m.abs() < 1e-9 && (sd - 1.0).abs() < 1e-9, "{m} {sd}");
    }
    // The orienting state is positive; the late joiner starts halfway.
    assert!(fit.state_points(code(0)).all(|p| p.ideal > 0.0));
    assert_eq!(fit.state_points(code(39)).next().unwrap().session, 5);
    assert_eq!(fit.sessions().len(), 8);
    assert_eq!(fit.sessions()[0].year, 1946);
}

#[test]
fn direction_follows_the_orienting_state() {
    let (store, _) = world(20, 3, 40, 5);
    let other = code(7);
    let a = fit(
        &store,
        &IdealOptions {
            orient: other,
            ..quick()
        },
    )
    .unwrap();
    let b = fit(&store, &quick()).unwrap();
    let sign = |f: &IdealPoints, c| f.state_points(c).map(|p| p.ideal).sum::<f64>();
    assert!(sign(&a, other) > 0.0);
    assert!(sign(&b, code(0)) > 0.0);
    let missing = IdealOptions {
        orient: Iso3::from_static("ZZZ"),
        ..quick()
    };
    assert_eq!(
        fit(&store, &missing).unwrap_err(),
        IdealError::NoOrient(Iso3::from_static("ZZZ"))
    );
}

#[test]
fn same_seed_same_bits_on_any_number_of_threads() {
    let (store, _) = world(25, 4, 30, 3);
    let opts = IdealOptions {
        bootstrap: 6,
        seed: 42,
        ..IdealOptions::default()
    };
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fit(&store, &opts).unwrap())
    };
    let bits = |f: &IdealPoints| -> Vec<(u64, u64)> {
        f.points()
            .iter()
            .map(|p| (p.ideal.to_bits(), p.se.unwrap().to_bits()))
            .collect()
    };
    let one = run(1);
    assert_eq!(bits(&one), bits(&run(3)));
    assert_eq!(bits(&one), bits(&run(2)));
    // Another seed gives other standard errors, the same estimates.
    let other = fit(
        &store,
        &IdealOptions {
            seed: 43,
            ..opts.clone()
        },
    )
    .unwrap();
    assert!(one
        .points()
        .iter()
        .zip(other.points())
        .all(|(a, b)| a.ideal == b.ideal));
    assert!(one
        .points()
        .iter()
        .zip(other.points())
        .any(|(a, b)| a.se != b.se));
}

#[test]
fn standard_errors_shrink_with_votes() {
    let (store, _) = world(30, 3, 60, 8);
    let f = fit(
        &store,
        &IdealOptions {
            bootstrap: 12,
            ..IdealOptions::default()
        },
    )
    .unwrap();
    assert_eq!(f.info().boot_unconverged, 0);
    for p in f.points() {
        let se = p.se.unwrap();
        assert!(se.is_finite() && se > 0.0 && se < 1.0, "{p:?}");
        assert!(p.lo90().unwrap() < p.ideal && p.ideal < p.hi90().unwrap());
    }
    // With a tenth of the roll calls, positions are less certain.
    let (few, _) = world(30, 3, 6, 8);
    let g = fit(
        &few,
        &IdealOptions {
            bootstrap: 12,
            ..IdealOptions::default()
        },
    )
    .unwrap();
    let mean_se = |f: &IdealPoints| {
        f.points().iter().map(|p| p.se.unwrap()).sum::<f64>() / f.points().len() as f64
    };
    assert!(
        mean_se(&g) > 1.5 * mean_se(&f),
        "{} vs {}",
        mean_se(&g),
        mean_se(&f)
    );
}

#[test]
fn sessions_from_dates() {
    let d = |s: &str| Date::parse(s).unwrap();
    // Openings: 75th 15 Sep 2020, 76th 14 Sep 2021, 77th 13 Sep 2022, 78th 5 Sep 2023,
    // 79th 10 Sep 2024, 62nd 18 Sep 2007, 70th 15 Sep 2015.
    for (year, day) in [
        (2020, 15),
        (2021, 14),
        (2022, 13),
        (2023, 5),
        (2024, 10),
        (2007, 18),
        (2015, 15),
    ] {
        assert_eq!(
            session_opening(year),
            Some(Date::new(year, 9, day).unwrap()),
            "{year}"
        );
    }
    // No panic outside the years a date holds; the first and last years still open.
    assert_eq!(session_opening(0), None);
    assert_eq!(session_opening(10_000), None);
    assert!(session_opening(1).is_some() && session_opening(9999).is_some());
    assert_eq!(session_from_date(d("2022-03-02")), 76); // ES-11/1
    assert_eq!(session_from_date(d("2023-09-01")), 77);
    assert_eq!(session_from_date(d("2023-09-05")), 78);
    assert_eq!(session_from_date(d("2020-01-14")), 74);
    assert_eq!(session_from_date(d("2019-12-27")), 74);
    assert_eq!(session_from_date(d("1946-02-01")), 1);
    assert_eq!(session_year(78), 2023);
    // A session the source names wins over the date.
    let rc = RollCall {
        session: Some(22),
        ..RollCall::new(1, d("1967-07-02"), 0)
    };
    assert_eq!(session_of(&rc), 22);
    assert_eq!(
        session_of(&RollCall {
            session: None,
            ..rc
        }),
        21
    );
}

#[test]
fn unanimous_roll_calls_and_absences_carry_nothing() {
    let (store, _) = world(20, 3, 30, 4);
    let base = fit(&store, &quick()).unwrap();
    // The same store plus unanimous roll calls: the same fit.
    let mut b = VoteStoreBuilder::new();
    for (i, rc) in store.roll_calls().iter().enumerate() {
        b.add_roll_call(rc.clone()).unwrap();
        for c in store.votes(i) {
            b.add_vote(rc.rcid, store.countries()[c.country as usize], c.vote)
                .unwrap();
        }
    }
    for k in 0..5u64 {
        let rc = RollCall {
            session: Some(2),
            ..RollCall::new(10_000 + k, Date::new(1947, 11, 1).unwrap(), 0)
        };
        b.add_roll_call(rc).unwrap();
        for i in 0..20 {
            b.add_vote(10_000 + k, code(i), Vote::Yes).unwrap();
        }
    }
    let with = fit(&b.build().unwrap(), &quick()).unwrap();
    assert_eq!(with.info().roll_calls, base.info().roll_calls);
    for (p, q) in base.points().iter().zip(with.points()) {
        assert_eq!(p.ideal.to_bits(), q.ideal.to_bits());
        assert_eq!(p.votes, q.votes);
    }
    // Vote counts are the votes cast on contested roll calls.
    let total: u32 = base.points().iter().map(|p| p.votes).sum();
    assert_eq!(total as usize, base.info().votes);
}

#[test]
fn position_reads_only_sessions_before_the_date() {
    let (store, _) = world(20, 6, 30, 9);
    let f = fit(&store, &quick()).unwrap();
    let s4 = f.sessions()[3];
    let us = code(0);
    // A date inside session 4 reads session 3 (all of it came before), filtered.
    let inside = Date::new(s4.first.year(), s4.first.month(), s4.first.day() + 1).unwrap();
    let (x, sd) = f.position(us, inside).unwrap();
    let k = f
        .points()
        .iter()
        .position(|p| p.state == us && p.session == 3)
        .unwrap();
    assert_eq!((x, sd), f.filtered[k]);
    assert!(sd > 0.0);
    // Nothing before the first session.
    assert_eq!(f.position(us, Date::new(1946, 1, 1).unwrap()), None);
    assert_eq!(f.position(Iso3::from_static("ZZZ"), inside), None);
    // Fitting only the roll calls before a date ignores everything after it.
    let cut = IdealOptions {
        before: Some(inside),
        ..quick()
    };
    let before = fit(&store, &cut).unwrap();
    assert!(before.sessions().iter().all(|s| s.last < inside));
    assert_eq!(before.sessions().last().unwrap().session, 4);
}

#[test]
fn links_join_a_state_that_changes_code() {
    // State 5 votes as "EEQ" in sessions 1-2, as "ZZZ" in 3-4.
    let (store, _) = world(12, 4, 30, 21);
    let mut b = VoteStoreBuilder::new();
    let old = code(5);
    let new = Iso3::from_static("ZZZ");
    for (i, rc) in store.roll_calls().iter().enumerate() {
        b.add_roll_call(rc.clone()).unwrap();
        for c in store.votes(i) {
            let mut who = store.countries()[c.country as usize];
            if who == old && rc.session.unwrap() >= 3 {
                who = new;
            }
            b.add_vote(rc.rcid, who, c.vote).unwrap();
        }
    }
    let store = b.build().unwrap();
    let linked = fit(
        &store,
        &IdealOptions {
            links: vec![(old, new)],
            ..quick()
        },
    )
    .unwrap();
    assert_eq!(linked.info().links, vec![(old, new)]);
    assert_eq!(
        linked
            .state_points(old)
            .map(|p| p.session)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        linked
            .state_points(new)
            .map(|p| p.session)
            .collect::<Vec<_>>(),
        vec![3, 4]
    );
    // Two codes that vote on the same roll call are two states: no link.
    let bogus = fit(
        &store,
        &IdealOptions {
            links: vec![(code(1), code(2))],
            ..quick()
        },
    )
    .unwrap();
    assert!(bogus.info().links.is_empty());
}

#[test]
fn distance_alignment_and_balance() {
    let (store, _) = world(15, 5, 30, 2);
    let f = fit(&store, &quick()).unwrap();
    let (a, b, c) = (code(0), code(3), code(4));
    let s1 = f.get(a, 1).unwrap().ideal - f.get(b, 1).unwrap().ideal;
    let one = f.pair(a, b, 1946, 1946);
    assert_eq!(one.sessions, 1);
    assert!((one.distance.unwrap() - s1.abs()).abs() < 1e-12);
    assert!((one.alignment.unwrap() - (1.0 - s1.abs() / f.range())).abs() < 1e-12);
    // A span averages the sessions' distances.
    let span = f.pair(a, b, 1946, 1950);
    let mean = (1..=5)
        .map(|s| (f.get(a, s).unwrap().ideal - f.get(b, s).unwrap().ideal).abs())
        .sum::<f64>()
        / 5.0;
    assert_eq!(span.sessions, 5);
    assert!((span.distance.unwrap() - mean).abs() < 1e-12);
    // No shared session: undefined, never 0.
    assert_eq!(f.pair(a, b, 1990, 1995), IdealPair::default());
    let spec = crate::alignment::SeriesSpec {
        from: 1946,
        to: 1950,
        by: crate::alignment::By::Window(3),
    };
    let rows = ideal_series(&f, a, &[b, c], spec).unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.from, r.to)).collect::<Vec<_>>(),
        vec![(1946, 1948), (1947, 1949), (1948, 1950)]
    );
    assert_eq!(rows[0].roll_calls, f.roll_calls_in(1946, 1948));
    assert!(rows[0].roll_calls > 80);
    let bal = ideal_balance_series(&f, code(7), &[b, c], spec).unwrap();
    let r = &bal[0].reading;
    let (ab, ac) = (
        f.pair(code(7), b, 1946, 1948).alignment.unwrap(),
        f.pair(code(7), c, 1946, 1948).alignment.unwrap(),
    );
    assert!((r.lean.unwrap() - (ab - ac).abs()).abs() < 1e-12);
    assert_eq!(r.toward, Some(if ab >= ac { b } else { c }));
    assert_eq!(bal[0].n, vec![(b, 3), (c, 3)]);
    assert!(matches!(
        ideal_series(&f, Iso3::from_static("ZZZ"), &[b], spec),
        Err(crate::alignment::SeriesError::NeverVoted(_))
    ));
    // Dyads: every pair of each session, a < b.
    let dy = ideal_dyads(&f, 1946, 1947);
    assert_eq!(dy.len(), 2);
    // The late joiner (state 14) sits from the third session on.
    assert_eq!(dy[0].len(), 14 * 13 / 2);
    assert!(dy[0]
        .iter()
        .all(|d| d.a < d.b && d.alignment >= 0.0 && d.alignment <= 1.0));
}

/// The 90% intervals on synthetic votes: how often they hold the truth (each session's
/// true positions standardised as the estimates are). A plain bootstrap (the spread of
/// refits from the estimate) covers about 57% here: it misses what the random walk's
/// smoothing takes away; drawing each replicate's positions from the posterior covers it.
#[test]
fn intervals_hold_the_truth_about_ninety_percent_of_the_time() {
    let (mut inside, mut total) = (0usize, 0usize);
    for seed in 0..3u64 {
        let (store, truth) = world(50, 6, 50, 100 + seed);
        let f = fit(
            &store,
            &IdealOptions {
                bootstrap: 20,
                seed,
                ..IdealOptions::default()
            },
        )
        .unwrap();
        for (t, row) in truth.iter().enumerate() {
            let s = t as u32 + 1;
            let pairs: Vec<(f64, &IdealPoint)> = row
                .iter()
                .enumerate()
                .filter_map(|(i, &x)| Some((x, f.get(code(i), s)?)))
                .collect();
            let n = pairs.len() as f64;
            let m = pairs.iter().map(|p| p.0).sum::<f64>() / n;
            let sd = (pairs.iter().map(|p| (p.0 - m) * (p.0 - m)).sum::<f64>() / n).sqrt();
            for (x, p) in pairs {
                let z = (x - m) / sd;
                total += 1;
                inside += usize::from(p.lo90().unwrap() <= z && z <= p.hi90().unwrap());
            }
        }
    }
    let cover = inside as f64 / total as f64;
    eprintln!("90% intervals hold the truth for {inside} of {total} points ({cover:.3})");
    assert!(
        (0.78..=0.97).contains(&cover),
        "coverage {cover:.3} of {total}"
    );
}
