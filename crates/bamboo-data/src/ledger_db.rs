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

use rusqlite::{params, Connection, OptionalExtension, Transaction};

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
        LedgerDb::setup(conn, path.to_path_buf())
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
        let mut db = LedgerDb { conn, path };
        let conn = &db.conn;
        // journal_mode answers with a row; in memory it stays "memory", which is fine.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| db.err(e))?;
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
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
            let tx = self.conn.transaction().map_err(e)?;
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
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|source| LedgerDbError::Sqlite {
                path: path.clone(),
                source,
            })?;
        let id = insert_in(&tx, &path, event, origin)?;
        tx.commit()
            .map_err(|source| LedgerDbError::Sqlite { path, source })?;
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
        let path = self.path.clone();
        let e = |source| LedgerDbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
        let mut report = ImportReport::default();
        for ev in events {
            match insert_in(&tx, &path, ev, origin) {
                Ok(_) => report.added += 1,
                Err(LedgerDbError::Duplicate { .. }) => report.already_present += 1,
                Err(other) => return Err(other),
            }
        }
        tx.commit().map_err(e)?;
        Ok(report)
    }

    /// Seeds a new database from curated batches `(origin, events)` in one transaction, and
    /// records where the seed came from under the `seeded_from` meta key. Seeding happens
    /// once: a database that was already seeded is left alone (`None`).
    pub fn seed(
        &mut self,
        batches: &[(String, Vec<LedgerEvent>)],
    ) -> Result<Option<ImportReport>, LedgerDbError> {
        if self.meta("seeded_from")?.is_some() {
            return Ok(None);
        }
        let path = self.path.clone();
        let e = |source| LedgerDbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
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
            "INSERT INTO meta (key, value) VALUES ('seeded_from', ?1)",
            [if from.is_empty() {
                "(nothing)".to_string()
            } else {
                from.join(", ")
            }],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Some(report))
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
