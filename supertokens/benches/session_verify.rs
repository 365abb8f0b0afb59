//! Verification cost of one access token.
//!
//! * `verify_without_cache`: what a request with a token never seen before costs: header and
//!   token parsing, structure checks and the RS256 signature check against the (already fetched)
//!   JWKS. The verified-token cache is off.
//! * `verify_cached`: a token seen before (the verified-token cache on): a map lookup.
//!
//! Run with `cargo bench -p supertokens --bench session_verify`.

use http::{HeaderMap, HeaderValue, Method};
use supertokens::session::{GetSessionOptions, SessionConfig};

fn main() {
    divan::main();
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    st: supertokens::SuperTokens,
    headers: HeaderMap,
}

fn fixture(cache_size: usize) -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = supertokens::testing::config()
        .session(SessionConfig::new().verified_token_cache_size(cache_size))
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    let test = runtime
        .block_on(supertokens::testing::session(&st, "user-1"))
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {}", test.access_token)).unwrap(),
    );
    // Warm the JWKS cache (and, when on, the verified-token cache).
    let f = Fixture {
        runtime,
        st,
        headers,
    };
    verify(&f);
    f
}

fn verify(f: &Fixture) {
    let (session, _) = f
        .runtime
        .block_on(
            f.st.session()
                .get_session(&f.headers, &Method::GET, GetSessionOptions::new()),
        )
        .unwrap();
    assert!(session.is_some());
}

#[divan::bench(sample_count = 200)]
fn verify_without_cache(bencher: divan::Bencher<'_, '_>) {
    let f = fixture(0);
    bencher.bench_local(|| verify(&f));
}

#[divan::bench(sample_count = 200)]
fn verify_cached(bencher: divan::Bencher<'_, '_>) {
    let f = fixture(10_000);
    bencher.bench_local(|| verify(&f));
}
