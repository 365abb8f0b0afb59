//! The argument syntax of both attributes: `key = value`, `key(...)` and bare `key`, read with
//! darling into typed receivers ([`receiver!`]), where a string value may be `env("VAR")` or
//! `env("VAR", default = "…")` ([`StrOrEnv`]).
//!
//! Reading reports every malformed value of an attribute at once (darling's accumulator), each at
//! the offending token, with a message naming the argument and an example; the rule checks run
//! once every value is readable. Unknown and repeated arguments do not stop the reading: they are
//! kept in the receiver's [`Leftovers`] and reported by the checks, beside the rule errors, so a
//! misspelt key and a value that breaks a rule show up together.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitBool, LitInt, LitStr, Meta};

use crate::errors::{Errors, one_of};

/// An argument's value, with the tokens of the whole argument (`key = value`) so that a message
/// about the argument underlines all of it.
pub(crate) struct Arg<T> {
    pub(crate) value: T,
    pub(crate) tokens: TokenStream,
}

/// A kind of argument value: how it is read from `key = value`, `key(...)` or a bare `key`, and
/// what to say, naming `key` and showing `example`, when it is written in another shape.
pub(crate) trait Value: Sized {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self>;
}

/// Reads one field of a receiver (the `with` of every field [`receiver!`] declares).
pub(crate) fn arg<T: Value>(meta: &Meta, example: &str) -> darling::Result<Option<Arg<T>>> {
    let key = meta.path().to_token_stream().to_string();
    let value = T::read(meta, &key, example)?;
    Ok(Some(Arg {
        value,
        tokens: meta.to_token_stream(),
    }))
}

/// A darling error at `node`. It keeps one span, so on stable Rust it underlines the node's first
/// token: callers pass the token at fault (`env` of `env(...)`, the value of `flag = value`).
/// Errors about a whole argument come from the checks, which underline all of it.
pub(crate) fn error_at(node: impl Spanned, message: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(message).with_span(&node.span())
}

/// `key` or `key(...)` where `key = value` is expected.
pub(crate) fn needs_a_value(meta: &Meta, key: &str, example: &str) -> darling::Error {
    error_at(meta, format!("`{key}` needs a value: write `{example}`"))
}

/// The value of `key = value`, or the error for the other shapes.
fn value_of<'a>(meta: &'a Meta, key: &str, example: &str) -> darling::Result<&'a Expr> {
    match meta {
        Meta::NameValue(nv) => Ok(&nv.value),
        _ => Err(needs_a_value(meta, key, example)),
    }
}

fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        _ => None,
    }
}

/// `env(...)`: the call's parts, when `expr` is one.
fn env_call(expr: &Expr) -> Option<&syn::ExprCall> {
    match expr {
        Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("env")) => {
            Some(call)
        }
        _ => None,
    }
}

/// " (`env(...)` is for string values)" when a non-string argument was given `env(...)`.
fn env_note(expr: &Expr) -> &'static str {
    if env_call(expr).is_some() {
        " (`env(...)` is for string values)"
    } else {
        ""
    }
}

/// A string value as written: a literal, or `env("VAR")` / `env("VAR", default = "…")` read at
/// start-up.
#[derive(Clone)]
pub(crate) enum StrOrEnv {
    Lit(LitStr),
    Env {
        var: LitStr,
        default: Option<LitStr>,
    },
}

impl StrOrEnv {
    /// The literal, when the value is known at compile time.
    pub(crate) fn literal(&self) -> Option<&LitStr> {
        match self {
            StrOrEnv::Lit(lit) => Some(lit),
            StrOrEnv::Env { .. } => None,
        }
    }

    /// Whether the value is surely there at start-up (a literal, or `env` with a default).
    pub(crate) fn always_set(&self) -> bool {
        !matches!(self, StrOrEnv::Env { default: None, .. })
    }
}

impl FromMeta for StrOrEnv {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        if let Some(Lit::Str(lit)) = literal(expr) {
            return Ok(StrOrEnv::Lit(lit.clone()));
        }
        match env_call(expr) {
            Some(call) => read_env(call),
            None => Err(darling::Error::unexpected_expr_type(expr).with_span(expr)),
        }
    }
}

impl Value for StrOrEnv {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let expr = value_of(meta, key, example)?;
        if matches!(literal(expr), Some(Lit::Str(_))) || env_call(expr).is_some() {
            return StrOrEnv::from_expr(expr);
        }
        Err(error_at(
            expr,
            format!(
                "`{key}` takes a string: write `{example}`, or `{key} = env(\"VAR\")` to read it at start-up"
            ),
        ))
    }
}

