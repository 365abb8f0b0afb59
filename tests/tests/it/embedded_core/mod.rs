//! The embedded core through the SDK's CDI client, over both transports: in-process (the
//! service called directly) and HTTP on loopback. Every scenario runs on both.

mod attempts;
mod codes;
mod service;
mod users;

use std::ops::Deref;

use http::Method;
use supertokens::core::CoreError;
use supertokens::core::cdi::{
    CheckCodeResponse, ConsumeCodeRequest, ConsumeCodeResponse, ConsumedDevice, CreateCodeRequest,
    CreateCodeResponse, DeviceInfo, GetUserResponse, ListCodesResponse, User,
};
use supertokens::embedded::EmbeddedCoreConfig;
use tests::embedded_core::{CoreHarness, Transport};
use tests::sign_in::{self, Code, PASSWORDLESS};

/// A core under test, with the passwordless calls the scenarios make (each asserting that the
/// call itself succeeded).
struct Harness(CoreHarness);

impl Deref for Harness {
    type Target = CoreHarness;

    fn deref(&self) -> &CoreHarness {
        &self.0
    }
}

impl Harness {
    async fn new(transport: Transport) -> Self {
        Self(CoreHarness::new(transport).await)
    }

    async fn with(transport: Transport, config: EmbeddedCoreConfig) -> Self {
        Self(CoreHarness::with(transport, config).await)
    }

    /// A request exactly as given (no client in between): status and body text.
    async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply = self
            .0
            .raw
            .request(method, path)
            .headers(headers)
            .body(body)
            .send()
            .await;
        (reply.status.as_u16(), reply.text)
    }

    async fn create(&self, req: &CreateCodeRequest) -> CreateCodeResponse {
        sign_in::create_code(&self.client, req).await.unwrap()
    }

    async fn create_for_email(&self, email: &str) -> Code {
        Code::try_from(self.create(&sign_in::for_email(email)).await).unwrap()
    }

    async fn create_for_phone(&self, phone: &str) -> Code {
        let request = CreateCodeRequest {
            phone_number: Some(phone.into()),
            ..Default::default()
        };
        Code::try_from(self.create(&request).await).unwrap()
    }

    async fn resend(&self, device_id: &str, user_input_code: Option<&str>) -> CreateCodeResponse {
        self.create(&CreateCodeRequest {
            device_id: Some(device_id.into()),
            user_input_code: user_input_code.map(Into::into),
            ..Default::default()
        })
        .await
    }

    async fn consume_typed(&self, code: &Code, typed: &str) -> ConsumeCodeResponse {
        self.consume(&code.typed(typed)).await
    }

    /// Consumes `code` with its own one-time code, which must succeed.
    async fn consume_right(&self, code: &Code) -> Consumed {
        consumed(self.consume(&code.right()).await)
    }

    async fn consume_link(
        &self,
        pre_auth_session_id: &str,
        link_code: &str,
    ) -> ConsumeCodeResponse {
        self.consume(&sign_in::by_link(pre_auth_session_id, link_code))
            .await
    }

    async fn consume(&self, req: &ConsumeCodeRequest) -> ConsumeCodeResponse {
        sign_in::consume_code(&self.client, req).await.unwrap()
    }

    /// `check`: whether a code is right, consuming nothing.
    async fn check(&self, req: &ConsumeCodeRequest) -> CheckCodeResponse {
        self.client
            .post("/public/recipe/signinup/code/check", PASSWORDLESS, req)
            .await
            .unwrap()
    }

    async fn devices(&self, key: &str, value: &str) -> Vec<DeviceInfo> {
        let ListCodesResponse::Ok { devices } = self
            .client
            .get(
                "/public/recipe/signinup/codes",
                PASSWORDLESS,
                &[(key, value)],
            )
            .await
            .unwrap();
        devices
    }

    async fn user(&self, id: &str) -> Option<User> {
        match self
            .client
            .get("/user/id", None, &[("userId", id)])
            .await
            .unwrap()
        {
            GetUserResponse::Ok { user } => Some(user),
            GetUserResponse::UnknownUserId => None,
        }
    }

    /// Signs `email` in with its one-time code: the user, and whether it is new.
    async fn sign_in(&self, email: &str) -> (User, bool) {
        let signed_in = sign_in::sign_up_or_in(&self.client, email)
            .await
            .unwrap_or_else(|e| panic!("sign-in failed: {e}"));
        (signed_in.user, signed_in.created_new_user)
    }
}

/// The parts of a successful consume.
struct Consumed {
    user: User,
    created_new_user: bool,
    recipe_user_id: String,
    consumed_device: ConsumedDevice,
}

/// The parts of a consume answer that must be `OK`.
fn consumed(response: ConsumeCodeResponse) -> Consumed {
    match response {
        ConsumeCodeResponse::Ok {
            created_new_user,
            user,
            recipe_user_id,
            consumed_device,
        } => Consumed {
            user,
            created_new_user,
            recipe_user_id,
            consumed_device,
        },
        other => panic!("consume failed: {other:?}"),
    }
}

fn status_of(e: CoreError) -> (u16, String) {
    match e {
        CoreError::Status { status, body, .. } => (status, body),
        other => panic!("expected a status error, got {other}"),
    }
}

/// The code of a create-code answer that must be `OK`.
fn code_of(response: CreateCodeResponse) -> Code {
    Code::try_from(response).unwrap()
}
