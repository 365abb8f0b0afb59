//! `#[protected]`: an axum handler that runs only with a verified session.
//!
//! The handler is rewritten so that its first extractor is `__private::Verified` (or
//! `MaybeVerified` for `optional`), which verifies the session before anything else runs and
//! rejects the request as SuperTokens does. The user's function is kept unchanged inside, and
//! the response carries the session's changes (a refreshed access token, say) in front of the
//! user's response.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, ReturnType, Type};

use crate::args::{Arg, Flag, FnPath, Names, Receiver, TypePath, Value, read_list, receiver};
use crate::errors::Errors;

receiver! {
    /// The options of `#[protected(...)]`.
    pub(crate) struct Options in "`#[protected]`" {
        optional: Flag = "optional",
        check_database: Flag = "check_database",
        anti_csrf: AntiCsrfCheck = "anti_csrf = \"check\"",
        roles: Names = "roles = [\"admin\"]",
        any_role: Names = "any_role = [\"admin\", \"editor\"]",
        permissions: Names = "permissions = [\"orders:read\"]",
        claims: FnPath = "claims = my_app::require_beta",
        state: TypePath = "state = AppState",
        krate as "crate": syn::LitStr = "crate = \"my_reexport::supertokens\"",
    }
}

/// `anti_csrf = "check"` (on every method) or `"skip"` (never).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum AntiCsrfCheck {
    Check,
    Skip,
}

impl Value for AntiCsrfCheck {
    fn read(meta: &syn::Meta, key: &str, example: &str) -> darling::Result<Self> {
        const VALUES: &[&str] = &["check", "skip"];
        let lit = syn::LitStr::read(meta, key, example)?;
        match lit.value().as_str() {
            "check" => Ok(AntiCsrfCheck::Check),
            "skip" => Ok(AntiCsrfCheck::Skip),
            other => {
                let hint = match supertokens_rules::did_you_mean(other, VALUES) {
                    Some(close) => format!("did you mean `\"{close}\"`?"),
                    None => {
                        "leave it out for SuperTokens' default (checked on every method but GET)"
                            .into()
                    }
                };
                Err(darling::Error::custom(format!(
                    "`{key}` is `\"check\"` (always) or `\"skip\"` (never): {hint}"
                ))
                .with_span(&lit))
            }
        }
    }
}

/// How the handler takes the session.
#[derive(Clone, Copy, PartialEq)]
enum Taking {
    Required,
    Optional,
}

struct SessionParam {
    index: usize,
    taking: Taking,
}

/// Expands `#[protected(args)]` on `item`; on error, the item comes back unchanged with every
/// error beside it.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = match read_list::<Options>(args) {
        Ok(options) => {
            options.report_leftovers(&mut errors);
            Some(options)
        }
        Err(error) => {
            errors.push(error.into());
            None
        }
    };
    let root = match options.as_ref().and_then(|o| o.krate.as_ref()) {
        Some(krate) => match krate.value.parse::<syn::Path>() {
            Ok(path) => path.into_token_stream(),
            Err(_) => {
                errors.at(
                    &krate.value,
                    "`crate` must be a path such as `\"my_reexport::supertokens\"`",
                );
                quote!(::supertokens)
            }
        },
        None => quote!(::supertokens),
    };
    let handler = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(handler) => Some(handler),
        Err(_) => {
            errors.at_span(
                Span::call_site(),
                "`#[protected]` goes on an async axum handler: \
                 `#[protected] async fn handler(session: SessionContainer) -> … { … }`",
            );
            None
        }
    };
    // Options that could not all be read leave `optional` unknown: the checks that depend on it
    // say nothing then.
    let read = options.as_ref().filter(|o| o.leftovers().is_empty());
    let session = handler.as_ref().and_then(|h| check(h, read, &mut errors));
    match (handler, session, options) {
        (Some(handler), Some(session), Some(options)) if errors.is_empty() => {
            generate(&root, &options, handler, session)
        }
        _ => {
            let errors = errors.into_compile_errors();
            quote!(#item #errors)
        }
    }
}

