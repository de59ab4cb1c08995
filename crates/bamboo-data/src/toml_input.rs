//! Shared plumbing for the TOML readers (cases, doctrines, ledgers): errors that name the
//! file, the case id when known, the key and the line.
//!
//! Syntax, type and unknown-key errors come from `toml` with a byte span. Semantic errors
//! come from core's validators as a dotted field path (`root[1].forbid[0].option`, index
//! 2); the path is walked in a span-preserving parse (`toml_edit`) to find the line.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bamboo_core::case::FieldError;

/// A located problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line, when it could be found.
    pub line: Option<usize>,
    /// The id of the case (or other entry) the problem is in, when known.
    pub entry: Option<String>,
    /// What the entry is ("case", "event").
    pub entry_kind: &'static str,
    /// The key or field at fault, when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(e) = &self.entry {
            write!(f, ": {} `{e}`", self.entry_kind)?;
        }
        if let Some(k) = &self.field {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot read: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

impl InputError {
    /// The diagnostic, for an invalid input.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            InputError::Invalid(d) => Some(d),
            InputError::Io { .. } => None,
        }
    }

    pub(crate) fn invalid(d: Diagnostic) -> InputError {
        InputError::Invalid(Box::new(d))
    }
}

/// Reads a file to a string.
pub(crate) fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Io {
        file: path.to_path_buf(),
        source,
    })
}

/// The `*.toml` files of a folder, sorted by name; none if the folder does not exist.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(InputError::Io {
                file: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in rd {
        let p = entry
            .map_err(|source| InputError::Io {
                file: dir.to_path_buf(),
                source,
            })?
            .path();
        if p.extension().is_some_and(|e| e == "toml") && p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A parsed document that keeps spans, for finding the line of a field path.
pub(crate) struct Spans<'a> {
    src: &'a str,
    doc: Option<toml_edit::ImDocument<&'a str>>,
}

impl<'a> Spans<'a> {
    pub(crate) fn new(src: &'a str) -> Spans<'a> {
        Spans {
            src,
            doc: toml_edit::ImDocument::parse(src).ok(),
        }
    }

    fn root(&self) -> Option<&toml_edit::Item> {
        self.doc.as_ref().map(|d| d.as_item())
    }

    /// The span of a dotted path under `base` (e.g. `case[3]`), each segment a key with
    /// optional `[n]` indices. Falls back to the deepest part of the path that exists.
    pub(crate) fn span(&self, path: &str) -> Option<Range<usize>> {
        let mut item = self.root()?;
        let mut best = None;
        for seg in path.split('.') {
            let (key, rest) = match seg.find('[') {
                Some(i) => (&seg[..i], &seg[i..]),
                None => (seg, ""),
            };
            if !key.is_empty() {
                item = match item.get(key) {
                    Some(x) => x,
                    None => return best,
                };
                best = item.span().or(best);
                if best.is_none() {
                    best = first_span(item);
                }
            }
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                let n: usize = idx.trim_end_matches(']').parse().ok()?;
                item = match item.get(n) {
                    Some(x) => x,
                    None => return best,
                };
                best = item.span().or_else(|| first_span(item)).or(best);
            }
        }
        best
    }

    /// The line of a path, if found.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        self.span(path).map(|s| line_of(self.src, s.start))
    }

    /// The index of the `[[array]]` entry that contains a byte offset.
    pub(crate) fn entry_at(&self, array: &str, offset: usize) -> Option<usize> {
        let aot = self.root()?.get(array)?.as_array_of_tables()?;
        let mut found = None;
        for (i, t) in aot.iter().enumerate() {
            let start = t.span().or_else(|| {
                t.iter()
                    .filter_map(|(_, v)| v.span())
                    .min_by_key(|s| s.start)
            });
            if let Some(s) = start {
                if s.start <= offset {
                    found = Some(i);
                }
            }
        }
        found
    }

    /// A string value at `array[i].key`.
    pub(crate) fn string_at(&self, array: &str, i: usize, key: &str) -> Option<String> {
        self.root()?
            .get(array)?
            .get(i)?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }
}

fn first_span(item: &toml_edit::Item) -> Option<Range<usize>> {
    match item {
        toml_edit::Item::Table(t) => t.span().or_else(|| {
            t.iter()
                .filter_map(|(_, v)| v.span())
                .min_by_key(|s| s.start)
        }),
        toml_edit::Item::ArrayOfTables(a) => a.iter().find_map(|t| t.span()),
        other => other.span(),
    }
}

/// A diagnostic for a `toml` deserialisation error (syntax, type, unknown or missing key).
/// `array` names the `[[...]]` tables whose entries carry an `id` (e.g. `case`), so the
/// entry at fault can be named.
pub(crate) fn from_toml_error(
    file: &Path,
    src: &str,
    e: &toml::de::Error,
    array: Option<&'static str>,
) -> Diagnostic {
    let spans = Spans::new(src);
    let (line, entry) = match e.span() {
        Some(s) => {
            let entry = array.and_then(|a| {
                let i = spans.entry_at(a, s.start)?;
                spans
                    .string_at(a, i, "id")
                    .or_else(|| Some(format!("#{}", i + 1)))
            });
            (Some(line_of(src, s.start)), entry)
        }
        None => (None, None),
    };
    let message = e.message().trim().to_string();
    Diagnostic {
        file: file.to_path_buf(),
        line,
        entry,
        entry_kind: array.unwrap_or(""),
        field: key_in_message(&message),
        message,
    }
}

/// The key a serde message is about (`unknown field `x``, `missing field `x``).
fn key_in_message(m: &str) -> Option<String> {
    for pat in ["unknown field `", "missing field `", "duplicate key `"] {
        if let Some(i) = m.find(pat) {
            let rest = &m[i + pat.len()..];
            return rest.find('`').map(|j| rest[..j].to_string());
        }
    }
    None
}

/// A diagnostic for a semantic error found by a core validator, located by its path.
pub(crate) fn from_field_error(
    file: &Path,
    spans: &Spans,
    base: &str,
    entry: Option<(&'static str, String)>,
    e: &FieldError,
) -> Diagnostic {
    let (entry_kind, entry) = match entry {
        Some((k, id)) => (k, Some(id)),
        None => ("", None),
    };
    let path = if base.is_empty() {
        e.field.clone()
    } else {
        format!("{base}.{}", e.field)
    };
    let full = match e.index {
        Some(i) => format!("{path}[{i}]"),
        None => path.clone(),
    };
    Diagnostic {
        file: file.to_path_buf(),
        line: spans.line(&full),
        entry,
        entry_kind,
        field: Some(match e.index {
            Some(i) => format!("{}[{i}]", e.field),
            None => e.field.clone(),
        }),
        message: e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_lines() {
        let src = "[a]\nx = 1\n\n[[case]]\nid = \"one\"\ntags = [\"p\",\n  \"q\"]\n[case.positions]\nyes = [\"USA\"]\n";
        let s = Spans::new(src);
        assert_eq!(s.line("a.x"), Some(2));
        assert_eq!(s.line("case[0].tags[1]"), Some(7));
        assert_eq!(s.line("case[0].positions.yes[0]"), Some(9));
        assert_eq!(s.line("case[0].nothing"), Some(4).or(s.line("case[0]")));
        assert_eq!(s.entry_at("case", 40), Some(0));
        assert_eq!(s.string_at("case", 0, "id").as_deref(), Some("one"));
    }
}
