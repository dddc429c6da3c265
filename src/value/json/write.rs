//! Writing values as JSON.

use std::io::Write as _;

use chrono::SecondsFormat;

use crate::value::{Object, Value};

/// Appends the compact JSON form of `value` to `out`.
pub fn write(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(int) => out.extend_from_slice(itoa::Buffer::new().format(*int).as_bytes()),
        Value::Decimal(decimal) => write_decimal(decimal, out),
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

/// Appends a decimal exactly as it is, scale included (`12.50`).
pub fn write_decimal(decimal: &rust_decimal::Decimal, out: &mut Vec<u8>) {
    let mantissa = decimal.mantissa();
    let scale = decimal.scale() as usize;
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut buffer = itoa::Buffer::new();
    // Money fits 64 bits; formatting 128 bits is much slower.
    let digits = match u64::try_from(mantissa.unsigned_abs()) {
        Ok(small) => buffer.format(small),
        Err(_) => buffer.format(mantissa.unsigned_abs()),
    }
    .as_bytes();
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(fraction);
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', scale - digits.len()));
        out.extend_from_slice(digits);
    }
}

/// Appends `text` as a JSON string, escaped.
pub fn write_text(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    if super::scan::find_special(bytes, 0) == bytes.len() {
        // Nothing to escape (most text): one reservation, one copy.
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    write_escaped(text, out);
    out.push(b'"');
}

/// Appends `text` escaped as inside a JSON string, without the quotes: a
/// string written in parts.
pub fn write_escaped(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let at = super::scan::find_special(bytes, start);
        out.extend_from_slice(&bytes[start..at]);
        let Some(&byte) = bytes.get(at) else { break };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                let _ = write!(out, "\\u{byte:04x}");
            }
        }
        start = at + 1;
    }
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
