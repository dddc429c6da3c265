//! Plans: what a flow decides for one record.
//!
//! A [`Planner`] is the evaluator's [`Target`]: it answers lookups through
//! the target system's [`Connector`] and writes down every read and write as
//! an [`Action`]. A dry planner writes nothing: a record it would create gets
//! a placeholder id, and is remembered for the rest of the run so that a
//! later lookup finds it. An applying planner carries the writes out through
//! the connector and uses the records the system gives back. Either way a
//! record's result is a [`Plan`]: its decision for the flow's own entity,
//! why, and the ordered actions.

pub mod mask;
pub mod payload;
pub mod shared;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::check::ir::{EntityName, WriteKind};
use crate::connectors::{self, Connector};
use crate::diagnostics::{RecordError, codes};
use crate::eval::{Key, Outcome, Target, WriteAction, WriteRequest};
use crate::runtime::crash;
use crate::value::{Comparison, Object, Value, json};
use shared::Shared;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    Lookup,
    Create,
    Update,
    /// A found record used as it is: its `update if` does not hold.
    Keep,
    /// An update that would change nothing: the record already holds every
    /// value, so nothing is sent.
    Unchanged,
}

/// One read or write.
#[derive(Clone, Debug)]
pub struct Action {
    pub kind: ActionKind,
    /// `system.entity`.
    pub entity: String,
    /// Whether the entity is the flow's own target.
    pub main: bool,
    /// The fields and values looked up by.
    pub keys: Vec<ActionKey>,
    /// For lookups, how many records were found.
    pub found: usize,
    /// For creates: whether an `upsert` found nothing (rather than a plain `create`).
    pub upserted: bool,
    /// What was written (creates and updates).
    pub payload: Option<Value<'static>>,
    /// The id of the record written, or of the one record found, in the
    /// target (when applied).
    pub id: Option<String>,
    /// Whether this write was carried out in the target (not a plan only).
    pub applied: bool,
}

/// A key an action looked records up by: `EmailAddress == "jan@example.nl"`,
/// `create_date >= "2024-03-13"`.
#[derive(Clone, Debug)]
pub struct ActionKey {
    /// The field's path, joined with dots (`Rows.Text`).
    pub field: String,
    pub comparison: Comparison,
    pub value: Value<'static>,
}

impl ActionKey {
    /// The field's name in the plan's `keys`: the field for `==`, with the
    /// comparison after it for an order (`create_date >=`).
    fn label(&self) -> String {
        match self.comparison {
            Comparison::Equal => self.field.clone(),
            other => format!("{} {}", self.field, other.symbol()),
        }
    }

    fn shown(&self, masked: bool) -> Value<'static> {
        if masked {
            mask::field(&self.field, &self.value)
        } else {
            self.value.clone()
        }
    }
}

