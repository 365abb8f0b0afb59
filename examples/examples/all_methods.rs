//! Every passwordless method at once: a one-time code *and* a magic link, sent by e-mail or SMS
//! (whichever the person enters).
//!
//! ```text
//! cargo run -p examples --example all_methods
//! ```
//!
//! Same ports and routes as the quickstart. The magic link points at
//! `http://localhost:3000/auth/verify?preAuthSessionId=…&tenantId=public#<link code>`, which the
//! login page handles. Codes and links are printed on this console.

use examples::LoginPage;
use supertokens::passwordless::{ContactMethod, FlowType};

#[supertokens::app(
    app_name = "All methods",
    // What sets this example apart: both flows, both contact methods.
    passwordless(
        flow_type = "USER_INPUT_CODE_AND_MAGIC_LINK",
        contact_method = "EMAIL_OR_PHONE",
    ),
    session(),
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    let api = examples::api().layer(supertokens::cors());
    // The login page offers both contact methods and takes both a code and a link.
    let page = LoginPage::new("All methods", "http://localhost:3001")
        .contact_method(ContactMethod::EmailOrPhone)
        .flow_type(FlowType::UserInputCodeAndMagicLink);
    println!("API on http://localhost:3001, sign in at http://localhost:3000");
    examples::serve(api, page).await;
}
