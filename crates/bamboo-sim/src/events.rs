//! The event generator: the situations a middle state meets in a year, drawn so that their
//! kinds, counterparts, targets, tags and the poles' positions follow the level of rivalry.
//!
//! Each state-year has a fixed number of event slots and each slot consumes a fixed number
//! of uniform draws, whatever happens, so every doctrine compared meets exactly the same
//! situations (common random numbers). The generator reads the state only to pick the
//! next partnership tier; the draws never depend on earlier choices.

use bamboo_core::case::{Kind, Tag, TagSet, Tier};
use bamboo_core::doctrine::MAX_POLES;

use crate::rng::Rng;
use crate::world::level_tier;

/// Event slots per state and year; a slot is used with probability `events_per_year / SLOTS`.
pub const SLOTS: usize = 48;
/// Uniform draws per slot.
const DRAWS: usize = 8;

/// A situation in world terms: poles are indices into the world's poles.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Event {
    /// The kind of situation (its options are the kind's).
    pub kind: Kind,
    /// The pole that sponsors, offers, calls or acts.
    pub counterpart: usize,
    /// The pole a measure is aimed at, if any.
    pub target: Option<usize>,
    /// The situation's tags (a vote's subject, an offer's domain), read by the doctrine's
    /// roots and branches.
    pub tags: TagSet,
    /// For a partnership offer, the tier offered (the one above the current); else `None`.
    pub tier: Option<Tier>,
    /// The option index each pole wants (−1: no position).
    pub wants: [i8; MAX_POLES],
}

/// Relative frequency of each kind of situation at polarisation `p`. Security
/// commitments and sanctions calls grow with rivalry; votes, visits and economic offers
/// do not.
pub fn kind_weights(p: f64) -> [(Kind, f64); 9] {
    [
        (Kind::UnVote, 4.0),
        (Kind::Visit, 1.5),
        (Kind::Partnership, 0.6),
        (Kind::TradePact, 0.8),
        (Kind::ArmsDeal, 0.8),
        (Kind::Exercise, 0.8),
        (Kind::Sanctions, 0.3 + 0.9 * p),
        (Kind::Basing, 0.1 + 0.5 * p),
        (Kind::Alliance, 0.05 + 0.45 * p),
    ]
}

fn tags(list: &[Tag]) -> TagSet {
    let mut t = TagSet::EMPTY;
    for &x in list {
        t.insert(x);
    }
    t
}

fn pick(u: f64, n: usize) -> usize {
    ((u * n as f64) as usize).min(n - 1)
}

/// A pole other than `k`, chosen by `u`.
fn other_pole(u: f64, k: usize, n: usize) -> usize {
    let j = pick(u, n - 1);
    if j >= k {
        j + 1
    } else {
        j
    }
}

/// Draws the year's situations for one state. `tier_of[k]` is the state's current tier
/// level with pole `k` (0..=3), for partnership offers.
pub fn draw_year(
    rng: &mut Rng,
    p: f64,
    events_per_year: f64,
    n_poles: usize,
    tier_of: &[u8; MAX_POLES],
    out: &mut Vec<Event>,
) {
    out.clear();
    let rate = (events_per_year / SLOTS as f64).min(1.0);
    let weights = kind_weights(p);
    let total: f64 = weights.iter().map(|w| w.1).sum();
    for _ in 0..SLOTS {
        let u: [f64; DRAWS] = rng.uniforms();
        if u[0] >= rate {
            continue;
        }
        let mut x = u[1] * total;
        let mut kind = Kind::UnVote;
        for &(k, w) in &weights {
            if x < w {
                kind = k;
                break;
            }
            x -= w;
        }
        let cp = pick(u[2], n_poles);
        out.push(make_event(kind, cp, p, n_poles, tier_of, &u[3..]));
    }
}

