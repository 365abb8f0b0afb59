#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    embedded_core(app_id = "shop_eu"),
    session(),
)]
fn main() {}
