//! Reads doctrine files (`docs/doctrine.md`): unknown keys refused, every name checked by
//! `bamboo_core::doctrine::validate_doctrine`, errors located by file, key and line.

use std::path::{Path, PathBuf};

use bamboo_core::doctrine::{validate_doctrine, CompiledDoctrine, Doctrine, DoctrineInput};

use crate::toml_input::{from_field_error, from_toml_error, read, InputError, Spans};

/// Parses the text of a doctrine file (`file` is used in errors only).
pub fn parse_doctrine(file: &Path, src: &str) -> Result<Doctrine, InputError> {
    let raw: DoctrineInput = toml::from_str(src)
        .map_err(|e| InputError::invalid(from_toml_error(file, src, &e, None)))?;
    validate_doctrine(&raw).map_err(|e| {
        let spans = Spans::new(src);
        InputError::invalid(from_field_error(file, &spans, "", None, &e))
    })
}

/// Parses and compiles a doctrine for the engine.
pub fn parse_compiled(file: &Path, src: &str) -> Result<CompiledDoctrine, InputError> {
    let d = parse_doctrine(file, src)?;
    CompiledDoctrine::new(d).map_err(|e| {
        let spans = Spans::new(src);
        InputError::invalid(from_field_error(file, &spans, "", None, &e))
    })
}

/// Reads and compiles a doctrine file.
pub fn read_doctrine(path: &Path) -> Result<CompiledDoctrine, InputError> {
    parse_compiled(path, &read(path)?)
}

/// The ledger a doctrine names, resolved against the doctrine file's folder.
pub fn ledger_path(doctrine_file: &Path, d: &Doctrine) -> Option<PathBuf> {
    let rel = d.ledger.as_deref()?;
    let base = doctrine_file.parent().unwrap_or(Path::new("."));
    Some(base.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const MINIMAL: &str = r#"
[doctrine]
name = "test"
subject = "VNM"
poles = ["USA", "CHN"]

[[root]]
id = "no-alliance"
principle = "No military alliances"
[[root.forbid]]
kind = ["alliance"]
option = ["join"]

[branches]
interests = { economy = 1.0 }
[branches.relations]
USA = 0.5
CHN = 0.5
"#;

    fn err(src: &str) -> crate::toml_input::Diagnostic {
        parse_compiled(Path::new("d.toml"), src)
            .unwrap_err()
            .diagnostic()
            .cloned()
            .unwrap()
    }

    #[test]
    fn reads_a_minimal_doctrine() {
        let d = parse_compiled(Path::new("d.toml"), MINIMAL).unwrap();
        assert_eq!(d.poles().len(), 2);
    }

    #[test]
    fn errors_name_key_and_line() {
        let d = err(&MINIMAL.replace("option = [\"join\"]", "option = [\"grant\"]"));
        assert_eq!(
            (d.line, d.field.as_deref()),
            (Some(12), Some("root[0].forbid[0].option[0]"))
        );
        let d = err(&MINIMAL.replace("kind = [\"alliance\"]", "kind = [\"aliance\"]"));
        assert_eq!(
            (d.line, d.field.as_deref()),
            (Some(11), Some("root[0].forbid[0].kind[0]"))
        );
        let d = err(&MINIMAL.replace("principle =", "principal ="));
        assert_eq!((d.line, d.field.as_deref()), (Some(9), Some("principal")));
        let d = err(&MINIMAL.replace("CHN = 0.5", "XX = 0.5"));
        assert_eq!(d.field.as_deref(), Some("branches.relations.XX"));
        assert_eq!(d.line, Some(18));
        let d = err(&format!("{MINIMAL}[branches.tags.warfare]\neconomy = 1\n"));
        assert_eq!(
            (d.line, d.field.as_deref()),
            (Some(19), Some("branches.tags.warfare"))
        );
        let d = err(&format!("{MINIMAL}[branches.kinds.visit]\nprestige = 1\n"));
        assert_eq!(
            (d.line, d.field.as_deref()),
            (Some(20), Some("branches.kinds.visit.prestige"))
        );
    }
}
