//! The activity log: one JSON line per record of every run, appended to a
//! file: which run, which record, what came in, what was decided and why,
//! what was sent to the target, and how it ended. Personal data is masked
//! unless the run asks to log payloads whole.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

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

/// Rotates the log at `path` by day and keeps `retention_days` of them: a
/// log last written on an earlier day (UTC) than `today` becomes
/// `<path>.<that day>` (`activity.ndjson.2026-11-29`), and rotated logs
/// older than the retention are deleted, as the platform promises that
/// logs do not stay for ever.
pub fn rotate(path: &Path, today: NaiveDate, retention_days: u32) -> std::io::Result<()> {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return Ok(());
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if let Ok(metadata) = std::fs::metadata(path)
        && let Ok(modified) = metadata.modified()
    {
        let day = DateTime::<Utc>::from(modified).date_naive();
        if day < today {
            let rotated = dir.join(format!("{name}.{day}"));
            if rotated.exists() {
                // Two rotations for one day (a clock set back): keep both.
                let mut text = std::fs::read(path)?;
                let mut old = std::fs::read(&rotated)?;
                old.append(&mut text);
                std::fs::write(&rotated, old)?;
                std::fs::remove_file(path)?;
            } else {
                std::fs::rename(path, &rotated)?;
            }
        }
    }
    let oldest = today - chrono::Days::new(u64::from(retention_days));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(day) = file
            .to_str()
            .and_then(|file| file.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        else {
            continue;
        };
        if day < oldest && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_rotate_by_day_and_old_ones_are_deleted() {
        let dir = tempfile::TempDir::new().unwrap();
        let log = dir.path().join("activity.ndjson");
        std::fs::write(&log, "{\"run\": \"yesterday\"}\n").unwrap();
        let yesterday = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z").unwrap();
        File::options()
            .write(true)
            .open(&log)
            .unwrap()
            .set_modified(yesterday.into())
            .unwrap();
        std::fs::write(dir.path().join("activity.ndjson.2026-10-01"), "old\n").unwrap();
        std::fs::write(dir.path().join("activity.ndjson.2026-11-20"), "recent\n").unwrap();
        std::fs::write(dir.path().join("other.ndjson.2020-01-01"), "not ours\n").unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        rotate(&log, today, 30).unwrap();
        assert!(!log.exists(), "rotated");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("activity.ndjson.2026-11-29")).unwrap(),
            "{\"run\": \"yesterday\"}\n"
        );
        assert!(dir.path().join("activity.ndjson.2026-11-20").exists(), "within 30 days");
        assert!(!dir.path().join("activity.ndjson.2026-10-01").exists(), "past 30 days");
        assert!(dir.path().join("other.ndjson.2020-01-01").exists(), "only its own logs");
        // Today's log stays where it is.
        std::fs::write(&log, "today\n").unwrap();
        rotate(&log, chrono::Utc::now().date_naive(), 30).unwrap();
        assert!(log.exists());
    }
}
