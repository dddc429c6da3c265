//! Building the object a record body describes.

use super::expr::{Frame, Run};
use crate::check::ir::{Record, RecordItem};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Object, Text, Value};

/// Which fields of a body are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// An object, an `emit`, or a record being created: every field.
    Create,
    /// A record being updated: `create only` fields only when their
    /// `unless` switch is on.
    Update,
}

impl<'a> Run<'a, '_> {
    pub(super) fn fill(
        &mut self,
        record: &'a Record,
        frame: &mut Frame<'a>,
        object: &mut Object<'a>,
        mode: Option<Mode>,
    ) -> Result<(), RecordError> {
        for item in &record.items {
            match item {
                RecordItem::Field { name, value, .. } => {
                    let value = self.expr(value, frame)?;
                    if record.has_spread {
                        object.insert(Text::Borrowed(name), value);
                    } else {
                        object.push(Text::Borrowed(name), value);
                    }
                }
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
                    self.fill(branch, frame, object, mode)?;
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
                        self.fill(body, frame, object, mode)?;
                    }
                }
                RecordItem::Spread(value) => match self.expr(value, frame)? {
                    Value::Object(fields) => {
                        for (name, field) in fields.keys().zip(fields.iter().map(|(_, v)| v)) {
                            object.insert(name.clone(), field.clone());
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
