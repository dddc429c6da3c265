//! Turns a pest error into a syntax diagnostic in plain words: what was found,
//! what could have come there instead, and a help line where a likely fix is
//! known. Grammar rule names never reach the user.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::Rule;
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// One thing the parser could have accepted, in the user's terms.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Expect {
    /// A closing or separating token such as `}` or `,`: named first.
    Token(&'static str),
    Keyword(&'static str),
    Expression,
    Operator,
    Name,
    FieldName,
    Field,
    Statement,
    Item,
    Type,
    Entity,
    Text,
    Number,
    Key,
    Arm,
    End,
}

impl Expect {
    fn words(&self) -> String {
        match self {
            Expect::Token(token) => format!("`{token}`"),
            Expect::Keyword(keyword) => format!("`{keyword}`"),
            Expect::Expression => "an expression".into(),
            Expect::Operator => "an operator".into(),
            Expect::Name => "a name".into(),
            Expect::FieldName => "a field name".into(),
            Expect::Field => "a field such as `Name = ...`".into(),
            Expect::Statement => "a statement (`let`, `when`, `create`, ...)".into(),
            Expect::Item => "`import`, `setting`, `table`, `fn` or `flow`".into(),
            Expect::Type => "a type such as `text`, `int` or `decimal`".into(),
            Expect::Entity => "an entity such as `eaccounting.customers`".into(),
            Expect::Text => "text in double quotes".into(),
            Expect::Number => "a number".into(),
            Expect::Key => "a key such as `Number == $.sku`".into(),
            Expect::Arm => "an arm such as `\"a\" => 1`".into(),
            Expect::End => "the end of the file".into(),
        }
    }

    /// Things an expression can start with; implied when an expression is expected.
    fn starts_expression(&self) -> bool {
        matches!(
            self,
            Expect::Name
                | Expect::Text
                | Expect::Number
                | Expect::Token("(" | "[" | "{" | "\"" | "-" | "$")
                | Expect::Keyword(
                    "if" | "for"
                        | "match"
                        | "lookup"
                        | "require"
                        | "each"
                        | "create"
                        | "upsert"
                        | "update"
                        | "not"
                        | "none"
                        | "true"
                        | "false"
                )
        )
    }

    /// Things a field in a record body can start with.
    fn starts_field(&self) -> bool {
        matches!(
            self,
            Expect::FieldName | Expect::Text | Expect::Token("\"" | "...") | Expect::Keyword("if" | "let" | "create")
        )
    }

    fn starts_statement(&self) -> bool {
        matches!(
            self,
            Expect::Keyword(
                "source"
                    | "target"
                    | "setting"
                    | "table"
                    | "fn"
                    | "when"
                    | "let"
                    | "skip"
                    | "require"
                    | "if"
                    | "emit"
                    | "create"
                    | "upsert"
                    | "update"
            )
        )
    }
}

/// What the user is told was expected, for a rule the parser tried; `None`
/// for rules that are details of another rule.
fn from_rule(rule: Rule) -> Option<Expect> {
    use Rule::*;
    Some(match rule {
        expr | operand | group | record_root | primary_like!() => Expect::Expression,
        ident | callee | param | lambda => Expect::Name,
        ident_any | field_name | field_path => Expect::FieldName,
        plain_string | string | raw_string => Expect::Text,
        number => Expect::Number,
        type_expr | type_name => Expect::Type,
        entity_ref => Expect::Entity,
        record_body | object => Expect::Token("{"),
        arm | patterns | pattern | wildcard_pattern => Expect::Arm,
        or | and | eq | ne | le | ge | lt | gt | coalesce | add | sub | mul | div | rem | member | descendant
        | wildcard | index | filter_index => Expect::Operator,
        key_match => Expect::Key,
        key_compare => Expect::Operator,
        where_clause | kw_where => Expect::Keyword("where"),
        fn_body => Expect::Token("="),
        statement_like!() | lone_statement => Expect::Statement,
        field | body_if | body_let | create_only | spread | lone_body_item => Expect::Field,
        import | setting | table | function | flow | lone_item => Expect::Item,
        kw_and => Expect::Operator,
        kw_or => Expect::Operator,
        kw_as => Expect::Keyword("as"),
        kw_create => Expect::Keyword("create"),
        kw_each => Expect::Keyword("each"),
        kw_else => Expect::Keyword("else"),
        kw_exists => Expect::Keyword("exists"),
        kw_if => Expect::Keyword("if"),
        kw_in => Expect::Keyword("in"),
        kw_only => Expect::Keyword("only"),
        kw_update => Expect::Keyword("update"),
        EOI => Expect::End,
        _ => return None,
    })
}

macro_rules! primary_like {
    () => {
        Rule::none
            | Rule::boolean
            | Rule::date
            | Rule::datetime
            | Rule::if_expr
            | Rule::match_expr
            | Rule::for_expr
            | Rule::lookup_expr
            | Rule::call
            | Rule::list
            | Rule::not
            | Rule::neg
    };
}
use primary_like;

macro_rules! statement_like {
    () => {
        Rule::source_decl
            | Rule::target_decl
            | Rule::when_stmt
            | Rule::let_stmt
            | Rule::skip_stmt
            | Rule::require_stmt
            | Rule::if_stmt
            | Rule::emit_stmt
            | Rule::create_expr
            | Rule::upsert_expr
            | Rule::update_expr
    };
}
use statement_like;

/// Literal tokens worth naming (pest shows a token as its literal text).
fn from_token(token: &str) -> Option<Expect> {
    Some(match token {
        "{" => Expect::Token("{"),
        "}" => Expect::Token("}"),
        "(" => Expect::Token("("),
        ")" => Expect::Token(")"),
        "[" | "." | ".." => Expect::Operator,
        "]" => Expect::Token("]"),
        "," => Expect::Token(","),
        ":" => Expect::Token(":"),
        "=" => Expect::Token("="),
        "=>" => Expect::Token("=>"),
        "->" => Expect::Token("->"),
        "\"" => Expect::Token("\""),
        "..." => Expect::Token("..."),
        "==" | "!=" | "<" | "<=" | ">" | ">=" | "??" | "+" | "-" | "*" | "/" | "%" | "and" | "or" => Expect::Operator,
        _ => return None,
    })
}

/// Keeps the list short: what an expression, a field or a statement implies
/// is not listed beside it.
fn simplify(mut expected: BTreeSet<Expect>) -> BTreeSet<Expect> {
    if expected.contains(&Expect::Expression) {
        // `-` and `not` begin an expression here; they are not operators.
        expected.retain(|e| !e.starts_expression() && *e != Expect::Operator);
    }
    if expected.contains(&Expect::Field) {
        expected.retain(|e| !e.starts_field());
    }
    if expected.contains(&Expect::Statement) {
        expected.retain(|e| !e.starts_statement());
    }
    if expected.len() > 1 {
        expected.remove(&Expect::End);
    }
    if expected.len() > 1 {
        expected.remove(&Expect::Item);
    }
    expected
}

/// What sits at `offset`, for "found ...".
fn describe_found(text: &str, offset: usize) -> String {
    let rest = &text[offset.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return "the end of the file".to_string();
    };
    if first == '\n' || first == '\r' {
        return "the end of the line".to_string();
    }
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        return format!("`{word}`");
    }
    for op in ["==", "!=", "<=", ">=", "=>", "->", "&&", "||", "??", "..."] {
        if rest.starts_with(op) {
            return format!("`{op}`");
        }
    }
    format!("`{first}`")
}

