//! Running a flow over a source system into a target system: records are
//! read in pages, each is planned (and, unless it is a dry run, applied)
//! on its own, a failing record never stops the others, and every record
//! leaves a line in the activity log.

pub mod crash;
pub mod log;
pub mod state;

use crate::check::ir::Flow;
use crate::connectors::{self, Connector, ConnectorError, PageRequest};
use crate::eval::Evaluator;
use crate::plan::{Decision, Plan, Planned, Planner, Uncertain};
use crate::value::Value;
use state::{Ended, StateError, Store};

/// The runtime that connectors' network work runs on: a few worker
/// threads, so that the thread running the flow can wait on them.
pub fn io() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("flowc-io")
        .enable_all()
        .build()
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Plan only: write nothing to the target.
    pub dry_run: bool,
    /// How many records to read from the source at a time.
    pub page_size: usize,
    /// Only source records whose cursor field is beyond this.
    pub after: Option<Value<'static>>,
    /// Set to stop the run after the record in progress (SIGINT, SIGTERM).
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: true,
            page_size: 100,
            after: None,
            stop: Default::default(),
        }
    }
}

/// What happened to the records of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub read: usize,
    pub filtered: usize,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Records that ran to the end without writing the flow's own entity.
    pub unchanged: usize,
    /// The largest cursor value read: the next run starts after it (a
    /// failed record waits in the dead letters).
    pub cursor: Option<Value<'static>>,
    /// Records asked for again (in flight, or retried) that the source no
    /// longer has.
    pub missing: Vec<String>,
    /// The creates and updates failed records carried out before they
    /// failed (a customer created, then the order refused).
    pub written_by_failed: (usize, usize),
    /// Whether the run stopped when asked, before its end.
    pub stopped: bool,
}

impl Summary {
    fn count(&mut self, plan: &Plan) {
        self.read += 1;
        match plan.decision {
            Decision::Filtered => self.filtered += 1,
            Decision::Skip => self.skipped += 1,
            Decision::Create => self.created += 1,
            Decision::Update => self.updated += 1,
            Decision::Fail => {
                self.failed += 1;
                let (created, updated) = plan.carried_out();
                self.written_by_failed.0 += created;
                self.written_by_failed.1 += updated;
            }
            Decision::Emit | Decision::None => self.unchanged += 1,
        }
    }
}

impl Summary {
    /// The counts as the state's history keeps them.
    pub fn counts(&self) -> state::Counts {
        let count = |n: usize| n as i64;
        state::Counts {
            read: count(self.read),
            filtered: count(self.filtered),
            created: count(self.created),
            updated: count(self.updated),
            skipped: count(self.skipped),
            failed: count(self.failed),
            unchanged: count(self.unchanged),
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} read: {} filtered out, {} created, {} updated, {} skipped, {} failed",
            self.read, self.filtered, self.created, self.updated, self.skipped, self.failed
        )?;
        if let Some(writes) = crate::plan::writes(self.written_by_failed.0, self.written_by_failed.1) {
            write!(f, " (the failed records had carried out {writes})")?;
        }
        if self.unchanged > 0 {
            write!(f, ", {} without changes", self.unchanged)?;
        }
        Ok(())
    }
}

/// A record of the run and what was decided for it.
pub struct Processed<'r> {
    /// The source record's id, as text.
    pub key: String,
    pub input: &'r Value<'static>,
    pub plan: &'r Plan,
}

/// Why a run stopped before its end.
#[derive(Debug)]
pub enum Stopped {
    /// The source could not be read.
    Source(ConnectorError),
    /// The state could not be kept: going on could send a record twice.
    State(StateError),
}

impl From<StateError> for Stopped {
    fn from(error: StateError) -> Stopped {
        Stopped::State(error)
    }
}

/// What a run works with.
pub struct Run<'r, 'e> {
    pub evaluator: &'r Evaluator<'e>,
    pub flow: &'r Flow,
    pub source: &'r dyn Connector,
    pub target: &'r dyn Connector,
    /// Where the connectors' answers are waited for.
    pub runtime: &'r tokio::runtime::Handle,
    pub options: &'r Options,
    /// The integration's state; `None` keeps none (a dry run reads its
    /// cursor, and writes nothing).
    pub state: Option<&'r mut dyn Store>,
}

/// Runs `flow` over the records of its source entity in `source` (after
/// the cursor), planning (and unless dry, applying) each against `target`;
/// calls `each` per record. With a state, the records a run that died left
/// in flight come first, and every record's outcome is committed before
/// the next: done, or failed into the dead letters, the cursor past it
/// either way, so that a failing record never holds the others back.
pub fn run(run: Run<'_, '_>, each: impl FnMut(Processed<'_>)) -> Result<Summary, Stopped> {
    let Some(entity) = &run.flow.source else {
        return Err(Stopped::Source(ConnectorError::local(
            "the flow declares no `source` to read records from",
        )));
    };
    let entity = entity.entity.clone();
    let mut records = Records::new(run, each)?;
    // What a run that died left in flight, first.
    let in_flight = match &records.run.state {
        Some(state) if !records.run.options.dry_run => state.in_flight()?,
        _ => Vec::new(),
    };
    for key in in_flight {
        if records.stopping() {
            return records.finish();
        }
        records.again(&entity, &key, Uncertain::InFlight)?;
    }
    let mut start = 0;
    'pages: loop {
        let request = PageRequest {
            after: records.run.options.after.as_ref(),
            start,
            size: records.run.options.page_size,
        };
        let page = connectors::wait(records.run.runtime, records.run.source.list(&entity, &request))
            .map_err(Stopped::Source)?;
        start += page.records.len();
        crash::point("page-read");
        for record in &page.records {
            if records.stopping() {
                break 'pages;
            }
            records.one(record, Uncertain::No)?;
        }
        if !page.more {
            break;
        }
    }
    records.finish()
}

