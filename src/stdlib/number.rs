//! Number functions. Ints and decimals are exact; rounding always names its
//! mode, `half_up` when none is given.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use super::{Args, Category, Example, Function, Prepared, Returns, params, v};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Numbers,
    params: &[],
    variadic: None,
    returns: Returns::SameAs(0),
    fallible: false,
    doc: "",
    examples: &[],
    native: abs,
    prepare: None,
    special: None,
};

const N: Types = Types::NUMBER;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "round",
        params: params!["number": v(N), "places?": v(Types::INT), "mode?": v(Types::TEXT)],
        fallible: true,
        doc: "Rounds to `places` decimals (0 by default) and writes exactly that many: `round(12.5, 2)` is `12.50`. The mode says what happens halfway: `half_up` (the default: 0.5 away from zero, as on invoices), `half_even` (banker's rounding), `half_down`, and `up` or `down` (away from or towards zero, at any distance).",
        examples: &[
            Example {
                call: "round(2.345, 2)",
                result: "2.35",
            },
            Example {
                call: r#"round(2.345, 2, "half_even")"#,
                result: "2.34",
            },
            Example {
                call: r#"round(-2.5, 0, "half_up")"#,
                result: "-3",
            },
            Example {
                call: r#"round(2.301, 2, "up")"#,
                result: "2.31",
            },
            Example {
                call: "round(12.5, 2)",
                result: "12.50",
            },
            Example {
                call: "round(7)",
                result: "7",
            },
        ],
        native: round,
        prepare: Some(prepare_rounding),
        ..BASE
    },
    Function {
        name: "floor",
        params: params!["number": v(N), "places?": v(Types::INT)],
        fallible: true,
        doc: "Rounds down (towards negative infinity) to `places` decimals, 0 by default.",
        examples: &[
            Example {
                call: "floor(2.99)",
                result: "2",
            },
            Example {
                call: "floor(-2.01, 1)",
                result: "-2.1",
            },
        ],
        native: floor,
        ..BASE
    },
    Function {
        name: "ceil",
        params: params!["number": v(N), "places?": v(Types::INT)],
        fallible: true,
        doc: "Rounds up (towards positive infinity) to `places` decimals, 0 by default.",
        examples: &[Example {
            call: "ceil(2.01)",
            result: "3",
        }],
        native: ceil,
        ..BASE
    },
    Function {
        name: "abs",
        params: params!["number": v(N)],
        doc: "The number without its sign.",
        examples: &[Example {
            call: "abs(-4.50)",
            result: "4.50",
        }],
        native: abs,
        ..BASE
    },
    Function {
        name: "min",
        params: params!["first": v(Types::ANY)],
        variadic: Some(Types::ANY),
        returns: Returns::Types(Types::ANY),
        fallible: true,
        doc: "The smallest of its arguments, or of the elements of a list given alone; `none` for an empty list. Numbers, text, dates and date-times compare among their own kind.",
        examples: &[
            Example {
                call: "min(3, 1.5, 2)",
                result: "1.5",
            },
            Example {
                call: "min([4, 2, 8])",
                result: "2",
            },
            Example {
                call: "min([])",
                result: "null",
            },
        ],
        native: min,
        ..BASE
    },
    Function {
        name: "max",
        params: params!["first": v(Types::ANY)],
        variadic: Some(Types::ANY),
        returns: Returns::Types(Types::ANY),
        fallible: true,
        doc: "The largest of its arguments, or of the elements of a list given alone; `none` for an empty list. `max(0, stock - reserved)` keeps stock from going negative.",
        examples: &[
            Example {
                call: "max(0, 3 - 5)",
                result: "0",
            },
            Example {
                call: r#"max(["b", "a"])"#,
                result: r#""b""#,
            },
        ],
        native: max,
        ..BASE
    },
    Function {
        name: "sum",
        params: params!["list": v(Types::LIST)],
        returns: Returns::Types(N),
        fallible: true,
        doc: "The sum of a list of numbers: an int when all are ints, else a decimal. 0 for an empty list.",
        examples: &[
            Example {
                call: "sum([1, 2, 3])",
                result: "6",
            },
            Example {
                call: "sum([14.85, 39.60])",
                result: "54.45",
            },
            Example {
                call: r#"sum([1, "2"])"#,
                result: "error E1002",
            },
        ],
        native: sum,
        ..BASE
    },
    Function {
        name: "decimal",
        params: params!["value": v(Types::NUMBER.or(Types::TEXT))],
        returns: Returns::Types(Types::DECIMAL),
        fallible: true,
        doc: "An exact decimal from an int, a decimal, or text such as `\"12.50\"` (scale kept; a leading sign and an exponent are allowed). Text in another notation is read with `parse_decimal`.",
        examples: &[
            Example {
                call: r#"decimal("12.50")"#,
                result: "12.50",
            },
            Example {
                call: "decimal(3)",
                result: "3",
            },
            Example {
                call: r#"decimal("12,50")"#,
                result: "error E1006",
            },
        ],
        native: decimal,
        ..BASE
    },
    Function {
        name: "parse_decimal",
        params: params!["text": v(Types::TEXT), "decimal_separator?": v(Types::TEXT), "thousands_separator?": v(Types::TEXT)],
        returns: Returns::Types(Types::DECIMAL),
        fallible: true,
        doc: "A decimal from text written with a given decimal separator (`.` by default) and optional thousands separator, such as Dutch `\"1.234,50\"`. Thousands separators are only accepted between groups of three digits.",
        examples: &[
            Example {
                call: r#"parse_decimal("1.234,50", ",", ".")"#,
                result: "1234.50",
            },
            Example {
                call: r#"parse_decimal("12,5", ",")"#,
                result: "12.5",
            },
            Example {
                call: r#"parse_decimal("1.23.4", ",", ".")"#,
                result: "error E1006",
            },
        ],
        native: parse_decimal,
        ..BASE
    },
];