impl Action {
    /// `EmailAddress == "jan@example.nl" and ...`, values masked when asked.
    pub fn keys_text(&self, masked: bool) -> String {
        self.keys
            .iter()
            .map(|key| format!("{} {} {}", key.field, key.comparison.symbol(), key.shown(masked)))
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// Why the action happens, in words.
    pub fn reason(&self, masked: bool) -> String {
        let keys = self.keys_text(masked);
        match self.kind {
            ActionKind::Lookup => match self.found {
                0 => format!("no record with {keys}"),
                1 => format!("found the record with {keys}"),
                n => format!("found {n} records with {keys}; the first is used"),
            },
            ActionKind::Create if self.upserted => format!("no record with {keys} yet"),
            ActionKind::Create => "a new record".to_string(),
            ActionKind::Update => format!("the record with {keys} exists"),
            ActionKind::Keep => format!("the record with {keys} exists, and its `update if` does not hold"),
            ActionKind::Unchanged => format!("the record with {keys} already holds these values"),
        }
    }

    /// The action as JSON, for `--format json` and the activity log.
    pub fn to_json(&self, masked: bool) -> Value<'static> {
        let mut object = Object::new();
        object.push("action", Value::from(serde_plain(&self.kind)));
        object.push("entity", Value::from(self.entity.clone()));
        object.push("main", Value::Bool(self.main));
        let mut keys = Object::new();
        let labels: Vec<String> = self.keys.iter().map(ActionKey::label).collect();
        for (key, label) in self.keys.iter().zip(&labels) {
            let shown = key.shown(masked);
            // A field keyed more than once (a combination holding two
            // values) shows every value, as a list.
            if labels.iter().filter(|other| *other == label).count() > 1 {
                let mut values = match keys.get(label) {
                    Some(Value::List(earlier)) => earlier.to_vec(),
                    _ => Vec::new(),
                };
                values.push(shown);
                keys.insert(label.clone(), Value::list(values));
            } else {
                keys.insert(label.clone(), shown);
            }
        }
        object.push("keys", Value::object(keys));
        if self.kind == ActionKind::Lookup {
            object.push("found", Value::Int(self.found as i64));
        }
        object.push("reason", Value::from(self.reason(masked)));
        if let Some(payload) = &self.payload {
            object.push("payload", if masked { mask::value(payload) } else { payload.clone() });
        }
        Value::object(object)
    }
}

/// What became of a record, for the flow's own entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Not wanted (a `when` did not hold).
    Filtered,
    /// Wanted, but nothing to do (already there, or a `skip if`).
    Skip,
    Create,
    Update,
    /// Failed; nothing more was written for it.
    Fail,
    /// A mapping without a target: what it emitted is the result.
    Emit,
    /// Ran to its end without writing the flow's own entity.
    None,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub decision: Decision,
    /// The flow's own entity the decision concerns: with several (one per
    /// order type), the one the deciding action wrote or found.
    pub entity: Option<String>,
    pub actions: Vec<Action>,
    /// The action the decision rests on, when it rests on one.
    pub main: Option<usize>,
    /// Why, when the decision does not rest on an action.
    pub note: String,
    /// What is written to the flow's own entity (or emitted).
    pub payload: Option<Value<'static>>,
    pub error: Option<RecordError>,
}

impl Plan {
    /// The creates and updates carried out in the target for this record:
    /// for a failed record, what it wrote before it failed.
    pub fn carried_out(&self) -> (usize, usize) {
        let count = |kind| {
            self.actions
                .iter()
                .filter(|action| action.applied && action.kind == kind)
                .count()
        };
        (count(ActionKind::Create), count(ActionKind::Update))
    }

    /// For a failed record that wrote before it failed: what it wrote.
    pub fn written_before_failing(&self) -> Option<String> {
        if self.decision != Decision::Fail {
            return None;
        }
        let (created, updated) = self.carried_out();
        writes(created, updated).map(|writes| format!("{writes} carried out before it failed"))
    }

    /// Why the record got its decision, values masked when asked.
    pub fn reason(&self, masked: bool) -> String {
        match self.main.and_then(|index| self.actions.get(index)) {
            Some(action) if self.decision == Decision::Skip && action.kind == ActionKind::Lookup => {
                format!(
                    "{} already has a record with {}",
                    action.entity,
                    action.keys_text(masked)
                )
            }
            Some(action) => action.reason(masked),
            None => match &self.error {
                Some(error) if masked => error.masked_message().to_string(),
                _ => self.note.clone(),
            },
        }
    }

