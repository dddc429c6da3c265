//! The examples in each code's explanation are real: the example triggers
//! the code, and the fix does not.

use flowc::check::{self, FileLoader};
use flowc::diagnostics::codes;
use flowc::source::SourceFile;

/// The ```flow blocks of a markdown text, in order.
fn flow_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim()) {
            (None, "```flow") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

fn codes_of(text: &str) -> Vec<&'static str> {
    let checked = check::check(SourceFile::new("example.flow", text.to_string()), &FileLoader);
    checked.diagnostics.iter().map(|(_, d)| d.code.id).collect()
}

#[test]
fn examples_trigger_their_code_and_fixes_do_not() {
    for code in codes::ALL.iter().filter(|code| !code.id.starts_with("E1")) {
        let blocks = flow_blocks(code.explanation);
        let Some(example) = blocks.first() else {
            // Codes whose example is not a single file (a huge file, bytes
            // that are not UTF-8, two modules) are covered in tests/check.
            continue;
        };
        let found = codes_of(example);
        assert!(
            found.contains(&code.id),
            "the example of {} gives {found:?}:\n{example}",
            code.id
        );
        if let Some(fix) = blocks.get(1) {
            let found = codes_of(fix);
            assert!(
                !found.contains(&code.id),
                "the fix of {} still gives {}:\n{fix}",
                code.id,
                code.id
            );
            let errors: Vec<&&str> = found.iter().filter(|id| id.starts_with('E')).collect();
            assert!(
                errors.is_empty(),
                "the fix of {} has errors {errors:?}:\n{fix}",
                code.id
            );
        }
    }
}

#[test]
fn every_explanation_is_reachable_with_flowc_explain() {
    for code in codes::ALL {
        let mut out = Vec::new();
        let outcome = flowc::cli::explain::run(&code.id.to_lowercase(), &mut out);
        assert_eq!(outcome, flowc::cli::Outcome::Success);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(&format!("{}: {}", code.id, code.title)), "{text}");
    }
}
