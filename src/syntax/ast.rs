//! The syntax tree of a `.flow` file. Every node carries the span of the text
//! it came from; nothing here knows what a name means or whether types fit.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::source::Span;
pub use crate::value::Comparison;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed file: a library module or a file holding a flow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Import(Import),
    Setting(Setting),
    Table(Table),
    Function(Function),
    Flow(Flow),
}

/// `import "std/address" as address`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: String,
    pub path_span: Span,
    pub alias: Ident,
    pub span: Span,
}

/// `setting only_paid: bool = true`
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A written type: `text`, `decimal?`, `"order" | "invoice"`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub alternatives: Vec<TypeAtom>,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeAtom {
    Named(TypeName, Span),
    /// A literal text value, for settings that take one of a few words.
    Word(String, Span),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeName {
    Text,
    Int,
    Decimal,
    Float,
    Bool,
    Date,
    DateTime,
    List,
    Object,
    Any,
}

/// `table payment_terms { "ideal" => "0d"  _ => "14d" }`
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: Ident,
    pub arms: Vec<Arm>,
    pub span: Span,
}

/// `"a" | "b" => value` in a table or a match.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub patterns: Vec<Pattern>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `_`: anything else.
    Wildcard(Span),
    Literal(Literal, Span),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(span) | Pattern::Literal(_, span) => *span,
        }
    }
}

/// `fn full_name(a) = a.first_name + " " + a.last_name`
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: Ident,
    pub params: Vec<Param>,
    pub returns: Option<TypeExpr>,
    /// `let`s of a block body, in order.
    pub lets: Vec<Binding>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

/// `let name = value`, wherever it appears.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `flow orders { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub name: Ident,
    pub statements: Vec<Statement>,
    pub span: Span,
}

/// `system.entity`, e.g. `eaccounting.customers`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityRef {
    pub system: Ident,
    pub entity: Ident,
    pub span: Span,
}

impl std::fmt::Display for EntityRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.system.name, self.entity.name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Source(EntityRef, Span),
    Target(Vec<EntityRef>, Span),
    Setting(Setting),
    Table(Table),
    Function(Function),
    /// `when cond`: records for which it is false are filtered out.
    When(Expr, Span),
    Let(Binding),
    /// `skip if exists entity where ...` or `skip if cond`.
    Skip(SkipRule, Span),
    /// `require cond else "message"`.
    RequireThat {
        condition: Expr,
        message: Expr,
        span: Span,
    },
    /// `require each ...` used as a statement.
    RequireEach(Expr),
    If(IfStatement),
    /// `for each item in list { ... }`: the statements once per element.
    ForEach(ForEach),
    Emit(RecordBody, Span),
    /// `create`, `upsert` or `update` used as a statement.
    Write(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SkipRule {
    Exists { entity: EntityRef, keys: Vec<KeyMatch> },
    If(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfStatement {
    pub condition: Expr,
    pub then: Vec<Statement>,
    pub otherwise: Option<Else<Vec<Statement>, IfStatement>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForEach {
    pub item: Ident,
    pub list: Expr,
    pub body: Vec<Statement>,
    pub span: Span,
}

/// The `else` of an `if`: a block, or another `if`.
#[derive(Clone, Debug, PartialEq)]
pub enum Else<Block, If> {
    Block(Block),
    If(Box<If>),
}

/// `Field == value` (or `Field >= value`) in a `where` clause; the field
/// belongs to the looked-up entity.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyMatch {
    pub field: FieldPath,
    pub comparison: Comparison,
    pub value: Expr,
    pub span: Span,
}

/// `Field` or `Address.City`: a field of a target record.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldPath {
    pub segments: Vec<String>,
    pub span: Span,
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.segments.join("."))
    }
}

/// `{ Name = ...  if c { ... }  create only { ... } }`: the fields of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordBody {
    pub items: Vec<BodyItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BodyItem {
    Field(Field),
    If(BodyIf),
    Let(Binding),
    /// Fields written when the record is created, and on update only when the
    /// `unless` switch is on.
    CreateOnly {
        unless: Option<Expr>,
        body: RecordBody,
        span: Span,
    },
    /// `...expr`: every field of an object.
    Spread(Expr, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub name_span: Span,
    /// `Name ?= value`: left out when the value is none.
    pub unless_none: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BodyIf {
    pub condition: Expr,
    pub then: RecordBody,
    pub otherwise: Option<Else<RecordBody, BodyIf>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// Text with `${...}` parts.
    Interpolated(Vec<TextPart>),
    /// `$`: the source record.
    Record,
    Name(Ident),
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `xs[*]`: every element; following members apply to each.
    Wildcard {
        target: Box<Expr>,
    },
    /// `$..name`: every `name` at any depth.
    Descendant {
        target: Box<Expr>,
        name: Option<Ident>,
    },
    /// `xs[?@.qty > 1]`: a JSONPath filter, kept as written.
    Filter {
        target: Box<Expr>,
        query: String,
        query_span: Span,
    },
    Call(Call),
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Match {
        subject: Box<Expr>,
        arms: Vec<Arm>,
    },
    For(Box<ForExpr>),
    List(Vec<Expr>),
    Object(RecordBody),
    /// `lookup entity where ...`: the first matching record, or none;
    /// `lookup all entity where ...`: every one, as a list.
    Lookup {
        entity: EntityRef,
        keys: Vec<KeyMatch>,
        all: bool,
    },
    /// `require each x in xs exists in entity where ...`: the found records.
    RequireEach(Box<RequireEach>),
    Create {
        entity: Option<EntityRef>,
        body: RecordBody,
    },
    Upsert {
        entity: Option<EntityRef>,
        keys: Vec<KeyMatch>,
        update_if: Option<Box<Expr>>,
        body: RecordBody,
    },
    Update {
        entity: Option<EntityRef>,
        keys: Vec<KeyMatch>,
        body: RecordBody,
    },
    /// Stands for an expression that could not be built; a diagnostic was reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    Text(String),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `address` in `address.split_street(...)`.
    pub module: Option<Ident>,
    pub name: Ident,
    pub args: Vec<Arg>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Value(Expr),
    /// `x => expr` or `(a, b) => expr`, for list functions.
    Lambda(Lambda),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Value(expr) => expr.span,
            Arg::Lambda(lambda) => lambda.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub params: Vec<Ident>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub item: Ident,
    pub index: Option<Ident>,
    pub list: Expr,
    pub filter: Option<Expr>,
    pub body: ForBody,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ForBody {
    Record(RecordBody),
    Value(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RequireEach {
    pub item: Ident,
    pub list: Expr,
    pub entity: EntityRef,
    pub keys: Vec<KeyMatch>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    /// The operation in words, for messages: "cannot add text and a decimal".
    pub fn verb(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "subtract",
            BinaryOp::Mul => "multiply",
            BinaryOp::Div => "divide",
            BinaryOp::Rem => "take the remainder of",
            _ => "compare",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    Text(String),
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
}
