//! Type tests and conversions between types.

use rust_decimal::prelude::ToPrimitive;

use super::{Args, Category, Example, Function, Returns, Special, params, v};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Kind, Types, Value, json};

const BASE: Function = Function {
    name: "",
    category: Category::Types,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::BOOL),
    fallible: false,
    doc: "",
    examples: &[],
    native: type_of,
    prepare: None,
    special: None,
};

const ANY: Types = Types::ANY;

macro_rules! kind_test {
    ($name:literal, $native:ident, $doc:literal, $yes:literal, $no:literal) => {
        Function {
            name: $name,
            params: params!["value": v(ANY)],
            doc: $doc,
            examples: &[Example { call: $yes, result: "true" }, Example { call: $no, result: "false" }],
            native: $native,
            ..BASE
        }
    };
}

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "exists",
        params: params!["path": v(ANY)],
        doc: "Whether a path can be read: `exists($.customer.email)` is `false`, not an error, when a field on the way is missing. A field that is `none` exists.",
        examples: &[
            Example {
                call: "exists({a = none}.a)",
                result: "true",
            },
            Example {
                call: "exists({a = 1}.b)",
                result: "false",
            },
        ],
        native: exists,
        special: Some(Special::Exists),
        ..BASE
    },
    Function {
        name: "type_of",
        params: params!["value": v(ANY)],
        returns: Returns::Types(Types::TEXT),
        doc: "The name of the value's type: `none`, `bool`, `int`, `decimal`, `float`, `text`, `date`, `datetime`, `list` or `object`.",
        examples: &[
            Example {
                call: "type_of(12.50)",
                result: r#""decimal""#,
            },
            Example {
                call: "type_of(none)",
                result: r#""none""#,
            },
        ],
        native: type_of,
        ..BASE
    },
    kind_test!(
        "is_text",
        is_text,
        "Whether the value is text.",
        r#"is_text("12")"#,
        "is_text(12)"
    ),
    kind_test!(
        "is_number",
        is_number,
        "Whether the value is an int or a decimal.",
        "is_number(12.5)",
        r#"is_number("12.5")"#
    ),
    kind_test!(
        "is_int",
        is_int,
        "Whether the value is an int.",
        "is_int(12)",
        "is_int(12.0)"
    ),
    kind_test!(
        "is_decimal",
        is_decimal,
        "Whether the value is a decimal.",
        "is_decimal(12.0)",
        "is_decimal(12)"
    ),
    kind_test!(
        "is_bool",
        is_bool,
        "Whether the value is `true` or `false`.",
        "is_bool(false)",
        r#"is_bool("false")"#
    ),
    kind_test!(
        "is_list",
        is_list,
        "Whether the value is a list.",
        "is_list([])",
        "is_list({})"
    ),
    kind_test!(
        "is_object",
        is_object,
        "Whether the value is an object.",
        "is_object({})",
        "is_object([])"
    ),
    kind_test!(
        "is_date",
        is_date,
        "Whether the value is a date.",
        "is_date(@2024-03-14)",
        r#"is_date("2024-03-14")"#
    ),
    kind_test!(
        "is_datetime",
        is_datetime,
        "Whether the value is a date-time.",
        "is_datetime(@2024-03-14T10:00:00Z)",
        "is_datetime(@2024-03-14)"
    ),
    Function {
        name: "text",
        params: params!["value": v(ANY.without(Types::NULL))],
        returns: Returns::Types(Types::TEXT),
        fallible: true,
        doc: "The value as text, as `${...}` writes it: numbers as written, dates in ISO 8601, lists and objects as JSON. `none` fails; give a default with `??`.",
        examples: &[
            Example {
                call: "text(1042)",
                result: r#""1042""#,
            },
            Example {
                call: "text(12.50)",
                result: r#""12.50""#,
            },
            Example {
                call: "text(@2024-03-14)",
                result: r#""2024-03-14""#,
            },
            Example {
                call: "text({note = none}.note)",
                result: "error E1002",
            },
        ],
        native: text,
        ..BASE
    },
    Function {
        name: "int",
        params: params!["value": v(Types::NUMBER.or(Types::TEXT).or(Types::FLOAT))],
        returns: Returns::Types(Types::INT),
        fallible: true,
        doc: "An int from text (`\"42\"`), from a decimal without a fraction, or from a float without a fraction. A fraction fails: round first.",
        examples: &[
            Example {
                call: r#"int("42")"#,
                result: "42",
            },
            Example {
                call: "int(3.00)",
                result: "3",
            },
            Example {
                call: "int(3.5)",
                result: "error E1006",
            },
        ],
        native: int,
        ..BASE
    },
    Function {
        name: "float",
        params: params!["value": v(Types::NUMBER.or(Types::TEXT).or(Types::FLOAT))],
        returns: Returns::Types(Types::FLOAT),
        fallible: true,
        doc: "A binary floating-point number, for measures such as weights where exactness does not matter. Never use it for money: flowc refuses to mix floats with decimals.",
        examples: &[Example {
            call: r#"float("0.75")"#,
            result: "0.75",
        }],
        native: float,
        ..BASE
    },
    Function {
        name: "bool",
        params: params!["value": v(Types::BOOL.or(Types::TEXT).or(Types::INT))],
        returns: Returns::Types(Types::BOOL),
        fallible: true,
        doc: "A bool from `true`/`false`, `\"true\"`/`\"false\"`, `\"yes\"`/`\"no\"`, `\"1\"`/`\"0\"` (text in any case) or the ints 1 and 0.",
        examples: &[
            Example {
                call: r#"bool("Yes")"#,
                result: "true",
            },
            Example {
                call: "bool(0)",
                result: "false",
            },
            Example {
                call: r#"bool("maybe")"#,
                result: "error E1006",
            },
        ],
        native: bool,
        ..BASE
    },
    Function {
        name: "json",
        params: params!["value": v(ANY)],
        returns: Returns::Types(Types::TEXT),
        doc: "The value written as compact JSON text.",
        examples: &[Example {
            call: r#"json({a = [1, 2.50], b = none})"#,
            result: r#""{\"a\":[1,2.50],\"b\":null}""#,
        }],
        native: to_json,
        ..BASE
    },
    Function {
        name: "parse_json",
        params: params!["text": v(Types::TEXT)],
        returns: Returns::Types(ANY),
        fallible: true,
        doc: "The value that JSON text describes; numbers stay exact.",
        examples: &[
            Example {
                call: r#"parse_json("{\"price\": 12.50}").price"#,
                result: "12.50",
            },
            Example {
                call: r#"parse_json("{oops")"#,
                result: "error E1006",
            },
        ],
        native: parse_json,
        ..BASE
    },
];

