//! MplusKASSA, through its MplusQapi SOAP API ([`soap`], [`xml`]): each
//! request is a SOAP 1.1 envelope POSTed to the connection's `base_url`
//! with `ident` and `secret` in the query (as MplusKASSA hands them out;
//! the URL is never shown). Records are the WSDL's types as JSON, prices
//! in integer cents as MplusKASSA keeps them.
//!
//! | entity | list (by `syncMarker`) | find, get | create | update |
//! |---|---|---|---|---|
//! | orders | getOrders | getOrdersByExtOrderIds, getOrders | createOrder | - |
//! | invoices | getInvoices | findInvoice (by `extInvoiceId`), getInvoices | saveInvoice | - |
//! | relations | getRelations | findRelation, getRelations | createRelation | updateRelation |
//! | products | getProducts | getProducts | createProduct | updateProduct |
//! | articlegroups | getArticleGroupChanges (every group, its parent by number) | getArticleGroupChanges | newArticleGroup | updateArticleGroup |
//! | stock | getStock (the branch) | getStock | - | setStock |
//! | images | - (by id) | getImages (`imageId`, with the image's data) | - | - |
//! | productimages | - (per product) | getCardImages (a product's card, by `productNumber`) | createImageFromUrl | - |
//! | paymentmethods, vatgroups, employees, branches, deliverymethods, ordercategories | getPaymentMethods, getVatGroupList, getEmployees, getBranches, getDeliveryMethods, getOrderCategories | over the list | - | - |
//!
//! Incremental reads follow `syncMarker`: MplusKASSA gives the records
//! changed after a marker, `syncMarkerLimit` at a time. A `createOrder`
//! answered `CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS` is the order
//! that exists, not a failure; so is a `saveInvoice` answered
//! `SAVE-INVOICE-RESULT-EXT-INVOICE-ID-ALREADY-EXISTS`.

pub mod soap;
pub mod xml;

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::connections::{Connection, Secret};
use super::http::{self, Http, Incoming, Outgoing, Repeat, Tuning, Vendor};
use super::memory::matches_keys;
use super::schema::{self, EntitySchema, Fields};
use super::{Connector, ConnectorError, ErrorKind, Keys, Page, PageRequest, VendorError};
use crate::value::{Object, Value};
use xml::Element;

/// The system's name in messages.
const NAME: &str = "MplusKASSA";

/// The most records asked for at a time.
const LARGEST_PAGE: usize = 500;

/// The keys of a `mpluskassa` connection.
#[derive(Deserialize)]
struct Settings {
    /// The API's address, with its port (`https://api.mpluskassa.nl:44123/`).
    base_url: String,
    ident: String,
    secret: Secret,
    /// The branch whose stock is read and set (default 1).
    branch_number: Option<i64>,
    #[serde(flatten)]
    tuning: Tuning,
}

const KEYS: &[&str] = &["system", "base_url", "ident", "secret", "branch_number"];

pub struct MplusKassa {
    http: Http,
    session: Session,
    branch: i64,
    /// Where a listing goes on: (entity, marker it started after, records
    /// given) -> the marker of the last record given.
    markers: Mutex<HashMap<(String, i64, usize), i64>>,
}

struct Session {
    ident: String,
    secret: SecretString,
}

impl MplusKassa {
    pub fn open(connection: &Connection, warn: &mut dyn FnMut(String)) -> Result<MplusKassa, ConnectorError> {
        connection.check_keys(&[KEYS, http::TUNING_KEYS].concat())?;
        let settings: Settings = connection.settings()?;
        let name = &connection.name;
        let secret = settings.secret.resolve(name, "secret", warn)?;
        let root = http::address(name, "base_url", &settings.base_url, warn)?;
        if root.query().is_some() {
            return Err(ConnectorError::local(format!(
                "connection `{name}`: base_url is the address alone; ident and secret are keys of their own"
            )));
        }
        Ok(MplusKassa {
            http: Http::new(root, &settings.tuning, None)?,
            session: Session {
                ident: settings.ident,
                secret,
            },
            branch: settings.branch_number.unwrap_or(1),
            markers: Mutex::new(HashMap::new()),
        })
    }

