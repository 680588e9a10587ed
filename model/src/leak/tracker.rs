//! One `DefaultResourceLeak`: the weak reference to a tracked buffer, its record stack
//! and its drop counter (4.1.128 `DefaultResourceLeak.record0`).

use super::message::{generate_report, RecordsText};
use super::record::Record;
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A tracker's identity (`DefaultResourceLeak` object), assigned 1, 2, 3 … per detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackerId(pub u64);

impl fmt::Display for TrackerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tracker#{}", self.0)
    }
}

/// What one `record()` call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The tracker is closed or already reported (`head == null`): nothing happened.
    Closed,
    /// Recording is off (`TARGET_RECORDS <= 0`).
    Off,
    /// Pushed on top of the stack.
    Pushed,
    /// Replaced the previous top (`droppedRecords` incremented).
    ReplacedTop,
}

/// The state of one tracker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracker {
    /// The tracked object's identity (Netty stores its identity hash).
    pub object: u64,
    /// The record stack, creation record first; `None` once closed or reported
    /// (`head == null`).
    records: Option<Vec<Record>>,
    /// `droppedRecords`.
    dropped: u32,
    /// `Reference.clear()` was called: the tracker will never be enqueued.
    pub cleared: bool,
    /// The referent was collected and the tracker sits in (or passed through) the queue.
    pub enqueued: bool,
    /// Created by `trackForcibly`.
    pub forced: bool,
}

impl Tracker {
    /// A new tracker holding only its creation record.
    pub fn new(object: u64, creation: Record, forced: bool) -> Self {
        Tracker {
            object,
            records: Some(vec![creation]),
            dropped: 0,
            cleared: false,
            enqueued: false,
            forced,
        }
    }

    /// `record0(hint)`: once the stack holds `n >= target` records, draw
    /// `nextInt(1 << min(n - target, 30))` exactly once; a non-zero draw replaces the
    /// top instead of pushing. The creation record and the newest record always stay.
    pub fn record(&mut self, rng: &mut impl RngCore, record: Record, target: i32) -> RecordOutcome {
        if target <= 0 {
            return RecordOutcome::Off;
        }
        let Some(stack) = self.records.as_mut() else {
            return RecordOutcome::Closed;
        };
        let num_elements = i64::try_from(stack.len()).unwrap_or(i64::MAX);
        let mut dropped = false;
        if num_elements >= i64::from(target) {
            let back_off = (num_elements - i64::from(target)).min(30) as u32;
            dropped = rng.random_range(0..(1u32 << back_off)) != 0;
        }
        // A drop replaces the top, never the creation record: with one record and
        // target >= 1, n - target <= 0 and the draw is nextInt(1) == 0.
        if dropped {
            stack.pop();
        }
        stack.push(record);
        if dropped {
            self.dropped += 1;
            RecordOutcome::ReplacedTop
        } else {
            RecordOutcome::Pushed
        }
    }

    /// The record stack, creation record first (`None` once closed or reported).
    pub fn records(&self) -> Option<&[Record]> {
        self.records.as_deref()
    }

    /// `droppedRecords`.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// `toString()`: the records report without clearing (empty once closed).
    pub fn report(&self, target: i32) -> Option<RecordsText> {
        self.records
            .as_ref()
            .map(|r| generate_report(r, self.dropped, target))
    }

    /// `getReportAndClearRecords()`: the report, after which `head` is null.
    pub fn take_report(&mut self, target: i32) -> Option<RecordsText> {
        let report = self.report(target);
        self.records = None;
        report
    }

    /// `close()`'s effect on the tracker itself: `clear()` and `head = null`.
    pub fn clear_and_drop_records(&mut self) {
        self.cleared = true;
        self.records = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn rec(i: usize) -> Record {
        Record::at("ByteBuf", "retain", &format!("op#{i} on t0"))
    }

    #[test]
    fn below_target_every_record_is_pushed_without_drawing() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let untouched = rng.clone();
        let mut t = Tracker::new(7, rec(0), false);
        for i in 1..4 {
            assert_eq!(t.record(&mut rng, rec(i), 4), RecordOutcome::Pushed);
        }
        assert_eq!(rng, untouched, "no draws below the target");
        assert_eq!(t.records().unwrap().len(), 4);
        assert_eq!(t.dropped(), 0);
    }

    #[test]
    fn backoff_keeps_creation_and_newest_and_counts_drops() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut t = Tracker::new(7, rec(0), false);
        let mut replaced = 0;
        for i in 1..=200 {
            if t.record(&mut rng, rec(i), 4) == RecordOutcome::ReplacedTop {
                replaced += 1;
            }
            let stack = t.records().unwrap();
            assert_eq!(stack[0], rec(0), "creation record kept");
            assert_eq!(stack.last(), Some(&rec(i)), "newest record kept");
        }
        assert_eq!(t.dropped(), replaced);
        let len = t.records().unwrap().len() as u32;
        assert_eq!(
            len + t.dropped(),
            201,
            "every record is either kept or counted dropped"
        );
        // Back-off makes the stack grow only logarithmically past the target.
        assert!((6..=14).contains(&len), "stack length {len}");
    }

    #[test]
    fn the_fifth_access_record_is_the_first_that_can_replace_the_top() {
        // n = 4 >= target 4 gives back-off 0: nextInt(1) is 0, so it is pushed;
        // n = 5 gives nextInt(2): replaced with probability 1/2.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut t = Tracker::new(7, rec(0), false);
        for i in 1..=4 {
            assert_eq!(t.record(&mut rng, rec(i), 4), RecordOutcome::Pushed);
        }
        assert_eq!(t.records().unwrap().len(), 5);
    }

    #[test]
    fn target_one_never_drops_the_creation_record_and_zero_records_nothing() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut t = Tracker::new(7, rec(0), false);
        for i in 1..50 {
            t.record(&mut rng, rec(i), 1);
            assert_eq!(t.records().unwrap()[0], rec(0));
        }
        let mut off = Tracker::new(7, rec(0), false);
        assert_eq!(off.record(&mut rng, rec(1), 0), RecordOutcome::Off);
        assert_eq!(off.record(&mut rng, rec(1), -3), RecordOutcome::Off);
        assert_eq!(off.records().unwrap().len(), 1);
    }

    #[test]
    fn closed_trackers_ignore_records_and_report_nothing() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut t = Tracker::new(7, rec(0), false);
        t.clear_and_drop_records();
        assert_eq!(t.record(&mut rng, rec(1), 4), RecordOutcome::Closed);
        assert_eq!(t.report(4), None);
        assert!(t.cleared);
    }
}
