//! Where a connection's rotating refresh token is kept between runs.
//!
//! Visma's identity servers (eAccounting's, AccountView's) hand out a new
//! refresh token with every access token, and the old one stops working. The newest is kept in the state
//! directory (`--state`, default `.flowc/`), in `tokens/<connection>.json`,
//! readable by its owner only, written atomically; the next run starts from
//! it. Beside it lies a digest of the refresh token in the connections
//! file: when that one changes (the integration was authorized again), the
//! kept token belonged to the old authorization and is set aside.
//!
//! One run refreshes at a time: a refresh holds `tokens/<connection>.lock`,
//! and reads the kept token again under it, since another run may have
//! just rotated it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::connectors::ConnectorError;
use crate::value::{Object, Value, json};

/// The kept tokens of one connection.
#[derive(Debug)]
pub struct TokenStore {
    file: PathBuf,
    lock: PathBuf,
    /// Digest of the refresh token the connections file gives.
    configured: String,
}

/// How long a refresh waits for another run's refresh to end.
const LOCK_WAIT: Duration = Duration::from_secs(60);

impl TokenStore {
    pub fn new(state: &Path, connection: &str, configured: &SecretString) -> TokenStore {
        let name: String = connection
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let directory = state.join("tokens");
        TokenStore {
            file: directory.join(format!("{name}.json")),
            lock: directory.join(format!("{name}.lock")),
            configured: digest(configured),
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The refresh token to use: the kept one when it follows from the
    /// configured one, else the configured one.
    pub fn current(&self, configured: &SecretString) -> Result<SecretString, ConnectorError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(configured.clone()),
            Err(error) => {
                return Err(ConnectorError::local(format!(
                    "cannot read the kept refresh token {}: {}",
                    self.file.display(),
                    crate::cli::files::describe(&error)
                )));
            }
        };
        let kept = json::parse(&text).ok();
        let field = |name: &str| kept.as_ref().and_then(|kept| kept.get(name)).and_then(Value::as_str);
        match (field("configured"), field("refresh_token")) {
            (Some(from), Some(token)) if from == self.configured && !token.is_empty() => {
                Ok(SecretString::from(token.to_string()))
            }
            (Some(_), Some(_)) => Ok(configured.clone()),
            _ => Err(ConnectorError::local(format!(
                "the kept refresh token {} is damaged; delete it and set the connection's refresh_token anew",
                self.file.display()
            ))),
        }
    }

    /// Keeps a new refresh token: written beside, flushed, renamed over the
    /// old file, readable by its owner only.
    pub fn keep(&self, token: &SecretString) -> Result<(), ConnectorError> {
        let fail = |error: std::io::Error| {
            ConnectorError::local(format!(
                "the new refresh token could not be kept in {} ({}): the next run cannot sign in; fix this and authorize the integration again",
                self.file.display(),
                crate::cli::files::describe(&error)
            ))
        };
        let directory = self.file.parent().unwrap_or(Path::new("."));
        create_private_dir(directory).map_err(fail)?;
        let mut document = Object::new();
        document.push("configured", Value::from(self.configured.clone()));
        document.push("refresh_token", Value::from(token.expose_secret().to_string()));
        let text = json::to_string(&Value::object(document));
        let mut temporary = tempfile::Builder::new()
            .prefix(".token.")
            .tempfile_in(directory)
            .map_err(fail)?;
        temporary.write_all(text.as_bytes()).map_err(fail)?;
        temporary.as_file().sync_all().map_err(fail)?;
        temporary.persist(&self.file).map_err(|error| fail(error.error))?;
        if let Ok(dir) = std::fs::File::open(directory) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Holds the refresh lock until the guard is dropped; waits for
    /// another run's refresh to end.
    pub async fn lock(&self) -> Result<std::fs::File, ConnectorError> {
        let fail = |error: std::io::Error| {
            ConnectorError::local(format!(
                "cannot lock {} to refresh the token: {}",
                self.lock.display(),
                crate::cli::files::describe(&error)
            ))
        };
        let directory = self.lock.parent().unwrap_or(Path::new("."));
        create_private_dir(directory).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .map_err(fail)?;
        let deadline = tokio::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ConnectorError::local(format!(
                        "another run has held {} for {} s; is it stuck?",
                        self.lock.display(),
                        LOCK_WAIT.as_secs()
                    )));
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(fail(error)),
            }
        }
    }
}

/// A directory only its owner can enter (tokens are secrets).
fn create_private_dir(directory: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(directory)
}

fn digest(token: &SecretString) -> String {
    hex::encode(Sha256::digest(token.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_string())
    }

    #[test]
    fn the_newest_token_is_kept_for_the_next_run_and_private() {
        let state = tempfile::tempdir().unwrap();
        let configured = secret("first");
        let store = TokenStore::new(state.path(), "books", &configured);
        assert_eq!(store.current(&configured).unwrap().expose_secret(), "first");
        store.keep(&secret("second")).unwrap();
        assert_eq!(store.current(&configured).unwrap().expose_secret(), "second");
        let text = std::fs::read_to_string(store.file()).unwrap();
        assert!(!text.contains("first"), "only a digest of the configured token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        // Authorized again: the configured token is new, the kept one old.
        let renewed = secret("third");
        let store = TokenStore::new(state.path(), "books", &renewed);
        assert_eq!(store.current(&renewed).unwrap().expose_secret(), "third");
    }

    #[test]
    fn a_damaged_kept_token_is_named() {
        let state = tempfile::tempdir().unwrap();
        let store = TokenStore::new(state.path(), "books/../x", &secret("t"));
        assert!(
            store.file().starts_with(state.path().join("tokens")),
            "the name stays in the directory"
        );
        std::fs::create_dir_all(store.file().parent().unwrap()).unwrap();
        std::fs::write(store.file(), "{broken").unwrap();
        let error = store.current(&secret("t")).unwrap_err();
        assert!(error.message.contains("is damaged"), "{error}");
    }
}
