//! Crash points: moments of a record's life at which the crash-safety test
//! (tests/crashes.rs) kills a run as `kill -9` would, to prove that no
//! moment loses a record or sends one twice.
//!
//! `FLOWC_CRASH_AT=POINT:N` kills the process with SIGKILL the Nth time it
//! passes `POINT` (N from 1). Unset, which is every real run, a point costs
//! the load of a value read once. The points, in the order a record meets
//! them:
//!
//! | point | where |
//! |---|---|
//! | `page-read` | a page of source records was read, none begun |
//! | `record-begun` | the record's intent is in the state, nothing looked up |
//! | `lookup-answered` | a lookup in the target was answered |
//! | `create-sending` | a create is about to be sent |
//! | `create-answered` | a create was answered, the record goes on |
//! | `record-planned` | the record's writes are done, its end not committed |
//! | `record-committing` | inside the state's transaction that ends the record |
//! | `record-committed` | the record's end is committed, the next not begun |
//! | `run-ending` | the last record is committed, the run's history not |
//!
//! (A create carried out by the system whose answer never arrives is the
//! tenth: the test's sandbox kills the run from the other side of the wire.)

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The point to crash at and how many times to pass it first.
struct Armed {
    point: String,
    nth: u64,
    passed: AtomicU64,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var("FLOWC_CRASH_AT").ok()?;
            let (point, nth) = spec.rsplit_once(':').unwrap_or((spec.as_str(), "1"));
            Some(Armed {
                point: point.to_string(),
                nth: nth.parse().unwrap_or(1),
                passed: AtomicU64::new(0),
            })
        })
        .as_ref()
}

/// Passes the crash point `name`: dies here when the test armed it.
pub fn point(name: &'static str) {
    let Some(armed) = armed() else {
        return;
    };
    if armed.point == name && armed.passed.fetch_add(1, Ordering::SeqCst) + 1 == armed.nth {
        die();
    }
}

#[cfg(unix)]
fn die() -> ! {
    // SAFETY: raise(2) has no memory-safety preconditions; SIGKILL cannot
    // be caught, so nothing of this process runs after it.
    unsafe {
        libc::raise(libc::SIGKILL);
    }
    std::process::abort()
}

#[cfg(not(unix))]
fn die() -> ! {
    std::process::abort()
}
