//! Which parts of a document the reader builds, and how it recognises the
//! field names it wants without scanning them.
//!
//! A flow reads few of a record's fields, always the same ones, and records
//! of one stream list their fields in the same order. So a projection learns
//! which of its fields followed which in the last object read, and the reader
//! first compares the raw key text against the name it expects next: one
//! comparison instead of a scan for the closing quote and a search of the
//! field list. It learns the same way which field it does not read came
//! after each one, so that such a field is recognised as one to skip.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};

use crate::value::{same_bytes, same_name};

/// Which parts of a document are read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Projection {
    /// Everything below this point.
    #[default]
    All,
    /// Of an object, only these fields (each with what is read below it); of
    /// a list, the same for every element. Anything else is kept as it is.
    Fields(Fields),
}

/// The fields a projection reads of an object.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    fields: Vec<Field>,
    /// The field that came first in the last object read.
    first: Guess,
    /// The field not read that came first in the last object read.
    first_skipped: SkippedName,
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    below: Projection,
    /// The name has no byte JSON escapes, so raw key text can match it.
    plain: bool,
    /// The field that came after this one in the last object read.
    next: Guess,
    /// The field not read that came after this one in the last object read.
    next_skipped: SkippedName,
}

/// A learned name of a field that is not read, short enough (up to 16
/// bytes, no escapes) to be kept as its length and two words that together
/// cover every byte: compared with raw key text, it matches exactly that
/// name. Length 0: nothing learned.
///
/// It is learned once and then kept: its three parts cannot be written
/// together, so a reader on another thread could otherwise see the parts
/// of two names. One writer claims it, writes the words, and publishes the
/// length last; a reader that sees the length sees the words.
#[derive(Debug, Default)]
struct SkippedName {
    claimed: AtomicBool,
    len: AtomicU32,
    head: AtomicU64,
    tail: AtomicU64,
}

impl SkippedName {
    const MAX: usize = 16;

    /// `name` (raw key text) as length, first word and last word; short
    /// names are padded with zeros, which no raw key text holds.
    fn words(name: &[u8]) -> (u64, u64) {
        let mut padded = [0u8; Self::MAX];
        padded[..name.len()].copy_from_slice(name);
        let n = name.len().max(8);
        let word = |at: usize| u64::from_le_bytes(padded[at..at + 8].try_into().expect("eight bytes"));
        (word(0), word(n - 8))
    }

    fn learn(&self, name: &[u8]) {
        // Checked first: once a name is learned, every other miss ends here.
        if self.claimed.load(Relaxed)
            || name.is_empty()
            || name.len() > Self::MAX
            || name.iter().any(|b| super::scan::is_special(*b))
            || self.claimed.swap(true, Relaxed)
        {
            return;
        }
        let (head, tail) = Self::words(name);
        self.head.store(head, Relaxed);
        self.tail.store(tail, Relaxed);
        self.len.store(name.len() as u32, Release);
    }

    /// Whether `raw`, the text right after a key's opening quote, is the
    /// learned name and its closing quote; the name's length.
    #[inline]
    fn matches(&self, raw: &[u8]) -> Option<usize> {
        let len = self.len.load(Acquire) as usize;
        if len == 0 || raw.get(len) != Some(&b'"') {
            return None;
        }
        let (head, tail) = Self::words(&raw[..len]);
        (head == self.head.load(Relaxed) && tail == self.tail.load(Relaxed)).then_some(len)
    }
}

/// A copy learns afresh.
impl Clone for SkippedName {
    fn clone(&self) -> SkippedName {
        SkippedName::default()
    }
}

/// A learned field index; `NONE` until something is learned.
#[derive(Debug)]
struct Guess(AtomicU32);

impl Guess {
    const NONE: u32 = u32::MAX;

    fn get(&self) -> u32 {
        self.0.load(Relaxed)
    }

    fn set(&self, index: usize) {
        self.0.store(index as u32, Relaxed);
    }
}

/// A copy learns afresh.
impl Clone for Guess {
    fn clone(&self) -> Guess {
        Guess::default()
    }
}

impl Default for Guess {
    fn default() -> Guess {
        Guess(AtomicU32::new(Guess::NONE))
    }
}

