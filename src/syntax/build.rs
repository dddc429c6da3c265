//! Builds the syntax tree from pest's parse tree.
//!
//! The grammar has already decided the structure; this module turns pairs into
//! typed nodes with spans, decodes literals (reporting the ones that are
//! malformed), and re-parses the pieces that error recovery swallowed to say
//! what was wrong with them.

use std::cell::RefCell;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use pest::Parser;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::ast::*;
use super::expected::syntax_error;
use super::grammar::{FlowParser, Rule};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// At most this many operators and path steps in one expression between brackets.
pub const MAX_OPERATORS: usize = 256;
/// At most this many `not` / `-` in a row.
pub const MAX_PREFIXES: usize = 16;
/// At most this many `else if` in one chain.
pub const MAX_ELSE_IF: usize = 128;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    // Loosest first. Every infix operator is left-associative; `??` gives the
    // same result either way, and left association keeps the parser's
    // recursion flat however long a chain is.
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left))
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::infix(Rule::coalesce, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left) | Op::infix(Rule::rem, Assoc::Left))
        .op(Op::prefix(Rule::neg))
        .op(Op::postfix(Rule::member)
            | Op::postfix(Rule::descendant)
            | Op::postfix(Rule::wildcard)
            | Op::postfix(Rule::index)
            | Op::postfix(Rule::filter_index))
});

pub struct Builder<'t> {
    text: &'t str,
    /// Whitespace and comments, to trim them off the ends of spans.
    trivia: Vec<bool>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// Where the digits `9223372036854775808` follow a `-`: with it they
    /// are the smallest int, which their digits alone are too large for.
    smallest_ints: RefCell<Vec<u32>>,
}

/// The digits of the smallest int, `-9223372036854775808`.
const SMALLEST_INT_DIGITS: &str = "9223372036854775808";

