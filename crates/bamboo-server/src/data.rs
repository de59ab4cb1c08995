//! The vote data every answer reads: the roll calls and the country table, loaded once and
//! read-only, with the provenance line and the world outlines for maps.

use std::path::PathBuf;
use std::sync::Arc;

use bamboo_app::map::GeoCache;
use bamboo_core::VoteStore;
use bamboo_data::{Countries, DataDir, DataError};

/// The roll calls and the country table, with the provenance line every answer carries.
pub struct VoteData {
    /// Shared with the doctrines' advisors, which read the same votes.
    pub store: Arc<VoteStore>,
    pub countries: Countries,
    /// One line saying where the numbers come from.
    pub provenance: String,
    /// The world outlines for maps, read from the data folder when first asked for.
    pub geo: GeoCache,
}

impl VoteData {
    /// Loads every vote table of a data folder (plus `extra` files) and the country table.
    pub fn load(dir: &DataDir, extra: &[PathBuf]) -> Result<VoteData, DataError> {
        let (store, countries, report, _) =
            bamboo_data::cache::load_store(dir, extra, &bamboo_data::cache::CacheDir::from_env())?;
        let provenance = bamboo_data::votes::provenance(&store, &report);
        Ok(VoteData {
            store: Arc::new(store),
            countries,
            provenance,
            geo: GeoCache::new(Some(dir.clone())),
        })
    }
}
