//! Type checking: what kinds of value each expression can produce, and the
//! errors that are certain. A path into the source record has the type its
//! vendor's schema gives the field (or none: a field may be null); other
//! paths are "anything" and pass. What is reported is what must fail: text
//! plus a number, a float mixed with a decimal, a condition that is text,
//! a value written into a target field that cannot hold it (and, warned, a
//! float written into a number field).

use std::collections::HashMap;

use super::ir::*;
use crate::connectors::schema::{Catalog, FieldSchema, Fields};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;
use crate::stdlib::{ParamType, Returns};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{Kind, Types};

pub(super) fn check(program: &Program, catalog: &Catalog, diagnostics: &mut Vec<(FileId, Diagnostic)>) {
    let mut checker = Checker {
        program,
        catalog,
        source: None,
        diagnostics,
        file: FileId(0),
        env: Vec::new(),
        function_types: HashMap::new(),
        table_types: HashMap::new(),
        in_progress: Vec::new(),
    };
    for index in 0..program.functions.len() {
        checker.function_type(FunctionId(index as u32));
    }
    for index in 0..program.tables.len() {
        checker.table_type(TableId(index as u32));
    }
    if let Some(flow) = &program.flow {
        checker.file = FileId(0);
        checker.env = vec![Types::ANY; flow.frame_size as usize];
        checker.source = flow
            .source
            .as_ref()
            .and_then(|source| catalog.entity(&source.system, &source.entity))
            .map(|entity| &entity.fields);
        checker.statements(&flow.statements);
    }
}

struct Checker<'p> {
    program: &'p Program,
    catalog: &'p Catalog,
    /// The fields of the flow's source entity, while its statements are
    /// checked (`$` is the flow's record only there).
    source: Option<&'p Fields>,
    diagnostics: &'p mut Vec<(FileId, Diagnostic)>,
    file: FileId,
    /// What each slot of the current frame holds.
    env: Vec<Types>,
    function_types: HashMap<FunctionId, Types>,
    table_types: HashMap<TableId, Types>,
    /// Functions and tables whose type is being worked out (recursion is
    /// reported elsewhere; here it just gives "anything").
    in_progress: Vec<Result<FunctionId, TableId>>,
}

/// A record being written whose fields a vendor schema gives: an entity,
/// or an object field of one.
#[derive(Clone, Copy)]
struct Writing<'s> {
    /// `eaccounting.customers`, `eaccounting.customers.DeliveryAddress`.
    path: &'s str,
    fields: &'s Fields,
}

/// What a field of a vendor's schema holds when read from a record: its
/// kind, or none. JSON whole numbers read as int, so a decimal field gives
/// either.
fn read(field: &FieldSchema) -> Types {
    let kinds = match field.kind.as_str() {
        "text" => Types::TEXT,
        "int" => Types::INT,
        "decimal" => Types::NUMBER,
        "bool" => Types::BOOL,
        "object" => Types::OBJECT,
        "list" => Types::LIST,
        _ => return Types::ANY,
    };
    kinds | Types::NULL
}

/// "text", "an int", ... for a schema kind.
fn kind_words(kind: &str) -> String {
    match kind {
        "int" => "an int".to_string(),
        "object" => "an object".to_string(),
        other => other.to_string(),
    }
}

/// Whether `found` certainly is not among `allowed`.
fn certainly_not(found: Types, allowed: Types) -> bool {
    !found.is_any() && !found.is_empty() && !found.intersects(allowed)
}

