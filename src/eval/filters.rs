//! The `when` filters a flow starts with, asked before the flow runs in
//! full: while a record is read (a record they turn away is then only
//! checked to be JSON, not built), and, when they compare fields with
//! constants, straight on the fields instead of by evaluating them.

use super::{Evaluator, Offline, Outcome, expr};
use crate::check::ir::{Filters, Statement};
use crate::value::json::{self, JsonError};
use crate::value::{Object, Value};

/// A record read from its JSON text (see [`Evaluator::read`]).
#[derive(Debug)]
pub enum Reading<'a> {
    Record(Value<'a>),
    /// The flow's first filters turned the record away before it was read
    /// whole; the outcome is [`Outcome::Filtered`].
    Filtered(Outcome<'a>),
}

/// What the flow's first filters said, asked straight on a record's fields.
pub(super) enum Asked<'p> {
    /// They all held: running the flow may start after these statements.
    Held(usize),
    TurnedAway(Outcome<'p>),
}

impl<'p> Evaluator<'p> {
    /// Reads a record from its JSON text, building only what the flow
    /// reads. When the flow starts with `when` filters, they are asked as
    /// soon as the fields they read are read; a record they turn away is
    /// then only checked to be JSON, and its outcome is the one the flow
    /// would give it.
    pub fn read<'a>(&'a self, text: &'a str) -> Result<Reading<'a>, JsonError>
    where
        'p: 'a,
    {
        let program = self.program;
        let Some(filters) = &program.filters else {
            return json::parse_projected(text, &program.projection).map(Reading::Record);
        };
        let mut turned_away = None;
        let read = json::parse_gated(text, &program.projection, &filters.gate, &mut |record| {
            turned_away = self.turned_away(filters, record);
            turned_away.is_none()
        })?;
        Ok(match read {
            Some(record) => Reading::Record(record),
            None => Reading::Filtered(turned_away.expect("only a filter that did not hold turns a record away")),
        })
    }

    /// Whether the `when` filters the flow starts with turn `record` away:
    /// the outcome if so. An error in a filter turns nothing away here; the
    /// record is read whole and the flow reports it.
    fn turned_away(&self, filters: &Filters, record: &mut Object<'_>) -> Option<Outcome<'p>> {
        if filters.comparisons.is_some() {
            return match self.compare_first_filters(record)? {
                Asked::Held(_) => None,
                Asked::TurnedAway(outcome) => Some(outcome),
            };
        }
        record.lend_as_value(|record| self.turned_away_by_running(filters, record))
    }

    /// [`Evaluator::compare_first_filters`] on a record value.
    pub(super) fn ask_first_filters(&self, record: &Value<'_>) -> Option<Asked<'p>> {
        match record {
            Value::Object(object) => self.compare_first_filters(object),
            _ => None,
        }
    }

    /// The flow's first filters asked straight on the fields of `record`,
    /// when they all compare a field with a constant (compared as `==`
    /// compares). `None` when they cannot be asked so: they are not such
    /// comparisons, or a field is missing (running them reports it).
    fn compare_first_filters(&self, record: &Object<'_>) -> Option<Asked<'p>> {
        let flow = self.program.flow.as_ref()?;
        let filters = self.program.filters.as_ref()?;
        let comparisons = filters.comparisons.as_ref()?;
        for (comparison, statement) in comparisons.iter().zip(&flow.statements) {
            let field = record.get(&comparison.name)?;
            if (*field == comparison.value) != comparison.equal {
                let Statement::When(condition, written) = statement else {
                    return None;
                };
                return Some(Asked::TurnedAway(Outcome::Filtered {
                    condition: condition.span,
                    written,
                }));
            }
        }
        Some(Asked::Held(comparisons.len()))
    }

    /// [`Evaluator::turned_away`] for filters that must be evaluated.
    fn turned_away_by_running(&self, filters: &Filters, record: &Value<'_>) -> Option<Outcome<'p>> {
        let flow = self.program.flow.as_ref()?;
        let mut target = Offline::default();
        let mut run = expr::Run::new(self, record, &mut target);
        let mut frame = vec![Value::Null; filters.frame_size as usize];
        for statement in &flow.statements[..filters.count] {
            let Statement::When(condition, written) = statement else {
                break;
            };
            if let Ok(false) = run.condition(condition, &mut frame) {
                return Some(Outcome::Filtered {
                    condition: condition.span,
                    written,
                });
            }
        }
        None
    }
}
