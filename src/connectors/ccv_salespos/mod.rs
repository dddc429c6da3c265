//! CCV SalesPOS, through the CCV Shop REST API it runs on (`/api/rest/v1`):
//! signed requests ([`auth`]), collections paged with `start` and `size`
//! to their end, an order's rows fetched from its `orderrows.href` and
//! embedded as `orderrows.items` (the shape flows and the `dir:` connector
//! use), incremental reads after a cursor, products and categories created
//! with POST and updated with PATCH, and CCV's error codes read as error
//! kinds ([`errors`]).

pub mod auth;
pub mod entities;
pub mod errors;

use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;

use super::connections::{Connection, Secret};
use super::http::{self, Http, Incoming, Outgoing, Repeat, Tuning, Vendor, paging};
use super::memory::matches_keys;
use super::{Connector, ConnectorError, ErrorKind, Key, Keys, Page, PageRequest, VendorError};
use crate::value::{Comparison, Object, Value};
use entities::Entity;

/// The system's name in messages.
const NAME: &str = "CCV SalesPOS";

/// Where the API lies below the shop's root.
const API_PATH: &str = "/api/rest/v1";

/// The largest page CCV gives.
const LARGEST_PAGE: usize = 250;

/// The keys of a `ccv_salespos` connection.
#[derive(Deserialize)]
struct Settings {
    /// The shop's root: `https://myshop.example`.
    base_url: String,
    public_key: String,
    secret_key: Secret,
    /// Whether the shop's answers must carry a matching signature
    /// (default: yes).
    verify_responses: Option<bool>,
    #[serde(flatten)]
    tuning: Tuning,
}

const KEYS: &[&str] = &["system", "base_url", "public_key", "secret_key", "verify_responses"];

pub struct CcvSalesPos {
    http: Http,
    signer: Signer,
    /// The records of the last incremental read, read whole once and then
    /// handed out page by page.
    after_read: Mutex<Option<AfterRead>>,
}

struct AfterRead {
    entity: String,
    after: Value<'static>,
    records: Vec<Value<'static>>,
}

/// Signs requests and checks answers.
struct Signer {
    keys: auth::Keys,
    verify_responses: bool,
}

impl CcvSalesPos {
    /// The connector of a `ccv_salespos` connection.
    pub fn open(connection: &Connection, warn: &mut dyn FnMut(String)) -> Result<CcvSalesPos, ConnectorError> {
        connection.check_keys(&[KEYS, http::TUNING_KEYS].concat())?;
        let settings: Settings = connection.settings()?;
        let secret = settings.secret_key.resolve(&connection.name, "secret_key", warn)?;
        let root = api_root(&connection.name, &settings.base_url, warn)?;
        Ok(CcvSalesPos {
            http: Http::new(root, &settings.tuning, None)?,
            signer: Signer {
                keys: auth::Keys {
                    public: settings.public_key,
                    secret,
                },
                verify_responses: settings.verify_responses.unwrap_or(true),
            },
            after_read: Mutex::new(None),
        })
    }

