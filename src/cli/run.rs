//! `flowc run FLOW --source dir:PATH --target dir:PATH`: syncs records.
//!
//! Every source record is planned (what the flow decides: create, update,
//! skip, fail, with the ordered lookups and writes and the reason for each)
//! and, unless `--dry-run`, applied to the target. The plans are printed
//! (`--format human|json`), every record is logged to the activity log, and
//! a summary ends the run. Exit 0 when no record failed, 1 when one did, 2
//! when the run cannot start.

use std::io::Write;
use std::path::PathBuf;

use super::load::{load, parse_clock, parse_setting};
use super::{ColorChoice, Format, Outcome};
use crate::check::ir::FileId;
use crate::connectors::{self, Access, Opening};
use crate::diagnostics::{Diagnostic, render};
use crate::eval::{Clock, Evaluator};
use crate::plan::{Decision, Plan, serde_plain};
use crate::runtime::state::{self, Store};
use crate::runtime::{self, log::ActivityLog};
use crate::source::SourceFile;
use crate::value::{Value, json};

/// The arguments of `flowc run`.
#[derive(clap::Args)]
pub struct Options {
    /// The .flow file.
    pub flow: PathBuf,
    /// Where the source records are: a connection's name in the connections file, or dir:PATH (a directory of ENTITY.json files).
    #[arg(long)]
    pub source: String,
    /// Where the target records are: a connection's name, or dir:PATH.
    #[arg(long)]
    pub target: String,
    /// The connections file (default: $FLOWC_CONNECTIONS, else connections.toml here).
    #[arg(long, value_name = "FILE")]
    pub connections: Option<PathBuf>,
    /// Where flowc keeps what it needs between runs (rotating tokens; the activity log by default).
    #[arg(long, value_name = "DIR", default_value = ".flowc")]
    pub state: PathBuf,
    /// A setting's value: --set name=value (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,
    /// Plan only: print what would happen, write nothing to the target.
    #[arg(long)]
    pub dry_run: bool,
    /// For people: every record's actions, payloads and failures in full (one line per record without).
    #[arg(long, short)]
    pub verbose: bool,
    /// How to print the plans: for people, or one JSON object per record.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The activity log the run appends to (default: activity.ndjson in the state directory).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Days the rotated activity logs are kept (one per day), then deleted.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub log_retention: u32,
    /// A command run (with sh -c) when records failed, with the run's summary as JSON on its standard input.
    #[arg(long, value_name = "COMMAND")]
    pub notify: Option<String>,
    /// Log payloads whole: without this, e-mail addresses, names, addresses and phone numbers are masked.
    #[arg(long)]
    pub log_payloads: bool,
    /// Only source records whose cursor field (an order's id, a product's change date) is beyond this.
    #[arg(long)]
    pub after: Option<String>,
    /// Records in flight at once, those that share a key (a customer's e-mail, an order) taking turns (default: 8 into a system, 1 into a folder; a dry run plans one at a time).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// The moment `now()` and `today()` give (RFC 3339), for reproducible runs.
    #[arg(long = "now", value_name = "MOMENT", value_parser = parse_clock, default_value = "system")]
    pub clock: Clock,
}

/// The arguments of `flowc retry`.
#[derive(clap::Args)]
pub struct RetryOptions {
    #[command(flatten)]
    pub run: Options,
    /// The source id of a record to run again (repeatable; default: every failed record of the integration).
    #[arg(long = "record", value_name = "ID")]
    pub records: Vec<String>,
}

/// Records in flight at once into a system over HTTP: enough to keep a
/// limit of 600 requests a minute per endpoint busy at a few hundred
/// milliseconds an answer, few enough to be kind to the system.
const DEFAULT_CONCURRENCY: usize = 8;

/// What a run goes over.
enum Over<'o> {
    /// The source's records after the cursor.
    Source,
    /// These records again (the failed ones when empty).
    Again(&'o [String]),
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    execute(options, Over::Source, out)
}

