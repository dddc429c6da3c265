//! A directory as a system: one `<entity>.json` file per entity, holding a
//! JSON array of its records. Read as a source, and read and written as a
//! target.
//!
//! An entity's file is read once, when first needed, into a [`Store`]
//! (indexed for lookups). A write goes to memory and is appended to the
//! entity's journal, `.<entity>.journal` beside its file (one JSON line per
//! write, flushed to disk before the write counts as done), so that a run
//! of many writes costs each write its own line, not a rewrite of the
//! file. When the connector is done (and when a writer finds the journal
//! of a run that was killed), the journal is folded into the file: the new
//! content goes to a temporary file beside it (created exclusively, under
//! a name no one can guess), is flushed to disk, and replaces the old file
//! by a rename, so a crash leaves either the old file or the new one, never
//! half of one; then the journal is removed. Reading replays a journal
//! that is there (a line cut off by a crash is left out), and replaying is
//! idempotent (a write puts its record by id), so a crash between the
//! rename and the removal loses and doubles nothing. A missing file is an
//! entity without records (a first write creates it).
//!
//! A connector opened for writing holds a lock on the directory for as long
//! as it lives, so that two runs never write one target at once (the second
//! is refused, with a message). Before each write it checks that the file
//! is still the one it read, and reads it again if something else changed
//! it, so that it never writes from a stale copy. A write that fails is
//! undone in memory too: later records cannot find what was never written.
//! In a directory it writes, entity files must be regular files: a link
//! planted there is refused, never followed.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use async_trait::async_trait;

use super::memory::Store;
use super::{Connector, ConnectorError, Keys, Page, PageRequest};
use crate::value::documents::Documents;
use crate::value::{Object, Value, json};

#[derive(Debug)]
pub struct DirConnector {
    system: String,
    directory: Mutex<Directory>,
}

/// The directory and what has been read of it.
#[derive(Debug)]
struct Directory {
    path: PathBuf,
    records: Store,
    /// The entities read so far, with what their file was when read or
    /// last written (`None`: there was no file).
    loaded: HashMap<String, Option<Fingerprint>>,
    /// The lock held on the directory while the connector may write.
    lock: Option<File>,
    /// The journals this connector appends to, open.
    journals: HashMap<String, File>,
    /// Source entities read a page at a time, never whole.
    streams: HashMap<String, Stream>,
}

/// A source entity's file being read a page at a time: the array's
/// elements one by one, so that memory does not grow with the file.
struct Stream {
    documents: Documents<std::io::BufReader<File>>,
    /// The cursor the listing reads after.
    after: Option<Value<'static>>,
    /// Matching records handed out so far.
    given: usize,
    /// A matching record read ahead, to tell whether more follow.
    ahead: Option<Value<'static>>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("given", &self.given).finish()
    }
}

/// What tells one version of a file from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    /// The file's identity: a rename puts another file in its place.
    inode: u64,
}

impl Fingerprint {
    fn of(meta: &std::fs::Metadata) -> Fingerprint {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Fingerprint {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        }
    }
}

impl DirConnector {
    /// The directory at `path`, holding the entities of `system`, to read.
    pub fn open(path: impl AsRef<Path>, system: &str) -> Result<DirConnector, ConnectorError> {
        let path = path.as_ref().to_path_buf();
        if !path.is_dir() {
            return Err(ConnectorError::local(format!("{} is not a directory", path.display())));
        }
        Ok(DirConnector {
            system: system.to_string(),
            directory: Mutex::new(Directory {
                path,
                records: Store::new(system),
                loaded: HashMap::new(),
                lock: None,
                journals: HashMap::new(),
                streams: HashMap::new(),
            }),
        })
    }

