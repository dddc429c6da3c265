//! Running a flow over a source system into a target system: records are
//! read in pages, each is planned (and, unless it is a dry run, applied)
//! on its own, a failing record never stops the others, and every record
//! leaves a line in the activity log.

pub mod log;
pub mod state;

use crate::check::ir::Flow;
use crate::connectors::{self, Connector, ConnectorError, PageRequest};
use crate::eval::Evaluator;
use crate::plan::{Decision, Plan, Planned, Planner};
use crate::value::Value;

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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: true,
            page_size: 100,
            after: None,
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
    /// The largest cursor value read before the first failed record: the
    /// next run starts after it, and so reads every failed record again.
    pub cursor: Option<Value<'static>>,
}

impl Summary {
    fn count(&mut self, plan: &Plan) {
        self.read += 1;
        match plan.decision {
            Decision::Filtered => self.filtered += 1,
            Decision::Skip => self.skipped += 1,
            Decision::Create => self.created += 1,
            Decision::Update => self.updated += 1,
            Decision::Fail => self.failed += 1,
            Decision::Emit | Decision::None => self.unchanged += 1,
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

/// Runs `flow` over every record of its source entity in `source`, planning
/// (and unless dry, applying) each against `target`; calls `each` per
/// record. The connectors' answers are waited for on `runtime`.
pub fn run(
    evaluator: &Evaluator<'_>,
    flow: &Flow,
    source: &dyn Connector,
    target: &dyn Connector,
    runtime: &tokio::runtime::Handle,
    options: &Options,
    mut each: impl FnMut(Processed<'_>),
) -> Result<Summary, ConnectorError> {
    let Some(entity) = &flow.source else {
        return Err(ConnectorError::local(
            "the flow declares no `source` to read records from",
        ));
    };
    let id_field = source.id_field(&entity.entity).to_string();
    let cursor_field = source.cursor_field(&entity.entity).map(String::from);
    let flow_target = (flow.targets.len() == 1).then(|| &flow.targets[0]);
    let mut summary = Summary::default();
    let mut planned = Planned::new();
    let mut start = 0;
    loop {
        let request = PageRequest {
            after: options.after.as_ref(),
            start,
            size: options.page_size,
        };
        let page = connectors::wait(runtime, source.list(&entity.entity, &request))?;
        start += page.records.len();
        for record in &page.records {
            let key = record
                .get(&id_field)
                .and_then(|id| id.to_text().map(|t| t.into_owned()))
                .unwrap_or_default();
            let mut planner = if options.dry_run {
                Planner::dry(target, runtime, &mut planned)
            } else {
                Planner::applying(target, runtime, &mut planned)
            };
            let result = evaluator.run(record, &mut planner);
            let plan = planner.finish(flow_target, result);
            summary.count(&plan);
            // The cursor stops before the first failed record, so that the
            // next run reads it again.
            if let Some(field) = &cursor_field
                && summary.failed == 0
                && let Some(value) = record.get(field)
                && summary
                    .cursor
                    .as_ref()
                    .is_none_or(|cursor| value.compare(cursor) == Some(std::cmp::Ordering::Greater))
            {
                summary.cursor = Some(value.clone());
            }
            each(Processed {
                key,
                input: record,
                plan: &plan,
            });
        }
        if !page.more {
            break;
        }
    }
    Ok(summary)
}
