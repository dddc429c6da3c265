//! Splitting an input stream into JSON documents, one record each, in
//! constant memory.
//!
//! Three shapes are read:
//! - NDJSON: one document per line (blank lines ignored).
//! - A JSON array: each element is a record. Elements are cut out of the
//!   stream one at a time; the array is never held whole. Anything but blank
//!   space after its closing `]` is an error.
//! - JSON documents written over several lines (pretty-printed), one after
//!   another: one record each.
//!
//! One bad record never costs the others: a line that is not JSON, or not
//! UTF-8, or larger than the limit, fails on its own and reading goes on.
//! The shape is decided on the first document, and a broken first line
//! cannot make a whole NDJSON file one document: a first line that opens an
//! object without closing it is taken as the start of a multi-line document
//! only when the lines after it close that object and the whole parses as
//! JSON, and not when one of them is a complete JSON object on its own.
//!
//! A UTF-8 byte order mark at the start of the input is skipped.

use std::collections::VecDeque;
use std::io::{self, BufRead};

/// The most bytes one record may have. Real records (an order with its
/// rows) have a few kilobytes; this leaves room for catalogues of
/// thousands of fields while keeping memory bounded whatever the input.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// Where a document came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based number of the record in the input.
    pub record: usize,
    /// 1-based line on which it starts.
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Lines,
    Array,
    /// Documents over several lines, one after another.
    Pretty,
}

/// A problem reading the input: either one record's (reading goes on) or
/// the input's (reading ends).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the input cannot be read: {0}")]
    Io(#[from] io::Error),
    /// The input cannot be split into records from here on.
    #[error("line {line}: {message}")]
    Structure { line: usize, message: String },
    /// One record cannot be read; the next one can.
    #[error("{message}")]
    Record { position: Position, message: String },
}

impl ReadError {
    /// Whether reading ends with this error (else only its record failed).
    pub fn ends_input(&self) -> bool {
        !matches!(self, ReadError::Record { .. })
    }
}

/// Where a line that was read starts, and whether it fitted the limit.
#[derive(Clone, Copy, Debug)]
struct LineRead {
    number: usize,
    too_long: bool,
}

pub struct Documents<R> {
    input: R,
    shape: Option<Shape>,
    /// The current document.
    bytes: Vec<u8>,
    /// Lines read ahead while deciding whether a document spans several
    /// lines, still to be given, with where they start.
    ahead: VecDeque<(Vec<u8>, LineRead)>,
    records: usize,
    /// The line the next byte read is on.
    line: usize,
    limit: usize,
    started: bool,
    finished: bool,
}

impl<R: BufRead> Documents<R> {
    pub fn new(input: R) -> Documents<R> {
        Documents::with_limit(input, MAX_RECORD_BYTES)
    }

    /// Documents of at most `limit` bytes each.
    pub fn with_limit(input: R, limit: usize) -> Documents<R> {
        Documents {
            input,
            shape: None,
            bytes: Vec::new(),
            ahead: VecDeque::new(),
            records: 0,
            line: 1,
            limit,
            started: false,
            finished: false,
        }
    }

    /// The next document's text and position; `None` at the end of the input.
    pub fn next_document(&mut self) -> Option<Result<(&str, Position), ReadError>> {
        if self.finished {
            return None;
        }
        match self.advance() {
            Ok(Some(position)) => match std::str::from_utf8(&self.bytes) {
                Ok(text) => Some(Ok((text, position))),
                Err(error) => Some(Err(ReadError::Record {
                    position,
                    message: format!(
                        "the record is not UTF-8 text: byte {} of it is not",
                        error.valid_up_to() + 1
                    ),
                })),
            },
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(error) => {
                self.finished = error.ends_input();
                Some(Err(error))
            }
        }
    }