/// Checks the handler's signature against the options; `Some(session parameter)` when it can be
/// rewritten.
fn check(
    handler: &ItemFn,
    options: Option<&Options>,
    errors: &mut Errors,
) -> Option<Option<SessionParam>> {
    let sig = &handler.sig;
    let before = errors.is_empty();
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token,
            format!(
                "a `#[protected]` handler must be async: write `async fn {}(...)`",
                sig.ident
            ),
        );
    }
    let optional = options.is_some_and(|o| o.optional.is_some());
    let mut session: Option<SessionParam> = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(arg) = input else {
            errors.at(
                input,
                "a `#[protected]` handler is a free function: remove `self`",
            );
            continue;
        };
        let taking = match classify(&arg.ty) {
            Class::Other => continue,
            Class::Borrowed(ty) => {
                errors.at(
                    ty,
                    "take the session by value: write `SessionContainer` without `&` (it is cheap to clone)",
                );
                continue;
            }
            Class::Session => Taking::Required,
            Class::MaybeSession => Taking::Optional,
        };
        if session.is_some() {
            errors.at(
                arg,
                "a handler receives the session once: remove this second session parameter",
            );
            continue;
        }
        // An option that could not be read leaves `optional` unknown: say nothing about it.
        match (optional, taking) {
            _ if options.is_none() => {}
            (true, Taking::Required) => errors.at(
                &arg.ty,
                "with `#[protected(optional)]` a request may come without a session: \
                 write `Option<SessionContainer>`, or remove `optional`",
            ),
            (false, Taking::Optional) => errors.at(
                &arg.ty,
                "`Option<SessionContainer>` needs `#[protected(optional)]`; without it every \
                 request has a session: write `SessionContainer`, or add `optional`",
            ),
            _ => {}
        }
        session = Some(SessionParam { index, taking });
    }
    if let Some(flag) = options.and_then(|o| o.optional.as_ref())
        && session.is_none()
    {
        errors.at(
            &flag.tokens,
            "`optional` lets the handler see whether a session came: add a parameter \
             `session: Option<SessionContainer>`, or remove `optional`",
        );
    }
    (before && errors.is_empty()).then_some(session)
}

enum Class<'a> {
    Other,
    Session,
    MaybeSession,
    Borrowed(&'a Type),
}

/// Whether a parameter type is the session: `SessionContainer`, `Option<SessionContainer>`, or
/// a borrowed form of either (a mistake).
fn classify(ty: &Type) -> Class<'_> {
    match ty {
        Type::Reference(r) if is_session(&r.elem) => Class::Borrowed(ty),
        Type::Paren(p) => classify(&p.elem),
        Type::Group(g) => classify(&g.elem),
        _ if is_session(ty) => Class::Session,
        _ => match option_of(ty) {
            Some(inner) if is_session(inner) => Class::MaybeSession,
            Some(Type::Reference(r)) if is_session(&r.elem) => Class::Borrowed(ty),
            _ => Class::Other,
        },
    }
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn is_session(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "SessionContainer" && s.arguments.is_none())
}

/// `T` of `Option<T>`.
fn option_of(ty: &Type) -> Option<&Type> {
    single_type_argument(ty, "Option")
}

