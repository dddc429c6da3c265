//! What a flow reads of its source records, worked out when it loads, so that
//! the JSON reader can skip the rest without building it.
//!
//! The analysis follows paths from `$` through `let`s, `for` variables and
//! the element parameter of `map`, `any`, `all` and `count`, and is
//! conservative everywhere else: any other use of a value read from the
//! record (passing it to a function, writing it to a field, comparing it)
//! marks everything below that point as read. A JSONPath query or an index
//! computed at run time marks its whole base as read.

use std::collections::HashMap;

use super::ir::*;
use crate::source::Span;
use crate::syntax::ast::BinaryOp;
use crate::value::json::{Gate, Projection};

/// A place in the source record: the field names on the way (list elements
/// are transparent: a projection applies to every element of a list).
pub(super) type Place = Vec<String>;

/// What a flow reads of its records, and every place it reads with where
/// in the flow it does (for checking the places against the source schema).
pub(super) fn of_flow(program: &Program) -> (Projection, Vec<(Place, Span)>) {
    let Some(flow) = &program.flow else {
        return (Projection::All, Vec::new());
    };
    let mut analysis = Analysis::new();
    analysis.statements(&flow.statements);
    (analysis.read, analysis.reads)
}

/// The `when` filters a flow starts with, when they can be asked before
/// the record is read whole: they read only fields of the record (not the
/// record itself), and ask the target system nothing.
pub(super) fn filters(program: &Program, projection: &Projection) -> Option<Filters> {
    let flow = program.flow.as_ref()?;
    let filters: Vec<&Expr> = flow
        .statements
        .iter()
        .map_while(|statement| match statement {
            Statement::When(condition, _) => Some(condition),
            _ => None,
        })
        .collect();
    if filters.is_empty() {
        return None;
    }
    // A filter must be a pure function of the fields it reads: no lookups,
    // writes or calls of functions (whose bodies are not followed here).
    let mut pure = true;
    // One past the highest slot the filters use.
    let mut frame_size = 0;
    let mut slot = |slot: &Slot| frame_size = frame_size.max(slot.0 + 1);
    for filter in &filters {
        walk_expr(filter, &mut |expr| match &expr.kind {
            ExprKind::Lookup { .. } | ExprKind::Write(_) | ExprKind::RequireEach(_) | ExprKind::Call { .. } => {
                pure = false;
            }
            ExprKind::Local(used) => slot(used),
            ExprKind::For(for_expr) => {
                slot(&for_expr.item);
                for_expr.index.iter().for_each(&mut slot);
            }
            ExprKind::Native { args, .. } => {
                for arg in args {
                    if let Arg::Lambda { params, .. } = arg {
                        params.iter().for_each(&mut slot);
                    }
                }
            }
            _ => {}
        });
    }
    if !pure {
        return None;
    }
    let mut analysis = Analysis::new();
    filters.iter().for_each(|filter| analysis.consume(filter));
    let gate = match &analysis.read {
        Projection::All => None,
        Projection::Fields(read) => Gate::new(projection, read.names()),
    }?;
    Some(Filters {
        gate,
        count: filters.len(),
        frame_size,
        comparisons: filters.iter().copied().map(comparison).collect(),
    })
}

/// A filter that compares a field of the record with a constant, as such.
fn comparison(filter: &Expr) -> Option<FieldComparison> {
    let ExprKind::Binary { op, lhs, rhs, .. } = &filter.kind else {
        return None;
    };
    let equal = match op {
        BinaryOp::Eq => true,
        BinaryOp::Ne => false,
        _ => return None,
    };
    let field_of_record = |expr: &Expr| match &expr.kind {
        ExprKind::Field {
            target,
            name,
            over_each: false,
            ..
        } if matches!(target.kind, ExprKind::Record) => Some(name.to_string()),
        _ => None,
    };
    let (name, value) = match (&lhs.kind, &rhs.kind) {
        (_, ExprKind::Constant(value)) => (field_of_record(lhs)?, value),
        (ExprKind::Constant(value), _) => (field_of_record(rhs)?, value),
        _ => return None,
    };
    Some(FieldComparison {
        name,
        value: value.clone(),
        equal,
    })
}