    fn entity(name: &str) -> Result<&'static Entity, ConnectorError> {
        entities::entity(name).ok_or_else(|| {
            let known: Vec<&str> = entities::ENTITIES.iter().map(|entity| entity.name).collect();
            ConnectorError::local(format!(
                "flowc reaches no `{name}` in {NAME} (it reaches {})",
                known.join(", ")
            ))
        })
    }

    async fn send(&self, request: &Outgoing, repeat: Repeat) -> Result<Incoming, ConnectorError> {
        self.http.send(&self.signer, request, repeat).await
    }

    async fn json(&self, request: &Outgoing, repeat: Repeat) -> Result<Value<'static>, ConnectorError> {
        let response = self.send(request, repeat).await?;
        response.json(NAME)
    }

    /// One page of a collection: its items, and whether more follow.
    async fn page(
        &self,
        request: Outgoing,
        start: usize,
        size: usize,
    ) -> Result<(Vec<Value<'static>>, bool), ConnectorError> {
        let request = request.query("start", start).query("size", size);
        let envelope = self.json(&request, Repeat::Safe).await?;
        let Some(items) = envelope.get("items").and_then(Value::as_list) else {
            return Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} answered a collection without `items`"),
            )
            .with_request("GET", &request.path));
        };
        let more = match envelope.get("next") {
            Some(Value::Text(next)) => !next.is_empty(),
            Some(_) => false,
            None => items.len() >= size,
        };
        Ok((items.to_vec(), more && !items.is_empty()))
    }

    /// Every item of a collection, page by page to its end.
    async fn every(&self, request: &Outgoing) -> Result<Vec<Value<'static>>, ConnectorError> {
        paging::every(NAME, &request.path, |read| {
            self.page(request.clone(), read, LARGEST_PAGE)
        })
        .await
    }

    /// An order with its rows embedded as `orderrows.items`, read from the
    /// link CCV gives in `orderrows.href`.
    async fn with_rows(&self, order: Value<'static>) -> Result<Value<'static>, ConnectorError> {
        let Some(href) = order
            .get("orderrows")
            .and_then(|rows| rows.get("href"))
            .and_then(Value::as_str)
        else {
            return Ok(order);
        };
        let path = self.below_root(href)?;
        let rows = self.every(&Outgoing::new(Method::GET, path)).await?;
        let mut envelope = Object::new();
        envelope.push("href", Value::from(href.to_string()));
        envelope.push("start", Value::Int(0));
        envelope.push("size", Value::Int(rows.len() as i64));
        envelope.push("next", Value::Null);
        envelope.push("items", Value::list(rows));
        let mut order = order.as_object().cloned().unwrap_or_default();
        order.insert("orderrows", Value::object(envelope));
        Ok(Value::object(order))
    }

    /// The path below the API root of a link CCV gave. A link that leads
    /// elsewhere (another host, another API) is refused: flowc signs only
    /// requests to the shop it was given.
    fn below_root(&self, href: &str) -> Result<String, ConnectorError> {
        let root = self.http.root();
        let outside = || {
            ConnectorError::new(
                ErrorKind::Protocol,
                format!("{NAME} gave a link outside its API ({href})"),
            )
        };
        let url = root.join(href).map_err(|_| outside())?;
        if url.host_str() != root.host_str() || url.port_or_known_default() != root.port_or_known_default() {
            return Err(outside());
        }
        let path = url
            .path()
            .strip_prefix(root.path().trim_end_matches('/'))
            .ok_or_else(outside)?;
        if !path.starts_with('/') {
            return Err(outside());
        }
        Ok(path.to_string())
    }

    /// Rows embedded, for orders.
    async fn complete(
        &self,
        entity: &Entity,
        records: Vec<Value<'static>>,
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        if entity.name != "orders" {
            return Ok(records);
        }
        let mut complete = Vec::with_capacity(records.len());
        for record in records {
            complete.push(self.with_rows(record).await?);
        }
        Ok(complete)
    }

    /// The records after a cursor, in the cursor's order, read once for
    /// the whole run: with an API that sorts by the cursor, newest first
    /// until the cursor is reached; else every page.
    async fn after(
        &self,
        entity: &Entity,
        cursor: &str,
        after: &Value<'static>,
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        if let Some(read) = self.after_read.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && read.entity == entity.name
            && read.after == *after
        {
            return Ok(read.records.clone());
        }
        let newer = |record: &Value<'_>| {
            record.get(cursor).and_then(|value| value.compare(after)) == Some(std::cmp::Ordering::Greater)
        };
        let mut records = Vec::new();
        match entity.order {
            Some((_, descending)) => {
                let request = Outgoing::new(Method::GET, entity.path).query("orderby", descending);
                'pages: loop {
                    let (items, more) = self.page(request.clone(), records.len(), LARGEST_PAGE).await?;
                    let read = items.len();
                    for item in items {
                        if !newer(&item) {
                            break 'pages;
                        }
                        records.push(item);
                    }
                    if !more || read == 0 {
                        break;
                    }
                    if records.len() > http::MAX_LISTED {
                        return Err(http::endless(NAME, entity.path));
                    }
                }
                records.reverse();
            }
            None => {
                let mut every = self.every(&Outgoing::new(Method::GET, entity.path)).await?;
                every.retain(|record| newer(record));
                every.sort_by(|a, b| {
                    let (a, b) = (a.get(cursor), b.get(cursor));
                    a.zip(b)
                        .and_then(|(a, b)| a.compare(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                records = every;
            }
        }
        if let Some(value) = records.first().and_then(|record| record.get(cursor))
            && value.compare(after).is_none()
        {
            return Err(ConnectorError::local(format!(
                "the cursor {after} is {}, but `{cursor}` of {} holds {} values ({value}); they cannot be compared",
                after.kind(),
                entity.name,
                value.kind()
            )));
        }
        *self.after_read.lock().unwrap_or_else(|p| p.into_inner()) = Some(AfterRead {
            entity: entity.name.to_string(),
            after: after.clone(),
            records: records.clone(),
        });
        Ok(records)
    }
}

#[async_trait]
impl Connector for CcvSalesPos {
    fn system(&self) -> &str {
        "ccv_salespos"
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let api = Self::entity(entity)?;
        if !api.listed() {
            return Err(not_listed(api));
        }
        let size = request.size.clamp(1, LARGEST_PAGE);
        let (records, more) = match (request.after, self.cursor_field(entity)) {
            (Some(after), Some(cursor)) => {
                let all = self.after(api, cursor, after).await?;
                let page: Vec<Value<'static>> = all.iter().skip(request.start).take(size).cloned().collect();
                (page, request.start + size < all.len())
            }
            _ => {
                let mut listing = Outgoing::new(Method::GET, api.path);
                if let Some((ascending, _)) = api.order {
                    listing = listing.query("orderby", ascending);
                }
                self.page(listing, request.start, size).await?
            }
        };
        Ok(Page {
            records: self.complete(api, records).await?,
            more,
        })
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        let api = Self::entity(entity)?;
        let (path, parent) = read_path(api, keys)?;
        let mut request = Outgoing::new(Method::GET, path);
        for key in keys {
            if let Some((parameter, text)) = query_parameter(api, key) {
                request = request.query(parameter, text);
            }
        }
        let mut found = self.every(&request).await?;
        if let Some((field, id)) = parent {
            found = found.into_iter().map(|record| with_field(record, field, &id)).collect();
        }
        // The API's filters are not all exact (a product name matches in
        // part): the keys decide.
        found.retain(|record| matches_keys(record, keys));
        self.complete(api, found).await
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        let api = Self::entity(entity)?;
        let Some(id) = id.to_text() else {
            return Ok(None);
        };
        let request = Outgoing::new(Method::GET, format!("{}/{}", api.path, path_segment(&id)));
        match self.json(&request, Repeat::Safe).await {
            Ok(record) => Ok(self.complete(api, vec![record]).await?.pop()),
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
        let api = Self::entity(entity)?;
        if !api.creates {
            return Err(ConnectorError::new(
                ErrorKind::Invalid,
                format!("{NAME} does not create {entity} through its API"),
            ));
        }
        let (path, payload, parent) = create_path(api, payload)?;
        let request = &Outgoing::new(Method::POST, path).json(&payload);
        let created = http::create::create_once(
            self.http.policy(),
            keys,
            || async move {
                let response = self.send(request, Repeat::Never).await?;
                self.created(&response).await
            },
            || self.find(entity, keys),
        )
        .await?;
        let created = match parent {
            Some((field, id)) => with_field(created, field, &id),
            None => created,
        };
        // A new order is given with its rows, as every order read is; when
        // they cannot be read, without them: the order was made all the same.
        match self.complete(api, vec![created.clone()]).await {
            Ok(mut complete) => Ok(complete.pop().unwrap_or(created)),
            Err(_) => Ok(created),
        }
    }

    async fn update(
        &self,
        entity: &str,
        id: &Value<'_>,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        let api = Self::entity(entity)?;
        if !api.updates {
            return Err(ConnectorError::new(
                ErrorKind::Invalid,
                format!("{NAME} does not update {entity} through its API"),
            ));
        }
        let Some(id_text) = id.to_text() else {
            return Err(ConnectorError::local(format!("{entity} has no record with id {id}")));
        };
        let request = Outgoing::new(Method::PATCH, format!("{}/{}", api.path, path_segment(&id_text))).json(payload);
        match self.send(&request, Repeat::Safe).await {
            Ok(_) => {}
            // The shop holds these values already: nothing to change.
            Err(error) if errors::is_same_value(error.vendor.as_ref()) => {}
            Err(error) => return Err(error),
        }
        // CCV answers a PATCH with no content: read what it holds now.
        self.get(entity, id).await?.ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::NotFound,
                format!("{NAME} updated {entity} {id_text}, and then had no such record"),
            )
        })
    }
}

