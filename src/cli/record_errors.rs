//! Reporting an error that failed one record: for people (rendered against
//! the flow's text when it has a place there) or as a JSON line.

use serde::Serialize;

use crate::diagnostics::json::{JsonSpan, json_span};
use crate::diagnostics::render::{self, Style};
use crate::diagnostics::{Diagnostic, RecordError};
use crate::source::SourceFile;
use crate::value::documents::Position;

/// Which record failed: where it is in the input, and its key if known.
#[derive(Clone, Debug)]
pub struct Which {
    pub position: Position,
    pub key: Option<String>,
}

impl Which {
    fn describe(&self) -> String {
        match &self.key {
            Some(key) => format!("record {} ({key}, line {})", self.position.record, self.position.line),
            None => format!("record {} (line {})", self.position.record, self.position.line),
        }
    }
}

pub fn human(error: &RecordError, which: &Which, flow: &SourceFile, style: Style) -> String {
    let message = format!("{}: {}", which.describe(), error.message);
    match error.span {
        Some(span) => {
            let mut diagnostic = Diagnostic::new(error.code, span, message);
            diagnostic.help = error.help.clone();
            render::render(&diagnostic, flow, style)
        }
        None => {
            let help = error
                .help
                .as_ref()
                .map(|help| format!("\n  help: {help}"))
                .unwrap_or_default();
            format!("error[{}]: {message}{help}\n", error.code)
        }
    }
}

#[derive(Serialize)]
struct JsonRecordError<'e> {
    record: usize,
    line: usize,
    key: Option<&'e str>,
    code: &'e str,
    severity: &'static str,
    message: &'e str,
    help: Option<&'e str>,
    file: &'e str,
    span: Option<JsonSpan>,
}

pub fn json(error: &RecordError, which: &Which, flow: &SourceFile) -> String {
    let span = error.span.map(|span| json_span(flow, span));
    let line = JsonRecordError {
        record: which.position.record,
        line: which.position.line,
        key: which.key.as_deref(),
        code: error.code.id,
        severity: "error",
        message: &error.message,
        help: error.help.as_deref(),
        file: &flow.name,
        span,
    };
    serde_json::to_string(&line).unwrap_or_default()
}
