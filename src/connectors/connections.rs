//! The connections file: where each system is and how to sign in to it.
//!
//! `connections.toml` (in the working directory; `FLOWC_CONNECTIONS` or
//! `--connections FILE` name another) holds one table per connection:
//!
//! ```toml
//! [shop]
//! system = "ccv_salespos"
//! base_url = "https://myshop.example"
//! public_key = "..."
//! secret_key = { env = "SHOP_SECRET" }
//! ```
//!
//! A secret is `{ env = "VAR" }` or `{ file = "PATH" }`; a plain string
//! works, with a warning. Secrets are held as [`SecretString`]s, which
//! never print, and no message here quotes a value of the file: a TOML
//! error names the line and the key, not what was written there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ConnectorError;

/// The environment variable that names the connections file.
pub const FILE_VARIABLE: &str = "FLOWC_CONNECTIONS";
/// The connections file looked for in the working directory.
pub const DEFAULT_FILE: &str = "connections.toml";

/// The connections of a file, by name.
#[derive(Debug)]
pub struct Connections {
    path: PathBuf,
    tables: BTreeMap<String, toml::Table>,
}

/// One connection: its name, its system, and its keys as written.
#[derive(Debug, Clone)]
pub struct Connection {
    pub name: String,
    pub system: String,
    /// Where it was read from, for messages.
    pub file: PathBuf,
    table: toml::Table,
}

impl Connections {
    /// The file to read: `given`, else `FLOWC_CONNECTIONS`, else
    /// `connections.toml` in the working directory.
    pub fn path(given: Option<&Path>) -> PathBuf {
        match given {
            Some(path) => path.to_path_buf(),
            None => std::env::var_os(FILE_VARIABLE).map_or_else(|| PathBuf::from(DEFAULT_FILE), PathBuf::from),
        }
    }

    pub fn load(path: &Path) -> Result<Connections, ConnectorError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            let hint = if error.kind() == std::io::ErrorKind::NotFound {
                format!("; write one (docs/connectors.md), set {FILE_VARIABLE}, or give --connections FILE")
            } else {
                String::new()
            };
            ConnectorError::local(format!(
                "cannot read the connections file {}: {}{hint}",
                path.display(),
                crate::cli::files::describe(&error)
            ))
        })?;
        Connections::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Connections, ConnectorError> {
        let document: toml::Table = toml::from_str(text).map_err(|error| {
            ConnectorError::local(format!(
                "{} is not valid TOML{}: {}",
                path.display(),
                line_of(text, error.span()),
                without_values(error.message())
            ))
        })?;
        let mut tables = BTreeMap::new();
        for (name, value) in document {
            match value {
                toml::Value::Table(table) => {
                    tables.insert(name, table);
                }
                _ => {
                    return Err(ConnectorError::local(format!(
                        "{}: `{name}` is not a table; write each connection as [{name}] with its keys below",
                        path.display()
                    )));
                }
            }
        }
        Ok(Connections {
            path: path.to_path_buf(),
            tables,
        })
    }

    /// The connection called `name`.
    pub fn get(&self, name: &str) -> Result<Connection, ConnectorError> {
        let Some(table) = self.tables.get(name) else {
            let known: Vec<&str> = self.tables.keys().map(String::as_str).collect();
            let suggestion = known
                .iter()
                .filter(|candidate| strsim::jaro_winkler(candidate, name) > 0.8)
                .max_by(|a, b| strsim::jaro_winkler(a, name).total_cmp(&strsim::jaro_winkler(b, name)))
                .map(|candidate| format!("; did you mean `{candidate}`?"))
                .unwrap_or_else(|| {
                    if known.is_empty() {
                        " (it has none)".to_string()
                    } else {
                        format!(" (it has {})", known.join(", "))
                    }
                });
            return Err(ConnectorError::local(format!(
                "{} has no connection `{name}`{suggestion}",
                self.path.display()
            )));
        };
        let system = match table.get("system") {
            Some(toml::Value::String(system)) => system.clone(),
            Some(_) => {
                return Err(ConnectorError::local(format!(
                    "connection `{name}`: `system` is text, such as \"eaccounting\""
                )));
            }
            None => {
                return Err(ConnectorError::local(format!(
                    "connection `{name}` has no `system` (ccv_salespos, eaccounting)"
                )));
            }
        };
        Ok(Connection {
            name: name.to_string(),
            system,
            file: self.path.clone(),
            table: table.clone(),
        })
    }
}

