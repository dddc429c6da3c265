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
    /// Put .flow files in their one layout (in place), or check that they are.
    Fmt(cli::fmt::Options),
    /// Apply a flow to records (JSON or NDJSON) and write what it gives as NDJSON.
    Map(cli::map::Options),
    /// Sync records: plan what the flow decides for each source record and apply it to the target.
    Run(cli::run::Options),
    /// Run the failed records of an integration again (or the records named with --record).
    Retry(cli::run::RetryOptions),
    /// Show each integration's state: its cursor, records done, records failed, its last run.
    State(cli::state::Options),
    /// List the latest runs, newest first.
    Runs {
        #[command(flatten)]
        options: cli::state::Options,
        /// How many.
        #[arg(long, default_value_t = 20)]
        last: usize,
    },
    /// List the records that failed and wait for `flowc retry`, with their errors.
    Failed(cli::state::Options),
    /// Check the connections of the connections file.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// List the systems flowc knows, a system's entities, or an entity's fields.
    Schema {
        /// A system, such as eaccounting.
        system: Option<String>,
        /// One of its entities, such as customers.
        entity: Option<String>,
    },
    /// Serve a local emulator of a vendor's API, to try flows against without credentials.
    Sandbox(cli::sandbox::Options),
    /// Run the mapping tests (*.tests.json) under the given paths.
    Test {
        /// Test files, or directories searched for *.tests.json (default: the current directory).
        paths: Vec<PathBuf>,
        /// When to use colour.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Serve the language server protocol on standard input and output, for editors.
    Lsp,
    /// Explain a diagnostic code, such as E0001.
    Explain {
        /// The code.
        code: String,
    },
}

#[derive(Subcommand)]
enum ConnectionsCommand {
    /// Sign in to a connection's system and read one page; say in one line what is wrong.
    Check(cli::connections::CheckOptions),
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
        Command::Fmt(options) => cli::fmt::run(&options, &mut stdout),
        Command::Lsp => {
            drop(stdout);
            flowc::lsp::serve()
        }
        Command::Map(options) => cli::map::run(&options, &mut stdout),
        Command::Run(options) => cli::run::run(&options, &mut stdout),
        Command::Retry(options) => cli::run::retry(&options, &mut stdout),
        Command::State(options) => cli::state::overview(&options, &mut stdout),
        Command::Runs { options, last } => cli::state::runs(&options, last, &mut stdout),
        Command::Failed(options) => cli::state::failed(&options, &mut stdout),
        Command::Connections(ConnectionsCommand::Check(options)) => cli::connections::check(&options, &mut stdout),
        Command::Sandbox(options) => cli::sandbox::run(&options, &mut stdout),
        Command::Schema { system, entity } => cli::schema::run(system.as_deref(), entity.as_deref(), &mut stdout),
        Command::Test { paths, color } => cli::test::run(&cli::test::Options { paths, color }, &mut stdout),
        Command::Explain { code } => cli::explain::run(&code, &mut stdout),
    }
}
