//! The canonical layout of a `.flow` file, from its tokens.
//!
//! Line breaks are the writer's: a line stays a line, and blank lines
//! between them shrink to one (none just inside a bracket, at the start or
//! at the end of the file). Everything else is decided here:
//! - indentation, two spaces a level: the lines inside a bracket go one
//!   level deeper than the line that opened it (`[{` opens one level, not
//!   two), a line that starts by closing one goes back to the opener's
//!   level, and a line that carries on an expression (the line before ends
//!   with an operator, or this one starts with one) goes one level deeper;
//! - spacing: one space between tokens, none inside brackets, before `,`,
//!   `.`, `:` and a type's `?`, after `.`, `...`, `$` and a minus sign that
//!   negates, and between a function's name and its `(` or a value and its
//!   `[`; `{ a }` keeps a space inside, `{}` none;
//! - comments keep their text (trailing spaces trimmed), one space from
//!   the code before them.

use super::tokens::{Kind, Token};
use crate::syntax::KEYWORDS;

const INDENT: &str = "  ";

/// Operators after which a line goes on, and with which one may start.
const BINARY: &[&str] = &[
    "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "??", "?=", "=", "=>", "->", "|",
];

/// One line of the file: its tokens, and whether a blank line came before.
struct Line<'t, 'a> {
    tokens: &'t [Token<'a>],
    blank_before: bool,
}

/// The file laid out, ending with one line break (empty for a file with no
/// tokens).
pub fn layout(tokens: &[Token<'_>]) -> String {
    let lines = lines(tokens);
    let mut out = String::new();
    // The open brackets, each with the level of the line that opened it.
    let mut open: Vec<(&str, usize)> = Vec::new();
    // The last line of code (not a comment), for carrying on.
    let mut last_code: Option<&Token<'_>> = None;
    let mut previous_ends_open = true;
    for line in &lines {
        let first = &line.tokens[0];
        let closes_first = is_closer(first);
        let comment_only = line.tokens.iter().all(|token| is_comment(token));
        if line.blank_before && !previous_ends_open && !closes_first {
            out.push('\n');
        }
        // A line that starts with `-` after a finished value subtracts: it
        // carries on the line before. After an operator, a `,` or an
        // opening bracket, the `-` negates.
        let negates_first = is_minus(first) && operator_context(last_code);
        let carried = !closes_first
            && (last_code.is_some_and(goes_on)
                || (!comment_only && (starts_on(first) || (is_minus(first) && !negates_first))));
        let level = if closes_first {
            open.last().map_or(0, |(_, level)| *level)
        } else {
            open.last().map_or(0, |(_, level)| level + 1)
        } + usize::from(carried);
        for _ in 0..level {
            out.push_str(INDENT);
        }
        let mut negates = negates_first;
        // `setting x: int?=none` reads as an optional type and its default,
        // not as `?=`: written `int? = none`.
        let mut in_setting_type = first.kind == Kind::Word && first.text == "setting";
        for (index, token) in line.tokens.iter().enumerate() {
            if in_setting_type && token.kind == Kind::Punct && token.text == "?=" {
                out.push_str("? =");
                in_setting_type = false;
                continue;
            }
            if token.kind == Kind::Punct && token.text == "=" {
                in_setting_type = false;
            }
            if index > 0 {
                let before = &line.tokens[index - 1];
                if !negates && spaced(before, token) {
                    out.push(' ');
                }
                negates = is_minus(token) && operator_context(Some(before));
            }
            match token.kind {
                Kind::LineComment => out.push_str(token.text.trim_end()),
                _ => out.push_str(token.text),
            }
            if is_opener(token) {
                open.push((token.text, level));
            } else if is_closer(token) {
                open.pop();
            }
        }
        out.push('\n');
        if let Some(code) = line.tokens.iter().rev().find(|token| !is_comment(token)) {
            last_code = Some(code);
        }
        previous_ends_open = line.tokens.last().is_some_and(is_opener);
    }
    out
}

fn lines<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<Line<'t, 'a>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for index in 1..=tokens.len() {
        if index == tokens.len() || tokens[index].breaks > 0 {
            lines.push(Line {
                tokens: &tokens[start..index],
                blank_before: start > 0 && tokens[start].breaks > 1,
            });
            start = index;
        }
    }
    lines
}

fn is_opener(token: &Token<'_>) -> bool {
    token.kind == Kind::Punct && matches!(token.text, "{" | "(" | "[")
}

fn is_closer(token: &Token<'_>) -> bool {
    token.kind == Kind::Punct && matches!(token.text, "}" | ")" | "]")
}

