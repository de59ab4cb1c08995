//! Reading a whole file into memory, transparently gunzipping `.gz` files, with errors that
//! say where a truncated stream stopped.

use std::io::Read;
use std::path::Path;

use crate::error::DataError;

/// The bytes of a file, decompressed if its name ends in `.gz` (or it starts with the gzip
/// magic number).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let gz = raw.starts_with(&[0x1f, 0x8b]) || path.extension().is_some_and(|e| e == "gz");
    if !gz {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() * 8);
    let mut dec = flate2::read::MultiGzDecoder::new(&raw[..]);
    if let Err(e) = dec.read_to_end(&mut out) {
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
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        DataError::Record {
            path: path.to_path_buf(),
            line,
            problem: "the file is not valid UTF-8 text".into(),
        }
    })
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
    fn missing_file_is_an_io_error_with_the_path() {
        let e = read_bytes(Path::new("/no/such/file.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/no/such/file.csv: cannot read file"), "{e}");
    }
}
