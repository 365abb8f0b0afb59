//! Session claims: values kept in the access token (`"<key>": {"v": value, "t": ms}`), fetched
//! when a session is created or when a check finds them missing or too old, and the validators
//! a route checks them with.
//!
//! A claim is a key and a way to fetch its value for a session's user. The SDK's own claims are
//! the user's roles and permissions ([`UserRoleClaim`](crate::user_roles::UserRoleClaim),
//! [`PermissionClaim`](crate::user_roles::PermissionClaim)); your own are made with
//! [`PrimitiveClaim::new`], [`PrimitiveArrayClaim::new`] or [`BooleanClaim::new`]:
//!
//! ```
//! use supertokens::session::claims::{BooleanClaim, ClaimContext};
//!
//! // Whether the user finished the onboarding, as the app's database says.
//! let onboarded = BooleanClaim::new("onboarded", |ctx: ClaimContext| async move {
//!     Ok(Some(ctx.user_id.starts_with("a")))
//! });
//! let check = onboarded.is_true().max_age(300);
//! assert_eq!(check.id(), "onboarded");
//! ```
//!
//! A route checks validators with `#[protected(roles = ["admin"])]` (and `permissions`,
//! `any_role`, `claims`), [`SessionGuard::claim_validators`](super::SessionGuard::claim_validators),
//! [`GetSessionOptions::claim_validators`](super::GetSessionOptions::claim_validators) or
//! [`SessionContainer::assert_claims`](super::SessionContainer::assert_claims). Validators every
//! route checks are set with [`SessionConfig::global_claim_validator`](super::SessionConfig::global_claim_validator).
//!
//! Before validating, a claim whose value is missing or older than the validator's maximum age
//! is fetched again and written into the access token; the new token goes out with the response,
//! as after a refresh. A failed check answers `403` with
//! `{"message":"invalid claim","claimValidationErrors":[{"id", "reason"}]}`, which the
//! SuperTokens frontend SDKs read.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::error::{ClaimValidationError, SessionError};
use crate::core::CoreClient;
use crate::future::BoxFuture;

/// What a claim's value is fetched for: the session's user and tenant, and its access-token
/// payload as it is now.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClaimContext {
    /// The (primary) user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// The session's tenant.
    pub tenant_id: String,
    /// The access-token payload before this fetch.
    pub current_payload: Arc<Map<String, Value>>,
    /// The core of the session's instance (the SDK's own claims read roles there).
    pub(crate) core: CoreClient,
}

impl std::fmt::Debug for ClaimContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimContext")
            .field("user_id", &self.user_id)
            .field("recipe_user_id", &self.recipe_user_id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

type Fetch<V> =
    Arc<dyn Fn(ClaimContext) -> BoxFuture<'static, Result<Option<V>, SessionError>> + Send + Sync>;

/// A session claim with values of type `V`. Use it through its aliases: [`PrimitiveClaim`],
/// [`PrimitiveArrayClaim`], [`BooleanClaim`]. Cheap to clone.
pub struct Claim<V> {
    key: Arc<str>,
    fetch: Fetch<V>,
    default_max_age: Option<u64>,
}

/// A claim with one value (a string, a number, …): validators [`has_value`](Claim::has_value).
pub type PrimitiveClaim<T> = Claim<T>;
/// A claim whose value is a list: validators [`includes`](Claim::includes),
/// [`excludes`](Claim::excludes), [`includes_all`](Claim::includes_all),
/// [`includes_any`](Claim::includes_any), [`excludes_all`](Claim::excludes_all).
pub type PrimitiveArrayClaim<T> = Claim<Vec<T>>;
/// A true-or-false claim: validators [`is_true`](Claim::is_true), [`is_false`](Claim::is_false).
pub type BooleanClaim = Claim<bool>;

impl<V> Clone for Claim<V> {
    fn clone(&self) -> Self {
        Self {
            key: Arc::clone(&self.key),
            fetch: Arc::clone(&self.fetch),
            default_max_age: self.default_max_age,
        }
    }
}

impl<V> std::fmt::Debug for Claim<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim")
            .field("key", &self.key)
            .field("default_max_age", &self.default_max_age)
            .finish_non_exhaustive()
    }
}

/// What a claim's values must be: JSON both ways, shareable.
pub trait ClaimValue: Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> ClaimValue for T {}

