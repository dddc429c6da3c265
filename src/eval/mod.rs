//! Evaluation: runs a checked program on one record at a time.
//!
//! The checked program ([`crate::check::ir`]) is already compiled: names are
//! slots and ids, constants are prepared, JSONPath queries parsed. An
//! [`Evaluator`] holds it with the settings' values and a clock; [`Evaluator::run`]
//! evaluates the flow's statements on a record and says what became of it;
//! [`Evaluator::read`] reads a record from JSON text, only as far as the
//! flow needs it. Reads and writes of the target system go through a [`Target`], which
//! decides what they mean (planning them, or carrying them out).

mod expr;
mod filters;
mod json_out;
mod ops;
mod paths;
mod record;
pub mod settings;
mod statements;
mod target;

use chrono::{DateTime, Utc};

pub use filters::Reading;
pub use statements::describe_keys;
pub use target::{Key, Offline, Target, WriteAction, WriteRequest};

use crate::check::ir::Program;
use crate::diagnostics::RecordError;
use crate::source::Span;
use crate::value::Value;

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
        self.run_statements(record, target, None)
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
        let outcome = self.run_statements(record, target, Some(&mut *out));
        if !matches!(outcome, Ok(Outcome::Completed { .. })) {
            out.clear();
        }
        outcome
    }

    /// Runs the flow's statements, starting after its first filters when
    /// they are asked straight on the record's fields and hold.
    fn run_statements<'a>(
        &'a self,
        record: &'a Value<'a>,
        target: &mut dyn Target<'a>,
        emit_json: Option<&mut Vec<u8>>,
    ) -> Result<Outcome<'a>, RecordError>
    where
        'p: 'a,
    {
        let Some(flow) = &self.program.flow else {
            return Ok(Outcome::Completed { emitted: None });
        };
        let start = match self.ask_first_filters(record) {
            Some(filters::Asked::Held(count)) => count,
            Some(filters::Asked::TurnedAway(outcome)) => return Ok(outcome),
            None => 0,
        };
        let mut run = expr::Run::new(self, record, target);
        run.emit_json = emit_json;
        let mut frame = vec![Value::Null; flow.frame_size as usize];
        run.statements(&flow.statements[start..], &mut frame)
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
