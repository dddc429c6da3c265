//! What stands between a request and a sandbox's records, the same for
//! every system: the requests a minute an endpoint takes, the access
//! tokens an identity server gave out, a client's basic credentials, and
//! the faults that strike before a request is carried out. Each sandbox
//! words the answers in its vendor's own error form.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Response, StatusCode};
use base64::Engine;

use super::faults::{Dice, Fault, Faults};
use super::{Credentials, Stats, answer, query_pairs, uuid};
use crate::value::{Object, Value};

/// A request as a sandbox reads it.
pub struct Received {
    pub method: Method,
    /// The path and query as sent (what CCV signs).
    pub uri: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

/// The largest request body a sandbox reads.
const LARGEST_BODY: usize = 16 * 1024 * 1024;

/// Reads a request: counted, held back by the `latency` fault, its body
/// whole; `None` for a body over 16 MiB.
pub async fn receive(request: axum::extract::Request, stats: &Stats, faults: &Faults) -> Option<Received> {
    Stats::count(&stats.requests);
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let uri = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |both| both.as_str().to_string());
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), LARGEST_BODY).await.ok()?;
    Some(Received {
        method,
        uri,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Requests a minute per endpoint.
pub struct Minute {
    per_minute: usize,
    /// When the requests of the last minute came, per endpoint.
    recent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Where an endpoint stands in its minute.
pub struct Allowance {
    pub limit: usize,
    pub remaining: usize,
    /// Seconds until the oldest request of the minute no longer counts.
    pub reset: u64,
}

impl Minute {
    pub fn new(per_minute: u32) -> Minute {
        Minute {
            per_minute: per_minute.max(1) as usize,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request to `endpoint`: `Err` with the seconds to wait when
    /// the endpoint had its requests of the minute.
    pub fn admit(&self, endpoint: &str) -> Result<Allowance, u64> {
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap();
        let times = recent.entry(endpoint.to_string()).or_default();
        while times
            .front()
            .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(60))
        {
            times.pop_front();
        }
        let oldest = times.front().copied().unwrap_or(now);
        let reset = Duration::from_secs(60)
            .saturating_sub(now.duration_since(oldest))
            .as_secs()
            .max(1);
        if times.len() >= self.per_minute {
            return Err(reset);
        }
        times.push_back(now);
        Ok(Allowance {
            limit: self.per_minute,
            remaining: self.per_minute - times.len(),
            reset,
        })
    }
}

/// Access tokens given out, each with its end and the scopes it grants.
pub struct AccessTokens {
    lifetime: Duration,
    live: Mutex<HashMap<String, (Instant, String)>>,
}

impl AccessTokens {
    pub fn new(lifetime: Duration) -> AccessTokens {
        AccessTokens {
            lifetime,
            live: Mutex::new(HashMap::new()),
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new token granting `scopes`, live for the lifetime.
    pub fn give(&self, dice: &mut Dice, scopes: &str) -> String {
        let token = format!("sandbox-access-{}", uuid(dice));
        self.live
            .lock()
            .unwrap()
            .insert(token.clone(), (Instant::now() + self.lifetime, scopes.to_string()));
        token
    }

    /// The scopes of the live token the request carries as
    /// `Authorization: Bearer`, if it does.
    pub fn admit(&self, headers: &HeaderMap) -> Option<String> {
        let token = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)?;
        let mut live = self.live.lock().unwrap();
        match live.get(token) {
            Some((until, scopes)) if *until > Instant::now() => Some(scopes.clone()),
            Some(_) => {
                live.remove(token);
                None
            }
            None => None,
        }
    }
}

/// OAuth2's refresh grant where every grant rotates the refresh token
/// (Visma's identity server for eAccounting and AccountView): the client
/// as HTTP basic credentials, and the refresh token used stops working.
pub struct RefreshGrant {
    client: String,
    /// Refresh tokens that still work.
    refresh_tokens: Mutex<Vec<String>>,
}

impl RefreshGrant {
    pub fn new(credentials: &Credentials) -> RefreshGrant {
        RefreshGrant {
            client: format!("{}:{}", credentials.id, credentials.secret),
            refresh_tokens: Mutex::new(vec![credentials.refresh_token.clone()]),
        }
    }

    /// Answers a token request.
    pub fn token(
        &self,
        method: &Method,
        headers: &HeaderMap,
        body: &str,
        access_tokens: &AccessTokens,
        dice: &Mutex<Dice>,
        stats: &Stats,
    ) -> Response<Body> {
        if method != Method::POST {
            return oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "POST the token request",
            );
        }
        if basic_client(headers).as_deref() != Some(self.client.as_str()) {
            Stats::count(&stats.refused);
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unknown client or wrong secret",
            );
        }
        let form = query_pairs(body);
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        if field("grant_type") != Some("refresh_token") {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only the refresh grant is served",
            );
        }
        let presented = field("refresh_token").unwrap_or("");
        let mut refresh_tokens = self.refresh_tokens.lock().unwrap();
        let Some(at) = refresh_tokens.iter().position(|token| token == presented) else {
            Stats::count(&stats.refused);
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The refresh token is not valid",
            );
        };
        // The token used stops working; a new one takes its place.
        refresh_tokens.remove(at);
        let mut dice = dice.lock().unwrap();
        let refresh = format!("sandbox-refresh-{}", uuid(&mut dice));
        refresh_tokens.push(refresh.clone());
        let access = access_tokens.give(&mut dice, "api");
        token_answer(access, access_tokens.lifetime(), Some(refresh))
    }
}

/// The `id:secret` of `Authorization: Basic`, if the request has one.
pub fn basic_client(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
}

/// An OAuth2 error answer (RFC 6749, section 5.2).
pub fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response<Body> {
    let mut body = Object::new();
    body.push("error", Value::from(code.to_string()));
    body.push("error_description", Value::from(description.to_string()));
    answer(status, &Value::object(body))
}

/// An OAuth2 token answer.
pub fn token_answer(access: String, lifetime: Duration, refresh: Option<String>) -> Response<Body> {
    let mut body = Object::new();
    body.push("access_token", Value::from(access));
    body.push("token_type", Value::from("Bearer".to_string()));
    body.push("expires_in", Value::Int(lifetime.as_secs() as i64));
    if let Some(refresh) = refresh {
        body.push("refresh_token", Value::from(refresh));
    }
    answer(StatusCode::OK, &Value::object(body))
}

/// What the faults do to a request about to be carried out.
pub enum Struck {
    /// The connection dropped before an answer (no answer to sign).
    Dropped,
    /// Answered so, without carrying it out.
    Answer(Response<Body>),
    /// Carried out; then, for `create-then-500`, answered 500 all the
    /// same, or, for `forge`, signed wrongly.
    CarryOut(Option<Fault>),
}

/// Rolls the faults for a request to `entity`. `error` words an answer of
/// the given status in the vendor's form.
pub fn strike(
    faults: &Faults,
    dice: &Mutex<Dice>,
    stats: &Stats,
    entity: &str,
    creating: bool,
    error: impl Fn(u16, &str) -> Response<Body>,
) -> Struck {
    let fault = faults.strike(&mut dice.lock().unwrap(), entity, creating);
    if fault.is_some() {
        Stats::count(&stats.faults);
    }
    match fault {
        Some(Fault::Reset) => Struck::Dropped,
        Some(Fault::Status(429)) | Some(Fault::TooManyDated) => {
            let mut response = error(429, "Too many requests");
            super::retry_after(
                response.headers_mut(),
                faults.retry_after,
                fault == Some(Fault::TooManyDated),
            );
            Struck::Answer(response)
        }
        Some(Fault::Status(status)) => {
            let mut response = error(status, "Injected failure");
            if status == 503 {
                super::retry_after(response.headers_mut(), faults.retry_after, false);
            }
            Struck::Answer(response)
        }
        other => Struck::CarryOut(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_counts_per_endpoint() {
        let minute = Minute::new(2);
        assert_eq!(minute.admit("orders").map(|a| a.remaining).ok(), Some(1));
        assert_eq!(minute.admit("orders").map(|a| a.remaining).ok(), Some(0));
        assert!(minute.admit("orders").is_err());
        assert!(minute.admit("customers").is_ok(), "each endpoint has its own minute");
    }
}
