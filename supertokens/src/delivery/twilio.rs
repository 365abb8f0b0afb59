//! The Twilio SMS service, over Twilio's REST API (`POST /2010-04-01/Accounts/{sid}/Messages.json`).

use std::time::Duration;

use super::twilio_settings::TWILIO_API_BASE_URL;
use super::{DeliveryError, LoginMessage, SmsDelivery, TwilioSettings, sms_text};
use crate::Secret;
use crate::future::BoxFuture;

/// Sends sign-in SMS through Twilio: form fields `To`, `From` or `MessagingServiceSid`, `Body`,
/// with the account SID and auth token as basic auth.
#[derive(Clone, Debug)]
pub struct TwilioDelivery {
    client: reqwest::Client,
    url: String,
    account_sid: String,
    auth_token: Secret,
    sender: (&'static str, String),
}

impl TwilioDelivery {
    /// A service for `settings` (validated beforehand).
    pub fn new(settings: &TwilioSettings) -> Result<Self, DeliveryError> {
        let account_sid = settings
            .account_sid
            .clone()
            .ok_or_else(|| DeliveryError::new("no Twilio account SID is set"))?;
        let auth_token = settings
            .auth_token
            .clone()
            .ok_or_else(|| DeliveryError::new("no Twilio auth token is set"))?;
        let sender = match (&settings.from, &settings.messaging_service_sid) {
            (Some(from), None) => ("From", from.clone()),
            (None, Some(sid)) => ("MessagingServiceSid", sid.clone()),
            _ => {
                return Err(DeliveryError::new(
                    "Twilio needs exactly one of `from` and `messaging_service_sid`",
                ));
            }
        };
        let base = settings
            .api_base_url
            .as_deref()
            .unwrap_or(TWILIO_API_BASE_URL)
            .trim_end_matches('/');
        let url = format!("{base}/2010-04-01/Accounts/{account_sid}/Messages.json");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| {
                DeliveryError::with_source(format!("cannot build the HTTP client: {e}"), e)
            })?;
        Ok(Self {
            client,
            url,
            account_sid,
            auth_token,
            sender,
        })
    }
}

impl SmsDelivery for TwilioDelivery {
    fn send_sms<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let body = sms_text(message);
            let form = [
                ("To", message.to.as_str()),
                (self.sender.0, self.sender.1.as_str()),
                ("Body", body.as_str()),
            ];
            let response = self
                .client
                .post(&self.url)
                .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
                .form(&form)
                .send()
                .await
                .map_err(|e| {
                    let e = e.without_url();
                    DeliveryError::with_source(format!("Twilio request failed: {e}"), e)
                })?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            // Twilio explains failures as JSON `{"code": …, "message": …}`; pass that on.
            let detail = response
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| {
                    let message = v.get("message")?.as_str()?.to_owned();
                    Some(match v.get("code").and_then(serde_json::Value::as_i64) {
                        Some(code) => format!("{message} (Twilio error {code})"),
                        None => message,
                    })
                })
                .unwrap_or_else(|| "no details".to_owned());
            Err(DeliveryError::new(format!(
                "Twilio refused the SMS with status {}: {detail}",
                status.as_u16()
            )))
        })
    }
}
