//! What is checked before parsing, so that a hostile or broken file gets a
//! clear diagnostic instead of exhausting the stack or a confusing one: the
//! file's size, how deeply brackets and interpolations nest, block comments
//! never closed, and characters the grammar cannot read in code.

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// The largest `.flow` file accepted. Real mappings are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// How deeply `( [ {` and `${` may nest. Real mappings rarely pass ten.
pub const MAX_NESTING: usize = 128;

pub fn check_size(text: &str) -> Option<Diagnostic> {
    (text.len() > MAX_FILE_BYTES).then(too_large)
}

/// The diagnostic for a file over [`MAX_FILE_BYTES`] (which is read only
/// up to one byte past the limit, so its size is not known).
pub fn too_large() -> Diagnostic {
    Diagnostic::new(
        codes::FILE_TOO_LARGE,
        Span::new(0, 0),
        format!(
            "this file is larger than {} MiB, the most a .flow file may have",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
    .help("split the mapping into modules and import them")
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    /// An open `(`, `[` or `{` in code.
    Bracket,
    /// Inside `"..."`.
    Text,
    /// Inside `${ ... }` within text: code until its `}`.
    Interpolation,
    /// Inside a JSONPath filter `[? ... ]`, whose names may be any text.
    Filter,
}

/// The most diagnostics [`check_text`] gives about characters, so that a
/// file in another script does not bury the reader.
const MAX_CHARACTER_DIAGNOSTICS: usize = 20;

/// Reads the text the way the grammar does (comments, text, brackets,
/// interpolations) before pest sees it, and reports what pest would report
/// badly or not at all: nesting past [`MAX_NESTING`] (the first place),
/// a block comment that is never closed, and characters outside ASCII in
/// code (a letter in a name, a typographic quote, a non-breaking space).
pub fn check_text(text: &str) -> Vec<Diagnostic> {
    let bytes = text.as_bytes();
    let mut diagnostics = Vec::new();
    let mut characters = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // A byte order mark at the very start is blank space to the grammar.
    if text.starts_with('\u{FEFF}') {
        i = 3;
    }
    while i < bytes.len() {
        let byte = bytes[i];
        match stack.last() {
            Some(Frame::Text) => match byte {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Frame::Interpolation);
                    i += 1;
                }
                _ => {}
            },
            Some(Frame::Filter) => match byte {
                b'[' => stack.push(Frame::Filter),
                b']' => {
                    stack.pop();
                }
                b'\'' | b'"' => {
                    // Quoted names and values, to their closing quote.
                    let close = bytes[i + 1..].iter().position(|b| *b == byte || *b == b'\n');
                    i += close.map_or(bytes.len() - i, |at| at + 1);
                }
                _ => {}
            },
            _ => match byte {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                    Some(end) => {
                        i += 2 + end + 2;
                        continue;
                    }
                    None => {
                        diagnostics.push(
                            Diagnostic::new(codes::SYNTAX, Span::new(i, i + 2), "this comment is never closed")
                                .label("opened here")
                                .help("end the comment with `*/`"),
                        );
                        break;
                    }
                },
                b'"' => stack.push(Frame::Text),
                b'[' if bytes.get(i + 1) == Some(&b'?') => stack.push(Frame::Filter),
                b'(' | b'[' | b'{' => stack.push(Frame::Bracket),
                b')' | b']' | b'}' => {
                    stack.pop();
                }
                0x80.. => {
                    let (span, diagnostic) = character(text, i);
                    if characters < MAX_CHARACTER_DIAGNOSTICS {
                        diagnostics.push(diagnostic);
                    }
                    characters += 1;
                    i = span.end as usize;
                    continue;
                }
                _ => {}
            },
        }
        let depth = stack.iter().filter(|frame| **frame != Frame::Text).count();
        if depth > MAX_NESTING {
            diagnostics.push(
                Diagnostic::new(
                    codes::NESTING_TOO_DEEP,
                    Span::new(i, i + 1),
                    format!("brackets nest more than {MAX_NESTING} levels deep here"),
                )
                .label("too deep")
                .help("move the inner part into a `let` or a function"),
            );
            break;
        }
        i += 1;
    }
    diagnostics
}

