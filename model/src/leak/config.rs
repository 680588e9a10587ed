//! Detector configuration and Netty's reading of its system properties.
//!
//! Netty reads these once, in `ResourceLeakDetector`'s and `AdvancedLeakAwareByteBuf`'s
//! static initializers (4.1.128). Values that do not parse silently (or with a warning)
//! fall back to defaults, exactly as `SystemPropertyUtil` does; the warnings are
//! returned as Netty's log texts.

use super::level::{java_trim, LeakLevel};
use crate::profile::LeakProfile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `io.netty.leakDetection.level`.
pub const PROP_LEVEL: &str = "io.netty.leakDetection.level";
/// The old name, read first and overridden by [`PROP_LEVEL`].
pub const PROP_LEVEL_OLD: &str = "io.netty.leakDetectionLevel";
/// The deprecated on/off switch.
pub const PROP_NO_DETECTION: &str = "io.netty.noResourceLeakDetection";
/// `io.netty.leakDetection.targetRecords`.
pub const PROP_TARGET_RECORDS: &str = "io.netty.leakDetection.targetRecords";
/// `io.netty.leakDetection.samplingInterval`.
pub const PROP_SAMPLING_INTERVAL: &str = "io.netty.leakDetection.samplingInterval";
/// `io.netty.leakDetection.acquireAndReleaseOnly` (AdvancedLeakAwareByteBuf).
pub const PROP_ACQUIRE_AND_RELEASE_ONLY: &str = "io.netty.leakDetection.acquireAndReleaseOnly";

/// Everything the detector and the leak-aware wrappers read from configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakConfig {
    /// The detection level (`ResourceLeakDetector.setLevel` may change it later).
    pub level: LeakLevel,
    /// `samplingInterval`, a Java `int`: values `<= 0` make every sampled `track` throw
    /// `IllegalArgumentException: bound must be positive` (ThreadLocalRandom.nextInt).
    pub sampling_interval: i32,
    /// `TARGET_RECORDS`, a Java `int`: values `<= 0` switch recording off entirely.
    pub target_records: i32,
    /// `acquireAndReleaseOnly`: advanced wrappers record only retain/release/touch.
    pub acquire_and_release_only: bool,
    /// Whether the logger has ERROR enabled (`needReport()`); when off, leaks are
    /// disposed silently.
    pub error_logging: bool,
}

impl LeakConfig {
    /// The release's defaults: SIMPLE, the profile's interval and target, logging on.
    pub fn from_profile(profile: &LeakProfile) -> Self {
        LeakConfig {
            level: LeakLevel::Simple,
            sampling_interval: java_int(profile.sampling_interval),
            target_records: java_int(profile.target_records),
            acquire_and_release_only: false,
            error_logging: true,
        }
    }

    /// The same configuration at another level.
    pub fn with_level(mut self, level: LeakLevel) -> Self {
        self.level = level;
        self
    }

    /// Netty's static initialization from `-D` system properties. Returns the
    /// configuration and the warnings Netty would log, in order.
    pub fn from_properties(
        profile: &LeakProfile,
        props: &BTreeMap<String, String>,
    ) -> (LeakConfig, Vec<String>) {
        let mut warnings = Vec::new();
        let mut config = LeakConfig::from_profile(profile);
        let disabled = if props.contains_key(PROP_NO_DETECTION) {
            let d = get_boolean(props, PROP_NO_DETECTION, false, &mut warnings);
            warnings.push(format!(
                "-D{PROP_NO_DETECTION} is deprecated. Use '-D{PROP_LEVEL}={}' instead.",
                LeakLevel::Disabled.lower_name()
            ));
            d
        } else {
            false
        };
        let default_level = if disabled {
            LeakLevel::Disabled
        } else {
            LeakLevel::Simple
        };
        let level_str = props
            .get(PROP_LEVEL)
            .or_else(|| props.get(PROP_LEVEL_OLD))
            .map(String::as_str)
            .unwrap_or(default_level.name());
        config.level = LeakLevel::parse(level_str);
        config.target_records = get_int(
            props,
            PROP_TARGET_RECORDS,
            config.target_records,
            &mut warnings,
        );
        config.sampling_interval = get_int(
            props,
            PROP_SAMPLING_INTERVAL,
            config.sampling_interval,
            &mut warnings,
        );
        config.acquire_and_release_only =
            get_boolean(props, PROP_ACQUIRE_AND_RELEASE_ONLY, false, &mut warnings);
        (config, warnings)
    }
}

/// A profile's unsigned default as a Java `int` (saturating; profiles hold small values).
fn java_int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// `SystemPropertyUtil.getInt`: `Integer.parseInt(value.trim())`, else warn and default.
fn get_int(
    props: &BTreeMap<String, String>,
    key: &str,
    def: i32,
    warnings: &mut Vec<String>,
) -> i32 {
    let Some(raw) = props.get(key) else {
        return def;
    };
    let value = java_trim(raw);
    match parse_java_int(value) {
        Some(v) => v,
        None => {
            warnings.push(format!(
                "Unable to parse the integer system property '{key}':{value} - using the default value: {def}"
            ));
            def
        }
    }
}

/// `Integer.parseInt(s)`: one optional sign first, then at least one digit, within
/// `i32`. A digit is any UTF-16 unit `Character.digit(c, 10)` accepts: the decimal
/// digits of the Basic Multilingual Plane (a supplementary digit is two surrogates,
/// neither a digit). Each is mapped to its ASCII digit and signs are kept: Rust's `i32`
/// grammar over ASCII is Java's (a sign only first).
fn parse_java_int(s: &str) -> Option<i32> {
    let mut ascii = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '+' | '-' => ascii.push(c),
            _ => ascii.push(java_decimal_digit(c)?),
        }
    }
    ascii.parse().ok()
}

