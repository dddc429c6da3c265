//! Visma.net ERP, through its API v1 (`https://api.finance.visma.net/v1`):
//! OAuth2's client-credentials grant for one tenant, lists read with
//! `pageNumber` and `pageSize` to their end, incremental reads by
//! `lastModifiedDateTime`, lookups by the query parameters the API filters
//! on (and by the id, read straight), and writes as the API takes them:
//! every field the schema marks as a DtoValue sent as `{"value": x}`, so
//! that flows write plain values. The API's own count of requests
//! (`X-RateLimit-*`) is honoured by the HTTP layer.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, Url};
use serde::Deserialize;

use super::connections::{Connection, Secret};
use super::http::{self, Http, Incoming, Outgoing, Repeat, Tuning, Vendor, oauth, paging};
use super::memory::matches_keys;
use super::schema::{self, FieldSchema, Fields};
use super::{Connector, ConnectorError, ErrorKind, Key, Keys, Page, PageRequest, VendorError};
use crate::value::{Object, Value};

/// The system's name in messages.
const NAME: &str = "Visma.net";

/// The largest page asked for.
const LARGEST_PAGE: usize = 500;

/// The scopes asked for when the connection names none.
const SCOPES: &str = "vismanet_erp_service_api:read vismanet_erp_service_api:create vismanet_erp_service_api:update";

/// The keys of a `vismanet` connection.
#[derive(Deserialize)]
struct Settings {
    /// The API root, with `/v1`.
    base_url: String,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    tenant_id: String,
    /// The scopes to ask for (default: read, create, update).
    scope: Option<String>,
    #[serde(flatten)]
    tuning: Tuning,
}

const KEYS: &[&str] = &[
    "system",
    "base_url",
    "token_url",
    "client_id",
    "client_secret",
    "tenant_id",
    "scope",
];

/// Record fields the API filters on, with their query parameter.
fn filters(entity: &str) -> &'static [(&'static str, &'static str)] {
    match entity {
        "customer" => &[
            ("name", "name"),
            ("status", "status"),
            ("corporateId", "corporateId"),
            ("vatRegistrationId", "vatRegistrationId"),
            ("mainContact.email", "email"),
            ("mainContact.phone1", "phone"),
        ],
        "salesorder" => &[("orderType", "orderType")],
        "customerinvoice" => &[("documentType", "documentType"), ("released", "released")],
        _ => &[],
    }
}

pub struct Vismanet {
    http: Http,
    session: Session,
}

struct Session {
    client: oauth::Client,
    tenant: String,
    scope: String,
    bearer: oauth::Bearer,
}

impl Vismanet {
    pub fn open(connection: &Connection, warn: &mut dyn FnMut(String)) -> Result<Vismanet, ConnectorError> {
        connection.check_keys(&[KEYS, http::TUNING_KEYS].concat())?;
        let settings: Settings = connection.settings()?;
        let name = &connection.name;
        let client_secret = settings.client_secret.resolve(name, "client_secret", warn)?;
        let root = http::address(name, "base_url", &settings.base_url, warn)?;
        let token_url = http::address(name, "token_url", &settings.token_url, warn)?;
        let timeout = Duration::from_secs(settings.tuning.timeout_seconds.unwrap_or(30).max(1));
        Ok(Vismanet {
            http: Http::new(root, &settings.tuning, None)?,
            session: Session {
                client: oauth::Client::new(token_url, settings.client_id, client_secret, timeout)?,
                tenant: settings.tenant_id,
                scope: settings.scope.unwrap_or_else(|| SCOPES.to_string()),
                bearer: oauth::Bearer::default(),
            },
        })
    }

    async fn send(&self, request: &Outgoing, repeat: Repeat) -> Result<Incoming, ConnectorError> {
        self.http.send(&self.session, request, repeat).await
    }

