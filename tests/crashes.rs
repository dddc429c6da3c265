//! Crash safety: the shipped orders flow, from the CCV SalesPOS sandbox into
//! the eAccounting sandbox, killed as `kill -9` would at each moment of a
//! record's life (the crash points of `flowc::runtime::crash`, and a create
//! the books carried out whose answer never arrived), 20 seeds each, one
//! record at a time and eight in flight. After
//! every crash the state's cursor is behind everything not committed; the
//! next run finishes the work: each paid order in the books exactly once,
//! no customer twice, no record failed, nothing left in flight, and a run
//! after it has nothing to read.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use flowc::sandbox::CreateHook;
use support::{Setup, World, summary};

const SEEDS: u64 = 20;
/// Orders per world: two of each example (a known company, a new person,
/// a new company abroad), the third of each three unpaid.
const ORDERS: usize = 6;

/// Where a run is killed.
enum Moment {
    /// The Nth pass of one of flowc's crash points.
    Point(&'static str),
    /// The books carried out a create; the run is killed before it reads
    /// the answer.
    CreateUnanswered,
}

/// How many times a run of the world passes a moment at least: the seed
/// picks one of them.
fn passes(moment: &Moment) -> u64 {
    match moment {
        Moment::Point("page-read" | "run-ending") => 1,
        // Two new customers and four paid orders are created.
        Moment::Point("create-sending" | "create-answered") | Moment::CreateUnanswered => 6,
        Moment::Point(_) => ORDERS as u64,
    }
}

fn crash_at(moment: Moment) {
    for seed in 1..=SEEDS {
        let nth = 1 + (seed * 7) % passes(&moment);
        // A few faults on top, different per seed: a create answered with
        // a 500 after it was carried out, a 429.
        let faults = format!("create-then-500=15%@orders+customers,429=5%,retry-after=0,seed={seed}");
        let child_pid = Arc::new(AtomicU32::new(0));
        let hook = match moment {
            Moment::CreateUnanswered => Some(kill_on_create(nth, child_pid.clone())),
            Moment::Point(_) => None,
        };
        let world = World::start_with(
            ORDERS,
            Setup {
                faults: &faults,
                on_created: hook,
                ..Setup::default()
            },
        );
        // Odd seeds one record at a time, even ones eight in flight.
        let concurrency = if seed % 2 == 1 { "1" } else { "8" };
        let mut command = world.command("state", &["--concurrency", concurrency]);
        if let Moment::Point(point) = moment {
            command.env("FLOWC_CRASH_AT", format!("{point}:{nth}"));
        }
        let child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child_pid.store(child.id(), Ordering::SeqCst);
        let output = child.wait_with_output().unwrap();
        let what = match moment {
            Moment::Point(point) => format!("{point}:{nth} (seed {seed}, {concurrency} in flight)"),
            Moment::CreateUnanswered => format!("create {nth} unanswered (seed {seed}, {concurrency} in flight)"),
        };
        assert_eq!(
            output.status.signal(),
            Some(9),
            "{what}: the run was not killed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        cursor_behind_everything_uncommitted(&world, &what);

        let (code, _, stderr) = world.run("state", &[]);
        assert_eq!(code, 0, "{what}: the run after the crash: {stderr}");
        assert!(summary(&stderr).contains(" 0 failed"), "{what}: {}", summary(&stderr));
        world.each_paid_order_once(&what);
        world.no_customer_twice(&what);
        let (code, _, stderr) = world.run("state", &[]);
        assert_eq!(code, 0, "{what}: {stderr}");
        assert!(
            summary(&stderr).starts_with("0 read"),
            "{what}: a third run found work: {}",
            summary(&stderr)
        );
        world.stop();
    }
}

/// A hook that kills the run (pid in `child`) when the books have carried
/// out their `nth` create, before they answer it.
fn kill_on_create(nth: u64, child: Arc<AtomicU32>) -> CreateHook {
    let creates = AtomicU64::new(0);
    CreateHook(Arc::new(move |_entity: &str| {
        if creates.fetch_add(1, Ordering::SeqCst) + 1 != nth {
            return;
        }
        let pid = loop {
            match child.load(Ordering::SeqCst) {
                0 => std::thread::sleep(Duration::from_millis(1)),
                pid => break pid,
            }
        };
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // The answer must not leave before the run is gone.
        std::thread::sleep(Duration::from_millis(50));
    }))
}

/// The state right after a crash: every order at or before the cursor was
/// committed (done or failed) or is still in flight, to be taken up first.
fn cursor_behind_everything_uncommitted(world: &World, what: &str) {
    let database = world.dir.path().join("state/flowc.sqlite");
    if !database.exists() {
        return; // killed before the state was made: nothing committed
    }
    let connection = rusqlite::Connection::open(&database).unwrap();
    let cursor: Option<String> = connection
        .query_row("SELECT cursor FROM integrations", [], |row| row.get(0))
        .unwrap_or(None);
    let Some(cursor) = cursor else {
        return;
    };
    let cursor: i64 = cursor.parse().unwrap();
    let keys = |table: &str| -> Vec<String> {
        let mut statement = connection.prepare(&format!("SELECT source_key FROM {table}")).unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let accounted: Vec<String> = ["records", "dead_letters", "in_flight"]
        .into_iter()
        .flat_map(keys)
        .collect();
    for id in 600_000..600_000 + ORDERS as i64 {
        if id <= cursor {
            assert!(
                accounted.contains(&id.to_string()),
                "{what}: the cursor is at {cursor}, past order {id}, which was never committed"
            );
        }
    }
}

#[test]
fn killed_after_a_page_was_read() {
    crash_at(Moment::Point("page-read"));
}

#[test]
fn killed_after_the_intent_was_written() {
    crash_at(Moment::Point("record-begun"));
}

#[test]
fn killed_after_a_lookup_was_answered() {
    crash_at(Moment::Point("lookup-answered"));
}

#[test]
fn killed_before_a_create_was_sent() {
    crash_at(Moment::Point("create-sending"));
}

#[test]
fn killed_while_the_books_answer_a_create_they_carried_out() {
    crash_at(Moment::CreateUnanswered);
}

#[test]
fn killed_after_a_create_was_answered() {
    crash_at(Moment::Point("create-answered"));
}

#[test]
fn killed_before_the_record_was_committed() {
    crash_at(Moment::Point("record-planned"));
}

#[test]
fn killed_inside_the_commit() {
    crash_at(Moment::Point("record-committing"));
}

#[test]
fn killed_after_the_commit() {
    crash_at(Moment::Point("record-committed"));
}

#[test]
fn killed_before_the_run_was_recorded() {
    crash_at(Moment::Point("run-ending"));
}
