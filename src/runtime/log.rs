//! The activity log: one JSON line per record of every run, appended to a
//! file: which run, which record, what came in, what was decided and why,
//! what was sent to the target, and how it ended. Personal data is masked
//! unless the run asks to log payloads whole.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::plan::{ActionKind, Plan, mask, serde_plain};
use crate::value::{Object, Value, json};

pub struct ActivityLog {
    out: BufWriter<File>,
    run: String,
    flow: String,
    dry_run: bool,
    /// Whether payloads are logged whole (else personal data is masked).
    whole: bool,
}

impl ActivityLog {
    /// Opens (creating when needed) the log at `path` for a new run.
    pub fn open(
        path: &Path,
        flow: &str,
        moment: DateTime<Utc>,
        dry_run: bool,
        whole: bool,
    ) -> std::io::Result<ActivityLog> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(ActivityLog {
            out: BufWriter::new(file),
            run: run_id(moment),
            flow: flow.to_string(),
            dry_run,
            whole,
        })
    }

    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// Appends the line of one record.
    pub fn record(&mut self, moment: DateTime<Utc>, key: &str, input: &Value<'_>, plan: &Plan) -> std::io::Result<()> {
        let masked = !self.whole;
        let mut line = Object::new();
        line.push("run", Value::from(self.run.clone()));
        line.push("time", Value::from(moment.to_rfc3339_opts(SecondsFormat::Secs, true)));
        line.push("flow", Value::from(self.flow.clone()));
        line.push("record", Value::from(key.to_string()));
        line.push("dry_run", Value::Bool(self.dry_run));
        line.push(
            "input",
            if masked {
                mask::value(input)
            } else {
                input.clone().into_owned()
            },
        );
        line.push("outcome", Value::from(serde_plain(&plan.decision)));
        line.push("reason", Value::from(plan.reason(masked)));
        line.push(
            "actions",
            Value::list(plan.actions.iter().map(|action| action.to_json(masked)).collect()),
        );
        let sent: Vec<Value<'static>> = if self.dry_run {
            Vec::new()
        } else {
            plan.actions
                .iter()
                .filter(|action| matches!(action.kind, ActionKind::Create | ActionKind::Update))
                .map(|action| action.to_json(masked))
                .collect()
        };
        line.push("sent", Value::list(sent));
        if let Some(error) = &plan.error {
            let mut details = Object::new();
            details.push("code", Value::from(error.code.id.to_string()));
            let message = if masked { error.masked_message() } else { &error.message };
            details.push("message", Value::from(message.to_string()));
            line.push("error", Value::object(details));
        }
        let mut bytes = json::to_string(&Value::object(line)).into_bytes();
        bytes.push(b'\n');
        self.out.write_all(&bytes)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `2026-11-22T22:50:07Z-3f9a`: when the run started, and four hex digits
/// to tell apart runs started in the same second.
fn run_id(moment: DateTime<Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!(
        "{}-{:04x}",
        moment.to_rfc3339_opts(SecondsFormat::Secs, true),
        random & 0xffff
    )
}
