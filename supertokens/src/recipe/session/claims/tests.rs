//! The validators' verdicts and reasons, as the reference SDKs give them.

use serde_json::{Map, Value, json};

use super::{BooleanClaim, ClaimValidator, PrimitiveArrayClaim, PrimitiveClaim};

const NOW: i64 = 1_700_000_000_000;

fn roles() -> PrimitiveArrayClaim<String> {
    PrimitiveArrayClaim::new("st-role", |_| async { Ok(None) })
}

/// A payload whose claim `key` holds `v`, set `age_s` seconds before [`NOW`].
fn payload(key: &str, v: Value, age_s: i64) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.into(), json!({ "v": v, "t": NOW - age_s * 1000 }));
    map.insert("sub".into(), json!("user-1"));
    map
}

fn verdict(validator: &ClaimValidator, payload: &Map<String, Value>) -> Result<(), Value> {
    validator.validate(payload, NOW)
}

#[test]
fn includes_and_excludes() {
    let p = payload("st-role", json!(["admin", "editor"]), 5);
    assert_eq!(verdict(&roles().includes("admin"), &p), Ok(()));
    assert_eq!(
        verdict(&roles().includes("owner"), &p),
        Err(
            json!({"message": "wrong value", "expectedToInclude": "owner", "actualValue": ["admin", "editor"]})
        )
    );
    assert_eq!(verdict(&roles().excludes("owner"), &p), Ok(()));
    assert_eq!(
        verdict(&roles().excludes("admin"), &p),
        Err(
            json!({"message": "wrong value", "expectedToNotInclude": "admin", "actualValue": ["admin", "editor"]})
        )
    );
}

#[test]
fn all_and_any() {
    let p = payload("st-role", json!(["admin", "editor"]), 5);
    assert_eq!(
        verdict(&roles().includes_all(["admin", "editor"]), &p),
        Ok(())
    );
    assert_eq!(
        verdict(&roles().includes_all(["admin", "owner"]), &p),
        Err(
            json!({"message": "wrong value", "expectedToInclude": ["admin", "owner"], "actualValue": ["admin", "editor"]})
        )
    );
    assert_eq!(
        verdict(&roles().includes_any(["owner", "editor"]), &p),
        Ok(())
    );
    assert_eq!(
        verdict(&roles().includes_any(["owner", "guest"]), &p),
        Err(
            json!({"message": "wrong value", "expectedToIncludeAtLeastOneOf": ["owner", "guest"], "actualValue": ["admin", "editor"]})
        )
    );
    assert_eq!(
        verdict(&roles().excludes_all(["owner", "guest"]), &p),
        Ok(())
    );
    assert_eq!(
        verdict(&roles().excludes_all(["owner", "editor"]), &p),
        Err(
            json!({"message": "wrong value", "expectedToNotInclude": ["owner", "editor"], "actualValue": ["admin", "editor"]})
        )
    );
}

#[test]
fn a_missing_value_names_what_was_expected() {
    let p = payload("other", json!(1), 0);
    assert_eq!(
        verdict(&roles().includes("admin"), &p),
        Err(json!({"message": "value does not exist", "expectedToInclude": "admin"}))
    );
    assert_eq!(
        verdict(&roles().includes_any(["a", "b"]), &p),
        Err(json!({"message": "value does not exist", "expectedToNotInclude": ["a", "b"]}))
    );
    let plan = PrimitiveClaim::<String>::new("plan", |_| async { Ok(None) });
    assert_eq!(
        verdict(&plan.has_value("pro"), &p),
        Err(json!({"message": "value does not exist", "expectedValue": "pro"}))
    );
    // A `null` value is no value.
    let nulled = payload("plan", Value::Null, 0);
    assert!(verdict(&plan.has_value("pro"), &nulled).is_err());
}

#[test]
fn has_value_and_booleans() {
    let plan = PrimitiveClaim::<String>::new("plan", |_| async { Ok(None) });
    assert_eq!(
        verdict(&plan.has_value("pro"), &payload("plan", json!("pro"), 0)),
        Ok(())
    );
    assert_eq!(
        verdict(&plan.has_value("pro"), &payload("plan", json!("free"), 0)),
        Err(json!({"message": "wrong value", "expectedValue": "pro", "actualValue": "free"}))
    );
    let verified = BooleanClaim::new("st-ev", |_| async { Ok(None) });
    let yes = payload("st-ev", json!(true), 0);
    assert_eq!(verdict(&verified.is_true(), &yes), Ok(()));
    assert_eq!(
        verdict(&verified.is_false(), &yes),
        Err(json!({"message": "wrong value", "expectedValue": false, "actualValue": true}))
    );
}

#[test]
fn max_age_refuses_and_refetches_old_values() {
    let p = payload("st-role", json!(["admin"]), 301);
    let fresh_enough = roles().includes("admin").max_age(600);
    assert_eq!(verdict(&fresh_enough, &p), Ok(()));
    assert!(!fresh_enough.should_refetch(&p, NOW));

    let strict = roles().includes("admin").max_age(300);
    assert!(strict.should_refetch(&p, NOW));
    assert_eq!(
        verdict(&strict, &p),
        Err(json!({"message": "expired", "ageInSeconds": 301, "maxAgeInSeconds": 300}))
    );
    // Exactly at the limit is still fine, as in the reference SDKs.
    let at_limit = payload("st-role", json!(["admin"]), 300);
    assert_eq!(verdict(&strict, &at_limit), Ok(()));
    assert!(!strict.should_refetch(&at_limit, NOW));

    // The claim's default applies unless the validator sets one.
    let defaulted = roles().default_max_age(10);
    assert!(defaulted.includes("admin").should_refetch(&p, NOW));
    assert!(
        !defaulted
            .includes("admin")
            .max_age(1000)
            .should_refetch(&p, NOW)
    );
    // A missing value is always fetched; a validator without a claim never.
    assert!(roles().includes("admin").should_refetch(&Map::new(), NOW));
    let custom = ClaimValidator::custom("x", |_| Ok(()));
    assert!(!custom.should_refetch(&Map::new(), NOW));
}

#[test]
fn custom_validators_and_ids() {
    let beta = ClaimValidator::custom("beta", |p| match p.get("beta") {
        Some(Value::Bool(true)) => Ok(()),
        _ => Err(json!({"message": "not in the beta"})),
    });
    assert_eq!(
        verdict(&beta, &Map::new()),
        Err(json!({"message": "not in the beta"}))
    );
    let mut p = Map::new();
    p.insert("beta".into(), json!(true));
    assert_eq!(verdict(&beta, &p), Ok(()));
    assert_eq!(roles().includes("a").with_id("admins").id(), "admins");
}

#[test]
fn values_are_read_by_type() {
    let p = payload("st-role", json!(["admin"]), 0);
    assert_eq!(roles().value_in(&p), Some(vec!["admin".to_owned()]));
    let count = PrimitiveClaim::<u32>::new("st-role", |_| async { Ok(None) });
    assert_eq!(
        count.value_in(&p),
        None,
        "a value of another type is no value"
    );
    let entry = roles().entry(&vec!["x".into()], NOW).expect("entry");
    assert_eq!(
        Value::Object(entry),
        json!({"st-role": {"v": ["x"], "t": NOW}})
    );
}
