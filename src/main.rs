//! The `flowc` command line: parses the arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// flowc builds many small values per record; mimalloc makes allocating and
/// freeing them markedly cheaper than the system allocator (see
/// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use flowc::cli::{self, ColorChoice, Format, Outcome};

/// A mapping language for business-system integrations.
#[derive(Parser)]
#[command(name = "flowc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check .flow files and report their problems.
    Check {
        /// Files, or directories searched for *.flow files (default: the current directory).
        paths: Vec<PathBuf>,
        /// How to report: for people, or one JSON object per line for editors.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// When to use colour.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Fail on warnings too: `--deny warnings`.
        #[arg(long, value_name = "warnings", value_parser = ["warnings"])]
        deny: Option<String>,
    },
    /// Apply a flow to records (JSON or NDJSON) and write what it gives as NDJSON.
    Map {
        /// The .flow file.
        flow: PathBuf,
        /// The records: a file, or - for standard input (the default).
        #[arg(long, short)]
        input: Option<PathBuf>,
        /// A setting's value: --set name=value (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE", value_parser = cli::load::parse_setting)]
        settings: Vec<(String, String)>,
        /// How to report failed records on stderr.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// When to use colour.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// The moment `now()` and `today()` give (RFC 3339), for reproducible runs.
        #[arg(long, value_parser = parse_moment)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Sync records: plan what the flow decides for each source record and apply it to the target.
    Run {
        /// The .flow file.
        flow: PathBuf,
        /// Where the source records are: dir:PATH (a directory of <entity>.json files).
        #[arg(long)]
        source: String,
        /// Where the target records are: dir:PATH.
        #[arg(long)]
        target: String,
        /// A setting's value: --set name=value (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE", value_parser = cli::load::parse_setting)]
        settings: Vec<(String, String)>,
        /// Plan only: print what would happen, write nothing to the target.
        #[arg(long)]
        dry_run: bool,
        /// How to print the plans: for people, or one JSON object per record.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// When to use colour.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// The activity log the run appends to.
        #[arg(long, default_value = ".flowc/activity.ndjson")]
        log: PathBuf,
        /// Log payloads whole: without this, e-mail addresses, names, addresses and phone numbers are masked.
        #[arg(long)]
        log_payloads: bool,
        /// Only source records whose cursor field (an order's id, a product's change date) is beyond this.
        #[arg(long)]
        after: Option<String>,
        /// The moment `now()` and `today()` give (RFC 3339), for reproducible runs.
        #[arg(long, value_parser = parse_moment)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Run the mapping tests (*.tests.json) under the given paths.
    Test {
        /// Test files, or directories searched for *.tests.json (default: the current directory).
        paths: Vec<PathBuf>,
        /// When to use colour.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Explain a diagnostic code, such as E0001.
    Explain {
        /// The code.
        code: String,
    },
}

/// The stack of the thread that runs a command. Deep but legal nesting in
/// a .flow file or a record is bounded by limits with diagnostics; this
/// leaves those limits a wide margin.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    let outcome = match worker.map(|handle| handle.join()) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) | Err(_) => Outcome::Unusable,
    };
    ExitCode::from(outcome as u8)
}

fn run(cli: Cli) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Check {
            paths,
            format,
            color,
            deny,
        } => {
            let options = cli::check::Options {
                paths,
                format,
                color,
                deny_warnings: deny.is_some(),
            };
            cli::check::run(&options, &mut stdout)
        }
        Command::Map {
            flow,
            input,
            settings,
            format,
            color,
            now,
        } => {
            let clock = now.map_or(flowc::eval::Clock::System, flowc::eval::Clock::Fixed);
            let options = cli::map::Options {
                flow,
                input,
                settings,
                format,
                color,
                clock,
            };
            cli::map::run(&options, &mut stdout)
        }
        Command::Run {
            flow,
            source,
            target,
            settings,
            dry_run,
            format,
            color,
            log,
            log_payloads,
            after,
            now,
        } => {
            let clock = now.map_or(flowc::eval::Clock::System, flowc::eval::Clock::Fixed);
            let options = cli::run::Options {
                flow,
                source,
                target,
                settings,
                dry_run,
                format,
                color,
                log,
                log_payloads,
                after,
                clock,
            };
            cli::run::run(&options, &mut stdout)
        }
        Command::Test { paths, color } => cli::test::run(&cli::test::Options { paths, color }, &mut stdout),
        Command::Explain { code } => cli::explain::run(&code, &mut stdout),
    }
}

fn parse_moment(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|moment| moment.to_utc())
        .map_err(|_| format!("`{text}` is not an RFC 3339 date-time such as 2024-03-14T10:00:00Z"))
}
