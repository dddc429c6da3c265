//! The checked program: the syntax tree with every name resolved.
//!
//! Locals are numbered slots in a frame, settings, functions and tables are
//! indexes into the program's tables, native calls point at their registry
//! entry with their constant arguments prepared, and JSONPath filters are
//! compiled. The evaluator runs this directly; nothing is looked up by name
//! per record.

use std::sync::Arc;

use jsonpath_rust::parser::model::JpQuery;

use crate::source::{SourceFile, Span};
use crate::stdlib::{self, Prepared};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{Comparison, Types, Value};

/// A loaded file, by position in [`Program::files`]; the main file is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SettingId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FunctionId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableId(pub u32);

/// A local variable: its place in the frame of the flow or function it is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot(pub u32);

#[derive(Debug, Default)]
pub struct Program {
    /// Every file the program was loaded from; the first is the main file.
    pub files: Vec<SourceFile>,
    pub settings: Vec<Setting>,
    pub functions: Vec<Function>,
    pub tables: Vec<Table>,
    pub flow: Option<Flow>,
    /// The parts of a source record the flow reads (the rest need not be
    /// read at all).
    pub projection: crate::value::json::Projection,
    /// When the flow starts with `when` filters that only read fields of
    /// the record: a record they turn away need not be read any further.
    pub filters: Option<Filters>,
}

/// The `when` filters a flow starts with, asked while a record is read
/// (see [`crate::eval::Evaluator::read`]).
#[derive(Debug)]
pub struct Filters {
    /// The top-level fields of the record they read.
    pub gate: crate::value::json::Gate,
    /// How many statements they are.
    pub count: usize,
    /// The slots of the flow's frame they use (`for` variables, lambda
    /// parameters): the frame they are evaluated in needs no more.
    pub frame_size: u32,
    /// When every filter compares a field of the record with a constant
    /// (`$.status == "paid"`): those comparisons, one per filter, asked
    /// straight on the fields read without evaluating anything.
    pub comparisons: Option<Vec<FieldComparison>>,
}

/// `$.name == value` (or `!=`, with `equal` false) as a filter.
#[derive(Debug)]
pub struct FieldComparison {
    pub name: String,
    pub value: Value<'static>,
    pub equal: bool,
}

impl Program {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn setting(&self, id: SettingId) -> &Setting {
        &self.settings[id.0 as usize]
    }

    pub fn function(&self, id: FunctionId) -> &Function {
        &self.functions[id.0 as usize]
    }

    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0 as usize]
    }

    pub fn setting_named(&self, name: &str) -> Option<(SettingId, &Setting)> {
        self.settings
            .iter()
            .enumerate()
            .find(|(_, setting)| setting.name == name)
            .map(|(index, setting)| (SettingId(index as u32), setting))
    }
}

/// What a setting may hold.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingType {
    /// The kinds it may have.
    pub types: Types,
    /// For a word type (`"order" | "invoice"`), the words.
    pub words: Option<Vec<String>>,
}

#[derive(Debug)]
pub struct Setting {
    pub name: String,
    pub ty: SettingType,
    /// `None` for a setting that must be given when the flow runs.
    pub default: Option<Value<'static>>,
    pub span: Span,
    pub file: FileId,
}

#[derive(Debug)]
pub struct Function {
    pub name: String,
    /// The module alias it is reached through from the main file, if any.
    pub module: Option<String>,
    pub params: Vec<Param>,
    pub returns: Option<Types>,
    /// Slots the frame needs: parameters first, then every local inside.
    pub frame_size: u32,
    pub lets: Vec<(Slot, Expr)>,
    pub body: Expr,
    pub span: Span,
    pub file: FileId,
}

#[derive(Debug)]
pub struct Param {
    pub name: String,
    pub types: Types,
    pub span: Span,
}

#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub arms: Vec<Arm>,
    pub default: Option<Expr>,
    /// Table values are computed in a frame of their own (they may call
    /// functions with `for` or lambdas inside).
    pub frame_size: u32,
    pub span: Span,
    pub file: FileId,
}

/// One arm: the values it matches and what it gives.
#[derive(Debug)]
pub struct Arm {
    pub patterns: Vec<Value<'static>>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub struct Flow {
    pub name: String,
    pub source: Option<EntityName>,
    pub targets: Vec<EntityName>,
    pub statements: Vec<Statement>,
    pub frame_size: u32,
    pub span: Span,
}

impl Flow {
    /// The one system the flow writes to, when all its targets are in one.
    pub fn target_system(&self) -> Option<&str> {
        let first = self.targets.first()?;
        let one = self.targets.iter().all(|target| target.system == first.system);
        one.then_some(first.system.as_str())
    }

    /// `system.entity` of each entity the flow writes: its targets, and
    /// every entity a create, upsert or update of it names.
    pub fn written(&self) -> std::collections::HashSet<String> {
        let mut written: std::collections::HashSet<String> = self.targets.iter().map(ToString::to_string).collect();
        walk_statements(&self.statements, &mut |expr| {
            if let ExprKind::Write(write) = &expr.kind {
                written.insert(write.entity.to_string());
            }
        });
        written
    }
}