    fn advance(&mut self) -> Result<Option<Position>, ReadError> {
        match self.shape {
            Some(Shape::Lines) => self.next_line(),
            Some(Shape::Array) => self.next_element(),
            Some(Shape::Pretty) => self.next_in_stream(),
            None => {
                if !self.started {
                    self.started = true;
                    self.skip_byte_order_mark()?;
                }
                while self.peek_byte()?.is_some_and(|byte| byte.is_ascii_whitespace()) {
                    self.next_byte()?;
                }
                match self.peek_byte()? {
                    None => Ok(None),
                    Some(b'[') => {
                        self.next_byte()?;
                        self.shape = Some(Shape::Array);
                        self.next_element()
                    }
                    Some(_) => self.next_in_stream(),
                }
            }
        }
    }

    /// Skips a UTF-8 byte order mark at the start, even when the input
    /// hands it over a byte at a time. Should its first bytes be followed
    /// by others, they are dropped: such an input is not JSON either way.
    fn skip_byte_order_mark(&mut self) -> io::Result<()> {
        const MARK: &[u8] = b"\xEF\xBB\xBF";
        let mut matched = 0;
        while matched < MARK.len() {
            let available = self.input.fill_buf()?;
            if available.first() != Some(&MARK[matched]) {
                break;
            }
            self.input.consume(1);
            matched += 1;
        }
        Ok(())
    }

    // ------------------------------------------------------------ lines

    /// Reads one line into `into`; see [`read_line`].
    fn read_line_into(&mut self, into: &mut Vec<u8>) -> Result<Option<LineRead>, ReadError> {
        read_line(&mut self.input, &mut self.line, self.limit, into)
    }

