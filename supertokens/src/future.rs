//! The boxed future the SDK's object-safe traits return (delivery services, recipe functions and
//! APIs, the in-process core transport).

use std::future::Future;
use std::pin::Pin;

/// A boxed, `Send` future borrowing for `'a`: what the SDK's overridable traits return, so they
/// stay object-safe. Write `Box::pin(async move { … })` to make one.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
