//! The leak detector's named invariants (netty.md §9, 11–12; §8 rows 20 and 22).
//! Every function is `#[inline]`, compiled into its caller (see `check`).

use super::detector::LeakDetector;
use super::level::LeakLevel;
use super::report::LeakOutcome;
use super::tracker::TrackerId;
use crate::violation::Violation;
use std::collections::BTreeSet;

/// Name of §8 row 20's check: a tracked buffer's pooled retained derivative is tracked.
pub use crate::invariant::DERIVATIVES_TRACKED;
/// Name of invariant 12: every unclosed, collected, tracked buffer is reported at the
/// next tracked allocation unless identical records already were.
pub use crate::invariant::EVERY_LEAK_REPORTED;
/// Name of the PARANOID completeness check.
pub use crate::invariant::PARANOID_TRACKS_EVERYTHING;
/// Name of invariant 11: a buffer closed before it became unreachable is never reported.
pub use crate::invariant::RELEASED_NEVER_REPORTED;

/// §8 row 20 (#13414 → #13436, 4.1.94+): `SimpleLeakAwareByteBuf.unwrappedDerived`
/// (SimpleLeakAwareByteBuf.java:134–144 at 4.1.128) gives a `PooledSlicedByteBuf` or
/// `PooledDuplicatedByteBuf` derived by `retainedSlice`/`retainedDuplicate` from a
/// tracked buffer its own tracker with `trackForcibly`: it is never left to sampling.
/// The caller decides the rule applies (profile, tracked source, pooled derivative);
/// `derivative_tracked` is what the model did.
#[inline]
pub fn tracked_parent_tracks_derivative(
    derivative_tracked: bool,
    what: &dyn std::fmt::Display,
) -> Result<(), Violation> {
    if derivative_tracked {
        return Ok(());
    }
    Err(Violation {
        invariant: DERIVATIVES_TRACKED,
        message: format!("{what}: the pooled retained derivative of a tracked buffer is untracked"),
    })
}

/// Invariant 11: no report names a tracker in `closed` (the trackers whose buffers
/// the shadow model saw released to 0 before they became unreachable).
#[inline]
pub fn released_never_reported(
    detector: &LeakDetector,
    closed: &BTreeSet<TrackerId>,
) -> Result<(), Violation> {
    match detector
        .reports()
        .iter()
        .find(|r| closed.contains(&r.tracker))
    {
        None => Ok(()),
        Some(r) => Err(Violation {
            invariant: RELEASED_NEVER_REPORTED,
            message: format!(
                "{} (object {}) was closed by release() but reported as LEAK #{}",
                r.tracker, r.object, r.seq
            ),
        }),
    }
}

/// Invariant 12: after the caller ran a GC and then one tracked allocation, each
/// tracker in `leaked` (buffer never released, now unreachable) was reported, or was
/// skipped because report `seq` already carried an identical records string, or was
/// disposed silently because ERROR logging is off.
#[inline]
pub fn every_leak_reported(
    detector: &LeakDetector,
    leaked: &BTreeSet<TrackerId>,
) -> Result<(), Violation> {
    let fail = |message: String| {
        Err(Violation {
            invariant: EVERY_LEAK_REPORTED,
            message,
        })
    };
    for &id in leaked {
        let report_at = |seq: u64| {
            usize::try_from(seq)
                .ok()
                .and_then(|i| detector.reports().get(i))
        };
        match detector.outcomes().get(&id) {
            None if detector.queued().contains(&id) => {
                return fail(format!(
                    "{id} leaked but is still queued after a tracked allocation"
                ));
            }
            None => return fail(format!("{id} leaked but was never reported")),
            // needReport(): nothing is logged when ERROR logging is off
            // (ResourceLeakDetector.java:295–301).
            Some(LeakOutcome::Unlogged) if !detector.config().error_logging => {}
            Some(LeakOutcome::Unlogged) => {
                return fail(format!(
                    "{id} leaked and was not logged although ERROR logging is on"
                ))
            }
            Some(&LeakOutcome::Reported { seq }) => match report_at(seq) {
                Some(r) if r.tracker == id => {}
                _ => {
                    return fail(format!(
                        "{id} is recorded as LEAK #{seq}, which does not name it"
                    ))
                }
            },
            // reportedLeaks.add(records) is false for a records string already
            // reported (ResourceLeakDetector.java:317).
            Some(LeakOutcome::DuplicateOf { seq, records }) => match report_at(*seq) {
                Some(r) if r.records_text == *records && r.tracker != id => {}
                _ => {
                    return fail(format!(
                        "{id} was not reported as a duplicate of LEAK #{seq}, whose records differ"
                    ))
                }
            },
        }
    }
    Ok(())
}

/// At PARANOID every allocation gets a tracker: `tracked == allocations`.
#[inline]
pub fn paranoid_tracks_everything(
    level: LeakLevel,
    allocations: u64,
    tracked: u64,
) -> Result<(), Violation> {
    if level != LeakLevel::Paranoid || tracked == allocations {
        return Ok(());
    }
    Err(Violation {
        invariant: PARANOID_TRACKS_EVERYTHING,
        message: format!("PARANOID tracked {tracked} of {allocations} allocations"),
    })
}