    /// The directory at `path`, to read and write. Refused while another
    /// connector (in this process or another) writes it.
    pub fn open_for_writing(path: impl AsRef<Path>, system: &str) -> Result<DirConnector, ConnectorError> {
        let connector = DirConnector::open(path, system)?;
        {
            let mut directory = connector.directory();
            let path = directory.path.clone();
            let handle = File::open(&path)
                .map_err(|error| ConnectorError::local(format!("cannot open {}: {error}", path.display())))?;
            match handle.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ConnectorError::local(format!(
                        "{} is being written by another flowc run; try again when it has ended",
                        path.display()
                    )));
                }
                Err(std::fs::TryLockError::Error(error)) => {
                    return Err(ConnectorError::local(format!(
                        "cannot lock {} for writing: {error}",
                        path.display()
                    )));
                }
            }
            directory.lock = Some(handle);
            directory.remove_debris();
            directory.fold_left_journals()?;
        }
        Ok(connector)
    }

    fn directory(&self) -> MutexGuard<'_, Directory> {
        // A panic while the directory was held leaves what was written:
        // every file write is atomic, and memory follows only a success.
        self.directory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Directory {
    /// Removes the temporary files of writes that a killed run left
    /// behind: with the lock held, no one else is writing them.
    fn remove_debris(&self) {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if is_temporary(&name.to_string_lossy()) {
                // Removing a link removes the link, not what it points at.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn file(&self, entity: &str) -> PathBuf {
        self.path.join(format!("{entity}.json"))
    }

    /// What the entity's file is now (`None`: there is none). Only regular
    /// files are read: a FIFO would block, a device never end, and in a
    /// directory being written a link is refused rather than followed.
    fn current(&self, entity: &str) -> Result<Option<Fingerprint>, ConnectorError> {
        let file = self.file(entity);
        let link = std::fs::symlink_metadata(&file);
        let meta = match link {
            Ok(meta) if meta.file_type().is_symlink() && self.lock.is_some() => {
                return Err(ConnectorError::local(format!(
                    "{} is a symbolic link; in a directory it writes, flowc reads and writes only regular files",
                    file.display()
                )));
            }
            Ok(meta) if meta.file_type().is_symlink() => std::fs::metadata(&file),
            other => other,
        };
        match meta {
            Ok(meta) if meta.is_file() => Ok(Some(Fingerprint::of(&meta))),
            Ok(_) => Err(ConnectorError::local(format!(
                "{} is not a regular file",
                file.display()
            ))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(ConnectorError::local(format!(
                "cannot read {}: {error}",
                file.display()
            ))),
        }
    }

    /// Reads an entity's file the first time the entity is used.
    fn load(&mut self, entity: &str) -> Result<(), ConnectorError> {
        if self.loaded.contains_key(entity) {
            return Ok(());
        }
        self.read(entity)
    }

    /// Reads an entity's file into memory, replacing what was there.
    fn read(&mut self, entity: &str) -> Result<(), ConnectorError> {
        let file = self.file(entity);
        let fingerprint = self.current(entity)?;
        let records = match fingerprint {
            None => Vec::new(),
            Some(_) => {
                let text = std::fs::read_to_string(&file)
                    .map_err(|error| ConnectorError::local(format!("cannot read {}: {error}", file.display())))?;
                let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
                match json::parse(text) {
                    Ok(Value::List(records)) => records.iter().cloned().map(Value::into_owned).collect(),
                    Ok(_) => {
                        return Err(ConnectorError::local(format!(
                            "{} holds no JSON array of records",
                            file.display()
                        )));
                    }
                    Err(error) => {
                        return Err(ConnectorError::local(format!(
                            "{} is not valid JSON: {error}",
                            file.display()
                        )));
                    }
                }
            }
        };
        self.records.insert(entity, records);
        self.loaded.insert(entity.to_string(), fingerprint);
        self.replay(entity)
    }

    /// Whether a listing of the entity is read from its file a page at a
    /// time: for a directory read as a source, an entity not held in
    /// memory, with no journal to replay, whose file is a JSON array.
    fn streamable(&mut self, entity: &str) -> Result<bool, ConnectorError> {
        if self.lock.is_some() || self.loaded.contains_key(entity) {
            return Ok(false);
        }
        if self.streams.contains_key(entity) {
            return Ok(true);
        }
        if self.current(entity)?.is_none() || std::fs::symlink_metadata(self.journal(entity)).is_ok() {
            return Ok(false);
        }
        let file = self.file(entity);
        let mut start = [0u8; 64];
        let read = File::open(&file)
            .and_then(|mut opened| std::io::Read::read(&mut opened, &mut start))
            .map_err(|error| ConnectorError::local(format!("cannot read {}: {error}", file.display())))?;
        let text = start[..read]
            .strip_prefix("\u{FEFF}".as_bytes())
            .unwrap_or(&start[..read]);
        Ok(text.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'['))
    }

    /// A page of a source entity, read on from where the last page ended
    /// (from the start when asked elsewhere).
    fn stream(&mut self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let reusable = self
            .streams
            .get(entity)
            .is_some_and(|stream| stream.given == request.start && stream.after.as_ref() == request.after);
        if !reusable {
            let file = self.file(entity);
            let opened = File::open(&file)
                .map_err(|error| ConnectorError::local(format!("cannot read {}: {error}", file.display())))?;
            let mut stream = Stream {
                documents: Documents::new(std::io::BufReader::with_capacity(256 * 1024, opened)),
                after: request.after.cloned(),
                given: 0,
                ahead: None,
            };
            for _ in 0..request.start {
                if self.next_matching(entity, &mut stream)?.is_none() {
                    break;
                }
            }
            stream.given = request.start;
            self.streams.insert(entity.to_string(), stream);
        }
        let mut stream = self.streams.remove(entity).expect("a stream is there");
        let mut records = Vec::with_capacity(request.size.min(1000));
        while records.len() < request.size {
            match stream.ahead.take() {
                Some(record) => records.push(record),
                None => match self.next_matching(entity, &mut stream)? {
                    Some(record) => records.push(record),
                    None => break,
                },
            }
        }
        stream.given += records.len();
        stream.ahead = self.next_matching(entity, &mut stream)?;
        let more = stream.ahead.is_some();
        self.streams.insert(entity.to_string(), stream);
        Ok(Page { records, more })
    }

    /// The next record of a stream after its cursor.
    fn next_matching(&self, entity: &str, stream: &mut Stream) -> Result<Option<Value<'static>>, ConnectorError> {
        let cursor = self.records.cursor_field(entity);
        let file = self.file(entity);
        loop {
            let record = match stream.documents.next_document() {
                None => return Ok(None),
                Some(Ok((text, position))) => json::parse(text).map(Value::into_owned).map_err(|error| {
                    ConnectorError::local(format!(
                        "{} record {} (line {}) is not valid JSON: {error}",
                        file.display(),
                        position.record,
                        position.line
                    ))
                })?,
                Some(Err(error)) => {
                    return Err(ConnectorError::local(format!("{}: {error}", file.display())));
                }
            };
            let (Some(after), Some(field)) = (&stream.after, cursor) else {
                return Ok(Some(record));
            };
            match record.get(field) {
                Some(value) if !value.is_null() => match value.compare(after) {
                    Some(std::cmp::Ordering::Greater) => return Ok(Some(record)),
                    Some(_) => continue,
                    None => {
                        return Err(ConnectorError::local(format!(
                            "the cursor {after} is {}, but `{field}` of {entity} holds {} values ({value}); they cannot be compared",
                            after.kind(),
                            value.kind()
                        )));
                    }
                },
                _ => continue,
            }
        }
    }

    fn journal(&self, entity: &str) -> PathBuf {
        self.path.join(format!(".{entity}.journal"))
    }

    /// Applies the entity's journal, if there is one, to its records.
    fn replay(&mut self, entity: &str) -> Result<(), ConnectorError> {
        let path = self.journal(entity);
        let text = match std::fs::symlink_metadata(&path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Ok(meta) if !meta.is_file() => {
                return Err(ConnectorError::local(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            _ => std::fs::read_to_string(&path)
                .map_err(|error| ConnectorError::local(format!("cannot read {}: {error}", path.display())))?,
        };
        for (number, line) in text.split_inclusive('\n').enumerate() {
            // A line a crash cut off was never a write that counted.
            if !line.ends_with('\n') {
                break;
            }
            let write = json::parse(line).map_err(|error| {
                ConnectorError::local(format!("{} line {} is not JSON: {error}", path.display(), number + 1))
            })?;
            match write.get("create").or_else(|| write.get("update")) {
                Some(record) => self.records.put(entity, record.clone().into_owned()),
                None => {
                    return Err(ConnectorError::local(format!(
                        "{} line {} is no write flowc made",
                        path.display(),
                        number + 1
                    )));
                }
            }
        }
        Ok(())
    }

    /// Folds the journals a killed run left into their files.
    fn fold_left_journals(&mut self) -> Result<(), ConnectorError> {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return Ok(());
        };
        let entities: Vec<String> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.strip_prefix('.')?.strip_suffix(".journal").map(str::to_string)
            })
            .filter(|entity| !entity.is_empty())
            .collect();
        for entity in entities {
            self.load(&entity)?;
            self.fold(&entity)?;
        }
        Ok(())
    }

    /// Writes the entity's records to its file and removes its journal.
    fn fold(&mut self, entity: &str) -> Result<(), ConnectorError> {
        self.journals.remove(entity);
        self.save(entity)?;
        let path = self.journal(entity);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(ConnectorError::local(format!(
                "cannot remove {}: {error}",
                path.display()
            ))),
            _ => Ok(()),
        }
    }

    /// Appends a write to the entity's journal and flushes it to disk.
    fn append(&mut self, entity: &str, line: &str) -> Result<(), ConnectorError> {
        let path = self.journal(entity);
        let fail = |error: std::io::Error| ConnectorError::local(format!("cannot write {}: {error}", path.display()));
        if !self.journals.contains_key(entity) {
            // Never through a link planted there (the directory is locked:
            // no other flowc run writes it).
            if std::fs::symlink_metadata(&path).is_ok_and(|meta| !meta.is_file()) {
                return Err(ConnectorError::local(format!(
                    "{} is not a regular file; flowc writes only regular files",
                    path.display()
                )));
            }
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // Readable by the owner only.
                options.mode(0o600);
            }
            let file = options.open(&path).map_err(fail)?;
            self.journals.insert(entity.to_string(), file);
        }
        let file = self.journals.get_mut(entity).expect("opened above");
        file.write_all(line.as_bytes()).map_err(fail)?;
        file.sync_data().map_err(fail)
    }

    /// Makes the entity's records in memory those of its file as it is now:
    /// read again when something other than this connector changed it.
    fn refresh(&mut self, entity: &str) -> Result<(), ConnectorError> {
        match self.loaded.get(entity) {
            Some(known) if *known == self.current(entity)? => Ok(()),
            _ => self.read(entity),
        }
    }

    /// Carries out a write in memory and appends it to the entity's
    /// journal; when the append fails, memory is left as it was.
    fn write(&mut self, entity: &str, write: Change<'_>) -> Result<Value<'static>, ConnectorError> {
        if self.lock.is_none() {
            return Err(ConnectorError::local(format!(
                "{} was opened to be read, not written",
                self.path.display()
            )));
        }
        self.refresh(entity)?;
        let (kind, record, before) = match write {
            Change::Create(payload) => ("create", self.records.create(entity, payload)?, None),
            Change::Update(id, payload) => {
                let before = self.records.get(entity, id);
                ("update", self.records.update(entity, id, payload)?, before)
            }
        };
        let mut line = Object::with_capacity(1);
        line.push(kind, record.clone());
        let mut line = json::to_string(&Value::object(line));
        line.push('\n');
        if let Err(error) = self.append(entity, &line) {
            match before {
                Some(before) => self.records.put(entity, before),
                None => self.records.remove_last(entity),
            }
            return Err(error);
        }
        Ok(record)
    }

    /// Writes an entity's records to its file, atomically.
    fn save(&mut self, entity: &str) -> Result<(), ConnectorError> {
        let file = self.file(entity);
        let fail = |error: std::io::Error| ConnectorError::local(format!("cannot write {}: {error}", file.display()));
        let records = Value::list(self.records.records(entity).to_vec());
        let mut text = json::to_string_pretty(&records);
        text.push('\n');
        // Created exclusively (O_EXCL), readable by the owner only, under a
        // random name: nothing planted in the directory is written through.
        let mut temporary = tempfile::Builder::new()
            .prefix(&format!(".{entity}.json."))
            .suffix(".tmp")
            .tempfile_in(&self.path)
            .map_err(fail)?;
        temporary.write_all(text.as_bytes()).map_err(fail)?;
        temporary.as_file().sync_all().map_err(fail)?;
        // An existing file keeps who may read it.
        if let Ok(meta) = std::fs::symlink_metadata(&file)
            && meta.is_file()
        {
            temporary.as_file().set_permissions(meta.permissions()).map_err(fail)?;
        }
        // The rename replaces the entry itself, never what a link points at.
        temporary.persist(&file).map_err(|error| fail(error.error))?;
        // The rename itself is made durable by syncing the directory.
        if let Ok(dir) = File::open(&self.path) {
            let _ = dir.sync_all();
        }
        let written = std::fs::symlink_metadata(&file).map_err(fail)?;
        self.loaded.insert(entity.to_string(), Some(Fingerprint::of(&written)));
        Ok(())
    }
}