impl<'p> Checker<'p> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push((self.file, diagnostic));
    }

    /// Runs `body` for a function or table in its own file and frame.
    fn in_frame<T>(&mut self, file: FileId, env: Vec<Types>, body: impl FnOnce(&mut Self) -> T) -> T {
        let saved_file = std::mem::replace(&mut self.file, file);
        let saved_env = std::mem::replace(&mut self.env, env);
        let result = body(self);
        self.file = saved_file;
        self.env = saved_env;
        result
    }

    fn function_type(&mut self, id: FunctionId) -> Types {
        if let Some(types) = self.function_types.get(&id) {
            return *types;
        }
        if self.in_progress.contains(&Ok(id)) {
            return Types::ANY;
        }
        self.in_progress.push(Ok(id));
        let function = self.program.function(id);
        let mut env = vec![Types::ANY; function.frame_size as usize];
        for (slot, param) in function.params.iter().enumerate() {
            env[slot] = param.types;
        }
        let inferred = self.in_frame(function.file, env, |this| {
            for (slot, value) in &function.lets {
                let types = this.infer(value);
                this.env[slot.0 as usize] = types;
            }
            this.infer(&function.body)
        });
        self.in_progress.pop();
        let types = function.returns.unwrap_or(inferred);
        self.function_types.insert(id, types);
        types
    }

    fn table_type(&mut self, id: TableId) -> Types {
        if let Some(types) = self.table_types.get(&id) {
            return *types;
        }
        if self.in_progress.contains(&Err(id)) {
            return Types::ANY;
        }
        self.in_progress.push(Err(id));
        let table = self.program.table(id);
        if table.default.is_none() {
            let diagnostic = Diagnostic::new(
                codes::TABLE_WITHOUT_DEFAULT,
                table.span,
                format!("the table `{}` has no default arm", table.name),
            )
            .help("a key it does not list fails the record; add `_ => ...` if a default makes sense");
            self.diagnostics.push((table.file, diagnostic));
        }
        let env = vec![Types::ANY; table.frame_size as usize];
        let types = self.in_frame(table.file, env, |this| {
            let mut types = Types::EMPTY;
            for arm in &table.arms {
                types = types | this.infer(&arm.value);
            }
            if let Some(default) = &table.default {
                types = types | this.infer(default);
            }
            types
        });
        self.in_progress.pop();
        self.table_types.insert(id, types);
        types
    }

    fn statements(&mut self, statements: &[Statement]) {
        for statement in statements {
            match statement {
                Statement::When(condition, _) | Statement::SkipIf(condition, _) => {
                    self.condition(condition, "a `when` or `skip if`")
                }
                Statement::Let(slot, value) => {
                    let types = self.infer(value);
                    self.env[slot.0 as usize] = types;
                }
                Statement::SkipIfExists { keys, .. } => self.keys(keys),
                Statement::RequireThat { condition, message, .. } => {
                    self.condition(condition, "a `require`");
                    self.infer(message);
                }
                Statement::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.condition(condition, "an `if`");
                    self.statements(then);
                    self.statements(otherwise);
                }
                Statement::ForEach { item, list, body } => {
                    self.list(list, "`for each`");
                    self.env[item.0 as usize] = Types::ANY;
                    self.statements(body);
                }
                Statement::Emit(record) => self.record(record),
                Statement::Effect(expr) => {
                    self.infer(expr);
                }
            }
        }
    }

    fn keys(&mut self, keys: &[KeyMatch]) {
        for key in keys {
            let types = self.infer(&key.value);
            let ordered = Types::NUMBER | Types::FLOAT | Types::TEXT | Types::TEMPORAL;
            if !key.comparison.is_equal() && certainly_not(types, ordered) {
                let symbol = key.comparison.symbol();
                self.report(
                    Diagnostic::new(
                        codes::OPERAND_TYPES,
                        key.value.span,
                        format!("`{symbol}` compares by order, and {types} has none"),
                    )
                    .label(format!("this is {types}"))
                    .help("order by a number, a text, a date or a date-time; or find by `==`"),
                );
            }
        }
    }

    fn record(&mut self, record: &Record) {
        self.record_into(record, None);
    }

    /// A record's fields; written into an entity (or an object field of
    /// one) whose fields the schema gives, each value is checked against
    /// its field.
    fn record_into(&mut self, record: &Record, into: Option<Writing<'_>>) {
        for item in &record.items {
            match item {
                RecordItem::Field {
                    name, value, name_span, ..
                } => match into.and_then(|into| Some((into, into.fields.get(&**name)?.as_written()))) {
                    Some((into, field)) => self.written(into, name, *name_span, field, value),
                    None => {
                        self.infer(value);
                    }
                },
                RecordItem::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.condition(condition, "an `if`");
                    self.record_into(then, into);
                    self.record_into(otherwise, into);
                }
                RecordItem::Let(slot, value) => {
                    let types = self.infer(value);
                    self.env[slot.0 as usize] = types;
                }
                RecordItem::CreateOnly { unless, body, .. } => {
                    if let Some(unless) = unless {
                        self.condition(unless, "an `unless`");
                    }
                    self.record_into(body, into);
                }
                RecordItem::Spread(value) => {
                    let types = self.infer(value);
                    if certainly_not(types, Types::OBJECT | Types::NULL) {
                        self.report(
                            Diagnostic::new(
                                codes::OPERAND_TYPES,
                                value.span,
                                format!("`...` takes an object, but this is {types}"),
                            )
                            .label("not an object"),
                        );
                    }
                }
            }
        }
    }

    /// A value written into a target field: an error when it cannot fit
    /// (text into a number field), a warning when a float goes into a
    /// number field. An object literal written into an object field is
    /// checked against that object's fields.
    fn written(&mut self, into: Writing<'_>, name: &str, name_span: Span, field: &FieldSchema, value: &Expr) {
        let types = match (&value.kind, &field.fields) {
            (ExprKind::Object(record), Some(fields)) if field.kind == "object" => {
                let path = format!("{}.{name}", into.path);
                self.record_into(record, Some(Writing { path: &path, fields }));
                Types::OBJECT
            }
            _ => self.infer(value),
        };
        // None may be written into any field; what else the value may be
        // must fit.
        if certainly_not(types.without(Types::NULL), field.written_kinds()) {
            let mut diagnostic = Diagnostic::new(
                codes::VALUE_DOES_NOT_FIT,
                value.span,
                format!(
                    "`{name}` of {} is {}, and this is {types}",
                    into.path,
                    kind_words(&field.kind)
                ),
            )
            .label(format!("{types} cannot be written into a {} field", field.kind))
            .with_secondary(name_span, "the field");
            if field.kind == "text" && types.is_subset_of(Types::NUMBER | Types::FLOAT | Types::BOOL | Types::NULL) {
                diagnostic = diagnostic.help("make it text: \"${x}\" or text(x)");
            } else if matches!(field.kind.as_str(), "int" | "decimal") && types.intersects(Types::TEXT) {
                diagnostic = diagnostic.help("convert text to a number with `decimal(...)` or `int(...)`");
            }
            self.report(diagnostic);
        } else if matches!(field.kind.as_str(), "int" | "decimal") && types.contains(Kind::Float) && !types.is_any() {
            self.report(
                Diagnostic::new(
                    codes::FLOAT_INTO_NUMBER_FIELD,
                    value.span,
                    format!("a float is written into `{name}` of {}, a {} field", into.path, field.kind),
                )
                .label("a float: binary floating point")
                .with_secondary(name_span, "the field")
                .help("amounts and quantities stay exact as decimals: drop the `float(...)`, or convert with `decimal(...)`"),
            );
        }
    }

    /// The schema field a path into the source record reads (`$.customer.email`).
    fn source_field(&self, expr: &Expr) -> Option<&'p FieldSchema> {
        let ExprKind::Field {
            target,
            name,
            over_each: false,
            ..
        } = &expr.kind
        else {
            return None;
        };
        let fields = match &target.kind {
            ExprKind::Record => self.source?,
            _ => self.source_field(target)?.fields.as_ref()?,
        };
        fields.get(&**name)
    }

    /// A value something goes over: reported when it can never be a list.
    fn list(&mut self, list: &Expr, what: &str) {
        let types = self.infer(list);
        if certainly_not(types, Types::LIST) {
            let mut diagnostic = Diagnostic::new(
                codes::NOT_A_LIST,
                list.span,
                format!("{what} goes over a list, but this is {types}"),
            )
            .label(format!("this is {types}"));
            if types == Types::NULL {
                diagnostic = diagnostic.help("give an empty list where there is none: `xs ?? []`");
            }
            self.report(diagnostic);
        }
    }

    fn condition(&mut self, condition: &Expr, what: &str) {
        let types = self.infer(condition);
        if certainly_not(types, Types::BOOL) {
            self.report(
                Diagnostic::new(
                    codes::CONDITION_NOT_BOOL,
                    condition.span,
                    format!("the condition of {what} must be a bool, but this is {types}"),
                )
                .label(format!("this is {types}"))
                .help("compare explicitly, e.g. `x == \"paid\"` or `x != none`"),
            );
        }
    }

    fn infer(&mut self, expr: &Expr) -> Types {
        match &expr.kind {
            ExprKind::Constant(value) => Types::of(value.kind()),
            ExprKind::Record => Types::OBJECT,
            ExprKind::Local(slot) => self.env.get(slot.0 as usize).copied().unwrap_or(Types::ANY),
            ExprKind::Setting(id) => self.program.setting(*id).ty.types,
            ExprKind::Field { target, over_each, .. } | ExprKind::Index { target, over_each, .. } => {
                self.infer(target);
                if let ExprKind::Index { index, .. } = &expr.kind {
                    self.infer(index);
                }
                if *over_each {
                    Types::LIST
                } else {
                    self.source_field(expr).map_or(Types::ANY, read)
                }
            }
            ExprKind::Each(target) | ExprKind::Flatten(target) | ExprKind::Query { target, .. } => {
                self.infer(target);
                Types::LIST
            }
            ExprKind::Native { function, args, .. } => {
                let mut arg_types = Vec::with_capacity(args.len());
                for (index, arg) in args.iter().enumerate() {
                    match arg {
                        Arg::Value(value) => {
                            let types = self.infer(value);
                            if let Some(ParamType::Value(allowed)) = function.param_type(index)
                                && certainly_not(types, allowed)
                            {
                                let name = function.params.get(index).map_or("argument", |p| p.name);
                                let mut diagnostic = Diagnostic::new(
                                    codes::ARGUMENT_TYPE,
                                    value.span,
                                    format!("`{}` takes {allowed} as `{name}`, but this is {types}", function.name),
                                )
                                .label(format!("this is {types}"));
                                if types == Types::TEXT && allowed.intersects(Types::NUMBER) {
                                    diagnostic = diagnostic.help("a number is written without quotes");
                                }
                                self.report(diagnostic);
                            }
                            arg_types.push(types);
                        }
                        Arg::Lambda { params, body, .. } => {
                            for slot in params {
                                self.env[slot.0 as usize] = Types::ANY;
                            }
                            self.infer(body);
                            arg_types.push(Types::ANY);
                        }
                    }
                }
                match function.returns {
                    Returns::Types(types) => types,
                    Returns::SameAs(index) => arg_types.get(index).copied().unwrap_or(Types::ANY),
                }
            }
            ExprKind::Call { function, args } => {
                let params: Vec<(Types, String)> = self
                    .program
                    .function(*function)
                    .params
                    .iter()
                    .map(|p| (p.types, p.name.clone()))
                    .collect();
                for (arg, (allowed, name)) in args.iter().zip(params) {
                    let types = self.infer(arg);
                    if certainly_not(types, allowed) {
                        self.report(
                            Diagnostic::new(
                                codes::ARGUMENT_TYPE,
                                arg.span,
                                format!("`{name}` is declared {allowed}, but this is {types}"),
                            )
                            .label(format!("this is {types}")),
                        );
                    }
                }
                self.function_type(*function)
            }
            ExprKind::TableLookup { table, key } => {
                self.infer(key);
                self.table_type(*table)
            }
            ExprKind::Exists(path) => {
                self.infer(path);
                Types::BOOL
            }
            ExprKind::Unary { op, operand } => {
                let types = self.infer(operand);
                match op {
                    UnaryOp::Not => {
                        self.condition(operand, "`not`");
                        Types::BOOL
                    }
                    UnaryOp::Neg => {
                        if certainly_not(types, Types::NUMBER | Types::FLOAT) {
                            self.report(
                                Diagnostic::new(
                                    codes::OPERAND_TYPES,
                                    operand.span,
                                    format!("`-` negates a number, but this is {types}"),
                                )
                                .label(format!("this is {types}")),
                            );
                        }
                        types
                    }
                }
            }
            ExprKind::Binary { op, op_span, lhs, rhs } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::Interpolate(parts) => {
                for part in parts {
                    if let TextPart::Expr(part) = part {
                        self.infer(part);
                    }
                }
                Types::TEXT
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.condition(condition, "an `if`");
                self.infer(then) | self.infer(otherwise)
            }
            ExprKind::Match { subject, arms, default } => {
                let subject_types = self.infer(subject);
                let mut types = Types::EMPTY;
                for arm in arms {
                    types = types | self.infer(&arm.value);
                }
                match default {
                    Some(default) => types = types | self.infer(default),
                    None => self.match_without_default(subject, subject_types, arms, expr.span),
                }
                types
            }
            ExprKind::For(for_expr) => {
                self.list(&for_expr.list, "`for`");
                self.env[for_expr.item.0 as usize] = Types::ANY;
                if let Some(index) = for_expr.index {
                    self.env[index.0 as usize] = Types::INT;
                }
                if let Some(filter) = &for_expr.filter {
                    self.condition(filter, "a `for ... if`");
                }
                match &for_expr.body {
                    ForBody::Record(record) => self.record(record),
                    ForBody::Value(value) => {
                        self.infer(value);
                    }
                }
                Types::LIST
            }
            ExprKind::List(items) => {
                for item in items {
                    self.infer(item);
                }
                Types::LIST
            }
            ExprKind::Object(record) => {
                self.record(record);
                Types::OBJECT
            }
            ExprKind::Lookup { keys, all, .. } => {
                self.keys(keys);
                if *all { Types::LIST } else { Types::OBJECT | Types::NULL }
            }
            ExprKind::RequireEach(require) => {
                self.list(&require.list, "`require each`");
                self.env[require.item.0 as usize] = Types::ANY;
                self.keys(&require.keys);
                Types::LIST
            }
            ExprKind::Write(write) => {
                self.keys(&write.keys);
                if let Some(update_if) = &write.update_if {
                    self.condition(update_if, "an `update if`");
                }
                let path = write.entity.to_string();
                let into = self
                    .catalog
                    .entity(&write.entity.system, &write.entity.entity)
                    .map(|entity| Writing {
                        path: &path,
                        fields: &entity.fields,
                    });
                self.record_into(&write.body, into);
                Types::OBJECT
            }
            ExprKind::Invalid => Types::ANY,
        }
    }

    fn match_without_default(&mut self, subject: &Expr, types: Types, arms: &[Arm], span: Span) {
        let listed: Vec<&crate::value::Value<'static>> = arms.iter().flat_map(|arm| arm.patterns.iter()).collect();
        // Closed inputs whose every value is listed need no default.
        let covers_bools = types == Types::BOOL
            && listed.iter().any(|v| matches!(v, crate::value::Value::Bool(true)))
            && listed.iter().any(|v| matches!(v, crate::value::Value::Bool(false)));
        let covers_words = match &subject.kind {
            ExprKind::Setting(id) => self.program.setting(*id).ty.words.as_ref().is_some_and(|words| {
                words
                    .iter()
                    .all(|word| listed.iter().any(|v| v.as_str() == Some(word.as_str())))
            }),
            _ => false,
        };
        if !covers_bools && !covers_words {
            self.report(
                Diagnostic::new(codes::MATCH_WITHOUT_DEFAULT, span, "this `match` has no `_` arm")
                    .label("a value no arm lists fails the record")
                    .help("add `_ => ...` with a default"),
            );
        }
    }

    fn binary(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Types {
        let left = self.infer(lhs);
        let right = self.infer(rhs);
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = format!("`{}`", op.symbol());
                self.condition(lhs, &what);
                self.condition(rhs, &what);
                Types::BOOL
            }
            BinaryOp::Eq | BinaryOp::Ne => Types::BOOL,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let orderable = [
                    Types::NUMBER,
                    Types::TEXT,
                    Types::DATE,
                    Types::DATETIME,
                    Types::FLOAT,
                    Types::BOOL,
                ];
                if !self.float_with_decimal(op, op_span, lhs, left, rhs, right) {
                    let compatible = orderable
                        .iter()
                        .any(|class| left.intersects(*class) && right.intersects(*class));
                    if !compatible && !left.is_any() && !right.is_any() && !left.is_empty() && !right.is_empty() {
                        self.operand_error(op, op_span, lhs, left, rhs, right);
                    }
                }
                Types::BOOL
            }
            BinaryOp::Coalesce => left.without(Types::NULL) | right,
            BinaryOp::Add => {
                if self.float_with_decimal(op, op_span, lhs, left, rhs, right) {
                    return Types::ANY;
                }
                let numbers = Types::NUMBER | Types::FLOAT;
                let both_text = left.intersects(Types::TEXT) && right.intersects(Types::TEXT);
                let both_numbers = left.intersects(numbers) && right.intersects(numbers);
                if !both_text
                    && !both_numbers
                    && !left.is_any()
                    && !right.is_any()
                    && !left.is_empty()
                    && !right.is_empty()
                {
                    self.operand_error(op, op_span, lhs, left, rhs, right);
                    return Types::ANY;
                }
                arithmetic_result(op, left, right)
            }
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                if self.float_with_decimal(op, op_span, lhs, left, rhs, right) {
                    return Types::ANY;
                }
                let numbers = Types::NUMBER | Types::FLOAT;
                if certainly_not(left, numbers) || certainly_not(right, numbers) {
                    self.operand_error(op, op_span, lhs, left, rhs, right);
                    return Types::ANY;
                }
                arithmetic_result(op, left, right)
            }
        }
    }

    /// Reports a float meeting a decimal; true when it did.
    fn float_with_decimal(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &Expr,
        left: Types,
        rhs: &Expr,
        right: Types,
    ) -> bool {
        let is_float = |t: Types| t == Types::FLOAT;
        let is_exact = |t: Types| !t.is_empty() && t.is_subset_of(Types::NUMBER);
        let (float, decimal) = if is_float(left) && is_exact(right) {
            (lhs, rhs)
        } else if is_exact(left) && is_float(right) {
            (rhs, lhs)
        } else {
            return false;
        };
        self.report(
            Diagnostic::new(
                codes::FLOAT_WITH_DECIMAL,
                op_span,
                format!("`{}` mixes a float with an exact number", op.symbol()),
            )
            .with_secondary(float.span, "a float")
            .with_secondary(decimal.span, "exact")
            .help("keep money exact: convert with `decimal(...)` instead of `float(...)`"),
        );
        true
    }

    fn operand_error(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, left: Types, rhs: &Expr, right: Types) {
        let verb = op.verb();
        let mut diagnostic = Diagnostic::new(
            codes::OPERAND_TYPES,
            op_span,
            format!("cannot {verb} {left} and {right}"),
        )
        .with_secondary(lhs.span, format!("this is {left}"))
        .with_secondary(rhs.span, format!("this is {right}"));
        if op == BinaryOp::Add && (left == Types::TEXT || right == Types::TEXT) {
            diagnostic =
                diagnostic.help("put values into text with interpolation: \"INV-${x}\", or convert with text(...)");
        } else if (left == Types::TEXT && right.is_subset_of(Types::NUMBER))
            || (right == Types::TEXT && left.is_subset_of(Types::NUMBER))
        {
            diagnostic = diagnostic.help("convert text to a number with `decimal(...)` or `int(...)`");
        }
        self.report(diagnostic);
    }
}

/// The kinds an arithmetic result can have.
///
/// When one side is known, the result is known too, even if the other side
/// is not: `x + "text"` is text (or fails), `x * 1.5` a decimal (or fails).
fn arithmetic_result(op: BinaryOp, left: Types, right: Types) -> Types {
    if op == BinaryOp::Add && (left == Types::TEXT || right == Types::TEXT) {
        return Types::TEXT;
    }
    if left == Types::FLOAT || right == Types::FLOAT {
        return Types::FLOAT;
    }
    if left == Types::DECIMAL || right == Types::DECIMAL {
        return Types::DECIMAL;
    }
    if left.is_any() || right.is_any() {
        return Types::ANY;
    }
    if op == BinaryOp::Div {
        return Types::DECIMAL;
    }
    if left == Types::INT && right == Types::INT {
        return Types::INT;
    }
    if left.is_subset_of(Types::NUMBER) && right.is_subset_of(Types::NUMBER) {
        if left == Types::DECIMAL || right == Types::DECIMAL {
            return Types::DECIMAL;
        }
        return Types::NUMBER;
    }
    Types::ANY
}
