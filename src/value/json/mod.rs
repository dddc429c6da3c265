//! JSON in and out, exactly.
//!
//! Reading ([`parse`], [`parse_projected`], [`parse_gated`]) hands every
//! number over as its text: integers become `Int` (or `Decimal` past 64
//! bits) and every other number a `Decimal` with the scale it was written
//! with; nothing passes through `f64`. Text without escapes is borrowed from
//! the input. A [`Projection`] lets the reader skip the parts of a record a
//! flow never reads, without building them; a [`Gate`] lets it stop building
//! a record its flow's first filters do not want.
//!
//! Writing ([`write()`], [`to_string`]) prints decimals as written (`12.50`
//! stays `12.50`), dates as ISO 8601 text and date-times as RFC 3339 text.

mod projection;
mod read;
mod scan;
mod write;

pub use projection::{Fields, Gate, Projection};
pub use write::{to_canonical_pretty, to_string, to_string_pretty, write, write_escaped, write_text};

use super::{Object, Value};

/// How deeply arrays and objects may nest in one input document.
pub const MAX_DEPTH: usize = 128;

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
    read::document(text, projection).map_err(|error| at_end(text, error))
}

/// Reads one JSON document like [`parse_projected`], but as soon as the
/// fields of `gate` are read, asks `wanted` whether the record (the object
/// read so far, which it must leave as it found it; see
/// [`Object::lend_as_value`]) is wanted at all. `None` when it is not: the rest of the document is then
/// only checked to be JSON, not built. Should a field the gate reads come
/// twice in the document, it is read again without the gate (the last one
/// counts), so the answer is always the one the whole record gives.
pub fn parse_gated<'a>(
    text: &'a str,
    projection: &Projection,
    gate: &Gate,
    wanted: &mut dyn FnMut(&mut Object<'a>) -> bool,
) -> Result<Option<Value<'a>>, JsonError> {
    read::gated_document(text, projection, gate, wanted).map_err(|error| at_end(text, error))
}