/// Runs again the records with these source ids (the dead letters, when
/// none are given): each read from the source by its id.
pub fn retry(run: Run<'_, '_>, keys: &[String], each: impl FnMut(Processed<'_>)) -> Result<Summary, Stopped> {
    let Some(entity) = &run.flow.source else {
        return Err(Stopped::Source(ConnectorError::local(
            "the flow declares no `source` to read records from",
        )));
    };
    let entity = entity.entity.clone();
    let keys = match (keys, &run.state) {
        ([], Some(state)) => state.dead_letters()?.into_iter().map(|letter| letter.key).collect(),
        _ => keys.to_vec(),
    };
    let mut records = Records::new(run, each)?;
    for key in keys {
        if records.stopping() {
            break;
        }
        records.again(&entity, &key, Uncertain::Failed)?;
    }
    records.finish()
}

/// The records of one run, one at a time.
struct Records<'r, 'e, Each> {
    run: Run<'r, 'e>,
    each: Each,
    id_field: String,
    cursor_field: Option<String>,
    planned: Planned,
    summary: Summary,
    /// The run's id in the state's history.
    history: Option<i64>,
}

impl<'r, 'e, Each: FnMut(Processed<'_>)> Records<'r, 'e, Each> {
    fn new(mut run: Run<'r, 'e>, each: Each) -> Result<Self, Stopped> {
        let entity = run
            .flow
            .source
            .as_ref()
            .map(|entity| entity.entity.as_str())
            .unwrap_or("");
        let id_field = run.source.id_field(entity).to_string();
        let cursor_field = run.source.cursor_field(entity).map(String::from);
        let history = match &mut run.state {
            Some(state) if !run.options.dry_run => Some(state.begin_run()?),
            _ => None,
        };
        Ok(Records {
            run,
            each,
            id_field,
            cursor_field,
            planned: Planned::new(),
            summary: Summary::default(),
            history,
        })
    }

    /// Whether the run was asked to stop: it stops before the next record.
    fn stopping(&mut self) -> bool {
        if self.run.options.stop.load(std::sync::atomic::Ordering::SeqCst) {
            self.summary.stopped = true;
        }
        self.summary.stopped
    }

    /// A record named by its source id, read again from the source. The
    /// state keeps ids as text: a number is asked for as a number first.
    fn again(&mut self, entity: &str, key: &str, how: Uncertain) -> Result<(), Stopped> {
        let mut found = None;
        if let Ok(number @ Value::Int(_)) = crate::value::json::parse(key) {
            found =
                connectors::wait(self.run.runtime, self.run.source.get(entity, &number)).map_err(Stopped::Source)?;
        }
        if found.is_none() {
            let text = Value::from(key.to_string());
            found = connectors::wait(self.run.runtime, self.run.source.get(entity, &text)).map_err(Stopped::Source)?;
        }
        match found {
            Some(record) => self.one(&record, how),
            None => {
                // Gone from the source: nothing to take up.
                if let (Some(state), Some(_)) = (&mut self.run.state, self.history) {
                    state.forget(key)?;
                }
                self.summary.missing.push(key.to_string());
                Ok(())
            }
        }
    }

    /// Plans (and applies) one record, and commits how it ended. `how`:
    /// whether it was begun before (in flight when a run died, or failed),
    /// so that some of its writes may have been carried out.
    fn one(&mut self, record: &Value<'static>, how: Uncertain) -> Result<(), Stopped> {
        let key = record
            .get(&self.id_field)
            .and_then(|id| id.to_text().map(|t| t.into_owned()))
            .unwrap_or_default();
        if let (Some(state), Some(history)) = (&mut self.run.state, self.history) {
            state.begin_record(history, &key)?;
            crash::point("record-begun");
        }
        let flow_target = (self.run.flow.targets.len() == 1).then(|| &self.run.flow.targets[0]);
        let mut planner = if self.run.options.dry_run {
            Planner::dry(self.run.target, self.run.runtime, &mut self.planned)
        } else if how != Uncertain::No {
            Planner::applying(self.run.target, self.run.runtime, &mut self.planned).uncertain(how)
        } else {
            Planner::applying(self.run.target, self.run.runtime, &mut self.planned)
        };
        let result = self.run.evaluator.run(record, &mut planner);
        let plan = planner.finish(flow_target, result);
        crash::point("record-planned");
        self.summary.count(&plan);
        let cursor = self.cursor_field.as_ref().and_then(|field| record.get(field));
        if let (Some(state), Some(history)) = (&mut self.run.state, self.history) {
            let code;
            let ended = match &plan.error {
                Some(error) if plan.decision == Decision::Fail => {
                    code = error.code.to_string();
                    Ended::Failed {
                        error: error.masked_message(),
                        code: &code,
                    }
                }
                _ => Ended::Done {
                    target: plan
                        .main
                        .and_then(|main| plan.actions.get(main))
                        .and_then(|action| Some((action.entity.as_str(), action.id.clone()?))),
                },
            };
            state.end_record(history, &key, ended, cursor)?;
            crash::point("record-committed");
        }
        if let Some(value) = cursor
            && self
                .summary
                .cursor
                .as_ref()
                .is_none_or(|held| value.compare(held) == Some(std::cmp::Ordering::Greater))
        {
            self.summary.cursor = Some(value.clone());
        }
        (self.each)(Processed {
            key,
            input: record,
            plan: &plan,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<Summary, Stopped> {
        if let (Some(state), Some(history)) = (&mut self.run.state, self.history) {
            crash::point("run-ending");
            state.end_run(history, &self.summary.counts())?;
        }
        Ok(self.summary)
    }
}