    /// One page: its records, and whether more may follow.
    async fn page(
        &self,
        request: Outgoing,
        page: usize,
        size: usize,
    ) -> Result<(Vec<Value<'static>>, bool), ConnectorError> {
        let request = request.query("pageNumber", page).query("pageSize", size);
        let answer = self.send(&request, Repeat::Safe).await?.json(NAME)?;
        let Some(records) = answer.as_list() else {
            return Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} answered a list that is no JSON array"),
            )
            .with_request("GET", &request.path));
        };
        Ok((records.to_vec(), records.len() >= size))
    }

    async fn every(&self, request: &Outgoing) -> Result<Vec<Value<'static>>, ConnectorError> {
        paging::every(NAME, &request.path, |read| {
            let (page, size) = paging::numbered(read, LARGEST_PAGE, LARGEST_PAGE);
            self.page(request.clone(), page, size)
        })
        .await
    }

    /// The record at `path`, or `None`.
    async fn read(&self, path: String) -> Result<Option<Value<'static>>, ConnectorError> {
        match self.send(&Outgoing::new(Method::GET, path), Repeat::Safe).await {
            Ok(response) => Ok(Some(response.json(NAME)?)),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The record a write left: its `Location`, or the id it was written
    /// with.
    async fn written(
        &self,
        entity: &str,
        response: &Incoming,
        id: Option<String>,
    ) -> Result<Value<'static>, ConnectorError> {
        if !response.body.trim().is_empty()
            && let Ok(record) = response.json(NAME)
            && record.as_object().is_some_and(|fields| !fields.is_empty())
        {
            return Ok(record);
        }
        let location = response
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| location.rsplit('/').next())
            .map(str::to_string);
        let Some(id) = location.or(id) else {
            return Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} wrote a record of {entity} and said neither what nor where it is"),
            ));
        };
        self.read(format!("/{entity}/{}", segment(&id)?)).await?.ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::NotFound,
                format!("{NAME} wrote a record of {entity}, and then had no record {id}"),
            )
        })
    }
}

#[async_trait]
impl Connector for Vismanet {
    fn system(&self) -> &str {
        "vismanet"
    }

