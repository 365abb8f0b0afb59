//! The passwordless recipe's frontend API: `/signinup/code`, `/signinup/code/resend`,
//! `/signinup/code/consume` and the exists checks, optionally tenant-prefixed.
//!
//! Input errors answer 400 `{"message": …}`, logical outcomes 200 with a `status`, send limits
//! 429; where this differs from the official SDKs is listed in the module docs of
//! [`crate::passwordless`].

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawPathParams, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::limits::RateLimited;
use super::{
    CodesFilter, Contact, ContactMethod, FlowType, PasswordlessApi, PasswordlessError,
    PasswordlessRecipe,
};
use crate::SuperTokens;
use crate::core::CoreError;
use crate::core::cdi::{ConsumeCodeRequest, ConsumeCodeResponse, User};
use crate::recipe::session::SessionError;

/// Request bodies larger than this are refused; real ones are a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

#[derive(Clone)]
struct Ctx {
    st: SuperTokens,
    recipe: PasswordlessRecipe,
}

/// The passwordless routes, at their full paths (api base path included).
pub(crate) fn routes(st: &SuperTokens) -> Router {
    let Some(recipe) = st.passwordless().cloned() else {
        return Router::new();
    };
    let base = st.config().app_info.api_base_path.clone();
    let disabled = recipe.inner.disabled.clone();
    let endpoints: [(PasswordlessApi, &[&str], MethodRouter<Ctx>); 5] = [
        (
            PasswordlessApi::CreateCode,
            &["/signinup/code"],
            post(create_code),
        ),
        (
            PasswordlessApi::ResendCode,
            &["/signinup/code/resend"],
            post(resend_code),
        ),
        (
            PasswordlessApi::ConsumeCode,
            &["/signinup/code/consume"],
            post(consume_code),
        ),
        (
            PasswordlessApi::EmailExists,
            &["/passwordless/email/exists", "/signup/email/exists"],
            get(email_exists),
        ),
        (
            PasswordlessApi::PhoneNumberExists,
            &[
                "/passwordless/phonenumber/exists",
                "/signup/phonenumber/exists",
            ],
            get(phone_number_exists),
        ),
    ];
    let mut router = Router::new();
    for (api, paths, handler) in endpoints {
        if disabled.contains(&api) {
            continue;
        }
        for path in paths {
            router = router
                .route(&format!("{base}{path}"), handler.clone())
                .route(&format!("{base}/{{tenant}}{path}"), handler.clone());
        }
    }
    router.with_state(Ctx {
        st: st.clone(),
        recipe,
    })
}

/// Why a request did not succeed.
#[derive(Debug)]
enum ApiError {
    /// 400 `{"message": …}`.
    BadInput(String),
    /// 200 `{"status":"GENERAL_ERROR","message": …}`.
    General(String),
    /// 200 `{"status": …}`.
    Status(&'static str),
    /// 429 with `Retry-After`.
    RateLimited(RateLimited),
    /// 404: a tenant id the routing rules do not accept.
    NotFound,
    /// 404 `{"message":"Unknown tenant"}`: the core has no such tenant.
    UnknownTenant,
    /// A session error, answered by the session recipe.
    Session(Box<SessionError>),
    /// 500; the detail is logged, never sent.
    Internal(String),
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadInput(message.into())
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match &e {
            // The tenant comes from the request path: a path that names no tenant is not found.
            CoreError::Status {
                status: 400, body, ..
            } if body.contains("tenantId not found") => ApiError::UnknownTenant,
            _ => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<PasswordlessError> for ApiError {
    fn from(e: PasswordlessError) -> Self {
        match e {
            PasswordlessError::RestartFlow => ApiError::Status("RESTART_FLOW_ERROR"),
            PasswordlessError::CodeGenerationFailed => ApiError::General(e.to_string()),
            PasswordlessError::Core(core) => core.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::BadInput(message) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "message": message })),
            )
                .into_response(),
            ApiError::General(message) => {
                axum::Json(json!({"status": "GENERAL_ERROR", "message": message})).into_response()
            }
            ApiError::Status(status) => axum::Json(json!({ "status": status })).into_response(),
            ApiError::RateLimited(limited) => limited.into_response(),
            ApiError::NotFound => StatusCode::NOT_FOUND.into_response(),
            ApiError::UnknownTenant => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"message": "Unknown tenant"})),
            )
                .into_response(),
            ApiError::Session(e) => e.into_response(),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "passwordless API failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({"message": "Internal server error"})),
                )
                    .into_response()
            }
        }
    }
}

