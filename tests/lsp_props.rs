//! The language server never panics on text being typed: every prefix of
//! a shipped flow (as while typing it from the top), and shipped flows
//! with a piece cut out, and any text, answer every request at every kind
//! of place; and the formatter's tokens and layout take any text.

use std::path::Path;

use flowc::lsp::analysis::Document;
use proptest::prelude::*;

fn shipped() -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap() {
        for entry in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "flow") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push((path, text));
            }
        }
    }
    files.sort();
    files
}

/// The nearest character boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn every_answer(path: &Path, text: &str, offset: usize) {
    let document = Document::new(path, text);
    let _ = document.diagnostics();
    let _ = document.completions(offset);
    let _ = document.hover(offset);
    let _ = document.definition(offset);
    let _ = document.references(offset);
    let _ = document.symbols();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_flow_typed_from_the_top_is_answered_at_every_step(which in 0usize..64, cut in 0.0f64..1.0, at in 0.0f64..1.0) {
        let files = shipped();
        let (path, text) = &files[which % files.len()];
        let typed = &text[..boundary(text, (text.len() as f64 * cut) as usize)];
        let offset = boundary(typed, (typed.len() as f64 * at) as usize);
        every_answer(path, typed, offset);
        every_answer(path, typed, typed.len());
    }

    #[test]
    fn a_flow_with_a_piece_cut_out_is_answered(which in 0usize..64, from in 0.0f64..1.0, length in 0usize..200, at in 0.0f64..1.0) {
        let files = shipped();
        let (path, text) = &files[which % files.len()];
        let start = boundary(text, (text.len() as f64 * from) as usize);
        let end = boundary(text, start + length);
        let edited = format!("{}{}", &text[..start], &text[end..]);
        let offset = boundary(&edited, (edited.len() as f64 * at) as usize);
        every_answer(path, &edited, offset);
    }

    #[test]
    fn any_text_is_answered(text in "[ -~\n€]{0,300}", at in 0.0f64..1.0) {
        let offset = boundary(&text, (text.len() as f64 * at) as usize);
        every_answer(Path::new("typed.flow"), &text, offset);
        // The formatter's layout too, though it only lays out files that
        // parse: whatever the tokens, it gives text.
        let _ = flowc::format::layout::layout(&flowc::format::tokens::tokens(&text));
        let _ = flowc::format::format(&text);
    }
}
