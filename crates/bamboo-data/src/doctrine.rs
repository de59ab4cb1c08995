//! Reads doctrine files (`docs/doctrine.md`): unknown keys refused, every name checked by
//! `bamboo_core::doctrine::validate_doctrine`, errors located by file, key and line.

use std::path::{Path, PathBuf};

use bamboo_core::doctrine::{
    validate_doctrine, CompiledDoctrine, Doctrine, DoctrineInput, VoteBranch,
};
use bamboo_core::Iso3;

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

/// Writes a vote branch into a doctrine's text as `[branches.votes]` (replacing the one
/// there), keeping every other line and comment of the file. `notes` become comment lines
/// above the table; `peer_notes` a comment after each peer's weight.
pub fn with_vote_branch(
    file: &Path,
    src: &str,
    b: &VoteBranch,
    notes: &[String],
    peer_notes: &dyn Fn(Iso3) -> String,
) -> Result<String, InputError> {
    use toml_edit::{value, DocumentMut, Item, Table};
    let mut doc: DocumentMut = src.parse().map_err(|e: toml_edit::TomlError| {
        InputError::invalid(crate::toml_input::Diagnostic {
            file: file.to_path_buf(),
            line: e.span().map(|s| crate::toml_input::line_of(src, s.start)),
            entry: None,
            entry_kind: "doctrine",
            field: None,
            message: e.message().to_string(),
        })
    })?;
    let branches = doc
        .get_mut("branches")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| {
            InputError::invalid(crate::toml_input::Diagnostic {
                file: file.to_path_buf(),
                line: None,
                entry: None,
                entry_kind: "doctrine",
                field: Some("branches".into()),
                message: "the doctrine has no [branches] table to add the vote branch to".into(),
            })
        })?;
    let mut t = Table::new();
    let mut head = String::from("\n");
    for n in notes {
        head.push_str(&format!("# {n}\n"));
    }
    t.decor_mut().set_prefix(head);
    t.insert("yes", value(b.yes));
    t.insert("abstain", value(b.abstain));
    t.insert("assembly", value(b.assembly));
    t.insert("precedent", value(b.precedent));
    let mut peers = Table::new();
    peers.decor_mut().set_prefix("\n# Weight of each state's company: times its pleasure with the option (1 same vote, 0 one step away, -1 opposite).\n");
    for (c, w) in &b.peers {
        peers.insert(c.as_str(), value(*w));
        if let Some(v) = peers.get_mut(c.as_str()).and_then(Item::as_value_mut) {
            let note = peer_notes(*c);
            if !note.is_empty() {
                v.decor_mut().set_suffix(format!("  # {note}"));
            }
        }
    }
    let mut tags = Table::new();
    tags.set_implicit(true);
    for tg in bamboo_core::case::Tag::ALL {
        let (y, a) = (b.tag_yes[tg as usize], b.tag_abstain[tg as usize]);
        if y == 0.0 && a == 0.0 {
            continue;
        }
        let mut one = Table::new();
        one.insert("yes", value(y));
        one.insert("abstain", value(a));
        tags.insert(tg.as_str(), Item::Table(one));
    }
    let mut votes = t;
    votes.insert("peers", Item::Table(peers));
    if !tags.is_empty() {
        votes.insert("tags", Item::Table(tags));
    }
    if let Some(f) = &b.fit {
        let mut fit = Table::new();
        fit.decor_mut()
            .set_prefix("\n# What the weights above were fitted to (bamboo doctrine fit).\n");
        fit.insert("cases", value(f.cases.clone()));
        fit.insert("n", value(i64::from(f.n)));
        fit.insert("from", value(f.from.clone()));
        fit.insert("to", value(f.to.clone()));
        fit.insert("method", value(f.method.clone()));
        fit.insert("in_sample", value(f.in_sample));
        votes.insert("fit", Item::Table(fit));
    }
    branches.insert("votes", Item::Table(votes));
    Ok(doc.to_string())
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
