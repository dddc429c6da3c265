//! Target records held in memory: what a test case says the target holds.

use std::collections::BTreeMap;

use super::{Records, matches_keys};
use crate::value::Value;

#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    entities: BTreeMap<String, Vec<Value<'static>>>,
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    pub fn insert(&mut self, entity: impl Into<String>, records: Vec<Value<'static>>) {
        self.entities.insert(entity.into(), records);
    }

    /// Adds the records of `other`, replacing those of an entity both hold.
    pub fn merge(&mut self, other: Snapshot) {
        self.entities.extend(other.entities);
    }

    /// From `{"system.entity": [records...], ...}`.
    pub fn from_value(value: &Value<'_>) -> Result<Snapshot, String> {
        let mut snapshot = Snapshot::new();
        let Some(entities) = value.as_object() else {
            return Err(
                "the target is an object of entities: {\"system.entity\": [records]}".to_string(),
            );
        };
        for (entity, records) in entities.iter() {
            let Some(records) = records.as_list() else {
                return Err(format!("the records of `{entity}` are a list"));
            };
            snapshot.insert(
                entity,
                records.iter().cloned().map(Value::into_owned).collect(),
            );
        }
        Ok(snapshot)
    }
}

impl Records for Snapshot {
    fn find(
        &self,
        entity: &str,
        keys: &[(&[String], &Value<'_>)],
    ) -> Result<Vec<Value<'static>>, String> {
        Ok(self
            .entities
            .get(entity)
            .map(|records| {
                records
                    .iter()
                    .filter(|record| matches_keys(record, keys))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
}