impl Connection {
    /// Refuses keys the connection's system does not know, naming the
    /// closest known one (a misspelt key would otherwise be ignored).
    pub fn check_keys(&self, known: &[&str]) -> Result<(), ConnectorError> {
        for key in self.table.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            let closest = known
                .iter()
                .copied()
                .filter(|candidate| strsim::jaro_winkler(candidate, key) > 0.8)
                .max_by(|a, b| strsim::jaro_winkler(a, key).total_cmp(&strsim::jaro_winkler(b, key)));
            let hint = match closest {
                Some(candidate) => format!("; did you mean `{candidate}`?"),
                None => format!("; {} takes {}", self.system, known.join(", ")),
            };
            return Err(ConnectorError::local(format!(
                "connection `{}` in {}: unknown key `{key}`{hint}",
                self.name,
                self.file.display()
            )));
        }
        Ok(())
    }

    /// The connection's keys, read as a system's settings. Unknown keys are
    /// refused by name (a misspelt key would otherwise be ignored).
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, ConnectorError> {
        toml::Value::Table(self.table.clone())
            .try_into()
            .map_err(|error: toml::de::Error| {
                ConnectorError::local(format!(
                    "connection `{}` in {}: {}",
                    self.name,
                    self.file.display(),
                    without_values(error.message())
                ))
            })
    }
}

/// Where a secret comes from.
#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub enum Secret {
    /// `{ env = "VAR" }`: an environment variable.
    Env { env: String },
    /// `{ file = "PATH" }`: the first line of a file.
    File { file: PathBuf },
    /// Written in the connections file itself (works, with a warning).
    Plain(SecretString),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Env { env } => write!(f, "{{ env = {env:?} }}"),
            Secret::File { file } => write!(f, "{{ file = {:?} }}", file.display()),
            Secret::Plain(_) => f.write_str("\"[written in the file]\""),
        }
    }
}

impl Secret {
    /// The secret's value. `key` names it in messages (`secret_key`);
    /// `warn` is told of secrets written in the file itself, and of secret
    /// files others can read.
    pub fn resolve(
        &self,
        connection: &str,
        key: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<SecretString, ConnectorError> {
        match self {
            Secret::Plain(value) => {
                warn(format!(
                    "connection `{connection}`: `{key}` is written in the connections file; keep it in the environment ({key} = {{ env = \"VAR\" }}) or a file ({key} = {{ file = \"PATH\" }})"
                ));
                Ok(value.clone())
            }
            Secret::Env { env } => match std::env::var(env) {
                Ok(value) if !value.is_empty() => Ok(SecretString::from(value)),
                Ok(_) => Err(ConnectorError::local(format!(
                    "connection `{connection}`: `{key}` comes from the environment variable {env}, which is empty"
                ))),
                Err(_) => Err(ConnectorError::local(format!(
                    "connection `{connection}`: `{key}` comes from the environment variable {env}, which is not set"
                ))),
            },
            Secret::File { file } => {
                let text = std::fs::read_to_string(file).map_err(|error| {
                    ConnectorError::local(format!(
                        "connection `{connection}`: `{key}` comes from {}, which cannot be read: {}",
                        file.display(),
                        crate::cli::files::describe(&error)
                    ))
                })?;
                #[cfg(unix)]
                if let Ok(meta) = std::fs::metadata(file)
                    && std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0
                {
                    warn(format!(
                        "connection `{connection}`: {} holds `{key}` and can be read by others than its owner (chmod 600 it)",
                        file.display()
                    ));
                }
                let value = text.lines().next().unwrap_or("").trim();
                if value.is_empty() {
                    return Err(ConnectorError::local(format!(
                        "connection `{connection}`: `{key}` comes from {}, which is empty",
                        file.display()
                    )));
                }
                Ok(SecretString::from(value.to_string()))
            }
        }
    }
}

/// ` at line 4` for the start of `span` in `text`.
fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" at line {line}")
        }
        None => String::new(),
    }
}

