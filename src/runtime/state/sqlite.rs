//! The state in SQLite: `{state}/flowc.sqlite`, in WAL mode (readers do
//! not wait for the writer), one file for every integration. A run that
//! writes holds `{state}/locks/<integration>.lock` (a lock the system drops
//! when the process dies, kill -9 included), so that a second run of the
//! same integration is refused while runs of other integrations go on.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Counts, DeadLetter, Ended, Overview, RunRow, StateError, Store};
use crate::value::{Value, json};

/// The schema; `user_version` says which.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS integrations (
    id TEXT PRIMARY KEY,
    cursor TEXT,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    integration TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    read INTEGER NOT NULL DEFAULT 0,
    filtered INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_of ON runs (integration, id);
CREATE TABLE IF NOT EXISTS records (
    integration TEXT NOT NULL,
    source_key TEXT NOT NULL,
    target_entity TEXT,
    target_id TEXT,
    run INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (integration, source_key)
);
CREATE TABLE IF NOT EXISTS in_flight (
    integration TEXT NOT NULL,
    source_key TEXT NOT NULL,
    run INTEGER NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (integration, source_key)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    integration TEXT NOT NULL,
    source_key TEXT NOT NULL,
    error TEXT NOT NULL,
    code TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed TEXT NOT NULL,
    last_failed TEXT NOT NULL,
    PRIMARY KEY (integration, source_key)
);
PRAGMA user_version = 1;
";

/// The name of an integration: its flow, source and target.
pub fn integration_id(flow: &str, source: &str, target: &str) -> String {
    format!("{flow} ({source} -> {target})")
}

/// The state database of a state directory.
pub struct Database {
    connection: Connection,
    dir: PathBuf,
}

