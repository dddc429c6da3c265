//! `docs/diagnostics.md`, generated from the code registry.

use super::codes::{self, Severity};

/// The reference page of every diagnostic code.
pub fn markdown() -> String {
    let mut page = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from src/diagnostics/codes.rs and src/diagnostics/explain/*.md; \
         do not edit. Regenerate with `FLOWC_BLESS=1 cargo test --test docs`. -->\n\n\
         Every problem flowc reports has a code. `flowc explain CODE` prints the same text as below. \
         `E00xx` are found by `flowc check`, `E1xxx` while a record is evaluated, and `W0xxx` are warnings \
         (which fail `flowc check` only with `--deny warnings`). A code keeps its meaning forever.\n\n\
         | code | severity | title |\n|---|---|---|\n",
    );
    for code in codes::ALL {
        let severity = match code.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        page.push_str(&format!(
            "| [{0}](#{1}) | {severity} | {2} |\n",
            code.id,
            code.id.to_lowercase(),
            code.title
        ));
    }
    for code in codes::ALL {
        page.push_str(&format!(
            "\n## {}\n\n**{}**\n\n{}\n",
            code.id,
            code.title,
            demote_headings(code.explanation.trim())
        ));
    }
    page
}

/// Explanations use `##` for their sections; under a code's own `##` they
/// become `###`.
fn demote_headings(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("## ") {
                format!("#{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
