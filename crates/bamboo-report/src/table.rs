//! Plain-text [`Table`] for terminals (numeric columns right-aligned, text
//! left-aligned) and CSV helpers ([`csv_escape`], [`csv_row`]).

use std::borrow::Cow;
use std::fmt;

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Pad on the right (text).
    Left,
    /// Pad on the left (numbers).
    Right,
}

/// A plain-text table. Column widths fit the widest cell; columns whose
/// non-empty cells are all numbers (`0.31`, `-2`, `1,234`, `45%`, `+0.1`) are
/// right-aligned, others left-aligned, unless overridden with
/// [`Table::align`]. Cells `""`, `-`, `—`, `NA`, `n/a` count as empty for
/// that detection. Lines carry no trailing spaces.
///
/// ```
/// use bamboo_report::Table;
/// let t = Table::new(["Country", "USA", "CHN"])
///     .title("Agreement, 2021")
///     .row(["Viet Nam", "0.31", "0.88"])
///     .row(["Lao PDR", "0.29", "0.91"]);
/// assert_eq!(
///     t.render(),
///     "Agreement, 2021\nCountry    USA   CHN\n--------  ----  ----\nViet Nam  0.31  0.88\nLao PDR   0.29  0.91\n"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Optional line printed above the table.
    pub title: Option<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells; short rows are padded with empty cells.
    pub rows: Vec<Vec<String>>,
    /// Per-column alignment override (`None` or missing = automatic).
    pub align: Vec<Option<Align>>,
}

impl Table {
    /// A table with these headers and no rows.
    pub fn new<I, S>(headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// Sets the title line.
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }

    /// Adds a row (builder style).
    pub fn row<I, S>(mut self, cells: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.push_row(cells);
        self
    }

    /// Adds a row.
    pub fn push_row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Forces the alignment of column `col`.
    pub fn align(mut self, col: usize, a: Align) -> Self {
        if self.align.len() <= col {
            self.align.resize(col + 1, None);
        }
        self.align[col] = Some(a);
        self
    }

    fn n_cols(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.headers.len()))
            .max()
            .unwrap_or(0)
    }

    /// The effective alignment of every column.
    pub fn column_alignments(&self) -> Vec<Align> {
        (0..self.n_cols())
            .map(|c| {
                if let Some(Some(a)) = self.align.get(c) {
                    return *a;
                }
                let mut numeric = 0usize;
                for row in &self.rows {
                    let cell = row.get(c).map_or("", |s| s.trim());
                    if is_blank(cell) {
                        continue;
                    }
                    if is_number(cell) {
                        numeric += 1;
                    } else {
                        return Align::Left;
                    }
                }
                if numeric > 0 {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect()
    }

    /// Renders the table as text, each line ending in `\n`. A table without
    /// rows prints its headers and `(no rows)`.
    pub fn render(&self) -> String {
        let n = self.n_cols();
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&clean(t));
            out.push('\n');
        }
        if n == 0 {
            out.push_str("(no rows)\n");
            return out;
        }
        let aligns = self.column_alignments();
        let header: Vec<String> = (0..n)
            .map(|c| clean(self.headers.get(c).map_or("", String::as_str)))
            .collect();
        let body: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..n)
                    .map(|c| clean(r.get(c).map_or("", String::as_str)))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..n)
            .map(|c| {
                body.iter()
                    .map(|r| display_width(&r[c]))
                    .chain(std::iter::once(display_width(&header[c])))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let mut l = String::new();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    l.push_str("  ");
                }
                let pad = widths[c].saturating_sub(display_width(cell));
                match aligns[c] {
                    Align::Left => {
                        l.push_str(cell);
                        l.extend(std::iter::repeat_n(' ', pad));
                    }
                    Align::Right => {
                        l.extend(std::iter::repeat_n(' ', pad));
                        l.push_str(cell);
                    }
                }
            }
            let trimmed = l.trim_end().len();
            l.truncate(trimmed);
            l.push('\n');
            l
        };
        out.push_str(&line(&header));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
        out.push_str(&line(&rule));
        for r in &body {
            out.push_str(&line(r));
        }
        if body.is_empty() {
            out.push_str("(no rows)\n");
        }
        out
    }

    /// The table as CSV (headers then rows, `\n` line ends, no title).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        if !self.headers.is_empty() {
            write_csv_row(&mut out, &self.headers);
        }
        for r in &self.rows {
            write_csv_row(&mut out, r);
        }
        out
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Cells that carry no value and do not decide a column's alignment.
fn is_blank(s: &str) -> bool {
    matches!(s, "" | "-" | "—" | "–" | "NA" | "N/A" | "n/a" | "na")
}