pub fn retry(options: &RetryOptions, out: &mut dyn Write) -> Outcome {
    execute(&options.run, Over::Again(&options.records), out)
}

fn execute(options: &Options, over: Over<'_>, out: &mut dyn Write) -> Outcome {
    let style = options.color.style_for_stdout();
    let loaded = match load(&options.flow, &options.settings, options.color.style_for_stderr()) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let program = &loaded.checked.program;
    let flow = program.flow.as_ref().expect("load checks there is a flow");
    let (Some(source_entity), Some(target_system)) = (&flow.source, flow.target_system()) else {
        eprintln!(
            "error: `flowc run` needs a flow with a `source` and a `target` in one system; this is a mapping: use `flowc map`"
        );
        return Outcome::Unusable;
    };
    let io = match runtime::io() {
        Ok(io) => io,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return Outcome::Unusable;
        }
    };
    if connectors::same_place(&options.source, &options.target) {
        eprintln!(
            "error: the source and the target are the same place ({}): each system needs its own",
            options.target
        );
        return Outcome::Unusable;
    }
    let mut warn = |warning: String| eprintln!("warning: {warning}");
    let mut opening = Opening {
        connections: options.connections.as_deref(),
        state: &options.state,
        warn: &mut warn,
    };
    let source = match connectors::open(&options.source, &source_entity.system, Access::Read, &mut opening) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: the source: {}", error.said());
            return Outcome::Unusable;
        }
    };
    let access = if options.dry_run { Access::Read } else { Access::Write };
    let target = match connectors::open(&options.target, target_system, access, &mut opening) {
        Ok(target) => target,
        Err(error) => {
            eprintln!("error: the target: {}", error.said());
            return Outcome::Unusable;
        }
    };
    for (side, connector) in [("source", &source), ("target", &target)] {
        if let Err(error) = connectors::wait(io.handle(), connector.connect()) {
            eprintln!("error: the {side}: {}", error.said());
            return Outcome::Unusable;
        }
    }
    let moment = options.clock.now();
    let log_path = options
        .log
        .clone()
        .unwrap_or_else(|| options.state.join("activity.ndjson"));
    if let Err(error) = runtime::log::rotate(&log_path, chrono::Utc::now().date_naive(), options.log_retention) {
        eprintln!(
            "warning: the activity logs beside {} could not be rotated: {error}",
            log_path.display()
        );
    }
    let mut log = match ActivityLog::open(&log_path, &flow.name, moment, options.dry_run, options.log_payloads) {
        Ok(log) => log,
        Err(error) => {
            eprintln!("error: cannot write the activity log {}: {error}", log_path.display());
            return Outcome::Unusable;
        }
    };
    // The integration's state: locked for a run that writes.
    let integration = state::sqlite::integration_id(&flow.name, &options.source, &options.target);
    let database = match state::sqlite::Database::open(&options.state) {
        Ok(database) => database,
        Err(error) => {
            eprintln!("error: {error}");
            return Outcome::Unusable;
        }
    };
    let mut kept = if options.dry_run {
        database.reader(&integration)
    } else {
        match database.writer(&integration) {
            Ok(kept) => kept,
            Err(error) => {
                eprintln!("error: {error}");
                return Outcome::Unusable;
            }
        }
    };
    let after = match options.after.as_deref() {
        Some(after) => {
            let cursor = parse_cursor(after);
            if let Some(problem) = cursor_misfit(&source_entity.system, &source_entity.entity, &cursor) {
                eprintln!("error: --after {after}: {problem}");
                return Outcome::Unusable;
            }
            Some(cursor)
        }
        None => match kept.cursor() {
            Ok(cursor) => cursor,
            Err(error) => {
                eprintln!("error: {error}");
                return Outcome::Unusable;
            }
        },
    };
    let concurrency = match options.concurrency {
        Some(n) => usize::from(n),
        None if options.target.starts_with("dir:") => 1,
        None => DEFAULT_CONCURRENCY,
    };
    let run_options = runtime::Options {
        dry_run: options.dry_run,
        after,
        concurrency,
        ..runtime::Options::default()
    };
    stop_on_signals(io.handle(), &run_options.stop);
    let evaluator = Evaluator::new(program, loaded.settings.clone(), options.clock);
    let flow_file = loaded.checked.file(FileId(0));
    let mut log_failed = None;
    let progress = progress();
    let mut failed = 0usize;
    let each = |processed: runtime::Processed<'_>| {
        let text = match options.format {
            Format::Human => human(&processed.key, processed.plan, flow_file, style, options.verbose),
            Format::Json => crate::plan::json_line(processed.plan, Some(&processed.key)) + "\n",
        };
        progress.suspend(|| {
            let _ = out.write_all(text.as_bytes());
        });
        progress.inc(1);
        if processed.plan.decision == Decision::Fail {
            failed += 1;
            progress.set_message(format!("· {failed} failed"));
        }
        if let Err(error) = log.record(options.clock.now(), &processed.key, processed.input, processed.plan) {
            log_failed.get_or_insert(error);
        }
    };
    let work = runtime::Run {
        evaluator: &evaluator,
        flow,
        source: source.as_ref(),
        target: target.as_ref(),
        runtime: io.handle(),
        options: &run_options,
        state: Some(&mut kept),
    };
    let result = match over {
        Over::Source => runtime::run(work, each),
        Over::Again(records) => runtime::retry(work, records, each),
    };
    progress.finish_and_clear();
    let _ = log.flush();
    if let Some(error) = log_failed {
        eprintln!(
            "error: the activity log {} could not be written: {error}",
            log_path.display()
        );
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(runtime::Stopped::Source(error)) => {
            eprintln!("error: the source could not be read: {}", error.said());
            return Outcome::Unusable;
        }
        Err(runtime::Stopped::State(error)) => {
            eprintln!("error: the run stopped: {error}; the records in flight are taken up by the next run");
            return Outcome::Unusable;
        }
    };
    let dry = if options.dry_run {
        " (dry run: nothing was written)"
    } else {
        ""
    };
    match options.format {
        Format::Human => {
            let _ = writeln!(out, "{summary}{dry}");
        }
        Format::Json => eprintln!("{summary}{dry}"),
    }
    if summary.stopped {
        eprintln!(
            "stopped when asked: the record in progress was finished and committed; the next run goes on from there"
        );
    }
    for key in &summary.missing {
        eprintln!("warning: record {key} is not in the source (any more): nothing was done with it");
    }
    if summary.failed > 0 && !options.dry_run {
        eprintln!("the failed records wait in the state: `flowc failed` lists them, `flowc retry` runs them again");
    }
    eprintln!("activity log: {} (run {})", log_path.display(), log.run_id());
    if summary.failed > 0 {
        if let Some(command) = &options.notify {
            notify(command, &integration, log.run_id(), &summary, options.dry_run);
        }
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// Runs `--notify COMMAND` (with `sh -c`) with the run's summary as JSON on
/// its standard input, so that a failing integration is reported at once.
/// It may take 60 seconds; what it prints goes to standard error.
fn notify(command: &str, integration: &str, run: &str, summary: &runtime::Summary, dry_run: bool) {
    use crate::value::Object;
    let count = |n: usize| Value::Int(n as i64);
    let mut report = Object::new();
    report.push("integration", Value::from(integration.to_string()));
    report.push("run", Value::from(run.to_string()));
    report.push("dry_run", Value::Bool(dry_run));
    report.push("read", count(summary.read));
    report.push("created", count(summary.created));
    report.push("updated", count(summary.updated));
    report.push("skipped", count(summary.skipped));
    report.push("filtered", count(summary.filtered));
    report.push("failed", count(summary.failed));
    report.push("summary", Value::from(summary.to_string()));
    let report = json::to_string(&Value::object(report));
    let child = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            eprintln!("warning: --notify could not be started: {error}");
            return;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(report.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return,
            Ok(Some(status)) => {
                eprintln!("warning: --notify ended with {status}");
                return;
            }
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                eprintln!("warning: --notify took more than 60 s and was stopped");
                return;
            }
            Err(error) => {
                eprintln!("warning: --notify: {error}");
                return;
            }
        }
    }
}