fn token_len(text: &str, offset: usize) -> usize {
    let rest = &text[offset.min(text.len())..];
    match rest.chars().next() {
        None | Some('\n') | Some('\r') => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i),
        Some(c) => {
            for op in ["==", "!=", "<=", ">=", "=>", "->", "&&", "||", "??", "..."] {
                if rest.starts_with(op) {
                    return op.len();
                }
            }
            c.len_utf8()
        }
    }
}

/// The language's keywords: never a name of one's own.
pub const KEYWORDS: &[&str] = &[
    "and", "as", "create", "each", "else", "emit", "exists", "false", "flow", "fn", "for", "if", "import", "in", "let",
    "lookup", "match", "none", "not", "only", "or", "require", "setting", "skip", "source", "table", "target", "true",
    "unless", "update", "upsert", "when", "where",
];

/// A help line for mistakes whose fix is known from what was found.
fn help_for(text: &str, offset: usize, expected: &[String]) -> Option<String> {
    let rest = &text[offset.min(text.len())..];
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let expects_name = expected.iter().any(|e| e == "a name" || e == "a field name");
    if expects_name && KEYWORDS.contains(&word.as_str()) {
        return Some(format!("`{word}` is a keyword and cannot be used as a name here"));
    }
    if rest.starts_with("&&") {
        return Some("write `and` to combine conditions".into());
    }
    if rest.starts_with("||") {
        return Some("write `or` for either condition".into());
    }
    if rest.starts_with('!') && !rest.starts_with("!=") {
        return Some("write `not` to negate a condition".into());
    }
    if rest.starts_with('\'') {
        return Some("text is written in double quotes: \"like this\"".into());
    }
    let expects_operator = expected.iter().any(|e| e == "an operator");
    if expects_operator && rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>") {
        return Some("to compare two values, write `==`".into());
    }
    // `!=` is an operator everywhere but in a key of a `where`.
    if expects_operator && rest.starts_with("!=") {
        return Some(
            "a `where` key finds records by `==`, `<`, `<=`, `>` or `>=`; to leave some out, filter what `lookup all` gives"
                .into(),
        );
    }
    if rest.trim().is_empty() && expected.len() == 1 && expected[0].len() == 3 {
        return Some(format!("a bracket is not closed; add the matching {}", expected[0]));
    }
    if word == "let" && expected.iter().any(|e| e.starts_with("`import`")) {
        return Some("`let` belongs inside a flow or a function body".into());
    }
    if rest.starts_with("null") && expected.iter().any(|e| e == "an expression") {
        return Some("the empty value is written `none`".into());
    }
    None
}

