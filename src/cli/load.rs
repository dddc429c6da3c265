//! Loading a flow to run it: check it, report what is wrong, and resolve
//! its settings. Shared by `map`, `test` and `run`.

use std::path::Path;

use super::Outcome;
use super::files::{ReadFailure, describe, read_limited};
use crate::check::{self, Checked, FileLoader};
use crate::diagnostics::render::{self, Style};
use crate::eval::{Clock, settings};
use crate::source::SourceFile;
use crate::value::Value;

pub struct Loaded {
    pub checked: Checked,
    pub settings: Vec<Value<'static>>,
}

/// Checks the flow at `path` and resolves its settings; on failure the
/// problems are printed to stderr and the command cannot run.
pub fn load(path: &Path, given: &[(String, String)], style: Style) -> Result<Loaded, Outcome> {
    let checked = check_flow(path, style)?;
    match settings::resolve(&checked.program, given) {
        Ok(settings) => Ok(Loaded { checked, settings }),
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            Err(Outcome::Unusable)
        }
    }
}

/// Checks the flow at `path`; prints its errors to stderr when it has any.
pub fn check_flow(path: &Path, style: Style) -> Result<Checked, Outcome> {
    let name = path.display().to_string();
    let bytes = read_limited(path, crate::syntax::MAX_FILE_BYTES).map_err(|failure| {
        match failure {
            ReadFailure::Io(error) => eprintln!("error: cannot read {name}: {}", describe(&error)),
            ReadFailure::TooLarge => eprintln!("error: {name}: {}", crate::syntax::file_too_large().message),
        }
        Outcome::Unusable
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: {name} is not UTF-8 text; `flowc check {name}` shows where");
        return Err(Outcome::Unusable);
    };
    let checked = check::check(SourceFile::new(name.clone(), text), &FileLoader);
    if checked.has_errors() {
        for (file, diagnostic) in checked.diagnostics.iter().filter(|(_, d)| d.is_error()) {
            eprint!("{}", render::render(diagnostic, checked.file(*file), style));
        }
        eprintln!("error: {name} has errors; fix them before running it");
        return Err(Outcome::Unusable);
    }
    if checked.program.flow.is_none() {
        eprintln!("error: {name} holds no flow");
        return Err(Outcome::Unusable);
    }
    Ok(checked)
}

/// Reads `--now`: an RFC 3339 moment, or `system` for the system clock.
pub fn parse_clock(text: &str) -> Result<Clock, String> {
    if text == "system" {
        return Ok(Clock::System);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|moment| Clock::Fixed(moment.to_utc()))
        .map_err(|_| format!("`{text}` is not an RFC 3339 date-time such as 2024-03-14T10:00:00Z"))
}

/// Reads `name=value`, as given to `--set`.
pub fn parse_setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not of the form name=value")),
    }
}
