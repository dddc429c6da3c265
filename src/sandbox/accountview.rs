//! The AccountView sandbox: Visma's identity server (`/connect/token`, the
//! refresh grant with rotating refresh tokens) and AccountView.net's API
//! v3 (`/api/v3/accountviewdata`) as AccountView describes it.
//!
//! - Every request needs `Authorization: Bearer` with a live token and the
//!   company in `X-Company`.
//! - `GET /accountviewdata?BusinessObject=AR1` answers `{"CONTACT": [...]}`
//!   (a sales order's lines in their own `SO_LINE` array, with the order's
//!   `ORD_NR` and `HeaderId`), paged by `PageNumber` (from 1) and
//!   `PageSize`, sorted by `SortFields`, filtered by numbered groups of
//!   `FilterControlSource`, `FilterOperator` (`Equal`, `NotEqual`,
//!   `DateOnOrAfterDate`, `DateOnOrBeforeDate`), `FilterValueType` (`C`,
//!   `N`, `L`, `T` as `{^2024-03-14 10:00:00}`, `D`) and `FilterValue`.
//!   Text compares without regard to case or trailing blanks, as
//!   AccountView's tables do.
//! - POST writes a record as the table definition and positional values
//!   (detail rows linked by `HeaderId`); PUT does so over the record whose
//!   key is the body's `id`. A field's type code must be the one
//!   AccountView's data dictionary gives it; values are checked against the
//!   schema. The answer is the record as AccountView holds it.
//! - Errors come as `{"ErrorType", "ErrorNumbers", "ErrorMessage"}`; a write
//!   AccountView refuses on its rules (a key that exists, a mandatory field
//!   left out) is answered so with a 200, as AccountView.net does.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Response, StatusCode};

use super::faults::{Dice, Fault};
use super::gate::{self, AccessTokens, Minute, RefreshGrant, Struck};
use super::store;
use super::{Credentials, Options, Shared, Stats, answer, broken, query_pairs, uuid};
use crate::connectors::schema::{Catalog, EntitySchema};
use crate::value::{Object, Value, json};

const DEFAULT_PAGE: usize = 100;
const LARGEST_PAGE: usize = 1000;

/// Business object, its table, detail table and the entity it holds.
const OBJECTS: &[(&str, &str, Option<&str>, &str)] = &[
    ("AR1", "CONTACT", None, "debtors"),
    ("AK1", "ARTICLE", None, "articles"),
    ("AG1", "ART_GRP", None, "article_groups"),
    ("SO1", "SO_HDR", Some("SO_LINE"), "sales_orders"),
    ("DJ2", "DJ_PAGE", Some("DJ_LINE"), "sales_invoices"),
    ("VT1", "VAT", None, "vat_codes"),
];

struct Office {
    grant: RefreshGrant,
    access_tokens: AccessTokens,
    company: String,
    minute: Minute,
    faults: super::Faults,
    dice: Mutex<Dice>,
    records: Shared,
    stats: Arc<Stats>,
}

/// A business object the request names.
#[derive(Clone, Copy)]
struct Business {
    code: &'static str,
    table: &'static str,
    detail: Option<&'static str>,
    entity: &'static str,
}

fn object(code: &str) -> Option<Business> {
    OBJECTS
        .iter()
        .find(|(known, ..)| known.eq_ignore_ascii_case(code))
        .map(|&(code, table, detail, entity)| Business {
            code,
            table,
            detail,
            entity,
        })
}

pub fn router(base: &str, options: &Options, stats: Arc<Stats>, records: Shared) -> Result<(Router, String), String> {
    let mut dice = options.faults.dice();
    let credentials = options.credentials.clone().unwrap_or_else(|| Credentials {
        id: "sandbox-client".into(),
        secret: "sandbox-client-secret".into(),
        refresh_token: format!("sandbox-refresh-{}", &uuid(&mut dice)[..8]),
    });
    let company = uuid(&mut dice);
    let table = format!(
        "[{}]\nsystem = \"accountview\"\nbase_url = \"{base}/api/v3\"\ntoken_url = \"{base}/connect/token\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nrefresh_token = \"{}\"\ncompany_id = \"{company}\"\n",
        options.name, credentials.id, credentials.secret, credentials.refresh_token
    );
    let office = Office {
        grant: RefreshGrant::new(&credentials),
        access_tokens: AccessTokens::new(options.token_lifetime),
        company,
        minute: Minute::new(options.requests_per_minute.unwrap_or(300)),
        faults: options.faults.clone(),
        dice: Mutex::new(dice),
        records,
        stats,
    };
    Ok((Router::new().fallback(handle).with_state(Arc::new(office)), table))
}

