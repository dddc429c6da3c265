//! Checking: resolves every name of a `.flow` file and the modules it
//! imports, checks types and the shape of the flow, and reports what is wrong
//! with precise diagnostics. The result is the checked [`ir::Program`] that
//! the evaluator runs.

pub mod ir;
mod lints;
mod lower;
mod lower_expr;
pub mod modules;
mod projection;
mod schema;
mod scope;
mod types;

pub use modules::{FileLoader, Loader};

use crate::connectors::schema::Catalog;
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use ir::{FileId, Program};

/// The outcome of checking one file.
#[derive(Debug)]
pub struct Checked {
    /// The checked program; only run it when there are no errors.
    pub program: Program,
    /// Every problem found, with the file it was found in (the main file or
    /// a module it imports), in the order of the text.
    pub diagnostics: Vec<(FileId, Diagnostic)>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|(_, d)| d.is_error())
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        self.program.file(id)
    }
}

/// Checks a file against the built-in systems, loading the modules it
/// imports with `loader`.
pub fn check(file: SourceFile, loader: &dyn Loader) -> Checked {
    check_with(file, loader, Catalog::builtin())
}

/// Checks a file against the systems of `catalog`.
pub fn check_with(file: SourceFile, loader: &dyn Loader, catalog: &Catalog) -> Checked {
    let mut lowerer = lower::Lowerer::new(loader, catalog);
    lowerer.lower_main(file);
    let calls = std::mem::take(&mut lowerer.calls);
    let (mut program, mut diagnostics) = lowerer.finish();
    let (projection, reads) = projection::of_flow(&program);
    program.filters = projection::filters(&program, &projection);
    program.projection = projection;
    schema::check(&program, &reads, catalog, &mut diagnostics);
    lints::recursion(&program, &calls, &mut diagnostics);
    types::check(&program, catalog, &mut diagnostics);
    lints::fields_written_twice(&program, &mut diagnostics);
    diagnostics.sort_by_key(|(file, d)| (*file, d.primary.span.start, d.primary.span.end));
    diagnostics.dedup();
    Checked { program, diagnostics }
}
