//! Diagnostics: what every stage reports to the user.
//!
//! A [`Diagnostic`] has a stable [`Code`] from the registry in [`codes`], a
//! message, a primary span, optional secondary labels and a help line. It is
//! rendered for humans by [`render`] (miette) and for editors by [`json`].

pub mod codes;
pub mod docs;
pub mod json;
pub mod personal;
pub mod record;
pub mod render;

pub use codes::{Code, Severity};
pub use record::RecordError;

use crate::source::Span;

/// A span with a short text shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary: Label { span, text: None },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// The text beside the primary span.
    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.primary.text = Some(text.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    /// Adds "did you mean `x`?" as help when a close candidate exists.
    pub fn did_you_mean<'a>(self, wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Diagnostic {
        match closest(wrong, candidates) {
            Some(best) => self.help(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same diagnostic moved `by` bytes to the right, for diagnostics found
    /// in a piece of a file that was parsed on its own.
    pub fn shifted(mut self, by: usize) -> Diagnostic {
        self.primary.span = self.primary.span.shifted(by);
        for label in &mut self.secondary {
            label.span = label.span.shifted(by);
        }
        self
    }
}

/// The candidate closest to `wrong`, if it is close enough to be a likely typo.
///
/// Uses the Damerau-Levenshtein distance, case-insensitively; a candidate is
/// close enough when at most a third of the longer name differs (and always
/// when only the case differs).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != wrong)
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&wrong_lower, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| {
            let longest = wrong.chars().count().max(candidate.chars().count());
            *distance == 0 || *distance * 3 <= longest
        })
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_close_names_only() {
        let names = ["only_paid", "default_debtor", "employee_number"];
        assert_eq!(closest("only_payd", names), Some("only_paid"));
        assert_eq!(closest("ONLY_PAID", names), Some("only_paid"));
        assert_eq!(closest("xyz", names), None);
        assert_eq!(closest("only_paid", names), None, "the name itself is no suggestion");
    }
}
