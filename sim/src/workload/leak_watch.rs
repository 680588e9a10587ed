//! The workload's side of the JVM's one leak detector: the model's own
//! `ResourceLeakDetector` (sampling draws, trackers, reference queue, report-once rule),
//! fed with what the workload knows about reachability.
//!
//! Only sampled buffers have trackers. A tracked buffer released to 0 closes its
//! tracker; one never released becomes unreachable when its message is done, and the
//! next garbage collection enqueues its tracker. As in Netty, the queue is drained —
//! and `LEAK:` printed, once per distinct record — only at a later *tracked*
//! allocation. The checks restate Netty's rules (`ResourceLeakDetector.track`,
//! `reportLeak`) against the detector after every drain.

use super::ledger::Ledger;
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::checks::{every_leak_reported, RELEASED_NEVER_REPORTED};
use leakproof_model::leak::{
    derivative_tracking, AccessKind, DerivativeTracking, LeakLevel, LeakOutcome, Record, TrackerId,
    WrapperKind,
};
use leakproof_model::Violation;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One `LEAK:` message and when it was printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeakEvent {
    /// Simulated microseconds since start.
    pub time_us: u64,
    /// The stage whose buffer it reports.
    pub stage: String,
    /// The full log message.
    pub text: String,
}

/// Trackers by fate, and the reports so far.
#[derive(Debug)]
pub struct LeakWatch {
    wrapper: Option<WrapperKind>,
    next_object: u64,
    /// Unreachable, unclosed trackers waiting for the next collection, with their stage.
    unreachable: Vec<(TrackerId, usize)>,
    /// Enqueued by a collection, not yet drained: tracker → stage.
    collected: BTreeMap<TrackerId, usize>,
    events: Vec<LeakEvent>,
    /// Trackers made (sampled, forced).
    pub trackers: u64,
}

impl LeakWatch {
    /// A watch over a detector at `level`.
    pub fn new(level: LeakLevel) -> Self {
        LeakWatch {
            wrapper: WrapperKind::for_level(level),
            next_object: 1,
            unreachable: Vec::new(),
            collected: BTreeMap::new(),
            events: Vec::new(),
            trackers: 0,
        }
    }

    /// Every `LEAK:` printed so far.
    pub fn events(&self) -> &[LeakEvent] {
        &self.events
    }

    /// Trackers waiting for a collection or a drain.
    pub fn pending(&self) -> usize {
        self.unreachable.len() + self.collected.len()
    }

    /// `toLeakAwareBuffer` of a new buffer made at `site`: sampled at SIMPLE/ADVANCED,
    /// always at PARANOID. A tracked allocation drains the queue first.
    pub fn track_root(
        &mut self,
        jvm: &Jvm,
        method: &str,
        site: &str,
        ctx: &mut DrainContext<'_>,
    ) -> Result<Option<TrackerId>, Drained> {
        if self.wrapper.is_none() {
            return Ok(None);
        }
        let object = self.object();
        let id = jvm
            .with_rng(|rng| {
                jvm.leak_detector().track_with(rng, object, || {
                    Record::at("PooledByteBufAllocator", method, site)
                })
            })
            .map_err(Drained::Java)?;
        self.after_track(jvm, id, ctx)
    }

    /// `retainedSlice()` of a buffer whose tracker is `parent`: forced or sampled as
    /// the profile says (#13436), untracked when the parent is.
    pub fn track_slice(
        &mut self,
        jvm: &Jvm,
        parent: Option<TrackerId>,
        site: &str,
        ctx: &mut DrainContext<'_>,
    ) -> Result<Option<TrackerId>, Drained> {
        let rule = derivative_tracking(
            parent.is_some(),
            AccessKind::RetainedSlice,
            true,
            &jvm.profile().leak,
            jvm.mutant(),
        );
        let object = self.object();
        let creation = || Record::at("ByteBuf", "retainedSlice", site);
        let id = match rule {
            DerivativeTracking::ForceOwn => {
                Some(jvm.leak_detector().track_forcibly(object, creation()))
            }
            DerivativeTracking::SampleOwn => jvm
                .with_rng(|rng| jvm.leak_detector().track(rng, object, creation()))
                .map_err(Drained::Java)?,
            DerivativeTracking::Untracked | DerivativeTracking::ShareParent => None,
        };
        self.after_track(jvm, id, ctx)
    }

    fn object(&mut self) -> u64 {
        self.next_object += 1;
        self.next_object
    }

