//! Pathological nesting gets a located diagnostic, never a crash. Every case
//! runs on an ordinary test thread (2 MiB of stack), well below what the
//! flowc binary gives itself.

use flowc::check::{self, FileLoader};
use flowc::diagnostics::codes;
use flowc::source::SourceFile;

const DEPTH: usize = 100_000;

fn codes_of(text: &str) -> Vec<&'static str> {
    let checked = check::check(SourceFile::new("deep.flow", text.to_string()), &FileLoader);
    checked.diagnostics.iter().map(|(_, d)| d.code.id).collect()
}

fn flow_with(expr: &str) -> String {
    format!("flow deep {{\n  emit {{ x = {expr} }}\n}}\n")
}

#[test]
fn brackets_nested_100_000_deep() {
    let expr = "(".repeat(DEPTH) + "1" + &")".repeat(DEPTH);
    assert_eq!(codes_of(&flow_with(&expr)), [codes::NESTING_TOO_DEEP.id]);
}

#[test]
fn lists_and_objects_nested_100_000_deep() {
    let lists = "[".repeat(DEPTH) + &"]".repeat(DEPTH);
    assert_eq!(codes_of(&flow_with(&lists)), [codes::NESTING_TOO_DEEP.id]);
    let objects = "{ a = ".repeat(DEPTH) + "1" + &" }".repeat(DEPTH);
    assert_eq!(codes_of(&flow_with(&objects)), [codes::NESTING_TOO_DEEP.id]);
}

#[test]
fn interpolations_nested_100_000_deep() {
    let text = "\"${".repeat(DEPTH) + "1" + &"}\"".repeat(DEPTH);
    assert_eq!(codes_of(&flow_with(&text)), [codes::NESTING_TOO_DEEP.id]);
}

#[test]
fn unclosed_brackets_100_000_deep() {
    let expr = "(".repeat(DEPTH);
    assert_eq!(codes_of(&flow_with(&expr)), [codes::NESTING_TOO_DEEP.id]);
}

#[test]
fn prefix_operators_100_000_in_a_row() {
    let expr = "not ".repeat(DEPTH) + "true";
    assert!(codes_of(&flow_with(&expr)).contains(&codes::NESTING_TOO_DEEP.id));
    let expr = "-".repeat(DEPTH) + "1";
    assert!(codes_of(&flow_with(&expr)).contains(&codes::NESTING_TOO_DEEP.id));
}

#[test]
fn operator_chains_100_000_long() {
    let expr = "1 + ".repeat(DEPTH) + "1";
    assert!(codes_of(&flow_with(&expr)).contains(&codes::NESTING_TOO_DEEP.id));
    let expr = "$".to_string() + &".a".repeat(DEPTH);
    assert!(codes_of(&flow_with(&expr)).contains(&codes::NESTING_TOO_DEEP.id));
    let expr = "none ?? ".repeat(DEPTH) + "1";
    assert!(codes_of(&flow_with(&expr)).contains(&codes::NESTING_TOO_DEEP.id));
}

#[test]
fn else_if_chains_as_long_as_a_file_allows() {
    // 100,000 links would pass the size limit; 60,000 fit under it.
    let chain = "if a {1} else ".repeat(60_000) + "{2}";
    let found = codes_of(&flow_with(&chain));
    assert!(found.contains(&codes::NESTING_TOO_DEEP.id), "{found:?}");
    let too_big = "if true { 1 } else ".repeat(DEPTH) + "{ 2 }";
    assert_eq!(codes_of(&flow_with(&too_big)), [codes::FILE_TOO_LARGE.id]);
}

#[test]
fn files_over_the_size_limit() {
    let text = "// padding\n".repeat(flowc::syntax::MAX_FILE_BYTES / 10);
    assert_eq!(codes_of(&text), [codes::FILE_TOO_LARGE.id]);
}

/// Wide records cost time linear in their fields: 400,000 fields once took
/// minutes (each field searched the ones before it for its name), with
/// repeated names among them too.
#[test]
fn records_with_400_000_fields_are_read_and_spread() {
    use flowc::value::json;
    let fields: Vec<String> = (0..400_000).map(|i| format!("\"f{}\": {i}", i % 300_000)).collect();
    let text = format!("{{{}}}", fields.join(","));
    let record = json::parse(&text).unwrap();
    let object = record.as_object().unwrap();
    assert_eq!(object.len(), 300_000, "repeated names are one field");
    assert_eq!(
        object.get("f7"),
        Some(&flowc::value::Value::Int(300_007)),
        "the last value counts"
    );
    assert_eq!(object.iter().nth(7).unwrap().0, "f7", "where the name came first");

    let flow = "flow wide {\n  emit { ...$, extra = 1, ...$ }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wide.flow"), flow).unwrap();
    std::fs::write(dir.path().join("wide.ndjson"), &text).unwrap();
    let output = assert_cmd::Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(dir.path())
        .args(["map", "wide.flow", "--input", "wide.ndjson"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let out: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out.as_object().unwrap().len(), 300_001);
    assert_eq!(out["f299999"], 299_999);
}
