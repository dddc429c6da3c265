//! `flowc test [PATHS]`: runs the mapping tests kept beside the mappings.
//!
//! A test file, `<name>.tests.json`, holds cases for one flow: a source
//! record, the settings and the target records it runs with, and what the
//! flow must decide. See docs/testing.md for the format.

use std::io::Write;
use std::path::{Path, PathBuf};

use similar::{ChangeTag, TextDiff};

use super::files::{ReadFailure, describe, files_under, read_limited};
use super::load::check_flow;
use super::{ColorChoice, Outcome};
use crate::connectors::MemoryConnector;
use crate::connectors::schema::Catalog;
use crate::eval::settings;
use crate::eval::{Clock, Evaluator};
use crate::plan::{ActionKind, Plan, Planned, Planner, payload, serde_plain};
use crate::value::{Object, Value, json};

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub color: ColorChoice,
}

/// A failed case: which, and why.
struct Failure {
    name: String,
    reasons: Vec<String>,
}

pub fn run(options: &Options, out: &mut dyn Write) -> Outcome {
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.iter().map(|path| tests_of(path)).collect()
    };
    let (files, problems) = files_under(&paths, ".tests.json");
    for (path, reason) in &problems {
        eprintln!("error: cannot read {}: {reason}", path.display());
    }
    if !problems.is_empty() {
        return Outcome::Unusable;
    }
    if files.is_empty() {
        eprintln!(
            "error: no *.tests.json files under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Outcome::Unusable;
    }
    let mut outcome = Outcome::Success;
    let (mut passed, mut failures) = (0, Vec::new());
    for file in &files {
        match run_file(file, options, out) {
            Ok((file_passed, file_failures)) => {
                passed += file_passed;
                failures.extend(file_failures);
            }
            Err(message) => {
                eprintln!("error: {}: {message}", file.display());
                outcome = Outcome::Unusable;
            }
        }
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for failure in &failures {
            let _ = writeln!(out, "\n---- {} ----", failure.name);
            for reason in &failure.reasons {
                let _ = writeln!(out, "{reason}");
            }
        }
        outcome = outcome.and(Outcome::Failure);
    }
    let _ = writeln!(out, "\n{passed} passed, {} failed", failures.len());
    outcome
}

/// The tests of a flow are kept beside it: `orders.flow` is tested by
/// `orders.tests.json`. Any other path is taken as given.
fn tests_of(path: &Path) -> PathBuf {
    match path.to_str().and_then(|text| text.strip_suffix(".flow")) {
        Some(stem) => PathBuf::from(format!("{stem}.tests.json")),
        None => path.to_path_buf(),
    }
}