    /// Calls an operation; gives its answer's element.
    async fn call(
        &self,
        operation: &str,
        repeat: Repeat,
        content: impl FnOnce(&mut String),
    ) -> Result<Element, ConnectorError> {
        let mut request = Outgoing::new(Method::POST, "/").xml(soap::envelope(operation, content));
        request
            .headers
            .push((HeaderName::from_static("soapaction"), HeaderValue::from_static("\"\"")));
        let response = self.http.send(&self.session, &request, repeat).await?;
        soap::answer(NAME, &response.body, operation)
    }

    /// The records under `path` in an answer, typed by the entity's schema.
    fn records(answer: &Element, path: &[&str], schema: &EntitySchema) -> Vec<Value<'static>> {
        let (last, parents) = path.split_last().expect("a path names the records");
        let Some(holder) = answer.at(parents) else {
            return Vec::new();
        };
        holder
            .all(last)
            .map(|element| xml::record(element, Some(&schema.fields)))
            .collect()
    }

    /// Records after `marker`, at most `limit`.
    async fn after_marker(
        &self,
        entity: &str,
        schema: &EntitySchema,
        marker: i64,
        limit: usize,
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        let scalar = |out: &mut String, name: &str, value: &str| {
            out.push_str(&format!("<ns:{name}>{value}</ns:{name}>"));
        };
        let (operation, path): (&str, &[&str]) = match entity {
            "orders" => ("getOrders", &["orderList", "order"]),
            "invoices" => ("getInvoices", &["invoiceList", "invoice"]),
            "relations" => ("getRelations", &["relationList", "relation"]),
            "products" => ("getProducts", &["productList", "product"]),
            "articlegroups" => (
                "getArticleGroupChanges",
                &["changedArticleGroupList", "changedArticleGroups"],
            ),
            "employees" => ("getEmployees", &["employeeList", "employee"]),
            _ => {
                return Err(ConnectorError::local(format!(
                    "{NAME} reads {entity} whole, not by syncMarker"
                )));
            }
        };
        let answer = self
            .call(operation, Repeat::Safe, |out| {
                out.push_str("<ns:request>");
                scalar(out, "syncMarker", &marker.to_string());
                scalar(out, "syncMarkerLimit", &limit.to_string());
                if with_lines(entity) {
                    scalar(out, "includeLineList", "true");
                }
                out.push_str("</ns:request>");
            })
            .await?;
        Ok(Self::records(&answer, path, schema))
    }

    /// Every record of an entity MplusKASSA gives whole.
    async fn whole(&self, entity: &str, schema: &EntitySchema) -> Result<Vec<Value<'static>>, ConnectorError> {
        let (operation, path): (&str, &[&str]) = match entity {
            "paymentmethods" => ("getPaymentMethods", &["paymentMethodList", "paymentMethod"]),
            "vatgroups" => ("getVatGroupList", &["vatGroup"]),
            "branches" => ("getBranches", &["branches", "branch"]),
            "deliverymethods" => ("getDeliveryMethods", &["deliveryMethodList", "deliveryMethod"]),
            "ordercategories" => ("getOrderCategories", &["orderCategory"]),
            "stock" => return self.stock(&[]).await,
            "productimages" => return Err(per_product()),
            "images" => {
                return Err(ConnectorError::new(
                    ErrorKind::Invalid,
                    format!("{NAME} gives images by id: look them up with `imageId` as a key"),
                ));
            }
            _ => {
                // The entities read by marker, from the start.
                let mut all = Vec::new();
                let mut marker = 0;
                loop {
                    let page = self.after_marker(entity, schema, marker, LARGEST_PAGE).await?;
                    let more = page.len() >= LARGEST_PAGE;
                    marker = last_marker(&page).unwrap_or(marker);
                    all.extend(page);
                    if !more {
                        return Ok(all);
                    }
                    if all.len() > http::MAX_LISTED {
                        return Err(http::endless(NAME, entity));
                    }
                }
            }
        };
        let answer = self.call(operation, Repeat::Safe, |_| {}).await?;
        Ok(Self::records(&answer, path, schema))
    }

    /// The stock of the connection's branch: of these articles, or of all.
    async fn stock(&self, articles: &[i64]) -> Result<Vec<Value<'static>>, ConnectorError> {
        let schema = schema::reached("mpluskassa", NAME, "stock")?;
        let answer = self
            .call("getStock", Repeat::Safe, |out| {
                out.push_str(&format!(
                    "<ns:request><ns:branchNumber>{}</ns:branchNumber><ns:articleNumbers>",
                    self.branch
                ));
                for article in articles {
                    out.push_str(&format!("<ns:articleNumbers>{article}</ns:articleNumbers>"));
                }
                out.push_str("</ns:articleNumbers></ns:request>");
            })
            .await?;
        Ok(Self::records(&answer, &["articleStocks"], schema))
    }

    /// Records by their numbers (orders by id).
    async fn by_numbers(
        &self,
        entity: &str,
        schema: &EntitySchema,
        ids: &[String],
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        let numbers = |out: &mut String, name: &str| {
            for id in ids {
                out.push_str(&format!(
                    "<ns:{name}>{}</ns:{name}>",
                    quick_xml::escape::escape(id.as_str())
                ));
            }
        };
        let (operation, path, element): (&str, &[&str], &str) = match entity {
            "orders" => ("getOrders", &["orderList", "order"], "orderIds"),
            "invoices" => ("getInvoices", &["invoiceList", "invoice"], "invoiceIds"),
            "relations" => ("getRelations", &["relationList", "relation"], "relationNumbers"),
            "products" => ("getProducts", &["productList", "product"], "productNumbers"),
            "articlegroups" => (
                "getArticleGroupChanges",
                &["changedArticleGroupList", "changedArticleGroups"],
                "groupNumbers",
            ),
            "stock" => {
                let articles: Vec<i64> = ids.iter().filter_map(|id| id.parse().ok()).collect();
                return self.stock(&articles).await;
            }
            "images" => ("getImages", &["imageList", "image"], "imageIds"),
            _ => {
                let all = self.whole(entity, schema).await?;
                return Ok(all
                    .into_iter()
                    .filter(|record| {
                        record
                            .get(&schema.id)
                            .and_then(Value::to_text)
                            .is_some_and(|id| ids.iter().any(|wanted| *wanted == id))
                    })
                    .collect());
            }
        };
        if !with_lines(entity) && ids.iter().any(|id| id.parse::<i64>().is_err()) {
            return Ok(Vec::new());
        }
        let answer = self
            .call(operation, Repeat::Safe, |out| {
                out.push_str("<ns:request>");
                numbers(out, element);
                if with_lines(entity) {
                    out.push_str("<ns:includeLineList>true</ns:includeLineList>");
                }
                if entity == "images" {
                    out.push_str("<ns:includeImageData>true</ns:includeImageData><ns:includeThumbData>false</ns:includeThumbData>");
                }
                out.push_str("</ns:request>");
            })
            .await?;
        Ok(Self::records(&answer, path, schema))
    }

    async fn one(&self, entity: &str, id: &str) -> Result<Option<Value<'static>>, ConnectorError> {
        let schema = schema::reached("mpluskassa", NAME, entity)?;
        let found = self.by_numbers(entity, schema, &[id.to_string()]).await?;
        Ok(found
            .into_iter()
            .find(|record| record.get(&schema.id).and_then(Value::to_text).as_deref() == Some(id)))
    }

    /// Reads back what a write made: the record with this id.
    async fn written(&self, entity: &str, id: &str) -> Result<Value<'static>, ConnectorError> {
        self.one(entity, id).await?.ok_or_else(|| {
            ConnectorError::new(
                ErrorKind::NotFound,
                format!("{NAME} wrote {entity} {id}, and then had no such record"),
            )
        })
    }

    /// The orders with these external ids.
    async fn by_external_ids(
        &self,
        schema: &EntitySchema,
        ids: &[String],
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        let answer = self
            .call("getOrdersByExtOrderIds", Repeat::Safe, |out| {
                out.push_str("<ns:request><ns:extOrderIds>");
                for id in ids {
                    out.push_str(&format!("<ns:id>{}</ns:id>", quick_xml::escape::escape(id.as_str())));
                }
                out.push_str("</ns:extOrderIds></ns:request>");
            })
            .await?;
        Ok(Self::records(&answer, &["orderList", "order"], schema))
    }

    /// The invoice with this external id, if MplusKASSA has one.
    async fn invoice_by_external_id(
        &self,
        schema: &EntitySchema,
        external: &str,
    ) -> Result<Option<Value<'static>>, ConnectorError> {
        let answer = self
            .call("findInvoice", Repeat::Safe, |out| {
                out.push_str(&format!(
                    "<ns:extInvoiceId>{}</ns:extInvoiceId>",
                    quick_xml::escape::escape(external)
                ));
            })
            .await?;
        if answer.text_of("result") == Some("GET-INVOICE-RESULT-NOT-FOUND") {
            return Ok(None);
        }
        soap::outcome(NAME, "findInvoice", &answer)?;
        Ok(answer
            .child("invoice")
            .map(|invoice| xml::record(invoice, Some(&schema.fields))))
    }

    async fn create_record(
        &self,
        entity: &str,
        schema: &EntitySchema,
        payload: &Value<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        match entity {
            "orders" => {
                let answer = self
                    .call("createOrder", Repeat::Never, |out| {
                        xml::write_element(out, "order", payload, Some(&schema.fields))
                    })
                    .await?;
                if answer.text_of("result") == Some("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS") {
                    // The order is there: it is the one asked for.
                    let external = payload
                        .get("extOrderId")
                        .and_then(Value::to_text)
                        .map(|id| id.into_owned())
                        .unwrap_or_default();
                    let found = self.by_external_ids(schema, std::slice::from_ref(&external)).await?;
                    return found.into_iter().next().ok_or_else(|| {
                        ConnectorError::new(
                            ErrorKind::Protocol,
                            format!("{NAME} says an order with external id {external} exists, and then has none"),
                        )
                    });
                }
                soap::outcome(NAME, "createOrder", &answer)?;
                let id = answer
                    .at(&["info", "orderId"])
                    .map(|id| id.text.trim().to_string())
                    .unwrap_or_default();
                self.written(entity, &id).await
            }
            "invoices" => {
                let answer = self
                    .call("saveInvoice", Repeat::Never, |out| {
                        xml::write_element(out, "invoice", payload, Some(&schema.fields))
                    })
                    .await?;
                if answer.text_of("result") == Some("SAVE-INVOICE-RESULT-EXT-INVOICE-ID-ALREADY-EXISTS") {
                    // The invoice is there: it is the one asked for.
                    let external = payload
                        .get("extInvoiceId")
                        .and_then(Value::to_text)
                        .map(|id| id.into_owned())
                        .unwrap_or_default();
                    return self.invoice_by_external_id(schema, &external).await?.ok_or_else(|| {
                        ConnectorError::new(
                            ErrorKind::Protocol,
                            format!("{NAME} says an invoice with external id {external} exists, and then has none"),
                        )
                    });
                }
                soap::outcome(NAME, "saveInvoice", &answer)?;
                let id = answer
                    .at(&["info", "invoiceId"])
                    .map(|id| id.text.trim().to_string())
                    .unwrap_or_default();
                self.written(entity, &id).await
            }
            "relations" | "products" => {
                let (operation, element, number) = if entity == "relations" {
                    ("createRelation", "relation", "relationNumber")
                } else {
                    ("createProduct", "product", "productNumber")
                };
                let answer = self
                    .call(operation, Repeat::Never, |out| {
                        xml::write_element(out, element, payload, Some(&schema.fields))
                    })
                    .await?;
                soap::outcome(NAME, operation, &answer)?;
                let id = answer.text_of(number).unwrap_or_default().to_string();
                self.written(entity, &id).await
            }
            "articlegroups" => {
                let request = in_order(payload, &["parentGroupNumber", "name", "text", "sortOrder", "imageId"]);
                let answer = self
                    .call("newArticleGroup", Repeat::Never, |out| {
                        xml::write_element(out, "request", &request, None)
                    })
                    .await?;
                soap::outcome(NAME, "newArticleGroup", &answer)?;
                let id = answer.text_of("groupNumber").unwrap_or_default().trim().to_string();
                self.written(entity, &id).await
            }
            "productimages" => {
                let product = match payload.get("productNumber") {
                    Some(Value::Int(number)) => *number,
                    _ => {
                        return Err(ConnectorError::new(
                            ErrorKind::Invalid,
                            "an image is linked to a product: give its productNumber",
                        ));
                    }
                };
                let mut link = Object::new();
                link.push("cardType", Value::from("PRODUCT"));
                link.push("cardNumbers", Value::Int(product));
                let mut request = in_order(payload, &["imageName", "mimeType", "imageUrl"])
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                request.push("cardLink", Value::object(link));
                let answer = self
                    .call("createImageFromUrl", Repeat::Never, |out| {
                        xml::write_element(out, "request", &Value::object(request), None)
                    })
                    .await?;
                soap::outcome(NAME, "createImageFromUrl", &answer)?;
                let id = answer.text_of("imageId").unwrap_or_default().trim().to_string();
                let images = self.product_images(schema, &product.to_string()).await?;
                images
                    .into_iter()
                    .find(|image| image.get("imageId").and_then(Value::to_text).as_deref() == Some(id.as_str()))
                    .ok_or_else(|| {
                        ConnectorError::new(
                            ErrorKind::NotFound,
                            format!("{NAME} made image {id}, and then product {product} did not show it"),
                        )
                    })
            }
            _ => Err(not_written(entity, "created")),
        }
    }

    /// The images of a product's card, each with the product's number.
    async fn product_images(
        &self,
        schema: &EntitySchema,
        product: &str,
    ) -> Result<Vec<Value<'static>>, ConnectorError> {
        let Ok(product) = product.parse::<i64>() else {
            return Ok(Vec::new());
        };
        let answer = self
            .call("getCardImages", Repeat::Safe, |out| {
                out.push_str(&format!(
                    "<ns:request><ns:cardType>PRODUCT</ns:cardType><ns:cardNumbers>{product}</ns:cardNumbers></ns:request>"
                ));
            })
            .await?;
        let mut images = Vec::new();
        for card in answer.all("items") {
            let number = card
                .text_of("cardNumber")
                .and_then(|number| number.trim().parse::<i64>().ok());
            if number != Some(product) {
                continue;
            }
            for image in card.all("images") {
                let mut record = xml::record(image, Some(&schema.fields))
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                record.insert("productNumber", Value::Int(product));
                images.push(Value::object(record));
            }
        }
        Ok(images)
    }
}

