//! Names in scope while lowering: what each name means, where it was
//! defined, and whether anything used it (for the unused-name warnings).

use crate::diagnostics::{Code, codes};
use crate::source::Span;
use crate::value::Types;

use super::ir::{FunctionId, SettingId, Slot, TableId};

#[derive(Clone, Debug)]
pub enum Binding {
    Local(Slot),
    Setting(SettingId),
    Function(FunctionId),
    Table(TableId),
    /// An imported module, by its index in the lowerer's module list.
    Module(usize),
}

impl Binding {
    /// How the name is described in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Binding::Local(_) => "a variable",
            Binding::Setting(_) => "a setting",
            Binding::Function(_) => "a function",
            Binding::Table(_) => "a table",
            Binding::Module(_) => "a module",
        }
    }

    /// The warning for defining this kind of name and never using it.
    pub fn unused_code(&self) -> Code {
        match self {
            Binding::Local(_) => codes::UNUSED_LET,
            Binding::Setting(_) => codes::UNUSED_SETTING,
            Binding::Function(_) => codes::UNUSED_FUNCTION,
            Binding::Table(_) => codes::UNUSED_TABLE,
            Binding::Module(_) => codes::UNUSED_IMPORT,
        }
    }
}

#[derive(Debug)]
pub struct Entry {
    pub name: String,
    pub binding: Binding,
    pub span: Span,
    pub used: bool,
    /// Whether never using it deserves a warning (not for parameters, loop
    /// variables, or the functions of a library module).
    pub lint_unused: bool,
    /// What the checker knows of a local's type.
    pub types: Types,
}

#[derive(Debug, Default)]
pub struct Scope {
    pub entries: Vec<Entry>,
}

impl Scope {
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|entry| entry.name == name)
    }
}
