//! Reading JSON text into values.
//!
//! The input is a `&str`, so it is already valid UTF-8: a string without
//! escapes is borrowed as it stands, found with one word-at-a-time scan, and
//! never validated again. Numbers keep their text until they become an exact
//! `Int` or `Decimal`. Fields a projection does not read are skipped without
//! building anything, but still checked to be JSON.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::scan::find_special;
use super::{Fields, Gate, JsonError, MAX_DEPTH, Projection};
use crate::value::{Object, Text, Value};

/// Reads one document (blank space around it allowed).
pub(super) fn document<'a>(text: &'a str, projection: &Projection) -> Result<Value<'a>, JsonError> {
    let mut reader = Reader::new(text)?;
    let value = reader.value(projection, 0)?;
    reader.end()?;
    Ok(value)
}

/// Reads one document like [`document`], but once the fields of `gate` are
/// read, asks `wanted` about the record so far; `None` when it is not
/// wanted (the rest of the document is then only checked to be JSON).
pub(super) fn gated_document<'a>(
    text: &'a str,
    projection: &Projection,
    gate: &Gate,
    wanted: Wanted<'_, 'a>,
) -> Result<Option<Value<'a>>, JsonError> {
    let mut reader = Reader::new(text)?;
    let value = match (reader.peek(), projection) {
        (Some(b'{'), Projection::Fields(_)) => reader.object(projection, 0, Some((gate, wanted)))?,
        _ => reader.value(projection, 0)?,
    };
    match reader.verdict {
        Verdict::Again => return document(text, projection).map(Some),
        Verdict::Unwanted => {
            reader.end()?;
            return Ok(None);
        }
        Verdict::Open => reader.end()?,
    }
    Ok(Some(value))
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// What the gate of a gated read decided.
    verdict: Verdict,
}

/// What the gate of a gated read decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Not asked (yet): the record is read whole.
    Open,
    /// The record is not wanted; the rest was checked, not built.
    Unwanted,
    /// A field the gate read came again later (the last one counts), so
    /// the answer may be wrong: the document must be read without the gate.
    Again,
}

/// Asks a gated read's question: is the record read so far wanted?
pub(super) type Wanted<'w, 'a> = &'w mut dyn FnMut(&mut Object<'a>) -> bool;

/// Past this many fields, a whole object's names are made unique once, at
/// its end, instead of by a search per field: wide objects cost time
/// linear in their fields.
const WIDE: usize = 32;

/// Adds a field to an object read whole. Out of line: inlined, it made the
/// reader's loop slower for the projected objects most records are.
#[inline(never)]
fn put_whole<'a>(object: &mut Object<'a>, key: Text<'a>, value: Value<'a>) {
    if object.len() < WIDE {
        object.insert(key, value);
    } else {
        object.push(key, value);
    }
}

/// Ends a wide object: one field per name, when it was read whole.
#[inline(never)]
fn end_whole(object: &mut Object<'_>, projection: &Projection) {
    if matches!(projection, Projection::All) {
        object.merge_repeated_names();
    }
}

impl<'a> Reader<'a> {
    /// A reader at the start of the document in `text`, which must not be blank.
    fn new(text: &'a str) -> Result<Reader<'a>, JsonError> {
        let mut reader = Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            verdict: Verdict::Open,
        };
        reader.blank();
        if reader.at == reader.bytes.len() {
            return Err(reader.error("expected a JSON value, found nothing"));
        }
        Ok(reader)
    }

