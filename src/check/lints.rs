//! Checks on the shape of the checked program: a field written twice in one
//! record, and functions that call themselves.

use std::collections::HashMap;

use super::ir::*;
use super::lower::Callee;
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// Reports fields written twice in any record the program builds.
pub(super) fn fields_written_twice(program: &Program, diagnostics: &mut Vec<(FileId, Diagnostic)>) {
    let mut lint = Fields {
        diagnostics,
        file: FileId(0),
    };
    for function in &program.functions {
        lint.file = function.file;
        for (_, value) in &function.lets {
            lint.expr(value);
        }
        lint.expr(&function.body);
    }
    for table in &program.tables {
        lint.file = table.file;
        for arm in &table.arms {
            lint.expr(&arm.value);
        }
        if let Some(default) = &table.default {
            lint.expr(default);
        }
    }
    if let Some(flow) = &program.flow {
        lint.file = FileId(0);
        lint.statements(&flow.statements);
    }
}

struct Fields<'d> {
    diagnostics: &'d mut Vec<(FileId, Diagnostic)>,
    file: FileId,
}

impl Fields<'_> {
    fn statements(&mut self, statements: &[Statement]) {
        for statement in statements {
            match statement {
                Statement::When(expr, _)
                | Statement::SkipIf(expr, _)
                | Statement::Let(_, expr)
                | Statement::Effect(expr) => self.expr(expr),
                Statement::SkipIfExists { keys, .. } => keys.iter().for_each(|key| self.expr(&key.value)),
                Statement::RequireThat { condition, message, .. } => {
                    self.expr(condition);
                    self.expr(message);
                }
                Statement::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.expr(condition);
                    self.statements(then);
                    self.statements(otherwise);
                }
                Statement::ForEach { list, body, .. } => {
                    self.expr(list);
                    self.statements(body);
                }
                Statement::Emit(record) => self.record(record),
            }
        }
    }

    fn record(&mut self, record: &Record) {
        let mut written = HashMap::new();
        self.items(record, &mut written);
    }

    /// Walks a record's items, adding every field to `written`; a field
    /// already there is written twice. The branches of an `if` each start
    /// from what was written before the `if`.
    fn items(&mut self, record: &Record, written: &mut HashMap<String, Span>) {
        for item in &record.items {
            match item {
                RecordItem::Field {
                    name, value, name_span, ..
                } => {
                    if let Some(first) = written.get(name.as_ref()) {
                        self.diagnostics.push((
                            self.file,
                            Diagnostic::new(
                                codes::FIELD_WRITTEN_TWICE,
                                *name_span,
                                format!("the field `{name}` is written twice"),
                            )
                            .label("written again here")
                            .with_secondary(*first, "first written here")
                            .help("keep one: combine the values with `??` or `if`"),
                        ));
                    } else {
                        written.insert(name.to_string(), *name_span);
                    }
                    self.expr(value);
                }
                RecordItem::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.expr(condition);
                    let mut then_written = written.clone();
                    self.items(then, &mut then_written);
                    let mut otherwise_written = written.clone();
                    self.items(otherwise, &mut otherwise_written);
                    written.extend(then_written);
                    written.extend(otherwise_written);
                }
                RecordItem::Let(_, value) | RecordItem::Spread(value) => self.expr(value),
                RecordItem::CreateOnly { unless, body, .. } => {
                    if let Some(unless) = unless {
                        self.expr(unless);
                    }
                    self.items(body, written);
                }
            }
        }
    }

    /// Finds the records inside an expression.
    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Object(record) => self.record(record),
            ExprKind::Write(write) => {
                write.keys.iter().for_each(|key| self.expr(&key.value));
                if let Some(update_if) = &write.update_if {
                    self.expr(update_if);
                }
                self.record(&write.body);
            }
            ExprKind::For(for_expr) => {
                self.expr(&for_expr.list);
                if let Some(filter) = &for_expr.filter {
                    self.expr(filter);
                }
                match &for_expr.body {
                    ForBody::Record(record) => self.record(record),
                    ForBody::Value(value) => self.expr(value),
                }
            }
            ExprKind::Field { target, .. }
            | ExprKind::Each(target)
            | ExprKind::Flatten(target)
            | ExprKind::Query { target, .. }
            | ExprKind::Exists(target)
            | ExprKind::Unary { operand: target, .. } => self.expr(target),
            ExprKind::Index { target, index, .. } => {
                self.expr(target);
                self.expr(index);
            }
            ExprKind::Native { args, .. } => {
                for arg in args {
                    match arg {
                        Arg::Value(value) => self.expr(value),
                        Arg::Lambda { body, .. } => self.expr(body),
                    }
                }
            }
            ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().for_each(|arg| self.expr(arg)),
            ExprKind::TableLookup { key, .. } => self.expr(key),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Interpolate(parts) => {
                for part in parts {
                    if let TextPart::Expr(part) = part {
                        self.expr(part);
                    }
                }
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.expr(condition);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Match { subject, arms, default } => {
                self.expr(subject);
                arms.iter().for_each(|arm| self.expr(&arm.value));
                if let Some(default) = default {
                    self.expr(default);
                }
            }
            ExprKind::Lookup { keys, .. } => keys.iter().for_each(|key| self.expr(&key.value)),
            ExprKind::RequireEach(require) => {
                self.expr(&require.list);
                require.keys.iter().for_each(|key| self.expr(&key.value));
            }
            ExprKind::Constant(_)
            | ExprKind::Record
            | ExprKind::Local(_)
            | ExprKind::Setting(_)
            | ExprKind::Invalid => {}
        }
    }
}