    /// After a `track`: a new tracker means the queue was drained; check and account.
    fn after_track(
        &mut self,
        jvm: &Jvm,
        id: Option<TrackerId>,
        ctx: &mut DrainContext<'_>,
    ) -> Result<Option<TrackerId>, Drained> {
        if id.is_some() {
            self.trackers += 1;
            self.drained(jvm, ctx).map_err(Drained::Violation)?;
        }
        Ok(id)
    }

    /// `release()` brought a tracked buffer to 0: `close()`.
    pub fn close(&mut self, jvm: &Jvm, id: TrackerId) {
        jvm.leak_detector().close_on_release(id, true);
    }

    /// A tracked buffer of `stage` became unreachable without being released.
    pub fn unreachable(&mut self, id: TrackerId, stage: usize) {
        self.unreachable.push((id, stage));
    }

    /// A garbage collection: every unreachable, unclosed tracker is enqueued.
    pub fn collect(&mut self, jvm: &Jvm) {
        let mut detector = jvm.leak_detector();
        for (id, stage) in self.unreachable.drain(..) {
            detector.on_referent_collected(id);
            self.collected.insert(id, stage);
        }
    }

    /// The queue was drained by a tracked allocation: every collected tracker must have
    /// an outcome (invariant 12), every new report must name one of them (invariant 11:
    /// a released buffer is never reported), and the ledger counts them per stage.
    fn drained(&mut self, jvm: &Jvm, ctx: &mut DrainContext<'_>) -> Result<(), Violation> {
        let mut detector = jvm.leak_detector();
        let leaked: BTreeSet<TrackerId> = self.collected.keys().copied().collect();
        every_leak_reported(&detector, &leaked)?;
        for report in detector.take_new_reports() {
            let Some(&stage) = self.collected.get(&report.tracker) else {
                return Err(Violation {
                    invariant: RELEASED_NEVER_REPORTED,
                    message: format!(
                        "LEAK #{} names {}, which the workload released or never collected",
                        report.seq, report.tracker
                    ),
                });
            };
            self.events.push(LeakEvent {
                time_us: ctx.now_us,
                stage: ctx.ledger.tallies()[stage].stage.clone(),
                text: report.text,
            });
        }
        for (id, outcome) in detector.take_outcomes() {
            let Some(stage) = self.collected.remove(&id) else {
                continue;
            };
            let tally = ctx.ledger.tally_mut(stage);
            match outcome {
                LeakOutcome::Reported { .. } => tally.reported += 1,
                LeakOutcome::DuplicateOf { .. } => tally.reported_as_duplicate += 1,
                LeakOutcome::Unlogged => {}
            }
        }
        Ok(())
    }
}

/// What a drain needs from the simulation: the time and the ledger to count into.
pub struct DrainContext<'a> {
    /// Now, in simulated microseconds.
    pub now_us: u64,
    /// The per-stage counters.
    pub ledger: &'a mut Ledger,
}

/// Why tracking failed.
#[derive(Debug)]
pub enum Drained {
    /// Netty threw (a non-positive sampling interval).
    Java(leakproof_model::JavaException),
    /// A leak-detector invariant broke during the drain.
    Violation(Violation),
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakproof_model::jvm::JvmConfig;

    /// A tracked buffer never released, collected, then drained by the next tracked
    /// allocation: one `LEAK:` and its stage's tally counts it as reported, once.
    #[test]
    fn a_drained_leak_counts_as_reported_in_its_stage() {
        let mut config = JvmConfig::default();
        config.leak.level = LeakLevel::Paranoid;
        let jvm = Jvm::new(config);
        let mut ledger = Ledger::new(["decode"].into_iter());
        let mut watch = LeakWatch::new(LeakLevel::Paranoid);
        let mut ctx = DrainContext {
            now_us: 1,
            ledger: &mut ledger,
        };
        let leaked = watch.track_root(&jvm, "directBuffer", "decode", &mut ctx);
        watch.unreachable(leaked.unwrap().unwrap(), 0);
        watch.collect(&jvm);
        let next = watch.track_root(&jvm, "directBuffer", "decode", &mut ctx);
        assert!(next.unwrap().is_some());
        assert_eq!((watch.events().len(), watch.pending()), (1, 0));
        let tally = &ledger.tallies()[0];
        assert_eq!((tally.reported, tally.reported_as_duplicate), (1, 0));
    }
}