impl CcvSalesPos {
    /// The record a POST created: its body, or what its `Location` holds.
    async fn created(&self, response: &Incoming) -> Result<Value<'static>, ConnectorError> {
        if !response.body.trim().is_empty() {
            return response.json(NAME);
        }
        let location = response
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                ConnectorError::new(
                    ErrorKind::Protocol,
                    format!("{NAME} created a record and said neither what nor where it is"),
                )
            })?;
        let path = self.below_root(location)?;
        self.json(&Outgoing::new(Method::GET, path), Repeat::Safe).await
    }
}

#[async_trait]
impl Vendor for Signer {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, request: &mut Outgoing, url: &Url) -> Result<(), ConnectorError> {
        let date = auth::x_date(chrono::Utc::now());
        let hash = self.keys.hash(
            request.method.as_str(),
            &uri(url),
            request.body.as_deref().unwrap_or(""),
            &date,
        );
        for (name, value) in [
            ("x-public", self.keys.public.as_str()),
            ("x-date", &date),
            ("x-hash", &hash),
        ] {
            let value = HeaderValue::from_str(value)
                .map_err(|_| ConnectorError::local(format!("the `{name}` of connection cannot go in a header")))?;
            request.headers.push((HeaderName::from_static(name), value));
        }
        Ok(())
    }

    fn verify(&self, request: &Outgoing, url: &Url, response: &Incoming) -> Result<(), ConnectorError> {
        if !self.verify_responses {
            return Ok(());
        }
        let header = |name: &str| response.headers.get(name).and_then(|value| value.to_str().ok());
        let (Some(hash), Some(date)) = (header("x-hash"), header("x-date")) else {
            return Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!(
                    "{NAME} did not sign its answer (no x-hash or x-date); set verify_responses = false only for a shop that never does"
                ),
            ));
        };
        if self
            .keys
            .verify(request.method.as_str(), &uri(url), &response.body, date, hash)
        {
            Ok(())
        } else {
            Err(ConnectorError::new(
                ErrorKind::Protocol,
                format!(
                    "the signature of {NAME}'s answer does not match: it was not sent by the shop with these keys, or was changed on the way"
                ),
            ))
        }
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        errors::read(response)
    }

    fn endpoint(&self, path: &str) -> String {
        path.trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or("")
            .to_string()
    }
}

