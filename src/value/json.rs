//! JSON in and out, exactly.
//!
//! Reading uses hifijson's lexer, which hands over every number as its text:
//! integers become `Int` (or `Decimal` past 64 bits) and every other number a
//! `Decimal` with the scale it was written with. Text without escapes is
//! borrowed from the input. A [`Projection`] lets the reader skip the parts of
//! a record a flow never reads, without building them.
//!
//! Writing prints decimals as written (`12.50` stays `12.50`), dates as
//! ISO 8601 text and date-times as RFC 3339 text.

use std::borrow::Cow;
use std::io::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use chrono::SecondsFormat;
use hifijson::token::Lex as _;
use hifijson::{SliceLexer, num::Lex as _, num::LexWrite as _, str::Lex as _, str::LexAlloc as _};
use rust_decimal::Decimal;

use super::{Object, Text, Value};

/// How deeply arrays and objects may nest in one input document.
pub const MAX_DEPTH: usize = 128;

/// Which parts of a document are read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Projection {
    /// Everything below this point.
    #[default]
    All,
    /// Of an object, only these fields (each with what is read below it); of
    /// a list, the same for every element. Anything else is kept as it is.
    Fields(Vec<(String, Projection)>),
}

impl Projection {
    /// Widens `self` so that it also reads what `other` reads.
    pub fn merge(&mut self, other: Projection) {
        match (&mut *self, other) {
            (Projection::All, _) => {}
            (_, Projection::All) => *self = Projection::All,
            (Projection::Fields(mine), Projection::Fields(theirs)) => {
                for (name, projection) in theirs {
                    match mine.iter_mut().find(|(field, _)| *field == name) {
                        Some((_, existing)) => existing.merge(projection),
                        None => mine.push((name, projection)),
                    }
                }
            }
        }
    }

    fn field(&self, name: &str) -> Option<&Projection> {
        match self {
            Projection::All => Some(&Projection::All),
            Projection::Fields(fields) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, p)| p),
        }
    }
}

/// A document that is not valid JSON, or that flowc cannot represent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct JsonError {
    /// Byte offset in the document where the problem was found.
    pub offset: usize,
    pub message: String,
}

/// Reads one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value<'_>, JsonError> {
    parse_projected(text, &Projection::All)
}

/// Reads one JSON document, building only what `projection` reads.
pub fn parse_projected<'a>(text: &'a str, projection: &Projection) -> Result<Value<'a>, JsonError> {
    read_document(text, projection).map_err(|mut error| {
        if error.offset >= text.trim_end().len() && !text.trim().is_empty() {
            error.message = "the JSON ends before the value is complete".to_string();
        }
        error
    })
}

fn read_document<'a>(text: &'a str, projection: &Projection) -> Result<Value<'a>, JsonError> {
    let mut lexer = SliceLexer::new(text.as_bytes());
    let at = Offsets { len: text.len() };
    let Some(next) = lexer.ws_peek() else {
        return Err(at.error(&lexer, "expected a JSON value, found nothing"));
    };
    let value = read_value(&mut lexer, at, next, projection, 0)?;
    match lexer.ws_peek() {
        None => Ok(value),
        Some(_) => Err(at.error(&lexer, "unexpected text after the JSON value")),
    }
}

/// Turns the lexer's position into a byte offset for error messages.
#[derive(Clone, Copy)]
struct Offsets {
    len: usize,
}

impl Offsets {
    fn error(self, lexer: &SliceLexer<'_>, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: self.len - lexer.as_slice().len(),
            message: message.into(),
        }
    }

    fn lex_error(self, lexer: &SliceLexer<'_>, error: impl Into<hifijson::Error>) -> JsonError {
        self.error(lexer, describe(&error.into()))
    }
}

type Lexer<'a> = SliceLexer<'a>;

