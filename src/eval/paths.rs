//! Reading paths: `.name`, `[index]`, `[*]` projections and JSONPath queries.
//!
//! A path from `$`, a variable or a setting is followed by reference, so
//! reading `$.customer.billingaddress.company` copies nothing on the way;
//! only the value at the end is cloned (cheaply: text borrows the input,
//! lists and objects are shared).

use jsonpath_rust::parser::model::JpQuery;
use std::sync::atomic::AtomicU32;

use jsonpath_rust::query::js_path_process;

use super::expr::{Frame, Run, borrow, not_a_list};
use crate::check::ir::{Expr, ExprKind};
use crate::diagnostics::{RecordError, codes};
use crate::value::Value;

fn missing(name: &str, from_none: bool) -> RecordError {
    let message = if from_none {
        format!("`{name}` is missing: the value it is read from is none")
    } else {
        format!("`{name}` is missing")
    };
    RecordError::new(codes::MISSING_FIELD, message)
        .help("say what a missing value means: `... ?? default`, or test it with `exists(...)`")
}

/// The field `name` of `value`, looked for first where `hint` says.
pub(super) fn field<'v, 'a>(value: &'v Value<'a>, name: &str, hint: &AtomicU32) -> Result<&'v Value<'a>, RecordError> {
    match value {
        Value::Object(object) => object.get_hinted(name, hint).ok_or_else(|| missing(name, false)),
        Value::Null => Err(missing(name, true)),
        other => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "cannot read the field `{name}` of {} {}: {}",
                article(other.kind().name()),
                other.kind(),
                crate::stdlib::clip(other)
            ),
        )),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The element or field `index` of `value`.
fn element<'v, 'a>(value: &'v Value<'a>, index: &Value<'_>) -> Result<&'v Value<'a>, RecordError> {
    match (value, index) {
        (Value::List(items), Value::Int(position)) => {
            let len = items.len() as i64;
            let at = if *position < 0 { len + position } else { *position };
            usize::try_from(at).ok().and_then(|at| items.get(at)).ok_or_else(|| {
                RecordError::new(
                    codes::MISSING_FIELD,
                    format!("there is no element {position}: the list has {len}"),
                )
                .help("say what a missing value means: `... ?? default`")
            })
        }
        (Value::Object(_), Value::Text(name)) => field(value, name, &AtomicU32::new(0)),
        (Value::Null, _) => Err(missing(&index.to_string(), true)),
        (Value::List(_), other) => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "a list is indexed by an int, not by {} {}",
                article(other.kind().name()),
                crate::diagnostics::personal::shown(other)
            ),
        )),
        (Value::Object(_), other) => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "an object is indexed by text, not by {} {}",
                article(other.kind().name()),
                crate::diagnostics::personal::shown(other)
            ),
        )),
        (other, _) => Err(RecordError::new(
            codes::WRONG_TYPE,
            format!(
                "cannot index {} {}: {}",
                article(other.kind().name()),
                other.kind(),
                crate::stdlib::clip(other)
            ),
        )),
    }
}

