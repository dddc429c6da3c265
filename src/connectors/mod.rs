//! Connectors: how flowc reads and writes the systems it integrates.
//!
//! Every system exposes its records as raw JSON per entity, under its own
//! field names, through the [`Connector`] trait: list (in pages, optionally
//! after a cursor), find by fields, get by id, create, update. [`schema`]
//! says what the records hold and which field identifies them.
//!
//! Connectors are asynchronous (the HTTP ones wait on the network) and
//! shared (`&self`): evaluating a record stays synchronous, and the planner
//! waits for a connector's answer with [`wait`]. The generic connectors are
//! [`memory`] (records held in memory, for `flowc test`) and [`dir`] (a
//! directory with one `<entity>.json` file per entity).

pub mod accountview;
pub mod ccv_salespos;
pub mod connections;
pub mod dir;
pub mod eaccounting;
pub mod error;
pub mod http;
pub mod index;
pub mod memory;
pub mod mpluskassa;
pub mod schema;
pub mod vismanet;

use std::future::Future;
use std::path::Path;

use async_trait::async_trait;

use crate::value::{Comparison, Value};

pub use dir::DirConnector;
pub use error::{ConnectorError, ErrorKind, VendorError};
pub use memory::MemoryConnector;

/// One key of a lookup: a field path (`["Rows", "Text"]`), and the value
/// it must equal (or be at least, at most, ... : `create_date >= since`).
#[derive(Clone, Copy, Debug)]
pub struct Key<'k> {
    pub path: &'k [String],
    pub comparison: Comparison,
    pub value: &'k Value<'k>,
}

impl<'k> Key<'k> {
    /// `path == value`.
    pub fn equal(path: &'k [String], value: &'k Value<'k>) -> Key<'k> {
        Key {
            path,
            comparison: Comparison::Equal,
            value,
        }
    }

    /// The value, when the key asks for equality: what an API's filters
    /// `?field=value` take.
    pub fn equal_to(&self) -> Option<&'k Value<'k>> {
        self.comparison.is_equal().then_some(self.value)
    }
}

/// The keys of a lookup; a record matches when it holds every one.
pub type Keys<'k> = [Key<'k>];

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
#[async_trait]
pub trait Connector: Send + Sync {
    /// The system this connector reaches (`eaccounting`).
    fn system(&self) -> &str;

    /// A page of the records of `entity`, in the order of their cursor
    /// field when the entity has one.
    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError>;

    /// The records whose fields equal every key, in the system's order.
    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError>;

    /// The record with this id, if there is one.
    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError>;

    /// Creates a record; gives it as the system holds it (with its id).
    ///
    /// `keys` find the record again: when a create was sent and no answer
    /// says whether it was carried out, the connector looks it up by them
    /// before it tries again, so that a record is never created twice. With
    /// no keys, such a create fails with [`ErrorKind::UnknownOutcome`].
    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError>;

    /// Writes `payload`'s fields over the record with this id; gives the result.
    async fn update(&self, entity: &str, id: &Value<'_>, payload: &Value<'_>)
    -> Result<Value<'static>, ConnectorError>;

    /// Signs in, where the system has a sign-in of its own (eAccounting's
    /// token grant), so that credentials that do not work stop a run
    /// before its first record rather than fail every record.
    async fn connect(&self) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// The field that identifies records of `entity` (as the system's
    /// schema says; `id` when it does not).
    fn id_field(&self, entity: &str) -> &str {
        schema::id_field(self.system(), entity)
    }

    /// The field an incremental read follows, if the entity has one.
    fn cursor_field(&self, entity: &str) -> Option<&str> {
        schema::cursor_field(self.system(), entity)
    }
}

/// Waits, from synchronous code (a record being evaluated), for a
/// connector's answer. Outside of a runtime's worker threads: the planner
/// runs on the thread that runs the flow.
pub fn wait<F: Future>(runtime: &tokio::runtime::Handle, future: F) -> F::Output {
    runtime.block_on(future)
}

/// What a run does with a connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    /// Read and write: a writer excludes other writers of the same place.
    Write,
}

/// What opening a connection needs besides its name.
pub struct Opening<'o> {
    /// `--connections FILE`, if given.
    pub connections: Option<&'o Path>,
    /// `--state DIR`: where rotating tokens are kept.
    pub state: &'o Path,
    /// Told of what is worth a warning (a secret written in the file).
    pub warn: &'o mut dyn FnMut(String),
}

/// Opens a connector from its description on the command line: `dir:PATH`
/// for a directory of entity files, or the name of a connection in the
/// connections file. `system` is the system the flow reads or writes there.
pub fn open(
    spec: &str,
    system: &str,
    access: Access,
    opening: &mut Opening<'_>,
) -> Result<Box<dyn Connector>, ConnectorError> {
    if let Some(path) = spec.strip_prefix("dir:") {
        return Ok(match access {
            Access::Write => Box::new(DirConnector::open_for_writing(path, system)?),
            Access::Read => Box::new(DirConnector::open(path, system)?),
        });
    }
    if spec.is_empty() || spec.contains(['/', '\\']) {
        return Err(ConnectorError::local(format!(
            "`{spec}` names no connection; give a connection's name from the connections file, or dir:PATH"
        )));
    }
    let connection = find_connection(spec, opening)?;
    if connection.system != system {
        return Err(ConnectorError::local(format!(
            "connection `{spec}` reaches {}, but the flow works with {system} there",
            connection.system
        )));
    }
    connect(&connection, opening)
}

/// The connection called `name` in the connections file.
pub fn find_connection(name: &str, opening: &Opening<'_>) -> Result<connections::Connection, ConnectorError> {
    let file = connections::Connections::path(opening.connections);
    connections::Connections::load(&file)?.get(name)
}

/// The connector of a connection, by its system.
pub fn connect(
    connection: &connections::Connection,
    opening: &mut Opening<'_>,
) -> Result<Box<dyn Connector>, ConnectorError> {
    match connection.system.as_str() {
        "ccv_salespos" => Ok(Box::new(ccv_salespos::CcvSalesPos::open(connection, opening.warn)?)),
        "eaccounting" => Ok(Box::new(eaccounting::Eaccounting::open(
            connection,
            opening.state,
            opening.warn,
        )?)),
        "vismanet" => Ok(Box::new(vismanet::Vismanet::open(connection, opening.warn)?)),
        "mpluskassa" => Ok(Box::new(mpluskassa::MplusKassa::open(connection, opening.warn)?)),
        "accountview" => Ok(Box::new(accountview::AccountView::open(
            connection,
            opening.state,
            opening.warn,
        )?)),
        other => Err(ConnectorError::local(format!(
            "flowc has no connector for {other} yet (connection `{}`); use dir:PATH",
            connection.name
        ))),
    }
}

/// The entity `flowc connections check` reads a page of: one every
/// integration with the system needs the right to read.
pub fn probe_entity(system: &str) -> &'static str {
    match system {
        "ccv_salespos" => "orders",
        "vismanet" => "customer",
        "accountview" => "debtors",
        "mpluskassa" => "relations",
        _ => "customers",
    }
}

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
