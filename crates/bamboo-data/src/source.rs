//! Reading a whole file into memory, transparently gunzipping `.gz` files, with errors that
//! say where a truncated stream stopped, and a limit on the size of every input.
//!
//! Every file bamboo reads (vote tables, countries, trade and arms tables, doctrines, cases,
//! ledgers, worlds) is read through [`read_limited`]: at most [`max_input_bytes`] bytes, and
//! for a gzipped file at most that many once decompressed. A file beyond the limit (a
//! `/dev/zero` named as a ledger or linked into `unga/`, a gzip bomb) fails at once with an
//! error that names the limit and the flag that raises it (`--max-input-bytes`), instead of
//! growing without end.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::DataError;

/// The default limit on one input file: 64 MiB (the largest shipped table, the unvotes
/// votes, is 20 MB once decompressed).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 << 20;

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// The largest input file read, in bytes (after decompression).
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES.load(Ordering::Relaxed)
}

/// Sets the limit for this process (`bamboo --max-input-bytes`); at least 1 byte.
pub fn set_max_input_bytes(n: u64) {
    MAX_INPUT_BYTES.store(n.max(1), Ordering::Relaxed);
}

/// Why a limited read failed.
#[derive(Debug)]
pub enum LimitedReadError {
    Io(std::io::Error),
    /// The input holds more than `limit` bytes.
    TooLarge {
        limit: u64,
    },
}

/// The limit in words, for error messages.
pub fn limit_words(limit: u64) -> String {
    if limit >= 1 << 20 && limit & ((1 << 20) - 1) == 0 {
        format!("{} MiB ({limit} bytes)", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

/// Reads at most `limit` bytes from `r`; more is [`LimitedReadError::TooLarge`].
pub fn read_to_limit(r: impl Read, limit: u64) -> Result<Vec<u8>, LimitedReadError> {
    read_sized(r, limit, 0)
}

/// [`read_to_limit`] into a buffer made for `expected` bytes (a file's size: read once,
/// without the copies and fresh pages of a buffer that doubles as it fills).
fn read_sized(r: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, LimitedReadError> {
    // One byte more than the size, so that reading to the end needs no growth to see it.
    let mut out = Vec::with_capacity(expected.min(limit).saturating_add(1) as usize);
    r.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(LimitedReadError::Io)?;
    if out.len() as u64 > limit {
        return Err(LimitedReadError::TooLarge { limit });
    }
    Ok(out)
}

/// Reads a whole file, at most `limit` bytes (not decompressed).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, LimitedReadError> {
    let f = std::fs::File::open(path).map_err(LimitedReadError::Io)?;
    let meta = f.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(LimitedReadError::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder, not a file",
        )));
    }
    // The size is a hint only (a pipe says 0, a growing file more): the limit still holds.
    read_sized(f, limit, meta.map_or(0, |m| m.len()))
}

fn too_large(path: &Path, limit: u64, what: &str) -> DataError {
    DataError::TooLarge {
        path: path.to_path_buf(),
        problem: format!(
            "the file is larger than the input limit of {}{what}; pass --max-input-bytes N to raise it",
            limit_words(limit)
        ),
    }
}

/// The bytes of a file, decompressed if its name ends in `.gz` (or it starts with the gzip
/// magic number).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    read_bytes_within(path, max_input_bytes())
}

/// [`read_bytes`] with an explicit limit.
pub fn read_bytes_within(path: &Path, limit: u64) -> Result<Vec<u8>, DataError> {
    let raw = read_limited(path, limit).map_err(|e| match e {
        LimitedReadError::Io(source) => DataError::Io {
            path: path.to_path_buf(),
            source,
        },
        LimitedReadError::TooLarge { limit } => too_large(path, limit, ""),
    })?;
    let gz = raw.starts_with(&[0x1f, 0x8b]) || path.extension().is_some_and(|e| e == "gz");
    if !gz {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity((raw.len() as u64 * 8).min(limit) as usize);
    let mut dec = flate2::read::MultiGzDecoder::new(&raw[..]).take(limit.saturating_add(1));
    let res = dec.read_to_end(&mut out);
    if out.len() as u64 > limit {
        return Err(too_large(path, limit, " once decompressed"));
    }
    if let Err(e) = res {
        let line = out.iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(DataError::Gzip {
            path: path.to_path_buf(),
            line,
            detail: e.to_string(),
        });
    }
    Ok(out)
}

/// The text of a file (see [`read_bytes`]), checked to be UTF-8.
pub fn read_text(path: &Path) -> Result<String, DataError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let b = e.as_bytes();
        let line = b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        DataError::field(
            path,
            line,
            &csv_column_at(b, at),
            format!(
                "the file is not valid UTF-8 text (byte 0x{:02x}); save it as UTF-8",
                b[at]
            ),
        )
    })
}

/// The CSV column (its header name, else its number) that byte `at` of a table falls in,
/// counting the commas outside quotes from the start of its line.
fn csv_column_at(b: &[u8], at: usize) -> String {
    let start = b[..at]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let mut quoted = false;
    let mut col = 0;
    for &c in &b[start..at] {
        match c {
            b'"' => quoted = !quoted,
            b',' if !quoted => col += 1,
            _ => {}
        }
    }
    let header_end = b.iter().position(|&c| c == b'\n').unwrap_or(b.len());
    let header = String::from_utf8_lossy(&b[..header_end]);
    match header
        .split(',')
        .nth(col)
        .map(|h| h.trim().trim_matches('"'))
    {
        Some(h) if !h.is_empty() && start > 0 => crate::text::clip(h),
        _ => format!("column {}", col + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn truncated_gzip_names_the_line() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("x.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..20000 {
            writeln!(enc, "{i},some text that compresses {}", i * 7).unwrap();
        }
        let full = enc.finish().unwrap();
        std::fs::write(&p, &full[..full.len() / 2]).unwrap();
        let e = read_bytes(&p).unwrap_err();
        match &e {
            DataError::Gzip { line, .. } => assert!(*line > 1),
            other => panic!("{other}"),
        }
        assert!(e.to_string().contains("truncated"));
    }

    #[test]
    fn endless_and_oversized_inputs_fail_at_the_limit() {
        // A device that never ends: read up to the limit, then refused.
        if Path::new("/dev/zero").exists() {
            let e = read_to_limit(std::fs::File::open("/dev/zero").unwrap(), 1 << 20);
            assert!(matches!(e, Err(LimitedReadError::TooLarge { limit }) if limit == 1 << 20));
        }
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("bomb.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 4 << 20]).unwrap();
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        let e = read_bytes_within(&p, 1 << 20).unwrap_err().to_string();
        assert!(
            e.contains("bomb.csv.gz: the file is larger than the input limit of 1 MiB"),
            "{e}"
        );
        assert!(
            e.contains("once decompressed") && e.contains("--max-input-bytes"),
            "{e}"
        );
    }

    #[test]
    fn missing_file_is_an_io_error_with_the_path() {
        let e = read_bytes(Path::new("/no/such/file.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/no/such/file.csv: cannot read file"), "{e}");
    }
}
