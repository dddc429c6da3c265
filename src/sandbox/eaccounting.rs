//! The eAccounting sandbox: Visma's identity server (`/connect/token`) and
//! the eAccounting API v2 (`/v2/...`) as Visma describes them.
//!
//! - The refresh grant takes the client as HTTP basic credentials; every
//!   grant gives an access token that expires and a new refresh token, and
//!   the refresh token used stops working (`invalid_grant` after).
//! - The API takes `Authorization: Bearer` with a live access token, else
//!   401.
//! - Lists come as `{"Meta": {...}, "Data": [...]}`, paged with `$page`
//!   (from 1) and `$pagesize`, filtered with OData `$filter` (`Field op
//!   literal` joined with `and`; text in quotes with quotes doubled; text
//!   compared without regard to case, as eAccounting does), sorted with
//!   `$orderby`.
//! - POST creates (201), PUT replaces a record (200), both checked against
//!   the schema; reference data is not written.
//! - 600 requests a minute per endpoint unless set otherwise; more are
//!   answered 429 with `Retry-After`.
//! - Errors come as `{"ErrorCode", "DeveloperErrorMessage", "ErrorId"}`,
//!   with `ModelState` messages per field for a refused write.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, Response, StatusCode};

use super::faults::{Dice, Fault};
use super::gate::{self, AccessTokens, Minute, RefreshGrant, Struck};
use super::store;
use super::{Credentials, Options, Shared, Stats, answer, broken, query_pairs, uuid};
use crate::connectors::schema::Catalog;
use crate::value::{Object, Value, json};

/// The page size when none is asked, and the largest.
const DEFAULT_PAGE: usize = 50;
const LARGEST_PAGE: usize = 1000;

struct Books {
    grant: RefreshGrant,
    access_tokens: AccessTokens,
    minute: Minute,
    faults: super::Faults,
    dice: Mutex<Dice>,
    records: Shared,
    stats: Arc<Stats>,
    on_created: Option<super::CreateHook>,
}

pub fn router(base: &str, options: &Options, stats: Arc<Stats>, records: Shared) -> Result<(Router, String), String> {
    let mut dice = options.faults.dice();
    let credentials = options.credentials.clone().unwrap_or_else(|| Credentials {
        id: "sandbox-client".into(),
        secret: "sandbox-client-secret".into(),
        refresh_token: format!("sandbox-refresh-{}", &uuid(&mut dice)[..8]),
    });
    let books = Books {
        grant: RefreshGrant::new(&credentials),
        access_tokens: AccessTokens::new(options.token_lifetime),
        minute: Minute::new(options.requests_per_minute.unwrap_or(600)),
        faults: options.faults.clone(),
        dice: Mutex::new(dice),
        records,
        stats,
        on_created: options.on_created.clone(),
    };
    let table = format!(
        "[{}]\nsystem = \"eaccounting\"\nbase_url = \"{base}/v2\"\ntoken_url = \"{base}/connect/token\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nrefresh_token = \"{}\"\n",
        options.name, credentials.id, credentials.secret, credentials.refresh_token
    );
    Ok((Router::new().fallback(handle).with_state(Arc::new(books)), table))
}

async fn handle(State(books): State<Arc<Books>>, request: Request) -> Response<Body> {
    let Some(received) = gate::receive(request, &books.stats, &books.faults).await else {
        return error(413, "The request is too large");
    };
    let gate::Received {
        method,
        path,
        query,
        headers,
        body,
        ..
    } = received;
    if path == "/connect/token" {
        return books.grant.token(
            &method,
            &headers,
            &body,
            &books.access_tokens,
            &books.dice,
            &books.stats,
        );
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return error(404, "No HTTP resource was found that matches the request URI");
    };
    if books.access_tokens.admit(&headers).is_none() {
        Stats::count(&books.stats.refused);
        let mut body = Object::new();
        body.push(
            "Message",
            Value::from("Authorization has been denied for this request.".to_string()),
        );
        return answer(StatusCode::UNAUTHORIZED, &Value::object(body));
    }
    let parts: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    let entity = parts.first().copied().unwrap_or("");
    if let Err(wait) = books.minute.admit(entity) {
        Stats::count(&books.stats.limited);
        let mut response = error(429, "Too many requests: 600 a minute per endpoint");
        super::retry_after(response.headers_mut(), wait, false);
        return response;
    }
    books.stats.seen(entity);
    let fault = match gate::strike(
        &books.faults,
        &books.dice,
        &books.stats,
        entity,
        method == Method::POST,
        error,
    ) {
        Struck::Dropped => return broken(),
        Struck::Answer(response) => return response,
        Struck::CarryOut(fault) => fault,
    };
    let response = books.route(&method, &parts, &query, &body);
    if method == Method::POST
        && response.status().is_success()
        && let Some(hook) = &books.on_created
    {
        (hook.0)(entity);
    }
    if fault == Some(Fault::CreateThen500) && response.status().is_success() {
        return error(500, "An error has occurred.");
    }
    response
}

