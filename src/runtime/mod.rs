//! Running a flow over a source system into a target system: records are
//! read in pages, each is planned (and, unless it is a dry run, applied)
//! on its own, a failing record never stops the others, and every record
//! leaves a line in the activity log.
//!
//! With `concurrency` above one, records are planned on that many worker
//! threads at once (evaluation stays synchronous; each waits on the
//! connectors' async runtime), taking turns on the keys they share
//! ([`crate::plan::shared`]); this thread reads the source, writes each
//! record's intent before handing it out, and commits the outcomes as they
//! come back. The cursor moves only past records whose outcomes, and those
//! of every record read before them, are committed.

pub mod crash;
pub mod log;
pub mod state;

use crate::check::ir::Flow;
use crate::connectors::{self, Connector, ConnectorError, PageRequest};
use crate::eval::Evaluator;
use crate::plan::shared::Shared;
use crate::plan::{ActionKind, Decision, Plan, Planned, Planner, Uncertain};
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
    /// Records in flight at once (a dry run plans one at a time).
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: true,
            page_size: 100,
            after: None,
            stop: Default::default(),
            concurrency: 1,
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
/// in flight come first, and every record's outcome is committed: done, or
/// failed into the dead letters, the cursor past it either way, so that a
/// failing record never holds the others back.
pub fn run(run: Run<'_, '_>, each: impl FnMut(Processed<'_>)) -> Result<Summary, Stopped> {
    let entity = source_entity(&run)?;
    let shared = Shared::new(run.flow);
    std::thread::scope(|scope| {
        let mut records = Records::new(run, each, &shared, |planning, size| Pool::start(scope, planning, size))?;
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
            for record in page.records {
                if records.stopping() {
                    break 'pages;
                }
                records.take(record, Uncertain::No)?;
            }
            if !page.more {
                break;
            }
        }
        records.finish()
    })
}

/// Runs again the records with these source ids (the dead letters, when
/// none are given): each read from the source by its id.
pub fn retry(run: Run<'_, '_>, keys: &[String], each: impl FnMut(Processed<'_>)) -> Result<Summary, Stopped> {
    let entity = source_entity(&run)?;
    let keys = match (keys, &run.state) {
        ([], Some(state)) => state.dead_letters()?.into_iter().map(|letter| letter.key).collect(),
        _ => keys.to_vec(),
    };
    let shared = Shared::new(run.flow);
    std::thread::scope(|scope| {
        let mut records = Records::new(run, each, &shared, |planning, size| Pool::start(scope, planning, size))?;
        for key in keys {
            if records.stopping() {
                break;
            }
            records.again(&entity, &key, Uncertain::Failed)?;
        }
        records.finish()
    })
}

fn source_entity(run: &Run<'_, '_>) -> Result<String, Stopped> {
    match &run.flow.source {
        Some(entity) => Ok(entity.entity.clone()),
        None => Err(Stopped::Source(ConnectorError::local(
            "the flow declares no `source` to read records from",
        ))),
    }
}

/// How many times a record gives way to others in flight (each holding a
/// key the other needs) before it fails.
const MOST_YIELDS: u32 = 20;

/// What planning a record needs: shared by this thread and the workers.
#[derive(Clone, Copy)]
struct Planning<'r, 'e> {
    evaluator: &'r Evaluator<'e>,
    flow: &'r Flow,
    /// Looked up in by flows that enrich a record from its own system.
    source: &'r dyn Connector,
    target: &'r dyn Connector,
    runtime: &'r tokio::runtime::Handle,
    dry_run: bool,
    /// With records in flight beside each other: what they share.
    shared: Option<&'r Shared>,
}

impl Planning<'_, '_> {
    /// Plans (and applies) record number `number`. `how`: whether it was
    /// begun before (in flight when a run died, or failed), so that some of
    /// its writes may have been carried out.
    fn plan(&self, record: &Value<'static>, mut how: Uncertain, planned: &mut Planned, number: u64) -> Plan {
        let flow_target = (self.flow.targets.len() == 1).then(|| &self.flow.targets[0]);
        let mut yields = 0;
        loop {
            let planner = if self.dry_run {
                Planner::dry(self.target, self.runtime, planned)
            } else {
                Planner::applying(self.target, self.runtime, planned).uncertain(how)
            }
            .reading(self.source);
            let mut planner = match self.shared {
                Some(shared) => planner.sharing(shared, number),
                None => planner,
            };
            let result = self.evaluator.run(record, &mut planner);
            let yielded = planner.yielded();
            let plan = planner.finish(flow_target, result);
            if let Some(shared) = self.shared {
                shared.end_turns(number);
            }
            // A record that gave way runs again, its creates looking first
            // for what it made; unless it made a record without keys,
            // which nothing could find again.
            let keyless = plan
                .actions
                .iter()
                .any(|action| action.applied && action.kind == ActionKind::Create && action.keys.is_empty());
            if !yielded || keyless || yields == MOST_YIELDS {
                return plan;
            }
            yields += 1;
            if how == Uncertain::No {
                how = Uncertain::Failed;
            }
            std::thread::sleep(std::time::Duration::from_millis(u64::from(yields)));
        }
    }
}

/// A record handed to a worker, and what came of it.
struct Job {
    number: u64,
    record: Value<'static>,
    how: Uncertain,
}

struct Done {
    number: u64,
    record: Value<'static>,
    plan: Plan,
}

/// The worker threads of a run with records in flight beside each other.
struct Pool {
    jobs: std::sync::mpsc::Sender<Job>,
    done: std::sync::mpsc::Receiver<Done>,
    in_flight: usize,
    size: usize,
}

impl Pool {
    fn start<'s, 'p: 's, 'e: 's>(
        scope: &'s std::thread::Scope<'s, '_>,
        planning: Planning<'p, 'e>,
        size: usize,
    ) -> Pool {
        let (jobs, waiting) = std::sync::mpsc::channel::<Job>();
        let (finished, done) = std::sync::mpsc::channel();
        let waiting = std::sync::Arc::new(std::sync::Mutex::new(waiting));
        let mut started = 0;
        for _ in 0..size {
            let waiting = waiting.clone();
            let finished = finished.clone();
            let worker = std::thread::Builder::new()
                .name("flowc-record".into())
                .spawn_scoped(scope, move || {
                    let mut planned = Planned::new();
                    loop {
                        let job = match waiting.lock() {
                            Ok(waiting) => waiting.recv(),
                            Err(_) => return,
                        };
                        let Ok(Job { number, record, how }) = job else {
                            return;
                        };
                        let plan = planning.plan(&record, how, &mut planned, number);
                        if finished.send(Done { number, record, plan }).is_err() {
                            return;
                        }
                    }
                });
            // A machine out of threads runs with those it could start.
            if worker.is_ok() {
                started += 1;
            }
        }
        Pool {
            jobs,
            done,
            in_flight: 0,
            size: started,
        }
    }
}

