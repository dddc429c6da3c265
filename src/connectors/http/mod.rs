//! The HTTP layer every connector of a real system stands on (reqwest with
//! rustls, on tokio).
//!
//! [`Http::send`] sends one request, and owns what every system needs the
//! same way: a timeout per attempt; the client-side rate limit per
//! endpoint ([`limit`]), and the system's own count (`X-RateLimit-*`);
//! retries with exponential backoff and jitter on
//! 429, 502, 503, 504, timeouts and dropped connections, honouring
//! `Retry-After` ([`retry`]); one renewal of the credentials after a 401;
//! and errors with structure ([`ConnectorError`]). What differs per system
//! (signing a request, checking a response, reading an error body) is its
//! [`Vendor`].
//!
//! A request that is not safe to repeat (a create) is never sent twice by
//! this layer: when it was sent and no answer says whether it was carried
//! out, it fails with [`ErrorKind::UnknownOutcome`], and [`create`] looks
//! the record up before trying again.

pub mod create;
pub mod limit;
pub mod oauth;
pub mod paging;
pub mod retry;
pub mod tokens;

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;

use super::{ConnectorError, ErrorKind, VendorError};
use crate::value::{Value, json};

/// The optional keys of every connection that speaks HTTP.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Tuning {
    /// Seconds an attempt may take (default 30).
    pub timeout_seconds: Option<u64>,
    /// Attempts per request, the first included (default 5).
    pub attempts: Option<u32>,
    /// Requests a minute per endpoint (default: the vendor's published limit).
    pub requests_per_minute: Option<u32>,
    /// The longest `Retry-After`, in seconds, that flowc waits (default 120).
    pub longest_retry_after_seconds: Option<u64>,
}

/// The keys of [`Tuning`], which every HTTP connection takes.
pub const TUNING_KEYS: &[&str] = &[
    "timeout_seconds",
    "attempts",
    "requests_per_minute",
    "longest_retry_after_seconds",
];

/// An address key of a connection (`base_url`, `token_url`): an http(s)
/// URL with a host. Plain http is warned about, except on this machine (a
/// sandbox).
pub fn address(connection: &str, key: &str, text: &str, warn: &mut dyn FnMut(String)) -> Result<Url, ConnectorError> {
    let url = Url::parse(text.trim())
        .map_err(|error| ConnectorError::local(format!("connection `{connection}`: {key} is not a URL ({error})")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(ConnectorError::local(format!(
            "connection `{connection}`: {key} is a web address, such as https://myshop.example"
        )));
    }
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "http" && !local {
        warn(format!(
            "connection `{connection}`: {key} uses http: requests, answers and credentials travel unencrypted"
        ));
    }
    Ok(url)
}

/// Whether a request may be sent again when its answer is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Reading, or writing the same again (GET, PUT of a whole record,
    /// PATCH of values).
    Safe,
    /// A create: sent twice, it may create twice.
    Never,
}

