//! Reads world files for the simulation (`docs/simulation.md`): unknown keys refused,
//! every value checked by `bamboo_sim::World::new`, errors located by file, key and line.

use std::path::Path;

use bamboo_core::case::FieldError;
use bamboo_sim::{World, WorldInput};

use crate::toml_input::{from_field_error, from_toml_error, read, InputError, Spans};

/// Parses the text of a world file (`file` is used in errors only).
pub fn parse_world(file: &Path, src: &str) -> Result<World, InputError> {
    let raw: WorldInput = toml::from_str(src)
        .map_err(|e| InputError::invalid(from_toml_error(file, src, &e, None)))?;
    World::new(raw).map_err(|e| {
        let spans = Spans::new(src);
        InputError::invalid(from_field_error(
            file,
            &spans,
            "",
            None,
            &FieldError::new(&e.field, e.message),
        ))
    })
}

/// Reads a world file.
pub fn read_world(path: &Path) -> Result<World, InputError> {
    parse_world(path, &read(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_world_reads() {
        let (path, src) = crate::shipped::world("default").unwrap();
        let w = parse_world(Path::new(path), src).unwrap();
        assert_eq!(w.subject().iso3.as_str(), "VNM");
        assert_eq!(w.compare.len(), 4);
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let (_, src) = crate::shipped::world("default").unwrap();
        let bad = src.replace("RUS = 0.81 }", "RUS = 1.81 }");
        let e = parse_world(Path::new("w.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("w.toml:"), "{e}");
        assert!(
            e.contains("state[0].arms") && e.contains("outside 0..1"),
            "{e}"
        );
        let line: usize = e.split(':').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            bad.lines().nth(line - 1).map(|l| l.contains("RUS = 1.81")),
            Some(true),
            "{e}"
        );
        let bad = src.replace("events_per_year = 12", "events_per_yaer = 12");
        let e = parse_world(Path::new("w.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("events_per_yaer"), "{e}");
    }
}
