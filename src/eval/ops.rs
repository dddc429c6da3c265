//! Operators on values: exact arithmetic (ints stay ints, anything with a
//! decimal is a decimal, `/` is exact division), text joining, comparison.
//! Overflow and division by zero fail the record; nothing is rounded
//! silently beyond a decimal's 28 significant digits.

use rust_decimal::Decimal;

use crate::diagnostics::{RecordError, codes};
use crate::syntax::ast::BinaryOp;
use crate::value::{Text, Value};

fn overflow(op: BinaryOp) -> RecordError {
    RecordError::new(
        codes::ARITHMETIC,
        format!("the result of `{}` is too large", op.symbol()),
    )
}

fn division_by_zero() -> RecordError {
    RecordError::new(codes::ARITHMETIC, "division by zero")
        .help("test the divisor first: `if d == 0 { ... } else { x / d }`")
}

fn cannot(op: BinaryOp, left: &Value<'_>, right: &Value<'_>) -> RecordError {
    let verb = op.verb();
    let mut error = RecordError::new(
        codes::WRONG_TYPE,
        format!(
            "cannot {verb} {} and {}: {} {} {}",
            left.kind(),
            right.kind(),
            crate::stdlib::clip(left),
            op.symbol(),
            crate::stdlib::clip(right)
        ),
    );
    let is_float = |v: &Value<'_>| matches!(v, Value::Float(_));
    if is_float(left) != is_float(right) && (left.as_decimal().is_some() || right.as_decimal().is_some()) {
        error = error.help("floats are not exact; keep money in decimals: `decimal(...)`");
    } else if matches!(left, Value::Text(_)) || matches!(right, Value::Text(_)) {
        error = error.help(if op == BinaryOp::Add {
            "put values into text with interpolation: \"...${x}\""
        } else {
            "convert text to a number with `decimal(...)` or `int(...)`"
        });
    } else if left.is_null() || right.is_null() {
        error = error.help("give a default for none with `??`");
    }
    error
}

pub fn binary<'a>(op: BinaryOp, left: Value<'a>, right: Value<'a>) -> Result<Value<'a>, RecordError> {
    use std::cmp::Ordering::*;
    let ordered = |wanted: fn(std::cmp::Ordering) -> bool| match left.compare(&right) {
        Some(order) => Ok(Value::Bool(wanted(order))),
        None => Err(cannot(op, &left, &right)),
    };
    match op {
        BinaryOp::Eq => Ok(Value::Bool(left == right)),
        BinaryOp::Ne => Ok(Value::Bool(left != right)),
        BinaryOp::Lt => ordered(|o| o == Less),
        BinaryOp::Le => ordered(|o| o != Greater),
        BinaryOp::Gt => ordered(|o| o == Greater),
        BinaryOp::Ge => ordered(|o| o != Less),
        BinaryOp::Add => match (&left, &right) {
            (Value::Text(a), Value::Text(b)) => Ok(Value::Text(Text::build(|joined| {
                joined.push_str(a);
                joined.push_str(b);
            }))),
            _ => arithmetic(op, &left, &right),
        },
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => arithmetic(op, &left, &right),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => {
            unreachable!("evaluated lazily by the caller")
        }
    }
}

fn arithmetic<'a>(op: BinaryOp, left: &Value<'a>, right: &Value<'a>) -> Result<Value<'a>, RecordError> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            let result = match op {
                BinaryOp::Add => a.checked_add(b),
                BinaryOp::Sub => a.checked_sub(b),
                BinaryOp::Mul => a.checked_mul(b),
                BinaryOp::Div => return decimal(op, Decimal::from(a), Decimal::from(b)),
                _ => {
                    if b == 0 {
                        return Err(division_by_zero());
                    }
                    a.checked_rem(b)
                }
            };
            result.map(Value::Int).ok_or_else(|| overflow(op))
        }
        (Value::Float(a), Value::Float(b)) => {
            let result = match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                _ => a % b,
            };
            if result.is_finite() {
                Ok(Value::Float(result))
            } else if *b == 0.0 {
                Err(division_by_zero())
            } else {
                Err(overflow(op))
            }
        }
        _ => match (left.as_decimal(), right.as_decimal()) {
            (Some(a), Some(b)) => decimal(op, a, b),
            _ => Err(cannot(op, left, right)),
        },
    }
}

fn decimal<'a>(op: BinaryOp, a: Decimal, b: Decimal) -> Result<Value<'a>, RecordError> {
    if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b.is_zero() {
        return Err(division_by_zero());
    }
    let result = match op {
        BinaryOp::Add => a.checked_add(b),
        BinaryOp::Sub => a.checked_sub(b),
        BinaryOp::Mul => a.checked_mul(b),
        // A quotient's scale is an accident of the algorithm; it is written
        // without trailing zeros (`7 / 2` is 3.5), and `round` sets decimals.
        BinaryOp::Div => a.checked_div(b).map(|quotient| quotient.normalize()),
        _ => a.checked_rem(b),
    };
    result.map(Value::Decimal).ok_or_else(|| overflow(op))
}

pub fn negate(value: Value<'_>) -> Result<Value<'_>, RecordError> {
    match value {
        Value::Int(int) => int.checked_neg().map(Value::Int).ok_or_else(|| overflow(BinaryOp::Sub)),
        Value::Decimal(decimal) => Ok(Value::Decimal(-decimal)),
        Value::Float(float) => Ok(Value::Float(-float)),
        other => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "`-` negates a number, but this is {}: {}",
                other.kind(),
                crate::stdlib::clip(&other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Value<'static> {
        Value::Decimal(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn exact_arithmetic() {
        assert_eq!(binary(BinaryOp::Add, d("0.1"), d("0.2")).unwrap().to_string(), "0.3");
        assert_eq!(
            binary(BinaryOp::Mul, d("12.99"), Value::Int(3)).unwrap().to_string(),
            "38.97"
        );
        assert_eq!(
            binary(BinaryOp::Div, Value::Int(7), Value::Int(2)).unwrap().to_string(),
            "3.5"
        );
        assert_eq!(
            binary(BinaryOp::Add, Value::Int(2), Value::Int(3)).unwrap().to_string(),
            "5"
        );
    }

    #[test]
    fn failures_name_their_cause() {
        let error = binary(BinaryOp::Div, Value::Int(1), Value::Int(0)).unwrap_err();
        assert_eq!(error.code, codes::ARITHMETIC);
        let error = binary(BinaryOp::Add, Value::Int(i64::MAX), Value::Int(1)).unwrap_err();
        assert_eq!(error.code, codes::ARITHMETIC);
        let error = binary(BinaryOp::Mul, Value::Float(1.5), d("2")).unwrap_err();
        assert_eq!(error.code, codes::WRONG_TYPE);
        assert!(error.help.as_deref().unwrap().contains("decimal"));
        let error = binary(BinaryOp::Lt, Value::from("a".to_string()), Value::Int(1)).unwrap_err();
        assert_eq!(error.code, codes::WRONG_TYPE);
    }
}
