//! Entity schemas: the fields records of each system's entities hold, which
//! of them a create requires, and which cannot be written. `flowc check`
//! checks source paths and target fields against them.
//!
//! The schemas of the built-in systems are generated from the vendors'
//! published API descriptions by `tools/generate_schemas.py` and kept in
//! `src/connectors/schemas/`.

use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

use serde::Deserialize;

use crate::value::Types;

#[derive(Debug, Deserialize)]
pub struct SystemSchema {
    pub system: String,
    pub entities: BTreeMap<String, EntitySchema>,
    /// What the system's API can look records up by: `record fields` when
    /// it filters on a record's own fields only, not on a field inside a
    /// list; none when flowc matches lookups itself.
    #[serde(default)]
    pub lookups: Option<String>,
}

impl SystemSchema {
    /// The system's name for people.
    pub fn title(&self) -> &str {
        match self.system.as_str() {
            "ccv_salespos" => "CCV SalesPOS",
            "eaccounting" => "eAccounting",
            "mpluskassa" => "MplusKASSA",
            "accountview" => "AccountView",
            "vismanet" => "Visma.net",
            other => other,
        }
    }

    /// Whether the API can filter on the field at `path` itself.
    pub fn can_filter(&self, path: &[String]) -> bool {
        match self.lookups.as_deref() {
            Some("record fields") => path.len() == 1,
            _ => true,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct EntitySchema {
    /// The field that identifies a record.
    pub id: String,
    /// The field whose increasing values let a source be read incrementally.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Records of this entity are only read (reference data).
    #[serde(default)]
    pub read_only: bool,
    pub fields: Fields,
}

pub type Fields = BTreeMap<String, FieldSchema>;

#[derive(Debug, Deserialize)]
pub struct FieldSchema {
    /// `text`, `int`, `decimal`, `bool`, `list`, `object` or `any`.
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub read_only: bool,
    /// An object whose fields the vendor does not describe.
    #[serde(default)]
    pub open: bool,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// The most decimals a number takes, where the vendor says
    /// (eAccounting: an order row's price 2, its quantity 4).
    #[serde(default)]
    pub decimals: Option<u32>,
    /// The fields of an object.
    #[serde(default)]
    pub fields: Option<Fields>,
    /// The elements of a list.
    #[serde(default)]
    pub items: Option<Box<FieldSchema>>,
    /// Written, but never read back (a field only the write form has).
    #[serde(default)]
    pub write_only: bool,
    /// Set by the system to the moment a record is created (CCV's order
    /// `create_date`): a folder or in-memory target stamps it too, so that
    /// a lookup by it finds what a run created.
    #[serde(default)]
    pub stamped: bool,
    /// The field's form in a write, where it differs from what is read:
    /// CCV reads an order's `orderrows` as a collection (a link and its
    /// items) and takes them in a create as a list of rows.
    #[serde(default)]
    pub written: Option<Box<FieldSchema>>,
    /// Written as `{"value": x}` (Visma.net's DtoValue); the connector
    /// wraps it, flows write the plain value.
    #[serde(default)]
    pub wrapped: bool,
    /// The vendor's description.
    #[serde(default)]
    pub description: Option<String>,
    /// The vendor's own type code, where a write must name it
    /// (AccountView's table definitions: `C`, `N`, `I`, `L`, `T`, ...).
    #[serde(default)]
    pub vendor_type: Option<String>,
    /// The field's place in the vendor's sequence, where the wire format
    /// is ordered (MplusKASSA's XML elements).
    #[serde(default)]
    pub position: Option<u32>,
}

impl FieldSchema {
    /// What a write of this field must be: its write form, where it has one.
    pub fn as_written(&self) -> &FieldSchema {
        self.written.as_deref().unwrap_or(self)
    }

    /// The fields below this one, where a path goes on: an object's, or its
    /// list elements' (lists are transparent in paths). `None` when they are
    /// not known (open objects, scalars).
    pub fn below(&self) -> Option<&Fields> {
        match (&self.fields, &self.items) {
            (Some(fields), _) => Some(fields),
            (None, Some(items)) => items.below(),
            _ => None,
        }
    }

    /// What a write must mind, in words: required, read only, write only,
    /// the longest text (`flowc schema` and the language server show them).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.required {
            notes.push("required".to_string());
        }
        if self.read_only {
            notes.push("read only".to_string());
        }
        if self.write_only {
            notes.push("write only".to_string());
        }
        if let Some(max) = self.max_length {
            notes.push(format!("max {max}"));
        }
        notes
    }

    /// The kinds of value a write of this field may carry, as the checker
    /// and `flowc test` hold payloads to them: dates and moments go as
    /// text; a number field takes a decimal (an int field one without a
    /// fraction, which only the value tells) and a float (warned).
    pub fn written_kinds(&self) -> Types {
        match self.kind.as_str() {
            "text" => Types::TEXT | Types::TEMPORAL,
            "int" | "decimal" => Types::NUMBER | Types::FLOAT,
            "bool" => Types::BOOL,
            "object" => Types::OBJECT,
            "list" => Types::LIST,
            _ => Types::ANY,
        }
    }

    /// Whether nothing is known below this field, so any path goes.
    pub fn is_open(&self) -> bool {
        match &self.items {
            Some(items) => items.is_open(),
            None => self.open || self.kind == "any",
        }
    }
}

/// The field that identifies records of a built-in system's entity (`id`
/// when the schema does not say).
pub fn id_field(system: &str, entity: &str) -> &'static str {
    Catalog::builtin()
        .entity(system, entity)
        .map_or("id", |schema| schema.id.as_str())
}

