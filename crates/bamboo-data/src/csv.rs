//! A small, fast RFC 4180 CSV reader over text already in memory. It keeps line numbers
//! (a quoted field may span lines) so that every error can name the line, and it never
//! turns a string such as `NA` into a missing value: every field is text.

use std::borrow::Cow;
use std::path::Path;

use crate::error::DataError;

/// Iterates over the records of a CSV text.
pub struct CsvReader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    path: &'a Path,
    /// The first record (the header), to name the column an error is in.
    names: Option<Vec<String>>,
}

impl<'a> CsvReader<'a> {
    pub fn new(text: &'a str, path: &'a Path) -> Self {
        // A UTF-8 byte-order mark is not part of the first field name.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        CsvReader {
            text,
            pos: 0,
            line: 1,
            path,
            names: None,
        }
    }

    /// The name of the column at `index` (from the header), for errors.
    fn column(&self, index: usize) -> String {
        column_name(self.names.as_deref(), index)
    }

    /// Reads the next record (see [`CsvReader::read_record`]); the first one is kept as
    /// the header, to name columns in errors.
    pub fn next_record(&mut self, out: &mut Vec<Cow<'a, str>>) -> Result<Option<usize>, DataError> {
        let r = self.read_record(out);
        if self.names.is_none() {
            self.names = Some(out.iter().map(|f| f.trim().to_ascii_lowercase()).collect());
        }
        r
    }

    /// Reads the next record into `out` and returns the line it started on, or `None` at
    /// the end. Blank lines are skipped.
    fn read_record(&mut self, out: &mut Vec<Cow<'a, str>>) -> Result<Option<usize>, DataError> {
        out.clear();
        let b = self.text.as_bytes();
        // Skip blank lines.
        while self.pos < b.len() && (b[self.pos] == b'\n' || b[self.pos] == b'\r') {
            if b[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        if self.pos >= b.len() {
            return Ok(None);
        }
        let start_line = self.line;
        loop {
            if self.pos < b.len() && b[self.pos] == b'"' {
                // Quoted field.
                let mut i = self.pos + 1;
                let mut owned: Option<String> = None;
                let mut seg = i;
                loop {
                    match memchr_quote(&b[i..]) {
                        None => {
                            return Err(DataError::field(
                                self.path,
                                start_line,
                                &self.column(out.len()),
                                "a quoted field is never closed (a \" is missing)",
                            ))
                        }
                        Some(k) => {
                            let q = i + k;
                            self.line += b[i..q].iter().filter(|&&c| c == b'\n').count();
                            if q + 1 < b.len() && b[q + 1] == b'"' {
                                owned
                                    .get_or_insert_with(String::new)
                                    .push_str(&self.text[seg..=q]);
                                i = q + 2;
                                seg = i;
                            } else {
                                let field = match owned {
                                    Some(mut s) => {
                                        s.push_str(&self.text[seg..q]);
                                        Cow::Owned(s)
                                    }
                                    None => Cow::Borrowed(&self.text[seg..q]),
                                };
                                out.push(field);
                                self.pos = q + 1;
                                break;
                            }
                        }
                    }
                }
                match b.get(self.pos) {
                    None => return Ok(Some(start_line)),
                    Some(b',') => self.pos += 1,
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        return Ok(Some(start_line));
                    }
                    Some(b'\r') if b.get(self.pos + 1) == Some(&b'\n') => {
                        self.pos += 2;
                        self.line += 1;
                        return Ok(Some(start_line));
                    }
                    Some(_) => {
                        return Err(DataError::field(
                            self.path,
                            self.line,
                            &self.column(out.len().saturating_sub(1)),
                            "text after the closing quote of a field (write a quote inside a quoted field as \"\")",
                        ))
                    }
                }
            } else {
                // Unquoted field: up to the next comma or end of line.
                let s = self.pos;
                let mut i = s;
                while i < b.len() && b[i] != b',' && b[i] != b'\n' {
                    i += 1;
                }
                let mut e = i;
                // A CR before the line end belongs to a CRLF, not to the field.
                if (i == b.len() || b[i] == b'\n') && e > s && b[e - 1] == b'\r' {
                    e -= 1;
                }
                out.push(Cow::Borrowed(&self.text[s..e]));
                if i >= b.len() {
                    self.pos = i;
                    return Ok(Some(start_line));
                }
                self.pos = i + 1;
                if b[i] == b'\n' {
                    self.line += 1;
                    return Ok(Some(start_line));
                }
                if self.pos >= b.len() {
                    // A trailing comma at the very end: one more empty field.
                    out.push(Cow::Borrowed(""));
                    return Ok(Some(start_line));
                }
            }
        }
    }

    pub fn path(&self) -> &'a Path {
        self.path
    }
}