/// The rounding modes by name.
pub fn rounding_strategy(name: &str) -> Option<RoundingStrategy> {
    Some(match name {
        "half_up" => RoundingStrategy::MidpointAwayFromZero,
        "half_even" => RoundingStrategy::MidpointNearestEven,
        "half_down" => RoundingStrategy::MidpointTowardZero,
        "up" => RoundingStrategy::AwayFromZero,
        "down" => RoundingStrategy::ToZero,
        _ => return None,
    })
}

const MODES: &str = "`half_up`, `half_even`, `half_down`, `up` or `down`";

fn prepare_rounding(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    if let Some(Value::Int(places)) = constants.get(1).copied().flatten()
        && !(0..=28).contains(places)
    {
        return Err((1, format!("rounding to {places} places is not possible; use 0 to 28")));
    }
    match constants.get(2).copied().flatten() {
        Some(Value::Text(mode)) => match rounding_strategy(mode) {
            Some(strategy) => Ok(Prepared::Rounding(strategy)),
            None => Err((2, format!("`{}` is not a rounding mode; use {MODES}", mode.as_str()))),
        },
        _ => Ok(Prepared::Nothing),
    }
}

fn places(args: &Args<'_, '_>, index: usize) -> Result<u32, RecordError> {
    let places = args.int_or(index, 0)?;
    u32::try_from(places).ok().filter(|p| *p <= 28).ok_or_else(|| {
        args.invalid(format!(
            "rounding to {} places is not possible; use 0 to 28",
            crate::diagnostics::personal::shown(places)
        ))
    })
}

/// Rounds with `strategy` and writes exactly `places` decimals.
pub fn round_to(value: &Value<'_>, places: u32, strategy: RoundingStrategy) -> Option<Value<'static>> {
    match value {
        Value::Int(int) => Some(Value::Int(*int)),
        Value::Decimal(decimal) => {
            let mut rounded = decimal.round_dp_with_strategy(places, strategy);
            rounded.rescale(places);
            Some(Value::Decimal(rounded))
        }
        _ => None,
    }
}

fn rounded<'a>(args: &mut Args<'_, 'a>, strategy: RoundingStrategy) -> Result<Value<'a>, RecordError> {
    let places = places(args, 1)?;
    let value = args.take(0);
    round_to(&value, places, strategy).ok_or_else(|| args.wrong_type(0, &value))
}

fn round<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let strategy = match args.prepared() {
        Prepared::Rounding(strategy) => *strategy,
        _ => {
            let mode = args.text_or(2, "half_up")?;
            rounding_strategy(mode).ok_or_else(|| {
                args.invalid(format!(
                    "{} is not a rounding mode; use {MODES}",
                    crate::diagnostics::personal::shown(format!("`{mode}`"))
                ))
            })?
        }
    };
    rounded(args, strategy)
}

fn floor<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    rounded(args, RoundingStrategy::ToNegativeInfinity)
}

fn ceil<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    rounded(args, RoundingStrategy::ToPositiveInfinity)
}

