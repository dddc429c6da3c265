//! Output settings shared by the commands: human or JSON, colour or not.

use std::io::IsTerminal;

use crate::diagnostics::render::Style;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: rendered with source excerpts.
    #[default]
    Human,
    /// For tools: one JSON object per line.
    Json,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// The style for output going to stdout.
    pub fn style_for_stdout(self) -> Style {
        self.style(std::io::stdout().is_terminal())
    }

    /// The style for output going to stderr.
    pub fn style_for_stderr(self) -> Style {
        self.style(std::io::stderr().is_terminal())
    }

    fn style(self, terminal: bool) -> Style {
        let colour = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color(),
        };
        if colour { Style::Colour } else { Style::Plain }
    }
}

/// Whether the NO_COLOR convention (no-color.org) asks for no colour: set and
/// not empty.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}