async fn handle(State(office): State<Arc<Office>>, request: Request) -> Response<Body> {
    let Some(received) = gate::receive(request, &office.stats, &office.faults).await else {
        return error(413, 413, "The request is too large");
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
        return office.grant.token(
            &method,
            &headers,
            &body,
            &office.access_tokens,
            &office.dice,
            &office.stats,
        );
    }
    if !path.eq_ignore_ascii_case("/api/v3/accountviewdata") {
        return error(404, 404, "No resource was found that matches the request URI");
    }
    if office.access_tokens.admit(&headers).is_none() {
        Stats::count(&office.stats.refused);
        return error(401, 401, "Authorization has been denied for this request.");
    }
    if header(&headers, "x-company") != Some(office.company.as_str()) {
        Stats::count(&office.stats.refused);
        return error(403, 403, "X-Company names no company this user may use");
    }
    let pairs = query_pairs(&query);
    let named = pairs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("BusinessObject"))
        .map(|(_, code)| code.clone())
        .or_else(|| {
            json::parse(&body).ok().and_then(|body| {
                body.get("BusinessObject")
                    .and_then(Value::to_text)
                    .map(|code| code.into_owned())
            })
        })
        .unwrap_or_default();
    let Some(object) = object(&named) else {
        return error(400, 1001, &format!("Business object '{named}' is unknown"));
    };
    if let Err(wait) = office.minute.admit(object.code) {
        Stats::count(&office.stats.limited);
        let mut response = error(429, 429, "Too many requests");
        super::retry_after(response.headers_mut(), wait, false);
        return response;
    }
    let creating = method == Method::POST;
    let fault = match gate::strike(
        &office.faults,
        &office.dice,
        &office.stats,
        object.entity,
        creating,
        |status, message| error(status, i64::from(status), message),
    ) {
        Struck::Dropped => return broken(),
        Struck::Answer(response) => return response,
        Struck::CarryOut(fault) => fault,
    };
    let response = match method {
        Method::GET => office.list(object, &pairs),
        Method::POST => office.write(object, &body, true),
        Method::PUT if object.code == "DJ2" => error(405, 1009, "Journal pages cannot be changed through the API"),
        Method::PUT => office.write(object, &body, false),
        _ => error(405, 405, "The requested resource does not support this method"),
    };
    if fault == Some(Fault::CreateThen500) && response.status().is_success() {
        return error(500, 500, "An error has occurred.");
    }
    response
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim)
}

