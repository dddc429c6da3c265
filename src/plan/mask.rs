//! Masking personal data (GDPR) for the activity log: e-mail addresses,
//! names, addresses, phone numbers and bank accounts are replaced by `***`
//! unless a run asks to log payloads whole (`--log-payloads`).
//!
//! Fields are recognised by name ([`is_personal`]), so that any system's
//! records are covered. A text too long to read in a log (an image's
//! data in base64) is shortened to its start and its length. Values inside error messages are masked by their
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
        Value::Text(text) if text.len() > LONGEST_LOGGED => {
            let start: String = text.chars().take(32).collect();
            Value::from(format!(
                "{start}... ({} characters, left out of the log)",
                text.chars().count()
            ))
        }
        other => other.clone().into_owned(),
    }
}

/// The longest text the log shows whole, in bytes.
const LONGEST_LOGGED: usize = 16 * 1024;

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

    #[test]
    fn an_image_s_data_is_shortened_to_its_start_and_length() {
        let data = "iVBORw0KGgo".to_string() + &"A".repeat(40_000);
        let mut photo = Object::new();
        photo.push("file_type", Value::from("png"));
        photo.push("source", Value::from(data.clone()));
        let logged = value(&Value::object(photo));
        assert_eq!(logged.get("file_type"), Some(&Value::from("png")));
        let source = logged.get("source").and_then(Value::as_str).unwrap();
        assert!(source.starts_with("iVBORw0KGgoAAAA"), "{source}");
        assert!(source.ends_with("(40011 characters, left out of the log)"), "{source}");
        // A text of ordinary length is logged whole.
        let short = Value::from("Desembrood wit");
        assert_eq!(value(&short), short);
    }
}
