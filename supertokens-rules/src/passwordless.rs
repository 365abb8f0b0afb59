//! Rules for the passwordless recipe and its delivery services.
