//! `ResourceLeakDetector<ByteBuf>` (4.1.128) as plain data: trackers, `allLeaks`, the
//! reference queue, `reportedLeaks` and the reports it logs.
//!
//! The JVM value owns one detector behind its lock; buffers call `track`, `record` and
//! `close_on_release`, the GC calls `on_referent_collected`. Randomness comes from the
//! caller's seeded RNG: one `nextInt(samplingInterval)` draw per `track` call at SIMPLE
//! and ADVANCED, none at DISABLED or PARANOID or for `trackForcibly`, and one
//! `nextInt(1 << backOff)` draw per `record` once the stack has reached the target.

use super::config::LeakConfig;
use super::level::LeakLevel;
use super::listener::LeakListener;
use super::message::{traced_leak_message, untraced_leak_message, RecordsText, RESOURCE_TYPE};
use super::record::Record;
use super::report::{LeakOutcome, LeakReport, LeakStats};
use super::tracker::{RecordOutcome, Tracker, TrackerId};
use crate::error::{JavaException, JavaResult};
use crate::mutant::Mutant;
use rand::{Rng, RngCore};
use std::collections::{BTreeMap, BTreeSet};

/// `ThreadLocalRandom.nextInt(bound)`'s message for `bound <= 0`.
pub const BAD_BOUND: &str = "bound must be positive";

/// The detector's whole state.
#[derive(Clone, Debug)]
pub struct LeakDetector {
    config: LeakConfig,
    /// The JVM's mutant (only `CollectBeforeClose` concerns the detector).
    mutant: Mutant,
    next_id: u64,
    /// Trackers still in `allLeaks` or in the queue; closed or disposed ones are gone.
    trackers: BTreeMap<TrackerId, Tracker>,
    all_leaks: BTreeSet<TrackerId>,
    /// The `ReferenceQueue`: Java's queue is a stack, `poll` takes the newest entry.
    queue: Vec<TrackerId>,
    /// `reportedLeaks`: each reported records string, with the report that carried it.
    reported_leaks: BTreeMap<String, u64>,
    reports: Vec<LeakReport>,
    report_cursor: usize,
    outcomes: BTreeMap<TrackerId, LeakOutcome>,
    stats: LeakStats,
    listener: Option<LeakListener>,
}

impl LeakDetector {
    /// An empty detector.
    pub fn new(config: LeakConfig) -> Self {
        LeakDetector {
            config,
            mutant: Mutant::None,
            next_id: 1,
            trackers: BTreeMap::new(),
            all_leaks: BTreeSet::new(),
            queue: Vec::new(),
            reported_leaks: BTreeMap::new(),
            reports: Vec::new(),
            report_cursor: 0,
            outcomes: BTreeMap::new(),
            stats: LeakStats::default(),
            listener: None,
        }
    }

    /// The same detector with `mutant` switched on.
    pub fn with_mutant(mut self, mutant: Mutant) -> Self {
        self.mutant = mutant;
        self
    }

    /// `setLeakListener(listener)`: replaces the previous one (`None` removes it).
    pub fn set_leak_listener(&mut self, listener: Option<LeakListener>) {
        self.listener = listener;
    }

    /// The configuration.
    pub fn config(&self) -> &LeakConfig {
        &self.config
    }

    /// The current level.
    pub fn level(&self) -> LeakLevel {
        self.config.level
    }

    /// `ResourceLeakDetector.setLevel`: affects later `track` calls only.
    pub fn set_level(&mut self, level: LeakLevel) {
        self.config.level = level;
    }

    /// `track(obj)`: DISABLED → none; PARANOID → always; otherwise one
    /// `nextInt(samplingInterval) == 0` draw. A tracked allocation first runs
    /// [`LeakDetector::report_leak`]. A non-positive interval is Java's
    /// `IllegalArgumentException: bound must be positive`, thrown before any report.
    pub fn track(
        &mut self,
        rng: &mut impl RngCore,
        object: u64,
        creation: Record,
    ) -> JavaResult<Option<TrackerId>> {
        self.track_with(rng, object, || creation)
    }