fn exists<'a>(_args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    // The compiler evaluates `exists(...)` itself; a direct call only happens
    // if that special case is ever bypassed, and then the answer is honest.
    Ok(Value::Bool(true))
}

fn type_of<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let kind = args.get(0).map_or(Kind::Null, Value::kind);
    Ok(Value::from(kind.name()))
}

fn is(args: &Args<'_, '_>, types: Types) -> Value<'static> {
    Value::Bool(args.get(0).is_some_and(|value| types.contains(value.kind())))
}

fn is_text<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::TEXT))
}
fn is_number<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::NUMBER))
}
fn is_int<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::INT))
}
fn is_decimal<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::DECIMAL))
}
fn is_bool<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::BOOL))
}
fn is_list<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::LIST))
}
fn is_object<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::OBJECT))
}
fn is_date<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::DATE))
}
fn is_datetime<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(is(args, Types::DATETIME))
}

fn text<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.take(0) {
        Value::Text(text) => Ok(Value::Text(text)),
        Value::Null => Err(args.wrong_type(0, &Value::Null)),
        other => Ok(Value::from(other.to_text().map(|t| t.into_owned()).unwrap_or_default())),
    }
}

fn int<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let fraction = |what: String| {
        args.invalid(format!("{what} has a fraction"))
            .help("round it first: `int(round(x))`")
    };
    match args.get(0) {
        Some(Value::Int(int)) => Ok(Value::Int(*int)),
        Some(Value::Decimal(decimal)) => {
            if !decimal.fract().is_zero() {
                return Err(fraction(crate::diagnostics::personal::shown(decimal)));
            }
            decimal.to_i64().map(Value::Int).ok_or_else(|| {
                args.invalid(format!(
                    "{} is too large for an int",
                    crate::diagnostics::personal::shown(decimal)
                ))
            })
        }
        Some(Value::Float(float)) => {
            if float.fract() != 0.0 || !float.is_finite() {
                return Err(fraction(crate::diagnostics::personal::shown(float)));
            }
            Ok(Value::Int(*float as i64))
        }
        Some(Value::Text(text)) => text.trim().parse::<i64>().map(Value::Int).map_err(|_| {
            args.invalid(format!(
                "{} is not a whole number",
                crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
            ))
        }),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn float<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Float(float)) => Ok(Value::Float(*float)),
        Some(Value::Int(int)) => Ok(Value::Float(*int as f64)),
        Some(Value::Decimal(decimal)) => Ok(Value::Float(decimal.to_f64().unwrap_or(f64::NAN))),
        Some(Value::Text(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Float)
            .ok_or_else(|| {
                args.invalid(format!(
                    "{} is not a number",
                    crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
                ))
            }),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn bool<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Bool(b)) => Ok(Value::Bool(*b)),
        Some(Value::Int(1)) => Ok(Value::Bool(true)),
        Some(Value::Int(0)) => Ok(Value::Bool(false)),
        Some(Value::Text(text)) => match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(args.invalid(format!(
                "{} is not a yes or no",
                crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
            ))),
        },
        Some(Value::Int(int)) => Err(args.invalid(format!(
            "{} is neither 1 nor 0",
            crate::diagnostics::personal::shown(int)
        ))),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn to_json<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::from(json::to_string(args.get(0).unwrap_or(&Value::Null))))
}

fn parse_json<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    match json::parse(text) {
        Ok(value) => Ok(value.into_owned()),
        Err(error) => Err(RecordError::new(
            codes::INVALID_VALUE,
            format!("`parse_json`: the text is not JSON: {error}"),
        )),
    }
}
