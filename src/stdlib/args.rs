//! The arguments a native function receives, with typed accessors whose
//! errors name the function, the parameter and what it got.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Function, ParamType, Prepared};
use crate::diagnostics::personal::shown;
use crate::diagnostics::{RecordError, codes};
use crate::value::{Kind, Object, Text, Types, Value};

/// What a native function may ask of the evaluator that called it.
pub trait Context<'a> {
    /// Applies the function argument at parameter `index` to `args`.
    fn apply(&mut self, index: usize, args: &[Value<'a>]) -> Result<Value<'a>, RecordError>;

    /// The current time (fixed in tests and examples).
    fn now(&self) -> DateTime<Utc>;
}

pub struct Args<'c, 'a> {
    function: &'static Function,
    values: &'c mut [Value<'a>],
    context: &'c mut dyn Context<'a>,
    prepared: &'c Prepared,
}

impl<'c, 'a> Args<'c, 'a> {
    /// `values` holds one entry per argument written in the call; function
    /// arguments hold `Null` and are reached through [`Args::apply`].
    pub fn new(
        function: &'static Function,
        values: &'c mut [Value<'a>],
        context: &'c mut dyn Context<'a>,
        prepared: &'c Prepared,
    ) -> Args<'c, 'a> {
        Args {
            function,
            values,
            context,
            prepared,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn prepared(&self) -> &Prepared {
        self.prepared
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.context.now()
    }

    pub fn apply(&mut self, index: usize, args: &[Value<'a>]) -> Result<Value<'a>, RecordError> {
        self.context.apply(index, args)
    }

    /// The argument at `index`, or `None` when an optional one was left out.
    pub fn get(&self, index: usize) -> Option<&Value<'a>> {
        self.values.get(index)
    }

    /// Moves the argument at `index` out (it is `Null` afterwards).
    pub fn take(&mut self, index: usize) -> Value<'a> {
        self.values.get_mut(index).map(std::mem::take).unwrap_or_default()
    }

    /// All the arguments, moved out.
    pub fn take_all(&mut self) -> Vec<Value<'a>> {
        self.values.iter_mut().map(std::mem::take).collect()
    }

    fn name(&self, index: usize) -> &'static str {
        self.function.params.get(index).map_or("argument", |param| param.name)
    }

    /// The error for an argument of a type the function does not take.
    pub fn wrong_type(&self, index: usize, got: &Value<'_>) -> RecordError {
        let expected = match self.function.param_type(index) {
            Some(ParamType::Value(types)) => types,
            _ => Types::ANY,
        };
        let mut error = RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "`{}` takes {expected} as `{}`, but got {}: {}",
                self.function.name,
                self.name(index),
                got.kind(),
                clip(got)
            ),
        );
        if got.is_null() {
            error = error.help("give a default with `??` when the value can be none");
        } else if got.kind() == Kind::Text && expected.intersects(Types::NUMBER) {
            error = error.help("convert text to a number with `decimal(...)` or `int(...)`");
        }
        error
    }

    /// A failure of this function on a value it cannot handle (E1006).
    pub fn invalid(&self, message: impl Into<String>) -> RecordError {
        RecordError::new(
            codes::INVALID_VALUE,
            format!("`{}`: {}", self.function.name, message.into()),
        )
    }

    pub fn text(&self, index: usize) -> Result<&str, RecordError> {
        match self.values.get(index) {
            Some(Value::Text(text)) => Ok(text.as_str()),
            other => Err(self.wrong_type(index, other.unwrap_or(&Value::Null))),
        }
    }

    #[inline]
    pub fn take_text(&mut self, index: usize) -> Result<Text<'a>, RecordError> {
        match self.take(index) {
            Value::Text(text) => Ok(text),
            other => Err(self.wrong_type(index, &other)),
        }
    }

    /// An optional text argument, or `default` when left out.
    pub fn text_or<'s>(&'s self, index: usize, default: &'s str) -> Result<&'s str, RecordError> {
        match self.values.get(index) {
            None => Ok(default),
            Some(_) => self.text(index),
        }
    }

    pub fn int(&self, index: usize) -> Result<i64, RecordError> {
        match self.values.get(index) {
            Some(Value::Int(int)) => Ok(*int),
            other => Err(self.wrong_type(index, other.unwrap_or(&Value::Null))),
        }
    }

    pub fn int_or(&self, index: usize, default: i64) -> Result<i64, RecordError> {
        match self.values.get(index) {
            None => Ok(default),
            Some(_) => self.int(index),
        }
    }

    /// An int or decimal, as a decimal.
    pub fn number(&self, index: usize) -> Result<Decimal, RecordError> {
        let value = self.values.get(index).unwrap_or(&Value::Null);
        value.as_decimal().ok_or_else(|| self.wrong_type(index, value))
    }

    pub fn bool(&self, index: usize) -> Result<bool, RecordError> {
        match self.values.get(index) {
            Some(Value::Bool(b)) => Ok(*b),
            other => Err(self.wrong_type(index, other.unwrap_or(&Value::Null))),
        }
    }

    pub fn take_list(&mut self, index: usize) -> Result<Arc<Vec<Value<'a>>>, RecordError> {
        match self.take(index) {
            Value::List(items) => Ok(items),
            other => Err(self.wrong_type(index, &other)),
        }
    }

    pub fn take_object(&mut self, index: usize) -> Result<Arc<Object<'a>>, RecordError> {
        match self.take(index) {
            Value::Object(object) => Ok(object),
            other => Err(self.wrong_type(index, &other)),
        }
    }
}

/// A value of the record shortened for a message, and marked so that the
/// activity log can mask it (see [`crate::diagnostics::personal`]).
pub fn clip(value: &Value<'_>) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        shown(format!("{head}..."))
    } else {
        shown(text)
    }
}
