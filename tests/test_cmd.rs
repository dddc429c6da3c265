//! `flowc test`: the runner's output for passing and failing cases.

use assert_cmd::Command;

fn flowc_test(dir: &str) -> String {
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", dir])
        .output()
        .unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn passing_cases_exit_zero() {
    insta::assert_snapshot!(flowc_test("tests/test_cmd/passing"));
}

#[test]
fn failing_cases_show_what_differs_and_exit_one() {
    insta::assert_snapshot!(flowc_test("tests/test_cmd/failing"));
}

#[test]
fn every_shipped_mapping_passes_its_cases() {
    let report = flowc_test("mappings");
    assert!(report.starts_with("exit: 0\n"), "{report}");
    assert!(!report.contains("\n0 passed"), "{report}");
}

#[test]
fn no_test_files_is_a_usage_error() {
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["test", "src/syntax"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no *.tests.json files"));
}

#[test]
fn source_records_of_another_system_are_a_usage_error_naming_it() {
    // A flow of eAccounting orders may be given eAccounting records to look
    // up in its source; AccountView's are the target's, not the source's.
    let dir = tempfile::TempDir::new().unwrap();
    let mapping = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/eaccounting--accountview");
    for flow in ["orders.flow", "country.flow"] {
        std::fs::copy(mapping.join(flow), dir.path().join(flow)).unwrap();
    }
    let mut cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(mapping.join("orders.tests.json")).unwrap()).unwrap();
    cases["source"] = serde_json::json!({"accountview.debtors": []});
    std::fs::write(dir.path().join("orders.tests.json"), cases.to_string()).unwrap();
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the source: `accountview.debtors` is not in the flow's system `eaccounting`"),
        "{stderr}"
    );
}

#[test]
fn a_flow_is_tested_by_the_tests_file_beside_it() {
    let report = flowc_test("mappings/accountview--eaccounting/stock.flow");
    assert!(report.starts_with("exit: 0\n"), "{report}");
    assert!(
        report.contains("running 8 tests from mappings/accountview--eaccounting/stock.tests.json"),
        "{report}"
    );

    let missing = flowc_test("mappings/accountview--eaccounting/absent.flow");
    assert!(missing.starts_with("exit: 2\n"), "{missing}");
    assert!(missing.contains("absent.tests.json: no such file"), "{missing}");
}