fn abs<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.take(0) {
        Value::Int(int) => int
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| RecordError::new(codes::ARITHMETIC, "`abs`: the result is too large for an int")),
        Value::Decimal(decimal) => Ok(Value::Decimal(decimal.abs())),
        other => Err(args.wrong_type(0, &other)),
    }
}

fn extreme<'a>(args: &mut Args<'_, 'a>, want: std::cmp::Ordering) -> Result<Value<'a>, RecordError> {
    let mut values = args.take_all();
    let candidates: Vec<Value<'a>> = match values.as_mut_slice() {
        [Value::List(items)] => items.iter().cloned().collect(),
        _ => values,
    };
    let mut best: Option<Value<'a>> = None;
    for candidate in candidates {
        best = Some(match best {
            None => candidate,
            Some(current) => match candidate.compare(&current) {
                Some(order) if order == want => candidate,
                Some(_) => current,
                None => {
                    return Err(RecordError::new(
                        codes::WRONG_TYPE,
                        format!("cannot compare {} with {}", candidate.kind(), current.kind()),
                    ));
                }
            },
        });
    }
    Ok(best.unwrap_or(Value::Null))
}

fn min<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    extreme(args, std::cmp::Ordering::Less)
}

fn max<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    extreme(args, std::cmp::Ordering::Greater)
}

/// Adds exact numbers, staying an int while every term is one.
pub fn add_numbers<'v>(items: impl IntoIterator<Item = &'v Value<'v>>) -> Result<Value<'static>, RecordError> {
    let overflow = || RecordError::new(codes::ARITHMETIC, "`sum`: the total is too large");
    let mut total = Value::Int(0);
    for (i, item) in items.into_iter().enumerate() {
        total = match (&total, item) {
            (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b).ok_or_else(overflow)?),
            (_, Value::Int(_) | Value::Decimal(_)) => {
                let a = total.as_decimal().expect("the total is a number");
                let b = item.as_decimal().expect("checked above");
                Value::Decimal(a.checked_add(b).ok_or_else(overflow)?)
            }
            _ => {
                return Err(RecordError::new(
                    codes::WRONG_TYPE,
                    format!(
                        "`sum`: element {i} is {}, not a number: {}",
                        item.kind(),
                        crate::diagnostics::personal::shown(item)
                    ),
                ));
            }
        };
    }
    Ok(total)
}

fn sum<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let items = args.take_list(0)?;
    add_numbers(items.iter())
}

/// Reads a decimal written the standard way: `-12.50`, `1e3`.
pub fn decimal_from_text(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
    .filter(|_| !text.is_empty() && !text.starts_with('.') && !text.ends_with('.'))
}

fn decimal<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Int(int)) => Ok(Value::Decimal(Decimal::from(*int))),
        Some(Value::Decimal(decimal)) => Ok(Value::Decimal(*decimal)),
        Some(Value::Text(text)) => match decimal_from_text(text) {
            Some(decimal) => Ok(Value::Decimal(decimal)),
            None => {
                let mut error = args.invalid(format!(
                    "{} is not a decimal number",
                    crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
                ));
                if text.contains(',') {
                    error = error.help("for a decimal comma, use `parse_decimal(text, \",\")`");
                }
                Err(error)
            }
        },
        Some(Value::Float(_)) => Err(args
            .invalid("a float is not converted to a decimal directly")
            .help("floats are not exact; go through text: `decimal(text(x))`")),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn parse_decimal<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?.trim();
    let decimal_separator = args.text_or(1, ".")?;
    let thousands = match args.get(2) {
        None | Some(Value::Null) => None,
        Some(_) => Some(args.text(2)?),
    };
    let fail = || {
        args.invalid(format!(
            "{} is not a number written with {decimal_separator:?} for decimals",
            crate::diagnostics::personal::shown(format!("{text:?}"))
        ))
    };
    let (whole, fraction) = match text.split_once(decimal_separator) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let (sign, whole) = match whole.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", whole.strip_prefix('+').unwrap_or(whole)),
    };
    let whole: String = match thousands {
        Some(separator) if !separator.is_empty() && whole.contains(separator) => {
            let groups: Vec<&str> = whole.split(separator).collect();
            let well_grouped =
                !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|group| group.len() == 3);
            if !well_grouped {
                return Err(fail());
            }
            groups.concat()
        }
        _ => whole.to_string(),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(&whole) || fraction.is_some_and(|f| !digits_only(f)) {
        return Err(fail());
    }
    let normal = match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    };
    Decimal::from_str(&normal).map(Value::Decimal).map_err(|_| fail())
}