/// A TOML or serde message with what was written in the file taken out:
/// `invalid type: string "abc", expected u64` quotes a value, which may be
/// a secret.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' if !quoted => {
                quoted = true;
                out.push_str("a value");
            }
            '"' => quoted = false,
            _ if quoted => {}
            c => out.push(c),
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Shop {
        #[allow(dead_code)]
        system: String,
        base_url: String,
        secret_key: Secret,
        #[allow(dead_code)]
        retries: Option<u32>,
    }

    fn connections(text: &str) -> Result<Connections, ConnectorError> {
        Connections::parse(Path::new("connections.toml"), text)
    }

    #[test]
    fn connections_are_read_by_name_with_their_keys() {
        let file = connections(
            "[shop]\nsystem = \"ccv_salespos\"\nbase_url = \"https://shop.example\"\nsecret_key = { env = \"FLOWC_TEST_UNSET_VARIABLE\" }\n",
        )
        .unwrap();
        let shop = file.get("shop").unwrap();
        assert_eq!(shop.system, "ccv_salespos");
        let settings: Shop = shop.settings().unwrap();
        assert_eq!(settings.base_url, "https://shop.example");
        let error = settings
            .secret_key
            .resolve("shop", "secret_key", &mut |_| {})
            .unwrap_err();
        assert!(
            error.message.contains("FLOWC_TEST_UNSET_VARIABLE, which is not set"),
            "{error}"
        );
        let error = file.get("shops").unwrap_err();
        assert!(error.message.ends_with("did you mean `shop`?"), "{error}");
    }

    #[test]
    fn no_message_quotes_a_value_of_the_file() {
        let canary = "CANARY-7f3e";
        let file = connections(&format!(
            "[shop]\nsystem = \"ccv_salespos\"\nbase_url = \"x\"\nsecret_key = \"{canary}\"\nretries = \"{canary}\"\n"
        ))
        .unwrap();
        let error = file.get("shop").unwrap().settings::<Shop>().unwrap_err();
        assert!(!error.to_string().contains(canary), "{error}");
        assert!(error.message.contains("invalid type"), "{error}");

        let error = connections(&format!("[shop]\nsecret_key = \"{canary}\nsystem = 1")).unwrap_err();
        assert!(!error.to_string().contains(canary), "{error}");
        assert!(error.message.contains("at line 2"), "{error}");

        let typo = connections("[shop]\nsystem = \"x\"\nbase_url = \"x\"\nsecret_key = \"s\"\nretrys = 3\n").unwrap();
        let error = typo.get("shop").unwrap().settings::<Shop>().unwrap_err();
        assert!(error.message.contains("unknown field `retrys`"), "{error}");
    }

    #[test]
    fn plain_secrets_work_with_a_warning_and_never_print() {
        let file = connections("[shop]\nsystem = \"ccv_salespos\"\nbase_url = \"x\"\nsecret_key = \"CANARY-plain\"\n")
            .unwrap();
        let settings: Shop = file.get("shop").unwrap().settings().unwrap();
        assert!(!format!("{settings:?}").contains("CANARY"));
        let mut warnings = Vec::new();
        let secret = settings
            .secret_key
            .resolve("shop", "secret_key", &mut |warning| warnings.push(warning))
            .unwrap();
        assert_eq!(secret.expose_secret(), "CANARY-plain");
        assert!(!format!("{secret:?}").contains("CANARY"));
        assert_eq!(warnings.len(), 1);
        assert!(!warnings[0].contains("CANARY"));
    }

    #[test]
    fn file_secrets_are_their_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret\n").unwrap();
        let secret = Secret::File { file: path.clone() };
        let mut warnings = Vec::new();
        let value = secret.resolve("shop", "secret_key", &mut |w| warnings.push(w)).unwrap();
        assert_eq!(value.expose_secret(), "s3cret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            secret.resolve("shop", "secret_key", &mut |w| warnings.push(w)).unwrap();
            assert!(warnings.iter().any(|w| w.contains("chmod 600")), "{warnings:?}");
        }
    }
}