fn single_type_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let segment = last_segment(ty)?;
    if segment.ident != name {
        return None;
    }
    match &segment.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn generate(
    root: &TokenStream,
    options: &Options,
    handler: ItemFn,
    session: Option<SessionParam>,
) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = handler;
    let name = &sig.ident;
    let check_database = options.check_database.is_some();
    let anti_csrf = match options.anti_csrf.as_ref().map(|a| a.value) {
        Some(AntiCsrfCheck::Check) => quote!(ANTI_CSRF_CHECK),
        Some(AntiCsrfCheck::Skip) => quote!(ANTI_CSRF_SKIP),
        None => quote!(ANTI_CSRF_DEFAULT),
    };
    let (claim_items, claims_type) = match route_claims(root, options, &vis, name) {
        Some((items, ty)) => (items, quote!(, #ty)),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let (extractor, binding) = match session.as_ref().map(|s| s.taking) {
        Some(Taking::Optional) => (
            quote!(MaybeVerified),
            quote!(session: __supertokens_session,),
        ),
        Some(Taking::Required) => (quote!(Verified), quote!(session: __supertokens_session,)),
        None => (quote!(Verified), quote!()),
    };

    // Every other parameter is passed through under a fresh name; the user's patterns stay on
    // the inner function.
    let mut params = Vec::new();
    let mut call_args = Vec::new();
    let mut extractors = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(arg) = input else { continue };
        if session.as_ref().is_some_and(|s| s.index == index) {
            call_args.push(quote!(__supertokens_session));
            continue;
        }
        let ident = format_ident!("__supertokens_arg{}", index);
        let ty = &arg.ty;
        params.push(quote!(#ident: #ty));
        call_args.push(ident.to_token_stream());
        extractors.push(ty.clone());
    }

    // Extractor checks at each parameter's type, so a type that is not an extractor is reported
    // on that parameter rather than at the route.
    let state = match &options.state {
        Some(Arg {
            value: TypePath(path),
            ..
        }) => path.to_token_stream(),
        None => state_of(&extractors).unwrap_or_else(|| quote!(())),
    };
    let count = extractors.len();
    let checks = extractors.iter().enumerate().map(|(i, ty)| {
        if i + 1 == count {
            quote_spanned!(ty.span()=> #root::__private::check_last_extractor::<#ty, #state, _>();)
        } else {
            quote_spanned!(ty.span()=> #root::__private::check_extractor::<#ty, #state>();)
        }
    });

    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    let inner_sig = &sig;
    // The response: the user's type after the session's changes. A nameable type is written out
    // (and checked at the user's return type, so "not a response" is reported there); an
    // `impl Trait` one stays opaque.
    let changes = quote!(#root::__private::ResponseChanges);
    let (response_type, response_check) = match &sig.output {
        ReturnType::Type(_, ty) if !mentions_impl(ty.to_token_stream()) => (
            quote!((#changes, #ty)),
            quote_spanned!(ty.span()=> #root::__private::check_response::<#ty>();),
        ),
        ReturnType::Type(_, ty) => (
            quote_spanned!(ty.span()=> impl #root::__private::axum::response::IntoResponse),
            quote!(),
        ),
        ReturnType::Default => (quote!((#changes, ())), quote!()),
    };
    let response = quote!((__supertokens_changes, #name(#(#call_args),*).await));
    let send_check = send_check(root, inner_sig);
    // Attributes that describe the item (docs, `cfg`, lint levels) stay on the handler; the
    // others (`#[tracing::instrument]`, say) go on the user's function, whose parameters are
    // the user's.
    let (outer_attrs, inner_attrs): (Vec<_>, Vec<_>) =
        attrs.into_iter().partition(describes_the_item);
    quote! {
        #claim_items
        #(#outer_attrs)*
        #vis async fn #name #generics(
            #root::__private::#extractor { #binding changes: __supertokens_changes, .. }: #root::__private::#extractor<#check_database, { #root::__private::#anti_csrf } #claims_type>,
            #(#params),*
        ) -> #response_type #where_clause {
            #(#checks)*
            #response_check
            #send_check
            #(#inner_attrs)*
            #inner_sig #block
            #response
        }
    }
}

/// The route's own claim checks (`roles`, `any_role`, `permissions`, `claims`): a type of the
/// handler's implementing `RouteClaims`, with its items, or `None` when the route has none.
fn route_claims(
    root: &TokenStream,
    options: &Options,
    vis: &syn::Visibility,
    name: &syn::Ident,
) -> Option<(TokenStream, TokenStream)> {
    let role_args = [&options.roles, &options.any_role, &options.permissions];
    let needs_roles = role_args.iter().any(|a| a.is_some());
    if !needs_roles && options.claims.is_none() {
        return None;
    }
    let ty = format_ident!("__supertokens_claims_{}", name);
    let claims = quote!(#root::session::claims::ClaimValidator);
    let start = match &options.claims {
        // The binding's type, at the user's path, makes a function of another shape an error
        // there.
        Some(Arg {
            value: FnPath(path),
            ..
        }) => {
            let own = quote_spanned!(path.span()=>
                let __supertokens_own: fn(::std::vec::Vec<#claims>) -> ::std::vec::Vec<#claims> = #path;
            );
            quote!(#own let mut checks = __supertokens_own(globals);)
        }
        None => quote!(let mut checks = globals;),
    };
    let list = |arg: &Option<Arg<Names>>, claim: TokenStream, one: &str, all: &str| {
        let names = &arg.as_ref()?.value.0;
        let (one, all) = (format_ident!("{one}"), format_ident!("{all}"));
        Some(match names.as_slice() {
            [single] => quote!(checks.push(#claim.#one(#single));),
            _ => quote!(checks.push(#claim.#all([#(#names),*]));),
        })
    };
    let role = quote!(#root::user_roles::UserRoleClaim);
    let permission = quote!(#root::user_roles::PermissionClaim);
    let pushes = [
        list(&options.roles, role.clone(), "includes", "includes_all"),
        list(&options.any_role, role, "includes_any", "includes_any"),
        list(&options.permissions, permission, "includes", "includes_all"),
    ];
    // In a binary the app is in the same crate (its `main`): a role check it cannot serve is
    // a compile error here. Elsewhere the route says so when it is called.
    let compile_time_check = role_args
        .iter()
        .find_map(|a| a.as_ref())
        .filter(|_| std::env::var_os("CARGO_BIN_NAME").is_some())
        .map(|arg| {
            let span = arg
                .tokens
                .clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |t| t.span());
            quote_spanned!(span=>
                const _: () = #root::__private::requires_user_roles::<crate::__supertokens_app>();
            )
        });
    let doc = format!("The claim checks of `{name}`.");
    let items = quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #ty;

        impl #root::__private::RouteClaims for #ty {
            const NEEDS_USER_ROLES: bool = #needs_roles;

            fn validators(globals: ::std::vec::Vec<#claims>) -> ::std::vec::Vec<#claims> {
                #start
                #(#pushes)*
                checks
            }
        }

        #compile_time_check
    };
    Some((items, ty.into_token_stream()))
}

/// Whether an attribute of the handler describes the item rather than changes the function:
/// it then stays on the generated handler instead of moving to the user's function.
fn describes_the_item(attr: &syn::Attribute) -> bool {
    const ITEM: &[&str] = &[
        "doc",
        "cfg",
        "cfg_attr",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "deprecated",
        "must_use",
    ];
    ITEM.iter().any(|name| attr.path().is_ident(name))
}

/// A function that never runs and compiles only when the handler's future is `Send` (axum needs
/// it to be): a handler holding an `Rc` across an `.await` is reported at its name, saying what
/// to do, rather than as an unsatisfied `Handler` bound at `.route()`. The second call gives
/// the compiler's own account of which value is held across which `.await`. A generic handler
/// cannot be called here without its types, so it is not checked.
fn send_check(root: &TokenStream, sig: &syn::Signature) -> TokenStream {
    let generic = !sig.generics.params.is_empty()
        || sig
            .inputs
            .iter()
            .any(|input| mentions_impl(input.to_token_stream()));
    if generic {
        return TokenStream::new();
    }
    let name = &sig.ident;
    // The compiler reports one problem once per place: the detail goes at `fn`.
    let call_at = |span: Span| {
        let args = sig.inputs.iter().map(|_| quote_spanned!(span=> panic!()));
        quote_spanned!(span=> #name(#(#args),*))
    };
    let (future, detail) = (call_at(name.span()), call_at(sig.fn_token.span));
    quote_spanned! {name.span()=>
        #[allow(warnings, clippy::all)]
        fn __supertokens_check_send() {
            #root::__private::check_send(#future);
            #root::__private::check_send_detail(#detail);
        }
    }
}

/// Whether a type contains `impl Trait` (and so cannot be named again).
fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}

/// `T` of a `State<T>` parameter: the router state the other extractors are checked against.
fn state_of(types: &[Box<Type>]) -> Option<TokenStream> {
    types
        .iter()
        .find_map(|ty| single_type_argument(ty, "State"))
        .map(ToTokens::to_token_stream)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    // The handler of `examples/examples/quickstart.rs`.
    snapshot!(
        quickstart_session_info,
        (),
        async fn session_info(session: SessionContainer) -> Json<Value> {
            Json(json!({
                "userId": session.user_id(),
                "sessionHandle": session.handle(),
                "accessTokenPayload": session.access_token_payload(),
            }))
        }
    );

    snapshot!(
        required_session,
        (),
        async fn like_comment(session: SessionContainer) -> String {
            session.user_id().to_string()
        }
    );

    snapshot!(
        optional_session,
        (optional),
        async fn greeting(session: Option<SessionContainer>) -> String {
            match session {
                Some(session) => format!("hello {}", session.user_id()),
                None => "hello, stranger".to_string(),
            }
        }
    );

    snapshot!(
        without_session_parameter,
        (check_database, anti_csrf = "check"),
        async fn ping() -> &'static str {
            "pong"
        }
    );

    snapshot!(
        with_state_and_body,
        (),
        pub async fn update(
            State(db): State<Db>,
            mut session: SessionContainer,
            Json(body): Json<Update>,
        ) -> Result<Json<Reply>, AppError> {
            let reply = db.update(session.user_id(), body).await?;
            Ok(Json(reply))
        }
    );

    // Docs and lint levels stay on the handler; other attributes go on the user's function.
    snapshot!(
        other_attributes,
        (),
        /// Likes a comment.
        #[allow(clippy::unused_async)]
        #[tracing::instrument(skip(session))]
        async fn like_comment(session: SessionContainer, Path(id): Path<u64>) -> String {
            format!("{} likes {id}", session.user_id())
        }
    );

    // A generic handler cannot be called without its types: no `Send` check.
    snapshot!(
        generic_handler,
        (),
        async fn echo<T: Send>(session: SessionContainer, body: Json<T>) -> String {
            session.user_id().to_string()
        }
    );

    // Role checks: one role is `includes`, several are `includes_all`.
    snapshot!(
        roles,
        (roles = ["admin"]),
        async fn admin(session: SessionContainer) -> String {
            session.user_id().to_string()
        }
    );

    snapshot!(
        any_role_and_permissions,
        (
            any_role = ["admin", "editor"],
            permissions = ["orders:read", "orders:write"]
        ),
        async fn orders(session: SessionContainer) -> String {
            session.user_id().to_string()
        }
    );

    // A function of the app's own makes the checks from the app-wide ones.
    snapshot!(
        claims_path,
        (optional, claims = my_app::require_beta),
        pub async fn beta(session: Option<SessionContainer>) -> &'static str {
            "beta"
        }
    );

    #[test]
    fn errors_come_with_the_item() {
        let out = super::expand(
            quote!(optinal),
            quote!(
                fn handler() {}
            ),
        );
        let text = out.to_string();
        assert!(text.contains("fn handler"), "{text}");
        assert!(text.contains("did you mean `optional`?"), "{text}");
        assert!(text.contains("must be async"), "{text}");
    }
}
