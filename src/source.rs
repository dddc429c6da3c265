//! Source text and positions: a loaded `.flow` file, byte spans into it, the
//! mapping from byte offsets to 1-based lines and columns, and reading a
//! file within a size limit.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A byte range `start..end` in one source file.
///
/// Offsets are `u32`: files are limited to [`crate::syntax::MAX_FILE_BYTES`], far
/// below 4 GiB, and small spans keep the syntax tree compact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The empty span at `offset`, for "something is missing here".
    pub fn at(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The same span moved `by` bytes to the right.
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start as usize + by, self.end as usize + by)
    }
}

/// A 1-based line and column; the column counts Unicode characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One source file: its display name and text, shared cheaply.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The text a span covers; empty when the span does not fit the file.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Line and column of a byte offset (clamped to the file, and moved back to a
    /// character boundary if it points inside one).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let column = self.text[self.line_starts[line]..offset].chars().count() + 1;
        LineCol { line: line + 1, column }
    }
}

/// Why a file could not be read whole.
#[derive(Debug)]
pub enum ReadFailure {
    Io(std::io::Error),
    /// It has more than the limit.
    TooLarge,
}

/// Reads a file of at most `limit` bytes, without reading more than one
/// byte past the limit of a larger one (or of an endless one: `/dev/zero`).
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, ReadFailure> {
    let file = std::fs::File::open(path).map_err(ReadFailure::Io)?;
    if file.metadata().is_ok_and(|meta| meta.is_dir()) {
        return Err(ReadFailure::Io(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() > limit {
        return Err(ReadFailure::TooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("t.flow", "ab\nçd\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // 'ç' is two bytes; the offset after it is column 2.
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 2 });
        // inside a character: moved back to its start
        assert_eq!(file.line_col(4), LineCol { line: 2, column: 1 });
        // past the end: clamped
        assert_eq!(file.line_col(99), LineCol { line: 3, column: 1 });
    }
}
