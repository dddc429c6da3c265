//! Evaluating expressions.

use super::{Evaluator, Target};
use crate::check::ir::{Arg, Expr, ExprKind, ForBody, TextPart};
use crate::diagnostics::{RecordError, codes};
use crate::stdlib::{Args, Context};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{Text, Value};

/// The local variables of a flow, function, or table value being evaluated.
pub type Frame<'a> = Vec<Value<'a>>;

/// One record's evaluation.
pub struct Run<'a, 't> {
    pub(super) evaluator: &'a Evaluator<'a>,
    pub(super) record: &'a Value<'a>,
    pub(super) target: &'t mut dyn Target<'a>,
    /// Where `emit` writes its record as JSON, when it is not built (see
    /// [`Evaluator::run_emitting_json`]).
    pub(super) emit_json: Option<&'t mut Vec<u8>>,
}

/// A constant of the program, borrowed rather than copied where possible.
pub(super) fn borrow<'a>(value: &'a Value<'static>) -> Value<'a> {
    match value {
        Value::Text(text) => Value::Text(Text::Borrowed(text.as_str())),
        other => other.clone(),
    }
}

impl<'a, 't> Run<'a, 't> {
    pub(super) fn new(
        evaluator: &'a Evaluator<'a>,
        record: &'a Value<'a>,
        target: &'t mut dyn Target<'a>,
    ) -> Run<'a, 't> {
        Run {
            evaluator,
            record,
            target,
            emit_json: None,
        }
    }

    #[inline(always)]
    pub(super) fn expr(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        self.eval(expr, frame).map_err(|error| error.at(expr.span))
    }

    /// A condition: must give a bool.
    pub(super) fn condition(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) -> Result<bool, RecordError> {
        match self.expr(expr, frame)? {
            Value::Bool(b) => Ok(b),
            other => Err(RecordError::new(
                codes::WRONG_TYPE,
                format!(
                    "a condition must be a bool, but this is {}: {}",
                    other.kind(),
                    crate::diagnostics::personal::shown(&other)
                ),
            )
            .help("compare explicitly, e.g. `x == \"paid\"` or `x != none`")
            .at(expr.span)),
        }
    }