/// Runs one test file; the number passed and the failures, or why the file
/// cannot be run at all.
fn run_file(path: &Path, options: &Options, out: &mut dyn Write) -> Result<(usize, Vec<Failure>), String> {
    let bytes = read_limited(path, crate::value::documents::MAX_RECORD_BYTES).map_err(|failure| match failure {
        ReadFailure::Io(error) => format!("cannot read it: {}", describe(&error)),
        ReadFailure::TooLarge => "it is larger than 64 MiB".to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let document = json::parse(text).map_err(|error| format!("is not valid JSON: {error}"))?;
    // Memory connectors answer at once; a runtime without I/O suffices.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|error| format!("cannot start: {error}"))?;
    let flow_name = match document.get("flow") {
        Some(Value::Text(name)) => name.to_string(),
        Some(_) => return Err("`flow` is the name of the .flow file, as text".into()),
        None => {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            format!("{}.flow", name.trim_end_matches(".tests.json"))
        }
    };
    let flow_path = path.parent().unwrap_or(Path::new(".")).join(&flow_name);
    let shared_settings = settings_of(document.get("settings"))?;
    let shared_target = document.get("target");
    let shared_source = document.get("source");
    let clock = match document.get("now") {
        Some(Value::Text(moment)) => Clock::Fixed(
            chrono::DateTime::parse_from_rfc3339(moment)
                .map_err(|_| format!("`now` is not an RFC 3339 date-time: {moment}"))?
                .to_utc(),
        ),
        _ => Clock::Fixed(
            chrono::DateTime::parse_from_rfc3339("2024-03-14T10:00:00Z")
                .expect("a valid moment")
                .to_utc(),
        ),
    };
    let Some(cases) = document.get("cases").and_then(Value::as_list) else {
        return Err("it has no `cases` list".into());
    };
    let style = options.color.style_for_stderr();
    let checked =
        check_flow(&flow_path, style).map_err(|_| format!("its flow {} does not check", flow_path.display()))?;
    let program = &checked.program;
    let flow = program.flow.as_ref().expect("checked flows have a flow");
    let target = (flow.targets.len() == 1).then(|| &flow.targets[0]);
    let _ = writeln!(out, "running {} tests from {}", cases.len(), path.display());
    let (mut passed, mut failures) = (0, Vec::new());
    for (index, case) in cases.iter().enumerate() {
        let name = match case.get("name") {
            Some(Value::Text(name)) => name.to_string(),
            _ => format!("case {}", index + 1),
        };
        let mut given = shared_settings.clone();
        given.extend(settings_of(case.get("settings"))?);
        let values = match settings::resolve(program, &given) {
            Ok(values) => values,
            Err(errors) => {
                let _ = writeln!(out, "test {name} ... FAILED");
                let reasons = errors
                    .iter()
                    .map(|error| format!("the settings do not fit the flow: {error}"))
                    .collect();
                failures.push(Failure {
                    name: format!("{}: {name}", path.display()),
                    reasons,
                });
                continue;
            }
        };
        let system = flow.target_system().unwrap_or("");
        let connector = MemoryConnector::new(system);
        for records in [shared_target, case.get("target")].into_iter().flatten() {
            fill_system(&connector, system, records).map_err(|error| format!("{name}: {error}"))?;
        }
        // Records of the source system that the flow looks up (enrichment).
        let source_system = flow.source.as_ref().map_or("", |source| source.system.as_str());
        let source = MemoryConnector::new(source_system);
        for records in [shared_source, case.get("source")].into_iter().flatten() {
            fill_system(&source, source_system, records).map_err(|error| format!("{name}: the source: {error}"))?;
        }
        let Some(record) = case.get("record") else {
            return Err(format!("{name}: the case has no `record`"));
        };
        let Some(expect) = case.get("expect") else {
            return Err(format!("{name}: the case has no `expect`"));
        };
        let evaluator = Evaluator::new(program, values, clock);
        let mut planned = Planned::new();
        let mut planner = Planner::dry(&connector, runtime.handle(), &mut planned).reading(&source);
        let result = evaluator.run(record, &mut planner);
        let plan = planner.finish(target, result);
        let mut reasons = compare(expect, &plan);
        reasons.extend(unfit_payloads(&plan));
        if reasons.is_empty() {
            let _ = writeln!(out, "test {name} ... ok");
            passed += 1;
        } else {
            let _ = writeln!(out, "test {name} ... FAILED");
            failures.push(Failure {
                name: format!("{}: {name}", path.display()),
                reasons,
            });
        }
    }
    Ok((passed, failures))
}

/// The writes of a plan whose payloads the target's vendor would refuse,
/// by its schema: one reason per field.
fn unfit_payloads(plan: &Plan) -> Vec<String> {
    let mut reasons = Vec::new();
    for action in &plan.actions {
        let creating = match action.kind {
            ActionKind::Create => true,
            ActionKind::Update => false,
            _ => continue,
        };
        let (Some(payload), Some((system, entity))) = (&action.payload, action.entity.split_once('.')) else {
            continue;
        };
        let Some(schema) = Catalog::builtin().entity(system, entity) else {
            continue;
        };
        let problems = payload::problems(schema, payload, creating);
        if !problems.is_empty() {
            let verb = if creating { "create" } else { "update" };
            reasons.push(format!(
                "the {verb} of {} does not fit the vendor's schema:\n  {}",
                action.entity,
                problems.join("\n  ")
            ));
        }
    }
    reasons
}

/// Puts `{"system.entity": [records...], ...}` into a system's connector
/// (the target's, or the source's for lookups into it); a case's entity
/// replaces the shared one of the same name.
fn fill_system(connector: &MemoryConnector, system: &str, records: &Value<'_>) -> Result<(), String> {
    let Some(entities) = records.as_object() else {
        return Err("`target` is an object of entities: {\"system.entity\": [records]}".to_string());
    };
    for (name, list) in entities.iter() {
        let Some((entity_system, entity)) = name.split_once('.') else {
            return Err(format!("`{name}` is not of the form system.entity"));
        };
        if entity_system != system {
            return Err(format!("`{name}` is not in the flow's system `{system}`"));
        }
        let Some(list) = list.as_list() else {
            return Err(format!("the records of `{name}` are a list"));
        };
        connector.insert(entity, list.iter().cloned().map(Value::into_owned).collect());
    }
    Ok(())
}

/// `{"name": value}` as `--set name=value` pairs.
fn settings_of(value: Option<&Value<'_>>) -> Result<Vec<(String, String)>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(object) = value.as_object() else {
        return Err("`settings` is an object of setting names and values".into());
    };
    Ok(object
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::Text(text) => text.to_string(),
                Value::Null => "none".to_string(),
                other => json::to_string(other),
            };
            (name.to_string(), text)
        })
        .collect())
}

