//! The MplusKASSA sandbox: MplusQapi's SOAP API as its WSDL describes it
//! (specs/mplus/mplusqapi.wsdl).
//!
//! - One endpoint: SOAP 1.1 envelopes POSTed as `text/xml`, the client
//!   named by `ident` and `secret` in the query (else 401 with a fault).
//! - The operation is the Body's element, in the `urn:mplusqapi`
//!   namespace, its elements qualified; an element of the wrong namespace,
//!   one the type does not have, or a value not of its type is a Client
//!   fault, as gSOAP answers in strict mode ("Validation constraint
//!   violation: data type mismatch in element ...").
//! - Served: getOrders, getOrdersByExtOrderIds, createOrder (an external
//!   order id that exists answers `CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS`;
//!   every line's article must exist), getInvoices, findInvoice,
//!   saveInvoice (likewise `SAVE-INVOICE-RESULT-EXT-INVOICE-ID-ALREADY-EXISTS`
//!   for an external invoice id that exists), getRelations, findRelation,
//!   createRelation, updateRelation, getProducts, createProduct,
//!   getArticleGroupChanges (every group, flat, its parent by number; by
//!   `groupNumbers`),
//!   updateProduct, getStock, setStock, getPaymentMethods, getVatGroupList,
//!   getEmployees, getBranches, getDeliveryMethods, getOrderCategories,
//!   createImageFromUrl, getCardImages and getImages ([`images`]). Lists follow `syncMarker` (records changed
//!   after it, in its order, `syncMarkerLimit` at a time); every write
//!   gives the record the next marker.
//! - Answers are written in the order of the WSDL's sequences, with the
//!   `...-RESULT-...` codes and `errorMessage`s of the API.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode};
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};

mod images;

use super::faults::{Dice, Fault};
use super::gate::{self, Minute, Struck};
use super::store::{self, Records};
use super::{Credentials, Options, Shared, Stats, broken, query_pairs, uuid};
use crate::connectors::schema::{Catalog, EntitySchema, FieldSchema, Fields};
use crate::value::{Object, Value, json};

const API: &str = "urn:mplusqapi";
const ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

struct Till {
    ident: String,
    secret: String,
    minute: Minute,
    faults: super::Faults,
    dice: Mutex<Dice>,
    records: Shared,
    stats: Arc<Stats>,
    /// The last syncMarker given.
    marker: AtomicI64,
}

pub fn router(base: &str, options: &Options, stats: Arc<Stats>, records: Shared) -> Result<(Router, String), String> {
    let mut dice = options.faults.dice();
    let credentials = options.credentials.clone().unwrap_or_else(|| Credentials {
        id: "sandbox-ident".into(),
        secret: format!("sandbox-secret-{}", &uuid(&mut dice)[..8]),
        refresh_token: String::new(),
    });
    let table = format!(
        "[{}]\nsystem = \"mpluskassa\"\nbase_url = \"{base}/\"\nident = \"{}\"\nsecret = \"{}\"\n",
        options.name, credentials.id, credentials.secret
    );
    let highest = {
        let held = records.lock().unwrap();
        held.entities
            .values()
            .flatten()
            .filter_map(|record| match record.get("syncMarker") {
                Some(Value::Int(marker)) => Some(*marker),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    };
    let till = Till {
        ident: credentials.id,
        secret: credentials.secret,
        minute: Minute::new(options.requests_per_minute.unwrap_or(600)),
        faults: options.faults.clone(),
        dice: Mutex::new(dice),
        records,
        stats,
        marker: AtomicI64::new(highest),
    };
    Ok((Router::new().fallback(handle).with_state(Arc::new(till)), table))
}

async fn handle(State(till): State<Arc<Till>>, request: Request) -> Response<Body> {
    let Some(received) = gate::receive(request, &till.stats, &till.faults).await else {
        return fault(413, "Client", "The request is too large");
    };
    let gate::Received {
        method,
        query,
        headers,
        body,
        ..
    } = received;
    let content_type = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let pairs = query_pairs(&query);
    let given = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if given("ident") != Some(till.ident.as_str()) || given("secret") != Some(till.secret.as_str()) {
        Stats::count(&till.stats.refused);
        return fault(401, "Client", "Unauthorized: ident or secret is not valid");
    }
    if method != Method::POST {
        return fault(405, "Client", "MplusQapi takes SOAP requests by POST");
    }
    if !content_type.starts_with("text/xml") {
        return fault(415, "Client", "A SOAP 1.1 request is sent as text/xml");
    }
    let operation = match read_envelope(&body) {
        Ok(operation) => operation,
        Err(message) => return fault(500, "Client", &message),
    };
    if let Err(wait) = till.minute.admit("api") {
        Stats::count(&till.stats.limited);
        let mut response = fault(429, "Server", "Too many requests");
        super::retry_after(response.headers_mut(), wait, false);
        return response;
    }
    let creating = operation.name.starts_with("create");
    let fault_struck = match gate::strike(
        &till.faults,
        &till.dice,
        &till.stats,
        &operation.name,
        creating,
        |status, message| fault(status, "Server", message),
    ) {
        Struck::Dropped => return broken(),
        Struck::Answer(response) => return response,
        Struck::CarryOut(fault) => fault,
    };
    let response = match till.carry_out(&operation) {
        Ok((name, content)) => envelope(&name, &content),
        Err(message) => fault(500, "Client", &message),
    };
    if fault_struck == Some(Fault::CreateThen500) && response.status().is_success() {
        return fault(500, "Server", "An error has occurred.");
    }
    response
}

/// An element of a request: its local name, children and text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn get(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }

    fn numbers(&self, name: &str) -> Result<Vec<i64>, String> {
        self.children
            .iter()
            .filter(|child| child.name == name)
            .map(|child| {
                child
                    .text
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("Validation constraint violation: data type mismatch in element 'ns:{name}'"))
            })
            .collect()
    }

    fn number(&self, name: &str) -> Result<Option<i64>, String> {
        Ok(self.numbers(name)?.first().copied())
    }
}

