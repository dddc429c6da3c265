//! `flowc map FLOW`: applies a flow to records as a pure transform.
//!
//! Records are read from a file or stdin (NDJSON, a JSON array, or one JSON
//! document), each is run through the flow with nothing in the target, and
//! what it gives (its `emit`, or the payload of its write to the target) is
//! written to stdout as NDJSON. Errors fail their record only and go to
//! stderr.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use super::load::{load, parse_clock, parse_setting};
use super::record_errors::{self, Which};
use super::{ColorChoice, Format, Outcome};
use crate::diagnostics::{RecordError, codes};
use crate::eval::{Clock, Evaluator, Offline, Outcome as RecordOutcome, Reading};
use crate::value::documents::{Documents, ReadError};
use crate::value::json;

/// The arguments of `flowc map`.
#[derive(clap::Args)]
pub struct Options {
    /// The .flow file.
    pub flow: PathBuf,
    /// The records: a file, or - for standard input (the default).
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// A setting's value: --set name=value (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,
    /// How to report failed records on stderr.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The moment `now()` and `today()` give (RFC 3339), for reproducible runs.
    #[arg(long = "now", value_name = "MOMENT", value_parser = parse_clock, default_value = "system")]
    pub clock: Clock,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: usize,
    pub mapped: usize,
    /// Records the flow ran through to the end without writing anything
    /// (an `emit` inside an `if` that did not hold).
    pub empty: usize,
    pub filtered: usize,
    pub skipped: usize,
    pub failed: usize,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    let style = options.color.style_for_stderr();
    let loaded = match load(&options.flow, &options.settings, style) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let input: Box<dyn BufRead> = match &options.input {
        None => Box::new(std::io::stdin().lock()),
        Some(path) if path.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(path) => match open_input(path) {
            Ok(file) => Box::new(BufReader::with_capacity(1 << 16, file)),
            Err(reason) => {
                eprintln!("error: cannot read {}: {reason}", path.display());
                return Outcome::Unusable;
            }
        },
    };
    let evaluator = Evaluator::new(&loaded.checked.program, loaded.settings, options.clock);
    let flow_file = loaded.checked.file(crate::check::ir::FileId(0));
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut counts = Counts::default();
    let mut line = Vec::with_capacity(1024);
    let mut documents = Documents::new(input);
    let mut outcome = Outcome::Success;
    while let Some(next) = documents.next_document() {
        let (result, position) = match next {
            Ok((text, position)) => (read_and_map(&evaluator, text, &mut line, &mut counts), position),
            Err(ReadError::Record { position, message }) => {
                (Err(RecordError::new(codes::INVALID_JSON, message)), position)
            }
            Err(error) => {
                eprintln!("error: {error}");
                // Nothing could be read at all: the input is unusable.
                let unreadable = counts.read == 0 && matches!(error, ReadError::Io(_));
                outcome = if unreadable {
                    Outcome::Unusable
                } else {
                    Outcome::Failure
                };
                break;
            }
        };
        counts.read += 1;
        if let Err(error) = result {
            counts.failed += 1;
            let which = Which { position, key: None };
            let report = match options.format {
                Format::Human => record_errors::human(&error, &which, flow_file, style),
                Format::Json => record_errors::json(&error, &which, flow_file) + "\n",
            };
            eprint!("{report}");
            continue;
        }
        if !line.is_empty() && out.write_all(&line).is_err() {
            // stdout closed (a pipe into `head`): nothing more to do.
            return outcome;
        }
    }
    if out.flush().is_err() {
        return outcome;
    }
    if options.format == Format::Human {
        let empty = match counts.empty {
            0 => String::new(),
            n => format!(", {n} gave no output"),
        };
        eprintln!(
            "{} read: {} mapped{empty}, {} filtered out, {} skipped, {} failed",
            counts.read, counts.mapped, counts.filtered, counts.skipped, counts.failed
        );
    }
    if counts.failed > 0 {
        outcome = outcome.and(Outcome::Failure);
    }
    outcome
}

/// Opens `--input`: a file or a stream (a pipe, `/dev/stdin`), not a
/// directory.
fn open_input(path: &std::path::Path) -> Result<std::fs::File, String> {
    let file = std::fs::File::open(path).map_err(|error| super::files::describe(&error))?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => Err("it is a directory".to_string()),
        _ => Ok(file),
    }
}

/// Reads one record and maps it; fills `line` with its output.
fn read_and_map<'a>(
    evaluator: &'a Evaluator<'a>,
    text: &'a str,
    line: &mut Vec<u8>,
    counts: &mut Counts,
) -> Result<(), RecordError> {
    match evaluator.read(text) {
        Ok(Reading::Record(record)) => map_one(evaluator, &record, line, counts),
        Ok(Reading::Filtered(_)) => {
            line.clear();
            counts.filtered += 1;
            Ok(())
        }
        Err(error) => Err(RecordError::new(
            codes::INVALID_JSON,
            format!("the input is not valid JSON: {error}"),
        )),
    }
}

/// Runs one record; fills `line` with its output (empty when it gives none).
fn map_one<'a>(
    evaluator: &'a Evaluator<'a>,
    record: &'a crate::value::Value<'a>,
    line: &mut Vec<u8>,
    counts: &mut Counts,
) -> Result<(), RecordError> {
    let mut target = Offline::default();
    // An `emit` is written straight into `line`, not built first.
    match evaluator.run_emitting_json(record, &mut target, line)? {
        RecordOutcome::Filtered { .. } => counts.filtered += 1,
        RecordOutcome::Skipped { .. } => counts.skipped += 1,
        RecordOutcome::Completed { emitted } => {
            if line.is_empty()
                && let Some(value) = emitted.or(target.main_payload)
            {
                json::write(&value, line);
            }
            if line.is_empty() {
                counts.empty += 1;
            } else {
                line.push(b'\n');
                counts.mapped += 1;
            }
        }
    }
    Ok(())
}
