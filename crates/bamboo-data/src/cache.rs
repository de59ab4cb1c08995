//! The loader's cache: the vote store of a data folder (plus `--votes` files) kept as one
//! binary file under `$XDG_CACHE_HOME/bamboo` (or `~/.cache/bamboo`), so that a command
//! reads its votes in milliseconds instead of parsing every table again.
//!
//! It is never stale. A cache file records, for the program that wrote it and for every
//! input (the country table and each vote file, in order), the path, size, modification
//! and change times, inode and SHA-256 of the contents. It is used only when the program
//! and the list of inputs are the same and every input's metadata is unchanged; when an
//! input's metadata changed but its contents hash the same (a copy, a `touch`), the entry
//! is still good and is rewritten with the new metadata. Anything else, or a file that is
//! damaged (a checksum over the whole file, and the store's own checked decoding), is a
//! miss: the tables are read as without a cache and the entry is replaced. Writing goes
//! through a temporary file renamed into place; a cache that cannot be written is skipped
//! with a debug log, never an error.
//!
//! `BAMBOO_NO_CACHE=1` (or the CLI's `--no-cache`) turns it off.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bamboo_core::store::codec::{Reader, Writer};
use bamboo_core::store::VoteStore;
use sha2::{Digest, Sha256};

use crate::countries::Countries;
use crate::error::DataError;
use crate::locate::DataDir;
use crate::votes::{self, FileReport, Format, LoadReport};

/// The environment variable that turns the cache off (`1`, `true` or `yes`).
pub const ENV_NO_CACHE: &str = "BAMBOO_NO_CACHE";

const MAGIC: &[u8; 8] = b"BAMBOOC1";

/// Where cache files go, or `None` for no cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheDir(pub Option<PathBuf>);

impl CacheDir {
    /// The default: off if `BAMBOO_NO_CACHE` says so, else `$XDG_CACHE_HOME/bamboo`, else
    /// `$HOME/.cache/bamboo`, else off.
    pub fn from_env() -> CacheDir {
        let off =
            std::env::var(ENV_NO_CACHE).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
        if off {
            return CacheDir(None);
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            });
        CacheDir(base.map(|b| b.join("bamboo")))
    }

    /// No cache.
    pub fn off() -> CacheDir {
        CacheDir(None)
    }
}

/// What happened to the cache on a load, for `--verbose`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheUse {
    Off,
    /// Read from this file.
    Hit(PathBuf),
    /// Read from the tables; the entry was (re)written to this file.
    Written(PathBuf),
    /// Read from the tables; the entry could not be written (the reason).
    Unwritten(String),
}

/// One input's identity.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Input {
    path: String,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    inode: u64,
    sha256: [u8; 32],
}

fn stat(path: &Path) -> Option<(u64, i128, i128, u64)> {
    let m = fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((
            m.len(),
            i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            m.ino(),
        ))
    }
    #[cfg(not(unix))]
    {
        let t = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some((m.len(), t.as_nanos() as i128, 0, 0))
    }
}

fn sha256_file(path: &Path) -> Option<[u8; 32]> {
    let bytes = fs::read(path).ok()?;
    Some(Sha256::digest(&bytes).into())
}

/// The identity of the program: its path, size and modification time, so that a rebuilt
/// binary (whose readers may differ) never reads an entry an older one wrote.
fn program() -> String {
    let exe = std::env::current_exe().ok();
    let meta = exe.as_deref().and_then(stat);
    format!(
        "{} {} {:?} {:?}",
        env!("CARGO_PKG_VERSION"),
        bamboo_core::store::codec::VERSION,
        exe,
        meta.map(|m| (m.0, m.1))
    )
}

/// A cheap checksum over the whole file (a 64-bit multiply-rotate hash of 8-byte words),
/// against damage; the inputs' identities are what guard against staleness.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h ^ w).wrapping_mul(0xFF51_AFD7_ED55_8CCD).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    }
    h ^ (h >> 31)
}

const FORMATS: [Format; 7] = [
    Format::UnvotesRollCalls,
    Format::UnvotesIssues,
    Format::UnvotesVotes,
    Format::VoetenRollCalls,
    Format::VoetenVotes,
    Format::Undl,
    Format::Resolution,
];

