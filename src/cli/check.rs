//! `flowc check [PATHS]`: reports the problems of `.flow` files.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use super::files::{ReadFailure, describe, flow_files_given, read_limited};
use super::{ColorChoice, Format, Outcome};
use crate::check::{self, FileLoader};
use crate::diagnostics::{Diagnostic, Severity, json, render};
use crate::source::SourceFile;
use crate::syntax;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: ColorChoice,
    /// Warnings make the check fail.
    pub deny_warnings: bool,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    let (files, mut outcome) = flow_files_given(&options.paths);
    let style = options.color.style_for_stdout();
    let mut reported = HashSet::new();
    let (mut errors, mut warnings) = (0, 0);
    let mut checked = 0;
    for path in &files {
        let name = path.display().to_string();
        let diagnostics = match read_limited(path, syntax::MAX_FILE_BYTES) {
            Ok(bytes) => check_bytes(&name, &bytes),
            Err(ReadFailure::TooLarge) => vec![(SourceFile::new(name, ""), syntax::file_too_large())],
            Err(ReadFailure::Io(error)) => {
                eprintln!("error: cannot read {name}: {}", describe(&error));
                outcome = Outcome::Unusable;
                continue;
            }
        };
        checked += 1;
        for (file, diagnostic) in diagnostics {
            // A module checked on its own and through an import is reported once.
            if !reported.insert((
                file.name.to_string(),
                diagnostic.code.id,
                diagnostic.primary.span,
                diagnostic.message.clone(),
            )) {
                continue;
            }
            match diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            let text = match options.format {
                Format::Human => render::render(&diagnostic, &file, style),
                Format::Json => json::to_json_line(&diagnostic, &file) + "\n",
            };
            let _ = out.write_all(text.as_bytes());
        }
    }
    if options.format == Format::Human {
        let _ = writeln!(out, "{}", summary(checked, errors, warnings));
    }
    if errors > 0 || (options.deny_warnings && warnings > 0) {
        outcome = outcome.and(Outcome::Failure);
    }
    outcome
}

/// Checks one file's bytes, giving each diagnostic with the file it is in.
pub fn check_bytes(name: &str, bytes: &[u8]) -> Vec<(SourceFile, Diagnostic)> {
    let (text, parsed) = syntax::parse_bytes(bytes);
    if std::str::from_utf8(bytes).is_err() {
        let file = SourceFile::new(name, text);
        return parsed.diagnostics.into_iter().map(|d| (file.clone(), d)).collect();
    }
    let checked = check::check(SourceFile::new(name, text), &FileLoader);
    checked
        .diagnostics
        .into_iter()
        .map(|(file, diagnostic)| (checked.program.file(file).clone(), diagnostic))
        .collect()
}

fn summary(files: usize, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "checked {}: {}, {}",
        plural(files, "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