/// A record handed out and not yet committed.
struct Pending {
    key: String,
    /// Its cursor value, when it moves the cursor (a record read again
    /// from the source by its id does not).
    cursor: Option<Value<'static>>,
    done: bool,
}

/// The records of one run.
struct Records<'r, 'p, 'e, Each> {
    run: Run<'r, 'e>,
    each: Each,
    planning: Planning<'p, 'e>,
    /// Planned creates of a dry run.
    planned: Planned,
    pool: Option<Pool>,
    id_field: String,
    cursor_field: Option<String>,
    summary: Summary,
    /// The run's id in the state's history.
    history: Option<i64>,
    /// Records handed out, by number, until the cursor has moved past them.
    pending: std::collections::BTreeMap<u64, Pending>,
    next_number: u64,
    /// Source ids taken up again in this run (in flight when a run died),
    /// with the number they were handed out as: a page that holds them
    /// again does not plan them twice.
    taken_up: std::collections::HashMap<String, u64>,
    /// A take-up's number, and the number of the same record read again in
    /// a page: done when the take-up is.
    read_again: std::collections::HashMap<u64, u64>,
}

impl<'r: 'p, 'p, 'e, Each: FnMut(Processed<'_>)> Records<'r, 'p, 'e, Each> {
    /// `start` starts the workers when records go in flight beside each
    /// other.
    fn new(
        mut run: Run<'r, 'e>,
        each: Each,
        shared: &'p Shared,
        start: impl FnOnce(Planning<'p, 'e>, usize) -> Pool,
    ) -> Result<Self, Stopped> {
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
        let concurrency = if run.options.dry_run {
            1
        } else {
            run.options.concurrency.max(1)
        };
        let planning = Planning {
            evaluator: run.evaluator,
            flow: run.flow,
            source: run.source,
            target: run.target,
            runtime: run.runtime,
            dry_run: run.options.dry_run,
            shared: (concurrency > 1).then_some(shared),
        };
        let pool = (concurrency > 1)
            .then(|| start(planning, concurrency))
            .filter(|pool| pool.size > 0);
        Ok(Records {
            run,
            each,
            planning,
            planned: Planned::new(),
            pool,
            id_field,
            cursor_field,
            summary: Summary::default(),
            history,
            pending: Default::default(),
            next_number: 0,
            taken_up: Default::default(),
            read_again: Default::default(),
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
            Some(record) => self.take(record, how),
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

    /// Takes a record on: writes its intent, and plans it here or hands it
    /// to a worker.
    fn take(&mut self, record: Value<'static>, how: Uncertain) -> Result<(), Stopped> {
        let key = record
            .get(&self.id_field)
            .and_then(|id| id.to_text().map(|t| t.into_owned()))
            .unwrap_or_default();
        let cursor = match how {
            Uncertain::No => self.cursor_field.as_ref().and_then(|field| record.get(field)).cloned(),
            _ => None,
        };
        let number = self.next_number;
        self.next_number += 1;
        if how == Uncertain::No
            && let Some(&taken) = self.taken_up.get(&key)
        {
            return self.passed_again(taken, number, key, cursor);
        }
        if how != Uncertain::No {
            self.taken_up.insert(key.clone(), number);
        }
        if let (Some(state), Some(history)) = (&mut self.run.state, self.history) {
            state.begin_record(history, &key)?;
            crash::point("record-begun");
        }
        self.pending.insert(
            number,
            Pending {
                key,
                cursor,
                done: false,
            },
        );
        let Some(pool) = &mut self.pool else {
            let plan = self.planning.plan(&record, how, &mut self.planned, number);
            return self.end(Done { number, record, plan });
        };
        let sent = pool.jobs.send(Job { number, record, how });
        pool.in_flight += 1;
        let full = pool.in_flight == pool.size;
        sent.map_err(|_| Stopped::State(StateError("a worker of the run stopped".to_string())))?;
        // Commit those back already; with as many in flight as there are
        // workers, wait for one.
        while let Some(done) = self.pool.as_mut().and_then(|pool| pool.done.try_recv().ok()) {
            if let Some(pool) = &mut self.pool {
                pool.in_flight -= 1;
            }
            self.end(done)?;
        }
        if full && self.pool.as_ref().is_some_and(|pool| pool.in_flight == pool.size) {
            self.collect_one()?;
        }
        Ok(())
    }

    /// A record taken up first (in flight when a run died) read again in a
    /// page: not planned twice, but the cursor passes it once its take-up
    /// is committed.
    fn passed_again(
        &mut self,
        taken: u64,
        number: u64,
        key: String,
        cursor: Option<Value<'static>>,
    ) -> Result<(), Stopped> {
        let ended = self.pending.get(&taken).is_none_or(|pending| pending.done);
        self.pending.insert(
            number,
            Pending {
                key,
                cursor,
                done: ended,
            },
        );
        if !ended {
            self.read_again.insert(taken, number);
            return Ok(());
        }
        if let Some(cursor) = self.passed()
            && let (Some(state), Some(_)) = (&mut self.run.state, self.history)
        {
            state.advance(&cursor)?;
        }
        Ok(())
    }

    /// Drops the records at the front that are committed: the cursor of the
    /// last of them that has one, which the cursor may move to.
    fn passed(&mut self) -> Option<Value<'static>> {
        let mut cursor = None;
        while let Some(entry) = self.pending.first_entry() {
            if !entry.get().done {
                break;
            }
            if let Some(value) = entry.remove().cursor {
                cursor = Some(value);
            }
        }
        cursor
    }

    /// Waits for a record in flight to come back, and commits it.
    fn collect_one(&mut self) -> Result<(), Stopped> {
        let Some(pool) = &mut self.pool else {
            return Ok(());
        };
        let done = pool
            .done
            .recv()
            .map_err(|_| Stopped::State(StateError("a worker of the run stopped".to_string())))?;
        pool.in_flight -= 1;
        self.end(done)
    }

    /// Commits how a record ended, moves the cursor past the records read
    /// before it that are all committed, and reports it.
    fn end(&mut self, Done { number, record, plan }: Done) -> Result<(), Stopped> {
        crash::point("record-planned");
        self.summary.count(&plan);
        let Some(pending) = self.pending.get_mut(&number) else {
            return Ok(());
        };
        pending.done = true;
        let key = pending.key.clone();
        if let Some(again) = self.read_again.remove(&number)
            && let Some(pending) = self.pending.get_mut(&again)
        {
            pending.done = true;
        }
        // The cursor moves past every record read before this one whose
        // outcome is committed, up to the first not yet back.
        let cursor = self.passed();
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
            state.end_record(history, &key, ended, cursor.as_ref())?;
            crash::point("record-committed");
        }
        if let Some(value) = self.cursor_field.as_ref().and_then(|field| record.get(field))
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
            input: &record,
            plan: &plan,
        });
        Ok(())
    }

    /// Waits for the records still in flight, commits them, and closes the
    /// run's history.
    fn finish(mut self) -> Result<Summary, Stopped> {
        while self.pool.as_ref().is_some_and(|pool| pool.in_flight > 0) {
            self.collect_one()?;
        }
        if let (Some(state), Some(history)) = (&mut self.run.state, self.history) {
            crash::point("run-ending");
            state.end_run(history, &self.summary.counts())?;
        }
        Ok(self.summary)
    }
}