impl Books {
    fn route(&self, method: &Method, parts: &[&str], query: &str, body: &str) -> Response<Body> {
        let entity = parts.first().copied().unwrap_or("");
        let Some(schema) = Catalog::builtin().entity("eaccounting", entity) else {
            return error(404, "No HTTP resource was found that matches the request URI");
        };
        let id_field = schema.id.as_str();
        match (method.as_str(), &parts[1..]) {
            ("GET", []) => self.list(entity, query),
            ("GET", [id]) => match self.held(entity, id_field, id) {
                Some(record) => answer(StatusCode::OK, &record),
                None => error(404, "The resource was not found"),
            },
            ("POST", []) if !schema.read_only => self.create(entity, id_field, body),
            ("PUT", [id]) if !schema.read_only => self.replace(entity, id_field, id, body),
            _ => error(405, "The requested resource does not support this method"),
        }
    }

    fn held(&self, entity: &str, id_field: &str, id: &str) -> Option<Value<'static>> {
        let records = self.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .find(|record| record.get(id_field).and_then(|held| held.to_text()).as_deref() == Some(id))
            .cloned()
    }

    fn list(&self, entity: &str, query: &str) -> Response<Body> {
        let pairs = query_pairs(query);
        let parameter = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let mut records: Vec<Value<'static>> = self.records.lock().unwrap().of(entity).to_vec();
        if let Some(filter) = parameter("$filter") {
            let conditions = match parse_filter(entity, filter) {
                Ok(conditions) => conditions,
                Err(message) => return error(400, &message),
            };
            records.retain(|record| conditions.iter().all(|condition| condition.holds(record)));
        }
        if let Some(field) = parameter("$orderby") {
            let (field, descending) = match field.strip_suffix(" desc") {
                Some(field) => (field.trim(), true),
                None => (field.trim_end_matches(" asc").trim(), false),
            };
            super::sort_by_field(&mut records, field, descending);
        }
        let number = |name: &str, default: usize| parameter(name).map_or(Ok(default), str::parse::<usize>);
        let (Ok(page), Ok(size)) = (number("$page", 1), number("$pagesize", DEFAULT_PAGE)) else {
            return error(400, "$page and $pagesize are whole numbers");
        };
        let (page, size) = (page.max(1), size.clamp(1, LARGEST_PAGE));
        let total = records.len();
        let pages = total.div_ceil(size).max(1);
        let data: Vec<Value<'static>> = records.into_iter().skip((page - 1) * size).take(size).collect();
        let mut meta = Object::new();
        meta.push("CurrentPage", Value::Int(page as i64));
        meta.push("PageSize", Value::Int(size as i64));
        meta.push("TotalNumberOfPages", Value::Int(pages as i64));
        meta.push("TotalNumberOfResults", Value::Int(total as i64));
        meta.push("ServerTimeUtc", Value::from(now()));
        let mut body = Object::new();
        body.push("Meta", Value::object(meta));
        body.push("Data", Value::list(data));
        answer(StatusCode::OK, &Value::object(body))
    }

    fn create(&self, entity: &str, id_field: &str, body: &str) -> Response<Body> {
        let record = match json::parse(body) {
            Ok(record) => record.into_owned(),
            Err(_) => return error(400, "The request body is not valid JSON"),
        };
        if let Err(problems) = store::check("eaccounting", entity, &record, true) {
            return invalid(&problems);
        }
        let mut dice = self.dice.lock().unwrap();
        let mut records = self.records.lock().unwrap();
        let list = records.of_mut(entity);
        let mut fields = record.as_object().cloned().unwrap_or_default();
        fields.insert(id_field.to_string(), Value::from(uuid(&mut dice)));
        if entity == "customers" && fields.get("CustomerNumber").is_none_or(Value::is_null) {
            let next = list
                .iter()
                .filter_map(|held| held.get("CustomerNumber").and_then(|n| n.to_text()))
                .filter_map(|n| n.parse::<u64>().ok())
                .max()
                .unwrap_or(1000)
                + 1;
            fields.insert("CustomerNumber", Value::from(next.to_string()));
        }
        stamp(&mut fields, true);
        let created = Value::object(fields);
        list.push(created.clone());
        Stats::count(&self.stats.created);
        answer(StatusCode::CREATED, &created)
    }

    fn replace(&self, entity: &str, id_field: &str, id: &str, body: &str) -> Response<Body> {
        let record = match json::parse(body) {
            Ok(record) => record.into_owned(),
            Err(_) => return error(400, "The request body is not valid JSON"),
        };
        // A PUT replaces the whole record: it must be whole.
        if let Err(problems) = store::check("eaccounting", entity, &record, true) {
            return invalid(&problems);
        }
        let mut records = self.records.lock().unwrap();
        let Some(held) = records
            .of_mut(entity)
            .iter_mut()
            .find(|held| held.get(id_field).and_then(|value| value.to_text()).as_deref() == Some(id))
        else {
            return error(404, "The resource was not found");
        };
        let mut fields = record.as_object().cloned().unwrap_or_default();
        fields.insert(id_field.to_string(), Value::from(id.to_string()));
        for kept in ["CreatedUtc", "CustomerNumber"] {
            if let Some(value) = held.get(kept).filter(|_| fields.get(kept).is_none()) {
                fields.insert(kept.to_string(), value.clone());
            }
        }
        stamp(&mut fields, false);
        *held = Value::object(fields);
        answer(StatusCode::OK, held)
    }
}

