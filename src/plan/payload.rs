//! A payload held against its vendor's schema: whether a create or update
//! a flow builds is one the system accepts. Each field must be one the
//! entity has (unless the object is open), writable, of its kind, within
//! its length and its decimals; a create carries every required field; and
//! no field is sent
//! as `null` where the vendor wants a value (leave the field out instead).
//!
//! `flowc test` holds every payload its cases produce against the target's
//! schema, so that a shipped mapping is proven against the vendor's
//! description, not only against the expectations its author wrote. The
//! sandboxes check what they receive with their own code (sandbox/store.rs,
//! more lenient, as the vendors are): the two sides of the wire share none.

use crate::connectors::schema::{EntitySchema, FieldSchema, Fields};
use crate::value::Value;

/// What is wrong with a payload, one line per field.
pub fn problems(entity: &EntitySchema, payload: &Value<'_>, creating: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(fields) = payload.as_object() else {
        return vec![format!("the payload is {}, not an object", payload.kind().name())];
    };
    for (name, value) in fields.iter() {
        match entity.fields.get(name) {
            Some(field) => check(name, field.as_written(), value, &mut problems),
            None => problems.push(format!("`{name}`: the entity has no such field")),
        }
    }
    if creating {
        required(&entity.fields, fields, "", &mut problems);
    }
    problems
}

/// Required fields a create leaves out.
fn required(schema: &Fields, written: &crate::value::Object<'_>, prefix: &str, problems: &mut Vec<String>) {
    for (name, field) in schema {
        if field.required && !field.read_only && written.get(name).is_none() {
            problems.push(format!("`{prefix}{name}`: required, and not written"));
        }
    }
}

/// One field's value against its schema; `path` names it in the problem.
fn check(path: &str, field: &FieldSchema, value: &Value<'_>, problems: &mut Vec<String>) {
    if field.read_only {
        problems.push(format!("`{path}`: read-only, the system sets it"));
        return;
    }
    if matches!(value, Value::Null) {
        if field.kind != "any" {
            problems.push(format!(
                "`{path}`: null where the system wants {}; leave the field out",
                kind_words(&field.kind)
            ));
        }
        return;
    }
    if super::is_placeholder(value) {
        return;
    }
    let fits = match (field.kind.as_str(), value) {
        // An int field takes a whole number: a decimal with a fraction or
        // a float does not fit, whatever its kind allows.
        ("int", Value::Decimal(decimal)) => decimal.fract().is_zero(),
        ("int", Value::Float(_)) => false,
        _ => field.written_kinds().contains(value.kind()),
    };
    if !fits {
        problems.push(format!(
            "`{path}`: {} where the system wants {}",
            value.kind().name(),
            kind_words(&field.kind)
        ));
        return;
    }
    if let (Some(most), Value::Decimal(decimal)) = (field.decimals, value) {
        let places = decimal.normalize().scale();
        if places > most {
            problems.push(format!("`{path}`: {places} decimals, at most {most}"));
        }
    }
    if let (Some(most), Some(text)) = (field.max_length, value.as_str()) {
        let length = text.chars().count();
        if length > most as usize {
            problems.push(format!("`{path}`: {length} characters, at most {most}"));
        }
    }
    match value {
        Value::Object(object) if !field.open => {
            if let Some(fields) = &field.fields {
                for (name, inner) in object.iter() {
                    match fields.get(name) {
                        Some(schema) => check(&format!("{path}.{name}"), schema.as_written(), inner, problems),
                        None => problems.push(format!("`{path}.{name}`: no such field")),
                    }
                }
                required(fields, object, &format!("{path}."), problems);
            }
        }
        Value::List(items) => {
            if let Some(schema) = &field.items {
                for (index, item) in items.iter().enumerate() {
                    check(&format!("{path}[{index}]"), schema, item, problems);
                }
            }
        }
        _ => {}
    }
}