/// A request, before it is signed.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: Method,
    /// The path below the API root (`/orders`).
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The body, of [`Outgoing::media_type`].
    pub body: Option<String>,
    /// What the body is, and what is accepted back (JSON unless set).
    pub media_type: &'static str,
    /// Added by the vendor's [`Vendor::authorize`].
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Outgoing {
    pub fn new(method: Method, path: impl Into<String>) -> Outgoing {
        Outgoing {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            media_type: "application/json",
            headers: Vec::new(),
        }
    }

    pub fn query(mut self, name: &str, value: impl ToString) -> Outgoing {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    pub fn json(mut self, body: &Value<'_>) -> Outgoing {
        self.body = Some(json::to_string(body));
        self
    }

    /// An XML body (a SOAP envelope).
    pub fn xml(mut self, body: String) -> Outgoing {
        self.body = Some(body);
        self.media_type = "text/xml";
        self
    }

    /// The whole URL under `root`.
    pub fn url(&self, root: &Url) -> Result<Url, ConnectorError> {
        let text = format!("{}{}", root.as_str().trim_end_matches('/'), self.path);
        let mut url = Url::parse(&text)
            .map_err(|error| ConnectorError::local(format!("`{}` makes no URL: {error}", self.path)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }
}

/// A response.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Incoming {
    /// The body as JSON.
    pub fn json(&self, system: &str) -> Result<Value<'static>, ConnectorError> {
        let body = self.body.strip_prefix('\u{FEFF}').unwrap_or(&self.body);
        json::parse(body).map(Value::into_owned).map_err(|error| {
            ConnectorError::new(
                ErrorKind::Protocol,
                format!("{system} answered with a body that is not JSON ({error})"),
            )
        })
    }
}

/// What differs per system.
#[async_trait]
pub trait Vendor: Send + Sync {
    /// The system's name in messages (`CCV SalesPOS`).
    fn name(&self) -> &str;

    /// Signs or authorizes an attempt (each attempt anew: a signature
    /// holds the moment it was made).
    async fn authorize(&self, request: &mut Outgoing, url: &Url) -> Result<(), ConnectorError>;

    /// After a 401: renews the credentials; whether one more attempt can
    /// succeed.
    async fn renew(&self) -> Result<bool, ConnectorError> {
        Ok(false)
    }

    /// The URL a request is sent to: the one given, or with credentials
    /// the system takes in its query (MplusKASSA's `ident` and `secret`).
    /// Never shown: messages name the path only.
    fn locate(&self, url: &Url) -> Url {
        url.clone()
    }

    /// Checks that a successful response is the system's own.
    fn verify(&self, _request: &Outgoing, _url: &Url, _response: &Incoming) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// What an error response says, and its kind where the status alone
    /// does not tell.
    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>);

    /// The endpoint a request counts against for the rate limit: its
    /// path's first part.
    fn endpoint(&self, path: &str) -> String {
        path.trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or("")
            .to_string()
    }
}