    /// The next line that is not blank, from those read ahead first.
    fn next_filled_line(&mut self) -> Result<Option<LineRead>, ReadError> {
        loop {
            let line = match self.ahead.pop_front() {
                Some((bytes, line)) => {
                    self.bytes = bytes;
                    line
                }
                None => match read_line(&mut self.input, &mut self.line, self.limit, &mut self.bytes)? {
                    Some(line) => line,
                    None => return Ok(None),
                },
            };
            if line.too_long || !self.bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(line));
            }
        }
    }

    /// A line as one record, or its error when it is too large.
    fn line_record(&mut self, line: LineRead) -> Result<Option<Position>, ReadError> {
        self.records += 1;
        let position = Position {
            record: self.records,
            line: line.number,
        };
        if line.too_long {
            return Err(self.too_large(position));
        }
        Ok(Some(position))
    }

    fn too_large(&self, position: Position) -> ReadError {
        ReadError::Record {
            position,
            message: format!(
                "the record is larger than {}, the most one record may have",
                bytes(self.limit)
            ),
        }
    }

    fn next_line(&mut self) -> Result<Option<Position>, ReadError> {
        match self.next_filled_line()? {
            Some(line) => self.line_record(line),
            None => Ok(None),
        }
    }

    /// The next document of a stream whose shape is not known yet, or is
    /// known to hold documents over several lines: a line that is a
    /// document on its own, or the lines of one written over several.
    fn next_in_stream(&mut self) -> Result<Option<Position>, ReadError> {
        let Some(first) = self.next_filled_line()? else {
            return Ok(None);
        };
        if first.too_long || self.opened_by(&self.bytes) <= 0 {
            self.shape.get_or_insert(Shape::Lines);
            return self.line_record(first);
        }
        match self.gather_lines_of_document()? {
            Some(lines) => {
                self.shape.get_or_insert(Shape::Pretty);
                for (line, _) in self.ahead.drain(..lines) {
                    self.bytes.push(b'\n');
                    self.bytes.extend_from_slice(&line);
                }
                self.records += 1;
                Ok(Some(Position {
                    record: self.records,
                    line: first.number,
                }))
            }
            // A line of its own after all; the lines read ahead come next.
            None => {
                self.shape.get_or_insert(Shape::Lines);
                self.line_record(first)
            }
        }
    }

    /// How many brackets a line (a document's start) leaves open: `{` and
    /// `[` outside text open, `}` and `]` close. Positive only for a line
    /// that starts with `{` and does not close it.
    fn opened_by(&self, line: &[u8]) -> isize {
        let start = line.iter().position(|byte| !byte.is_ascii_whitespace());
        if start.is_none_or(|at| line[at] != b'{') {
            return 0;
        }
        bracket_balance(line)
    }

    /// With the first line of a document in `self.bytes`, reads ahead the
    /// lines that would complete it. `Some(n)`: the first `n` lines ahead
    /// complete a document that parses. `None`: the first line is a record
    /// of its own (a line ahead is a JSON object on its own, or the lines
    /// never close the first one within the limit, or do and do not parse).
    fn gather_lines_of_document(&mut self) -> Result<Option<usize>, ReadError> {
        let mut open = bracket_balance(&self.bytes);
        let mut size = self.bytes.len();
        let mut used = 0;
        loop {
            if used == self.ahead.len() {
                let mut bytes = Vec::new();
                match self.read_line_into(&mut bytes)? {
                    Some(line) => self.ahead.push_back((bytes, line)),
                    // The input ends with the document still open: one
                    // record, which fails as cut short.
                    None => return Ok(Some(used)),
                }
            }
            let (line, read) = &self.ahead[used];
            used += 1;
            size += line.len() + 1;
            if read.too_long || size > self.limit {
                return Ok(None);
            }
            if line.first() == Some(&b'{') && crate::value::json::parse(as_text(line)).is_ok() {
                return Ok(None);
            }
            open += bracket_balance(line);
            if open <= 0 {
                let mut whole = self.bytes.clone();
                for (line, _) in self.ahead.iter().take(used) {
                    whole.push(b'\n');
                    whole.extend_from_slice(line);
                }
                let parses = crate::value::json::parse(as_text(&whole)).is_ok();
                return Ok(parses.then_some(used));
            }
        }
    }

    // ------------------------------------------------------------ arrays

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let buffer = self.input.fill_buf()?;
        let Some(&byte) = buffer.first() else {
            return Ok(None);
        };
        self.input.consume(1);
        if byte == b'\n' {
            self.line += 1;
        }
        Ok(Some(byte))
    }

    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    /// Cuts the next element out of an array: brackets and text are
    /// tracked so that a `,` or `]` inside them does not end it.
    fn next_element(&mut self) -> Result<Option<Position>, ReadError> {
        let unclosed = |line| ReadError::Structure {
            line,
            message: "the array is not closed with `]`".into(),
        };
        // Between elements: blank space and one comma.
        let start_line = loop {
            match self.peek_byte()? {
                None => return Err(unclosed(self.line)),
                Some(b']') => {
                    self.next_byte()?;
                    return self.after_array();
                }
                Some(byte) if byte.is_ascii_whitespace() || byte == b',' => {
                    self.next_byte()?;
                }
                Some(_) => break self.line,
            }
        };
        self.bytes.clear();
        let mut depth = 0usize;
        let mut in_text = false;
        let mut escaped = false;
        let mut size = 0usize;
        loop {
            let Some(byte) = self.peek_byte()? else {
                if depth > 0 || in_text {
                    return Err(unclosed(self.line));
                }
                break;
            };
            self.next_byte()?;
            size += 1;
            if size > 2 * self.limit {
                return Err(ReadError::Structure {
                    line: start_line,
                    message: format!(
                        "this element has no end within {}: the input is not JSON text",
                        bytes(2 * self.limit)
                    ),
                });
            }
            if size <= self.limit {
                self.bytes.push(byte);
            }
            if in_text {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_text = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b'"' => in_text = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && matches!(self.peek_byte()?, Some(b',' | b']')) {
                break;
            }
        }
        let trimmed = self.bytes.trim_ascii_end().len();
        self.bytes.truncate(trimmed);
        self.records += 1;
        let position = Position {
            record: self.records,
            line: start_line,
        };
        if size > self.limit {
            self.bytes.clear();
            return Err(self.too_large(position));
        }
        Ok(Some(position))
    }

    /// After an array's closing `]`: only blank space may follow.
    fn after_array(&mut self) -> Result<Option<Position>, ReadError> {
        while let Some(byte) = self.peek_byte()? {
            if !byte.is_ascii_whitespace() {
                return Err(ReadError::Structure {
                    line: self.line,
                    message: "there is more after the array's closing `]`; the input is one array of records".into(),
                });
            }
            self.next_byte()?;
        }
        Ok(None)
    }
}

