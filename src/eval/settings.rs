//! The values of a program's settings: defaults, overridden by values given
//! when the flow runs (`--set name=value`), each read as the setting's type.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;

use crate::check::ir::{Program, SettingType};
use crate::value::{Kind, Value, json};

/// A problem with the settings given; the flow cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingError(pub String);

/// One value for every setting of `program`, in order: the given value,
/// else the default. Fails when a setting is unknown, a value does not read
/// as its type, or a setting without a default is not given.
pub fn resolve(program: &Program, given: &[(String, String)]) -> Result<Vec<Value<'static>>, Vec<SettingError>> {
    let mut errors = Vec::new();
    let mut values: Vec<Option<Value<'static>>> = program.settings.iter().map(|s| s.default.clone()).collect();
    for (name, text) in given {
        match program.setting_named(name) {
            Some((id, setting)) => match parse(&setting.ty, text) {
                Ok(value) => values[id.0 as usize] = Some(value),
                Err(reason) => errors.push(SettingError(format!("setting `{name}`: {reason}"))),
            },
            None => {
                let names = program.settings.iter().map(|s| s.name.as_str());
                let hint = crate::diagnostics::closest(name, names)
                    .map(|best| format!("; did you mean `{best}`?"))
                    .unwrap_or_default();
                errors.push(SettingError(format!("the flow has no setting `{name}`{hint}")));
            }
        }
    }
    let mut resolved = Vec::with_capacity(values.len());
    for (setting, value) in program.settings.iter().zip(values) {
        match value {
            Some(value) => resolved.push(value),
            None if setting.ty.types.contains(Kind::Null) => resolved.push(Value::Null),
            None => errors.push(SettingError(format!(
                "the setting `{}` has no default and must be given: --set {}=...",
                setting.name, setting.name
            ))),
        }
    }
    if errors.is_empty() { Ok(resolved) } else { Err(errors) }
}

/// Reads a value of one kind from text, if it is one.
type Reader = fn(&str) -> Option<Value<'static>>;

/// Reads a setting's value from text, as its type says.
pub fn parse(ty: &SettingType, text: &str) -> Result<Value<'static>, String> {
    if let Some(words) = &ty.words {
        if words.iter().any(|word| word == text) {
            return Ok(Value::from(text.to_string()));
        }
        if !(ty.types.contains(Kind::Null) && text == "none") {
            let listed: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            return Err(format!("{text:?} is not one of {}", listed.join(", ")));
        }
    }
    let attempts: [(Kind, Reader); 10] = [
        (Kind::Null, |t| (t == "none").then_some(Value::Null)),
        (Kind::Bool, |t| match t {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        }),
        (Kind::Int, |t| i64::from_str(t).ok().map(Value::Int)),
        (Kind::Decimal, |t| Decimal::from_str_exact(t).ok().map(Value::Decimal)),
        (Kind::Float, |t| {
            f64::from_str(t).ok().filter(|f| f.is_finite()).map(Value::Float)
        }),
        (Kind::Date, |t| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(Value::Date)
        }),
        (Kind::DateTime, |t| {
            DateTime::parse_from_rfc3339(t).ok().map(Value::DateTime)
        }),
        (Kind::List, |t| {
            json::parse(t)
                .ok()
                .filter(|v| v.kind() == Kind::List)
                .map(Value::into_owned)
        }),
        (Kind::Object, |t| {
            json::parse(t)
                .ok()
                .filter(|v| v.kind() == Kind::Object)
                .map(Value::into_owned)
        }),
        (Kind::Text, |t| Some(Value::from(t.to_string()))),
    ];
    for (kind, attempt) in attempts {
        if ty.types.contains(kind)
            && let Some(value) = attempt(text)
        {
            return Ok(value);
        }
    }
    Err(format!("{text:?} is not {}", ty.types))
}