/// Images are read per product, never whole.
fn per_product() -> ConnectorError {
    ConnectorError::new(
        ErrorKind::Invalid,
        format!("{NAME} gives images per product: look them up with `productNumber` as a key"),
    )
}

/// The fields of `payload` named in `order`, in that order (a request
/// type's sequence), those it has not left out.
fn in_order(payload: &Value<'_>, order: &[&str]) -> Value<'static> {
    let mut request = Object::new();
    for name in order {
        if let Some(value) = payload.get(name).filter(|value| !value.is_null()) {
            request.push(name.to_string(), value.clone().into_owned());
        }
    }
    Value::object(request)
}

fn not_written(entity: &str, how: &str) -> ConnectorError {
    ConnectorError::new(
        ErrorKind::Invalid,
        format!("{NAME} {entity} are not {how} through flowc"),
    )
}

/// Whether an entity's records are sales documents: named by a UUID, and
/// read with their lines.
fn with_lines(entity: &str) -> bool {
    matches!(entity, "orders" | "invoices")
}

/// The `syncMarker` of the last record of a page.
fn last_marker(records: &[Value<'static>]) -> Option<i64> {
    records
        .iter()
        .filter_map(|record| match record.get("syncMarker") {
            Some(Value::Int(marker)) => Some(*marker),
            _ => None,
        })
        .max()
}

/// A key's value as MplusKASSA's text.
fn text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::List(_) | Value::Object(_) | Value::Null => None,
        other => other.to_text().map(|text| text.into_owned()),
    }
}

