//! Reading only what a flow needs changes nothing: every map fixture gives
//! the same result, record by record, whether the reader skips what the
//! flow does not read or reads everything, and whether its `emit` is built
//! or written straight out as JSON.

use std::path::Path;

use chrono::{TimeZone, Utc};
use flowc::check::{self, FileLoader};
use flowc::eval::{Clock, Evaluator, Offline, Outcome, settings};
use flowc::source::SourceFile;
use flowc::value::json::{self, Projection};

/// What a record gives; `streamed`: its `emit` is written straight out as
/// JSON (as `flowc map` does), not built.
fn outcome(evaluator: &Evaluator<'_>, text: &str, projection: &Projection, streamed: bool) -> String {
    let record = match json::parse_projected(text, projection) {
        Ok(record) => record,
        Err(error) => return format!("bad JSON: {error}"),
    };
    let mut target = Offline::default();
    let mut written = Vec::new();
    let outcome = if streamed {
        evaluator.run_emitting_json(&record, &mut target, &mut written)
    } else {
        evaluator.run(&record, &mut target)
    };
    match outcome {
        Ok(Outcome::Completed { .. }) if !written.is_empty() => String::from_utf8(written).unwrap(),
        Ok(_) | Err(_) if !written.is_empty() => panic!("an emit was left written for a record that did not complete"),
        Ok(Outcome::Completed { emitted }) => match emitted.or(target.main_payload) {
            Some(value) => json::to_string(&value),
            None => "nothing".into(),
        },
        Ok(other) => format!("{other:?}"),
        Err(error) => format!("{} {}", error.code, error.message),
    }
}

#[test]
fn projected_reads_give_the_same_results() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/map");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "flow") {
            continue;
        }
        let input = path.with_extension("ndjson");
        let Ok(input) = std::fs::read_to_string(&input) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let checked = check::check(SourceFile::new(path.display().to_string(), text), &FileLoader);
        if checked.has_errors() {
            continue;
        }
        let Ok(values) = settings::resolve(&checked.program, &[]) else {
            continue;
        };
        let clock = Clock::Fixed(Utc.with_ymd_and_hms(2024, 3, 14, 10, 0, 0).unwrap());
        let evaluator = Evaluator::new(&checked.program, values, clock);
        for line in input.lines().filter(|l| !l.trim().is_empty()) {
            let full = outcome(&evaluator, line, &Projection::All, false);
            let projected = outcome(&evaluator, line, &checked.program.projection, false);
            assert_eq!(full, projected, "{}: {line}", path.display());
            let streamed = outcome(&evaluator, line, &checked.program.projection, true);
            assert_eq!(streamed, projected, "written straight out, {}: {line}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 30, "only {compared} records compared");
}

#[test]
fn the_benchmark_flow_skips_what_it_does_not_read() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workloads/orders.flow");
    let checked = check::check(
        SourceFile::new("orders.flow", std::fs::read_to_string(path).unwrap()),
        &FileLoader,
    );
    let record = r#"{"id":1,"status":"paid","currency":"eur","created_at":"2024-03-01T10:15:00Z","customer":{"id":7,"email":"a@b.nl","first_name":"A","last_name":"B"},"line_items":[{"sku":"X","name":"Long product name","qty":1,"unit_price":"1.00","tax_rate":"21"}],"note":null}"#;
    let read = json::parse_projected(record, &checked.program.projection).unwrap();
    assert_eq!(
        json::to_string(&read),
        r#"{"id":1,"status":"paid","currency":"eur","created_at":"2024-03-01T10:15:00Z","customer":{"email":"a@b.nl","first_name":"A","last_name":"B"},"line_items":[{"sku":"X","qty":1,"unit_price":"1.00"}],"note":null}"#
    );
}
