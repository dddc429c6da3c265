//! Connectors: how flowc reads and writes the systems it integrates.
//!
//! Every system exposes its records as raw JSON per entity, through the
//! [`Connector`] trait: list (in pages, optionally after a cursor), find by
//! fields, get by id, create, update. [`schema`] says what the records hold
//! and which field identifies them. Two generic connectors ship now:
//! [`memory`] (records held in memory, for tests) and [`dir`] (a directory
//! with one `<entity>.json` file per entity).

pub mod dir;
pub mod memory;
pub mod schema;

use crate::value::Value;

pub use dir::DirConnector;
pub use memory::MemoryConnector;

/// Whether two connector descriptions name the same place (one directory,
/// however it is written).
pub fn same_place(a: &str, b: &str) -> bool {
    match (a.split_once(':'), b.split_once(':')) {
        (Some(("dir", a)), Some(("dir", b))) => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        },
        _ => a == b,
    }
}

/// A connector's failure, in the system's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConnectorError(pub String);

/// One page of records.
#[derive(Debug, Default)]
pub struct Page {
    pub records: Vec<Value<'static>>,
    /// Whether there are records after this page.
    pub more: bool,
}

/// Which page of an entity's records to read.
#[derive(Clone, Debug)]
pub struct PageRequest<'c> {
    /// Only records whose cursor field is greater than this (an incremental
    /// read: records changed or added since the last run).
    pub after: Option<&'c Value<'static>>,
    /// How many matching records to skip.
    pub start: usize,
    pub size: usize,
}

/// A system's records, per entity.
pub trait Connector {
    /// The system this connector reaches (`eaccounting`).
    fn system(&self) -> &str;

    fn list(&mut self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError>;

    /// The records whose fields equal every key, in the system's order.
    fn find(&mut self, entity: &str, keys: &[(&[String], &Value<'_>)]) -> Result<Vec<Value<'static>>, ConnectorError>;

    /// The record with this id, if there is one.
    fn get(&mut self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError>;

    /// Creates a record; gives it as the system holds it (with its id).
    fn create(&mut self, entity: &str, payload: &Value<'_>) -> Result<Value<'static>, ConnectorError>;

    /// Writes `payload`'s fields over the record with this id; gives the result.
    fn update(&mut self, entity: &str, id: &Value<'_>, payload: &Value<'_>) -> Result<Value<'static>, ConnectorError>;

    /// The field that identifies records of `entity`.
    fn id_field(&self, entity: &str) -> &str;

    /// The field an incremental read follows, if the entity has one.
    fn cursor_field(&self, entity: &str) -> Option<&str>;
}

/// What a run does with a connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    /// Read and write: a writer excludes other writers of the same place.
    Write,
}

/// Opens a connector from its description on the command line:
/// `dir:PATH` for a directory of entity files.
pub fn open(spec: &str, system: &str, access: Access) -> Result<Box<dyn Connector>, ConnectorError> {
    match spec.split_once(':') {
        Some(("dir", path)) if access == Access::Write => Ok(Box::new(DirConnector::open_for_writing(path, system)?)),
        Some(("dir", path)) => Ok(Box::new(DirConnector::open(path, system)?)),
        Some((kind, _)) => Err(ConnectorError(format!("there is no `{kind}` connector; use dir:PATH"))),
        None => Err(ConnectorError(format!(
            "`{spec}` does not name a connector; use dir:PATH"
        ))),
    }
}
