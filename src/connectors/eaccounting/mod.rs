//! Visma eAccounting, through its API v2: OAuth2 with rotating refresh
//! tokens ([`auth`], kept by [`http::tokens`](crate::connectors::http::tokens)), lists in `Meta`/`Data` pages read with
//! `$page` and `$pagesize` to their end, lookups through OData `$filter`
//! ([`odata`]), creates with POST (looked up before a second try), updates
//! as the API takes them (PUT of the whole record: read, merge the flow's
//! fields, write), and the vendor's published limit of 600 requests a
//! minute per endpoint kept on this side.

pub mod auth;
pub mod errors;
pub mod odata;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use super::connections::{Connection, Secret};
use super::http::tokens::TokenStore;
use super::http::{self, Http, Outgoing, Repeat, Tuning, oauth, paging};
use super::memory::matches_keys;
use super::schema::{self, Catalog};
use super::{Connector, ConnectorError, ErrorKind, Keys, Page, PageRequest};
use crate::value::{Object, Value};
use auth::{NAME, Session};

/// Requests a minute per endpoint that eAccounting allows.
pub const PUBLISHED_LIMIT: u32 = 600;

/// The largest page asked for.
const LARGEST_PAGE: usize = 500;

/// The keys of an `eaccounting` connection.
#[derive(Deserialize)]
struct Settings {
    /// The API root, with `/v2`.
    base_url: String,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
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
];

pub struct Eaccounting {
    http: Http,
    session: Session,
}

impl Eaccounting {
    /// The connector of an `eaccounting` connection; its rotating refresh
    /// token is kept under `state`.
    pub fn open(
        connection: &Connection,
        state: &Path,
        warn: &mut dyn FnMut(String),
    ) -> Result<Eaccounting, ConnectorError> {
        connection.check_keys(&[KEYS, http::TUNING_KEYS].concat())?;
        let settings: Settings = connection.settings()?;
        let name = &connection.name;
        let client_secret = settings.client_secret.resolve(name, "client_secret", warn)?;
        let refresh_token = settings.refresh_token.resolve(name, "refresh_token", warn)?;
        let root = http::address(name, "base_url", &settings.base_url, warn)?;
        let token_url = http::address(name, "token_url", &settings.token_url, warn)?;
        let timeout = Duration::from_secs(settings.tuning.timeout_seconds.unwrap_or(30).max(1));
        let store = TokenStore::new(state, name, &refresh_token);
        let client = oauth::Client::new(token_url, settings.client_id, client_secret, timeout)?;
        Ok(Eaccounting {
            http: Http::new(root, &settings.tuning, Some(PUBLISHED_LIMIT))?,
            session: Session {
                grant: oauth::Refreshing::new(client, refresh_token, store),
            },
        })
    }

    fn path(entity: &str) -> Result<String, ConnectorError> {
        schema::reached("eaccounting", NAME, entity).map(|_| format!("/{entity}"))
    }

    async fn json(&self, request: &Outgoing, repeat: Repeat) -> Result<Value<'static>, ConnectorError> {
        self.http.send(&self.session, request, repeat).await?.json(NAME)
    }

    /// One `Meta`/`Data` page: its records and whether more follow.
    async fn page(
        &self,
        request: Outgoing,
        page: usize,
        size: usize,
    ) -> Result<(Vec<Value<'static>>, bool), ConnectorError> {
        let request = request.query("$page", page).query("$pagesize", size);
        let answer = self.json(&request, Repeat::Safe).await?;
        let Some(records) = answer.get("Data").and_then(Value::as_list) else {
            return Err(
                ConnectorError::new(ErrorKind::Protocol, format!("{NAME} answered a list without `Data`"))
                    .with_request("GET", &request.path),
            );
        };
        let number = |name: &str| match answer.get("Meta").and_then(|meta| meta.get(name)) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        let more = match (number("CurrentPage"), number("TotalNumberOfPages")) {
            (Some(current), Some(total)) => current < total,
            _ => records.len() >= size,
        };
        Ok((records.to_vec(), more && !records.is_empty()))
    }

    /// Every record a request lists, page by page to the end.
    async fn every(&self, request: &Outgoing) -> Result<Vec<Value<'static>>, ConnectorError> {
        paging::every(NAME, &request.path, |read| {
            let (page, size) = paging::numbered(read, LARGEST_PAGE, LARGEST_PAGE);
            self.page(request.clone(), page, size)
        })
        .await
    }
}

