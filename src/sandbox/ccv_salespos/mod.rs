//! The CCV SalesPOS sandbox: the CCV Shop REST API (`/api/rest/v1`) as
//! CCV describes it.
//!
//! - Every request must carry `x-public`, `x-date` (within five minutes
//!   of the sandbox's clock) and `x-hash`, the HMAC-SHA512 (hex, keyed
//!   with the secret key) of `public|METHOD|uri|body|x-date`, where `uri`
//!   is the path and query as received. Anything else is answered 401.
//! - Answers are signed the same way over their own body and `x-date`.
//! - Collections are paged with `start` and `size` in CCV's envelope
//!   (`href`, `start`, `size`, `first`, `previous`, `next`, `items`),
//!   sorted with `orderby` (`id`, `id_desc`, ...), filtered by the query
//!   parameters CCV documents (`ordernumber`, `status`, `is_paid`,
//!   `min_create_date`, `max_create_date`, `productnumber`, `eannumber`).
//! - An order links its rows (`orderrows.href`), served as their own
//!   collection; seeded orders with embedded `orderrows.items` are split so.
//!   Orders are created with their rows ([`orders`]).
//! - The links of products to categories (`producttocategories`) are
//!   read per product or per category (`/products/{id}/producttocategories`),
//!   never whole, and created with POST `/producttocategories`.
//! - A product's photos, read and created below it ([`photos`]).
//! - Attributes, their values (below an attribute), a product's values
//!   (below the product) and the attribute combinations CCV makes of them
//!   ([`attributes`]).
//! - POST creates (201 with the record), PATCH updates (204), both checked
//!   against the schema; errors come as `{"status", "code",
//!   "developermessage", "usermessage"}` with CCV's codes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

mod attributes;
mod orders;
mod photos;

use super::faults::{Dice, Fault};
use super::gate::{self, Struck};
use super::store;
use super::{Credentials, Options, Shared, Stats, answer, broken, query_pairs, sort_by_field};
use crate::value::{Object, Value, json};

const API: &str = "/api/rest/v1";
/// How far a request's `x-date` may be from the sandbox's clock.
const CLOCK_SKEW: i64 = 5 * 60;
/// The page size when none is asked, and the largest.
const DEFAULT_SIZE: usize = 25;
const LARGEST_SIZE: usize = 250;

/// What the sandbox serves.
const ENTITIES: &[&str] = &[
    "orders",
    "users",
    "products",
    "categories",
    "paymethods",
    "producttocategories",
    "attributes",
    "attributevalues",
    "productphotos",
    "productattributevalues",
    "attributecombinations",
];

/// Collections served only below a record of another: (parent, child,
/// the child's field naming the parent).
const CHILDREN: &[(&str, &str, &str)] = &[
    ("products", "producttocategories", "product_id"),
    ("categories", "producttocategories", "category_id"),
    ("attributes", "attributevalues", "attribute_id"),
    ("products", "productattributevalues", "product_id"),
    ("products", "attributecombinations", "product_id"),
    ("products", "productphotos", "product_id"),
];

struct Shop {
    base: String,
    public: String,
    secret: String,
    faults: super::Faults,
    dice: Mutex<Dice>,
    records: Shared,
    /// Rows of each order, by the order's id.
    rows: Mutex<BTreeMap<i64, Vec<Value<'static>>>>,
    /// The product of each product attribute value, by the value's id:
    /// CCV keeps it, and gives it only in the path.
    owners: Mutex<BTreeMap<i64, i64>>,
    stats: Arc<Stats>,
}