/// The parent a record was read below: its key field and value.
type Parent = (&'static str, Value<'static>);

/// The query parameter that gives a key to CCV, when it takes one:
/// `?productnumber=` for `productnumber == x`, `?min_create_date=` for
/// `create_date >= x`. A moment goes as UTC (`2024-03-14T10:21:33Z`), as
/// CCV writes its own.
fn query_parameter(api: &Entity, key: &Key<'_>) -> Option<(&'static str, String)> {
    let [field] = key.path else {
        return None;
    };
    let parameter = match key.comparison {
        Comparison::Equal => api.filters.iter().find(|(name, _)| name == field)?.1,
        Comparison::Greater | Comparison::GreaterOrEqual => api.ranges.iter().find(|(name, ..)| name == field)?.1,
        Comparison::Less | Comparison::LessOrEqual => api.ranges.iter().find(|(name, ..)| name == field)?.2,
    };
    let text = match key.value {
        Value::List(_) | Value::Object(_) => return None,
        Value::DateTime(moment) => moment.to_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        value => value.to_text()?.into_owned(),
    };
    Some((parameter, text))
}

/// Where a lookup reads an entity: below the parent its keys name, for
/// an entity CCV gives per parent (with the parent's key field and value,
/// which the records read there lack), else its own collection.
fn read_path(api: &Entity, keys: &Keys<'_>) -> Result<(String, Option<Parent>), ConnectorError> {
    for (field, parents) in api.within {
        let parent = keys.iter().find_map(|key| match (key.path, key.equal_to()) {
            ([name], Some(value))
                if name == field && !matches!(value, Value::List(_) | Value::Object(_) | Value::Null) =>
            {
                value.to_text().map(|text| (text, value))
            }
            _ => None,
        });
        if let Some((id, value)) = parent {
            let path = format!("{parents}/{}{}", path_segment(&id), api.path);
            return Ok((path, Some((*field, value.clone().into_owned()))));
        }
    }
    if api.listed() {
        Ok((api.path.to_string(), None))
    } else {
        Err(not_listed(api))
    }
}

