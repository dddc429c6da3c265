//! OAuth2, as the Visma systems use it: a token request to the identity
//! server with the client's id and secret as HTTP basic credentials
//! ([`request`]), and the access token it gives held until it is about to
//! expire ([`Bearer`]). Which grant (a rotating refresh token for
//! eAccounting and AccountView, client credentials for Visma.net) is the
//! connector's.

use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use reqwest::{StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use super::tokens::TokenStore;
use crate::connectors::{ConnectorError, ErrorKind, VendorError};
use crate::value::{Value, json};

/// An access token is renewed this long before it expires (or a tenth of
/// its life, for short ones).
const MARGIN: Duration = Duration::from_secs(60);

/// What the identity server gave.
pub struct Granted {
    pub access_token: SecretString,
    pub lifetime: Duration,
    /// A new refresh token, where the grant rotates them.
    pub refresh_token: Option<SecretString>,
}

/// The client of an identity server.
pub struct Client {
    http: reqwest::Client,
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
}

impl Client {
    pub fn new(
        token_url: Url,
        client_id: String,
        client_secret: SecretString,
        timeout: Duration,
    ) -> Result<Client, ConnectorError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("flowc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConnectorError::local(format!("cannot set up HTTP: {error}")))?;
        Ok(Client {
            http,
            token_url,
            client_id,
            client_secret,
        })
    }

    /// A token request with the form fields of its grant.
    pub async fn request(&self, form: &[(&str, &str)]) -> Result<Granted, ConnectorError> {
        let located = |error: ConnectorError| error.with_request("POST", self.token_url.path());
        let response = self
            .http
            .post(self.token_url.clone())
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(form)
            .send()
            .await
            .map_err(|error| {
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
                        super::cause(error)
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
        let Some(access_token) = text("access_token") else {
            return Err(located(ConnectorError::new(
                ErrorKind::Protocol,
                "the identity server's answer holds no access_token",
            )));
        };
        let lifetime = match answer.get("expires_in") {
            Some(Value::Int(seconds)) if *seconds > 0 => Duration::from_secs(*seconds as u64),
            _ => Duration::from_secs(3600),
        };
        Ok(Granted {
            access_token: SecretString::from(access_token),
            lifetime,
            refresh_token: text("refresh_token").map(SecretString::from),
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
        Some("invalid_scope" | "access_denied") => (
            ErrorKind::Forbidden,
            "the identity server refused the rights asked for: check the client's scopes and the tenant",
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

/// The access token held, until it is about to expire.
#[derive(Default)]
pub struct Bearer {
    held: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
}

impl Bearer {
    /// The token held, or a new one from `grant` (one grant at a time).
    pub async fn token<Grant, Granting>(&self, grant: Grant) -> Result<SecretString, ConnectorError>
    where
        Grant: FnOnce() -> Granting,
        Granting: Future<Output = Result<Granted, ConnectorError>>,
    {
        let mut held = self.held.lock().await;
        if let Some((token, until)) = held.as_ref()
            && *until > Instant::now()
        {
            return Ok(token.clone());
        }
        let granted = grant().await?;
        let until = Instant::now() + granted.lifetime.saturating_sub(MARGIN.min(granted.lifetime / 10));
        *held = Some((granted.access_token.clone(), until));
        Ok(granted.access_token)
    }

    /// Forgets the token held (it was refused).
    pub async fn forget(&self) {
        *self.held.lock().await = None;
    }
}

/// OAuth2's refresh grant where every grant rotates the refresh token:
/// the newest is kept at once ([`TokenStore`]), one run refreshing at a
/// time.
pub struct Refreshing {
    client: Client,
    /// The refresh token of the connections file.
    configured: SecretString,
    store: TokenStore,
    bearer: Bearer,
}

impl Refreshing {
    pub fn new(client: Client, configured: SecretString, store: TokenStore) -> Refreshing {
        Refreshing {
            client,
            configured,
            store,
            bearer: Bearer::default(),
        }
    }

    /// A valid access token: the one held, or a new one.
    pub async fn access_token(&self) -> Result<SecretString, ConnectorError> {
        self.bearer.token(|| self.grant()).await
    }

    /// Forgets the access token held (it was refused).
    pub async fn forget(&self) {
        self.bearer.forget().await;
    }

    /// The refresh grant: a new access token, and the new refresh token
    /// kept for the next one. Under the store's lock, reading the kept
    /// token anew: another run may have just rotated it.
    async fn grant(&self) -> Result<Granted, ConnectorError> {
        let _lock = self.store.lock().await?;
        let refresh = self.store.current(&self.configured)?;
        let granted = self
            .client
            .request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose_secret()),
            ])
            .await?;
        if let Some(rotated) = &granted.refresh_token {
            self.store.keep(rotated)?;
        }
        Ok(granted)
    }
}

/// `Authorization: Bearer ...`, marked sensitive (never logged by the
/// HTTP stack).
pub fn header(token: &SecretString) -> Result<HeaderValue, ConnectorError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| ConnectorError::new(ErrorKind::Protocol, "the access token cannot go in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}
