//! The values a flow computes with.
//!
//! - Money is exact: numbers from JSON become [`Decimal`] (or `Int`) straight
//!   from their text, never through `f64`; `12.50` keeps its scale.
//! - Null and missing are different: `Null` is a value, a missing field is not
//!   a value at all (reading one is an error unless the flow says what to do).
//! - Text read from input borrows the input where it can (`'a`); lists and
//!   objects are shared behind `Arc`, so passing a value around never copies it.
//! - Dates and date-times are their own types; a date-time always has an offset.

pub mod comparison;
mod display;
pub mod documents;
pub mod json;
mod query;
mod types;

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
pub use comparison::Comparison;
pub use rust_decimal::Decimal;
pub use types::Types;

/// Text, borrowed from the input record or owned and shared.
#[derive(Clone, Debug)]
pub enum Text<'a> {
    Borrowed(&'a str),
    Shared(Arc<str>),
}

impl<'a> Text<'a> {
    pub fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Shared(text) => text,
        }
    }

    pub fn into_owned(self) -> Text<'static> {
        match self {
            Text::Borrowed(text) => Text::Shared(Arc::from(text)),
            Text::Shared(text) => Text::Shared(text),
        }
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Text<'_>) -> bool {
        self.as_str() == other.as_str()
    }
}

thread_local! {
    /// Room to build text in before it is shared, reused from one text to
    /// the next (see [`Text::build`]).
    static ROOM: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

impl Text<'static> {
    /// Text written by `write`, then shared. It is written into a buffer
    /// kept from one call to the next, so it costs one allocation (its
    /// shared copy), not two.
    pub fn build(write: impl FnOnce(&mut String)) -> Text<'static> {
        match Text::try_build(|room| {
            write(room);
            Ok::<(), std::convert::Infallible>(())
        }) {
            Ok(text) => text,
        }
    }

    /// [`Text::build`] for writing that may fail. `write` may build text
    /// itself (with a buffer of its own).
    pub fn try_build<E>(write: impl FnOnce(&mut String) -> Result<(), E>) -> Result<Text<'static>, E> {
        let mut room = ROOM.take();
        room.clear();
        let written = write(&mut room);
        let text = written.map(|()| Text::Shared(Arc::from(room.as_str())));
        ROOM.set(room);
        text
    }
}

impl From<String> for Text<'_> {
    fn from(text: String) -> Self {
        Text::Shared(Arc::from(text))
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Text::Borrowed(text)
    }
}