#[async_trait]
impl Connector for Eaccounting {
    fn system(&self) -> &str {
        "eaccounting"
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let mut listing = Outgoing::new(Method::GET, Self::path(entity)?);
        if let Some(cursor) = self.cursor_field(entity) {
            if let Some(after) = request.after {
                let filter = odata::greater(cursor, after).ok_or_else(|| {
                    ConnectorError::local(format!("the cursor {after} cannot be given to {NAME} as a filter"))
                })?;
                listing = listing.query("$filter", filter);
            }
            listing = listing.query("$orderby", cursor);
        }
        // Pages are numbered; one that starts where asked is as large as
        // the largest size that divides the start.
        let (page, size) = paging::numbered(request.start, request.size, LARGEST_PAGE);
        let (records, more) = self.page(listing, page, size).await?;
        Ok(Page { records, more })
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        // The API filters on the record's own fields; keys it cannot take
        // (a field inside a list) are matched here, over what it finds.
        let mut conditions = Vec::with_capacity(keys.len());
        let mut matched_here = Vec::new();
        for key in keys {
            match odata::condition(key) {
                Some(condition) => conditions.push(condition),
                None => matched_here.push(*key),
            }
        }
        if conditions.is_empty() && !matched_here.is_empty() {
            let names: Vec<String> = matched_here.iter().map(|key| key.path.join(".")).collect();
            return Err(ConnectorError::new(
                ErrorKind::Invalid,
                format!(
                    "{NAME} cannot look up {entity} by {} alone (a field inside a list): add a key on a field of the record itself",
                    names.join(" and ")
                ),
            ));
        }
        let mut request = Outgoing::new(Method::GET, Self::path(entity)?);
        if !conditions.is_empty() {
            request = request.query("$filter", conditions.join(" and "));
        }
        // The system's own comparison decides for what it filters (it may
        // ignore case, as eAccounting does for e-mail addresses).
        let mut found = self.every(&request).await?;
        if !matched_here.is_empty() {
            found.retain(|record| matches_keys(record, &matched_here));
        }
        Ok(found)
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        let Some(id) = id.to_text() else {
            return Ok(None);
        };
        let request = Outgoing::new(Method::GET, format!("{}/{}", Self::path(entity)?, segment(&id)?));
        match self.json(&request, Repeat::Safe).await {
            Ok(record) => Ok(Some(record)),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        schema::writable("eaccounting", NAME, entity)?;
        let request = &Outgoing::new(Method::POST, Self::path(entity)?).json(payload);
        http::create::create_once(
            self.http.policy(),
            keys,
            || async move { self.json(request, Repeat::Never).await },
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
        schema::writable("eaccounting", NAME, entity)?;
        let Some(id_text) = id.to_text() else {
            return Err(ConnectorError::local(format!("{entity} has no record with id {id}")));
        };
        let path = format!("{}/{}", Self::path(entity)?, segment(&id_text)?);
        // The API replaces the whole record: what it holds, with the
        // flow's fields over it, without what it does not take back.
        let held = self
            .json(&Outgoing::new(Method::GET, path.clone()), Repeat::Safe)
            .await?;
        let record = merged(entity, &held, payload);
        self.json(&Outgoing::new(Method::PUT, path).json(&record), Repeat::Safe)
            .await
    }

    async fn connect(&self) -> Result<(), ConnectorError> {
        self.session.grant.access_token().await.map(|_| ())
    }
}

/// `held` with `payload`'s fields written over it, and the fields the
/// schema says are read-only left out.
fn merged(entity: &str, held: &Value<'_>, payload: &Value<'_>) -> Value<'static> {
    let schema = Catalog::builtin().entity("eaccounting", entity);
    let read_only = |name: &str| {
        schema
            .and_then(|schema| schema.fields.get(name))
            .is_some_and(|field| field.read_only)
    };
    let mut record = Object::new();
    for (name, value) in held.as_object().into_iter().flat_map(|fields| fields.iter()) {
        if !read_only(name) {
            record.push(name.to_string(), value.clone().into_owned());
        }
    }
    for (name, value) in payload.as_object().into_iter().flat_map(|fields| fields.iter()) {
        record.insert(name.to_string(), value.clone().into_owned());
    }
    Value::object(record)
}

/// An id as one path segment: eAccounting's ids are GUIDs and codes.
fn segment(id: &str) -> Result<String, ConnectorError> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ConnectorError::new(
            ErrorKind::Invalid,
            format!("`{id}` is not an id {NAME} gives"),
        ));
    }
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn an_update_writes_the_held_record_with_the_flows_fields_and_no_read_only_ones() {
        let held = json::parse(
            r#"{"Id": "c-1", "Name": "Old", "ChangedUtc": "2024-01-01T00:00:00Z", "InvoiceCity": "Utrecht"}"#,
        )
        .unwrap();
        let payload = json::parse(r#"{"Name": "New"}"#).unwrap();
        assert_eq!(
            json::to_string(&merged("customers", &held, &payload)),
            r#"{"Name":"New","InvoiceCity":"Utrecht"}"#
        );
    }

    #[test]
    fn ids_are_one_path_segment() {
        assert!(segment("8f6b3a51-1c2d-4e5f-8a9b-0c1d2e3f4a5b").is_ok());
        assert!(segment("../x").is_err());
        assert!(segment("").is_err());
    }
}
