//! The console delivery service: one line on stdout per message, for development.

use std::io::Write;

use super::{DeliveryError, EmailDelivery, LoginMessage, SmsDelivery};
use crate::future::BoxFuture;

/// Prints each message as one line on stdout, exactly
/// `[supertokens] passwordless to=<contact> code=<code or -> link=<url or ->`.
///
/// The default in debug builds. A release build uses it only when chosen explicitly
/// (`console_email()` / `console_sms()`), since the codes end up in the logs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleDelivery;

impl ConsoleDelivery {
    /// The line printed for `message` (without the newline).
    pub fn line(message: &LoginMessage) -> String {
        format!(
            "[supertokens] passwordless to={} code={} link={}",
            message.to,
            message.user_input_code.as_deref().unwrap_or("-"),
            message.url_with_link_code.as_deref().unwrap_or("-"),
        )
    }

    fn print(message: &LoginMessage) -> Result<(), DeliveryError> {
        // One write of the whole line, so concurrent messages never interleave.
        let line = format!("{}\n", Self::line(message));
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| DeliveryError::new(format!("cannot write to stdout: {e}")))
    }
}

impl EmailDelivery for ConsoleDelivery {
    fn send_email<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move { Self::print(message) })
    }
}

impl SmsDelivery for ConsoleDelivery {
    fn send_sms<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move { Self::print(message) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_has_the_fixed_shape() {
        let m = LoginMessage::new("+14155550123", "App").with_code("123456");
        assert_eq!(
            ConsoleDelivery::line(&m),
            "[supertokens] passwordless to=+14155550123 code=123456 link=-"
        );
        let mut m =
            m.with_link("http://localhost:3000/auth/verify?preAuthSessionId=p&tenantId=public#l");
        m.user_input_code = None;
        assert_eq!(
            ConsoleDelivery::line(&m),
            "[supertokens] passwordless to=+14155550123 code=- \
             link=http://localhost:3000/auth/verify?preAuthSessionId=p&tenantId=public#l"
        );
    }
}
