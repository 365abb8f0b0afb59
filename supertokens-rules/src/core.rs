//! Rules for the core connection (`connection_uri`, `api_key`).
