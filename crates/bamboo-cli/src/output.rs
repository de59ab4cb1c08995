//! Output formats and destinations: tables for people, CSV and JSON for machines, written to
//! stdout or atomically to a file (a temporary file renamed into place, so a failure never
//! leaves half a file).

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// `--format`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

/// Whether an error is a closed pipe (`bamboo dyads | head`), which is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Runs `f` with a buffered writer to stdout, or to `path` written atomically.
pub fn write_to(path: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            f(&mut w)?;
            w.flush()?;
            Ok(())
        }
        Some(p) => {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
                format!("{}: cannot create a file in {}", p.display(), dir.display())
            })?;
            {
                let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file());
                f(&mut w)?;
                w.flush()
                    .with_context(|| format!("{}: write failed", p.display()))?;
            }
            tmp.persist(p).with_context(|| {
                format!("{}: cannot move the finished file into place", p.display())
            })?;
            Ok(())
        }
    }
}

/// Formats an optional number for a table (fixed decimals, `–` when undefined).
pub fn fixed(x: Option<f64>, dp: usize) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.dp$}"))
}

/// Appends an optional number in shortest round-trip form, empty when undefined (CSV).
pub fn push_num(buf: &mut String, x: Option<f64>) {
    if let Some(v) = x {
        let mut b = ryu::Buffer::new();
        buf.push_str(b.format(v));
    }
}

/// A plain text table (rendered by `bamboo-report`). Columns whose cells all start with a
/// number, such as `0.412 (71)`, are right-aligned.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut t = bamboo_report::Table::new(headers.iter().cloned());
    for r in rows {
        t.push_row(r.iter().cloned());
    }
    for i in 0..headers.len() {
        let numeric = rows.iter().all(|r| {
            r.get(i).is_none_or(|c| {
                c == "–"
                    || c.chars()
                        .next()
                        .is_some_and(|ch| ch.is_ascii_digit() || ch == '-')
            })
        });
        if numeric {
            t = t.align(i, bamboo_report::Align::Right);
        }
    }
    t.render()
}
