//! How a lookup key compares a record's field with its value: `==`, or an
//! order (`create_date >= since`) that a system's API may take as a range.
//!
//! Systems give dates as text (`"2024-03-14T10:21:33Z"`); a key whose value
//! is a date or date-time reads such a field as one, so that
//! `create_date >= @2024-03-13` compares moments, not letters.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate};

use super::Value;

/// The comparison of a `where` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    /// As written in a flow: `==`, `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Equal => "==",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
        }
    }

    pub fn from_symbol(symbol: &str) -> Option<Comparison> {
        Some(match symbol {
            "==" => Comparison::Equal,
            "<" => Comparison::Less,
            "<=" => Comparison::LessOrEqual,
            ">" => Comparison::Greater,
            ">=" => Comparison::GreaterOrEqual,
            _ => return None,
        })
    }

    pub fn is_equal(self) -> bool {
        self == Comparison::Equal
    }

    /// Whether `field` (a record's) stands in this relation to `value` (the
    /// key's). Values of kinds that cannot be ordered hold no order.
    pub fn holds(self, field: &Value<'_>, value: &Value<'_>) -> bool {
        if self == Comparison::Equal {
            return field == value;
        }
        let Some(ordering) = ordered(field, value) else {
            return false;
        };
        match self {
            Comparison::Equal => ordering == Ordering::Equal,
            Comparison::Less => ordering == Ordering::Less,
            Comparison::LessOrEqual => ordering != Ordering::Greater,
            Comparison::Greater => ordering == Ordering::Greater,
            Comparison::GreaterOrEqual => ordering != Ordering::Less,
        }
    }
}

/// The order of a record's field against a key's value; a text field
/// against a date or date-time is read as one (a date-time text against a
/// date by its own calendar day).
fn ordered(field: &Value<'_>, value: &Value<'_>) -> Option<Ordering> {
    match (field, value) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => None,
        (Value::Text(text), Value::Date(date)) => Some(text_date(text)?.cmp(date)),
        (Value::Text(text), Value::DateTime(moment)) => {
            let field = DateTime::parse_from_rfc3339(text).ok()?;
            Some(field.cmp(moment))
        }
        _ => field.compare(value),
    }
}

/// The calendar day a text gives: a date, or the day a date-time begins
/// with (`2024-03-14T10:21:33Z`, `2024-03-14 10:21:33`): systems write
/// their moments in more forms than RFC 3339, and a day is a day in each.
fn text_date(text: &str) -> Option<NaiveDate> {
    let (day, rest) = text.split_at_checked(10)?;
    if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(text: &str) -> Value<'static> {
        Value::from(text)
    }

    #[test]
    fn orders_numbers_and_text() {
        let two = Value::Int(2);
        assert!(Comparison::GreaterOrEqual.holds(&two, &Value::Int(2)));
        assert!(!Comparison::Greater.holds(&two, &Value::Int(2)));
        assert!(Comparison::Less.holds(&two, &Value::Decimal("2.5".parse().unwrap())));
        assert!(Comparison::LessOrEqual.holds(&text("a"), &text("b")));
        assert!(Comparison::Equal.holds(&text("a"), &text("a")));
    }

    #[test]
    fn text_dates_compare_as_moments() {
        let created = text("2024-03-14T10:21:33Z");
        let day = |d: &str| Value::Date(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
        assert!(Comparison::GreaterOrEqual.holds(&created, &day("2024-03-14")));
        assert!(!Comparison::Greater.holds(&created, &day("2024-03-14")));
        assert!(Comparison::Less.holds(&created, &day("2024-03-15")));
        // A moment in another form than RFC 3339 is still its day.
        assert!(Comparison::GreaterOrEqual.holds(&text("2024-03-14 10:21:33"), &day("2024-03-14")));
        assert!(!Comparison::GreaterOrEqual.holds(&text("2024-03-13 23:59:59"), &day("2024-03-14")));
        assert!(!Comparison::GreaterOrEqual.holds(&text("2024-03-145"), &day("2024-03-14")));
        // The same moment in another offset.
        let moment = Value::DateTime(DateTime::parse_from_rfc3339("2024-03-14T11:21:33+01:00").unwrap());
        assert!(Comparison::GreaterOrEqual.holds(&created, &moment));
        assert!(!Comparison::Greater.holds(&created, &moment));
    }

    #[test]
    fn what_cannot_be_ordered_holds_no_order() {
        assert!(!Comparison::GreaterOrEqual.holds(&text("not a date"), &Value::Date(NaiveDate::MIN)));
        assert!(!Comparison::GreaterOrEqual.holds(&Value::Null, &Value::Int(1)));
        assert!(!Comparison::LessOrEqual.holds(&Value::Bool(false), &Value::Bool(true)));
        assert!(!Comparison::GreaterOrEqual.holds(&text("1"), &Value::Int(1)));
    }
}