/// A write to an entity.
enum Change<'w> {
    Create(&'w Value<'w>),
    Update(&'w Value<'w>, &'w Value<'w>),
}

impl Drop for DirConnector {
    /// Folds the journals into their files when the connector is done. A
    /// fold that fails leaves the journal, which the next reader replays
    /// and the next writer folds.
    fn drop(&mut self) {
        let mut directory = self.directory();
        if directory.lock.is_none() {
            return;
        }
        let entities: Vec<String> = directory.journals.keys().cloned().collect();
        for entity in entities {
            let _ = directory.fold(&entity);
        }
    }
}

/// The name of a temporary file of [`DirConnector::save`]:
/// `.<entity>.json.<6 random letters or digits>.tmp`.
fn is_temporary(name: &str) -> bool {
    let Some(middle) = name.strip_prefix('.').and_then(|rest| rest.strip_suffix(".tmp")) else {
        return false;
    };
    match middle.rsplit_once(".json.") {
        Some((entity, random)) => {
            !entity.is_empty() && random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

#[async_trait]
impl Connector for DirConnector {
    fn system(&self) -> &str {
        &self.system
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let mut directory = self.directory();
        if directory.streamable(entity)? {
            return directory.stream(entity, request);
        }
        directory.load(entity)?;
        directory.records.list(entity, request)
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        let mut directory = self.directory();
        directory.load(entity)?;
        Ok(directory.records.find(entity, keys))
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        let mut directory = self.directory();
        directory.load(entity)?;
        Ok(directory.records.get(entity, id))
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        _keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        // A file write either happens or fails: its outcome is never unknown.
        self.directory().write(entity, Change::Create(payload))
    }

    async fn update(
        &self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        self.directory().write(entity, Change::Update(id, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(connector: &DirConnector, entity: &str) -> Vec<Value<'static>> {
        let request = PageRequest {
            after: None,
            start: 0,
            size: 1000,
        };
        block(connector.list(entity, &request)).unwrap().records
    }

    /// Runs a connector's future here: the dir connector never waits.
    fn block<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        names.sort();
        names
    }

    fn customer(name: &str) -> Value<'static> {
        json::parse(&format!(r#"{{"Name": "{name}"}}"#)).unwrap().into_owned()
    }

    #[test]
    fn writes_survive_reopening_and_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("customers.json"),
            r#"[{"Id": "c-1", "Name": "A", "Balance": 12.50}]"#,
        )
        .unwrap();
        let connector = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        let created = block(connector.create("customers", &customer("B"), &[])).unwrap();
        block(connector.update("customers", &Value::from("c-1".to_string()), &customer("A2"))).unwrap();
        drop(connector);

        let reopened = DirConnector::open(dir.path(), "eaccounting").unwrap();
        let all = all(&reopened, "customers");
        assert_eq!(all.len(), 2);
        assert_eq!(
            json::to_string(&all[0]),
            r#"{"Id":"c-1","Name":"A2","Balance":12.50}"#,
            "decimals keep their scale"
        );
        assert_eq!(all[1].get("Id"), created.get("Id"));
        assert_eq!(names(dir.path()), ["customers.json"]);
    }

    #[test]
    fn temporary_files_a_killed_run_left_are_removed_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".orders.json.LlQ0zp.tmp",
            ".orders.json.P8uj2B.tmp",
            "keep.json",
            ".notes.tmp",
            ".a.json.toolong.tmp",
        ] {
            std::fs::write(dir.path().join(name), "[]").unwrap();
        }
        DirConnector::open(dir.path(), "eaccounting").unwrap();
        assert_eq!(names(dir.path()).len(), 5, "a reader removes nothing");
        DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        assert_eq!(names(dir.path()), [".a.json.toolong.tmp", ".notes.tmp", "keep.json"]);
    }

    #[test]
    fn missing_files_are_empty_entities_and_broken_ones_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let connector = DirConnector::open(dir.path(), "eaccounting").unwrap();
        assert!(block(connector.find("articles", &[])).unwrap().is_empty());
        std::fs::write(dir.path().join("orders.json"), "[{broken").unwrap();
        let error = block(connector.find("orders", &[])).unwrap_err();
        assert!(error.message.contains("orders.json is not valid JSON"), "{error}");
        assert!(DirConnector::open(dir.path().join("nope"), "eaccounting").is_err());
        assert!(
            block(connector.create("articles", &customer("A"), &[]))
                .unwrap_err()
                .message
                .contains("opened to be read"),
            "a connector opened to read does not write"
        );
    }

    #[test]
    fn a_byte_order_mark_at_the_start_of_a_file_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("customers.json"), "\u{FEFF}[{\"Id\": \"c-1\"}]").unwrap();
        let connector = DirConnector::open(dir.path(), "eaccounting").unwrap();
        assert_eq!(all(&connector, "customers").len(), 1);
    }

    #[test]
    fn a_second_writer_of_a_directory_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        let error = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap_err();
        assert!(
            error.message.contains("is being written by another flowc run"),
            "{error}"
        );
        assert!(DirConnector::open(dir.path(), "eaccounting").is_ok(), "reading is fine");
        drop(first);
        assert!(DirConnector::open_for_writing(dir.path(), "eaccounting").is_ok());
    }

    #[test]
    fn a_file_changed_by_someone_else_is_read_again_before_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("customers.json");
        std::fs::write(&file, r#"[{"Id": "c-1", "Name": "A"}]"#).unwrap();
        let connector = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        assert_eq!(all(&connector, "customers").len(), 1);
        // Another program adds a record (a longer file: a new size).
        std::fs::write(&file, r#"[{"Id": "c-1", "Name": "A"}, {"Id": "c-2", "Name": "Other"}]"#).unwrap();
        block(connector.create("customers", &customer("B"), &[])).unwrap();
        drop(connector);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("c-2") && text.contains("\"B\""), "{text}");
    }

    #[test]
    fn writes_go_to_a_journal_that_is_folded_into_the_file_when_done() {
        let dir = tempfile::tempdir().unwrap();
        let connector = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        let a = block(connector.create("customers", &customer("A"), &[])).unwrap();
        block(connector.update("customers", a.get("Id").unwrap(), &customer("A2"))).unwrap();
        let journal = std::fs::read_to_string(dir.path().join(".customers.journal")).unwrap();
        assert_eq!(journal.lines().count(), 2, "one line per write: {journal}");
        assert!(!dir.path().join("customers.json").exists(), "not rewritten per write");
        // A reader meanwhile sees the writes.
        let reader = DirConnector::open(dir.path(), "eaccounting").unwrap();
        assert_eq!(
            all(&reader, "customers")[0].get("Name"),
            Some(&Value::from("A2".to_string()))
        );
        drop(connector);
        assert!(!dir.path().join(".customers.journal").exists());
        let records = all(&DirConnector::open(dir.path(), "eaccounting").unwrap(), "customers");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].get("Name"), Some(&Value::from("A2".to_string())));
    }

    #[test]
    fn a_journal_a_killed_run_left_is_replayed_once_and_folded_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        // The file already holds c-1 (killed between the fold and the
        // journal's removal), the journal creates c-1 and c-2 and was cut
        // off in the middle of a third line.
        std::fs::write(dir.path().join("customers.json"), r#"[{"Id": "c-1", "Name": "A"}]"#).unwrap();
        std::fs::write(
            dir.path().join(".customers.journal"),
            "{\"create\": {\"Id\": \"c-1\", \"Name\": \"A\"}}\n{\"create\": {\"Id\": \"c-2\", \"Name\": \"B\"}}\n{\"create\": {\"Id\": \"c-3\"",
        )
        .unwrap();
        let names = |connector: &DirConnector| -> Vec<String> {
            all(connector, "customers")
                .iter()
                .map(|record| record.get("Id").unwrap().to_text().unwrap().into_owned())
                .collect()
        };
        assert_eq!(
            names(&DirConnector::open(dir.path(), "eaccounting").unwrap()),
            ["c-1", "c-2"]
        );
        let writer = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        assert!(!dir.path().join(".customers.journal").exists(), "folded at once");
        assert_eq!(names(&writer), ["c-1", "c-2"]);
    }

    #[test]
    fn a_failed_write_is_undone_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("books");
        std::fs::create_dir(&target).unwrap();
        let connector = DirConnector::open_for_writing(&target, "eaccounting").unwrap();
        assert!(all(&connector, "customers").is_empty());
        // The directory goes away (a full disk or lost rights fail alike).
        std::fs::remove_dir(&target).unwrap();
        let error = block(connector.create("customers", &customer("A"), &[])).unwrap_err();
        assert!(error.message.contains("cannot write"), "{error}");
        assert!(
            block(connector.find("customers", &[])).unwrap().is_empty(),
            "nothing refers to what was not written"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_planted_in_a_target_are_refused_and_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        std::fs::write(&victim, "untouched").unwrap();
        // The temporary name of old, and the entity file itself.
        std::os::unix::fs::symlink(&victim, dir.path().join(".customers.json.tmp")).unwrap();
        // And the journal of an entity.
        std::os::unix::fs::symlink(&victim, dir.path().join(".orders.journal")).unwrap();
        let connector = DirConnector::open_for_writing(dir.path(), "eaccounting");
        assert!(connector.unwrap_err().message.contains("not a regular file"));
        std::fs::remove_file(dir.path().join(".orders.journal")).unwrap();
        let connector = DirConnector::open_for_writing(dir.path(), "eaccounting").unwrap();
        block(connector.create("customers", &customer("A"), &[])).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");

        std::os::unix::fs::symlink(&victim, dir.path().join("articles.json")).unwrap();
        let error = block(connector.create("articles", &customer("A"), &[])).unwrap_err();
        assert!(error.message.contains("is a symbolic link"), "{error}");
        std::os::unix::fs::symlink(&victim, dir.path().join(".units.journal")).unwrap();
        let error = block(connector.create("units", &customer("A"), &[])).unwrap_err();
        assert!(error.message.contains("not a regular file"), "{error}");
        drop(connector);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(
            std::fs::symlink_metadata(dir.path().join("customers.json"))
                .unwrap()
                .is_file()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_an_entity_file_is_refused_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("orders.json");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let connector = DirConnector::open(dir.path(), "ccv_salespos").unwrap();
        let error = block(connector.find("orders", &[])).unwrap_err();
        assert!(error.message.contains("is not a regular file"), "{error}");
    }
}
