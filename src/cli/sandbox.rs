//! `flowc sandbox SYSTEM`: serves a local emulator of a vendor's API (see
//! [`crate::sandbox`]) until interrupted. On start it prints the address
//! and a ready `connections.toml` table that reaches it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::Outcome;
use crate::sandbox::{self, Faults, System};

/// The arguments of `flowc sandbox`.
#[derive(clap::Args)]
pub struct Options {
    /// The system to emulate.
    #[arg(value_enum)]
    pub system: System,
    /// The address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// A directory of ENTITY.json files (JSON arrays) to start with, such as a mapping's example/ folder.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Faults to inject, such as 429=10%,503=5%,create-then-500=20%@orders (see docs/connectors.md).
    #[arg(long, value_name = "SPEC", value_parser = Faults::parse)]
    pub faults: Option<Faults>,
    /// The connection's name in the printed table (default: shop, books, erp, ledger or till).
    #[arg(long)]
    pub name: Option<String>,
    /// Requests a minute per endpoint before 429 (eAccounting's limit: 600).
    #[arg(long)]
    pub requests_per_minute: Option<u32>,
    /// Seconds an access token lasts (eAccounting, Visma.net, AccountView).
    #[arg(long, default_value_t = 3600)]
    pub token_lifetime: u64,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return Outcome::Unusable;
        }
    };
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| options.system.connection_name().to_string());
    let mut sandbox_options = sandbox::Options::new(name);
    sandbox_options.data = options.data.clone();
    sandbox_options.faults = options.faults.clone().unwrap_or_else(Faults::none);
    sandbox_options.requests_per_minute = options.requests_per_minute;
    sandbox_options.token_lifetime = Duration::from_secs(options.token_lifetime.max(1));
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(options.listen).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("error: cannot listen on {}: {error}", options.listen);
                return Outcome::Unusable;
            }
        };
        let running = match sandbox::start(options.system, listener, sandbox_options).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("error: {error}");
                return Outcome::Unusable;
            }
        };
        let _ = writeln!(out, "listening on http://{}\n", running.address);
        let _ = writeln!(out, "{}", running.connection);
        let _ = out.flush();
        eprintln!("serving until interrupted (Ctrl-C)");
        running
            .until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        Outcome::Success
    })
}
