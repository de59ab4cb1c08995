//! bamboo-core: the pure domain of bamboo (countries, votes, metrics, doctrine, engine). No I/O.
