//! The evaluator's view of the target system: finding records, and writing
//! them. What a write means (a planned action in a dry run, a call to a
//! connector in a real one) is the implementation's business.

use crate::check::ir::{EntityName, WriteKind};
use crate::diagnostics::RecordError;
use crate::source::Span;
use crate::value::{Comparison, Value};

/// `Field == value` (or `Field >= value`) of a lookup, with the value
/// computed.
#[derive(Clone, Debug)]
pub struct Key<'a> {
    pub field: &'a [String],
    pub comparison: Comparison,
    pub value: Value<'a>,
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.field.join("."),
            self.comparison.symbol(),
            self.value
        )
    }
}

/// What a write does to the target.
#[derive(Clone, Debug)]
pub enum WriteAction<'a> {
    Create,
    /// Update the record that was found.
    Update {
        existing: Value<'a>,
    },
    /// An upsert found a record and its `update if` said no: the record is
    /// used as it is.
    Keep {
        existing: Value<'a>,
    },
}

#[derive(Debug)]
pub struct WriteRequest<'a, 'r> {
    /// The statement that asked for it.
    pub kind: WriteKind,
    pub entity: &'r EntityName,
    /// Whether the entity is the flow's target (rather than a helper).
    pub is_main: bool,
    pub keys: &'r [Key<'a>],
    pub action: WriteAction<'a>,
    /// The fields to write (for `Keep`, none).
    pub payload: Value<'a>,
    pub span: Span,
}

pub trait Target<'a> {
    /// The records of `entity` that match every key, in the target's order.
    fn find(&mut self, entity: &EntityName, keys: &[Key<'a>]) -> Result<Vec<Value<'a>>, RecordError>;

    /// Carries out (or plans) a write; gives the record as the target holds
    /// it afterwards.
    fn write(&mut self, request: WriteRequest<'a, '_>) -> Result<Value<'a>, RecordError>;
}

/// A target that holds nothing and writes nowhere: for a pure mapping
/// (`flowc map`). Lookups find nothing, so an `upsert` creates; the payload of
/// the first write to the flow's own target is kept as the mapping's output.
#[derive(Debug, Default)]
pub struct Offline<'a> {
    pub main_payload: Option<Value<'a>>,
}

impl<'a> Target<'a> for Offline<'a> {
    fn find(&mut self, _entity: &EntityName, _keys: &[Key<'a>]) -> Result<Vec<Value<'a>>, RecordError> {
        Ok(Vec::new())
    }

    fn write(&mut self, request: WriteRequest<'a, '_>) -> Result<Value<'a>, RecordError> {
        if request.is_main && self.main_payload.is_none() {
            self.main_payload = Some(request.payload.clone());
        }
        Ok(match request.action {
            WriteAction::Keep { existing } => existing,
            _ => request.payload,
        })
    }
}