/// Whether two field names are equal. Names are short; comparing them
/// byte by byte inline is cheaper than a call to `memcmp`.
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_name`] on bytes.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Two loads that may overlap cover every length up to 16 without a loop
    // or a call; longer names fall back to the slice comparison.
    let n = a.len();
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

#[inline]
fn word4(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

#[inline]
fn word8(bytes: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

/// An object: fields in the order they were read or written.
///
/// Objects are small (a record's fields), so a vector beats a hash map both
/// to build and to search. Names are unique: builders either know they are
/// (the checker forbids a field written twice) and [`Object::push`], or
/// [`Object::insert`], which replaces. Should a JSON input repeat a key, the
/// last one wins, as in most JSON libraries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object<'a> {
    fields: Vec<(Text<'a>, Value<'a>)>,
}

impl<'a> Object<'a> {
    pub fn new() -> Object<'a> {
        Object { fields: Vec::new() }
    }

    pub fn with_capacity(capacity: usize) -> Object<'a> {
        Object {
            fields: Vec::with_capacity(capacity),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.fields
            .iter()
            .find(|(name, _)| same_name(name, key))
            .map(|(_, value)| value)
    }

    /// The field `key`, looking first at position `hint` (where the same
    /// name was found in the previous record of the same shape), and
    /// updating the hint. Objects from one stream share their shape, so the
    /// first look usually hits.
    pub fn get_hinted(&self, key: &str, hint: &std::sync::atomic::AtomicU32) -> Option<&Value<'a>> {
        use std::sync::atomic::Ordering::Relaxed;
        let guess = hint.load(Relaxed) as usize;
        if let Some((name, value)) = self.fields.get(guess)
            && same_name(name, key)
        {
            return Some(value);
        }
        let index = self.fields.iter().position(|(name, _)| same_name(name, key))?;
        hint.store(index as u32, Relaxed);
        Some(&self.fields[index].1)
    }

    /// Replaces the value of the field at `index`.
    pub fn replace_at(&mut self, index: usize, value: Value<'a>) {
        self.fields[index].1 = value;
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets a field, replacing an existing one of the same name in place.
    pub fn insert(&mut self, key: impl Into<Text<'a>>, value: Value<'a>) {
        let key = key.into();
        match self.fields.iter_mut().find(|(name, _)| *name == key) {
            Some((_, existing)) => *existing = value,
            None => self.fields.push((key, value)),
        }
    }

    /// Appends a field known not to be present yet.
    ///
    /// The name and the value are written straight into the new slot, one
    /// after the other. `Vec::push` would first put the pair together on
    /// the stack and then copy it in wide loads that overlap the narrower
    /// stores that just wrote it, which stalls the processor: objects are
    /// built for every record, and this alone costs 3% of `flowc map`'s
    /// time (docs/performance.md).
    pub fn push(&mut self, key: impl Into<Text<'a>>, value: Value<'a>) {
        let key = key.into();
        self.fields.reserve(1);
        let len = self.fields.len();
        let slot = self.fields.as_mut_ptr().wrapping_add(len);
        // SAFETY: `reserve(1)` leaves room for one more field, so `slot`
        // points into the allocation, past the initialised fields. Both
        // parts of the pair are written (nothing can panic between the
        // writes) before the length counts the slot.
        unsafe {
            std::ptr::addr_of_mut!((*slot).0).write(key);
            std::ptr::addr_of_mut!((*slot).1).write(value);
            self.fields.set_len(len + 1);
        }
    }

    /// Makes fields of one name one field, where the name came first,
    /// holding the value that came last: what [`Object::insert`] of each
    /// field in turn gives, in time linear in the number of fields (the
    /// insert of each is linear in the fields before it). For objects built
    /// by pushing fields whose names may repeat: a JSON object read whole, a
    /// record body with spreads.
    pub fn merge_repeated_names(&mut self) {
        const SMALL: usize = 16;
        if self.fields.len() <= SMALL {
            let mut index = 1;
            while index < self.fields.len() {
                let name = &self.fields[index].0;
                match self.fields[..index].iter().position(|(earlier, _)| earlier == name) {
                    Some(first) => {
                        let (_, value) = self.fields.remove(index);
                        self.fields[first].1 = value;
                    }
                    None => index += 1,
                }
            }
            return;
        }
        // Where each name came first.
        let mut first_at: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(self.fields.len());
        let first: Vec<usize> = (self.fields.iter().enumerate())
            .map(|(index, (name, _))| *first_at.entry(name.as_str()).or_insert(index))
            .collect();
        if first.iter().enumerate().all(|(index, first)| index == *first) {
            return;
        }
        // Old index -> new index, for fields kept where they are.
        let mut moved_to = vec![0; first.len()];
        let mut kept: Vec<(Text<'a>, Value<'a>)> = Vec::with_capacity(first_at.len());
        for (index, (name, value)) in std::mem::take(&mut self.fields).into_iter().enumerate() {
            if first[index] == index {
                moved_to[index] = kept.len();
                kept.push((name, value));
            } else {
                kept[moved_to[first[index]]].1 = value;
            }
        }
        self.fields = kept;
    }

    pub fn remove(&mut self, key: &str) -> Option<Value<'a>> {
        let index = self.fields.iter().position(|(name, _)| name.as_str() == key)?;
        Some(self.fields.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.fields.iter().map(|(name, value)| (name.as_str(), value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Text<'a>> {
        self.fields.iter().map(|(name, _)| name)
    }

    /// Lends the object, for the time of `use_it`, as a value: it is moved
    /// into one and back, not copied (unless `use_it` keeps a share of it).
    pub fn lend_as_value<R>(&mut self, use_it: impl FnOnce(&Value<'a>) -> R) -> R {
        let value = Value::Object(Arc::new(std::mem::take(self)));
        let result = use_it(&value);
        if let Value::Object(shared) = value {
            *self = Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
        }
        result
    }

    pub fn into_owned(self) -> Object<'static> {
        Object {
            fields: self
                .fields
                .into_iter()
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        }
    }
}

impl<'a> FromIterator<(Text<'a>, Value<'a>)> for Object<'a> {
    fn from_iter<I: IntoIterator<Item = (Text<'a>, Value<'a>)>>(iter: I) -> Self {
        let mut object = Object::new();
        for (key, value) in iter {
            object.insert(key, value);
        }
        object
    }
}

#[derive(Clone, Debug, Default)]
pub enum Value<'a> {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    /// Binary floating point: only from an explicit `float(...)`, never money.
    Float(f64),
    Text(Text<'a>),
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
    List(Arc<Vec<Value<'a>>>),
    Object(Arc<Object<'a>>),
}

/// The name of a value's type, as the language and its messages spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Decimal,
    Float,
    Text,
    Date,
    DateTime,
    List,
    Object,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "none",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Decimal => "decimal",
            Kind::Float => "float",
            Kind::Text => "text",
            Kind::Date => "date",
            Kind::DateTime => "datetime",
            Kind::List => "list",
            Kind::Object => "object",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl<'a> Value<'a> {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::Decimal(_) => Kind::Decimal,
            Value::Float(_) => Kind::Float,
            Value::Text(_) => Kind::Text,
            Value::Date(_) => Kind::Date,
            Value::DateTime(_) => Kind::DateTime,
            Value::List(_) => Kind::List,
            Value::Object(_) => Kind::Object,
        }
    }

    pub fn text(text: impl Into<Text<'a>>) -> Value<'a> {
        Value::Text(text.into())
    }

    #[inline]
    pub fn list(items: Vec<Value<'a>>) -> Value<'a> {
        Value::List(Arc::new(items))
    }

    #[inline]
    pub fn object(object: Object<'a>) -> Value<'a> {
        Value::Object(Arc::new(object))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text.as_str()),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    /// An exact number as a decimal (ints convert exactly; floats do not count).
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(int) => Some(Decimal::from(*int)),
            Value::Decimal(decimal) => Some(*decimal),
            _ => None,
        }
    }

    /// A field of an object; `None` when it is missing (or this is no object).
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object()?.get(key)
    }

    /// The same value with nothing borrowed from the input.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Decimal(d) => Value::Decimal(d),
            Value::Float(f) => Value::Float(f),
            Value::Text(text) => Value::Text(text.into_owned()),
            Value::Date(date) => Value::Date(date),
            Value::DateTime(datetime) => Value::DateTime(datetime),
            Value::List(items) => {
                let items = Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone());
                Value::list(items.into_iter().map(Value::into_owned).collect())
            }
            Value::Object(object) => {
                let object = Arc::try_unwrap(object).unwrap_or_else(|shared| (*shared).clone());
                Value::object(object.into_owned())
            }
        }
    }

    /// Ordering of two values of comparable kinds: numbers with numbers
    /// (exactly, ints and decimals together), text with text, dates with
    /// dates, date-times with date-times (as instants), bools with bools.
    /// `None` when the kinds cannot be ordered.
    pub fn compare(&self, other: &Value<'_>) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Float(_), _) | (_, Value::Float(_)) => None,
            (Value::Text(a), Value::Text(b)) => Some(a.as_str().cmp(b.as_str())),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::DateTime(a), Value::DateTime(b)) => Some(a.cmp(b)),
            _ => Some(self.as_decimal()?.cmp(&other.as_decimal()?)),
        }
    }
}

/// Equality as the language means it: numbers by value (`1 == 1.00`), text
/// by content, lists and objects field by field (object field order aside).
impl PartialEq<Value<'_>> for Value<'_> {
    fn eq(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Text(a), Value::Text(b)) => a.as_str() == b.as_str(),
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y),
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, value)| b.get(key).is_some_and(|other| value == other))
            }
            (Value::Int(_) | Value::Decimal(_), Value::Int(_) | Value::Decimal(_)) => {
                self.compare(other) == Some(Ordering::Equal)
            }
            _ => false,
        }
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value<'_> {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Decimal> for Value<'_> {
    fn from(d: Decimal) -> Self {
        Value::Decimal(d)
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Self {
        Value::Text(Text::from(text))
    }
}

impl<'a> From<Vec<Value<'a>>> for Value<'a> {
    fn from(items: Vec<Value<'a>>) -> Self {
        Value::list(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn merging_repeated_names_gives_what_inserting_one_by_one_gives() {
        // Small objects and wide ones (merged through a hash map) alike.
        for (count, names) in [(6, 3), (40, 7), (500, 499), (500, 500), (1000, 13)] {
            let fields: Vec<(String, i64)> = (0..count).map(|i| (format!("f{}", (i * 7) % names), i)).collect();
            let mut inserted = Object::new();
            let mut pushed = Object::new();
            for (name, value) in &fields {
                inserted.insert(Text::from(name.clone()), Value::Int(*value));
                pushed.push(Text::from(name.clone()), Value::Int(*value));
            }
            pushed.merge_repeated_names();
            assert_eq!(pushed, inserted, "{count} fields, {names} names");
        }
    }

    #[test]
    fn pushed_fields_are_kept_in_order_through_growth_and_dropped_once() {
        let shared: Arc<str> = Arc::from("shared text");
        let list = Value::list(vec![Value::Int(7)]);
        let mut object = Object::new();
        for i in 0..100 {
            let value = match i % 3 {
                0 => Value::Text(Text::Shared(shared.clone())),
                1 => list.clone(),
                _ => Value::Int(i),
            };
            object.push(Text::from(format!("field{i}")), value);
        }
        assert_eq!(object.len(), 100);
        for (i, (name, value)) in object.iter().enumerate() {
            assert_eq!(name, format!("field{i}"));
            match i % 3 {
                0 => assert_eq!(value.as_str(), Some("shared text")),
                1 => assert_eq!(value, &list),
                _ => assert_eq!(value, &Value::Int(i as i64)),
            }
        }
        assert_eq!(Arc::strong_count(&shared), 1 + 34);
        drop(object);
        assert_eq!(Arc::strong_count(&shared), 1, "every pushed share is dropped once");
        let Value::List(items) = &list else { unreachable!() };
        assert_eq!(Arc::strong_count(items), 1);
    }

    #[test]
    fn a_lent_object_comes_back_whole_even_if_a_share_is_kept() {
        let mut object = Object::new();
        object.push("a", Value::Int(1));
        let seen = object.lend_as_value(|value| value.get("a").cloned());
        assert_eq!(seen, Some(Value::Int(1)));
        let kept = object.lend_as_value(|value| value.clone());
        object.push("b", Value::Int(2));
        assert_eq!(object.len(), 2, "the object came back, and is the lender's own");
        assert_eq!(kept.get("b"), None, "the share kept is not changed by it");
    }

    #[test]
    fn text_built_inside_text_being_built_is_its_own() {
        let outer = Text::try_build(|outer| {
            outer.push('a');
            let inner = Text::build(|inner| inner.push_str("inner"));
            outer.push_str(&inner);
            outer.push('b');
            Ok::<_, ()>(())
        });
        assert_eq!(outer.unwrap().as_str(), "ainnerb");
        assert_eq!(Text::try_build(|_| Err::<(), _>("failed")).unwrap_err(), "failed");
        assert_eq!(
            Text::build(|text| text.push_str("after")).as_str(),
            "after",
            "nothing left over"
        );
    }

    #[test]
    fn numbers_compare_exactly_across_int_and_decimal() {
        let one = Value::Int(1);
        let one_point_oo = Value::Decimal(Decimal::from_str("1.00").unwrap());
        assert_eq!(one, one_point_oo);
        let tiny = Value::Decimal(Decimal::from_str("1.0000000000000000000000000001").unwrap());
        assert_ne!(one, tiny, "no rounding through f64");
        assert_eq!(one.compare(&tiny), Some(Ordering::Less));
    }

    #[test]
    fn floats_do_not_compare_with_money() {
        assert_eq!(Value::Float(1.0).compare(&Value::Int(1)), None);
        assert_ne!(Value::Float(1.0), Value::Int(1));
    }

    #[test]
    fn object_keeps_order_and_insert_replaces() {
        let mut object = Object::new();
        object.push("a", Value::Int(1));
        object.push("b", Value::Int(2));
        object.insert("a", Value::Int(3));
        assert_eq!(object.get("a"), Some(&Value::Int(3)));
        assert_eq!(object.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
        let hint = std::sync::atomic::AtomicU32::new(0);
        assert_eq!(object.get_hinted("b", &hint), Some(&Value::Int(2)));
        assert_eq!(hint.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(object.get_hinted("b", &hint), Some(&Value::Int(2)));
        assert_eq!(object.get_hinted("c", &hint), None);
    }

    #[test]
    fn names_compare_exactly_at_every_length() {
        let long = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=long.len() {
            let a = &long[..n];
            assert!(same_name(a, a));
            for at in 0..n {
                let mut changed = a.as_bytes().to_vec();
                changed[at] = b'_';
                assert!(!same_name(a, std::str::from_utf8(&changed).unwrap()), "{a} at {at}");
            }
            assert!(!same_name(a, &long[..n.saturating_sub(1)]) || n == 0);
        }
    }

    #[test]
    fn null_is_not_missing() {
        let mut object = Object::new();
        object.push("note", Value::Null);
        assert_eq!(object.get("note"), Some(&Value::Null));
        assert_eq!(object.get("other"), None);
    }
}
