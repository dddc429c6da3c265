//! Splitting an input stream into JSON documents, one record each, in
//! constant memory.
//!
//! Three shapes are read:
//! - NDJSON: one document per line (blank lines ignored). A line that is not
//!   valid JSON fails only its own record.
//! - A JSON array: each element is a record. Elements are cut out of the
//!   stream one at a time; the array is never held whole.
//! - One JSON document over several lines (a pretty-printed object): one
//!   record.

use std::io::{self, BufRead};

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
    Single,
}

/// A problem that ends reading: the input cannot be read, or an array is
/// broken beyond finding the next element.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the input cannot be read: {0}")]
    Io(#[from] io::Error),
    #[error("line {line}: {message}")]
    Structure { line: usize, message: String },
}

pub struct Documents<R> {
    input: R,
    shape: Option<Shape>,
    buffer: String,
    bytes: Vec<u8>,
    /// The first line, read to detect the shape, is still to be given.
    pending: bool,
    records: usize,
    /// The line the next byte read is on.
    line: usize,
    finished: bool,
}

impl<R: BufRead> Documents<R> {
    pub fn new(input: R) -> Documents<R> {
        Documents {
            input,
            shape: None,
            buffer: String::new(),
            bytes: Vec::new(),
            pending: false,
            records: 0,
            line: 1,
            finished: false,
        }
    }

    /// The next document's text and position; `None` at the end of the input.
    pub fn next_document(&mut self) -> Option<Result<(&str, Position), ReadError>> {
        if self.finished {
            return None;
        }
        let result = match self.shape {
            None => self.detect().and_then(|()| self.advance()),
            Some(_) => self.advance(),
        };
        match result {
            Ok(Some(position)) => Some(Ok((self.buffer.as_str(), position))),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }

    fn advance(&mut self) -> Result<Option<Position>, ReadError> {
        match self.shape {
            None => Ok(None),
            Some(Shape::Lines) => self.next_line(),
            Some(Shape::Array) => self.next_element(),
            Some(Shape::Single) => {
                // The whole input is the one document; give it once.
                self.shape = None;
                self.records += 1;
                Ok(Some(Position {
                    record: 1,
                    line: self.line,
                }))
            }
        }
    }

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

    /// Skips leading blank space and decides the shape from what follows.
    fn detect(&mut self) -> Result<(), ReadError> {
        while let Some(byte) = self.peek_byte()? {
            if !byte.is_ascii_whitespace() {
                break;
            }
            self.next_byte()?;
        }
        match self.peek_byte()? {
            None => {}
            Some(b'[') => {
                self.next_byte()?;
                self.shape = Some(Shape::Array);
            }
            Some(_) => {
                let first_line = self.line;
                self.buffer.clear();
                self.input.read_line(&mut self.buffer)?;
                self.line += 1;
                let whole = crate::value::json::parse(self.buffer.trim_end()).is_ok();
                if whole || !self.buffer.starts_with('{') {
                    self.shape = Some(Shape::Lines);
                    self.pending = true;
                    self.line = first_line;
                } else {
                    self.input.read_to_string(&mut self.buffer)?;
                    self.line = first_line;
                    self.shape = Some(Shape::Single);
                }
            }
        }
        Ok(())
    }

    fn next_line(&mut self) -> Result<Option<Position>, ReadError> {
        loop {
            let line = self.line;
            if self.pending {
                self.pending = false;
            } else {
                self.buffer.clear();
                if self.input.read_line(&mut self.buffer)? == 0 {
                    return Ok(None);
                }
            }
            self.line = line + 1;
            let trimmed = self.buffer.trim_end_matches(['\n', '\r']).len();
            self.buffer.truncate(trimmed);
            if !self.buffer.trim().is_empty() {
                self.records += 1;
                return Ok(Some(Position {
                    record: self.records,
                    line,
                }));
            }
        }
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
                    return Ok(None);
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
        loop {
            let Some(byte) = self.peek_byte()? else {
                if depth > 0 || in_text {
                    return Err(unclosed(self.line));
                }
                break;
            };
            if in_text {
                self.next_byte()?;
                self.bytes.push(byte);
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_text = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b',' | b']' if depth == 0 => break,
                b'"' => in_text = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.next_byte()?;
            self.bytes.push(byte);
        }
        self.buffer.clear();
        self.buffer.push_str(&String::from_utf8_lossy(&self.bytes));
        let trimmed = self.buffer.trim_end().len();
        self.buffer.truncate(trimmed);
        self.records += 1;
        Ok(Some(Position {
            record: self.records,
            line: start_line,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<Result<(String, usize, usize), String>> {
        let mut documents = Documents::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(next) = documents.next_document() {
            out.push(
                next.map(|(text, p)| (text.to_string(), p.record, p.line))
                    .map_err(|e| e.to_string()),
            );
        }
        out
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
        assert!(read("[{\"a\": 1}").last().unwrap().is_err());
    }

    #[test]
    fn one_pretty_document_is_one_record() {
        let docs = read("{\n  \"a\": 1\n}\n");
        assert_eq!(docs, [Ok(("{\n  \"a\": 1\n}\n".into(), 1, 1))]);
        assert_eq!(read(""), []);
        assert_eq!(read("  \n "), []);
    }
}