/// The field an incremental read of a built-in system's entity follows.
/// The schema of `entity` for a connector of `system` (called `name` in
/// messages): an error when flowc does not reach such an entity there.
pub fn reached(system: &str, name: &str, entity: &str) -> Result<&'static EntitySchema, super::ConnectorError> {
    Catalog::builtin()
        .entity(system, entity)
        .ok_or_else(|| super::ConnectorError::local(format!("flowc reaches no `{entity}` in {name}")))
}

/// Like [`reached`], for a write: reference data is read, not written.
pub fn writable(system: &str, name: &str, entity: &str) -> Result<&'static EntitySchema, super::ConnectorError> {
    let schema = reached(system, name, entity)?;
    if schema.read_only {
        return Err(super::ConnectorError::new(
            super::ErrorKind::Invalid,
            format!("{name} keeps {entity} as reference data: it is read, not written"),
        ));
    }
    Ok(schema)
}

pub fn cursor_field(system: &str, entity: &str) -> Option<&'static str> {
    Catalog::builtin()
        .entity(system, entity)
        .and_then(|schema| schema.cursor.as_deref())
}

/// The systems flowc knows, with their entities. Each system's schema is
/// read the first time something asks for it: a flow that works with two
/// systems does not pay for reading five.
#[derive(Debug)]
pub struct Catalog {
    systems: Vec<(&'static str, &'static str, OnceLock<SystemSchema>)>,
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    let sources = [
        ("ccv_salespos", include_str!("schemas/ccv_salespos.json")),
        ("eaccounting", include_str!("schemas/eaccounting.json")),
        ("mpluskassa", include_str!("schemas/mpluskassa.json")),
        ("accountview", include_str!("schemas/accountview.json")),
        ("vismanet", include_str!("schemas/vismanet.json")),
    ];
    Catalog {
        systems: sources
            .into_iter()
            .map(|(name, text)| (name, text, OnceLock::new()))
            .collect(),
    }
});

impl Catalog {
    /// The systems flowc ships connectors and schemas for.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    pub fn system(&self, name: &str) -> Option<&SystemSchema> {
        let (_, text, schema) = self.systems.iter().find(|(system, ..)| *system == name)?;
        Some(
            schema
                .get_or_init(|| serde_json::from_str(text).expect("the built-in schemas are valid (tests/schemas.rs)")),
        )
    }

    pub fn entity(&self, system: &str, entity: &str) -> Option<&EntitySchema> {
        self.system(system)?.entities.get(entity)
    }

    pub fn system_names(&self) -> impl Iterator<Item = &str> {
        self.systems.iter().map(|(name, ..)| *name)
    }
}
