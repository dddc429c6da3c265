//! `flowc fmt [--check] [PATHS]`: puts `.flow` files in their one layout
//! (see [`crate::format`]), in place, or with `--check` says which files
//! are not and how they would change. `-` formats standard input to
//! standard output, for editors.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::files::{ReadFailure, describe, flow_files_given, read_limited};
use super::{ColorChoice, Outcome};
use crate::diagnostics::{Diagnostic, render};
use crate::format;
use crate::source::SourceFile;
use crate::syntax;

#[derive(clap::Args)]
pub struct Options {
    /// Files, or directories searched for *.flow files (default: the
    /// current directory); `-` reads standard input and writes the
    /// formatted text to standard output.
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted, with the
    /// change, and fail if there is one.
    #[arg(long)]
    pub check: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    if options.paths.iter().any(|path| path == Path::new("-")) {
        if options.paths.len() > 1 {
            eprintln!("error: `-` (standard input) is formatted on its own, without other paths");
            return Outcome::Unusable;
        }
        return standard_input(options, out);
    }
    let (files, mut outcome) = flow_files_given(&options.paths);
    let (mut changed, mut refused) = (0, 0);
    for path in &files {
        let name = path.display().to_string();
        let text = match read_text(path) {
            Ok(text) => text,
            Err(reason) => {
                eprintln!("error: cannot read {name}: {reason}");
                outcome = Outcome::Unusable;
                continue;
            }
        };
        let formatted = match format::format(&text) {
            Ok(formatted) => formatted,
            Err(errors) => {
                refused += 1;
                report(&name, &text, &errors, options.color);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if options.check {
            let _ = writeln!(out, "{name}: not formatted");
            let diff = TextDiff::from_lines(&text, &formatted);
            let _ = write!(
                out,
                "{}",
                diff.unified_diff()
                    .context_radius(2)
                    .header(&name, &format!("{name} (formatted)"))
            );
        } else if let Err(error) = write_in_place(path, &formatted) {
            eprintln!("error: cannot write {name}: {}", describe(&error));
            outcome = Outcome::Unusable;
        } else {
            let _ = writeln!(out, "formatted {name}");
        }
    }
    let verb = if options.check { "to format" } else { "formatted" };
    eprintln!(
        "{} files: {changed} {verb}, {refused} with syntax errors left as they are",
        files.len()
    );
    if refused > 0 || (options.check && changed > 0) {
        outcome = outcome.and(Outcome::Failure);
    }
    outcome
}

fn standard_input(options: &Options, out: &mut dyn Write) -> Outcome {
    let mut bytes = Vec::new();
    let limit = syntax::MAX_FILE_BYTES as u64 + 1;
    if let Err(error) = std::io::stdin().lock().take(limit).read_to_end(&mut bytes) {
        eprintln!("error: cannot read standard input: {}", describe(&error));
        return Outcome::Unusable;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: standard input is not UTF-8 text");
        return Outcome::Unusable;
    };
    match format::format(&text) {
        Ok(formatted) if options.check => {
            if formatted == text {
                Outcome::Success
            } else {
                let _ = writeln!(out, "<stdin>: not formatted");
                Outcome::Failure
            }
        }
        Ok(formatted) => {
            let _ = out.write_all(formatted.as_bytes());
            Outcome::Success
        }
        Err(errors) => {
            report("<stdin>", &text, &errors, options.color);
            Outcome::Failure
        }
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = read_limited(path, syntax::MAX_FILE_BYTES).map_err(|failure| match failure {
        ReadFailure::Io(error) => describe(&error),
        ReadFailure::TooLarge => format!("it is larger than {} bytes", syntax::MAX_FILE_BYTES),
    })?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// The syntax errors that keep a file from being formatted.
fn report(name: &str, text: &str, errors: &[Diagnostic], color: ColorChoice) {
    let file = SourceFile::new(name, text);
    let style = color.style_for_stderr();
    for diagnostic in errors {
        eprint!("{}", render::render(diagnostic, &file, style));
    }
    eprintln!("error: {name} has syntax errors; fix them and format again (nothing was changed)");
}

/// Replaces a file's text: written beside it and renamed over it, so that
/// a crash leaves the old file or the new one, never half of one. The
/// file keeps its permissions; through a symbolic link, the file it points
/// to is replaced and the link stays.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    // A link is followed: the file it points to is formatted, the link stays.
    let path = &std::fs::canonicalize(path)?;
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    let permissions = std::fs::metadata(path)?.permissions();
    temporary.as_file().set_permissions(permissions)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}