impl<'t> Builder<'t> {
    pub fn new(text: &'t str) -> Builder<'t> {
        Builder {
            text,
            trivia: super::trivia::trivia_map(text),
            diagnostics: RefCell::new(Vec::new()),
            smallest_ints: RefCell::new(Vec::new()),
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    /// The span of a pair, without the trailing whitespace and comments that
    /// pest includes in it.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = pair.as_span().start();
        let mut end = pair.as_span().end();
        while end > start && self.trivia[end - 1] {
            end -= 1;
        }
        Span::new(start, end)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    fn error_expr(&self, span: Span, diagnostic: Diagnostic) -> Expr {
        self.report(diagnostic);
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }

    // ------------------------------------------------------------ recovery

    /// Builds a list of items (file items, statements or body items),
    /// reporting each piece that recovery swallowed.
    ///
    /// A swallowed piece on the same line as the item before it usually means
    /// that item ended too early (`let y = lower($.a` reads as `let y = lower`
    /// followed by junk), so the two are re-parsed together and the item is
    /// dropped.
    fn items<T>(
        &self,
        pairs: impl Iterator<Item = Pair<'t, Rule>>,
        bad: Rule,
        lone: Rule,
        mut build: impl FnMut(Pair<'t, Rule>) -> Option<T>,
    ) -> Vec<T> {
        let mut built: Vec<(Span, T)> = Vec::new();
        for pair in pairs {
            let span = self.span(&pair);
            if pair.as_rule() != bad {
                if let Some(item) = build(pair) {
                    built.push((span, item));
                }
                continue;
            }
            let continues_previous = built
                .last()
                .is_some_and(|(previous, _)| !self.text[previous.end as usize..span.start as usize].contains('\n'));
            let start = if continues_previous {
                built.pop().map_or(span.start, |(previous, _)| previous.start)
            } else {
                span.start
            };
            self.report_bad(Span { start, end: span.end }, lone);
        }
        built.into_iter().map(|(_, item)| item).collect()
    }

    /// Re-parses a piece that recovery swallowed, with the rule that should
    /// have matched it, and reports why that rule fails.
    fn report_bad(&self, span: Span, rule: Rule) {
        let piece = &self.text[span.range()];
        match FlowParser::parse(rule, piece) {
            Err(error) => self.report(
                syntax_error(&error, piece, (span.end as usize) < self.text.len()).shifted(span.start as usize),
            ),
            // The piece parses alone, so it was misplaced rather than malformed.
            Ok(_) => {
                self.report(Diagnostic::new(codes::SYNTAX, span, "this does not belong here").label("unexpected here"))
            }
        }
    }

    // ------------------------------------------------------------ items

    pub fn module(&self, file: Pair<'t, Rule>) -> Module {
        let pairs = file.into_inner().filter(|pair| pair.as_rule() != Rule::EOI);
        let items = self.items(pairs, Rule::bad_item, Rule::lone_item, |pair| self.item(pair));
        Module { items }
    }

    fn item(&self, pair: Pair<'t, Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::import => Item::Import(self.import(pair)),
            Rule::setting => Item::Setting(self.setting(pair)),
            Rule::table => Item::Table(self.table(pair)),
            Rule::function => Item::Function(self.function(pair)),
            Rule::flow => Item::Flow(self.flow(pair)),
            rule => unreachable!("grammar gave {rule:?} as an item"),
        })
    }

    fn import(&self, pair: Pair<'t, Rule>) -> Import {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let path = inner.next().expect("import has a path");
        let path_span = self.span(&path);
        let path = self.plain_text(path);
        let alias = self.ident(inner.next().expect("import has an alias"));
        Import {
            path,
            path_span,
            alias,
            span,
        }
    }

    fn setting(&self, pair: Pair<'t, Rule>) -> Setting {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let name = self.ident(inner.next().expect("setting has a name"));
        let ty = self.type_expr(inner.next().expect("setting has a type"));
        let default = inner.next().map(|p| self.expr(p));
        Setting {
            name,
            ty,
            default,
            span,
        }
    }

    fn type_expr(&self, pair: Pair<'t, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut alternatives = Vec::new();
        let mut optional = false;
        for part in pair.into_inner() {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::optional => optional = true,
                Rule::plain_string => alternatives.push(TypeAtom::Word(self.plain_text(part), part_span)),
                Rule::type_name => {
                    let name = match part.as_str() {
                        "text" => TypeName::Text,
                        "int" => TypeName::Int,
                        "decimal" => TypeName::Decimal,
                        "float" => TypeName::Float,
                        "bool" => TypeName::Bool,
                        "date" => TypeName::Date,
                        "datetime" => TypeName::DateTime,
                        "list" => TypeName::List,
                        "object" => TypeName::Object,
                        _ => TypeName::Any,
                    };
                    alternatives.push(TypeAtom::Named(name, part_span));
                }
                rule => unreachable!("grammar gave {rule:?} in a type"),
            }
        }
        TypeExpr {
            alternatives,
            optional,
            span,
        }
    }

    fn table(&self, pair: Pair<'t, Rule>) -> Table {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let name = self.ident(inner.next().expect("table has a name"));
        let arms = inner.map(|arm| self.arm(arm)).collect();
        Table { name, arms, span }
    }

    fn arm(&self, pair: Pair<'t, Rule>) -> Arm {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let patterns = inner
            .next()
            .expect("arm has patterns")
            .into_inner()
            .map(|pattern| {
                let pattern_span = self.span(&pattern);
                let inner = pattern.into_inner().next().expect("pattern has a body");
                match inner.as_rule() {
                    Rule::wildcard_pattern => Pattern::Wildcard(pattern_span),
                    _ => match self.literal(inner) {
                        Some(literal) => Pattern::Literal(literal, pattern_span),
                        None => Pattern::Wildcard(pattern_span),
                    },
                }
            })
            .collect();
        let value = self.expr(inner.next().expect("arm has a value"));
        Arm { patterns, value, span }
    }

    fn function(&self, pair: Pair<'t, Rule>) -> Function {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let name = self.ident(inner.next().expect("fn has a name"));
        let params = inner
            .next()
            .expect("fn has parameters")
            .into_inner()
            .map(|param| {
                let mut parts = param.into_inner();
                let name = self.ident(parts.next().expect("parameter has a name"));
                let ty = parts.next().map(|ty| self.type_expr(ty));
                Param { name, ty }
            })
            .collect();
        let mut returns = None;
        let mut lets = Vec::new();
        let mut body = None;
        for part in inner {
            match part.as_rule() {
                Rule::type_expr => returns = Some(self.type_expr(part)),
                Rule::fn_body => {
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::fn_let => lets.push(self.binding(piece)),
                            _ => body = Some(self.expr(piece)),
                        }
                    }
                }
                rule => unreachable!("grammar gave {rule:?} in a fn"),
            }
        }
        let body = body.expect("fn has a body");
        Function {
            name,
            params,
            returns,
            lets,
            body,
            span,
        }
    }

    fn binding(&self, pair: Pair<'t, Rule>) -> Binding {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let name = self.ident(inner.next().expect("let has a name"));
        let value = self.expr(inner.next().expect("let has a value"));
        Binding { name, value, span }
    }

    fn flow(&self, pair: Pair<'t, Rule>) -> Flow {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let name = self.ident(inner.next().expect("flow has a name"));
        let statements = self.statements(inner);
        Flow { name, statements, span }
    }

    // ------------------------------------------------------------ statements

    fn statement(&self, pair: Pair<'t, Rule>) -> Option<Statement> {
        let span = self.span(&pair);
        Some(match pair.as_rule() {
            Rule::source_decl => {
                let entity = self.entity_ref(pair.into_inner().find(|p| p.as_rule() == Rule::entity_ref)?);
                Statement::Source(entity, span)
            }
            Rule::target_decl => {
                let entities = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::entity_ref)
                    .map(|p| self.entity_ref(p))
                    .collect();
                Statement::Target(entities, span)
            }
            Rule::setting => Statement::Setting(self.setting(pair)),
            Rule::table => Statement::Table(self.table(pair)),
            Rule::function => Statement::Function(self.function(pair)),
            Rule::when_stmt => Statement::When(self.expr(last_inner(pair)), span),
            Rule::let_stmt => Statement::Let(self.binding(pair)),
            Rule::skip_stmt => {
                let rule = last_inner(pair);
                let rule = match rule.as_rule() {
                    Rule::skip_exists => {
                        let mut parts = rule.into_inner().filter(|p| !is_keyword(p));
                        let entity = self.entity_ref(parts.next().expect("skip has an entity"));
                        let keys = self.where_clause(parts.next().expect("skip has a where"));
                        SkipRule::Exists { entity, keys }
                    }
                    _ => SkipRule::If(self.expr(rule)),
                };
                Statement::Skip(rule, span)
            }
            Rule::require_stmt => {
                let body = last_inner(pair);
                match body.as_rule() {
                    Rule::require_each => Statement::RequireEach(self.require_each(body)),
                    _ => {
                        let mut parts = body.into_inner().filter(|p| !is_keyword(p));
                        let condition = self.expr(parts.next().expect("require has a condition"));
                        let message = self.expr(parts.next().expect("require has a message"));
                        Statement::RequireThat {
                            condition,
                            message,
                            span,
                        }
                    }
                }
            }
            Rule::if_stmt => Statement::If(self.if_statement(pair, 0)),
            Rule::for_each_stmt => {
                let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
                let item = self.ident(inner.next().expect("for each names its item"));
                let list = self.expr(inner.next().expect("for each has a list"));
                let body = self.block(inner.next().expect("for each has a block"));
                Statement::ForEach(ForEach { item, list, body, span })
            }
            Rule::emit_stmt => Statement::Emit(self.record_body(last_inner(pair)), span),
            Rule::create_expr | Rule::upsert_expr | Rule::update_expr => Statement::Write(self.primary(pair)),
            rule => unreachable!("grammar gave {rule:?} as a statement"),
        })
    }

    fn if_statement(&self, pair: Pair<'t, Rule>, chain: usize) -> IfStatement {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let condition = self.expr(inner.next().expect("if has a condition"));
        let then = self.block(inner.next().expect("if has a block"));
        let otherwise = inner.next().and_then(|part| match part.as_rule() {
            Rule::if_stmt if chain >= MAX_ELSE_IF => {
                self.report(too_deep(self.span(&part), "`else if` chain"));
                None
            }
            Rule::if_stmt => Some(Else::If(Box::new(self.if_statement(part, chain + 1)))),
            _ => Some(Else::Block(self.block(part))),
        });
        IfStatement {
            condition,
            then,
            otherwise,
            span,
        }
    }

    fn block(&self, pair: Pair<'t, Rule>) -> Vec<Statement> {
        self.statements(pair.into_inner())
    }

    fn statements(&self, pairs: impl Iterator<Item = Pair<'t, Rule>>) -> Vec<Statement> {
        self.items(pairs, Rule::bad_statement, Rule::lone_statement, |pair| {
            self.statement(pair)
        })
    }

    fn where_clause(&self, pair: Pair<'t, Rule>) -> Vec<KeyMatch> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::key_match)
            .map(|key| {
                let span = self.span(&key);
                let mut parts = key.into_inner();
                let field = self.field_path(parts.next().expect("key has a field"));
                let comparison = Comparison::from_symbol(parts.next().expect("key has a comparison").as_str())
                    .expect("the grammar gives only comparisons");
                let value = self.expr(parts.next().expect("key has a value"));
                KeyMatch {
                    field,
                    comparison,
                    value,
                    span,
                }
            })
            .collect()
    }

    fn field_path(&self, pair: Pair<'t, Rule>) -> FieldPath {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|name| self.field_name(name)).collect();
        FieldPath { segments, span }
    }

    fn field_name(&self, pair: Pair<'t, Rule>) -> String {
        let inner = pair.into_inner().next().expect("field name has a body");
        match inner.as_rule() {
            Rule::plain_string => self.plain_text(inner),
            _ => inner.as_str().to_string(),
        }
    }

    fn entity_ref(&self, pair: Pair<'t, Rule>) -> EntityRef {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let system = self.ident(inner.next().expect("entity has a system"));
        let entity = self.ident(inner.next().expect("entity has a name"));
        EntityRef { system, entity, span }
    }

    fn require_each(&self, pair: Pair<'t, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let item = self.ident(inner.next().expect("require each has a name"));
        let list = self.expr(inner.next().expect("require each has a list"));
        let entity = self.entity_ref(inner.next().expect("require each has an entity"));
        let keys = self.where_clause(inner.next().expect("require each has a where"));
        Expr {
            kind: ExprKind::RequireEach(Box::new(RequireEach {
                item,
                list,
                entity,
                keys,
            })),
            span,
        }
    }

    // ------------------------------------------------------------ record bodies

    fn record_body(&self, pair: Pair<'t, Rule>) -> RecordBody {
        let span = self.span(&pair);
        let items = self.items(pair.into_inner(), Rule::bad_body_item, Rule::lone_body_item, |item| {
            self.body_item(item)
        });
        RecordBody { items, span }
    }

    fn body_item(&self, pair: Pair<'t, Rule>) -> Option<BodyItem> {
        let span = self.span(&pair);
        Some(match pair.as_rule() {
            Rule::field => {
                let mut inner = pair.into_inner();
                let name_pair = inner.next().expect("field has a name");
                let name_span = self.span(&name_pair);
                let name = self.field_name(name_pair);
                let mut value_pair = inner.next().expect("field has a value");
                let unless_none = value_pair.as_rule() == Rule::unless_none;
                if unless_none {
                    value_pair = inner.next().expect("field has a value");
                }
                let value = self.expr(value_pair);
                BodyItem::Field(Field {
                    name,
                    name_span,
                    unless_none,
                    value,
                    span,
                })
            }
            Rule::body_if => BodyItem::If(self.body_if(pair, 0)),
            Rule::body_let => BodyItem::Let(self.binding(pair)),
            Rule::create_only => {
                let mut unless = None;
                let mut body = None;
                for part in pair.into_inner().filter(|p| !is_keyword(p)) {
                    match part.as_rule() {
                        Rule::record_body => body = Some(self.record_body(part)),
                        _ => unless = Some(self.expr(part)),
                    }
                }
                BodyItem::CreateOnly {
                    unless,
                    body: body.expect("create only has a body"),
                    span,
                }
            }
            Rule::spread => BodyItem::Spread(self.expr(last_inner(pair)), span),
            rule => unreachable!("grammar gave {rule:?} in a record body"),
        })
    }

    fn body_if(&self, pair: Pair<'t, Rule>, chain: usize) -> BodyIf {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let condition = self.expr(inner.next().expect("if has a condition"));
        let then = self.record_body(inner.next().expect("if has a body"));
        let otherwise = inner.next().and_then(|part| match part.as_rule() {
            Rule::body_if if chain >= MAX_ELSE_IF => {
                self.report(too_deep(self.span(&part), "`else if` chain"));
                None
            }
            Rule::body_if => Some(Else::If(Box::new(self.body_if(part, chain + 1)))),
            _ => Some(Else::Block(self.record_body(part))),
        });
        BodyIf {
            condition,
            then,
            otherwise,
            span,
        }
    }

    // ------------------------------------------------------------ expressions

    pub fn expr(&self, pair: Pair<'t, Rule>) -> Expr {
        let span = self.span(&pair);
        let parts: Vec<Pair<'t, Rule>> = pair.into_inner().collect();

        // Infix operators and postfix steps (`.name`, `[i]`) each add a level
        // to the tree; prefix runs are limited below.
        let operators = parts
            .iter()
            .filter(|p| is_infix(p.as_rule()) || is_postfix(p.as_rule()))
            .count();
        if operators > MAX_OPERATORS {
            return self.error_expr(
                span,
                Diagnostic::new(
                    codes::NESTING_TOO_DEEP,
                    span,
                    format!("this expression has {operators} operators and path steps; at most {MAX_OPERATORS} are allowed in one expression"),
                )
                .help("split it into several `let`s"),
            );
        }
        let mut run = 0;
        for part in &parts {
            if matches!(part.as_rule(), Rule::not | Rule::neg) {
                run += 1;
                if run > MAX_PREFIXES {
                    return self.error_expr(span, too_deep(self.span(part), "run of `not` and `-`"));
                }
            } else {
                run = 0;
            }
        }

        for pair in parts.windows(2) {
            if pair[0].as_rule() == Rule::neg
                && pair[1].as_rule() == Rule::number
                && pair[1].as_str() == SMALLEST_INT_DIGITS
            {
                self.smallest_ints.borrow_mut().push(self.span(&pair[1]).start);
            }
        }

        PRATT
            .map_primary(|primary| self.primary(primary))
            .map_prefix(|op, operand| {
                let op_span = self.span(&op);
                let op = match op.as_rule() {
                    Rule::not => UnaryOp::Not,
                    _ => UnaryOp::Neg,
                };
                let span = op_span.to(operand.span);
                if op == UnaryOp::Neg && self.is_smallest_int(&operand) {
                    return Expr {
                        kind: operand.kind,
                        span,
                    };
                }
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        op_span,
                        operand: Box::new(operand),
                    },
                    span,
                }
            })
            .map_postfix(|target, op| self.postfix(target, op))
            .map_infix(|lhs, op, rhs| {
                let op_span = self.span(&op);
                let op = match op.as_rule() {
                    Rule::or => BinaryOp::Or,
                    Rule::and => BinaryOp::And,
                    Rule::eq => BinaryOp::Eq,
                    Rule::ne => BinaryOp::Ne,
                    Rule::lt => BinaryOp::Lt,
                    Rule::le => BinaryOp::Le,
                    Rule::gt => BinaryOp::Gt,
                    Rule::ge => BinaryOp::Ge,
                    Rule::coalesce => BinaryOp::Coalesce,
                    Rule::add => BinaryOp::Add,
                    Rule::sub => BinaryOp::Sub,
                    Rule::mul => BinaryOp::Mul,
                    Rule::div => BinaryOp::Div,
                    _ => BinaryOp::Rem,
                };
                let span = lhs.span.to(rhs.span);
                Expr {
                    kind: ExprKind::Binary {
                        op,
                        op_span,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                }
            })
            .parse(parts.into_iter())
    }

    fn postfix(&self, target: Expr, op: Pair<'t, Rule>) -> Expr {
        let span = target.span.to(self.span(&op));
        let target = Box::new(target);
        let kind = match op.as_rule() {
            Rule::member => {
                let name = op.into_inner().next().expect("member has a name");
                let name = match name.as_rule() {
                    Rule::plain_string => Ident {
                        span: self.span(&name),
                        name: self.plain_text(name),
                    },
                    _ => self.ident(name),
                };
                ExprKind::Member { target, name }
            }
            Rule::descendant => {
                let name = op.into_inner().next().map(|p| self.ident(p));
                ExprKind::Descendant { target, name }
            }
            Rule::wildcard => ExprKind::Wildcard { target },
            Rule::index => ExprKind::Index {
                target,
                index: Box::new(self.expr(last_inner(op))),
            },
            _ => {
                let query = last_inner(op);
                ExprKind::Filter {
                    target,
                    query: query.as_str().to_string(),
                    query_span: self.span(&query),
                }
            }
        };
        Expr { kind, span }
    }

    fn primary(&self, pair: Pair<'t, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::none | Rule::boolean | Rule::number | Rule::date | Rule::datetime | Rule::raw_string => {
                match self.literal(pair) {
                    Some(literal) => ExprKind::Literal(literal),
                    None => ExprKind::Error,
                }
            }
            Rule::string => self.text(pair),
            Rule::record_root => ExprKind::Record,
            Rule::ident => ExprKind::Name(self.ident(pair)),
            Rule::group => {
                // The parentheses belong to the expression: a message that
                // quotes it, or points at it, shows them.
                let span = self.span(&pair);
                let mut inner = self.expr(last_inner(pair));
                inner.span = span;
                return inner;
            }
            Rule::call => ExprKind::Call(self.call(pair)),
            Rule::if_expr => return self.if_expr(pair, 0),
            Rule::match_expr => {
                let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
                let subject = Box::new(self.expr(inner.next().expect("match has a subject")));
                let arms = inner.map(|arm| self.arm(arm)).collect();
                ExprKind::Match { subject, arms }
            }
            Rule::for_expr => ExprKind::For(Box::new(self.for_expr(pair))),
            Rule::list => ExprKind::List(pair.into_inner().map(|item| self.expr(item)).collect()),
            Rule::object => ExprKind::Object(self.record_body(last_inner(pair))),
            Rule::lookup_expr => {
                let mut inner = pair.into_inner().filter(|p| !is_keyword(p)).peekable();
                let all = inner.next_if(|p| p.as_rule() == Rule::lookup_all).is_some();
                let entity = self.entity_ref(inner.next().expect("lookup has an entity"));
                let keys = self.where_clause(inner.next().expect("lookup has a where"));
                ExprKind::Lookup { entity, keys, all }
            }
            Rule::require_each => return self.require_each(pair),
            Rule::create_expr => {
                let mut entity = None;
                let mut body = None;
                for part in pair.into_inner().filter(|p| !is_keyword(p)) {
                    match part.as_rule() {
                        Rule::entity_ref => entity = Some(self.entity_ref(part)),
                        _ => body = Some(self.record_body(part)),
                    }
                }
                ExprKind::Create {
                    entity,
                    body: body.expect("create has a body"),
                }
            }
            Rule::upsert_expr | Rule::update_expr => {
                let is_upsert = pair.as_rule() == Rule::upsert_expr;
                let mut entity = None;
                let mut keys = Vec::new();
                let mut update_if = None;
                let mut body = None;
                for part in pair.into_inner().filter(|p| !is_keyword(p)) {
                    match part.as_rule() {
                        Rule::entity_ref => entity = Some(self.entity_ref(part)),
                        Rule::where_clause => keys = self.where_clause(part),
                        Rule::update_guard => update_if = Some(Box::new(self.expr(last_inner(part)))),
                        _ => body = Some(self.record_body(part)),
                    }
                }
                let body = body.expect("write has a body");
                if is_upsert {
                    ExprKind::Upsert {
                        entity,
                        keys,
                        update_if,
                        body,
                    }
                } else {
                    ExprKind::Update { entity, keys, body }
                }
            }
            rule => unreachable!("grammar gave {rule:?} as a primary"),
        };
        Expr { kind, span }
    }

    fn if_expr(&self, pair: Pair<'t, Rule>, chain: usize) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p));
        let condition = Box::new(self.expr(inner.next().expect("if has a condition")));
        let then = Box::new(self.branch(inner.next().expect("if has a branch")));
        let otherwise = inner.next().expect("if has an else");
        let otherwise = Box::new(match otherwise.as_rule() {
            Rule::if_expr if chain >= MAX_ELSE_IF => {
                let span = self.span(&otherwise);
                self.error_expr(span, too_deep(span, "`else if` chain"))
            }
            Rule::if_expr => self.if_expr(otherwise, chain + 1),
            _ => self.branch(otherwise),
        });
        Expr {
            kind: ExprKind::If {
                condition,
                then,
                otherwise,
            },
            span,
        }
    }

    fn branch(&self, pair: Pair<'t, Rule>) -> Expr {
        let span = self.span(&pair);
        let inner = last_inner(pair);
        match inner.as_rule() {
            Rule::record_body => Expr {
                kind: ExprKind::Object(self.record_body(inner)),
                span,
            },
            _ => self.expr(inner),
        }
    }

    fn for_expr(&self, pair: Pair<'t, Rule>) -> ForExpr {
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p)).peekable();
        let item = self.ident(inner.next().expect("for has a name"));
        let index = inner.next_if(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p));
        let list = self.expr(inner.next().expect("for has a list"));
        let filter = inner
            .next_if(|p| p.as_rule() == Rule::for_filter)
            .map(|filter| self.expr(last_inner(filter)));
        let body = inner.next().expect("for has a body");
        let body = match body.as_rule() {
            Rule::record_body => ForBody::Record(self.record_body(body)),
            _ => ForBody::Value(self.expr(body)),
        };
        ForExpr {
            item,
            index,
            list,
            filter,
            body,
        }
    }

    fn call(&self, pair: Pair<'t, Rule>) -> Call {
        let mut inner = pair.into_inner();
        let mut callee: Vec<Ident> = inner
            .next()
            .expect("call has a callee")
            .into_inner()
            .map(|p| self.ident(p))
            .collect();
        let name = callee.pop().expect("callee has a name");
        let module = callee.pop();
        let args = inner
            .next()
            .expect("call has arguments")
            .into_inner()
            .map(|arg| match arg.as_rule() {
                Rule::lambda => {
                    let span = self.span(&arg);
                    let mut parts: Vec<Pair<'t, Rule>> = arg.into_inner().collect();
                    let body = self.expr(parts.pop().expect("lambda has a body"));
                    let params = parts.into_iter().map(|p| self.ident(p)).collect();
                    Arg::Lambda(Lambda { params, body, span })
                }
                _ => Arg::Value(self.expr(arg)),
            })
            .collect();
        Call { module, name, args }
    }

    /// Whether `expr` is the digits of the smallest int after a `-`, read
    /// as that int already.
    fn is_smallest_int(&self, expr: &Expr) -> bool {
        matches!(expr.kind, ExprKind::Literal(Literal::Int(i64::MIN)))
            && self.smallest_ints.borrow().contains(&expr.span.start)
    }

    // ------------------------------------------------------------ literals

    fn literal(&self, pair: Pair<'t, Rule>) -> Option<Literal> {
        let span = self.span(&pair);
        let text = pair.as_str();
        match pair.as_rule() {
            Rule::none => Some(Literal::None),
            Rule::boolean => Some(Literal::Bool(text == "true")),
            Rule::raw_string => Some(Literal::Text(last_inner(pair).as_str().to_string())),
            Rule::string => match self.text(pair) {
                ExprKind::Literal(literal) => Some(literal),
                _ => {
                    self.report(
                        Diagnostic::new(codes::INVALID_LITERAL, span, "a pattern cannot contain `${...}`")
                            .help("write the text out, or use `if` to compare with a computed value"),
                    );
                    None
                }
            },
            Rule::number if text.contains('.') => match Decimal::from_str_exact(text) {
                Ok(decimal) => Some(Literal::Decimal(decimal)),
                Err(_) => {
                    self.report(
                        Diagnostic::new(codes::INVALID_LITERAL, span, format!("`{text}` does not fit a decimal"))
                            .label("too many digits")
                            .help("a decimal holds at most 28 significant digits"),
                    );
                    None
                }
            },
            Rule::number => match i64::from_str(text) {
                Ok(int) => Some(Literal::Int(int)),
                Err(_) if text == SMALLEST_INT_DIGITS && self.smallest_ints.borrow().contains(&span.start) => {
                    Some(Literal::Int(i64::MIN))
                }
                Err(_) => {
                    self.report(
                        Diagnostic::new(
                            codes::INVALID_LITERAL,
                            span,
                            format!("`{text}` is too large for an int"),
                        )
                        .label("too large")
                        .help(format!("an int lies between {} and {}", i64::MIN, i64::MAX)),
                    );
                    None
                }
            },
            Rule::date => match NaiveDate::parse_from_str(&text[1..], "%Y-%m-%d") {
                Ok(date) => Some(Literal::Date(date)),
                Err(_) => {
                    self.report(
                        Diagnostic::new(
                            codes::INVALID_LITERAL,
                            span,
                            format!("`{text}` is not a date in the calendar"),
                        )
                        .label("no such day"),
                    );
                    None
                }
            },
            Rule::datetime => self.datetime(text, span),
            rule => unreachable!("grammar gave {rule:?} as a literal"),
        }
    }

    fn datetime(&self, text: &str, span: Span) -> Option<Literal> {
        let body = &text[1..];
        let has_zone = body.ends_with('Z') || body[10..].contains('+') || body[10..].contains('-');
        if !has_zone {
            self.report(
                Diagnostic::new(codes::INVALID_LITERAL, span, format!("`{text}` has no time zone"))
                    .label("which zone?")
                    .help(format!("add `Z` for UTC or an offset: `{text}Z` or `{text}+01:00`")),
            );
            return None;
        }
        // RFC 3339 needs seconds; the language lets them be left out.
        let normalised = if body.as_bytes().get(16) != Some(&b':') {
            format!("{}:00{}", &body[..16], &body[16..])
        } else {
            body.to_string()
        };
        match DateTime::parse_from_rfc3339(&normalised) {
            Ok(datetime) => Some(Literal::DateTime(datetime)),
            Err(_) => {
                self.report(
                    Diagnostic::new(
                        codes::INVALID_LITERAL,
                        span,
                        format!("`{text}` is not a valid date-time"),
                    )
                    .label("no such moment"),
                );
                None
            }
        }
    }

    /// Text in double quotes: a literal when it has no `${...}`.
    fn text(&self, pair: Pair<'t, Rule>) -> ExprKind {
        let mut parts: Vec<TextPart> = Vec::new();
        let mut current = String::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::text_chars => current.push_str(part.as_str()),
                Rule::escape => self.unescape(&part, &mut current),
                Rule::interpolation => {
                    if !current.is_empty() {
                        parts.push(TextPart::Text(std::mem::take(&mut current)));
                    }
                    parts.push(TextPart::Expr(self.expr(last_inner(part))));
                }
                rule => unreachable!("grammar gave {rule:?} in text"),
            }
        }
        if parts.is_empty() {
            return ExprKind::Literal(Literal::Text(current));
        }
        if !current.is_empty() {
            parts.push(TextPart::Text(current));
        }
        ExprKind::Interpolated(parts)
    }

    /// Text without interpolation (names, module paths, types).
    fn plain_text(&self, pair: Pair<'t, Rule>) -> String {
        let mut text = String::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::escape => self.unescape(&part, &mut text),
                _ => text.push_str(part.as_str()),
            }
        }
        text
    }

    fn unescape(&self, escape: &Pair<'t, Rule>, out: &mut String) {
        let text = escape.as_str();
        match &text[1..2] {
            "n" => out.push('\n'),
            "t" => out.push('\t'),
            "r" => out.push('\r'),
            "u" => {
                let hex = &text[3..text.len() - 1];
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => self.report(
                        Diagnostic::new(
                            codes::INVALID_LITERAL,
                            self.span(escape),
                            format!("`{text}` is not a Unicode character"),
                        )
                        .label("no such character"),
                    ),
                }
            }
            other => out.push_str(other),
        }
    }
}