/// `env("VAR")` or `env("VAR", default = "…")`; every mistake in it is reported.
fn read_env(call: &syn::ExprCall) -> darling::Result<StrOrEnv> {
    const FORM: &str = "write `env(\"VAR\")` or `env(\"VAR\", default = \"value\")`";
    let mut args = call.args.iter();
    let var = match args.next() {
        Some(Expr::Lit(ExprLit {
            lit: Lit::Str(var), ..
        })) => var.clone(),
        Some(other) => {
            return Err(error_at(
                other,
                format!("the variable's name in `env(...)` must be a string: {FORM}"),
            ));
        }
        None => {
            return Err(error_at(
                &call.func,
                format!("`env()` needs the name of an environment variable: {FORM}"),
            ));
        }
    };
    let mut errors = darling::Error::accumulator();
    let name = var.value();
    if name.is_empty() || name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
        errors.push(error_at(
            &var,
            "not a valid environment variable name: use letters, digits and `_`, like `\"SUPERTOKENS_API_KEY\"`",
        ));
    }
    let mut default = None;
    for arg in args {
        match arg {
            Expr::Assign(assign) if matches!(&*assign.left, Expr::Path(p) if p.path.is_ident("default")) =>
            {
                if default.is_some() {
                    errors.push(error_at(
                        arg,
                        "`default` is given twice in `env(...)`: keep one of them",
                    ));
                    continue;
                }
                match literal(&assign.right) {
                    Some(Lit::Str(value)) => default = Some(value.clone()),
                    _ => errors.push(error_at(
                        &assign.right,
                        format!("the default in `env(...)` must be a string: {FORM}"),
                    )),
                }
            }
            Expr::Assign(assign) => {
                let hint = match &*assign.left {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .and_then(|i| supertokens_rules::did_you_mean(&i.to_string(), &["default"]))
                        .map(|close| format!("did you mean `{close}`?"))
                        .unwrap_or_else(|| FORM.to_string()),
                    _ => FORM.to_string(),
                };
                errors.push(error_at(
                    &assign.left,
                    format!("`env(...)` has only the `default` setting: {hint}"),
                ));
            }
            other => errors.push(error_at(
                other,
                format!(
                    "`env(...)` takes one variable; a fallback is written `default = \"…\"`: {FORM}"
                ),
            )),
        }
    }
    errors.finish_with(StrOrEnv::Env { var, default })
}

/// A string needed while expanding (such as `crate`): a literal, never `env(...)`.
impl Value for LitStr {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let expr = value_of(meta, key, example)?;
        match literal(expr) {
            Some(Lit::Str(lit)) => Ok(lit.clone()),
            _ if env_call(expr).is_some() => Err(error_at(
                expr,
                format!(
                    "`{key}` is needed while compiling, so it cannot come from the environment: write `{example}`"
                ),
            )),
            _ => Err(error_at(
                expr,
                format!("`{key}` takes a string: write `{example}`"),
            )),
        }
    }
}

impl Value for LitBool {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let expr = value_of(meta, key, example)?;
        match literal(expr) {
            Some(Lit::Bool(b)) => Ok(b.clone()),
            _ => Err(error_at(
                expr,
                format!(
                    "`{key}` takes `true` or `false`: write `{example}`{}",
                    env_note(expr)
                ),
            )),
        }
    }
}

/// A whole number from 0 to `MAX`, as written.
pub(crate) struct Int<const MAX: u64> {
    pub(crate) lit: LitInt,
    pub(crate) value: u64,
}

impl<const MAX: u64> Value for Int<MAX> {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let expr = value_of(meta, key, example)?;
        let Some(Lit::Int(lit)) = literal(expr) else {
            return Err(error_at(
                expr,
                format!(
                    "`{key}` takes a number: write `{example}`{}",
                    env_note(expr)
                ),
            ));
        };
        match lit.base10_parse::<u64>() {
            Ok(value) if value <= MAX => Ok(Int {
                lit: lit.clone(),
                value,
            }),
            _ => Err(error_at(
                lit,
                format!("`{key}` must be a whole number from 0 to {MAX}: write `{example}`"),
            )),
        }
    }
}

/// The path of an item, like `configure = my_app::configure`.
pub(crate) struct FnPath(pub(crate) syn::Path);

/// A type given by its path, like `state = AppState`.
pub(crate) struct TypePath(pub(crate) syn::Path);