/// One system's HTTP client.
#[derive(Debug)]
pub struct Http {
    client: reqwest::Client,
    root: Url,
    timeout: Duration,
    policy: retry::Policy,
    limiter: Option<limit::Limiter>,
    /// When the system's own count of requests (`X-RateLimit-*`) says to
    /// send no more before this moment.
    quiet_until: std::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Http {
    /// A client for the API under `root`; `published_limit` is the
    /// vendor's requests a minute per endpoint, when it publishes one.
    pub fn new(root: Url, tuning: &Tuning, published_limit: Option<u32>) -> Result<Http, ConnectorError> {
        let timeout = Duration::from_secs(tuning.timeout_seconds.unwrap_or(30).max(1));
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("flowc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConnectorError::local(format!("cannot set up HTTP: {error}")))?;
        let policy = retry::Policy {
            attempts: tuning.attempts.unwrap_or(5).clamp(1, 20),
            longest_retry_after: Duration::from_secs(tuning.longest_retry_after_seconds.unwrap_or(120)),
            ..retry::Policy::default()
        };
        let limiter = tuning
            .requests_per_minute
            .or(published_limit)
            .and_then(NonZeroU32::new)
            .map(limit::Limiter::per_minute);
        Ok(Http {
            client,
            root,
            timeout,
            policy,
            limiter,
            quiet_until: std::sync::Mutex::new(None),
        })
    }

    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The policy retries follow (for [`create::create_once`]).
    pub fn policy(&self) -> &retry::Policy {
        &self.policy
    }

    /// Sends a request, trying again as its [`Repeat`] allows, until an
    /// answer comes that is not worth waiting out. A 2xx answer is `Ok`,
    /// every other one an error that says what happened.
    pub async fn send(
        &self,
        vendor: &dyn Vendor,
        request: &Outgoing,
        repeat: Repeat,
    ) -> Result<Incoming, ConnectorError> {
        let url = request.url(&self.root)?;
        let endpoint = vendor.endpoint(&request.path);
        let method = request.method.as_str().to_string();
        let located = |error: ConnectorError| error.with_request(&method, url.path());
        let mut waits = self.policy.waits();
        let mut rate_limited = 0;
        let mut renewed = false;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.ready(&endpoint).await;
            }
            let quiet = *self.quiet_until.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(until) = quiet {
                tokio::time::sleep_until(until).await;
            }
            let mut attempt = request.clone();
            vendor.authorize(&mut attempt, &url).await.map_err(located)?;
            let failure = match self.attempt(&attempt, &vendor.locate(&url)).await {
                Ok(response) if response.status.is_success() => {
                    vendor.verify(&attempt, &url, &response).map_err(located)?;
                    return Ok(response);
                }
                Ok(response) if response.status == StatusCode::UNAUTHORIZED && !renewed => {
                    renewed = true;
                    if vendor.renew().await.map_err(located)? {
                        continue;
                    }
                    self.refused(vendor, &response, repeat)
                }
                Ok(response) => self.refused(vendor, &response, repeat),
                Err(failure) => self.lost(vendor, failure, repeat),
            };
            let failure = located(failure);
            if !failure.retryable {
                return Err(failure);
            }
            let paced = failure.kind == ErrorKind::RateLimited && rate_limited < self.policy.rate_limited_waits;
            let next = if paced {
                rate_limited += 1;
                Some(self.policy.rate_limited_wait(rate_limited - 1))
            } else {
                waits.next()
            };
            let wait = match (failure.retry_after, next) {
                // Out of attempts.
                (_, None) => return Err(out_of_attempts(failure, self.policy.attempts, rate_limited)),
                (Some(asked), _) if asked > self.policy.longest_retry_after => {
                    let mut failure = failure;
                    failure.message = format!(
                        "{}, and asks to wait {} s before the next request, longer than the {} s flowc waits",
                        failure.message,
                        asked.as_secs(),
                        self.policy.longest_retry_after.as_secs()
                    );
                    return Err(failure.retryable(false));
                }
                (Some(asked), Some(_)) => asked,
                (None, Some(backoff)) => backoff,
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Honours `X-RateLimit-Remaining: 0`: no request before the moment
    /// `X-RateLimit-Reset` gives (seconds from now, or a Unix time), within
    /// the longest wait flowc obeys.
    fn heed_limits(&self, headers: &HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
        };
        if number("x-ratelimit-remaining") != Some(0) {
            return;
        }
        let Some(reset) = number("x-ratelimit-reset") else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let seconds = if reset > 1_000_000_000 {
            reset.saturating_sub(now)
        } else {
            reset
        };
        let wait = Duration::from_secs(seconds).min(self.policy.longest_retry_after);
        *self.quiet_until.lock().unwrap_or_else(|p| p.into_inner()) = Some(tokio::time::Instant::now() + wait);
    }

    async fn attempt(&self, request: &Outgoing, url: &Url) -> Result<Incoming, Lost> {
        let mut builder = self.client.request(request.method.clone(), url.clone());
        builder = builder.header(reqwest::header::ACCEPT, request.media_type);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!("{}; charset=utf-8", request.media_type),
                )
                .body(body.clone());
        }
        let mut response = builder.send().await.map_err(Lost::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Lost::Transport)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Lost::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| Lost::NotText)?;
        self.heed_limits(&headers);
        Ok(Incoming { status, headers, body })
    }

    /// The error for an answer that is not a success.
    fn refused(&self, vendor: &dyn Vendor, response: &Incoming, repeat: Repeat) -> ConnectorError {
        let (said, kind) = vendor.read_error(response);
        let status = response.status;
        let system = vendor.name();
        let reason = status.canonical_reason().unwrap_or("");
        let answered = format!("{system} answered {} {reason}", status.as_u16());
        let sent_and_lost =
            repeat == Repeat::Never && status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED;
        let kind = kind.unwrap_or(match status.as_u16() {
            401 => ErrorKind::Auth,
            403 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            400 | 405..=499 => ErrorKind::Invalid,
            _ if sent_and_lost => ErrorKind::UnknownOutcome,
            _ => ErrorKind::Unavailable,
        });
        let kind = if sent_and_lost && kind == ErrorKind::Unavailable {
            ErrorKind::UnknownOutcome
        } else {
            kind
        };
        // 429 was not carried out; 502, 503 and 504 are worth another try
        // when repeating is safe.
        let retryable = match kind {
            ErrorKind::RateLimited => true,
            ErrorKind::Unavailable => matches!(status.as_u16(), 502..=504) && repeat == Repeat::Safe,
            _ => false,
        };
        let message = match kind {
            ErrorKind::UnknownOutcome => {
                format!("{answered} after the request was sent: it may or may not have been carried out")
            }
            ErrorKind::Auth => format!("{answered}: the credentials were refused"),
            ErrorKind::Forbidden => format!("{answered}: the credentials lack the right for this"),
            _ => answered,
        };
        let mut error = ConnectorError::new(kind, message)
            .with_vendor(said)
            .retryable(retryable);
        error.retry_after = retry::retry_after(&response.headers, SystemTime::now());
        error
    }

    /// The error for a request that got no answer it could read.
    fn lost(&self, vendor: &dyn Vendor, failure: Lost, repeat: Repeat) -> ConnectorError {
        let system = vendor.name();
        let host = self.root.host_str().unwrap_or("");
        let failure = match failure {
            Lost::Transport(failure) => failure,
            Lost::TooLarge => {
                return ConnectorError::new(
                    ErrorKind::Protocol,
                    format!(
                        "{system} answered with more than {} MiB; flowc reads no more",
                        MAX_BODY_BYTES / (1024 * 1024)
                    ),
                );
            }
            Lost::NotText => {
                return ConnectorError::new(
                    ErrorKind::Protocol,
                    format!("{system} answered with a body that is not UTF-8 text"),
                );
            }
        };
        // Refused or unresolved before anything was sent: safe to repeat.
        if failure.is_connect() {
            return ConnectorError::new(
                ErrorKind::Unreachable,
                format!("cannot reach {system} at {host}: {}", cause(failure)),
            );
        }
        let what = if failure.is_timeout() {
            format!("no answer from {system} within {} s", self.timeout.as_secs())
        } else {
            format!("the connection to {system} broke off: {}", cause(failure))
        };
        match repeat {
            Repeat::Safe => ConnectorError::new(ErrorKind::Unavailable, what),
            Repeat::Never => ConnectorError::new(
                ErrorKind::UnknownOutcome,
                format!("{what}, after the request was sent: it may or may not have been carried out"),
            )
            .retryable(false),
        }
    }
}

