//! `flowc connections check NAME`: signs in to a connection's system and
//! reads one page, and says in one line whether it works, or what is wrong
//! (unreachable, bad credentials, missing rights).

use std::io::Write;
use std::path::PathBuf;

use super::Outcome;
use crate::connectors::{self, ErrorKind, Opening, PageRequest};

/// The arguments of `flowc connections check`.
#[derive(clap::Args)]
pub struct CheckOptions {
    /// The connection's name in the connections file.
    pub name: String,
    /// The connections file (default: $FLOWC_CONNECTIONS, else connections.toml here).
    #[arg(long, value_name = "FILE")]
    pub connections: Option<PathBuf>,
    /// Where flowc keeps rotating tokens.
    #[arg(long, value_name = "DIR", default_value = ".flowc")]
    pub state: PathBuf,
}

pub fn check(options: &CheckOptions, out: &mut dyn Write) -> Outcome {
    let mut warn = |warning: String| eprintln!("warning: {warning}");
    let mut opening = Opening {
        connections: options.connections.as_deref(),
        state: &options.state,
        warn: &mut warn,
    };
    let name = &options.name;
    let connection = match connectors::find_connection(name, &opening) {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("error: {}", error.said());
            return Outcome::Unusable;
        }
    };
    let connector = match connectors::connect(&connection, &mut opening) {
        Ok(connector) => connector,
        Err(error) => {
            let _ = writeln!(out, "{name}: cannot be used: {}", error.said());
            return Outcome::Failure;
        }
    };
    let runtime = match crate::runtime::io() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return Outcome::Unusable;
        }
    };
    let entity = connectors::probe_entity(&connection.system);
    let request = PageRequest {
        after: None,
        start: 0,
        size: 1,
    };
    match runtime.block_on(connector.list(entity, &request)) {
        Ok(page) => {
            let _ = writeln!(
                out,
                "{name}: works: signed in to {} and read {} of {entity}",
                connection.system,
                match page.records.len() {
                    0 => "no records (there are none)".to_string(),
                    n => format!("{n} record{}", if n == 1 { "" } else { "s" }),
                }
            );
            Outcome::Success
        }
        Err(error) => {
            let what = match error.kind {
                ErrorKind::Unreachable => "unreachable",
                ErrorKind::Auth => "bad credentials",
                ErrorKind::Forbidden => "missing rights",
                ErrorKind::Local => "cannot be used",
                ErrorKind::Protocol => "does not speak the protocol",
                _ => "failing",
            };
            let _ = writeln!(out, "{name}: {what}: {}", error.said());
            Outcome::Failure
        }
    }
}