    /// Checks that nothing but blank space follows the document.
    fn end(&mut self) -> Result<(), JsonError> {
        self.blank();
        if self.at < self.bytes.len() {
            return Err(self.error("unexpected text after the JSON value"));
        }
        Ok(())
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: self.at,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Consumes `byte` after blank space, or fails with `expected`.
    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), JsonError> {
        self.blank();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {expected}")))
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn deeper(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(format!("arrays and objects nest more than {MAX_DEPTH} levels deep")));
        }
        Ok(depth + 1)
    }

    fn value(&mut self, projection: &Projection, depth: usize) -> Result<Value<'a>, JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::Text),
            Some(b'0'..=b'9' | b'-') => self.number(),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'[') => {
                let depth = self.deeper(depth)?;
                self.at += 1;
                let mut items = Vec::with_capacity(4);
                self.blank();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::List(Arc::new(items)));
                }
                loop {
                    self.blank();
                    items.push(self.value(projection, depth)?);
                    self.blank();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::List(Arc::new(items)));
                        }
                        _ => return Err(self.error("expected `,` or the end of the list")),
                    }
                }
            }
            Some(b'{') => self.object(projection, depth, None),
            _ => Err(self.error("expected a JSON value")),
        }
    }

    /// Reads an object, building only the fields `projection` reads. With
    /// a `gate` (the record itself), asks once its fields are read whether
    /// the record is wanted, and if not only checks the rest.
    fn object(
        &mut self,
        projection: &Projection,
        depth: usize,
        mut gate: Option<(&Gate, Wanted<'_, 'a>)>,
    ) -> Result<Value<'a>, JsonError> {
        let depth = self.deeper(depth)?;
        self.at += 1;
        // A projected object holds at most its projected fields.
        let mut object = Object::with_capacity(match projection {
            Projection::All => 8,
            Projection::Fields(fields) => fields.len(),
        });
        // Which projected fields were read already, to keep names unique
        // cheaply (a repeated key replaces: the last one wins).
        let mut seen = 0u64;
        // The projected field read last, to expect the one after it.
        let mut previous = None;
        let gate_fields = gate.as_ref().map(|(fields, _)| *fields);
        self.ask(&mut gate, seen, &mut object);
        self.blank();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(Arc::new(object)));
        }
        loop {
            self.blank();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a field name in double quotes"));
            }
            match projection {
                Projection::All => {
                    let key = self.string()?;
                    self.colon()?;
                    let value = self.value(&Projection::All, depth)?;
                    put_whole(&mut object, key, value);
                }
                Projection::Fields(fields) => {
                    let (key, index) = self.projected_key(fields, previous)?;
                    self.colon()?;
                    match index {
                        Some(index) if self.verdict == Verdict::Open => {
                            // Plain text and whole numbers, most fields, are read
                            // here: built in place, they are not copied from stack
                            // slot to stack slot on their way into the object (such
                            // copies stall the processor). A helper function for
                            // this costs 0.5% more instructions.
                            let value = match self.peek() {
                                Some(b'"') => Value::Text(self.string()?),
                                Some(b'0'..=b'9') if let Some(int) = self.plain_int() => Value::Int(int),
                                _ => self.value(fields.below(index), depth)?,
                            };
                            previous = Some(index);
                            if index < 64 && seen & (1 << index) == 0 {
                                seen |= 1 << index;
                                object.push(key, value);
                            } else {
                                object.insert(key, value);
                            }
                            self.ask(&mut gate, seen, &mut object);
                        }
                        // Unwanted, but a field the gate read comes again.
                        Some(index) if gate_fields.is_some_and(|fields| fields.reads(index)) => {
                            self.verdict = Verdict::Again;
                            return Ok(Value::Null);
                        }
                        _ => self.skip(depth)?,
                    }
                }
            }
            self.blank();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    if object.len() > WIDE {
                        end_whole(&mut object, projection);
                    }
                    return Ok(Value::Object(Arc::new(object)));
                }
                _ => return Err(self.error("expected `,` or the end of the object")),
            }
        }
    }

    /// Asks the gate, once its fields are all read (`seen`), whether the
    /// record read so far into `object` is wanted; afterwards there is no
    /// gate left to ask.
    #[inline]
    fn ask(&mut self, gate: &mut Option<(&Gate, Wanted<'_, 'a>)>, seen: u64, object: &mut Object<'a>) {
        if let Some((fields, _)) = gate
            && fields.ready(seen)
        {
            self.ask_now(gate, object);
        }
    }

    /// Out of the reading loop: asked once per record.
    #[inline(never)]
    fn ask_now(&mut self, gate: &mut Option<(&Gate, Wanted<'_, 'a>)>, object: &mut Object<'a>) {
        let Some((_, wanted)) = gate.take() else { return };
        if !wanted(object) {
            self.verdict = Verdict::Unwanted;
        }
    }

    /// Reads a field name of a projected object, and which projected field
    /// it is. The name expected next is tried first, straight on the raw
    /// text; only when that fails is the name scanned and looked up.
    fn projected_key(
        &mut self,
        fields: &Fields,
        previous: Option<usize>,
    ) -> Result<(Text<'a>, Option<usize>), JsonError> {
        let expected = fields.expected(previous);
        let start = self.at + 1;
        if let Some(len) = fields.matches_raw(expected, &self.bytes[start..]) {
            self.at = start + len + 1;
            return Ok((Text::Borrowed(&self.text[start..start + len]), Some(expected as usize)));
        }
        if let Some(len) = fields.matches_skipped(previous, &self.bytes[start..]) {
            self.at = start + len + 1;
            return Ok((Text::Borrowed(&self.text[start..start + len]), None));
        }
        let key = self.string()?;
        let raw = &self.bytes[start..self.at - 1];
        let index = fields.find(&key, raw, previous);
        Ok((key, index))
    }

    /// The `:` after a field name, and the blank space around it.
    fn colon(&mut self) -> Result<(), JsonError> {
        // Compact JSON has the colon right after the name.
        if self.peek() == Some(b':') {
            self.at += 1;
        } else {
            self.expect(b':', "`:` after the field name")?;
        }
        self.blank();
        Ok(())
    }

    /// Reads past a value without building it.
    fn skip(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'0'..=b'9' | b'-') => self.number_text().map(|_| ()),
            Some(b'n') => self.literal("null", Value::Null).map(|_| ()),
            Some(b't') => self.literal("true", Value::Null).map(|_| ()),
            Some(b'f') => self.literal("false", Value::Null).map(|_| ()),
            Some(open @ (b'[' | b'{')) => {
                let depth = self.deeper(depth)?;
                let close = if open == b'[' { b']' } else { b'}' };
                self.at += 1;
                self.blank();
                if self.peek() == Some(close) {
                    self.at += 1;
                    return Ok(());
                }
                loop {
                    self.blank();
                    if open == b'{' {
                        if self.peek() != Some(b'"') {
                            return Err(self.error("expected a field name in double quotes"));
                        }
                        self.skip_string()?;
                        self.colon()?;
                    }
                    self.skip(depth)?;
                    self.blank();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(byte) if byte == close => {
                            self.at += 1;
                            return Ok(());
                        }
                        _ => {
                            let what = if open == b'[' { "list" } else { "object" };
                            return Err(self.error(format!("expected `,` or the end of the {what}")));
                        }
                    }
                }
            }
            _ => Err(self.error("expected a JSON value")),
        }
    }

    /// The end of the string whose opening quote is at `self.at`: the index
    /// of its closing quote, and whether it has escapes.
    fn string_end(&self) -> Result<(usize, bool), JsonError> {
        let mut from = self.at + 1;
        let mut escaped = false;
        loop {
            let at = find_special(self.bytes, from);
            match self.bytes.get(at) {
                Some(b'"') => return Ok((at, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    // Skip the escaped character (a `\"` does not end the text).
                    from = at + 2;
                    if from > self.bytes.len() {
                        return Err(JsonError {
                            offset: self.bytes.len(),
                            message: "text is not closed with `\"`".into(),
                        });
                    }
                }
                Some(_) => {
                    return Err(JsonError {
                        offset: at,
                        message: "a control character must be escaped inside text".into(),
                    });
                }
                None => {
                    return Err(JsonError {
                        offset: self.bytes.len(),
                        message: "text is not closed with `\"`".into(),
                    });
                }
            }
        }
    }

    fn skip_string(&mut self) -> Result<(), JsonError> {
        let (end, escaped) = self.string_end()?;
        if escaped {
            // Escapes must still be valid JSON.
            self.unescape(self.at + 1, end)?;
        }
        self.at = end + 1;
        Ok(())
    }

    #[inline(always)]
    fn string(&mut self) -> Result<Text<'a>, JsonError> {
        let (end, escaped) = self.string_end()?;
        let start = self.at + 1;
        self.at = end + 1;
        if !escaped {
            // Quotes are ASCII, so these are character boundaries of the &str.
            return Ok(Text::Borrowed(&self.text[start..end]));
        }
        self.unescape(start, end).map(Text::from)
    }

    fn unescape(&self, start: usize, end: usize) -> Result<String, JsonError> {
        let mut out = String::with_capacity(end - start);
        let mut at = start;
        while at < end {
            let next = self.bytes[at..end]
                .iter()
                .position(|b| *b == b'\\')
                .map_or(end, |found| at + found);
            out.push_str(&self.text[at..next]);
            if next == end {
                break;
            }
            let bad = |offset| JsonError {
                offset,
                message: "an escape sequence in text is not valid".into(),
            };
            let kind = *self.bytes.get(next + 1).ok_or_else(|| bad(next))?;
            at = next + 2;
            match kind {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let unit = self.hex4(at).ok_or_else(|| bad(next))?;
                    at += 4;
                    let code = if (0xD800..0xDC00).contains(&unit) {
                        // A surrogate pair: a high unit, then `\u` and a low one.
                        let low = (self.bytes.get(at..at + 2) == Some(b"\\u"))
                            .then(|| self.hex4(at + 2))
                            .flatten()
                            .filter(|low| (0xDC00..0xE000).contains(low))
                            .ok_or_else(|| bad(next))?;
                        at += 6;
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        unit
                    };
                    out.push(char::from_u32(code).ok_or_else(|| bad(next))?);
                }
                _ => return Err(bad(next)),
            }
        }
        Ok(out)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// The text of a number, checked against JSON's grammar, and whether it
    /// is a whole number without exponent.
    fn number_text(&mut self) -> Result<(&'a str, bool, bool), JsonError> {
        let start = self.at;
        let digits = |reader: &mut Reader<'a>| {
            let from = reader.at;
            while let Some(b'0'..=b'9') = reader.peek() {
                reader.at += 1;
            }
            reader.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let whole = digits(self);
        if whole == 0 {
            return Err(self.error("a number is missing a digit"));
        }
        if whole > 1 && self.bytes[self.at - whole] == b'0' {
            return Err(JsonError {
                offset: self.at - whole,
                message: "a number does not start with 0".into(),
            });
        }
        let mut integer = true;
        let mut exponent = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.error("a number is missing a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integer = false;
            exponent = true;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a number is missing a digit in its exponent"));
            }
        }
        Ok((&self.text[start..self.at], integer, exponent))
    }

    /// A whole number of at most 18 digits without sign, exponent or
    /// leading zero (ids and quantities), read in one pass; `None` (and
    /// nothing consumed) for any other number.
    #[inline(always)]
    fn plain_int(&mut self) -> Option<i64> {
        let digits = &self.bytes[self.at..];
        let len = digits.iter().take(19).take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || len > 18 || (len > 1 && digits[0] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = digits.get(len) {
            return None;
        }
        let int = digits[..len]
            .iter()
            .fold(0i64, |int, digit| int * 10 + i64::from(digit - b'0'));
        self.at += len;
        Some(int)
    }

    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.at;
        let (digits, integer, exponent) = self.number_text()?;
        if integer && let Ok(int) = digits.parse::<i64>() {
            return Ok(Value::Int(int));
        }
        let decimal = if exponent {
            Decimal::from_scientific(digits).ok()
        } else {
            Decimal::from_str_exact(digits).ok()
        };
        decimal.map(Value::Decimal).ok_or_else(|| JsonError {
            offset: start,
            message: format!("the number {digits} has more digits than a decimal holds (28)"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, to_string};

    #[test]
    fn escapes_decode_and_bad_ones_are_refused() {
        let value = parse(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(value.as_str(), Some("a\"b\\c/d\né😀"));
        for bad in [
            r#""\x""#,
            r#""\u12""#,
            r#""\ud83d""#,
            "\"tab\there\"",
            r#""open"#,
            r#""\"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_follow_json_grammar() {
        for bad in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(to_string(&parse("-0.50").unwrap()), "-0.50");
        assert_eq!(to_string(&parse("2E2").unwrap()), "200");
    }

    #[test]
    fn projected_fields_read_numbers_as_whole_reads_do() {
        use super::super::{Projection, parse_projected};
        let projection = Projection::fields(vec![("n".to_string(), Projection::All)]);
        for number in [
            "0",
            "7",
            "-7",
            "120",
            "999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "12345678901234567890123",
            "1.50",
            "0.5",
            "1e3",
            "10E-1",
        ] {
            let record = format!(r#"{{"n":{number}}}"#);
            let projected = parse_projected(&record, &projection).unwrap();
            let whole = parse(&record).unwrap();
            assert_eq!(to_string(&projected), to_string(&whole), "{number}");
            assert_eq!(
                projected.get("n").unwrap().kind(),
                whole.get("n").unwrap().kind(),
                "{number}"
            );
        }
        for bad in ["01", "00", "1.", "1e", "-", "1x"] {
            let record = format!(r#"{{"n":{bad}}}"#);
            assert!(parse_projected(&record, &projection).is_err(), "{bad}");
        }
    }

    #[test]
    fn structure_errors_are_located() {
        assert_eq!(parse("[1 2]").unwrap_err().offset, 3);
        assert_eq!(parse(r#"{"a" 1}"#).unwrap_err().offset, 5);
        assert_eq!(parse(r#"{1: 2}"#).unwrap_err().offset, 1);
        assert!(parse("nul").is_err());
        assert!(parse("[true, fals]").is_err());
    }
}
