//! The Visma.net ERP sandbox: Visma Connect's token endpoint
//! (`/connect/token`) and the Visma.net API v1 (`/v1/...`) as Visma
//! describes them.
//!
//! - The client-credentials grant takes the client as HTTP basic
//!   credentials or in the form, and must name the tenant (`tenant_id`) the
//!   client was given access to; the token grants the scopes asked for
//!   (`vismanet_erp_service_api:read`, `:create`, `:update`), and the API
//!   answers 403 to a request its token has no scope for.
//! - Lists are JSON arrays, paged with `pageNumber` (from 1) and
//!   `pageSize`; filtered with the API's query parameters (`name`,
//!   `email`, `orderType`, ...) and `lastModifiedDateTime` with its
//!   `lastModifiedDateTimeCondition` (`>`, `>=`, `<`, `<=`). A query
//!   parameter the endpoint does not take is refused (400), so that a
//!   connector's mistake shows.
//! - Writes carry every DtoValue field as `{"value": x}`; a plain value
//!   there is refused. POST answers 201 with an empty body and the new
//!   record's `Location`; PUT updates the fields sent and answers 204.
//!   Reads give what was written in the read form (`orderNumber` is read as
//!   `orderNo`, `creditTermsId` as `creditTerms.id`, a sales order's
//!   `customer` as `{number, name}`), without write-only fields.
//! - A sales order's customer and every line's `inventoryId` must exist.
//! - Every API answer carries `X-RateLimit-Limit`, `-Remaining` and
//!   `-Reset` (seconds); past the limit a minute, 429.
//! - Errors come as `{"message": "VismaId: ... Error: ..."}`, and a refused
//!   write as ASP.NET's `{"message", "ModelState": {"entity.field": [...]}}`.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode};

use super::faults::{Dice, Fault};
use super::gate::{self, AccessTokens, Minute, Struck, oauth_error, token_answer};
use super::store;
use super::{Credentials, Options, Shared, Stats, answer, broken, query_pairs, uuid};
use crate::connectors::schema::{Catalog, EntitySchema, FieldSchema, Fields};
use crate::value::{Object, Value, json};

/// The page size when none is asked, and the largest.
const DEFAULT_PAGE: usize = 100;
const LARGEST_PAGE: usize = 1000;

/// The scopes of the API, per kind of request.
const READ: &str = "vismanet_erp_service_api:read";
const CREATE: &str = "vismanet_erp_service_api:create";
const UPDATE: &str = "vismanet_erp_service_api:update";

struct Erp {
    client_id: String,
    client_secret: String,
    tenant: String,
    access_tokens: AccessTokens,
    minute: Minute,
    faults: super::Faults,
    dice: Mutex<Dice>,
    records: Shared,
    stats: Arc<Stats>,
    base: String,
}

pub fn router(base: &str, options: &Options, stats: Arc<Stats>, records: Shared) -> Result<(Router, String), String> {
    let mut dice = options.faults.dice();
    let credentials = options.credentials.clone().unwrap_or_else(|| Credentials {
        id: "sandbox-client".into(),
        secret: "sandbox-client-secret".into(),
        refresh_token: String::new(),
    });
    let tenant = format!("sandbox-tenant-{}", &uuid(&mut dice)[..8]);
    let table = format!(
        "[{}]\nsystem = \"vismanet\"\nbase_url = \"{base}/v1\"\ntoken_url = \"{base}/connect/token\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\ntenant_id = \"{tenant}\"\n",
        options.name, credentials.id, credentials.secret
    );
    let erp = Erp {
        client_id: credentials.id,
        client_secret: credentials.secret,
        tenant,
        access_tokens: AccessTokens::new(options.token_lifetime),
        minute: Minute::new(options.requests_per_minute.unwrap_or(300)),
        faults: options.faults.clone(),
        dice: Mutex::new(dice),
        records,
        stats,
        base: base.to_string(),
    };
    Ok((Router::new().fallback(handle).with_state(Arc::new(erp)), table))
}

