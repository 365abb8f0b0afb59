//! The argument syntax of both attributes, read against a schema: `key = value`, `key(...)` and
//! bare `key`, where a string value may be `env("VAR")` or `env("VAR", default = "…")`.
//!
//! Reading never stops at the first problem: an unknown or repeated key, or a value of the wrong
//! shape, is recorded and the rest is still read, so every mistake is reported in one compile.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitBool, LitInt, LitStr, Meta, Token};

use crate::errors::{Errors, did_you_mean, one_of};

/// What a key accepts.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A string literal, or `env(...)`.
    Str,
    /// A string literal only (names the macro needs while expanding, like `crate`).
    LitStr,
    /// `true` or `false`.
    Bool,
    /// An integer literal up to the given maximum.
    Int(u64),
    /// A path to an item, like `configure = my_app::configure`.
    Path,
    /// A type, like `state = AppState`.
    Type,
    /// A bare word, like `optional`.
    Flag,
    /// A nested list, `key(...)`, or the bare `key` for an empty one.
    Section(&'static [Field]),
    /// A service: one of the given `name(...)` forms or `console`.
    Service(&'static [(&'static str, &'static [Field])]),
}

/// One key of a schema.
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    /// An example of the key with a value, for messages (`app_name = "My app"`).
    pub(crate) example: &'static str,
}

/// A string value as written.
#[derive(Clone)]
pub(crate) enum Str {
    Lit(LitStr),
    Env {
        var: LitStr,
        default: Option<LitStr>,
    },
}

impl Str {
    /// The literal, when the value is known at compile time.
    pub(crate) fn literal(&self) -> Option<&LitStr> {
        match self {
            Str::Lit(lit) => Some(lit),
            Str::Env { .. } => None,
        }
    }
}

/// A value read against its [`Kind`].
pub(crate) enum Value {
    Str(Str),
    Bool(LitBool),
    Int(LitInt, u64),
    Path(syn::Path),
    Flag,
    Section(Section),
    /// `console` (no settings) or `name(...)`.
    Service(Ident, Option<Section>),
}

/// One key with its value.
pub(crate) struct Entry {
    pub(crate) key: Ident,
    pub(crate) value: Value,
    /// The whole argument (`key = value`), for messages about it.
    pub(crate) tokens: TokenStream,
}

/// The entries of one attribute or nested list, each key at most once.
pub(crate) struct Section {
    /// The whole list (`passwordless(...)`), for messages about something missing from it.
    pub(crate) tokens: TokenStream,
    pub(crate) entries: Vec<Entry>,
    /// Keys that were written but could not be read (an error is reported for each): they
    /// count as present, so no "missing" error piles on top.
    pub(crate) unreadable: Vec<String>,
    /// Known names suggested for unknown arguments ("did you mean `x`?"): a missing `x` is then
    /// not reported again.
    pub(crate) suggested: Vec<String>,
    /// Whether some argument was unknown or unreadable.
    pub(crate) had_errors: bool,
}

impl Section {
    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == name)
    }

    pub(crate) fn str(&self, name: &str) -> Option<&Str> {
        match self.get(name).map(|e| &e.value) {
            Some(Value::Str(value)) => Some(value),
            _ => None,
        }
    }

    /// The literal value of a string key, when it is a literal.
    pub(crate) fn lit(&self, name: &str) -> Option<&LitStr> {
        self.str(name).and_then(Str::literal)
    }

    pub(crate) fn bool(&self, name: &str) -> Option<&LitBool> {
        match self.get(name).map(|e| &e.value) {
            Some(Value::Bool(value)) => Some(value),
            _ => None,
        }
    }

    pub(crate) fn int(&self, name: &str) -> Option<(&LitInt, u64)> {
        match self.get(name).map(|e| &e.value) {
            Some(Value::Int(lit, value)) => Some((lit, *value)),
            _ => None,
        }
    }

    pub(crate) fn section(&self, name: &str) -> Option<&Section> {
        match self.get(name).map(|e| &e.value) {
            Some(Value::Section(section)) => Some(section),
            _ => None,
        }
    }

    pub(crate) fn service(&self, name: &str) -> Option<(&Ident, Option<&Section>)> {
        match self.get(name).map(|e| &e.value) {
            Some(Value::Service(kind, settings)) => Some((kind, settings.as_ref())),
            _ => None,
        }
    }

    /// Whether `name` was written (even with a value that could not be read).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some() || self.unreadable.iter().any(|k| k == name)
    }

    /// Whether `name` was written, or is the likely intent of a misspelt argument.
    pub(crate) fn mentioned(&self, name: &str) -> bool {
        self.has(name) || self.suggested.iter().any(|k| k == name)
    }

    fn empty(tokens: TokenStream) -> Section {
        Section {
            tokens,
            entries: Vec::new(),
            unreadable: Vec::new(),
            suggested: Vec::new(),
            had_errors: false,
        }
    }
}