    fn eval(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        match &expr.kind {
            ExprKind::Constant(value) => Ok(borrow(value)),
            ExprKind::Record
            | ExprKind::Local(_)
            | ExprKind::Setting(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. } => self.path(expr, frame),
            ExprKind::Each(target) => self.each(target, frame),
            ExprKind::Flatten(target) => self.flatten(target, frame),
            ExprKind::Query { target, query, .. } => self.query(target, query, frame),
            ExprKind::Native {
                function,
                args,
                prepared,
            } => match args.as_slice() {
                // Calls of one to three arguments (nearly all) gather them in
                // an array: each is evaluated straight into its place.
                [a] => {
                    let mut values = [self.argument(a, frame)?];
                    self.call(function, &mut values, frame, args, prepared)
                }
                [a, b] => {
                    let mut values = [self.argument(a, frame)?, self.argument(b, frame)?];
                    self.call(function, &mut values, frame, args, prepared)
                }
                [a, b, c] => {
                    let mut values = [
                        self.argument(a, frame)?,
                        self.argument(b, frame)?,
                        self.argument(c, frame)?,
                    ];
                    self.call(function, &mut values, frame, args, prepared)
                }
                _ => {
                    let mut values = Vec::with_capacity(args.len());
                    for arg in args {
                        values.push(self.argument(arg, frame)?);
                    }
                    self.call(function, &mut values, frame, args, prepared)
                }
            },
            ExprKind::Call { function, args } => {
                let definition = self.evaluator.program.function(*function);
                let mut callee: Frame<'a> = vec![Value::Null; definition.frame_size as usize];
                for (slot, arg) in callee.iter_mut().zip(args) {
                    *slot = self.expr(arg, frame)?;
                }
                let result = self.function_body(definition, &mut callee);
                // An error inside a module's function is shown where the flow
                // calls it: the module's text is not the flow's.
                result.map_err(|mut error| {
                    if definition.file.0 != 0 {
                        error = error.within(&format!("in `{}`: ", definition.name));
                        error.span = Some(expr.span);
                    }
                    error
                })
            }
            ExprKind::TableLookup { table, key } => {
                let key = self.expr(key, frame)?;
                self.table(*table, key)
            }
            ExprKind::Exists(path) => match self.expr(path, frame) {
                Ok(_) => Ok(Value::Bool(true)),
                Err(error) if error.is_missing() => Ok(Value::Bool(false)),
                Err(error) => Err(error),
            },
            ExprKind::Unary { op, operand } => {
                let value = self.expr(operand, frame)?;
                match op {
                    UnaryOp::Not => match value {
                        Value::Bool(b) => Ok(Value::Bool(!b)),
                        other => Err(RecordError::new(
                            codes::WRONG_TYPE,
                            format!(
                                "`not` takes a bool, but this is {}: {}",
                                other.kind(),
                                crate::diagnostics::personal::shown(&other)
                            ),
                        )
                        .at(operand.span)),
                    },
                    UnaryOp::Neg => super::ops::negate(value),
                }
            }
            ExprKind::Binary { op, op_span, lhs, rhs } => match op {
                BinaryOp::And => Ok(Value::Bool(self.condition(lhs, frame)? && self.condition(rhs, frame)?)),
                BinaryOp::Or => Ok(Value::Bool(self.condition(lhs, frame)? || self.condition(rhs, frame)?)),
                BinaryOp::Coalesce => match self.expr(lhs, frame) {
                    Ok(Value::Null) => self.expr(rhs, frame),
                    Err(error) if error.is_missing() => self.expr(rhs, frame),
                    other => other,
                },
                _ => {
                    let left = self.expr(lhs, frame)?;
                    let right = self.expr(rhs, frame)?;
                    super::ops::binary(*op, left, right).map_err(|error| error.at(*op_span))
                }
            },
            ExprKind::Interpolate(parts) => Text::try_build(|text| {
                for part in parts {
                    match part {
                        TextPart::Text(literal) => text.push_str(literal),
                        TextPart::Expr(part) => {
                            if !self.expr(part, frame)?.push_text(text) {
                                return Err(none_in_text(part.span));
                            }
                        }
                    }
                }
                Ok(())
            })
            .map(Value::Text),
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                if self.condition(condition, frame)? {
                    self.expr(then, frame)
                } else {
                    self.expr(otherwise, frame)
                }
            }
            ExprKind::Match { subject, arms, default } => {
                let subject_value = self.expr(subject, frame)?;
                for arm in arms {
                    if listed(&arm.patterns, &subject_value) {
                        return self.expr(&arm.value, frame);
                    }
                }
                match default {
                    Some(default) => self.expr(default, frame),
                    None => Err(RecordError::new(
                        codes::NO_MATCHING_ARM,
                        format!(
                            "no arm of the `match` fits {}",
                            crate::diagnostics::personal::shown(&subject_value)
                        ),
                    )
                    .help("add an arm for it, or `_ => ...` with a default")
                    .at(subject.span)),
                }
            }
            ExprKind::For(for_expr) => {
                let list = match self.expr(&for_expr.list, frame)? {
                    Value::List(items) => items,
                    other => {
                        return Err(not_a_list("`for`", &other).at(for_expr.list.span));
                    }
                };
                let mut out = Vec::with_capacity(list.len());
                for (index, item) in list.iter().enumerate() {
                    frame[for_expr.item.0 as usize] = item.clone();
                    if let Some(slot) = for_expr.index {
                        frame[slot.0 as usize] = Value::Int(index as i64);
                    }
                    if let Some(filter) = &for_expr.filter
                        && !self.condition(filter, frame)?
                    {
                        continue;
                    }
                    out.push(match &for_expr.body {
                        ForBody::Record(record) => self.object(record, frame, None)?,
                        ForBody::Value(value) => self.expr(value, frame)?,
                    });
                }
                Ok(Value::list(out))
            }
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.expr(item, frame)?);
                }
                Ok(Value::list(values))
            }
            ExprKind::Object(record) => self.object(record, frame, None),
            ExprKind::Lookup { entity, keys, all } => {
                let keys = self.keys(keys, frame)?;
                let mut found = self.target.find(entity, &keys).map_err(|error| error.at(expr.span))?;
                Ok(if *all {
                    Value::list(found)
                } else if found.is_empty() {
                    Value::Null
                } else {
                    found.swap_remove(0)
                })
            }
            ExprKind::RequireEach(require) => self.require_each(require, frame, expr.span),
            ExprKind::Write(write) => self.write(write, frame, expr.span),
            ExprKind::Invalid => Err(RecordError::new(
                codes::INVALID_VALUE,
                "this part of the flow did not check; run `flowc check` for the reason",
            )),
        }
    }

    /// The value of a native call's argument; a function argument is
    /// reached through [`Args::apply`] instead and stands as null.
    #[inline(always)]
    fn argument(&mut self, arg: &'a Arg, frame: &mut Frame<'a>) -> Result<Value<'a>, RecordError> {
        match arg {
            Arg::Value(value) => self.expr(value, frame),
            Arg::Lambda { .. } => Ok(Value::Null),
        }
    }

    /// Calls a native function with its arguments' values.
    fn call(
        &mut self,
        function: &'static crate::stdlib::Function,
        values: &mut [Value<'a>],
        frame: &mut Frame<'a>,
        args: &'a [Arg],
        prepared: &'a crate::stdlib::Prepared,
    ) -> Result<Value<'a>, RecordError> {
        let mut lambdas = Lambdas { run: self, frame, args };
        let mut call = Args::new(function, values, &mut lambdas, prepared);
        (function.native)(&mut call)
    }

    pub(super) fn function_body(
        &mut self,
        function: &'a crate::check::ir::Function,
        frame: &mut Frame<'a>,
    ) -> Result<Value<'a>, RecordError> {
        for (slot, value) in &function.lets {
            frame[slot.0 as usize] = self.expr(value, frame)?;
        }
        self.expr(&function.body, frame)
    }

    pub(super) fn table(&mut self, id: crate::check::ir::TableId, key: Value<'a>) -> Result<Value<'a>, RecordError> {
        let table = self.evaluator.program.table(id);
        let mut frame: Frame<'a> = vec![Value::Null; table.frame_size as usize];
        for arm in &table.arms {
            if listed(&arm.patterns, &key) {
                return self.expr(&arm.value, &mut frame);
            }
        }
        match &table.default {
            Some(default) => self.expr(default, &mut frame),
            None => Err(RecordError::new(
                codes::NO_MATCHING_ARM,
                format!(
                    "the table `{}` has no arm for {}",
                    table.name,
                    crate::diagnostics::personal::shown(&key)
                ),
            )
            .help("add an arm for it, or `_ => ...` with a default")),
        }
    }

    /// Builds the object a record body describes (see `record.rs`).
    pub(super) fn object(
        &mut self,
        record: &'a crate::check::ir::Record,
        frame: &mut Frame<'a>,
        mode: Option<super::record::Mode>,
    ) -> Result<Value<'a>, RecordError> {
        Ok(Value::object(self.build(record, frame, mode)?))
    }
}

