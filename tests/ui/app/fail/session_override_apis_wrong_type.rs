// `override_apis` wraps `SessionApis`, not `SessionFunctions`.
use std::sync::Arc;

use supertokens::session::SessionFunctions;

fn wrap(original: Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions> {
    original
}

#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    session(override_apis = wrap),
)]
fn main() {}