/// Where the program lives, which names its cache files: a rebuilt binary at the same path
/// (a new size and time, a new [`program`]) then replaces its predecessor's entry instead
/// of adding one beside it, so the cache holds one entry per binary and list of inputs, not
/// one per build. The entry itself still records the whole [`program`] identity, so the
/// rebuilt binary never reads what the old one wrote.
fn program_path() -> String {
    format!("{:?}", std::env::current_exe().ok())
}

/// The cache file of one program (by its path) and list of inputs.
fn entry_path(dir: &Path, program_path: &str, paths: &[PathBuf]) -> PathBuf {
    let mut h = Sha256::new();
    h.update(program_path.as_bytes());
    for p in paths {
        h.update(p.display().to_string().as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let name: String = d[..12].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("votes-{name}.bin"))
}

struct Entry {
    program: String,
    inputs: Vec<Input>,
    report: LoadReport,
    store: VoteStore,
}

fn encode(e: &Entry) -> Vec<u8> {
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.u64(0); // the checksum, filled in below
    w.str(&e.program);
    w.u32(e.inputs.len() as u32);
    for i in &e.inputs {
        w.str(&i.path);
        w.u64(i.size);
        w.u64(i.mtime_ns as u64);
        w.u64((i.mtime_ns >> 64) as u64);
        w.u64(i.ctime_ns as u64);
        w.u64((i.ctime_ns >> 64) as u64);
        w.u64(i.inode);
        w.buf.extend_from_slice(&i.sha256);
    }
    w.u32(e.report.files.len() as u32);
    for f in &e.report.files {
        w.str(&f.path.display().to_string());
        w.u8(FORMATS.iter().position(|x| *x == f.format).unwrap_or(0) as u8);
        w.u64(f.records as u64);
        w.u64(f.non_votes as u64);
    }
    w.u64(e.report.duplicate_roll_calls as u64);
    w.buf.extend_from_slice(&e.store.encode());
    let sum = checksum(&w.buf[16..]);
    w.buf[8..16].copy_from_slice(&sum.to_le_bytes());
    w.buf
}

/// The entry's header (program and inputs) and the offset where the rest begins.
fn decode_head(bytes: &[u8]) -> Option<(String, Vec<Input>, Reader<'_>)> {
    if bytes.len() < 16 || &bytes[..8] != MAGIC {
        return None;
    }
    let sum = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
    if checksum(&bytes[16..]) != sum {
        return None;
    }
    let mut r = Reader::new(&bytes[16..]);
    let program = r.str().ok()?;
    let n = r.u32().ok()? as usize;
    let mut inputs = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let path = r.str().ok()?;
        let size = r.u64().ok()?;
        let mtime_ns = i128::from(r.u64().ok()?) | i128::from(r.u64().ok()? as i64) << 64;
        let ctime_ns = i128::from(r.u64().ok()?) | i128::from(r.u64().ok()? as i64) << 64;
        let inode = r.u64().ok()?;
        let mut sha256 = [0u8; 32];
        for b in &mut sha256 {
            *b = r.u8().ok()?;
        }
        inputs.push(Input {
            path,
            size,
            mtime_ns,
            ctime_ns,
            inode,
            sha256,
        });
    }
    Some((program, inputs, r))
}

fn decode_rest(mut r: Reader<'_>, rest: &[u8]) -> Option<(LoadReport, VoteStore)> {
    let n = r.u32().ok()? as usize;
    let mut files = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let path = PathBuf::from(r.str().ok()?);
        let format = *FORMATS.get(r.u8().ok()? as usize)?;
        let records = r.u64().ok()? as usize;
        let non_votes = r.u64().ok()? as usize;
        files.push(FileReport {
            path,
            format,
            records,
            non_votes,
        });
    }
    let duplicate_roll_calls = r.u64().ok()? as usize;
    let used = rest.len() - r.remaining();
    let store = VoteStore::decode(&rest[used..]).ok()?;
    Some((
        LoadReport {
            files,
            duplicate_roll_calls,
        },
        store,
    ))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    drop(tmp.1);
    fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp.0);
    })
}