impl Projection {
    /// Of an object, only `fields`.
    pub fn fields(fields: Vec<(String, Projection)>) -> Projection {
        let mut projection = Projection::Fields(Fields::default());
        for (name, below) in fields {
            projection.merge(Projection::one(name, below));
        }
        projection
    }

    fn one(name: String, below: Projection) -> Projection {
        let plain = !name.bytes().any(super::scan::is_special);
        Projection::Fields(Fields {
            fields: vec![Field {
                name,
                below,
                plain,
                next: Guess::default(),
                next_skipped: SkippedName::default(),
            }],
            first: Guess::default(),
            first_skipped: SkippedName::default(),
        })
    }

    /// Widens `self` so that it also reads what `other` reads.
    pub fn merge(&mut self, other: Projection) {
        match (&mut *self, other) {
            (Projection::All, _) => {}
            (_, Projection::All) => *self = Projection::All,
            (Projection::Fields(mine), Projection::Fields(theirs)) => {
                for field in theirs.fields {
                    match mine.fields.iter_mut().find(|mine| mine.name == field.name) {
                        Some(existing) => existing.below.merge(field.below),
                        None => mine.fields.push(field),
                    }
                }
            }
        }
    }
}

impl Fields {
    /// How many fields are read.
    pub(super) fn len(&self) -> usize {
        self.fields.len()
    }

    /// The names of the fields read.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|field| field.name.as_str())
    }

    /// What is read below field `index`.
    pub(super) fn below(&self, index: usize) -> &Projection {
        &self.fields[index].below
    }

    /// The field expected after field `previous` (or first, for `None`).
    pub(super) fn expected(&self, previous: Option<usize>) -> u32 {
        match previous {
            None => self.first.get(),
            Some(previous) => self.fields[previous].next.get(),
        }
    }

    /// Whether `raw`, the text right after a key's opening quote, is the
    /// name of field `expected` and its closing quote; the name's length.
    #[inline]
    pub(super) fn matches_raw(&self, expected: u32, raw: &[u8]) -> Option<usize> {
        let field = self.fields.get(expected as usize)?;
        let len = field.name.len();
        let matches = field.plain && raw.get(len) == Some(&b'"') && same_bytes(field.name.as_bytes(), &raw[..len]);
        matches.then_some(len)
    }

    /// The field named `name`, remembering that it followed `previous`;
    /// `None` for a field not read, remembered as the one that followed
    /// `previous` if its raw key text `raw` is short and plain.
    pub(super) fn find(&self, name: &str, raw: &[u8], previous: Option<usize>) -> Option<usize> {
        let Some(index) = self.fields.iter().position(|field| same_name(&field.name, name)) else {
            self.skipped_after(previous).learn(raw);
            return None;
        };
        match previous {
            None => self.first.set(index),
            Some(previous) => self.fields[previous].next.set(index),
        }
        Some(index)
    }

    /// Whether `raw`, the text right after a key's opening quote, is the
    /// field not read that came after `previous` last time; its length.
    #[inline]
    pub(super) fn matches_skipped(&self, previous: Option<usize>, raw: &[u8]) -> Option<usize> {
        self.skipped_after(previous).matches(raw)
    }

    fn skipped_after(&self, previous: Option<usize>) -> &SkippedName {
        match previous {
            None => &self.first_skipped,
            Some(previous) => &self.fields[previous].next_skipped,
        }
    }
}

/// The top-level fields a record's filter reads. Once the reader has read
/// them all, it asks whether the record is wanted at all; if it is not,
/// the rest of the document is only checked to be JSON, never built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    /// The filter's fields, as bits by their index in the projection.
    fields: u64,
}

impl Gate {
    /// A gate on the top-level fields `names` of `projection`; `None` when
    /// the projection reads whole records, or a name is not one of its
    /// first 64 fields.
    pub fn new<'n>(projection: &Projection, names: impl IntoIterator<Item = &'n str>) -> Option<Gate> {
        let Projection::Fields(top) = projection else {
            return None;
        };
        let mut fields = 0u64;
        for name in names {
            let index = top.fields.iter().position(|field| field.name == name)?;
            fields |= 1u64.checked_shl(u32::try_from(index).ok()?)?;
        }
        Some(Gate { fields })
    }

    /// Whether the fields read so far (bits as in `fields`) are all the
    /// filter needs.
    pub(super) fn ready(&self, read: u64) -> bool {
        read & self.fields == self.fields
    }

    /// Whether field `index` is one the filter reads.
    pub(super) fn reads(&self, index: usize) -> bool {
        index < 64 && self.fields & (1 << index) != 0
    }
}

