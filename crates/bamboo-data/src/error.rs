//! The one error type of the data layer: every variant says which file, and where the
//! problem is known, which line and field, and what is allowed instead.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The gzip stream ended early or is corrupt; `line` is the first line not fully read.
    #[error("{path}:{line}: gzip stream is truncated or corrupt ({detail}); the file is incomplete, so fetch or copy it again")]
    Gzip {
        path: PathBuf,
        line: usize,
        detail: String,
    },
    /// A field's value is not allowed.
    #[error("{path}:{line}: field `{field}`: {problem}")]
    Field {
        path: PathBuf,
        line: usize,
        field: String,
        problem: String,
    },
    /// A malformed record (quotes, field count, encoding).
    #[error("{path}:{line}: {problem}")]
    Record {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    /// The file is larger than the input limit (`--max-input-bytes`).
    #[error("{path}: {problem}")]
    TooLarge { path: PathBuf, problem: String },
    /// The header names no format we read.
    #[error("{path}:1: unrecognised header `{header}`; expected one of: {expected}")]
    UnknownFormat {
        path: PathBuf,
        header: String,
        expected: String,
    },
    /// No data folder could be located.
    #[error("no data folder found (tried: {tried}); pass --data DIR or set BAMBOO_DATA to the folder that holds unga/ (in a checkout of bamboo this is ../shared/data)")]
    NotFound { tried: String },
    /// The data folder exists but lacks what is needed.
    #[error("{path}: {problem}")]
    Layout { path: PathBuf, problem: String },
}

impl DataError {
    pub(crate) fn field(
        path: &std::path::Path,
        line: usize,
        field: &str,
        problem: impl Into<String>,
    ) -> DataError {
        DataError::Field {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}
