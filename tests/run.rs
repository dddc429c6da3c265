//! `flowc run` of the shipped orders flow over the example CCV SalesPOS and
//! eAccounting directories: the decision for every kind of order, a real
//! run followed by a second one that writes nothing, the activity log and
//! its masking, and the exit codes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const MAPPING: &str = "mappings/ccv-salespos--eaccounting";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the example systems, to run against without touching them.
struct Systems {
    dir: TempDir,
}

impl Systems {
    fn copy() -> Systems {
        let dir = TempDir::new().unwrap();
        for system in ["ccv-salespos", "eaccounting"] {
            let from = root().join(MAPPING).join("example").join(system);
            let to = dir.path().join(system);
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
        Systems { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn records(&self, system: &str, entity: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(self.path(system).join(format!("{entity}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Runs the shipped orders flow; returns the exit code, stdout and stderr.
    fn run(&self, extra: &[&str]) -> (i32, String, String) {
        self.run_flow(&root().join(MAPPING).join("orders.flow"), extra)
    }

    /// Runs `flow` from the example CCV shop into the example eAccounting.
    fn run_flow(&self, flow: &Path, extra: &[&str]) -> (i32, String, String) {
        self.run_between(flow, ("ccv-salespos", "eaccounting"), "state", extra)
    }

    /// Runs `flow` from one example system's folder into the other's, with
    /// its state in `state`.
    fn run_between(&self, flow: &Path, (from, to): (&str, &str), state: &str, extra: &[&str]) -> (i32, String, String) {
        let output = Command::cargo_bin("flowc")
            .unwrap()
            .current_dir(root())
            .env("NO_COLOR", "1")
            .arg("run")
            .arg(flow)
            .arg("--source")
            .arg(format!("dir:{}", self.path(from).display()))
            .arg("--target")
            .arg(format!("dir:{}", self.path(to).display()))
            .arg("--log")
            .arg(self.path("activity.ndjson"))
            .arg("--state")
            .arg(self.path(state))
            .args(["--now", "2024-03-15T08:00:00Z"])
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn log(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.path("activity.ndjson")).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Record, decision, entity and reason of each plan: the part of the run a
/// reader checks first.
fn decisions(plans: &[Value]) -> String {
    plans
        .iter()
        .map(|plan| {
            format!(
                "{} {} {} {}: {}",
                plan["record"].as_str().unwrap(),
                plan["action"].as_str().unwrap(),
                plan["entity"].as_str().unwrap_or("-"),
                plan["code"].as_str().unwrap_or(""),
                plan["reason"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The customer write of a plan (an update or a create), if any.
fn customer_write(plan: &Value) -> Option<&Value> {
    plan["actions"].as_array().unwrap().iter().find(|action| {
        action["entity"] == "eaccounting.customers" && (action["action"] == "create" || action["action"] == "update")
    })
}

fn plan_of<'p>(plans: &'p [Value], record: &str) -> &'p Value {
    plans.iter().find(|plan| plan["record"] == record).unwrap()
}

#[test]
fn a_dry_run_decides_every_kind_of_order_and_writes_nothing() {
    let systems = Systems::copy();
    let before = systems.records("eaccounting", "customers");
    let (code, stdout, stderr) = systems.run(&["--dry-run", "--format", "json"]);
    assert_eq!(code, 1, "an order failed, so the run exits 1\n{stderr}");
    let plans = json_lines(&stdout);
    insta::assert_snapshot!(decisions(&plans), @r#"
    483918 skip eaccounting.orders : eaccounting.orders already has a record with YourReference == "KAS-1040"
    483920 create eaccounting.orders : a new record
    483921 create eaccounting.orders : a new record
    483922 filtered - : `not only_paid or $.paid == true` does not hold
    483923 create eaccounting.orders : a new record
    483924 fail - E1009: 1 of 2 are not in eaccounting.articles: Number == "200999"
    "#);

    // A known e-mail: the customer is updated, as a company with its contact.
    let known = customer_write(plan_of(&plans, "483920")).unwrap();
    assert_eq!(known["action"], "update");
    assert_eq!(known["payload"]["IsPrivatePerson"], false);
    assert_eq!(known["payload"]["Name"], "Bakkerij De Vries B.V.");
    assert_eq!(known["payload"]["ContactPersonName"], "Jan de Vries");
    // A new e-mail, a private person: a person debtor is created.
    let person = customer_write(plan_of(&plans, "483921")).unwrap();
    assert_eq!(person["action"], "create");
    assert_eq!(person["payload"]["IsPrivatePerson"], true);
    assert!(person["payload"].get("ContactPersonName").is_none());
    // A new company: a company debtor with its contact is created.
    let company = customer_write(plan_of(&plans, "483923")).unwrap();
    assert_eq!(company["action"], "create");
    assert_eq!(company["payload"]["IsPrivatePerson"], false);
    assert_eq!(company["payload"]["ContactPersonName"], "Sofie Peeters");
    // The order of a new customer points at the customer it creates.
    assert_eq!(
        plan_of(&plans, "483921")["payload"]["CustomerId"],
        "(new eaccounting.customers)"
    );
    // The failing order wrote nothing, not even its customer.
    assert!(customer_write(plan_of(&plans, "483924")).is_none());

    assert!(
        stderr.contains(
            "6 read: 1 filtered out, 3 created, 0 updated, 1 skipped, 1 failed (dry run: nothing was written)"
        ),
        "{stderr}"
    );
    assert_eq!(systems.records("eaccounting", "customers"), before);
    assert_eq!(systems.records("eaccounting", "orders").len(), 1);
}

#[test]
fn human_output_gives_each_record_its_decision_and_actions() {
    let systems = Systems::copy();
    // One line per record by default.
    let (_, stdout, _) = systems.run(&["--dry-run"]);
    assert_eq!(stdout.lines().count(), 7, "6 records and the summary\n{stdout}");
    let (code, stdout, _) = systems.run(&["--dry-run", "--verbose"]);
    assert_eq!(code, 1);
    let headlines: Vec<&str> = stdout.lines().filter(|line| line.starts_with("record ")).collect();
    insta::assert_snapshot!(headlines.join("\n"), @r#"
    record 483918: skip: eaccounting.orders already has a record with YourReference == "KAS-1040"
    record 483920: create eaccounting.orders: a new record
    record 483921: create eaccounting.orders: a new record
    record 483922: filtered out: `not only_paid or $.paid == true` does not hold
    record 483923: create eaccounting.orders: a new record
    record 483924: fail [E1009]: 1 of 2 are not in eaccounting.articles: Number == "200999"
    "#);
    assert!(stdout.contains(
        r#"5. lookup eaccounting.customers: found the record with EmailAddress == "jan@bakkerijdevries.nl""#
    ));
    assert!(stdout.contains(
        r#"6. update eaccounting.customers: the record with EmailAddress == "jan@bakkerijdevries.nl" exists"#
    ));
    assert!(stdout.ends_with(
        "6 read: 1 filtered out, 3 created, 0 updated, 1 skipped, 1 failed (dry run: nothing was written)\n"
    ));
}

#[test]
fn a_real_run_writes_and_a_second_run_creates_nothing_new() {
    let systems = Systems::copy();
    let (code, stdout, _) = systems.run(&[]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("6 read: 1 filtered out, 3 created, 0 updated, 1 skipped, 1 failed\n"),
        "{stdout}"
    );

    let orders = systems.records("eaccounting", "orders");
    let references: Vec<&str> = orders
        .iter()
        .map(|order| order["YourReference"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["KAS-1040", "KAS-1042", "KAS-1043", "KAS-1045"]);
    let customers = systems.records("eaccounting", "customers");
    assert_eq!(customers.len(), 4, "two customers were created");
    let anna = customers
        .iter()
        .find(|c| c["EmailAddress"] == "anna.bakker@example.nl")
        .unwrap();
    let anna_order = orders.iter().find(|o| o["YourReference"] == "KAS-1043").unwrap();
    assert_eq!(
        anna_order["CustomerId"], anna["Id"],
        "the order is on the customer created for it"
    );
    assert!(!anna["Id"].as_str().unwrap().starts_with("(new"));
    let jan = customers.iter().find(|c| c["CustomerNumber"] == "10023").unwrap();
    assert_eq!(jan["Name"], "Bakkerij De Vries B.V.", "the known customer was updated");
    assert_eq!(
        jan["TermsOfPaymentId"], "8f6b3a51-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        "create-only terms kept"
    );

    // The state keeps the cursor: the next run reads what is new, nothing.
    let (code, stdout, _) = systems.run(&[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("0 read"), "{stdout}");
    // Read again from the start, every order is found: nothing is created.
    let (code, stdout, _) = systems.run(&["--after", "0"]);
    assert_eq!(code, 1, "the order with an unknown article still fails");
    assert!(
        stdout.contains("6 read: 1 filtered out, 0 created, 0 updated, 4 skipped, 1 failed"),
        "{stdout}"
    );
    assert_eq!(systems.records("eaccounting", "orders").len(), 4);
    assert_eq!(systems.records("eaccounting", "customers").len(), 4);
}

#[test]
fn the_activity_log_masks_personal_data_unless_asked() {
    let systems = Systems::copy();
    systems.run(&["--dry-run"]);
    let log = systems.log();
    assert_eq!(log.len(), 6, "one line per record");
    let run = log[0]["run"].as_str().unwrap();
    assert!(run.starts_with("2024-03-15T08:00:00Z-"), "{run}");
    assert!(
        log.iter()
            .all(|line| line["run"] == run && line["flow"] == "orders" && line["dry_run"] == true)
    );
    let first = log.iter().find(|line| line["record"] == "483920").unwrap();
    assert_eq!(first["outcome"], "create");
    assert_eq!(first["input"]["customer"]["email"], "***");
    assert_eq!(first["input"]["customer"]["billingaddress"]["street"], "***");
    assert_eq!(first["input"]["total_price"], 54.45, "amounts are not personal");
    let text = std::fs::read_to_string(systems.path("activity.ndjson")).unwrap();
    for personal in [
        "jan@bakkerijdevries.nl",
        "Dorpsstraat",
        "030-1234567",
        "Jan de Vries",
        "anna.bakker",
    ] {
        assert!(!text.contains(personal), "{personal} is in the masked log");
    }
    assert_eq!(first["sent"], serde_json::json!([]), "a dry run sends nothing");
    assert_eq!(log[5]["record"], "483924");
    assert_eq!(log[5]["error"]["code"], "E1009");

    systems.run(&["--log-payloads"]);
    let log = systems.log();
    assert_eq!(log.len(), 12, "a run appends");
    let real = &log[7];
    assert_eq!(real["record"], "483920");
    assert_ne!(real["run"], log[0]["run"]);
    assert_eq!(real["input"]["customer"]["email"], "jan@bakkerijdevries.nl");
    let sent: Vec<&str> = real["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["entity"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["eaccounting.customers", "eaccounting.orders"]);
}

#[test]
fn after_a_cursor_only_newer_records_are_read() {
    let systems = Systems::copy();
    let (_, stdout, _) = systems.run(&["--dry-run", "--format", "json", "--after", "483922"]);
    let records: Vec<String> = json_lines(&stdout)
        .iter()
        .map(|plan| plan["record"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(records, ["483923", "483924"]);
}

#[test]
fn a_failed_record_waits_in_the_state_holds_nothing_back_and_is_retried() {
    let systems = Systems::copy();
    let (code, _, stderr) = systems.run(&[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`flowc failed` lists them"), "{stderr}");
    let state = |args: &[&str]| {
        let output = Command::cargo_bin("flowc")
            .unwrap()
            .args(args)
            .arg("--state")
            .arg(systems.path("state"))
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    let (code, failed) = state(&["failed"]);
    assert_eq!(code, 1, "there are failed records");
    assert_eq!(failed.lines().count(), 1, "{failed}");
    assert!(
        failed.contains("record 483924: [E1009] 1 of 2 are not in eaccounting.articles"),
        "{failed}"
    );
    assert!(failed.contains("(1 attempt,"), "{failed}");
    let (_, overview) = state(&["state"]);
    assert!(
        overview.contains("cursor: 483924"),
        "the cursor went past the failed record\n{overview}"
    );
    assert!(overview.contains("failed, waiting for `flowc retry`: 1"), "{overview}");

    // Tried again as it is: it fails again, one more attempt.
    let (code, _, _) = systems.run_flow(&root().join(MAPPING).join("orders.flow"), &[]);
    assert_eq!(code, 0, "the next run reads nothing new");
    let retry = |systems: &Systems| {
        Command::cargo_bin("flowc")
            .unwrap()
            .current_dir(root())
            .args(["retry", &format!("{MAPPING}/orders.flow"), "--source"])
            .arg(format!("dir:{}", systems.path("ccv-salespos").display()))
            .arg("--target")
            .arg(format!("dir:{}", systems.path("eaccounting").display()))
            .arg("--log")
            .arg(systems.path("activity.ndjson"))
            .arg("--state")
            .arg(systems.path("state"))
            .args(["--now", "2024-03-15T08:00:00Z", "--format", "json"])
            .output()
            .unwrap()
    };
    let output = retry(&systems);
    assert_eq!(output.status.code(), Some(1));
    assert!(state(&["failed"]).1.contains("(2 attempts,"));

    // The article exists now: the retry sends the order, and nothing waits.
    let articles = systems.path("eaccounting/articles.json");
    let mut list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&articles).unwrap()).unwrap();
    let mut article = list[0].clone();
    article["Id"] = "a-200999".into();
    article["Number"] = "200999".into();
    list.push(article);
    std::fs::write(&articles, serde_json::to_string(&list).unwrap()).unwrap();
    let output = retry(&systems);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plans = json_lines(&String::from_utf8(output.stdout).unwrap());
    assert_eq!((plans.len(), plans[0]["record"].as_str()), (1, Some("483924")));
    assert_eq!(plans[0]["action"], "create");
    assert_eq!(state(&["failed"]), (0, String::new()));
    let (_, runs) = state(&["runs"]);
    assert_eq!(runs.lines().count(), 4, "{runs}");
    assert!(
        runs.lines()
            .next()
            .unwrap()
            .contains("1 read: 0 filtered out, 1 created"),
        "{runs}"
    );
}

#[test]
fn a_record_in_flight_when_a_run_died_is_taken_up_first() {
    use flowc::runtime::state::Store;
    use flowc::runtime::state::sqlite::{Database, integration_id};
    let systems = Systems::copy();
    // A run that began 483920 and died before its end, the cursor already
    // past every order.
    let source = format!("dir:{}", systems.path("ccv-salespos").display());
    let target = format!("dir:{}", systems.path("eaccounting").display());
    {
        let mut state = Database::open(&systems.path("state"))
            .unwrap()
            .writer(&integration_id("orders", &source, &target))
            .unwrap();
        let run = state.begin_run().unwrap();
        state
            .end_record(
                run,
                "483924",
                flowc::runtime::state::Ended::Done { target: None },
                Some(&flowc::value::Value::Int(483924)),
            )
            .unwrap();
        state.begin_record(run, "483920").unwrap();
    }
    let (code, stdout, _) = systems.run(&["--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    let plans = json_lines(&stdout);
    assert_eq!(plans.len(), 1, "only the record in flight: {stdout}");
    assert_eq!(
        (plans[0]["record"].as_str(), plans[0]["action"].as_str()),
        (Some("483920"), Some("create"))
    );
    let (_, stdout, _) = systems.run(&["--format", "json"]);
    assert!(json_lines(&stdout).is_empty(), "taken up once: {stdout}");
}

#[test]
fn a_create_without_a_key_is_not_sent_again_for_a_record_in_flight() {
    use flowc::runtime::state::Store;
    use flowc::runtime::state::sqlite::{Database, integration_id};
    let systems = Systems::copy();
    // A flow that creates without looking first: nothing could find what a
    // run that died had written.
    let flow = systems.path("blind.flow");
    std::fs::write(
        &flow,
        r#"flow blind {
  source ccv_salespos.orders
  target eaccounting.orders
  when $.id == 483920
  create {
    CustomerId = "c-1"
    CurrencyCode = "EUR"
    OrderDate = "2024-03-14"
    Status = 1
    EuThirdParty = false
    ReverseChargeOnConstructionServices = false
    RotReducedInvoicingType = 0
    YourReference = $.ordernumber_full
  }
}
"#,
    )
    .unwrap();
    let source = format!("dir:{}", systems.path("ccv-salespos").display());
    let target = format!("dir:{}", systems.path("eaccounting").display());
    {
        let mut state = Database::open(&systems.path("state"))
            .unwrap()
            .writer(&integration_id("blind", &source, &target))
            .unwrap();
        let run = state.begin_run().unwrap();
        state
            .end_record(
                run,
                "483924",
                flowc::runtime::state::Ended::Done { target: None },
                Some(&flowc::value::Value::Int(483924)),
            )
            .unwrap();
        state.begin_record(run, "483920").unwrap();
    }
    let orders = systems.records("eaccounting", "orders").len();
    let (code, stdout, _) = systems.run_flow(&flow, &["--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let plans = json_lines(&stdout);
    assert_eq!(plans[0]["action"], "fail");
    assert!(
        plans[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no key to find what it may have written"),
        "{stdout}"
    );
    assert_eq!(
        systems.records("eaccounting", "orders").len(),
        orders,
        "nothing sent twice"
    );
    // Once someone has looked, a retry sends it.
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .args(["retry"])
        .arg(&flow)
        .args(["--source", &source, "--target", &target, "--state"])
        .arg(systems.path("state"))
        .arg("--log")
        .arg(systems.path("activity.ndjson"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(systems.records("eaccounting", "orders").len(), orders + 1);
}

#[test]
fn a_record_that_failed_after_writing_says_what_it_wrote_and_its_retry_finds_it() {
    let systems = Systems::copy();
    let flow = systems.path("partial.flow");
    std::fs::write(
        &flow,
        r#"flow partial {
  source ccv_salespos.orders
  target eaccounting.orders

  let customer = upsert eaccounting.customers where EmailAddress == $.customer.email {
    Name = "Klant ${$.id}"
    IsActive = true
    IsPrivatePerson = true
    InvoiceCity = "Utrecht"
    InvoicePostalCode = "1234 AB"
    TermsOfPaymentId = "8f6b3a51-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
  }
  require $.paid == true else "the order is not paid"
  create {
    CustomerId = customer.Id
    CurrencyCode = "EUR"
    OrderDate = "2024-03-14"
    Status = 1
    EuThirdParty = false
    ReverseChargeOnConstructionServices = false
    RotReducedInvoicingType = 0
    YourReference = $.ordernumber_full
  }
}
"#,
    )
    .unwrap();
    let (code, stdout, _) = systems.run_flow(&flow, &[]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("record 483922: fail [E1008]: the order is not paid (1 create carried out before it failed)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 failed (the failed records had carried out 1 create)"),
        "0 created never hides a new customer\n{stdout}"
    );
    let customers = systems.records("eaccounting", "customers").len();
    let (_, stdout, _) = systems.run_flow(&flow, &["--after", "0", "--format", "json"]);
    let plans = json_lines(&stdout);
    let unpaid = plans.iter().find(|plan| plan["record"] == "483922").unwrap();
    assert_eq!(unpaid["action"], "fail");
    assert!(
        unpaid.get("carried_out").is_none(),
        "read again, the customer is found and kept: {unpaid}"
    );
    assert_eq!(
        systems.records("eaccounting", "customers").len(),
        customers,
        "not created twice"
    );
}

#[test]
fn a_run_with_failures_notifies_with_its_summary() {
    let systems = Systems::copy();
    let report = systems.path("report.json");
    let command = format!("cat > '{}'", report.display());
    let (code, _, _) = systems.run(&["--notify", &command]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        (report["failed"].as_i64(), report["created"].as_i64()),
        (Some(1), Some(3))
    );
    assert!(
        report["integration"].as_str().unwrap().starts_with("orders (dir:"),
        "{report}"
    );
    // Without failures, no report.
    std::fs::remove_file(systems.path("report.json")).unwrap();
    let (code, _, _) = systems.run(&["--notify", &command]);
    assert_eq!(code, 0);
    assert!(!systems.path("report.json").exists());
}

#[test]
fn the_state_holds_no_personal_data() {
    let systems = Systems::copy();
    systems.run(&["--log-payloads"]);
    for entry in std::fs::read_dir(systems.path("state")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for personal in ["jan@bakkerijdevries.nl", "anna.bakker", "Dorpsstraat", "Jan de Vries"] {
                assert!(!text.contains(personal), "{personal} is in {}", path.display());
            }
        }
    }
}

#[test]
fn settings_choose_the_order_type() {
    let systems = Systems::copy();
    let (_, stdout, _) = systems.run(&["--dry-run", "--format", "json", "--set", "order_type=invoice"]);
    let plans = json_lines(&stdout);
    assert_eq!(plan_of(&plans, "483920")["entity"], "eaccounting.customerinvoicedrafts");
    assert_eq!(plan_of(&plans, "483920")["action"], "create");
}

#[test]
fn a_mapping_without_a_target_is_not_run() {
    let systems = Systems::copy();
    let mapping = systems.path("mapping.flow");
    std::fs::write(
        &mapping,
        "flow orders {\n  source ccv_salespos.orders\n  emit { id = $.id }\n}\n",
    )
    .unwrap();
    let (code, _, stderr) = systems.run_flow(&mapping, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("use `flowc map`"), "{stderr}");
}

#[test]
fn a_run_that_cannot_start_exits_two_and_says_why() {
    let systems = Systems::copy();
    let missing = systems.path("nowhere");
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(root())
        .args(["run", &format!("{MAPPING}/orders.flow"), "--dry-run", "--source"])
        .arg(format!("dir:{}", missing.display()))
        .arg("--target")
        .arg(format!("dir:{}", systems.path("eaccounting").display()))
        .arg("--log")
        .arg(systems.path("activity.ndjson"))
        .arg("--state")
        .arg(systems.path("state"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("the source:") && stderr.contains("is not a directory"),
        "{stderr}"
    );
    assert!(
        !Path::new(&systems.path("activity.ndjson")).exists(),
        "no log for a run that did not start"
    );
}

/// Values of a record inside error messages are personal data too: a
/// telephone given as a number, an e-mail as a list, a zipcode as a number,
/// a city as a list fail their record, and the log masks the values in the
/// reason and the error message (unless --log-payloads).
#[test]
fn the_log_masks_values_inside_error_messages() {
    let systems = Systems::copy();
    let path = systems.path("ccv-salespos").join("orders.json");
    let mut orders: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let plants: [(u64, &str, Value); 4] = [
        (483920, "telephone", serde_json::json!(31655550173u64)),
        (483921, "email", serde_json::json!(["planted.canary@example.nl"])),
        (483923, "zipcode", serde_json::json!(987654321)),
        (483924, "city", serde_json::json!(["Canarytown"])),
    ];
    for (id, field, value) in &plants {
        let order = orders.iter_mut().find(|o| o["id"] == *id).unwrap();
        let customer = &mut order["customer"];
        if *field == "email" {
            customer["email"] = value.clone();
        } else {
            customer["billingaddress"][*field] = value.clone();
        }
    }
    std::fs::write(&path, serde_json::to_string(&orders).unwrap()).unwrap();

    let (_, stdout, _) = systems.run(&["--dry-run", "--format", "json"]);
    let failed: Vec<Value> = json_lines(&stdout)
        .into_iter()
        .filter(|plan| plan["action"] == "fail")
        .collect();
    assert!(failed.len() >= 3, "the planted records fail: {stdout}");
    assert!(
        stdout.contains("31655550173"),
        "stdout shows the run to its operator whole"
    );

    let log = std::fs::read_to_string(systems.path("activity.ndjson")).unwrap();
    for canary in ["31655550173", "planted.canary", "987654321", "Canarytown"] {
        assert!(!log.contains(canary), "{canary} reached the masked log:\n{log}");
    }
    assert!(log.contains("but got int: ***"), "{log}");
    assert!(!log.contains('\u{E000}'), "no marks are left in the log");

    systems.run(&["--dry-run", "--log-payloads"]);
    let log = std::fs::read_to_string(systems.path("activity.ndjson")).unwrap();
    assert!(log.contains("but got int: 31655550173"), "whole when asked");
}

#[test]
fn a_second_run_into_a_target_being_written_is_refused() {
    let systems = Systems::copy();
    // Another run holds the target.
    let writer = flowc::connectors::DirConnector::open_for_writing(systems.path("eaccounting"), "eaccounting").unwrap();
    let (code, _, stderr) = systems.run(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is being written by another flowc run"), "{stderr}");
    let (code, _, _) = systems.run(&["--dry-run"]);
    assert_eq!(code, 1, "a dry run writes nothing, so it may run beside it");
    drop(writer);
    let (code, stdout, _) = systems.run(&[]);
    assert_eq!(code, 1, "runs once the other has ended");
    assert!(stdout.contains("3 created"), "{stdout}");
}

#[test]
fn two_runs_at_once_lose_no_write_and_create_nothing_twice() {
    let systems = Systems::copy();
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("flowc"))
            .current_dir(root())
            .arg("run")
            .arg(root().join(MAPPING).join("orders.flow"))
            .arg("--source")
            .arg(format!("dir:{}", systems.path("ccv-salespos").display()))
            .arg("--target")
            .arg(format!("dir:{}", systems.path("eaccounting").display()))
            .arg("--log")
            .arg(systems.path("activity.ndjson"))
            .arg("--state")
            .arg(systems.path("state"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    for run in [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()] {
        let stderr = String::from_utf8_lossy(&run.stderr);
        // Each either ran (exit 1: one order has an unknown article), came
        // after the other had ended (exit 0: nothing new after the state's
        // cursor), or was refused.
        match run.status.code() {
            Some(0 | 1) => {}
            // Refused by the integration's state, or by the target directory.
            Some(2) => assert!(stderr.contains("by another flowc run"), "{stderr}"),
            other => panic!("exit {other:?}: {stderr}"),
        }
    }
    let references: Vec<String> = systems
        .records("eaccounting", "orders")
        .iter()
        .map(|order| order["YourReference"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        references,
        ["KAS-1040", "KAS-1042", "KAS-1043", "KAS-1045"],
        "each order once"
    );
    assert_eq!(
        systems.records("eaccounting", "customers").len(),
        4,
        "each customer once"
    );
}

#[test]
fn the_same_directory_as_source_and_target_is_refused() {
    let systems = Systems::copy();
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(root())
        .args(["run", &format!("{MAPPING}/orders.flow"), "--source"])
        .arg(format!("dir:{}", systems.path("ccv-salespos").display()))
        .arg("--target")
        .arg(format!(
            "dir:{}/../ccv-salespos",
            systems.path("ccv-salespos").display()
        ))
        .arg("--log")
        .arg(systems.path("activity.ndjson"))
        .arg("--state")
        .arg(systems.path("state"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("the source and the target are the same place"),
        "{stderr}"
    );
}

/// Checked against the system's schema before anything is read: a source
/// over HTTP would be asked a question it answers with a 400, or nothing.
#[test]
fn a_cursor_of_the_wrong_kind_is_an_error_not_an_empty_run() {
    let systems = Systems::copy();
    let (code, stdout, stderr) = systems.run(&["--dry-run", "--after", "KAS-1042"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr
            .contains("--after KAS-1042: `id`, the cursor of ccv_salespos.orders, holds int values, and this is text"),
        "{stderr}"
    );
}

#[test]
fn orders_sent_back_into_a_folder_shop_are_found_by_their_creation_date_and_not_sent_twice() {
    // The other direction over the same example folders: the books' orders
    // into the shop. CCV sets an order's create_date itself; a folder
    // standing in for the shop stamps it too, so that the never-twice
    // lookup (reservation number, made since) finds what the run made.
    let systems = Systems::copy();
    let mut orders = systems.records("eaccounting", "orders");
    orders[0]["Status"] = 2.into();
    std::fs::write(
        systems.path("eaccounting").join("orders.json"),
        serde_json::to_string(&orders).unwrap(),
    )
    .unwrap();
    let products: Vec<Value> = ["100234", "200871"]
        .iter()
        .enumerate()
        .map(|(i, number)| serde_json::json!({"id": 77001 + i, "productnumber": number, "name": number}))
        .collect();
    std::fs::write(
        systems.path("ccv-salespos").join("products.json"),
        serde_json::to_string(&products).unwrap(),
    )
    .unwrap();
    let flow = root().join("mappings/eaccounting--ccv-salespos/orders.flow");
    let run = |extra: &[&str]| {
        let (_, stdout, _) = systems.run_between(&flow, ("eaccounting", "ccv-salespos"), "books-to-shop", extra);
        stdout
    };
    let stdout = run(&[]);
    assert!(stdout.contains("1 created"), "{stdout}");
    let sent: Vec<Value> = systems
        .records("ccv-salespos", "orders")
        .into_iter()
        .filter(|order| order["reservationnumber"] == "EA-10040")
        .collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["create_date"].as_str().is_some(), "stamped: {}", sent[0]);

    let stdout = run(&["--after", "2000-01-01T00:00:00Z"]);
    assert!(stdout.contains("0 created") && stdout.contains("1 skipped"), "{stdout}");
    let again = systems
        .records("ccv-salespos", "orders")
        .into_iter()
        .filter(|order| order["reservationnumber"] == "EA-10040")
        .count();
    assert_eq!(again, 1, "not sent twice");
}
