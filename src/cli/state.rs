//! `flowc state`, `flowc runs`, `flowc failed`: what the state directory
//! keeps, for people: each integration's cursor and counts, the history of
//! runs, and the records that failed and wait for `flowc retry`.

use std::io::Write;
use std::path::PathBuf;

use super::Outcome;
use crate::runtime::state::sqlite::Database;
use crate::runtime::state::{Counts, RunRow};

/// The arguments every state command takes.
#[derive(clap::Args)]
pub struct Options {
    /// The state directory (as `flowc run --state`).
    #[arg(long, value_name = "DIR", default_value = ".flowc")]
    pub state: PathBuf,
    /// Only the integration whose name contains this (its flow, source or target).
    #[arg(long, value_name = "TEXT")]
    pub integration: Option<String>,
}

/// The database of a state directory that exists (a state command never
/// makes one).
fn open(options: &Options) -> Result<Database, Outcome> {
    if !options.state.join("flowc.sqlite").is_file() {
        eprintln!(
            "error: {} holds no state: no run has written there (give the --state of your runs)",
            options.state.display()
        );
        return Err(Outcome::Unusable);
    }
    Database::open(&options.state).map_err(|error| {
        eprintln!("error: {error}");
        Outcome::Unusable
    })
}

fn chosen(options: &Options, integration: &str) -> bool {
    options
        .integration
        .as_deref()
        .is_none_or(|wanted| integration.contains(wanted))
}

fn counts(counts: &Counts) -> String {
    format!(
        "{} read: {} filtered out, {} created, {} updated, {} skipped, {} failed",
        counts.read, counts.filtered, counts.created, counts.updated, counts.skipped, counts.failed
    )
}

fn run_line(run: &RunRow) -> String {
    let ended = match &run.ended {
        Some(ended) => format!("to {ended}"),
        None => "did not end (still running, or stopped)".to_string(),
    };
    format!("run {} from {} {ended}: {}", run.id, run.started, counts(&run.counts))
}

/// `flowc state`: each integration's cursor and counts.
pub fn overview(options: &Options, out: &mut dyn Write) -> Outcome {
    let database = match open(options) {
        Ok(database) => database,
        Err(outcome) => return outcome,
    };
    let overviews = match database.overviews() {
        Ok(overviews) => overviews,
        Err(error) => {
            eprintln!("error: {error}");
            return Outcome::Unusable;
        }
    };
    for overview in overviews.iter().filter(|o| chosen(options, &o.integration)) {
        let _ = writeln!(out, "{}", overview.integration);
        let _ = writeln!(
            out,
            "  cursor: {}",
            overview
                .cursor
                .as_deref()
                .unwrap_or("(none yet: the next run reads from the start)")
        );
        let _ = writeln!(out, "  records done: {}", overview.done);
        let _ = writeln!(out, "  failed, waiting for `flowc retry`: {}", overview.dead_letters);
        if overview.in_flight > 0 {
            let _ = writeln!(
                out,
                "  in flight when a run stopped: {} (the next run takes them up first)",
                overview.in_flight
            );
        }
        if let Some(run) = &overview.last_run {
            let _ = writeln!(out, "  last {}", run_line(run));
        }
    }
    Outcome::Success
}

/// `flowc runs`: the latest runs, newest first.
pub fn runs(options: &Options, limit: usize, out: &mut dyn Write) -> Outcome {
    let database = match open(options) {
        Ok(database) => database,
        Err(outcome) => return outcome,
    };
    match database.runs(None, usize::MAX) {
        Ok(runs) => {
            for run in runs.iter().filter(|run| chosen(options, &run.integration)).take(limit) {
                let _ = writeln!(out, "{}: {}", run.integration, run_line(run));
            }
            Outcome::Success
        }
        Err(error) => {
            eprintln!("error: {error}");
            Outcome::Unusable
        }
    }
}

/// `flowc failed`: the records that failed, with their errors. Exit 1 when
/// there are any.
pub fn failed(options: &Options, out: &mut dyn Write) -> Outcome {
    let database = match open(options) {
        Ok(database) => database,
        Err(outcome) => return outcome,
    };
    let letters = match database.dead_letters(None) {
        Ok(letters) => letters,
        Err(error) => {
            eprintln!("error: {error}");
            return Outcome::Unusable;
        }
    };
    let letters: Vec<_> = letters
        .iter()
        .filter(|letter| chosen(options, &letter.integration))
        .collect();
    for letter in &letters {
        let tries = if letter.attempts == 1 {
            "1 attempt".to_string()
        } else {
            format!("{} attempts", letter.attempts)
        };
        let _ = writeln!(
            out,
            "{}: record {}: [{}] {} ({tries}, first failed {}, last {})",
            letter.integration, letter.key, letter.code, letter.error, letter.first_failed, letter.last_failed
        );
    }
    if letters.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}