    pub fn to_json(&self, record_key: Option<&str>, masked: bool) -> Value<'static> {
        let mut object = Object::new();
        object.push(
            "record",
            record_key.map_or(Value::Null, |key| Value::from(key.to_string())),
        );
        object.push("action", Value::from(serde_plain(&self.decision)));
        object.push("entity", self.entity.clone().map_or(Value::Null, Value::from));
        object.push("reason", Value::from(self.reason(masked)));
        if let Some(error) = &self.error {
            object.push("code", Value::from(error.code.id.to_string()));
        }
        if self.decision == Decision::Fail {
            let (created, updated) = self.carried_out();
            if created + updated > 0 {
                let mut written = Object::with_capacity(2);
                written.push("created", Value::Int(created as i64));
                written.push("updated", Value::Int(updated as i64));
                object.push("carried_out", Value::object(written));
            }
        }
        object.push(
            "actions",
            Value::list(self.actions.iter().map(|action| action.to_json(masked)).collect()),
        );
        let payload = match &self.payload {
            Some(payload) if masked => mask::value(payload),
            Some(payload) => payload.clone(),
            None => Value::Null,
        };
        object.push("payload", payload);
        Value::object(object)
    }
}

/// `1 create and 2 updates`; `None` for none.
pub fn writes(created: usize, updated: usize) -> Option<String> {
    let words = |n: usize, what: &str| match n {
        0 => None,
        1 => Some(format!("1 {what}")),
        n => Some(format!("{n} {what}s")),
    };
    let said: Vec<String> = [words(created, "create"), words(updated, "update")]
        .into_iter()
        .flatten()
        .collect();
    (!said.is_empty()).then(|| said.join(" and "))
}

/// A unit enum's serde name (`create`).
pub fn serde_plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Records a dry run has planned to create, by `system.entity`, kept for
/// the whole run so that later records find them (indexed: a run of many
/// records does not look through all of them for each lookup).
#[derive(Debug, Default)]
pub struct Planned(crate::connectors::memory::Store);

impl Planned {
    pub fn new() -> Planned {
        Planned::default()
    }

    fn push(&mut self, entity: &str, record: Value<'static>) {
        self.0.push(entity, record);
    }

    fn find(&mut self, entity: &str, keys: &crate::connectors::Keys<'_>) -> Vec<Value<'static>> {
        self.0.find(entity, keys)
    }
}

/// Whether a record's writes may have been carried out before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uncertain {
    No,
    /// It failed in an earlier run: its creates with keys look first.
    Failed,
    /// A run stopped while it was in flight: its creates with keys look
    /// first, and one without keys fails rather than risk a second record.
    InFlight,
}

/// The evaluator's target while planning (and, when applying, writing).
pub struct Planner<'r> {
    target: &'r dyn Connector,
    /// Where the connector's answers are waited for.
    runtime: &'r tokio::runtime::Handle,
    apply: bool,
    /// Some of this record's writes may have been carried out before:
    /// every create with keys first looks for what it would make.
    uncertain: Uncertain,
    planned: &'r mut Planned,
    /// The source system's connector, for lookups into it (enrichment).
    source: Option<&'r dyn Connector>,
    /// With other records in flight: what they share, and this record's
    /// number among them.
    shared: Option<(&'r Shared, u64)>,
    /// Whether this record gave its turns back to another: it runs again.
    yielded: bool,
    pub actions: Vec<Action>,
}