/// The operation's element of an envelope; every element below the Body
/// must be in MplusQapi's namespace.
fn read_envelope(text: &str) -> Result<Node, String> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut depth_in_body: Option<usize> = None;
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|error| format!("The request is not well-formed XML: {error}"))?;
        let bound = |expected: &str| matches!(namespace, ResolveResult::Bound(Namespace(ns)) if ns == expected);
        match event {
            Event::Start(start) | Event::Empty(start) if stack.len() > 64 => {
                return Err(format!("The request nests too deep at {:?}", start.local_name()));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let name = start.local_name().as_ref().to_string();
                let level = stack.len();
                match level {
                    0 if !(name == "Envelope" && bound(ENVELOPE)) => {
                        return Err("The request is no SOAP 1.1 Envelope".into());
                    }
                    1 if name == "Header" => {}
                    1 if !(name == "Body" && bound(ENVELOPE)) => return Err("The Envelope has no SOAP Body".into()),
                    1 => depth_in_body = Some(2),
                    _ if depth_in_body.is_some_and(|body| level >= body) && !bound(API) => {
                        return Err(format!(
                            "Tag mismatch: element '{name}' is not in namespace urn:mplusqapi"
                        ));
                    }
                    _ => {}
                }
                let node = Node {
                    name,
                    ..Node::default()
                };
                if matches!(event, Event::Empty(_)) {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(node);
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("The request closes what it did not open")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => {
                        let body = node.children.into_iter().find(|child| child.name == "Body");
                        return body
                            .and_then(|body| body.children.into_iter().next())
                            .ok_or_else(|| "The SOAP Body names no operation".to_string());
                    }
                }
            }
            Event::Text(text) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(node) = stack.last_mut() {
                    let name: &str = reference.as_ref();
                    let character = match name {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => reference.resolve_char_ref().ok().flatten(),
                    };
                    node.text
                        .push(character.ok_or_else(|| format!("The request uses the unknown entity &{name};"))?);
                }
            }
            Event::Eof => return Err("The request ends inside its Envelope".into()),
            _ => {}
        }
    }
}

/// A record from its element, checked against the type: every element
/// known, every value of its type.
fn record(node: &Node, fields: &Fields) -> Result<Value<'static>, String> {
    // Repeated elements of a list gather under its name.
    let mut entries: Vec<(String, bool, Vec<Value<'static>>)> = Vec::new();
    for child in &node.children {
        let Some(field) = fields.get(&child.name) else {
            return Err(format!(
                "Tag mismatch: '{}' is not an element of '{}'",
                child.name, node.name
            ));
        };
        let value = typed(child, field)?;
        let list = field.kind == "list";
        match entries
            .iter_mut()
            .find(|(name, is_list, _)| *is_list && *name == child.name)
        {
            Some((_, _, items)) => items.push(value),
            None => entries.push((child.name.clone(), list, vec![value])),
        }
    }
    let mut object = Object::with_capacity(entries.len());
    for (name, list, mut items) in entries {
        let value = if list { Value::list(items) } else { items.swap_remove(0) };
        object.push(name, value);
    }
    Ok(Value::object(object))
}

fn typed(node: &Node, field: &FieldSchema) -> Result<Value<'static>, String> {
    let mismatch = || {
        format!(
            "Validation constraint violation: data type mismatch in element 'ns:{}'",
            node.name
        )
    };
    let text = node.text.trim();
    let field = match (field.kind.as_str(), &field.items) {
        ("list", Some(items)) => items.as_ref(),
        _ => field,
    };
    Ok(match field.kind.as_str() {
        "object" => match &field.fields {
            Some(fields) => record(node, fields)?,
            None => Value::object(Object::new()),
        },
        "int" => Value::Int(text.parse().map_err(|_| mismatch())?),
        "decimal" => match json::parse(text) {
            Ok(number @ (Value::Int(_) | Value::Decimal(_))) => number.into_owned(),
            _ => return Err(mismatch()),
        },
        "bool" => match text {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return Err(mismatch()),
        },
        _ => Value::from(node.text.clone()),
    })
}

