//! `cargo run -p supertokens --bin embedded-core -- --addr 127.0.0.1:3567 --db <path or :memory:>`

fn main() {}
