//! flowc: a declarative mapping language for business-system integrations.
//!
//! Data goes one way through the crate: text is parsed by [`syntax`], checked
//! by [`check`], compiled and evaluated per record by [`eval`] on [`value`]s,
//! giving a [`plan`] per record that [`runtime`] carries out through
//! [`connectors`]. [`diagnostics`] and [`source`] serve every stage.

pub mod check;
pub mod cli;
pub mod connectors;
pub mod diagnostics;
pub mod eval;
pub mod format;
pub mod lsp;
pub mod mappings;
pub mod plan;
pub mod runtime;
pub mod sandbox;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod value;