impl<'a> Run<'a, '_> {
    /// Follows a path by reference when every step is known without
    /// evaluating anything; `None` when a step needs evaluation.
    pub(super) fn reference<'f>(
        &'f self,
        expr: &'a Expr,
        frame: &'f Frame<'a>,
    ) -> Option<Result<&'f Value<'a>, RecordError>>
    where
        'a: 'f,
    {
        // Most paths are one field of the record or of a variable.
        if let ExprKind::Field {
            target,
            name,
            over_each: false,
            hint,
        } = &expr.kind
        {
            let base = match &target.kind {
                ExprKind::Record => Some(self.record),
                ExprKind::Local(slot) => Some(&frame[slot.0 as usize]),
                _ => None,
            };
            if let Some(base) = base {
                return Some(field(base, name, hint).map_err(|error| error.at(expr.span)));
            }
        }
        let result = match &expr.kind {
            ExprKind::Record => Ok(self.record),
            ExprKind::Local(slot) => Ok(&frame[slot.0 as usize]),
            ExprKind::Setting(id) => Ok(&self.evaluator.settings[id.0 as usize]),
            ExprKind::Field {
                target,
                name,
                over_each: false,
                hint,
            } => match self.reference(target, frame)? {
                Ok(base) => field(base, name, hint),
                Err(error) => Err(error),
            },
            ExprKind::Index {
                target,
                index,
                over_each: false,
            } => {
                let ExprKind::Constant(index) = &index.kind else {
                    return None;
                };
                match self.reference(target, frame)? {
                    Ok(base) => element(base, index),
                    Err(error) => Err(error),
                }
            }
            _ => return None,
        };
        Some(result.map_err(|error| error.at(expr.span)))
    }

    /// The value of a path expression (`$`, a variable, a setting, `.name`, `[i]`).
    pub(super) fn path(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        if let Some(found) = self.reference(expr, frame) {
            return found.map(|value| match (&expr.kind, value) {
                // Settings are owned by the evaluator; borrow their text.
                (ExprKind::Setting(id), _) => borrow(&self.evaluator.settings[id.0 as usize]),
                (_, value) => value.clone(),
            });
        }
        match &expr.kind {
            ExprKind::Field {
                target,
                name,
                over_each,
                hint,
            } => {
                let base = self.expr(target, frame)?;
                if *over_each {
                    return self.over_each(&base, |item| field(item, name, hint).cloned());
                }
                field(&base, name, hint).cloned()
            }
            ExprKind::Index {
                target,
                index,
                over_each,
            } => {
                let base = self.expr(target, frame)?;
                let index = self.expr(index, frame)?;
                if *over_each {
                    return self.over_each(&base, |item| element(item, &index).cloned());
                }
                element(&base, &index).cloned()
            }
            _ => unreachable!("only paths are evaluated here"),
        }
    }

    /// Applies a step to every element of a projected list.
    fn over_each(
        &self,
        list: &Value<'a>,
        step: impl Fn(&Value<'a>) -> Result<Value<'a>, RecordError>,
    ) -> Result<Value<'a>, RecordError> {
        match list {
            Value::List(items) => Ok(Value::list(items.iter().map(step).collect::<Result<_, _>>()?)),
            other => Err(not_a_list("`[*]`", other)),
        }
    }

    /// `xs[*]`: the list itself, checked to be one.
    pub(super) fn each(&mut self, target: &'a Expr, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        match self.expr(target, frame)? {
            list @ Value::List(_) => Ok(list),
            other => Err(not_a_list("`[*]`", &other).at(target.span)),
        }
    }

    /// A second `[*]` in a projection: the elements' lists joined.
    pub(super) fn flatten(&mut self, target: &'a Expr, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        let lists = self.expr(target, frame)?;
        let Value::List(lists) = lists else {
            return Err(not_a_list("`[*]`", &lists).at(target.span));
        };
        let mut flat = Vec::new();
        for list in lists.iter() {
            match list {
                Value::List(items) => flat.extend(items.iter().cloned()),
                other => return Err(not_a_list("`[*]`", other).at(target.span)),
            }
        }
        Ok(Value::list(flat))
    }

    /// A compiled JSONPath query on a value: always a list of what it selects.
    pub(super) fn query(
        &mut self,
        target: &'a Expr,
        query: &JpQuery,
        frame: &mut Frame<'a>,
    ) -> Result<Value<'a>, RecordError> {
        let root = self.expr(target, frame)?;
        match js_path_process(query, &root) {
            Ok(found) => Ok(Value::list(found.into_iter().map(|found| found.val.clone()).collect())),
            Err(error) => Err(RecordError::new(
                codes::INVALID_VALUE,
                format!(
                    "the JSONPath query failed: {}",
                    crate::diagnostics::personal::shown(error)
                ),
            )),
        }
    }
}
