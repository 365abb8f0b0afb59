//! For API and mobile clients: sessions in headers instead of cookies.
//!
//! ```text
//! cargo run -p examples --example header_mode
//! ```
//!
//! The API on <http://localhost:3001>, no web page of its own (set `SUPERTOKENS_WEBSITE_DIR` to
//! serve your frontend on <http://localhost:3000>). Tokens travel as `st-access-token` /
//! `st-refresh-token` response headers and come back as `Authorization: Bearer …`; the README
//! walks through it with curl. Codes are printed on this console.

#[supertokens::app(
    app_name = "Header mode",
    api_domain = "http://localhost:3001",
    // The origin the CORS layer allows.
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
    // Mobile apps and API clients need no CORS, but a browser app on another origin keeping
    // its tokens in headers (supertokens-web-js or the prebuilt UI in header mode) does.
    let api = examples::api().layer(supertokens::cors());
    println!("API on http://localhost:3001 (header mode)");
    examples::serve(api, None).await;
}
