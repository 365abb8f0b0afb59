//! Helpers for testing your own app: sessions for a user id on the embedded core, without the
//! sign-in flow.
