//! Signing in to eAccounting: OAuth2's refresh grant against Visma's
//! identity server (`token_url`), with the client's id and secret as HTTP
//! basic credentials. Each grant gives an access token (an hour, typically)
//! and a new refresh token, which is kept at once ([`super::tokens`]). The
//! access token is renewed when it is about to expire, and after a 401.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use super::errors;
use super::tokens::TokenStore;
use crate::connectors::http::{Incoming, Outgoing, Vendor};
use crate::connectors::{ConnectorError, ErrorKind, VendorError};
use crate::value::{Value, json};

/// The system's name in messages.
pub const NAME: &str = "eAccounting";

/// An access token is renewed this long before it expires (or a tenth
/// of its life, for short ones).
const MARGIN: Duration = Duration::from_secs(60);

pub struct Session {
    http: reqwest::Client,
    token_url: Url,
    client_id: String,
    client_secret: SecretString,
    /// The refresh token of the connections file.
    configured: SecretString,
    store: TokenStore,
    access: tokio::sync::Mutex<Option<Access>>,
}

struct Access {
    token: SecretString,
    until: Instant,
}

impl Session {
    pub fn new(
        token_url: Url,
        client_id: String,
        client_secret: SecretString,
        configured: SecretString,
        store: TokenStore,
        timeout: Duration,
    ) -> Result<Session, ConnectorError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("flowc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConnectorError::local(format!("cannot set up HTTP: {error}")))?;
        Ok(Session {
            http,
            token_url,
            client_id,
            client_secret,
            configured,
            store,
            access: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid access token: the one held, or a new one.
    pub async fn access_token(&self) -> Result<SecretString, ConnectorError> {
        let mut access = self.access.lock().await;
        if let Some(held) = access.as_ref()
            && held.until > Instant::now()
        {
            return Ok(held.token.clone());
        }
        let fresh = self.grant().await?;
        let token = fresh.token.clone();
        *access = Some(fresh);
        Ok(token)
    }

    /// Forgets the access token held (it was refused).
    async fn forget(&self) {
        *self.access.lock().await = None;
    }

    /// The refresh grant: a new access token, and the new refresh token
    /// kept for the next one.
    async fn grant(&self) -> Result<Access, ConnectorError> {
        let _lock = self.store.lock().await?;
        let refresh = self.store.current(&self.configured)?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose_secret()),
        ];
        let request = self
            .http
            .post(self.token_url.clone())
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(&form);
        let located = |error: ConnectorError| error.with_request("POST", self.token_url.path());
        let response = request.send().await.map_err(|error| {
            let kind = if error.is_connect() {
                ErrorKind::Unreachable
            } else {
                ErrorKind::Unavailable
            };
            located(ConnectorError::new(
                kind,
                format!(
                    "cannot get a token from {}: {}",
                    self.token_url.host_str().unwrap_or(""),
                    crate::connectors::http::cause(error)
                ),
            ))
        })?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(located(refused(status, &body)));
        }
        let answer = json::parse(&body).map_err(|_| {
            located(ConnectorError::new(
                ErrorKind::Protocol,
                "the identity server answered the token request with a body that is not JSON",
            ))
        })?;
        let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
        let Some(access) = text("access_token") else {
            return Err(located(ConnectorError::new(
                ErrorKind::Protocol,
                "the identity server's answer holds no access_token",
            )));
        };
        if let Some(rotated) = text("refresh_token") {
            self.store.keep(&SecretString::from(rotated))?;
        }
        let lifetime = match answer.get("expires_in") {
            Some(Value::Int(seconds)) if *seconds > 0 => Duration::from_secs(*seconds as u64),
            _ => Duration::from_secs(3600),
        };
        Ok(Access {
            token: SecretString::from(access),
            until: Instant::now() + lifetime.saturating_sub(MARGIN.min(lifetime / 10)),
        })
    }
}

/// The error for a refused token request: `{"error": "invalid_grant"}`.
fn refused(status: StatusCode, body: &str) -> ConnectorError {
    let said = json::parse(body).ok();
    let code = said
        .as_ref()
        .and_then(|said| said.get("error"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let (kind, message) = match code.as_deref() {
        Some("invalid_grant") => (
            ErrorKind::Auth,
            "the identity server refused the refresh token (expired, revoked, or used by another run): authorize the integration again and set refresh_token",
        ),
        Some("invalid_client" | "unauthorized_client") => (
            ErrorKind::Auth,
            "the identity server refused the client: check client_id and client_secret",
        ),
        _ if status.is_server_error() => (ErrorKind::Unavailable, "the identity server is failing"),
        _ => (ErrorKind::Auth, "the identity server refused the token request"),
    };
    let description = said
        .as_ref()
        .and_then(|said| said.get("error_description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    ConnectorError::new(
        kind,
        format!(
            "{message} ({} {})",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ),
    )
    .with_vendor(VendorError {
        code,
        message: description,
        fields: Vec::new(),
    })
}

#[async_trait]
impl Vendor for Session {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, request: &mut Outgoing, _url: &Url) -> Result<(), ConnectorError> {
        let token = self.access_token().await?;
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| ConnectorError::new(ErrorKind::Protocol, "the access token cannot go in a header"))?;
        value.set_sensitive(true);
        request.headers.push((AUTHORIZATION, value));
        Ok(())
    }

    async fn renew(&self) -> Result<bool, ConnectorError> {
        self.forget().await;
        Ok(true)
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        (errors::read(&response.body), None)
    }
}
