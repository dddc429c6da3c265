//! The world the sandbox tests run in: the CCV SalesPOS shop and the
//! eAccounting books as sandboxes in this process on port 0, a
//! connections.toml that reaches them with canary secrets, and flowc run as
//! its binary over the shipped orders flow.

#![allow(dead_code)] // each test file uses part of it

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use flowc::sandbox::{self, Credentials, Faults, Running, System};
use serde_json::Value as Json;
use tempfile::TempDir;

pub const MAPPING: &str = "mappings/ccv-salespos--eaccounting";
pub const SHOP_SECRET: &str = "CANARY-SHOP-SECRET-91f3c2";
pub const CLIENT_SECRET: &str = "CANARY-CLIENT-SECRET-5d2e77";
pub const REFRESH_TOKEN: &str = "CANARY-REFRESH-0a7b14";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How the world is set up besides its orders.
pub struct Setup<'s> {
    /// The faults both sandboxes inject.
    pub faults: &'s str,
    /// How long the books' access tokens last.
    pub token_lifetime: Duration,
    /// Called when the books carried out a create and have not answered it.
    pub on_created: Option<sandbox::CreateHook>,
    /// The books' requests a minute per endpoint, which flowc is told too
    /// (default: far above the vendor's, to keep tests short).
    pub books_per_minute: Option<u32>,
    /// Records the books hold besides the example ones, per entity.
    pub books_records: Vec<(&'s str, Vec<Json>)>,
}

impl Default for Setup<'_> {
    fn default() -> Self {
        Setup {
            faults: "",
            token_lifetime: Duration::from_secs(3600),
            on_created: None,
            books_per_minute: None,
            books_records: Vec::new(),
        }
    }
}

/// Both systems, serving.
pub struct World {
    pub dir: TempDir,
    pub runtime: tokio::runtime::Runtime,
    pub shop: Running,
    pub books: Running,
    /// The CCV orders the shop holds, and which of them are paid.
    pub paid: Vec<String>,
}