/// On a terminal, a line on standard error with the records done, their
/// rate and the failures so far; nothing when standard error is not a
/// terminal (indicatif draws only there).
fn progress() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} records, {per_sec} {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// SIGINT (Ctrl-C) and SIGTERM stop a run after the record in progress,
/// whose outcome is committed: nothing is left half done.
fn stop_on_signals(runtime: &tokio::runtime::Handle, stop: &std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let stop = stop.clone();
    runtime.spawn(async move {
        signalled().await;
        eprintln!("stopping after the record in progress (asked by a signal; ask again to stop at once)");
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Asked again: at once. The record in flight stays noted in the
        // state, and the next run takes it up first.
        signalled().await;
        eprintln!("stopped at once: the record in flight is taken up by the next run");
        std::process::exit(130);
    });
}

/// The next SIGINT or SIGTERM.
async fn signalled() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}

/// A cursor from the command line: JSON when it reads as JSON (`42`), text otherwise.
/// Why a cursor cannot be compared with the cursor field of a built-in
/// system's entity (a number for a date-time text, text for a number);
/// `None` when it can, or when the schema does not say.
fn cursor_misfit(system: &str, entity: &str, cursor: &Value<'_>) -> Option<String> {
    let schema = crate::connectors::schema::Catalog::builtin().entity(system, entity)?;
    let field = schema.cursor.as_deref()?;
    let kind = schema.fields.get(field)?.kind.as_str();
    let fits = match kind {
        "text" => cursor.as_str().is_some(),
        "int" | "decimal" => matches!(cursor, Value::Int(_) | Value::Decimal(_)),
        _ => true,
    };
    (!fits).then(|| {
        let example = if kind == "text" {
            " (such as 2024-03-01T00:00:00)"
        } else {
            ""
        };
        format!(
            "`{field}`, the cursor of {system}.{entity}, holds {kind} values{example}, and this is {}",
            cursor.kind().name()
        )
    })
}