/// The router and the connections.toml table that reaches it.
pub fn router(base: &str, options: &Options, stats: Arc<Stats>, records: Shared) -> Result<(Router, String), String> {
    let credentials = options.credentials.clone().unwrap_or(Credentials {
        id: "sandbox-public".into(),
        secret: "sandbox-secret".into(),
        refresh_token: String::new(),
    });
    let mut rows = BTreeMap::new();
    for order in records.lock().unwrap().of_mut("orders") {
        let Some(id) = order.get("id").and_then(as_id) else {
            continue;
        };
        let items = order
            .get("orderrows")
            .and_then(|rows| rows.get("items"))
            .and_then(Value::as_list)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        rows.insert(id, items);
        let mut fields = order.as_object().cloned().unwrap_or_default();
        let mut link = Object::new();
        link.push("href", Value::from(format!("{base}{API}/orders/{id}/orderrows")));
        fields.insert("orderrows", Value::object(link));
        *order = Value::object(fields);
    }
    let shop = Shop {
        base: base.to_string(),
        public: credentials.id.clone(),
        secret: credentials.secret.clone(),
        dice: Mutex::new(options.faults.dice()),
        faults: options.faults.clone(),
        records,
        rows: Mutex::new(rows),
        owners: Mutex::new(BTreeMap::new()),
        stats,
    };
    let table = format!(
        "[{}]\nsystem = \"ccv_salespos\"\nbase_url = \"{base}\"\npublic_key = \"{}\"\nsecret_key = \"{}\"\n",
        options.name, credentials.id, credentials.secret
    );
    Ok((Router::new().fallback(handle).with_state(Arc::new(shop)), table))
}

async fn handle(State(shop): State<Arc<Shop>>, request: Request) -> Response<Body> {
    let Some(received) = gate::receive(request, &shop.stats, &shop.faults).await else {
        return error(413, "500.80", "The requested payload is too big");
    };
    let gate::Received {
        method,
        uri,
        headers,
        body,
        ..
    } = received;
    if let Err(refusal) = shop.authenticate(&method, &uri, &body, &headers) {
        Stats::count(&shop.stats.refused);
        return shop.signed(&method, &uri, *refusal);
    }
    let path = uri.split('?').next().unwrap_or("");
    let query = uri.split_once('?').map_or("", |(_, query)| query);
    let Some(rest) = path.strip_prefix(API) else {
        return shop.signed(&method, &uri, error(404, "404.20", "Invalid resource name"));
    };
    let parts: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    let entity = parts.first().copied().unwrap_or("");
    let creating = method == Method::POST;
    let fault = match gate::strike(
        &shop.faults,
        &shop.dice,
        &shop.stats,
        entity,
        creating,
        |status, message| match status {
            429 => error(429, "429.10", "Rate limit for this resource is reached"),
            _ => error(status, &format!("{status}.00"), message),
        },
    ) {
        Struck::Dropped => return broken(),
        Struck::Answer(response) => return shop.signed(&method, &uri, response),
        Struck::CarryOut(fault) => fault,
    };
    let forge = fault == Some(Fault::Forge);
    let response = shop.route(&method, &parts, query, &body);
    let response = if fault == Some(Fault::CreateThen500) && response.status().is_success() {
        error(500, "500.00", "Internal server error after the create")
    } else {
        response
    };
    let mut response = shop.signed(&method, &uri, response);
    if forge && let Ok(value) = HeaderValue::from_str(&"0".repeat(128)) {
        response.headers_mut().insert("x-hash", value);
    }
    response
}

impl Shop {
    fn hmac(&self, method: &str, uri: &str, body: &str, date: &str) -> Hmac<Sha512> {
        let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(self.secret.as_bytes()).expect("any key length");
        mac.update(format!("{}|{method}|{uri}|{body}|{date}", self.public).as_bytes());
        mac
    }

    fn authenticate(
        &self,
        method: &Method,
        uri: &str,
        body: &str,
        headers: &axum::http::HeaderMap,
    ) -> Result<(), Box<Response<Body>>> {
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (Some(public), Some(date), Some(hash)) = (header("x-public"), header("x-date"), header("x-hash")) else {
            return Err(Box::new(error(
                401,
                "401.10",
                "The headers x-public, x-date and x-hash are required",
            )));
        };
        if public != self.public {
            return Err(Box::new(error(401, "401.10", "Unknown public key")));
        }
        let Some(moment) = moment(date) else {
            return Err(Box::new(error(401, "401.20", "x-date is not an ISO 8601 timestamp")));
        };
        if (chrono::Utc::now() - moment).num_seconds().abs() > CLOCK_SKEW {
            return Err(Box::new(error(
                401,
                "401.20",
                "x-date differs more than 5 minutes from the server time",
            )));
        }
        let expected = hex_decode(hash);
        match expected {
            Some(bytes) if self.hmac(method.as_str(), uri, body, date).verify_slice(&bytes).is_ok() => Ok(()),
            _ => Err(Box::new(error(401, "401.10", "The hash is invalid"))),
        }
    }

