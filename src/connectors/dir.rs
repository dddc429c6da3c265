//! A directory as a system: one `<entity>.json` file per entity, holding a
//! JSON array of its records. Read as a source, and read and written as a
//! target.
//!
//! An entity's file is read once, when first needed, into a
//! [`MemoryConnector`]; every write then rewrites the file atomically: the
//! new content goes to a temporary file beside it, is flushed to disk, and
//! replaces the old file by a rename, so a crash leaves either the old file
//! or the new one, never half of one. A missing file is an entity without
//! records (a first write creates it).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::memory::MemoryConnector;
use super::{Connector, ConnectorError, Page, PageRequest};
use crate::value::{Value, json};

#[derive(Debug)]
pub struct DirConnector {
    path: PathBuf,
    records: MemoryConnector,
    loaded: HashSet<String>,
}

impl DirConnector {
    /// The directory at `path`, holding the entities of `system`.
    pub fn open(path: impl AsRef<Path>, system: &str) -> Result<DirConnector, ConnectorError> {
        let path = path.as_ref().to_path_buf();
        if !path.is_dir() {
            return Err(ConnectorError(format!("{} is not a directory", path.display())));
        }
        Ok(DirConnector {
            path,
            records: MemoryConnector::new(system),
            loaded: HashSet::new(),
        })
    }

    fn file(&self, entity: &str) -> PathBuf {
        self.path.join(format!("{entity}.json"))
    }

    /// Reads an entity's file the first time the entity is used.
    fn load(&mut self, entity: &str) -> Result<(), ConnectorError> {
        if self.loaded.contains(entity) {
            return Ok(());
        }
        let file = self.file(entity);
        let records = match std::fs::read_to_string(&file) {
            Ok(text) => {
                let value = json::parse(&text)
                    .map_err(|error| ConnectorError(format!("{} is not valid JSON: {error}", file.display())))?;
                match value {
                    Value::List(records) => records.iter().cloned().map(Value::into_owned).collect(),
                    _ => {
                        return Err(ConnectorError(format!(
                            "{} holds no JSON array of records",
                            file.display()
                        )));
                    }
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(ConnectorError(format!("cannot read {}: {error}", file.display()))),
        };
        self.records.insert(entity, records);
        self.loaded.insert(entity.to_string());
        Ok(())
    }

    /// Writes an entity's records to its file, atomically.
    fn save(&self, entity: &str) -> Result<(), ConnectorError> {
        let file = self.file(entity);
        let temporary = self.path.join(format!(".{entity}.json.tmp"));
        let fail = |error: std::io::Error| ConnectorError(format!("cannot write {}: {error}", file.display()));
        let records = Value::list(self.records.records(entity).to_vec());
        let mut text = json::to_string_pretty(&records);
        text.push('\n');
        let mut out = std::fs::File::create(&temporary).map_err(fail)?;
        out.write_all(text.as_bytes()).map_err(fail)?;
        out.sync_all().map_err(fail)?;
        drop(out);
        std::fs::rename(&temporary, &file).map_err(fail)?;
        // The rename itself is made durable by syncing the directory.
        if let Ok(dir) = std::fs::File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Connector for DirConnector {
    fn system(&self) -> &str {
        self.records.system()
    }

    fn list(&mut self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        self.load(entity)?;
        self.records.list(entity, request)
    }

    fn find(&mut self, entity: &str, keys: &[(&[String], &Value<'_>)]) -> Result<Vec<Value<'static>>, ConnectorError> {
        self.load(entity)?;
        self.records.find(entity, keys)
    }

    fn get(&mut self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        self.load(entity)?;
        self.records.get(entity, id)
    }

    fn create(&mut self, entity: &str, payload: &Value<'_>) -> Result<Value<'static>, ConnectorError> {
        self.load(entity)?;
        let record = self.records.create(entity, payload)?;
        self.save(entity)?;
        Ok(record)
    }

    fn update(&mut self, entity: &str, id: &Value<'_>, payload: &Value<'_>) -> Result<Value<'static>, ConnectorError> {
        self.load(entity)?;
        let record = self.records.update(entity, id, payload)?;
        self.save(entity)?;
        Ok(record)
    }

    fn id_field(&self, entity: &str) -> &str {
        self.records.id_field(entity)
    }

    fn cursor_field(&self, entity: &str) -> Option<&str> {
        self.records.cursor_field(entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_survive_reopening_and_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("customers.json"),
            r#"[{"Id": "c-1", "Name": "A", "Balance": 12.50}]"#,
        )
        .unwrap();
        let mut connector = DirConnector::open(dir.path(), "eaccounting").unwrap();
        let created = connector
            .create("customers", &json::parse(r#"{"Name": "B"}"#).unwrap())
            .unwrap();
        connector
            .update(
                "customers",
                &Value::from("c-1".to_string()),
                &json::parse(r#"{"Name": "A2"}"#).unwrap(),
            )
            .unwrap();

        let mut reopened = DirConnector::open(dir.path(), "eaccounting").unwrap();
        let all = reopened
            .list(
                "customers",
                &PageRequest {
                    after: None,
                    start: 0,
                    size: 10,
                },
            )
            .unwrap()
            .records;
        assert_eq!(all.len(), 2);
        assert_eq!(
            json::to_string(&all[0]),
            r#"{"Id":"c-1","Name":"A2","Balance":12.50}"#,
            "decimals keep their scale"
        );
        assert_eq!(all[1].get("Id"), created.get("Id"));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names, ["customers.json"]);
    }

    #[test]
    fn missing_files_are_empty_entities_and_broken_ones_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut connector = DirConnector::open(dir.path(), "eaccounting").unwrap();
        assert!(connector.find("articles", &[]).unwrap().is_empty());
        std::fs::write(dir.path().join("orders.json"), "[{broken").unwrap();
        let error = connector.find("orders", &[]).unwrap_err();
        assert!(error.0.contains("orders.json is not valid JSON"), "{error}");
        assert!(DirConnector::open(dir.path().join("nope"), "eaccounting").is_err());
    }
}
