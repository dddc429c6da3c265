//! Reading only what a flow needs changes nothing: every map fixture gives
//! the same result, record by record, whether the reader skips what the
//! flow does not read or reads everything, whether the flow's first `when`
//! filters are asked while the record is read, and whether its `emit` is
//! built or written straight out as JSON.

use std::path::Path;

use chrono::{TimeZone, Utc};
use flowc::check::{self, FileLoader};
use flowc::eval::{Clock, Evaluator, Offline, Outcome, Reading, settings};
use flowc::source::SourceFile;
use flowc::value::json::{self, Projection};

/// How a record is read and its `emit` given.
#[derive(Clone, Copy, PartialEq)]
enum Way {
    /// Read whole, `emit` built.
    Whole,
    /// Read as the flow's projection says, `emit` built.
    Projected,
    /// As `flowc map` does: read by [`Evaluator::read`] (projected, the
    /// first filters asked early), `emit` written straight out as JSON.
    AsMap,
}

/// What a record gives.
fn outcome(evaluator: &Evaluator<'_>, text: &str, way: Way) -> String {
    let projection = match way {
        Way::Whole => &Projection::All,
        _ => &evaluator.program().projection,
    };
    let read = match way {
        Way::AsMap => evaluator.read(text),
        _ => json::parse_projected(text, projection).map(Reading::Record),
    };
    let record = match read {
        Ok(Reading::Record(record)) => record,
        Ok(Reading::Filtered(outcome)) => return format!("{outcome:?}"),
        Err(error) => return format!("bad JSON: {error}"),
    };
    let mut target = Offline::default();
    let mut written = Vec::new();
    let outcome = if way == Way::AsMap {
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
        Err(error) => format!("{} {} at {:?}", error.code, error.message, error.span),
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
            let whole = outcome(&evaluator, line, Way::Whole);
            let projected = outcome(&evaluator, line, Way::Projected);
            assert_eq!(whole, projected, "{}: {line}", path.display());
            let as_map = outcome(&evaluator, line, Way::AsMap);
            assert_eq!(
                as_map,
                projected,
                "as flowc map reads and writes, {}: {line}",
                path.display()
            );
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

/// Whether a flow with `body` before its `emit` has early filters, and
/// whether they are all comparisons of fields with constants.
fn early_filters(body: &str) -> (bool, bool) {
    let text = format!("flow f {{\n{body}\n  emit {{ id = $.id }}\n}}\n");
    let checked = check::check(SourceFile::new("f.flow", text), &FileLoader);
    assert!(!checked.has_errors(), "{body}: {:?}", checked.diagnostics);
    match &checked.program.filters {
        Some(filters) => (true, filters.comparisons.is_some()),
        None => (false, false),
    }
}

#[test]
fn only_leading_pure_filters_of_record_fields_gate_the_read() {
    let gated = |body: &str| early_filters(body).0;
    assert!(gated(r#"when $.status == "paid""#));
    assert!(gated(
        r#"when $.status == "paid"
  when $.customer.email != none"#
    ));
    assert!(!gated(""), "no filter");
    assert!(
        !gated(
            r#"let s = $.status
  when s == "paid""#
        ),
        "not first"
    );
    assert!(!gated(r#"when count(keys($)) > 2"#), "reads the whole record");
    // Comparisons of fields with constants are asked without evaluating.
    let comparisons = |body: &str| early_filters(body).1;
    assert!(comparisons(r#"when $.status == "paid""#));
    assert!(comparisons(
        r#"when "paid" != $.status
  when $.total == 0"#
    ));
    assert!(
        !comparisons(
            r#"when $.status == "paid"
  when $.total > 0"#
        ),
        "not every filter is a comparison"
    );
    assert!(
        !comparisons(r#"when $.customer.email == "x""#),
        "not a field of the record itself"
    );
    // Filters with variables of their own are asked in a frame for them.
    assert!(gated(r#"when any($.lines, line => line.qty > 0)"#));
    assert!(gated(r#"when count(for line, i in $.lines => line.qty + i) > 0"#));
}
