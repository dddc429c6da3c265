//! AccountView, through AccountView.net's API v3: one generic endpoint
//! (`/accountviewdata`) addressed by business object ([`objects`]), a
//! bearer token from OAuth2's refresh grant (the refresh token rotates and
//! is kept between runs, as for eAccounting) and the company in the
//! `X-Company` header. Lists are read with `PageNumber` and `PageSize` to
//! their end, sorted by their cursor or id; lookups and gets go through
//! `FilterControlSource`/`FilterOperator`/`FilterValueType`/`FilterValue`
//! on the record's own fields; writes carry the table definition and the
//! values in its order (POST creates, PUT with the record's `id` updates).
//! Errors come as `{"ErrorType", "ErrorNumbers", "ErrorMessage"}`, and
//! AccountView says some of them with a 200: an answer with an
//! `ErrorMessage` is an error, whatever its status.

pub mod objects;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;

use super::connections::{Connection, Secret};
use super::http::tokens::TokenStore;
use super::http::{self, Http, Incoming, Outgoing, Repeat, Tuning, Vendor, oauth, paging};
use super::memory::matches_keys;
use super::schema::{self, EntitySchema};
use super::{Connector, ConnectorError, ErrorKind, Keys, Page, PageRequest, VendorError};
use crate::value::{Value, json};
use objects::BusinessObject;

/// The system's name in messages.
const NAME: &str = "AccountView";

/// The largest page asked for.
const LARGEST_PAGE: usize = 500;

/// The one endpoint of the data.
const DATA: &str = "/accountviewdata";

/// The keys of an `accountview` connection.
#[derive(Deserialize)]
struct Settings {
    /// The API root, with `/api/v3`.
    base_url: String,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
    /// The company (administration) to work in: the `X-Company` header.
    company_id: String,
    #[serde(flatten)]
    tuning: Tuning,
}

const KEYS: &[&str] = &[
    "system",
    "base_url",
    "token_url",
    "client_id",
    "client_secret",
    "refresh_token",
    "company_id",
];

pub struct AccountView {
    http: Http,
    session: Session,
}

struct Session {
    grant: oauth::Refreshing,
    company: HeaderValue,
}