    /// [`LeakDetector::track`] building the creation record only when tracked.
    pub fn track_with(
        &mut self,
        rng: &mut impl RngCore,
        object: u64,
        creation: impl FnOnce() -> Record,
    ) -> JavaResult<Option<TrackerId>> {
        self.stats.track_calls += 1;
        let sampled = match self.config.level {
            LeakLevel::Disabled => false,
            LeakLevel::Paranoid => true,
            LeakLevel::Simple | LeakLevel::Advanced => {
                let bound = u32::try_from(self.config.sampling_interval)
                    .ok()
                    .filter(|b| *b > 0)
                    .ok_or_else(|| JavaException::illegal_argument(BAD_BOUND))?;
                rng.random_range(0..bound) == 0
            }
        };
        if !sampled {
            return Ok(None);
        }
        self.stats.tracked += 1;
        Ok(Some(self.new_tracker(object, creation(), false)))
    }

    /// `trackForcibly(obj)`: always a tracker, at every level, without a draw; it runs
    /// [`LeakDetector::report_leak`] first like every tracked allocation.
    pub fn track_forcibly(&mut self, object: u64, creation: Record) -> TrackerId {
        self.stats.forced += 1;
        self.new_tracker(object, creation, true)
    }

    fn new_tracker(&mut self, object: u64, creation: Record, forced: bool) -> TrackerId {
        self.report_leak();
        let id = TrackerId(self.next_id);
        self.next_id += 1;
        self.trackers
            .insert(id, Tracker::new(object, creation, forced));
        self.all_leaks.insert(id);
        id
    }

    /// `record()` / `record(hint)` on tracker `id` (a no-op once closed or reported).
    pub fn record(
        &mut self,
        rng: &mut impl RngCore,
        id: TrackerId,
        record: Record,
    ) -> RecordOutcome {
        let target = self.config.target_records;
        let Some(tracker) = self.trackers.get_mut(&id) else {
            return RecordOutcome::Closed;
        };
        let outcome = tracker.record(rng, record, target);
        if outcome == RecordOutcome::ReplacedTop {
            self.stats.dropped_records += 1;
        }
        outcome
    }

    /// `close()`: removes the tracker from `allLeaks`, clears it so it is never
    /// enqueued and drops its records. True only the first time.
    pub fn close(&mut self, id: TrackerId) -> bool {
        if !self.all_leaks.remove(&id) {
            return false;
        }
        self.stats.closed += 1;
        if let Some(tracker) = self.trackers.get_mut(&id) {
            tracker.clear_and_drop_records();
            if !tracker.enqueued {
                self.trackers.remove(&id);
            }
        }
        true
    }

    /// What a leak-aware wrapper's `release()` does when the count reaches 0:
    /// `close(trackedByteBuf)`, with `reachabilityFence0` keeping the buffer alive.
    ///
    /// Under [`Mutant::CollectBeforeClose`] (#6087/#6103, #8410) the fence is missing:
    /// when `referent_unreachable` (the caller held the last reference), the GC
    /// collects the buffer after deallocation and before `close`, and another thread's
    /// tracked allocation drains the queue in that window, so the released buffer is
    /// reported as a (false) LEAK. The model takes that worst-case schedule.
    pub fn close_on_release(&mut self, id: TrackerId, referent_unreachable: bool) -> bool {
        if self.mutant == Mutant::CollectBeforeClose && referent_unreachable {
            self.on_referent_collected(id);
            self.report_leak();
        }
        self.close(id)
    }

    /// The GC found tracker `id`'s buffer unreachable: a tracker that was not cleared
    /// (closed) is enqueued once; closed and unknown trackers are ignored. The JVM's
    /// Reference Handler thread enqueues after the GC; the model enqueues at once.
    pub fn on_referent_collected(&mut self, id: TrackerId) {
        if let Some(tracker) = self.trackers.get_mut(&id) {
            if !tracker.cleared && !tracker.enqueued {
                tracker.enqueued = true;
                self.queue.push(id);
                self.stats.enqueued += 1;
            }
        }
    }