impl<V: ClaimValue> Claim<V> {
    /// A claim kept under `key` in the access token, whose value `fetch` reads for a session's
    /// user (`Ok(None)`: no value, the token is left as it is).
    pub fn new<F, Fut>(key: impl Into<String>, fetch: F) -> Self
    where
        F: Fn(ClaimContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<V>, SessionError>> + Send + 'static,
    {
        Self {
            key: key.into().into(),
            fetch: Arc::new(move |ctx| Box::pin(fetch(ctx))),
            default_max_age: None,
        }
    }

    /// How old (in seconds) a value may be before its validators fetch it again and refuse it
    /// when older; validators can say otherwise with [`ClaimValidator::max_age`]. Default: no
    /// limit.
    #[must_use]
    pub fn default_max_age(mut self, seconds: u64) -> Self {
        self.default_max_age = Some(seconds);
        self
    }

    /// The key in the access-token payload.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value in an access-token payload, if there is one of this claim's type.
    pub fn value_in(&self, payload: &Map<String, Value>) -> Option<V> {
        let value = payload.get(&*self.key)?.get("v")?;
        V::deserialize(value).ok()
    }

    /// The payload entry for `value` set now: `{"<key>": {"v": value, "t": now_ms}}`.
    pub(crate) fn entry(&self, value: &V, now_ms: i64) -> Result<Map<String, Value>, SessionError> {
        let v = serde_json::to_value(value)
            .map_err(|e| SessionError::other(format!("claim {}: {e}", self.key)))?;
        Ok(entry(&self.key, v, now_ms))
    }

    fn erased(&self) -> Arc<dyn AnyClaim> {
        Arc::new(self.clone())
    }

    fn validator(&self, check: Check) -> ClaimValidator {
        ClaimValidator {
            id: self.key.to_string(),
            max_age: self.default_max_age,
            rule: Arc::new(Rule::Claim {
                claim: self.erased(),
                check,
            }),
        }
    }

    /// The value must be `expected`.
    pub fn has_value(&self, expected: impl Into<V>) -> ClaimValidator {
        self.validator(Check::HasValue(json_of(&expected.into())))
    }
}

impl Claim<bool> {
    /// The value must be `true`.
    pub fn is_true(&self) -> ClaimValidator {
        self.has_value(true)
    }

    /// The value must be `false`.
    pub fn is_false(&self) -> ClaimValidator {
        self.has_value(false)
    }
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> Claim<Vec<T>> {
    /// The list must hold `item`.
    pub fn includes(&self, item: impl Into<T>) -> ClaimValidator {
        self.validator(Check::Includes(json_of(&item.into())))
    }

    /// The list must not hold `item`.
    pub fn excludes(&self, item: impl Into<T>) -> ClaimValidator {
        self.validator(Check::Excludes(json_of(&item.into())))
    }

    /// The list must hold every one of `items`.
    pub fn includes_all<I: Into<T>>(&self, items: impl IntoIterator<Item = I>) -> ClaimValidator {
        self.validator(Check::IncludesAll(json_list(items)))
    }

    /// The list must hold at least one of `items`.
    pub fn includes_any<I: Into<T>>(&self, items: impl IntoIterator<Item = I>) -> ClaimValidator {
        self.validator(Check::IncludesAny(json_list(items)))
    }

    /// The list must hold none of `items`.
    pub fn excludes_all<I: Into<T>>(&self, items: impl IntoIterator<Item = I>) -> ClaimValidator {
        self.validator(Check::ExcludesAll(json_list(items)))
    }
}

fn json_of<T: Serialize>(value: &T) -> Value {
    // Values of a claim are what serde makes of them; one that cannot be JSON is no value.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn json_list<T: Serialize, I: Into<T>>(items: impl IntoIterator<Item = I>) -> Vec<Value> {
    items.into_iter().map(|i| json_of(&i.into())).collect()
}

fn entry(key: &str, v: Value, now_ms: i64) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), json!({ "v": v, "t": now_ms }));
    map
}

/// A claim whatever its value type: what validation and session creation need.
pub(crate) trait AnyClaim: Send + Sync {
    fn key(&self) -> &str;
    /// The payload entry with a freshly fetched value, `None` when the fetch gave none.
    fn build(
        &self,
        ctx: ClaimContext,
        now_ms: i64,
    ) -> BoxFuture<'static, Result<Option<Map<String, Value>>, SessionError>>;
}

impl<V: ClaimValue> AnyClaim for Claim<V> {
    fn key(&self) -> &str {
        &self.key
    }

    fn build(
        &self,
        ctx: ClaimContext,
        now_ms: i64,
    ) -> BoxFuture<'static, Result<Option<Map<String, Value>>, SessionError>> {
        let claim = self.clone();
        Box::pin(async move {
            match (claim.fetch)(ctx).await? {
                Some(value) => Ok(Some(claim.entry(&value, now_ms)?)),
                None => Ok(None),
            }
        })
    }
}

