//! Which parts of a document the reader builds, and how it recognises the
//! field names it wants without scanning them.
//!
//! A flow reads few of a record's fields, always the same ones, and records
//! of one stream list their fields in the same order. So a projection learns
//! which of its fields followed which in the last object read, and the reader
//! first compares the raw key text against the name it expects next: one
//! comparison instead of a scan for the closing quote and a search of the
//! field list.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

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
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    below: Projection,
    /// The name has no byte JSON escapes, so raw key text can match it.
    plain: bool,
    /// The field that came after this one in the last object read.
    next: Guess,
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
            }],
            first: Guess::default(),
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

    /// The field named `name`, remembering that it followed `previous`.
    pub(super) fn find(&self, name: &str, previous: Option<usize>) -> Option<usize> {
        let index = self.fields.iter().position(|field| same_name(&field.name, name))?;
        match previous {
            None => self.first.set(index),
            Some(previous) => self.fields[previous].next.set(index),
        }
        Some(index)
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
        assert_eq!(fields.find("sku", None), Some(1));
        assert_eq!(fields.find("name", Some(1)), None, "not read, not learned");
        assert_eq!(fields.find("qty", Some(1)), Some(0));
        assert_eq!(fields.expected(None), 1);
        assert_eq!(fields.expected(Some(1)), 0);
        assert_eq!(fields.matches_raw(1, b"sku\": 1"), Some(3));
        assert_eq!(fields.matches_raw(1, b"skus\": 1"), None);
        assert_eq!(fields.matches_raw(1, b"sk\": 1"), None);
        assert_eq!(fields.matches_raw(1, b"sku"), None, "no closing quote");
        assert_eq!(fields.matches_raw(Guess::NONE, b"sku\""), None);
    }

    #[test]
    fn a_name_with_escapes_is_never_matched_raw() {
        let Projection::Fields(fields) = Projection::fields(vec![("a\"b".into(), Projection::All)]) else {
            unreachable!()
        };
        assert_eq!(fields.find("a\"b", None), Some(0));
        assert_eq!(fields.matches_raw(0, b"a\"b\""), None);
    }
}
