//! Syntax: `.flow` text to a syntax tree with spans, plus the diagnostics for
//! everything that is malformed. No meaning is given to names here.
//!
//! Parsing never stops at the first mistake: the grammar swallows a broken
//! item or statement and goes on, and each swallowed piece is re-parsed on its
//! own to say what was expected there. Limits on file size and nesting are
//! checked before pest sees the text.

pub mod ast;
mod build;
mod expected;
mod grammar;
mod limits;
mod trivia;

pub use build::{MAX_ELSE_IF, MAX_OPERATORS, MAX_PREFIXES};
pub use expected::KEYWORDS;
pub use limits::{MAX_FILE_BYTES, MAX_NESTING, too_large as file_too_large};

use pest::Parser;

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;
use grammar::{FlowParser, Rule};

/// A parsed file: its tree (possibly partial) and what was wrong with it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub module: ast::Module,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `.flow` text. Never panics: whatever the text, the result is a tree
/// of what could be read and a diagnostic for each problem.
pub fn parse(text: &str) -> Parsed {
    // Detailed attempts make "expected ..." precise. The switch is
    // process-wide; every caller sets it the same way, so it never flips.
    pest::set_error_detail(true);

    let diagnostics = match limits::check_size(text) {
        Some(diagnostic) => vec![diagnostic],
        None => limits::check_text(text),
    };
    if !diagnostics.is_empty() {
        return Parsed {
            module: ast::Module::default(),
            diagnostics,
        };
    }
    match FlowParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let builder = build::Builder::new(text);
            let module = builder.module(pairs.next().expect("a parse has its file"));
            Parsed {
                module,
                diagnostics: builder.into_diagnostics(),
            }
        }
        Err(error) => Parsed {
            module: ast::Module::default(),
            diagnostics: vec![expected::syntax_error(&error, text, false)],
        },
    }
}

/// Parses raw bytes, reporting text that is not UTF-8 at the first bad byte.
pub fn parse_bytes(bytes: &[u8]) -> (String, Parsed) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), parse(text)),
        Err(error) => {
            let at = error.valid_up_to();
            // Show the file up to the bad byte, so the span points at real text.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let diagnostic = Diagnostic::new(
                codes::INVALID_ENCODING,
                Span::new(at, at + 1),
                format!("byte {at} is not valid UTF-8"),
            )
            .label("not UTF-8")
            .help("save the file as UTF-8");
            (
                text,
                Parsed {
                    module: ast::Module::default(),
                    diagnostics: vec![diagnostic],
                },
            )
        }
    }
}
