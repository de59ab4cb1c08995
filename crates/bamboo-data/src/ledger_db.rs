//! The ledger database: dated, sourced events kept in SQLite, with versioned migrations.
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, so every commit
//! fsyncs the write-ahead log before `insert` returns. A caller that acknowledges a write
//! only after `insert` returned (as the server does with its 201) never loses it, not to a
//! `kill -9` (the WAL is already in the file) and not to a power cut (it is on the disk).
//! `NORMAL` would survive `kill -9` but may lose the last commits on power loss; the
//! ledger is written rarely, so the fsync per write costs nothing that matters.
//!
//! Migrations: `PRAGMA user_version` holds the schema version. Each migration runs in one
//! transaction with the bump of `user_version`, and is logged in the `migration` table, so
//! a database is always at exactly one known version. A database written by a newer
//! bamboo (a version this build does not know) is refused rather than guessed at.
//!
//! Events are unique by (date, kind, actors, title): writing the same event twice is a
//! [`LedgerDbError::Duplicate`], and imports skip events already present.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use bamboo_core::ledger::{validate_event, EventInput, EventKind, LedgerEvent};
use bamboo_core::{Date, Iso3};

/// One schema step: a version, what it does, and its SQL.
struct Migration {
    version: u32,
    description: &'static str,
    sql: &'static str,
}

/// Every schema version in order. Append, never edit: a shipped migration is history.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "events with actors, sources and votes",
        sql: "
            CREATE TABLE event (
                id          INTEGER PRIMARY KEY,
                date        TEXT NOT NULL CHECK (length(date) = 10),
                kind        TEXT NOT NULL,
                title       TEXT NOT NULL,
                tier        TEXT,
                actors_key  TEXT NOT NULL,
                origin      TEXT NOT NULL,
                recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                UNIQUE (date, kind, actors_key, title)
            );
            CREATE INDEX event_by_date ON event (date, id);
            CREATE TABLE event_actor (
                event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
                pos      INTEGER NOT NULL,
                iso3     TEXT NOT NULL CHECK (length(iso3) = 3),
                PRIMARY KEY (event_id, pos)
            );
            CREATE INDEX event_actor_by_iso3 ON event_actor (iso3, event_id);
            CREATE TABLE event_source (
                event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
                pos      INTEGER NOT NULL,
                source   TEXT NOT NULL CHECK (source <> ''),
                PRIMARY KEY (event_id, pos)
            );
            CREATE TABLE event_vote (
                event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
                iso3     TEXT NOT NULL CHECK (length(iso3) = 3),
                vote     TEXT NOT NULL CHECK (vote IN ('yes', 'no', 'abstain')),
                PRIMARY KEY (event_id, iso3)
            );
        ",
    },
    Migration {
        version: 2,
        description: "a key-value table for facts about the database itself (seeding)",
        sql: "
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        ",
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// How long a write waits for another process's write to finish before failing.
pub const BUSY_TIMEOUT_MS: u64 = 8000;

/// What can go wrong with the ledger database.
#[derive(Debug, thiserror::Error)]
pub enum LedgerDbError {
    #[error("{path}: cannot create the folder for the ledger database: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: ledger database error: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: the ledger database has schema version {found}, newer than this bamboo knows ({known}); use a newer bamboo or another --db file")]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("{path}: event {id} in the database is invalid ({problem}); the file was changed outside bamboo")]
    Corrupt {
        path: PathBuf,
        id: i64,
        problem: String,
    },
    /// The same event (date, kind, actors, title) is already recorded.
    #[error(
        "an event with the same date, kind, actors and title is already recorded (id {existing})"
    )]
    Duplicate { existing: i64 },
    /// The database file cannot be written (its permissions, or a read-only file system).
    #[error("{path}: the ledger database is read-only ({why}); bamboo needs to write it: fix its permissions (and its folder's, for the -wal and -shm files) or pass another --db")]
    ReadOnly { path: PathBuf, why: String },
    /// The file (or its folder) was deleted or replaced while it was open: writes would go to
    /// a file no one can open again, so they are refused.
    #[error("{path}: the ledger database file was deleted or replaced while in use; writes are refused so that none is lost (restart to open it again)")]
    Gone { path: PathBuf },
    /// An event beyond the size limits of a stored event.
    #[error("field `{field}`: {problem}")]
    TooLarge { field: String, problem: String },
}