/// One argument before it is checked against a schema.
enum Raw {
    Flag,
    List(TokenStream),
    Value(Expr),
}

/// Reads `key = value, key(...), key` from `tokens` against `schema`. `tokens` of the whole list
/// (for "missing" messages) is `whole`.
pub(crate) fn parse_section(
    tokens: TokenStream,
    whole: TokenStream,
    schema: &'static [Field],
    context: &str,
    errors: &mut Errors,
) -> Section {
    let parser = Punctuated::<Meta, Token![,]>::parse_terminated;
    let metas = match syn::parse::Parser::parse2(parser, tokens) {
        Ok(metas) => metas,
        Err(error) => {
            errors.push(error);
            let mut section = Section::empty(whole);
            section.had_errors = true;
            return section;
        }
    };
    let raw = metas.into_iter().filter_map(|meta| {
        let tokens = meta.to_token_stream();
        let (path, raw) = match meta {
            Meta::Path(path) => (path, Raw::Flag),
            Meta::List(list) => (list.path, Raw::List(list.tokens)),
            Meta::NameValue(nv) => (nv.path, Raw::Value(nv.value)),
        };
        match path.get_ident() {
            Some(key) => Some((key.clone(), raw, tokens)),
            None => {
                errors.at(
                    &path,
                    format!("expected the name of {context} argument, not a path"),
                );
                None
            }
        }
    });
    let raw: Vec<_> = raw.collect();
    read_entries(raw, whole, schema, context, errors)
}

fn read_entries(
    raw: Vec<(Ident, Raw, TokenStream)>,
    whole: TokenStream,
    schema: &'static [Field],
    context: &str,
    errors: &mut Errors,
) -> Section {
    let mut section = Section::empty(whole);
    for (key, raw, tokens) in raw {
        let name = key.to_string();
        let Some(field) = schema.iter().find(|f| f.name == name) else {
            let names: Vec<&str> = schema.iter().map(|f| f.name).collect();
            let hint = match did_you_mean(&name, &names) {
                Some(close) => {
                    let hint = format!("did you mean `{close}`?");
                    section.suggested.push(close);
                    hint
                }
                None => format!("expected one of {}", one_of(&names)),
            };
            errors.at(&key, format!("unknown {context} argument `{name}`: {hint}"));
            section.had_errors = true;
            continue;
        };
        if section.has(&name) {
            errors.at(
                &tokens,
                format!("`{name}` is given twice in {context}: keep one of them"),
            );
            continue;
        }
        match read_value(field, &key, raw, &tokens, errors) {
            Some(value) => section.entries.push(Entry { key, value, tokens }),
            None => {
                section.unreadable.push(name);
                section.had_errors = true;
            }
        }
    }
    section
}

fn read_value(
    field: &Field,
    key: &Ident,
    raw: Raw,
    tokens: &TokenStream,
    errors: &mut Errors,
) -> Option<Value> {
    let name = field.name;
    let example = field.example;
    match (field.kind, raw) {
        (Kind::Flag, Raw::Flag) => Some(Value::Flag),
        (Kind::Flag, _) => {
            errors.at(
                tokens,
                format!("`{name}` takes no value: write `{name}` alone"),
            );
            None
        }
        (Kind::Section(schema), Raw::List(inner)) => Some(Value::Section(parse_section(
            inner,
            tokens.clone(),
            schema,
            &format!("`{name}(...)`"),
            errors,
        ))),
        (Kind::Section(_), Raw::Flag) => Some(Value::Section(Section::empty(tokens.clone()))),
        (Kind::Section(_), Raw::Value(_)) => {
            errors.at(
                tokens,
                format!("`{name}` is a list of settings: write `{example}`"),
            );
            None
        }
        (_, Raw::Flag | Raw::List(_)) => {
            errors.at(tokens, format!("`{name}` needs a value: write `{example}`"));
            None
        }
        (kind, Raw::Value(expr)) => read_expr(kind, key, expr, example, errors),
    }
}

