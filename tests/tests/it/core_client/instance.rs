//! The client an instance makes: for a connection URI with its app info, for an embedded core
//! with its api key, and the process-wide instance of `init`.

use std::time::Duration;

use supertokens::core::{CoreClient, CoreError};

use super::{TIMEOUT, TestCore};

fn app_config() -> supertokens::ConfigBuilder {
    supertokens::Config::builder()
        .app_name("Demo")
        .api_domain("localhost:3001")
        .website_domain("http://localhost:3000")
        .session(supertokens::session::SessionConfig::default())
}

#[tokio::test]
async fn an_instance_with_connection_uri_talks_to_that_core_with_its_app_info() {
    let core = TestCore::start(&["5.3"]).await;
    let config = app_config()
        .connection_uri(format!("{}/appid-demo", core.server.url()))
        .api_key("key-1")
        .core_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    assert!(st.embedded_core().is_none());
    assert_eq!(st.core().timeout(), Duration::from_secs(2));
    assert_eq!(st.core().cdi_version().await.unwrap(), "5.3");
    let negotiation = core.seen_at("/apiversion");
    assert_eq!(negotiation.len(), 1);
    assert_eq!(negotiation[0].path, "/appid-demo/apiversion");
    assert_eq!(
        negotiation[0].query.as_deref(),
        Some("apiDomain=http%3A%2F%2Flocalhost%3A3001&websiteDomain=http%3A%2F%2Flocalhost%3A3000")
    );
    assert_eq!(
        negotiation[0].headers.get("api-key").map(String::as_str),
        Some("key-1")
    );
}

#[tokio::test]
async fn init_installs_one_instance_and_a_second_init_is_an_error() {
    // `init` installs the instance for the whole process: alone in a process of its own, so the
    // tests beside it (in this binary) never see a global instance.
    let name = "init_installs_one_instance_and_a_second_init_is_an_error";
    if tests::process::run_alone(module_path!(), name, &[]) {
        return;
    }
    let config = || {
        app_config()
            .embedded_core(tests::embedded_core::in_memory())
            .build()
            .unwrap()
    };
    assert!(matches!(
        supertokens::SuperTokens::global(),
        Err(supertokens::Error::NotInitialised)
    ));
    let first = supertokens::init(config()).unwrap();
    assert!(first.embedded_core().is_some());
    // The embedded core answers through the in-process transport.
    assert_eq!(first.core().cdi_version().await.unwrap(), "5.4");

    let second = supertokens::init(config());
    assert!(
        matches!(second, Err(supertokens::Error::AlreadyInitialised)),
        "{second:?}"
    );
    let global = supertokens::SuperTokens::global().unwrap();
    assert_eq!(
        global.config().app_info().api_domain,
        "http://localhost:3001"
    );
}

#[tokio::test]
async fn an_embedded_core_with_an_api_key_is_called_with_it() {
    use supertokens::embedded::EmbeddedCoreConfig;
    let config = app_config()
        .embedded_core(EmbeddedCoreConfig {
            api_key: Some("embedded-key-1234567890".into()),
            ..tests::embedded_core::in_memory()
        })
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    assert_eq!(st.core().cdi_version().await.unwrap(), "5.4");

    // The same core refuses a client without the key: the key above is what let it through.
    let core = st.embedded_core().unwrap();
    let keyless = CoreClient::in_process(core.service(), None, TIMEOUT);
    let err = keyless.cdi_version().await.unwrap_err();
    assert!(
        matches!(err, CoreError::Status { status: 401, .. }),
        "{err:?}"
    );
}
