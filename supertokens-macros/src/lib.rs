//! The attribute macros of supertokens-rs: [`macro@app`] and [`macro@protected`]. Use them
//! through the `supertokens` crate, which re-exports them; the generated code names
//! `::supertokens::__private` only.
//!
//! Both macros read their arguments, report every mistake at once (each at the offending token,
//! saying how to fix it), and on error give the item back unchanged beside the errors, so
//! editors keep working.

use proc_macro::TokenStream;

#[cfg(test)]
#[macro_use]
mod snapshot;

mod app;
mod args;
mod errors;
mod protected;

/// Sets SuperTokens up for the program: put it on `main`.
///
/// ```no_run
/// #[supertokens::app(
///     app_name = "Demo",
///     api_domain = "http://localhost:3001",
///     website_domain = "http://localhost:3000",
///     passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE"),
///     session(),
/// )]
/// #[tokio::main]
/// async fn main() {
///     let app: axum::Router = axum::Router::new()
///         .merge(supertokens::router())
///         .layer(supertokens::cors());
///     let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await.unwrap();
///     let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
///     axum::serve(listener, app).await.unwrap();
/// }
/// ```
///
/// The first thing `main` does is then build a [`Config`] from the arguments, validate it and
/// call `supertokens::init`; if anything is wrong it prints every problem and exits with an
/// error status (a `main` returning `Result` gets the error back instead). `main` may be `async`
/// under `#[tokio::main]` (above or below this attribute) or a plain `fn`; it takes no
/// parameters.
///
/// Every literal is checked while compiling, by the same rules `ConfigBuilder::build` applies
/// at start-up, so `api_domain = "localhost:3001/auth"` or `flow_type = "MAGIC"` is a compile
/// error that says what to write instead. The settings SuperTokens spells as fixed strings
/// (`flow_type`, `contact_method`, `cookie_same_site`, `anti_csrf`, `token_transfer`) are
/// written in that spelling and become the enums `ConfigBuilder` takes (`FlowType::MagicLink`).
///
/// # Values from the environment
///
/// Any string value may be `env("VAR")` or `env("VAR", default = "…")`: the variable is read at
/// start-up and checked by the same rules (the enums' `FromStr`), with the same messages. The
/// `default` of an enum setting is checked while compiling. For an optional argument an
/// unset (or empty) variable leaves the argument out, so
/// `connection_uri = env("SUPERTOKENS_CONNECTION_URI")` uses the embedded core when the variable
/// is unset. For a required argument (`app_name`, `api_domain`, `website_domain`,
/// `flow_type`, `contact_method`, SMTP `host` and `from_email`, Twilio `account_sid` and
/// `auth_token`) an unset variable without a default stops start-up with a message naming the
/// variable and the argument. Numbers and `true`/`false` are written as literals.
///
/// # App info
///
/// | argument | example | |
/// |---|---|---|
/// | `app_name` | `app_name = "Demo"` | required; appears in e-mails and SMS |
/// | `api_domain` | `api_domain = "https://api.example.com"` | required; scheme, host and port only |
/// | `website_domain` | `website_domain = "https://example.com"` | required; where the frontend is served |
/// | `api_base_path` | `api_base_path = "/auth"` | default `/auth` |
/// | `website_base_path` | `website_base_path = "/auth"` | default `/auth` |
/// | `api_gateway_path` | `api_gateway_path = "/prod"` | default none; put in front of `api_base_path` |
///
/// # Core
///
/// | argument | example | |
/// |---|---|---|
/// | `connection_uri` | `connection_uri = env("SUPERTOKENS_CONNECTION_URI")` | a SuperTokens Core, several separated by `;`; absent: the embedded core |
/// | `api_key` | `api_key = env("SUPERTOKENS_API_KEY")` | the core's API key |
/// | `core_timeout` | `core_timeout = 10` | seconds per request to the core (default 10) |
/// | `embedded_core(...)` | `embedded_core(database = ".supertokens/core.db")` | settings of the embedded core, below |
///
/// `embedded_core(...)` takes `database` (a SQLite file, or `":memory:"`), `code_lifetime`
/// (seconds, default 600), `max_code_input_attempts` (default 5), `access_token_validity`
/// (seconds, default 3600), `refresh_token_validity` (seconds, default 100 days),
/// `signing_key_rotation` (seconds, default 7 days), `api_key` (required from clients when
/// the embedded core is served on a port) and `app_id` (the app of the embedded core this SDK
/// uses, created at start when missing; default `public`: see SuperTokens' "multi app setup"):
///
/// ```no_run
/// #[supertokens::app(
///     app_name = "Demo",
///     api_domain = "http://localhost:3001",
///     website_domain = "http://localhost:3000",
///     embedded_core(database = env("CORE_DB", default = ".supertokens/core.db"), code_lifetime = 300),
///     session(),
/// )]
/// fn main() {}
/// ```
///
/// # `passwordless(...)`
///
/// | argument | example | |
/// |---|---|---|
/// | `flow_type` | `flow_type = "USER_INPUT_CODE"` | required: `"USER_INPUT_CODE"`, `"MAGIC_LINK"` or `"USER_INPUT_CODE_AND_MAGIC_LINK"` |
/// | `contact_method` | `contact_method = "EMAIL"` | required: `"PHONE"`, `"EMAIL"` or `"EMAIL_OR_PHONE"` |
/// | `email_delivery` | `email_delivery = console` | `console` (prints codes and links), `smtp(...)` or the path of your own service |
/// | `sms_delivery` | `sms_delivery = console` | `console`, `twilio(...)` or the path of your own service |
/// | `override_functions` | `override_functions = my_app::audit_sign_ins` | the path of a function wrapping the recipe functions, see below |
///
/// ```no_run
/// # #[supertokens::app(
/// #     app_name = "Demo",
/// #     api_domain = "http://localhost:3001",
/// #     website_domain = "http://localhost:3000",
/// passwordless(
///     flow_type = "USER_INPUT_CODE_AND_MAGIC_LINK",
///     contact_method = "EMAIL_OR_PHONE",
///     email_delivery = smtp(
///         host = "smtp.example.com",          // required
///         port = 587,                         // 465 with `secure = true`
///         from_name = "Demo",
///         from_email = "no-reply@example.com", // required
///         username = env("SMTP_USERNAME"),
///         password = env("SMTP_PASSWORD"),
///         secure = false,
///     ),
///     sms_delivery = twilio(
///         account_sid = env("TWILIO_ACCOUNT_SID"), // required
///         auth_token = env("TWILIO_AUTH_TOKEN"),   // required
///         from = "+15005550006",                   // or messaging_service_sid = "MG…", not both
///     ),
/// ),
/// # session(),
/// # )]
/// # fn main() {}
/// ```
///
/// Passwordless sign-in needs `session()` as well.
///
/// # `session(...)`
///
/// `session()` alone enables sessions with SuperTokens' defaults. Its arguments:
///
/// | argument | example | |
/// |---|---|---|
/// | `cookie_secure` | `cookie_secure = true` | default: whether `api_domain` is https |
/// | `cookie_same_site` | `cookie_same_site = "lax"` | `"strict"`, `"lax"` or `"none"` (needs secure cookies); default per request |
/// | `cookie_domain` | `cookie_domain = ".example.com"` | share the session with subdomains |
/// | `older_cookie_domain` | `older_cookie_domain = ""` | a previous `cookie_domain`, to clear its cookies |
/// | `anti_csrf` | `anti_csrf = "VIA_CUSTOM_HEADER"` | `"NONE"`, `"VIA_CUSTOM_HEADER"` or `"VIA_TOKEN"` |
/// | `token_transfer` | `token_transfer = "header"` | `"cookie"`, `"header"` or `"any"` (default: the frontend chooses) |
/// | `session_expired_status_code` | `session_expired_status_code = 401` | default 401 |
/// | `invalid_claim_status_code` | `invalid_claim_status_code = 403` | default 403; must differ from the above |
/// | `use_dynamic_access_token_signing_key` | `use_dynamic_access_token_signing_key = false` | default true |
/// | `expose_access_token_to_frontend_in_cookie_based_auth` | `expose_access_token_to_frontend_in_cookie_based_auth = true` | default false |
/// | `jwks_refresh_interval` | `jwks_refresh_interval = 14400` | seconds (default 4 hours) |
/// | `check_database` | `check_database = true` | every verification also asks the core whether the session was revoked (default false; one call per request) |
/// | `override_functions` | `override_functions = my_app::session_functions` | the path of a function wrapping the recipe functions, see below |
/// | `override_apis` | `override_apis = my_app::session_apis` | the path of a function wrapping the frontend APIs, see below |
///
/// # Your own code
///
/// What only code can say is named by its path, and given to the builder method of the same
/// name, so anything that method takes will do:
///
/// | argument | the path of | builder method |
/// |---|---|---|
/// | `passwordless(email_delivery = …)` | an `async fn(LoginMessage) -> Result<(), DeliveryError>`, or a value implementing `EmailDelivery` | `PasswordlessConfig::email_delivery` |
/// | `passwordless(sms_delivery = …)` | the same, or a value implementing `SmsDelivery` | `PasswordlessConfig::sms_delivery` |
/// | `passwordless(override_functions = …)` | a `fn(Arc<dyn PasswordlessFunctions>) -> Arc<dyn PasswordlessFunctions>` | `PasswordlessConfig::override_functions` |
/// | `session(override_functions = …)` | a `fn(Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions>` | `SessionConfig::override_functions` |
/// | `session(override_apis = …)` | a `fn(Arc<dyn SessionApis>) -> Arc<dyn SessionApis>` | `SessionConfig::override_apis` |
///
/// A value the method does not take (a function with another signature) is a compile error at
/// the path you wrote. A bare name as close to a service's name as `smpt` is to `smtp` is taken
/// for a typo of it; write a function of yours with such a name as a path, `self::smpt`.
///
/// ```no_run
/// use std::sync::Arc;
/// use supertokens::delivery::{DeliveryError, LoginMessage};
/// use supertokens::session::SessionFunctions;
///
/// async fn send_email(message: LoginMessage) -> Result<(), DeliveryError> {
///     // hand `message` to your mail queue here
///     let _ = message;
///     Ok(())
/// }
///
/// fn session_functions(original: Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions> {
///     // wrap `original` here (see `SessionConfig::override_functions`)
///     original
/// }
///
/// #[supertokens::app(
///     app_name = "Demo",
///     api_domain = "http://localhost:3001",
///     website_domain = "http://localhost:3000",
///     passwordless(flow_type = "MAGIC_LINK", contact_method = "EMAIL", email_delivery = send_email),
///     session(override_functions = session_functions),
/// )]
/// fn main() {}
/// ```
///
/// # Everything else
///
/// * `configure = path::to::function` — a `fn(ConfigBuilder) -> ConfigBuilder` applied after
///   the arguments, for the rest of what exists only at run time (send limits, validators, a
///   code generator); a function with another signature is an error at the path:
///
///   ```no_run
///   use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
///
///   fn configure(builder: supertokens::ConfigBuilder) -> supertokens::ConfigBuilder {
///       builder.passwordless(
///           PasswordlessConfig::new()
///               .flow_type(FlowType::MagicLink)
///               .contact_method(ContactMethod::Email),
///       )
///   }
///
///   #[supertokens::app(
///       app_name = "Demo",
///       api_domain = "http://localhost:3001",
///       website_domain = "http://localhost:3000",
///       session(),
///       configure = configure,
///   )]
///   fn main() {
///       let supertokens = supertokens::SuperTokens::global().unwrap();
///       assert!(supertokens.config().passwordless().is_some());
///   }
///   ```
/// * `crate = "path"` — where the `supertokens` crate is, when it is re-exported under another
///   name: `crate = "my_platform::supertokens"`.
///
/// [`Config`]: https://docs.rs/supertokens/latest/supertokens/config/struct.Config.html
// The examples put the attribute on `fn main`, which is what they show.
#[allow(clippy::needless_doctest_main)]
#[proc_macro_attribute]
pub fn app(args: TokenStream, item: TokenStream) -> TokenStream {
    app::expand(args.into(), item.into()).into()
}