/// A size for people: `64 MiB`, or `100 bytes` when not whole mebibytes.
fn bytes(size: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if size >= MIB && size.is_multiple_of(MIB) {
        format!("{} MiB", size / MIB)
    } else {
        format!("{size} bytes")
    }
}

/// Reads one line of `input` into `into` (without its line end), at most
/// `limit` bytes of it; `None` at the end of the input. `line` is the line
/// the next byte is on. A longer line is skipped to its end, unless it has
/// none within twice the limit: then the input is no text of lines at all
/// (`/dev/zero`), and reading ends.
fn read_line<R: BufRead>(
    input: &mut R,
    line: &mut usize,
    limit: usize,
    into: &mut Vec<u8>,
) -> Result<Option<LineRead>, ReadError> {
    into.clear();
    let number = *line;
    let mut any = false;
    // Past the limit, bytes are counted, not kept.
    let mut skipped = 0usize;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            if !any {
                return Ok(None);
            }
            break;
        }
        any = true;
        let (part, ended) = match memchr::memchr(b'\n', available) {
            Some(at) => (&available[..at], true),
            None => (available, false),
        };
        let used = part.len() + usize::from(ended);
        if skipped == 0 && into.len() + part.len() <= limit {
            into.extend_from_slice(part);
        } else {
            skipped += into.len() + part.len();
            into.clear();
        }
        input.consume(used);
        if ended {
            break;
        }
        if skipped > 2 * limit {
            return Err(ReadError::Structure {
                line: number,
                message: format!(
                    "this line has no end within {}: the input is not JSON text",
                    bytes(2 * limit)
                ),
            });
        }
    }
    let too_long = skipped > 0;
    if !too_long && into.last() == Some(&b'\r') {
        into.pop();
    }
    *line += 1;
    Ok(Some(LineRead { number, too_long }))
}

/// The bytes as text for a parse that only asks whether they are JSON
/// (text that is not UTF-8 is not).
fn as_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("\u{0}")
}