fn read_value<'a>(
    lexer: &mut Lexer<'a>,
    at: Offsets,
    next: u8,
    projection: &Projection,
    depth: usize,
) -> Result<Value<'a>, JsonError> {
    match next {
        b'a'..=b'z' => match lexer.null_or_bool() {
            Some(None) => Ok(Value::Null),
            Some(Some(b)) => Ok(Value::Bool(b)),
            None => Err(at.error(lexer, "expected a JSON value")),
        },
        b'0'..=b'9' | b'-' => {
            let start = at.len - lexer.as_slice().len();
            let (digits, parts) = lexer
                .num_string()
                .validated()
                .map_err(|e| at.lex_error(lexer, e))?;
            number(digits, !parts.dot && !parts.exp, parts.exp).ok_or_else(|| JsonError {
                offset: start,
                message: format!("the number {digits} has more digits than a decimal holds (28)"),
            })
        }
        b'"' => {
            let text = lexer
                .discarded()
                .str_string()
                .map_err(|e| at.lex_error(lexer, e))?;
            Ok(Value::Text(text_of(text)))
        }
        b'[' => {
            let depth = deeper(lexer, at, depth)?;
            let mut items = Vec::new();
            lexer
                .discarded()
                .seq(b']', Lexer::ws_peek, |next, lexer| {
                    items.push(
                        read_value(lexer, at, next, projection, depth).map_err(Failure::Json)?,
                    );
                    Ok::<_, Failure>(())
                })
                .map_err(|failure| failure.into_json(lexer, at))?;
            Ok(Value::List(Arc::new(items)))
        }
        b'{' => {
            let depth = deeper(lexer, at, depth)?;
            let mut object = Object::new();
            lexer
                .discarded()
                .seq(b'}', Lexer::ws_peek, |next, lexer| {
                    let key = read_key(lexer, at, next).map_err(Failure::Json)?;
                    let next = lexer.ws_peek().ok_or_else(|| {
                        Failure::Json(at.error(lexer, "expected a value after `:`"))
                    })?;
                    match projection.field(&key) {
                        Some(below) => {
                            let value =
                                read_value(lexer, at, next, below, depth).map_err(Failure::Json)?;
                            object.push(text_of(key), value);
                        }
                        None => skip_value(lexer, at, next, depth).map_err(Failure::Json)?,
                    }
                    Ok::<_, Failure>(())
                })
                .map_err(|failure| failure.into_json(lexer, at))?;
            Ok(Value::Object(Arc::new(object)))
        }
        _ => Err(at.error(lexer, "expected a JSON value")),
    }
}

/// A field name and the `:` after it.
fn read_key<'a>(lexer: &mut Lexer<'a>, at: Offsets, next: u8) -> Result<Cow<'a, str>, JsonError> {
    if next != b'"' {
        return Err(at.error(lexer, "expected a field name in double quotes"));
    }
    let key = lexer
        .discarded()
        .str_string()
        .map_err(|e| at.lex_error(lexer, e))?;
    if lexer.expect(Lexer::ws_peek, b':').is_none() {
        return Err(at.error(lexer, "expected `:` after the field name"));
    }
    Ok(key)
}

/// Reads past a value without building it, still checking that it is JSON
/// (and not nested too deeply).
fn skip_value(lexer: &mut Lexer<'_>, at: Offsets, next: u8, depth: usize) -> Result<(), JsonError> {
    match next {
        b'a'..=b'z' => lexer
            .null_or_bool()
            .map(|_| ())
            .ok_or_else(|| at.error(lexer, "expected a JSON value")),
        b'0'..=b'9' | b'-' => lexer
            .num_ignore()
            .validate()
            .map(|_| ())
            .map_err(|e| at.lex_error(lexer, e)),
        b'"' => lexer
            .discarded()
            .str_ignore()
            .map_err(|e| at.lex_error(lexer, e)),
        b'[' | b'{' => {
            let depth = deeper(lexer, at, depth)?;
            let is_object = next == b'{';
            let end = if is_object { b'}' } else { b']' };
            lexer
                .discarded()
                .seq(end, Lexer::ws_peek, |mut next, lexer| {
                    if is_object {
                        if next != b'"' {
                            return Err(Failure::Json(
                                at.error(lexer, "expected a field name in double quotes"),
                            ));
                        }
                        lexer
                            .discarded()
                            .str_ignore()
                            .map_err(|e| Failure::Json(at.lex_error(lexer, e)))?;
                        if lexer.expect(Lexer::ws_peek, b':').is_none() {
                            return Err(Failure::Json(
                                at.error(lexer, "expected `:` after the field name"),
                            ));
                        }
                        next = lexer.ws_peek().ok_or_else(|| {
                            Failure::Json(at.error(lexer, "expected a value after `:`"))
                        })?;
                    }
                    skip_value(lexer, at, next, depth).map_err(Failure::Json)
                })
                .map_err(|failure| failure.into_json(lexer, at))
        }
        _ => Err(at.error(lexer, "expected a JSON value")),
    }
}

fn deeper(lexer: &Lexer<'_>, at: Offsets, depth: usize) -> Result<usize, JsonError> {
    if depth >= MAX_DEPTH {
        return Err(at.error(
            lexer,
            format!("arrays and objects nest more than {MAX_DEPTH} levels deep"),
        ));
    }
    Ok(depth + 1)
}

/// What went wrong inside hifijson's `seq`: our own error, or its token error.
enum Failure {
    Json(JsonError),
    Token(hifijson::Expect),
}