/// A plain path (no `<T as Trait>::`, no attributes) for `key = path`; `what` names what it is
/// ("the path of a function", "a type") in the message for anything else.
fn read_path(meta: &Meta, key: &str, example: &str, what: &str) -> darling::Result<syn::Path> {
    let expr = value_of(meta, key, example)?;
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => Ok(p.path.clone()),
        _ => {
            let not_literal = if literal(expr).is_some() {
                ", not a literal"
            } else {
                ""
            };
            Err(error_at(
                expr,
                format!("`{key}` takes {what}{not_literal}: write `{example}`"),
            ))
        }
    }
}

impl Value for FnPath {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        read_path(meta, key, example, "the path of a function").map(FnPath)
    }
}

impl Value for TypePath {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        read_path(meta, key, example, "a type").map(TypePath)
    }
}

/// A bare word, like `optional`.
pub(crate) struct Flag;

impl Value for Flag {
    fn read(meta: &Meta, key: &str, _example: &str) -> darling::Result<Self> {
        let message = format!("`{key}` takes no value: write `{key}` alone");
        match meta {
            Meta::Path(_) => Ok(Flag),
            Meta::NameValue(nv) => Err(error_at(&nv.value, message)),
            Meta::List(list) => Err(error_at(list.delimiter.span().join(), message)),
        }
    }
}

/// Arguments a receiver has no field for, and repeated ones: kept for the checks, which report
/// them beside the rule errors.
#[derive(Default)]
pub(crate) struct Leftovers {
    unknown: Vec<NestedMeta>,
    repeated: Vec<NestedMeta>,
}

impl Leftovers {
    pub(crate) fn is_empty(&self) -> bool {
        self.unknown.is_empty() && self.repeated.is_empty()
    }
}

/// Collects every argument darling did not match to a field (`#[darling(flatten)]`).
impl FromMeta for Leftovers {
    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        Ok(Leftovers {
            unknown: items.to_vec(),
            repeated: Vec::new(),
        })
    }
}

/// A typed argument list: a struct declared with [`receiver!`].
pub(crate) trait Receiver: FromMeta + Default {
    /// How messages name the list: "`#[supertokens::app]`", "`session(...)`".
    const CONTEXT: &'static str;
    /// Every argument's name, for "did you mean".
    const KEYS: &'static [&'static str];

    fn leftovers(&self) -> &Leftovers;
    fn leftovers_mut(&mut self) -> &mut Leftovers;

    /// Whether a misspelt argument was probably meant as `key` (so a missing `key` is not
    /// reported as well).
    fn suggests(&self, key: &str) -> bool {
        self.leftovers()
            .unknown
            .iter()
            .filter_map(name)
            .any(|name| supertokens_rules::did_you_mean(&name, Self::KEYS) == Some(key))
    }

    /// Reports the unknown and repeated arguments.
    fn report_leftovers(&self, errors: &mut Errors) {
        let context = Self::CONTEXT;
        let leftovers = self.leftovers();
        for item in &leftovers.unknown {
            let Some(path) = path(item) else {
                errors.at(
                    item,
                    format!("expected {context} argument such as `key = value`"),
                );
                continue;
            };
            let Some(key) = path.get_ident() else {
                errors.at(
                    path,
                    format!("expected the name of {context} argument, not a path"),
                );
                continue;
            };
            let name = key.to_string();
            let hint = match supertokens_rules::did_you_mean(&name, Self::KEYS) {
                Some(close) => format!("did you mean `{close}`?"),
                None if Self::KEYS.is_empty() => format!("{context} takes no arguments"),
                None => format!("expected one of {}", one_of(Self::KEYS)),
            };
            errors.at(key, format!("unknown {context} argument `{name}`: {hint}"));
        }
        for item in &leftovers.repeated {
            let name = name(item).unwrap_or_default();
            errors.at(
                item,
                format!("`{name}` is given twice in {context}: keep one of them"),
            );
        }
    }
}

/// The argument's key, for a `key`, `key = value` or `key(...)` item.
fn path(item: &NestedMeta) -> Option<&syn::Path> {
    match item {
        NestedMeta::Meta(meta) => Some(meta.path()),
        NestedMeta::NameValueInvalidExpr(nv) => Some(&nv.path),
        NestedMeta::Lit(_) => None,
    }
}

fn name(item: &NestedMeta) -> Option<String> {
    path(item).map(|path| path.to_token_stream().to_string())
}

/// Reads `items` into `T`: a repeated argument is kept aside (the first one counts), the rest
/// goes through darling.
pub(crate) fn read_items<T: Receiver>(items: Vec<NestedMeta>) -> darling::Result<T> {
    let mut seen = Vec::new();
    let mut kept = Vec::new();
    let mut repeated = Vec::new();
    for item in items {
        match name(&item) {
            Some(name) if seen.contains(&name) => repeated.push(item),
            Some(name) => {
                seen.push(name);
                kept.push(item);
            }
            None => kept.push(item),
        }
    }
    let mut receiver = T::from_list(&kept)?;
    receiver.leftovers_mut().repeated = repeated;
    Ok(receiver)
}