/// Builds one situation of a kind, offered or sponsored by pole `cp`, from five draws.
fn make_event(
    kind: Kind,
    cp: usize,
    p: f64,
    n: usize,
    tier_of: &[u8; MAX_POLES],
    u: &[f64],
) -> Event {
    let mut wants = [-1i8; MAX_POLES];
    let mut ev = Event {
        kind,
        counterpart: cp,
        target: None,
        tags: TagSet::EMPTY,
        tier: None,
        wants,
    };
    match kind {
        Kind::UnVote => {
            // Options: yes 0, no 1, abstain 2. The sponsor wants yes. The poles split with
            // a probability that rises with rivalry; in a split each other pole votes no
            // with probability 0.5 + 0.5p, else abstains.
            wants[cp] = 0;
            let split = u[0] < 0.15 + 0.75 * p;
            if split {
                let mut opp = None;
                for (j, w) in wants.iter_mut().enumerate().take(n) {
                    if j == cp {
                        continue;
                    }
                    // One draw serves every pole: thresholds differ per pole index.
                    let uj = (u[1] + j as f64 * 0.618_033_988_7).fract();
                    if uj < 0.5 + 0.5 * p {
                        *w = 1;
                        opp.get_or_insert(j);
                    } else {
                        *w = 2;
                    }
                }
                // Some split votes are aimed at a great power (condemnations, suspensions).
                if let Some(j) = opp {
                    if u[2] < 0.5 * p {
                        ev.target = Some(j);
                        ev.tags = if u[3] < 0.5 {
                            tags(&[Tag::CountrySpecific, Tag::HumanRights])
                        } else {
                            tags(&[Tag::UseOfForce, Tag::TerritorialIntegrity, Tag::Sovereignty])
                        };
                    }
                }
                if ev.target.is_none() {
                    ev.tags = match pick(u[3], 4) {
                        0 => tags(&[Tag::HumanRights, Tag::CountrySpecific]),
                        1 => tags(&[Tag::Disarmament, Tag::Nuclear]),
                        2 => tags(&[Tag::SelfDetermination]),
                        _ => tags(&[Tag::Sanctions, Tag::Development]),
                    };
                }
            } else {
                for w in wants.iter_mut().take(n) {
                    *w = 0;
                }
                ev.tags = match pick(u[3], 3) {
                    0 => tags(&[Tag::Development]),
                    1 => tags(&[Tag::Humanitarian]),
                    _ => tags(&[Tag::Multilateralism, Tag::PeaceProcess]),
                };
            }
        }
        Kind::Sanctions => {
            // The caller wants the state to join against another pole (or, at low rivalry,
            // against a third state); the target wants it to decline, and the third pole
            // sides with the target with probability p.
            wants[cp] = 0;
            let j = other_pole(u[0], cp, n);
            if u[1] < 0.4 + 0.6 * p {
                ev.target = Some(j);
                wants[j] = 1;
                for (k, w) in wants.iter_mut().enumerate().take(n) {
                    if k != cp && k != j && u[2] < p {
                        *w = 1;
                    }
                }
            }
            ev.tags = if u[3] < 0.5 {
                tags(&[Tag::Sanctions, Tag::UseOfForce])
            } else {
                tags(&[Tag::Sanctions, Tag::HumanRights])
            };
        }
        _ => {
            // Offers: the counterpart wants the first option (accept, join, grant, buy).
            // Rivals oppose security offers with probability p, economic ones with p / 2.
            wants[cp] = 0;
            let security = matches!(
                kind,
                Kind::Alliance | Kind::Basing | Kind::ArmsDeal | Kind::Exercise
            );
            let oppose = if security { p } else { 0.5 * p };
            for (k, w) in wants.iter_mut().enumerate().take(n) {
                if k != cp && (u[0] + k as f64 * 0.618_033_988_7).fract() < oppose {
                    *w = 1;
                }
            }
            ev.tags = match kind {
                Kind::Partnership => tags(&[Tag::Security, Tag::Trade]),
                Kind::TradePact => {
                    if u[1] < 0.5 {
                        tags(&[Tag::Trade, Tag::Investment])
                    } else {
                        tags(&[Tag::Trade, Tag::Infrastructure])
                    }
                }
                Kind::ArmsDeal => tags(&[Tag::Defence]),
                Kind::Exercise => tags(&[Tag::Defence, Tag::Maritime]),
                Kind::Basing => tags(&[Tag::Defence, Tag::Maritime]),
                Kind::Alliance => tags(&[Tag::Defence, Tag::Security]),
                Kind::Visit => {
                    if u[1] < 0.6 {
                        tags(&[Tag::Trade, Tag::Investment])
                    } else {
                        tags(&[Tag::Defence, Tag::Security])
                    }
                }
                _ => TagSet::EMPTY,
            };
            if kind == Kind::Partnership {
                // The offer raises relations one tier; with the top tier reached it is a
                // state visit instead.
                match level_tier(tier_of[cp] + 1) {
                    Some(t) => ev.tier = Some(t),
                    None => {
                        ev.kind = Kind::Visit;
                        ev.tags = tags(&[Tag::Trade, Tag::Investment]);
                    }
                }
            }
        }
    }
    ev.wants = wants;
    ev
}

