//! Masking personal data (GDPR) for the activity log: e-mail addresses,
//! names, addresses, phone numbers and bank accounts are replaced by `***`
//! unless a run asks to log payloads whole (`--log-payloads`).
//!
//! Fields are recognised by name ([`is_personal`]), so that any system's
//! records are covered. Values inside error messages are masked by their
//! marks (see [`crate::diagnostics::personal`]).

use crate::value::{Object, Value};

pub use crate::diagnostics::personal::is_personal;

/// A field's value as the log may show it.
pub fn field(name: &str, value: &Value<'_>) -> Value<'static> {
    if is_personal(name) {
        hidden(value)
    } else {
        self::value(value)
    }
}

/// A value with every personal field inside it masked.
pub fn value(value: &Value<'_>) -> Value<'static> {
    match value {
        Value::Object(fields) => {
            let mut masked = Object::with_capacity(fields.len());
            for (name, inner) in fields.iter() {
                masked.push(name.to_string(), field(name, inner));
            }
            Value::object(masked)
        }
        Value::List(items) => Value::list(items.iter().map(self::value).collect()),
        other => other.clone().into_owned(),
    }
}

/// A personal value, hidden: its shape stays (none stays none, a list
/// stays a list), its content does not.
fn hidden(value: &Value<'_>) -> Value<'static> {
    match value {
        Value::Null => Value::Null,
        Value::Object(fields) => {
            let mut masked = Object::with_capacity(fields.len());
            for (name, inner) in fields.iter() {
                masked.push(name.to_string(), hidden(inner));
            }
            Value::object(masked)
        }
        Value::List(items) => Value::list(items.iter().map(hidden).collect()),
        _ => Value::from("***".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn personal_fields_are_hidden_and_the_rest_kept() {
        let order = json::parse(
            r#"{"id": 1, "customer": {"email": "jan@example.nl", "billingaddress": {"street": "Dorpsstraat", "housenumber": 12, "country_code": "NL"}, "note": null}, "total_price": 54.45, "EmailAddresses": ["a@b.nl"]}"#,
        )
        .unwrap();
        assert_eq!(
            json::to_string(&value(&order)),
            r#"{"id":1,"customer":{"email":"***","billingaddress":{"street":"***","housenumber":"***","country_code":"***"},"note":null},"total_price":54.45,"EmailAddresses":["***"]}"#
        );
    }
}