/// Reads an argument list (an attribute's arguments, or the inside of `key(...)`) into `T`.
pub(crate) fn read_list<T: Receiver>(tokens: TokenStream) -> darling::Result<T> {
    read_items(NestedMeta::parse_meta_list(tokens)?)
}

/// A list of settings, `key(...)`; the bare `key` is the empty list.
impl<T: Receiver> Value for T {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        match meta {
            Meta::List(list) => read_list(list.tokens.clone()),
            Meta::Path(_) => Ok(T::default()),
            Meta::NameValue(nv) => Err(error_at(
                &nv.value,
                format!("`{key}` is a list of settings: write `{example}`"),
            )),
        }
    }
}

/// Declares a receiver: a struct deriving darling's `FromMeta` whose fields are the optional
/// arguments, each read by the [`Value`] impl of its type, with an example of it for messages.
/// Arguments without a field land in `leftovers`.
///
/// ```text
/// receiver! {
///     /// Settings of the session recipe.
///     pub(crate) struct SessionArgs in "`session(...)`" {
///         cookie_secure: LitBool = "cookie_secure = true",
///     }
/// }
/// ```
macro_rules! receiver {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident in $context:literal {
            $(
                $(#[doc = $doc:literal])*
                $field:ident $(as $key:literal)?: $ty:ty = $example:expr,
            )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Default, darling::FromMeta)]
        $vis struct $name {
            $(
                $(#[doc = $doc])*
                #[darling(default, $(rename = $key,)? with = |meta| $crate::args::arg(meta, $example))]
                pub(crate) $field: Option<$crate::args::Arg<$ty>>,
            )*
            #[darling(flatten)]
            leftovers: $crate::args::Leftovers,
        }

        impl $crate::args::Receiver for $name {
            const CONTEXT: &'static str = $context;
            const KEYS: &'static [&'static str] = &[$(receiver!(@key $field $($key)?)),*];

            fn leftovers(&self) -> &$crate::args::Leftovers {
                &self.leftovers
            }

            fn leftovers_mut(&mut self) -> &mut $crate::args::Leftovers {
                &mut self.leftovers
            }
        }
    };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident $key:literal) => { $key };
}
pub(crate) use receiver;

/// A list of names written out, like `roles = ["admin", "editor"]`: string literals only, so the
/// compiler sees every name; none empty, none padded with spaces, none twice.
pub(crate) struct Names(pub(crate) Vec<LitStr>);

impl Value for Names {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let noun = match key {
            "permissions" => "permission",
            _ => "role",
        };
        let expr = value_of(meta, key, example)?;
        let Expr::Array(list) = expr else {
            let hint = match literal(expr) {
                Some(Lit::Str(lit)) => {
                    format!("put it in brackets: `{key} = [\"{}\"]`", lit.value())
                }
                _ => format!("write `{example}`"),
            };
            return Err(error_at(
                expr,
                format!("`{key}` takes a list of {noun} names: {hint}"),
            ));
        };
        if list.elems.is_empty() {
            return Err(error_at(
                expr,
                format!(
                    "an empty `{key}` list checks nothing: name at least one {noun}, like \
                     `{example}`, or remove `{key}`"
                ),
            ));
        }
        let mut errors = darling::Error::accumulator();
        let mut names: Vec<LitStr> = Vec::new();
        for item in &list.elems {
            let Some(Lit::Str(lit)) = literal(item) else {
                errors.push(error_at(
                    item,
                    format!(
                        "each {noun} in `{key}` is a string literal, so that a misspelt name \
                         shows here: write `{example}`"
                    ),
                ));
                continue;
            };
            let name = lit.value();
            let trimmed = name.trim();
            if trimmed.is_empty() {
                errors.push(error_at(
                    lit,
                    format!(
                        "an empty {noun} name in `{key}`: write the {noun}, or remove the entry"
                    ),
                ));
            } else if trimmed != name {
                errors.push(error_at(
                    lit,
                    format!(
                        "remove the spaces around `{trimmed}`: {noun}s are compared exactly, so \
                         `\"{name}\"` is not `\"{trimmed}\"`"
                    ),
                ));
            } else if names.iter().any(|seen| seen.value() == name) {
                errors.push(error_at(
                    lit,
                    format!("`\"{name}\"` is listed twice in `{key}`: remove one"),
                ));
            } else {
                names.push(lit.clone());
            }
        }
        errors.finish_with(Names(names))
    }
}
