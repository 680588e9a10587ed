//! What a run found, classified (DESIGN.md "Three kinds of outcome").

use crate::shadow::LeakedGen;
use leakproof_model::alloc::pooled::PooledAllocatorMetric;
use leakproof_model::alloc::UnpooledMetricSnapshot;
use leakproof_model::coverage::Coverage;
use leakproof_model::error::{DirectShortfall, RefCntFault};
use leakproof_model::op::Program;
use leakproof_model::Violation;
use serde::Serialize;

/// Application misuse the shadow predicted (reported, never a failure).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MisuseKind {
    /// `release()` of a released buffer.
    DoubleRelease,
    /// `release(k)` with k above the count.
    OverRelease,
    /// `retain()` of a released buffer (or creating a retained derivative of one).
    RetainAfterRelease,
    /// Any other access to a released buffer (`refCnt: 0`).
    UseAfterRelease,
    /// A handle acting on a recycled object's new incarnation (ABA, #12387).
    StaleReference,
}

impl MisuseKind {
    /// The misuse a refcount call that raised `IllegalReferenceCountException` made.
    pub fn of(fault: RefCntFault) -> Self {
        match fault {
            RefCntFault::Decrement { ref_cnt: 0, .. } => MisuseKind::DoubleRelease,
            RefCntFault::Decrement { .. } => MisuseKind::OverRelease,
            RefCntFault::Increment { .. } => MisuseKind::RetainAfterRelease,
            RefCntFault::Access { .. } => MisuseKind::UseAfterRelease,
        }
    }
}

/// One misuse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Misuse {
    /// Step index.
    pub step: usize,
    /// Kind.
    pub kind: MisuseKind,
    /// What happened (names both owners for stale references).
    pub message: String,
}

/// A real Netty bug of the profile, reported with its issue number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KnownBug {
    /// The Netty issue, e.g. `#12749`.
    pub issue: &'static str,
    /// The invariant it breaks.
    pub invariant: &'static str,
    /// What was seen.
    pub message: String,
}

/// A named finding that is neither a failure nor misuse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Its stable name (e.g. `stranded_by_add_free_race`).
    pub name: &'static str,
    /// What was seen.
    pub message: String,
}

/// An allocation that failed past Netty's direct-memory limit: an expected outcome,
/// typed rather than named (it is not an invariant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Exhaustion {
    /// Step index.
    pub step: usize,
    /// The `OutOfDirectMemoryError`'s numbers.
    pub shortfall: DirectShortfall,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// Every check held.
    Passed,
    /// An invariant was violated at `step` (`None`: in the end-of-program phase).
    Violation {
        /// Where.
        step: Option<usize>,
        /// What.
        violation: Violation,
    },
    /// The configuration was rejected (as Netty's constructor rejects it).
    Rejected {
        /// Netty's message.
        message: String,
    },
}

/// Everything a run reports.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// The outcome.
    pub outcome: Outcome,
    /// The program as executed, in resolved form (skipped steps left out).
    pub resolved: Program,
    /// Steps executed.
    pub steps_run: usize,
    /// Steps skipped (nothing to act on).
    pub steps_skipped: usize,
    /// Invariant checks evaluated.
    pub checks_run: u64,
    /// Misuse, in order.
    pub misuse: Vec<Misuse>,
    /// Known bugs of the profile.
    pub known_bugs: Vec<KnownBug>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Allocations that failed past Netty's direct-memory limit (an expected outcome
    /// under a small `io.netty.maxDirectMemory`, checked against the limit).
    pub exhausted: Vec<Exhaustion>,
    /// Leaked generations, attributed to their creating step and pins.
    pub leaked: Vec<LeakedGen>,
    /// Σ leaked normalized bytes.
    pub leaked_bytes: u64,
    /// The leak detector's `LEAK:` reports (texts).
    pub leak_reports: Vec<String>,
    /// The allocators' metrics when the run ended: `None` if it never started or its
    /// observer did not ask for them ([`Observer::metrics`](super::Observer::metrics)).
    pub metrics: Option<RunMetrics>,
    /// The model's event counts when the run ended (`docs/coverage.md`).
    pub coverage: Coverage,
}

/// Netty's metrics at the end of a run, as the program could read them.
#[derive(Clone, Debug, Serialize)]
pub struct RunMetrics {
    /// `PooledByteBufAllocator.metric()`.
    pub pooled: PooledAllocatorMetric,
    /// `UnpooledByteBufAllocator.metric()` of the program's unpooled allocator.
    pub unpooled: UnpooledMetricSnapshot,
    /// `PlatformDependent.usedDirectMemory()` (−1 without a counter).
    pub used_direct_memory: i64,
}

impl RunReport {
    /// The violation, if the run failed.
    pub fn violation(&self) -> Option<&Violation> {
        match &self.outcome {
            Outcome::Violation { violation, .. } => Some(violation),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misuse_kind_follows_the_refcount_call() {
        let kind = |e: leakproof_model::JavaException| MisuseKind::of(e.ref_cnt_fault().unwrap());
        use leakproof_model::JavaException as X;
        assert_eq!(kind(X::ref_cnt_change(0, -1)), MisuseKind::DoubleRelease);
        assert_eq!(kind(X::ref_cnt_change(1, -2)), MisuseKind::OverRelease);
        assert_eq!(
            kind(X::ref_cnt_change(0, 1)),
            MisuseKind::RetainAfterRelease
        );
        assert_eq!(kind(X::ref_cnt(0)), MisuseKind::UseAfterRelease);
    }
}
