//! The standard library: every native function in one registry.
//!
//! Each [`Function`] holds its signature (parameter and result types), whether
//! it can fail on a well-typed input, its documentation with examples, and its
//! implementation. The checker reads the signatures; the evaluator calls the
//! implementations; `docs/stdlib.md` is generated from the same table, and
//! every example runs as a test (`tests/stdlib.rs`).
//!
//! Helpers that are best written in the language itself live as `.flow`
//! modules in the top-level `stdlib/` folder and are loaded with
//! `import "std/<name>"`; [`module_source`] serves them.

mod address;
mod args;
mod convert;
mod country;
mod date;
pub mod docs;
mod list;
mod number;
mod object;
mod text;

pub use args::{Args, Context, clip};

use crate::diagnostics::RecordError;
use crate::value::{Types, Value};

/// A native implementation.
pub type Native = for<'c, 'a> fn(&mut Args<'c, 'a>) -> Result<Value<'a>, RecordError>;

/// Prepares constant arguments once, when a flow is loaded (a regular
/// expression is compiled, a time zone looked up). Given each argument's value
/// when it is a constant, it returns what the implementation needs, or the
/// index of a bad argument and why it is bad.
pub type Prepare = fn(&[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)>;

/// What [`Prepare`] made of constant arguments.
#[derive(Debug, Default)]
pub enum Prepared {
    #[default]
    Nothing,
    Regex(regex::Regex),
    Zone(chrono_tz::Tz),
    Rounding(rust_decimal::RoundingStrategy),
    Language(country::Language),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    Value(Types),
    /// A function argument (`x => ...`) taking this many parameters.
    Lambda(usize),
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

/// What a call returns, as far as the checker can tell.
#[derive(Clone, Copy, Debug)]
pub enum Returns {
    Types(Types),
    /// The same kinds as this argument.
    SameAs(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Text,
    Numbers,
    Dates,
    Lists,
    Objects,
    Types,
    Domain,
}

impl Category {
    pub fn title(self) -> &'static str {
        match self {
            Category::Text => "Text",
            Category::Numbers => "Numbers",
            Category::Dates => "Dates and times",
            Category::Lists => "Lists",
            Category::Objects => "Objects",
            Category::Types => "Types and conversions",
            Category::Domain => "Integration helpers",
        }
    }
}

/// A call and what it gives, both as `.flow` text; the result is written as
/// JSON, or as `error E1006` for a call that fails.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub call: &'static str,
    pub result: &'static str,
}

/// Functions the compiler treats specially because they do not evaluate
/// their argument the ordinary way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `exists(path)`: true when the path can be read, without failing when not.
    Exists,
}

#[derive(Clone, Copy, Debug)]
pub struct Function {
    pub name: &'static str,
    pub category: Category,
    pub params: &'static [Param],
    /// Further arguments of this type may follow the parameters.
    pub variadic: Option<Types>,
    pub returns: Returns,
    /// Whether it can fail on arguments of the types it accepts.
    pub fallible: bool,
    pub doc: &'static str,
    pub examples: &'static [Example],
    pub native: Native,
    pub prepare: Option<Prepare>,
    pub special: Option<Special>,
}

impl Function {
    pub fn min_args(&self) -> usize {
        self.params.iter().filter(|p| p.required).count()
    }

    pub fn max_args(&self) -> Option<usize> {
        self.variadic.is_none().then_some(self.params.len())
    }

    /// The type of the argument at `index`.
    pub fn param_type(&self, index: usize) -> Option<ParamType> {
        match self.params.get(index) {
            Some(param) => Some(param.ty),
            None => self.variadic.map(ParamType::Value),
        }
    }

    /// `round(number: int or decimal, places?: int, mode?: text) -> int or decimal`
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|param| {
                let optional = if param.required { "" } else { "?" };
                let ty = match param.ty {
                    ParamType::Value(types) => types.to_string(),
                    ParamType::Lambda(1) => "x => ...".to_string(),
                    ParamType::Lambda(n) => format!("({}) => ...", vec!["_"; n].join(", ")),
                };
                format!("{}{optional}: {ty}", param.name)
            })
            .chain(self.variadic.map(|types| format!("...: {types}")))
            .collect();
        let returns = match self.returns {
            Returns::Types(types) => types.to_string(),
            Returns::SameAs(index) => format!("same as {}", self.params[index].name),
        };
        format!("{}({}) -> {returns}", self.name, params.join(", "))
    }
}

/// Builds a [`Param`]; `?` after the name marks it optional.
macro_rules! params {
    ($($name:literal : $ty:expr),* $(,)?) => {
        &[$($crate::stdlib::param($name, $ty)),*]
    };
}
pub(crate) use params;

pub(crate) const fn param(name: &'static str, ty: ParamType) -> Param {
    let bytes = name.as_bytes();
    let optional = bytes[bytes.len() - 1] == b'?';
    let name = if optional {
        // const-friendly trim of the final `?`
        match name.split_at_checked(bytes.len() - 1) {
            Some((head, _)) => head,
            None => name,
        }
    } else {
        name
    };
    Param {
        name,
        ty,
        required: !optional,
    }
}

pub(crate) const fn v(types: Types) -> ParamType {
    ParamType::Value(types)
}

pub(crate) const fn lambda(arity: usize) -> ParamType {
    ParamType::Lambda(arity)
}

/// Every native function, grouped by category.
pub fn all() -> impl Iterator<Item = &'static Function> {
    [
        text::FUNCTIONS,
        number::FUNCTIONS,
        date::FUNCTIONS,
        list::FUNCTIONS,
        object::FUNCTIONS,
        convert::FUNCTIONS,
        address::FUNCTIONS,
        country::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
}

/// The native function of this name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    all().find(|function| function.name == name)
}

/// The `.flow` library modules shipped with flowc, by import path.
const MODULES: &[(&str, &str)] = &[
    ("std/address", include_str!("../../stdlib/address.flow")),
    ("std/email", include_str!("../../stdlib/email.flow")),
    ("std/money", include_str!("../../stdlib/money.flow")),
    ("std/tax", include_str!("../../stdlib/tax.flow")),
];

/// The text of a shipped `.flow` module, e.g. `std/address`.
pub fn module_source(path: &str) -> Option<&'static str> {
    MODULES.iter().find(|(name, _)| *name == path).map(|(_, text)| *text)
}

/// The import paths of the shipped modules.
pub fn module_paths() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(name, _)| *name)
}
