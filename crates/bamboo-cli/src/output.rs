//! Output formats and destinations: tables for people, CSV and JSON for machines, written to
//! stdout or to a file, and the one path for messages on stderr.
//!
//! Everything the CLI prints goes through here: [`write_to`] (stdout or `-o FILE`), [`note`]
//! (a line on stderr) and [`error_line`] (the final error). No other code prints (the
//! workspace denies `clippy::print_stdout` and `clippy::print_stderr`), so a closed pipe
//! (`bamboo | head -c 10`) is always an error value that `main` treats as success, never a
//! panic.
//!
//! `-o FILE` follows these rules:
//! - a regular file (new or existing) is written whole or not at all: a temporary file in
//!   the same folder is written, synced, synced into its folder, renamed over the target, and
//!   the folder is synced again. A new file gets the usual mode (0666 less the umask, so
//!   0644 under umask 022); an existing one keeps its mode (and, where allowed, its owner).
//! - a symbolic link is written through: the file it points to is replaced (or created, for
//!   a dangling link) and the link stays a link.
//! - a device, FIFO or other special file (`/dev/null`, `/dev/stdout`, a named pipe) is
//!   never replaced: it is opened and written directly. A directory or a socket is refused.
//! - an error names the file given, never the temporary file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

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

/// Writes one line to stderr (a note for the person at the terminal). A stderr that cannot
/// be written to is ignored: a note is never worth failing, or panicking, for.
pub fn note_line(line: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(line.as_bytes());
    let _ = e.write_all(b"\n");
    let _ = e.flush();
}

/// `note!("...", args)`: [`note_line`] with `format!` arguments, the CLI's only `eprintln!`.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::output::note_line(&format!($($arg)*))
    };
}
pub(crate) use note;

/// `n` and a noun, singular for one: `plural(1, "event")` is "1 event".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An error as the one line `bamboo: error: …` prints: the causes joined with `: `, each
/// cause left out when the message before already says it (an OS error wrapped by a message
/// that quotes it is printed once), on one line, with long quoted values shortened.
pub fn error_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for c in e.chain() {
        let m = c.to_string();
        let m = m.trim();
        if m.is_empty() || out.contains(m) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(m);
    }
    if out.is_empty() {
        out.push_str("failed, with no message (this is a bug in bamboo; please report it)");
    }
    bamboo_data::text::one_line(&out)
}

/// Runs `f` with a buffered writer to stdout, or to `path` (see the module's rules).
pub fn write_to(path: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            f(&mut w)?;
            w.flush()?;
            Ok(())
        }
        Some(p) => write_file(p, f),
    }
}

/// An OS error without the path the library put in it (the temporary file's name).
fn plain(e: &io::Error) -> io::Error {
    if let Some(code) = e.raw_os_error() {
        return io::Error::from_raw_os_error(code);
    }
    // `tempfile` wraps the OS error in one that names the temporary path ("… at path …").
    if let Some(inner) = e.get_ref() {
        let text = inner.to_string();
        if let Some(i) = text.rfind(" at path ") {
            return io::Error::new(e.kind(), text[..i].to_string());
        }
    }
    io::Error::new(e.kind(), e.kind().to_string())
}

/// The file a path names after following symbolic links, for a link whose target does not
/// exist yet (up to 40 links, like the kernel).
fn dangling_target(p: &Path) -> Result<Option<PathBuf>> {
    let mut cur = p.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&cur)
                    .with_context(|| format!("{}: cannot read the symbolic link", p.display()))?;
                cur = match cur.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Ok(_) => return Ok(Some(cur)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok((cur != p).then_some(cur));
            }
            Err(e) => bail!("{}: cannot look at the file: {}", p.display(), plain(&e)),
        }
    }
    bail!(
        "{}: too many levels of symbolic links; give the file itself",
        p.display()
    )
}

fn write_file(p: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let shown = p.display();
    match fs::metadata(p) {
        Ok(m) if m.file_type().is_file() => {
            // Through any links to the real file, so the link stays a link.
            let target = fs::canonicalize(p)
                .map_err(|e| anyhow::anyhow!("{shown}: cannot resolve the path: {}", plain(&e)))?;
            replace(p, &target, Some(&m), f)
        }
        Ok(m) if m.is_dir() => bail!("{shown}: is a directory; give a file name for the output"),
        Ok(m) if m.file_type().is_socket() => {
            bail!("{shown}: is a socket; give a regular file, a device or a FIFO")
        }
        Ok(_) => {
            // A device or a FIFO: written in place, never replaced.
            let file = OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(|e| anyhow::anyhow!("{shown}: cannot open for writing: {}", plain(&e)))?;
            let mut w = io::BufWriter::with_capacity(1 << 16, file);
            f(&mut w).map_err(|e| located(p, e))?;
            w.flush()
                .map_err(|e| anyhow::anyhow!("{shown}: write failed: {}", plain(&e)))?;
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let target = dangling_target(p)?.unwrap_or_else(|| p.to_path_buf());
            replace(p, &target, None, f)
        }
        Err(e) => bail!("{shown}: cannot look at the file: {}", plain(&e)),
    }
}

/// Names the output file in an error from the writing closure (a full disk, say), with the
/// OS error shown once and without any temporary name.
fn located(p: &Path, e: anyhow::Error) -> anyhow::Error {
    if is_broken_pipe(&e) {
        return e;
    }
    match e.downcast_ref::<io::Error>() {
        Some(io) => anyhow::anyhow!("{}: write failed: {}", p.display(), plain(io)),
        None => e.context(format!("{}: write failed", p.display())),
    }
}

