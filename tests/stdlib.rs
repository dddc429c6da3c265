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
    evaluate_with("", expr)
}

/// Evaluates `expr` after the `header` lines (imports).
fn evaluate_with(header: &str, expr: &str) -> Result<String, String> {
    let text = format!("{header}\nflow example {{\n  emit {{ value = {expr} }}\n}}\n");
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
                None => Ok(json::to_string(
                    &json::parse(example.result).expect("the expected result is JSON"),
                )),
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

#[test]
fn every_module_function_works() {
    let header = "import \"std/address\" as address\nimport \"std/email\" as email\nimport \"std/money\" as money\nimport \"std/tax\" as tax";
    let cases = [
        (r#"address.full_name("Jan", "de Vries")"#, Ok(r#""Jan de Vries""#)),
        (r#"address.full_name(none, "Bos")"#, Ok(r#""Bos""#)),
        (
            r#"address.street_line("Dorpsstraat", 12, "A")"#,
            Ok(r#""Dorpsstraat 12A""#),
        ),
        (r#"address.street_line("Kerkweg", none, none)"#, Ok(r#""Kerkweg""#)),
        (r#"address.dutch_postcode(" 1234ab")"#, Ok(r#""1234 AB""#)),
        (r#"address.dutch_postcode("B-1000")"#, Ok(r#""B-1000""#)),
        (r#"email.normalize(" Jan@Example.NL ")"#, Ok(r#""jan@example.nl""#)),
        (r#"email.is_valid("jan@example.nl")"#, Ok("true")),
        (r#"email.is_valid("jan@example")"#, Ok("false")),
        (r#"email.is_valid("jan @example.nl")"#, Ok("false")),
        ("money.from_cents(1250)", Ok("12.50")),
        ("money.from_cents(5)", Ok("0.05")),
        ("money.to_cents(12.50)", Ok("1250")),
        ("money.to_cents(12.505)", Err("E1006")),
        ("round(tax.net_from_gross(121, 21), 2)", Ok("100.00")),
        ("tax.gross_from_net(100, 21)", Ok("121")),
        ("round(tax.vat_in_gross(4.95, 9), 2)", Ok("0.41")),
        ("tax.vat_on_net(100.00, 21)", Ok("21")),
    ];
    let mut failures = Vec::new();
    for (call, expected) in cases {
        let got = evaluate_with(header, call);
        let expected = expected
            .map(|json_text| json::to_string(&json::parse(json_text).unwrap()))
            .map_err(String::from);
        if got != expected {
            failures.push(format!("{call}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn text_helpers_give_the_same_on_ascii_and_other_text() {
    // ASCII text takes a byte-wise path; the rest goes character by character.
    for (expr, expected) in [
        (r#"lower("ABC Def")"#, r#""abc def""#),
        (r#"lower("ÉCOLE Straße")"#, r#""école straße""#),
        (r#"lower("already lower é")"#, r#""already lower é""#),
        (r#"upper("abc Def")"#, r#""ABC DEF""#),
        (r#"upper("école")"#, r#""ÉCOLE""#),
        (r#"upper("ALREADY É")"#, r#""ALREADY É""#),
        (r#"substring("2024-03-01T10:15:00Z", 0, 10)"#, r#""2024-03-01""#),
        (r#"substring("Crème brûlée", 6, 3)"#, r#""brû""#),
        (r#"substring("Crème", -3)"#, r#""ème""#),
        (r#"substring("abc", 5)"#, r#""""#),
        (r#""n${1234567890123}-${"é"}""#, r#""n1234567890123-é""#),
        (r#"join([1, "b", 2.50], "-")"#, r#""1-b-2.50""#),
    ] {
        assert_eq!(evaluate(expr).as_deref(), Ok(expected), "{expr}");
    }
}

#[test]
fn fields_from_reads_paths_into_lists_and_leaves_out_what_is_not_there() {
    let record = r#"{order = {rows = [{sku = "A1"}, {sku = "B2"}], note = none, ref = 0}}"#;
    for (paths, expected) in [
        (r#"{Sku = "order.rows.1.sku"}"#, r#"{"Sku":"B2"}"#),
        // Past the end of a list, not a number, into a text: no value.
        (
            r#"{A = "order.rows.2.sku", B = "order.rows.x", C = "order.ref.deeper"}"#,
            "{}",
        ),
        // A none is left out like a missing field; a zero is a value.
        (r#"{Note = "order.note", Ref = "order.ref"}"#, r#"{"Ref":0}"#),
        ("{}", "{}"),
    ] {
        let expr = format!("fields_from({record}, {paths})");
        assert_eq!(evaluate(&expr).as_deref(), Ok(expected), "{expr}");
    }
    // A path that is not text is the integrator's mistake, named.
    assert_eq!(evaluate(r#"fields_from({a = 1}, {A = 1})"#), Err("E1006".to_string()));
}