fn too_deep(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(codes::NESTING_TOO_DEEP, span, format!("this {what} is too long"))
        .label("too deep")
        .help("move the inner part into a `let` or a function")
}

fn is_keyword(pair: &Pair<'_, Rule>) -> bool {
    use Rule::*;
    matches!(
        pair.as_rule(),
        kw_and
            | kw_as
            | kw_create
            | kw_each
            | kw_else
            | kw_emit
            | kw_exists
            | kw_false
            | kw_flow
            | kw_fn
            | kw_for
            | kw_if
            | kw_import
            | kw_in
            | kw_let
            | kw_lookup
            | kw_match
            | kw_none
            | kw_not
            | kw_only
            | kw_or
            | kw_require
            | kw_setting
            | kw_skip
            | kw_source
            | kw_table
            | kw_target
            | kw_true
            | kw_unless
            | kw_update
            | kw_upsert
            | kw_when
            | kw_where
    )
}

fn is_infix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::or
            | Rule::and
            | Rule::eq
            | Rule::ne
            | Rule::lt
            | Rule::le
            | Rule::gt
            | Rule::ge
            | Rule::coalesce
            | Rule::add
            | Rule::sub
            | Rule::mul
            | Rule::div
            | Rule::rem
    )
}

fn is_postfix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::member | Rule::descendant | Rule::wildcard | Rule::index | Rule::filter_index
    )
}

fn last_inner<'t>(pair: Pair<'t, Rule>) -> Pair<'t, Rule> {
    pair.into_inner().last().expect("grammar guarantees an inner part")
}