/// The most records one listing reads: a system that keeps saying there
/// is a next page is not followed for ever.
pub const MAX_LISTED: usize = 5_000_000;

/// The error for a listing past [`MAX_LISTED`].
pub fn endless(system: &str, path: &str) -> ConnectorError {
    ConnectorError::new(
        ErrorKind::Protocol,
        format!("{system} kept giving pages past {MAX_LISTED} records; flowc stopped reading"),
    )
    .with_request("GET", path)
}

/// The most an answer may hold. A page of records is a few hundred
/// kilobytes; an endless answer must not fill the memory.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Why an attempt has no answer to read.
enum Lost {
    Transport(reqwest::Error),
    TooLarge,
    NotText,
}

/// The innermost cause of a transport error, in words, without its URL
/// (whose query can hold a filter's values: an e-mail address).
pub fn cause(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut source: &dyn std::error::Error = &error;
    while let Some(inner) = source.source() {
        source = inner;
    }
    source.to_string()
}

/// The failure of a request's last attempt, saying how many were made
/// (and how many 429s were waited out besides).
fn out_of_attempts(mut failure: ConnectorError, attempts: u32, rate_limited: u32) -> ConnectorError {
    let mut attempts = if attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{attempts} attempts")
    };
    if rate_limited > 0 {
        attempts = format!("{attempts}, after waiting out {rate_limited} answers 429");
    }
    failure.message = format!("{} ({attempts})", failure.message);
    failure.retryable(false)
}
