//! Records held in memory: [`Store`], the records of one system's entities
//! with what listing, finding and writing them means; and
//! [`MemoryConnector`], a store as a connector, for `flowc test`. The store
//! is also the working copy behind [`super::DirConnector`].

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::index::Index;
use super::{Connector, ConnectorError, ErrorKind, Key, Keys, Page, PageRequest};
use crate::value::{Object, Value};

/// The records of one system, per entity.
#[derive(Debug, Default)]
pub struct Store {
    system: String,
    entities: BTreeMap<String, Vec<Value<'static>>>,
    /// How many records this store has created, for ids.
    created: u64,
    /// Per entity and field path, the records by value: built when first
    /// looked up by, kept up to date by every write.
    indexes: HashMap<(String, Vec<String>), Index>,
    /// Per entity, the largest whole-number id (for new ids).
    largest_id: HashMap<String, Option<i64>>,
}

impl Store {
    pub fn new(system: impl Into<String>) -> Store {
        Store {
            system: system.into(),
            ..Store::default()
        }
    }

    pub fn system(&self) -> &str {
        &self.system
    }

    pub fn insert(&mut self, entity: impl Into<String>, records: Vec<Value<'static>>) {
        let entity = entity.into();
        self.indexes.retain(|(indexed, _), _| *indexed != entity);
        self.largest_id.remove(&entity);
        self.entities.insert(entity, records);
    }

    /// The index of `entity` at `path`, built when first asked for.
    fn index(&mut self, entity: &str, path: &[String]) -> &Index {
        let records = self.entities.get(entity).map_or(&[][..], Vec::as_slice);
        self.indexes
            .entry((entity.to_string(), path.to_vec()))
            .or_insert_with(|| Index::build(records, path))
    }

    /// Keeps the indexes of `entity` up to date with a record put at `at`
    /// (`old`: what was there before).
    fn reindex(&mut self, entity: &str, at: usize, old: Option<&Value<'static>>) {
        let Some(record) = self.entities.get(entity).and_then(|records| records.get(at)) else {
            return;
        };
        for ((indexed, path), index) in &mut self.indexes {
            if indexed == entity {
                if let Some(old) = old {
                    index.remove(at, old, path);
                }
                index.add(at, record, path);
            }
        }
    }

    /// The records of an entity (none when it has none).
    pub fn records(&self, entity: &str) -> &[Value<'static>] {
        self.entities.get(entity).map_or(&[], Vec::as_slice)
    }

    pub fn has_entity(&self, entity: &str) -> bool {
        self.entities.contains_key(entity)
    }

    fn position(&mut self, entity: &str, id: &Value<'_>) -> Option<usize> {
        let field = vec![self.id_field(entity).to_string()];
        let candidates = self.index(entity, &field).positions(id).map(<[usize]>::to_vec);
        let records = self.records(entity);
        match candidates {
            Some(candidates) => candidates
                .into_iter()
                .filter(|at| records[*at].get(&field[0]) == Some(id))
                .min(),
            None => records.iter().position(|record| record.get(&field[0]) == Some(id)),
        }
    }

    /// A new id for a record of `entity`, in the form the entity's ids take:
    /// the next number after the largest for numeric ids, else a random
    /// UUID (as eAccounting gives).
    fn new_id(&mut self, entity: &str) -> Value<'static> {
        self.created += 1;
        let field = self.id_field(entity).to_string();
        let largest = match self.largest_id.get(entity) {
            Some(largest) => *largest,
            None => {
                // Whole numbers only: one id of another kind makes ids UUIDs.
                let records = self.records(entity);
                let numeric = records
                    .iter()
                    .filter_map(|r| r.get(&field))
                    .all(|id| matches!(id, Value::Int(_)));
                let largest = numeric.then(|| {
                    records
                        .iter()
                        .filter_map(|r| match r.get(&field) {
                            Some(Value::Int(id)) => Some(*id),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0)
                });
                self.largest_id.insert(entity.to_string(), largest);
                largest
            }
        };
        match largest {
            Some(largest) if field == "id" => Value::Int(largest + 1),
            _ => Value::from(uuid()),
        }
    }