    async fn connect(&self) -> Result<(), ConnectorError> {
        self.session.access_token().await.map(|_| ())
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        schema::reached("vismanet", NAME, entity)?;
        let mut listing = Outgoing::new(Method::GET, format!("/{entity}"));
        if let (Some(after), Some(cursor)) = (request.after, self.cursor_field(entity)) {
            let Some(moment) = after.to_text() else {
                return Err(ConnectorError::local(format!(
                    "the cursor {after} is not a moment for {cursor}"
                )));
            };
            listing = listing.query(cursor, moment).query(&format!("{cursor}Condition"), ">");
        }
        let (page, size) = paging::numbered(request.start, request.size, LARGEST_PAGE);
        let (records, more) = self.page(listing, page, size).await?;
        Ok(Page { records, more })
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        let schema = schema::reached("vismanet", NAME, entity)?;
        // A key on the id is read straight.
        if let Some(id) = keys
            .iter()
            .filter(|key| matches!(key.path, [field] if *field == schema.id))
            .find_map(Key::equal_to)
            && let Some(id) = id.to_text()
        {
            // An id Visma.net never gives (a space, a slash) is no record.
            let Ok(segment) = segment(&id) else {
                return Ok(Vec::new());
            };
            let record = self.read(format!("/{entity}/{segment}")).await?;
            return Ok(record.into_iter().filter(|record| matches_keys(record, keys)).collect());
        }
        // Keys the API filters on are given to it, and its answer decides
        // (it compares text as Visma.net does, case aside); the others are
        // matched here.
        let mut request = Outgoing::new(Method::GET, format!("/{entity}"));
        let mut matched_here = Vec::new();
        for key in keys {
            let joined = key.path.join(".");
            match (
                filters(entity).iter().find(|(field, _)| *field == joined),
                key.equal_to(),
            ) {
                (Some((_, parameter)), Some(value))
                    if let Some(text) = value.to_text()
                        && !matches!(value, Value::List(_) | Value::Object(_)) =>
                {
                    request = request.query(parameter, text);
                }
                _ => matched_here.push(*key),
            }
        }
        let mut found = self.every(&request).await?;
        found.retain(|record| matches_keys(record, &matched_here));
        Ok(found)
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        schema::reached("vismanet", NAME, entity)?;
        let Some(id) = id.to_text() else {
            return Ok(None);
        };
        // An id Visma.net never gives (a space, a slash) is no record.
        let Ok(segment) = segment(&id) else {
            return Ok(None);
        };
        self.read(format!("/{entity}/{segment}")).await
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        let schema = schema::writable("vismanet", NAME, entity)?;
        let request = &Outgoing::new(Method::POST, format!("/{entity}")).json(&wrapped(payload, &schema.fields));
        http::create::create_once(
            self.http.policy(),
            keys,
            || async move {
                let response = self.send(request, Repeat::Never).await?;
                self.written(entity, &response, None).await
            },
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
        let schema = schema::writable("vismanet", NAME, entity)?;
        let Some(id) = id.to_text().map(|id| id.into_owned()) else {
            return Err(ConnectorError::local(format!("{entity} has no record with id {id}")));
        };
        // The API updates the fields sent (that is what the DtoValue
        // wrapping is for): only the flow's.
        let request =
            Outgoing::new(Method::PUT, format!("/{entity}/{}", segment(&id)?)).json(&wrapped(payload, &schema.fields));
        let response = self.send(&request, Repeat::Safe).await?;
        self.written(entity, &response, Some(id)).await
    }
}

/// A record as the API takes it: each field the schema marks as a
/// DtoValue as `{"value": x}`, objects and list elements likewise inside.
pub fn wrapped(record: &Value<'_>, fields: &Fields) -> Value<'static> {
    let Some(object) = record.as_object() else {
        return record.clone().into_owned();
    };
    let mut out = Object::with_capacity(object.len());
    for (name, value) in object.iter() {
        let written = match fields.get(name) {
            Some(field) => wrap_field(value, field),
            None => value.clone().into_owned(),
        };
        out.push(name.to_string(), written);
    }
    Value::object(out)
}

fn wrap_field(value: &Value<'_>, field: &FieldSchema) -> Value<'static> {
    let inner = match (value, &field.fields, &field.items) {
        (Value::Object(_), Some(fields), _) => wrapped(value, fields),
        (Value::List(items), _, Some(item)) => {
            Value::list(items.iter().map(|element| wrap_field(element, item)).collect())
        }
        _ => value.clone().into_owned(),
    };
    if field.wrapped {
        let mut holder = Object::with_capacity(1);
        holder.push("value", inner);
        Value::object(holder)
    } else {
        inner
    }
}

/// An id as one path segment.
fn segment(id: &str) -> Result<String, ConnectorError> {
    if id.is_empty()
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || id.trim_matches('.').is_empty()
    {
        return Err(ConnectorError::new(
            ErrorKind::Invalid,
            format!("`{id}` is not an id {NAME} gives"),
        ));
    }
    Ok(id.to_string())
}

impl Session {
    async fn access_token(&self) -> Result<secrecy::SecretString, ConnectorError> {
        self.bearer
            .token(|| async {
                self.client
                    .request(&[
                        ("grant_type", "client_credentials"),
                        ("scope", &self.scope),
                        ("tenant_id", &self.tenant),
                    ])
                    .await
            })
            .await
    }
}

#[async_trait]
impl Vendor for Session {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, request: &mut Outgoing, _url: &Url) -> Result<(), ConnectorError> {
        let token = self.access_token().await?;
        request.headers.push((AUTHORIZATION, oauth::header(&token)?));
        Ok(())
    }

    async fn renew(&self) -> Result<bool, ConnectorError> {
        self.bearer.forget().await;
        Ok(true)
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        (read_error(&response.body), None)
    }
}

/// Visma.net's error answers: `{"message": "..."}` (with an `exceptionType`
/// and `exceptionMessage` for an exception), or ASP.NET's `{"Message":
/// "...", "ModelState": {...}}`.
fn read_error(body: &str) -> VendorError {
    let Ok(said) = crate::value::json::parse(body) else {
        return VendorError::default();
    };
    let text = |name: &str| {
        said.get(name)
            .and_then(|value| value.to_text())
            .map(|text| text.into_owned())
    };
    let message = text("exceptionMessage")
        .or_else(|| text("message"))
        .or_else(|| text("Message"));
    let code = text("ExceptionCode").or_else(|| text("exceptionType"));
    let mut fields = Vec::new();
    if let Some(state) = said.get("ModelState").and_then(Value::as_object) {
        for (field, messages) in state.iter() {
            let field = field.split_once('.').map_or(field, |(_, rest)| rest).to_string();
            for message in messages.as_list().unwrap_or(&[]) {
                if let Some(message) = message.to_text() {
                    fields.push((field.clone(), message.into_owned()));
                }
            }
        }
    }
    VendorError { code, message, fields }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::schema::Catalog;
    use crate::value::json;

    #[test]
    fn writes_wrap_each_dto_value_inside_objects_and_lists() {
        let schema = Catalog::builtin().entity("vismanet", "salesorder").unwrap();
        let order = json::parse(
            r#"{"orderType": "SO", "customer": "10023", "lines": [{"inventoryId": "100234", "quantity": 3, "operation": "Insert"}], "soShippingAddress": {"city": "Utrecht"}}"#,
        )
        .unwrap();
        assert_eq!(
            json::to_string(&wrapped(&order, &schema.fields)),
            r#"{"orderType":{"value":"SO"},"customer":{"value":"10023"},"lines":[{"inventoryId":{"value":"100234"},"quantity":{"value":3},"operation":"Insert"}],"soShippingAddress":{"value":{"city":{"value":"Utrecht"}}}}"#
        );
    }

    #[test]
    fn errors_are_read_in_both_forms() {
        let said =
            read_error(r#"{"message": "Error: Customer 10023 not found", "exceptionType": "PX.Data.PXException"}"#);
        assert_eq!(said.message.as_deref(), Some("Error: Customer 10023 not found"));
        let said =
            read_error(r#"{"Message": "The request is invalid.", "ModelState": {"customer.name": ["Required"]}}"#);
        assert_eq!(said.fields, [("name".to_string(), "Required".to_string())]);
    }
}