/// `system.entity`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntityName {
    pub system: String,
    pub entity: String,
    pub span: Span,
}

impl std::fmt::Display for EntityName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.system, self.entity)
    }
}

#[derive(Debug)]
pub enum Statement {
    /// Records for which this is false are filtered out; the text is the
    /// condition as written, to say why.
    When(Expr, String),
    Let(Slot, Expr),
    SkipIfExists {
        entity: EntityName,
        keys: Vec<KeyMatch>,
        span: Span,
    },
    /// Skipped when this holds; with the condition as written.
    SkipIf(Expr, String),
    RequireThat {
        condition: Expr,
        message: Expr,
        span: Span,
    },
    If {
        condition: Expr,
        then: Vec<Statement>,
        otherwise: Vec<Statement>,
    },
    /// The statements once per element of the list, with the element in
    /// `item`.
    ForEach {
        item: Slot,
        list: Expr,
        body: Vec<Statement>,
    },
    Emit(Record),
    /// An expression evaluated for its effect: a write, or `require each`.
    Effect(Expr),
}

/// `Field == value` (or `Field >= value`) of a lookup.
#[derive(Debug)]
pub struct KeyMatch {
    pub field: Vec<String>,
    pub comparison: Comparison,
    /// Where the field is named (`Rows.Text`).
    pub field_span: Span,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum ExprKind {
    Constant(Value<'static>),
    /// `$`.
    Record,
    Local(Slot),
    Setting(SettingId),
    /// `.name`; with `over_each`, of every element of a projected list.
    /// `hint` remembers where in an object the name was found last time.
    Field {
        target: Box<Expr>,
        name: Arc<str>,
        over_each: bool,
        hint: std::sync::atomic::AtomicU32,
    },
    /// `[index]`: of a list by position, of an object by field name.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        over_each: bool,
    },
    /// `xs[*]`: the list itself; members after it apply to each element.
    Each(Box<Expr>),
    /// A second `[*]` in a projection: the elements' lists joined.
    Flatten(Box<Expr>),
    /// A JSONPath query on a value: `[?...]` filters and `..` descendants.
    Query {
        target: Box<Expr>,
        query: Box<JpQuery>,
        text: String,
    },
    Native {
        function: &'static stdlib::Function,
        args: Vec<Arg>,
        prepared: Prepared,
    },
    Call {
        function: FunctionId,
        args: Vec<Expr>,
    },
    TableLookup {
        table: TableId,
        key: Box<Expr>,
    },
    Exists(Box<Expr>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Interpolate(Vec<TextPart>),
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Match {
        subject: Box<Expr>,
        arms: Vec<Arm>,
        default: Option<Box<Expr>>,
    },
    For(Box<For>),
    List(Vec<Expr>),
    Object(Record),
    /// The first matching record or none; with `all`, every one as a list.
    Lookup {
        entity: EntityName,
        keys: Vec<KeyMatch>,
        all: bool,
    },
    RequireEach(Box<RequireEach>),
    Write(Box<Write>),
    /// Stands where something could not be resolved; a diagnostic was reported.
    Invalid,
}

#[derive(Debug)]
pub enum Arg {
    Value(Expr),
    Lambda { params: Vec<Slot>, body: Expr, span: Span },
}

#[derive(Debug)]
pub enum TextPart {
    Text(String),
    Expr(Expr),
}

#[derive(Debug)]
pub struct For {
    pub item: Slot,
    pub index: Option<Slot>,
    pub list: Expr,
    pub filter: Option<Expr>,
    pub body: ForBody,
}

#[derive(Debug)]
pub enum ForBody {
    Record(Record),
    Value(Expr),
}

#[derive(Debug)]
pub struct RequireEach {
    pub item: Slot,
    pub list: Expr,
    pub entity: EntityName,
    pub keys: Vec<KeyMatch>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Upsert,
    Update,
}

#[derive(Debug)]
pub struct Write {
    pub kind: WriteKind,
    pub entity: EntityName,
    /// Whether it writes the flow's target (rather than a helper entity).
    pub is_main: bool,
    pub keys: Vec<KeyMatch>,
    pub update_if: Option<Expr>,
    pub body: Record,
}

/// The fields of a record being built.
#[derive(Debug, Default)]
pub struct Record {
    pub items: Vec<RecordItem>,
    pub span: Span,
    /// Whether a `...` spread may bring in a field of the same name as
    /// another: then fields replace, else they are appended (the checker
    /// has made sure no field is written twice).
    pub has_spread: bool,
}

impl Record {
    pub fn new(items: Vec<RecordItem>, span: Span) -> Record {
        let has_spread = items.iter().any(|item| match item {
            RecordItem::Spread(_) => true,
            RecordItem::If { then, otherwise, .. } => then.has_spread || otherwise.has_spread,
            RecordItem::CreateOnly { body, .. } => body.has_spread,
            _ => false,
        });
        Record {
            items,
            span,
            has_spread,
        }
    }
}

#[derive(Debug)]
pub enum RecordItem {
    Field {
        name: Arc<str>,
        /// The name as a key of JSON output: quoted, escaped, with its colon.
        json_key: Box<str>,
        value: Expr,
        name_span: Span,
        /// `Name ?= value`: left out when the value is none.
        unless_none: bool,
    },
    If {
        condition: Expr,
        then: Record,
        otherwise: Record,
    },
    Let(Slot, Expr),
    CreateOnly {
        unless: Option<Expr>,
        body: Record,
        span: Span,
    },
    Spread(Expr),
}

/// Calls `visit` on every expression of `statements`, outer before inner.
pub fn walk_statements<'p>(statements: &'p [Statement], visit: &mut impl FnMut(&'p Expr)) {
    for statement in statements {
        match statement {
            Statement::When(expr, _)
            | Statement::SkipIf(expr, _)
            | Statement::Let(_, expr)
            | Statement::Effect(expr) => walk_expr(expr, visit),
            Statement::SkipIfExists { keys, .. } => keys.iter().for_each(|key| walk_expr(&key.value, visit)),
            Statement::RequireThat { condition, message, .. } => {
                walk_expr(condition, visit);
                walk_expr(message, visit);
            }
            Statement::If {
                condition,
                then,
                otherwise,
            } => {
                walk_expr(condition, visit);
                walk_statements(then, visit);
                walk_statements(otherwise, visit);
            }
            Statement::ForEach { list, body, .. } => {
                walk_expr(list, visit);
                walk_statements(body, visit);
            }
            Statement::Emit(record) => walk_record(record, visit),
        }
    }
}

/// Calls `visit` on every expression of a record body.
pub fn walk_record<'p>(record: &'p Record, visit: &mut impl FnMut(&'p Expr)) {
    for item in &record.items {
        match item {
            RecordItem::Field { value, .. } | RecordItem::Let(_, value) | RecordItem::Spread(value) => {
                walk_expr(value, visit)
            }
            RecordItem::If {
                condition,
                then,
                otherwise,
            } => {
                walk_expr(condition, visit);
                walk_record(then, visit);
                walk_record(otherwise, visit);
            }
            RecordItem::CreateOnly { unless, body, .. } => {
                if let Some(unless) = unless {
                    walk_expr(unless, visit);
                }
                walk_record(body, visit);
            }
        }
    }
}

/// Calls `visit` on `expr` and every expression inside it, outer first.
pub fn walk_expr<'p>(expr: &'p Expr, visit: &mut impl FnMut(&'p Expr)) {
    visit(expr);
    match &expr.kind {
        ExprKind::Constant(_) | ExprKind::Record | ExprKind::Local(_) | ExprKind::Setting(_) | ExprKind::Invalid => {}
        ExprKind::Field { target, .. }
        | ExprKind::Each(target)
        | ExprKind::Flatten(target)
        | ExprKind::Query { target, .. }
        | ExprKind::Exists(target)
        | ExprKind::Unary { operand: target, .. } => walk_expr(target, visit),
        ExprKind::Index { target, index, .. } => {
            walk_expr(target, visit);
            walk_expr(index, visit);
        }
        ExprKind::Native { args, .. } => {
            for arg in args {
                match arg {
                    Arg::Value(value) => walk_expr(value, visit),
                    Arg::Lambda { body, .. } => walk_expr(body, visit),
                }
            }
        }
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().for_each(|arg| walk_expr(arg, visit)),
        ExprKind::TableLookup { key, .. } => walk_expr(key, visit),
        ExprKind::Binary { lhs, rhs, .. } => {
            walk_expr(lhs, visit);
            walk_expr(rhs, visit);
        }
        ExprKind::Interpolate(parts) => {
            for part in parts {
                if let TextPart::Expr(part) = part {
                    walk_expr(part, visit);
                }
            }
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            walk_expr(condition, visit);
            walk_expr(then, visit);
            walk_expr(otherwise, visit);
        }
        ExprKind::Match { subject, arms, default } => {
            walk_expr(subject, visit);
            arms.iter().for_each(|arm| walk_expr(&arm.value, visit));
            if let Some(default) = default {
                walk_expr(default, visit);
            }
        }
        ExprKind::For(for_expr) => {
            walk_expr(&for_expr.list, visit);
            if let Some(filter) = &for_expr.filter {
                walk_expr(filter, visit);
            }
            match &for_expr.body {
                ForBody::Record(record) => walk_record(record, visit),
                ForBody::Value(value) => walk_expr(value, visit),
            }
        }
        ExprKind::Object(record) => walk_record(record, visit),
        ExprKind::Lookup { keys, .. } => keys.iter().for_each(|key| walk_expr(&key.value, visit)),
        ExprKind::RequireEach(require) => {
            walk_expr(&require.list, visit);
            require.keys.iter().for_each(|key| walk_expr(&key.value, visit));
        }
        ExprKind::Write(write) => {
            write.keys.iter().for_each(|key| walk_expr(&key.value, visit));
            if let Some(update_if) = &write.update_if {
                walk_expr(update_if, visit);
            }
            walk_record(&write.body, visit);
        }
    }
}
