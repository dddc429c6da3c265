//! The shipped CCV SalesPOS -> eAccounting orders flow against the
//! sandboxes of both systems, over HTTP: signed requests, tokens that
//! expire and rotate, paged and filtered lists, writes checked against the
//! vendor's schema, and injected 429s, 503s and creates answered with a
//! 500 after they were carried out. The sandboxes run in this process on
//! port 0; flowc runs as its binary. Secrets are canaries that must appear
//! in no output.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use flowc::sandbox::{self, Credentials, Faults, Running, System};
use serde_json::Value as Json;
use tempfile::TempDir;

const MAPPING: &str = "mappings/ccv-salespos--eaccounting";
const SHOP_SECRET: &str = "CANARY-SHOP-SECRET-91f3c2";
const CLIENT_SECRET: &str = "CANARY-CLIENT-SECRET-5d2e77";
const REFRESH_TOKEN: &str = "CANARY-REFRESH-0a7b14";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Both systems, serving.
struct World {
    dir: TempDir,
    runtime: tokio::runtime::Runtime,
    shop: Running,
    books: Running,
    /// The CCV orders the shop holds, and which of them are paid.
    paid: Vec<String>,
}

/// `count` CCV orders built from the example ones (a known company, a new
/// person, a new company abroad), every third unpaid, and each e-mail
/// address on two orders, so that a new customer's second order finds the
/// customer its first one created.
fn orders(count: usize) -> (Vec<Json>, Vec<String>) {
    let text = std::fs::read_to_string(root().join(MAPPING).join("example/ccv-salespos/orders.json")).unwrap();
    let examples: Vec<Json> = serde_json::from_str(&text).unwrap();
    let templates: Vec<&Json> = examples
        .iter()
        .filter(|order| [483920, 483921, 483923].contains(&order["id"].as_i64().unwrap()))
        .collect();
    let mut orders = Vec::new();
    let mut paid = Vec::new();
    for i in 0..count {
        let mut order = templates[i % templates.len()].clone();
        let id = 600_000 + i as i64;
        let reference = format!("KAS-{}", 20_000 + i);
        order["id"] = id.into();
        order["ordernumber"] = (20_000 + i as i64).into();
        order["ordernumber_full"] = reference.clone().into();
        order["paid"] = (i % 3 != 2).into();
        if i % templates.len() != 0 {
            order["customer"]["email"] = format!("customer{}@example.nl", i / 2).into();
        }
        if order["paid"] == true {
            paid.push(reference);
        }
        orders.push(order);
    }
    (orders, paid)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

impl World {
    fn start(count: usize, faults: &str, token_lifetime: Duration) -> World {
        let dir = TempDir::new().unwrap();
        let shop_data = dir.path().join("ccv-salespos");
        std::fs::create_dir_all(&shop_data).unwrap();
        let (orders, paid) = orders(count);
        std::fs::write(shop_data.join("orders.json"), serde_json::to_string(&orders).unwrap()).unwrap();
        let books_data = dir.path().join("eaccounting");
        copy_dir(&root().join(MAPPING).join("example/eaccounting"), &books_data);

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let faults = Faults::parse(faults).unwrap();
        let start = |system, name: &str, data: PathBuf, credentials: Credentials| {
            let mut options = sandbox::Options::new(name);
            options.data = Some(data);
            options.faults = faults.clone();
            options.credentials = Some(credentials);
            options.token_lifetime = token_lifetime;
            // Far above the vendor's limit, to keep the test short; the
            // limiter is measured in benchmarks.
            options.requests_per_minute = Some(600_000);
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                sandbox::start(system, listener, options).await.unwrap()
            })
        };
        let shop = start(
            System::CcvSalespos,
            "shop",
            shop_data,
            Credentials {
                id: "public-key-of-the-test".into(),
                secret: SHOP_SECRET.into(),
                refresh_token: String::new(),
            },
        );
        let books = start(
            System::Eaccounting,
            "books",
            books_data,
            Credentials {
                id: "client-of-the-test".into(),
                secret: CLIENT_SECRET.into(),
                refresh_token: REFRESH_TOKEN.into(),
            },
        );
        let connections = format!(
            "[shop]\nsystem = \"ccv_salespos\"\nbase_url = \"http://{}\"\npublic_key = \"public-key-of-the-test\"\nsecret_key = {{ env = \"FLOWC_TEST_SHOP_SECRET\" }}\n\n\
             [books]\nsystem = \"eaccounting\"\nbase_url = \"http://{}/v2\"\ntoken_url = \"http://{}/connect/token\"\nclient_id = \"client-of-the-test\"\nclient_secret = {{ env = \"FLOWC_TEST_CLIENT_SECRET\" }}\nrefresh_token = {{ env = \"FLOWC_TEST_REFRESH_TOKEN\" }}\nrequests_per_minute = 600000\n",
            shop.address, books.address, books.address
        );
        std::fs::write(dir.path().join("connections.toml"), connections).unwrap();
        World {
            dir,
            runtime,
            shop,
            books,
            paid,
        }
    }

    /// The shipped orders flow from the shop into the books, as a command.
    fn command(&self, state: &str, extra: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowc"));
        command
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env("FLOWC_TEST_SHOP_SECRET", SHOP_SECRET)
            .env("FLOWC_TEST_CLIENT_SECRET", CLIENT_SECRET)
            .env("FLOWC_TEST_REFRESH_TOKEN", REFRESH_TOKEN)
            .args([
                "run",
                &format!("{MAPPING}/orders.flow"),
                "--source",
                "shop",
                "--target",
                "books",
            ])
            .arg("--connections")
            .arg(self.dir.path().join("connections.toml"))
            .arg("--state")
            .arg(self.dir.path().join(state))
            .args(["--now", "2024-03-15T08:00:00Z", "--format", "json"])
            .args(extra);
        command
    }

    /// Runs the shipped orders flow from the shop into the books.
    fn run(&self, state: &str, extra: &[&str]) -> (i32, String, String) {
        let output = Command::from_std(self.command(state, extra))
            .timeout(Duration::from_secs(600))
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// The books' records of an entity, as JSON.
    fn books(&self, entity: &str) -> Vec<Json> {
        let records = self.books.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .map(|record| serde_json::from_str(&flowc::value::json::to_string(record)).unwrap())
            .collect()
    }

    fn stop(self) {
        let World {
            runtime, shop, books, ..
        } = self;
        runtime.block_on(async {
            shop.stop().await;
            books.stop().await;
        });
    }
}