/// What a built-in validator checks the value against (JSON, as it travels in the token).
enum Check {
    HasValue(Value),
    Includes(Value),
    Excludes(Value),
    IncludesAll(Vec<Value>),
    IncludesAny(Vec<Value>),
    ExcludesAll(Vec<Value>),
}

type CustomCheck = Box<dyn Fn(&Map<String, Value>) -> Result<(), Value> + Send + Sync>;

/// What a validator checks.
enum Rule {
    /// A claim's value, by a built-in check; fetched again when missing or too old.
    Claim {
        claim: Arc<dyn AnyClaim>,
        check: Check,
    },
    /// The app's own check of the whole payload; fetches nothing.
    Custom(CustomCheck),
}

impl Check {
    /// The reason's fields naming what was expected (the reference SDKs' names, kept for the
    /// frontends that show them).
    fn expected(&self, missing: bool) -> (&'static str, Value) {
        match self {
            Check::HasValue(v) => ("expectedValue", v.clone()),
            Check::Includes(v) => ("expectedToInclude", v.clone()),
            Check::IncludesAll(v) => ("expectedToInclude", Value::Array(v.clone())),
            // The reference SDKs name a missing value's expectation of `includes_any` this way.
            Check::IncludesAny(v) if missing => ("expectedToNotInclude", Value::Array(v.clone())),
            Check::IncludesAny(v) => ("expectedToIncludeAtLeastOneOf", Value::Array(v.clone())),
            Check::Excludes(v) => ("expectedToNotInclude", v.clone()),
            Check::ExcludesAll(v) => ("expectedToNotInclude", Value::Array(v.clone())),
        }
    }

    fn holds(&self, actual: &Value) -> bool {
        let list = actual.as_array().map(Vec::as_slice).unwrap_or_default();
        match self {
            Check::HasValue(v) => actual == v,
            Check::Includes(v) => list.contains(v),
            Check::Excludes(v) => !list.contains(v),
            Check::IncludesAll(vs) => vs.iter().all(|v| list.contains(v)),
            Check::IncludesAny(vs) => vs.iter().any(|v| list.contains(v)),
            Check::ExcludesAll(vs) => vs.iter().all(|v| !list.contains(v)),
        }
    }
}

/// One check of a session's claims: made by a claim's validator methods
/// ([`includes`](Claim::includes), …) or with [`ClaimValidator::custom`]. Cheap to clone.
#[derive(Clone)]
pub struct ClaimValidator {
    id: String,
    max_age: Option<u64>,
    rule: Arc<Rule>,
}

impl std::fmt::Debug for ClaimValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimValidator")
            .field("id", &self.id)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl ClaimValidator {
    /// A check of your own on the whole access-token payload: `Err(reason)` (any JSON) fails
    /// it. It fetches nothing.
    ///
    /// ```
    /// use serde_json::json;
    /// use supertokens::session::claims::ClaimValidator;
    ///
    /// let beta = ClaimValidator::custom("beta", |payload| match payload.get("beta") {
    ///     Some(serde_json::Value::Bool(true)) => Ok(()),
    ///     _ => Err(json!({ "message": "not in the beta" })),
    /// });
    /// # let _ = beta;
    /// ```
    pub fn custom<F>(id: impl Into<String>, check: F) -> Self
    where
        F: Fn(&Map<String, Value>) -> Result<(), Value> + Send + Sync + 'static,
    {
        Self {
            id: id.into(),
            max_age: None,
            rule: Arc::new(Rule::Custom(Box::new(check))),
        }
    }

    /// The id failures are reported under (the claim's key unless set).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reports failures under `id` instead of the claim's key.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// The value may be at most `seconds` old: an older one is fetched again before the check,
    /// and refused if it is still that old.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// The claim this validator reads, unless it is a custom check.
    fn claim(&self) -> Option<&Arc<dyn AnyClaim>> {
        match &*self.rule {
            Rule::Claim { claim, .. } => Some(claim),
            Rule::Custom(_) => None,
        }
    }

    /// Whether the claim must be fetched again before the check: its value is missing or older
    /// than the maximum age.
    fn should_refetch(&self, payload: &Map<String, Value>, now_ms: i64) -> bool {
        let Some(claim) = self.claim() else {
            return false;
        };
        match value_and_time(payload, claim.key()) {
            None => true,
            Some((_, t)) => self.max_age.is_some_and(|max| t < now_ms - max_ms(max)),
        }
    }

    /// `Err(reason)` when the payload fails this check.
    fn validate(&self, payload: &Map<String, Value>, now_ms: i64) -> Result<(), Value> {
        let (claim, check) = match &*self.rule {
            Rule::Claim { claim, check } => (claim, check),
            Rule::Custom(check) => return check(payload),
        };
        let Some((actual, t)) = value_and_time(payload, claim.key()) else {
            return Err(reason("value does not exist", check.expected(true), None));
        };
        if let Some(max) = self.max_age {
            // The reference SDKs report the age in seconds, fractional when it is (JSON has one
            // kind of number: a whole age is written as one).
            let age_ms = now_ms - t;
            let age = if age_ms % 1000 == 0 {
                Value::from(age_ms / 1000)
            } else {
                Value::from(age_ms as f64 / 1000.0)
            };
            if age_ms > max_ms(max) {
                return Err(json!({
                    "message": "expired",
                    "ageInSeconds": age,
                    "maxAgeInSeconds": max,
                }));
            }
        }
        if check.holds(actual) {
            Ok(())
        } else {
            Err(reason("wrong value", check.expected(false), Some(actual)))
        }
    }
}