fn read_expr(
    kind: Kind,
    key: &Ident,
    expr: Expr,
    example: &str,
    errors: &mut Errors,
) -> Option<Value> {
    let name = key.to_string();
    let lit = match &expr {
        Expr::Lit(lit) => Some(&lit.lit),
        _ => None,
    };
    match (kind, lit) {
        (Kind::Str | Kind::LitStr, Some(Lit::Str(s))) => Some(Value::Str(Str::Lit(s.clone()))),
        (Kind::Str, None) if is_call_to(&expr, "env") => read_env(&expr, errors).map(Value::Str),
        (Kind::LitStr, None) if is_call_to(&expr, "env") => {
            errors.at(
                &expr,
                format!("`{name}` is needed while compiling, so it cannot come from the environment: write `{example}`"),
            );
            None
        }
        (Kind::Str, _) => {
            errors.at(
                &expr,
                format!("`{name}` takes a string: write `{example}`, or `{name} = env(\"VAR\")` to read it at start-up"),
            );
            None
        }
        (Kind::LitStr, _) => {
            errors.at(&expr, format!("`{name}` takes a string: write `{example}`"));
            None
        }
        (Kind::Bool, Some(Lit::Bool(b))) => Some(Value::Bool(b.clone())),
        (Kind::Bool, _) => {
            let extra = if is_call_to(&expr, "env") {
                " (`env(...)` is for string values)"
            } else {
                ""
            };
            errors.at(
                &expr,
                format!("`{name}` takes `true` or `false`: write `{example}`{extra}"),
            );
            None
        }
        (Kind::Int(max), Some(Lit::Int(int))) => match int.base10_parse::<u64>() {
            Ok(value) if value <= max => Some(Value::Int(int.clone(), value)),
            _ => {
                errors.at(
                    int,
                    format!("`{name}` must be a whole number from 0 to {max}: write `{example}`"),
                );
                None
            }
        },
        (Kind::Int(_), _) => {
            let extra = if is_call_to(&expr, "env") {
                " (`env(...)` is for string values)"
            } else {
                ""
            };
            errors.at(
                &expr,
                format!("`{name}` takes a number: write `{example}`{extra}"),
            );
            None
        }
        (Kind::Path, None) => match expr {
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                Some(Value::Path(path.path))
            }
            other => {
                errors.at(
                    &other,
                    format!("`{name}` takes the path of a function: write `{example}`"),
                );
                None
            }
        },
        (Kind::Type, None) => match expr {
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                Some(Value::Path(path.path))
            }
            other => {
                errors.at(&other, format!("`{name}` takes a type: write `{example}`"));
                None
            }
        },
        (Kind::Type, Some(_)) => {
            errors.at(
                &expr,
                format!("`{name}` takes a type, not a literal: write `{example}`"),
            );
            None
        }
        (Kind::Path, Some(_)) => {
            errors.at(
                &expr,
                format!("`{name}` takes the path of a function, not a literal: write `{example}`"),
            );
            None
        }
        (Kind::Service(forms), _) => read_service(&name, forms, expr, example, errors),
        (Kind::Flag | Kind::Section(_), _) => unreachable!("handled by read_value"),
    }
}

fn is_call_to(expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Call(call) => matches!(&*call.func, Expr::Path(p) if p.path.is_ident(name)),
        _ => false,
    }
}

