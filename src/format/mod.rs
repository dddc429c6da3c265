//! `flowc fmt`: the one layout of a `.flow` file.
//!
//! The formatter changes whitespace only: the file's tokens, comments
//! included, come out as they went in ([`tokens`]), laid out by the rules
//! of [`layout`]. A file that does not parse is not formatted: its syntax
//! errors are given back instead, so that a half-typed line is never
//! rearranged into something else.

pub mod layout;
pub mod tokens;

use crate::diagnostics::Diagnostic;
use crate::syntax;

/// `text` in its canonical layout, or the syntax errors that stop it from
/// being formatted.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(text);
    let errors: Vec<Diagnostic> = parsed
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.is_error())
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(layout::layout(&tokens::tokens(text)))
}
