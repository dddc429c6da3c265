//! Finding the files a command works on under the paths given on the
//! command line, and reading them within a size limit.
//!
//! Searching a directory takes only regular files (a FIFO would block for
//! ever, a device never end), follows a link to a directory only once (a
//! link loop ends), and skips hidden entries and `target/`. A path named
//! on the command line is taken as it is, whatever it is (`<(...)` is a
//! pipe), and read within the limit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Outcome;

pub use crate::source::{ReadFailure, read_limited};

/// The files at or under `paths` whose names end with `suffix`, sorted
/// within each directory, and the paths that could not be read with the
/// reason.
pub fn files_under(paths: &[PathBuf], suffix: &str) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut search = Search {
        suffix,
        files: Vec::new(),
        problems: Vec::new(),
        visited: HashSet::new(),
    };
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => search.directory(path),
            Ok(_) => search.files.push(path.clone()),
            Err(error) => search.problems.push((path.clone(), describe(&error))),
        }
    }
    (search.files, search.problems)
}

/// The `.flow` files at or under `paths`.
pub fn flow_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    files_under(paths, ".flow")
}

/// The `.flow` files a command works on: under the paths given, or the
/// current directory. Paths that cannot be read are said on standard
/// error, and make the outcome `Unusable`; the files found are worked on.
pub fn flow_files_given(paths: &[PathBuf]) -> (Vec<PathBuf>, Outcome) {
    let here = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &here[..] } else { paths };
    let (files, problems) = flow_files(paths);
    for (path, reason) in &problems {
        eprintln!("error: cannot read {}: {reason}", path.display());
    }
    let outcome = if problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Unusable
    };
    (files, outcome)
}

struct Search<'s> {
    suffix: &'s str,
    files: Vec<PathBuf>,
    problems: Vec<(PathBuf, String)>,
    /// Directories searched, by their real path.
    visited: HashSet<PathBuf>,
}

impl Search<'_> {
    fn directory(&mut self, dir: &Path) {
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !self.visited.insert(real) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                self.problems.push((dir.to_path_buf(), describe(&error)));
                return;
            }
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let wanted = name.ends_with(self.suffix);
            // Through a link to where it leads; a dangling link to a wanted
            // file is worth a word.
            match std::fs::metadata(&entry) {
                Ok(meta) if meta.is_dir() => self.directory(&entry),
                Ok(meta) if meta.is_file() && wanted => self.files.push(entry),
                Ok(_) => {}
                Err(error) if wanted => self.problems.push((entry, describe(&error))),
                Err(_) => {}
            }
        }
    }
}

/// An I/O error in words, without the "(os error 2)" suffix.
pub fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn searching_follows_no_link_loop_and_reads_only_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("a")).unwrap();
        std::fs::write(root.join("a/one.flow"), "").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("again")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere.flow"), root.join("dangling.flow")).unwrap();
        let fifo = root.join("pipe.flow");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let (files, problems) = flow_files(&[root.to_path_buf()]);
        assert_eq!(files, [root.join("a/one.flow")], "each directory once, no FIFO");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, root.join("dangling.flow"));
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.flow");
        std::fs::write(&file, "x".repeat(100)).unwrap();
        assert_eq!(read_limited(&file, 100).unwrap().len(), 100);
        assert!(matches!(read_limited(&file, 99), Err(ReadFailure::TooLarge)));
        #[cfg(unix)]
        assert!(matches!(
            read_limited(Path::new("/dev/zero"), 1000),
            Err(ReadFailure::TooLarge)
        ));
        assert!(matches!(read_limited(dir.path(), 10), Err(ReadFailure::Io(_))));
    }
}
