//! Sandboxes: local emulators of the vendors' APIs, the other side of the
//! wire (`flowc sandbox ccv_salespos|eaccounting`).
//!
//! Each serves its system's protocol the way the vendor describes it:
//! signed requests or bearer tokens that expire and rotate, paged and
//! filtered lists, writes checked against the vendor's schema, and the
//! vendor's error answers; and it injects faults on demand ([`faults`]).
//! They are seeded from a directory of `<entity>.json` files ([`store`]).
//!
//! They share no protocol code with the connectors (signing, paging,
//! filters, error forms are written here anew), so that a mistake in one
//! cannot hide behind the same mistake in the other. What they share is
//! data: the vendors' schemas, and flowc's JSON values.

pub mod accountview;
pub mod ccv_salespos;
pub mod eaccounting;
pub mod faults;
pub mod gate;
pub mod mpluskassa;
pub mod store;
pub mod vismanet;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use tokio::net::TcpListener;

use crate::value::{Value, json};
pub use faults::Faults;

/// The systems a sandbox emulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum System {
    #[value(name = "ccv_salespos")]
    CcvSalespos,
    #[value(name = "eaccounting")]
    Eaccounting,
    #[value(name = "vismanet")]
    Vismanet,
    #[value(name = "accountview")]
    Accountview,
    #[value(name = "mpluskassa")]
    Mpluskassa,
}

impl System {
    /// The connection's name in the table a sandbox prints, unless named.
    pub fn connection_name(self) -> &'static str {
        match self {
            System::CcvSalespos => "shop",
            System::Eaccounting => "books",
            System::Vismanet => "erp",
            System::Accountview => "ledger",
            System::Mpluskassa => "till",
        }
    }
}

/// A sandbox's records, shared with whoever started it.
pub type Shared = Arc<Mutex<store::Records>>;

/// How a sandbox is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// The connection's name in the table it prints.
    pub name: String,
    /// The records it starts with.
    pub data: Option<PathBuf>,
    pub faults: Faults,
    /// Requests a minute per endpoint before it answers 429 (eAccounting:
    /// 600 unless set).
    pub requests_per_minute: Option<u32>,
    /// How long an access token lasts (eAccounting).
    pub token_lifetime: Duration,
    /// The credentials it accepts; test ones when not given.
    pub credentials: Option<Credentials>,
    /// Called when a create was carried out, before it is answered
    /// (eAccounting).
    pub on_created: Option<CreateHook>,
}

/// What a test does when a sandbox has carried out a create and not yet
/// answered it, given the endpoint: the crash test kills its client there,
/// so that the answer of a create the system made never arrives.
#[derive(Clone)]
pub struct CreateHook(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for CreateHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CreateHook")
    }
}

impl Options {
    pub fn new(name: impl Into<String>) -> Options {
        Options {
            name: name.into(),
            data: None,
            faults: Faults::none(),
            requests_per_minute: None,
            token_lifetime: Duration::from_secs(3600),
            credentials: None,
            on_created: None,
        }
    }
}

/// The keys a sandbox accepts: CCV's public and secret key, or
/// eAccounting's client id, client secret and first refresh token.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub id: String,
    pub secret: String,
    pub refresh_token: String,
}

/// What a sandbox has seen, for tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub faults: AtomicU64,
    /// Answers 429 for the rate limit (not injected).
    pub limited: AtomicU64,
    /// Writes that created a record.
    pub created: AtomicU64,
    /// Requests refused for their signature or token.
    pub refused: AtomicU64,
    /// Requests let through the rate limit, per endpoint (eAccounting).
    pub endpoints: Mutex<std::collections::BTreeMap<String, Seen>>,
}

/// The requests an endpoint let through, and when the first and the last came.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    pub requests: u64,
    pub first: std::time::Instant,
    pub last: std::time::Instant,
}

impl Seen {
    /// Requests a minute between the first and the last.
    pub fn per_minute(&self) -> f64 {
        let seconds = self.last.duration_since(self.first).as_secs_f64();
        if seconds == 0.0 {
            return 0.0;
        }
        (self.requests - 1) as f64 * 60.0 / seconds
    }
}

