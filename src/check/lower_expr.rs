//! Lowering, part two: expressions, calls, paths and record bodies.

use std::sync::Arc;

use super::ir::*;
use super::lower::{Callee, Lowerer, literal_value};
use super::scope::{Binding, Scope};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;
use crate::stdlib::{self, ParamType, Prepared, Special};
use crate::syntax::ast;
use crate::value::{Types, Value};

impl Lowerer<'_> {
    pub(super) fn lower_expr(&mut self, expr: &ast::Expr) -> Expr {
        let span = expr.span;
        let kind = match &expr.kind {
            ast::ExprKind::Literal(literal) => ExprKind::Constant(literal_value(literal)),
            ast::ExprKind::Interpolated(parts) => ExprKind::Interpolate(
                parts
                    .iter()
                    .map(|part| match part {
                        ast::TextPart::Text(text) => TextPart::Text(text.clone()),
                        ast::TextPart::Expr(expr) => TextPart::Expr(self.lower_expr(expr)),
                    })
                    .collect(),
            ),
            ast::ExprKind::Record => {
                if !self.cx.allow_record {
                    self.report(
                        Diagnostic::new(codes::RECORD_OUTSIDE_FLOW, span, "`$` has no record here")
                            .label("only a flow's statements have a record")
                            .help("pass what is needed from the record as an argument"),
                    );
                    ExprKind::Invalid
                } else {
                    ExprKind::Record
                }
            }
            ast::ExprKind::Name(ident) => self.lower_name(ident),
            ast::ExprKind::Member { .. }
            | ast::ExprKind::Index { .. }
            | ast::ExprKind::Wildcard { .. }
            | ast::ExprKind::Descendant { .. }
            | ast::ExprKind::Filter { .. } => return self.lower_path(expr),
            ast::ExprKind::Call(call) => self.lower_call(call, span),
            ast::ExprKind::Unary { op, operand, .. } => ExprKind::Unary {
                op: *op,
                operand: Box::new(self.lower_expr(operand)),
            },
            ast::ExprKind::Binary { op, op_span, lhs, rhs } => ExprKind::Binary {
                op: *op,
                op_span: *op_span,
                lhs: Box::new(self.lower_expr(lhs)),
                rhs: Box::new(self.lower_expr(rhs)),
            },
            ast::ExprKind::If {
                condition,
                then,
                otherwise,
            } => ExprKind::If {
                condition: Box::new(self.lower_expr(condition)),
                then: Box::new(self.lower_expr(then)),
                otherwise: Box::new(self.lower_expr(otherwise)),
            },
            ast::ExprKind::Match { subject, arms } => {
                let subject = Box::new(self.lower_expr(subject));
                let (arms, default) = self.lower_arms(arms);
                ExprKind::Match {
                    subject,
                    arms,
                    default: default.map(Box::new),
                }
            }
            ast::ExprKind::For(for_expr) => ExprKind::For(Box::new(self.lower_for(for_expr))),
            ast::ExprKind::List(items) => ExprKind::List(items.iter().map(|item| self.lower_expr(item)).collect()),
            ast::ExprKind::Object(body) => ExprKind::Object(self.lower_record(body)),
            ast::ExprKind::Lookup { entity, keys, all } => {
                if !self.effect_allowed(span, "`lookup`") {
                    ExprKind::Invalid
                } else {
                    let entity = self.target_entity(Some(entity), span, false);
                    ExprKind::Lookup {
                        entity,
                        keys: self.lower_keys(keys),
                        all: *all,
                    }
                }
            }
            ast::ExprKind::RequireEach(require) => {
                if !self.effect_allowed(span, "`require each`") {
                    ExprKind::Invalid
                } else {
                    let entity = self.target_entity(Some(&require.entity), span, false);
                    let list = self.lower_expr(&require.list);
                    self.cx.scopes.push(Scope::default());
                    let item = self.new_slot();
                    self.declare(&require.item, Binding::Local(item), false, Types::ANY);
                    let keys = self.lower_keys(&require.keys);
                    self.pop_scope();
                    ExprKind::RequireEach(Box::new(RequireEach {
                        item,
                        list,
                        entity,
                        keys,
                    }))
                }
            }
            ast::ExprKind::Create { entity, body } => {
                self.lower_write(WriteKind::Create, entity.as_ref(), &[], None, body, span)
            }
            ast::ExprKind::Upsert {
                entity,
                keys,
                update_if,
                body,
            } => self.lower_write(
                WriteKind::Upsert,
                entity.as_ref(),
                keys,
                update_if.as_deref(),
                body,
                span,
            ),
            ast::ExprKind::Update { entity, keys, body } => {
                self.lower_write(WriteKind::Update, entity.as_ref(), keys, None, body, span)
            }
            ast::ExprKind::Error => ExprKind::Invalid,
        };
        Expr { kind, span }
    }

    pub(super) fn pop_scope(&mut self) {
        let scope = self.cx.scopes.pop().expect("a scope is open");
        self.report_unused(scope);
    }

    fn lower_name(&mut self, ident: &ast::Ident) -> ExprKind {
        match self.resolve(&ident.name) {
            Some((Binding::Local(slot), _)) => ExprKind::Local(slot),
            Some((Binding::Setting(id), _)) => ExprKind::Setting(id),
            Some((binding @ (Binding::Function(_) | Binding::Table(_)), _)) => {
                self.report(
                    Diagnostic::new(
                        codes::WRONG_KIND_OF_NAME,
                        ident.span,
                        format!("`{}` is {}, not a value", ident.name, binding.describe()),
                    )
                    .help(format!("call it: `{}(...)`", ident.name)),
                );
                ExprKind::Invalid
            }
            Some((Binding::Module(_), _)) => {
                self.report(
                    Diagnostic::new(
                        codes::WRONG_KIND_OF_NAME,
                        ident.span,
                        format!("`{}` is a module, not a value", ident.name),
                    )
                    .help(format!("use one of its functions: `{}.name(...)`", ident.name)),
                );
                ExprKind::Invalid
            }
            None => {
                let names = self.visible_names();
                let mut diagnostic = Diagnostic::new(
                    codes::UNKNOWN_NAME,
                    ident.span,
                    format!("`{}` is not defined here", ident.name),
                )
                .label("unknown name")
                .did_you_mean(&ident.name, names.iter().map(String::as_str));
                if diagnostic.help.is_none() {
                    if ident.name == "null" || ident.name == "nil" {
                        diagnostic = diagnostic.help("the empty value is written `none`");
                    } else if stdlib::lookup(&ident.name).is_some() {
                        diagnostic = diagnostic.help(format!("`{0}` is a function: call it, `{0}(...)`", ident.name));
                    } else if self.cx.allow_record {
                        diagnostic = diagnostic.help(format!(
                            "a field of the source record is read with `$`: `$.{}`",
                            ident.name
                        ));
                    }
                }
                self.report(diagnostic);
                ExprKind::Invalid
            }
        }
    }

    // ------------------------------------------------------------ paths

    /// A chain of `.name`, `[i]`, `[*]`, `..name` and `[?...]` after a value.
    /// Chains with a JSONPath filter or `..` become one compiled JSONPath
    /// query; the others are evaluated step by step.
    fn lower_path(&mut self, expr: &ast::Expr) -> Expr {
        let mut steps = Vec::new();
        let mut root = expr;
        while let ast::ExprKind::Member { target, .. }
        | ast::ExprKind::Index { target, .. }
        | ast::ExprKind::Wildcard { target }
        | ast::ExprKind::Descendant { target, .. }
        | ast::ExprKind::Filter { target, .. } = &root.kind
        {
            steps.push(root);
            root = target;
        }
        steps.reverse();
        let needs_query = steps.iter().any(|step| {
            matches!(
                step.kind,
                ast::ExprKind::Descendant { .. } | ast::ExprKind::Filter { .. }
            )
        });
        let mut lowered = self.lower_expr(root);
        if needs_query {
            return self.lower_query(lowered, &steps, expr.span);
        }
        let mut over_each = false;
        for step in steps {
            let kind = match &step.kind {
                ast::ExprKind::Member { name, .. } => ExprKind::Field {
                    target: Box::new(lowered),
                    name: Arc::from(name.name.as_str()),
                    over_each,
                    hint: Default::default(),
                },
                ast::ExprKind::Index { index, .. } => ExprKind::Index {
                    target: Box::new(lowered),
                    index: Box::new(self.lower_expr(index)),
                    over_each,
                },
                ast::ExprKind::Wildcard { .. } => {
                    let kind = if over_each {
                        ExprKind::Flatten(Box::new(lowered))
                    } else {
                        ExprKind::Each(Box::new(lowered))
                    };
                    over_each = true;
                    kind
                }
                _ => unreachable!("queries are handled above"),
            };
            lowered = Expr { kind, span: step.span };
        }
        lowered
    }

    fn lower_query(&mut self, root: Expr, steps: &[&ast::Expr], span: Span) -> Expr {
        let mut text = String::from("$");
        let mut filter_span = span;
        // Where the last filter's own text starts in `text`, to place errors.
        let mut filter_start = 0;
        for step in steps {
            match &step.kind {
                ast::ExprKind::Member { name, .. } => push_name(&mut text, &name.name),
                ast::ExprKind::Wildcard { .. } => text.push_str("[*]"),
                ast::ExprKind::Descendant { name, .. } => {
                    text.push_str("..");
                    match name {
                        Some(name) => push_name(&mut text, &name.name),
                        None => text.push('*'),
                    }
                }
                ast::ExprKind::Filter { query, query_span, .. } => {
                    filter_span = *query_span;
                    text.push_str("[?");
                    filter_start = text.len();
                    text.push_str(query);
                    text.push(']');
                }
                ast::ExprKind::Index { index, .. } => match &index.kind {
                    ast::ExprKind::Literal(ast::Literal::Int(i)) => text.push_str(&format!("[{i}]")),
                    ast::ExprKind::Literal(ast::Literal::Text(key)) => push_name(&mut text, key),
                    _ => {
                        self.report(
                            Diagnostic::new(
                                codes::INVALID_JSONPATH,
                                index.span,
                                "a path with a JSONPath filter or `..` takes only constant indexes",
                            )
                            .help("filter with `filter(list, x => ...)` instead"),
                        );
                        return Expr {
                            kind: ExprKind::Invalid,
                            span,
                        };
                    }
                },
                _ => unreachable!("only path steps are collected"),
            }
        }
        match jsonpath_rust::parser::parse_json_path(&text) {
            Ok(query) => Expr {
                kind: ExprKind::Query {
                    target: Box::new(root),
                    query: Box::new(query),
                    text,
                },
                span,
            },
            Err(error) => {
                // Point at the character where the filter stops being JSONPath.
                let at = match &error {
                    jsonpath_rust::parser::errors::JsonPathError::PestError(pest) => match pest.location {
                        pest::error::InputLocation::Pos(pos) | pest::error::InputLocation::Span((pos, _)) => Some(pos),
                    },
                    _ => None,
                };
                let within = at.filter(|pos| *pos >= filter_start && *pos <= filter_start + filter_span.len());
                let (error_span, label) = match within {
                    Some(pos) => {
                        let start = filter_span.start as usize + (pos - filter_start);
                        (
                            Span::new(start, (start + 1).min(filter_span.end as usize).max(start)),
                            "not JSONPath from here".to_string(),
                        )
                    }
                    None => (filter_span, describe_jsonpath_error(&error)),
                };
                self.report(
                    Diagnostic::new(
                        codes::INVALID_JSONPATH,
                        error_span,
                        "this JSONPath filter does not parse",
                    )
                    .label(label)
                    .help("inside `[?...]`, `@` is the element: `[?@.count > 1 && @.sku != 'SHIP']`"),
                );
                Expr {
                    kind: ExprKind::Invalid,
                    span,
                }
            }
        }
    }

    // ------------------------------------------------------------ calls

    fn lower_call(&mut self, call: &ast::Call, span: Span) -> ExprKind {
        let binding = match &call.module {
            Some(module) => match self.resolve(&module.name) {
                Some((Binding::Module(index), _)) => match self.modules[index].exports.get(&call.name.name) {
                    Some(binding) => binding.clone(),
                    None if self.modules[index].failed => {
                        self.lower_args_anyway(&call.args);
                        return ExprKind::Invalid;
                    }
                    None => {
                        let exports: Vec<&str> = self.modules[index].exports.keys().map(String::as_str).collect();
                        let diagnostic = Diagnostic::new(
                            codes::UNKNOWN_MODULE_MEMBER,
                            call.name.span,
                            format!(
                                "the module `{}` has no function or table `{}`",
                                self.modules[index].path, call.name.name
                            ),
                        )
                        .did_you_mean(&call.name.name, exports);
                        self.report(diagnostic);
                        self.lower_args_anyway(&call.args);
                        return ExprKind::Invalid;
                    }
                },
                Some((other, _)) => {
                    self.report(Diagnostic::new(
                        codes::WRONG_KIND_OF_NAME,
                        module.span,
                        format!("`{}` is {}, not a module", module.name, other.describe()),
                    ));
                    self.lower_args_anyway(&call.args);
                    return ExprKind::Invalid;
                }
                None => {
                    let names = self.visible_names();
                    let diagnostic = Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        module.span,
                        format!("`{}` is not an imported module", module.name),
                    )
                    .did_you_mean(&module.name, names.iter().map(String::as_str));
                    let diagnostic = if diagnostic.help.is_none() {
                        diagnostic.help(format!(
                            "import it first: `import \"std/{}\" as {}`",
                            module.name, module.name
                        ))
                    } else {
                        diagnostic
                    };
                    self.report(diagnostic);
                    self.lower_args_anyway(&call.args);
                    return ExprKind::Invalid;
                }
            },
            None => match self.resolve(&call.name.name) {
                Some((binding, _)) => binding,
                None => match stdlib::lookup(&call.name.name) {
                    Some(function) => return self.lower_native(function, call, span),
                    None => {
                        let mut names = self.visible_names();
                        names.extend(stdlib::all().map(|f| f.name.to_string()));
                        let diagnostic = Diagnostic::new(
                            codes::UNKNOWN_FUNCTION,
                            call.name.span,
                            format!("there is no function or table `{}`", call.name.name),
                        )
                        .label("unknown function")
                        .did_you_mean(&call.name.name, names.iter().map(String::as_str));
                        self.report(diagnostic);
                        self.lower_args_anyway(&call.args);
                        return ExprKind::Invalid;
                    }
                },
            },
        };
        match binding {
            Binding::Function(id) => {
                self.record_call(Callee::Function(id), call.name.span);
                let expected = self.program.function(id).params.len();
                let args = self.value_args(&call.args, &call.name.name);
                if args.len() != expected {
                    self.wrong_count(&call.name, expected, Some(expected), args.len(), span);
                }
                ExprKind::Call { function: id, args }
            }
            Binding::Table(id) => {
                self.record_call(Callee::Table(id), call.name.span);
                let mut args = self.value_args(&call.args, &call.name.name);
                if args.len() != 1 {
                    self.wrong_count(&call.name, 1, Some(1), args.len(), span);
                    return ExprKind::Invalid;
                }
                ExprKind::TableLookup {
                    table: id,
                    key: Box::new(args.remove(0)),
                }
            }
            other => {
                self.report(
                    Diagnostic::new(
                        codes::WRONG_KIND_OF_NAME,
                        call.name.span,
                        format!("`{}` is {}, not a function", call.name.name, other.describe()),
                    )
                    .label("cannot be called"),
                );
                self.lower_args_anyway(&call.args);
                ExprKind::Invalid
            }
        }
    }

    fn record_call(&mut self, callee: Callee, span: Span) {
        if let Some(owner) = self.cx.owner {
            self.calls.push((owner, callee, self.cx.file, span));
        }
    }

    fn lower_args_anyway(&mut self, args: &[ast::Arg]) {
        for arg in args {
            if let ast::Arg::Value(expr) = arg {
                self.lower_expr(expr);
            }
        }
    }

    /// Arguments of a user function or table: values only.
    fn value_args(&mut self, args: &[ast::Arg], callee: &str) -> Vec<Expr> {
        args.iter()
            .map(|arg| match arg {
                ast::Arg::Value(expr) => self.lower_expr(expr),
                ast::Arg::Lambda(lambda) => {
                    self.report(
                        Diagnostic::new(
                            codes::MISPLACED_LAMBDA,
                            lambda.span,
                            format!("`{callee}` takes values, not functions"),
                        )
                        .help("only list functions such as `filter` and `map` take `x => ...`"),
                    );
                    Expr {
                        kind: ExprKind::Invalid,
                        span: lambda.span,
                    }
                }
            })
            .collect()
    }

    fn wrong_count(&mut self, name: &ast::Ident, min: usize, max: Option<usize>, got: usize, span: Span) {
        let takes = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        let plural = if takes == "1" { "argument" } else { "arguments" };
        self.report(
            Diagnostic::new(
                codes::WRONG_ARGUMENT_COUNT,
                span,
                format!(
                    "`{}` takes {takes} {plural}, but {got} {} given",
                    name.name,
                    if got == 1 { "is" } else { "are" }
                ),
            )
            .label("in this call"),
        );
    }

    fn lower_native(&mut self, function: &'static stdlib::Function, call: &ast::Call, span: Span) -> ExprKind {
        let count = call.args.len();
        let max = function.max_args();
        if count < function.min_args() || max.is_some_and(|max| count > max) {
            self.wrong_count(&call.name, function.min_args(), max, count, span);
            self.lower_args_anyway(&call.args);
            return ExprKind::Invalid;
        }
        if function.special == Some(Special::Exists) {
            let ast::Arg::Value(path) = &call.args[0] else {
                self.lower_args_anyway(&call.args);
                return ExprKind::Invalid;
            };
            return ExprKind::Exists(Box::new(self.lower_expr(path)));
        }
        let mut args = Vec::with_capacity(count);
        for (index, arg) in call.args.iter().enumerate() {
            let expected = function.param_type(index).unwrap_or(ParamType::Value(Types::ANY));
            let lowered = match (arg, expected) {
                (ast::Arg::Value(expr), ParamType::Value(_)) => Arg::Value(self.lower_expr(expr)),
                (ast::Arg::Lambda(lambda), ParamType::Lambda(arity)) => {
                    if lambda.params.len() != arity {
                        self.report(Diagnostic::new(
                            codes::MISPLACED_LAMBDA,
                            lambda.span,
                            format!(
                                "`{}` takes a function of {arity} parameter{}, but this one has {}",
                                function.name,
                                if arity == 1 { "" } else { "s" },
                                lambda.params.len()
                            ),
                        ));
                    }
                    self.lower_lambda(lambda)
                }
                (ast::Arg::Value(expr), ParamType::Lambda(_)) => {
                    let name = function.params.get(index).map_or("argument", |p| p.name);
                    self.report(
                        Diagnostic::new(
                            codes::MISPLACED_LAMBDA,
                            expr.span,
                            format!("`{}` takes a function as `{name}`", function.name),
                        )
                        .label("a value, not a function")
                        .help(format!(
                            "write a function of the element: `x => ...`, as in `{}`",
                            function.examples[0].call
                        )),
                    );
                    self.lower_expr(expr);
                    Arg::Value(Expr {
                        kind: ExprKind::Invalid,
                        span: expr.span,
                    })
                }
                (ast::Arg::Lambda(lambda), ParamType::Value(_)) => {
                    self.report(
                        Diagnostic::new(
                            codes::MISPLACED_LAMBDA,
                            lambda.span,
                            format!("`{}` takes a value here, not a function", function.name),
                        )
                        .label("a function, not a value"),
                    );
                    Arg::Value(Expr {
                        kind: ExprKind::Invalid,
                        span: lambda.span,
                    })
                }
            };
            args.push(lowered);
        }
        let prepared = self.prepare(function, &args);
        ExprKind::Native {
            function,
            args,
            prepared,
        }
    }

    fn lower_lambda(&mut self, lambda: &ast::Lambda) -> Arg {
        let saved = self.cx.allow_effects;
        self.cx.allow_effects = false;
        self.cx.scopes.push(Scope::default());
        let params = lambda
            .params
            .iter()
            .map(|param| {
                let slot = self.new_slot();
                self.declare(param, Binding::Local(slot), false, Types::ANY);
                slot
            })
            .collect();
        let body = self.lower_expr(&lambda.body);
        self.pop_scope();
        self.cx.allow_effects = saved;
        Arg::Lambda {
            params,
            body,
            span: lambda.span,
        }
    }

    /// Checks and prepares a native call's constant arguments.
    fn prepare(&mut self, function: &'static stdlib::Function, args: &[Arg]) -> Prepared {
        let Some(prepare) = function.prepare else {
            return Prepared::Nothing;
        };
        let constants: Vec<Option<&Value<'static>>> = args
            .iter()
            .map(|arg| match arg {
                Arg::Value(Expr {
                    kind: ExprKind::Constant(value),
                    ..
                }) => Some(value),
                _ => None,
            })
            .collect();
        match prepare(&constants) {
            Ok(prepared) => prepared,
            Err((index, message)) => {
                let span = match args.get(index) {
                    Some(Arg::Value(expr)) => expr.span,
                    Some(Arg::Lambda { span, .. }) => *span,
                    None => Span::default(),
                };
                self.report(Diagnostic::new(codes::INVALID_ARGUMENT, span, message).label("not accepted"));
                Prepared::Nothing
            }
        }
    }

    // ------------------------------------------------------------ loops and records

    fn lower_for(&mut self, for_expr: &ast::ForExpr) -> For {
        let list = self.lower_expr(&for_expr.list);
        let saved = self.cx.allow_effects;
        self.cx.allow_effects = false;
        self.cx.scopes.push(Scope::default());
        let item = self.new_slot();
        self.declare(&for_expr.item, Binding::Local(item), false, Types::ANY);
        let index = for_expr.index.as_ref().map(|index| {
            let slot = self.new_slot();
            self.declare(index, Binding::Local(slot), false, Types::INT);
            slot
        });
        let filter = for_expr.filter.as_ref().map(|filter| self.lower_expr(filter));
        let body = match &for_expr.body {
            ast::ForBody::Record(record) => ForBody::Record(self.lower_record(record)),
            ast::ForBody::Value(value) => ForBody::Value(self.lower_expr(value)),
        };
        self.pop_scope();
        self.cx.allow_effects = saved;
        For {
            item,
            index,
            list,
            filter,
            body,
        }
    }

    pub(super) fn lower_record(&mut self, body: &ast::RecordBody) -> Record {
        let saved = self.cx.allow_effects;
        self.cx.allow_effects = false;
        self.cx.scopes.push(Scope::default());
        let items = self.lower_record_items(&body.items);
        self.pop_scope();
        self.cx.allow_effects = saved;
        Record::new(items, body.span)
    }

    fn lower_record_items(&mut self, items: &[ast::BodyItem]) -> Vec<RecordItem> {
        let mut lowered = Vec::with_capacity(items.len());
        for item in items {
            lowered.push(match item {
                ast::BodyItem::Field(field) => RecordItem::Field {
                    name: Arc::from(field.name.as_str()),
                    json_key: json_key(&field.name),
                    value: self.lower_expr(&field.value),
                    name_span: field.name_span,
                    unless_none: field.unless_none,
                },
                ast::BodyItem::If(body_if) => self.lower_body_if(body_if),
                ast::BodyItem::Let(binding) => {
                    let value = self.lower_expr(&binding.value);
                    let slot = self.new_slot();
                    self.declare(&binding.name, Binding::Local(slot), true, Types::ANY);
                    RecordItem::Let(slot, value)
                }
                ast::BodyItem::CreateOnly { unless, body, span } => {
                    if self.cx.write != Some(WriteKind::Upsert) {
                        self.report(
                            Diagnostic::new(
                                codes::MISPLACED,
                                *span,
                                "`create only` belongs in the body of an `upsert`",
                            )
                            .label("no record is created or updated here"),
                        );
                    }
                    let unless = unless.as_ref().map(|unless| self.lower_expr(unless));
                    let body = self.lower_record(body);
                    RecordItem::CreateOnly {
                        unless,
                        body,
                        span: *span,
                    }
                }
                ast::BodyItem::Spread(expr, _) => RecordItem::Spread(self.lower_expr(expr)),
            });
        }
        lowered
    }

    fn lower_body_if(&mut self, body_if: &ast::BodyIf) -> RecordItem {
        let condition = self.lower_expr(&body_if.condition);
        let then = self.lower_record(&body_if.then);
        let otherwise = match &body_if.otherwise {
            None => Record::new(Vec::new(), body_if.span),
            Some(ast::Else::Block(block)) => self.lower_record(block),
            Some(ast::Else::If(nested)) => Record::new(vec![self.lower_body_if(nested)], nested.span),
        };
        RecordItem::If {
            condition,
            then,
            otherwise,
        }
    }

    // ------------------------------------------------------------ writes

    fn lower_write(
        &mut self,
        kind: WriteKind,
        entity: Option<&ast::EntityRef>,
        keys: &[ast::KeyMatch],
        update_if: Option<&ast::Expr>,
        body: &ast::RecordBody,
        span: Span,
    ) -> ExprKind {
        let what = match kind {
            WriteKind::Create => "`create`",
            WriteKind::Upsert => "`upsert`",
            WriteKind::Update => "`update`",
        };
        if !self.effect_allowed(span, what) {
            return ExprKind::Invalid;
        }
        let entity = self.target_entity(entity, span, true);
        let is_main = self.is_main_target(&entity);
        // An upsert writes its keys into the record it creates, and finds
        // it again by them: only `==` says what to write.
        for key in keys.iter().filter(|key| !key.comparison.is_equal()) {
            self.report(
                Diagnostic::new(
                    codes::MISPLACED,
                    key.span,
                    format!(
                        "{what} finds its record by equal fields; `{}` belongs in a lookup",
                        key.comparison.symbol()
                    ),
                )
                .label("not a field to find the record by")
                .help("look the record up first (`let found = lookup ... where ...`), then `update` or `create` it"),
            );
        }
        let keys = self.lower_keys(keys);
        let update_if = update_if.map(|condition| self.lower_expr(condition));
        let saved = self.cx.write.replace(kind);
        let body = self.lower_record(body);
        self.cx.write = saved;
        ExprKind::Write(Box::new(Write {
            kind,
            entity,
            is_main,
            keys,
            update_if,
            body,
        }))
    }
}

/// Appends `['name']` (always bracketed, so any name is safe).
fn push_name(text: &mut String, name: &str) {
    text.push_str("['");
    for c in name.chars() {
        match c {
            '\'' => text.push_str("\\'"),
            '\\' => text.push_str("\\\\"),
            c => text.push(c),
        }
    }
    text.push_str("']");
}

/// jsonpath-rust's error in words, without pest's rule names.
fn describe_jsonpath_error(error: &jsonpath_rust::parser::errors::JsonPathError) -> String {
    use jsonpath_rust::parser::errors::JsonPathError;
    match error {
        JsonPathError::PestError(_) => "not valid JSONPath".to_string(),
        JsonPathError::MaxNestingDepthExceeded(depth) => {
            format!("nested more than {depth} levels deep")
        }
        other => other.to_string(),
    }
}

/// `name` as a key of JSON output: quoted, escaped, followed by its colon.
fn json_key(name: &str) -> Box<str> {
    let mut key = Vec::with_capacity(name.len() + 3);
    crate::value::json::write_text(name, &mut key);
    key.push(b':');
    String::from_utf8(key).expect("JSON text is UTF-8").into_boxed_str()
}