type ApiResult = Result<Response, ApiError>;

/// The tenant of the request: the path's `{tenant}` segment, else `public`.
fn tenant(params: &RawPathParams) -> Result<String, ApiError> {
    match params.iter().find(|(k, _)| *k == "tenant") {
        None => Ok("public".to_owned()),
        Some((_, t))
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(t.to_owned())
        }
        Some(_) => Err(ApiError::NotFound),
    }
}

/// The body as a JSON object: empty is `{}`; anything but an object is a 400.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad("Please send a JSON object as the request body")),
        Err(_) => Err(bad("Please send valid JSON in the request body")),
    }
}

async fn read_body(
    request: Request,
) -> Result<(http::request::Parts, Map<String, Value>), ApiError> {
    let (parts, body) = request.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| bad(format!("The request body is larger than {MAX_BODY} bytes")))?;
    Ok((parts, json_object(&bytes)?))
}

/// A string field: absent and `null` are `None`; another type is a 400.
fn string_field(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("Please make sure that {name} is a string"))),
    }
}

/// `shouldTryLinkingWithSessionUser` only matters with account linking, which this SDK does not
/// have; it is still type-checked.
fn check_linking_flag(body: &Map<String, Value>) -> Result<(), ApiError> {
    match body.get("shouldTryLinkingWithSessionUser") {
        None | Some(Value::Null | Value::Bool(_)) => Ok(()),
        Some(_) => Err(bad(
            "Please make sure that shouldTryLinkingWithSessionUser is a boolean",
        )),
    }
}