/// Reports each cycle in the calls between functions and tables once.
pub(super) fn recursion(
    program: &Program,
    calls: &[(Callee, Callee, FileId, Span)],
    diagnostics: &mut Vec<(FileId, Diagnostic)>,
) {
    let name = |callee: Callee| match callee {
        Callee::Function(id) => program.function(id).name.clone(),
        Callee::Table(id) => program.table(id).name.clone(),
    };
    let mut reported: Vec<Callee> = Vec::new();
    for (from, to, file, span) in calls {
        // Is there a way back from `to` to `from`?
        let Some(path) = path_between(calls, *to, *from) else {
            continue;
        };
        if reported.contains(from) {
            continue;
        }
        reported.extend(path.iter().copied());
        reported.push(*from);
        // The path runs from the callee back to the caller; the ones in between
        // are what the cycle passes through.
        let through: Vec<String> = path[..path.len() - 1]
            .iter()
            .map(|c| format!("`{}`", name(*c)))
            .collect();
        let message = if from == to {
            format!("`{}` calls itself", name(*from))
        } else {
            format!("`{}` calls itself through {}", name(*from), through.join(" and "))
        };
        diagnostics.push((
            *file,
            Diagnostic::new(codes::RECURSIVE_FUNCTION, *span, message)
                .label("this call closes the circle")
                .help("flow functions never recurse; use the list functions (`map`, `filter`, `sum`, ...) instead"),
        ));
    }
}

/// The callees on a way from `start` to `goal` (start first), if any.
fn path_between(calls: &[(Callee, Callee, FileId, Span)], start: Callee, goal: Callee) -> Option<Vec<Callee>> {
    let mut stack = vec![vec![start]];
    let mut visited = vec![start];
    while let Some(path) = stack.pop() {
        let last = *path.last().expect("paths are never empty");
        if last == goal {
            return Some(path);
        }
        for (from, to, _, _) in calls {
            if *from == last && (!visited.contains(to) || *to == goal) {
                if *to != goal {
                    visited.push(*to);
                }
                let mut longer = path.clone();
                longer.push(*to);
                stack.push(longer);
            }
        }
    }
    None
}
