//! [`setters!`]: the builders' one-line setters.

/// Writes, for each `name: Type`, a builder method `name(self, value: Type) -> Self` that
/// stores `Some(value.into())` in the field of that name, with the doc comment given. `Type` is
/// the field's type, or `impl Into<FieldType>`. After `plain:`, the field is not an `Option` and
/// the setter stores the value as it is. After `toggles:`, each `name(args) = value;` is a
/// setter storing `Some(value)` and is followed by the `off;` method that stores `None`.
macro_rules! setters {
    (toggles: $(
        $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) = $value:expr;
        $(#[$off_doc:meta])* $off:ident;
    )*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.$name = Some($value);
            self
        }

        $(#[$off_doc])*
        pub fn $off(mut self) -> Self {
            self.$name = None;
            self
        }
    )*};
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
