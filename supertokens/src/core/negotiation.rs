//! CDI version negotiation: the versions this SDK speaks and the choice among the core's.

/// The CDI versions this SDK speaks; the highest one the core also offers is used.
pub const CDI_VERSIONS: &[&str] = &["5.3", "5.4"];

/// The highest version common to the core's list (unordered) and ours, by numeric dotted
/// comparison.
pub(crate) fn pick_cdi_version(offered: &[String]) -> Option<&'static str> {
    CDI_VERSIONS
        .iter()
        .copied()
        .filter(|ours| offered.iter().any(|v| v.trim() == *ours))
        .max_by(|a, b| version_key(a).cmp(&version_key(b)))
}

fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn picks_the_highest_common_version_from_an_unordered_list() {
        assert_eq!(
            pick_cdi_version(&owned(&["2.21", "5.3", "5.1"])),
            Some("5.3")
        );
        assert_eq!(
            pick_cdi_version(&owned(&["5.4", "2.9", "5.3"])),
            Some("5.4")
        );
        assert_eq!(
            pick_cdi_version(&owned(&["5.6", "5.5", "5.4"])),
            Some("5.4")
        );
        assert_eq!(pick_cdi_version(&owned(&["2.21", "5.2"])), None);
        assert_eq!(pick_cdi_version(&[]), None);
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_key("5.10") > version_key("5.9"));
        assert!(version_key("5.3.1") > version_key("5.3"));
    }
}