/// "text", "an int", ... for a schema kind.
fn kind_words(kind: &str) -> String {
    match kind {
        "int" => "an int".to_string(),
        "object" | "any" => format!("an {kind}"),
        other => format!("a {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::schema::Catalog;
    use crate::value::json;

    fn customers() -> &'static EntitySchema {
        Catalog::builtin().entity("eaccounting", "customers").unwrap()
    }

    fn problems_of(payload: &str, creating: bool) -> Vec<String> {
        problems(customers(), &json::parse(payload).unwrap(), creating)
    }

    #[test]
    fn a_payload_the_vendor_accepts_has_no_problems() {
        let payload = r#"{"Name": "Bakkerij de Vries", "IsPrivatePerson": false, "IsActive": true,
            "InvoiceCity": "Utrecht", "InvoicePostalCode": "1234 AB",
            "TermsOfPaymentId": "8f6b3a51-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}"#;
        assert_eq!(problems_of(payload, true), Vec::<String>::new());
    }

    #[test]
    fn each_field_that_does_not_fit_is_named() {
        let payload = r#"{"Name": 12, "IsActive": "yes", "Telephone": null, "Nickname": "x",
            "Id": "f2b7e1de-2c2b-4d6e-9f0e-3d0a4c6b9e01"}"#;
        let found = problems_of(payload, false);
        assert!(
            found.contains(&"`Name`: int where the system wants a text".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"`IsActive`: text where the system wants a bool".to_string()),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.starts_with("`Telephone`: null")), "{found:?}");
        assert!(
            found.contains(&"`Nickname`: the entity has no such field".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"`Id`: read-only, the system sets it".to_string()),
            "{found:?}"
        );
        // An update need not carry the required fields.
        assert!(!found.iter().any(|p| p.contains("required")), "{found:?}");
    }

    #[test]
    fn a_create_carries_every_required_field() {
        let found = problems_of(r#"{"Name": "Jan"}"#, true);
        assert!(
            found.contains(&"`InvoiceCity`: required, and not written".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn numbers_take_the_decimals_the_vendor_allows() {
        let orders = Catalog::builtin().entity("eaccounting", "orders").unwrap();
        let rows = |quantity: &str, price: &str| {
            format!(
                r#"{{"Rows": [{{"ArticleId": "a", "Quantity": {quantity}, "UnitPrice": {price}, "LineNumber": 0,
                    "IsTextRow": false, "IsWorkCost": false, "EligibleForReverseChargeOnVat": false}}]}}"#
            )
        };
        let fits = rows("1.2345", "4.50");
        assert_eq!(
            problems(orders, &json::parse(&fits).unwrap(), false),
            Vec::<String>::new()
        );
        let too_fine = rows("1.23456", "4.545");
        assert_eq!(
            problems(orders, &json::parse(&too_fine).unwrap(), false),
            [
                "`Rows[0].Quantity`: 5 decimals, at most 4",
                "`Rows[0].UnitPrice`: 3 decimals, at most 2"
            ]
        );
    }

    #[test]
    fn the_id_a_dry_run_gives_a_record_it_would_create_is_not_held_against_the_field() {
        let orders = Catalog::builtin().entity("mpluskassa", "orders").unwrap();
        let with = |relation: &str| {
            let payload =
                format!(r#"{{"employeeNumber": 999999, "relationNumber": {relation}, "lineList": {{"line": []}}}}"#);
            problems(orders, &json::parse(&payload).unwrap(), true)
        };
        assert_eq!(with(r#""(new mpluskassa.relations)""#), Vec::<String>::new());
        assert_eq!(
            with(r#""10023""#),
            ["`relationNumber`: text where the system wants an int"]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let schema = customers();
        let most = schema.fields["Name"].max_length.unwrap() as usize;
        let fits = format!(r#"{{"Name": "{}"}}"#, "é".repeat(most));
        assert_eq!(
            problems(schema, &json::parse(&fits).unwrap(), false),
            Vec::<String>::new()
        );
        let long = format!(r#"{{"Name": "{}"}}"#, "é".repeat(most + 1));
        let found = problems(schema, &json::parse(&long).unwrap(), false);
        assert_eq!(found, [format!("`Name`: {} characters, at most {most}", most + 1)]);
    }
}