fn parse_cursor(text: &str) -> Value<'static> {
    match json::parse(text) {
        Ok(value) => value.into_owned(),
        Err(_) => Value::from(text.to_string()),
    }
}

/// A plan for people: the decision and its reason in one line; with
/// `verbose`, the actions in order with their payloads, and where in the
/// flow a failure arose.
fn human(key: &str, plan: &Plan, flow: &SourceFile, style: render::Style, verbose: bool) -> String {
    let decision = match plan.decision {
        Decision::Filtered => "filtered out".to_string(),
        Decision::Fail => match &plan.error {
            Some(error) => format!("fail [{}]", error.code),
            None => "fail".to_string(),
        },
        other => match &plan.entity {
            Some(entity) if matches!(other, Decision::Create | Decision::Update) => {
                format!("{} {entity}", serde_plain(&other))
            }
            _ => serde_plain(&other),
        },
    };
    let written = plan
        .written_before_failing()
        .map(|written| format!(" ({written})"))
        .unwrap_or_default();
    let mut text = format!("record {key}: {decision}: {}{written}\n", plan.reason(false));
    if !verbose {
        return text;
    }
    for (index, action) in plan.actions.iter().enumerate() {
        text.push_str(&format!(
            "  {}. {} {}: {}\n",
            index + 1,
            serde_plain(&action.kind),
            action.entity,
            action.reason(false)
        ));
        if let Some(payload) = &action.payload {
            let pretty = json::to_string_pretty(payload).replace('\n', "\n       ");
            text.push_str(&format!("       {pretty}\n"));
        }
    }
    if let Some(error) = &plan.error
        && let Some(span) = error.span
    {
        let mut diagnostic = Diagnostic::new(error.code, span, error.message.clone());
        diagnostic.help = error.help.clone();
        for line in render::render(&diagnostic, flow, style).lines() {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}