/// The diagnostic for a pest error in `text`, a whole file or (when
/// `is_piece`) a piece of one that was re-parsed on its own.
pub fn syntax_error(error: &Error<Rule>, text: &str, is_piece: bool) -> Diagnostic {
    let offset = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };

    if let ErrorVariant::CustomError { message } = &error.variant {
        // pest's own stack guard; the nesting pre-check normally fires first.
        return Diagnostic::new(codes::NESTING_TOO_DEEP, Span::new(offset, offset), message.clone())
            .help("move the inner part into a `let` or a function");
    }

    let mut expected = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        expected.extend(positives.iter().filter_map(|rule| from_rule(*rule)));
    }
    if let Some(attempts) = error.parse_attempts() {
        let tokens = attempts.expected_tokens().into_iter().map(|token| token.to_string());
        expected.extend(tokens.filter_map(|token| from_token(&token)));
    }
    let unclosed = unclosed_bracket(text, offset);
    if let Some(open) = unclosed.filter(|_| !expected.contains(&Expect::Expression)) {
        // At the end of the text inside an open bracket, its closing bracket
        // is what is missing, whatever else might also have fitted.
        let closing = match text.as_bytes()[open] {
            b'(' => ")",
            b'[' => "]",
            _ => "}",
        };
        expected = BTreeSet::from([Expect::Token(closing)]);
    }
    let expected: Vec<String> = simplify(expected).iter().map(Expect::words).collect();

    let mut found = describe_found(text, offset);
    if is_piece && offset >= text.len() {
        found = "the end of the line".to_string();
    }
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    let len = token_len(text, offset);
    let mut diagnostic = Diagnostic::new(codes::SYNTAX, Span::new(offset, offset + len), message).label(if len == 0 {
        "here"
    } else {
        "unexpected"
    });
    if let Some(help) = help_for(text, offset, &expected) {
        diagnostic = diagnostic.help(help);
    }
    if let Some(open) = unclosed {
        diagnostic = diagnostic.with_secondary(Span::new(open, open + 1), "this bracket is not closed");
    }
    diagnostic
}

/// When the text ends inside brackets, the last one left open.
fn unclosed_bracket(text: &str, offset: usize) -> Option<usize> {
    if offset < text.trim_end().len() {
        return None;
    }
    let mut open = Vec::new();
    let mut in_text = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (in_text, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"' | '\n') => in_text = false,
            (false, '"') => in_text = true,
            (false, '/') if chars.peek().map(|(_, c)| *c) == Some('/') => {
                while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                    chars.next();
                }
            }
            (false, '(' | '[' | '{') => open.push(i),
            (false, ')' | ']' | '}') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
