//! The default mappings the project ships (`mappings/<source>--<target>/`),
//! as documentation: which flows each direction has, and where each flow
//! does each item of the feature checklist the domain judges mappings by
//! (`docs/mappings.md`, kept current by `tests/docs.rs`).

pub mod docs;