    /// `reportLeak()`: drains the queue. `dispose()` (clear, then remove from
    /// `allLeaks`) is true for a tracker never closed: a leak, reported once per
    /// distinct records string, or silently disposed when ERROR logging is off.
    pub fn report_leak(&mut self) {
        while let Some(id) = self.queue.pop() {
            let Some(mut tracker) = self.trackers.remove(&id) else {
                continue;
            };
            tracker.cleared = true;
            if !self.all_leaks.remove(&id) {
                continue;
            }
            self.stats.leaks += 1;
            if !self.config.error_logging {
                self.outcomes.insert(id, LeakOutcome::Unlogged);
                continue;
            }
            let records = tracker
                .take_report(self.config.target_records)
                .map(|r| r.text)
                .unwrap_or_default();
            let outcome = match self.reported_leaks.get(&records) {
                Some(&seq) => {
                    self.stats.duplicate_leaks += 1;
                    LeakOutcome::DuplicateOf {
                        seq,
                        records: records.clone(),
                    }
                }
                None => {
                    let seq = self.reports.len() as u64;
                    let text = if records.is_empty() {
                        untraced_leak_message()
                    } else {
                        traced_leak_message(&records)
                    };
                    self.reported_leaks.insert(records.clone(), seq);
                    if let Some(listener) = &self.listener {
                        listener.on_leak(RESOURCE_TYPE, &records);
                    }
                    self.reports.push(LeakReport {
                        tracker: id,
                        object: tracker.object,
                        records_text: records,
                        text,
                        seq,
                    });
                    self.stats.reported += 1;
                    LeakOutcome::Reported { seq }
                }
            };
            self.outcomes.insert(id, outcome);
        }
    }

    /// Every report so far, in order.
    pub fn reports(&self) -> &[LeakReport] {
        &self.reports
    }

    /// The reports made since the previous call.
    pub fn take_new_reports(&mut self) -> Vec<LeakReport> {
        let new = self.reports[self.report_cursor..].to_vec();
        self.report_cursor = self.reports.len();
        new
    }

    /// What happened to each drained leak, by tracker (one small entry per detected
    /// leak, kept for [`super::checks::every_leak_reported`]).
    pub fn outcomes(&self) -> &BTreeMap<TrackerId, LeakOutcome> {
        &self.outcomes
    }

    /// Removes the outcomes recorded so far and returns them: a long simulation folds
    /// them into counters after checking them, instead of keeping one entry per leak.
    pub fn take_outcomes(&mut self) -> BTreeMap<TrackerId, LeakOutcome> {
        std::mem::take(&mut self.outcomes)
    }

    /// Counters.
    pub fn stats(&self) -> LeakStats {
        self.stats
    }

    /// `allLeaks`: trackers neither closed nor disposed.
    pub fn all_leaks(&self) -> &BTreeSet<TrackerId> {
        &self.all_leaks
    }

    /// The reference queue, oldest entry first (`poll` takes the last).
    pub fn queued(&self) -> &[TrackerId] {
        &self.queue
    }

    /// `reportedLeaks`: every records string reported so far.
    pub fn reported_records(&self) -> impl Iterator<Item = &str> {
        self.reported_leaks.keys().map(String::as_str)
    }

    /// A tracker still in `allLeaks` or in the queue.
    pub fn tracker(&self, id: TrackerId) -> Option<&Tracker> {
        self.trackers.get(&id)
    }

    /// The tracker's `toString()` records report (duplicates counted), if it has records.
    pub fn records_text(&self, id: TrackerId) -> Option<RecordsText> {
        self.trackers.get(&id)?.report(self.config.target_records)
    }

    /// Test-only access for corrupting state in the checks' negative tests.
    #[cfg(test)]
    pub(crate) fn reports_mut(&mut self) -> &mut Vec<LeakReport> {
        &mut self.reports
    }

    /// Test-only access for corrupting state in the checks' negative tests.
    #[cfg(test)]
    pub(crate) fn outcomes_mut(&mut self) -> &mut BTreeMap<TrackerId, LeakOutcome> {
        &mut self.outcomes
    }
}