struct Analysis {
    read: Projection,
    reads: Vec<(Place, Span)>,
    /// Locals of the flow's frame that stand for a place in the record.
    places: HashMap<Slot, Place>,
}

/// Natives whose list argument, when they are given a function argument,
/// is only reached through it, element by element; their result holds none
/// of its elements.
const THROUGH_LAMBDA: &[&str] = &["map", "any", "all", "count"];

impl Analysis {
    /// Nothing read yet.
    fn new() -> Analysis {
        Analysis {
            read: Projection::fields(Vec::new()),
            places: HashMap::new(),
            reads: Vec::new(),
        }
    }

    /// Marks everything at and below `place` as read.
    fn mark(&mut self, place: &[String]) {
        self.mark_reading(place, Projection::All);
    }

    /// Marks `place` as read, without anything below it (yet).
    fn mark_present(&mut self, place: &[String]) {
        self.mark_reading(place, Projection::fields(Vec::new()));
    }

    /// Marks `place` as read, with `below` read below it.
    fn mark_reading(&mut self, place: &[String], below: Projection) {
        let mut projection = below;
        for name in place.iter().rev() {
            projection = Projection::fields(vec![(name.clone(), projection)]);
        }
        self.read.merge(projection);
    }

    fn statements(&mut self, statements: &[Statement]) {
        for statement in statements {
            match statement {
                Statement::When(expr, _) | Statement::SkipIf(expr, _) | Statement::Effect(expr) => self.consume(expr),
                Statement::Let(slot, value) => self.bind(*slot, value),
                Statement::SkipIfExists { keys, .. } => keys.iter().for_each(|key| self.consume(&key.value)),
                Statement::RequireThat { condition, message, .. } => {
                    self.consume(condition);
                    self.consume(message);
                }
                Statement::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.consume(condition);
                    self.statements(then);
                    self.statements(otherwise);
                }
                Statement::ForEach { item, list, body } => {
                    match self.place(list) {
                        Some(place) => {
                            self.places.insert(*item, place);
                        }
                        None => {
                            self.consume(list);
                            self.places.remove(item);
                        }
                    }
                    self.statements(body);
                }
                Statement::Emit(record) => self.record(record),
            }
        }
    }

    /// A local bound to a value: if the value is a place, the local stands
    /// for it (and reading the local's fields reads that place's fields).
    fn bind(&mut self, slot: Slot, value: &Expr) {
        match self.place(value) {
            Some(place) => {
                // Binding a place reads it even if the local is never used:
                // a missing field fails the record there.
                self.mark_present(&place);
                self.places.insert(slot, place);
            }
            None => {
                self.places.remove(&slot);
                self.consume(value);
            }
        }
    }

    /// The place an expression is, if it is a path into the record.
    fn place(&mut self, expr: &Expr) -> Option<Place> {
        match &expr.kind {
            ExprKind::Record => Some(Vec::new()),
            ExprKind::Local(slot) => self.places.get(slot).cloned(),
            ExprKind::Field { target, name, .. } => {
                let mut place = self.place(target)?;
                place.push(name.to_string());
                self.reads.push((place.clone(), expr.span));
                Some(place)
            }
            ExprKind::Index { target, index, .. } => {
                let place = self.place(target)?;
                match &index.kind {
                    // A constant position of a list: elements are transparent.
                    ExprKind::Constant(crate::value::Value::Int(_)) => Some(place),
                    ExprKind::Constant(crate::value::Value::Text(name)) => {
                        let mut place = place;
                        place.push(name.to_string());
                        self.reads.push((place.clone(), expr.span));
                        Some(place)
                    }
                    _ => {
                        self.consume(index);
                        self.mark(&place);
                        None
                    }
                }
            }
            ExprKind::Each(target) | ExprKind::Flatten(target) => self.place(target),
            _ => None,
        }
    }

    /// An expression whose value is used whole.
    fn consume(&mut self, expr: &Expr) {
        if let Some(place) = self.place(expr) {
            self.mark(&place);
            return;
        }
        match &expr.kind {
            ExprKind::Constant(_) | ExprKind::Setting(_) | ExprKind::Invalid => {}
            // Paths that are not places: their base is used whole.
            ExprKind::Record | ExprKind::Local(_) => {}
            ExprKind::Field { target, .. } | ExprKind::Each(target) | ExprKind::Flatten(target) => self.consume(target),
            ExprKind::Index { target, index, .. } => {
                self.consume(target);
                self.consume(index);
            }
            ExprKind::Query { target, .. } => self.consume(target),
            ExprKind::Exists(path) => self.consume(path),
            ExprKind::Native { function, args, .. } => {
                // Without a function argument (`count(xs)`, `any(flags)`)
                // the list is used whole.
                let through_lambda =
                    THROUGH_LAMBDA.contains(&function.name) && args.iter().any(|arg| matches!(arg, Arg::Lambda { .. }));
                let list_place = match (through_lambda, args.first()) {
                    (true, Some(Arg::Value(list))) => self.place(list),
                    _ => None,
                };
                for (index, arg) in args.iter().enumerate() {
                    match arg {
                        Arg::Value(value) if index == 0 && list_place.is_some() => {
                            // Read element by element through the lambda.
                            let _ = value;
                        }
                        Arg::Value(value) => self.consume(value),
                        Arg::Lambda { params, body, .. } => {
                            if let (Some(place), Some(first)) = (&list_place, params.first()) {
                                self.places.insert(*first, place.clone());
                            }
                            for other in params.iter().skip(usize::from(list_place.is_some())) {
                                self.places.remove(other);
                            }
                            self.consume(body);
                        }
                    }
                }
            }
            ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().for_each(|arg| self.consume(arg)),
            ExprKind::TableLookup { key, .. } => self.consume(key),
            ExprKind::Unary { operand, .. } => self.consume(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.consume(lhs);
                self.consume(rhs);
            }
            ExprKind::Interpolate(parts) => {
                for part in parts {
                    if let TextPart::Expr(part) = part {
                        self.consume(part);
                    }
                }
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.consume(condition);
                self.consume(then);
                self.consume(otherwise);
            }
            ExprKind::Match { subject, arms, default } => {
                self.consume(subject);
                arms.iter().for_each(|arm| self.consume(&arm.value));
                if let Some(default) = default {
                    self.consume(default);
                }
            }
            ExprKind::For(for_expr) => {
                match self.place(&for_expr.list) {
                    Some(place) => {
                        self.places.insert(for_expr.item, place);
                    }
                    None => {
                        self.consume(&for_expr.list);
                        self.places.remove(&for_expr.item);
                    }
                }
                if let Some(filter) = &for_expr.filter {
                    self.consume(filter);
                }
                match &for_expr.body {
                    ForBody::Record(record) => self.record(record),
                    ForBody::Value(value) => self.consume(value),
                }
            }
            ExprKind::Object(record) => self.record(record),
            ExprKind::Lookup { keys, .. } => keys.iter().for_each(|key| self.consume(&key.value)),
            ExprKind::RequireEach(require) => {
                match self.place(&require.list) {
                    Some(place) => {
                        self.places.insert(require.item, place);
                    }
                    None => {
                        self.consume(&require.list);
                        self.places.remove(&require.item);
                    }
                }
                require.keys.iter().for_each(|key| self.consume(&key.value));
            }
            ExprKind::Write(write) => {
                write.keys.iter().for_each(|key| self.consume(&key.value));
                if let Some(update_if) = &write.update_if {
                    self.consume(update_if);
                }
                self.record(&write.body);
            }
        }
    }

    fn record(&mut self, record: &Record) {
        for item in &record.items {
            match item {
                RecordItem::Field { value, .. } | RecordItem::Spread(value) => self.consume(value),
                RecordItem::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.consume(condition);
                    self.record(then);
                    self.record(otherwise);
                }
                RecordItem::Let(slot, value) => self.bind(*slot, value),
                RecordItem::CreateOnly { unless, body, .. } => {
                    if let Some(unless) = unless {
                        self.consume(unless);
                    }
                    self.record(body);
                }
            }
        }
    }
}
