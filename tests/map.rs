//! Golden tests of `flowc map`: each `tests/map/<name>.flow` runs on
//! `<name>.ndjson` (or `.json`), with the arguments in `<name>.args` (one per
//! line) if there is such a file; exit code, stdout and stderr are compared
//! with the snapshot.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use flowc::diagnostics::codes;

fn run(flow: &Path) -> (i32, String, String) {
    let stem = flow.file_stem().unwrap().to_string_lossy().to_string();
    let dir = Path::new("tests/map");
    let input = ["ndjson", "json"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{stem} has no input file"));
    let args: Vec<String> = std::fs::read_to_string(dir.join(format!("{stem}.args")))
        .map(|text| text.lines().map(String::from).collect())
        .unwrap_or_default();
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .arg("map")
        .arg(dir.join(format!("{stem}.flow")))
        .arg("--input")
        .arg(&input)
        .args(["--now", "2024-03-14T10:00:00Z"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn mapping_fixtures() {
    insta::glob!("map/*.flow", |path| {
        let (code, stdout, stderr) = run(path);
        insta::assert_snapshot!(format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}"));
    });
}

#[test]
fn every_record_error_code_has_a_fixture() {
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/map")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "flow") {
            let relative = Path::new("tests/map").join(path.file_name().unwrap());
            let (_, _, stderr) = run(&Path::new(env!("CARGO_MANIFEST_DIR")).join(relative));
            for code in codes::ALL.iter().filter(|c| c.id.starts_with("E1")) {
                if stderr.contains(code.id) {
                    seen.insert(code.id);
                }
            }
        }
    }
    // A failing target system (E1011) and too many reads and writes of it
    // (E1012) cannot happen in a pure mapping; the planner's tests cover
    // them (src/plan/tests.rs).
    let elsewhere = [codes::TARGET_FAILED.id, codes::TOO_MANY_ACTIONS.id];
    let missing: Vec<&str> = codes::ALL
        .iter()
        .filter(|c| c.id.starts_with("E1") && !seen.contains(c.id) && !elsewhere.contains(&c.id))
        .map(|c| c.id)
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture in tests/map/ fails a record with {missing:?}"
    );
}
