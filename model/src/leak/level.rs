//! Leak-detection levels and Netty's parsing of `io.netty.leakDetection.level`.
//!
//! `ResourceLeakDetector.Level.parseLevel` (4.1.128) trims the value the way
//! `String.trim()` does, then accepts a level's name compared with
//! `String.equalsIgnoreCase` or its ordinal as a decimal string (`"0"`..`"3"`, exactly);
//! anything else is SIMPLE.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `ResourceLeakDetector.Level`, in ordinal order.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LeakLevel {
    /// No detection: `track` returns no tracker.
    Disabled,
    /// Sampled detection that only says *that* a buffer leaked (the default).
    #[default]
    Simple,
    /// Sampled detection that also records recent accesses.
    Advanced,
    /// Every allocation is tracked and its accesses recorded.
    Paranoid,
}

impl LeakLevel {
    /// All levels in ordinal order.
    pub const ALL: [LeakLevel; 4] = [
        LeakLevel::Disabled,
        LeakLevel::Simple,
        LeakLevel::Advanced,
        LeakLevel::Paranoid,
    ];

    /// The Java enum constant's name (`Level.name()`), e.g. `SIMPLE`.
    pub fn name(self) -> &'static str {
        match self {
            LeakLevel::Disabled => "DISABLED",
            LeakLevel::Simple => "SIMPLE",
            LeakLevel::Advanced => "ADVANCED",
            LeakLevel::Paranoid => "PARANOID",
        }
    }

    /// `name().toLowerCase()`, as Netty logs it and as the `-D` option spells it.
    pub fn lower_name(self) -> &'static str {
        match self {
            LeakLevel::Disabled => "disabled",
            LeakLevel::Simple => "simple",
            LeakLevel::Advanced => "advanced",
            LeakLevel::Paranoid => "paranoid",
        }
    }

    /// The Java enum ordinal.
    pub fn ordinal(self) -> u32 {
        self as u32
    }

    /// `ResourceLeakDetector.isEnabled()`: any level above DISABLED.
    pub fn is_enabled(self) -> bool {
        self != LeakLevel::Disabled
    }

    /// `Level.parseLevel`: Java-trimmed, case-insensitive name or exact ordinal string;
    /// anything else (including the empty string) is SIMPLE.
    pub fn parse(value: &str) -> LeakLevel {
        let trimmed = java_trim(value);
        LeakLevel::ALL
            .into_iter()
            .find(|l| {
                java_equals_ignore_case(trimmed, l.name()) || trimmed == l.ordinal().to_string()
            })
            .unwrap_or(LeakLevel::Simple)
    }
}

impl fmt::Display for LeakLevel {
    /// Prints like Java's `Level.toString()`: the constant name, e.g. `PARANOID`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `String.trim()`: strips every char `<= ' '` (controls included) from both ends.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// `String.equalsIgnoreCase` against an ASCII upper-case `name`: same UTF-16 length and
/// each char equal after Java's per-char upper- then lower-case folding. Only four
/// non-ASCII chars fold onto ASCII letters under Java's simple case mappings, three of
/// them onto letters of the level names.
fn java_equals_ignore_case(value: &str, name: &str) -> bool {
    value.encode_utf16().count() == name.len()
        && value
            .chars()
            .zip(name.chars())
            .all(|(c, n)| java_fold_to_ascii_upper(c) == Some(n))
}

/// The ASCII upper-case letter `c` folds to under `equalsIgnoreCase`, if any.
fn java_fold_to_ascii_upper(c: char) -> Option<char> {
    match c {
        'a'..='z' | 'A'..='Z' => Some(c.to_ascii_uppercase()),
        // Character.toUpperCase: dotless i -> I, long s -> S.
        '\u{0131}' => Some('I'),
        '\u{017F}' => Some('S'),
        // Character.toLowerCase: capital I with dot -> i. (The Kelvin sign folds to k,
        // but no level name has a K.)
        '\u{0130}' => Some('I'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_case_insensitively_and_ordinals_exactly() {
        assert_eq!(LeakLevel::parse("paranoid"), LeakLevel::Paranoid);
        assert_eq!(LeakLevel::parse("  Advanced\t\n"), LeakLevel::Advanced);
        assert_eq!(LeakLevel::parse("DISABLED"), LeakLevel::Disabled);
        assert_eq!(LeakLevel::parse("0"), LeakLevel::Disabled);
        assert_eq!(LeakLevel::parse("3"), LeakLevel::Paranoid);
        assert_eq!(LeakLevel::parse(" 2 "), LeakLevel::Advanced);
        // Control characters are trimmed by String.trim() too.
        assert_eq!(LeakLevel::parse("\u{1}paranoid\u{7f}"), LeakLevel::Simple);
        assert_eq!(LeakLevel::parse("\u{1}paranoid\u{1f}"), LeakLevel::Paranoid);
    }

    #[test]
    fn unknown_values_fall_back_to_simple() {
        for v in [
            "",
            "4",
            "-1",
            "03",
            "+3",
            "verbose",
            "paranoid!",
            "\u{a0}paranoid",
        ] {
            assert_eq!(LeakLevel::parse(v), LeakLevel::Simple, "{v:?}");
        }
    }

    #[test]
    fn java_case_folding_quirks_match() {
        // Character.toUpperCase('ı') == 'I' and toUpperCase('ſ') == 'S' in Java.
        assert_eq!(LeakLevel::parse("dısabled"), LeakLevel::Disabled);
        // A name with 'ſ' other than SIMPLE, which an unknown value falls back to.
        assert_eq!(LeakLevel::parse("diſabled"), LeakLevel::Disabled);
        assert_eq!(LeakLevel::parse("PARANOİD"), LeakLevel::Paranoid);
        // 'ß' upper-cases to "SS" only with full mappings; Java's char mapping keeps it.
        assert_eq!(LeakLevel::parse("disabled\u{df}"), LeakLevel::Simple);
    }

    #[test]
    fn displays_like_java() {
        assert_eq!(LeakLevel::Paranoid.to_string(), "PARANOID");
        assert_eq!(LeakLevel::default(), LeakLevel::Simple);
        assert_eq!(LeakLevel::Advanced.lower_name(), "advanced");
        assert!(!LeakLevel::Disabled.is_enabled());
        assert!(LeakLevel::Simple.is_enabled());
    }
}
