//! For API and mobile clients: sessions in headers instead of cookies.
//!
//! ```text
//! cargo run -p examples --example header_mode
//! ```
//!
//! The API on <http://localhost:3001>, no web page. Tokens travel as `st-access-token` /
//! `st-refresh-token` response headers and come back as `Authorization: Bearer …`; the README
//! walks through it with curl. Codes are printed on this console.

#[supertokens::app(
    app_name = "Header mode",
    api_domain = "http://localhost:3001",
    // Required even without a web page: it is the origin the CORS layer would allow.
    website_domain = "http://localhost:3000",
    // What sets this example apart: tokens in headers, for clients without cookies.
    session(token_transfer = "header"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL_OR_PHONE"),
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    // No CORS layer and no login page: the clients of this API are not browsers.
    println!("API on http://localhost:3001 (header mode)");
    examples::serve(examples::api(), None).await;
}
