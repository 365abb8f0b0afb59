// Every flow type works with every contact method; start-up accepts what compiled.
#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    passwordless(flow_type = "MAGIC_LINK", contact_method = "EMAIL_OR_PHONE"),
    session(),
)]
fn main() {
    assert!(supertokens::SuperTokens::global().is_ok());
}
