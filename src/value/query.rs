//! Lets jsonpath-rust run JSONPath filters (`$.rows[?@.count > 1]`) directly
//! on our values, without converting a record to `serde_json::Value`.
//!
//! Inside a filter, RFC 9535 compares numbers as IEEE doubles; that is the
//! filter language's rule and only decides which elements are selected. The
//! selected values themselves are returned unchanged, exact.

use std::borrow::Cow;

use jsonpath_rust::query::queryable::Queryable;

use super::{Text, Value};

impl<'v> From<&str> for Value<'v> {
    fn from(text: &str) -> Self {
        Value::Text(Text::from(text.to_string()))
    }
}

impl From<f64> for Value<'_> {
    fn from(float: f64) -> Self {
        Value::Float(float)
    }
}

impl<'v> Queryable for Value<'v> {
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }

    fn as_array(&self) -> Option<&Vec<Self>> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    fn as_object(&self) -> Option<Vec<(&str, &Self)>> {
        Value::as_object(self).map(|object| object.iter().collect())
    }

    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(int) => Some(*int),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        use rust_decimal::prelude::ToPrimitive;
        match self {
            Value::Decimal(decimal) => decimal.to_f64(),
            Value::Float(float) => Some(*float),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn null() -> Self {
        Value::Null
    }

    fn extension_custom(_name: &str, _args: Vec<Cow<Self>>) -> Self {
        Value::Null
    }
}
