//! The planner's decisions, and a failing target system.

use super::*;
use crate::check::{self, FileLoader};
use crate::connectors::{ConnectorError, ErrorKind, Keys, MemoryConnector, Page, PageRequest};
use crate::eval::{Clock, Evaluator, settings};
use crate::source::SourceFile;

const FLOW: &str = r#"
flow customers {
  target eaccounting.customers
  let existing = lookup eaccounting.customers where EmailAddress == $.email
  upsert where EmailAddress == $.email { Name = $.name }
}
"#;

fn plan_with(target: &dyn Connector, record: &str) -> Plan {
    plan_flow(FLOW, target, record)
}

fn plan_flow(flow: &str, target: &dyn Connector, record: &str) -> Plan {
    let checked = check::check(SourceFile::new("t.flow", flow), &FileLoader);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let values = settings::resolve(&checked.program, &[]).unwrap();
    let evaluator = Evaluator::new(&checked.program, values, Clock::System);
    let record = json::parse(record).unwrap();
    let mut planned = Planned::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut planner = Planner::dry(target, runtime.handle(), &mut planned);
    let result = evaluator.run(&record, &mut planner);
    let flow = checked.program.flow.as_ref().unwrap();
    planner.finish(Some(&flow.targets[0]), result)
}

/// A target system that cannot be reached.
struct Unreachable;

#[async_trait::async_trait]
impl Connector for Unreachable {
    fn system(&self) -> &str {
        "eaccounting"
    }
    async fn list(&self, _: &str, _: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        Err(refused())
    }
    async fn find(&self, _: &str, _: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        Err(refused())
    }
    async fn get(&self, _: &str, _: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        Err(refused())
    }
    async fn create(&self, _: &str, _: &Value<'_>, _: &Keys<'_>) -> Result<Value<'static>, ConnectorError> {
        Err(refused())
    }
    async fn update(&self, _: &str, _: &Value<'_>, _: &Value<'_>) -> Result<Value<'static>, ConnectorError> {
        Err(refused())
    }
    fn id_field(&self, _: &str) -> &str {
        "Id"
    }
    fn cursor_field(&self, _: &str) -> Option<&str> {
        None
    }
}

