//! Access records: a fixed textual stand-in for the Java stack trace a `TraceRecord`
//! captures, rendered exactly like `TraceRecord.toString()` (4.1.128).
//!
//! Java stack traces name call sites, not moments: two accesses from the same code
//! path print the same text, which is what lets Netty de-duplicate records and report
//! a leak once per distinct records string. A [`Record`]'s frames therefore name the
//! call and its *site* (an op index and thread such as `op#12 on t0`, or a scenario
//! stage such as `decoder`): callers choose how coarse sites are.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The line separator Netty appends (`StringUtil.NEWLINE`; the model is Linux).
pub const NEWLINE: &str = "\n";

/// One access or creation record: an optional hint and stack frames, top first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Record {
    /// `touch(hint)`'s hint, as `hint.toString()` rendered it.
    pub hint: Option<String>,
    /// Frames, top first, each like Java's `StackTraceElement.toString()`.
    pub frames: Vec<String>,
}

impl Record {
    /// A record without hint.
    pub fn new(frames: Vec<String>) -> Self {
        Record { hint: None, frames }
    }

    /// A record with a hint (`touch(hint)`).
    pub fn with_hint(hint: impl Into<String>, frames: Vec<String>) -> Self {
        Record {
            hint: Some(hint.into()),
            frames,
        }
    }

    /// The model's standard two-frame record for `class.method` called at `site`:
    /// `leakproof.<class>.<method>(<class>.java)` then `leakproof.Program.run(<site>)`.
    pub fn at(class: &str, method: &str, site: &str) -> Self {
        Record::new(vec![
            // `java_frame("leakproof.<class>", method, "<class>.java")` in one allocation.
            ["leakproof.", class, ".", method, "(", class, ".java)"].concat(),
            java_frame("leakproof.Program", "run", site),
        ])
    }

    /// [`Record::at`] with a hint, as `touch(hint)` records it.
    pub fn hinted_at(hint: impl Into<String>, class: &str, method: &str, site: &str) -> Self {
        Record {
            hint: Some(hint.into()),
            ..Record::at(class, method, site)
        }
    }
}

/// A frame as `StackTraceElement.toString()` prints it: `class.method(location)`.
pub fn java_frame(class: &str, method: &str, location: &str) -> String {
    // One allocation of the exact length (records are made on every tracked access).
    [class, ".", method, "(", location, ")"].concat()
}

impl fmt::Display for Record {
    /// `TraceRecord.toString()`: `\tHint: <hint>` line if any, then `\t<frame>` lines,
    /// every line newline-terminated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(hint) = &self.hint {
            write!(f, "\tHint: {hint}{NEWLINE}")?;
        }
        for frame in &self.frames {
            write!(f, "\t{frame}{NEWLINE}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_trace_record_to_string() {
        let r = Record::at("ByteBuf", "copy", "op#12 on t0");
        assert_eq!(
            r.to_string(),
            "\tleakproof.ByteBuf.copy(ByteBuf.java)\n\tleakproof.Program.run(op#12 on t0)\n"
        );
        let h = Record::hinted_at("decoded frame", "ByteBuf", "touch", "decoder");
        assert_eq!(
            h.to_string(),
            "\tHint: decoded frame\n\tleakproof.ByteBuf.touch(ByteBuf.java)\n\tleakproof.Program.run(decoder)\n"
        );
        assert_eq!(Record::new(vec![]).to_string(), "");
        assert_eq!(Record::with_hint("h", vec![]).to_string(), "\tHint: h\n");
    }

    #[test]
    fn same_site_gives_the_same_text() {
        assert_eq!(
            Record::at("ByteBuf", "retain", "decoder").to_string(),
            Record::at("ByteBuf", "retain", "decoder").to_string()
        );
        assert_ne!(
            Record::at("ByteBuf", "retain", "op#1 on t0").to_string(),
            Record::at("ByteBuf", "retain", "op#2 on t0").to_string()
        );
    }
}
