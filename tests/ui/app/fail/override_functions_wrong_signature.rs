// An override takes the current implementation and returns the new one: the error points at
// the path.
use std::sync::Arc;

use supertokens::passwordless::PasswordlessFunctions;

fn audit(original: Arc<dyn PasswordlessFunctions>) {
    let _ = original;
}

#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL", override_functions = audit),
    session(),
)]
fn main() {}
