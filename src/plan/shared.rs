//! What the records of one run share when several are in flight at once.
//!
//! - **Turns on keys.** A lookup or write of an entity the flow writes takes
//!   the turn on its keys (`customers` where `EmailAddress == "jan@…"`) and
//!   holds it until its record ends, so that two orders of one new customer
//!   never both find nothing and both create it: the second waits, then
//!   finds what the first created. Text is compared without case, as the
//!   systems compare e-mail addresses. Two records that would wait for each
//!   other (each holding a key the other needs) do not: the one that would
//!   close the circle yields, gives its turns back, and runs again.
//! - **Lookups answered once.** Lookups of entities the flow never writes
//!   (articles, VAT codes, terms of payment: reference data) are answered
//!   by the target once per run and kept, so that a run of 2,000 orders
//!   does not ask for the same article 2,000 times.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::check::ir::Flow;
use crate::connectors::Keys;
use crate::value::{Value, json};

/// Answers kept at most: past it, all are dropped, and asked again.
const MOST_KEPT: usize = 50_000;

/// What the records of a run share.
#[derive(Debug, Default)]
pub struct Shared {
    /// `system.entity` of every entity the flow writes.
    written: HashSet<String>,
    turns: Mutex<Turns>,
    freed: Condvar,
    kept: Mutex<HashMap<String, Vec<Value<'static>>>>,
}

/// Who holds which key, and who waits for which.
#[derive(Debug, Default)]
struct Turns {
    holder: HashMap<String, u64>,
    held: HashMap<u64, Vec<String>>,
    waiting: HashMap<u64, String>,
}

/// Taking a turn on a key would close a circle of records waiting for each
/// other: the record taking it yields.
#[derive(Debug, PartialEq, Eq)]
pub struct Yield;

impl Shared {
    pub fn new(flow: &Flow) -> Shared {
        Shared {
            written: flow.written(),
            ..Shared::default()
        }
    }

    /// Whether the flow writes this `system.entity`.
    pub fn writes(&self, entity: &str) -> bool {
        self.written.contains(entity)
    }

    /// The name of a key: the entity and its fields and values, text
    /// without case.
    pub fn key(entity: &str, keys: &Keys<'_>) -> String {
        let mut name = entity.to_string();
        for key in keys {
            name.push('\u{1f}');
            name.push_str(&key.path.join("."));
            name.push_str(key.comparison.symbol());
            match key.value.as_str() {
                Some(text) => name.push_str(&text.to_lowercase()),
                None => name.push_str(&json::to_string(key.value)),
            }
        }
        name
    }

    fn turns(&self) -> MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the turn on `key` for `record`, waiting while another record
    /// holds it; `Err(Yield)` when that record waits (through others) for
    /// one `record` holds.
    pub fn take_turn(&self, record: u64, key: String) -> Result<(), Yield> {
        let mut turns = self.turns();
        loop {
            match turns.holder.get(&key) {
                None => {
                    turns.holder.insert(key.clone(), record);
                    turns.held.entry(record).or_default().push(key);
                    turns.waiting.remove(&record);
                    return Ok(());
                }
                Some(&holder) if holder == record => {
                    turns.waiting.remove(&record);
                    return Ok(());
                }
                Some(&holder) => {
                    if turns.waits_for(holder, record) {
                        turns.waiting.remove(&record);
                        return Err(Yield);
                    }
                    turns.waiting.insert(record, key.clone());
                    turns = self.freed.wait(turns).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
        }
    }

    /// Gives back every turn `record` holds.
    pub fn end_turns(&self, record: u64) {
        let mut turns = self.turns();
        turns.waiting.remove(&record);
        if let Some(keys) = turns.held.remove(&record) {
            for key in keys {
                turns.holder.remove(&key);
            }
            self.freed.notify_all();
        }
    }

    /// The kept answer of a lookup, when the entity is reference data and
    /// it was asked before in this run.
    pub fn kept(&self, key: &str) -> Option<Vec<Value<'static>>> {
        self.kept.lock().ok()?.get(key).cloned()
    }

    /// Keeps the answer of a lookup of reference data for the rest of the run.
    pub fn keep(&self, key: String, found: &[Value<'static>]) {
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= MOST_KEPT {
                kept.clear();
            }
            kept.insert(key, found.to_vec());
        }
    }
}

impl Turns {
    /// Whether `record` waits, directly or through others, for a key that
    /// `awaited` holds.
    fn waits_for(&self, record: u64, awaited: u64) -> bool {
        let mut seen = HashSet::new();
        let mut at = record;
        while seen.insert(at) {
            let Some(key) = self.waiting.get(&at) else {
                return false;
            };
            match self.holder.get(key) {
                Some(&holder) if holder == awaited => return true,
                Some(&holder) => at = holder,
                None => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::Key;
    use std::sync::Arc;
    use std::time::Duration;

    fn key(email: &str) -> String {
        let field = ["EmailAddress".to_string()];
        let value = Value::from(email.to_string());
        Shared::key("eaccounting.customers", &[Key::equal(&field, &value)])
    }

    #[test]
    fn a_key_is_held_until_its_record_ends_and_text_is_compared_without_case() {
        let shared = Arc::new(Shared::default());
        shared.take_turn(1, key("Jan@Example.nl")).unwrap();
        shared.take_turn(1, key("jan@example.nl")).unwrap();
        let waiting = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                shared.take_turn(2, key("JAN@example.nl")).unwrap();
                "taken"
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiting.is_finished(), "the second record waits");
        shared.end_turns(1);
        assert_eq!(waiting.join().unwrap(), "taken");
    }

    #[test]
    fn two_records_waiting_for_each_other_do_not_wait_for_ever() {
        let shared = Arc::new(Shared::default());
        shared.take_turn(1, key("a@example.nl")).unwrap();
        shared.take_turn(2, key("b@example.nl")).unwrap();
        let first = {
            let shared = shared.clone();
            std::thread::spawn(move || shared.take_turn(1, key("b@example.nl")))
        };
        std::thread::sleep(Duration::from_millis(50));
        // Record 2 would close the circle: it yields, and gives its key back.
        assert_eq!(shared.take_turn(2, key("a@example.nl")), Err(Yield));
        shared.end_turns(2);
        assert_eq!(first.join().unwrap(), Ok(()));
    }

    #[test]
    fn answers_are_kept_and_dropped_when_too_many() {
        let shared = Shared::default();
        assert_eq!(shared.kept("k"), None);
        shared.keep("k".to_string(), &[Value::Int(1)]);
        assert_eq!(shared.kept("k"), Some(vec![Value::Int(1)]));
        for n in 0..MOST_KEPT {
            shared.keep(n.to_string(), &[]);
        }
        assert_eq!(shared.kept("k"), None);
    }
}