fn refused() -> ConnectorError {
    ConnectorError::new(ErrorKind::Unreachable, "connection refused")
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
fn a_dry_run_looks_up_by_a_placeholder_id_only_in_what_it_planned() {
    // The system never gave out "(new eaccounting.customers)": it is not
    // asked (an unreachable one would fail the record), and the order
    // planned under the new customer is found.
    let flow = r#"
flow customers {
  target eaccounting.customers, eaccounting.orders
  let customer = create eaccounting.customers { Name = $.name }
  create eaccounting.orders { CustomerId = customer.Id }
  let order = lookup eaccounting.orders where CustomerId == customer.Id
  require order != none else "the planned order is found"
}
"#;
    let plan = plan_flow(flow, &Unreachable, r#"{"name": "A"}"#);
    assert_eq!(plan.decision, Decision::Create, "{:?}", plan.error);
    let lookup = plan.actions.last().unwrap();
    assert_eq!(lookup.kind, ActionKind::Lookup);
    assert_eq!(lookup.found, 1);
}

#[test]
fn a_record_stops_at_the_most_reads_and_writes_one_may_make() {
    let flow = r#"
flow customers {
  target eaccounting.customers
  for each email in $.emails {
    let _found = lookup eaccounting.customers where EmailAddress == email
  }
  create eaccounting.customers { Name = "never" }
}
"#;
    let target = MemoryConnector::new("eaccounting");
    let emails: Vec<String> = (0..MOST_ACTIONS + 5).map(|i| format!("\"{i}@b.nl\"")).collect();
    let plan = plan_flow(flow, &target, &format!(r#"{{"emails": [{}]}}"#, emails.join(",")));
    assert_eq!(plan.decision, Decision::Fail);
    assert_eq!(plan.error.as_ref().unwrap().code, codes::TOO_MANY_ACTIONS);
    assert_eq!(plan.actions.len(), MOST_ACTIONS, "none after the limit");

    let plan = plan_flow(flow, &target, r#"{"emails": ["a@b.nl", "c@d.nl"]}"#);
    assert_eq!(plan.decision, Decision::Create, "{:?}", plan.error);
}

#[test]
fn a_field_keyed_twice_shows_both_values() {
    let flow = r#"
flow combinations {
  target ccv_salespos.attributecombinations
  let found = lookup ccv_salespos.attributecombinations where product_id == 1 and combination.attribute_value.id == 11 and combination.attribute_value.id == 22
  update where product_id == 1 and id == found.id { note = "both" }
}
"#;
    let target = MemoryConnector::new("ccv_salespos");
    let combination = |id: i64, values: &[i64]| {
        let parts: Vec<String> = values
            .iter()
            .map(|value| format!(r#"{{"attribute_value": {{"id": {value}}}}}"#))
            .collect();
        json::parse(&format!(
            r#"{{"id": {id}, "product_id": 1, "note": "", "combination": [{}]}}"#,
            parts.join(",")
        ))
        .unwrap()
        .into_owned()
    };
    target.insert(
        "attributecombinations",
        vec![combination(1, &[11, 21]), combination(2, &[11, 22])],
    );
    let plan = plan_flow(flow, &target, "{}");
    assert_eq!(plan.decision, Decision::Update, "{:?}", plan.error);
    assert_eq!(
        json::to_string(plan.actions[1].to_json(false).get("keys").unwrap()),
        r#"{"product_id":1,"id":2}"#,
        "the combination holding both values"
    );
    assert_eq!(
        json::to_string(plan.actions[0].to_json(false).get("keys").unwrap()),
        r#"{"product_id":1,"combination.attribute_value.id":[11,22]}"#
    );
}

#[test]
fn lookups_and_writes_are_planned_in_order_with_reasons() {
    let target = MemoryConnector::new("eaccounting");
    target.insert(
        "customers",
        vec![
            json::parse(r#"{"Id": "c-1", "EmailAddress": "a@b.nl"}"#)
                .unwrap()
                .into_owned(),
        ],
    );
    let plan = plan_with(&target, r#"{"email": "a@b.nl", "name": "A"}"#);
    assert_eq!(plan.decision, Decision::Update);
    let kinds: Vec<ActionKind> = plan.actions.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [ActionKind::Lookup, ActionKind::Lookup, ActionKind::Update]);
    assert_eq!(
        plan.actions[0].reason(false),
        "found the record with EmailAddress == \"a@b.nl\""
    );
    assert_eq!(
        plan.actions[0].reason(true),
        "found the record with EmailAddress == \"***\""
    );

    let plan = plan_with(&target, r#"{"email": "new@b.nl", "name": "N"}"#);
    assert_eq!(plan.decision, Decision::Create);
    assert_eq!(plan.reason(false), "no record with EmailAddress == \"new@b.nl\" yet");
    assert_eq!(
        json::to_string(plan.payload.as_ref().unwrap()),
        r#"{"Name":"N","EmailAddress":"new@b.nl"}"#
    );
    assert!(target.records("customers").len() == 1, "a dry plan writes nothing");
}

#[test]
fn an_update_that_changes_nothing_sends_nothing() {
    let target = MemoryConnector::new("eaccounting");
    let held = r#"{"Id": "c-1", "EmailAddress": "a@b.nl", "Name": "A"}"#;
    target.insert("customers", vec![json::parse(held).unwrap().into_owned()]);
    let plan = plan_with(&target, r#"{"email": "a@b.nl", "name": "A"}"#);
    assert_eq!(plan.decision, Decision::Skip);
    assert_eq!(plan.actions.last().unwrap().kind, ActionKind::Unchanged);
    assert_eq!(plan.actions.last().unwrap().payload, None);
    assert_eq!(
        plan.reason(false),
        r#"the record with EmailAddress == "a@b.nl" already holds these values"#
    );

    let plan = plan_with(&target, r#"{"email": "a@b.nl", "name": "B"}"#);
    assert_eq!(plan.decision, Decision::Update);
}

#[test]
fn a_date_holds_as_its_iso_text_and_numbers_by_value() {
    let held = json::parse(r#"{"Id": "o-1", "OrderDate": "2024-03-14", "Quantity": 2.00}"#).unwrap();
    let payload = |day: u32| {
        let mut fields = Object::new();
        fields.push(
            "OrderDate",
            Value::Date(chrono::NaiveDate::from_ymd_opt(2024, 3, day).unwrap()),
        );
        fields.push("Quantity", Value::Int(2));
        Value::object(fields)
    };
    assert!(holds_already(&held, &payload(14)));
    assert!(!holds_already(&held, &payload(15)));
    assert!(
        !holds_already(&held, &Value::Int(1)),
        "a payload that is no object holds nothing"
    );
}

/// A target that remembers the keys each create is given to find its
/// record again after a lost answer.
struct KeysSeen {
    memory: MemoryConnector,
    keys: std::sync::Mutex<Vec<Vec<(String, String)>>>,
}

#[async_trait::async_trait]
impl Connector for KeysSeen {
    fn system(&self) -> &str {
        "vismanet"
    }
    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        self.memory.list(entity, request).await
    }
    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        self.memory.find(entity, keys).await
    }
    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        self.memory.get(entity, id).await
    }
    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        let seen = keys
            .iter()
            .map(|key| match key.comparison {
                Comparison::Equal => (key.path.join("."), key.value.to_string()),
                other => (
                    format!("{} {}", key.path.join("."), other.symbol()),
                    key.value.to_string(),
                ),
            })
            .collect();
        self.keys.lock().unwrap().push(seen);
        self.memory.create(entity, payload, keys).await
    }
    async fn update(
        &self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        self.memory.update(entity, id, payload).await
    }
    fn id_field(&self, entity: &str) -> &str {
        self.memory.id_field(entity)
    }
    fn cursor_field(&self, entity: &str) -> Option<&str> {
        self.memory.cursor_field(entity)
    }
}

/// Runs `flow` (whose record must be created) on `record` through a
/// target that remembers the keys the create is given; gives the plan and
/// those keys, each as `field` (or `field >=`) and its value.
fn created_with_keys(flow: &str, settings: &[(String, String)], record: &str) -> (Plan, Vec<(String, String)>) {
    let checked = check::check(SourceFile::new("t.flow", flow), &FileLoader);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let target = KeysSeen {
        memory: MemoryConnector::new("vismanet"),
        keys: std::sync::Mutex::new(Vec::new()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let values = settings::resolve(&checked.program, settings).unwrap();
    let evaluator = Evaluator::new(&checked.program, values, Clock::System);
    let record = json::parse(record).unwrap();
    let mut planned = Planned::new();
    let mut planner = Planner::applying(&target, runtime.handle(), &mut planned);
    let result = evaluator.run(&record, &mut planner);
    let plan = planner.finish(Some(&checked.program.flow.as_ref().unwrap().targets[0]), result);
    assert_eq!(plan.decision, Decision::Create, "{:?}", plan.error);
    let seen = target.keys.lock().unwrap().last().cloned().unwrap();
    (plan, seen)
}

#[test]
fn a_create_is_found_again_by_the_lookup_that_agrees_with_what_it_sends() {
    // Two ways an order could already be there; the create sends the
    // first kind, so only the first lookup finds it again.
    let flow = r#"
setting kind: text = "SO"
flow orders {
  target vismanet.salesorder
  skip if exists vismanet.salesorder where orderType == "SO" and customerOrder == $.number
  skip if exists vismanet.salesorder where orderType == "IN" and customerOrder == $.number
  create { orderType = kind, customerOrder = $.number, customer = "10023" }
}
"#;
    for (kind, wanted) in [("SO", Some("SO")), ("XX", None)] {
        let record = format!(r#"{{"number": "KAS-{kind}"}}"#);
        let (_, seen) = created_with_keys(flow, &[("kind".into(), kind.into())], &record);
        match wanted {
            Some(kind) => assert_eq!(
                seen,
                [
                    ("orderType".to_string(), format!("\"{kind}\"")),
                    ("customerOrder".to_string(), "\"KAS-SO\"".to_string())
                ]
            ),
            // No lookup agrees with an order of another kind: no keys, so
            // a lost answer is never followed by a blind second create.
            None => assert!(seen.is_empty(), "{seen:?}"),
        }
    }
}

#[test]
fn a_create_is_found_again_within_the_range_its_lookup_read() {
    // The lookup's `==` keys are carried by what is sent; its order
    // (`date >= ...`) comes along, so that a lost answer is looked for
    // where the lookup looked.
    let flow = r#"
flow orders {
  target vismanet.salesorder
  skip if exists vismanet.salesorder where customerOrder == $.number and date >= date($.created)
  create { orderType = "SO", customerOrder = $.number, customer = "10023" }
}
"#;
    let (plan, seen) = created_with_keys(flow, &[], r#"{"number": "KAS-1", "created": "2024-03-14T10:25:00Z"}"#);
    assert_eq!(
        seen,
        [
            ("customerOrder".to_string(), "\"KAS-1\"".to_string()),
            ("date >=".to_string(), "\"2024-03-14\"".to_string())
        ]
    );
    // The plan names the order in its keys.
    assert_eq!(
        json::to_string(plan.actions[0].to_json(false).get("keys").unwrap()),
        r#"{"customerOrder":"KAS-1","date >=":"2024-03-14"}"#
    );
}