/// A new file beside `dir`'s entries, named for this process so that concurrent writers
/// never share one.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    for k in 0..100u32 {
        let p = dir.join(format!(".votes-{}-{k}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary name"))
}

/// [`votes::load_store`] through the cache: the same store, country table and report.
pub fn load_store(
    dir: &DataDir,
    extra: &[PathBuf],
    cache: &CacheDir,
) -> Result<(VoteStore, Countries, LoadReport, CacheUse), DataError> {
    let Some(cache_dir) = &cache.0 else {
        let (s, c, r) = votes::load_store(dir, extra)?;
        return Ok((s, c, r, CacheUse::Off));
    };
    let mut paths = vec![dir.countries_csv()];
    paths.extend(votes::unga_files(dir)?);
    paths.extend(extra.iter().cloned());
    let program = program();
    let entry = entry_path(cache_dir, &program_path(), &paths);
    // The country table is small: always read it (its errors are the loader's).
    let countries = Countries::load(&dir.countries_csv())?;
    if let Some((store, report, refresh)) = try_read(&entry, &program, &paths) {
        if let Some(inputs) = refresh {
            // The contents matched under new metadata: record it, so the next load is quick.
            let e = Entry {
                program,
                inputs,
                report,
                store,
            };
            let _ = write_atomic(&entry, &encode(&e));
            return Ok((e.store, countries, e.report, CacheUse::Hit(entry)));
        }
        return Ok((store, countries, report, CacheUse::Hit(entry)));
    }
    let (store, countries, report) = votes::load_store(dir, extra)?;
    let inputs: Option<Vec<Input>> = paths.iter().map(|p| identify(p)).collect();
    let Some(inputs) = inputs else {
        return Ok((
            store,
            countries,
            report,
            CacheUse::Unwritten("an input could not be read a second time".into()),
        ));
    };
    let e = Entry {
        program,
        inputs,
        report,
        store,
    };
    let how = match write_atomic(&entry, &encode(&e)) {
        Ok(()) => CacheUse::Written(entry),
        Err(err) => {
            tracing::debug!("vote cache not written to {}: {err}", entry.display());
            CacheUse::Unwritten(format!("{}: {err}", entry.display()))
        }
    };
    Ok((e.store, countries, e.report, how))
}

fn identify(p: &Path) -> Option<Input> {
    let (size, mtime_ns, ctime_ns, inode) = stat(p)?;
    Some(Input {
        path: p.display().to_string(),
        size,
        mtime_ns,
        ctime_ns,
        inode,
        sha256: sha256_file(p)?,
    })
}

/// The entry's store and report if it is good for these inputs, with the inputs' new
/// identities when their metadata changed but not their contents.
#[allow(clippy::type_complexity)]
fn try_read(
    entry: &Path,
    program: &str,
    paths: &[PathBuf],
) -> Option<(VoteStore, LoadReport, Option<Vec<Input>>)> {
    let bytes = fs::read(entry).ok()?;
    let (prog, inputs, r) = decode_head(&bytes)?;
    if prog != program || inputs.len() != paths.len() {
        return None;
    }
    let mut refreshed: Option<Vec<Input>> = None;
    for (k, (i, p)) in inputs.iter().zip(paths).enumerate() {
        if i.path != p.display().to_string() {
            return None;
        }
        let (size, mtime_ns, ctime_ns, inode) = stat(p)?;
        if (size, mtime_ns, ctime_ns, inode) == (i.size, i.mtime_ns, i.ctime_ns, i.inode) {
            continue;
        }
        // Changed metadata: good only if the contents are the same.
        let now = identify(p)?;
        if now.sha256 != i.sha256 {
            return None;
        }
        refreshed.get_or_insert_with(|| inputs.clone())[k] = now;
    }
    let rest = &bytes[16..];
    let (report, store) = decode_rest(r, rest)?;
    Some((store, report, refreshed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_sees_every_byte() {
        let a: Vec<u8> = (0..1001u32).map(|i| (i * 7) as u8).collect();
        let h = checksum(&a);
        for k in [0, 7, 8, 500, 1000] {
            let mut b = a.clone();
            b[k] ^= 1;
            assert_ne!(checksum(&b), h, "byte {k}");
        }
        assert_ne!(checksum(&a[..1000]), h);
    }
}
