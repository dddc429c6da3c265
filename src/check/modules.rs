//! Finding the modules a file imports.
//!
//! `std/...` paths name the modules shipped with flowc (embedded in the
//! binary); any other path is a file relative to the importing file, with or
//! without its `.flow` extension.

use std::path::{Path, PathBuf};

use crate::source::{ReadFailure, SourceFile, read_limited};
use crate::stdlib;

/// A module that was found: a key that is the same however it was reached
/// (for cycles and for loading each module once), and its text.
pub struct Found {
    pub key: String,
    pub file: SourceFile,
}

pub trait Loader {
    /// Finds `path` as imported from the file named `importer`; the error
    /// says why it could not be found.
    fn load(&self, importer: &str, path: &str) -> Result<Found, String>;

    /// The key of the file named `name` (the main file), as [`Found::key`]
    /// would give it, so that a module importing the main file is a cycle.
    fn key(&self, name: &str) -> String {
        name.to_string()
    }
}

/// Loads `std/...` from the binary and other modules from the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileLoader;

impl Loader for FileLoader {
    fn key(&self, name: &str) -> String {
        std::fs::canonicalize(name).map_or_else(|_| name.to_string(), |path| path.display().to_string())
    }

    fn load(&self, importer: &str, path: &str) -> Result<Found, String> {
        if path.starts_with("std/") {
            return load_std(path);
        }
        if importer.starts_with("std/") {
            return Err("standard modules import only other standard modules".into());
        }
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        // `a/./b.flow` reads as `a/b.flow` in messages.
        let mut candidate: PathBuf = base
            .join(path)
            .components()
            .filter(|part| !matches!(part, std::path::Component::CurDir))
            .collect();
        if candidate.extension().is_none() {
            candidate.set_extension("flow");
        }
        let text = read_limited(&candidate, crate::syntax::MAX_FILE_BYTES).map_err(|failure| match failure {
            ReadFailure::Io(error) if error.kind() == std::io::ErrorKind::NotFound => {
                format!("there is no file {}", candidate.display())
            }
            ReadFailure::Io(error) => format!("{} cannot be read: {error}", candidate.display()),
            ReadFailure::TooLarge => format!(
                "{} is larger than {} MiB, the most a .flow file may have",
                candidate.display(),
                crate::syntax::MAX_FILE_BYTES / (1024 * 1024)
            ),
        })?;
        let text = String::from_utf8(text).map_err(|_| format!("{} is not UTF-8 text", candidate.display()))?;
        let key = std::fs::canonicalize(&candidate).unwrap_or_else(|_| PathBuf::from(&candidate));
        Ok(Found {
            key: key.display().to_string(),
            file: SourceFile::new(candidate.display().to_string(), text),
        })
    }
}

/// One of the modules shipped with flowc.
pub fn load_std(path: &str) -> Result<Found, String> {
    let path = path.strip_suffix(".flow").unwrap_or(path);
    match stdlib::module_source(path) {
        Some(text) => Ok(Found {
            key: path.to_string(),
            file: SourceFile::new(path, text),
        }),
        None => {
            let known: Vec<&str> = stdlib::module_paths().collect();
            Err(format!(
                "there is no standard module `{path}`; there are {}",
                known.join(", ")
            ))
        }
    }
}
