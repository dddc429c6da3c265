//! The shipped CCV SalesPOS -> eAccounting orders flow against the
//! sandboxes of both systems, over HTTP: signed requests, tokens that
//! expire and rotate, paged and filtered lists, writes checked against the
//! vendor's schema, and injected 429s, 503s and creates answered with a
//! 500 after they were carried out. The sandboxes run in this process on
//! port 0; flowc runs as its binary. Secrets are canaries that must appear
//! in no output.

mod support;

use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value as Json;
use support::{MAPPING, REFRESH_TOKEN, SHOP_SECRET, Setup, World, canaries_absent, flowc, root, summary};
use tempfile::TempDir;

#[test]
fn orders_reach_the_books_exactly_once_through_faults_and_a_second_run_creates_nothing() {
    let world = World::start(
        200,
        "429=10%,503=5%,create-then-500=20%@orders+customers,reset=3%,retry-after=0,seed=11",
        Duration::from_secs(3600),
    );
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(
        code,
        0,
        "{}\n{}",
        summary(&stderr),
        stdout
            .lines()
            .filter(|line| line.contains("\"fail\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let plans: Vec<Json> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(plans.len(), 200);
    let failed: Vec<&Json> = plans.iter().filter(|plan| plan["action"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");

    let orders = world.books("orders");
    let customers = world.books("customers");
    world.each_paid_order_once("200 orders through faults");
    world.no_customer_twice("200 orders through faults");
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
    world.each_paid_order_once("after the stop");
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
    world.each_paid_order_once("through resets");
    world.stop();
}

#[test]
fn a_busy_system_s_429s_are_waited_out_not_counted_as_failures() {
    // Most requests are answered 429: far more than five in a row happen,
    // and each is the system pacing its clients, not a failed attempt.
    let world = World::start(12, "429=60%,retry-after=0,seed=3", Duration::from_secs(3600));
    let (code, stdout, stderr) = world.run("state", &[]);
    assert_eq!(code, 0, "{}\n{stdout}", summary(&stderr));
    assert!(summary(&stderr).contains(" 0 failed"), "{}", summary(&stderr));
    assert_eq!(world.books("orders").len(), world.paid.len() + 1);
    let faults = world.books.stats.faults.load(std::sync::atomic::Ordering::Relaxed);
    assert!(faults > 50, "only {faults} 429s");
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

#[test]
fn categories_go_both_ways_between_the_books_and_the_shop_once() {
    let world = World::start(1, "", Duration::from_secs(3600));
    let to_shop = "mappings/eaccounting--ccv-salespos/categories.flow";
    let to_books = "mappings/ccv-salespos--eaccounting/categories.flow";
    let count = |stdout: &str, action: &str| {
        stdout
            .lines()
            .filter(|line| line.contains(&format!("\"action\":\"{action}\"")))
            .count()
    };

    // The books' three labels become the shop's categories, once.
    let (code, stdout, stderr) = world.run_flow(to_shop, ("books", "shop"), "state", &["--dry-run"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(count(&stdout, "create"), 3, "{stdout}");
    assert!(world.shop("categories").is_empty(), "a dry run writes nothing");
    let (code, stdout, stderr) = world.run_flow(to_shop, ("books", "shop"), "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let mut names: Vec<String> = world
        .shop("categories")
        .iter()
        .map(|category| category["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["Brood", "Gebak", "Keukengerei"]);
    let (code, stdout, stderr) = world.run_flow(to_shop, ("books", "shop"), "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(count(&stdout, "create") + count(&stdout, "update"), 0, "{stdout}");

    // And back: the books have them all, with the same descriptions.
    let (code, stdout, stderr) = world.run_flow(to_books, ("shop", "books"), "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(count(&stdout, "create") + count(&stdout, "update"), 0, "{stdout}");
    assert_eq!(world.books("articlelabels").len(), 3);
    world.stop();
}

#[test]
fn products_and_stock_from_the_books_reach_the_shop_once() {
    let world = World::start(3, "", Duration::from_secs(3600));
    let products = "mappings/eaccounting--ccv-salespos/products.flow";
    let stock = "mappings/eaccounting--ccv-salespos/stock.flow";
    let from_books = ("books", "shop");
    let creates = |stdout: &str| {
        stdout
            .lines()
            .filter(|line| line.contains("\"action\":\"create\""))
            .count()
    };

    // The categories of the article labels first.
    let categories = "mappings/eaccounting--ccv-salespos/categories.flow";
    let (code, stdout, stderr) = world.run_flow(categories, from_books, "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let category = |name: &str| {
        world
            .shop("categories")
            .into_iter()
            .find(|category| category["name"] == name)
            .unwrap()["id"]
            .clone()
    };

    // A dry run plans the three articles marked for the webshop, writes nothing.
    let (code, stdout, stderr) = world.run_flow(products, from_books, "state", &["--dry-run"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(creates(&stdout), 3, "{stdout}");
    assert!(world.shop("products").is_empty());

    let (code, stdout, stderr) = world.run_flow(products, from_books, "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(creates(&stdout), 3, "{stdout}");
    let made = world.shop("products");
    let mut numbers: Vec<&str> = made.iter().map(|p| p["productnumber"].as_str().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, ["100234", "100310", "200871"]);
    let bread = made.iter().find(|p| p["productnumber"] == "100234").unwrap();
    assert_eq!(bread["price"], 4.95, "the net 4.54 with 9% VAT: {bread}");
    assert_eq!(bread["taxtariff"], "low a");
    // Each product is in the categories of its labels: the server two.
    let mut links: Vec<(serde_json::Value, serde_json::Value)> = world
        .shop("producttocategories")
        .into_iter()
        .map(|link| (link["product_id"].clone(), link["category_id"].clone()))
        .collect();
    links.sort_by_key(|(product, category)| (product.to_string(), category.to_string()));
    let id = |number: &str| made.iter().find(|p| p["productnumber"] == number).unwrap()["id"].clone();
    let mut expected = vec![
        (id("100234"), category("Brood")),
        (id("100310"), category("Brood")),
        (id("200871"), category("Keukengerei")),
        (id("200871"), category("Gebak")),
    ];
    expected.sort_by_key(|(product, category)| (product.to_string(), category.to_string()));
    assert_eq!(links, expected);

    // Read again from the start: every product is found, nothing is created.
    let (code, stdout, stderr) = world.run_flow(products, from_books, "state", &["--after", "2000-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(creates(&stdout), 0, "{stdout}");
    assert_eq!(world.shop("products").len(), 3);
    assert_eq!(world.shop("producttocategories").len(), 4, "no link made twice");

    // Stock: the balance minus what open orders reserve, then nothing new.
    let (code, stdout, stderr) = world.run_flow(stock, from_books, "state", &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let bread = world
        .shop("products")
        .into_iter()
        .find(|p| p["productnumber"] == "100234")
        .unwrap();
    assert_eq!(bread["stock"], 39.0, "42 in stock, 3 reserved: {bread}");
    let (code, stdout, stderr) = world.run_flow(stock, from_books, "state", &["--after", "2000-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        !stdout.contains("\"action\":\"update\""),
        "a second stock run changes nothing: {stdout}"
    );
    world.stop();
}

#[test]
fn orders_from_the_books_reach_the_shop_once_through_faults() {
    // Six more orders in the books: four to send (ongoing, shipped,
    // invoiced), a draft that waits, one with an article the shop lacks.
    let examples: Vec<Json> = serde_json::from_str(
        &std::fs::read_to_string(root().join(MAPPING).join("example/eaccounting/orders.json")).unwrap(),
    )
    .unwrap();
    let order = |number: i64, status: i64, article: Option<&str>| {
        let mut order = examples[0].clone();
        order["Id"] = format!("3c1a7a2e-5b1f-4f61-9c55-0e8d1e7c{number:04}").into();
        order["Number"] = number.into();
        order["Status"] = status.into();
        if let Some(article) = article {
            order["Rows"][1]["ArticleNumber"] = article.into();
        }
        order
    };
    let orders = vec![
        order(10041, 2, None),
        order(10042, 3, None),
        order(10043, 4, None),
        order(10044, 1, None),
        order(10045, 2, Some("999999")),
        order(10046, 2, None),
    ];
    let world = World::start_with(
        1,
        Setup {
            // Every order the shop makes is answered with a 500: flowc
            // must find it among the orders made since, not send it again.
            faults: "429=8%,503=5%,reset=3%,retry-after=0,seed=7,create-then-500=100%@orders",
            books_records: vec![("orders", orders)],
            ..Setup::default()
        },
    );
    let from_books = ("books", "shop");
    // How many records a run decided `action` for.
    let decided = |stdout: &str, action: &str| {
        stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Json>(line).ok())
            .filter(|plan| plan["action"] == action)
            .count()
    };
    // The products first, in their categories.
    for flow in ["categories", "products"] {
        let path = format!("mappings/eaccounting--ccv-salespos/{flow}.flow");
        let (code, stdout, stderr) = world.run_flow(&path, from_books, "state", &[]);
        assert_eq!(code, 0, "{flow}: {stdout}\n{stderr}");
    }
    let orders_flow = "mappings/eaccounting--ccv-salespos/orders.flow";
    let sent = |shop: &[Json]| -> Vec<String> {
        let mut sent: Vec<String> = shop
            .iter()
            .filter_map(|order| order["reservationnumber"].as_str().map(String::from))
            .collect();
        sent.sort();
        sent
    };
    let seeded = world.shop("orders").len();

    // A dry run plans the four, fails the one, writes nothing.
    let (code, stdout, stderr) = world.run_flow(orders_flow, from_books, "state", &["--dry-run"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(decided(&stdout, "create"), 4, "{stdout}");
    assert_eq!(decided(&stdout, "fail"), 1, "{stdout}");
    assert!(stdout.contains("999999"), "the missing product is named: {stdout}");
    assert_eq!(world.shop("orders").len(), seeded, "a dry run writes nothing");

    // The real run, through faults: each order once.
    let (code, stdout, stderr) = world.run_flow(orders_flow, from_books, "state", &[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(
        sent(&world.shop("orders")),
        ["EA-10041", "EA-10042", "EA-10043", "EA-10046"],
        "{}",
        summary(&stderr)
    );
    assert_eq!(decided(&stdout, "create"), 4, "{stdout}");
    assert!(world.shop.stats.faults.load(std::sync::atomic::Ordering::Relaxed) >= 4);
    let shop = world.shop("orders");
    let made = shop
        .iter()
        .find(|order| order["reservationnumber"] == "EA-10041")
        .unwrap();
    assert_eq!(made["customer"]["billingaddress"]["company"], "Bakkerij de Vries");
    assert_eq!(made["order_row_taxes_included"], false);
    assert_eq!(made["total_shipping"], 0, "no shipping CCV works out itself: {made}");
    // Its rows, as CCV gives them: the shop's products, at the books' prices.
    let products = world.shop("products");
    let id = |number: &str| products.iter().find(|p| p["productnumber"] == number).unwrap()["id"].clone();
    let read = shop_connector(&world);
    let read_back = world
        .runtime
        .block_on(read.get("orders", &flowc::value::Value::Int(made["id"].as_i64().unwrap())))
        .unwrap()
        .unwrap();
    let read_back: Json = serde_json::from_str(&flowc::value::json::to_string(&read_back)).unwrap();
    let rows: Vec<(Json, Json, Json)> = read_back["orderrows"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["product_id"].clone(), row["count"].clone(), row["price"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (id("100234"), serde_json::json!(3.0), serde_json::json!(4.54)),
            (id("200871"), serde_json::json!(1.0), serde_json::json!(32.73))
        ]
    );

    // Read again from the start: every order sent is found by its
    // reservation number among the orders made since, nothing is created.
    let again = ["--dry-run", "--after", "2000-01-01T00:00:00Z"];
    let (code, stdout, stderr) = world.run_flow(orders_flow, from_books, "state", &again);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(decided(&stdout, "create"), 0, "{stdout}");
    assert_eq!(decided(&stdout, "skip"), 4, "{stdout}");
    let (code, stdout, stderr) = world.run_flow(orders_flow, from_books, "state", &["--after", "2000-01-01T00:00:00Z"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(decided(&stdout, "create"), 0, "{stdout}");
    assert_eq!(world.shop("orders").len(), seeded + 4, "no order twice");
    world.stop();
}

/// The CCV SalesPOS connector to the shop, to read what it holds as flowc
/// reads it.
fn shop_connector(world: &World) -> Box<dyn flowc::connectors::Connector> {
    let table = format!(
        "[shop]\nsystem = \"ccv_salespos\"\nbase_url = \"http://{}\"\npublic_key = \"public-key-of-the-test\"\nsecret_key = \"{SHOP_SECRET}\"\n",
        world.shop.address
    );
    let file = world.dir.path().join("read.toml");
    std::fs::write(&file, table).unwrap();
    let connection = flowc::connectors::connections::Connections::load(&file)
        .unwrap()
        .get("shop")
        .unwrap();
    let state = world.dir.path().join("read-state");
    let mut warn = |_: String| {};
    let mut opening = flowc::connectors::Opening {
        connections: None,
        state: &state,
        warn: &mut warn,
    };
    flowc::connectors::connect(&connection, &mut opening).unwrap()
}