/// An answer's content: elements in the order of their type's sequence.
fn write(out: &mut String, record: &Value<'_>, fields: Option<&Fields>) {
    let Some(object) = record.as_object() else {
        return;
    };
    let mut names: Vec<&str> = object.iter().map(|(name, _)| name).collect();
    names.sort_by_key(|name| {
        fields
            .and_then(|fields| fields.get(*name))
            .and_then(|field| field.position)
            .unwrap_or(u32::MAX)
    });
    for name in names {
        let field = fields.and_then(|fields| fields.get(name));
        let value = object.get(name).unwrap_or(&Value::Null);
        let items: Vec<&Value<'_>> = match value {
            Value::List(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        let inner = field
            .map(|field| field.items.as_deref().unwrap_or(field))
            .and_then(|field| field.fields.as_ref());
        for item in items {
            out.push_str(&format!("<ns:{name}>"));
            match item {
                Value::Object(_) => write(out, item, inner),
                Value::Bool(truth) => out.push_str(if *truth { "true" } else { "false" }),
                other => out.push_str(&quick_xml::escape::escape(other.to_text().unwrap_or_default().as_ref())),
            }
            out.push_str(&format!("</ns:{name}>"));
        }
    }
}

fn envelope(name: &str, content: &str) -> Response<Body> {
    xml_answer(
        StatusCode::OK,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="urn:mplusqapi"><SOAP-ENV:Body><ns:{name}>{content}</ns:{name}></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        ),
    )
}

/// A SOAP fault: `Client` for what was sent, `Server` for the system.
fn fault(status: u16, code: &str, message: &str) -> Response<Body> {
    xml_answer(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:{code}</faultcode><faultstring>{}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
            quick_xml::escape::escape(message)
        ),
    )
}

fn xml_answer(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml; charset=utf-8"));
    response
}

fn schema(entity: &str) -> &'static EntitySchema {
    Catalog::builtin()
        .entity("mpluskassa", entity)
        .expect("the sandbox serves the entities of the schema")
}

/// The record a create or update operation gives, checked against its
/// entity's schema: the record, or (inside) the answer that refuses it
/// with MplusKASSA's `...-FAILED` code; a SOAP fault when it is missing.
fn given(
    operation: &Node,
    kind: &Numbered,
    creating: bool,
    answer: &str,
    prefix: &str,
) -> Result<Result<Value<'static>, (String, String)>, String> {
    let given = record(
        operation
            .get(kind.element)
            .ok_or_else(|| format!("this operation needs a {}", kind.element))?,
        &schema(kind.entity).fields,
    )?;
    Ok(match store::check("mpluskassa", kind.entity, &given, creating) {
        Ok(()) => Ok(given),
        Err(problems) => Err((
            answer.into(),
            result(
                &format!("{prefix}-FAILED"),
                &[("errorMessage", store::described(&problems))],
            ),
        )),
    })
}

/// Documents read by their ids: the entity, the request's repeated id
/// element, the id field, and the answer's element, list and item.
struct Documents {
    entity: &'static str,
    ids: &'static str,
    id: &'static str,
    answer: &'static str,
    list: &'static str,
    item: &'static str,
}

const ORDERS: Documents = Documents {
    entity: "orders",
    ids: "orderIds",
    id: "orderId",
    answer: "GetOrdersResponse",
    list: "orderList",
    item: "order",
};

const INVOICES: Documents = Documents {
    entity: "invoices",
    ids: "invoiceIds",
    id: "invoiceId",
    answer: "GetInvoicesResponse",
    list: "invoiceList",
    item: "invoice",
};

/// `<ns:result>..</ns:result>` and the fields after it.
fn result(code: &str, rest: &[(&str, String)]) -> String {
    let mut out = format!("<ns:result>{code}</ns:result>");
    for (name, value) in rest {
        out.push_str(&format!(
            "<ns:{name}>{}</ns:{name}>",
            quick_xml::escape::escape(value.as_str())
        ));
    }
    out
}

fn number_of(record: &Value<'_>, field: &str) -> Option<i64> {
    match record.get(field) {
        Some(Value::Int(number)) => Some(*number),
        _ => None,
    }
}