async fn handle(State(erp): State<Arc<Erp>>, request: Request) -> Response<Body> {
    let Some(received) = gate::receive(request, &erp.stats, &erp.faults).await else {
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
        return erp.token(&method, &headers, &body);
    }
    let Some(rest) = path.strip_prefix("/v1/") else {
        return error(404, "No HTTP resource was found that matches the request URI");
    };
    let Some(scopes) = erp.access_tokens.admit(&headers) else {
        Stats::count(&erp.stats.refused);
        return error(401, "Authorization has been denied for this request.");
    };
    let needed = match method {
        Method::POST => CREATE,
        Method::PUT => UPDATE,
        _ => READ,
    };
    if !scopes.split(' ').any(|scope| scope == needed) {
        Stats::count(&erp.stats.refused);
        return error(403, &format!("The token has no scope {needed}"));
    }
    let parts: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    let entity = parts.first().copied().unwrap_or("");
    let allowance = match erp.minute.admit(entity) {
        Ok(allowance) => allowance,
        Err(wait) => {
            Stats::count(&erp.stats.limited);
            let mut response = error(429, "API rate limit exceeded");
            super::retry_after(response.headers_mut(), wait, false);
            rate_headers(&mut response, 0, 0, wait);
            return response;
        }
    };
    let fault = match gate::strike(
        &erp.faults,
        &erp.dice,
        &erp.stats,
        entity,
        method == Method::POST,
        error,
    ) {
        Struck::Dropped => return broken(),
        Struck::Answer(response) => return response,
        Struck::CarryOut(fault) => fault,
    };
    let mut response = erp.route(&method, &parts, &query, &body);
    if fault == Some(Fault::CreateThen500) && response.status().is_success() {
        response = error(500, "An error has occurred.");
    }
    rate_headers(&mut response, allowance.limit, allowance.remaining, allowance.reset);
    response
}

fn rate_headers(response: &mut Response<Body>, limit: usize, remaining: usize, reset: u64) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", limit as u64),
        ("x-ratelimit-remaining", remaining as u64),
        ("x-ratelimit-reset", reset),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