/// The client's IP: from the configured header, else the connection's peer address.
fn client_ip(recipe: &PasswordlessRecipe, parts: &http::request::Parts) -> Option<IpAddr> {
    let limiter = recipe.inner.limiter.as_ref()?;
    if let Some(name) = limiter.client_ip_header() {
        return parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

fn check_limits(
    ctx: &Ctx,
    parts: &http::request::Parts,
    identifier: &str,
    device: Option<&str>,
) -> Result<(), ApiError> {
    let Some(limiter) = &ctx.recipe.inner.limiter else {
        return Ok(());
    };
    let ip = client_ip(&ctx.recipe, parts);
    limiter
        .try_send(identifier, ip, device, ctx.st.clock().now_ms())
        .map_err(ApiError::RateLimited)
}

async fn create_code(State(ctx): State<Ctx>, params: RawPathParams, request: Request) -> ApiResult {
    let tenant_id = tenant(&params)?;
    let (parts, body) = read_body(request).await?;
    let email = string_field(&body, "email")?;
    let phone = string_field(&body, "phoneNumber")?;
    check_linking_flag(&body)?;
    let recipe = &ctx.recipe;
    let inner = &recipe.inner;
    if email.is_some() == phone.is_some() {
        return Err(bad("Please provide exactly one of email or phoneNumber"));
    }
    if email.is_none() && inner.contact == ContactMethod::Email {
        return Err(bad(
            "Please provide an email since you have set the contactMethod to \"EMAIL\"",
        ));
    }
    if phone.is_none() && inner.contact == ContactMethod::Phone {
        return Err(bad(
            "Please provide a phoneNumber since you have set the contactMethod to \"PHONE\"",
        ));
    }
    let contact = match (email, phone) {
        (Some(email), _) => {
            let email = email.trim().to_owned();
            (inner.email_check)(&email, &tenant_id).map_err(ApiError::General)?;
            Contact::Email(email)
        }
        (None, Some(phone)) => {
            (inner.phone_check)(&phone, &tenant_id).map_err(ApiError::General)?;
            PasswordlessRecipe::normalise(Contact::Phone(phone))
        }
        (None, None) => return Err(bad("Please provide exactly one of email or phoneNumber")),
    };
    check_limits(&ctx, &parts, contact.value(), None)?;
    let created = recipe
        .create_code(&tenant_id, contact.clone())
        .await
        .map_err(|e| match e {
            // The core only answers OK for a new device; anything else is a fault.
            PasswordlessError::RestartFlow | PasswordlessError::CodeGenerationFailed => {
                ApiError::Internal(format!(
                    "the core refused to create a code for a new device: {e}"
                ))
            }
            e => e.into(),
        })?;
    if let Some(limiter) = &inner.limiter {
        limiter.sent_to_device(&created.device_id, ctx.st.clock().now_ms());
    }
    recipe.deliver(&tenant_id, &contact, &created).await?;
    Ok(axum::Json(json!({
        "status": "OK",
        "deviceId": created.device_id,
        "preAuthSessionId": created.pre_auth_session_id,
        "flowType": inner.flow.as_str(),
    }))
    .into_response())
}

async fn resend_code(State(ctx): State<Ctx>, params: RawPathParams, request: Request) -> ApiResult {
    let tenant_id = tenant(&params)?;
    let (parts, body) = read_body(request).await?;
    let pre_auth_session_id = string_field(&body, "preAuthSessionId")?;
    let device_id = string_field(&body, "deviceId")?;
    check_linking_flag(&body)?;
    if pre_auth_session_id.is_none() {
        return Err(bad("Please provide preAuthSessionId"));
    }
    let Some(device_id) = device_id else {
        return Err(bad("Please provide a deviceId"));
    };
    let recipe = &ctx.recipe;
    let contact_method = recipe.inner.contact;
    let Some(device) = recipe
        .device(&tenant_id, CodesFilter::DeviceId(device_id.clone()))
        .await?
    else {
        return Err(ApiError::Status("RESTART_FLOW_ERROR"));
    };
    let contact = match (contact_method, &device.phone_number, &device.email) {
        (ContactMethod::Phone | ContactMethod::EmailOrPhone, Some(phone), _) => {
            Contact::Phone(phone.clone())
        }
        (ContactMethod::Email | ContactMethod::EmailOrPhone, _, Some(email)) => {
            Contact::Email(email.clone())
        }
        _ => return Err(ApiError::Status("RESTART_FLOW_ERROR")),
    };
    check_limits(&ctx, &parts, contact.value(), Some(&device_id))?;
    recipe
        .new_code_for_device(&tenant_id, &device_id, &contact)
        .await?;
    Ok(axum::Json(json!({"status": "OK"})).into_response())
}

/// The highest version in an `fdi-version` header (`None` when absent or unreadable: latest).
fn fdi_version(headers: &HeaderMap) -> Option<Vec<u32>> {
    let raw = headers.get("fdi-version")?.to_str().ok()?;
    raw.split(',')
        .filter_map(|v| {
            v.trim()
                .split('.')
                .map(|n| n.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()
        })
        .max()
}

/// Whether the consume response takes the pre-account-linking shape (`createdNewUser`): FDI
/// before 1.18, and the 2.x line.
fn legacy_consume_shape(version: Option<&[u32]>) -> bool {
    match version {
        None => false,
        Some(v) => v < [1, 18].as_slice() || (v >= [2].as_slice() && v < [3].as_slice()),
    }
}

fn legacy_user(user: &User, recipe_user_id: &str) -> Value {
    let method = user
        .login_methods
        .iter()
        .find(|m| m.recipe_user_id == recipe_user_id)
        .or_else(|| user.login_methods.first());
    let mut out = Map::new();
    out.insert("id".into(), Value::String(user.id.clone()));
    out.insert(
        "timeJoined".into(),
        json!(method.map_or(user.time_joined, |m| m.time_joined)),
    );
    if let Some(email) = method.and_then(|m| m.email.clone()) {
        out.insert("email".into(), Value::String(email));
    }
    if let Some(phone) = method.and_then(|m| m.phone_number.clone()) {
        out.insert("phoneNumber".into(), Value::String(phone));
    }
    Value::Object(out)
}

async fn consume_code(
    State(ctx): State<Ctx>,
    params: RawPathParams,
    request: Request,
) -> ApiResult {
    let tenant_id = tenant(&params)?;
    let (parts, body) = read_body(request).await?;
    let pre_auth_session_id = string_field(&body, "preAuthSessionId")?;
    let link_code = string_field(&body, "linkCode")?;
    let device_id = string_field(&body, "deviceId")?;
    let user_input_code = string_field(&body, "userInputCode")?;
    check_linking_flag(&body)?;
    let Some(pre_auth_session_id) = pre_auth_session_id else {
        return Err(bad("Please provide preAuthSessionId"));
    };
    const ONE_OF: &str =
        "Please provide one of (linkCode) or (deviceId+userInputCode) and not both";
    if link_code.is_some() && (device_id.is_some() || user_input_code.is_some()) {
        return Err(bad(ONE_OF));
    }
    if device_id.is_some() != user_input_code.is_some() {
        return Err(bad("Please provide both deviceId and userInputCode"));
    }
    if link_code.is_none() && device_id.is_none() {
        return Err(bad(ONE_OF));
    }
    let recipe = &ctx.recipe;
    match recipe.inner.flow {
        FlowType::MagicLink if link_code.is_none() => {
            return Err(bad(
                "Please provide a linkCode: the flowType is \"MAGIC_LINK\", so one-time codes are not accepted",
            ));
        }
        FlowType::UserInputCode if link_code.is_some() => {
            return Err(bad(
                "Please provide deviceId and userInputCode: the flowType is \"USER_INPUT_CODE\", so magic links are not accepted",
            ));
        }
        _ => {}
    }
    if recipe
        .device(
            &tenant_id,
            CodesFilter::PreAuthSessionId(pre_auth_session_id.clone()),
        )
        .await?
        .is_none()
    {
        return Err(ApiError::Status("RESTART_FLOW_ERROR"));
    }
    let request = ConsumeCodeRequest {
        pre_auth_session_id,
        link_code,
        device_id,
        user_input_code,
    };
    let response = match recipe.consume_code(&tenant_id, request).await {
        Ok(r) => r,
        // The core's 400s are about the input (ids of different devices, malformed base64).
        Err(CoreError::Status {
            status: 400, body, ..
        }) => return Err(bad(body.trim().to_owned())),
        Err(e) => return Err(e.into()),
    };
    match response {
        ConsumeCodeResponse::Ok {
            created_new_user,
            user,
            recipe_user_id,
            ..
        } => {
            let (_session, changes) = crate::session::create_new_session(
                &ctx.st,
                &parts.headers,
                &tenant_id,
                &recipe_user_id,
                Map::new(),
                Map::new(),
            )
            .await
            .map_err(|e| ApiError::Session(Box::new(e)))?;
            let body = if legacy_consume_shape(fdi_version(&parts.headers).as_deref()) {
                json!({
                    "status": "OK",
                    "createdNewUser": created_new_user,
                    "user": legacy_user(&user, &recipe_user_id),
                })
            } else {
                json!({
                    "status": "OK",
                    "createdNewRecipeUser": created_new_user,
                    "user": user,
                })
            };
            let mut response = axum::Json(body).into_response();
            changes.apply(&mut response);
            Ok(response)
        }
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count,
            maximum_code_input_attempts,
        } => Ok(axum::Json(json!({
            "status": "INCORRECT_USER_INPUT_CODE_ERROR",
            "failedCodeInputAttemptCount": failed_code_input_attempt_count,
            "maximumCodeInputAttempts": maximum_code_input_attempts,
        }))
        .into_response()),
        ConsumeCodeResponse::ExpiredUserInputCode {
            failed_code_input_attempt_count,
            maximum_code_input_attempts,
        } => Ok(axum::Json(json!({
            "status": "EXPIRED_USER_INPUT_CODE_ERROR",
            "failedCodeInputAttemptCount": failed_code_input_attempt_count,
            "maximumCodeInputAttempts": maximum_code_input_attempts,
        }))
        .into_response()),
        ConsumeCodeResponse::RestartFlow => Err(ApiError::Status("RESTART_FLOW_ERROR")),
    }
}

/// The first value of a query parameter (`+` decodes to a space, as in the other SDKs).
fn query_param(parts: &http::request::Parts, name: &str) -> Option<String> {
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn email_exists(
    State(ctx): State<Ctx>,
    params: RawPathParams,
    request: Request,
) -> ApiResult {
    let tenant_id = tenant(&params)?;
    let (parts, _) = request.into_parts();
    let Some(email) = query_param(&parts, "email") else {
        return Err(bad("Please provide the email as a GET param"));
    };
    let wanted = email.trim().to_lowercase();
    let users = ctx
        .recipe
        .inner
        .functions
        .users_by_contact(tenant_id, Contact::Email(email))
        .await?;
    let exists = users.iter().any(|u| {
        u.login_methods.iter().any(|m| {
            m.recipe_id == "passwordless"
                && m.email
                    .as_deref()
                    .is_some_and(|e| e.trim().to_lowercase() == wanted)
        })
    });
    Ok(axum::Json(json!({"status": "OK", "exists": exists})).into_response())
}

async fn phone_number_exists(
    State(ctx): State<Ctx>,
    params: RawPathParams,
    request: Request,
) -> ApiResult {
    let tenant_id = tenant(&params)?;
    let (parts, _) = request.into_parts();
    let Some(phone) = query_param(&parts, "phoneNumber") else {
        return Err(bad("Please provide the phoneNumber as a GET param"));
    };
    let users = ctx
        .recipe
        .inner
        .functions
        .users_by_contact(tenant_id, Contact::Phone(phone))
        .await?;
    Ok(axum::Json(json!({"status": "OK", "exists": !users.is_empty()})).into_response())
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(json_object(b"").unwrap().is_empty());
        assert!(json_object(b"  \n").unwrap().is_empty());
        assert!(json_object(br#"{"a":1}"#).is_ok());
        for body in [&b"false"[..], b"null", b"[]", b"\"x\"", b"{", b"1"] {
            assert!(
                matches!(json_object(body), Err(ApiError::BadInput(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn string_fields_reject_other_types() {
        let body = json_object(br#"{"email":{},"phoneNumber":null,"x":"y"}"#).unwrap();
        assert!(
            matches!(string_field(&body, "email"), Err(ApiError::BadInput(m)) if m == "Please make sure that email is a string")
        );
        assert!(matches!(string_field(&body, "phoneNumber"), Ok(None)));
        assert!(matches!(string_field(&body, "x"), Ok(Some(v)) if v == "y"));
    }

    #[test]
    fn fdi_versions_choose_the_consume_shape() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert("fdi-version", HeaderValue::from_str(v).unwrap());
            fdi_version(&m)
        };
        assert_eq!(h("3.1,4.0,4.1,4.2"), Some(vec![4, 2]));
        assert_eq!(h("1.10,1.9"), Some(vec![1, 10]));
        assert!(!legacy_consume_shape(None));
        assert!(!legacy_consume_shape(h("3.1,4.0").as_deref()));
        assert!(!legacy_consume_shape(h("1.18").as_deref()));
        assert!(!legacy_consume_shape(h("1.19").as_deref()));
        assert!(legacy_consume_shape(h("1.17").as_deref()));
        assert!(legacy_consume_shape(h("1.16,1.17").as_deref()));
        assert!(legacy_consume_shape(h("2.0").as_deref()));
        assert!(!legacy_consume_shape(h("3.0").as_deref()));
    }
}
