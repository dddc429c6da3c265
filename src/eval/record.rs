//! Building the object a record body describes, or writing it straight
//! out as JSON.

use super::expr::{Frame, Run};
use crate::check::ir::{Record, RecordItem};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Object, Text, Value, json};

/// Which fields of a body are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// An object, an `emit`, or a record being created: every field.
    Create,
    /// A record being updated: `create only` fields only when their
    /// `unless` switch is on.
    Update,
}

/// Where the fields of a record body go.
pub(super) enum Fields<'o, 'a> {
    /// Into an object. A body with spreads may bring a name twice: the
    /// later field replaces the earlier one, when [`Run::build`] merges
    /// them at the end.
    Object { object: &'o mut Object<'a> },
    /// Straight out, as the members of a JSON object being written, for a
    /// body without spreads (so no name comes twice): nothing is built.
    Json { out: &'o mut Vec<u8>, first: bool },
}

impl<'o, 'a> Fields<'o, 'a> {
    /// A field a spread brings in.
    fn spread_field(&mut self, name: Text<'a>, value: Value<'a>) {
        match self {
            Fields::Object { object } => object.push(name, value),
            Fields::Json { out, first } => {
                if !std::mem::take(first) {
                    out.push(b',');
                }
                json::write_text(&name, out);
                out.push(b':');
                json::write(&value, out);
            }
        }
    }
}

impl<'a> Run<'a, '_> {
    /// The object a record body describes.
    pub(super) fn build(
        &mut self,
        record: &'a Record,
        frame: &mut Frame<'a>,
        mode: Option<Mode>,
    ) -> Result<Object<'a>, RecordError> {
        let mut object = Object::with_capacity(record.items.len());
        self.fill(record, frame, &mut Fields::Object { object: &mut object }, mode)?;
        if record.has_spread {
            object.merge_repeated_names();
        }
        Ok(object)
    }

    pub(super) fn fill(
        &mut self,
        record: &'a Record,
        frame: &mut Frame<'a>,
        into: &mut Fields<'_, 'a>,
        mode: Option<Mode>,
    ) -> Result<(), RecordError> {
        for item in &record.items {
            match item {
                RecordItem::Field {
                    name,
                    json_key,
                    value,
                    unless_none: true,
                    ..
                } => {
                    let value = self.expr(value, frame)?;
                    if matches!(value, Value::Null) {
                        continue;
                    }
                    match into {
                        Fields::Json { out, first } => {
                            if !std::mem::take(first) {
                                out.push(b',');
                            }
                            out.extend_from_slice(json_key.as_bytes());
                            json::write(&value, out);
                        }
                        Fields::Object { object } => object.push(Text::Borrowed(name), value),
                    }
                }
                RecordItem::Field {
                    name, json_key, value, ..
                } => match into {
                    Fields::Json { out, first } => {
                        if !std::mem::take(first) {
                            out.push(b',');
                        }
                        out.extend_from_slice(json_key.as_bytes());
                        self.write_json(value, frame, out)?;
                    }
                    Fields::Object { object } => {
                        let value = self.expr(value, frame)?;
                        object.push(Text::Borrowed(name), value);
                    }
                },
                RecordItem::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    let branch = if self.condition(condition, frame)? {
                        then
                    } else {
                        otherwise
                    };
                    self.fill(branch, frame, into, mode)?;
                }
                RecordItem::Let(slot, value) => {
                    frame[slot.0 as usize] = self.expr(value, frame)?;
                }
                RecordItem::CreateOnly { unless, body, .. } => {
                    let write = match mode {
                        Some(Mode::Update) => match unless {
                            Some(switch) => self.condition(switch, frame)?,
                            None => false,
                        },
                        _ => true,
                    };
                    if write {
                        self.fill(body, frame, into, mode)?;
                    }
                }
                RecordItem::Spread(value) => match self.expr(value, frame)? {
                    Value::Object(fields) => {
                        for (name, field) in fields.keys().zip(fields.iter().map(|(_, v)| v)) {
                            into.spread_field(name.clone(), field.clone());
                        }
                    }
                    Value::Null => {}
                    other => {
                        return Err(RecordError::new(
                            codes::WRONG_TYPE,
                            format!(
                                "`...` takes an object, but this is {}: {}",
                                other.kind(),
                                crate::stdlib::clip(&other)
                            ),
                        )
                        .at(value.span));
                    }
                },
            }
        }
        Ok(())
    }
}