/// Where a record is created, and the body that goes there: below its
/// parent for an entity CCV creates so, with the parent's field taken out
/// of the body (and given back, to put on the record created).
fn create_path(api: &Entity, payload: &Value<'_>) -> Result<(String, Value<'static>, Option<Parent>), ConnectorError> {
    let mut body = payload.as_object().cloned().unwrap_or_default().into_owned();
    for (read, written) in api.renamed_on_create {
        if let Some(value) = body.remove(read) {
            body.insert(written.to_string(), value);
        }
    }
    let Some((field, parents)) = api.within.first().filter(|_| api.created_below) else {
        return Ok((api.path.to_string(), Value::object(body), None));
    };
    let id = body
        .remove(field)
        .filter(|id| matches!(id, Value::Int(_) | Value::Text(_)))
        .ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::Invalid,
                format!(
                    "{NAME} creates {} below a {}: the record needs `{field}`",
                    api.name,
                    parent_noun(field)
                ),
            )
        })?;
    let text = id.to_text().map(|text| text.into_owned()).unwrap_or_default();
    let path = format!("{parents}/{}{}", path_segment(&text), api.path);
    Ok((path, Value::object(body), Some((field, id))))
}

/// The error for reading a collection CCV gives only per parent.
fn not_listed(api: &Entity) -> ConnectorError {
    let fields: Vec<String> = api.within.iter().map(|(field, _)| format!("`{field}`")).collect();
    ConnectorError::new(
        ErrorKind::Invalid,
        format!(
            "{NAME} gives {} only per {}: look them up with {} as a key",
            api.name,
            api.within
                .iter()
                .map(|(field, _)| parent_noun(field))
                .collect::<Vec<_>>()
                .join(" or "),
            fields.join(" or ")
        ),
    )
}

/// What a parent's key field names: `product_id`, a product.
fn parent_noun(field: &str) -> &str {
    field.strip_suffix("_id").unwrap_or(field)
}

/// A record with `field` set to `value` when it lacks it.
fn with_field(record: Value<'static>, field: &str, value: &Value<'static>) -> Value<'static> {
    match record {
        Value::Object(object) if !object.contains_key(field) => {
            let mut object = (*object).clone();
            object.push(field.to_string(), value.clone());
            Value::object(object)
        }
        other => other,
    }
}

