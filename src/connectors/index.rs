//! Lookups without scanning: for one entity and one field path, the
//! positions of the records that hold each value there (a path through a
//! list holds every element's value, as a lookup by `Rows.Text` matches
//! any row). Values are keyed as the language compares them: numbers by
//! value (`1` and `1.00` alike), text by content.

use std::collections::HashMap;

use crate::value::Value;

/// The positions of an entity's records by the value at one path.
#[derive(Debug, Default)]
pub struct Index {
    by_value: HashMap<String, Vec<usize>>,
}

impl Index {
    /// The index of `records` at `path`.
    pub fn build(records: &[Value<'static>], path: &[String]) -> Index {
        let mut index = Index::default();
        for (at, record) in records.iter().enumerate() {
            index.add(at, record, path);
        }
        index
    }

    /// The positions of the records holding `value` at the path; `None`
    /// when the value cannot be indexed (a list, an object), so that the
    /// caller looks at every record.
    pub fn positions(&self, value: &Value<'_>) -> Option<&[usize]> {
        let key = key(value)?;
        Some(self.by_value.get(&key).map_or(&[], Vec::as_slice))
    }

    /// Notes the record at `at`.
    pub fn add(&mut self, at: usize, record: &Value<'_>, path: &[String]) {
        let mut keys = Vec::new();
        values_at(record, path, &mut |value| keys.extend(key(value)));
        keys.sort();
        keys.dedup();
        for key in keys {
            self.by_value.entry(key).or_default().push(at);
        }
    }

    /// Forgets the record at `at`, as it was.
    pub fn remove(&mut self, at: usize, record: &Value<'_>, path: &[String]) {
        values_at(record, path, &mut |value| {
            if let Some(key) = key(value)
                && let Some(positions) = self.by_value.get_mut(&key)
            {
                positions.retain(|position| *position != at);
            }
        });
    }
}

/// Every value at `path` in `record`, through lists.
fn values_at<'v>(record: &'v Value<'_>, path: &[String], each: &mut dyn FnMut(&'v Value<'_>)) {
    match (record, path.split_first()) {
        (Value::List(items), Some(_)) => {
            for item in items.iter() {
                values_at(item, path, each);
            }
        }
        (_, Some((name, rest))) => {
            if let Some(field) = record.get(name) {
                values_at(field, rest, each);
            }
        }
        (_, None) => each(record),
    }
}

/// The key of a scalar, equal for values the language calls equal.
fn key(value: &Value<'_>) -> Option<String> {
    Some(match value {
        Value::Null => "z".to_string(),
        Value::Bool(truth) => format!("b{truth}"),
        Value::Text(text) => format!("s{}", text.as_str()),
        Value::Int(number) => format!("n{number}"),
        Value::Decimal(number) => {
            let normal = number.normalize();
            match i64::try_from(normal) {
                Ok(whole) if normal.fract().is_zero() => format!("n{whole}"),
                _ => format!("n{normal}"),
            }
        }
        Value::Float(number) => format!("f{number}"),
        Value::Date(date) => format!("d{date}"),
        Value::DateTime(moment) => format!("t{moment}"),
        Value::List(_) | Value::Object(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn values_are_found_as_the_language_compares_them() {
        let records: Vec<Value<'static>> = [
            r#"{"n": 1, "rows": [{"t": "a"}, {"t": "b"}]}"#,
            r#"{"n": 2.50, "rows": [{"t": "b"}]}"#,
            r#"{"n": "1"}"#,
        ]
        .iter()
        .map(|text| json::parse(text).unwrap().into_owned())
        .collect();
        let path = |text: &str| text.split('.').map(String::from).collect::<Vec<_>>();
        let by_n = Index::build(&records, &path("n"));
        assert_eq!(
            by_n.positions(&json::parse("1.00").unwrap()),
            Some(&[0][..]),
            "numbers by value"
        );
        assert_eq!(by_n.positions(&json::parse("2.5").unwrap()), Some(&[1][..]));
        assert_eq!(
            by_n.positions(&json::parse(r#""1""#).unwrap()),
            Some(&[2][..]),
            "text is not a number"
        );
        let mut by_text = Index::build(&records, &path("rows.t"));
        assert_eq!(
            by_text.positions(&Value::from("b".to_string())),
            Some(&[0, 1][..]),
            "through lists"
        );
        by_text.remove(0, &records[0], &path("rows.t"));
        assert_eq!(by_text.positions(&Value::from("b".to_string())), Some(&[1][..]));
        assert_eq!(
            by_text.positions(&json::parse("[1]").unwrap()),
            None,
            "a list is looked for by scanning"
        );
    }
}