fn is_minus(token: &Token<'_>) -> bool {
    token.kind == Kind::Punct && token.text == "-"
}

fn is_comment(token: &Token<'_>) -> bool {
    matches!(token.kind, Kind::LineComment | Kind::BlockComment)
}

fn is_keyword(token: &Token<'_>) -> bool {
    token.kind == Kind::Word && KEYWORDS.contains(&token.text)
}

/// The line after a line ending with this token carries on its expression.
fn goes_on(last: &Token<'_>) -> bool {
    (last.kind == Kind::Punct && BINARY.contains(&last.text))
        || (last.kind == Kind::Word && matches!(last.text, "and" | "or" | "not"))
}

/// A line starting with this token carries on the line before.
fn starts_on(first: &Token<'_>) -> bool {
    (first.kind == Kind::Punct
        && !is_minus(first)
        && (BINARY.contains(&first.text) || matches!(first.text, "." | "..")))
        || (first.kind == Kind::Word && matches!(first.text, "and" | "or"))
}

/// After this token, a `-` negates rather than subtracts.
fn operator_context(before: Option<&Token<'_>>) -> bool {
    match before {
        None => true,
        Some(token) => match token.kind {
            Kind::Punct => !matches!(token.text, ")" | "]" | "}" | "$" | "?"),
            Kind::Word => is_keyword(token) && !matches!(token.text, "none" | "true" | "false"),
            Kind::LineComment | Kind::BlockComment => true,
            Kind::Number | Kind::Text | Kind::Filter => false,
        },
    }
}

/// Whether one space goes between two tokens on a line.
fn spaced(before: &Token<'_>, after: &Token<'_>) -> bool {
    if is_comment(after) || before.kind == Kind::BlockComment {
        return true;
    }
    let punct = |token: &Token<'_>, texts: &[&str]| token.kind == Kind::Punct && texts.contains(&token.text);
    if punct(after, &[",", ")", "]", ".", "..", ":", "?"]) {
        return false;
    }
    if punct(before, &["(", "[", ".", "..", "..."]) {
        return false;
    }
    // `name(` and `value[`: a call and an index; `if (` and `in [` keep
    // their space.
    let postfix_of = |token: &Token<'_>| match token.kind {
        Kind::Word => !is_keyword(token) || token.text == "exists",
        Kind::Text | Kind::Filter => true,
        Kind::Punct => matches!(token.text, ")" | "]" | "$"),
        _ => false,
    };
    if punct(after, &["("]) {
        return !(before.kind == Kind::Word && postfix_of(before));
    }
    if punct(after, &["["]) || after.kind == Kind::Filter {
        return !postfix_of(before);
    }
    if punct(before, &["{"]) && punct(after, &["}"]) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokens;
    use super::layout;

    fn laid_out(text: &str) -> String {
        layout(&tokens(text))
    }

    #[test]
    fn brackets_opened_together_indent_once() {
        assert_eq!(
            laid_out("let a = [{\nx = 1\n}]\nlet b = f(\ng(\n1))"),
            "let a = [{\n  x = 1\n}]\nlet b = f(\n  g(\n    1))\n"
        );
    }

    #[test]
    fn a_line_that_carries_on_goes_one_level_deeper() {
        assert_eq!(
            laid_out("let a = b\n?? c\nlet d = e -\nf\nlet g = h\n- i\nlet j = [\n-1,\n-2]"),
            "let a = b\n  ?? c\nlet d = e -\n  f\nlet g = h\n  - i\nlet j = [\n  -1,\n  -2]\n"
        );
    }

    #[test]
    fn comments_keep_their_place_and_blank_lines_shrink() {
        assert_eq!(
            laid_out(
                "\n\nflow x {\n\n\n  // first\n  let a = 1   // why  \n\n\n\n  let b = 2\n      // last\n\n}\n\n\n"
            ),
            "flow x {\n  // first\n  let a = 1 // why\n\n  let b = 2\n  // last\n}\n"
        );
    }

    #[test]
    fn calls_indexes_and_keywords_before_brackets() {
        assert_eq!(
            laid_out("if(a)and not(b) in[1] f (x) [0] $ [0] exists ($.a)"),
            "if (a) and not (b) in [1] f(x)[0] $[0] exists($.a)\n"
        );
    }

    #[test]
    fn an_empty_file_stays_empty() {
        assert_eq!(laid_out(""), "");
        assert_eq!(laid_out("\n\n  \n"), "");
    }
}