impl Office {
    fn list(&self, object: Business, pairs: &[(String, String)]) -> Response<Body> {
        let Some(schema) = Catalog::builtin().entity("accountview", object.entity) else {
            return error(400, 1001, "Business object is unknown");
        };
        let parameter = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        };
        let mut filters = Vec::new();
        for n in 1.. {
            let Some(field) = parameter(&format!("FilterControlSource{n}")) else {
                break;
            };
            let operator = parameter(&format!("FilterOperator{n}")).unwrap_or("Equal");
            let value_type = parameter(&format!("FilterValueType{n}")).unwrap_or("C");
            let value = parameter(&format!("FilterValue{n}")).unwrap_or("");
            match Condition::read(schema, field, operator, value_type, value) {
                Ok(condition) => filters.push(condition),
                Err(message) => return error(400, 1002, &message),
            }
        }
        for (name, _) in pairs {
            let known = [
                "BusinessObject",
                "PageNumber",
                "PageSize",
                "SortFields",
                "SortOrder",
                "BookDate",
                "Fields",
            ]
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
                || [
                    "FilterControlSource",
                    "FilterOperator",
                    "FilterValueType",
                    "FilterValue",
                    "FilterIsListOfValues",
                ]
                .iter()
                .any(|prefix| name.len() > prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix));
            if !known {
                return error(400, 1003, &format!("The parameter {name} is unknown"));
            }
        }
        let number = |name: &str, default: usize| match parameter(name) {
            Some(text) => text.parse::<usize>().ok().filter(|n| *n > 0),
            None => Some(default),
        };
        let (Some(page), Some(size)) = (number("PageNumber", 1), number("PageSize", DEFAULT_PAGE)) else {
            return error(400, 1004, "PageNumber and PageSize are whole numbers from 1");
        };
        let size = size.min(LARGEST_PAGE);
        let held = self.records.lock().unwrap();
        let mut found: Vec<&Value<'static>> = held
            .of(object.entity)
            .iter()
            .filter(|record| filters.iter().all(|condition| condition.holds(record)))
            .collect();
        if let Some(field) = parameter("SortFields") {
            if !schema.fields.contains_key(field) {
                return error(400, 1002, &format!("Field {field} is unknown in {}", object.table));
            }
            found.sort_by(|a, b| {
                a.get(field)
                    .zip(b.get(field))
                    .and_then(|(a, b)| a.compare(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            if parameter("SortOrder").is_some_and(|order| order.eq_ignore_ascii_case("DESC")) {
                found.reverse();
            }
        }
        let page: Vec<&Value<'static>> = found
            .into_iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .collect();
        answer(StatusCode::OK, &tables(object, &schema.id, &page))
    }

    fn write(&self, object: Business, body: &str, creating: bool) -> Response<Body> {
        let Some(schema) = Catalog::builtin().entity("accountview", object.entity) else {
            return error(400, 1001, "Business object is unknown");
        };
        if schema.read_only {
            return error(400, 1005, &format!("{} cannot be written through the API", object.code));
        }
        let Ok(body) = json::parse(body) else {
            return error(400, 1006, "The request body is not valid JSON");
        };
        let mut record = match read_write(object, schema, &body) {
            Ok(record) => record,
            Err(message) => return error(400, 1007, &message),
        };
        // Business rules are answered with a 200 that carries the error.
        let refused = |message: &str| error(200, 2001, message);
        if let Err(problems) = store::check("accountview", object.entity, &Value::object(record.clone()), creating) {
            return refused(&store::described(&problems));
        }
        let id_field = schema.id.as_str();
        let now = Value::from(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string());
        let mut held = self.records.lock().unwrap();
        let records = held.of_mut(object.entity);
        let stored = if creating {
            let id = match record.get(id_field).and_then(Value::to_text) {
                Some(id) if records.iter().any(|held| same_text(held.get(id_field), &id)) => {
                    return refused(&format!("{id_field} {id} bestaat al"));
                }
                Some(id) => id.into_owned(),
                None => next_number(records, id_field),
            };
            record.insert(id_field.to_string(), Value::from(id));
            record.insert("INP_DATE", now.clone());
            record.insert("CNG_DATE", now);
            records.push(Value::object(record));
            Stats::count(&self.stats.created);
            records.last().cloned()
        } else {
            let Some(id) = body.get("id").and_then(Value::to_text) else {
                return error(400, 1008, "An update names its record by id");
            };
            let Some(held) = records.iter_mut().find(|held| same_text(held.get(id_field), &id)) else {
                return refused(&format!("{id_field} {id} bestaat niet"));
            };
            let mut fields = held.as_object().cloned().unwrap_or_default();
            for (name, value) in record.iter() {
                if name != id_field {
                    fields.insert(name.to_string(), value.clone());
                }
            }
            fields.insert("CNG_DATE", now);
            *held = Value::object(fields);
            Some(held.clone())
        };
        let stored: Vec<&Value<'static>> = stored.iter().collect();
        answer(StatusCode::OK, &tables(object, id_field, &stored))
    }
}

/// The tables of an answer: the records' rows, and their lines as the
/// detail table's rows (with the record's key and `HeaderId`).
fn tables(object: Business, id_field: &str, records: &[&Value<'static>]) -> Value<'static> {
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for (at, record) in records.iter().enumerate() {
        let mut row = record.as_object().cloned().unwrap_or_default();
        if let Some(detail) = object.detail {
            let row_id = Value::from((at + 1).to_string());
            for (n, line) in row
                .remove(detail)
                .as_ref()
                .and_then(Value::as_list)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let mut line = line.as_object().cloned().unwrap_or_default();
                line.insert("RowId", Value::from((n + 1).to_string()));
                line.insert("HeaderId", row_id.clone());
                line.insert(
                    id_field.to_string(),
                    record.get(id_field).cloned().unwrap_or(Value::Null),
                );
                lines.push(Value::object(line));
            }
            row.insert("RowId", row_id);
        }
        rows.push(Value::object(row));
    }
    let mut answer = Object::new();
    answer.push(object.table, Value::list(rows));
    if let Some(detail) = object.detail {
        answer.push(detail, Value::list(lines));
    }
    Value::object(answer)
}

/// A record from a write's table definition and positional values.
fn read_write(object: Business, schema: &EntitySchema, body: &Value<'_>) -> Result<Object<'static>, String> {
    let code = body.get("BusinessObject").and_then(Value::to_text).unwrap_or_default();
    if !code.eq_ignore_ascii_case(object.code) {
        return Err(format!("BusinessObject '{code}' is not {}", object.code));
    }
    let table = body.get("Table").ok_or("The body has no Table")?;
    let data = body.get("TableData").ok_or("The body has no TableData")?;
    let definition = table.get("Definition").ok_or("The Table has no Definition")?;
    let header_fields = definition_fields(definition, object.table, |name| schema.fields.get(name))?;
    let header_rows = data
        .get("Data")
        .and_then(|data| data.get("Rows"))
        .and_then(Value::as_list)
        .ok_or("TableData has no Data.Rows")?;
    let [header] = header_rows else {
        return Err(format!(
            "Data.Rows holds {} rows; a write is one record",
            header_rows.len()
        ));
    };
    let mut record = row(&header_fields, header)?;
    let row_id = record
        .remove("RowId")
        .and_then(|id| id.to_text().map(|id| id.into_owned()));
    let details = table.get("DetailDefinitions").and_then(Value::as_list).unwrap_or(&[]);
    match (object.detail, details) {
        (_, []) => {}
        (Some(detail), [definition]) => {
            let line_schema = schema
                .fields
                .get(detail)
                .and_then(|field| field.items.as_deref())
                .and_then(|items| items.fields.as_ref());
            let fields = definition_fields(definition, detail, |name| {
                line_schema.and_then(|fields| fields.get(name))
            })?;
            let rows = data
                .get("DetailData")
                .and_then(Value::as_list)
                .and_then(|data| data.first())
                .and_then(|data| data.get("Rows"))
                .and_then(Value::as_list)
                .unwrap_or(&[]);
            let mut lines = Vec::new();
            for values in rows {
                let mut line = row(&fields, values)?;
                let header = line
                    .remove("HeaderId")
                    .and_then(|id| id.to_text().map(|id| id.into_owned()));
                if header != row_id {
                    return Err(format!("a detail row's HeaderId {header:?} is no header's RowId"));
                }
                line.remove("RowId");
                lines.push(Value::object(line));
            }
            record.insert(detail.to_string(), Value::list(lines));
        }
        _ => return Err(format!("{} has no such detail tables", object.code)),
    }
    Ok(record)
}

/// The fields of a table definition, each checked against the type code
/// AccountView's data dictionary gives it.
fn definition_fields<'s>(
    definition: &Value<'_>,
    table: &str,
    known: impl Fn(&str) -> Option<&'s crate::connectors::schema::FieldSchema>,
) -> Result<Vec<String>, String> {
    let name = definition.get("Name").and_then(Value::to_text).unwrap_or_default();
    if !name.eq_ignore_ascii_case(table) {
        return Err(format!("The definition names table '{name}', not {table}"));
    }
    let mut names = Vec::new();
    for field in definition
        .get("Fields")
        .and_then(Value::as_list)
        .ok_or("A definition has Fields")?
    {
        // .NET reads property names without regard to case.
        let text = |key: &str| {
            field
                .as_object()
                .and_then(|entry| {
                    entry
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(key))
                        .map(|(_, value)| value)
                })
                .and_then(Value::to_text)
                .map(|text| text.into_owned())
        };
        let (Some(name), Some(code)) = (text("Name"), text("FieldType")) else {
            return Err("Each field of a definition has a Name and a FieldType".to_string());
        };
        if !matches!(name.as_str(), "RowId" | "HeaderId")
            && let Some(expected) = known(&name).and_then(|field| field.vendor_type.as_deref())
            && expected != code
        {
            return Err(format!("Field {name} is of type {expected}, not {code}"));
        }
        names.push(name);
    }
    Ok(names)
}

fn row(fields: &[String], row: &Value<'_>) -> Result<Object<'static>, String> {
    let values = row.get("Values").and_then(Value::as_list).ok_or("A row has Values")?;
    if values.len() != fields.len() {
        return Err(format!("A row has {} values for {} fields", values.len(), fields.len()));
    }
    let mut record = Object::with_capacity(fields.len());
    for (name, value) in fields.iter().zip(values) {
        record.push(name.clone(), value.clone().into_owned());
    }
    Ok(record)
}

fn same_text(held: Option<&Value<'_>>, wanted: &str) -> bool {
    held.and_then(Value::to_text)
        .is_some_and(|held| held.trim_end().eq_ignore_ascii_case(wanted.trim_end()))
}

fn next_number(records: &[Value<'static>], id_field: &str) -> String {
    let highest = records
        .iter()
        .filter_map(|record| record.get(id_field).and_then(Value::to_text))
        .filter_map(|id| id.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(10000);
    (highest + 1).to_string()
}

/// One numbered filter.
struct Condition {
    field: String,
    operator: Operator,
    value: Value<'static>,
}

#[derive(Clone, Copy)]
enum Operator {
    Equal,
    NotEqual,
    OnOrAfter,
    OnOrBefore,
}

impl Condition {
    fn read(
        schema: &EntitySchema,
        field: &str,
        operator: &str,
        value_type: &str,
        value: &str,
    ) -> Result<Condition, String> {
        if schema
            .fields
            .get(field)
            .is_none_or(|field| matches!(field.kind.as_str(), "list" | "object"))
        {
            return Err(format!("Field {field} is unknown or cannot be filtered"));
        }
        let operator = match operator {
            "Equal" => Operator::Equal,
            "NotEqual" => Operator::NotEqual,
            "DateOnOrAfterDate" => Operator::OnOrAfter,
            "DateOnOrBeforeDate" => Operator::OnOrBefore,
            other => return Err(format!("FilterOperator '{other}' is unknown")),
        };
        let value = match value_type {
            "C" => Value::from(value.to_string()),
            "N" => match json::parse(value) {
                Ok(number @ (Value::Int(_) | Value::Decimal(_))) => number.into_owned(),
                _ => return Err(format!("FilterValue '{value}' is not a number")),
            },
            "L" => match value.to_ascii_lowercase().as_str() {
                "true" | ".t." => Value::Bool(true),
                "false" | ".f." => Value::Bool(false),
                _ => return Err(format!("FilterValue '{value}' is not logical")),
            },
            "T" | "D" => {
                let inner = value
                    .strip_prefix("{^")
                    .and_then(|value| value.strip_suffix('}'))
                    .ok_or_else(|| format!("FilterValue '{value}' is not a date as {{^YYYY-MM-DD HH:MM:SS}}"))?;
                let moment = chrono::NaiveDateTime::parse_from_str(inner, "%Y-%m-%d %H:%M:%S")
                    .or_else(|_| {
                        chrono::NaiveDate::parse_from_str(inner, "%Y-%m-%d")
                            .map(|day| day.and_time(chrono::NaiveTime::MIN))
                    })
                    .map_err(|_| format!("FilterValue '{value}' is not a date"))?;
                Value::from(moment.format("%Y-%m-%dT%H:%M:%S").to_string())
            }
            other => return Err(format!("FilterValueType '{other}' is unknown")),
        };
        Ok(Condition {
            field: field.to_string(),
            operator,
            value,
        })
    }

    fn holds(&self, record: &Value<'_>) -> bool {
        let held = record.get(&self.field).unwrap_or(&Value::Null);
        let equal = match (held, &self.value) {
            (Value::Text(_), Value::Text(wanted)) => same_text(Some(held), wanted.as_str()),
            (held, wanted) => held.compare(wanted) == Some(std::cmp::Ordering::Equal),
        };
        let moment = |text: &Value<'_>| {
            text.to_text()
                .and_then(|text| chrono::NaiveDateTime::parse_from_str(text.get(..19)?, "%Y-%m-%dT%H:%M:%S").ok())
        };
        match self.operator {
            Operator::Equal => equal,
            Operator::NotEqual => !equal,
            Operator::OnOrAfter => moment(held)
                .zip(moment(&self.value))
                .is_some_and(|(held, from)| held >= from),
            Operator::OnOrBefore => moment(held)
                .zip(moment(&self.value))
                .is_some_and(|(held, to)| held <= to),
        }
    }
}

/// AccountView's error answer.
fn error(status: u16, number: i64, message: &str) -> Response<Body> {
    let mut body = Object::new();
    body.push("ErrorType", Value::from("AccountViewError".to_string()));
    body.push("ErrorNumbers", Value::list(vec![Value::Int(number)]));
    body.push("ErrorMessage", Value::from(message.to_string()));
    answer(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &Value::object(body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_read_from_its_definition_and_values() {
        let schema = Catalog::builtin().entity("accountview", "sales_orders").unwrap();
        let body = json::parse(
            r#"{"BookDate": "2024-03-14T10:30:00.000Z", "BusinessObject": "SO1",
                "Table": {"Definition": {"Name": "SO_HDR", "Fields": [{"name": "RowId", "FieldType": "C"}, {"name": "RPL_INV", "FieldType": "C"}]},
                          "DetailDefinitions": [{"Name": "SO_LINE", "Fields": [{"Name": "RowId", "FieldType": "C"}, {"Name": "HeaderId", "FieldType": "C"}, {"Name": "ART_CODE", "FieldType": "C"}, {"Name": "ORD_QTY", "FieldType": "N"}]}]},
                "TableData": {"Data": {"Rows": [{"Values": ["1", "10023"]}]}, "DetailData": [{"Rows": [{"Values": ["1", "1", "100234", 3]}]}]}}"#,
        )
        .unwrap();
        let record = read_write(object("SO1").unwrap(), schema, &body).unwrap();
        assert_eq!(
            json::to_string(&Value::object(record)),
            r#"{"RPL_INV":"10023","SO_LINE":[{"ART_CODE":"100234","ORD_QTY":3}]}"#
        );
        let wrong = json::to_string(&body).replace(r#""FieldType":"N""#, r#""FieldType":"C""#);
        let message = read_write(object("SO1").unwrap(), schema, &json::parse(&wrong).unwrap()).unwrap_err();
        assert_eq!(message, "Field ORD_QTY is of type N, not C");
    }

    #[test]
    fn filters_compare_as_accountview_does() {
        let schema = Catalog::builtin().entity("accountview", "debtors").unwrap();
        let record = json::parse(r#"{"MAIL_BUS": "Jan@Example.nl  ", "CNG_DATE": "2024-03-14T10:24:10"}"#).unwrap();
        let equal = Condition::read(schema, "MAIL_BUS", "Equal", "C", "jan@example.nl").unwrap();
        assert!(equal.holds(&record));
        let after = Condition::read(schema, "CNG_DATE", "DateOnOrAfterDate", "T", "{^2024-03-14 10:24:10}").unwrap();
        assert!(after.holds(&record));
        let later = Condition::read(schema, "CNG_DATE", "DateOnOrAfterDate", "T", "{^2024-03-14 10:24:11}").unwrap();
        assert!(!later.holds(&record));
        assert!(Condition::read(schema, "MAIL", "Equal", "C", "x").is_err());
    }
}
