//! Signing in to eAccounting: OAuth2's refresh grant against Visma's
//! identity server (`token_url`, [`oauth::Refreshing`]). Each grant gives
//! an access token (an hour, typically) and a new refresh token, which is
//! kept at once. The access token is renewed when it is about to expire,
//! and after a 401.

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::AUTHORIZATION;

use super::errors;
use crate::connectors::http::{Incoming, Outgoing, Vendor, oauth};
use crate::connectors::{ConnectorError, ErrorKind, VendorError};

/// The system's name in messages.
pub const NAME: &str = "eAccounting";

pub struct Session {
    pub grant: oauth::Refreshing,
}

#[async_trait]
impl Vendor for Session {
    fn name(&self) -> &str {
        NAME
    }

    async fn authorize(&self, request: &mut Outgoing, _url: &Url) -> Result<(), ConnectorError> {
        let token = self.grant.access_token().await?;
        request.headers.push((AUTHORIZATION, oauth::header(&token)?));
        Ok(())
    }

    async fn renew(&self) -> Result<bool, ConnectorError> {
        self.grant.forget().await;
        Ok(true)
    }

    fn read_error(&self, response: &Incoming) -> (VendorError, Option<ErrorKind>) {
        (errors::read(&response.body), None)
    }
}