    pub fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let cursor = self.cursor_field(entity).map(String::from);
        if let (Some(after), Some(field)) = (request.after, &cursor)
            && let Some(value) = self
                .records(entity)
                .iter()
                .filter_map(|record| record.get(field))
                .find(|value| !value.is_null() && value.compare(after).is_none())
        {
            return Err(ConnectorError::local(format!(
                "the cursor {after} is {}, but `{field}` of {entity} holds {} values ({value}); they cannot be compared",
                after.kind(),
                value.kind()
            )));
        }
        let after = |record: &&Value<'static>| match (request.after, &cursor) {
            (Some(after), Some(field)) => {
                record.get(field).and_then(|value| value.compare(after)) == Some(std::cmp::Ordering::Greater)
            }
            _ => true,
        };
        let mut matching = self.records(entity).iter().filter(after).skip(request.start);
        let records: Vec<Value<'static>> = matching.by_ref().take(request.size).cloned().collect();
        let more = matching.next().is_some();
        Ok(Page { records, more })
    }

    pub fn find(&mut self, entity: &str, keys: &Keys<'_>) -> Vec<Value<'static>> {
        // The first key asking for equality narrows by its index; all keys
        // decide.
        let candidates = match keys.iter().find_map(|key| Some((key.path, key.equal_to()?))) {
            Some((path, value)) => self.index(entity, path).positions(value).map(<[usize]>::to_vec),
            None => None,
        };
        let records = self.records(entity);
        match candidates {
            Some(mut candidates) => {
                candidates.sort_unstable();
                candidates
                    .into_iter()
                    .map(|at| &records[at])
                    .filter(|record| matches_keys(record, keys))
                    .cloned()
                    .collect()
            }
            None => records
                .iter()
                .filter(|record| matches_keys(record, keys))
                .cloned()
                .collect(),
        }
    }

    pub fn get(&mut self, entity: &str, id: &Value<'_>) -> Option<Value<'static>> {
        self.position(entity, id).map(|at| self.records(entity)[at].clone())
    }

    pub fn create(&mut self, entity: &str, payload: &Value<'_>) -> Result<Value<'static>, ConnectorError> {
        let Some(fields) = payload.as_object() else {
            return Err(ConnectorError::local(format!("a record of {entity} is an object")));
        };
        let mut record: Object<'static> = fields.clone().into_owned();
        let field = self.id_field(entity).to_string();
        if !record.contains_key(&field) {
            let id = self.new_id(entity);
            record.insert(field.clone(), id);
        }
        self.stamp(entity, &mut record);
        let record = Value::object(record);
        if let (Some(Value::Int(id)), Some(Some(largest))) = (record.get(&field), self.largest_id.get_mut(entity)) {
            *largest = (*largest).max(*id);
        } else if !matches!(record.get(&field), Some(Value::Int(_))) {
            // An id of another kind: new ids are UUIDs from now on.
            self.largest_id.insert(entity.to_string(), None);
        }
        let records = self.entities.entry(entity.to_string()).or_default();
        records.push(record.clone());
        let at = records.len() - 1;
        self.reindex(entity, at, None);
        Ok(record)
    }

    pub fn update(
        &mut self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        let Some(at) = self.position(entity, id) else {
            return Err(ConnectorError::new(
                ErrorKind::NotFound,
                format!("{entity} has no record with id {id}"),
            ));
        };
        let records = self.entities.get_mut(entity).expect("position found the entity");
        let mut record: Object<'static> = records[at].as_object().cloned().unwrap_or_default();
        if let Some(fields) = payload.as_object() {
            for (name, value) in fields.iter() {
                record.insert(name.to_string(), value.clone().into_owned());
            }
        }
        let old = std::mem::replace(&mut records[at], Value::object(record));
        let new = records[at].clone();
        self.reindex(entity, at, Some(&old));
        if old.get(self.id_field(entity)) != new.get(self.id_field(entity)) {
            self.largest_id.remove(entity);
        }
        Ok(new)
    }

    /// Puts a record as it is: over the record with its id, or after the
    /// others (a write replayed, or one undone).
    pub fn put(&mut self, entity: &str, record: Value<'static>) {
        let field = self.id_field(entity);
        let at = record.get(field).cloned().and_then(|id| self.position(entity, &id));
        let records = self.entities.entry(entity.to_string()).or_default();
        match at {
            Some(at) => {
                let old = std::mem::replace(&mut records[at], record);
                self.reindex(entity, at, Some(&old));
            }
            None => {
                records.push(record);
                let at = records.len() - 1;
                self.reindex(entity, at, None);
            }
        }
        self.largest_id.remove(entity);
    }

    /// Puts a record after the others, as it is.
    pub fn push(&mut self, entity: &str, record: Value<'static>) {
        // Copied only when a field is to be stamped.
        let record = match record.as_object() {
            Some(fields) if self.stamped(entity).any(|name| !fields.contains_key(name)) => {
                let mut fields = fields.clone();
                self.stamp(entity, &mut fields);
                Value::object(fields)
            }
            _ => record,
        };
        let records = self.entities.entry(entity.to_string()).or_default();
        records.push(record);
        let at = records.len() - 1;
        self.reindex(entity, at, None);
    }

    /// Gives a new record the moment it is made in the fields its system
    /// sets so (CCV's order `create_date`), as the system would: UTC, to
    /// the second.
    fn stamp(&self, entity: &str, record: &mut Object<'static>) {
        for name in self.stamped(entity) {
            if !record.contains_key(name) {
                let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
                record.insert(name.to_string(), Value::from(now));
            }
        }
    }

    /// The fields of `entity` its system stamps with the moment a record
    /// is made.
    fn stamped(&self, entity: &str) -> impl Iterator<Item = &'static str> + use<> {
        super::schema::Catalog::builtin()
            .entity(&self.system, entity)
            .into_iter()
            .flat_map(|schema| schema.fields.iter())
            .filter(|(_, field)| field.stamped)
            .map(|(name, _)| name.as_str())
    }

    /// Takes back the last record created.
    pub fn remove_last(&mut self, entity: &str) {
        if let Some(records) = self.entities.get_mut(entity) {
            let records = std::mem::take(records);
            let mut records = records;
            records.pop();
            self.insert(entity, records);
        }
    }

    pub fn id_field(&self, entity: &str) -> &'static str {
        super::schema::id_field(&self.system, entity)
    }

    pub fn cursor_field(&self, entity: &str) -> Option<&'static str> {
        super::schema::cursor_field(&self.system, entity)
    }
}