fn memchr_quote(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'"')
}

/// A CSV header: the position of each named column, so readers look fields up by name.
pub struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn new(fields: &[Cow<'_, str>]) -> Header {
        Header {
            names: fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of a column, if present.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Whether the header starts with exactly these columns.
    pub fn starts_with(&self, cols: &[&str]) -> bool {
        self.names.len() >= cols.len() && self.names.iter().zip(cols).all(|(a, b)| a == b)
    }

    /// The index of a required column, or an error naming the file.
    pub fn require(&self, name: &str, path: &Path) -> Result<usize, DataError> {
        self.find(name).ok_or_else(|| {
            DataError::field(
                path,
                1,
                name,
                format!(
                    "the header has no such column (it has: {})",
                    self.names.join(", ")
                ),
            )
        })
    }
}

/// Checks that a record has as many fields as the header.
pub fn check_width(
    rec: &[Cow<'_, str>],
    header: &Header,
    path: &Path,
    line: usize,
) -> Result<(), DataError> {
    let (n, found) = (header.names.len(), rec.len());
    if found < n {
        return Err(DataError::field(
            path,
            line,
            &column_name(Some(&header.names), found),
            format!("missing: the record has {found} fields, the header {n}"),
        ));
    }
    if found > n {
        return Err(DataError::field(
            path,
            line,
            &column_name(Some(&header.names), n.saturating_sub(1)),
            format!("the record has {found} fields, the header {n}: is there a comma too many in or after this field?"),
        ));
    }
    Ok(())
}

/// A column's name from the header, or its number when the header has none for it.
fn column_name(names: Option<&[String]>, index: usize) -> String {
    match names.and_then(|n| n.get(index)) {
        Some(n) if !n.is_empty() => crate::text::clip(n),
        _ => format!("column {}", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, DataError> {
        let p = Path::new("t.csv");
        let mut r = CsvReader::new(text, p);
        let mut rec = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = r.next_record(&mut rec)? {
            out.push((line, rec.iter().map(|f| f.to_string()).collect()));
        }
        Ok(out)
    }

    #[test]
    fn reads_quotes_commas_and_newlines() {
        let r = parse("a,b,c\r\n1,\"x, \"\"y\"\"\",NA\n2,\"multi\nline\",\n3,,z").unwrap();
        assert_eq!(r[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(r[1], (2, vec!["1".into(), "x, \"y\"".into(), "NA".into()]));
        assert_eq!(r[2], (3, vec!["2".into(), "multi\nline".into(), "".into()]));
        assert_eq!(r[3], (5, vec!["3".into(), "".into(), "z".into()]));
    }

    #[test]
    fn unclosed_quote_is_an_error_with_line() {
        let e = parse("a\n1\n\"oops\n").unwrap_err().to_string();
        assert!(e.starts_with("t.csv:3:"), "{e}");
    }

    #[test]
    fn skips_bom_and_blank_lines() {
        let r = parse("\u{feff}a,b\n\n1,2\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].1[0], "a");
        assert_eq!(r[1].0, 3);
    }

    /// Writes fields as CSV with quoting where needed.
    fn write(rows: &[Vec<String>]) -> String {
        let mut s = String::new();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .map(|f| {
                    if f.contains([',', '"', '\n', '\r']) || f.is_empty() {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect();
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }

    proptest! {
        #[test]
        fn round_trips_any_fields(rows in prop::collection::vec(prop::collection::vec("[a-zA-Z0-9 ,\"\n]{0,8}", 1..5), 1..20)) {
            let text = write(&rows);
            let got: Vec<Vec<String>> = parse(&text).unwrap().into_iter().map(|r| r.1).collect();
            prop_assert_eq!(got, rows);
        }
    }
}
