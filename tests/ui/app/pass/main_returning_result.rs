// A `main` that returns `Result` gets a start-up error back through `?` instead of an exit.
#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    session(),
)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    supertokens::SuperTokens::global()?;
    Ok(())
}