/// A version 4 UUID from the standard library's randomly seeded hasher.
fn uuid() -> String {
    let random = || std::collections::hash_map::RandomState::new().build_hasher().finish();
    let (a, b) = (random(), random());
    let bytes: Vec<u8> = a.to_le_bytes().into_iter().chain(b.to_le_bytes()).collect();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        (bytes[8] & 0x3) | 0x8,
        &hex[17..20],
        &hex[20..32]
    )
}

/// Whether a record's fields hold every key.
pub fn matches_keys(record: &Value<'_>, keys: &Keys<'_>) -> bool {
    keys.iter().all(|key| path_holds(record, key.path, key))
}

/// Whether the field at `path` in `record` holds the key (equals its value,
/// or is at least it, ...); a path through a list holds when it holds for
/// any element (`Rows.Text` of an order).
fn path_holds(record: &Value<'_>, path: &[String], key: &Key<'_>) -> bool {
    match (record, path.split_first()) {
        (Value::List(items), Some(_)) => items.iter().any(|item| path_holds(item, path, key)),
        (_, Some((name, rest))) => record.get(name).is_some_and(|field| path_holds(field, rest, key)),
        (_, None) => key.comparison.holds(record, key.value),
    }
}

/// A [`Store`] as a connector: records in memory, for `flowc test` and
/// tests. Lookups and writes see each other at once.
#[derive(Debug, Default)]
pub struct MemoryConnector {
    system: String,
    store: Mutex<Store>,
}

impl MemoryConnector {
    pub fn new(system: impl Into<String>) -> MemoryConnector {
        let system = system.into();
        MemoryConnector {
            store: Mutex::new(Store::new(system.clone())),
            system,
        }
    }

    /// Sets the records of an entity.
    pub fn insert(&self, entity: impl Into<String>, records: Vec<Value<'static>>) {
        self.store().insert(entity, records);
    }

    /// The records of an entity now.
    pub fn records(&self, entity: &str) -> Vec<Value<'static>> {
        self.store().records(entity).to_vec()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while the store was held leaves it as it was written so
        // far: each change is one push or one replacement.
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Connector for MemoryConnector {
    fn system(&self) -> &str {
        &self.system
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        self.store().list(entity, request)
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        Ok(self.store().find(entity, keys))
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        Ok(self.store().get(entity, id))
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        _keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        self.store().create(entity, payload)
    }

    async fn update(
        &self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        self.store().update(entity, id, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    fn record(text: &str) -> Value<'static> {
        json::parse(text).unwrap().into_owned()
    }

    #[test]
    fn creates_with_ids_in_the_entitys_form_and_updates_in_place() {
        let mut memory = Store::new("eaccounting");
        let created = memory.create("customers", &record(r#"{"Name": "A"}"#)).unwrap();
        let id = created.get("Id").unwrap().as_str().unwrap().to_string();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        memory
            .update(
                "customers",
                &Value::from(id.clone()),
                &record(r#"{"Name": "B", "IsActive": true}"#),
            )
            .unwrap();
        let found = memory.get("customers", &Value::from(id)).unwrap();
        assert_eq!(json::to_string(&found.get("Name").unwrap().clone()), r#""B""#);

        let mut ccv = Store::new("ccv_salespos");
        ccv.insert("products", vec![record(r#"{"id": 7}"#)]);
        let created = ccv.create("products", &record(r#"{"name": "x"}"#)).unwrap();
        assert_eq!(created.get("id"), Some(&Value::Int(8)));
    }

    #[test]
    fn lists_in_pages_after_a_cursor() {
        let mut ccv = Store::new("ccv_salespos");
        ccv.insert(
            "orders",
            (1..=5).map(|id| record(&format!(r#"{{"id": {id}}}"#))).collect(),
        );
        let page = ccv
            .list(
                "orders",
                &PageRequest {
                    after: None,
                    start: 0,
                    size: 2,
                },
            )
            .unwrap();
        assert_eq!(page.records.len(), 2);
        assert!(page.more);
        let after = Value::Int(3);
        let page = ccv
            .list(
                "orders",
                &PageRequest {
                    after: Some(&after),
                    start: 0,
                    size: 10,
                },
            )
            .unwrap();
        assert_eq!(
            page.records
                .iter()
                .map(|r| r.get("id").cloned().unwrap())
                .collect::<Vec<_>>(),
            [Value::Int(4), Value::Int(5)]
        );
        assert!(!page.more);
    }
}