/// The request's path and query as sent, which the signature covers.
fn uri(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

/// An id as one path segment: nothing in it may add a segment, a query,
/// or go up a level (`..`, which URLs resolve however it is written).
fn path_segment(id: &str) -> String {
    if id.is_empty() || id.trim_matches('.').is_empty() {
        return "%20".to_string();
    }
    id.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The API root below a shop's `base_url`.
fn api_root(connection: &str, base_url: &str, warn: &mut dyn FnMut(String)) -> Result<Url, ConnectorError> {
    let mut root = http::address(connection, "base_url", base_url, warn)?;
    let path = root.path().trim_end_matches('/').to_string();
    if !path.ends_with(API_PATH) {
        root.set_path(&format!("{path}{API_PATH}"));
    } else {
        root.set_path(&path);
    }
    root.set_query(None);
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn the_api_root_lies_below_the_shops_address() {
        let warnings = std::cell::RefCell::new(Vec::new());
        let mut warn = |w: String| warnings.borrow_mut().push(w);
        assert_eq!(
            api_root("shop", "https://myshop.example", &mut warn).unwrap().as_str(),
            "https://myshop.example/api/rest/v1"
        );
        assert_eq!(
            api_root("shop", "https://myshop.example/api/rest/v1/", &mut warn)
                .unwrap()
                .as_str(),
            "https://myshop.example/api/rest/v1"
        );
        assert!(warnings.borrow().is_empty());
        api_root("shop", "http://shop.example", &mut warn).unwrap();
        api_root("shop", "http://127.0.0.1:8080", &mut warn).unwrap();
        assert_eq!(
            warnings.borrow().len(),
            1,
            "plain http warned about, except on this machine"
        );
        assert!(api_root("shop", "myshop.example", &mut |_| {}).is_err());
    }

    #[test]
    fn keys_go_to_ccv_as_its_filters_and_ranges() {
        let orders = entities::entity("orders").unwrap();
        let field = |name: &str| vec![name.to_string()];
        let (status, create_date, reservation) = (field("status"), field("create_date"), field("reservationnumber"));
        let paid = Value::Int(2);
        let day = Value::Date(chrono::NaiveDate::from_ymd_opt(2024, 3, 13).unwrap());
        let moment = Value::DateTime(chrono::DateTime::parse_from_rfc3339("2024-03-13T10:00:00.5+01:00").unwrap());
        let key = |path, comparison, value| Key {
            path,
            comparison,
            value,
        };
        assert_eq!(
            query_parameter(orders, &key(&status, Comparison::Equal, &paid)),
            Some(("status", "2".to_string()))
        );
        assert_eq!(
            query_parameter(orders, &key(&create_date, Comparison::GreaterOrEqual, &day)),
            Some(("min_create_date", "2024-03-13".to_string()))
        );
        // A moment goes in UTC, as CCV writes its own.
        assert_eq!(
            query_parameter(orders, &key(&create_date, Comparison::Less, &moment)),
            Some(("max_create_date", "2024-03-13T09:00:00.500Z".to_string()))
        );
        // Not a filter of CCV's, or not one by order: matched by flowc.
        assert_eq!(
            query_parameter(orders, &key(&reservation, Comparison::Equal, &paid)),
            None
        );
        assert_eq!(
            query_parameter(orders, &key(&status, Comparison::GreaterOrEqual, &paid)),
            None
        );
    }

    #[test]
    fn records_given_below_a_parent_are_read_and_created_there() {
        let links = entities::entity("producttocategories").unwrap();
        let product = ["product_id".to_string()];
        let id = Value::Int(77001);
        let (path, parent) = read_path(links, &[Key::equal(&product, &id)]).unwrap();
        assert_eq!(path, "/products/77001/producttocategories");
        assert_eq!(
            parent.map(|(field, value)| (field, value.to_string())),
            Some(("product_id", "77001".into()))
        );

        // Without the parent's key: refused, naming the keys it needs.
        let name = ["name".to_string()];
        let text = Value::from("x".to_string());
        let error = read_path(links, &[Key::equal(&name, &text)]).unwrap_err();
        assert_eq!(
            error.message,
            "CCV SalesPOS gives producttocategories only per product or category: look them up with `product_id` or `category_id` as a key"
        );

        // A product's value goes to the product's path, named as CCV takes it.
        let values = entities::entity("productattributevalues").unwrap();
        let payload = json::parse(r#"{"product_id": 5, "optionvalue_id": 6012, "price": 0.00}"#).unwrap();
        let (path, body, parent) = create_path(values, &payload).unwrap();
        assert_eq!(path, "/products/5/productattributevalues");
        assert_eq!(json::to_string(&body), r#"{"price":0.00,"optionvalue":6012}"#);
        assert_eq!(parent.unwrap().0, "product_id");
        let error = create_path(values, &json::parse(r#"{"price": 1}"#).unwrap()).unwrap_err();
        assert_eq!(
            error.message,
            "CCV SalesPOS creates productattributevalues below a product: the record needs `product_id`"
        );

        // A link is created at the top, its body as it is.
        let payload = json::parse(r#"{"product_id": 5, "category_id": 7}"#).unwrap();
        let (path, body, parent) = create_path(links, &payload).unwrap();
        assert_eq!((path.as_str(), parent.is_none()), ("/producttocategories", true));
        assert_eq!(json::to_string(&body), r#"{"product_id":5,"category_id":7}"#);
    }

    #[test]
    fn ids_stay_one_path_segment() {
        assert_eq!(path_segment("483920"), "483920");
        assert_eq!(path_segment("../users?x=1"), "..%2Fusers%3Fx%3D1");
        assert_eq!(path_segment(".."), "%20", "never a step up");
        assert_eq!(path_segment(""), "%20");
    }
}
