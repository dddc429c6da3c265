//! Limits checked before parsing, so that a hostile or broken file gets a
//! diagnostic instead of exhausting the stack: the file's size, and how deeply
//! brackets and interpolations nest.

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// The largest `.flow` file accepted. Real mappings are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// How deeply `( [ {` and `${` may nest. Real mappings rarely pass ten.
pub const MAX_NESTING: usize = 128;

pub fn check_size(text: &str) -> Option<Diagnostic> {
    (text.len() > MAX_FILE_BYTES).then(|| {
        Diagnostic::new(
            codes::FILE_TOO_LARGE,
            Span::new(0, 0),
            format!(
                "this file has {} bytes; a .flow file may have at most {MAX_FILE_BYTES}",
                text.len()
            ),
        )
        .help("split the mapping into modules and import them")
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    /// An open `(`, `[` or `{` in code.
    Bracket,
    /// Inside `"..."`.
    Text,
    /// Inside `${ ... }` within text: code until its `}`.
    Interpolation,
}

/// Finds the first place where nesting goes past [`MAX_NESTING`], skipping
/// comments and the insides of text the way the grammar reads them.
pub fn check_nesting(text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let in_text = stack.last() == Some(&Frame::Text);
        let byte = bytes[i];
        if in_text {
            match byte {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Frame::Interpolation);
                    i += 1;
                }
                _ => {}
            }
        } else {
            match byte {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                        i += 1;
                    }
                    i += 2;
                    continue;
                }
                b'"' => stack.push(Frame::Text),
                b'(' | b'[' | b'{' => stack.push(Frame::Bracket),
                b')' | b']' | b'}' => {
                    stack.pop();
                }
                _ => {}
            }
        }
        let depth = stack.iter().filter(|frame| **frame != Frame::Text).count();
        if depth > MAX_NESTING {
            return Some(
                Diagnostic::new(
                    codes::NESTING_TOO_DEEP,
                    Span::new(i, i + 1),
                    format!("brackets nest more than {MAX_NESTING} levels deep here"),
                )
                .label("too deep")
                .help("move the inner part into a `let` or a function"),
            );
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_but_not_inside_text_or_comments() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert!(check_nesting(&deep).is_some());
        assert!(check_nesting(&"(".repeat(MAX_NESTING)).is_none());
        let quoted = format!("\"{deep}\"");
        assert!(check_nesting(&quoted).is_none());
        let commented = format!("// {deep}\n/* {deep} */");
        assert!(check_nesting(&commented).is_none());
    }

    #[test]
    fn counts_interpolations() {
        let nested = "\"${".repeat(MAX_NESTING + 1);
        let found = check_nesting(&nested).expect("too deep");
        assert_eq!(found.code, codes::NESTING_TOO_DEEP);
    }
}