/// An incident against the state's sovereignty by pole `k`: the actor wants it ignored
/// (option 2 of protest, force, ignore); a rival of the actor wants a protest with
/// probability p.
pub fn incident(k: usize, p: f64, n: usize, u: f64) -> Event {
    let mut wants = [-1i8; MAX_POLES];
    wants[k] = 2;
    for (j, w) in wants.iter_mut().enumerate().take(n) {
        if j != k && (u + j as f64 * 0.618_033_988_7).fract() < p {
            *w = 0;
        }
    }
    Event {
        kind: Kind::Incident,
        counterpart: k,
        target: None,
        tags: tags(&[Tag::Sovereignty, Tag::Maritime, Tag::TerritorialIntegrity]),
        tier: None,
        wants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(p: f64, kind: Kind) -> usize {
        let mut rng = Rng::from_u64(42);
        let mut out = Vec::new();
        let mut n = 0;
        for _ in 0..400 {
            draw_year(&mut rng, p, 12.0, 3, &[0; MAX_POLES], &mut out);
            n += out.iter().filter(|e| e.kind == kind).count();
        }
        n
    }

    #[test]
    fn rivalry_raises_alliance_and_basing_offers() {
        assert!(count(0.9, Kind::Alliance) > 2 * count(0.1, Kind::Alliance));
        assert!(count(0.9, Kind::Basing) > 2 * count(0.1, Kind::Basing));
        assert!(count(0.9, Kind::Sanctions) > count(0.1, Kind::Sanctions));
    }

    #[test]
    fn rivalry_splits_the_poles_on_votes() {
        let split = |p: f64| {
            let mut rng = Rng::from_u64(9);
            let mut out = Vec::new();
            let (mut votes, mut splits) = (0, 0);
            for _ in 0..400 {
                draw_year(&mut rng, p, 12.0, 3, &[0; MAX_POLES], &mut out);
                for e in out.iter().filter(|e| e.kind == Kind::UnVote) {
                    votes += 1;
                    if e.wants[..3].contains(&1) {
                        splits += 1;
                    }
                }
            }
            splits as f64 / votes as f64
        };
        assert!(split(0.9) > split(0.1) + 0.3);
    }

    #[test]
    fn events_per_year_is_the_mean() {
        let mut rng = Rng::from_u64(3);
        let mut out = Vec::new();
        let mut n = 0;
        for _ in 0..1000 {
            draw_year(&mut rng, 0.5, 12.0, 3, &[0; MAX_POLES], &mut out);
            n += out.len();
        }
        assert!((n as f64 / 1000.0 - 12.0).abs() < 0.5);
    }

    #[test]
    fn partnership_offers_the_next_tier() {
        let mut tiers = [0u8; MAX_POLES];
        let e = make_event(Kind::Partnership, 1, 0.5, 3, &tiers, &[0.9; 5]);
        assert_eq!(e.tier, Some(Tier::Comprehensive));
        tiers[1] = 3;
        let e = make_event(Kind::Partnership, 1, 0.5, 3, &tiers, &[0.9; 5]);
        assert_eq!(e.kind, Kind::Visit);
    }
}
