//! The configuration rule book of supertokens-rs, shared by the runtime crate (values read at
//! start-up) and the macros (literals checked at compile time), so each rule exists once.
//! Internal: use the `supertokens` crate.