    /// Adds `x-date` and `x-hash` over the answer's body.
    fn signed(&self, method: &Method, uri: &str, response: Response<Body>) -> Response<Body> {
        let (mut parts, body) = response.into_parts();
        let body = body_text(body);
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let hash = hex_encode(&self.hmac(method.as_str(), uri, &body, &date).finalize().into_bytes());
        for (name, value) in [("x-date", date), ("x-hash", hash)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                parts.headers.insert(name, value);
            }
        }
        Response::from_parts(parts, Body::from(body))
    }

    fn route(&self, method: &Method, parts: &[&str], query: &str, body: &str) -> Response<Body> {
        let entity = parts.first().copied().unwrap_or("");
        if !ENTITIES.contains(&entity) {
            return error(404, "404.20", "Invalid resource name");
        }
        match (method.as_str(), &parts[1..]) {
            ("GET", []) if CHILDREN.iter().any(|(_, child, _)| *child == entity) => {
                error(405, "405.10", "Method not allowed on this resource")
            }
            ("GET", []) => self.collection(entity, query),
            ("GET", [id]) => match self.find(entity, id) {
                Some(record) => answer(StatusCode::OK, &record),
                None => error(404, "404.10", "Resource not found"),
            },
            ("GET", [id, "orderrows"]) if entity == "orders" => self.rows(id, query),
            ("GET", [id, child]) => match CHILDREN
                .iter()
                .find(|(parent, name, _)| *parent == entity && name == child)
            {
                Some((_, child, field)) => self.children(entity, id, child, field, query),
                None => error(404, "404.20", "Invalid resource name"),
            },
            ("POST", [id, "attributevalues"]) if entity == "attributes" => self.create_value(id, body),
            ("POST", [id, "productattributevalues"]) if entity == "products" => self.give_value(id, body),
            ("POST", [id, "productphotos"]) if entity == "products" => self.add_photo(id, body),
            ("POST", []) if entity == "orders" => self.create_order(body),
            ("POST", []) => self.create(entity, body),
            ("PATCH", [id]) => self.update(entity, id, body),
            _ => error(405, "405.10", "Method not allowed on this resource"),
        }
    }

    fn find(&self, entity: &str, id: &str) -> Option<Value<'static>> {
        let id: i64 = id.parse().ok()?;
        let records = self.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .find(|record| record.get("id").and_then(as_id) == Some(id))
            .cloned()
    }

    fn collection(&self, entity: &str, query: &str) -> Response<Body> {
        let pairs = query_pairs(query);
        let mut records: Vec<Value<'static>> = self.records.lock().unwrap().of(entity).to_vec();
        let filters: &[(&str, &str)] = match entity {
            "orders" => &[
                ("ordernumber", "ordernumber"),
                ("status", "status"),
                ("is_paid", "paid"),
            ],
            "products" => &[("productnumber", "productnumber"), ("eannumber", "eannumber")],
            _ => &[],
        };
        for (name, value) in &pairs {
            if let Some((_, field)) = filters.iter().find(|(parameter, _)| parameter == name) {
                records.retain(|record| {
                    record
                        .get(field)
                        .and_then(|held| held.to_text())
                        .is_some_and(|held| held.eq_ignore_ascii_case(value))
                });
            }
        }
        if entity == "orders"
            && let Err(refused) = orders::created_within(&mut records, &pairs)
        {
            return *refused;
        }
        let parameter = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        if let Some(order) = parameter("orderby") {
            let (field, descending) = match order.strip_suffix("_desc") {
                Some(field) => (field, true),
                None => (order, false),
            };
            sort_by_field(&mut records, field, descending);
        }
        self.envelope(&format!("{API}/{entity}"), records, &pairs)
    }

    fn rows(&self, id: &str, query: &str) -> Response<Body> {
        let Ok(id) = id.parse::<i64>() else {
            return error(404, "404.10", "Resource not found");
        };
        let Some(rows) = self.rows.lock().unwrap().get(&id).cloned() else {
            return error(404, "404.10", "Resource not found");
        };
        self.envelope(&format!("{API}/orders/{id}/orderrows"), rows, &query_pairs(query))
    }

    /// The records of `child` below one record of `parent`: those whose
    /// `field` names it (productattributevalues, which CCV gives without
    /// their product, by what the sandbox keeps beside them).
    fn children(&self, parent: &str, id: &str, child: &str, field: &str, query: &str) -> Response<Body> {
        if self.find(parent, id).is_none() {
            return error(404, "404.10", "Resource not found");
        }
        let id: Option<i64> = id.parse().ok();
        let owners = self.owners.lock().unwrap();
        let below: Vec<Value<'static>> = self
            .records
            .lock()
            .unwrap()
            .of(child)
            .iter()
            .filter(|record| {
                let own = record.get("id").and_then(as_id).and_then(|own| owners.get(&own));
                record.get(field).and_then(as_id).or(own.copied()) == id
            })
            .cloned()
            .collect();
        let path = format!("{API}/{parent}/{}/{child}", id.unwrap_or_default());
        self.envelope(&path, below, &query_pairs(query))
    }

    /// The links a new product-to-category record makes, when both ends
    /// exist: `(product_href, category_href)`.
    fn link_ends(&self, record: &Value<'_>) -> Result<(String, String), Box<Response<Body>>> {
        let mut hrefs = Vec::new();
        for (field, entity) in [("product_id", "products"), ("category_id", "categories")] {
            let id = record
                .get(field)
                .and_then(as_id)
                .map(|id| id.to_string())
                .unwrap_or_default();
            if self.find(entity, &id).is_none() {
                return Err(Box::new(error(
                    400,
                    "400.30",
                    &format!("The input does not match the schema: {field}: no such {entity} resource"),
                )));
            }
            hrefs.push(format!("{}{API}/{entity}/{id}", self.base));
        }
        let category = hrefs.pop().unwrap_or_default();
        Ok((hrefs.pop().unwrap_or_default(), category))
    }

    /// A page of `records` in CCV's collection envelope.
    fn envelope(&self, path: &str, records: Vec<Value<'static>>, pairs: &[(String, String)]) -> Response<Body> {
        let number = |name: &str, default: usize| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map_or(Ok(default), |(_, value)| value.parse::<usize>())
        };
        let (Ok(start), Ok(size)) = (number("start", 0), number("size", DEFAULT_SIZE)) else {
            return error(400, "400.20", "start and size are whole numbers");
        };
        let size = size.clamp(1, LARGEST_SIZE);
        let link = |start: usize| Value::from(format!("{}{path}?start={start}&size={size}", self.base));
        let items: Vec<Value<'static>> = records.iter().skip(start).take(size).cloned().collect();
        let mut envelope = Object::new();
        envelope.push("href", link(start));
        envelope.push("start", Value::Int(start as i64));
        envelope.push("size", Value::Int(items.len() as i64));
        envelope.push("first", link(0));
        envelope.push(
            "previous",
            if start > 0 {
                link(start.saturating_sub(size))
            } else {
                Value::Null
            },
        );
        envelope.push(
            "next",
            if start + size < records.len() {
                link(start + size)
            } else {
                Value::Null
            },
        );
        envelope.push("items", Value::list(items));
        answer(StatusCode::OK, &Value::object(envelope))
    }

    fn create(&self, entity: &str, body: &str) -> Response<Body> {
        if matches!(
            entity,
            "paymethods" | "attributevalues" | "productattributevalues" | "attributecombinations" | "productphotos"
        ) {
            return error(405, "405.10", "Method not allowed on this resource");
        }
        let record = match parse(body) {
            Ok(record) => record,
            Err(refused) => return *refused,
        };
        if let Err(problems) = store::check("ccv_salespos", entity, &record, true) {
            return invalid(&problems);
        }
        let mut extra = Vec::new();
        match entity {
            "producttocategories" => match self.link_ends(&record) {
                Ok((product, category)) => {
                    extra.push(("product_href", Value::from(product)));
                    extra.push(("category_href", Value::from(category)));
                }
                Err(refused) => return *refused,
            },
            "attributes" => {
                if let Err(refused) = attributes::check_type(&record) {
                    return *refused;
                }
            }
            _ => {}
        }
        let created = self.insert(entity, &record, extra);
        answer(StatusCode::CREATED, &created)
    }

    /// A new record of `entity`: its fields, with an id and a link.
    fn insert(&self, entity: &str, record: &Value<'_>, extra: Vec<(&str, Value<'static>)>) -> Value<'static> {
        let mut records = self.records.lock().unwrap();
        let list = records.of_mut(entity);
        let id = list
            .iter()
            .filter_map(|record| record.get("id").and_then(as_id))
            .max()
            .unwrap_or(0)
            + 1;
        let mut fields = Object::new();
        fields.push("href", Value::from(format!("{}{API}/{entity}/{id}", self.base)));
        fields.push("id", Value::Int(id));
        for (name, value) in record.as_object().into_iter().flat_map(|object| object.iter()) {
            fields.insert(name.to_string(), value.clone().into_owned());
        }
        for (name, value) in extra {
            fields.insert(name.to_string(), value);
        }
        let created = Value::object(fields);
        list.push(created.clone());
        Stats::count(&self.stats.created);
        created
    }

    fn update(&self, entity: &str, id: &str, body: &str) -> Response<Body> {
        if entity == "paymethods" {
            return error(405, "405.10", "Method not allowed on this resource");
        }
        let Ok(id) = id.parse::<i64>() else {
            return error(404, "404.10", "Resource not found");
        };
        let changes = match json::parse(body) {
            Ok(changes) => changes.into_owned(),
            Err(_) => return error(400, "400.10", "The body is not valid JSON"),
        };
        if let Err(problems) = store::check("ccv_salespos", entity, &changes, false) {
            return invalid(&problems);
        }
        let mut records = self.records.lock().unwrap();
        let Some(record) = records
            .of_mut(entity)
            .iter_mut()
            .find(|record| record.get("id").and_then(as_id) == Some(id))
        else {
            return error(404, "404.10", "Resource not found");
        };
        let mut fields = record.as_object().cloned().unwrap_or_default();
        for (name, value) in changes.as_object().into_iter().flat_map(|object| object.iter()) {
            fields.insert(name.to_string(), value.clone());
        }
        *record = Value::object(fields);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        response
    }
}

