//! OData `$filter` expressions, as eAccounting reads them: `Field eq 'text'`
//! (or `ge`, `lt`, ... for a key that asks for an order) joined with `and`. Text is quoted, a quote in it doubled (`'O''Brien'`);
//! numbers, booleans and moments stand as they are; only the record's own
//! fields can be filtered on, not a field inside a list (`Rows.Text`).

use crate::connectors::Key;
use crate::value::{Comparison, Value};

/// `Field eq value` (`Field ge value` for `>=`); `None` when the API cannot
/// filter this way (a path into the record's parts, or a value that is a
/// list or an object).
pub fn condition(key: &Key<'_>) -> Option<String> {
    let [field] = key.path else {
        return None;
    };
    if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let operator = match key.comparison {
        Comparison::Equal => "eq",
        Comparison::Less => "lt",
        Comparison::LessOrEqual => "le",
        Comparison::Greater => "gt",
        Comparison::GreaterOrEqual => "ge",
    };
    Some(format!("{field} {operator} {}", literal(key.value)?))
}

/// `Field gt value`: records after a cursor.
pub fn greater(field: &str, value: &Value<'_>) -> Option<String> {
    Some(format!("{field} gt {}", literal(value)?))
}

/// A value as an OData literal.
pub fn literal(value: &Value<'_>) -> Option<String> {
    Some(match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(_) | Value::Decimal(_) => value.to_text()?.into_owned(),
        Value::Float(_) => return None,
        Value::Date(_) | Value::DateTime(_) => value.to_text()?.into_owned(),
        // A moment written as text (a cursor read from a record) is a
        // moment to OData, not text.
        Value::Text(text) if chrono::DateTime::parse_from_rfc3339(text.as_str()).is_ok() => text.to_string(),
        Value::Text(text) => format!("'{}'", text.as_str().replace('\'', "''")),
        Value::List(_) | Value::Object(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<String> {
        text.split('.').map(String::from).collect()
    }

    fn equals(path: &[String], value: &Value<'_>) -> Option<String> {
        condition(&Key::equal(path, value))
    }

    #[test]
    fn text_is_quoted_and_its_quotes_doubled() {
        assert_eq!(
            equals(&path("Name"), &Value::from("O'Brien & Zn".to_string())).unwrap(),
            "Name eq 'O''Brien & Zn'"
        );
        assert_eq!(equals(&path("Number"), &Value::Int(12)).unwrap(), "Number eq 12");
        assert_eq!(
            equals(&path("IsActive"), &Value::Bool(true)).unwrap(),
            "IsActive eq true"
        );
        assert_eq!(
            greater("ChangedUtc", &Value::from("2024-03-14T10:00:00Z".to_string())).unwrap(),
            "ChangedUtc gt 2024-03-14T10:00:00Z"
        );
    }

    #[test]
    fn fields_inside_lists_and_odd_names_cannot_be_filtered() {
        assert_eq!(equals(&path("Rows.Text"), &Value::from("x".to_string())), None);
        assert_eq!(equals(&path("Name) or (1 eq 1"), &Value::Int(1)), None);
        assert_eq!(equals(&path("Rows"), &Value::list(vec![])), None);
    }

    #[test]
    fn orders_become_odata_comparisons() {
        let since = Value::from("2024-03-14T10:00:00Z".to_string());
        let field = path("CreatedUtc");
        let key = |comparison| Key {
            path: &field,
            comparison,
            value: &since,
        };
        assert_eq!(
            condition(&key(Comparison::GreaterOrEqual)).unwrap(),
            "CreatedUtc ge 2024-03-14T10:00:00Z"
        );
        assert_eq!(
            condition(&key(Comparison::Less)).unwrap(),
            "CreatedUtc lt 2024-03-14T10:00:00Z"
        );
    }
}