impl AccountView {
    /// The connector of an `accountview` connection; its rotating refresh
    /// token is kept under `state`.
    pub fn open(
        connection: &Connection,
        state: &Path,
        warn: &mut dyn FnMut(String),
    ) -> Result<AccountView, ConnectorError> {
        connection.check_keys(&[KEYS, http::TUNING_KEYS].concat())?;
        let settings: Settings = connection.settings()?;
        let name = &connection.name;
        let client_secret = settings.client_secret.resolve(name, "client_secret", warn)?;
        let refresh_token = settings.refresh_token.resolve(name, "refresh_token", warn)?;
        let root = http::address(name, "base_url", &settings.base_url, warn)?;
        let token_url = http::address(name, "token_url", &settings.token_url, warn)?;
        let company = HeaderValue::from_str(settings.company_id.trim())
            .ok()
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                ConnectorError::local(format!(
                    "connection `{name}`: company_id is the id of an AccountView company, as GET /companies lists them"
                ))
            })?;
        let timeout = Duration::from_secs(settings.tuning.timeout_seconds.unwrap_or(30).max(1));
        let store = TokenStore::new(state, name, &refresh_token);
        let client = oauth::Client::new(token_url, settings.client_id, client_secret, timeout)?;
        Ok(AccountView {
            http: Http::new(root, &settings.tuning, None)?,
            session: Session {
                grant: oauth::Refreshing::new(client, refresh_token, store),
                company,
            },
        })
    }

    fn object(entity: &str) -> Result<(BusinessObject, &'static EntitySchema), ConnectorError> {
        let schema = schema::reached("accountview", NAME, entity)?;
        let object = objects::of(entity)
            .ok_or_else(|| ConnectorError::local(format!("flowc reaches no `{entity}` in {NAME}")))?;
        Ok((object, schema))
    }

    /// The records of an answer (an error when it is one).
    fn records(
        &self,
        object: BusinessObject,
        schema: &EntitySchema,
        response: &Incoming,
        method: &str,
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        let answer = response.json(NAME)?;
        refused(&answer).map_or(Ok(()), Err)?;
        objects::records(object, &schema.id, &answer).ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} answered without the table {} of {}", object.table, object.code),
            )
            .with_request(method, DATA)
        })
    }

    /// One page of `object`'s records that pass `filters`.
    async fn page(
        &self,
        object: BusinessObject,
        schema: &EntitySchema,
        filters: &[Filter],
        page: usize,
        size: usize,
    ) -> Result<(Vec<Value<'static>>, bool), ConnectorError> {
        let mut request = Outgoing::new(Method::GET, DATA)
            .query("BusinessObject", object.code)
            .query("PageNumber", page)
            .query("PageSize", size)
            .query("SortFields", schema.cursor.as_deref().unwrap_or(&schema.id));
        for (at, filter) in filters.iter().enumerate() {
            let n = at + 1;
            request = request
                .query(&format!("FilterControlSource{n}"), &filter.field)
                .query(&format!("FilterOperator{n}"), filter.operator)
                .query(&format!("FilterValueType{n}"), filter.value_type)
                .query(&format!("FilterValue{n}"), &filter.value)
                .query(&format!("FilterIsListOfValues{n}"), "false");
        }
        let response = self.http.send(&self.session, &request, Repeat::Safe).await?;
        let records = self.records(object, schema, &response, "GET")?;
        let more = records.len() >= size;
        Ok((records, more))
    }

    /// Every record of `object` that passes `filters`.
    async fn every(
        &self,
        object: BusinessObject,
        schema: &EntitySchema,
        filters: &[Filter],
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        paging::every(NAME, DATA, |read| {
            let (page, size) = paging::numbered(read, LARGEST_PAGE, LARGEST_PAGE);
            self.page(object, schema, filters, page, size)
        })
        .await
    }

    /// The record whose id is `id`.
    async fn by_id(
        &self,
        object: BusinessObject,
        schema: &EntitySchema,
        id: &str,
    ) -> Result<Option<Value<'static>>, ConnectorError> {
        let filter = Filter {
            field: schema.id.clone(),
            operator: "Equal",
            value_type: "C",
            value: id.to_string(),
        };
        let (records, _) = self.page(object, schema, &[filter], 1, 2).await?;
        Ok(records
            .into_iter()
            .find(|record| record.get(&schema.id).and_then(Value::to_text).as_deref() == Some(id)))
    }

    /// Sends a write; gives the record it left.
    async fn write(
        &self,
        entity: &str,
        method: Method,
        payload: &Value<'_>,
        id: Option<&str>,
    ) -> Result<Value<'static>, ConnectorError> {
        let (object, schema) = Self::object(entity)?;
        if schema.read_only {
            return Err(ConnectorError::new(
                ErrorKind::Invalid,
                format!("{NAME} keeps {entity} as reference data: it is read, not written"),
            ));
        }
        let book_date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let body = objects::body(object, schema, payload, id, &book_date);
        let repeat = if method == Method::POST {
            Repeat::Never
        } else {
            Repeat::Safe
        };
        let verb = method.to_string();
        let request = Outgoing::new(method, DATA).json(&body);
        let response = self.http.send(&self.session, &request, repeat).await?;
        let written = if response.body.trim().is_empty() {
            Vec::new()
        } else {
            self.records(object, schema, &response, &verb)?
        };
        if let Some(record) = written.into_iter().next() {
            return Ok(record);
        }
        // No record in the answer: read it back by its id.
        let id = id.map(str::to_string).or_else(|| {
            payload
                .get(&schema.id)
                .and_then(Value::to_text)
                .map(|id| id.into_owned())
        });
        let Some(id) = id else {
            return Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} wrote a record of {entity} and did not say which"),
            )
            .with_request(&verb, DATA));
        };
        self.by_id(object, schema, &id).await?.ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::NotFound,
                format!("{NAME} wrote a record of {entity}, and then had no record {id}"),
            )
        })
    }
}

