//! How values read in messages (JSON form) and inside text (`${...}`).

use std::borrow::Cow;
use std::fmt;

use chrono::SecondsFormat;

use super::{Value, json};

/// The compact JSON form: what messages and diffs show.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&json::to_string(self))
    }
}

impl Value<'_> {
    /// Appends the value as it reads inside text (see [`Value::to_text`]) to
    /// `out`; `false` for `none`.
    pub fn push_text(&self, out: &mut String) -> bool {
        self.with_text(|text| out.push_str(text)).is_some()
    }

    /// Lends the value as it reads inside text (see [`Value::to_text`]) to
    /// `use_it`; `None` for `none`. Text and ints are lent without
    /// allocating.
    pub fn with_text<R>(&self, use_it: impl FnOnce(&str) -> R) -> Option<R> {
        match self {
            Value::Int(int) => Some(use_it(itoa::Buffer::new().format(*int))),
            other => other.to_text().map(|text| use_it(&text)),
        }
    }

    /// The value as it reads inside text: text as it is, numbers as written,
    /// dates in ISO 8601, lists and objects as JSON. `None` for `none`, which
    /// has no text form (the flow must say what to write instead).
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            Value::Null => return None,
            Value::Text(text) => Cow::Borrowed(text.as_str()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Int(int) => Cow::Owned(int.to_string()),
            Value::Decimal(decimal) => Cow::Owned(decimal.to_string()),
            Value::Float(float) => Cow::Owned(float.to_string()),
            Value::Date(date) => Cow::Owned(date.format("%Y-%m-%d").to_string()),
            Value::DateTime(datetime) => Cow::Owned(datetime.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Value::List(_) | Value::Object(_) => Cow::Owned(json::to_string(self)),
        })
    }
}
