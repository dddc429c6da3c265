//! The planner's decisions, and a failing target system.

use super::*;
use crate::check::{self, FileLoader};
use crate::eval::{Clock, Evaluator, settings};
use crate::source::SourceFile;

const FLOW: &str = r#"
flow customers {
  target eaccounting.customers
  let existing = lookup eaccounting.customers where EmailAddress == $.email
  upsert where EmailAddress == $.email { Name = $.name }
}
"#;

fn plan_with(records: &dyn Records, record: &str) -> Plan {
    let checked = check::check(SourceFile::new("t.flow", FLOW), &FileLoader);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let values = settings::resolve(&checked.program, &[]).unwrap();
    let evaluator = Evaluator::new(&checked.program, values, Clock::System);
    let record = json::parse(record).unwrap();
    let mut planner = Planner::dry(records);
    let result = evaluator.run(&record, &mut planner);
    let flow = checked.program.flow.as_ref().unwrap();
    planner.finish(Some(&flow.targets[0]), result)
}

struct Unreachable;

impl Records for Unreachable {
    fn find(
        &self,
        _entity: &str,
        _keys: &[(&[String], &Value<'_>)],
    ) -> Result<Vec<Value<'static>>, String> {
        Err("connection refused".to_string())
    }
}

#[test]
fn a_failing_target_system_fails_the_record_with_its_message() {
    let plan = plan_with(&Unreachable, r#"{"email": "a@b.nl", "name": "A"}"#);
    assert_eq!(plan.decision, Decision::Fail);
    let error = plan.error.unwrap();
    assert_eq!(error.code, codes::TARGET_FAILED);
    assert_eq!(error.message, "eaccounting.customers: connection refused");
    assert!(error.span.is_some(), "the error points at the lookup");
}

#[test]
fn lookups_and_writes_are_planned_in_order_with_reasons() {
    let mut snapshot = Snapshot::new();
    snapshot.insert(
        "eaccounting.customers",
        vec![
            json::parse(r#"{"Id": "c-1", "EmailAddress": "a@b.nl"}"#)
                .unwrap()
                .into_owned(),
        ],
    );
    let plan = plan_with(&snapshot, r#"{"email": "a@b.nl", "name": "A"}"#);
    assert_eq!(plan.decision, Decision::Update);
    let kinds: Vec<ActionKind> = plan.actions.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [ActionKind::Lookup, ActionKind::Lookup, ActionKind::Update]
    );
    assert_eq!(
        plan.actions[0].reason,
        "found the record with EmailAddress == \"a@b.nl\""
    );

    let plan = plan_with(&snapshot, r#"{"email": "new@b.nl", "name": "N"}"#);
    assert_eq!(plan.decision, Decision::Create);
    assert_eq!(
        plan.reason,
        "no record with EmailAddress == \"new@b.nl\" yet"
    );
    assert_eq!(
        json::to_string(plan.payload.as_ref().unwrap()),
        r#"{"Name":"N","EmailAddress":"new@b.nl"}"#
    );
}
