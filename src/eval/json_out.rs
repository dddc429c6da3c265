//! Writing the fields of an `emit` straight out as JSON (see
//! [`super::Evaluator::run_emitting_json`]), without building what can be
//! written as it is found: a path's value is written where it lies, not
//! copied; text put together from parts (`"INV-${id}"`) is written part by
//! part, never built. What is written is always what `json::write` would
//! write of the value `Run::expr` gives, and the errors are the same.

use super::expr::{Frame, Run, none_in_text};
use crate::check::ir::{Expr, ExprKind, TextPart};
use crate::diagnostics::RecordError;
use crate::syntax::ast::BinaryOp;
use crate::value::{Value, json};

impl<'a> Run<'a, '_> {
    /// Writes the value of `expr` to `out` as JSON. On an error, part of it
    /// may have been written: the record fails, and its output is dropped.
    pub(super) fn write_json(
        &mut self,
        expr: &'a Expr,
        frame: &mut Frame<'a>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        match &expr.kind {
            ExprKind::Interpolate(parts) => return self.write_interpolated(parts, frame, out),
            ExprKind::Binary {
                op: BinaryOp::Coalesce,
                lhs,
                rhs,
                ..
            } => {
                // As `Run::eval` has it: none or missing on the left gives the right.
                return match self.expr(lhs, frame) {
                    Ok(Value::Null) => self.write_json(rhs, frame, out),
                    Err(error) if error.is_missing() => self.write_json(rhs, frame, out),
                    Ok(value) => {
                        json::write(&value, out);
                        Ok(())
                    }
                    Err(error) => Err(error),
                };
            }
            _ => {}
        }
        self.with_value(expr, frame, |value| json::write(value, out))
    }

    /// Lends the value of `expr` to `use_it`: a path's value where it lies,
    /// anything else once evaluated.
    fn with_value<R>(
        &mut self,
        expr: &'a Expr,
        frame: &mut Frame<'a>,
        use_it: impl FnOnce(&Value<'a>) -> R,
    ) -> Result<R, RecordError> {
        if let Some(found) = self.reference(expr, frame) {
            return found.map(use_it);
        }
        let value = self.expr(expr, frame)?;
        Ok(use_it(&value))
    }

    /// Writes interpolated text as one JSON string, part by part.
    fn write_interpolated(
        &mut self,
        parts: &'a [TextPart],
        frame: &mut Frame<'a>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        out.push(b'"');
        for part in parts {
            match part {
                TextPart::Text(literal) => json::write_escaped(literal, out),
                TextPart::Expr(part) => {
                    let written = self.with_value(part, frame, |value| {
                        value.with_text(|text| json::write_escaped(text, out)).is_some()
                    })?;
                    if !written {
                        return Err(none_in_text(part.span));
                    }
                }
            }
        }
        out.push(b'"');
        Ok(())
    }
}