impl Till {
    fn next_marker(&self) -> i64 {
        self.marker.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Carries out an operation: the answer's element name and content.
    fn carry_out(&self, operation: &Node) -> Result<(String, String), String> {
        let request = operation.get("request");
        let empty = Node::default();
        let request = request.unwrap_or(&empty);
        let mut held = self.records.lock().unwrap();
        match operation.name.as_str() {
            "getOrders" => self.by_ids(&held, request, &ORDERS),
            "getOrdersByExtOrderIds" => {
                let ids: Vec<&str> = request
                    .get("extOrderIds")
                    .map(|list| list.children.iter().map(|id| id.text.trim()).collect())
                    .unwrap_or_default();
                let orders = self.changed(&held, "orders", request, |order| {
                    order
                        .get("extOrderId")
                        .and_then(Value::to_text)
                        .is_some_and(|id| ids.contains(&id.as_ref()))
                })?;
                Ok((
                    "GetOrdersByExtOrderIdsResponse".into(),
                    listed("orderList", "order", &orders, "orders"),
                ))
            }
            "createOrder" => self.create_order(&mut held, operation),
            "getInvoices" => self.by_ids(&held, request, &INVOICES),
            "findInvoice" => {
                let external = operation
                    .get("extInvoiceId")
                    .map(|id| id.text.trim().to_string())
                    .ok_or("findInvoice needs an extInvoiceId")?;
                let found = held
                    .of("invoices")
                    .iter()
                    .find(|invoice| invoice.get("extInvoiceId").and_then(Value::to_text).as_deref() == Some(&external));
                let mut content = result(
                    if found.is_some() {
                        "GET-INVOICE-RESULT-OK"
                    } else {
                        "GET-INVOICE-RESULT-NOT-FOUND"
                    },
                    &[],
                );
                if let Some(invoice) = found {
                    content.push_str("<ns:invoice>");
                    write(&mut content, invoice, Some(&schema("invoices").fields));
                    content.push_str("</ns:invoice>");
                }
                Ok(("GetInvoiceResponse".into(), content))
            }
            "saveInvoice" => self.save_invoice(&mut held, operation),
            "getRelations" => {
                let numbers = request.numbers("relationNumbers")?;
                let relations = self.changed(&held, "relations", request, |relation| {
                    numbers.is_empty() || number_of(relation, "relationNumber").is_some_and(|n| numbers.contains(&n))
                })?;
                Ok((
                    "GetRelationsResponse".into(),
                    listed("relationList", "relation", &relations, "relations"),
                ))
            }
            "findRelation" => {
                let probe = record(
                    operation.get("relation").ok_or("findRelation needs a relation")?,
                    &schema("relations").fields,
                )?;
                let found = held.of("relations").iter().find(|relation| {
                    probe.as_object().is_some_and(|fields| {
                        fields.iter().all(|(name, wanted)| match (relation.get(name), wanted) {
                            (Some(Value::Text(held)), Value::Text(wanted)) => {
                                held.as_str().eq_ignore_ascii_case(wanted.as_str())
                            }
                            (Some(held), wanted) => held == wanted,
                            (None, _) => false,
                        })
                    })
                });
                let mut content = result(
                    if found.is_some() {
                        "FIND-RELATION-RESULT-OK"
                    } else {
                        "FIND-RELATION-RESULT-NOT-FOUND"
                    },
                    &[],
                );
                if let Some(relation) = found {
                    content.push_str("<ns:relation>");
                    write(&mut content, relation, Some(&schema("relations").fields));
                    content.push_str("</ns:relation>");
                }
                Ok(("FindRelationResponse".into(), content))
            }
            "createRelation" => self.create_numbered(&mut held, operation, &RELATIONS),
            "updateRelation" => self.update_numbered(&mut held, operation, &RELATIONS),
            "getProducts" => {
                let articles = request.numbers("articleNumbers")?;
                let products = request.numbers("productNumbers")?;
                let found = self.changed(&held, "products", request, |product| {
                    (products.is_empty() || number_of(product, "productNumber").is_some_and(|n| products.contains(&n)))
                        && (articles.is_empty() || article_numbers(product).iter().any(|n| articles.contains(n)))
                })?;
                Ok((
                    "GetProductsResponse".into(),
                    listed("productList", "product", &found, "products"),
                ))
            }
            "getArticleGroupChanges" => {
                let numbers = request.numbers("groupNumbers")?;
                let groups = self.changed(&held, "articlegroups", request, |group| {
                    numbers.is_empty() || number_of(group, "groupNumber").is_some_and(|n| numbers.contains(&n))
                })?;
                Ok((
                    "GetArticleGroupChangesResponse".into(),
                    listed(
                        "changedArticleGroupList",
                        "changedArticleGroups",
                        &groups,
                        "articlegroups",
                    ),
                ))
            }
            "newArticleGroup" => self.new_article_group(&mut held, request),
            "createImageFromUrl" => self.create_image(&mut held, request),
            "getCardImages" => images::card_images(&held, request),
            "getImages" => images::images(&held, request),
            "updateArticleGroup" => self.update_article_group(&mut held, request),
            "createProduct" => self.create_numbered(&mut held, operation, &PRODUCTS),
            "updateProduct" => self.update_numbered(&mut held, operation, &PRODUCTS),
            "getStock" => {
                let branch = request.number("branchNumber")?.ok_or("getStock needs a branchNumber")?;
                let articles = request
                    .get("articleNumbers")
                    .map(|list| list.numbers("articleNumbers"))
                    .transpose()?
                    .unwrap_or_default();
                let stock: Vec<Value<'static>> = held
                    .of("stock")
                    .iter()
                    .filter(|stock| number_of(stock, "branchNumber") == Some(branch))
                    .filter(|stock| {
                        articles.is_empty() || number_of(stock, "articleNumber").is_some_and(|n| articles.contains(&n))
                    })
                    .cloned()
                    .collect();
                let mut content = String::new();
                for record in &stock {
                    content.push_str("<ns:articleStocks>");
                    write(&mut content, record, Some(&schema("stock").fields));
                    content.push_str("</ns:articleStocks>");
                }
                Ok(("GetStockResponse".into(), content))
            }
            "setStock" => self.set_stock(&mut held, request),
            "getPaymentMethods" => Ok((
                "GetPaymentMethodsResponse".into(),
                listed(
                    "paymentMethodList",
                    "paymentMethod",
                    held.of("paymentmethods"),
                    "paymentmethods",
                ),
            )),
            "getVatGroupList" => {
                let mut content = String::new();
                for group in held.of("vatgroups") {
                    content.push_str("<ns:vatGroup>");
                    write(&mut content, group, Some(&schema("vatgroups").fields));
                    content.push_str("</ns:vatGroup>");
                }
                Ok(("getVatGroupListResponse".into(), content))
            }
            "getEmployees" => {
                let employees = self.changed(&held, "employees", request, |_| true)?;
                Ok((
                    "GetEmployeesResponse".into(),
                    listed("employeeList", "employee", &employees, "employees"),
                ))
            }
            "getBranches" => Ok((
                "getBranchesResponse".into(),
                listed("branches", "branch", held.of("branches"), "branches"),
            )),
            "getDeliveryMethods" => Ok((
                "GetDeliveryMethodsResponse".into(),
                listed(
                    "deliveryMethodList",
                    "deliveryMethod",
                    held.of("deliverymethods"),
                    "deliverymethods",
                ),
            )),
            "getOrderCategories" => {
                let mut content = String::new();
                for category in held.of("ordercategories") {
                    content.push_str("<ns:orderCategory>");
                    write(&mut content, category, Some(&schema("ordercategories").fields));
                    content.push_str("</ns:orderCategory>");
                }
                Ok(("GetOrderCategoriesResponse".into(), content))
            }
            other => Err(format!(
                "Method '{other}' not implemented: method name or namespace not recognized"
            )),
        }
    }

    /// The records that pass `keep`, changed after the request's
    /// `syncMarker`, in its order, at most `syncMarkerLimit`.
    fn changed(
        &self,
        held: &Records,
        entity: &str,
        request: &Node,
        keep: impl Fn(&Value<'static>) -> bool,
    ) -> Result<Vec<Value<'static>>, String> {
        let after = request.number("syncMarker")?;
        let limit = request.number("syncMarkerLimit")?;
        let mut found: Vec<Value<'static>> = held
            .of(entity)
            .iter()
            .filter(|record| after.is_none_or(|after| number_of(record, "syncMarker").unwrap_or(0) > after))
            .filter(|record| keep(record))
            .cloned()
            .collect();
        if after.is_some() {
            found.sort_by_key(|record| number_of(record, "syncMarker").unwrap_or(0));
        }
        if let Some(limit) = limit.filter(|limit| *limit > 0) {
            found.truncate(limit as usize);
        }
        Ok(found)
    }

    fn create_order(&self, held: &mut Records, operation: &Node) -> Result<(String, String), String> {
        let schema = schema("orders");
        let order = record(
            operation.get("order").ok_or("createOrder needs an order")?,
            &schema.fields,
        )?;
        let failed = |message: String| {
            Ok((
                "CreateOrderResponse".to_string(),
                result("CREATE-ORDER-RESULT-FAILED", &[("errorMessage", message)]),
            ))
        };
        if let Err(problems) = store::check("mpluskassa", "orders", &order, true) {
            let text = store::described(&problems);
            return failed(text);
        }
        if let Some(external) = order.get("extOrderId").and_then(Value::to_text)
            && held
                .of("orders")
                .iter()
                .any(|held| held.get("extOrderId").and_then(Value::to_text) == Some(external.clone()))
        {
            return Ok((
                "CreateOrderResponse".into(),
                result(
                    "CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS",
                    &[("errorMessage", format!("An order with extOrderId {external} exists"))],
                ),
            ));
        }
        let total = match sale_total(held, &order) {
            Ok(total) => total,
            Err(message) => return failed(message),
        };
        let id = uuid(&mut self.dice.lock().unwrap());
        let mut fields = order.as_object().cloned().unwrap_or_default();
        fields.insert("orderId", Value::from(id.clone()));
        fields.insert("syncMarker", Value::Int(self.next_marker()));
        fields.insert("totalInclAmount", Value::Int(total));
        held.of_mut("orders").push(Value::object(fields));
        Stats::count(&self.stats.created);
        Ok((
            "CreateOrderResponse".into(),
            format!(
                "<ns:result>CREATE-ORDER-RESULT-OK</ns:result><ns:info><ns:orderId>{id}</ns:orderId><ns:orderString></ns:orderString></ns:info><ns:errorMessage></ns:errorMessage>"
            ),
        ))
    }

    fn save_invoice(&self, held: &mut Records, operation: &Node) -> Result<(String, String), String> {
        let invoice = record(
            operation.get("invoice").ok_or("saveInvoice needs an invoice")?,
            &schema("invoices").fields,
        )?;
        let answer = |code: &str, message: String| {
            Ok((
                "SaveInvoiceResponse".to_string(),
                format!(
                    "<ns:result>{code}</ns:result><ns:info><ns:invoiceId></ns:invoiceId><ns:invoiceString></ns:invoiceString></ns:info><ns:errorMessage>{}</ns:errorMessage>",
                    quick_xml::escape::escape(message.as_str())
                ),
            ))
        };
        if let Some(id) = invoice.get("invoiceId").and_then(Value::to_text) {
            // Saving a given id changes that invoice: not what a sale is.
            return answer("SAVE-INVOICE-RESULT-NOT-FOUND", format!("Invoice {id} not found"));
        }
        if let Err(problems) = store::check("mpluskassa", "invoices", &invoice, true) {
            return answer("SAVE-INVOICE-RESULT-FAILED", store::described(&problems));
        }
        if let Some(external) = invoice.get("extInvoiceId").and_then(Value::to_text)
            && held
                .of("invoices")
                .iter()
                .any(|held| held.get("extInvoiceId").and_then(Value::to_text) == Some(external.clone()))
        {
            return answer(
                "SAVE-INVOICE-RESULT-EXT-INVOICE-ID-ALREADY-EXISTS",
                format!("An invoice with extInvoiceId {external} exists"),
            );
        }
        let total = match sale_total(held, &invoice) {
            Ok(total) => total,
            Err(message) => return answer("SAVE-INVOICE-RESULT-FAILED", message),
        };
        let id = uuid(&mut self.dice.lock().unwrap());
        let mut fields = invoice.as_object().cloned().unwrap_or_default();
        fields.insert("invoiceId", Value::from(id.clone()));
        fields.insert("syncMarker", Value::Int(self.next_marker()));
        fields.insert("totalInclAmount", Value::Int(total));
        held.of_mut("invoices").push(Value::object(fields));
        Stats::count(&self.stats.created);
        Ok((
            "SaveInvoiceResponse".into(),
            format!(
                "<ns:result>SAVE-INVOICE-RESULT-OK</ns:result><ns:info><ns:invoiceId>{id}</ns:invoiceId><ns:invoiceString></ns:invoiceString></ns:info><ns:errorMessage></ns:errorMessage>"
            ),
        ))
    }

    fn create_numbered(
        &self,
        held: &mut Records,
        operation: &Node,
        kind: &Numbered,
    ) -> Result<(String, String), String> {
        let Numbered {
            entity,
            element,
            number_field,
            name,
        } = *kind;
        let prefix = &format!("CREATE-{name}-RESULT");
        let answer = &format!("Create{}Response", title(element));
        let given = match given(operation, kind, true, answer, prefix)? {
            Ok(given) => given,
            Err(refusal) => return Ok(refusal),
        };
        let records = held.of(entity);
        let highest = records
            .iter()
            .filter_map(|record| number_of(record, number_field))
            .max()
            .unwrap_or(10000);
        let number = match number_of(&given, number_field) {
            Some(number)
                if records
                    .iter()
                    .any(|record| number_of(record, number_field) == Some(number)) =>
            {
                return Ok((
                    answer.into(),
                    result(
                        &format!("{prefix}-FAILED-{name}-NUMBER-ALREADY-TAKEN"),
                        &[("errorMessage", format!("{number} is taken"))],
                    ),
                ));
            }
            Some(number) if number > 0 => number,
            _ => highest + 1,
        };
        let mut fields = given.as_object().cloned().unwrap_or_default();
        fields.insert(number_field.to_string(), Value::Int(number));
        let mut articles = Vec::new();
        if entity == "products" {
            let taken: Vec<i64> = held.of("products").iter().flat_map(article_numbers).collect();
            let mut next = taken.iter().copied().max().unwrap_or(100000);
            let list = fields
                .get("articleList")
                .and_then(|list| list.get("article"))
                .and_then(Value::as_list)
                .unwrap_or(&[])
                .to_vec();
            let mut numbered = Vec::new();
            for article in list {
                let mut article = article.as_object().cloned().unwrap_or_default();
                let number = match article.get("articleNumber") {
                    Some(Value::Int(n)) if taken.contains(n) => {
                        return Ok((
                            answer.into(),
                            result(
                                &format!("{prefix}-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN"),
                                &[("errorMessage", format!("article {n} is taken"))],
                            ),
                        ));
                    }
                    Some(Value::Int(n)) => *n,
                    _ => {
                        next += 1;
                        next
                    }
                };
                article.insert("articleNumber", Value::Int(number));
                articles.push(number);
                numbered.push(Value::object(article));
            }
            let mut list = Object::new();
            list.push("article", Value::list(numbered));
            fields.insert("articleList", Value::object(list));
        }
        let marker = self.next_marker();
        fields.insert("syncMarker", Value::Int(marker));
        held.of_mut(entity).push(Value::object(fields));
        Stats::count(&self.stats.created);
        let mut content = result(&format!("{prefix}-OK"), &[(number_field, number.to_string())]);
        for article in articles {
            content.push_str(&format!("<ns:articleNumbers>{article}</ns:articleNumbers>"));
        }
        content.push_str(&format!(
            "<ns:syncMarker>{marker}</ns:syncMarker><ns:errorMessage></ns:errorMessage>"
        ));
        Ok((answer.into(), content))
    }

    /// getOrders, getInvoices: the documents with the ids asked (every
    /// one when none are), changed after the request's syncMarker.
    fn by_ids(&self, held: &Records, request: &Node, kind: &Documents) -> Result<(String, String), String> {
        let ids: Vec<&str> = request
            .children
            .iter()
            .filter(|c| c.name == kind.ids)
            .map(|c| c.text.trim())
            .collect();
        let found = self.changed(held, kind.entity, request, |document| {
            ids.is_empty()
                || document
                    .get(kind.id)
                    .and_then(Value::to_text)
                    .is_some_and(|id| ids.contains(&id.as_ref()))
        })?;
        Ok((kind.answer.into(), listed(kind.list, kind.item, &found, kind.entity)))
    }

    /// newArticleGroup: a group under an existing parent, numbered by the
    /// till; its parent (required) must be a group it has.
    fn new_article_group(&self, held: &mut Records, request: &Node) -> Result<(String, String), String> {
        let answer = "NewArticleGroupResponse".to_string();
        let parent = request
            .number("parentGroupNumber")?
            .ok_or("Validation constraint violation: missing element 'ns:parentGroupNumber'")?;
        let name = request
            .get("name")
            .ok_or("Validation constraint violation: missing element 'ns:name'")?;
        let text = request
            .get("text")
            .ok_or("Validation constraint violation: missing element 'ns:text'")?;
        let groups = held.of("articlegroups");
        if !groups
            .iter()
            .any(|group| number_of(group, "groupNumber") == Some(parent))
        {
            return Ok((answer, result("NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND", &[])));
        }
        let number = groups
            .iter()
            .filter_map(|group| number_of(group, "groupNumber"))
            .max()
            .unwrap_or(0)
            + 1;
        let mut group = Object::new();
        group.push("groupNumber", Value::Int(number));
        group.push("parentGroupNumber", Value::Int(parent));
        group.push("syncMarker", Value::Int(self.next_marker()));
        group.push("name", Value::from(name.text.clone()));
        group.push("text", Value::from(text.text.clone()));
        group.push("sortOrder", Value::Int(request.number("sortOrder")?.unwrap_or(0)));
        group.push("isDeleted", Value::Bool(false));
        held.of_mut("articlegroups").push(Value::object(group));
        Stats::count(&self.stats.created);
        Ok((
            answer,
            result("NEW-ARTICLE-GROUP-RESULT-OK", &[("groupNumber", number.to_string())]),
        ))
    }

    /// updateArticleGroup: the fields given, over the group's.
    fn update_article_group(&self, held: &mut Records, request: &Node) -> Result<(String, String), String> {
        let answer = "UpdateArticleGroupResponse".to_string();
        let number = request
            .number("groupNumber")?
            .ok_or("Validation constraint violation: missing element 'ns:groupNumber'")?;
        let parent = request.number("parentGroupNumber")?;
        if let Some(parent) = parent
            && !held
                .of("articlegroups")
                .iter()
                .any(|group| number_of(group, "groupNumber") == Some(parent))
        {
            return Ok((answer, result("SAVE-ARTICLE-GROUP-RESULT-FAILED", &[])));
        }
        let marker = self.next_marker();
        let Some(group) = held
            .of_mut("articlegroups")
            .iter_mut()
            .find(|group| number_of(group, "groupNumber") == Some(number))
        else {
            return Ok((answer, result("SAVE-ARTICLE-GROUP-RESULT-NOT-FOUND", &[])));
        };
        let mut fields = group.as_object().cloned().unwrap_or_default();
        for name in ["name", "text"] {
            if let Some(node) = request.get(name) {
                fields.insert(name, Value::from(node.text.clone()));
            }
        }
        if let Some(order) = request.number("sortOrder")? {
            fields.insert("sortOrder", Value::Int(order));
        }
        if let Some(parent) = parent {
            fields.insert("parentGroupNumber", Value::Int(parent));
        }
        fields.insert("syncMarker", Value::Int(marker));
        *group = Value::object(fields);
        Ok((answer, result("SAVE-ARTICLE-GROUP-RESULT-OK", &[])))
    }

    fn update_numbered(
        &self,
        held: &mut Records,
        operation: &Node,
        kind: &Numbered,
    ) -> Result<(String, String), String> {
        let Numbered {
            entity,
            element,
            number_field,
            name,
        } = *kind;
        let prefix = &format!("UPDATE-{name}-RESULT");
        let answer = &format!("Update{}Response", title(element));
        let given = match given(operation, kind, false, answer, prefix)? {
            Ok(given) => given,
            Err(refusal) => return Ok(refusal),
        };
        let number = number_of(&given, number_field);
        let marker = self.next_marker();
        let Some(record) = held
            .of_mut(entity)
            .iter_mut()
            .find(|record| number.is_some() && number_of(record, number_field) == number)
        else {
            return Ok((
                answer.into(),
                result(
                    &format!("{prefix}-NOT-FOUND"),
                    &[("errorMessage", format!("no {element} {number:?}"))],
                ),
            ));
        };
        // The record as sent replaces the one held; what MplusKASSA keeps
        // itself stays.
        let mut fields = given.as_object().cloned().unwrap_or_default();
        for (name, field) in &schema(entity).fields {
            if field.read_only
                && let Some(value) = record.get(name)
            {
                fields.insert(name.clone(), value.clone());
            }
        }
        fields.insert("syncMarker", Value::Int(marker));
        *record = Value::object(fields);
        Ok((
            answer.into(),
            result(
                &format!("{prefix}-OK"),
                &[("errorMessage", String::new()), ("syncMarker", marker.to_string())],
            ),
        ))
    }

    fn set_stock(&self, held: &mut Records, request: &Node) -> Result<(String, String), String> {
        let branch = request.number("branchNumber")?.ok_or("setStock needs a branchNumber")?;
        let article = request
            .number("articleNumber")?
            .ok_or("setStock needs an articleNumber")?;
        let amount = request.number("amount")?.ok_or("setStock needs an amount")?;
        let places = request.number("decimalPlaces")?.unwrap_or(0);
        let answer = |code: &str, stock: Option<i64>| {
            let mut content = format!("<ns:result>{code}</ns:result>");
            if let Some(stock) = stock {
                content.push_str(&format!("<ns:stockId>{stock}</ns:stockId>"));
            }
            Ok(("SetStockResponse".to_string(), content))
        };
        let branches = held.of("branches");
        if !branches.is_empty()
            && !branches
                .iter()
                .any(|known| number_of(known, "branchNumber") == Some(branch))
        {
            return answer("SET-STOCK-RESULT-BRANCH-NOT-FOUND", None);
        }
        if !held
            .of("products")
            .iter()
            .flat_map(article_numbers)
            .any(|known| known == article)
        {
            return answer("SET-STOCK-RESULT-ARTICLE-NOT-FOUND", None);
        }
        let stock_id = self.next_marker();
        let stock = held.of_mut("stock");
        let now = chrono::Utc::now();
        let mut fields = stock
            .iter()
            .find(|record| {
                number_of(record, "branchNumber") == Some(branch) && number_of(record, "articleNumber") == Some(article)
            })
            .and_then(|record| record.as_object().cloned())
            .unwrap_or_default();
        fields.insert("branchNumber", Value::Int(branch));
        fields.insert("articleNumber", Value::Int(article));
        fields.insert("stockId", Value::Int(stock_id));
        fields.insert("amountFree", Value::Int(amount));
        fields.insert("decimalPlacesFree", Value::Int(places));
        let mut moment = Object::new();
        for (name, value) in [
            ("sec", now.format("%S")),
            ("min", now.format("%M")),
            ("hour", now.format("%H")),
            ("day", now.format("%d")),
            ("mon", now.format("%m")),
            ("year", now.format("%Y")),
        ] {
            moment.push(name, Value::Int(value.to_string().parse().unwrap_or(0)));
        }
        fields.insert("changeTimestamp", Value::object(moment));
        stock.retain(|record| {
            !(number_of(record, "branchNumber") == Some(branch) && number_of(record, "articleNumber") == Some(article))
        });
        stock.push(Value::object(fields));
        answer("SET-STOCK-RESULT-OK", Some(stock_id))
    }
}

/// Records MplusKASSA numbers itself (relations, products): their
/// entity, element, number and the name in their result codes.
#[derive(Clone, Copy)]
struct Numbered {
    entity: &'static str,
    element: &'static str,
    number_field: &'static str,
    name: &'static str,
}

const RELATIONS: Numbered = Numbered {
    entity: "relations",
    element: "relation",
    number_field: "relationNumber",
    name: "RELATION",
};

const PRODUCTS: Numbered = Numbered {
    entity: "products",
    element: "product",
    number_field: "productNumber",
    name: "PRODUCT",
};

/// `relation` as `Relation`.
fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The article numbers of a product.
fn article_numbers(product: &Value<'_>) -> Vec<i64> {
    product
        .get("articleList")
        .and_then(|list| list.get("article"))
        .and_then(Value::as_list)
        .unwrap_or(&[])
        .iter()
        .filter_map(|article| number_of(article, "articleNumber"))
        .collect()
}

/// `<ns:list><ns:item>..</ns:item>..</ns:list>`.
fn listed(list: &str, item: &str, records: &[Value<'static>], entity: &str) -> String {
    let mut out = format!("<ns:{list}>");
    for record in records {
        out.push_str(&format!("<ns:{item}>"));
        write(&mut out, record, Some(&schema(entity).fields));
        out.push_str(&format!("</ns:{item}>"));
    }
    out.push_str(&format!("</ns:{list}>"));
    out
}

/// The total of a sale's lines in cents, when every line's article and the
/// relation exist; else what MplusKASSA says about the first that does not.
fn sale_total(held: &Records, sale: &Value<'_>) -> Result<i64, String> {
    let lines = sale
        .get("lineList")
        .and_then(|list| list.get("line"))
        .and_then(Value::as_list)
        .unwrap_or(&[]);
    let known: Vec<i64> = held.of("products").iter().flat_map(article_numbers).collect();
    let mut total = 0i64;
    for line in lines {
        let article = number_of(line, "articleNumber");
        if !article.is_some_and(|article| known.contains(&article)) {
            return Err(format!(
                "Article {} does not exist",
                article.map_or("(none)".to_string(), |a| a.to_string())
            ));
        }
        let data = line.get("data");
        let price = data.and_then(|data| number_of(data, "price")).unwrap_or(0);
        let quantity = data.and_then(|data| number_of(data, "quantity")).unwrap_or(1);
        let places = data
            .and_then(|data| number_of(data, "decimalPlaces"))
            .unwrap_or(0)
            .clamp(0, 9) as u32;
        total += price * quantity / 10i64.pow(places);
    }
    if let Some(relation) = number_of(sale, "relationNumber")
        && !held
            .of("relations")
            .iter()
            .any(|held| number_of(held, "relationNumber") == Some(relation))
    {
        return Err(format!("Relation {relation} does not exist"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_strictly_as_gsoap_reads_them() {
        let request = r#"<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:mplusqapi"><S:Body><m:createRelation><m:relation><m:name>De Vries &amp; Zn</m:name><m:relationNumber>12</m:relationNumber></m:relation></m:createRelation></S:Body></S:Envelope>"#;
        let operation = read_envelope(request).unwrap();
        assert_eq!(operation.name, "createRelation");
        let relation = record(operation.get("relation").unwrap(), &schema("relations").fields).unwrap();
        assert_eq!(
            json::to_string(&relation),
            r#"{"name":"De Vries & Zn","relationNumber":12}"#
        );

        let unqualified = request.replace("<m:name>", "<name>").replace("</m:name>", "</name>");
        assert!(
            read_envelope(&unqualified)
                .unwrap_err()
                .contains("not in namespace urn:mplusqapi")
        );
        let wrong_type = request.replace(">12<", ">twelve<");
        let operation = read_envelope(&wrong_type).unwrap();
        let error = record(operation.get("relation").unwrap(), &schema("relations").fields).unwrap_err();
        assert!(
            error.contains("data type mismatch in element 'ns:relationNumber'"),
            "{error}"
        );
        let unknown = request
            .replace("<m:name>", "<m:nmae>")
            .replace("</m:name>", "</m:nmae>");
        let operation = read_envelope(&unknown).unwrap();
        assert!(
            record(operation.get("relation").unwrap(), &schema("relations").fields)
                .unwrap_err()
                .contains("Tag mismatch")
        );
    }
}
