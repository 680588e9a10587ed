//! What the detector tells the world: structured leak reports, the fate of every
//! disposed leak, and counters.

use super::tracker::TrackerId;
use serde::{Deserialize, Serialize};

/// One `LEAK:` log event (and `LeakListener.onLeak` call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakReport {
    /// The tracker whose records were reported.
    pub tracker: TrackerId,
    /// The leaked object's identity.
    pub object: u64,
    /// The records string (`onLeak`'s second argument), starting with a newline.
    pub records_text: String,
    /// The full ERROR log message.
    pub text: String,
    /// Position in the detector's report sequence, from 0.
    pub seq: u64,
}

/// What `reportLeak` did with one drained tracker that was never closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeakOutcome {
    /// Reported as report number `seq`.
    Reported {
        /// The report's sequence number.
        seq: u64,
    },
    /// Not reported: report `seq` already carried an identical records string.
    DuplicateOf {
        /// The earlier report's sequence number.
        seq: u64,
        /// This tracker's records string, to cross-check the match.
        records: String,
    },
    /// Not reported because ERROR logging was off (`needReport()` false).
    Unlogged,
}

/// Counters over the detector's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakStats {
    /// `track` calls (not `trackForcibly`).
    pub track_calls: u64,
    /// `track` calls that returned a tracker.
    pub tracked: u64,
    /// `trackForcibly` calls.
    pub forced: u64,
    /// Successful `close` calls.
    pub closed: u64,
    /// Trackers enqueued because their referent was collected unclosed.
    pub enqueued: u64,
    /// Drained trackers that were still in `allLeaks`: leaks.
    pub leaks: u64,
    /// Leaks reported (one `LEAK:` each).
    pub reported: u64,
    /// Leaks not reported because an identical records string already was.
    pub duplicate_leaks: u64,
    /// Records replaced by back-off (`droppedRecords`, summed over trackers).
    pub dropped_records: u64,
}