impl Erp {
    /// The client-credentials grant.
    fn token(&self, method: &Method, headers: &axum::http::HeaderMap, body: &str) -> Response<Body> {
        if method != Method::POST {
            return oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "POST the token request",
            );
        }
        let form = query_pairs(body);
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let client = gate::basic_client(headers)
            .or_else(|| Some(format!("{}:{}", field("client_id")?, field("client_secret")?)));
        let expected = format!("{}:{}", self.client_id, self.client_secret);
        if client.as_deref() != Some(expected.as_str()) {
            Stats::count(&self.stats.refused);
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unknown client or wrong secret",
            );
        }
        if field("grant_type") != Some("client_credentials") {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "This client has the client-credentials grant",
            );
        }
        if field("tenant_id") != Some(self.tenant.as_str()) {
            Stats::count(&self.stats.refused);
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The client has no access to this tenant",
            );
        }
        let scopes = field("scope").unwrap_or("");
        if let Some(unknown) = scopes
            .split(' ')
            .find(|scope| !scope.is_empty() && ![READ, CREATE, UPDATE].contains(scope))
        {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                &format!("The scope {unknown} is not granted to this client"),
            );
        }
        let access = self.access_tokens.give(&mut self.dice.lock().unwrap(), scopes);
        token_answer(access, self.access_tokens.lifetime(), None)
    }

    fn route(&self, method: &Method, parts: &[&str], query: &str, body: &str) -> Response<Body> {
        let entity = parts.first().copied().unwrap_or("");
        let Some(schema) = Catalog::builtin().entity("vismanet", entity) else {
            return error(404, "No HTTP resource was found that matches the request URI");
        };
        match (method.as_str(), &parts[1..]) {
            ("GET", []) => self.list(entity, schema, query),
            ("GET", [id]) => match self.held(entity, &schema.id, id) {
                Some(record) => answer(StatusCode::OK, &record),
                None => error(404, &format!("{entity} {id} not found")),
            },
            ("POST", []) if !schema.read_only => self.create(entity, schema, body),
            ("PUT", [id]) if !schema.read_only => self.update(entity, schema, id, body),
            _ => error(405, "The requested resource does not support this method"),
        }
    }

    fn held(&self, entity: &str, id_field: &str, id: &str) -> Option<Value<'static>> {
        let records = self.records.lock().unwrap();
        records
            .of(entity)
            .iter()
            .find(|record| text_of(record, id_field).as_deref() == Some(id))
            .cloned()
    }

    fn list(&self, entity: &str, schema: &EntitySchema, query: &str) -> Response<Body> {
        let mut page = 1;
        let mut size = DEFAULT_PAGE;
        let mut since: Option<(String, String)> = None;
        let mut condition = ">".to_string();
        let mut filters = Vec::new();
        for (name, value) in query_pairs(query) {
            let number = || value.parse::<usize>().ok().filter(|number| *number > 0);
            match name.as_str() {
                "pageNumber" => match number() {
                    Some(number) => page = number,
                    None => return error(400, "pageNumber is a whole number from 1"),
                },
                "pageSize" => match number() {
                    Some(number) => size = number.min(LARGEST_PAGE),
                    None => return error(400, "pageSize is a whole number from 1"),
                },
                "lastModifiedDateTime" | "createdDateTime" if schema.cursor.is_some() => {
                    since = Some((name.clone(), value))
                }
                "lastModifiedDateTimeCondition" | "createdDateTimeCondition" => condition = value,
                _ => match query_filters(entity).iter().find(|(parameter, _)| *parameter == name) {
                    Some((_, field)) => filters.push((*field, value)),
                    None => {
                        return error(400, &format!("The query parameter {name} is not supported by {entity}"));
                    }
                },
            }
        }
        let records = self.records.lock().unwrap();
        let mut found: Vec<&Value<'static>> = records
            .of(entity)
            .iter()
            .filter(|record| {
                filters
                    .iter()
                    .all(|(field, wanted)| text_at(record, field).is_some_and(|held| held.eq_ignore_ascii_case(wanted)))
            })
            .collect();
        if let Some((field, moment)) = &since {
            let Some(wanted) = moment_of(moment) else {
                return error(400, &format!("{field} `{moment}` is not a date and time"));
            };
            let keep = |held: chrono::NaiveDateTime| match condition.as_str() {
                ">" => held > wanted,
                ">=" => held >= wanted,
                "<" => held < wanted,
                "<=" => held <= wanted,
                _ => false,
            };
            if ![">", ">=", "<", "<="].contains(&condition.as_str()) {
                return error(400, &format!("`{condition}` is not a condition of {field}"));
            }
            found.retain(|record| {
                text_of(record, field)
                    .and_then(|held| moment_of(&held))
                    .is_some_and(keep)
            });
        }
        let page: Vec<Value<'static>> = found
            .into_iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .cloned()
            .collect();
        answer(StatusCode::OK, &Value::list(page))
    }

    fn create(&self, entity: &str, schema: &EntitySchema, body: &str) -> Response<Body> {
        let record = match self.unwrapped(entity, schema, body, true) {
            Ok(record) => record,
            Err(response) => return *response,
        };
        let mut dice = self.dice.lock().unwrap();
        let mut records = self.records.lock().unwrap();
        let mut fields = match self.read_form(&records, entity, schema, record) {
            Ok(fields) => fields,
            Err(message) => return error(400, &message),
        };
        let id_field = schema.id.as_str();
        let list = records.of(entity);
        let id = match text_of(&Value::object(fields.clone()), id_field) {
            Some(id) if list.iter().any(|held| text_of(held, id_field).as_deref() == Some(&id)) => {
                return error(400, &format!("Error: {entity} {id} already exists."));
            }
            Some(id) => id,
            None => next_number(list, id_field),
        };
        fields.insert(id_field.to_string(), Value::from(id.clone()));
        if entity == "inventory" {
            fields.insert("inventoryId", Value::Int(dice.roll() as i64 & 0xFFFF_FFFF));
        }
        if let Some(lines) = fields.get("lines").and_then(Value::as_list) {
            let numbered = lines
                .iter()
                .enumerate()
                .map(|(at, line)| with_field(line, "lineNbr", Value::Int(at as i64 + 1)))
                .collect();
            fields.insert("lines", Value::list(numbered));
        }
        stamp(&mut fields, true);
        records.of_mut(entity).push(Value::object(fields));
        Stats::count(&self.stats.created);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::CREATED;
        if let Ok(location) = HeaderValue::from_str(&format!("{}/v1/{entity}/{id}", self.base)) {
            response.headers_mut().insert("location", location);
        }
        response
    }

    fn update(&self, entity: &str, schema: &EntitySchema, id: &str, body: &str) -> Response<Body> {
        let record = match self.unwrapped(entity, schema, body, false) {
            Ok(record) => record,
            Err(response) => return *response,
        };
        let mut records = self.records.lock().unwrap();
        let mut changes = match self.read_form(&records, entity, schema, record) {
            Ok(fields) => fields,
            Err(message) => return error(400, &message),
        };
        let id_field = schema.id.as_str();
        let Some(held) = records
            .of_mut(entity)
            .iter_mut()
            .find(|held| text_of(held, id_field).as_deref() == Some(id))
        else {
            return error(404, &format!("{entity} {id} not found"));
        };
        let mut fields = held.as_object().cloned().unwrap_or_default();
        if let Some(lines) = changes.remove("lines") {
            match apply_lines(fields.get("lines"), &lines) {
                Ok(lines) => fields.insert("lines", lines),
                Err(message) => return error(400, &message),
            }
        }
        for (name, value) in changes.iter() {
            if name != id_field {
                fields.insert(name.to_string(), value.clone());
            }
        }
        stamp(&mut fields, false);
        *held = Value::object(fields);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        response
    }

    /// The body of a write, each DtoValue field taken out of its
    /// `{"value": x}` and the whole checked against the schema.
    fn unwrapped(
        &self,
        entity: &str,
        schema: &EntitySchema,
        body: &str,
        creating: bool,
    ) -> Result<Value<'static>, Box<Response<Body>>> {
        let record = json::parse(body)
            .map(Value::into_owned)
            .map_err(|_| Box::new(error(400, "The request body is not valid JSON")))?;
        let mut problems = store::Problems::new();
        let plain = unwrap_object(&record, &schema.fields, "", &mut problems);
        if problems.is_empty()
            && let Err(found) = store::check("vismanet", entity, &plain, creating)
        {
            problems = found;
        }
        if problems.is_empty() {
            Ok(plain)
        } else {
            Err(Box::new(invalid(entity, &problems)))
        }
    }

    /// A written record as it is read: write-only fields turned into what
    /// reads show of them, references checked.
    fn read_form(
        &self,
        records: &store::Records,
        entity: &str,
        schema: &EntitySchema,
        record: Value<'static>,
    ) -> Result<Object<'static>, String> {
        let mut fields = record.as_object().cloned().unwrap_or_default();
        if entity == "salesorder" {
            if let Some(number) = fields.remove("orderNumber") {
                fields.insert("orderNo", number);
            }
            if let Some(customer) = fields.get("customer").and_then(|customer| customer.to_text()) {
                let Some(held) = records
                    .of("customer")
                    .iter()
                    .find(|held| text_of(held, "number").as_deref() == Some(&customer))
                else {
                    return Err(format!("Error: 'Customer' cannot be found in the system: {customer}."));
                };
                let mut reference = Object::new();
                reference.push("number", Value::from(customer.into_owned()));
                reference.push("name", held.get("name").cloned().unwrap_or(Value::Null));
                fields.insert("customer", Value::object(reference));
            }
            // The terms are written by their id, and read as the terms.
            if let Some(terms) = fields.get("terms").and_then(|terms| terms.as_str().map(String::from)) {
                let mut reference = Object::new();
                reference.push("id", Value::from(terms));
                fields.insert("terms", Value::object(reference));
            }
            for line in fields.get("lines").and_then(Value::as_list).unwrap_or(&[]) {
                if let Some(item) = line.get("inventoryId").and_then(|item| item.to_text())
                    && !records
                        .of("inventory")
                        .iter()
                        .any(|held| text_of(held, "inventoryNumber").as_deref() == Some(&item))
                {
                    return Err(format!("Error: 'Inventory ID' cannot be found in the system: {item}."));
                }
            }
        }
        // `creditTermsId` is read as `creditTerms.id`, `parentRecordNumber`
        // as `parentRecord.number`; other write-only fields are not read.
        let write_only: Vec<String> = schema
            .fields
            .iter()
            .filter(|(name, field)| field.write_only && fields.get(name).is_some())
            .map(|(name, _)| name.clone())
            .collect();
        for name in write_only {
            let Some(value) = fields.remove(&name) else {
                continue;
            };
            for (suffix, key) in [("Id", "id"), ("Number", "number")] {
                if let Some(read) = name.strip_suffix(suffix)
                    && schema.fields.get(read).is_some_and(|field| field.read_only)
                {
                    let mut reference = Object::new();
                    reference.push(key, value.clone());
                    fields.insert(read.to_string(), Value::object(reference));
                }
            }
        }
        Ok(fields)
    }
}

