//! Every HTTP connector against its system's sandbox, over the wire: each
//! lists an entity to its end, finds, gets, creates and updates through the
//! `Connector` trait; then a flow finds customers by e-mail address and
//! creates or updates them through injected faults (429s, 503s, dropped
//! connections, creates answered with a 500 after they were carried out),
//! twice, with no duplicate. The sandboxes run in this process on port 0;
//! flows run as flowc's binary. Secrets are canaries that must appear in no
//! output.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use flowc::connectors::connections::Connections;
use flowc::connectors::{self, Connector, Key, Opening, PageRequest};
use flowc::sandbox::{self, Credentials, Faults, Running, System};
use flowc::value::{Value, json};
use serde_json::{Value as Json, json};
use tempfile::TempDir;

const SECRET: &str = "CANARY-SYSTEM-SECRET-3e81a0";
const REFRESH_TOKEN: &str = "CANARY-SYSTEM-REFRESH-77c2d9";

/// One system's sandbox, serving, with a connections file that reaches it.
struct Trial {
    dir: TempDir,
    runtime: tokio::runtime::Runtime,
    running: Running,
    name: &'static str,
}

impl Trial {
    /// A new folder in the trial's directory (a system's records as files).
    fn folder(&self, name: &str) -> PathBuf {
        let folder = self.dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    /// Starts `system`'s sandbox holding `seed` (entity, records).
    fn start(system: System, seed: &[(&str, Vec<Json>)], faults: &str) -> Trial {
        let dir = TempDir::new().unwrap();
        let data = dir.path().join("seed");
        std::fs::create_dir_all(&data).unwrap();
        for (entity, records) in seed {
            std::fs::write(
                data.join(format!("{entity}.json")),
                serde_json::to_string(records).unwrap(),
            )
            .unwrap();
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let name = system.connection_name();
        let mut options = sandbox::Options::new(name);
        options.data = Some(data);
        options.faults = Faults::parse(faults).unwrap();
        options.credentials = Some(Credentials {
            id: "client-of-the-test".into(),
            secret: SECRET.into(),
            refresh_token: REFRESH_TOKEN.into(),
        });
        // Far above the vendors' limits, to keep the tests short.
        options.requests_per_minute = Some(600_000);
        let running = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sandbox::start(system, listener, options).await.unwrap()
        });
        // The printed table, its secrets read from the environment instead.
        let table: String = running
            .connection
            .lines()
            .map(|line| {
                if line.contains(SECRET) {
                    format!(
                        "{} = {{ env = \"FLOWC_TEST_SECRET\" }}",
                        line.split(" = ").next().unwrap()
                    )
                } else if line.contains(REFRESH_TOKEN) {
                    format!(
                        "{} = {{ env = \"FLOWC_TEST_REFRESH\" }}",
                        line.split(" = ").next().unwrap()
                    )
                } else {
                    line.to_string()
                }
            })
            .map(|line| line + "\n")
            .collect();
        std::fs::write(dir.path().join("connections.toml"), table).unwrap();
        // And as printed, for the connector itself (this process has no
        // such variables).
        std::fs::write(dir.path().join("plain.toml"), &running.connection).unwrap();
        Trial {
            dir,
            runtime,
            running,
            name,
        }
    }

    /// The connector of the sandbox's printed table.
    fn connector(&self) -> Box<dyn Connector> {
        let connection = Connections::load(&self.dir.path().join("plain.toml"))
            .unwrap()
            .get(self.name)
            .unwrap();
        let mut warnings = Vec::new();
        let mut warn = |warning: String| warnings.push(warning);
        let state = self.dir.path().join("connector-state");
        let mut opening = Opening {
            connections: None,
            state: &state,
            warn: &mut warn,
        };
        let connector = connectors::connect(&connection, &mut opening).unwrap();
        self.runtime.block_on(connector.connect()).unwrap();
        connector
    }

    /// Runs flowc with the trial's connections file and secrets.
    fn flowc(&self, args: &[&str]) -> (i32, String, String) {
        let output = Command::cargo_bin("flowc")
            .unwrap()
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("FLOWC_TEST_SECRET", SECRET)
            .env("FLOWC_TEST_REFRESH", REFRESH_TOKEN)
            .env("FLOWC_CONNECTIONS", self.dir.path().join("connections.toml"))
            .args(args)
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        for text in [&stdout, &stderr] {
            for canary in [SECRET, REFRESH_TOKEN] {
                assert!(!text.contains(canary), "{canary} was printed:\n{text}");
            }
        }
        (output.status.code().unwrap_or(-1), stdout, stderr)
    }

    /// Runs `flow` again over every record of `source` (read from
    /// `after` on), with `extra`; it ends with `code` and creates nothing.
    fn run_again(&self, flow: &str, source: &Path, extra: &[&str], after: &str, code: i32) {
        let args = [extra, &["--after", after]].concat();
        let (ended, stdout, stderr) = self.run(flow, source, &args);
        assert_eq!(ended, code, "{stdout}\n{stderr}");
        assert!(
            decided(&stdout, "create").is_empty(),
            "nothing is created twice: {stdout}"
        );
    }

    /// Runs `flow` (its text) from `source` (a directory of CCV records)
    /// into the sandbox.
    fn run(&self, flow: &str, source: &Path, extra: &[&str]) -> (i32, String, String) {
        let file = self.dir.path().join("trial.flow");
        std::fs::write(&file, flow).unwrap();
        self.run_between(&file, &format!("dir:{}", source.display()), self.name, extra)
    }

    /// Runs the shipped flow `flow` (a path under the project) from the
    /// sandbox into `target` (a directory of CCV records).
    fn run_into(&self, flow: &str, target: &Path, extra: &[&str]) -> (i32, String, String) {
        let flow = Path::new(env!("CARGO_MANIFEST_DIR")).join(flow);
        self.run_between(&flow, self.name, &format!("dir:{}", target.display()), extra)
    }

    /// `flowc run` of a flow file from a source into a target, with the
    /// trial's state, reporting in JSON.
    fn run_between(&self, flow: &Path, source: &str, target: &str, extra: &[&str]) -> (i32, String, String) {
        let state = self.dir.path().join("state");
        let mut args = vec![
            "run",
            flow.to_str().unwrap(),
            "--source",
            source,
            "--target",
            target,
            "--state",
            state.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend(extra);
        self.flowc(&args)
    }

    /// The sandbox's records of an entity, as JSON.
    fn records(&self, entity: &str) -> Vec<Json> {
        let records = self.running.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .map(|record| serde_json::from_str(&json::to_string(record)).unwrap())
            .collect()
    }

    fn faults(&self) -> u64 {
        self.running.stats.faults.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn stop(self) {
        let Trial { runtime, running, .. } = self;
        runtime.block_on(running.stop());
    }
}

fn to_value(record: &Json) -> Value<'static> {
    json::parse(&record.to_string()).unwrap().into_owned()
}

fn to_json(record: &Value<'_>) -> Json {
    serde_json::from_str(&json::to_string(record)).unwrap()
}

/// What the connector trial of a system needs to know.
struct Exercise<'e> {
    entity: &'e str,
    /// The field path records are found by, and the value of a seeded one.
    key: &'e [&'e str],
    seeded_key: Json,
    /// A new record, its key's value, and a change to write over it.
    new: Json,
    new_key: Json,
    change: Json,
    /// Where the change shows in the record read back.
    changed: &'e [&'e str],
}

fn at<'j>(record: &'j Json, path: &[&str]) -> &'j Json {
    path.iter().fold(record, |value, part| &value[*part])
}

/// Lists to the end, finds, creates, gets and updates.
fn exercise(trial: &Trial, seeded: usize, spec: Exercise<'_>) {
    let connector = trial.connector();
    let entity = spec.entity;
    let id_field = connector.id_field(entity).to_string();

    // Lists to the end, in pages of 100, every record once.
    let mut ids = Vec::new();
    let mut start = 0;
    loop {
        let request = PageRequest {
            after: None,
            start,
            size: 100,
        };
        let page = trial.runtime.block_on(connector.list(entity, &request)).unwrap();
        start += page.records.len();
        ids.extend(page.records.iter().map(|record| to_json(record)[&id_field].to_string()));
        if !page.more {
            break;
        }
        assert!(start < seeded * 2, "the listing does not end");
    }
    assert_eq!(ids.len(), seeded);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), seeded, "a record was listed twice");

    // Finds a seeded record by its key, and not one that is not there.
    let path: Vec<String> = spec.key.iter().map(|part| part.to_string()).collect();
    let find = |value: &Json| {
        let value = to_value(value);
        let keys = [Key::equal(&path, &value)];
        trial.runtime.block_on(connector.find(entity, &keys)).unwrap()
    };
    let found = find(&spec.seeded_key);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(at(&to_json(&found[0]), spec.key), &spec.seeded_key);
    assert!(find(&json!("nobody-at-all@example.org")).is_empty());
    // The system compares e-mail addresses case aside, and its answer
    // decides: the record is found, not created again.
    let shouted = json!(spec.seeded_key.as_str().unwrap().to_uppercase());
    assert_eq!(find(&shouted).len(), 1, "{shouted} finds the record");

    // Creates, then finds and gets what it created.
    let key_value = to_value(&spec.new_key);
    let keys = [Key::equal(&path, &key_value)];
    let created = to_json(
        &trial
            .runtime
            .block_on(connector.create(entity, &to_value(&spec.new), &keys))
            .unwrap(),
    );
    let id = created[&id_field].clone();
    assert!(!id.is_null(), "{created}");
    assert_eq!(find(&spec.new_key).len(), 1);
    let got = trial
        .runtime
        .block_on(connector.get(entity, &to_value(&id)))
        .unwrap()
        .expect("the created record is there");
    assert_eq!(at(&to_json(&got), spec.key), &spec.new_key);

    // Updates a field, and reads it back.
    let updated = to_json(
        &trial
            .runtime
            .block_on(connector.update(entity, &to_value(&id), &to_value(&spec.change)))
            .unwrap(),
    );
    let want = at(&spec.change, spec.changed);
    assert_eq!(at(&updated, spec.changed), want, "{updated}");
    let got = to_json(
        &trial
            .runtime
            .block_on(connector.get(entity, &to_value(&id)))
            .unwrap()
            .unwrap(),
    );
    assert_eq!(at(&got, spec.changed), want);
    assert_eq!(
        at(&got, spec.key),
        &spec.new_key,
        "an update keeps what it does not name"
    );
    assert_eq!(trial.records(entity).len(), seeded + 1);
}

