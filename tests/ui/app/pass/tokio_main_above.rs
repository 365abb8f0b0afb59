// `#[tokio::main]` above `#[supertokens::app]`: the order does not matter.
#[tokio::main]
#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    passwordless(flow_type = "MAGIC_LINK", contact_method = "EMAIL"),
    session(),
)]
async fn main() {
    assert!(supertokens::SuperTokens::global().is_ok());
}