/// The query parameters of an endpoint and the record field each filters.
fn query_filters(entity: &str) -> &'static [(&'static str, &'static str)] {
    match entity {
        "customer" => &[
            ("name", "name"),
            ("status", "status"),
            ("corporateId", "corporateId"),
            ("vatRegistrationId", "vatRegistrationId"),
            ("email", "mainContact.email"),
            ("phone", "mainContact.phone1"),
        ],
        "salesorder" => &[("orderType", "orderType"), ("status", "status")],
        "customerinvoice" => &[
            ("documentType", "documentType"),
            ("released", "released"),
            ("status", "status"),
        ],
        "inventory" => &[("status", "status")],
        _ => &[],
    }
}

/// Takes each DtoValue field out of its `{"value": x}`.
fn unwrap_object(
    record: &Value<'static>,
    fields: &Fields,
    prefix: &str,
    problems: &mut store::Problems,
) -> Value<'static> {
    let Some(object) = record.as_object() else {
        return record.clone();
    };
    let mut plain = Object::with_capacity(object.len());
    for (name, value) in object.iter() {
        let path = format!("{prefix}{name}");
        let value = match fields.get(name) {
            Some(field) => unwrap_field(value, field, &path, problems),
            None => value.clone(),
        };
        plain.push(name.to_string(), value);
    }
    Value::object(plain)
}