impl Stats {
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request to `endpoint` that the rate limit let through.
    pub fn seen(&self, endpoint: &str) {
        let now = std::time::Instant::now();
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = endpoints.entry(endpoint.to_string()).or_insert(Seen {
            requests: 0,
            first: now,
            last: now,
        });
        seen.requests += 1;
        seen.last = now;
    }
}

/// A sandbox serving.
pub struct Running {
    pub address: SocketAddr,
    /// The connections.toml table that reaches it.
    pub connection: String,
    pub stats: Arc<Stats>,
    /// What it holds now.
    pub records: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops serving and waits for it to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.served).await;
    }

    /// Serves until `signal` comes.
    pub async fn until(mut self, signal: impl std::future::Future<Output = ()>) {
        tokio::select! {
            _ = signal => {}
            _ = &mut self.served => {}
        }
        self.stop().await;
    }
}

/// Starts serving `system` on `listener`. On the runtime of the caller.
pub async fn start(system: System, listener: TcpListener, options: Options) -> Result<Running, String> {
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot tell the address listened on: {error}"))?;
    let base = format!("http://{address}");
    let stats = Arc::new(Stats::default());
    let records: Shared = Arc::new(Mutex::new(store::Records::seed(options.data.as_deref())?));
    let (router, connection) = match system {
        System::CcvSalespos => ccv_salespos::router(&base, &options, stats.clone(), records.clone())?,
        System::Eaccounting => eaccounting::router(&base, &options, stats.clone(), records.clone())?,
        System::Vismanet => vismanet::router(&base, &options, stats.clone(), records.clone())?,
        System::Accountview => accountview::router(&base, &options, stats.clone(), records.clone())?,
        System::Mpluskassa => mpluskassa::router(&base, &options, stats.clone(), records.clone())?,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Running {
        address,
        connection,
        stats,
        records,
        stop: Some(stop),
        served,
    })
}

/// An answer with a JSON body.
pub fn answer(status: StatusCode, body: &Value<'_>) -> Response<Body> {
    let mut response = Response::new(Body::from(json::to_string(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// An answer whose connection breaks off before its body: what a reset
/// connection looks like to the client.
pub fn broken() -> Response<Body> {
    Response::new(Body::new(BreaksOff))
}

struct BreaksOff;

impl http_body::Body for BreaksOff {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the sandbox drops this connection (fault: reset)",
        ))))
    }
}

/// `Retry-After` in seconds, or as an HTTP date that far ahead.
pub fn retry_after(headers: &mut HeaderMap, seconds: u64, as_date: bool) {
    let value = if as_date {
        httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(seconds))
    } else {
        seconds.to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert("retry-after", value);
    }
}

/// The value of a query string's parameter, decoded (`+` and `%XX`).
/// Records in the order of a field's values, as a collection's `orderby`
/// asks (records without the field, or with values that do not compare,
/// keep their places).
pub fn sort_by_field(records: &mut [Value<'static>], field: &str, descending: bool) {
    records.sort_by(|a, b| {
        let ordering = a
            .get(field)
            .zip(b.get(field))
            .and_then(|(a, b)| a.compare(b))
            .unwrap_or(std::cmp::Ordering::Equal);
        if descending { ordering.reverse() } else { ordering }
    });
}

pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match bytes
                .get(i + 1..i + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            {
                Some(hex) => {
                    let digit = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(digit(hex[0]) * 16 + digit(hex[1]));
                    i += 2;
                }
                None => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A random UUID (version 4), for new records' ids.
pub fn uuid(dice: &mut faults::Dice) -> String {
    let (a, b) = (dice.roll(), dice.roll());
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        (b >> 60 & 0x3) | 0x8,
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded() {
        assert_eq!(
            query_pairs("%24filter=EmailAddress+eq+%27a%40b.nl%27&start=0&x"),
            [
                ("$filter".to_string(), "EmailAddress eq 'a@b.nl'".to_string()),
                ("start".to_string(), "0".to_string()),
                ("x".to_string(), String::new())
            ]
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%+5"), "% 5", "no hex after %: kept, and + is a space");
    }
}