/// What differs between the expectation and the plan, in words.
fn compare(expect: &Value<'_>, plan: &Plan) -> Vec<String> {
    const KNOWN: [&str; 6] = ["action", "entity", "error", "reason", "payload", "actions"];
    let mut reasons = Vec::new();
    let Some(fields) = expect.as_object().filter(|fields| !fields.is_empty()) else {
        return vec![format!(
            "`expect` names nothing to check: give any of {}",
            KNOWN.join(", ")
        )];
    };
    for (name, _) in fields.iter() {
        if !KNOWN.contains(&name) {
            let hint = match crate::diagnostics::closest(name, KNOWN) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the checks are {}", KNOWN.join(", ")),
            };
            reasons.push(format!("`expect` has no check `{name}`; {hint}"));
        }
    }
    let action = serde_plain(&plan.decision);
    if let Some(Value::Text(expected)) = expect.get("action")
        && expected.as_str() != action
    {
        let mut reason = format!(
            "expected the action `{}`, got `{action}`: {}",
            expected.as_str(),
            plan.reason(false)
        );
        if let Some(error) = &plan.error {
            reason.push_str(&format!(" ({})", error.code));
        }
        reasons.push(reason);
    }
    if let Some(Value::Text(expected)) = expect.get("entity")
        && plan.entity.as_deref() != Some(expected.as_str())
    {
        reasons.push(format!(
            "expected the entity `{}`, got {}",
            expected.as_str(),
            plan.entity
                .as_deref()
                .map_or("none".to_string(), |entity| format!("`{entity}`"))
        ));
    }
    if let Some(Value::Text(code)) = expect.get("error") {
        match &plan.error {
            Some(error) if error.code.id == code.as_str() => {}
            Some(error) => reasons.push(format!(
                "expected the error {}, got {}: {}",
                code.as_str(),
                error.code,
                error.message
            )),
            None => reasons.push(format!(
                "expected the error {}, but the record did not fail",
                code.as_str()
            )),
        }
    }
    if let Some(Value::Text(part)) = expect.get("reason")
        && !plan.reason(false).contains(part.as_str())
    {
        reasons.push(format!(
            "expected the reason to mention {:?}, got: {}",
            part.as_str(),
            plan.reason(false)
        ));
    }
    if let Some(expected) = expect.get("payload") {
        let actual = plan.payload.clone().unwrap_or(Value::Null);
        if let Some(diff) = differ(expected, &actual) {
            reasons.push(format!(
                "the payload differs (- expected, + actual):\n{}",
                diff.trim_end()
            ));
        }
    }
    if let Some(expected) = expect.get("actions") {
        let actual = Value::list(plan.actions.iter().map(|action| action.to_json(false)).collect());
        let actual = only_fields_like(expected, &actual);
        if let Some(diff) = differ(expected, &actual) {
            reasons.push(format!(
                "the actions differ (- expected, + actual):\n{}",
                diff.trim_end()
            ));
        }
    }
    reasons
}

/// The actual actions, with only the fields the expectation names (so a test
/// can check the kind and entity of each action and leave out the payload).
fn only_fields_like(expected: &Value<'_>, actual: &Value<'_>) -> Value<'static> {
    let (Some(expected), Some(actual)) = (expected.as_list(), actual.as_list()) else {
        return actual.clone().into_owned();
    };
    let fields_of = |index: usize| -> Option<Vec<String>> {
        expected
            .get(index)
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, _)| k.to_string()).collect())
    };
    Value::list(
        actual
            .iter()
            .enumerate()
            .map(|(index, action)| match (fields_of(index), action.as_object()) {
                (Some(fields), Some(object)) => {
                    let mut kept = Object::new();
                    for (name, value) in object.iter() {
                        if fields.iter().any(|field| field == name) {
                            kept.push(name.to_string(), value.clone().into_owned());
                        }
                    }
                    Value::object(kept)
                }
                _ => action.clone().into_owned(),
            })
            .collect(),
    )
}

/// A line diff of the canonical JSON of two values, or `None` when equal.
fn differ(expected: &Value<'_>, actual: &Value<'_>) -> Option<String> {
    let expected = json::to_canonical_pretty(expected);
    let actual = json::to_canonical_pretty(actual);
    if expected == actual {
        return None;
    }
    let diff = TextDiff::from_lines(&expected, &actual);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => "- ",
            ChangeTag::Insert => "+ ",
            ChangeTag::Equal => "  ",
        };
        out.push_str(sign);
        out.push_str(change.value());
        if !change.value().ends_with('\n') {
            out.push('\n');
        }
    }
    Some(out)
}
