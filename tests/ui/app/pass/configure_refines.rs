// The attribute sets the recipe (checked at compile time); `configure` adds what only code can
// say. The app starts with both: the flow type and contact method stay, the delivery is added.
use supertokens::ConfigBuilder;
use supertokens::passwordless::{
    ContactMethod, DeliveryError, FlowType, LoginMessage, PasswordlessConfig,
};

async fn send(message: LoginMessage) -> Result<(), DeliveryError> {
    let _ = message;
    Ok(())
}

fn configure(builder: ConfigBuilder) -> ConfigBuilder {
    builder.passwordless(PasswordlessConfig::new().email_delivery(send))
}

#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    passwordless(flow_type = "MAGIC_LINK", contact_method = "EMAIL"),
    session(),
    configure = configure,
)]
fn main() {
    let st = supertokens::SuperTokens::global().expect("started");
    let passwordless = st.passwordless().expect("the attribute's recipe");
    assert_eq!(passwordless.flow_type(), FlowType::MagicLink);
    assert_eq!(passwordless.contact_method(), ContactMethod::Email);
}
