//! [`setters!`]: the builders' setters of optional values.

/// Writes, for each `name: Type`, a builder method `name(self, value: Type) -> Self` that stores
/// `Some(value.into())` in the field of that name, with the doc comment given. `Type` is the
/// field's type, or `impl Into<FieldType>`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {$(
        $(#[$doc])*
        #[allow(clippy::useless_conversion)]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = Some(value.into());
            self
        }
    )*};
}

pub(crate) use setters;