/// Interpolation met none, which has no text form.
pub(super) fn none_in_text(span: crate::source::Span) -> RecordError {
    RecordError::new(codes::WRONG_TYPE, "cannot put none into text")
        .help("say what to write instead: `${x ?? \"\"}`")
        .at(span)
}

pub(super) fn not_a_list(what: &str, value: &Value<'_>) -> RecordError {
    let mut error = RecordError::new(
        codes::WRONG_TYPE,
        format!(
            "{what} needs a list, but this is {}: {}",
            value.kind(),
            crate::stdlib::clip(value)
        ),
    );
    if value.is_null() {
        error = error.help("give an empty list when there is none: `xs ?? []`");
    }
    error
}

/// Lets a native function apply its function arguments.
struct Lambdas<'r, 'a, 't> {
    run: &'r mut Run<'a, 't>,
    frame: &'r mut Frame<'a>,
    args: &'a [Arg],
}

impl<'a> Context<'a> for Lambdas<'_, 'a, '_> {
    fn apply(&mut self, index: usize, values: &[Value<'a>]) -> Result<Value<'a>, RecordError> {
        match self.args.get(index) {
            Some(Arg::Lambda { params, body, .. }) => {
                // `x => x.name`, the commonest function argument, reads the
                // field straight from the value.
                if let ([param], [value]) = (params.as_slice(), values)
                    && let ExprKind::Field {
                        target,
                        name,
                        over_each: false,
                        hint,
                    } = &body.kind
                    && matches!(target.kind, ExprKind::Local(slot) if slot == *param)
                {
                    return super::paths::field(value, name, hint)
                        .cloned()
                        .map_err(|error| error.at(body.span));
                }
                for (slot, value) in params.iter().zip(values) {
                    self.frame[slot.0 as usize] = value.clone();
                }
                self.run.expr(body, self.frame)
            }
            _ => Err(RecordError::new(codes::WRONG_TYPE, "a function was expected here")),
        }
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.run.evaluator.clock.now()
    }
}

/// Whether `value` is one of an arm's patterns (by the language's equality:
/// `1` matches `1.00`).
fn listed<'a>(patterns: &'a [Value<'static>], value: &Value<'a>) -> bool {
    let patterns: &'a [Value<'a>] = patterns;
    patterns.contains(value)
}