/// Brackets opened minus brackets closed on one line, outside text. Text
/// in JSON never spans lines, so an unclosed quote ends at the line's end.
fn bracket_balance(line: &[u8]) -> isize {
    let mut balance = 0isize;
    let mut in_text = false;
    let mut escaped = false;
    for &byte in line {
        if in_text {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_text = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_text = true,
            b'{' | b'[' => balance += 1,
            b'}' | b']' => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(input: &[u8], limit: usize) -> Vec<Result<(String, usize, usize), String>> {
        let mut documents = Documents::with_limit(input, limit);
        let mut out = Vec::new();
        while let Some(next) = documents.next_document() {
            out.push(
                next.map(|(text, p)| (text.to_string(), p.record, p.line))
                    .map_err(|e| match e {
                        ReadError::Record { position, message } => {
                            format!("record {} line {}: {message}", position.record, position.line)
                        }
                        other => other.to_string(),
                    }),
            );
        }
        out
    }

    fn read(input: &str) -> Vec<Result<(String, usize, usize), String>> {
        read_with(input.as_bytes(), MAX_RECORD_BYTES)
    }

    #[test]
    fn ndjson_one_record_per_line_skipping_blank_lines() {
        let docs = read("{\"a\":1}\n\n{\"a\":2}\r\n{broken\n");
        assert_eq!(
            docs,
            [
                Ok(("{\"a\":1}".into(), 1, 1)),
                Ok(("{\"a\":2}".into(), 2, 3)),
                Ok(("{broken".into(), 3, 4))
            ]
        );
    }

    #[test]
    fn arrays_are_cut_into_elements() {
        let docs = read("[\n {\"a\": \"x]\\\",\"},\n [1, 2],\n 3\n]");
        assert_eq!(
            docs,
            [
                Ok(("{\"a\": \"x]\\\",\"}".into(), 1, 2)),
                Ok(("[1, 2]".into(), 2, 3)),
                Ok(("3".into(), 3, 4))
            ]
        );
        assert_eq!(read("[]"), []);
        assert_eq!(read("[] \n"), []);
        assert!(read("[{\"a\": 1}").last().unwrap().is_err());
    }

    #[test]
    fn data_after_an_arrays_end_is_an_error() {
        let docs = read("[{\"a\": 1}]\n{\"b\": 2}\n");
        assert_eq!(docs[0], Ok(("{\"a\": 1}".into(), 1, 1)));
        assert_eq!(
            docs[1],
            Err("line 2: there is more after the array's closing `]`; the input is one array of records".into())
        );
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn one_pretty_document_is_one_record() {
        let docs = read("{\n  \"a\": 1\n}\n");
        assert_eq!(docs, [Ok(("{\n  \"a\": 1\n}".into(), 1, 1))]);
        assert_eq!(read(""), []);
        assert_eq!(read("  \n "), []);
    }

    #[test]
    fn pretty_documents_one_after_another_are_records() {
        let docs = read("{\n  \"a\": {\"b\": [1,\n 2]}\n}\n\n{\n  \"a\": 2\n}\n{\"a\": 3}\n");
        assert_eq!(
            docs,
            [
                Ok(("{\n  \"a\": {\"b\": [1,\n 2]}\n}".into(), 1, 1)),
                Ok(("{\n  \"a\": 2\n}".into(), 2, 6)),
                Ok(("{\"a\": 3}".into(), 3, 9)),
            ]
        );
    }

    #[test]
    fn a_broken_first_line_is_one_record_and_the_rest_are_read() {
        // Opens an object and never closes it on its line: the lines after
        // it are objects of their own, so this is NDJSON.
        let good = "{\"id\": 2}\n".repeat(1000);
        let docs = read(&format!("{{\"id\": 1, \"status\": \"paid\",\n{good}"));
        assert_eq!(docs.len(), 1001);
        assert_eq!(docs[0], Ok(("{\"id\": 1, \"status\": \"paid\",".into(), 1, 1)));
        assert!(docs[1..].iter().all(|doc| doc.as_ref().unwrap().0 == "{\"id\": 2}"));
        assert_eq!(docs[1000].as_ref().unwrap().2, 1001, "line numbers stay right");

        // Balanced but broken.
        let docs = read("{\"id\": 1,,}\n{\"id\": 2}\n{\"id\": 3}\n");
        assert_eq!(docs.len(), 3);

        // Lines that close the first one but do not make JSON with it.
        let docs = read("{\"a\": [\n1]]}\n{\"id\": 2}\n");
        assert_eq!(
            docs,
            [
                Ok(("{\"a\": [".into(), 1, 1)),
                Ok(("1]]}".into(), 2, 2)),
                Ok(("{\"id\": 2}".into(), 3, 3)),
            ]
        );
    }

    #[test]
    fn a_pretty_document_cut_short_is_one_failing_record() {
        let docs = read("{\n  \"a\": 1,\n");
        assert_eq!(docs, [Ok(("{\n  \"a\": 1,".into(), 1, 1))]);
    }

    #[test]
    fn a_line_that_is_not_utf8_fails_alone_with_its_line() {
        let docs = read_with(b"{\"a\": 1}\n{\"a\": \"\xff\"}\n{\"a\": 3}\n", MAX_RECORD_BYTES);
        assert_eq!(docs.len(), 3);
        assert_eq!(
            docs[1],
            Err("record 2 line 2: the record is not UTF-8 text: byte 8 of it is not".into())
        );
        assert_eq!(docs[2], Ok(("{\"a\": 3}".into(), 3, 3)));
        // The first line too.
        let docs = read_with(b"{\"a\": \"\xff\"}\n{\"a\": 2}\n", MAX_RECORD_BYTES);
        assert!(docs[0].is_err());
        assert_eq!(docs[1], Ok(("{\"a\": 2}".into(), 2, 2)));
        // In an array.
        let docs = read_with(b"[{\"a\": \"\xff\"}, {\"a\": 2}]", MAX_RECORD_BYTES);
        assert!(
            docs[0]
                .as_ref()
                .unwrap_err()
                .starts_with("record 1 line 1: the record is not UTF-8")
        );
        assert_eq!(docs[1], Ok(("{\"a\": 2}".into(), 2, 1)));
    }

    #[test]
    fn lines_split_across_buffer_refills_read_the_same() {
        let long = format!("{{\"a\": \"{}\"}}", "x".repeat(100));
        let input = format!("\u{FEFF}{{\"a\": 1}}\r\n\n{long}\n{{\"b\":\n[2]}}\n{{\"a\": 3}}");
        for capacity in [1, 2, 3, 5, 64, 4096] {
            let reader = std::io::BufReader::with_capacity(capacity, input.as_bytes());
            let mut documents = Documents::with_limit(reader, 64);
            let mut seen = Vec::new();
            while let Some(next) = documents.next_document() {
                seen.push(
                    next.map(|(text, p)| (text.to_string(), p.line))
                        .map_err(|e| e.to_string()),
                );
            }
            assert_eq!(
                seen,
                [
                    Ok(("{\"a\": 1}".to_string(), 1)),
                    Err("the record is larger than 64 bytes, the most one record may have".to_string()),
                    // Once the input is NDJSON, every line is a record.
                    Ok(("{\"b\":".to_string(), 4)),
                    Ok(("[2]}".to_string(), 5)),
                    Ok(("{\"a\": 3}".to_string(), 6)),
                ],
                "buffer of {capacity}"
            );
            let pretty = "\u{FEFF}{\n  \"a\": [1,\n 2]\n}\n[9]";
            let reader = std::io::BufReader::with_capacity(capacity, pretty.as_bytes());
            let mut documents = Documents::with_limit(reader, 64);
            let first = documents.next_document().unwrap().unwrap();
            assert_eq!(first, ("{\n  \"a\": [1,\n 2]\n}", Position { record: 1, line: 1 }));
            let second = documents.next_document().unwrap().unwrap();
            assert_eq!(second, ("[9]", Position { record: 2, line: 5 }));
            assert!(documents.next_document().is_none());
        }
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        assert_eq!(read("\u{FEFF}{\"a\": 1}\n"), [Ok(("{\"a\": 1}".into(), 1, 1))]);
        assert_eq!(read("\u{FEFF}[{\"a\": 1}]"), [Ok(("{\"a\": 1}".into(), 1, 1))]);
    }

    #[test]
    fn records_over_the_limit_fail_alone_and_endless_lines_end_reading() {
        let long = format!("{{\"a\": \"{}\"}}", "x".repeat(100));
        let docs = read_with(format!("{{\"a\": 1}}\n{long}\n{{\"a\": 3}}\n").as_bytes(), 64);
        assert_eq!(docs.len(), 3);
        assert_eq!(
            docs[1],
            Err("record 2 line 2: the record is larger than 64 bytes, the most one record may have".into())
        );
        assert_eq!(docs[2], Ok(("{\"a\": 3}".into(), 3, 3)));

        // Between the limit and twice it, a line still fails alone.
        let longer = format!("{{\"a\": \"{}\"}}", "x".repeat(110));
        let docs = read_with(format!("{longer}\n{{\"a\": 3}}\n").as_bytes(), 64);
        assert!(
            docs[0].as_ref().unwrap_err().contains("larger than 64 bytes"),
            "{docs:?}"
        );
        assert_eq!(docs[1], Ok(("{\"a\": 3}".into(), 2, 2)));

        let docs = read_with(format!("[{long}, {{\"a\": 3}}]").as_bytes(), 64);
        assert!(docs[0].as_ref().unwrap_err().contains("larger than 64 bytes"));
        assert_eq!(docs[1], Ok(("{\"a\": 3}".into(), 2, 1)));

        // No line end in sight, as /dev/zero: reading ends, memory bounded.
        let zeros = vec![0u8; 10_000];
        let docs = read_with(&zeros, 64);
        assert_eq!(
            docs,
            [Err(
                "line 1: this line has no end within 128 bytes: the input is not JSON text".into()
            )]
        );
        let docs = read_with(&[b"[".as_slice(), &zeros].concat(), 64);
        assert_eq!(
            docs,
            [Err(
                "line 1: this element has no end within 128 bytes: the input is not JSON text".into()
            )]
        );
    }
}
