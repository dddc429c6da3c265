//! Golden tests of `flowc check`: every `.flow` file in `tests/check/` is
//! checked, and its rendered diagnostics are compared with the snapshot
//! beside it (`cargo insta review` to accept a change).

use std::collections::BTreeSet;
use std::path::Path;

use flowc::cli::check::check_bytes;
use flowc::diagnostics::{codes, json, render};

/// The diagnostics of a fixture as a person sees them, without colour.
fn rendered(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let name = format!("tests/check/{}", path.file_name().unwrap().to_string_lossy());
    let diagnostics = check_bytes(&name, &bytes);
    if diagnostics.is_empty() {
        return "no diagnostics\n".to_string();
    }
    diagnostics
        .iter()
        .map(|(file, diagnostic)| render::render(diagnostic, file, render::Style::Plain))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn diagnostics_of_each_fixture() {
    // Relative module paths resolve against the fixture's own directory.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    insta::glob!("check/*.flow", |path| {
        insta::assert_snapshot!(rendered(path));
    });
}

#[test]
fn valid_fixtures_have_no_diagnostics() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    for name in ["valid_orders.flow", "valid_library.flow"] {
        let path = Path::new("tests/check").join(name);
        assert_eq!(rendered(&path), "no diagnostics\n", "{name}");
    }
}

#[test]
fn every_check_code_has_a_fixture() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir("tests/check").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "flow") {
            let name = path.display().to_string();
            for (_, diagnostic) in check_bytes(&name, &std::fs::read(&path).unwrap()) {
                seen.insert(diagnostic.code.id);
            }
        }
    }
    // A file over the size limit is generated rather than kept as a fixture.
    let big = "// padding\n".repeat(flowc::syntax::MAX_FILE_BYTES / 10);
    for (_, diagnostic) in check_bytes("big.flow", big.as_bytes()) {
        seen.insert(diagnostic.code.id);
    }
    let missing: Vec<&str> = codes::ALL
        .iter()
        .filter(|code| !code.id.starts_with("E1"))
        .map(|code| code.id)
        .filter(|id| !seen.contains(id))
        .collect();
    assert!(missing.is_empty(), "no fixture in tests/check/ produces {missing:?}");
}

#[test]
fn json_lines_give_offsets_and_line_columns() {
    let text = "flow orders {\n  emit { total = \"INV-\" + 1042 }\n}\n";
    let diagnostics = check_bytes("t.flow", text.as_bytes());
    let lines: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|(file, d)| serde_json::from_str(&json::to_json_line(d, file)).unwrap())
        .collect();
    insta::assert_json_snapshot!(lines);
}