fn summary(stderr: &str) -> &str {
    stderr.lines().find(|line| line.contains(" read: ")).unwrap_or("")
}

fn canaries_absent(texts: &[&str]) {
    for text in texts {
        for canary in [SHOP_SECRET, CLIENT_SECRET, REFRESH_TOKEN] {
            assert!(!text.contains(canary), "{canary} was printed:\n{text}");
        }
    }
}

#[test]
fn orders_reach_the_books_exactly_once_through_faults_and_a_second_run_creates_nothing() {
    let world = World::start(
        200,
        "429=10%,503=5%,create-then-500=20%@orders+customers,retry-after=0,seed=11",
        Duration::from_secs(3600),
    );
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(
        code,
        0,
        "{}\n{}",
        summary(&stderr),
        stderr.lines().take(20).collect::<Vec<_>>().join("\n")
    );
    let plans: Vec<Json> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(plans.len(), 200);
    let failed: Vec<&Json> = plans.iter().filter(|plan| plan["action"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");

    // Exactly one order per paid order.
    let orders = world.books("orders");
    for reference in &world.paid {
        let count = orders
            .iter()
            .filter(|order| order["YourReference"] == reference.as_str())
            .count();
        assert_eq!(count, 1, "{reference} is in the books {count} times");
    }
    assert_eq!(
        orders.len(),
        world.paid.len() + 1,
        "the paid orders and the one the example holds"
    );
    // No customer twice.
    let customers = world.books("customers");
    let mut emails: Vec<String> = customers
        .iter()
        .map(|customer| customer["EmailAddress"].as_str().unwrap_or("").to_lowercase())
        .collect();
    emails.sort();
    let before = emails.len();
    emails.dedup();
    assert_eq!(emails.len(), before, "a customer was created twice");
    // The faults did happen.
    let faults = world.books.stats.faults.load(std::sync::atomic::Ordering::Relaxed)
        + world.shop.stats.faults.load(std::sync::atomic::Ordering::Relaxed);
    assert!(faults > 50, "only {faults} faults were injected");

    // A second run reads nothing new; read from the start, every order is
    // found: nothing is created.
    let (code, _, stderr2) = world.run("state", &[]);
    assert_eq!(code, 0, "{stderr2}");
    assert!(summary(&stderr2).starts_with("0 read"), "{}", summary(&stderr2));
    let (code, _, stderr2) = world.run("state", &["--after", "0"]);
    assert_eq!(code, 0, "{stderr2}");
    assert!(
        summary(&stderr2).contains(&format!("{} read: ", 200)) && summary(&stderr2).contains("0 created, 0 updated"),
        "{}",
        summary(&stderr2)
    );
    assert_eq!(world.books("orders").len(), orders.len());
    assert_eq!(world.books("customers").len(), customers.len());

    let log = std::fs::read_to_string(world.dir.path().join("state/activity.ndjson")).unwrap();
    canaries_absent(&[&stdout, &stderr, &stderr2, &log]);
    world.stop();
}

#[test]
fn sigterm_finishes_the_record_in_progress_and_the_next_run_goes_on() {
    // Slow answers, so that the run is in the middle when it is asked to stop.
    let world = World::start(40, "latency=25ms", Duration::from_secs(3600));
    let child = world
        .command("state", &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("stopped when asked"), "{stderr}");
    let done = String::from_utf8_lossy(&output.stdout).lines().count();
    assert!(done > 0 && done < 40, "stopped in the middle: {done} records done");
    let sent = world.books("orders").len();

    // Nothing was left in flight: the next run reads on from the cursor and
    // sends the rest, each order once.
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 40 - done, "the rest, no record twice");
    let orders = world.books("orders");
    assert!(orders.len() > sent);
    for reference in &world.paid {
        let count = orders
            .iter()
            .filter(|order| order["YourReference"] == reference.as_str())
            .count();
        assert_eq!(count, 1, "{reference} is in the books {count} times");
    }
    world.stop();
}

#[test]
fn refresh_tokens_rotate_across_runs_and_access_tokens_are_renewed() {
    // Access tokens live two seconds: a run renews them as it goes.
    let world = World::start(12, "", Duration::from_secs(2));
    let (code, _, stderr) = world.run("state", &["--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    let kept = world.dir.path().join("state/tokens/books.json");
    let first = std::fs::read_to_string(&kept).unwrap();
    assert!(
        !first.contains(REFRESH_TOKEN),
        "the configured token was used up and a new one kept"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    }
    std::thread::sleep(Duration::from_millis(2500));
    let (code, _, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "the next run signs in with the kept token\n{stderr}");
    assert_ne!(std::fs::read_to_string(&kept).unwrap(), first, "and keeps the next one");
    // A run that did not keep the rotated token cannot sign in any more.
    let (code, _, stderr) = world.run("elsewhere", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("refused the refresh token"), "{stderr}");
    canaries_absent(&[&stderr, &first]);
    world.stop();
}

#[test]
fn a_lying_shop_is_caught_by_its_signature() {
    let world = World::start(6, "forge=100%@orders", Duration::from_secs(3600));
    let (code, _, stderr) = world.run("state", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the signature of CCV SalesPOS's answer does not match"),
        "{stderr}"
    );
    world.stop();
}

#[test]
fn dropped_connections_and_dated_retry_afters_are_survived() {
    let world = World::start(
        20,
        "reset=10%,429-date=10%,create-then-500=30%@orders+customers,retry-after=1,seed=5",
        Duration::from_secs(3600),
    );
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let orders = world.books("orders");
    for reference in &world.paid {
        let count = orders
            .iter()
            .filter(|order| order["YourReference"] == reference.as_str())
            .count();
        assert_eq!(count, 1, "{reference} is in the books {count} times");
    }
    world.stop();
}

#[test]
fn a_create_answered_with_a_500_is_found_by_its_key_not_sent_again() {
    // The books answer every create of a customer with a 500 after making
    // it: the connector finds it by its e-mail address instead of sending
    // it again.
    let world = World::start(8, "create-then-500=100%@customers", Duration::from_secs(3600));
    let held = world.books("customers").len();
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let plans: Vec<Json> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let created: usize = plans
        .iter()
        .flat_map(|plan| plan["actions"].as_array().unwrap())
        .filter(|action| action["entity"] == "eaccounting.customers" && action["action"] == "create")
        .count();
    assert!(created >= 2, "the run creates new customers ({created})");
    assert_eq!(world.books("customers").len(), held + created, "each once");
    world.stop();
}

#[test]
fn quotations_are_found_again_through_their_customer() {
    // eAccounting cannot filter quotes by a row's text: the flow filters
    // on the customer, and flowc matches the row text over its quotes.
    let world = World::start(9, "", Duration::from_secs(3600));
    let (code, _, stderr) = world.run("state", &["--set", "order_type=quotation"]);
    assert_eq!(code, 0, "{stderr}");
    let quotes = world.books("quotes").len();
    assert_eq!(
        quotes,
        world.paid.len(),
        "one quote per paid order (the example holds none)"
    );
    let (code, _, stderr) = world.run("state", &["--set", "order_type=quotation", "--after", "0"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(summary(&stderr).contains("9 read"), "{}", summary(&stderr));
    assert!(summary(&stderr).contains("0 created"), "{}", summary(&stderr));
    assert_eq!(world.books("quotes").len(), quotes);
    world.stop();
}

/// Runs flowc with the world's connections and secrets.
fn flowc(world: &World, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("FLOWC_TEST_SHOP_SECRET", SHOP_SECRET)
        .env("FLOWC_TEST_CLIENT_SECRET", CLIENT_SECRET)
        .env("FLOWC_TEST_REFRESH_TOKEN", REFRESH_TOKEN)
        .env("FLOWC_CONNECTIONS", world.dir.path().join("connections.toml"))
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn connections_check_says_in_one_line_what_is_wrong() {
    let world = World::start(3, "", Duration::from_secs(3600));
    let state = world.dir.path().join("state");
    let state = state.to_str().unwrap();
    let (code, stdout, _) = flowc(&world, &["connections", "check", "shop", "--state", state]);
    assert_eq!(
        (code, stdout.trim()),
        (0, "shop: works: signed in to ccv_salespos and read 1 record of orders")
    );
    let (code, stdout, _) = flowc(&world, &["connections", "check", "books", "--state", state]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("books: works: signed in to eaccounting"), "{stdout}");

    // Wrong secret, closed port, no rights, no secret: one line each.
    let text = std::fs::read_to_string(world.dir.path().join("connections.toml")).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let broken = format!(
        "{text}\n[wrong]\nsystem = \"ccv_salespos\"\nbase_url = \"http://{}\"\npublic_key = \"public-key-of-the-test\"\nsecret_key = {{ env = \"FLOWC_TEST_WRONG_SECRET\" }}\n\n\
         [gone]\nsystem = \"ccv_salespos\"\nbase_url = \"http://{closed}\"\npublic_key = \"p\"\nsecret_key = {{ env = \"FLOWC_TEST_SHOP_SECRET\" }}\n\n\
         [nosecret]\nsystem = \"ccv_salespos\"\nbase_url = \"http://{}\"\npublic_key = \"p\"\nsecret_key = {{ env = \"FLOWC_TEST_UNSET\" }}\n",
        world.shop.address, world.shop.address
    );
    std::fs::write(world.dir.path().join("connections.toml"), broken).unwrap();
    let check = |name: &str| {
        let output = Command::cargo_bin("flowc")
            .unwrap()
            .env("FLOWC_CONNECTIONS", world.dir.path().join("connections.toml"))
            .env("FLOWC_TEST_SHOP_SECRET", SHOP_SECRET)
            .env("FLOWC_TEST_WRONG_SECRET", "CANARY-WRONG-SECRET-6a1")
            .args(["connections", "check", name, "--state", state])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !stdout.contains("CANARY") && !stderr.contains("CANARY"),
            "{stdout}{stderr}"
        );
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        (output.status.code().unwrap_or(-1), stdout)
    };
    let (code, stdout) = check("wrong");
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("wrong: bad credentials: CCV SalesPOS answered 401"),
        "{stdout}"
    );
    let (code, stdout) = check("gone");
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("gone: unreachable: cannot reach CCV SalesPOS"),
        "{stdout}"
    );
    let (code, stdout) = check("nosecret");
    assert_eq!(code, 1);
    assert!(stdout.contains("FLOWC_TEST_UNSET, which is not set"), "{stdout}");
    world.stop();

    let world = World::start(3, "403=100%", Duration::from_secs(3600));
    let (code, stdout, _) = flowc(&world, &["connections", "check", "shop", "--state", state]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("shop: missing rights: CCV SalesPOS answered 403"),
        "{stdout}"
    );
    world.stop();
}

#[test]
fn a_write_the_books_refuse_fails_its_record_with_the_fields_messages() {
    let world = World::start(3, "", Duration::from_secs(3600));
    let flow = world.dir.path().join("customers.flow");
    std::fs::write(
        &flow,
        r#"flow customers {
  source ccv_salespos.orders
  target eaccounting.customers
  when $.paid
  upsert where EmailAddress == lower(trim($.customer.email)) {
    Name = "Klant ${$.id}"
    InvoiceCity = "Utrecht"
    InvoicePostalCode = "postal code of order ${$.ordernumber_full}"
    TermsOfPaymentId = "8f6b3a51-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    IsPrivatePerson = true
    IsActive = true
  }
}
"#,
    )
    .unwrap();
    let state = world.dir.path().join("state");
    let (code, stdout, stderr) = flowc(
        &world,
        &[
            "run",
            flow.to_str().unwrap(),
            "--source",
            "shop",
            "--target",
            "books",
            "--state",
            state.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let failed: Json = stdout
        .lines()
        .map(|line| serde_json::from_str::<Json>(line).unwrap())
        .find(|plan| plan["action"] == "fail")
        .unwrap();
    let reason = failed["reason"].as_str().unwrap();
    assert!(
        reason.contains("eAccounting answered 400 Bad Request")
            && reason.contains("InvoicePostalCode: The field must be a string with a maximum length of 10."),
        "{reason}"
    );
    assert_eq!(failed["code"], "E1011");
    let log = std::fs::read_to_string(state.join("activity.ndjson")).unwrap();
    assert!(
        log.contains("InvoicePostalCode: ***"),
        "the vendor's words are masked in the log"
    );
    world.stop();
}

#[test]
fn flowc_sandbox_prints_its_address_and_a_table_that_reaches_it() {
    // Each system's sandbox, under the name its table gives it (one named
    // on the command line), reached by `connections check` through the
    // table it printed.
    for (system, name, path) in [
        ("eaccounting", Some("ledger"), "/v2"),
        ("ccv_salespos", None, ""),
        ("vismanet", None, "/v1"),
        ("accountview", None, "/api/v3"),
        ("mpluskassa", None, "/"),
    ] {
        use std::io::BufRead;
        let data = root().join(MAPPING).join("example/eaccounting");
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowc"));
        command.args(["sandbox", system]);
        if let Some(name) = name {
            command.args(["--name", name, "--data"]).arg(&data);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let address = first.strip_prefix("listening on http://").expect(&first).to_string();
        assert_eq!(lines.next().unwrap().unwrap(), "", "a blank line after the address");
        let mut table = String::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.is_empty() {
                break;
            }
            table.push_str(&line);
            table.push('\n');
        }
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join("connections.toml"), &table).unwrap();
        let parsed: toml::Table = toml::from_str(&table).unwrap();
        let (name, connection) = parsed.iter().next().unwrap();
        let connection = connection.as_table().unwrap();
        assert_eq!(connection["system"].as_str(), Some(system));
        assert_eq!(
            connection["base_url"].as_str(),
            Some(format!("http://{address}{path}").as_str())
        );
        let output = Command::cargo_bin("flowc")
            .unwrap()
            .current_dir(dir.path())
            .args(["connections", "check", name])
            .output()
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.starts_with(&format!("{name}: works")), "{system}: {stdout}");
    }
}