/// Makes an axum handler require a verified SuperTokens session.
///
/// ```
/// use supertokens::{protected, session::SessionContainer};
///
/// #[protected]
/// async fn like_comment(session: SessionContainer) -> String {
///     session.user_id().to_string()
/// }
///
/// let app: axum::Router = axum::Router::new().route("/like-comment", axum::routing::post(like_comment));
/// ```
///
/// The session is verified before any other extractor runs; a request without a valid one is
/// answered as SuperTokens answers it (401 with `try refresh token` or `unauthorised`, and so
/// on), and the handler body never runs. A handler without a `SessionContainer` parameter is
/// protected just the same. Whatever the verification wants on the response (a new access
/// token, say) is added to the handler's response.
///
/// The session parameter is the one whose type is `SessionContainer` (by value; it is cheap to
/// clone). Other parameters are ordinary axum extractors, checked where they are written: a type
/// that is not an extractor is reported on that parameter. They are checked against the router
/// state of a `State<T>` parameter, else `()`; name another with `state = T`.
///
/// To protect every route of a router instead, put a `SessionGuard` on it
/// (`.layer(SessionGuard::new().check_database())`, see [`supertokens::session`]): it takes
/// the same options and answers the same way, and the handlers below take the session with the
/// plain `SessionContainer` extractor.
///
/// axum runs only handlers whose future is `Send`: a handler that holds an `Rc` or a
/// `std::sync::MutexGuard` across an `.await` is reported at its name, with what to do, rather
/// than at `.route()`.
///
/// Other attributes see the handler as you wrote it, parameter names included: one below
/// `#[protected]` (such as `#[tracing::instrument(skip(session))]`) goes on your function, inside
/// the generated handler, except docs, `cfg` and lint levels, which stay on the handler. Put an
/// attribute that adds items beside the function (an OpenAPI `path` macro, say) above
/// `#[protected]`: it then runs first, on your function, and the result is protected.
///
/// # Options
///
/// | option | example | |
/// |---|---|---|
/// | `optional` | `#[protected(optional)]` | a request without a session gets `None`: take `session: Option<SessionContainer>` |
/// | `check_database` | `#[protected(check_database)]` | also ask the core whether the session was revoked (one call per request) |
/// | `anti_csrf` | `#[protected(anti_csrf = "check")]` | `"check"` on every method, or `"skip"`; default: every method but GET, as configured |
/// | `state` | `#[protected(state = AppState)]` | the router state to check the other extractors against |
/// | `crate` | `#[protected(crate = "my_platform::supertokens")]` | where the `supertokens` crate is |
///
/// ```
/// # use supertokens::{protected, session::SessionContainer};
/// #[protected(optional)]
/// async fn greeting(session: Option<SessionContainer>) -> String {
///     match session {
///         Some(session) => format!("hello {}", session.user_id()),
///         None => "hello, stranger".into(),
///     }
/// }
/// # let app: axum::Router = axum::Router::new().route("/", axum::routing::get(greeting));
/// ```
///
/// [`supertokens::session`]: https://docs.rs/supertokens/latest/supertokens/session/index.html
#[proc_macro_attribute]
pub fn protected(args: TokenStream, item: TokenStream) -> TokenStream {
    protected::expand(args.into(), item.into()).into()
}