/// Fields are equal by what they read; what they learned does not count.
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.fields.len() == other.fields.len()
            && self
                .fields
                .iter()
                .zip(&other.fields)
                .all(|(a, b)| a.name == b.name && a.below == b.below)
    }
}

impl Eq for Fields {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expects_the_field_that_came_next_last_time() {
        let Projection::Fields(fields) =
            Projection::fields(vec![("qty".into(), Projection::All), ("sku".into(), Projection::All)])
        else {
            unreachable!()
        };
        assert_eq!(fields.expected(None), Guess::NONE, "nothing learned yet");
        assert_eq!(fields.find("sku", b"sku", None), Some(1));
        assert_eq!(fields.find("name", b"name", Some(1)), None, "not read");
        assert_eq!(fields.find("qty", b"qty", Some(1)), Some(0));
        assert_eq!(fields.expected(None), 1);
        assert_eq!(fields.expected(Some(1)), 0);
        assert_eq!(fields.matches_raw(1, b"sku\": 1"), Some(3));
        assert_eq!(fields.matches_raw(1, b"skus\": 1"), None);
        assert_eq!(fields.matches_raw(1, b"sk\": 1"), None);
        assert_eq!(fields.matches_raw(1, b"sku"), None, "no closing quote");
        assert_eq!(fields.matches_raw(Guess::NONE, b"sku\""), None);
        // `name`, not read, was learned as the field that follows `sku`.
        assert_eq!(fields.matches_skipped(Some(1), b"name\": 1"), Some(4));
        assert_eq!(fields.matches_skipped(Some(1), b"nam\": 1"), None);
        assert_eq!(fields.matches_skipped(Some(1), b"names\": 1"), None);
        assert_eq!(
            fields.matches_skipped(Some(0), b"name\": 1"),
            None,
            "learned after `sku` only"
        );
        assert_eq!(fields.matches_skipped(None, b"name\": 1"), None);
    }

    #[test]
    fn a_skipped_name_matches_exactly_itself() {
        let Projection::Fields(fields) = Projection::fields(vec![("id".into(), Projection::All)]) else {
            unreachable!()
        };
        // Every length up to the longest kept, and one past it.
        for len in 1..=17 {
            let name: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
            let Projection::Fields(fresh) = Projection::fields(vec![("id".into(), Projection::All)]) else {
                unreachable!()
            };
            assert_eq!(fresh.find(&name, name.as_bytes(), None), None);
            let raw = format!("{name}\": 0");
            let learned = fresh.matches_skipped(None, raw.as_bytes());
            assert_eq!(learned, (len <= 16).then_some(len), "length {len}");
            // A name differing in any one byte does not match.
            for at in 0..len {
                let mut other = name.clone().into_bytes();
                other[at] = b'Z';
                other.extend_from_slice(b"\": 0");
                assert_eq!(fresh.matches_skipped(None, &other), None, "length {len}, byte {at}");
            }
        }
        // Names with escapes or quotes are not learned; a learned name is kept.
        assert_eq!(fields.find("a\"b", br#"a\"b"#, None), None);
        assert_eq!(fields.matches_skipped(None, br#"a\"b": 0"#), None);
        assert_eq!(fields.find("kept", b"kept", None), None);
        assert_eq!(fields.find("other", b"other", None), None);
        assert_eq!(fields.matches_skipped(None, b"kept\": 0"), Some(4));
        assert_eq!(fields.matches_skipped(None, b"other\": 0"), None);
    }

    #[test]
    fn a_name_with_escapes_is_never_matched_raw() {
        let Projection::Fields(fields) = Projection::fields(vec![("a\"b".into(), Projection::All)]) else {
            unreachable!()
        };
        assert_eq!(fields.find("a\"b", b"a\\\"b", None), Some(0));
        assert_eq!(fields.matches_raw(0, b"a\"b\""), None);
    }
}
