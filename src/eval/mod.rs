//! Evaluation: runs a checked program on one record at a time.
//!
//! The checked program ([`crate::check::ir`]) is already compiled: names are
//! slots and ids, constants are prepared, JSONPath queries parsed. An
//! [`Evaluator`] holds it with the settings' values and a clock; [`Evaluator::run`]
//! evaluates the flow's statements on a record and says what became of it.
//! Reads and writes of the target system go through a [`Target`], which
//! decides what they mean (planning them, or carrying them out).

mod expr;
mod ops;
mod paths;
mod record;
pub mod settings;
mod statements;
mod target;

use chrono::{DateTime, Utc};

pub use statements::describe_keys;
pub use target::{Key, Offline, Target, WriteAction, WriteRequest};

use crate::check::ir::{Filters, Program, Statement};
use crate::diagnostics::RecordError;
use crate::source::Span;
use crate::value::json::{self, JsonError};
use crate::value::{Object, Value};

/// Where "now" comes from.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    System,
    /// A fixed moment, for tests and examples.
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(moment) => moment,
        }
    }
}

/// What became of a record.
#[derive(Debug)]
pub enum Outcome<'a> {
    /// A `when` did not hold: the record is not wanted.
    /// `written` is the condition as written, to say why.
    Filtered { condition: Span, written: &'a str },
    /// A `skip if` held: the record is wanted but there is nothing to do.
    /// `by_lookup`: a `skip if exists` found the record (its last lookup).
    Skipped {
        reason: String,
        span: Span,
        by_lookup: bool,
    },
    /// Every statement ran; `emitted` is what `emit` gave, if the flow emits.
    Completed { emitted: Option<Value<'a>> },
}

/// A record read from its JSON text (see [`Evaluator::read`]).
#[derive(Debug)]
pub enum Reading<'a> {
    Record(Value<'a>),
    /// The flow's first filters turned the record away before it was read
    /// whole; the outcome is [`Outcome::Filtered`].
    Filtered(Outcome<'a>),
}

/// What the flow's first filters said, asked straight on a record's fields.
enum Asked<'p> {
    /// They all held: running the flow may start after these statements.
    Held(usize),
    TurnedAway(Outcome<'p>),
}

/// A checked program, ready to run on records.
pub struct Evaluator<'p> {
    program: &'p Program,
    settings: Vec<Value<'static>>,
    clock: Clock,
}

impl<'p> Evaluator<'p> {
    /// `settings` holds a value for every setting of the program, in order
    /// (see [`settings::resolve`]).
    pub fn new(program: &'p Program, settings: Vec<Value<'static>>, clock: Clock) -> Evaluator<'p> {
        Evaluator {
            program,
            settings,
            clock,
        }
    }

    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Runs the flow's statements on `record`. Errors fail this record only.
    pub fn run<'a>(&'a self, record: &'a Value<'a>, target: &mut dyn Target<'a>) -> Result<Outcome<'a>, RecordError>
    where
        'p: 'a,
    {
        let Some(flow) = &self.program.flow else {
            return Ok(Outcome::Completed { emitted: None });
        };
        let start = match self.ask_first_filters(record) {
            Some(Asked::Held(count)) => count,
            Some(Asked::TurnedAway(outcome)) => return Ok(outcome),
            None => 0,
        };
        let mut run = expr::Run::new(self, record, target);
        let mut frame = vec![Value::Null; flow.frame_size as usize];
        run.statements(&flow.statements[start..], &mut frame)
    }

    /// Runs the flow's statements on `record` like [`Evaluator::run`], but
    /// an `emit` without spreads writes its record straight to `out` as
    /// compact JSON instead of building it: then `out` holds it and the
    /// outcome's `emitted` is `None`. `out` is empty when nothing was
    /// written this way, and whenever the record did not complete (it
    /// failed, was filtered or skipped after its `emit`).
    pub fn run_emitting_json<'a>(
        &'a self,
        record: &'a Value<'a>,
        target: &mut dyn Target<'a>,
        out: &mut Vec<u8>,
    ) -> Result<Outcome<'a>, RecordError>
    where
        'p: 'a,
    {
        out.clear();
        let Some(flow) = &self.program.flow else {
            return Ok(Outcome::Completed { emitted: None });
        };
        let start = match self.ask_first_filters(record) {
            Some(Asked::Held(count)) => count,
            Some(Asked::TurnedAway(outcome)) => return Ok(outcome),
            None => 0,
        };
        let mut run = expr::Run::new(self, record, target);
        run.emit_json = Some(&mut *out);
        let mut frame = vec![Value::Null; flow.frame_size as usize];
        let outcome = run.statements(&flow.statements[start..], &mut frame);
        if !matches!(outcome, Ok(Outcome::Completed { .. })) {
            out.clear();
        }
        outcome
    }

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
    fn ask_first_filters(&self, record: &Value<'_>) -> Option<Asked<'p>> {
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

    /// Evaluates one expression with no record, for examples and tests of
    /// the standard library: the flow's first `emit` field, say.
    pub fn evaluate_constant<'a>(
        &'a self,
        expr: &'a crate::check::ir::Expr,
        frame_size: u32,
    ) -> Result<Value<'a>, RecordError>
    where
        'p: 'a,
    {
        static EMPTY: Value<'static> = Value::Null;
        let mut target = Offline::default();
        let mut run = expr::Run::new(self, &EMPTY, &mut target);
        let mut frame = vec![Value::Null; frame_size as usize];
        run.expr(expr, &mut frame)
    }
}
