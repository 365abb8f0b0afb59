// What only code can say, by path: delivery services (an `async fn`), recipe overrides, and a
// `configure` function that refines the configuration further.
use std::sync::Arc;

use supertokens::ConfigBuilder;
use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig, PasswordlessFunctions};
use supertokens::session::{SessionApis, SessionFunctions};

mod my {
    use supertokens::delivery::{DeliveryError, LoginMessage};

    pub async fn send(message: LoginMessage) -> Result<(), DeliveryError> {
        let _ = message;
        Ok(())
    }
}

fn audit(original: Arc<dyn PasswordlessFunctions>) -> Arc<dyn PasswordlessFunctions> {
    original
}

fn session_functions(original: Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions> {
    original
}

fn session_apis(original: Arc<dyn SessionApis>) -> Arc<dyn SessionApis> {
    original
}

fn configure(builder: ConfigBuilder) -> ConfigBuilder {
    builder.passwordless(
        PasswordlessConfig::new()
            .flow_type(FlowType::UserInputCode)
            .contact_method(ContactMethod::EmailOrPhone)
            .no_send_limits(),
    )
}

#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL_OR_PHONE", email_delivery = my::send, sms_delivery = self::my::send, override_functions = audit),
    session(check_database = true, override_functions = session_functions, override_apis = crate::session_apis),
    configure = configure,
)]
fn main() {
    let supertokens = supertokens::SuperTokens::global().unwrap();
    assert!(supertokens.config().passwordless().is_some());
}
