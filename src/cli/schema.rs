//! `flowc schema [SYSTEM [ENTITY]]`: what flowc knows of the systems'
//! records, so that nobody has to read the schema files to write a flow.
//! Without arguments, the systems; with a system, its entities; with an
//! entity, its fields: their paths as flows write them, types, whether a
//! create requires them, whether they can be written or read, and the
//! vendor's description.

use std::io::Write;

use super::Outcome;
use crate::connectors::schema::{Catalog, FieldSchema, Fields};

pub fn run(system: Option<&str>, entity: Option<&str>, out: &mut dyn Write) -> Outcome {
    let catalog = Catalog::builtin();
    let Some(system_name) = system else {
        let _ = writeln!(out, "{:<14} {:<14} entities", "system", "name");
        for name in catalog.system_names() {
            let schema = catalog.system(name).expect("listed");
            let _ = writeln!(out, "{name:<14} {:<14} {}", schema.title(), schema.entities.len());
        }
        let _ = writeln!(out, "\n`flowc schema SYSTEM` lists a system's entities.");
        return Outcome::Success;
    };
    let Some(schema) = catalog.system(system_name) else {
        let known: Vec<&str> = catalog.system_names().collect();
        eprintln!(
            "error: flowc knows no system `{system_name}` (it knows {})",
            known.join(", ")
        );
        return Outcome::Unusable;
    };
    let Some(entity_name) = entity else {
        let _ = writeln!(out, "{} ({system_name})\n", schema.title());
        let _ = writeln!(out, "{:<24} {:<18} {:<22} fields", "entity", "id", "cursor");
        for (name, entity) in &schema.entities {
            let cursor = entity.cursor.as_deref().unwrap_or("-");
            let fields = entity.fields.len();
            let read_only = if entity.read_only { ", read only" } else { "" };
            let _ = writeln!(out, "{name:<24} {:<18} {cursor:<22} {fields}{read_only}", entity.id);
        }
        let _ = writeln!(
            out,
            "\n`flowc schema {system_name} ENTITY` lists an entity's fields; flows name it {system_name}.ENTITY."
        );
        return Outcome::Success;
    };
    let Some(entity) = schema.entities.get(entity_name) else {
        let known: Vec<&str> = schema.entities.keys().map(String::as_str).collect();
        eprintln!(
            "error: {} has no entity `{entity_name}` (it has {})",
            schema.title(),
            known.join(", ")
        );
        return Outcome::Unusable;
    };
    let _ = writeln!(
        out,
        "{system_name}.{entity_name}: identified by {}{}{}\n",
        entity.id,
        entity
            .cursor
            .as_deref()
            .map(|cursor| format!(", read incrementally by {cursor}"))
            .unwrap_or_default(),
        if entity.read_only {
            "; reference data, read only"
        } else {
            ""
        }
    );
    let mut rows = Vec::new();
    collect(&entity.fields, "", &mut rows);
    let width = rows.iter().map(|row| row.0.len()).max().unwrap_or(5).max(5);
    let _ = writeln!(out, "{:<width$}  {:<8} {:<26} description", "field", "type", "");
    for (path, kind, notes, description) in rows {
        let _ = writeln!(out, "{path:<width$}  {kind:<8} {notes:<26} {description}");
    }
    Outcome::Success
}

/// Rows of `(path, type, notes, description)` for every field, nested ones
/// as flows reach them (lists are passed through: `lines.quantity`).
fn collect(fields: &Fields, prefix: &str, rows: &mut Vec<(String, String, String, String)>) {
    for (name, field) in fields {
        let path = format!("{prefix}{name}");
        rows.push((path.clone(), kind(field), field.notes().join(", "), description(field)));
        if let Some(below) = field.below() {
            collect(below, &format!("{path}."), rows);
        }
    }
}

fn kind(field: &FieldSchema) -> String {
    match (&field.kind[..], &field.items) {
        ("list", Some(items)) => format!("[{}]", kind(items)),
        (kind, _) => kind.to_string(),
    }
}

fn description(field: &FieldSchema) -> String {
    let text = field.description.as_deref().unwrap_or("");
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 100 {
        format!("{}...", line.chars().take(97).collect::<String>())
    } else {
        line
    }
}
