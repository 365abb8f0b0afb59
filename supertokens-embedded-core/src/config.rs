//! Settings of the embedded core. Always compiled, so a configuration can name them even when
//! the `embedded-core` feature is off (start-up then fails with a clear error).

use std::path::PathBuf;
use std::time::Duration;

use supertokens_cdi::Secret;

/// Where the embedded core keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (created if missing), with its `-wal` and `-shm` companions beside it.
    File(PathBuf),
    /// In memory: gone when the process ends. For tests.
    Memory,
}

impl Database {
    /// `":memory:"` is [`Database::Memory`]; anything else is a file path.
    pub fn parse(value: &str) -> Self {
        if value == ":memory:" {
            Database::Memory
        } else {
            Database::File(PathBuf::from(value))
        }
    }
}

/// Settings of the embedded core. Defaults follow the SuperTokens Core, except the code lifetime
/// (10 minutes instead of 15, per OWASP ASVS).
#[derive(Clone, Debug)]
pub struct EmbeddedCoreConfig {
    /// Where the data lives. Default: `.supertokens/embedded-core.db` under the working directory.
    pub database: Database,
    /// Lifetime of one-time codes and magic links (default 10 minutes).
    pub code_lifetime: Duration,
    /// Wrong codes allowed per device; the last one restarts the flow (default 5).
    pub max_code_input_attempts: u32,
    /// Lifetime of access tokens (default 3600 s).
    pub access_token_validity: Duration,
    /// Lifetime of refresh tokens (default 100 days).
    pub refresh_token_validity: Duration,
    /// How often the dynamic signing key rotates (default 7 days).
    pub signing_key_rotation: Duration,
    /// API key required by the core's HTTP API, when served on a port (default none).
    pub api_key: Option<Secret>,
    /// The app the SDK uses in-process (default `public`); created at open when missing, as
    /// with `PUT /recipe/multitenancy/app/v2`. Letters, digits and hyphens.
    pub app_id: String,
}

impl Default for EmbeddedCoreConfig {
    fn default() -> Self {
        Self {
            database: Database::File(PathBuf::from(".supertokens/embedded-core.db")),
            code_lifetime: Duration::from_secs(600),
            max_code_input_attempts: 5,
            access_token_validity: Duration::from_secs(3600),
            refresh_token_validity: Duration::from_secs(100 * 24 * 3600),
            signing_key_rotation: Duration::from_secs(7 * 24 * 3600),
            api_key: None,
            app_id: "public".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EmbeddedCoreConfig;

    #[test]
    fn debug_output_hides_the_api_key() {
        let config = EmbeddedCoreConfig {
            api_key: Some("very-secret-key-123".into()),
            ..EmbeddedCoreConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-key-123"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
