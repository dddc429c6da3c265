//! Property tests: whatever text or bytes a `.flow` file holds, parsing and
//! checking give diagnostics and never panic.

use flowc::check::{self, Loader, modules::Found, modules::load_std};
use flowc::source::SourceFile;
use flowc::syntax;
use proptest::prelude::*;

/// Standard modules only: random text must not read the file system.
struct StdOnly;

impl Loader for StdOnly {
    fn load(&self, _importer: &str, path: &str) -> Result<Found, String> {
        load_std(path)
    }
}

const TOKENS: &[&str] = &[
    "flow",
    "orders",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "[*]",
    "[?@.a > 1]",
    "..",
    ".",
    ",",
    ":",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "??",
    "=>",
    "->",
    "and",
    "or",
    "not",
    "if",
    "else",
    "match",
    "for",
    "in",
    "let",
    "when",
    "emit",
    "create",
    "only",
    "unless",
    "upsert",
    "update",
    "lookup",
    "where",
    "skip",
    "exists",
    "require",
    "each",
    "source",
    "target",
    "setting",
    "table",
    "fn",
    "import",
    "as",
    "none",
    "true",
    "false",
    "$",
    "$.a",
    "x",
    "y",
    "_",
    "1",
    "2.50",
    "@2024-03-14",
    "@2024-03-14T10:00Z",
    "\"t\"",
    "\"${x}\"",
    "r\"\\d\"",
    "lower",
    "round",
    "filter",
    "map",
    "e.x",
    "text",
    "int",
    "decimal",
    "?",
    "|",
    "...",
    "// c\n",
    "/* c */",
    "\n",
    " ",
    "\"std/address\"",
    "\"",
    "${",
    "\\",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|tokens| tokens.join(" "))
}

fn check_text(text: &str) {
    let parsed = syntax::parse(text);
    let _ = parsed.diagnostics.len();
    let checked = check::check(SourceFile::new("prop.flow", text.to_string()), &StdOnly);
    for (_, diagnostic) in &checked.diagnostics {
        // Every span lies within the text it points into.
        let file = checked
            .program
            .file(checked.diagnostics.iter().map(|(file, _)| *file).next().unwrap());
        assert!(diagnostic.primary.span.end as usize <= file.text.len().max(text.len()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_without_panic(text in any::<String>()) {
        check_text(&text);
    }

    #[test]
    fn token_soup_checks_without_panic(text in token_soup()) {
        check_text(&text);
    }

    #[test]
    fn any_bytes_parse_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (_, parsed) = syntax::parse_bytes(&bytes);
        let _ = parsed.diagnostics.len();
    }

    #[test]
    fn a_valid_flow_with_one_token_changed_never_panics(position in 0usize..400, token in prop::sample::select(TOKENS)) {
        let valid = include_str!("check/valid_orders.flow");
        let mut at = position.min(valid.len());
        while !valid.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{}{}", &valid[..at], token, &valid[at..]);
        check_text(&mutated);
    }
}