/// CCV SalesPOS users: `count` of them, the even ones known to the target
/// (customer{i}@example.nl for i below `known`).
fn users(dir: &Path, count: usize) -> PathBuf {
    let source = dir.join("ccv-salespos");
    std::fs::create_dir_all(&source).unwrap();
    let users: Vec<Json> = (0..count)
        .map(|i| {
            json!({
                "id": 7000 + i,
                "status": true,
                "userinfo": {
                    "email": format!("customer{}@example.nl", i * 2),
                    "billingaddress": {"first_name": "Klant", "last_name": format!("Nummer {i}"), "company": format!("Bedrijf {i} B.V.")}
                }
            })
        })
        .collect();
    std::fs::write(source.join("users.json"), serde_json::to_string(&users).unwrap()).unwrap();
    source
}

fn plans(stdout: &str) -> Vec<Json> {
    stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

fn summary(stderr: &str) -> &str {
    stderr.lines().find(|line| line.contains(" read: ")).unwrap_or("")
}

/// The text of a shipped flow (`mappings/` + `path`), its imports of the
/// modules beside it made absolute, so that it runs from anywhere.
fn shipped(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings").join(path);
    let dir = file.parent().unwrap().to_path_buf();
    let text = std::fs::read_to_string(&file).unwrap();
    text.lines()
        .map(
            |line| match line.strip_prefix("import \"").and_then(|rest| rest.split_once('"')) {
                Some((module, rest)) if !module.starts_with("std/") => {
                    format!("import \"{}\"{rest}", dir.join(module).display())
                }
                _ => line.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// A folder holding the example CCV SalesPOS orders, as a source: six
/// orders, four paid with articles the systems have, one unpaid, one with
/// an article no system has.
fn example_orders(trial: &Trial) -> PathBuf {
    let source = trial.folder("shop");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("mappings/ccv-salespos--eaccounting/example/ccv-salespos/orders.json"),
        source.join("orders.json"),
    )
    .unwrap();
    source
}

/// The source ids of the records a run decided `action` for.
fn decided(stdout: &str, action: &str) -> Vec<String> {
    plans(stdout)
        .iter()
        .filter(|plan| plan["action"] == action)
        .map(|plan| plan["record"].as_str().unwrap().to_string())
        .collect()
}

/// A shipped orders flow over the example orders: a dry run plans the
/// four paid orders whose articles exist, fails the one whose article is
/// missing, and writes nothing to `entity`.
fn a_dry_run_plans_the_four_paid_orders(trial: &Trial, flow: &str, source: &Path, settings: &[&str], entity: &str) {
    let (code, stdout, stderr) = trial.run(flow, source, &[settings, &["--dry-run"]].concat());
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(
        decided(&stdout, "create"),
        ["483918", "483920", "483921", "483923"],
        "{stdout}"
    );
    assert_eq!(decided(&stdout, "fail"), ["483924"], "{stdout}");
    assert!(trial.records(entity).is_empty(), "a dry run writes nothing");
}

/// A folder of CCV SalesPOS products (those the shipped stock cases
/// know: two keeping stock, one not), as a target.
fn shop_products(trial: &Trial) -> PathBuf {
    let cases: Json = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/eaccounting--ccv-salespos/stock.tests.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let target = trial.folder("webshop");
    std::fs::write(
        target.join("products.json"),
        serde_json::to_string(&cases["target"]["ccv_salespos.products"]).unwrap(),
    )
    .unwrap();
    target
}

/// The stock of a CCV product in a folder of products.
fn stock_of(target: &Path, number: &str) -> Json {
    let products: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(target.join("products.json")).unwrap()).unwrap();
    products
        .into_iter()
        .find(|product| product["productnumber"] == number)
        .unwrap()["stock"]
        .clone()
}

/// Runs a customers flow twice through faults: every user once in the
/// target, found again by `email` (the field path of the e-mail address).
fn customers_through_faults(trial: &Trial, flow: &str, entity: &str, email: &[&str], seeded: usize, count: usize) {
    let source = users(trial.dir.path(), count);
    let (code, stdout, stderr) = trial.run(flow, &source, &[]);
    assert_eq!(code, 0, "{}\n{stderr}", summary(&stderr));
    let plans = plans(&stdout);
    assert_eq!(plans.len(), count);
    let failed: Vec<&Json> = plans.iter().filter(|plan| plan["action"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(trial.faults() > 5, "only {} faults were injected", trial.faults());

    let records = trial.records(entity);
    let mut emails: Vec<String> = records
        .iter()
        .map(|record| at(record, email).as_str().unwrap_or("").to_lowercase())
        .collect();
    emails.sort();
    let all = emails.len();
    emails.dedup();
    assert_eq!(emails.len(), all, "a customer was created twice");
    // Users 0..count have addresses customer0, 2, 4, ...: those below
    // `seeded` were there, the others are new.
    let known = (0..count).filter(|i| i * 2 < seeded).count();
    assert_eq!(all, seeded + count - known);

    // Again, from the start (the state's cursor is past every user):
    // everything is found, nothing is created.
    let (code, _, stderr) = trial.run(flow, &source, &["--after", "0"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        summary(&stderr).contains(&format!("{count} read: ")),
        "{}",
        summary(&stderr)
    );
    assert!(summary(&stderr).contains(" 0 created"), "{}", summary(&stderr));
    assert_eq!(trial.records(entity).len(), all);
    let log = std::fs::read_to_string(trial.dir.path().join("state/activity.ndjson")).unwrap();
    assert!(!log.contains(SECRET) && !log.contains(REFRESH_TOKEN));
}

/// `connections check` works against the sandbox, and says in one line
/// that a wrong secret is bad credentials (without showing it).
fn connections_check_works(trial: &Trial) {
    let (code, stdout, stderr) = trial.flowc(&["connections", "check", trial.name, "--state", "state"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("{}: works: signed in to", trial.name)),
        "{stdout}"
    );

    let wrong = "CANARY-WRONG-SECRET-0b9e";
    let output = Command::cargo_bin("flowc")
        .unwrap()
        .current_dir(trial.dir.path())
        .env("FLOWC_TEST_SECRET", wrong)
        .env("FLOWC_TEST_REFRESH", REFRESH_TOKEN)
        .env("FLOWC_CONNECTIONS", trial.dir.path().join("connections.toml"))
        .args(["connections", "check", trial.name, "--state", "wrong-state"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("{}: bad credentials:", trial.name)),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(!stdout.contains(wrong) && !stderr.contains(wrong), "{stdout}{stderr}");
}

const FAULTS: &str = "429=8%,503=5%,reset=3%,create-then-500=25%,retry-after=0,seed=5";

mod ccv_salespos {
    use super::*;

    #[test]
    fn an_order_is_made_with_its_rows_and_a_wrong_one_refused_naming_the_field() {
        let product =
            json!({"id": 77001, "productnumber": "100234", "name": "Desembrood wit", "price": 4.95, "vatrate": 9.0});
        let trial = Trial::start(System::CcvSalespos, &[("products", vec![product])], "");
        let connector = trial.connector();
        let order = |row: Json, extra: Json| {
            let mut order = json!({"reservationnumber": "EA-1", "orderrows": [row]});
            order
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            to_value(&order)
        };
        let made = trial
            .runtime
            .block_on(connector.create(
                "orders",
                &order(json!({"product_id": 77001, "count": 3}), json!({})),
                &[],
            ))
            .unwrap();
        let made: Json = serde_json::from_str(&flowc::value::json::to_string(&made)).unwrap();
        let row = &made["orderrows"]["items"][0];
        assert_eq!(
            (row["product_name"].clone(), row["price"].clone()),
            (json!("Desembrood wit"), json!(4.95))
        );
        assert!(made["create_date"].as_str().is_some(), "{made}");

        for (bad, named) in [
            (
                order(json!({"product_id": 99999, "count": 1}), json!({})),
                "orderrows[0].product_id",
            ),
            (order(json!({"product_id": 77001}), json!({})), "orderrows[0].count"),
            (order(json!({"count": 1, "price": 2.5}), json!({})), "orderrows[0].tax"),
            (
                order(json!({"product_id": 77001, "count": 1}), json!({"user_id": 5})),
                "user_id",
            ),
            (
                order(
                    json!({"product_id": 77001, "count": 1}),
                    json!({"create_date": "2024-03-14"}),
                ),
                "create_date",
            ),
        ] {
            let error = trial
                .runtime
                .block_on(connector.create("orders", &bad, &[]))
                .unwrap_err();
            assert!(error.to_string().contains(named), "{named}: {error}");
        }
        trial.stop();
    }

    #[test]
    fn a_product_s_photo_is_sent_as_its_data_below_the_product_and_read_there() {
        let product = json!({"id": 77001, "productnumber": "100234", "name": "Desembrood wit"});
        let trial = Trial::start(System::CcvSalespos, &[("products", vec![product])], "");
        let connector = trial.connector();
        let field = ["product_id".to_string()];
        let id = to_value(&json!(77001));
        let keys = [Key::equal(&field, &id)];
        let photo = |source: &str| {
            to_value(
                &json!({"product_id": 77001, "file_type": "png", "alttext": "Desembrood wit",
                             "source": source, "is_mainphoto": true}),
            )
        };
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
        let made = trial
            .runtime
            .block_on(connector.create("productphotos", &photo(png), &keys))
            .unwrap();
        assert_eq!(made.get("product_id"), Some(&id), "read below its product");
        let found = trial.runtime.block_on(connector.find("productphotos", &keys)).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].get("is_mainphoto"), Some(&Value::Bool(true)));
        // Data with its `data:` prefix is refused, saying why.
        let error = trial
            .runtime
            .block_on(connector.create("productphotos", &photo(&format!("data:image/png;base64,{png}")), &keys))
            .unwrap_err();
        assert!(error.to_string().contains("base64"), "{error}");
        trial.stop();
    }

    /// The names of the attribute values a CCV combination pairs.
    fn value_names(combination: &Json) -> Vec<&str> {
        combination["combination"]
            .as_array()
            .unwrap()
            .iter()
            .map(|part| part["attribute_value"]["name"].as_str().unwrap())
            .collect()
    }

    /// An MplusKASSA product of several articles (sizes and colours).
    fn polo(sizes: &[(&str, &str, i64)], price: i64) -> Json {
        let articles: Vec<Json> = sizes
            .iter()
            .map(|(colour, size, number)| {
                json!({"articleNumber": number, "description": format!("Polo {colour} {size}"), "colour": colour, "size": size,
                       "active": true, "webshop": true, "stockArticle": true, "vatCode": 1, "priceIncl": price, "priceExcl": price * 100 / 121,
                       "barcode": format!("8712345{number}")})
            })
            .collect();
        json!({"productNumber": 500100, "syncMarker": 1, "description": "Poloshirt", "groupNumbers": [],
               "articleList": {"article": articles}})
    }

    #[test]
    fn the_shipped_mpluskassa_products_flow_makes_variants_ccv_combines_once_through_faults() {
        let maat = json!([{"id": 601, "name": "Maat", "type": "option_menu_required"}]);
        let trial = Trial::start(System::CcvSalespos, &[("attributes", vec![maat[0].clone()])], FAULTS);
        let till = trial.folder("till");
        let write_till = |product: Json| {
            std::fs::write(till.join("products.json"), json!([product]).to_string()).unwrap();
        };
        let flow = shipped("mpluskassa--ccv-salespos/products.flow");
        let articles = [("Rood", "S", 500101), ("Rood", "M", 500102), ("Blauw", "M", 500104)];
        write_till(polo(&articles, 2495));
        // The product's card at the till shows one image (a one-pixel PNG).
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
        std::fs::write(
            till.join("productimages.json"),
            json!([{"imageId": 41, "productNumber": 500100, "originalName": "polo.png"}]).to_string(),
        )
        .unwrap();
        std::fs::write(
            till.join("images.json"),
            json!([{"imageId": 41, "imageName": "polo.png", "imageData": png}]).to_string(),
        )
        .unwrap();

        let (code, stdout, stderr) = trial.run(&flow, &till, &["--dry-run"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(trial.records("products").is_empty(), "a dry run writes nothing");

        let (code, stdout, stderr) = trial.run(&flow, &till, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let products = trial.records("products");
        assert_eq!(products.len(), 1, "{stdout}");
        assert_eq!(products[0]["productnumber"], "500100");
        let mut names: Vec<String> = trial
            .records("attributes")
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["Kleur", "Maat"], "Maat reused, Kleur made");
        assert_eq!(trial.records("attributevalues").len(), 4, "Rood, Blauw, S, M: {stdout}");
        assert_eq!(
            trial.records("productattributevalues").len(),
            4,
            "each value once: {stdout}"
        );
        // CCV paired every colour with every size; each article's pairing
        // carries its number and EAN, Blauw S (no article) is off.
        let combinations = trial.records("attributecombinations");
        assert_eq!(combinations.len(), 4, "{combinations:?}");
        let named = |colour: &str, size: &str| {
            combinations
                .iter()
                .find(|c| {
                    let names = value_names(c);
                    names.contains(&colour) && names.contains(&size)
                })
                .unwrap()
                .clone()
        };
        for (colour, size, number) in articles {
            let combination = named(colour, size);
            assert_eq!(combination["product_number"], number.to_string(), "{combination}");
            assert_eq!(combination["ean_number"], format!("8712345{number}"));
            assert_eq!(combination["active"], true);
        }
        assert_eq!(named("Blauw", "S")["active"], false);
        // The till's image, as the product's main photo.
        let photos = trial.records("productphotos");
        assert_eq!(photos.len(), 1, "{stdout}");
        assert_eq!(photos[0]["is_mainphoto"], true);
        assert!(
            photos[0]["filename"].as_str().unwrap().ends_with(".png"),
            "{}",
            photos[0]
        );

        // Read again: nothing is made twice.
        trial.run_again(&flow, &till, &[], "0", 0);
        assert_eq!(trial.records("productattributevalues").len(), 4);
        assert_eq!(trial.records("attributecombinations").len(), 4);
        assert_eq!(trial.records("productphotos").len(), 1, "no photo twice");

        // A new size at the till: one value more, its pairings made by
        // CCV, the one with an article numbered.
        let more = [
            ("Rood", "S", 500101),
            ("Rood", "M", 500102),
            ("Blauw", "M", 500104),
            ("Rood", "L", 500106),
        ];
        write_till(polo(&more, 2495));
        let (code, stdout, stderr) = trial.run(&flow, &till, &["--after", "0"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let combinations = trial.records("attributecombinations");
        assert_eq!(combinations.len(), 6, "2 colours x 3 sizes");
        let numbered: Vec<&str> = combinations
            .iter()
            .filter_map(|c| c["product_number"].as_str().filter(|n| !n.is_empty()))
            .collect();
        assert_eq!(numbered.len(), 4, "{combinations:?}");
        trial.stop();
    }
    #[test]
    fn the_shipped_vismanet_products_flow_makes_a_model_s_items_variants_once_through_faults() {
        let trial = Trial::start(System::CcvSalespos, &[], FAULTS);
        let erp = trial.folder("erp");
        let item = |number: &str, size: &str, price: f64| {
            json!({"inventoryId": number.len(), "inventoryNumber": number, "description": format!("T-shirt {size}"), "status": "Active",
                   "type": "FinishedGoodItem", "defaultPrice": price, "vatCode": {"id": "1", "description": "Hoog tarief"},
                   "attributes": [{"id": "WEBSHOP", "value": "1"}, {"id": "MODEL", "value": "TEE"}, {"id": "SIZE", "value": size}],
                   "crossReferences": [{"alternateType": "Barcode", "alternateID": format!("87123459{}", number.len())}],
                   "lastModifiedDateTime": "2024-03-10T16:45:12.000"})
        };
        let items = json!([
            item("TEE-S", "S", 16.49),
            item("TEE-M", "M", 16.49),
            item("TEE-XL", "XL", 18.97)
        ]);
        std::fs::write(erp.join("inventory.json"), items.to_string()).unwrap();
        let flow = shipped("vismanet--ccv-salespos/products.flow");
        let settings = ["--set", "model_attribute=MODEL", "--set", "link_categories=false"];

        let (code, stdout, stderr) = trial.run(&flow, &erp, &settings);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let products = trial.records("products");
        assert_eq!(products.len(), 1, "one product for the model: {stdout}");
        assert_eq!(products[0]["productnumber"], "TEE");
        let combinations = trial.records("attributecombinations");
        let mut numbers: Vec<&str> = combinations
            .iter()
            .map(|c| c["product_number"].as_str().unwrap())
            .collect();
        numbers.sort();
        assert_eq!(numbers, ["TEE-M", "TEE-S", "TEE-XL"], "{combinations:?}");
        // The item sent first gives the model its price (items run
        // concurrently, in no set order); each combination costs what its
        // item costs with VAT: 16.49 and 18.97 with 21%.
        let cents = |value: &Json| (value.as_f64().unwrap() * 100.0).round() as i64;
        for (number, gross) in [("TEE-S", 1995), ("TEE-M", 1995), ("TEE-XL", 2295)] {
            let combination = combinations.iter().find(|c| c["product_number"] == number).unwrap();
            assert_eq!(
                cents(&products[0]["price"]) + cents(&combination["netto_extra_price"]),
                gross,
                "{number}: {combination}"
            );
        }

        // Read again: nothing is made twice.
        trial.run_again(&flow, &erp, &settings, "2000-01-01T00:00:00.000", 0);
        assert_eq!(trial.records("productattributevalues").len(), 3);
        assert_eq!(trial.records("attributecombinations").len(), 3);
        trial.stop();
    }

    #[test]
    fn a_vismanet_model_s_pairings_without_an_item_are_switched_off_through_faults() {
        let trial = Trial::start(System::CcvSalespos, &[], FAULTS);
        let erp = trial.folder("erp");
        let item = |number: &str, colour: &str, size: &str| {
            json!({"inventoryId": 5600 + number.len(), "inventoryNumber": number, "description": format!("Polo {colour} {size}"),
                   "status": "Active", "type": "FinishedGoodItem", "defaultPrice": 16.49,
                   "vatCode": {"id": "1", "description": "Hoog tarief"},
                   "attributes": [{"id": "WEBSHOP", "value": "1"}, {"id": "MODEL", "value": "POLO"},
                                  {"id": "COLOUR", "value": colour}, {"id": "SIZE", "value": size}],
                   "lastModifiedDateTime": "2024-03-10T16:45:12.000"})
        };
        // Three items of two colours and two sizes: CCV pairs them into
        // four combinations, one of which (Blauw M) no item has.
        let items = json!([
            item("POLO-RS", "Rood", "S"),
            item("POLO-RM", "Rood", "M"),
            item("POLO-BS", "Blauw", "S")
        ]);
        std::fs::write(erp.join("inventory.json"), items.to_string()).unwrap();
        let flow = shipped("vismanet--ccv-salespos/products.flow");
        let settings = ["--set", "model_attribute=MODEL", "--set", "link_categories=false"];

        let (code, stdout, stderr) = trial.run(&flow, &erp, &settings);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let switched = |trial: &Trial| {
            let mut state: Vec<(String, bool)> = trial
                .records("attributecombinations")
                .iter()
                .map(|c| {
                    (
                        format!("{} {}", value_names(c).join(" "), c["product_number"].as_str().unwrap()),
                        c["active"].as_bool().unwrap(),
                    )
                })
                .collect();
            state.sort();
            state
        };
        let expected = vec![
            ("Blauw M ".to_string(), false),
            ("Blauw S POLO-BS".to_string(), true),
            ("Rood M POLO-RM".to_string(), true),
            ("Rood S POLO-RS".to_string(), true),
        ];
        assert_eq!(switched(&trial), expected, "{stdout}");

        // Read again: the same, nothing made twice.
        trial.run_again(&flow, &erp, &settings, "2000-01-01T00:00:00.000", 0);
        assert_eq!(switched(&trial), expected);
        trial.stop();
    }
}

mod vismanet {
    use super::*;

    fn customers(count: usize) -> Vec<Json> {
        (0..count)
            .map(|i| {
                json!({
                    "internalId": i + 1,
                    "number": format!("{}", 10001 + i),
                    "name": format!("Klant {i}"),
                    "status": "Active",
                    "mainContact": {"email": format!("customer{i}@example.nl"), "name": format!("Klant {i}")},
                    "lastModifiedDateTime": format!("2024-03-{:02}T10:00:00.000", 1 + i % 28),
                    "createdDateTime": "2024-03-01T10:00:00.000"
                })
            })
            .collect()
    }

    #[test]
    fn the_shipped_ccv_orders_flow_sends_each_paid_order_once_with_its_customer() {
        let item = |number: &str, description: &str| {
            json!({"inventoryId": number.len(), "inventoryNumber": number, "description": description, "status": "Active",
                   "lastModifiedDateTime": "2024-03-01T10:00:00.000"})
        };
        let inventory = vec![
            item("100234", "Desembrood wit"),
            item("200871", "Taartschep RVS"),
            item("100310", "Krentenbollen (6 st.)"),
            item("SHIPPING", "Verzendkosten"),
            item("DISCOUNT", "Korting"),
        ];
        let trial = Trial::start(
            System::Vismanet,
            &[("customer", customers(1)), ("inventory", inventory)],
            FAULTS,
        );
        let flow = shipped("ccv-salespos--vismanet/orders.flow");
        let source = example_orders(&trial);

        // Six orders: four paid with items Visma.net has, one unpaid, one
        // with an item it lacks (which fails, writing nothing).
        a_dry_run_plans_the_four_paid_orders(&trial, &flow, &source, &[], "salesorder");

        let (code, stdout, stderr) = trial.run(&flow, &source, &[]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "create").len(), 4, "{stdout}");
        let orders = trial.records("salesorder");
        let mut sent: Vec<String> = orders.iter().map(|order| to_plain(&order["customerOrder"])).collect();
        sent.sort();
        assert_eq!(sent, ["KAS-1040", "KAS-1042", "KAS-1043", "KAS-1045"]);
        // Each with the credit terms of its payment method, read back as
        // the terms: paid at the till, or 14 days for an invoice.
        let terms = |reference: &str| {
            let order = orders
                .iter()
                .find(|order| to_plain(&order["customerOrder"]) == reference)
                .unwrap();
            order["terms"]["id"].clone()
        };
        assert_eq!(terms("KAS-1040"), "0");
        assert_eq!(terms("KAS-1045"), "14");
        let customers = trial.records("customer");
        assert_eq!(customers.len(), 1 + 4, "the seeded one and the four buyers");

        // Read again from the start: nothing is created twice.
        trial.run_again(&flow, &source, &[], "0", 1);
        assert_eq!(trial.records("salesorder").len(), 4);
        assert_eq!(trial.records("customer").len(), customers.len(), "no customer twice");
        trial.stop();
    }

    #[test]
    fn the_shipped_products_stock_and_categories_flows_bring_items_to_the_shop_once() {
        let item = |number: &str, description: &str, on_hand: f64, class: &str| {
            json!({"inventoryId": 5500 + number.len(), "inventoryNumber": number, "description": description, "status": "Active",
                   "itemClass": {"id": class.to_uppercase(), "description": class, "type": "FinishedGoodItem"},
                   "type": "FinishedGoodItem", "defaultPrice": 4.54, "vatCode": {"id": "2", "description": "Laag tarief"},
                   "attributes": [{"id": "WEBSHOP", "value": "1"}],
                   "crossReferences": [{"alternateType": "Barcode", "alternateID": "8712345000019"}],
                   "warehouseDetails": [{"isDefault": true, "warehouse": "1", "quantityOnHand": on_hand}],
                   "lastModifiedDateTime": "2024-03-10T16:45:12.000"})
        };
        let inventory = vec![
            item("100234", "Desembrood wit", 40.0, "Brood"),
            item("300500", "Appeltaart groot", 7.0, "Gebak"),
            item("100310", "Krentenbollen (6 st.)", 12.0, "Brood"),
        ];
        let trial = Trial::start(System::Vismanet, &[("inventory", inventory)], FAULTS);
        let shop = shop_products(&trial);

        // The items' classes, each once, as categories; then nothing new.
        let categories = "mappings/vismanet--ccv-salespos/categories.flow";
        for (run, created) in [(1, 2), (2, 0)] {
            let (code, stdout, stderr) = trial.run_into(categories, &shop, &["--after", "2000-01-01T00:00:00.000"]);
            assert_eq!(code, 0, "{stdout}\n{stderr}");
            assert_eq!(decided(&stdout, "create").len(), created, "run {run}: {stdout}");
        }
        let read = |entity: &str| -> Vec<Json> {
            serde_json::from_str(&std::fs::read_to_string(shop.join(format!("{entity}.json"))).unwrap()).unwrap()
        };
        let made = read("categories");
        let mut names: Vec<&str> = made.iter().map(|category| category["name"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["Brood", "Gebak"]);

        let products = "mappings/vismanet--ccv-salespos/products.flow";
        let (code, stdout, stderr) = trial.run_into(products, &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(
            decided(&stdout, "create"),
            ["300500", "100310"],
            "the ones the shop lacks: {stdout}"
        );
        // Each product in the category of its class.
        let in_category = |number: &str| {
            let product = read("products")
                .into_iter()
                .find(|p| p["productnumber"] == number)
                .unwrap();
            let links: Vec<Json> = read("producttocategories")
                .into_iter()
                .filter(|link| link["product_id"] == product["id"])
                .collect();
            assert_eq!(links.len(), 1, "{number}: {links:?}");
            let category = links[0]["category_id"].clone();
            made.iter().find(|c| c["id"] == category).unwrap()["name"].clone()
        };
        assert_eq!(in_category("100234"), "Brood");
        assert_eq!(in_category("300500"), "Gebak");
        assert_eq!(in_category("100310"), "Brood");
        // Read again from the start: nothing is created twice.
        let (code, stdout, stderr) = trial.run_into(products, &shop, &["--after", "2000-01-01T00:00:00.000"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "create").is_empty(), "{stdout}");
        assert_eq!(read("producttocategories").len(), 3, "no link twice");

        let stock = "mappings/vismanet--ccv-salespos/stock.flow";
        let (code, stdout, stderr) = trial.run_into(stock, &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(stock_of(&shop, "100234"), json!(40.0), "{stdout}");
        assert_eq!(
            stock_of(&shop, "300500"),
            json!(7.0),
            "the new product keeps stock: {stdout}"
        );
        trial.stop();
    }

    /// A value as Visma.net stores it, plain or as `{"value": x}`.
    fn to_plain(value: &Json) -> String {
        value
            .get("value")
            .unwrap_or(value)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn the_connector_lists_finds_creates_and_updates() {
        let trial = Trial::start(System::Vismanet, &[("customer", customers(250))], "");
        exercise(
            &trial,
            250,
            Exercise {
                entity: "customer",
                key: &["mainContact", "email"],
                seeded_key: json!("customer17@example.nl"),
                new: json!({"name": "Nieuwe Klant B.V.", "mainContact": {"email": "nieuw@example.nl", "name": "Nieuwe Klant"}}),
                new_key: json!("nieuw@example.nl"),
                change: json!({"name": "Nieuwe Naam B.V."}),
                changed: &["name"],
            },
        );
        let created = trial.records("customer").into_iter().last().unwrap();
        assert_eq!(created["number"], "10251", "numbered by the system");
        assert_eq!(created["mainContact"]["email"], "nieuw@example.nl");

        // An incremental read: changed after the 25th of March (4 days
        // of 28, 9 seeded records each but the last), and the new one.
        let connector = trial.connector();
        let after = to_value(&json!("2024-03-25T10:00:00.000"));
        let request = PageRequest {
            after: Some(&after),
            start: 0,
            size: 100,
        };
        let page = trial.runtime.block_on(connector.list("customer", &request)).unwrap();
        let seeded_after = (0..250).filter(|i| 1 + i % 28 > 25).count();
        assert_eq!(page.records.len(), seeded_after + 1);
        assert!(!page.more);

        // A number Visma.net never gives (a slash, a space: a product
        // number typed in the shop) finds nothing, rather than failing.
        let number = ["number".to_string()];
        for odd in ["Rood / XL", "../customer", ""] {
            let odd = to_value(&json!(odd));
            let found = trial
                .runtime
                .block_on(connector.find("customer", &[Key::equal(&number, &odd)]));
            assert!(found.unwrap().is_empty());
            assert!(
                trial
                    .runtime
                    .block_on(connector.get("customer", &odd))
                    .unwrap()
                    .is_none()
            );
        }
        trial.stop();
    }

    #[test]
    fn customers_reach_visma_net_once_through_faults() {
        let trial = Trial::start(System::Vismanet, &[("customer", customers(20))], FAULTS);
        connections_check_works(&trial);
        let flow = r#"
flow customers {
  source ccv_salespos.users
  target vismanet.customer

  let email = $.userinfo.email
  upsert where mainContact.email == email {
    name = $.userinfo.billingaddress.company
    mainContact = { email = email, name = "${$.userinfo.billingaddress.first_name} ${$.userinfo.billingaddress.last_name}" }
  }
}
"#;
        customers_through_faults(&trial, flow, "customer", &["mainContact", "email"], 20, 30);
        let updated = trial
            .records("customer")
            .into_iter()
            .find(|customer| customer["mainContact"]["email"] == "customer4@example.nl")
            .unwrap();
        assert_eq!(updated["name"], "Bedrijf 2 B.V.", "a known customer is updated");
        trial.stop();
    }
}

mod accountview {
    use super::*;

    fn debtors(count: usize) -> Vec<Json> {
        (0..count)
            .map(|i| {
                json!({
                    "SUB_NR": format!("{}", 20001 + i),
                    "ACCT_NAME": format!("Klant {i}"),
                    "SRC_CODE": format!("KLANT{i}"),
                    "ACCT_NR": "1210",
                    "MAIL_BUS": format!("customer{i}@example.nl"),
                    "CNG_DATE": format!("2024-03-{:02}T10:00:00", 1 + i % 28),
                    "INP_DATE": "2024-03-01T10:00:00"
                })
            })
            .collect()
    }

    #[test]
    fn the_connector_lists_finds_creates_and_updates() {
        let trial = Trial::start(System::Accountview, &[("debtors", debtors(250))], "");
        exercise(
            &trial,
            250,
            Exercise {
                entity: "debtors",
                key: &["MAIL_BUS"],
                seeded_key: json!("customer17@example.nl"),
                new: json!({"SUB_NR": "30001", "SRC_CODE": "NIEUW", "ACCT_NAME": "Nieuwe Klant B.V.", "MAIL_BUS": "nieuw@example.nl"}),
                new_key: json!("nieuw@example.nl"),
                change: json!({"ACCT_NAME": "Nieuwe Naam B.V."}),
                changed: &["ACCT_NAME"],
            },
        );
        // An incremental read: changed from the second after the cursor.
        let connector = trial.connector();
        let after = to_value(&json!("2024-03-25T10:00:00"));
        let request = PageRequest {
            after: Some(&after),
            start: 0,
            size: 100,
        };
        let page = trial.runtime.block_on(connector.list("debtors", &request)).unwrap();
        let seeded_after = (0..250).filter(|i| 1 + i % 28 > 25).count();
        assert_eq!(page.records.len(), seeded_after + 1, "and the one created now");
        trial.stop();
    }

    #[test]
    fn a_sales_order_is_written_with_its_lines_and_read_back_whole() {
        let trial = Trial::start(System::Accountview, &[("debtors", debtors(1))], "");
        let connector = trial.connector();
        let order = to_value(&json!({
            "RPL_INV": "20001", "RPL_DEL": "20001", "ORD_DATE": "2024-03-14T10:30:00", "COMMENT1": "KAS-1042",
            "SO_LINE": [{"ART_CODE": "100234", "ORD_QTY": 3, "ART_PX": 4.95}, {"ART_CODE": "200871", "ORD_QTY": 1, "ART_PX": 39.6}]
        }));
        let created = to_json(
            &trial
                .runtime
                .block_on(connector.create("sales_orders", &order, &[]))
                .unwrap(),
        );
        assert_eq!(created["ORD_NR"], "10001", "{created}");
        assert_eq!(created["SO_LINE"].as_array().map(Vec::len), Some(2), "{created}");
        assert_eq!(created["SO_LINE"][1]["ART_PX"], 39.6);
        let comment = to_value(&json!("KAS-1042"));
        let path = vec!["COMMENT1".to_string()];
        let found = trial
            .runtime
            .block_on(connector.find("sales_orders", &[Key::equal(&path, &comment)]))
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(to_json(&found[0])["SO_LINE"][0]["ART_CODE"], "100234");
        trial.stop();
    }

    #[test]
    fn a_sales_invoice_is_written_once_with_its_lines_and_never_updated() {
        let trial = Trial::start(System::Accountview, &[("debtors", debtors(1))], "");
        let connector = trial.connector();
        let invoice = to_value(&json!({
            "DJ_CODE": "VK", "HDR_DESC": "KAS-1042", "SUB_NR": "20001", "INV_NR": "F2024-0042", "TRN_DATE": "2024-03-14",
            "DJ_LINE": [{"ACCT_NR": "8000", "TRN_DESC": "Desembrood wit", "AMOUNT": 14.85, "VAT_CODE": "2", "TRN_DATE": "2024-03-14"}]
        }));
        let created = to_json(
            &trial
                .runtime
                .block_on(connector.create("sales_invoices", &invoice, &[]))
                .unwrap(),
        );
        assert_eq!(created["INV_NR"], "F2024-0042", "{created}");
        assert_eq!(created["DJ_LINE"][0]["AMOUNT"], 14.85, "{created}");
        let change = to_value(&json!({"HDR_DESC": "changed"}));
        let error = trial
            .runtime
            .block_on(connector.update("sales_invoices", &to_value(&json!("F2024-0042")), &change))
            .unwrap_err();
        assert!(error.message.contains("no update"), "{error:?}");
        trial.stop();
    }

    /// The example eAccounting customers and orders, as a folder to read
    /// from.
    fn example_books(trial: &Trial) -> PathBuf {
        let books = trial.folder("books");
        for entity in ["customers", "orders"] {
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
                    "mappings/ccv-salespos--eaccounting/example/eaccounting/{entity}.json"
                )),
                books.join(format!("{entity}.json")),
            )
            .unwrap();
        }
        books
    }

    #[test]
    fn the_shipped_flows_bring_eaccounting_customers_and_orders_to_accountview_once() {
        let articles = vec![
            json!({"ART_CODE": "100234", "ART_DESC1": "Desembrood wit", "CNG_DATE": "2024-03-01T10:00:00"}),
            json!({"ART_CODE": "200871", "ART_DESC1": "Taartschep RVS", "CNG_DATE": "2024-03-01T10:00:00"}),
        ];
        let trial = Trial::start(
            System::Accountview,
            &[("debtors", debtors(1)), ("articles", articles)],
            FAULTS,
        );
        let books = example_books(&trial);
        let flow = |name: &str| shipped(&format!("eaccounting--accountview/{name}.flow"));

        // The customers first: each becomes a debtor by its number.
        let (code, stdout, stderr) = trial.run(&flow("customers"), &books, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "create").len(), 2, "{stdout}");
        // Then the order, on its customer's debtor (read from the books).
        let (code, stdout, stderr) = trial.run(&flow("orders"), &books, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let orders = trial.records("sales_orders");
        assert_eq!(orders.len(), 1, "{stdout}");
        assert_eq!(orders[0]["COMMENT1"], "eAccounting 10040");
        assert_eq!(orders[0]["RPL_INV"], "10023", "the debtor of its customer");
        // Read again from the start: nothing is created twice.
        for name in ["customers", "orders"] {
            trial.run_again(&flow(name), &books, &[], "2000-01-01T00:00:00Z", 0);
        }
        assert_eq!(trial.records("sales_orders").len(), 1);
        assert_eq!(trial.records("debtors").len(), 3);
        // As sales invoices instead, the order already there as a sales
        // order is not booked again.
        let invoice = ["--set", "order_type=sales_invoice"];
        trial.run_again(&flow("orders"), &books, &invoice, "2000-01-01T00:00:00Z", 0);
        assert!(trial.records("sales_invoices").is_empty());
        trial.stop();
    }

    #[test]
    fn the_shipped_orders_flow_books_sales_invoices_in_accountview_once() {
        let articles = vec![
            json!({"ART_CODE": "100234", "ART_DESC1": "Desembrood wit", "VAT_CODE": "2", "CNG_DATE": "2024-03-01T10:00:00"}),
            json!({"ART_CODE": "200871", "ART_DESC1": "Taartschep RVS", "VAT_CODE": "1", "CNG_DATE": "2024-03-01T10:00:00"}),
        ];
        let trial = Trial::start(System::Accountview, &[("articles", articles)], FAULTS);
        let books = example_books(&trial);
        let flow = |name: &str| shipped(&format!("eaccounting--accountview/{name}.flow"));
        let (code, stdout, stderr) = trial.run(&flow("customers"), &books, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");

        let invoice = ["--set", "order_type=sales_invoice"];
        let (code, stdout, stderr) = trial.run(&flow("orders"), &books, &[&invoice[..], &["--dry-run"]].concat());
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "create").len(), 1, "{stdout}");
        assert!(trial.records("sales_invoices").is_empty(), "a dry run books nothing");
        let (code, stdout, stderr) = trial.run(&flow("orders"), &books, &invoice);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let invoices = trial.records("sales_invoices");
        assert_eq!(invoices.len(), 1, "{stdout}");
        assert_eq!(invoices[0]["HDR_DESC"], "eAccounting 10040");
        assert_eq!(invoices[0]["SUB_NR"], "10023");
        let lines = invoices[0]["DJ_LINE"].as_array().expect("the invoice's lines");
        assert_eq!(lines.len(), 2, "{}", invoices[0]);
        assert!(lines.iter().all(|line| line["ACCT_NR"] == "8000"), "{}", invoices[0]);

        trial.run_again(&flow("orders"), &books, &invoice, "2000-01-01T00:00:00Z", 0);
        assert_eq!(trial.records("sales_invoices").len(), 1);
        trial.stop();
    }

    #[test]
    fn debtors_reach_accountview_once_through_faults() {
        let trial = Trial::start(System::Accountview, &[("debtors", debtors(20))], FAULTS);
        connections_check_works(&trial);
        let flow = r#"
flow customers {
  source ccv_salespos.users
  target accountview.debtors

  let email = $.userinfo.email
  upsert where MAIL_BUS == email {
    ACCT_NAME = $.userinfo.billingaddress.company
    create only {
      SUB_NR = "${$.id}"
      SRC_CODE = "CCV${$.id}"
      ACCT_NR = "1210"
    }
  }
}
"#;
        customers_through_faults(&trial, flow, "debtors", &["MAIL_BUS"], 20, 30);
        let updated = trial
            .records("debtors")
            .into_iter()
            .find(|debtor| debtor["MAIL_BUS"] == "customer4@example.nl")
            .unwrap();
        assert_eq!(updated["ACCT_NAME"], "Bedrijf 2 B.V.", "a known debtor is updated");
        assert_eq!(updated["SUB_NR"], "20005", "create only: the number stays");
        trial.stop();
    }
}

mod mpluskassa {
    use super::*;

    fn relations(count: usize) -> Vec<Json> {
        (0..count)
            .map(|i| {
                json!({
                    "relationNumber": 20001 + i,
                    "name": format!("Klant {i}"),
                    "email": format!("customer{i}@example.nl"),
                    "active": true,
                    "syncMarker": 1000 + i
                })
            })
            .collect()
    }

    fn products() -> Vec<Json> {
        vec![
            json!({"productNumber": 500, "description": "Desembrood wit", "syncMarker": 1, "articleList": {"article": [{"articleNumber": 100234, "description": "Desembrood wit", "priceIncl": 495}]}}),
            json!({"productNumber": 501, "description": "Taartschep RVS", "syncMarker": 2, "articleList": {"article": [{"articleNumber": 200871, "description": "Taartschep RVS", "priceIncl": 3960}]}}),
        ]
    }

    #[test]
    fn a_product_s_images_are_made_from_an_address_read_per_product_and_refusals_named() {
        let trial = Trial::start(System::Mpluskassa, &[("products", products())], "");
        let connector = trial.connector();
        let number = ["productNumber".to_string()];
        let product = to_value(&json!(500));
        let keys = [Key::equal(&number, &product)];
        let image = |name: &str, mime: &str| {
            to_value(&json!({"productNumber": 500, "imageName": name, "mimeType": mime,
                             "imageUrl": format!("https://shop.example/Files/{name}")}))
        };

        let made = trial
            .runtime
            .block_on(connector.create("productimages", &image("brood.jpg", "image/jpeg"), &keys))
            .unwrap();
        assert_eq!(
            made.get("originalName").and_then(|name| name.as_str()),
            Some("brood.jpg")
        );
        assert_eq!(made.get("productNumber"), Some(&product));
        let shown = trial.runtime.block_on(connector.find("productimages", &keys)).unwrap();
        assert_eq!(shown.len(), 1);
        let other = to_value(&json!(501));
        let none = trial
            .runtime
            .block_on(connector.find("productimages", &[Key::equal(&number, &other)]))
            .unwrap();
        assert!(none.is_empty(), "shown on its own product's card only");

        // Not an image: MplusKASSA's code and message, in one error.
        let error = trial
            .runtime
            .block_on(connector.create("productimages", &image("brood.html", "text/html"), &keys))
            .unwrap_err();
        assert!(error.to_string().contains("CREATE-IMAGE-NOT-SUPPORTED"), "{error}");
        // Images are read per product, and a lookup without one says so.
        let name = ["originalName".to_string()];
        let any = to_value(&json!("brood.jpg"));
        let error = trial
            .runtime
            .block_on(connector.find("productimages", &[Key::equal(&name, &any)]))
            .unwrap_err();
        assert!(error.to_string().contains("per product"), "{error}");
        trial.stop();
    }

    #[test]
    fn the_connector_lists_finds_creates_and_updates() {
        let trial = Trial::start(System::Mpluskassa, &[("relations", relations(250))], "");
        exercise(
            &trial,
            250,
            Exercise {
                entity: "relations",
                key: &["email"],
                seeded_key: json!("customer17@example.nl"),
                new: json!({"name": "Nieuwe Klant B.V.", "email": "nieuw@example.nl", "city": "Utrecht"}),
                new_key: json!("nieuw@example.nl"),
                change: json!({"name": "Nieuwe Naam B.V."}),
                changed: &["name"],
            },
        );
        let created = trial.records("relations").into_iter().last().unwrap();
        assert_eq!(
            created["city"], "Utrecht",
            "an update sends the record whole: nothing is lost"
        );
        // An incremental read: after a syncMarker, the records changed since.
        let connector = trial.connector();
        let after = to_value(&json!(1200));
        let request = PageRequest {
            after: Some(&after),
            start: 0,
            size: 100,
        };
        let page = trial.runtime.block_on(connector.list("relations", &request)).unwrap();
        assert_eq!(
            page.records.len(),
            49 + 1,
            "seeded 1201..1249, and the one created and updated now"
        );
        trial.stop();
    }

    #[test]
    fn an_invoice_is_saved_once_by_its_external_id_and_found_by_it() {
        let trial = Trial::start(
            System::Mpluskassa,
            &[("relations", relations(1)), ("products", products())],
            "",
        );
        let connector = trial.connector();
        let invoice = json!({
            "extInvoiceId": "KAS-1042", "employeeNumber": 999999, "relationNumber": 20001, "financialBranchNumber": 1,
            "lineList": {"line": [{"articleNumber": 100234, "data": {"quantity": 3, "price": 495}}]},
            "paymentList": {"payment": [{"method": "PIN", "amount": 1485}]}
        });
        let create = |invoice: &Json| {
            trial
                .runtime
                .block_on(connector.create("invoices", &to_value(invoice), &[]))
                .map(|created| to_json(&created))
        };
        let first = create(&invoice).unwrap();
        assert_eq!(first["totalInclAmount"], 1485, "cents: {first}");
        assert_eq!(first["paymentList"]["payment"][0]["method"], "PIN");
        // Saved again: MplusKASSA says it exists, and that is the invoice.
        let again = create(&invoice).unwrap();
        assert_eq!(again["invoiceId"], first["invoiceId"]);
        assert_eq!(trial.records("invoices").len(), 1);

        let path = vec!["extInvoiceId".to_string()];
        for (external, count) in [("KAS-1042", 1), ("KAS-9999", 0)] {
            let wanted = to_value(&json!(external));
            let found = trial
                .runtime
                .block_on(connector.find("invoices", &[Key::equal(&path, &wanted)]))
                .unwrap();
            assert_eq!(found.len(), count, "{external}");
        }

        let mut unknown = invoice.clone();
        unknown["extInvoiceId"] = json!("KAS-1043");
        unknown["lineList"]["line"][0]["articleNumber"] = json!(999);
        let error = create(&unknown).unwrap_err();
        assert_eq!(error.kind, flowc::connectors::ErrorKind::Invalid);
        assert!(format!("{error:?}").contains("Article 999 does not exist"), "{error:?}");
        trial.stop();
    }

    #[test]
    fn an_order_is_created_once_by_its_external_id_and_its_articles_must_exist() {
        let categories = vec![
            json!({"orderCategoryNumber": 3, "orderCategoryDescription": "Webshop", "orderCategoryDependencyNumbers": [1, 2], "allowCancel": true}),
        ];
        let trial = Trial::start(
            System::Mpluskassa,
            &[
                ("relations", relations(1)),
                ("products", products()),
                ("ordercategories", categories),
            ],
            "",
        );
        let connector = trial.connector();
        let order = json!({
            "extOrderId": "KAS-1042", "employeeNumber": 999999, "relationNumber": 20001, "entryBranchNumber": 1,
            "lineList": {"line": [{"articleNumber": 100234, "data": {"quantity": 3, "price": 495}}, {"articleNumber": 200871, "data": {"quantity": 1, "price": 3960}}]}
        });
        let path = vec!["extOrderId".to_string()];
        let external = to_value(&json!("KAS-1042"));
        let keys = [Key::equal(&path, &external)];
        let first = to_json(
            &trial
                .runtime
                .block_on(connector.create("orders", &to_value(&order), &keys))
                .unwrap(),
        );
        assert_eq!(first["totalInclAmount"], 5445, "cents: {first}");
        assert_eq!(first["lineList"]["line"][1]["data"]["price"], 3960);
        // Sent again: MplusKASSA says it exists, and that is the order.
        let again = to_json(
            &trial
                .runtime
                .block_on(connector.create("orders", &to_value(&order), &[]))
                .unwrap(),
        );
        assert_eq!(again["orderId"], first["orderId"]);
        assert_eq!(trial.records("orders").len(), 1);

        let mut unknown = order.clone();
        unknown["extOrderId"] = json!("KAS-1043");
        unknown["lineList"]["line"][0]["articleNumber"] = json!(999);
        let error = trial
            .runtime
            .block_on(connector.create("orders", &to_value(&unknown), &[]))
            .unwrap_err();
        assert_eq!(error.kind, flowc::connectors::ErrorKind::Invalid);
        assert!(format!("{error:?}").contains("Article 999 does not exist"), "{error:?}");

        // Reference data is read whole.
        let request = PageRequest {
            after: None,
            start: 0,
            size: 100,
        };
        let page = trial
            .runtime
            .block_on(connector.list("ordercategories", &request))
            .unwrap();
        assert_eq!(page.records.len(), 1);
        assert_eq!(
            to_json(&page.records[0])["orderCategoryDependencyNumbers"],
            json!([1, 2])
        );

        // Stock is set through setStock, and read back.
        let stock = to_json(
            &trial
                .runtime
                .block_on(connector.update(
                    "stock",
                    &to_value(&json!(100234)),
                    &to_value(&json!({"amountFree": 39})),
                ))
                .unwrap(),
        );
        assert_eq!(
            (stock["amountFree"].clone(), stock["branchNumber"].clone()),
            (json!(39), json!(1))
        );
        trial.stop();
    }

    /// The till's products for the example orders: theirs, and the
    /// shipping and discount articles.
    fn sold_products() -> Vec<Json> {
        let mut articles = products();
        articles.extend([
            json!({"productNumber": 502, "description": "Krentenbollen", "syncMarker": 3, "articleList": {"article": [{"articleNumber": 100310, "description": "Krentenbollen (6 st.)"}]}}),
            json!({"productNumber": 900, "description": "Verzendkosten", "syncMarker": 4, "articleList": {"article": [{"articleNumber": 900001, "description": "Verzendkosten"}]}}),
            json!({"productNumber": 901, "description": "Korting", "syncMarker": 5, "articleList": {"article": [{"articleNumber": 900002, "description": "Korting"}]}}),
        ]);
        articles
    }

    /// A till with one relation and the example orders' products, the
    /// shipped orders flow, and the example orders to send.
    fn till_for_the_example_orders() -> (Trial, String, PathBuf) {
        let trial = Trial::start(
            System::Mpluskassa,
            &[("relations", relations(1)), ("products", sold_products())],
            FAULTS,
        );
        let flow = shipped("ccv-salespos--mpluskassa/orders.flow");
        let source = example_orders(&trial);
        (trial, flow, source)
    }

    #[test]
    fn the_shipped_ccv_orders_flow_sends_each_paid_order_once_with_its_relation() {
        let (trial, flow, source) = till_for_the_example_orders();
        let settings = ["--set", "shipping_article=900001", "--set", "discount_article=900002"];

        // Six orders: four paid with articles MplusKASSA has, one unpaid,
        // one with an article it lacks (which fails, writing nothing).
        a_dry_run_plans_the_four_paid_orders(&trial, &flow, &source, &settings, "orders");

        let (code, stdout, stderr) = trial.run(&flow, &source, &settings);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "create").len(), 4, "{stdout}");
        let orders = trial.records("orders");
        let mut sent: Vec<&str> = orders
            .iter()
            .map(|order| order["extOrderId"].as_str().unwrap())
            .collect();
        sent.sort();
        assert_eq!(sent, ["KAS-1040", "KAS-1042", "KAS-1043", "KAS-1045"]);
        let anna = orders.iter().find(|order| order["extOrderId"] == "KAS-1043").unwrap();
        assert_eq!(anna["employeeNumber"], 999999);
        let lines = at(anna, &["lineList", "line"]).as_array().unwrap();
        assert_eq!(lines.len(), 2, "the product and the shipping costs: {anna}");
        assert_eq!(lines[1]["data"]["price"], 695, "shipping in cents");
        let relation = anna["relationNumber"].as_i64().expect("the order names its relation");
        let relations = trial.records("relations");
        let anna_relation = relations.iter().find(|r| r["relationNumber"] == relation).unwrap();
        assert_eq!(anna_relation["email"], "anna.bakker@example.nl");

        // Read again from the start: nothing is created twice.
        trial.run_again(&flow, &source, &settings, "0", 1);
        assert_eq!(trial.records("orders").len(), 4);
        assert_eq!(trial.records("relations").len(), relations.len(), "no relation twice");
        trial.stop();
    }

    #[test]
    fn the_shipped_ccv_orders_flow_books_each_paid_order_once_as_a_paid_invoice() {
        let (trial, flow, source) = till_for_the_example_orders();
        let settings = [
            "--set",
            "order_type=invoice",
            "--set",
            "shipping_article=900001",
            "--set",
            "discount_article=900002",
        ];
        a_dry_run_plans_the_four_paid_orders(&trial, &flow, &source, &settings, "invoices");

        let (code, stdout, stderr) = trial.run(&flow, &source, &settings);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        let invoices = trial.records("invoices");
        let mut sent: Vec<&str> = invoices
            .iter()
            .map(|invoice| invoice["extInvoiceId"].as_str().unwrap())
            .collect();
        sent.sort();
        assert_eq!(sent, ["KAS-1040", "KAS-1042", "KAS-1043", "KAS-1045"], "{stdout}");
        assert!(trial.records("orders").is_empty(), "invoices, not orders");
        for invoice in &invoices {
            let payments = at(invoice, &["paymentList", "payment"]).as_array().unwrap();
            assert_eq!(payments.len(), 1, "a paid order is a paid invoice: {invoice}");
            assert!(payments[0]["amount"].as_i64().unwrap() > 0, "{invoice}");
        }

        // Read again from the start, also as orders: nothing twice.
        for again in [&settings[..], &settings[2..]] {
            trial.run_again(&flow, &source, again, "0", 1);
        }
        assert_eq!(trial.records("invoices").len(), 4);
        assert!(trial.records("orders").is_empty());
        trial.stop();
    }

    #[test]
    fn the_shipped_categories_flow_brings_the_till_s_article_groups_to_the_shop_once() {
        let groups = vec![
            json!({"groupNumber": 11, "syncMarker": 1, "name": "Brood", "text": "Vers gebakken brood", "sortOrder": 1, "isDeleted": false}),
            json!({"groupNumber": 12, "syncMarker": 2, "name": "Gebak", "text": "Taarten en gebak", "sortOrder": 2, "isDeleted": false,
                   "subGroupNumbers": {"number": [121]}}),
            json!({"groupNumber": 13, "syncMarker": 3, "name": "Oud assortiment", "isDeleted": true}),
            json!({"groupNumber": 14, "syncMarker": 4, "name": "Keukengerei", "sortOrder": 3, "isDeleted": false}),
            json!({"groupNumber": 121, "syncMarker": 5, "parentGroupNumber": 12, "name": "Taarten", "sortOrder": 1, "isDeleted": false}),
        ];
        let trial = Trial::start(System::Mpluskassa, &[("articlegroups", groups)], FAULTS);
        let shop = trial.folder("webshop");
        let brood = json!([{"id": 3101, "name": "Brood", "description": "Vers gebakken brood", "show_on_website": true, "position": 1}]);
        std::fs::write(shop.join("categories.json"), brood.to_string()).unwrap();
        let flow = "mappings/mpluskassa--ccv-salespos/categories.flow";
        let categories = || -> Vec<Json> {
            serde_json::from_str(&std::fs::read_to_string(shop.join("categories.json")).unwrap()).unwrap()
        };

        let (code, stdout, stderr) = trial.run_into(flow, &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "create").len(), 3, "{stdout}");
        let made = categories();
        let mut names: Vec<&str> = made.iter().map(|category| category["name"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(
            names,
            ["Brood", "Gebak", "Keukengerei", "Taarten"],
            "the deleted group left out"
        );
        let id_of = |name: &str| made.iter().find(|c| c["name"] == name).unwrap()["id"].clone();
        let taarten = made.iter().find(|c| c["name"] == "Taarten").unwrap();
        assert_eq!(
            taarten["parentcategory_id"],
            id_of("Gebak"),
            "the subgroup under its parent: {taarten}"
        );

        // Read again from the start: nothing is written.
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &["--after", "0"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "create").is_empty(), "{stdout}");
        assert!(decided(&stdout, "update").is_empty(), "{stdout}");
        assert_eq!(categories().len(), 4);
        trial.stop();
    }

    #[test]
    fn the_shipped_products_flow_puts_the_till_s_products_in_their_groups_categories_once() {
        let product = |number: i64, name: &str, groups: &[i64]| {
            json!({"productNumber": number, "syncMarker": number, "description": name, "groupNumbers": groups,
                   "articleList": {"article": [{"articleNumber": number, "description": name, "active": true,
                     "webshop": true, "stockArticle": true, "vatCode": 2, "priceIncl": 495, "priceExcl": 454,
                     "barcode": format!("87123450{number}")}]}})
        };
        let groups = vec![
            json!({"groupNumber": 11, "syncMarker": 1, "name": "Brood", "isDeleted": false}),
            json!({"groupNumber": 12, "syncMarker": 2, "name": "Gebak", "isDeleted": false}),
        ];
        let products = vec![
            product(10023, "Desembrood wit", &[11]),
            product(10031, "Krentenbollen", &[11, 12]),
            product(20087, "Appeltaart", &[]),
        ];
        let trial = Trial::start(
            System::Mpluskassa,
            &[("articlegroups", groups), ("products", products)],
            FAULTS,
        );
        let shop = trial.folder("webshop");
        let read = |entity: &str| -> Vec<Json> {
            std::fs::read_to_string(shop.join(format!("{entity}.json")))
                .map(|text| serde_json::from_str(&text).unwrap())
                .unwrap_or_default()
        };

        // Without the categories, the products with groups fail, naming them.
        let flow = "mappings/mpluskassa--ccv-salespos/products.flow";
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &[]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert!(stdout.contains("is no CCV category yet"), "{stdout}");

        let (code, stdout, stderr) = trial.run_into("mappings/mpluskassa--ccv-salespos/categories.flow", &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &["--after", "0"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let products = read("products");
        let categories = read("categories");
        let id = |records: &[Json], field: &str, value: &str| {
            records.iter().find(|record| record[field] == value).unwrap()["id"].clone()
        };
        let mut links: Vec<String> = read("producttocategories")
            .iter()
            .map(|link| format!("{}>{}", link["product_id"], link["category_id"]))
            .collect();
        links.sort();
        let mut expected = vec![
            format!(
                "{}>{}",
                id(&products, "productnumber", "10023"),
                id(&categories, "name", "Brood")
            ),
            format!(
                "{}>{}",
                id(&products, "productnumber", "10031"),
                id(&categories, "name", "Brood")
            ),
            format!(
                "{}>{}",
                id(&products, "productnumber", "10031"),
                id(&categories, "name", "Gebak")
            ),
        ];
        expected.sort();
        assert_eq!(links, expected);

        // Read again from the start: no product and no link twice.
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &["--after", "0"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "create").is_empty(), "{stdout}");
        assert_eq!(read("products").len(), 3);
        assert_eq!(read("producttocategories").len(), 3);
        trial.stop();
    }

    #[test]
    fn the_shipped_ccv_products_flow_makes_one_product_of_a_product_s_combinations_once() {
        let trial = Trial::start(System::Mpluskassa, &[], FAULTS);
        let shop = trial.folder("shop");
        let products = json!([{"id": 77400, "productnumber": "POLO", "name": "Poloshirt", "price": 24.95, "taxtariff": "normal",
                               "is_active": true, "eannumber": "", "modifydate": "2024-03-10T16:45:12Z",
                               "productmainphoto": "https://demo-salespos.ccvshop.nl/Files/2/poloshirt.jpg"}]);
        let part = |attribute: &str, value: &str| json!({"attribute": {"name": attribute}, "attribute_value": {"name": value}});
        let combinations = json!([
            {"id": 7001, "product_id": 77400, "product_number": "500101", "ean_number": "8712345650101", "netto_extra_price": 0.0,
             "active": true, "combination": [part("Kleur", "Rood"), part("Maat", "S")]},
            {"id": 7002, "product_id": 77400, "product_number": "500103", "ean_number": "", "netto_extra_price": 2.0,
             "active": true, "combination": [part("Kleur", "Rood"), part("Maat", "L")]},
        ]);
        std::fs::write(shop.join("products.json"), products.to_string()).unwrap();
        std::fs::write(shop.join("attributecombinations.json"), combinations.to_string()).unwrap();
        let flow = shipped("ccv-salespos--mpluskassa/products.flow");
        let settings = ["--set", "product_master=ccv_salespos"];

        let (code, stdout, stderr) = trial.run(&flow, &shop, &settings);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let made = trial.records("products");
        assert_eq!(made.len(), 1, "{stdout}");
        let articles = at(&made[0], &["articleList", "article"]).as_array().unwrap().clone();
        let summary: Vec<(i64, String, String, i64)> = articles
            .iter()
            .map(|article| {
                (
                    article["articleNumber"].as_i64().unwrap(),
                    article["colour"].as_str().unwrap().to_string(),
                    article["size"].as_str().unwrap().to_string(),
                    article["priceIncl"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (500101, "Rood".to_string(), "S".to_string(), 2495),
                (500103, "Rood".to_string(), "L".to_string(), 2695)
            ]
        );
        // Its main photo, fetched from CCV's address, on the product's card.
        let photo_on_card = |trial: &Trial| {
            let product = trial.records("products")[0]["productNumber"].clone();
            trial
                .records("images")
                .iter()
                .map(|image| {
                    let cards = image["cards"].as_array().unwrap();
                    let shown = cards
                        .iter()
                        .any(|card| card["cardType"] == "PRODUCT" && card["cardNumber"] == product);
                    (image["originalName"].as_str().unwrap().to_string(), shown)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(photo_on_card(&trial), [("poloshirt.jpg".to_string(), true)], "{stdout}");

        // Read again: the till has it, nothing is made twice.
        let again = [&settings[..], &["--after", "2000-01-01T00:00:00Z"]].concat();
        let (code, stdout, stderr) = trial.run(&flow, &shop, &again);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "skip"), ["77400"], "found, left as it is: {stdout}");
        assert_eq!(trial.records("products").len(), 1);
        assert_eq!(
            photo_on_card(&trial),
            [("poloshirt.jpg".to_string(), true)],
            "no photo twice"
        );
        trial.stop();
    }

    #[test]
    fn the_shipped_ccv_categories_flow_makes_article_groups_under_their_parents_once() {
        let webshop = json!({"groupNumber": 100, "syncMarker": 1, "name": "Webshop", "text": "", "sortOrder": 9, "isDeleted": false});
        let trial = Trial::start(System::Mpluskassa, &[("articlegroups", vec![webshop])], FAULTS);
        let shop = trial.folder("shop");
        let categories = json!([
            {"id": 3101, "name": "Brood", "description": "<p>Vers gebakken brood</p>", "position": 1},
            {"id": 3102, "name": "Gebak", "description": "", "position": 2},
            {"id": 3110, "name": "Taarten", "description": null, "position": 1, "parentcategory_id": 3102},
        ]);
        std::fs::write(shop.join("categories.json"), categories.to_string()).unwrap();
        let flow = shipped("ccv-salespos--mpluskassa/categories.flow");

        // Under a group the till lacks: MplusKASSA refuses, the records
        // fail saying so, nothing is made.
        let wrong = ["--set", "product_master=ccv_salespos", "--set", "top_group=999"];
        let (code, stdout, stderr) = trial.run(&flow, &shop, &wrong);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert!(stdout.contains("NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND"), "{stdout}");
        assert_eq!(trial.records("articlegroups").len(), 1);

        let settings = ["--set", "product_master=ccv_salespos", "--set", "top_group=100"];
        let (code, stdout, stderr) = trial.run(&flow, &shop, &settings);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let groups = trial.records("articlegroups");
        let number = |name: &str| groups.iter().find(|g| g["name"] == name).unwrap()["groupNumber"].clone();
        let parent = |name: &str| groups.iter().find(|g| g["name"] == name).unwrap()["parentGroupNumber"].clone();
        assert_eq!(groups.len(), 4, "{groups:?}");
        assert_eq!(parent("Brood"), 100);
        assert_eq!(parent("Gebak"), 100);
        assert_eq!(parent("Taarten"), number("Gebak"), "under its parent's group");
        let brood = groups.iter().find(|g| g["name"] == "Brood").unwrap();
        assert_eq!(brood["text"], "Vers gebakken brood", "plain text");

        // Read again: nothing is made twice, nothing changes.
        let (code, stdout, stderr) = trial.run(&flow, &shop, &settings);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "create").is_empty(), "{stdout}");
        assert!(decided(&stdout, "update").is_empty(), "{stdout}");
        assert_eq!(trial.records("articlegroups").len(), 4);
        trial.stop();
    }

    #[test]
    fn the_shipped_stock_flow_brings_the_till_s_stock_to_the_shop() {
        let stock = vec![
            json!({"branchNumber": 1, "articleNumber": 100234, "stockId": 990011, "amountFree": 39, "decimalPlacesFree": 0, "amountReserved": 3, "decimalPlacesReserved": 0, "amountIncoming": 24, "decimalPlacesIncoming": 0}),
            json!({"branchNumber": 1, "articleNumber": 200871, "stockId": 990012, "amountFree": 12500, "decimalPlacesFree": 3, "amountReserved": 0, "decimalPlacesReserved": 0}),
            json!({"branchNumber": 2, "articleNumber": 100234, "stockId": 990013, "amountFree": 5, "decimalPlacesFree": 0, "amountReserved": 0, "decimalPlacesReserved": 0}),
        ];
        let trial = Trial::start(System::Mpluskassa, &[("stock", stock)], FAULTS);
        let shop = shop_products(&trial);
        let flow = "mappings/mpluskassa--ccv-salespos/stock.flow";
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(
            stock_of(&shop, "100234"),
            json!(36),
            "39 free, 3 reserved, branch 1: {stdout}"
        );
        assert_eq!(stock_of(&shop, "200871"), json!(12.5), "12500 in thousandths");
        // Read again from the start: nothing changes.
        let (code, stdout, stderr) = trial.run_into(flow, &shop, &["--after", "0"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "update").is_empty(), "{stdout}");
        trial.stop();
    }

    #[test]
    fn relations_reach_mpluskassa_once_through_faults() {
        let trial = Trial::start(System::Mpluskassa, &[("relations", relations(20))], FAULTS);
        connections_check_works(&trial);
        let flow = r#"
flow customers {
  source ccv_salespos.users
  target mpluskassa.relations

  let email = $.userinfo.email
  upsert where email == email {
    name = $.userinfo.billingaddress.company
    create only {
      active = true
    }
  }
}
"#;
        customers_through_faults(&trial, flow, "relations", &["email"], 20, 30);
        let updated = trial
            .records("relations")
            .into_iter()
            .find(|relation| relation["email"] == "customer4@example.nl")
            .unwrap();
        assert_eq!(updated["name"], "Bedrijf 2 B.V.", "a known relation is updated");
        assert_eq!(updated["relationNumber"], 20005, "the number it had");
        trial.stop();
    }
}

mod eaccounting {
    use super::*;

    #[test]
    fn the_shop_s_stock_reaches_the_books_where_their_stock_module_does_not_keep_it() {
        let article = |id: &str, number: &str, is_stock: bool, balance: f64| {
            json!({"Id": id, "Number": number, "Name": number, "IsActive": true, "IsStock": is_stock,
                   "StockBalance": balance, "ChangedUtc": "2024-03-01T08:00:00Z",
                   "CodingId": "c4f5d3a1-0000-0000-0000-000000000009", "UnitId": "66ff2d2e-0ad5-4cf9-a6b9-5528aff90d0b"})
        };
        let articles = vec![
            article("9a0c1f33-7d43-4b7b-8f0e-5b0b6d1c0001", "100234", false, 0.0),
            article("9a0c1f33-7d43-4b7b-8f0e-5b0b6d1c0002", "200871", true, 5.0),
        ];
        let trial = Trial::start(System::Eaccounting, &[("articles", articles)], FAULTS);
        let shop = shop_products(&trial);
        let flow = shipped("ccv-salespos--eaccounting/stock.flow");
        let balances = || -> Vec<(String, Json)> {
            let mut found: Vec<(String, Json)> = trial
                .records("articles")
                .iter()
                .map(|a| (a["Number"].as_str().unwrap().to_string(), a["StockBalance"].clone()))
                .collect();
            found.sort_by(|a, b| a.0.cmp(&b.0));
            found
        };

        let (code, stdout, stderr) = trial.run(&flow, &shop, &["--dry-run"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(decided(&stdout, "update").len(), 1, "{stdout}");
        assert_eq!(balances()[0].1, json!(0.0), "a dry run writes nothing");

        let (code, stdout, stderr) = trial.run(&flow, &shop, &[]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert_eq!(
            balances(),
            [("100234".to_string(), json!(42.0)), ("200871".to_string(), json!(5.0))],
            "the article whose stock eAccounting keeps is left alone: {stdout}"
        );
        // Read again from the start: nothing changes.
        let (code, stdout, stderr) = trial.run(&flow, &shop, &["--after", "2000-01-01T00:00:00Z"]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(decided(&stdout, "update").is_empty(), "{stdout}");
        trial.stop();
    }
}
