//! Plans: what a flow decides for one record.
//!
//! A [`Planner`] is the evaluator's [`Target`]: it answers lookups from a
//! view of the target system ([`Records`]) and writes down every read and
//! write as an [`Action`] with its reason. In a dry run nothing is written
//! and a created record gets a placeholder id; when a [`Writer`] is given,
//! the writes are carried out and the real records come back. Either way
//! the result of a record is a [`Plan`]: its decision for the flow's own
//! entity, and the ordered actions.

mod snapshot;
#[cfg(test)]
mod tests;

pub use snapshot::Snapshot;

use serde::Serialize;

use crate::check::ir::{EntityName, WriteKind};
use crate::diagnostics::{RecordError, codes};
use crate::eval::{Key, Outcome, Target, WriteAction, WriteRequest};
use crate::value::{Object, Value, json};

/// Reading the target system: records of an entity that match keys.
pub trait Records {
    /// Every record of `entity` (`system.entity`) whose fields equal the keys'
    /// values, in the system's order. Errors are the system's, in words.
    fn find(
        &self,
        entity: &str,
        keys: &[(&[String], &Value<'_>)],
    ) -> Result<Vec<Value<'static>>, String>;
}

/// Writing the target system, for a run that is not dry.
pub trait Writer {
    /// Creates a record; gives it as the system holds it (with its id).
    fn create(&mut self, entity: &str, payload: &Value<'_>) -> Result<Value<'static>, String>;
    /// Updates `existing` with the fields of `payload`; gives the result.
    fn update(
        &mut self,
        entity: &str,
        existing: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, String>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    Lookup,
    Create,
    Update,
    /// A found record used as it is.
    Keep,
}

/// One read or write, with why it happens.
#[derive(Clone, Debug)]
pub struct Action {
    pub kind: ActionKind,
    pub entity: String,
    /// Whether the entity is the flow's own target.
    pub main: bool,
    pub keys: String,
    pub reason: String,
    /// What was written (creates and updates).
    pub payload: Option<Value<'static>>,
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
    /// Failed; nothing was written for it.
    Fail,
    /// A mapping without a target: what it emitted is the result.
    Emit,
    /// Ran to its end without writing the flow's own entity.
    None,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub decision: Decision,
    /// The flow's own entity, if it has a target.
    pub entity: Option<String>,
    pub reason: String,
    pub actions: Vec<Action>,
    /// What is written to the flow's own entity (or emitted).
    pub payload: Option<Value<'static>>,
    pub error: Option<RecordError>,
}

/// The evaluator's target while planning (and, with a writer, applying).
pub struct Planner<'r> {
    records: &'r dyn Records,
    writer: Option<&'r mut dyn Writer>,
    pub actions: Vec<Action>,
    /// Records created in this plan, per entity, so that a lookup later in
    /// the same record finds them.
    created: Vec<(String, Value<'static>)>,
}

impl<'r> Planner<'r> {
    /// A dry planner: reads from `records`, writes nothing.
    pub fn dry(records: &'r dyn Records) -> Planner<'r> {
        Planner {
            records,
            writer: None,
            actions: Vec::new(),
            created: Vec::new(),
        }
    }

    /// A planner that carries out its writes with `writer`.
    pub fn applying(records: &'r dyn Records, writer: &'r mut dyn Writer) -> Planner<'r> {
        Planner {
            records,
            writer: Some(writer),
            actions: Vec::new(),
            created: Vec::new(),
        }
    }

    /// The plan of a record, from the evaluator's result.
    pub fn finish(
        self,
        flow_target: Option<&EntityName>,
        result: Result<Outcome<'_>, RecordError>,
    ) -> Plan {
        let entity = flow_target.map(ToString::to_string);
        let main = self
            .actions
            .iter()
            .rev()
            .find(|action| action.main && action.kind != ActionKind::Lookup);
        let (decision, reason, payload, error) = match result {
            Ok(Outcome::Filtered { .. }) => (
                Decision::Filtered,
                "a `when` condition does not hold".to_string(),
                None,
                None,
            ),
            Ok(Outcome::Skipped { reason, .. }) => (Decision::Skip, reason, None, None),
            Ok(Outcome::Completed {
                emitted: Some(value),
            }) if flow_target.is_none() => (
                Decision::Emit,
                "mapped".to_string(),
                Some(value.into_owned()),
                None,
            ),
            Ok(Outcome::Completed { .. }) => match main {
                Some(action) => {
                    let decision = match action.kind {
                        ActionKind::Create => Decision::Create,
                        ActionKind::Update => Decision::Update,
                        _ => Decision::Skip,
                    };
                    (
                        decision,
                        action.reason.clone(),
                        action.payload.clone(),
                        None,
                    )
                }
                None => (
                    Decision::None,
                    "the flow wrote nothing to its target".to_string(),
                    None,
                    None,
                ),
            },
            Err(error) => (Decision::Fail, error.message.clone(), None, Some(error)),
        };
        Plan {
            decision,
            entity,
            reason,
            actions: self.actions,
            payload,
            error,
        }
    }

    fn system_error(&self, entity: &EntityName, message: String) -> RecordError {
        RecordError::new(codes::TARGET_FAILED, format!("{entity}: {message}"))
    }
}

/// Whether a record's fields equal every key.
pub fn matches_keys(record: &Value<'_>, keys: &[(&[String], &Value<'_>)]) -> bool {
    keys.iter().all(|(path, value)| {
        let mut field = record;
        for name in path.iter() {
            match field.get(name) {
                Some(next) => field = next,
                None => return false,
            }
        }
        field == *value
    })
}

impl<'a> Target<'a> for Planner<'_> {
    fn find(
        &mut self,
        entity: &EntityName,
        keys: &[Key<'a>],
    ) -> Result<Vec<Value<'a>>, RecordError> {
        let name = entity.to_string();
        let pairs: Vec<(&[String], &Value<'_>)> =
            keys.iter().map(|key| (key.field, &key.value)).collect();
        let mut found = self
            .records
            .find(&name, &pairs)
            .map_err(|message| self.system_error(entity, message))?;
        found.extend(
            self.created
                .iter()
                .filter(|(created_in, record)| *created_in == name && matches_keys(record, &pairs))
                .map(|(_, record)| record.clone()),
        );
        let described = crate::eval::describe_keys(keys);
        let reason = match found.len() {
            0 => format!("no record with {described}"),
            1 => format!("found the record with {described}"),
            n => format!("found {n} records with {described}; the first is used"),
        };
        self.actions.push(Action {
            kind: ActionKind::Lookup,
            entity: name,
            main: false,
            keys: described,
            reason,
            payload: None,
        });
        Ok(found)
    }

    fn write(&mut self, request: WriteRequest<'a, '_>) -> Result<Value<'a>, RecordError> {
        let name = request.entity.to_string();
        let keys = crate::eval::describe_keys(request.keys);
        let (kind, reason) = match (&request.action, request.kind) {
            (WriteAction::Create, WriteKind::Create) => {
                (ActionKind::Create, "a new record".to_string())
            }
            (WriteAction::Create, _) => (ActionKind::Create, format!("no record with {keys} yet")),
            (WriteAction::Update { .. }, _) => {
                (ActionKind::Update, format!("the record with {keys} exists"))
            }
            (WriteAction::Keep { .. }, _) => (
                ActionKind::Keep,
                format!("the record with {keys} exists and its `update if` does not hold"),
            ),
        };
        let payload = (kind != ActionKind::Keep).then(|| request.payload.clone().into_owned());
        let result = match (&request.action, self.writer.as_deref_mut()) {
            (WriteAction::Keep { existing }, _) => Ok(existing.clone().into_owned()),
            (WriteAction::Create, Some(writer)) => writer.create(&name, &request.payload),
            (WriteAction::Update { existing }, Some(writer)) => {
                writer.update(&name, existing, &request.payload)
            }
            (WriteAction::Create, None) => Ok(placeholder(&name, &request.payload)),
            (WriteAction::Update { existing }, None) => Ok(merged(existing, &request.payload)),
        };
        let record = result.map_err(|message| self.system_error(request.entity, message))?;
        if kind == ActionKind::Create {
            self.created.push((name.clone(), record.clone()));
        }
        self.actions.push(Action {
            kind,
            entity: name,
            main: request.is_main,
            keys,
            reason,
            payload,
        });
        Ok(record)
    }
}

/// What a dry run says a created record will look like: its fields, and an
/// id that says it does not exist yet.
fn placeholder(entity: &str, payload: &Value<'_>) -> Value<'static> {
    let mut record = payload
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_owned();
    if !record.contains_key("Id") {
        record.insert("Id", Value::from(format!("(new {entity})")));
    }
    Value::object(record)
}

/// An updated record in a dry run: the existing fields with the new ones over them.
fn merged(existing: &Value<'_>, payload: &Value<'_>) -> Value<'static> {
    let mut record: Object<'static> = existing
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_owned();
    if let Some(fields) = payload.as_object() {
        for (name, value) in fields.iter() {
            record.insert(name.to_string(), value.clone().into_owned());
        }
    }
    Value::object(record)
}

impl Action {
    /// The action as JSON, for `--format json` and the activity log.
    pub fn to_json(&self) -> Value<'static> {
        let mut object = Object::new();
        object.push("action", Value::from(serde_plain(&self.kind)));
        object.push("entity", Value::from(self.entity.clone()));
        object.push("main", Value::Bool(self.main));
        object.push("keys", Value::from(self.keys.clone()));
        object.push("reason", Value::from(self.reason.clone()));
        if let Some(payload) = &self.payload {
            object.push("payload", payload.clone());
        }
        Value::object(object)
    }
}

/// A unit enum's serde name (`create`).
pub fn serde_plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

impl Plan {
    pub fn to_json(&self, record_key: Option<&str>) -> Value<'static> {
        let mut object = Object::new();
        object.push(
            "record",
            record_key.map_or(Value::Null, |key| Value::from(key.to_string())),
        );
        object.push("action", Value::from(serde_plain(&self.decision)));
        object.push(
            "entity",
            self.entity.clone().map_or(Value::Null, Value::from),
        );
        object.push("reason", Value::from(self.reason.clone()));
        if let Some(error) = &self.error {
            object.push("code", Value::from(error.code.id.to_string()));
        }
        object.push(
            "actions",
            Value::list(self.actions.iter().map(Action::to_json).collect()),
        );
        object.push("payload", self.payload.clone().unwrap_or(Value::Null));
        Value::object(object)
    }

    /// The plan as one line of JSON.
    pub fn to_json_line(&self, record_key: Option<&str>) -> String {
        json::to_string(&self.to_json(record_key))
    }
}