impl From<hifijson::Expect> for Failure {
    fn from(expect: hifijson::Expect) -> Self {
        Failure::Token(expect)
    }
}

impl Failure {
    fn into_json(self, lexer: &Lexer<'_>, at: Offsets) -> JsonError {
        match self {
            Failure::Json(error) => error,
            Failure::Token(expect) => at.lex_error(lexer, expect),
        }
    }
}

fn text_of(text: Cow<'_, str>) -> Text<'_> {
    match text {
        Cow::Borrowed(text) => Text::Borrowed(text),
        Cow::Owned(text) => Text::from(text),
    }
}

/// A JSON number from its text: an `Int` when it is whole and fits, else an
/// exact `Decimal`; `None` when it has more digits than a decimal holds.
fn number(digits: &str, is_integer: bool, has_exponent: bool) -> Option<Value<'static>> {
    if is_integer && let Ok(int) = i64::from_str(digits) {
        return Some(Value::Int(int));
    }
    let decimal = if has_exponent {
        Decimal::from_scientific(digits).ok()
    } else {
        Decimal::from_str_exact(digits).ok()
    };
    decimal.map(Value::Decimal)
}

fn describe(error: &hifijson::Error) -> String {
    use hifijson::{Error, Expect, num, str};
    match error {
        Error::Depth => format!("arrays and objects nest more than {MAX_DEPTH} levels deep"),
        Error::Num(num::Error::ExpectedDigit) => "a number is missing a digit".into(),
        Error::Str(str::Error::Control) => "a control character must be escaped inside text".into(),
        Error::Str(str::Error::Eof) => "text is not closed with `\"`".into(),
        Error::Str(str::Error::Utf8(_)) => "text is not valid UTF-8".into(),
        Error::Str(str::Error::Escape(_)) => "an escape sequence in text is not valid".into(),
        Error::Token(Expect::Value) => "expected a JSON value".into(),
        Error::Token(Expect::ValueOrEnd) => {
            "expected a value or the end of the list or object".into()
        }
        Error::Token(Expect::CommaOrEnd) => "expected `,` or the end of the list or object".into(),
        Error::Token(Expect::String) => "expected a field name in double quotes".into(),
        Error::Token(Expect::Colon) => "expected `:` after the field name".into(),
        Error::Token(Expect::Eof) => "unexpected text after the JSON value".into(),
    }
}

// ---------------------------------------------------------------- writing

/// Appends the compact JSON form of `value` to `out`.
pub fn write(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(int) => out.extend_from_slice(itoa::Buffer::new().format(*int).as_bytes()),
        Value::Decimal(decimal) => {
            // Display keeps the scale; writing into a Vec cannot fail.
            let _ = write!(out, "{decimal}");
        }
        Value::Float(float) if float.is_finite() => {
            out.extend_from_slice(ryu::Buffer::new().format_finite(*float).as_bytes())
        }
        Value::Float(_) => out.extend_from_slice(b"null"),
        Value::Text(text) => write_text(text, out),
        Value::Date(date) => {
            let _ = write!(out, "\"{}\"", date.format("%Y-%m-%d"));
        }
        Value::DateTime(datetime) => {
            write_text(&datetime.to_rfc3339_opts(SecondsFormat::AutoSi, true), out);
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::Object(object) => {
            out.push(b'{');
            for (i, (key, value)) in object.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_text(key, out);
                out.push(b':');
                write(value, out);
            }
            out.push(b'}');
        }
    }
}