impl<'r> Planner<'r> {
    /// A planner that writes nothing.
    pub fn dry(
        target: &'r dyn Connector,
        runtime: &'r tokio::runtime::Handle,
        planned: &'r mut Planned,
    ) -> Planner<'r> {
        Planner {
            target,
            runtime,
            apply: false,
            uncertain: Uncertain::No,
            planned,
            source: None,
            shared: None,
            yielded: false,
            actions: Vec::new(),
        }
    }

    /// A planner that carries out its writes through `target`.
    pub fn applying(
        target: &'r dyn Connector,
        runtime: &'r tokio::runtime::Handle,
        planned: &'r mut Planned,
    ) -> Planner<'r> {
        Planner {
            target,
            runtime,
            apply: true,
            uncertain: Uncertain::No,
            planned,
            source: None,
            shared: None,
            yielded: false,
            actions: Vec::new(),
        }
    }

    /// For a record begun before: a create whose record is found by its
    /// keys is not sent again.
    pub fn uncertain(mut self, how: Uncertain) -> Planner<'r> {
        self.uncertain = how;
        self
    }

    /// Lookups into the source system (a flow that enriches a record with
    /// more of its system's data) go to `source`.
    pub fn reading(mut self, source: &'r dyn Connector) -> Planner<'r> {
        self.source = Some(source);
        self
    }

    /// For a record in flight beside others: it takes turns on the keys of
    /// the entities the flow writes, and shares the answers of lookups of
    /// reference data.
    pub fn sharing(mut self, shared: &'r Shared, record: u64) -> Planner<'r> {
        self.shared = Some((shared, record));
        self
    }

    /// Whether the record gave its turns back to another record that was
    /// waiting for it: what it made of the record does not count, and it
    /// runs again (its creates looking first).
    pub fn yielded(&self) -> bool {
        self.yielded
    }

    /// Takes the turn on a key of an entity the flow writes, when other
    /// records are in flight.
    fn take_turn(&mut self, entity: &EntityName, keys: &crate::connectors::Keys<'_>) -> Result<(), RecordError> {
        if self.yielded {
            return Err(Self::failure(entity, "gave way to another record in flight"));
        }
        let Some((shared, record)) = self.shared else {
            return Ok(());
        };
        let name = entity.to_string();
        if keys.is_empty() || !shared.writes(&name) {
            return Ok(());
        }
        if shared.take_turn(record, Shared::key(&name, keys)).is_err() {
            self.yielded = true;
            return Err(Self::failure(entity, "gave way to another record in flight"));
        }
        Ok(())
    }

    /// The plan of a record, from what the evaluator made of it.
    pub fn finish(self, flow_target: Option<&EntityName>, result: Result<Outcome<'_>, RecordError>) -> Plan {
        let entity = flow_target.map(ToString::to_string);
        let main = self
            .actions
            .iter()
            .rposition(|action| action.main && action.kind != ActionKind::Lookup);
        let mut plan = Plan {
            decision: Decision::None,
            entity,
            main: None,
            note: String::new(),
            payload: None,
            error: None,
            actions: self.actions,
        };
        match result {
            Ok(Outcome::Filtered { written, .. }) => {
                plan.decision = Decision::Filtered;
                plan.note = format!("`{written}` does not hold");
            }
            Ok(Outcome::Skipped { reason, by_lookup, .. }) => {
                plan.decision = Decision::Skip;
                plan.note = reason;
                // Skipped because a lookup found the record: say which.
                if by_lookup {
                    plan.main = plan.actions.len().checked_sub(1);
                }
            }
            Ok(Outcome::Completed { emitted: Some(value) }) if flow_target.is_none() => {
                plan.decision = Decision::Emit;
                plan.note = "mapped".to_string();
                plan.payload = Some(value.into_owned());
            }
            Ok(Outcome::Completed { .. }) => match main {
                Some(index) => {
                    let action = &plan.actions[index];
                    plan.decision = match action.kind {
                        ActionKind::Create => Decision::Create,
                        ActionKind::Update => Decision::Update,
                        _ => Decision::Skip,
                    };
                    plan.payload = action.payload.clone();
                    plan.main = Some(index);
                }
                None => plan.note = "the flow wrote nothing to its target".to_string(),
            },
            Err(error) => {
                plan.decision = Decision::Fail;
                plan.note = error.message.clone();
                plan.error = Some(error);
            }
        }
        // A flow with several entities of its own (one per order type)
        // names the one this record's decision concerns.
        if let Some(index) = plan.main {
            plan.entity = Some(plan.actions[index].entity.clone());
        }
        plan
    }

    fn failure(entity: &EntityName, message: impl std::fmt::Display) -> RecordError {
        RecordError::new(codes::TARGET_FAILED, format!("{entity}: {message}"))
    }

    /// The connector, when it reaches the entity's system.
    fn system_for(&self, entity: &EntityName) -> Result<&'r dyn Connector, RecordError> {
        if self.target.system() != entity.system {
            let message = format!(
                "no connector reaches this system (the target is {})",
                self.target.system()
            );
            return Err(Self::failure(entity, message));
        }
        Ok(self.target)
    }

    /// The connector a lookup of `entity` asks: the target's, or the
    /// source's for an entity of the source system.
    fn reader_for(&self, entity: &EntityName) -> Result<&'r dyn Connector, RecordError> {
        match self.source {
            Some(source) if self.target.system() != entity.system && source.system() == entity.system => Ok(source),
            _ => self.system_for(entity),
        }
    }

    /// The keys that find a record being created again: the write's own
    /// (an `upsert`'s `where`), or for a plain `create`, those of the last
    /// lookup of the same entity in this record that found nothing (the
    /// `skip if exists` that let the create happen) and whose values the
    /// payload carries. A flow may look for the record it would make in
    /// several ways (`orderType == "SO"`, then `orderType == "IN"`): only
    /// the lookup that agrees with what is sent finds it again. None
    /// agreeing gives no keys: the create is then never repeated blind.
    /// A lookup's orders (`create_date >= since`) come along as they are:
    /// they narrow where the record is looked for, its `==` keys find it.
    fn keys_of_create(&self, entity: &str, own: &[ActionKey], payload: &Value<'_>) -> Vec<ActionKey> {
        if !own.is_empty() {
            return own.to_vec();
        }
        let agrees = |keys: &[ActionKey]| {
            let mut equal = keys.iter().filter(|key| key.comparison.is_equal()).peekable();
            equal.peek().is_some()
                && equal.all(|key| {
                    let path: Vec<&str> = key.field.split('.').collect();
                    carries(payload, &path, &key.value)
                })
        };
        self.actions
            .iter()
            .rev()
            .filter(|action| action.kind == ActionKind::Lookup && action.entity == entity && action.found == 0)
            .find(|action| agrees(&action.keys))
            .map(|action| action.keys.clone())
            .unwrap_or_default()
    }
}