#[async_trait]
impl Connector for MplusKassa {
    fn system(&self) -> &str {
        "mpluskassa"
    }

    /// MplusKASSA has no sign-in: a small read tells whether the ident and
    /// secret work.
    async fn connect(&self) -> Result<(), ConnectorError> {
        self.call("getBranches", Repeat::Safe, |_| {}).await.map(|_| ())
    }

    async fn list(&self, entity: &str, request: &PageRequest<'_>) -> Result<Page, ConnectorError> {
        let schema = schema::reached("mpluskassa", NAME, entity)?;
        if schema.cursor.is_none() {
            // Given whole: one page.
            if request.start > 0 {
                return Ok(Page::default());
            }
            return Ok(Page {
                records: self.whole(entity, schema).await?,
                more: false,
            });
        }
        let base = match request.after {
            None => 0,
            Some(Value::Int(marker)) => *marker,
            Some(other) => match other.to_text().and_then(|text| text.parse::<i64>().ok()) {
                Some(marker) => marker,
                None => return Err(ConnectorError::local(format!("the cursor {other} is not a syncMarker"))),
            },
        };
        let size = request.size.clamp(1, LARGEST_PAGE);
        let known = self
            .markers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(entity.to_string(), base, request.start))
            .copied();
        let records = match (request.start, known) {
            (0, _) => self.after_marker(entity, schema, base, size).await?,
            (_, Some(marker)) => self.after_marker(entity, schema, marker, size).await?,
            // A page nobody led to: read up to it.
            (start, None) => {
                let mut marker = base;
                let mut skipped = 0;
                while skipped < start {
                    let step = (start - skipped).min(LARGEST_PAGE);
                    let page = self.after_marker(entity, schema, marker, step).await?;
                    skipped += page.len();
                    marker = last_marker(&page).unwrap_or(marker);
                    if page.len() < step {
                        return Ok(Page::default());
                    }
                }
                self.after_marker(entity, schema, marker, size).await?
            }
        };
        let more = records.len() >= size;
        if let Some(marker) = last_marker(&records) {
            self.markers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert((entity.to_string(), base, request.start + records.len()), marker);
        }
        Ok(Page { records, more })
    }

    async fn find(&self, entity: &str, keys: &Keys<'_>) -> Result<Vec<Value<'static>>, ConnectorError> {
        let schema = schema::reached("mpluskassa", NAME, entity)?;
        let key = |name: &[&str]| {
            keys.iter()
                .filter(|key| key.path.iter().map(String::as_str).eq(name.iter().copied()))
                .find_map(|key| text(key.equal_to()?))
        };
        // The keys MplusKASSA compared itself: its answer decides for them
        // (findRelation compares as MplusKASSA does); the others are
        // matched here.
        let mut decided: Vec<Vec<&str>> = Vec::new();
        let mut found = if entity == "orders"
            && let Some(external) = key(&["extOrderId"])
        {
            decided.push(vec!["extOrderId"]);
            self.by_external_ids(schema, &[external]).await?
        } else if entity == "invoices"
            && let Some(external) = key(&["extInvoiceId"])
        {
            decided.push(vec!["extInvoiceId"]);
            self.invoice_by_external_id(schema, &external)
                .await?
                .into_iter()
                .collect()
        } else if entity == "productimages" {
            let Some(number) = key(&["productNumber"]) else {
                return Err(per_product());
            };
            decided.push(vec!["productNumber"]);
            self.product_images(schema, &number).await?
        } else if let Some(id) = key(&[schema.id.as_str()]) {
            decided.push(vec![schema.id.as_str()]);
            self.by_numbers(entity, schema, &[id]).await?
        } else if entity == "products"
            && let Some(article) = key(&["articleList", "article", "articleNumber"])
        {
            decided.push(vec!["articleList", "article", "articleNumber"]);
            let Ok(article) = article.parse::<i64>() else {
                return Ok(Vec::new());
            };
            let products = schema;
            let answer = self
                .call("getProducts", Repeat::Safe, |out| {
                    out.push_str(&format!(
                        "<ns:request><ns:articleNumbers>{article}</ns:articleNumbers></ns:request>"
                    ));
                })
                .await?;
            Self::records(&answer, &["productList", "product"], products)
        } else if entity == "relations"
            && keys
                .iter()
                .all(|key| key.path.len() == 1 && key.equal_to().and_then(text).is_some())
        {
            // findRelation matches a relation on the fields it is given.
            let mut probe = Object::new();
            for key in keys {
                probe.push(key.path[0].clone(), key.value.clone().into_owned());
                decided.push(vec![key.path[0].as_str()]);
            }
            let probe = Value::object(probe);
            let answer = self
                .call("findRelation", Repeat::Safe, |out| {
                    xml::write_element(out, "relation", &probe, Some(&schema.fields))
                })
                .await?;
            match answer.text_of("result") {
                Some("FIND-RELATION-RESULT-NOT-FOUND") => Vec::new(),
                _ => {
                    soap::outcome(NAME, "findRelation", &answer)?;
                    answer
                        .child("relation")
                        .map(|relation| vec![xml::record(relation, Some(&schema.fields))])
                        .unwrap_or_default()
                }
            }
        } else {
            self.whole(entity, schema).await?
        };
        let matched_here: Vec<_> = keys
            .iter()
            .filter(|key| {
                !(key.comparison.is_equal()
                    && decided
                        .iter()
                        .any(|compared| key.path.iter().map(String::as_str).eq(compared.iter().copied())))
            })
            .copied()
            .collect();
        found.retain(|record| matches_keys(record, &matched_here));
        Ok(found)
    }

    async fn get(&self, entity: &str, id: &Value<'_>) -> Result<Option<Value<'static>>, ConnectorError> {
        match text(id) {
            Some(id) => self.one(entity, &id).await,
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        entity: &str,
        payload: &Value<'_>,
        keys: &Keys<'_>,
    ) -> Result<Value<'static>, ConnectorError> {
        let schema = schema::writable("mpluskassa", NAME, entity)?;
        http::create::create_once(
            self.http.policy(),
            keys,
            || self.create_record(entity, schema, payload),
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
        let schema = schema::writable("mpluskassa", NAME, entity)?;
        let Some(id) = text(id) else {
            return Err(ConnectorError::local(format!("{entity} has no record with id {id}")));
        };
        match entity {
            "relations" | "products" => {
                let (operation, element) = if entity == "relations" {
                    ("updateRelation", "relation")
                } else {
                    ("updateProduct", "product")
                };
                // MplusKASSA takes the whole record: the one held, with the
                // flow's fields over it.
                let held = self.written(entity, &id).await?;
                let record = merged(&schema.fields, &held, payload);
                let answer = self
                    .call(operation, Repeat::Safe, |out| {
                        xml::write_element(out, element, &record, Some(&schema.fields))
                    })
                    .await?;
                soap::outcome(NAME, operation, &answer)?;
                self.written(entity, &id).await
            }
            "stock" => {
                let Ok(article) = id.parse::<i64>() else {
                    return Err(ConnectorError::local(format!("{id} is not an article number")));
                };
                let amount = payload.get("amountFree").or_else(|| payload.get("amount"));
                let Some(Value::Int(amount)) = amount else {
                    return Err(ConnectorError::new(
                        ErrorKind::Invalid,
                        "setStock takes the stock as amountFree, a whole number (with decimalPlacesFree)",
                    ));
                };
                let places = match payload
                    .get("decimalPlacesFree")
                    .or_else(|| payload.get("decimalPlaces"))
                {
                    Some(Value::Int(places)) => *places,
                    _ => 0,
                };
                let answer = self
                    .call("setStock", Repeat::Safe, |out| {
                        out.push_str(&format!(
                            "<ns:request><ns:branchNumber>{}</ns:branchNumber><ns:articleNumber>{article}</ns:articleNumber><ns:amount>{amount}</ns:amount><ns:decimalPlaces>{places}</ns:decimalPlaces><ns:reference>flowc</ns:reference></ns:request>",
                            self.branch
                        ));
                    })
                    .await?;
                soap::outcome(NAME, "setStock", &answer)?;
                self.written(entity, &id).await
            }
            "articlegroups" => {
                let Ok(number) = id.parse::<i64>() else {
                    return Err(ConnectorError::local(format!("{id} is not an article group number")));
                };
                let mut request = Object::new();
                request.push("groupNumber", Value::Int(number));
                let fields = in_order(payload, &["name", "text", "sortOrder", "imageId", "parentGroupNumber"]);
                for (name, value) in fields.as_object().into_iter().flat_map(|object| object.iter()) {
                    request.push(name.to_string(), value.clone());
                }
                let answer = self
                    .call("updateArticleGroup", Repeat::Safe, |out| {
                        xml::write_element(out, "request", &Value::object(request), None)
                    })
                    .await?;
                soap::outcome(NAME, "updateArticleGroup", &answer)?;
                self.written(entity, &id).await
            }
            _ => Err(not_written(entity, "updated")),
        }
    }
}

/// `held` with `payload`'s fields over it, the fields MplusKASSA sets
/// itself left out.
fn merged(fields: &Fields, held: &Value<'_>, payload: &Value<'_>) -> Value<'static> {
    let mut record = Object::new();
    let writable = |name: &str| !fields.get(name).is_some_and(|field| field.read_only);
    for (name, value) in held.as_object().into_iter().flat_map(|object| object.iter()) {
        if writable(name) {
            record.push(name.to_string(), value.clone().into_owned());
        }
    }
    for (name, value) in payload.as_object().into_iter().flat_map(|object| object.iter()) {
        record.insert(name.to_string(), value.clone().into_owned());
    }
    Value::object(record)
}

#[async_trait]
impl Vendor for Session {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, _request: &mut Outgoing, _url: &Url) -> Result<(), ConnectorError> {
        Ok(())
    }

    fn locate(&self, url: &Url) -> Url {
        let mut url = url.clone();
        url.query_pairs_mut()
            .append_pair("ident", &self.ident)
            .append_pair("secret", self.secret.expose_secret());
        url
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        match xml::parse(&response.body)
            .ok()
            .as_ref()
            .and_then(|envelope| envelope.child("Body"))
            .and_then(soap::fault)
        {
            Some(fault) => (fault.vendor(), fault.kind()),
            None => (VendorError::default(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    /// A request and its answer as the WSDL describes them: the request
    /// built here, the answer read into the record flows see.
    #[test]
    fn a_soap_request_and_answer_round_trip() {
        let schema = schema::reached("mpluskassa", NAME, "relations").unwrap();
        let probe = json::parse(r#"{"email": "jan@example.nl"}"#).unwrap();
        let request = soap::envelope("findRelation", |out| {
            xml::write_element(out, "relation", &probe, Some(&schema.fields))
        });
        assert_eq!(
            request,
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="urn:mplusqapi"><SOAP-ENV:Body><ns:findRelation><ns:relation><ns:email>jan@example.nl</ns:email></ns:relation></ns:findRelation></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        );
        let answer = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="urn:mplusqapi">
 <SOAP-ENV:Body>
  <ns:FindRelationResponse>
   <ns:result>FIND-RELATION-RESULT-OK</ns:result>
   <ns:relation>
    <ns:relationNumber>10023</ns:relationNumber>
    <ns:name>Bakkerij De Vries B.V.</ns:name>
    <ns:email>jan@example.nl</ns:email>
    <ns:active>true</ns:active>
    <ns:syncMarker>5123</ns:syncMarker>
   </ns:relation>
  </ns:FindRelationResponse>
 </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"#;
        let element = soap::answer(NAME, answer, "findRelation").unwrap();
        assert_eq!(element.name, "FindRelationResponse");
        let relation = xml::record(element.child("relation").unwrap(), Some(&schema.fields));
        assert_eq!(
            json::to_string(&relation),
            r#"{"relationNumber":10023,"name":"Bakkerij De Vries B.V.","email":"jan@example.nl","active":true,"syncMarker":5123}"#
        );
    }
}
