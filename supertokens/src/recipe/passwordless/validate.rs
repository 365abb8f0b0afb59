//! The default e-mail and phone checks, and phone normalisation to E.164.

use std::sync::LazyLock;

use regex::Regex;

/// SuperTokens' default e-mail pattern, so addresses are accepted exactly as by the other SDKs.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$"#,
    )
    .expect("the e-mail pattern is a valid regex")
});

/// The default e-mail check (on the trimmed address).
pub(crate) fn default_email_check(email: &str, _tenant_id: &str) -> Result<(), String> {
    if EMAIL.is_match(email) {
        Ok(())
    } else {
        Err("Email is invalid".to_owned())
    }
}

/// The default phone check: a valid number with its `+country` prefix (no default region).
pub(crate) fn default_phone_check(phone: &str, _tenant_id: &str) -> Result<(), String> {
    match phonenumber::parse(None, phone) {
        Ok(number) if phonenumber::is_valid(&number) => Ok(()),
        _ => Err("Phone number is invalid".to_owned()),
    }
}

/// The number in E.164 form when it parses without a region, else the input trimmed.
pub(crate) fn normalise_phone(phone: &str) -> String {
    match phonenumber::parse(None, phone) {
        Ok(number) => number.format().mode(phonenumber::Mode::E164).to_string(),
        Err(_) => phone.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_follow_the_supertokens_pattern() {
        for ok in [
            "johndoe@gmail.com",
            "a.b+c@sub.example.co",
            "\"odd name\"@x.io",
            "x@[1.2.3.4]",
        ] {
            assert!(default_email_check(ok, "public").is_ok(), "{ok}");
        }
        for bad in [
            "",
            "john",
            "john@",
            "@x.com",
            "a@b",
            "a b@x.com",
            "a@x.c",
            "a..b@x.com",
        ] {
            assert_eq!(
                default_email_check(bad, "public"),
                Err("Email is invalid".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn phones_need_a_country_prefix_and_become_e164() {
        assert!(default_phone_check("+36701234567", "public").is_ok());
        assert!(default_phone_check("+1 415-555-2671", "public").is_ok());
        assert_eq!(
            default_phone_check("4155552671", "public"),
            Err("Phone number is invalid".to_owned())
        );
        assert!(default_phone_check("+1 555 000", "public").is_err());
        assert!(default_phone_check("not-a-phone", "public").is_err());
        assert_eq!(normalise_phone(" +1 (415) 555-2671 "), "+14155552671");
        assert_eq!(normalise_phone(" 12345 "), "12345");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::recipe::passwordless::functions::Contact;
        use crate::recipe::passwordless::recipe::PasswordlessRecipe;

        /// Text shaped like phone numbers as people type them, and any text.
        fn phone() -> impl Strategy<Value = String> {
            prop_oneof![
                "\\+?[0-9 ()./#*xX-]{0,24}",
                "\\+[0-9]{1,3} ?[0-9]{4,14}( ?(ext\\.?|x|#) ?[0-9]{1,5})?",
                "[+０-９ ]{0,16}",
                "\\PC{0,24}",
            ]
        }

        /// What the API stores for a contact: normalised after its check.
        fn normalise(contact: Contact) -> Contact {
            PasswordlessRecipe::normalise(contact)
        }

        proptest! {
            #[test]
            fn phone_checks_never_panic_and_normalise_once(raw in phone()) {
                let accepted = default_phone_check(&raw, "public").is_ok();
                let once = normalise(Contact::Phone(raw.clone()));
                if accepted {
                    prop_assert_eq!(normalise(once.clone()), once.clone(), "{:?}", raw);
                    prop_assert!(default_phone_check(once.value(), "public").is_ok(), "{:?} → {:?}", raw, once);
                }
            }

            #[test]
            fn email_checks_never_panic_and_normalise_once(
                raw in prop_oneof![
                    "[ \t]{0,2}[a-zA-Z0-9.+_\"-]{0,12}@[a-zA-Z0-9.\\[\\]-]{0,16}[ \t]{0,2}",
                    "\\PC{0,40}",
                ],
            ) {
                let once = normalise(Contact::Email(raw.clone()));
                if default_email_check(once.value(), "public").is_ok() {
                    prop_assert_eq!(normalise(once.clone()), once);
                }
            }
        }
    }
}
