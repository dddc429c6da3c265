//! Signing in to eAccounting: OAuth2's refresh grant against Visma's
//! identity server (`token_url`, [`oauth`]). Each grant gives an access
//! token (an hour, typically) and a new refresh token, which is kept at
//! once ([`super::tokens`]). The access token is renewed when it is about
//! to expire, and after a 401.

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};

use super::errors;
use super::tokens::TokenStore;
use crate::connectors::http::{Incoming, Outgoing, Vendor, oauth};
use crate::connectors::{ConnectorError, ErrorKind, VendorError};

/// The system's name in messages.
pub const NAME: &str = "eAccounting";

pub struct Session {
    client: oauth::Client,
    /// The refresh token of the connections file.
    configured: SecretString,
    store: TokenStore,
    bearer: oauth::Bearer,
}

impl Session {
    pub fn new(client: oauth::Client, configured: SecretString, store: TokenStore) -> Session {
        Session {
            client,
            configured,
            store,
            bearer: oauth::Bearer::default(),
        }
    }

    /// A valid access token: the one held, or a new one.
    pub async fn access_token(&self) -> Result<SecretString, ConnectorError> {
        self.bearer.token(|| self.grant()).await
    }

    /// The refresh grant: a new access token, and the new refresh token
    /// kept for the next one. Under the store's lock, reading the kept
    /// token anew: another run may have just rotated it.
    async fn grant(&self) -> Result<oauth::Granted, ConnectorError> {
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
        (errors::read(&response.body), None)
    }
}
