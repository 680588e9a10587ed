//! Each check passes on a good state and fails on a corrupted one.

use super::checks::*;
use super::*;
use crate::invariant::{EVERY_LEAK_REPORTED, PARANOID_TRACKS_EVERYTHING, RELEASED_NEVER_REPORTED};
use crate::mutant::Mutant;
use crate::profile::LeakProfile;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

fn config() -> LeakConfig {
    LeakConfig::from_profile(&LeakProfile::netty_4_1())
}

fn creation(site: &str) -> Record {
    Record::at("PooledByteBufAllocator", "directBuffer", site)
}

/// Two leaks with the same records and one with different records, one released
/// buffer, then a GC and a tracked sentinel allocation.
fn scenario(config: LeakConfig) -> (LeakDetector, BTreeSet<TrackerId>, BTreeSet<TrackerId>) {
    let mut d = LeakDetector::new(config);
    let leaked: BTreeSet<_> = [
        d.track_forcibly(1, creation("decoder")),
        d.track_forcibly(2, creation("decoder")),
        d.track_forcibly(3, creation("state")),
    ]
    .into();
    let released = d.track_forcibly(4, creation("decoder"));
    let closed: BTreeSet<_> = [released].into();
    assert!(d.close_on_release(released, true));
    for &id in leaked.iter().chain(&closed) {
        d.on_referent_collected(id);
    }
    d.track_forcibly(5, creation("sentinel"));
    (d, leaked, closed)
}

#[test]
fn released_never_reported_passes_then_catches_a_false_leak() {
    let (d, _, closed) = scenario(config());
    assert_eq!(released_never_reported(&d, &closed), Ok(()));
    let mut bad = LeakDetector::new(config()).with_mutant(Mutant::CollectBeforeClose);
    let id = bad.track_forcibly(1, creation("a"));
    bad.close_on_release(id, true);
    let err = released_never_reported(&bad, &[id].into()).unwrap_err();
    assert_eq!(err.invariant, RELEASED_NEVER_REPORTED);
    assert_eq!(
        err.message,
        "tracker#1 (object 1) was closed by release() but reported as LEAK #0"
    );
}

#[test]
fn every_leak_reported_passes_with_duplicates_and_unlogged() {
    let (d, leaked, _) = scenario(config());
    assert_eq!(d.reports().len(), 2);
    assert_eq!(every_leak_reported(&d, &leaked), Ok(()));
    let mut quiet = config();
    quiet.error_logging = false;
    let (q, leaked, _) = scenario(quiet);
    assert!(q.reports().is_empty());
    assert_eq!(every_leak_reported(&q, &leaked), Ok(()));
}

#[test]
fn every_leak_reported_catches_missing_and_mismatched_outcomes() {
    let (good, leaked, _) = scenario(config());
    let first = *leaked.first().unwrap();

    let mut lost = good.clone();
    lost.outcomes_mut().remove(&first);
    let err = every_leak_reported(&lost, &leaked).unwrap_err();
    assert_eq!(
        (err.invariant, err.message.as_str()),
        (
            EVERY_LEAK_REPORTED,
            "tracker#1 leaked but was never reported"
        )
    );

    // Queue order: tracker 3 (state) is LEAK #0, tracker 2 (decoder) LEAK #1 and
    // tracker 1 a duplicate of LEAK #1.
    assert!(matches!(
        good.outcomes()[&TrackerId(1)],
        LeakOutcome::DuplicateOf { seq: 1, .. }
    ));
    let mut renamed = good.clone();
    renamed.reports_mut()[0].tracker = TrackerId(99);
    let err = every_leak_reported(&renamed, &leaked).unwrap_err();
    assert_eq!(
        err.message,
        "tracker#3 is recorded as LEAK #0, which does not name it"
    );

    let mut altered = good.clone();
    altered.reports_mut()[1].records_text.push('!');
    let err = every_leak_reported(&altered, &leaked).unwrap_err();
    assert_eq!(
        err.message,
        "tracker#1 was not reported as a duplicate of LEAK #1, whose records differ"
    );

    // A leak still sitting in the queue (no tracked allocation since the GC).
    let mut d = LeakDetector::new(config());
    let id = d.track_forcibly(1, creation("a"));
    d.on_referent_collected(id);
    let err = every_leak_reported(&d, &[id].into()).unwrap_err();
    assert_eq!(
        err.message,
        "tracker#1 leaked but is still queued after a tracked allocation"
    );
}

#[test]
fn paranoid_tracks_everything_counts_trackers() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut d = LeakDetector::new(config().with_level(LeakLevel::Paranoid));
    for i in 0..300 {
        d.track(&mut rng, i, creation("a")).unwrap();
    }
    let s = d.stats();
    assert_eq!(
        paranoid_tracks_everything(d.level(), s.track_calls, s.tracked),
        Ok(())
    );
    let err = paranoid_tracks_everything(d.level(), s.track_calls, s.tracked - 1).unwrap_err();
    assert_eq!(err.invariant, PARANOID_TRACKS_EVERYTHING);
    assert_eq!(err.message, "PARANOID tracked 299 of 300 allocations");
    // Sampling levels are not held to it.
    assert_eq!(
        paranoid_tracks_everything(LeakLevel::Simple, 300, 2),
        Ok(())
    );
}
