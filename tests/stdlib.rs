//! Every example in the standard library's registry runs, through the real
//! checker and evaluator, and gives exactly the documented result (decimal
//! scale included), or fails with the documented code.

use chrono::{TimeZone, Utc};
use flowc::check::{self, FileLoader};
use flowc::eval::{Clock, Evaluator, Offline, Outcome, settings};
use flowc::source::SourceFile;
use flowc::stdlib;
use flowc::value::{Value, json};

/// The moment the examples' clock shows.
fn clock() -> Clock {
    Clock::Fixed(Utc.with_ymd_and_hms(2024, 3, 14, 10, 0, 0).unwrap())
}

/// Evaluates `expr` in an otherwise empty flow: its value, or the error code.
fn evaluate(expr: &str) -> Result<String, String> {
    let text = format!("flow example {{\n  emit {{ value = {expr} }}\n}}\n");
    let checked = check::check(SourceFile::new("example.flow", text), &FileLoader);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|(_, d)| d.is_error())
        .map(|(_, d)| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "`{expr}` does not check: {errors:?}");
    let values = settings::resolve(&checked.program, &[]).unwrap();
    let evaluator = Evaluator::new(&checked.program, values, clock());
    let record = Value::Null;
    let mut target = Offline::default();
    match evaluator.run(&record, &mut target) {
        Ok(Outcome::Completed { emitted: Some(object) }) => Ok(json::to_string(object.get("value").unwrap())),
        Ok(other) => panic!("`{expr}` gave {other:?}"),
        Err(error) => Err(error.code.id.to_string()),
    }
}

#[test]
fn every_example_gives_its_result() {
    let mut failures = Vec::new();
    for function in stdlib::all() {
        assert!(!function.examples.is_empty(), "`{}` has no example", function.name);
        for example in function.examples {
            let got = evaluate(example.call);
            let expected = match example.result.strip_prefix("error ") {
                Some(code) => Err(code.to_string()),
                None => Ok(json::to_string(&json::parse(example.result).expect("the expected result is JSON"))),
            };
            if got != expected {
                failures.push(format!("{}: expected {expected:?}, got {got:?}", example.call));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_function_is_documented() {
    for function in stdlib::all() {
        assert!(function.doc.ends_with('.'), "`{}` needs a doc sentence", function.name);
    }
}