/// The diagnostic for a character outside ASCII at `at`, in code, and the
/// span it covers (a whole word when the character is a letter).
fn character(text: &str, at: usize) -> (Span, Diagnostic) {
    let c = text[at..].chars().next().unwrap_or('\u{FFFD}');
    let one = Span::new(at, at + c.len_utf8());
    if c.is_alphanumeric() {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let end = text[at..]
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(text.len(), |(i, _)| at + i);
        let word = &text[start..end];
        let span = Span::new(start, end);
        let diagnostic = Diagnostic::new(codes::SYNTAX, span, format!("`{word}` is not a name flowc can read"))
            .label(format!("`{c}` is not an ASCII letter"))
            .help(format!(
                "names are written with ASCII letters, digits and `_`; a field named `{word}` is written in quotes: `\"{word}\" = ...`, `$[\"{word}\"]`"
            ));
        return (span, diagnostic);
    }
    let (message, help) = match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => (
            format!("`{c}` is a typographic quote"),
            "text is written in straight double quotes: \"like this\"".to_string(),
        ),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => (
            format!("`{c}` is a typographic quote"),
            "text is written in straight double quotes: \"like this\"".to_string(),
        ),
        c if c.is_whitespace() => (
            format!("a space character that is not a plain space (U+{:04X})", c as u32),
            "replace it with a plain space".to_string(),
        ),
        '\u{2013}' | '\u{2014}' | '\u{2212}' => (
            format!("`{c}` is a dash, not a minus"),
            "write the minus sign `-`".to_string(),
        ),
        c => (
            format!("`{c}` (U+{:04X}) has no meaning in a flow", c as u32),
            "characters outside ASCII belong in text and comments only".to_string(),
        ),
    };
    let diagnostic = Diagnostic::new(codes::SYNTAX, one, message).label("here").help(help);
    (one, diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        check_text(text)
            .into_iter()
            .map(|d| format!("{} {:?}: {}", d.code, d.primary.span.range(), d.message))
            .collect()
    }

    #[test]
    fn counts_brackets_but_not_inside_text_or_comments() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(check_text(&deep)[0].code, codes::NESTING_TOO_DEEP);
        assert!(check_text(&"(".repeat(MAX_NESTING)).is_empty());
        let quoted = format!("\"{deep}\"");
        assert!(check_text(&quoted).is_empty());
        let commented = format!("// {deep}\n/* {deep} */");
        assert!(check_text(&commented).is_empty());
    }

    #[test]
    fn counts_interpolations() {
        let nested = "\"${".repeat(MAX_NESTING + 1);
        assert_eq!(check_text(&nested)[0].code, codes::NESTING_TOO_DEEP);
    }

    #[test]
    fn a_block_comment_never_closed_is_named_where_it_opens() {
        assert_eq!(
            messages("flow t {\n  emit { a = 1 /* never closed }\n}\n"),
            ["E0001 24..26: this comment is never closed"]
        );
        assert!(check_text("/* closed */ flow t {}").is_empty());
        assert!(
            check_text("\"/*\" // /*\n").is_empty(),
            "in text and line comments it opens nothing"
        );
    }

    #[test]
    fn characters_outside_ascii_in_code_are_named() {
        assert_eq!(
            messages("flow tëst {\n  let naïve_x = 1\n}"),
            [
                "E0001 5..10: `tëst` is not a name flowc can read",
                "E0001 19..27: `naïve_x` is not a name flowc can read"
            ]
        );
        assert_eq!(
            messages("x = \u{201C}a\u{201D}")[0],
            "E0001 4..7: `\u{201C}` is a typographic quote"
        );
        assert_eq!(
            messages("a\u{00A0}= 1"),
            ["E0001 1..3: a space character that is not a plain space (U+00A0)"]
        );
        // In text, comments and JSONPath filters they are at home.
        assert!(check_text("\"tëst ${x} ë\" // ë\n/* ë */ $.a[?@.naïve == 'ë']").is_empty());
        assert!(
            check_text("\u{FEFF}flow t {}").is_empty(),
            "a byte order mark at the start"
        );
        assert_eq!(check_text(&"ë ".repeat(100)).len(), MAX_CHARACTER_DIAGNOSTICS);
    }
}