/// The most bytes of one stored event (its title, actors, sources and votes together).
pub const MAX_EVENT_BYTES: usize = 16 * 1024;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// The most sources of one event, and the longest source, in characters.
pub const MAX_SOURCES: usize = 20;
pub const MAX_SOURCE_CHARS: usize = 2000;
/// The most actors of one event, and the most recorded votes.
pub const MAX_ACTORS: usize = 50;
pub const MAX_VOTES: usize = 250;

/// Checks an event against the size limits of a stored event (so that no write can make a
/// listing huge); the field at fault and why.
pub fn check_event_size(ev: &LedgerEvent) -> Result<(), LedgerDbError> {
    let too = |field: &str, problem: String| {
        Err(LedgerDbError::TooLarge {
            field: field.to_string(),
            problem,
        })
    };
    let title = ev.title.chars().count();
    if title > MAX_TITLE_CHARS {
        return too(
            "title",
            format!("is {title} characters long; at most {MAX_TITLE_CHARS}"),
        );
    }
    if ev.actors.len() > MAX_ACTORS {
        return too(
            "actors",
            format!("lists {} states; at most {MAX_ACTORS}", ev.actors.len()),
        );
    }
    if ev.sources.len() > MAX_SOURCES {
        return too(
            "sources",
            format!("lists {} sources; at most {MAX_SOURCES}", ev.sources.len()),
        );
    }
    if let Some(i) = ev
        .sources
        .iter()
        .position(|s| s.chars().count() > MAX_SOURCE_CHARS)
    {
        return too(
            &format!("sources[{i}]"),
            format!("is longer than {MAX_SOURCE_CHARS} characters"),
        );
    }
    if ev.votes.len() > MAX_VOTES {
        return too(
            "votes",
            format!("records {} votes; at most {MAX_VOTES}", ev.votes.len()),
        );
    }
    let bytes = ev.title.len()
        + ev.actors.len() * 6
        + ev.sources.iter().map(|s| s.len() + 3).sum::<usize>()
        + ev.votes.len() * 16;
    if bytes > MAX_EVENT_BYTES {
        return too(
            "sources",
            format!("the event is {bytes} bytes; at most {MAX_EVENT_BYTES} (title, actors, sources and votes together)"),
        );
    }
    Ok(())
}

/// An event as stored: its id, where it came from and when it was recorded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredEvent {
    pub id: i64,
    #[serde(flatten)]
    pub event: LedgerEvent,
    /// `seed:FILE`, `import:FILE` or `api`.
    pub origin: String,
    /// UTC time of the write, `YYYY-MM-DDTHH:MM:SSZ`.
    pub recorded_at: String,
}

/// Which events to list. Every filter is optional; events come sorted by date, then id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventQuery {
    /// Only events with this state among the actors.
    pub actor: Option<Iso3>,
    pub kind: Option<EventKind>,
    /// Inclusive bounds on the date.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// At most this many (`None`: all).
    pub limit: Option<usize>,
    /// Only events after this one in the listing order (date, then id): the cursor of the
    /// previous page's last event.
    pub after: Option<(Date, i64)>,
}

/// What opening the database did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReport {
    /// The schema version found (0 for a new file).
    pub from_version: u32,
    /// The version after migrations.
    pub to_version: u32,
}

impl OpenReport {
    /// The database was created by this open.
    pub fn created(&self) -> bool {
        self.from_version == 0
    }
}

/// How many events an import added and how many it found already recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub already_present: usize,
}

/// An open ledger database.
#[derive(Debug)]
pub struct LedgerDb {
    conn: Connection,
    path: PathBuf,
    /// The file's device and inode when it was opened (none in memory), to notice that it
    /// was deleted or replaced under us.
    file_id: Option<(u64, u64)>,
}

/// The device and inode of a file.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The key that makes an event unique alongside date, kind and title.
fn actors_key(actors: &[Iso3]) -> String {
    let mut a: Vec<&str> = actors.iter().map(Iso3::as_str).collect();
    a.sort_unstable();
    a.join(",")
}

