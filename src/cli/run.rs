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
    /// How to print the plans: for people, or one JSON object per record.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The activity log the run appends to (default: activity.ndjson in the state directory).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Log payloads whole: without this, e-mail addresses, names, addresses and phone numbers are masked.
    #[arg(long)]
    pub log_payloads: bool,
    /// Only source records whose cursor field (an order's id, a product's change date) is beyond this.
    #[arg(long)]
    pub after: Option<String>,
    /// The moment `now()` and `today()` give (RFC 3339), for reproducible runs.
    #[arg(long = "now", value_name = "MOMENT", value_parser = parse_clock, default_value = "system")]
    pub clock: Clock,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
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
    let mut log = match ActivityLog::open(&log_path, &flow.name, moment, options.dry_run, options.log_payloads) {
        Ok(log) => log,
        Err(error) => {
            eprintln!("error: cannot write the activity log {}: {error}", log_path.display());
            return Outcome::Unusable;
        }
    };
    let run_options = runtime::Options {
        dry_run: options.dry_run,
        after: options.after.as_deref().map(parse_cursor),
        ..runtime::Options::default()
    };
    let evaluator = Evaluator::new(program, loaded.settings.clone(), options.clock);
    let flow_file = loaded.checked.file(FileId(0));
    let mut log_failed = None;
    let result = runtime::run(
        &evaluator,
        flow,
        source.as_ref(),
        target.as_ref(),
        io.handle(),
        &run_options,
        |processed| {
            let text = match options.format {
                Format::Human => human(&processed.key, processed.plan, flow_file, style),
                Format::Json => crate::plan::json_line(processed.plan, Some(&processed.key)) + "\n",
            };
            let _ = out.write_all(text.as_bytes());
            if let Err(error) = log.record(options.clock.now(), &processed.key, processed.input, processed.plan) {
                log_failed.get_or_insert(error);
            }
        },
    );
    let _ = log.flush();
    if let Some(error) = log_failed {
        eprintln!(
            "error: the activity log {} could not be written: {error}",
            log_path.display()
        );
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: the source could not be read: {}", error.said());
            return Outcome::Unusable;
        }
    };
    let dry = if options.dry_run {
        " (dry run: nothing was written)"
    } else {
        ""
    };
    let cursor = summary
        .cursor
        .as_ref()
        .map(|c| format!("; next run: --after {}", json::to_string(c)))
        .unwrap_or_default();
    match options.format {
        Format::Human => {
            let _ = writeln!(out, "{summary}{dry}{cursor}");
        }
        Format::Json => eprintln!("{summary}{dry}{cursor}"),
    }
    eprintln!("activity log: {} (run {})", log_path.display(), log.run_id());
    if summary.failed > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// A cursor from the command line: JSON when it reads as JSON (`42`), text otherwise.
fn parse_cursor(text: &str) -> Value<'static> {
    match json::parse(text) {
        Ok(value) => value.into_owned(),
        Err(_) => Value::from(text.to_string()),
    }
}

/// A plan for people: the decision and its reason, the actions in order,
/// and the payload of the flow's own entity.
fn human(key: &str, plan: &Plan, flow: &SourceFile, style: render::Style) -> String {
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
    let mut text = format!("record {key}: {decision}: {}\n", plan.reason(false));
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
