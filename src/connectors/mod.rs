//! Connectors: how flowc reads and writes the systems it integrates.
//!
//! Every system exposes its records as raw JSON per entity. [`schema`] says
//! what those records hold; the connectors themselves read and write them.

pub mod schema;