fn unwrap_field(
    value: &Value<'static>,
    field: &FieldSchema,
    path: &str,
    problems: &mut store::Problems,
) -> Value<'static> {
    let inner = if field.wrapped {
        match value.as_object() {
            Some(holder) if holder.len() == 1 && holder.get("value").is_some() => {
                holder.get("value").cloned().unwrap_or(Value::Null)
            }
            _ => {
                problems.push((path.to_string(), format!("{path} is written as {{\"value\": ...}}.")));
                return value.clone();
            }
        }
    } else {
        value.clone()
    };
    match (&inner, &field.fields, &field.items) {
        (Value::Object(_), Some(fields), _) => unwrap_object(&inner, fields, &format!("{path}."), problems),
        (Value::List(items), _, Some(item)) => Value::list(
            items
                .iter()
                .enumerate()
                .map(|(at, element)| unwrap_field(element, item, &format!("{path}[{at}]"), problems))
                .collect(),
        ),
        _ => inner,
    }
}

/// Lines after an update's `operation`s: `Insert` (the default) adds,
/// `Update` and `Delete` find the line by its `lineNbr`.
fn apply_lines(held: Option<&Value<'static>>, changes: &Value<'static>) -> Result<Value<'static>, String> {
    let mut lines: Vec<Value<'static>> = held.and_then(Value::as_list).map(<[_]>::to_vec).unwrap_or_default();
    let mut next = lines
        .iter()
        .filter_map(|line| line.get("lineNbr").and_then(line_number))
        .max()
        .unwrap_or(0);
    for change in changes.as_list().unwrap_or(&[]) {
        let operation = change.get("operation").and_then(|op| op.to_text()).unwrap_or_default();
        let number = change.get("lineNbr").and_then(line_number);
        let at = number.and_then(|number| {
            lines
                .iter()
                .position(|line| line.get("lineNbr").and_then(line_number) == Some(number))
        });
        let change = change.as_object().map(|fields| {
            let mut fields = fields.clone();
            fields.remove("operation");
            fields
        });
        match (operation.as_ref(), at) {
            ("" | "Insert", _) => {
                next += 1;
                let mut line = change.unwrap_or_default();
                line.insert("lineNbr", Value::Int(next));
                lines.push(Value::object(line));
            }
            ("Update", Some(at)) => {
                let mut line = lines[at].as_object().cloned().unwrap_or_default();
                for (name, value) in change.unwrap_or_default().iter() {
                    line.insert(name.to_string(), value.clone());
                }
                lines[at] = Value::object(line);
            }
            ("Delete", Some(at)) => {
                lines.remove(at);
            }
            ("Update" | "Delete", None) => {
                return Err(format!("Error: the order has no line {}.", number.unwrap_or(0)));
            }
            (other, _) => {
                return Err(format!(
                    "Error: `{other}` is not an operation (Insert, Update, Delete)."
                ));
            }
        }
    }
    Ok(Value::list(lines))
}

fn line_number(line: &Value<'_>) -> Option<i64> {
    match line {
        Value::Int(number) => Some(*number),
        _ => None,
    }
}

fn with_field(record: &Value<'static>, name: &str, value: Value<'static>) -> Value<'static> {
    let mut fields = record.as_object().cloned().unwrap_or_default();
    fields.remove("operation");
    fields.insert(name.to_string(), value);
    Value::object(fields)
}

