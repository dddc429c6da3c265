//! The commands of the `flowc` binary, as library functions: `main.rs` only
//! parses the command line and calls these.

pub mod check;
pub mod connections;
pub mod explain;
pub mod files;
pub mod fmt;
pub mod load;
pub mod map;
pub mod output;
pub mod record_errors;
pub mod run;
pub mod sandbox;
pub mod schema;
pub mod state;
pub mod test;

pub use output::{ColorChoice, Format};

/// How a command ended, as the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything succeeded (warnings allowed).
    Success = 0,
    /// The command ran, and found errors (or failed records).
    Failure = 1,
    /// The command could not run: bad usage, unreadable input.
    Unusable = 2,
}

impl Outcome {
    /// The worse of two outcomes.
    pub fn and(self, other: Outcome) -> Outcome {
        if (other as u8) > (self as u8) { other } else { self }
    }
}
