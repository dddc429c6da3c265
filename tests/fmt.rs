//! `flowc fmt`: the layout it gives, that it is the same the second time,
//! that it never changes what a file means, and that it refuses a file
//! with syntax errors.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use flowc::format::format;
use flowc::syntax;
use proptest::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.flow` file shipped with flowc: the mappings and the standard
/// modules.
fn shipped() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "flow") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("mappings"), &mut files);
    walk(&root().join("stdlib"), &mut files);
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    files
}

/// What a file means: its syntax tree, without the places things were
/// written at.
fn meaning(text: &str) -> String {
    let parsed = syntax::parse(text);
    assert!(
        parsed.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}\n{text}",
        parsed.diagnostics
    );
    let spans = regex::Regex::new(r"(?s)Span \{\s*start: \d+,\s*end: \d+,?\s*\}").unwrap();
    spans.replace_all(&format!("{:?}", parsed.module), "Span").into_owned()
}

/// The text of a file's comments, in order.
fn comments(text: &str) -> Vec<String> {
    flowc::format::tokens::tokens(text)
        .into_iter()
        .filter(|token| {
            matches!(
                token.kind,
                flowc::format::tokens::Kind::LineComment | flowc::format::tokens::Kind::BlockComment
            )
        })
        .map(|token| token.text.trim_end().to_string())
        .collect()
}

/// Formats a text, and holds the result to what fmt promises.
fn formatted(text: &str) -> String {
    let once = format(text).expect("a file that parses is formatted");
    assert_eq!(format(&once).unwrap(), once, "formatting twice changes:\n{once}");
    assert_eq!(meaning(&once), meaning(text), "formatting changed the meaning:\n{once}");
    assert_eq!(comments(&once), comments(text), "formatting lost or moved a comment");
    once
}

#[test]
fn every_shipped_flow_is_formatted_and_formatting_keeps_its_meaning() {
    for path in shipped() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(formatted(&text), text, "{} is not formatted", path.display());
    }
}

#[test]
fn a_messy_file_gets_the_one_layout() {
    let text = std::fs::read_to_string(root().join("tests/fmt/messy.flow")).unwrap();
    insta::assert_snapshot!(formatted(&text));
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_its_diagnostic_and_left_alone() {
    let dir = tempfile::TempDir::new().unwrap();
    let broken = dir.path().join("broken.flow");
    let text = "flow orders {\n  let x = (1 +\n  emit { a = x }\n}\n";
    std::fs::write(&broken, text).unwrap();
    let good = dir.path().join("good.flow");
    std::fs::write(&good, "flow orders{\nemit{a=1}\n}\n").unwrap();
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "--color", "never"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("E0001"), "the syntax error is shown: {stderr}");
    assert!(stderr.contains("broken.flow has syntax errors"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text, "left alone");
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        "flow orders {\n  emit { a = 1 }\n}\n",
        "the other file is formatted"
    );
}

#[test]
fn check_lists_what_it_would_change_and_changes_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("orders.flow");
    let text = "flow orders {\nemit { a = 1 }\n}\n";
    std::fs::write(&file, text).unwrap();
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("orders.flow: not formatted"), "{stdout}");
    assert!(stdout.contains("+  emit { a = 1 }"), "the change is shown: {stdout}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // Formatted, the check passes.
    Command::cargo_bin("flowc")
        .unwrap()
        .arg("fmt")
        .arg(&file)
        .assert()
        .success();
    Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "--check"])
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn a_file_reached_through_a_link_is_formatted_and_the_link_stays() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("orders.flow");
    std::fs::write(&file, "flow orders{emit{a=1}}\n").unwrap();
    let link = dir.path().join("link.flow");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    Command::cargo_bin("flowc")
        .unwrap()
        .arg("fmt")
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "flow orders { emit { a = 1 } }\n"
    );
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "-"])
        .write_stdin("flow x{emit{a=$.b}}")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "flow x { emit { a = $.b } }\n");
}

/// A shipped flow with its layout undone in the ways people write: spaces
/// added and taken away between tokens where the language allows, lines
/// indented anyhow, blank lines added.
fn scrambled(text: &str, choices: &[u8]) -> String {
    let tokens = flowc::format::tokens::tokens(text);
    let mut out = String::new();
    let mut choice = choices.iter().cycle();
    for (index, token) in tokens.iter().enumerate() {
        let pick = *choice.next().unwrap();
        if token.breaks > 0 {
            for _ in 0..token.breaks + usize::from(pick.is_multiple_of(5)) {
                out.push('\n');
            }
            out.push_str(&" ".repeat(usize::from(pick % 7)));
        } else if index > 0 {
            // No space where the language joins tokens tightly (`$.a`,
            // `a.b`), one or several elsewhere.
            let before = tokens[index - 1].text;
            let tight = matches!(before, "." | ".." | "$" | "...") || matches!(token.text, "." | "..");
            if !tight {
                out.push_str(&" ".repeat(1 + usize::from(pick % 3)));
            }
        }
        out.push_str(token.text);
    }
    out.push('\n');
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn scrambled_shipped_flows_format_back_the_same_way(
        which in 0usize..64,
        choices in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let files = shipped();
        let path = &files[which % files.len()];
        let text = std::fs::read_to_string(path).unwrap();
        let messy = scrambled(&text, &choices);
        prop_assume!(syntax::parse(&messy).diagnostics.iter().all(|d| !d.is_error()));
        let again = formatted(&messy);
        // The line breaks are the writer's: with the blank lines and the
        // indentation undone, the shipped layout comes back.
        let squeeze = |text: &str| text.lines().filter(|line| !line.trim().is_empty()).collect::<Vec<_>>().join("\n");
        prop_assert_eq!(squeeze(&again), squeeze(&text), "{}", path.display());
    }
}

#[test]
fn standard_input_goes_alone_and_an_unreadable_path_is_named() {
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "-", "mappings"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("formatted on its own"));

    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["fmt", "no/such/place.flow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/place.flow"));
}
