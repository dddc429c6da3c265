//! Machine-readable diagnostics for editors: one JSON object per line.
//!
//! The shape is stable; fields are only ever added. Spans are given both as
//! byte offsets and as 1-based line/column (columns count Unicode characters)
//! of their start and end.

use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{LineCol, SourceFile, Span};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
}

/// A span of a source file, as byte offsets and as 1-based line/column;
/// shared by diagnostics and per-record errors.
#[derive(Serialize)]
pub(crate) struct JsonSpan {
    /// Byte offset of the first byte.
    start_offset: usize,
    /// Byte offset just past the last byte.
    end_offset: usize,
    start: LineCol,
    end: LineCol,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    text: Option<&'a str>,
    primary: bool,
    span: JsonSpan,
}

pub(crate) fn json_span(file: &SourceFile, span: Span) -> JsonSpan {
    JsonSpan {
        start_offset: span.start as usize,
        end_offset: span.end as usize,
        start: file.line_col(span.start as usize),
        end: file.line_col(span.end as usize),
    }
}

/// One line of JSON (without the newline) describing `diagnostic` in `file`.
pub fn to_json_line(diagnostic: &Diagnostic, file: &SourceFile) -> String {
    let primary = JsonLabel {
        text: diagnostic.primary.text.as_deref(),
        primary: true,
        span: json_span(file, diagnostic.primary.span),
    };
    let labels = std::iter::once(primary)
        .chain(diagnostic.secondary.iter().map(|label| JsonLabel {
            text: label.text.as_deref(),
            primary: false,
            span: json_span(file, label.span),
        }))
        .collect();
    let value = JsonDiagnostic {
        file: &file.name,
        code: diagnostic.code.id,
        severity: diagnostic.severity,
        message: &diagnostic.message,
        help: diagnostic.help.as_deref(),
        span: json_span(file, diagnostic.primary.span),
        labels,
    };
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(&value).unwrap_or_default()
}
