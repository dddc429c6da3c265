//! Human-readable diagnostics, drawn by miette: file name, line, caret, label,
//! help line.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};

/// How the report is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unicode box drawing with ANSI colours, for a terminal.
    Colour,
    /// Unicode box drawing without colour: for pipes, files, NO_COLOR and tests.
    Plain,
}

/// Renders one diagnostic for a person reading a terminal or a log.
pub fn render(diagnostic: &Diagnostic, file: &SourceFile, style: Style) -> String {
    let theme = match style {
        Style::Colour => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_urls(false);
    let report = Report {
        diagnostic,
        source: NamedSource::new(&file.name, file.text.clone()).with_language("flow"),
        file_len: file.text.len(),
    };
    let mut out = String::new();
    // Rendering into a String cannot fail for I/O reasons; a formatting error
    // would be a bug in miette, and then the plain one-line form is still useful.
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}[{}]: {}\n", diagnostic.severity, diagnostic.code, diagnostic.message);
    }
    out
}

/// The adapter that lets miette draw a [`Diagnostic`].
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<std::sync::Arc<str>>,
    file_len: usize,
}

impl Report<'_> {
    /// miette needs spans inside the text; a span at the very end of the file
    /// (a missing `}`) is drawn on the last character.
    fn fit(&self, span: Span) -> miette::SourceSpan {
        let start = (span.start as usize).min(self.file_len);
        let end = (span.end as usize).clamp(start, self.file_len);
        (start, end - start).into()
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report").field("diagnostic", self.diagnostic).finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = &self.diagnostic.primary;
        let primary = LabeledSpan::new_primary_with_span(primary.text.clone(), self.fit(primary.span));
        let secondary = self
            .diagnostic
            .secondary
            .iter()
            .map(|label| LabeledSpan::new_with_span(label.text.clone(), self.fit(label.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}