impl LedgerDb {
    /// Opens (creating if needed, with its folder) the database at `path`, sets WAL and
    /// `synchronous = FULL`, and migrates it to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<(LedgerDb, OpenReport), LedgerDbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| LedgerDbError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| LedgerDbError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        let (mut db, report) = LedgerDb::setup(conn, path.to_path_buf()).map_err(|e| match e {
            LedgerDbError::Sqlite { path, source }
                if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                LedgerDbError::ReadOnly {
                    path,
                    why: source.to_string(),
                }
            }
            other => other,
        })?;
        db.file_id = file_id(path);
        db.check_writable()?;
        Ok((db, report))
    }

    /// Refuses a database that cannot be written now, rather than failing its first write
    /// (a server would answer 500 to every write).
    fn check_writable(&self) -> Result<(), LedgerDbError> {
        let ro = self
            .conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| self.err(e))?;
        if ro {
            return Err(LedgerDbError::ReadOnly {
                path: self.path.clone(),
                why: "it was opened read-only".into(),
            });
        }
        // An empty immediate transaction takes the write lock: it fails on a file system or
        // folder where nothing can be written.
        let probe = self
            .conn
            .execute_batch("BEGIN IMMEDIATE; COMMIT;")
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    self.err(e)
                }
                _ => LedgerDbError::ReadOnly {
                    path: self.path.clone(),
                    why: e.to_string(),
                },
            });
        if probe.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK;");
        }
        probe
    }

    /// Checks that the file is still the one opened (not deleted, not replaced).
    fn check_file(&self) -> Result<(), LedgerDbError> {
        match self.file_id {
            Some(id) if file_id(&self.path) != Some(id) => Err(LedgerDbError::Gone {
                path: self.path.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether the file is still the one opened (always true in memory).
    pub fn file_ok(&self) -> bool {
        self.check_file().is_ok()
    }

    /// A write transaction: takes the write lock at once (`BEGIN IMMEDIATE`), so that with
    /// another process writing the same file the busy timeout applies and the write waits
    /// its turn instead of failing with "database is locked".
    fn write_tx(&mut self) -> Result<Transaction<'_>, LedgerDbError> {
        self.check_file()?;
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| LedgerDbError::Sqlite { path, source })
    }

    /// A private database in memory (tests, and a server run without a file).
    pub fn open_in_memory() -> Result<(LedgerDb, OpenReport), LedgerDbError> {
        let conn = Connection::open_in_memory().map_err(|source| LedgerDbError::Sqlite {
            path: PathBuf::from(":memory:"),
            source,
        })?;
        LedgerDb::setup(conn, PathBuf::from(":memory:"))
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<(LedgerDb, OpenReport), LedgerDbError> {
        let mut db = LedgerDb {
            conn,
            path,
            file_id: None,
        };
        let conn = &db.conn;
        // journal_mode answers with a row; in memory it stays "memory", which is fine.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| db.err(e))?;
        // The busy timeout lets a write wait for another process's (another server, a
        // `ledger import`) instead of failing; every write takes the lock at its start.
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
            BUSY_TIMEOUT_MS
        ))
        .map_err(|e| db.err(e))?;
        let report = db.migrate(MIGRATIONS)?;
        Ok((db, report))
    }

    fn err(&self, source: rusqlite::Error) -> LedgerDbError {
        LedgerDbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The database file (`:memory:` for an in-memory one).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current schema version.
    pub fn schema_version(&self) -> Result<u32, LedgerDbError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self, migrations: &[Migration]) -> Result<OpenReport, LedgerDbError> {
        let from = self.schema_version()?;
        let known = migrations.last().map_or(0, |m| m.version);
        if from > known {
            return Err(LedgerDbError::TooNew {
                path: self.path.clone(),
                found: from,
                known,
            });
        }
        for m in migrations.iter().filter(|m| m.version > from) {
            let path = self.path.clone();
            let e = |source| LedgerDbError::Sqlite {
                path: path.clone(),
                source,
            };
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e)?;
            // Another process may have migrated it while this one waited for the lock.
            let now: u32 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(e)?;
            if now >= m.version {
                continue;
            }
            tx.execute_batch(m.sql).map_err(e)?;
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS migration (
                    version     INTEGER PRIMARY KEY,
                    description TEXT NOT NULL,
                    applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                )",
            )
            .map_err(e)?;
            tx.execute(
                "INSERT INTO migration (version, description) VALUES (?1, ?2)",
                params![m.version, m.description],
            )
            .map_err(e)?;
            // PRAGMA takes no parameters; the version is a number from this file.
            tx.execute_batch(&format!("PRAGMA user_version = {}", m.version))
                .map_err(e)?;
            tx.commit().map_err(e)?;
            tracing::info!(version = m.version, description = m.description, path = %self.path.display(), "ledger schema migrated");
        }
        Ok(OpenReport {
            from_version: from,
            to_version: self.schema_version()?,
        })
    }

    /// Records one event, committed (and fsynced) before it returns.
    pub fn insert(
        &mut self,
        event: &LedgerEvent,
        origin: &str,
    ) -> Result<StoredEvent, LedgerDbError> {
        check_event_size(event)?;
        let path = self.path.clone();
        let tx = self.write_tx()?;
        let id = insert_in(&tx, &path, event, origin)?;
        tx.commit()
            .map_err(|source| LedgerDbError::Sqlite { path, source })?;
        // Deleted between the check and the commit: the write went to a lost file.
        self.check_file()?;
        self.get(id)?.ok_or_else(|| LedgerDbError::Corrupt {
            path: self.path.clone(),
            id,
            problem: "vanished right after it was written".into(),
        })
    }

    /// Records many events in one transaction, skipping those already recorded.
    pub fn import(
        &mut self,
        events: &[LedgerEvent],
        origin: &str,
    ) -> Result<ImportReport, LedgerDbError> {
        for ev in events {
            check_event_size(ev)?;
        }
        let path = self.path.clone();
        let e = |source| LedgerDbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.write_tx()?;
        let mut report = ImportReport::default();
        for ev in events {
            match insert_in(&tx, &path, ev, origin) {
                Ok(_) => report.added += 1,
                Err(LedgerDbError::Duplicate { .. }) => report.already_present += 1,
                Err(other) => return Err(other),
            }
        }
        tx.commit().map_err(e)?;
        self.check_file()?;
        Ok(report)
    }

    /// Seeds the database from curated batches `(origin, events)` in one transaction, and
    /// records where the seed came from under the `seeded_from` meta key. A database that was
    /// seeded already is left alone (`None`); so is one offered nothing to seed from (it
    /// stays unseeded, to be seeded later, rather than marked seeded with nothing in it).
    pub fn seed(
        &mut self,
        batches: &[(String, Vec<LedgerEvent>)],
    ) -> Result<Option<ImportReport>, LedgerDbError> {
        if self.seeding()?.is_some() || batches.is_empty() {
            return Ok(None);
        }
        self.reseed(batches).map(Some)
    }

    /// Seeds whatever the database's state: adds the events of the batches that are not there
    /// yet and records the seed (`bamboo ledger seed`, which also repairs a database marked
    /// seeded with nothing in it).
    pub fn reseed(
        &mut self,
        batches: &[(String, Vec<LedgerEvent>)],
    ) -> Result<ImportReport, LedgerDbError> {
        for (_, events) in batches {
            for ev in events {
                check_event_size(ev)?;
            }
        }
        let path = self.path.clone();
        let e = |source| LedgerDbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.write_tx()?;
        let mut report = ImportReport::default();
        for (origin, events) in batches {
            for ev in events {
                match insert_in(&tx, &path, ev, origin) {
                    Ok(_) => report.added += 1,
                    Err(LedgerDbError::Duplicate { .. }) => report.already_present += 1,
                    Err(other) => return Err(other),
                }
            }
        }
        let from: Vec<&str> = batches.iter().map(|(o, _)| o.as_str()).collect();
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('seeded_from', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [from.join(", ")],
        )
        .map_err(e)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('seeded_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        self.check_file()?;
        Ok(report)
    }

    /// Where the database was seeded from, if it was: `None` for a database never seeded
    /// (or one an older bamboo marked seeded from nothing, which counts as never seeded).
    pub fn seeding(&self) -> Result<Option<String>, LedgerDbError> {
        Ok(self
            .meta("seeded_from")?
            .filter(|v| v != "(nothing)" && !v.is_empty()))
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, LedgerDbError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets a value in the `meta` table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerDbError> {
        self.check_file()?;
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The number of events recorded.
    pub fn count(&self) -> Result<usize, LedgerDbError> {
        self.conn
            .query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// One event by id.
    pub fn get(&self, id: i64) -> Result<Option<StoredEvent>, LedgerDbError> {
        let rows = self.select("WHERE e.id = ?1", &[&id], None)?;
        Ok(rows.into_iter().next())
    }

    /// The events a query selects, by date then id.
    pub fn list(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, LedgerDbError> {
        let mut clauses = Vec::new();
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(a) = q.actor {
            args.push(Box::new(a.as_str().to_string()));
            clauses.push(format!(
                "e.id IN (SELECT event_id FROM event_actor WHERE iso3 = ?{})",
                args.len()
            ));
        }
        if let Some(k) = q.kind {
            args.push(Box::new(k.as_str()));
            clauses.push(format!("e.kind = ?{}", args.len()));
        }
        if let Some(d) = q.from {
            args.push(Box::new(d.to_string()));
            clauses.push(format!("e.date >= ?{}", args.len()));
        }
        if let Some(d) = q.to {
            args.push(Box::new(d.to_string()));
            clauses.push(format!("e.date <= ?{}", args.len()));
        }
        if let Some((d, id)) = q.after {
            args.push(Box::new(d.to_string()));
            args.push(Box::new(id));
            clauses.push(format!(
                "(e.date > ?{a} OR (e.date = ?{a} AND e.id > ?{b}))",
                a = args.len() - 1,
                b = args.len()
            ));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        self.select(&filter, &refs, q.limit)
    }

    fn select(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, LedgerDbError> {
        let limit = limit.map_or(-1, |l| l.min(i64::MAX as usize) as i64);
        // One row per event, its lists packed as JSON arrays in list order (any text
        // survives JSON, unlike a separator character).
        let sql = format!(
            "SELECT e.id, e.date, e.kind, e.title, e.tier, e.origin, e.recorded_at,
                (SELECT json_group_array(iso3) FROM
                    (SELECT iso3 FROM event_actor WHERE event_id = e.id ORDER BY pos)),
                (SELECT json_group_array(source) FROM
                    (SELECT source FROM event_source WHERE event_id = e.id ORDER BY pos)),
                (SELECT json_group_array(json_array(iso3, vote)) FROM
                    (SELECT iso3, vote FROM event_vote WHERE event_id = e.id ORDER BY iso3))
             FROM event e {filter} ORDER BY e.date, e.id LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    EventInput {
                        date: r.get(1)?,
                        kind: r.get(2)?,
                        title: r.get(3)?,
                        tier: r.get(4)?,
                        actors: from_json(r.get_ref(7)?.as_str()?)?,
                        sources: from_json(r.get_ref(8)?.as_str()?)?,
                        votes: from_json(r.get_ref(9)?.as_str()?)?,
                    },
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, input, origin, recorded_at) = row.map_err(|e| self.err(e))?;
            let event = validate_event(&input).map_err(|f| LedgerDbError::Corrupt {
                path: self.path.clone(),
                id,
                problem: format!("field `{}`: {}", f.field, f.message),
            })?;
            out.push(StoredEvent {
                id,
                event,
                origin,
                recorded_at,
            });
        }
        Ok(out)
    }
}

/// Decodes a list packed by `json_group_array`.
fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn insert_in(
    tx: &Transaction<'_>,
    path: &Path,
    ev: &LedgerEvent,
    origin: &str,
) -> Result<i64, LedgerDbError> {
    let e = |source| LedgerDbError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let key = actors_key(&ev.actors);
    let date = ev.date.to_string();
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM event WHERE date = ?1 AND kind = ?2 AND actors_key = ?3 AND title = ?4",
            params![date, ev.kind.as_str(), key, ev.title],
            |r| r.get(0),
        )
        .optional()
        .map_err(e)?;
    if let Some(existing) = existing {
        return Err(LedgerDbError::Duplicate { existing });
    }
    tx.execute(
        "INSERT INTO event (date, kind, title, tier, actors_key, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![date, ev.kind.as_str(), ev.title, ev.tier.map(|t| t.as_str()), key, origin],
    )
    .map_err(e)?;
    let id = tx.last_insert_rowid();
    for (pos, a) in ev.actors.iter().enumerate() {
        tx.execute(
            "INSERT INTO event_actor (event_id, pos, iso3) VALUES (?1, ?2, ?3)",
            params![id, pos as i64, a.as_str()],
        )
        .map_err(e)?;
    }
    for (pos, s) in ev.sources.iter().enumerate() {
        tx.execute(
            "INSERT INTO event_source (event_id, pos, source) VALUES (?1, ?2, ?3)",
            params![id, pos as i64, s],
        )
        .map_err(e)?;
    }
    for (c, v) in &ev.votes {
        tx.execute(
            "INSERT INTO event_vote (event_id, iso3, vote) VALUES (?1, ?2, ?3)",
            params![id, c.as_str(), v.as_str()],
        )
        .map_err(e)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(date: &str, kind: &str, title: &str) -> LedgerEvent {
        validate_event(&EventInput {
            date: date.into(),
            kind: kind.into(),
            actors: vec!["VNM".into(), "USA".into()],
            title: title.into(),
            sources: vec!["https://example.org/a".into(), "seed:003".into()],
            tier: (kind == "partnership").then(|| "comprehensive_strategic".into()),
            votes: if kind == "vote" {
                vec![
                    ("VNM".into(), "abstain".into()),
                    ("USA".into(), "yes".into()),
                ]
            } else {
                vec![]
            },
        })
        .unwrap()
    }

    #[test]
    fn new_database_is_migrated_to_the_latest_version_in_wal_mode() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("deep/er/ledger.sqlite3");
        let (db, r) = LedgerDb::open(&p).unwrap();
        assert_eq!(
            r,
            OpenReport {
                from_version: 0,
                to_version: SCHEMA_VERSION
            }
        );
        assert!(r.created());
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = db
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous must be FULL");
        let logged: i64 = db
            .conn
            .query_row("SELECT count(*) FROM migration", [], |r| r.get(0))
            .unwrap();
        assert_eq!(logged as usize, MIGRATIONS.len());
        drop(db);
        let (_, r) = LedgerDb::open(&p).unwrap();
        assert_eq!(r.from_version, SCHEMA_VERSION);
        assert!(!r.created());
    }

    #[test]
    fn migrations_are_numbered_in_order_and_end_at_the_schema_version() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
        assert_eq!(MIGRATIONS.last().unwrap().version, SCHEMA_VERSION);
    }

    #[test]
    fn an_old_database_is_migrated_forward_keeping_its_events() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l.sqlite3");
        {
            let conn = Connection::open(&p).unwrap();
            let mut db = LedgerDb {
                conn,
                path: p.clone(),
                file_id: None,
            };
            db.migrate(&MIGRATIONS[..1]).unwrap();
            let path = p.clone();
            let tx = db.conn.transaction().unwrap();
            insert_in(
                &tx,
                &path,
                &ev("2016-05-23", "visit", "Obama in Hanoi"),
                "api",
            )
            .unwrap();
            tx.commit().unwrap();
            assert_eq!(db.schema_version().unwrap(), 1);
        }
        let (mut db, r) = LedgerDb::open(&p).unwrap();
        assert_eq!((r.from_version, r.to_version), (1, SCHEMA_VERSION));
        assert_eq!(db.count().unwrap(), 1);
        db.set_meta("seeded_from", "x").unwrap();
        assert_eq!(db.meta("seeded_from").unwrap().as_deref(), Some("x"));
    }

    #[test]
    fn a_database_from_a_newer_bamboo_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l.sqlite3");
        Connection::open(&p)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let e = LedgerDb::open(&p).unwrap_err().to_string();
        assert!(
            e.contains("schema version 99") && e.contains("newer"),
            "{e}"
        );
    }

    #[test]
    fn a_failed_migration_leaves_the_old_version() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let bad = [Migration {
            version: SCHEMA_VERSION + 1,
            description: "broken",
            sql: "CREATE TABLE extra (x); THIS IS NOT SQL;",
        }];
        assert!(db.migrate(&bad).is_err());
        assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
        let extra: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(extra, 0, "the half-applied migration was rolled back");
    }

    #[test]
    fn events_round_trip_with_lists_in_order() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let v = ev("2022-03-02", "vote", "ES-11/1");
        let p = ev("2023-09-10", "partnership", "US CSP");
        let s = db.insert(&p, "api").unwrap();
        assert_eq!(s.event, p);
        assert_eq!(s.origin, "api");
        assert_eq!(s.recorded_at.len(), 20);
        db.insert(&v, "api").unwrap();
        let all = db.list(&EventQuery::default()).unwrap();
        assert_eq!(
            all.iter().map(|s| &s.event).collect::<Vec<_>>(),
            vec![&v, &p]
        );
        assert_eq!(
            all[0].event.sources,
            vec!["https://example.org/a", "seed:003"]
        );
    }

    #[test]
    fn duplicates_are_refused_and_imports_skip_them() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let a = ev("2016-05-23", "visit", "Obama in Hanoi");
        let first = db.insert(&a, "api").unwrap();
        match db.insert(&a, "api") {
            Err(LedgerDbError::Duplicate { existing }) => assert_eq!(existing, first.id),
            other => panic!("{other:?}"),
        }
        // Actor order does not make a new event.
        let mut b = a.clone();
        b.actors.reverse();
        assert!(matches!(
            db.insert(&b, "api"),
            Err(LedgerDbError::Duplicate { .. })
        ));
        let r = db
            .import(
                &[a.clone(), ev("2017-11-11", "visit", "Trump in Hanoi")],
                "import:x",
            )
            .unwrap();
        assert_eq!(
            r,
            ImportReport {
                added: 1,
                already_present: 1
            }
        );
        assert_eq!(db.count().unwrap(), 2);
    }

    #[test]
    fn seeding_happens_once_and_all_at_once() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let batches = vec![
            (
                "seed:a.toml".to_string(),
                vec![ev("2016-05-23", "visit", "Obama in Hanoi")],
            ),
            (
                "seed:b.toml".to_string(),
                vec![ev("2023-09-10", "partnership", "US CSP")],
            ),
        ];
        let r = db.seed(&batches).unwrap().unwrap();
        assert_eq!(r.added, 2);
        assert_eq!(
            db.meta("seeded_from").unwrap().as_deref(),
            Some("seed:a.toml, seed:b.toml")
        );
        assert_eq!(db.seed(&batches).unwrap(), None, "a second seed is a no-op");
        assert_eq!(db.count().unwrap(), 2);
        let origins: Vec<String> = db
            .list(&EventQuery::default())
            .unwrap()
            .into_iter()
            .map(|s| s.origin)
            .collect();
        assert_eq!(origins, ["seed:a.toml", "seed:b.toml"]);
    }

    #[test]
    fn nothing_to_seed_from_leaves_the_database_unseeded_and_seed_repairs_it() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        assert_eq!(db.seed(&[]).unwrap(), None);
        assert_eq!(
            db.seeding().unwrap(),
            None,
            "not marked seeded with nothing"
        );
        // What an older bamboo wrote for a database first opened outside a checkout.
        db.set_meta("seeded_from", "(nothing)").unwrap();
        assert_eq!(db.seeding().unwrap(), None);
        let batches = vec![(
            "seed:a.toml".to_string(),
            vec![ev("2016-05-23", "visit", "Obama in Hanoi")],
        )];
        assert_eq!(db.seed(&batches).unwrap().unwrap().added, 1);
        assert_eq!(db.seeding().unwrap().as_deref(), Some("seed:a.toml"));
        assert!(db.meta("seeded_at").unwrap().is_some());
        let again = db.reseed(&batches).unwrap();
        assert_eq!((again.added, again.already_present), (0, 1));
    }

    #[test]
    fn two_writers_on_one_file_both_succeed() {
        // Two servers, or a server and `ledger import`, on one --db: each write waits for the
        // other's instead of failing with "database is locked".
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l.sqlite3");
        drop(LedgerDb::open(&p).unwrap());
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let p = p.clone();
                std::thread::spawn(move || {
                    let (mut db, _) = LedgerDb::open(&p).unwrap();
                    for i in 0..60 {
                        if w == 2 {
                            let batch: Vec<_> = (0..5)
                                .map(|j| ev("2020-01-01", "visit", &format!("import {i}.{j}")))
                                .collect();
                            db.import(&batch, "import:x").unwrap();
                        } else {
                            db.insert(&ev("2020-01-01", "visit", &format!("w{w} {i}")), "api")
                                .unwrap();
                        }
                        // Readers in between, as a server does.
                        db.count().unwrap();
                    }
                })
            })
            .collect();
        for h in writers {
            h.join().expect("no write failed");
        }
        let (db, _) = LedgerDb::open(&p).unwrap();
        assert_eq!(db.count().unwrap(), 60 + 60 + 300);
    }

    #[test]
    fn a_deleted_database_file_refuses_writes() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("db");
        let (mut db, _) = LedgerDb::open(&dir.join("l.sqlite3")).unwrap();
        db.insert(&ev("2016-05-23", "visit", "Obama in Hanoi"), "api")
            .unwrap();
        assert!(db.file_ok());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!db.file_ok());
        let e = db
            .insert(&ev("2017-11-11", "visit", "Trump in Hanoi"), "api")
            .unwrap_err();
        assert!(matches!(e, LedgerDbError::Gone { .. }), "{e}");
        assert!(e.to_string().contains("deleted or replaced"), "{e}");
        assert!(matches!(
            db.import(&[ev("2017-11-11", "visit", "Trump in Hanoi")], "x"),
            Err(LedgerDbError::Gone { .. })
        ));
    }

    #[test]
    fn a_read_only_database_is_refused_at_open() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l.sqlite3");
        drop(LedgerDb::open(&p).unwrap());
        let conn =
            Connection::open_with_flags(&p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let (db, _) = LedgerDb::setup(conn, p.clone()).unwrap();
        let e = db.check_writable().unwrap_err();
        assert!(matches!(e, LedgerDbError::ReadOnly { .. }), "{e}");
        assert!(e.to_string().contains("read-only"), "{e}");
    }

    #[test]
    fn oversized_events_are_refused_at_write_time() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let mut big = ev("2016-05-23", "visit", "x");
        big.title = "t".repeat(MAX_TITLE_CHARS + 1);
        match db.insert(&big, "api") {
            Err(LedgerDbError::TooLarge { field, .. }) => assert_eq!(field, "title"),
            other => panic!("{other:?}"),
        }
        let mut big = ev("2016-05-23", "visit", "x");
        big.sources = vec!["s".repeat(MAX_SOURCE_CHARS); MAX_SOURCES];
        assert!(matches!(
            db.import(&[big], "x"),
            Err(LedgerDbError::TooLarge { .. })
        ));
        assert_eq!(db.count().unwrap(), 0);
    }

    #[test]
    fn a_cursor_pages_through_events_in_order() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let evs: Vec<LedgerEvent> = (0..7)
            .map(|i| ev(&format!("2016-05-2{}", i / 2), "visit", &format!("v{i}")))
            .collect();
        db.import(&evs, "x").unwrap();
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let page = db
                .list(&EventQuery {
                    limit: Some(3),
                    after,
                    ..Default::default()
                })
                .unwrap();
            if page.is_empty() {
                break;
            }
            let last = page.last().unwrap();
            after = Some((last.event.date, last.id));
            seen.extend(page.into_iter().map(|s| s.event.title));
        }
        assert_eq!(seen, ["v0", "v1", "v2", "v3", "v4", "v5", "v6"]);
    }

    #[test]
    fn queries_filter_by_actor_kind_and_dates() {
        let (mut db, _) = LedgerDb::open_in_memory().unwrap();
        let mut c = ev("2014-05-02", "incident", "HD-981 oil rig");
        c.actors = vec![Iso3::from_static("VNM"), Iso3::from_static("CHN")];
        db.import(
            &[
                ev("2016-05-23", "visit", "Obama in Hanoi"),
                ev("2023-09-10", "partnership", "US CSP"),
                c,
            ],
            "seed:t",
        )
        .unwrap();
        let q = |q: EventQuery| {
            db.list(&q)
                .unwrap()
                .into_iter()
                .map(|s| s.event.title)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            q(EventQuery {
                actor: Some(Iso3::from_static("CHN")),
                ..Default::default()
            }),
            ["HD-981 oil rig"]
        );
        assert_eq!(
            q(EventQuery {
                kind: Some(EventKind::Visit),
                ..Default::default()
            }),
            ["Obama in Hanoi"]
        );
        assert_eq!(
            q(EventQuery {
                from: Some(Date::parse("2016-05-23").unwrap()),
                to: Some(Date::parse("2023-09-09").unwrap()),
                ..Default::default()
            }),
            ["Obama in Hanoi"]
        );
        assert_eq!(
            q(EventQuery {
                limit: Some(2),
                ..Default::default()
            }),
            ["HD-981 oil rig", "Obama in Hanoi"]
        );
    }
}
