//! Counter-based randomness for common random numbers.
//!
//! Every random draw of a run comes from a stream named by (seed, run, year, state, stream
//! kind), hashed with SplitMix64 into the state of a small xoshiro256** generator. A run's
//! draws therefore depend only on its coordinates, never on the thread that ran it, on
//! other runs, or on the choices made earlier in the run: the same events meet every
//! doctrine compared (common random numbers), and results are identical on 1 or many
//! threads. There is no global or unseeded generator anywhere.

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The kinds of stream a run draws from, so that adding draws to one never shifts another.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stream {
    /// The situations offered to a state in a year.
    Events = 1,
    /// Incidents against a state's sovereignty in a year.
    Incidents = 2,
    /// The scenario's yearly noise on polarisation.
    Scenario = 3,
}

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for one stream of one run.
    pub fn stream(seed: u64, run: u64, year: u32, state: u32, kind: Stream) -> Rng {
        let mut h = mix(seed ^ 0x6261_6d62_6f6f); // "bamboo"
        h = mix(h ^ run);
        h = mix(h ^ u64::from(year));
        h = mix(h ^ u64::from(state));
        h = mix(h ^ kind as u64);
        Rng::from_u64(h)
    }

    /// A generator whose four words of state are SplitMix64's first four outputs from
    /// `seed` (never all zero).
    pub fn from_u64(seed: u64) -> Rng {
        let mut x = seed;
        let mut s = [0u64; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *v = mix(x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// The next 64 random bits (xoshiro256**'s output, then its state advances).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// A uniform draw in [0, 1) with 53 bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A fixed number of uniforms, so that a slot always consumes the same draws.
    #[inline]
    pub fn uniforms<const N: usize>(&mut self) -> [f64; N] {
        let mut u = [0.0; N];
        for x in &mut u {
            *x = self.uniform();
        }
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, 3, 2, 1, Stream::Events), |r, _| {
                Some(r.next_u64())
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, 3, 2, 1, Stream::Events), |r, _| {
                Some(r.next_u64())
            })
            .collect();
        assert_eq!(a, b);
        let mut seen = std::collections::HashSet::new();
        for seed in 0..3 {
            for run in 0..20 {
                for kind in [Stream::Events, Stream::Incidents] {
                    assert!(seen.insert(Rng::stream(seed, run, 0, 0, kind).next_u64()));
                }
            }
        }
    }

    #[test]
    fn uniforms_are_in_range_and_roughly_uniform() {
        let mut r = Rng::from_u64(1);
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.01);
    }
}