/// Says so when an error is at the end of the text: the JSON is cut short.
fn at_end(text: &str, mut error: JsonError) -> JsonError {
    if error.offset >= text.trim_end().len() && !text.trim().is_empty() {
        error.message = "the JSON ends before the value is complete".to_string();
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Text;

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
        // A mantissa past 64 bits is printed in full too.
        assert_eq!(
            round_trip("1234567890123456789012345.678"),
            "1234567890123456789012345.678"
        );
        assert_eq!(
            round_trip("-0.0000000000000000000000000001"),
            "-0.0000000000000000000000000001"
        );
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
        assert!(matches!(value.get("a"), Some(Value::Text(Text::Borrowed("plain")))));
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
        let only_keep = Projection::fields(vec![("keep".into(), Projection::All)]);
        assert!(
            parse_projected(&skipped, &only_keep).is_err(),
            "skipping checks depth too"
        );
    }

    #[test]
    fn projection_builds_only_what_is_read() {
        let input =
            r#"{"id": 1, "customer": {"email": "a@b", "name": "x"}, "rows": [{"sku": "A", "qty": 2}], "big": [1,2,3]}"#;
        let projection = Projection::fields(vec![
            ("id".into(), Projection::All),
            (
                "customer".into(),
                Projection::fields(vec![("email".into(), Projection::All)]),
            ),
            ("rows".into(), Projection::fields(vec![("sku".into(), Projection::All)])),
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
    fn projection_reads_the_same_whatever_order_the_fields_come_in() {
        // One projection over records whose fields change order, repeat, are
        // escaped, or are prefixes of each other: it learns an order from
        // each record, and must never let that change what is read.
        let projection = Projection::fields(vec![
            ("id".into(), Projection::All),
            ("ids".into(), Projection::All),
            ("name".into(), Projection::All),
        ]);
        let records = [
            (
                r#"{"id": 1, "ids": [1], "name": "a", "other": 0}"#,
                r#"{"id":1,"ids":[1],"name":"a"}"#,
            ),
            (
                r#"{"name": "b", "other": 0, "id": 2, "ids": []}"#,
                r#"{"name":"b","id":2,"ids":[]}"#,
            ),
            (r#"{"ids": [3], "id": 3, "id": 4}"#, r#"{"ids":[3],"id":4}"#),
            (r#"{"i\u0064": 5, "idx": 6, "name\"": 7}"#, r#"{"id":5}"#),
            (
                r#"{"id": 1, "ids": [1], "name": "a"}"#,
                r#"{"id":1,"ids":[1],"name":"a"}"#,
            ),
            (r#"{"id":1,"name":"c","ids":[]}"#, r#"{"id":1,"name":"c","ids":[]}"#),
        ];
        for _ in 0..2 {
            for (input, read) in records {
                assert_eq!(
                    to_string(&parse_projected(input, &projection).unwrap()),
                    read,
                    "{input}"
                );
            }
        }
    }

    /// Reads `input` gated on `status`, wanting only `"paid"`: what was
    /// read (or `unwanted`), and what the gate was shown each time it was asked.
    fn gated(input: &str) -> (Result<String, JsonError>, Vec<String>) {
        let projection = Projection::fields(vec![
            ("id".into(), Projection::All),
            ("status".into(), Projection::All),
            ("rows".into(), Projection::fields(vec![("sku".into(), Projection::All)])),
        ]);
        let gate = Gate::new(&projection, ["status"]).unwrap();
        let mut shown = Vec::new();
        let read = parse_gated(input, &projection, &gate, &mut |record| {
            record.lend_as_value(|record| {
                shown.push(to_string(record));
                record.get("status").and_then(Value::as_str) == Some("paid")
            })
        });
        let read = read.map(|read| read.map_or("unwanted".into(), |value| to_string(&value)));
        (read, shown)
    }

    #[test]
    fn a_gate_is_asked_once_its_fields_are_read() {
        let (read, shown) = gated(r#"{"id": 1, "status": "paid", "rows": [{"sku": "A", "qty": 1}]}"#);
        assert_eq!(read.unwrap(), r#"{"id":1,"status":"paid","rows":[{"sku":"A"}]}"#);
        assert_eq!(shown, [r#"{"id":1,"status":"paid"}"#], "asked before `rows` was read");

        let (read, shown) = gated(r#"{"id": 2, "status": "open", "rows": [{"sku": "A"}]}"#);
        assert_eq!(read.unwrap(), "unwanted");
        assert_eq!(shown.len(), 1);

        // A record without the field is read whole; the gate is never asked.
        let (read, shown) = gated(r#"{"id": 3, "rows": []}"#);
        assert_eq!(read.unwrap(), r#"{"id":3,"rows":[]}"#);
        assert!(shown.is_empty());
    }

    #[test]
    fn an_unwanted_record_is_still_checked_to_be_json() {
        for bad in [
            r#"{"status": "open", "rows": [1,,2]}"#,
            r#"{"status": "open", "rows": "open"#,
            r#"{"status": "open"} trailing"#,
            r#"{"status": "open", "rows": [], }"#,
        ] {
            assert!(gated(bad).0.is_err(), "{bad}");
        }
    }

    #[test]
    fn a_gated_field_that_comes_again_is_read_without_the_gate() {
        // The last `status` counts: wanted after all, though the first said no.
        let (read, shown) = gated(r#"{"status": "open", "id": 4, "status": "paid"}"#);
        assert_eq!(read.unwrap(), r#"{"status":"paid","id":4}"#);
        assert_eq!(shown.len(), 1, "asked once, then read again whole");
        // And the other way round: wanted at first, then not.
        let (read, _) = gated(r#"{"status": "paid", "id": 5, "status": "open"}"#);
        assert_eq!(read.unwrap(), r#"{"status":"open","id":5}"#);
    }

    #[test]
    fn a_gate_needs_projected_top_level_fields() {
        let projection = Projection::fields(vec![("status".into(), Projection::All)]);
        assert!(Gate::new(&projection, ["status"]).is_some());
        assert!(Gate::new(&projection, ["missing"]).is_none());
        assert!(Gate::new(&Projection::All, ["status"]).is_none());
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
