//! The flowc binary: exit codes, output formats, colour, and bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn flowc() -> Command {
    let mut command = Command::cargo_bin("flowc").unwrap();
    command.env_remove("NO_COLOR");
    command
}

fn write(dir: &TempDir, name: &str, text: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

const VALID: &str = "flow orders {\n  emit { id = $.id }\n}\n";
const WARNING: &str = "flow orders {\n  let unused = 1\n  emit { id = $.id }\n}\n";
const ERROR: &str = "flow orders {\n  emit { id = idd }\n}\n";

#[test]
fn clean_files_exit_zero() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "ok.flow", VALID.as_bytes());
    flowc()
        .arg("check")
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors, 0 warnings"));
}

#[test]
fn errors_exit_one_and_warnings_only_with_deny() {
    let dir = TempDir::new().unwrap();
    let error = write(&dir, "error.flow", ERROR.as_bytes());
    flowc()
        .arg("check")
        .arg(&error)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("E0010"));
    let warning = write(&dir, "warning.flow", WARNING.as_bytes());
    flowc()
        .arg("check")
        .arg(&warning)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("W0003"));
    flowc()
        .args(["check", "--deny", "warnings"])
        .arg(&warning)
        .assert()
        .code(1);
}

#[test]
fn directories_are_searched_for_flow_files() {
    let dir = TempDir::new().unwrap();
    write(&dir, "a/ok.flow", VALID.as_bytes());
    write(&dir, "a/b/error.flow", ERROR.as_bytes());
    write(&dir, "a/notes.txt", b"not a flow");
    write(&dir, ".hidden/error.flow", ERROR.as_bytes());
    flowc()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("checked 2 files: 1 error, 0 warnings"));
}

#[test]
fn unreadable_paths_exit_two_and_are_named() {
    flowc()
        .args(["check", "does/not/exist.flow"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read does/not/exist.flow: no such file or directory",
        ));
}

#[test]
fn json_gives_one_object_per_diagnostic() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "error.flow", ERROR.as_bytes());
    let output = flowc().args(["check", "--format", "json"]).arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let diagnostic = &lines[0];
    assert_eq!(diagnostic["code"], "E0010");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(
        diagnostic["help"],
        "a field of the source record is read with `$`: `$.idd`"
    );
    assert_eq!(diagnostic["span"]["start"]["line"], 2);
    assert_eq!(diagnostic["span"]["start"]["column"], 15);
    assert_eq!(diagnostic["span"]["start_offset"], 28);
    assert_eq!(diagnostic["span"]["end_offset"], 31);
    assert!(diagnostic["file"].as_str().unwrap().ends_with("error.flow"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "error.flow", ERROR.as_bytes());
    // Not a terminal: no escapes.
    let plain = flowc().arg("check").arg(&path).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let forced = flowc()
        .args(["check", "--color", "always"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
    // NO_COLOR wins over auto even on a terminal; here it must at least not add colour.
    let no_color = flowc().env("NO_COLOR", "1").arg("check").arg(&path).output().unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\u{1b}'));
}

#[test]
fn hostile_files_get_a_diagnostic_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let deep = format!(
        "flow deep {{ emit {{ x = {}1{} }} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let deep = write(&dir, "deep.flow", deep.as_bytes());
    flowc()
        .arg("check")
        .arg(&deep)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("E0002"));
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let binary = write(&dir, "binary.flow", &binary);
    flowc()
        .arg("check")
        .arg(&binary)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("E0005"));
}

#[test]
fn explain_prints_a_code_and_refuses_unknown_ones() {
    flowc()
        .args(["explain", "E0030"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("E0030: field written twice"));
    flowc()
        .args(["explain", "E9999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no diagnostic code"));
}

#[test]
fn usage_errors_exit_two() {
    flowc().arg("frobnicate").assert().code(2);
    flowc().args(["check", "--format", "xml"]).assert().code(2);
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_cannot_be_read_is_not_counted_as_checked() {
    // /proc/self/mem is a regular file that fails when read.
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "ok.flow", VALID.as_bytes());
    flowc()
        .arg("check")
        .arg(&path)
        .arg("/proc/self/mem")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read /proc/self/mem"))
        .stdout(predicate::str::contains("checked 1 file: 0 errors"));
}

#[cfg(unix)]
#[test]
fn endless_and_blocking_files_neither_hang_nor_exhaust_memory() {
    let dir = TempDir::new().unwrap();
    write(&dir, "ok.flow", VALID.as_bytes());
    // A FIFO in a searched directory is not opened (it would block for
    // ever), and a link loop is followed once.
    let fifo = dir.path().join("pipe.flow");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    flowc()
        .arg("check")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("checked 1 file: 0 errors"));
    // /dev/zero is read one byte past the size limit, no further.
    flowc()
        .args(["check", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("E0003").and(predicate::str::contains("larger than 1 MiB")));
    flowc()
        .args(["map", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 1 MiB"));
    let flow = dir.path().join("ok.flow");
    flowc()
        .arg("map")
        .arg(&flow)
        .args(["--input", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "has no end within 128 MiB: the input is not JSON text",
        ));
}

#[test]
fn an_input_that_cannot_be_read_exits_two() {
    let dir = TempDir::new().unwrap();
    let flow = write(&dir, "ok.flow", VALID.as_bytes());
    for input in [dir.path().to_path_buf(), dir.path().join("missing.ndjson")] {
        flowc()
            .arg("map")
            .arg(&flow)
            .arg("--input")
            .arg(&input)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot read"));
    }
}
