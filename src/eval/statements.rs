//! Running a flow's statements, and its reads and writes of the target.

use super::Outcome;
use super::expr::{Frame, Run, not_a_list};
use super::record::{Fields, Mode};
use super::target::{Key, WriteAction, WriteRequest};
use crate::check::ir::{KeyMatch, Record, RequireEach, Statement, Write, WriteKind};
use crate::diagnostics::{RecordError, codes, personal};
use crate::source::Span;
use crate::value::{Text, Value};

impl<'a> Run<'a, '_> {
    pub(super) fn statements(
        &mut self,
        statements: &'a [Statement],
        frame: &mut Frame<'a>,
    ) -> Result<Outcome<'a>, RecordError> {
        let mut emitted = None;
        match self.block(statements, frame, &mut emitted)? {
            Some(stop) => Ok(stop),
            None => Ok(Outcome::Completed { emitted }),
        }
    }

    /// Runs statements in order; `Some` when one of them ends the record.
    fn block(
        &mut self,
        statements: &'a [Statement],
        frame: &mut Frame<'a>,
        emitted: &mut Option<Value<'a>>,
    ) -> Result<Option<Outcome<'a>>, RecordError> {
        for statement in statements {
            match statement {
                Statement::When(condition, written) => {
                    if !self.condition(condition, frame)? {
                        return Ok(Some(Outcome::Filtered {
                            condition: condition.span,
                            written,
                        }));
                    }
                }
                Statement::Let(slot, value) => {
                    frame[slot.0 as usize] = self.expr(value, frame)?;
                }
                Statement::SkipIfExists { entity, keys, span } => {
                    let keys = self.keys(keys, frame)?;
                    let found = self.target.find(entity, &keys).map_err(|error| error.at(*span))?;
                    if !found.is_empty() {
                        return Ok(Some(Outcome::Skipped {
                            reason: format!("{entity} already has a record with {}", describe_keys(&keys)),
                            span: *span,
                            by_lookup: true,
                        }));
                    }
                }
                Statement::SkipIf(condition, written) => {
                    if self.condition(condition, frame)? {
                        return Ok(Some(Outcome::Skipped {
                            reason: format!("`{written}` holds"),
                            span: condition.span,
                            by_lookup: false,
                        }));
                    }
                }
                Statement::RequireThat {
                    condition,
                    message,
                    span,
                } => {
                    if !self.condition(condition, frame)? {
                        let message = match self.expr(message, frame)? {
                            Value::Text(text) => text.to_string(),
                            other => other.to_string(),
                        };
                        return Err(RecordError::new(codes::REQUIREMENT_FAILED, message).at(*span));
                    }
                }
                Statement::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    let branch = if self.condition(condition, frame)? {
                        then
                    } else {
                        otherwise
                    };
                    if let Some(stop) = self.block(branch, frame, emitted)? {
                        return Ok(Some(stop));
                    }
                }
                Statement::ForEach { item, list, body } => {
                    let items = match self.expr(list, frame)? {
                        Value::List(items) => items,
                        other => return Err(not_a_list("`for each`", &other).at(list.span)),
                    };
                    for element in items.iter() {
                        frame[item.0 as usize] = element.clone();
                        if let Some(stop) = self.block(body, frame, emitted)? {
                            return Ok(Some(stop));
                        }
                    }
                }
                Statement::Emit(record) => {
                    // A later `emit` replaces an earlier one, however given.
                    *emitted = None;
                    if let Some(out) = self.emit_json.as_deref_mut() {
                        out.clear();
                    }
                    match self.emit_json.take() {
                        Some(out) if !record.has_spread => {
                            let written = self.emit_as_json(record, frame, out);
                            self.emit_json = Some(out);
                            written?;
                        }
                        out => {
                            self.emit_json = out;
                            *emitted = Some(self.object(record, frame, Some(Mode::Create))?);
                        }
                    }
                }
                Statement::Effect(expr) => {
                    self.expr(expr, frame)?;
                }
            }
        }
        Ok(None)
    }

    /// Writes the record an `emit` describes to `out` as a JSON object.
    fn emit_as_json(
        &mut self,
        record: &'a Record,
        frame: &mut Frame<'a>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        out.push(b'{');
        self.fill(
            record,
            frame,
            &mut Fields::Json { out, first: true },
            Some(Mode::Create),
        )?;
        out.push(b'}');
        Ok(())
    }

    pub(super) fn keys(&mut self, keys: &'a [KeyMatch], frame: &mut Frame<'a>) -> Result<Vec<Key<'a>>, RecordError> {
        keys.iter()
            .map(|key| {
                Ok(Key {
                    field: &key.field,
                    comparison: key.comparison,
                    value: self.expr(&key.value, frame)?,
                })
            })
            .collect()
    }

    pub(super) fn require_each(
        &mut self,
        require: &'a RequireEach,
        frame: &mut Frame<'a>,
        span: Span,
    ) -> Result<Value<'a>, RecordError> {
        let list = match self.expr(&require.list, frame)? {
            Value::List(items) => items,
            other => return Err(not_a_list("`require each`", &other).at(require.list.span)),
        };
        let mut found_records = Vec::with_capacity(list.len());
        let mut missing = Vec::new();
        for item in list.iter() {
            frame[require.item.0 as usize] = item.clone();
            let keys = self.keys(&require.keys, frame)?;
            let mut found = self
                .target
                .find(&require.entity, &keys)
                .map_err(|error| error.at(span))?;
            if found.is_empty() {
                missing.push(keys_in_message(&keys));
            } else {
                found_records.push(found.swap_remove(0));
            }
        }
        if !missing.is_empty() {
            return Err(RecordError::new(
                codes::MISSING_IN_TARGET,
                format!(
                    "{} of {} are not in {}: {}",
                    missing.len(),
                    list.len(),
                    require.entity,
                    missing.join("; ")
                ),
            )
            .help("create them in the target first, then run the record again")
            .at(span));
        }
        Ok(Value::list(found_records))
    }

    pub(super) fn write(
        &mut self,
        write: &'a Write,
        frame: &mut Frame<'a>,
        span: Span,
    ) -> Result<Value<'a>, RecordError> {
        let keys = self.keys(&write.keys, frame)?;
        let found = match write.kind {
            WriteKind::Create => Vec::new(),
            WriteKind::Upsert | WriteKind::Update => {
                self.target.find(&write.entity, &keys).map_err(|error| error.at(span))?
            }
        };
        let (action, payload) = match (write.kind, found.into_iter().next()) {
            (WriteKind::Update, None) => {
                return Err(RecordError::new(
                    codes::NOTHING_TO_UPDATE,
                    format!(
                        "{} has no record with {} to update",
                        write.entity,
                        keys_in_message(&keys)
                    ),
                )
                .help("use `upsert` to create it when it is missing")
                .at(span));
            }
            (WriteKind::Upsert, Some(existing)) => {
                let update = match &write.update_if {
                    Some(condition) => self.condition(condition, frame)?,
                    None => true,
                };
                if update {
                    (
                        WriteAction::Update { existing },
                        self.object(&write.body, frame, Some(Mode::Update))?,
                    )
                } else {
                    (WriteAction::Keep { existing }, Value::Null)
                }
            }
            (WriteKind::Update, Some(existing)) => (
                WriteAction::Update { existing },
                self.object(&write.body, frame, Some(Mode::Update))?,
            ),
            (WriteKind::Create | WriteKind::Upsert, _) => {
                let mut object = self.build(&write.body, frame, Some(Mode::Create))?;
                // A created record is found again by its keys next time: write them.
                for key in &keys {
                    if let [field] = key.field
                        && key.comparison.is_equal()
                        && !object.contains_key(field)
                    {
                        object.push(Text::Borrowed(field.as_str()), key.value.clone());
                    }
                }
                (WriteAction::Create, Value::object(object))
            }
        };
        let request = WriteRequest {
            kind: write.kind,
            entity: &write.entity,
            is_main: write.is_main,
            keys: &keys,
            action,
            payload,
            span,
        };
        self.target.write(request).map_err(|error| error.at(span))
    }
}

/// `Number == "100234" and Active == true`
pub fn describe_keys(keys: &[Key<'_>]) -> String {
    keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
}

/// Keys as an error message shows them: values of personal fields (an
/// e-mail address) marked, so that the activity log masks them.
fn keys_in_message(keys: &[Key<'_>]) -> String {
    keys.iter()
        .map(|key| {
            let field = key.field.join(".");
            if key.field.iter().any(|part| personal::is_personal(part)) {
                format!("{field} == {}", personal::shown(&key.value))
            } else {
                key.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}