fn failed(what: &str) -> impl Fn(rusqlite::Error) -> StateError + '_ {
    move |error| StateError(format!("the state database: cannot {what}: {error}"))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Database {
    /// Opens (creating when needed) the database of `dir`.
    pub fn open(dir: &Path) -> Result<Database, StateError> {
        std::fs::create_dir_all(dir)
            .map_err(|error| StateError(format!("cannot create the state directory {}: {error}", dir.display())))?;
        let path = dir.join("flowc.sqlite");
        let connection = Connection::open(&path)
            .map_err(|error| StateError(format!("cannot open the state database {}: {error}", path.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        connection
            .busy_timeout(Duration::from_secs(30))
            .map_err(failed("wait for other runs"))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed("use a write-ahead log"))?;
        // A commit is on disk before the record's next step.
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(failed("set synchronous writes"))?;
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(failed("read its version"))?;
        if version > 1 {
            return Err(StateError(format!(
                "the state database {} was written by a newer flowc (schema {version})",
                path.display()
            )));
        }
        connection.execute_batch(SCHEMA).map_err(failed("create its tables"))?;
        Ok(Database {
            connection,
            dir: dir.to_path_buf(),
        })
    }

    /// The state of one integration, for a run that writes: locked against
    /// other runs of it.
    pub fn writer(self, integration: &str) -> Result<Integration, StateError> {
        let locks = self.dir.join("locks");
        std::fs::create_dir_all(&locks)
            .map_err(|error| StateError(format!("cannot create {}: {error}", locks.display())))?;
        let digest = hex::encode(Sha256::digest(integration.as_bytes()));
        let path = locks.join(format!("{}.lock", &digest[..16]));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| StateError(format!("cannot open the lock {}: {error}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StateError(format!(
                    "{integration} is being run by another flowc run; wait for it to end (its lock: {})",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(StateError(format!("cannot lock {}: {error}", path.display())));
            }
        }
        self.connection
            .execute(
                "INSERT OR IGNORE INTO integrations (id, created) VALUES (?1, ?2)",
                params![integration, now()],
            )
            .map_err(failed("record the integration"))?;
        Ok(Integration {
            database: self,
            id: integration.to_string(),
            _lock: Some(file),
        })
    }

    /// The state of one integration, read only (a dry run).
    pub fn reader(self, integration: &str) -> Integration {
        Integration {
            database: self,
            id: integration.to_string(),
            _lock: None,
        }
    }

    /// Every integration at a glance.
    pub fn overviews(&self) -> Result<Vec<Overview>, StateError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT i.id, i.cursor,
                    (SELECT COUNT(*) FROM records r WHERE r.integration = i.id),
                    (SELECT COUNT(*) FROM dead_letters d WHERE d.integration = i.id),
                    (SELECT COUNT(*) FROM in_flight f WHERE f.integration = i.id)
                 FROM integrations i ORDER BY i.id",
            )
            .map_err(failed("read the integrations"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(Overview {
                    integration: row.get(0)?,
                    cursor: row.get(1)?,
                    done: row.get(2)?,
                    dead_letters: row.get(3)?,
                    in_flight: row.get(4)?,
                    last_run: None,
                })
            })
            .map_err(failed("read the integrations"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed("read the integrations"))?;
        rows.into_iter()
            .map(|mut overview| {
                overview.last_run = self.runs(Some(&overview.integration), 1)?.into_iter().next();
                Ok(overview)
            })
            .collect()
    }

    /// The latest runs, newest first, of one integration or of all.
    pub fn runs(&self, integration: Option<&str>, limit: usize) -> Result<Vec<RunRow>, StateError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, integration, started, ended, read, filtered, created, updated, skipped, failed, unchanged
                 FROM runs WHERE ?1 IS NULL OR integration = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(failed("read the runs"))?;
        statement
            .query_map(params![integration, limit as i64], |row| {
                Ok(RunRow {
                    id: row.get(0)?,
                    integration: row.get(1)?,
                    started: row.get(2)?,
                    ended: row.get(3)?,
                    counts: Counts {
                        read: row.get(4)?,
                        filtered: row.get(5)?,
                        created: row.get(6)?,
                        updated: row.get(7)?,
                        skipped: row.get(8)?,
                        failed: row.get(9)?,
                        unchanged: row.get(10)?,
                    },
                })
            })
            .map_err(failed("read the runs"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed("read the runs"))
    }

    /// The dead letters of one integration or of all.
    pub fn dead_letters(&self, integration: Option<&str>) -> Result<Vec<DeadLetter>, StateError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT integration, source_key, error, code, attempts, first_failed, last_failed
                 FROM dead_letters WHERE ?1 IS NULL OR integration = ?1 ORDER BY integration, first_failed, source_key",
            )
            .map_err(failed("read the failed records"))?;
        statement
            .query_map(params![integration], |row| {
                Ok(DeadLetter {
                    integration: row.get(0)?,
                    key: row.get(1)?,
                    error: row.get(2)?,
                    code: row.get(3)?,
                    attempts: row.get(4)?,
                    first_failed: row.get(5)?,
                    last_failed: row.get(6)?,
                })
            })
            .map_err(failed("read the failed records"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed("read the failed records"))
    }
}

/// One integration's state.
pub struct Integration {
    database: Database,
    id: String,
    /// Held while this run writes.
    _lock: Option<File>,
}

impl Integration {
    pub fn id(&self) -> &str {
        &self.id
    }

    fn connection(&self) -> &Connection {
        &self.database.connection
    }

    /// A transaction: what it writes is committed together, or not at all.
    fn transaction(&mut self) -> Result<rusqlite::Transaction<'_>, StateError> {
        self.database
            .connection
            .transaction()
            .map_err(failed("begin a transaction"))
    }
}