/// Writes `target` (the regular file `shown` resolves to) atomically: a temporary file in
/// its folder, synced, renamed over it, the folder synced.
fn replace(
    shown: &Path,
    target: &Path,
    existing: Option<&fs::Metadata>,
    f: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let name = shown.display();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // 0666 less the umask for a new file, as the shell would create it; an existing file's
    // exact mode is restored below (the umask may have narrowed it).
    let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
    if let Err(e) = fs::metadata(dir) {
        bail!(
            "{name}: cannot create a file in {}: {}",
            dir.display(),
            plain(&e)
        );
    }
    let tmp = tempfile::Builder::new()
        .prefix(".bamboo-")
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(|e| {
            anyhow::anyhow!(
                "{name}: cannot create a file in {}: {}",
                dir.display(),
                plain(&e)
            )
        })?;
    if let Some(m) = existing {
        let file = tmp.as_file();
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| anyhow::anyhow!("{name}: cannot set the file's mode: {}", plain(&e)))?;
        if let Ok(now) = file.metadata() {
            if now.uid() != m.uid() || now.gid() != m.gid() {
                // Only root may give a file away; anyone else keeps a copy they own.
                let _ = std::os::unix::fs::fchown(file, Some(m.uid()), Some(m.gid()));
            }
        }
    }
    {
        let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file());
        f(&mut w).map_err(|e| located(shown, e))?;
        w.flush()
            .map_err(|e| anyhow::anyhow!("{name}: write failed: {}", plain(&e)))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| anyhow::anyhow!("{name}: cannot sync the file to disk: {}", plain(&e)))?;
    sync_dir(dir).map_err(|e| {
        anyhow::anyhow!(
            "{name}: cannot sync the folder {}: {}",
            dir.display(),
            plain(&e)
        )
    })?;
    tmp.persist(target).map_err(|e| {
        anyhow::anyhow!(
            "{name}: cannot move the finished file into place: {}",
            plain(&e.error)
        )
    })?;
    sync_dir(dir).map_err(|e| {
        anyhow::anyhow!(
            "{name}: written, but the folder {} cannot be synced: {}",
            dir.display(),
            plain(&e)
        )
    })?;
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
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

#[cfg(test)]
mod tests {

    #[test]
    fn one_is_singular() {
        assert_eq!(plural(1, "event"), "1 event");
        assert_eq!(plural(0, "event"), "0 events");
        assert_eq!(plural(3, "file"), "3 files");
    }
    use super::*;

    fn hello(w: &mut dyn Write) -> Result<()> {
        w.write_all(b"hello\n")?;
        Ok(())
    }

    #[test]
    fn a_new_file_follows_the_umask_and_an_old_one_keeps_its_mode() {
        let t = tempfile::tempdir().unwrap();
        let new = t.path().join("new.txt");
        write_to(Some(&new), hello).unwrap();
        let mode = fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        // The test process's umask is unknown; the mode is 0666 less some umask, never the
        // 0600 of a temporary file unless the umask says so.
        assert_eq!(mode & 0o600, 0o600);
        assert_eq!(mode & !0o666, 0);
        let old = t.path().join("old.txt");
        fs::write(&old, "x").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
        write_to(Some(&old), hello).unwrap();
        assert_eq!(
            fs::metadata(&old).unwrap().permissions().mode() & 0o7777,
            0o640
        );
        assert_eq!(fs::read_to_string(&old).unwrap(), "hello\n");
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().join("real.txt");
        fs::write(&real, "old").unwrap();
        let link = t.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_to(Some(&link), hello).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "hello\n");
        // A dangling link creates its target.
        let dangling = t.path().join("dangling.txt");
        std::os::unix::fs::symlink("sub/../made.txt", &dangling).unwrap();
        fs::create_dir(t.path().join("sub")).unwrap();
        write_to(Some(&dangling), hello).unwrap();
        assert!(fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(t.path().join("made.txt")).unwrap(),
            "hello\n"
        );
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            note_line("skipped: mkfifo is not available");
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        write_to(Some(&fifo), hello).unwrap();
        assert_eq!(reader.join().unwrap(), "hello\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn errors_never_name_the_temporary_file() {
        let t = tempfile::Builder::new()
            .prefix("out-test")
            .tempdir()
            .unwrap();
        let p = t.path().join("out.txt");
        let e = write_to(Some(&p), |w| {
            w.write_all(b"part")?;
            Err(io::Error::from_raw_os_error(28).into())
        })
        .unwrap_err();
        let line = error_line(&e);
        assert!(line.contains("out.txt: write failed"), "{line}");
        assert!(
            !line.contains(".bamboo-") && !line.contains(".tmp"),
            "{line}"
        );
        assert_eq!(line.matches("No space left").count(), 1, "{line}");
        assert!(!p.exists(), "nothing half-written");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 0, "no leftovers");
        let e = write_to(Some(&t.path().join("no/such/dir/out.txt")), hello).unwrap_err();
        let line = error_line(&e);
        assert!(
            !line.contains(".bamboo-") && !line.contains(".tmp"),
            "{line}"
        );
        assert!(line.contains("out.txt: cannot create a file in"), "{line}");
        let e = write_to(Some(t.path()), hello).unwrap_err();
        assert!(error_line(&e).contains("is a directory"));
    }

    #[test]
    fn error_lines_say_an_os_error_once_on_one_line() {
        let io = io::Error::from_raw_os_error(2);
        let e = anyhow::Error::new(io)
            .context("x.toml: cannot read: No such file or directory (os error 2)");
        assert_eq!(
            error_line(&e),
            "x.toml: cannot read: No such file or directory (os error 2)"
        );
        let e = anyhow::anyhow!("first line\nsecond line");
        assert_eq!(error_line(&e), "first line second line");
    }
}