#[async_trait]
impl Connector for AccountView {
    fn system(&self) -> &str {
        "accountview"
    }

    async fn connect(&self) -> Result<(), ConnectorError> {
        self.session.grant.access_token().await.map(|_| ())
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let (object, schema) = Self::object(entity)?;
        let mut filters = Vec::new();
        if let (Some(after), Some(cursor)) = (request.after, schema.cursor.as_deref()) {
            filters.push(Filter::changed_after(cursor, after)?);
        }
        let (page, size) = paging::numbered(request.start, request.size, LARGEST_PAGE);
        let (records, more) = self.page(object, schema, &filters, page, size).await?;
        Ok(Page { records, more })
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        let (object, schema) = Self::object(entity)?;
        // The record's own fields are filtered by AccountView, and its
        // answer decides (text compared as AccountView does, case and
        // trailing blanks aside); fields inside its lines, and orders
        // (`>=`), are matched here.
        let mut filters = Vec::new();
        let mut matched_here = Vec::new();
        for key in keys {
            match (key.path, key.equal_to()) {
                ([field], Some(value)) if let Some(filter) = Filter::equal(field, value, schema) => {
                    filters.push(filter)
                }
                _ => matched_here.push(*key),
            }
        }
        let mut found = self.every(object, schema, &filters).await?;
        found.retain(|record| matches_keys(record, &matched_here));
        Ok(found)
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        let (object, schema) = Self::object(entity)?;
        match id.to_text() {
            Some(id) => self.by_id(object, schema, &id).await,
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        Self::object(entity)?;
        http::create::create_once(
            self.http.policy(),
            keys,
            || self.write(entity, Method::POST, payload, None),
            || self.find(entity, keys),
        )
        .await
    }

    async fn update(
        &self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        if entity == "sales_invoices" {
            return Err(ConnectorError::new(
                ErrorKind::Invalid,
                format!("{NAME} takes sales invoices once: AccountView.net has no update for them"),
            ));
        }
        let Some(id) = id.to_text().map(|id| id.into_owned()) else {
            return Err(ConnectorError::local(format!("{entity} has no record with id {id}")));
        };
        // The record's key goes with the values, as the row it overwrites.
        let (_, schema) = Self::object(entity)?;
        let mut fields = payload.as_object().cloned().unwrap_or_default();
        if fields.get(&schema.id).is_none() && !schema.fields.get(&schema.id).is_some_and(|field| field.read_only) {
            fields.insert(schema.id.clone(), Value::from(id.clone()));
        }
        self.write(entity, Method::PUT, &Value::object(fields), Some(&id)).await
    }
}

/// One `Filter...{n}` group of a request.
#[derive(Debug)]
struct Filter {
    field: String,
    operator: &'static str,
    /// `C` text, `N` number, `L` logical, `T` date and time.
    value_type: &'static str,
    value: String,
}

impl Filter {
    /// `field` equals `value`; `None` for a value AccountView cannot
    /// compare (a list, an object, null).
    fn equal(field: &str, value: &Value<'_>, schema: &EntitySchema) -> Option<Filter> {
        let value_type = match value {
            Value::Int(_) | Value::Decimal(_) => "N",
            Value::Bool(_) => "L",
            Value::Text(_) if schema.fields.get(field).and_then(|field| field.vendor_type.as_deref()) == Some("T") => {
                return None;
            }
            Value::Text(_) => "C",
            _ => return None,
        };
        Some(Filter {
            field: field.to_string(),
            operator: "Equal",
            value_type,
            value: value.to_text()?.into_owned(),
        })
    }