/// `count` CCV orders built from the example ones (a known company, a new
/// person, a new company abroad), every third unpaid, and each e-mail
/// address on two orders, so that a new customer's second order finds the
/// customer its first one created.
pub fn orders(count: usize) -> (Vec<Json>, Vec<String>) {
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

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

impl World {
    pub fn start(count: usize, faults: &str, token_lifetime: Duration) -> World {
        World::start_with(
            count,
            Setup {
                faults,
                token_lifetime,
                ..Setup::default()
            },
        )
    }

    pub fn start_with(count: usize, setup: Setup<'_>) -> World {
        let Setup {
            faults,
            token_lifetime,
            on_created,
            books_per_minute,
            books_records,
        } = setup;
        let dir = TempDir::new().unwrap();
        let shop_data = dir.path().join("ccv-salespos");
        std::fs::create_dir_all(&shop_data).unwrap();
        let (orders, paid) = orders(count);
        std::fs::write(shop_data.join("orders.json"), serde_json::to_string(&orders).unwrap()).unwrap();
        let books_data = dir.path().join("eaccounting");
        copy_dir(&root().join(MAPPING).join("example/eaccounting"), &books_data);
        for (entity, records) in books_records {
            let file = books_data.join(format!("{entity}.json"));
            let mut held: Vec<Json> = match std::fs::read_to_string(&file) {
                Ok(text) => serde_json::from_str(&text).unwrap(),
                Err(_) => Vec::new(),
            };
            held.extend(records);
            std::fs::write(&file, serde_json::to_string(&held).unwrap()).unwrap();
        }

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
            if system == System::Eaccounting {
                options.on_created = on_created.clone();
            }
            // Far above the vendor's limit, to keep the test short; the
            // limiter is measured in benchmarks.
            options.requests_per_minute = Some(600_000);
            if system == System::Eaccounting
                && let Some(limit) = books_per_minute
            {
                options.requests_per_minute = Some(limit);
            }
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
             [books]\nsystem = \"eaccounting\"\nbase_url = \"http://{}/v2\"\ntoken_url = \"http://{}/connect/token\"\nclient_id = \"client-of-the-test\"\nclient_secret = {{ env = \"FLOWC_TEST_CLIENT_SECRET\" }}\nrefresh_token = {{ env = \"FLOWC_TEST_REFRESH_TOKEN\" }}\nrequests_per_minute = {}\n",
            shop.address,
            books.address,
            books.address,
            books_per_minute.unwrap_or(600_000)
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
    pub fn command(&self, state: &str, extra: &[&str]) -> std::process::Command {
        self.flow_command(&format!("{MAPPING}/orders.flow"), ("shop", "books"), state, extra)
    }

    /// A shipped flow between the two systems (`("books", "shop")`: from
    /// the books into the shop), as a command.
    pub fn flow_command(
        &self,
        flow: &str,
        (source, target): (&str, &str),
        state: &str,
        extra: &[&str],
    ) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowc"));
        command
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env("FLOWC_TEST_SHOP_SECRET", SHOP_SECRET)
            .env("FLOWC_TEST_CLIENT_SECRET", CLIENT_SECRET)
            .env("FLOWC_TEST_REFRESH_TOKEN", REFRESH_TOKEN)
            .args(["run", flow, "--source", source, "--target", target])
            .arg("--connections")
            .arg(self.dir.path().join("connections.toml"))
            .arg("--state")
            .arg(self.dir.path().join(state))
            .args(["--now", "2024-03-15T08:00:00Z", "--format", "json"])
            .args(extra);
        command
    }

    /// Runs a shipped flow between the two systems.
    pub fn run_flow(&self, flow: &str, direction: (&str, &str), state: &str, extra: &[&str]) -> (i32, String, String) {
        let output = Command::from_std(self.flow_command(flow, direction, state, extra))
            .timeout(Duration::from_secs(600))
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Runs the shipped orders flow from the shop into the books.
    pub fn run(&self, state: &str, extra: &[&str]) -> (i32, String, String) {
        self.run_flow(&format!("{MAPPING}/orders.flow"), ("shop", "books"), state, extra)
    }

    /// Asserts that each paid order is in the books once, and nothing but
    /// them and the example's own order; `what` says which case failed.
    pub fn each_paid_order_once(&self, what: &str) {
        let orders = self.books("orders");
        for reference in &self.paid {
            let count = orders
                .iter()
                .filter(|order| order["YourReference"] == reference.as_str())
                .count();
            assert_eq!(count, 1, "{what}: {reference} is in the books {count} times");
        }
        assert_eq!(
            orders.len(),
            self.paid.len() + 1,
            "{what}: the paid orders and the one the example holds"
        );
    }

    /// Asserts that no two customers in the books share an e-mail address
    /// (compared without case, as eAccounting does).
    pub fn no_customer_twice(&self, what: &str) {
        let mut emails: Vec<String> = self
            .books("customers")
            .iter()
            .map(|customer| customer["EmailAddress"].as_str().unwrap_or("").to_lowercase())
            .collect();
        emails.sort();
        let before = emails.len();
        emails.dedup();
        assert_eq!(emails.len(), before, "{what}: a customer was created twice");
    }

    /// The shop's records of an entity, as JSON.
    pub fn shop(&self, entity: &str) -> Vec<Json> {
        let records = self.shop.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .map(|record| serde_json::from_str(&flowc::value::json::to_string(record)).unwrap())
            .collect()
    }

    /// The books' records of an entity, as JSON.
    pub fn books(&self, entity: &str) -> Vec<Json> {
        let records = self.books.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .map(|record| serde_json::from_str(&flowc::value::json::to_string(record)).unwrap())
            .collect()
    }

    pub fn stop(self) {
        let World {
            runtime, shop, books, ..
        } = self;
        runtime.block_on(async {
            shop.stop().await;
            books.stop().await;
        });
    }
}

pub fn summary(stderr: &str) -> &str {
    stderr.lines().find(|line| line.contains(" read: ")).unwrap_or("")
}

pub fn canaries_absent(texts: &[&str]) {
    for text in texts {
        for canary in [SHOP_SECRET, CLIENT_SECRET, REFRESH_TOKEN] {
            assert!(!text.contains(canary), "{canary} was printed:\n{text}");
        }
    }
}

/// Runs flowc with the world's connections and secrets.
pub fn flowc(world: &World, args: &[&str]) -> (i32, String, String) {
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
