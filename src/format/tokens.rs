//! `.flow` text as the tokens the formatter lays out: every word, number,
//! text, operator and comment exactly as written, and how many line breaks
//! come before each. Whitespace is the only thing left out, so text put
//! back together from these tokens means what the original meant.
//!
//! Texts are single tokens, their `${...}` parts included, and so are
//! JSONPath filters (`[?@.qty > 1]`): the formatter never looks inside.

/// What a token is, as far as spacing and indentation need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A name or a keyword.
    Word,
    /// A number or a `@date`.
    Number,
    /// `"..."` or `r"..."`.
    Text,
    /// `[?...]`.
    Filter,
    /// `// ...` to the end of its line.
    LineComment,
    /// `/* ... */`, possibly over several lines.
    BlockComment,
    /// An operator or a bracket.
    Punct,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Line breaks between the previous token (or the start) and this one.
    pub breaks: usize,
    /// Where it starts in the text, in bytes.
    pub start: usize,
}

/// Operators of several characters, longest first.
const PUNCTS: &[&str] = &[
    "...", "..", "==", "!=", "<=", ">=", "??", "?=", "=>", "->", "{", "}", "(", ")", "[", "]", ",", ".", ":", "=", "<",
    ">", "+", "-", "*", "/", "%", "|", "?", "$", "!",
];

/// The tokens of `text`. Never fails: a character the language does not
/// know becomes a token of its own (the parser has already refused such a
/// file before it is formatted).
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut breaks = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let byte = bytes[i];
        if byte == b'\n' {
            breaks += 1;
            i += 1;
            continue;
        }
        if byte == b' ' || byte == b'\t' || byte == b'\r' {
            i += 1;
            continue;
        }
        if rest.starts_with('\u{FEFF}') {
            i += '\u{FEFF}'.len_utf8();
            continue;
        }
        let (kind, length) = if rest.starts_with("//") {
            (Kind::LineComment, rest.find('\n').unwrap_or(rest.len()))
        } else if let Some(comment) = rest.strip_prefix("/*") {
            (Kind::BlockComment, comment.find("*/").map_or(rest.len(), |end| end + 4))
        } else if byte == b'"' {
            (Kind::Text, text_length(rest))
        } else if let Some(raw) = rest.strip_prefix("r\"") {
            // Up to the closing quote; an unclosed one ends with its line.
            let length = match raw.find(['"', '\n']) {
                Some(end) if raw.as_bytes()[end] == b'"' => end + 1,
                Some(end) => end,
                None => raw.len(),
            };
            (Kind::Text, 2 + length)
        } else if rest.starts_with("[?") {
            (Kind::Filter, filter_length(rest))
        } else if byte == b'@' || byte.is_ascii_digit() {
            (Kind::Number, number_length(rest))
        } else if byte.is_ascii_alphabetic() || byte == b'_' {
            (Kind::Word, word_length(rest))
        } else if let Some(punct) = PUNCTS.iter().find(|punct| rest.starts_with(**punct)) {
            (Kind::Punct, punct.len())
        } else {
            (Kind::Punct, rest.chars().next().map_or(1, char::len_utf8))
        };
        let length = length.clamp(1, rest.len());
        out.push(Token {
            kind,
            text: &rest[..length],
            breaks,
            start: i,
        });
        breaks = 0;
        i += length;
    }
    out
}

fn word_length(text: &str) -> usize {
    text.bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(text.len())
}

/// A number (`12`, `4.95`) or a date (`@2024-03-14`, `@2024-03-14T10:00:00Z`).
fn number_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |end| from + end)
    };
    if bytes[0] == b'@' {
        // A date's characters: digits, `-`, `T`, `:`, `.`, `Z`, `+`.
        return bytes
            .iter()
            .skip(1)
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'+')))
            .map_or(bytes.len(), |end| end + 1);
    }
    let whole = digits(0);
    if bytes.get(whole) == Some(&b'.') && bytes.get(whole + 1).is_some_and(u8::is_ascii_digit) {
        digits(whole + 1)
    } else {
        whole
    }
}

/// A `"..."` text with its escapes and `${...}` parts, up to its closing
/// quote (or the end of the line, for one that is not closed).
fn text_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            b'$' if bytes.get(i + 1) == Some(&b'{') => i += interpolation_length(&text[i..]),
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `${...}`: code, with texts of its own, up to the matching `}`.
fn interpolation_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i += text_length(&text[i..]);
                continue;
            }
            b'\n' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// `[?...]` up to the bracket that closes it, quotes and nested brackets
/// skipped over.
fn filter_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        tokens(source).into_iter().map(|token| token.text).collect()
    }

    #[test]
    fn texts_filters_and_dates_are_single_tokens() {
        assert_eq!(
            texts(r#"let a = "x ${f("}")} y" + r"\d+" ?? $.rows[?@.qty > 1][*]"#),
            [
                "let",
                "a",
                "=",
                r#""x ${f("}")} y""#,
                "+",
                r#"r"\d+""#,
                "??",
                "$",
                ".",
                "rows",
                "[?@.qty > 1]",
                "[",
                "*",
                "]"
            ]
        );
        assert_eq!(
            texts("@2024-03-14T10:00:00+01:00 - 1 4.95.x"),
            ["@2024-03-14T10:00:00+01:00", "-", "1", "4.95", ".", "x"]
        );
    }

    #[test]
    fn operators_take_their_longest_form_and_comments_their_line() {
        assert_eq!(
            texts("a ?= b ?? c...d // note\n/* x\n y */ ..e"),
            [
                "a",
                "?=",
                "b",
                "??",
                "c",
                "...",
                "d",
                "// note",
                "/* x\n y */",
                "..",
                "e"
            ]
        );
        let breaks: Vec<usize> = tokens("a\n\n\nb c").iter().map(|t| t.breaks).collect();
        assert_eq!(breaks, [0, 3, 0]);
    }

    #[test]
    fn unclosed_texts_and_strange_characters_do_not_run_away() {
        assert_eq!(texts("\"open\nnext"), ["\"open", "next"]);
        assert_eq!(texts("a § b"), ["a", "§", "b"]);
        assert_eq!(texts("[?open"), ["[?open"]);
    }
}