/// `0.31`, `-2`, `+1e3`, `1,234.5`, `45%`, `−0.2` (Unicode minus).
fn is_number(s: &str) -> bool {
    let t = s.strip_suffix('%').unwrap_or(s).trim();
    let t = t.replace(',', "").replace('−', "-");
    t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.parse::<f64>().is_ok()
}

/// Replaces line breaks, tabs and other control characters with spaces so a
/// cell stays on one line.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Terminal columns taken by `s`: 0 for combining marks, 2 for East Asian
/// wide characters, 1 otherwise.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x0300..=0x036F).contains(&u) || (0x200B..=0x200F).contains(&u) {
                0
            } else if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x1F300..=0x1F64F).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Quotes a CSV field when it contains a comma, a double quote, a line feed
/// or a carriage return (doubling inner quotes, RFC 4180); otherwise returns
/// it unchanged.
///
/// ```
/// use bamboo_report::csv_escape;
/// assert_eq!(csv_escape("Viet Nam"), "Viet Nam");
/// assert_eq!(csv_escape("Korea, Republic of"), "\"Korea, Republic of\"");
/// assert_eq!(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
/// ```
pub fn csv_escape(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// One CSV record: fields escaped with [`csv_escape`], joined by commas and
/// terminated by `\n`.
///
/// ```
/// use bamboo_report::csv_row;
/// assert_eq!(csv_row(["VNM", "Viet Nam", "0.31"]), "VNM,Viet Nam,0.31\n");
/// ```
pub fn csv_row<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    write_csv_row(&mut out, fields);
    out
}

/// Appends one CSV record (with its `\n`) to `out`.
pub fn write_csv_row<I, S>(out: &mut String, fields: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_escape(f.as_ref()));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_numbers_right_and_text_left() {
        let t = Table::new(["Country", "Agreement", "Votes", "Note"])
            .row(["Viet Nam", "0.31", "1,204", "ok"])
            .row(["Côte d'Ivoire", "-", "87", "joined late"])
            .row(["Chad", "0.9", "12%", "—"]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "Country        Agreement  Votes  Note");
        assert_eq!(lines[1], "-------------  ---------  -----  -----------");
        assert_eq!(lines[2], "Viet Nam            0.31  1,204  ok");
        assert_eq!(lines[3], "Côte d'Ivoire          -     87  joined late");
        assert_eq!(lines[4], "Chad                 0.9    12%  —");
        assert_eq!(
            t.column_alignments(),
            vec![Align::Left, Align::Right, Align::Right, Align::Left]
        );
        assert!(out.lines().all(|l| !l.ends_with(' ')));
    }

    #[test]
    fn overrides_ragged_rows_and_control_chars() {
        let t = Table::new(["Code", "Name"])
            .align(0, Align::Right)
            .row(["1"])
            .row(["22", "two\nlines", "extra"]);
        let out = t.render();
        assert_eq!(
            out,
            "Code  Name\n----  ---------  -----\n   1\n  22  two lines  extra\n"
        );
    }

    #[test]
    fn wide_characters_count_double() {
        let t = Table::new(["Name", "N"])
            .row(["中国", "1"])
            .row(["Chad", "22"]);
        let out = t.render();
        assert!(out.contains("中国   1\n"), "{out}");
        assert!(out.contains("Chad  22\n"), "{out}");
    }

    #[test]
    fn empty_tables() {
        assert_eq!(Table::default().render(), "(no rows)\n");
        assert_eq!(
            Table::new(["A", "B"]).title("T").render(),
            "T\nA  B\n-  -\n(no rows)\n"
        );
        assert_eq!(format!("{}", Table::new(["A"])), "A\n-\n(no rows)\n");
    }

    #[test]
    fn csv_quotes_when_needed() {
        assert_eq!(csv_escape("plain"), "plain");
        assert_eq!(csv_escape("a,b"), "\"a,b\"");
        assert_eq!(csv_escape("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_escape("a\nb"), "\"a\nb\"");
        assert_eq!(csv_escape("a\rb"), "\"a\rb\"");
        assert_eq!(csv_escape(""), "");
        assert_eq!(csv_row(Vec::<String>::new()), "\n");
        let t = Table::new(["name", "v"]).row(["Korea, Republic of", "0.5"]);
        assert_eq!(t.to_csv(), "name,v\n\"Korea, Republic of\",0.5\n");
    }

    #[test]
    fn number_detection() {
        for s in ["0.31", "-2", "+1e3", "1,234.5", "45%", "−0.2", "2021"] {
            assert!(is_number(s), "{s}");
        }
        for s in ["inf", "NaN", "abc", "1.2.3", "e", "USA-2"] {
            assert!(!is_number(s), "{s}");
        }
    }
}
