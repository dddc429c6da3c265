//! Address helpers.

use std::sync::LazyLock;

use regex::Regex;

use super::{Args, Category, Example, Function, Returns, params, v};
use crate::diagnostics::RecordError;
use crate::value::{Object, Types, Value};

pub const FUNCTIONS: &[Function] = &[Function {
    name: "split_street",
    category: Category::Domain,
    params: params!["line": v(Types::TEXT)],
    variadic: None,
    returns: Returns::Types(Types::OBJECT),
    fallible: false,
    doc: "Splits a street line into `{street, number, suffix}`: the street name, the house number as an int (`none` when there is none), and what follows the number (`\"\"` when nothing does). Handles Dutch, Belgian and German forms (`Dorpsstraat 12A`, `Laan van Meerdervoort 1-3`, `2e Helmersstraat 14 hs`, `Rue Royale 55 bte 3`) and a number in front (`12 Main Street`). A number that is part of the street name (`Plein 1940 12`) stays in the name.",
    examples: &[
        Example {
            call: r#"split_street("Dorpsstraat 12A")"#,
            result: r#"{"street": "Dorpsstraat", "number": 12, "suffix": "A"}"#,
        },
        Example {
            call: r#"split_street("Laan van Meerdervoort 1-3")"#,
            result: r#"{"street": "Laan van Meerdervoort", "number": 1, "suffix": "3"}"#,
        },
        Example {
            call: r#"split_street("2e Helmersstraat 14 hs")"#,
            result: r#"{"street": "2e Helmersstraat", "number": 14, "suffix": "hs"}"#,
        },
        Example {
            call: r#"split_street("Plein 1940 12")"#,
            result: r#"{"street": "Plein 1940", "number": 12, "suffix": ""}"#,
        },
        Example {
            call: r#"split_street("12 Main Street")"#,
            result: r#"{"street": "Main Street", "number": 12, "suffix": ""}"#,
        },
        Example {
            call: r#"split_street("Postbus")"#,
            result: r#"{"street": "Postbus", "number": null, "suffix": ""}"#,
        },
    ],
    native: split_street,
    prepare: None,
    special: None,
}];

/// Street, then number, then an optional suffix. The street is matched
/// lazily so that `55 bte 3` keeps `bte 3` as the suffix; a suffix that
/// starts with a digit needs a separator (`1-3`), so that in `Plein 1940 12`
/// the last number is the house number.
static STREET_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?<street>.*?\S)[\s,]+(?<number>\d{1,9})(?:\s*[-/,]\s*(?<after_separator>[\p{L}\d][\p{L}\d .\-/]*)|\s*(?<suffix>\p{L}[\p{L}\d .\-/]*))?$")
        .expect("the street pattern compiles")
});

/// Number first, as in English: `12 Main Street`, `12A High St`.
static NUMBER_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?<number>\d{1,9})\s*(?<suffix>\p{L}{0,2})\s+(?<street>\p{L}.*)$")
        .expect("the street pattern compiles")
});

/// `{street, number, suffix}` of a street line.
pub fn split(line: &str) -> (String, Option<i64>, String) {
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let captures = STREET_FIRST.captures(&line).or_else(|| NUMBER_FIRST.captures(&line));
    match captures {
        Some(parts) => {
            let street = parts["street"].trim().trim_end_matches(',').trim().to_string();
            let number = parts["number"].parse().ok();
            let suffix = parts
                .name("after_separator")
                .or_else(|| parts.name("suffix"))
                .map_or("", |m| m.as_str())
                .trim()
                .to_string();
            (street, number, suffix)
        }
        None => (line, None, String::new()),
    }
}

fn split_street<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let (street, number, suffix) = split(args.text(0)?);
    let mut parts = Object::with_capacity(3);
    parts.push("street", Value::from(street));
    parts.push("number", number.map_or(Value::Null, Value::Int));
    parts.push("suffix", Value::from(suffix));
    Ok(Value::object(parts))
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_the_forms_seen_in_practice() {
        let cases = [
            ("Dorpsstraat 12A", ("Dorpsstraat", Some(12), "A")),
            ("Dorpsstraat 12 A", ("Dorpsstraat", Some(12), "A")),
            ("Dorpsstraat 12-A", ("Dorpsstraat", Some(12), "A")),
            ("Kerkstraat 10/2", ("Kerkstraat", Some(10), "2")),
            ("Hauptstraße 5a", ("Hauptstraße", Some(5), "a")),
            ("Rue Royale 55 bte 3", ("Rue Royale", Some(55), "bte 3")),
            ("1e Jan Steenstraat 5", ("1e Jan Steenstraat", Some(5), "")),
            ("Straat 12 bis", ("Straat", Some(12), "bis")),
            ("  Dorpsstraat   12  ", ("Dorpsstraat", Some(12), "")),
            ("Keizersgracht 123, 3 hoog", ("Keizersgracht", Some(123), "3 hoog")),
            ("12A High St", ("High St", Some(12), "A")),
            ("Plein 1940 12", ("Plein 1940", Some(12), "")),
            ("Plein 1940 12-2", ("Plein 1940", Some(12), "2")),
            ("", ("", None, "")),
        ];
        for (line, (street, number, suffix)) in cases {
            let (got_street, got_number, got_suffix) = split(line);
            assert_eq!(
                (got_street.as_str(), got_number, got_suffix.as_str()),
                (street, number, suffix),
                "{line:?}"
            );
        }
    }
}