/// The next free number among the records' ids (customers from 10001).
fn next_number(records: &[Value<'static>], id_field: &str) -> String {
    let highest = records
        .iter()
        .filter_map(|record| text_of(record, id_field))
        .filter_map(|id| id.parse::<u64>().ok())
        .max()
        .unwrap_or(10000);
    (highest + 1).to_string()
}

fn text_of(record: &Value<'_>, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(|value| value.to_text())
        .map(|text| text.into_owned())
}

/// The text at a dotted path (`mainContact.email`).
fn text_at(record: &Value<'_>, path: &str) -> Option<String> {
    let mut value = record;
    for part in path.split('.') {
        value = value.get(part)?;
    }
    value.to_text().map(|text| text.into_owned())
}

/// A moment as Visma.net writes it (`2024-03-14T10:00:00.123`, with or
/// without an offset).
fn moment_of(text: &str) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|moment| moment.naive_utc())
        .ok()
        .or_else(|| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok())
}

/// Sets the moments Visma.net keeps itself.
fn stamp(fields: &mut Object<'static>, creating: bool) {
    let now = Value::from(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f").to_string());
    fields.insert("lastModifiedDateTime", now.clone());
    if creating {
        fields.insert("createdDateTime", now);
    }
}

/// Visma.net's error answer.
fn error(status: u16, message: &str) -> Response<Body> {
    let mut body = Object::new();
    body.push("message", Value::from(format!("VismaId: sandbox-{status}. {message}")));
    answer(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &Value::object(body),
    )
}

fn invalid(entity: &str, problems: &store::Problems) -> Response<Body> {
    let mut state = Object::new();
    for (field, message) in problems {
        state.push(
            format!("{entity}.{field}"),
            Value::list(vec![Value::from(message.clone())]),
        );
    }
    let mut body = Object::new();
    body.push("message", Value::from("The request is invalid.".to_string()));
    body.push("ModelState", Value::object(state));
    answer(StatusCode::BAD_REQUEST, &Value::object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_unwrapped_and_plain_values_refused() {
        let schema = Catalog::builtin().entity("vismanet", "salesorder").unwrap();
        let order = json::parse(
            r#"{"orderType": {"value": "SO"}, "customer": {"value": "10023"}, "lines": [{"inventoryId": {"value": "A1"}, "quantity": {"value": 2}}], "soShippingAddress": {"value": {"city": {"value": "Utrecht"}}}}"#,
        )
        .unwrap()
        .into_owned();
        let mut problems = Vec::new();
        let plain = unwrap_object(&order, &schema.fields, "", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            json::to_string(&plain),
            r#"{"orderType":"SO","customer":"10023","lines":[{"inventoryId":"A1","quantity":2}],"soShippingAddress":{"city":"Utrecht"}}"#
        );
        let bare = json::parse(r#"{"orderType": "SO", "customer": {"value": "1"}}"#)
            .unwrap()
            .into_owned();
        unwrap_object(&bare, &schema.fields, "", &mut problems);
        assert_eq!(
            problems,
            [(
                "orderType".to_string(),
                "orderType is written as {\"value\": ...}.".to_string()
            )]
        );
    }

    #[test]
    fn lines_are_inserted_updated_and_deleted_by_number() {
        let held = json::parse(r#"[{"lineNbr": 1, "quantity": 1}, {"lineNbr": 2, "quantity": 5}]"#)
            .unwrap()
            .into_owned();
        let changes = json::parse(
            r#"[{"operation": "Update", "lineNbr": 1, "quantity": 3}, {"operation": "Delete", "lineNbr": 2}, {"quantity": 9}]"#,
        )
        .unwrap()
        .into_owned();
        let lines = apply_lines(Some(&held), &changes).unwrap();
        assert_eq!(
            json::to_string(&lines),
            r#"[{"lineNbr":1,"quantity":3},{"quantity":9,"lineNbr":3}]"#
        );
        let missing = json::parse(r#"[{"operation": "Delete", "lineNbr": 7}]"#)
            .unwrap()
            .into_owned();
        assert!(apply_lines(Some(&held), &missing).unwrap_err().contains("no line 7"));
    }

    #[test]
    fn moments_are_read_with_and_without_an_offset() {
        assert!(moment_of("2024-03-14T10:00:00.123").is_some());
        assert!(moment_of("2024-03-14T10:00:00Z").is_some());
        assert!(moment_of("yesterday").is_none());
    }
}