/// `console`, or `name(key = value, ...)` for one of `forms`.
fn read_service(
    key: &str,
    forms: &'static [(&'static str, &'static [Field])],
    expr: Expr,
    example: &str,
    errors: &mut Errors,
) -> Option<Value> {
    let mut names: Vec<&str> = forms.iter().map(|(n, _)| *n).collect();
    names.push("console");
    let (ident, args) = match &expr {
        Expr::Path(p) if p.path.get_ident().is_some() => (p.path.get_ident().cloned(), None),
        Expr::Call(call) => match &*call.func {
            Expr::Path(p) => (p.path.get_ident().cloned(), Some(call.args.clone())),
            _ => (None, None),
        },
        _ => (None, None),
    };
    let Some(ident) = ident else {
        errors.at(
            &expr,
            format!("`{key}` takes one of {}: write `{example}`", one_of(&names)),
        );
        return None;
    };
    let kind = ident.to_string();
    if kind == "console" {
        if args.is_some() {
            errors.at(
                &expr,
                format!("`console` takes no settings: write `{key} = console`"),
            );
            return None;
        }
        return Some(Value::Service(ident, None));
    }
    let Some((_, schema)) = forms.iter().find(|(n, _)| *n == kind) else {
        let hint = match did_you_mean(&kind, &names) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("expected {}", one_of(&names)),
        };
        errors.at(&ident, format!("unknown `{key}` service `{kind}`: {hint}"));
        return None;
    };
    let context = format!("`{kind}(...)`");
    let mut raw = Vec::new();
    for arg in args.into_iter().flatten() {
        match arg {
            Expr::Assign(assign) => match &*assign.left {
                Expr::Path(p) if p.path.get_ident().is_some() => {
                    let tokens = assign.to_token_stream();
                    let key = p.path.get_ident().cloned().expect("checked above");
                    raw.push((key, Raw::Value(*assign.right), tokens));
                }
                other => errors.at(other, format!("expected the name of a {context} setting")),
            },
            other => errors.at(
                &other,
                format!("{context} takes settings as `name = value`, like `{kind}(host = \"smtp.example.com\")`"),
            ),
        }
    }
    let section = read_entries(raw, expr.to_token_stream(), schema, &context, errors);
    Some(Value::Service(ident, Some(section)))
}

/// `env("VAR")` or `env("VAR", default = "…")`.
fn read_env(expr: &Expr, errors: &mut Errors) -> Option<Str> {
    const FORM: &str = "write `env(\"VAR\")` or `env(\"VAR\", default = \"value\")`";
    let Expr::Call(call) = expr else {
        return None;
    };
    let mut args = call.args.iter();
    let var = match args.next() {
        Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(var), ..
        })) => var.clone(),
        Some(other) => {
            errors.at(
                other,
                format!("the variable's name in `env(...)` must be a string: {FORM}"),
            );
            return None;
        }
        None => {
            errors.at(
                expr,
                format!("`env()` needs the name of an environment variable: {FORM}"),
            );
            return None;
        }
    };
    let name = var.value();
    if name.is_empty() || name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
        errors.at(
            &var,
            "not a valid environment variable name: use letters, digits and `_`, like `\"SUPERTOKENS_API_KEY\"`",
        );
        return None;
    }
    let mut default = None;
    let mut ok = true;
    for arg in args {
        match arg {
            Expr::Assign(assign) if matches!(&*assign.left, Expr::Path(p) if p.path.is_ident("default")) =>
            {
                if default.is_some() {
                    errors.at(
                        arg,
                        "`default` is given twice in `env(...)`: keep one of them",
                    );
                    ok = false;
                    continue;
                }
                match &*assign.right {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(value),
                        ..
                    }) => default = Some(value.clone()),
                    other => {
                        errors.at(
                            other,
                            format!("the default in `env(...)` must be a string: {FORM}"),
                        );
                        ok = false;
                    }
                }
            }
            Expr::Assign(assign) => {
                let hint = match &*assign.left {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .and_then(|i| did_you_mean(&i.to_string(), &["default"]))
                        .map(|close| format!("did you mean `{close}`?"))
                        .unwrap_or_else(|| FORM.to_string()),
                    _ => FORM.to_string(),
                };
                errors.at(
                    &assign.left,
                    format!("`env(...)` has only the `default` setting: {hint}"),
                );
                ok = false;
            }
            other => {
                errors.at(
                    other,
                    format!("`env(...)` takes one variable; a fallback is written `default = \"…\"`: {FORM}"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(Str::Env { var, default })
}
