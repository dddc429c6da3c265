//! Every expression of a syntax tree, visited in the order of the text: the
//! language server looks for what is under the cursor this way.

use crate::syntax::ast::Expr;
use crate::syntax::ast::{
    Arg, BodyIf, BodyItem, Else, ExprKind, ForBody, Ident, IfStatement, Item, Module, RecordBody, SkipRule, Statement,
    TextPart,
};

/// Calls `visit` on every expression of the module, outer ones first.
pub fn module<'m>(module: &'m Module, visit: &mut dyn FnMut(&'m Expr)) {
    for item in &module.items {
        match item {
            Item::Setting(setting) => {
                if let Some(default) = &setting.default {
                    expr(default, visit);
                }
            }
            Item::Table(table) => table.arms.iter().for_each(|arm| expr(&arm.value, visit)),
            Item::Function(function) => {
                function.lets.iter().for_each(|binding| expr(&binding.value, visit));
                expr(&function.body, visit);
            }
            Item::Flow(flow) => statements(&flow.statements, visit),
            Item::Import(_) => {}
        }
    }
}

/// Calls `visit` on every name a flow's statements bind, in the order of
/// the text: a `let` (in blocks too) and a `for each` item.
pub fn bindings<'m>(statements: &'m [Statement], visit: &mut dyn FnMut(&'m Ident)) {
    for statement in statements {
        match statement {
            Statement::Let(binding) => visit(&binding.name),
            Statement::ForEach(each) => {
                visit(&each.item);
                bindings(&each.body, visit);
            }
            Statement::If(branch) => if_bindings(branch, visit),
            _ => {}
        }
    }
}

fn if_bindings<'m>(branch: &'m IfStatement, visit: &mut dyn FnMut(&'m Ident)) {
    bindings(&branch.then, visit);
    match &branch.otherwise {
        Some(Else::Block(block)) => bindings(block, visit),
        Some(Else::If(next)) => if_bindings(next, visit),
        None => {}
    }
}

fn statements<'m>(statements: &'m [Statement], visit: &mut dyn FnMut(&'m Expr)) {
    for statement in statements {
        match statement {
            Statement::Source(..) | Statement::Target(..) => {}
            Statement::Setting(setting) => {
                if let Some(default) = &setting.default {
                    expr(default, visit);
                }
            }
            Statement::Table(table) => table.arms.iter().for_each(|arm| expr(&arm.value, visit)),
            Statement::Function(function) => {
                function.lets.iter().for_each(|binding| expr(&binding.value, visit));
                expr(&function.body, visit);
            }
            Statement::When(condition, _) => expr(condition, visit),
            Statement::Let(binding) => expr(&binding.value, visit),
            Statement::Skip(SkipRule::If(condition), _) => expr(condition, visit),
            Statement::Skip(SkipRule::Exists { keys, .. }, _) => keys.iter().for_each(|key| expr(&key.value, visit)),
            Statement::RequireThat { condition, message, .. } => {
                expr(condition, visit);
                expr(message, visit);
            }
            Statement::RequireEach(each) | Statement::Write(each) => expr(each, visit),
            Statement::If(branch) => if_statement(branch, visit),
            Statement::ForEach(each) => {
                expr(&each.list, visit);
                self::statements(&each.body, visit);
            }
            Statement::Emit(body, _) => record_body(body, visit),
        }
    }
}

fn if_statement<'m>(branch: &'m IfStatement, visit: &mut dyn FnMut(&'m Expr)) {
    expr(&branch.condition, visit);
    statements(&branch.then, visit);
    match &branch.otherwise {
        Some(Else::Block(block)) => statements(block, visit),
        Some(Else::If(next)) => if_statement(next, visit),
        None => {}
    }
}

fn record_body<'m>(body: &'m RecordBody, visit: &mut dyn FnMut(&'m Expr)) {
    for item in &body.items {
        match item {
            BodyItem::Field(field) => expr(&field.value, visit),
            BodyItem::If(branch) => body_if(branch, visit),
            BodyItem::Let(binding) => expr(&binding.value, visit),
            BodyItem::CreateOnly { unless, body, .. } => {
                if let Some(unless) = unless {
                    expr(unless, visit);
                }
                record_body(body, visit);
            }
            BodyItem::Spread(value, _) => expr(value, visit),
        }
    }
}

fn body_if<'m>(branch: &'m BodyIf, visit: &mut dyn FnMut(&'m Expr)) {
    expr(&branch.condition, visit);
    record_body(&branch.then, visit);
    match &branch.otherwise {
        Some(Else::Block(block)) => record_body(block, visit),
        Some(Else::If(next)) => body_if(next, visit),
        None => {}
    }
}

fn expr<'m>(value: &'m Expr, visit: &mut dyn FnMut(&'m Expr)) {
    visit(value);
    match &value.kind {
        ExprKind::Literal(_) | ExprKind::Record | ExprKind::Name(_) | ExprKind::Error => {}
        ExprKind::Interpolated(parts) => parts.iter().for_each(|part| {
            if let TextPart::Expr(inner) = part {
                expr(inner, visit);
            }
        }),
        ExprKind::Member { target, .. }
        | ExprKind::Wildcard { target }
        | ExprKind::Descendant { target, .. }
        | ExprKind::Filter { target, .. } => expr(target, visit),
        ExprKind::Index { target, index } => {
            expr(target, visit);
            expr(index, visit);
        }
        ExprKind::Call(call) => call.args.iter().for_each(|arg| match arg {
            Arg::Value(inner) => expr(inner, visit),
            Arg::Lambda(lambda) => expr(&lambda.body, visit),
        }),
        ExprKind::Unary { operand, .. } => expr(operand, visit),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, visit);
            expr(rhs, visit);
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            expr(condition, visit);
            expr(then, visit);
            expr(otherwise, visit);
        }
        ExprKind::Match { subject, arms } => {
            expr(subject, visit);
            arms.iter().for_each(|arm| expr(&arm.value, visit));
        }
        ExprKind::For(each) => {
            expr(&each.list, visit);
            if let Some(filter) = &each.filter {
                expr(filter, visit);
            }
            match &each.body {
                ForBody::Record(body) => record_body(body, visit),
                ForBody::Value(inner) => expr(inner, visit),
            }
        }
        ExprKind::List(items) => items.iter().for_each(|item| expr(item, visit)),
        ExprKind::Object(body) => record_body(body, visit),
        ExprKind::Lookup { keys, .. } => keys.iter().for_each(|key| expr(&key.value, visit)),
        ExprKind::RequireEach(each) => {
            expr(&each.list, visit);
            each.keys.iter().for_each(|key| expr(&key.value, visit));
        }
        ExprKind::Create { body, .. } => record_body(body, visit),
        ExprKind::Upsert {
            keys, update_if, body, ..
        } => {
            keys.iter().for_each(|key| expr(&key.value, visit));
            if let Some(guard) = update_if {
                expr(guard, visit);
            }
            record_body(body, visit);
        }
        ExprKind::Update { keys, body, .. } => {
            keys.iter().for_each(|key| expr(&key.value, visit));
            record_body(body, visit);
        }
    }
}
