// A delivery service must be an `async fn(LoginMessage) -> Result<(), DeliveryError>` (or
// implement `EmailDelivery`): the error points at the path.
mod my {
    pub async fn send(to: String) {
        let _ = to;
    }
}

#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL", email_delivery = my::send),
    session(),
)]
fn main() {}