/// Sets the moments eAccounting keeps itself.
fn stamp(fields: &mut Object<'static>, creating: bool) {
    let now = Value::from(now());
    fields.insert("ChangedUtc", now.clone());
    fields.insert("ModifiedUtc", now.clone());
    if creating {
        fields.insert("CreatedUtc", now);
    }
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// eAccounting's error answer.
fn error(status: u16, message: &str) -> Response<Body> {
    let mut body = Object::new();
    body.push("ErrorCode", Value::Int(i64::from(status) * 10));
    body.push("DeveloperErrorMessage", Value::from(message.to_string()));
    body.push("ErrorId", Value::from(format!("sandbox-{status}")));
    answer(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &Value::object(body),
    )
}

fn invalid(problems: &store::Problems) -> Response<Body> {
    let mut state = Object::new();
    for (field, message) in problems {
        state.push(field.clone(), Value::list(vec![Value::from(message.clone())]));
    }
    let mut body = Object::new();
    body.push("ErrorCode", Value::Int(4000));
    body.push(
        "DeveloperErrorMessage",
        Value::from("The request is invalid.".to_string()),
    );
    body.push("ErrorId", Value::from("sandbox-4000".to_string()));
    body.push("ModelState", Value::object(state));
    answer(StatusCode::BAD_REQUEST, &Value::object(body))
}

/// One condition of a `$filter`.
#[derive(Debug)]
struct Condition {
    field: String,
    op: Op,
    value: Value<'static>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Condition {
    fn holds(&self, record: &Value<'_>) -> bool {
        let held = record.get(&self.field).unwrap_or(&Value::Null);
        let ordering = match (held, &self.value) {
            // Moments as moments, however many decimals they are written with.
            (Value::Text(a), Value::Text(b))
                if let (Ok(a), Ok(b)) = (
                    chrono::DateTime::parse_from_rfc3339(a.as_str()),
                    chrono::DateTime::parse_from_rfc3339(b.as_str()),
                ) =>
            {
                Some(a.cmp(&b))
            }
            // Text is compared as SQL Server compares it: case aside.
            (Value::Text(a), Value::Text(b)) => Some(a.as_str().to_lowercase().cmp(&b.as_str().to_lowercase())),
            (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
            (Value::Null, _) | (_, Value::Null) => None,
            (a, b) => a.compare(b),
        };
        use std::cmp::Ordering::*;
        matches!(
            (self.op, ordering),
            (Op::Eq, Some(Equal))
                | (Op::Ne, Some(Less | Greater) | None)
                | (Op::Gt, Some(Greater))
                | (Op::Lt, Some(Less))
                | (Op::Ge, Some(Greater | Equal))
                | (Op::Le, Some(Less | Equal))
        )
    }
}

/// `Name eq 'O''Brien' and IsActive eq true`.
fn parse_filter(entity: &str, filter: &str) -> Result<Vec<Condition>, String> {
    let fields = Catalog::builtin()
        .entity("eaccounting", entity)
        .map(|schema| &schema.fields)
        .ok_or_else(|| format!("there is no {entity}"))?;
    let mut conditions = Vec::new();
    let mut rest = filter.trim();
    loop {
        let (field, after) = rest
            .split_once(' ')
            .ok_or_else(|| format!("The $filter `{filter}` is not `Field op value`"))?;
        if field.contains('/') {
            return Err(format!(
                "The $filter cannot reach `{field}`: a field inside a list or an object is not filterable"
            ));
        }
        let Some(schema) = fields.get(field) else {
            return Err(format!("Could not find a property named '{field}' on type '{entity}'."));
        };
        if matches!(schema.kind.as_str(), "list" | "object") {
            return Err(format!(
                "The $filter cannot compare `{field}`, which is a {}",
                schema.kind
            ));
        }
        let after = after.trim_start();
        let (op, after) = after
            .split_once(' ')
            .ok_or_else(|| format!("The $filter `{filter}` is not `Field op value`"))?;
        let op = match op {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(format!("`{other}` is not an operator of $filter")),
        };
        let (value, after) = literal(after.trim_start())?;
        conditions.push(Condition {
            field: field.to_string(),
            op,
            value,
        });
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(conditions);
        }
        rest = after
            .strip_prefix("and ")
            .ok_or_else(|| format!("The $filter `{filter}` joins conditions with `and` only"))?;
    }
}

/// A literal at the start of `text`, and what follows it.
fn literal(text: &str) -> Result<(Value<'static>, &str), String> {
    if let Some(quoted) = text.strip_prefix('\'') {
        let mut value = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, next)| *next) == Some('\'') {
                    chars.next();
                    value.push('\'');
                } else {
                    return Ok((Value::from(value), &quoted[at + 1..]));
                }
            } else {
                value.push(c);
            }
        }
        return Err("a text in $filter is not closed with '".to_string());
    }
    let end = text.find(' ').unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    let value = match word {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => match json::parse(word) {
            Ok(number @ (Value::Int(_) | Value::Decimal(_))) => number.into_owned(),
            // A moment or a GUID stands unquoted.
            _ if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-:.+TZ".contains(c)) => {
                Value::from(word.to_string())
            }
            _ => return Err(format!("`{word}` is not a value $filter knows")),
        },
    };
    Ok((value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_as_odata_writes_them() {
        let conditions = parse_filter("customers", "Name eq 'O''Brien & Zn' and IsActive eq true").unwrap();
        assert_eq!(conditions.len(), 2);
        assert_eq!(conditions[0].value, Value::from("O'Brien & Zn".to_string()));
        let record = json::parse(r#"{"Name": "o'brien & zn", "IsActive": true}"#).unwrap();
        assert!(
            conditions.iter().all(|c| c.holds(&record)),
            "text without regard to case"
        );
        let after = parse_filter("customers", "ChangedUtc gt 2024-03-14T10:00:00Z").unwrap();
        let changed = json::parse(r#"{"ChangedUtc": "2024-03-14T10:00:01.000Z"}"#).unwrap();
        assert!(after[0].holds(&changed));
        let same = json::parse(r#"{"ChangedUtc": "2024-03-14T10:00:00.000Z"}"#).unwrap();
        assert!(!after[0].holds(&same), "moments compare as moments");
        assert!(
            parse_filter("quotes", "Rows/Text eq 'x'")
                .unwrap_err()
                .contains("not filterable")
        );
        assert!(
            parse_filter("customers", "Nmae eq 'x'")
                .unwrap_err()
                .contains("Could not find a property")
        );
        assert!(
            parse_filter("customers", "Name eq 'x")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(
            parse_filter("customers", "Name eq 'x' or Name eq 'y'")
                .unwrap_err()
                .contains("`and` only")
        );
    }
}