/// Appends `text` as a JSON string, escaped.
pub fn write_text(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1F => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(out, "\\u{byte:04x}");
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The compact JSON form of `value`.
pub fn to_string(value: &Value<'_>) -> String {
    let mut out = Vec::new();
    write(value, &mut out);
    String::from_utf8(out).expect("JSON output is UTF-8")
}

/// The JSON form of `value` with every object's fields sorted by name and
/// indented by two spaces: two values are the same document exactly when
/// their canonical forms are equal (numbers keep their written scale).
pub fn to_canonical_pretty(value: &Value<'_>) -> String {
    to_string_pretty(&sorted(value))
}

fn sorted(value: &Value<'_>) -> Value<'static> {
    match value {
        Value::Object(object) => {
            let mut fields: Vec<(&str, &Value<'_>)> = object.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = Object::with_capacity(fields.len());
            for (name, value) in fields {
                out.push(name.to_string(), sorted(value));
            }
            Value::object(out)
        }
        Value::List(items) => Value::list(items.iter().map(sorted).collect()),
        other => other.clone().into_owned(),
    }
}

/// The JSON form of `value`, indented by two spaces, for people to read.
pub fn to_string_pretty(value: &Value<'_>) -> String {
    let mut out = Vec::new();
    write_pretty(value, 0, &mut out);
    String::from_utf8(out).expect("JSON output is UTF-8")
}

fn write_pretty(value: &Value<'_>, indent: usize, out: &mut Vec<u8>) {
    let pad = |out: &mut Vec<u8>, n: usize| out.extend(std::iter::repeat_n(b' ', n));
    match value {
        Value::List(items) if !items.is_empty() => {
            out.extend_from_slice(b"[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, indent + 2);
                write_pretty(item, indent + 2, out);
                out.extend_from_slice(if i + 1 < items.len() { b",\n" } else { b"\n" });
            }
            pad(out, indent);
            out.push(b']');
        }
        Value::Object(object) if !object.is_empty() => {
            out.extend_from_slice(b"{\n");
            for (i, (key, value)) in object.iter().enumerate() {
                pad(out, indent + 2);
                write_text(key, out);
                out.extend_from_slice(b": ");
                write_pretty(value, indent + 2, out);
                out.extend_from_slice(if i + 1 < object.len() { b",\n" } else { b"\n" });
            }
            pad(out, indent);
            out.push(b'}');
        }
        _ => write(value, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        to_string(&parse(text).unwrap())
    }

    #[test]
    fn numbers_are_exact_and_keep_their_scale() {
        assert_eq!(round_trip("12.50"), "12.50");
        assert_eq!(round_trip("0.1"), "0.1");
        assert_eq!(round_trip("-0.000001"), "-0.000001");
        assert_eq!(round_trip("9223372036854775807"), "9223372036854775807");
        // Past i64: an exact decimal, not a float.
        assert_eq!(round_trip("9223372036854775808"), "9223372036854775808");
        assert_eq!(round_trip("1.5e3"), "1500");
        assert!(matches!(parse("42").unwrap(), Value::Int(42)));
        assert!(matches!(parse("42.0").unwrap(), Value::Decimal(_)));
    }

    #[test]
    fn numbers_beyond_a_decimal_are_refused_not_rounded() {
        let error = parse("1.00000000000000000000000000000001").unwrap_err();
        assert!(error.message.contains("more digits"), "{error}");
    }

    #[test]
    fn text_is_borrowed_unless_escaped() {
        let input = r#"{"a": "plain", "b": "esc\"aped"}"#;
        let value = parse(input).unwrap();
        assert!(matches!(
            value.get("a"),
            Some(Value::Text(Text::Borrowed("plain")))
        ));
        assert!(matches!(value.get("b"), Some(Value::Text(Text::Shared(_)))));
        assert_eq!(value.get("b").unwrap().as_str(), Some("esc\"aped"));
    }

    #[test]
    fn writes_escapes_and_control_characters() {
        let value = Value::text("a\"b\\c\nd\u{1}é");
        assert_eq!(to_string(&value), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn errors_name_the_offset() {
        let error = parse(r#"{"a": 1,}"#).unwrap_err();
        assert_eq!(error.offset, 8);
        assert!(parse("[1] 2").is_err());
        assert!(parse("").is_err());
        assert!(parse("\"open").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let error = parse(&deep).unwrap_err();
        assert!(error.message.contains("nest"), "{error}");
        let skipped = format!("{{\"keep\": 1, \"skip\": {deep}}}");
        let only_keep = Projection::Fields(vec![("keep".into(), Projection::All)]);
        assert!(
            parse_projected(&skipped, &only_keep).is_err(),
            "skipping checks depth too"
        );
    }

    #[test]
    fn projection_builds_only_what_is_read() {
        let input = r#"{"id": 1, "customer": {"email": "a@b", "name": "x"}, "rows": [{"sku": "A", "qty": 2}], "big": [1,2,3]}"#;
        let projection = Projection::Fields(vec![
            ("id".into(), Projection::All),
            (
                "customer".into(),
                Projection::Fields(vec![("email".into(), Projection::All)]),
            ),
            (
                "rows".into(),
                Projection::Fields(vec![("sku".into(), Projection::All)]),
            ),
        ]);
        let value = parse_projected(input, &projection).unwrap();
        assert_eq!(
            to_string(&value),
            r#"{"id":1,"customer":{"email":"a@b"},"rows":[{"sku":"A"}]}"#
        );
        // Skipped parts are still checked for validity.
        assert!(parse_projected(r#"{"id": 1, "big": [1,,2]}"#, &projection).is_err());
    }

    #[test]
    fn pretty_output_indents() {
        let value = parse(r#"{"a":[1,{"b":null}],"c":{}}"#).unwrap();
        assert_eq!(
            to_string_pretty(&value),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {}\n}"
        );
    }
}
