//! Errors that fail one record while a flow runs. They carry a code from the
//! registry (E1xxx), a message (and the same masked, for the activity log),
//! and the span in the `.flow` file of what failed; the runtime adds which
//! record it was.

use super::Code;
use super::codes::MISSING_FIELD;
use crate::source::Span;

/// A record's failure. The details live behind one pointer: evaluation
/// returns `Result<Value, RecordError>` from every expression, and a small
/// error keeps that cheap on the path where nothing fails.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct RecordError(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    pub code: Code,
    /// The message, values of the record shown as they are.
    pub message: String,
    /// The message with those values masked (`***`), when it shows any.
    pub masked: Option<String>,
    /// Where in the flow file; set by the evaluator for errors raised inside
    /// a native function, which do not know where they were called from.
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl std::ops::Deref for RecordError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for RecordError {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl std::fmt::Debug for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl RecordError {
    /// An error with a message in which values of the record are
    /// [`shown`](super::personal::shown), so that they can be masked.
    pub fn new(code: Code, message: impl Into<String>) -> RecordError {
        let (message, masked) = super::personal::unmark(message.into());
        RecordError(Box::new(Details {
            code,
            message,
            masked,
            span: None,
            help: None,
        }))
    }

    pub fn help(mut self, help: impl Into<String>) -> RecordError {
        self.help = Some(help.into());
        self
    }

    /// The same error, its message (and its masked message) after `prefix`.
    pub fn within(mut self, prefix: &str) -> RecordError {
        self.message.insert_str(0, prefix);
        if let Some(masked) = &mut self.masked {
            masked.insert_str(0, prefix);
        }
        self
    }

    /// Sets the span unless one is set already (the innermost span wins).
    pub fn at(mut self, span: Span) -> RecordError {
        self.span.get_or_insert(span);
        self
    }

    /// The message as the activity log shows it unless asked for payloads
    /// whole: values of the record masked.
    pub fn masked_message(&self) -> &str {
        self.masked.as_deref().unwrap_or(&self.message)
    }

    /// Whether `??` and `exists(...)` catch it: only reading a field that is
    /// not there.
    pub fn is_missing(&self) -> bool {
        self.code == MISSING_FIELD
    }
}