impl Store for Integration {
    fn cursor(&self) -> Result<Option<Value<'static>>, StateError> {
        let text: Option<String> = self
            .connection()
            .query_row(
                "SELECT cursor FROM integrations WHERE id = ?1",
                params![self.id],
                |row| row.get(0),
            )
            .optional()
            .map_err(failed("read the cursor"))?
            .flatten();
        match text {
            None => Ok(None),
            Some(text) => json::parse(&text)
                .map(|value| Some(value.into_owned()))
                .map_err(|error| StateError(format!("the state's cursor of {} is not JSON: {error}", self.id))),
        }
    }

    fn in_flight(&self) -> Result<Vec<String>, StateError> {
        let mut statement = self
            .connection()
            .prepare("SELECT source_key FROM in_flight WHERE integration = ?1 ORDER BY since, source_key")
            .map_err(failed("read the records in flight"))?;
        statement
            .query_map(params![self.id], |row| row.get(0))
            .map_err(failed("read the records in flight"))?
            .collect::<Result<Vec<String>, _>>()
            .map_err(failed("read the records in flight"))
    }

    fn dead_letters(&self) -> Result<Vec<DeadLetter>, StateError> {
        self.database.dead_letters(Some(&self.id))
    }

    fn begin_run(&mut self) -> Result<i64, StateError> {
        self.connection()
            .execute(
                "INSERT INTO runs (integration, started) VALUES (?1, ?2)",
                params![self.id, now()],
            )
            .map_err(failed("start the run's history"))?;
        Ok(self.connection().last_insert_rowid())
    }

    fn begin_record(&mut self, run: i64, key: &str) -> Result<(), StateError> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO in_flight (integration, source_key, run, since) VALUES (?1, ?2, ?3, ?4)",
                params![self.id, key, run, now()],
            )
            .map_err(failed("note the record in flight"))?;
        Ok(())
    }

    fn end_record(
        &mut self,
        run: i64,
        key: &str,
        ended: Ended<'_>,
        cursor: Option<&Value<'_>>,
    ) -> Result<(), StateError> {
        let at = now();
        let id = self.id.clone();
        let transaction = self.transaction()?;
        match ended {
            Ended::Done { target } => {
                let (entity, target_id) = match target {
                    Some((entity, id)) => (Some(entity.to_string()), Some(id)),
                    None => (None, None),
                };
                transaction
                    .execute(
                        "INSERT INTO records (integration, source_key, target_entity, target_id, run, at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (integration, source_key) DO UPDATE SET
                           target_entity = COALESCE(excluded.target_entity, target_entity),
                           target_id = COALESCE(excluded.target_id, target_id),
                           run = excluded.run, at = excluded.at",
                        params![id, key, entity, target_id, run, at],
                    )
                    .map_err(failed("record what the record became"))?;
                transaction
                    .execute(
                        "DELETE FROM dead_letters WHERE integration = ?1 AND source_key = ?2",
                        params![id, key],
                    )
                    .map_err(failed("clear a dead letter"))?;
            }
            Ended::Failed { error, code } => {
                transaction
                    .execute(
                        "INSERT INTO dead_letters (integration, source_key, error, code, attempts, first_failed, last_failed)
                         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)
                         ON CONFLICT (integration, source_key) DO UPDATE SET
                           error = excluded.error, code = excluded.code,
                           attempts = attempts + 1, last_failed = excluded.last_failed",
                        params![id, key, error, code, at],
                    )
                    .map_err(failed("keep the failed record"))?;
            }
        }
        transaction
            .execute(
                "DELETE FROM in_flight WHERE integration = ?1 AND source_key = ?2",
                params![id, key],
            )
            .map_err(failed("clear the record in flight"))?;
        if let Some(cursor) = cursor {
            move_cursor(&transaction, &id, cursor)?;
        }
        crate::runtime::crash::point("record-committing");
        transaction.commit().map_err(failed("commit the record"))
    }

    fn advance(&mut self, cursor: &Value<'_>) -> Result<(), StateError> {
        let id = self.id.clone();
        let transaction = self.transaction()?;
        move_cursor(&transaction, &id, cursor)?;
        transaction.commit().map_err(failed("move the cursor"))
    }

    fn forget(&mut self, key: &str) -> Result<(), StateError> {
        self.connection()
            .execute(
                "DELETE FROM in_flight WHERE integration = ?1 AND source_key = ?2",
                params![self.id, key],
            )
            .map_err(failed("forget a record in flight"))?;
        Ok(())
    }

    fn end_run(&mut self, run: i64, counts: &Counts) -> Result<(), StateError> {
        self.connection()
            .execute(
                "UPDATE runs SET ended = ?2, read = ?3, filtered = ?4, created = ?5, updated = ?6, skipped = ?7,
                   failed = ?8, unchanged = ?9 WHERE id = ?1",
                params![
                    run,
                    now(),
                    counts.read,
                    counts.filtered,
                    counts.created,
                    counts.updated,
                    counts.skipped,
                    counts.failed,
                    counts.unchanged
                ],
            )
            .map_err(failed("close the run's history"))?;
        Ok(())
    }
}