impl Planner<'_> {
    /// Sends a create, and gives the record the system made.
    fn send_create(
        &self,
        target: &dyn Connector,
        entity: &EntityName,
        payload: &Value<'_>,
        keys: &crate::connectors::Keys<'_>,
    ) -> Result<Value<'static>, RecordError> {
        crash::point("create-sending");
        let created = connectors::wait(self.runtime, target.create(&entity.entity, payload, keys))
            .map_err(|error| Self::failure(entity, error))?;
        crash::point("create-answered");
        Ok(created)
    }
}

/// Whether a payload holds `wanted` at a path; a list holds it when one of
/// its elements does (`Rows.Text`: the text of one of the rows).
fn carries(value: &Value<'_>, path: &[&str], wanted: &Value<'_>) -> bool {
    match (value, path.split_first()) {
        (Value::List(items), _) => items.iter().any(|item| carries(item, path, wanted)),
        (_, None) => value.compare(wanted) == Some(std::cmp::Ordering::Equal),
        (_, Some((step, rest))) => value.get(step).is_some_and(|inner| carries(inner, rest, wanted)),
    }
}

/// The most reads and writes one record makes (E1012): a `for each` over
/// a list no record should carry stops there, not at the vendor's limits.
pub const MOST_ACTIONS: usize = 10_000;

impl Planner<'_> {
    fn within_limit(&self) -> Result<(), RecordError> {
        if self.actions.len() < MOST_ACTIONS {
            return Ok(());
        }
        Err(RecordError::new(
            codes::TOO_MANY_ACTIONS,
            format!("the record read or wrote the target {MOST_ACTIONS} times, the most one record may"),
        )
        .help("a list this long is likely a mistake in the source record; see `flowc explain E1012`"))
    }
}

