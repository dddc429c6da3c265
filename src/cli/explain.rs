//! `flowc explain CODE`: the long explanation of a diagnostic code.

use super::Outcome;
use crate::diagnostics::codes;

pub fn run(code: &str, out: &mut dyn std::io::Write) -> Outcome {
    match codes::lookup(code) {
        Some(code) => {
            let _ = writeln!(out, "{}: {}\n\n{}", code.id, code.title, code.explanation.trim_end());
            Outcome::Success
        }
        None => {
            eprintln!(
                "error: there is no diagnostic code `{code}`; codes look like E0001 or W0001 (see docs/diagnostics.md)"
            );
            Outcome::Unusable
        }
    }
}