/// Moves an integration's cursor to `cursor` when it is beyond the one held.
fn move_cursor(transaction: &rusqlite::Transaction<'_>, id: &str, cursor: &Value<'_>) -> Result<(), StateError> {
    let held: Option<String> = transaction
        .query_row("SELECT cursor FROM integrations WHERE id = ?1", params![id], |row| {
            row.get(0)
        })
        .optional()
        .map_err(failed("read the cursor"))?
        .flatten();
    let beyond = match held.as_deref().map(json::parse) {
        Some(Ok(held)) => cursor.compare(&held) == Some(std::cmp::Ordering::Greater),
        _ => true,
    };
    if beyond {
        transaction
            .execute(
                "UPDATE integrations SET cursor = ?2 WHERE id = ?1",
                params![id, json::to_string(cursor)],
            )
            .map_err(failed("move the cursor"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_end_done_or_failed_and_the_cursor_only_moves_ahead() {
        let dir = tempfile::TempDir::new().unwrap();
        let id = integration_id("orders", "shop", "books");
        let mut state = Database::open(dir.path()).unwrap().writer(&id).unwrap();
        assert_eq!(state.cursor().unwrap(), None);
        let run = state.begin_run().unwrap();
        state.begin_record(run, "101").unwrap();
        state.begin_record(run, "102").unwrap();
        assert_eq!(state.in_flight().unwrap(), ["101", "102"]);
        state
            .end_record(
                run,
                "102",
                Ended::Done {
                    target: Some(("orders", "o-9".into())),
                },
                Some(&Value::Int(102)),
            )
            .unwrap();
        state
            .end_record(
                run,
                "101",
                Ended::Failed {
                    error: "refused: ***",
                    code: "E1010",
                },
                Some(&Value::Int(101)),
            )
            .unwrap();
        assert_eq!(state.cursor().unwrap(), Some(Value::Int(102)), "never back");
        assert!(state.in_flight().unwrap().is_empty());
        let letters = state.dead_letters().unwrap();
        assert_eq!((letters[0].key.as_str(), letters[0].attempts), ("101", 1));
        // Tried again: failing counts an attempt, succeeding clears it.
        state
            .end_record(
                run,
                "101",
                Ended::Failed {
                    error: "again",
                    code: "E1010",
                },
                None,
            )
            .unwrap();
        assert_eq!(state.dead_letters().unwrap()[0].attempts, 2);
        state
            .end_record(run, "101", Ended::Done { target: None }, None)
            .unwrap();
        assert!(state.dead_letters().unwrap().is_empty());
        state
            .end_run(
                run,
                &Counts {
                    read: 2,
                    created: 1,
                    failed: 1,
                    ..Counts::default()
                },
            )
            .unwrap();

        // A second writer of the same integration is refused; another
        // integration is not.
        let second = Database::open(dir.path()).unwrap().writer(&id);
        assert!(second.err().unwrap().0.contains("is being run by another flowc run"));
        assert!(
            Database::open(dir.path())
                .unwrap()
                .writer(&integration_id("orders", "shop", "ledger"))
                .is_ok()
        );
        drop(state);
        let database = Database::open(dir.path()).unwrap();
        let overviews = database.overviews().unwrap();
        let orders = overviews.iter().find(|o| o.integration == id).unwrap();
        assert_eq!(
            (orders.cursor.as_deref(), orders.done, orders.dead_letters),
            (Some("102"), 2, 0)
        );
        assert_eq!(orders.last_run.as_ref().unwrap().counts.created, 1);
        assert!(database.writer(&id).is_ok(), "the lock went with its run");
    }
}
