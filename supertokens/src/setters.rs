//! [`setters!`]: the builders' one-line setters.

/// Writes, for each `name: Type`, a builder method `name(self, value: Type) -> Self` that
/// stores `Some(value.into())` in the field of that name, with the doc comment given. `Type` is
/// the field's type, or `impl Into<FieldType>`. After `plain:`, the field is not an `Option` and
/// the setter stores the value as it is.
macro_rules! setters {
    (plain: $($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    )*};
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
