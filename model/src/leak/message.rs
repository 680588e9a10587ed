//! The exact texts the detector logs (4.1.128 `ResourceLeakDetector.reportTracedLeak`,
//! `reportUntracedLeak` and `DefaultResourceLeak.generateReport`).

use super::config::{PROP_LEVEL, PROP_TARGET_RECORDS};
use super::level::LeakLevel;
use super::record::{Record, NEWLINE};
use std::collections::BTreeSet;

/// The detector's resource type: `simpleClassName(ByteBuf.class)`.
pub const RESOURCE_TYPE: &str = "ByteBuf";

/// `simpleClassName(this)` of the detector `AbstractByteBuf.leakDetector` (the default
/// factory builds a plain `ResourceLeakDetector`).
pub const DETECTOR_CLASS: &str = "ResourceLeakDetector";

/// Where every `LEAK:` message points.
pub const WIKI_URL: &str = "https://netty.io/wiki/reference-counted-objects.html";

/// A tracker's records rendered by `generateReport`, plus the duplicates it skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordsText {
    /// The records string (starts with a newline, has no trailing newline).
    pub text: String,
    /// Records whose text repeated an already printed one (`duped`).
    pub duplicates: u32,
}

/// `generateReport(head)`: `records` oldest (the creation record) first, as the stack
/// holds them; printed newest first as `#1:`, `#2:` … and the creation record as
/// `Created at:`. Records whose text was already printed are skipped and counted; the
/// notes for duplicates and for `dropped` records follow; the last newline is cut.
pub fn generate_report(records: &[Record], dropped: u32, target_records: i32) -> RecordsText {
    let mut buf = String::new();
    buf.push_str(NEWLINE);
    buf.push_str("Recent access records: ");
    buf.push_str(NEWLINE);
    let mut i = 1u32;
    let mut duplicates = 0u32;
    let mut seen = BTreeSet::new();
    for (pos, record) in records.iter().enumerate().rev() {
        let s = record.to_string();
        if seen.insert(s.clone()) {
            if pos == 0 {
                buf.push_str("Created at:");
            } else {
                buf.push_str(&format!("#{i}:"));
                i += 1;
            }
            buf.push_str(NEWLINE);
            buf.push_str(&s);
        } else {
            duplicates += 1;
        }
    }
    if duplicates > 0 {
        buf.push_str(&format!(
            ": {duplicates} leak records were discarded because they were duplicates{NEWLINE}"
        ));
    }
    if dropped > 0 {
        buf.push_str(&format!(
            ": {dropped} leak records were discarded because the leak record count is targeted \
             to {target_records}. Use system property {PROP_TARGET_RECORDS} to increase the limit.{NEWLINE}"
        ));
    }
    buf.truncate(buf.len() - NEWLINE.len());
    RecordsText {
        text: buf,
        duplicates,
    }
}

/// `reportTracedLeak(resourceType, records)`: the first sentence, the wiki pointer, then
/// the records string verbatim.
pub fn traced_leak_message(records: &str) -> String {
    format!(
        "LEAK: {RESOURCE_TYPE}.release() was not called before it's garbage-collected. \
         See {WIKI_URL} for more information.{records}"
    )
}

/// `reportUntracedLeak(resourceType)`, printed for an empty records string.
///
/// Unreachable in both profiles: every tracker gets a creation record at every level
/// (since 4.1.17), so a tracker that is still in `allLeaks` never has empty records.
/// Kept so the text is pinned and available to whoever models an older release.
pub fn untraced_leak_message() -> String {
    format!(
        "LEAK: {RESOURCE_TYPE}.release() was not called before it's garbage-collected. \
         Enable advanced leak reporting to find out where the leak occurred. \
         To enable advanced leak reporting, specify the JVM option '-D{PROP_LEVEL}={}' \
         or call {DETECTOR_CLASS}.setLevel() See {WIKI_URL} for more information.",
        LeakLevel::Advanced.lower_name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_traced_message_with_both_notes() {
        let records = vec![
            Record::at("ByteBufAllocator", "directBuffer", "op#1 on t0"),
            Record::at("ByteBuf", "retain", "op#2 on t0"),
            Record::hinted_at("decoder", "ByteBuf", "touch", "op#3 on t1"),
            Record::at("ByteBuf", "retain", "op#2 on t0"),
        ];
        let r = generate_report(&records, 2, 4);
        assert_eq!(r.duplicates, 1);
        let expected = "LEAK: ByteBuf.release() was not called before it's garbage-collected. \
See https://netty.io/wiki/reference-counted-objects.html for more information.
Recent access records: 
#1:
\tleakproof.ByteBuf.retain(ByteBuf.java)
\tleakproof.Program.run(op#2 on t0)
#2:
\tHint: decoder
\tleakproof.ByteBuf.touch(ByteBuf.java)
\tleakproof.Program.run(op#3 on t1)
Created at:
\tleakproof.ByteBufAllocator.directBuffer(ByteBufAllocator.java)
\tleakproof.Program.run(op#1 on t0)
: 1 leak records were discarded because they were duplicates
: 2 leak records were discarded because the leak record count is targeted to 4. \
Use system property io.netty.leakDetection.targetRecords to increase the limit.";
        assert_eq!(traced_leak_message(&r.text), expected);
    }

    #[test]
    fn creation_only_report_has_no_trailing_newline() {
        let r = generate_report(&[Record::at("ByteBuf", "copy", "decoder")], 0, 4);
        assert_eq!(
            r.text,
            "\nRecent access records: \nCreated at:\n\tleakproof.ByteBuf.copy(ByteBuf.java)\n\tleakproof.Program.run(decoder)"
        );
    }

    #[test]
    fn a_creation_record_equal_to_a_newer_one_counts_as_a_duplicate() {
        let same = Record::at("ByteBuf", "copy", "loop");
        let r = generate_report(&[same.clone(), same], 0, 4);
        assert_eq!(r.duplicates, 1);
        assert_eq!(
            r.text,
            "\nRecent access records: \n#1:\n\tleakproof.ByteBuf.copy(ByteBuf.java)\n\tleakproof.Program.run(loop)\n: 1 leak records were discarded because they were duplicates"
        );
    }

    #[test]
    fn golden_untraced_message() {
        assert_eq!(
            untraced_leak_message(),
            "LEAK: ByteBuf.release() was not called before it's garbage-collected. Enable advanced leak \
reporting to find out where the leak occurred. To enable advanced leak reporting, specify the JVM option \
'-Dio.netty.leakDetection.level=advanced' or call ResourceLeakDetector.setLevel() See \
https://netty.io/wiki/reference-counted-objects.html for more information."
        );
    }
}