    /// Changed after `after`: AccountView keeps change moments to the
    /// second and filters them "on or after", so from the next second.
    fn changed_after(field: &str, after: &Value<'_>) -> Result<Filter, ConnectorError> {
        let text = after.to_text().unwrap_or_default();
        let moment = chrono::DateTime::parse_from_rfc3339(&text)
            .map(|moment| moment.naive_utc())
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f"))
            .map_err(|_| ConnectorError::local(format!("the cursor {after} is not a moment for {field}")))?;
        let next = moment.and_utc().timestamp() + 1;
        let next = chrono::DateTime::from_timestamp(next, 0)
            .unwrap_or_default()
            .naive_utc();
        Ok(Filter {
            field: field.to_string(),
            operator: "DateOnOrAfterDate",
            value_type: "T",
            value: next.format("{^%Y-%m-%d %H:%M:%S}").to_string(),
        })
    }
}

/// The error an answer says, if it says one.
fn refused(answer: &Value<'_>) -> Option<ConnectorError> {
    let said = read_error(answer);
    let message = said.message.clone()?;
    Some(
        ConnectorError::new(ErrorKind::Invalid, format!("{NAME} refused the request")).with_vendor(VendorError {
            message: Some(message),
            ..said
        }),
    )
}

/// `{"ErrorType": "AccountViewError", "ErrorNumbers": [...], "ErrorMessage": "..."}`.
fn read_error(answer: &Value<'_>) -> VendorError {
    let message = answer
        .get("ErrorMessage")
        .and_then(Value::to_text)
        .filter(|message| !message.trim().is_empty())
        .map(|message| message.into_owned());
    let numbers = match answer.get("ErrorNumbers") {
        Some(Value::List(numbers)) => {
            let numbers: Vec<String> = numbers
                .iter()
                .filter_map(|n| n.to_text().map(|n| n.into_owned()))
                .collect();
            (!numbers.is_empty()).then(|| numbers.join(","))
        }
        Some(number) => number.to_text().map(|n| n.into_owned()),
        None => None,
    };
    let code = numbers.or_else(|| answer.get("ErrorType").and_then(Value::to_text).map(|t| t.into_owned()));
    VendorError {
        code,
        message,
        fields: Vec::new(),
    }
}

#[async_trait]
impl Vendor for Session {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, request: &mut Outgoing, _url: &Url) -> Result<(), ConnectorError> {
        let token = self.grant.access_token().await?;
        request.headers.push((AUTHORIZATION, oauth::header(&token)?));
        request
            .headers
            .push((HeaderName::from_static("x-company"), self.company.clone()));
        Ok(())
    }

    async fn renew(&self) -> Result<bool, ConnectorError> {
        self.grant.forget().await;
        Ok(true)
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        match json::parse(&response.body) {
            Ok(answer) => (read_error(&answer), None),
            Err(_) => (VendorError::default(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::schema::Catalog;

    #[test]
    fn filters_name_the_field_its_type_and_value() {
        let schema = Catalog::builtin().entity("accountview", "debtors").unwrap();
        let filter = Filter::equal("MAIL_BUS", &Value::from("jan@example.nl".to_string()), schema).unwrap();
        assert_eq!(
            (filter.operator, filter.value_type, filter.value.as_str()),
            ("Equal", "C", "jan@example.nl")
        );
        assert!(Filter::equal("SO_LINE", &Value::list(vec![]), schema).is_none());
        let after = Filter::changed_after("CNG_DATE", &Value::from("2024-03-14T10:24:10".to_string())).unwrap();
        assert_eq!(after.value, "{^2024-03-14 10:24:11}", "from the next second");
        assert!(Filter::changed_after("CNG_DATE", &Value::from("gisteren".to_string())).is_err());
    }

    #[test]
    fn an_error_message_is_an_error_whatever_the_status() {
        let answer = json::parse(
            r#"{"ErrorType": "AccountViewError", "ErrorNumbers": [1203], "ErrorMessage": "Debiteur bestaat al"}"#,
        )
        .unwrap();
        let error = refused(&answer).unwrap();
        let vendor = error.vendor.as_ref().unwrap();
        assert_eq!(
            (vendor.code.as_deref(), vendor.message.as_deref()),
            (Some("1203"), Some("Debiteur bestaat al"))
        );
        let fine = json::parse(r#"{"CONTACT": [], "ErrorMessage": ""}"#).unwrap();
        assert!(refused(&fine).is_none());
    }
}