/// The first code point (digit zero) of each run of ten decimal digits (`Nd`) in the
/// Basic Multilingual Plane, as JDK 17's `Character.digit(c, 10)` lists them.
const BMP_DIGIT_ZEROS: [u32; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// `Character.digit(c, 10)` for a code point as its ASCII digit, `None` where Java
/// answers -1.
fn java_decimal_digit(c: char) -> Option<char> {
    let code = u32::from(c);
    let run = BMP_DIGIT_ZEROS.partition_point(|&zero| zero <= code);
    let zero = BMP_DIGIT_ZEROS[run.checked_sub(1)?];
    char::from_digit(code - zero, 10)
}

/// `SystemPropertyUtil.getBoolean`: true/yes/1, false/no/0, empty → default, else warn.
fn get_boolean(
    props: &BTreeMap<String, String>,
    key: &str,
    def: bool,
    warnings: &mut Vec<String>,
) -> bool {
    let Some(raw) = props.get(key) else {
        return def;
    };
    let value = java_trim(raw).to_lowercase();
    match value.as_str() {
        "" => def,
        "true" | "yes" | "1" => true,
        "false" | "no" | "0" => false,
        _ => {
            warnings.push(format!(
                "Unable to parse the boolean system property '{key}':{value} - using the default value: {def}"
            ));
            def
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_come_from_the_profile() {
        let (c, w) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &props(&[]));
        assert_eq!(c, LeakConfig::from_profile(&LeakProfile::netty_4_1()));
        assert_eq!(
            (c.level, c.sampling_interval, c.target_records),
            (LeakLevel::Simple, 128, 4)
        );
        assert!(w.is_empty());
    }

    #[test]
    fn new_level_property_overrides_the_old_one() {
        let p = props(&[(PROP_LEVEL_OLD, "paranoid"), (PROP_LEVEL, "advanced")]);
        let (c, _) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p);
        assert_eq!(c.level, LeakLevel::Advanced);
        let p = props(&[(PROP_LEVEL_OLD, "paranoid")]);
        assert_eq!(
            LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p)
                .0
                .level,
            LeakLevel::Paranoid
        );
    }

    #[test]
    fn deprecated_switch_disables_but_an_unknown_level_is_still_simple() {
        let p = props(&[(PROP_NO_DETECTION, "true")]);
        let (c, w) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p);
        assert_eq!(c.level, LeakLevel::Disabled);
        assert_eq!(
            w,
            ["-Dio.netty.noResourceLeakDetection is deprecated. Use '-Dio.netty.leakDetection.level=disabled' instead."]
        );
        let p = props(&[(PROP_NO_DETECTION, "true"), (PROP_LEVEL, "bogus")]);
        assert_eq!(
            LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p)
                .0
                .level,
            LeakLevel::Simple
        );
    }

    #[test]
    fn a_blank_or_false_boolean_is_false_without_a_warning() {
        // SystemPropertyUtil.getBoolean: `if (value.isEmpty()) return def;` after trim.
        for value in ["  ", " No", "0"] {
            let p = props(&[(PROP_ACQUIRE_AND_RELEASE_ONLY, value)]);
            let (c, w) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p);
            assert!(!c.acquire_and_release_only);
            assert!(w.is_empty(), "{value:?}: {w:?}");
        }
    }

    #[test]
    fn bad_numbers_warn_and_keep_defaults_while_odd_ints_are_accepted() {
        let p = props(&[
            (PROP_SAMPLING_INTERVAL, " 0 "),
            (PROP_TARGET_RECORDS, "four"),
            (PROP_ACQUIRE_AND_RELEASE_ONLY, " YES"),
        ]);
        let (c, w) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p);
        assert_eq!((c.sampling_interval, c.target_records), (0, 4));
        assert!(c.acquire_and_release_only);
        assert_eq!(
            w,
            ["Unable to parse the integer system property 'io.netty.leakDetection.targetRecords':four - using the default value: 4"]
        );
        assert_eq!(parse_java_int("-7"), Some(-7));
        assert_eq!(parse_java_int("2147483648"), None);
        assert_eq!(parse_java_int("1_0"), None);
        assert_eq!(parse_java_int("+5"), Some(5));
        for bad in ["", "+", "-", "+-5", "--5", " 5"] {
            assert_eq!(parse_java_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn other_decimal_digits_of_the_basic_plane_count_as_java_counts_them() {
        // What JDK 17's Integer.parseInt answered for each (NumberFormatException: None).
        let cases = [
            ("\u{661}\u{662}", Some(12)),
            ("+\u{ff15}", Some(5)),
            ("-\u{967}\u{966}", Some(-10)),
            ("1\u{662}", Some(12)),
            ("\u{1946}", Some(0)),
            ("\u{ff10}-1", None),
            ("\u{661}+", None),
            ("\u{104a0}", None),
            ("\u{1c5a}", None),
            ("\u{f2a}", None),
            ("\u{b2}", None),
            ("\u{2467}", None),
            (
                "\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}\u{ff19}",
                None,
            ),
        ];
        for (text, value) in cases {
            assert_eq!(parse_java_int(text), value, "{text:?}");
        }
        let p = props(&[(PROP_TARGET_RECORDS, " \u{ff18} ")]);
        let (c, w) = LeakConfig::from_properties(&LeakProfile::netty_4_1(), &p);
        assert_eq!((c.target_records, w.len()), (8, 0));
    }
}