/// A request's JSON body, or CCV's answer to one that is not JSON.
fn parse(body: &str) -> Result<Value<'static>, Box<Response<Body>>> {
    json::parse(body)
        .map(Value::into_owned)
        .map_err(|_| Box::new(error(400, "400.10", "The body is not valid JSON")))
}

/// CCV's error answer.
fn error(status: u16, code: &str, message: &str) -> Response<Body> {
    let mut body = Object::new();
    body.push("status", Value::Int(i64::from(status)));
    body.push("code", Value::from(code.to_string()));
    body.push("developermessage", Value::from(message.to_string()));
    body.push("usermessage", Value::from(message.to_string()));
    answer(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &Value::object(body),
    )
}

fn invalid(problems: &store::Problems) -> Response<Body> {
    let message: Vec<String> = problems
        .iter()
        .map(|(field, message)| {
            if field.is_empty() {
                message.clone()
            } else {
                format!("{field}: {message}")
            }
        })
        .collect();
    error(
        400,
        "400.30",
        &format!("The input does not match the schema: {}", message.join("; ")),
    )
}

fn as_id(value: &Value<'_>) -> Option<i64> {
    match value {
        Value::Int(id) => Some(*id),
        Value::Text(text) => text.as_str().parse().ok(),
        _ => None,
    }
}

/// An ISO 8601 moment: `2024-03-14T10:21:33Z`, `...+00:00` or `...+0000`.
fn moment(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z"))
        .ok()
        .map(|moment| moment.to_utc())
}

/// The text of a body built by this sandbox (always in one piece).
fn body_text(body: Body) -> String {
    use http_body::Body as _;
    let mut body = std::pin::pin!(body);
    let waker = std::task::Waker::noop();
    let mut context = std::task::Context::from_waker(waker);
    let mut text = Vec::new();
    while let std::task::Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut context) {
        if let Ok(data) = frame.into_data() {
            text.extend_from_slice(&data);
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}
