//! A sandbox's records: seeded from a directory of `<entity>.json` files
//! (the example folders work as they are), held in memory, and checked on
//! every write against the vendor's schema the way the vendor checks them:
//! required fields on a create, types, maximum lengths, read-only fields.

use std::collections::BTreeMap;
use std::path::Path;

use crate::connectors::schema::{Catalog, EntitySchema, FieldSchema, Fields};
use crate::value::{Value, json};

/// The records of one system, per entity.
#[derive(Debug, Default)]
pub struct Records {
    pub entities: BTreeMap<String, Vec<Value<'static>>>,
}

impl Records {
    /// Every `<entity>.json` in `dir` (a JSON array each).
    pub fn seed(dir: Option<&Path>) -> Result<Records, String> {
        let mut records = Records::default();
        let Some(dir) = dir else {
            return Ok(records);
        };
        let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(entity) = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.strip_suffix(".json"))
            else {
                continue;
            };
            if entity.starts_with('.') || !path.is_file() {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
            match json::parse(text) {
                Ok(Value::List(list)) => {
                    let list = list.iter().cloned().map(Value::into_owned).collect();
                    records.entities.insert(entity.to_string(), list);
                }
                Ok(_) => return Err(format!("{} holds no JSON array of records", path.display())),
                Err(error) => return Err(format!("{} is not valid JSON: {error}", path.display())),
            }
        }
        Ok(records)
    }

    pub fn of(&self, entity: &str) -> &[Value<'static>] {
        self.entities.get(entity).map_or(&[], Vec::as_slice)
    }

    pub fn of_mut(&mut self, entity: &str) -> &mut Vec<Value<'static>> {
        self.entities.entry(entity.to_string()).or_default()
    }
}

/// What a write breaks in the vendor's schema, as (field, message).
pub type Problems = Vec<(String, String)>;

/// Problems in one line: `field: message; field: message`.
pub fn described(problems: &Problems) -> String {
    problems
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks a record sent to `entity` of `system`: on a create (`creating`)
/// the required fields must be there; always, the fields must be known,
/// writable, of their type and within their length.
pub fn check(system: &str, entity: &str, record: &Value<'_>, creating: bool) -> Result<(), Problems> {
    let Some(schema) = Catalog::builtin().entity(system, entity) else {
        return Err(vec![(String::new(), format!("there is no {entity} to write"))]);
    };
    let mut problems = Problems::new();
    check_entity(schema, record, creating, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn check_entity(schema: &EntitySchema, record: &Value<'_>, creating: bool, problems: &mut Problems) {
    let Some(object) = record.as_object() else {
        problems.push((String::new(), "the body is not a JSON object".into()));
        return;
    };
    check_fields(&schema.fields, object, "", creating, problems);
}

fn check_fields(
    fields: &Fields,
    object: &crate::value::Object<'_>,
    prefix: &str,
    creating: bool,
    problems: &mut Problems,
) {
    if creating {
        for (name, field) in fields {
            if field.required && !field.read_only && object.get(name).is_none_or(Value::is_null) {
                problems.push((format!("{prefix}{name}"), format!("The {name} field is required.")));
            }
        }
    }
    for (name, value) in object.iter() {
        let path = format!("{prefix}{name}");
        match fields.get(name) {
            None => problems.push((path, format!("{name} is not a field of this record."))),
            Some(field) if field.read_only => problems.push((path, format!("{name} cannot be written."))),
            Some(field) => check_value(field, value, &path, creating, problems),
        }
    }
}

fn check_value(field: &FieldSchema, value: &Value<'_>, path: &str, creating: bool, problems: &mut Problems) {
    if value.is_null() {
        return;
    }
    let fits = match (field.kind.as_str(), value) {
        ("text", Value::Text(_)) => true,
        ("int", Value::Int(_)) => true,
        ("decimal", Value::Int(_) | Value::Decimal(_)) => true,
        ("bool", Value::Bool(_)) => true,
        ("list", Value::List(_)) => true,
        ("object", Value::Object(_)) => true,
        ("any", _) => true,
        // Dates travel as text.
        ("text", Value::Date(_) | Value::DateTime(_)) => true,
        _ => false,
    };
    if !fits {
        problems.push((
            path.to_string(),
            format!("expected {}, got {}.", field.kind, value.kind()),
        ));
        return;
    }
    if let (Some(max), Value::Text(text)) = (field.max_length, value)
        && text.as_str().chars().count() > max as usize
    {
        problems.push((
            path.to_string(),
            format!("The field must be a string with a maximum length of {max}."),
        ));
    }
    match value {
        Value::List(items) => {
            if let Some(item_schema) = &field.items {
                for (index, item) in items.iter().enumerate() {
                    check_value(item_schema, item, &format!("{path}[{index}]"), creating, problems);
                }
            }
        }
        Value::Object(object) if !field.open => {
            if let Some(fields) = &field.fields {
                check_fields(fields, object, &format!("{path}."), creating, problems);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_checked_like_the_vendor_checks_them() {
        let record = json::parse(r#"{"Name": "A", "IsPrivatePerson": true}"#).unwrap();
        let problems = check("eaccounting", "customers", &record, true).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(field, _)| field.as_str()).collect();
        assert!(
            fields.contains(&"InvoiceCity") && fields.contains(&"TermsOfPaymentId"),
            "{problems:?}"
        );
        assert!(
            check("eaccounting", "customers", &record, false).is_ok(),
            "an update needs no required fields"
        );

        let record = json::parse(r#"{"Name": "x", "Id": "c-1", "Frobnicate": 1, "IsActive": "yes"}"#).unwrap();
        let problems = check("eaccounting", "customers", &record, false).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");

        let long = format!(r#"{{"Name": "{}"}}"#, "x".repeat(51));
        let problems = check("eaccounting", "customers", &json::parse(&long).unwrap(), false).unwrap_err();
        assert!(problems[0].1.contains("maximum length of 50"), "{problems:?}");
    }
}