/// A failure's reason: `{"message", <what was expected>, "actualValue"}` (no `actualValue` when
/// there is none, as the reference SDKs send it).
fn reason(message: &str, (field, expected): (&str, Value), actual: Option<&Value>) -> Value {
    let mut reason = Map::new();
    reason.insert("message".to_owned(), Value::from(message));
    reason.insert(field.to_owned(), expected);
    if let Some(actual) = actual {
        reason.insert("actualValue".to_owned(), actual.clone());
    }
    Value::Object(reason)
}

fn max_ms(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// A claim's value and when it was set, when the payload has both.
fn value_and_time<'a>(payload: &'a Map<String, Value>, key: &str) -> Option<(&'a Value, i64)> {
    let entry = payload.get(key)?.as_object()?;
    let v = entry.get("v").filter(|v| !v.is_null())?;
    let t = entry
        .get("t")
        .and_then(Value::as_f64)
        .map_or(0, |t| t as i64);
    Some((v, t))
}

/// The validators a route checks, from the app-wide ones.
pub(crate) type OverrideValidators =
    Arc<dyn Fn(Vec<ClaimValidator>) -> Vec<ClaimValidator> + Send + Sync>;

/// A route's choice of claim checks (`None`: the app-wide ones), printable.
#[derive(Clone, Default)]
pub(crate) struct RouteValidators(pub(crate) Option<OverrideValidators>);

impl std::fmt::Debug for RouteValidators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "custom" } else { "global" })
    }
}

/// What [`check`] found: the payload update to write (if a claim was fetched again) and the
/// failures.
pub(crate) struct Checked {
    pub(crate) update: Option<Map<String, Value>>,
    pub(crate) failures: Vec<ClaimValidationError>,
}

/// Fetches what the validators need fetched, then validates the resulting payload, as the
/// reference SDKs' `validateClaims` does.
pub(crate) async fn check(
    validators: &[ClaimValidator],
    payload: &Map<String, Value>,
    ctx: &ClaimContext,
    now_ms: i64,
) -> Result<Checked, SessionError> {
    let mut current: Option<Map<String, Value>> = None;
    for validator in validators {
        let seen = current.as_ref().unwrap_or(payload);
        if !validator.should_refetch(seen, now_ms) {
            continue;
        }
        let Some(claim) = validator.claim() else {
            continue;
        };
        let mut fetch_ctx = ctx.clone();
        fetch_ctx.current_payload = Arc::new(seen.clone());
        if let Some(entry) = claim.build(fetch_ctx, now_ms).await? {
            let next = current.get_or_insert_with(|| payload.clone());
            next.extend(entry);
        }
    }
    let seen = current.as_ref().unwrap_or(payload);
    let failures = validators
        .iter()
        .filter_map(|v| {
            v.validate(seen, now_ms)
                .err()
                .map(|reason| ClaimValidationError {
                    id: v.id.clone(),
                    reason,
                })
        })
        .collect();
    Ok(Checked {
        update: current,
        failures,
    })
}

/// The entries of the claims every new session gets, fetched for its user.
pub(crate) async fn build_all(
    claims: &[Arc<dyn AnyClaim>],
    ctx: &ClaimContext,
    now_ms: i64,
) -> Result<Map<String, Value>, SessionError> {
    let mut payload = Map::new();
    for claim in claims {
        if let Some(entry) = claim.build(ctx.clone(), now_ms).await? {
            payload.extend(entry);
        }
    }
    Ok(payload)
}

/// A claim erased to what session creation needs.
pub(crate) fn erase<V: ClaimValue>(claim: &Claim<V>) -> Arc<dyn AnyClaim> {
    claim.erased()
}

#[cfg(test)]
mod tests;
