//! What a run keeps between runs, per integration (a flow with its source
//! and its target): the cursor the next run reads after; which source
//! record became which target record; the records in flight, written
//! before a record's writes begin and cleared when its outcome is
//! committed, so that a run that died in between takes them up first;
//! the records that failed (dead letters), with their error and attempts;
//! and the history of runs.
//!
//! The run loop speaks to a [`Store`]; [`sqlite`] keeps it in a SQLite
//! database under the state directory. No personal data goes in: records
//! are named by their source id, errors are kept as the activity log
//! writes them (values masked).

pub mod sqlite;

use crate::value::Value;

/// Why the state could not be read or written.
#[derive(Debug)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// How a record ended, to be committed.
#[derive(Debug)]
pub enum Ended<'e> {
    /// Its effects are committed: it wrote (or found) this target record,
    /// when it touched one.
    Done { target: Option<(&'e str, String)> },
    /// It failed: a dead letter, with its error (values masked) and code.
    Failed { error: &'e str, code: &'e str },
}

/// The counts of a run, as its history keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: i64,
    pub filtered: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    pub unchanged: i64,
}

/// A record that failed and waits to be tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub integration: String,
    /// The source record's id.
    pub key: String,
    pub error: String,
    pub code: String,
    pub attempts: i64,
    pub first_failed: String,
    pub last_failed: String,
}

/// One run, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub integration: String,
    pub started: String,
    /// `None` while it runs, or when it died.
    pub ended: Option<String>,
    pub counts: Counts,
}

/// An integration's state at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    pub integration: String,
    /// The cursor as JSON.
    pub cursor: Option<String>,
    /// Source records that reached the target.
    pub done: i64,
    pub dead_letters: i64,
    pub in_flight: i64,
    pub last_run: Option<RunRow>,
}

/// The state of one integration, as the run loop uses it. One writer at a
/// time: opening it for writing takes a lock that a second run of the same
/// integration is refused.
pub trait Store {
    /// The cursor the next run reads after.
    fn cursor(&self) -> Result<Option<Value<'static>>, StateError>;

    /// Source records a run began and did not finish (it died): they are
    /// taken up before anything else.
    fn in_flight(&self) -> Result<Vec<String>, StateError>;

    /// The records waiting to be tried again.
    fn dead_letters(&self) -> Result<Vec<DeadLetter>, StateError>;

    /// Starts a run's history; gives its id.
    fn begin_run(&mut self) -> Result<i64, StateError>;

    /// Says, durably, that a record's writes may begin.
    fn begin_record(&mut self, run: i64, key: &str) -> Result<(), StateError>;

    /// Commits how a record ended, and moves the cursor to `cursor` when it
    /// is beyond the one held: one transaction.
    fn end_record(
        &mut self,
        run: i64,
        key: &str,
        ended: Ended<'_>,
        cursor: Option<&Value<'_>>,
    ) -> Result<(), StateError>;

    /// Moves the cursor to `cursor` when it is beyond the one held (past
    /// records whose outcomes were committed before).
    fn advance(&mut self, cursor: &Value<'_>) -> Result<(), StateError>;

    /// A record in flight that the source no longer has: forgotten.
    fn forget(&mut self, key: &str) -> Result<(), StateError>;

    /// Closes a run's history with its counts.
    fn end_run(&mut self, run: i64, counts: &Counts) -> Result<(), StateError>;
}