fn owned_keys(keys: &[Key<'_>]) -> Vec<ActionKey> {
    keys.iter()
        .map(|key| ActionKey {
            field: key.field.join("."),
            comparison: key.comparison,
            value: key.value.clone().into_owned(),
        })
        .collect()
}

/// The keys of a lookup as a connector takes them.
fn connector_keys<'k>(keys: &'k [Key<'k>]) -> Vec<connectors::Key<'k>> {
    keys.iter()
        .map(|key| connectors::Key {
            path: key.field,
            comparison: key.comparison,
            value: &key.value,
        })
        .collect()
}

impl<'a> Target<'a> for Planner<'_> {
    fn find(&mut self, entity: &EntityName, keys: &[Key<'a>]) -> Result<Vec<Value<'a>>, RecordError> {
        self.within_limit()?;
        let pairs = connector_keys(keys);
        let target = self.reader_for(entity)?;
        self.take_turn(entity, &pairs)?;
        let name = entity.to_string();
        // Reference data (an entity the flow never writes) is asked once a run.
        let reference = self
            .shared
            .filter(|(shared, _)| !shared.writes(&name))
            .map(|(shared, _)| (shared, Shared::key(&name, &pairs)));
        let kept = reference.as_ref().and_then(|(shared, key)| shared.kept(key));
        // A dry run's placeholder id in a key (the product it would
        // create) matches nothing the system holds: only what it planned.
        let planned_only = !self.apply && keys.iter().any(|key| is_placeholder(&key.value));
        let mut found = match kept {
            Some(found) => found,
            None if planned_only => Vec::new(),
            None => {
                let found = connectors::wait(self.runtime, target.find(&entity.entity, &pairs))
                    .map_err(|error| Self::failure(entity, error))?;
                crash::point("lookup-answered");
                if let Some((shared, key)) = reference {
                    shared.keep(key, &found);
                }
                found
            }
        };
        found.extend(self.planned.find(&name, &pairs));
        self.actions.push(Action {
            kind: ActionKind::Lookup,
            entity: name,
            main: false,
            keys: owned_keys(keys),
            found: found.len(),
            upserted: false,
            payload: None,
            applied: false,
            id: match (self.apply, found.as_slice()) {
                (true, [one]) => one
                    .get(target.id_field(&entity.entity))
                    .and_then(Value::to_text)
                    .map(|id| id.into_owned()),
                _ => None,
            },
        });
        Ok(found)
    }

    fn write(&mut self, request: WriteRequest<'a, '_>) -> Result<Value<'a>, RecordError> {
        self.within_limit()?;
        let name = request.entity.to_string();
        let kind = match &request.action {
            WriteAction::Create => ActionKind::Create,
            WriteAction::Update { existing } if holds_already(existing, &request.payload) => ActionKind::Unchanged,
            WriteAction::Update { .. } => ActionKind::Update,
            WriteAction::Keep { .. } => ActionKind::Keep,
        };
        if matches!(kind, ActionKind::Create | ActionKind::Update) {
            self.take_turn(request.entity, &connector_keys(request.keys))?;
        }
        let payload =
            matches!(kind, ActionKind::Create | ActionKind::Update).then(|| request.payload.clone().into_owned());
        let apply = self.apply;
        let entity = &request.entity.entity;
        let record = match request.action {
            WriteAction::Keep { existing } => existing.into_owned(),
            WriteAction::Update { existing } if kind == ActionKind::Unchanged => existing.into_owned(),
            WriteAction::Create if apply => {
                let target = self.system_for(request.entity)?;
                let keys = self.keys_of_create(&name, &owned_keys(request.keys), &request.payload);
                let paths: Vec<Vec<String>> = keys
                    .iter()
                    .map(|key| key.field.split('.').map(String::from).collect())
                    .collect();
                let pairs: Vec<connectors::Key<'_>> = paths
                    .iter()
                    .zip(&keys)
                    .map(|(path, key)| connectors::Key {
                        path,
                        comparison: key.comparison,
                        value: &key.value,
                    })
                    .collect();
                if self.uncertain != Uncertain::No && !(pairs.is_empty() && self.uncertain == Uncertain::Failed) {
                    if pairs.is_empty() {
                        return Err(Self::failure(
                            request.entity,
                            "a run that stopped was writing this record, and this create has no key to find what it may have written: check the target, then `flowc retry`",
                        ));
                    }
                    let found = connectors::wait(self.runtime, target.find(entity, &pairs))
                        .map_err(|error| Self::failure(request.entity, error))?;
                    if let Some(existing) = found.into_iter().next() {
                        existing
                    } else {
                        self.send_create(target, request.entity, &request.payload, &pairs)?
                    }
                } else {
                    self.send_create(target, request.entity, &request.payload, &pairs)?
                }
            }
            WriteAction::Update { existing } if apply => {
                let target = self.system_for(request.entity)?;
                let id_field = target.id_field(entity).to_string();
                let Some(id) = existing.get(&id_field).cloned() else {
                    return Err(Self::failure(
                        request.entity,
                        format!("the found record has no `{id_field}`"),
                    ));
                };
                connectors::wait(self.runtime, target.update(entity, &id, &request.payload))
                    .map_err(|error| Self::failure(request.entity, error))?
            }
            WriteAction::Create => {
                let id_field = self.system_for(request.entity)?.id_field(entity).to_string();
                let record = placeholder(&name, &id_field, &request.payload);
                self.planned.push(&name, record.clone());
                record
            }
            WriteAction::Update { existing } => merged(&existing, &request.payload),
        };
        let id = if apply {
            let id_field = self.system_for(request.entity)?.id_field(entity);
            record.get(id_field).and_then(Value::to_text).map(|id| id.into_owned())
        } else {
            None
        };
        self.actions.push(Action {
            kind,
            entity: name,
            main: request.is_main,
            keys: owned_keys(request.keys),
            found: 0,
            upserted: request.kind != WriteKind::Create,
            payload,
            id,
            applied: apply && matches!(kind, ActionKind::Create | ActionKind::Update),
        });
        Ok(record)
    }
}

/// Whether `existing` already has every field of `payload` with the same
/// value (numbers by value; a date and its ISO text alike).
fn holds_already(existing: &Value<'_>, payload: &Value<'_>) -> bool {
    let Some(fields) = payload.as_object() else {
        return false;
    };
    fields.iter().all(|(name, value)| {
        existing.get(name).is_some_and(|held| {
            held == value || (held.kind() != value.kind() && json::to_string(held) == json::to_string(value))
        })
    })
}

/// What a dry run says a created record will look like: its fields, and an
/// id that says it does not exist yet.
fn placeholder(entity: &str, id_field: &str, payload: &Value<'_>) -> Value<'static> {
    let mut record = payload.as_object().cloned().unwrap_or_default().into_owned();
    if !record.contains_key(id_field) {
        record.insert(id_field.to_string(), Value::from(format!("(new {entity})")));
    }
    Value::object(record)
}

/// Whether a value is the id a dry run gave a record it would create
/// (`"(new mpluskassa.relations)"`): the system assigns the real one.
pub fn is_placeholder(value: &Value<'_>) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.starts_with("(new ") && text.ends_with(')'))
}

/// An updated record in a dry run: the existing fields with the new ones over them.
fn merged(existing: &Value<'_>, payload: &Value<'_>) -> Value<'static> {
    let mut record: Object<'static> = existing.as_object().cloned().unwrap_or_default().into_owned();
    if let Some(fields) = payload.as_object() {
        for (name, value) in fields.iter() {
            record.insert(name.to_string(), value.clone().into_owned());
        }
    }
    Value::object(record)
}

/// A plan as one line of JSON.
pub fn json_line(plan: &Plan, record_key: Option<&str>) -> String {
    json::to_string(&plan.to_json(record_key, false))
}
