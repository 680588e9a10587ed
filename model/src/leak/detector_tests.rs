//! Behaviour tests of the detector as a whole.

use super::*;
use crate::error::JavaClass;
use crate::mutant::Mutant;
use crate::profile::LeakProfile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn detector(level: LeakLevel) -> LeakDetector {
    LeakDetector::new(LeakConfig::from_profile(&LeakProfile::netty_4_1()).with_level(level))
}

fn creation(site: &str) -> Record {
    Record::at("PooledByteBufAllocator", "directBuffer", site)
}

/// Index (0-based) of the first `track` call that returns a tracker.
fn first_tracked(seed: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut d = detector(LeakLevel::Simple);
    (0u64..)
        .find(|&i| d.track(&mut rng, i, creation("alloc")).unwrap().is_some())
        .unwrap()
}

#[test]
fn seeded_sampling_picks_a_fixed_first_allocation() {
    // Pinned: with ChaCha8 seed 7 the 1-in-128 draws first hit this allocation.
    assert_eq!(first_tracked(7), 161);
    assert_eq!(first_tracked(7), first_tracked(7));
    assert_ne!(first_tracked(7), first_tracked(8));
}

#[test]
fn sampling_rate_is_one_in_128() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut d = detector(LeakLevel::Simple);
    let mut tracked = 0u64;
    for i in 0..128 * 1024 {
        if let Some(id) = d.track(&mut rng, i, creation("alloc")).unwrap() {
            tracked += 1;
            assert!(d.close(id));
        }
    }
    // Mean 1024, standard deviation about 32.
    assert!((924..=1124).contains(&tracked), "{tracked}");
    assert_eq!(d.stats().track_calls, 128 * 1024);
    assert_eq!(d.stats().tracked, tracked);
    assert!(d.all_leaks().is_empty());
}

#[test]
fn exactly_one_draw_per_sampled_level_track_call() {
    for level in LeakLevel::ALL {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut expected = rng.clone();
        let mut d = detector(level);
        d.track(&mut rng, 1, creation("a")).unwrap();
        if matches!(level, LeakLevel::Simple | LeakLevel::Advanced) {
            let _: u32 = expected.random_range(0..128);
        }
        assert_eq!(rng, expected, "{level}");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let before = rng.clone();
    let mut d = detector(LeakLevel::Simple);
    d.track_forcibly(1, creation("a"));
    d.record(&mut rng, TrackerId(1), creation("b"));
    assert_eq!(rng, before, "forced tracking and short stacks draw nothing");
}

#[test]
fn levels_decide_who_is_tracked() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut off = detector(LeakLevel::Disabled);
    assert!((0..1000).all(|i| off.track(&mut rng, i, creation("a")).unwrap().is_none()));
    // trackForcibly tracks even when detection is disabled.
    assert_eq!(off.track_forcibly(5, creation("a")), TrackerId(1));
    let mut paranoid = detector(LeakLevel::Paranoid);
    let ids: Vec<_> = (0..100)
        .map(|i| paranoid.track(&mut rng, i, creation("a")).unwrap())
        .collect();
    assert!(ids.iter().all(Option::is_some));
    assert_eq!(paranoid.all_leaks().len(), 100);
    assert_eq!(ids[0], Some(TrackerId(1)));
    assert_eq!(ids[99], Some(TrackerId(100)));
}

#[test]
fn a_non_positive_interval_throws_like_thread_local_random() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for interval in [0, -128] {
        let mut config = LeakConfig::from_profile(&LeakProfile::netty_4_1());
        config.sampling_interval = interval;
        let mut d = LeakDetector::new(config.clone());
        let err = d.track(&mut rng, 1, creation("a")).unwrap_err();
        assert_eq!(
            (err.class, err.message.as_str()),
            (JavaClass::IllegalArgument, "bound must be positive")
        );
        let mut p = LeakDetector::new(config.with_level(LeakLevel::Paranoid));
        assert!(p.track(&mut rng, 1, creation("a")).unwrap().is_some());
    }
    let mut config = LeakConfig::from_profile(&LeakProfile::netty_4_1());
    config.sampling_interval = 1;
    let mut every = LeakDetector::new(config);
    assert!((0..50).all(|i| every.track(&mut rng, i, creation("a")).unwrap().is_some()));
}

#[test]
fn reports_appear_only_at_a_later_tracked_allocation() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut d = detector(LeakLevel::Simple);
    let leaked = d.track_forcibly(100, creation("op#1 on t0"));
    d.on_referent_collected(leaked);
    assert_eq!(d.queued(), [leaked]);
    assert!(d.reports().is_empty(), "collection alone reports nothing");
    // Untracked allocations do not drain the queue.
    let mut i = 0;
    while d
        .track(&mut rng, i, creation("op#2 on t0"))
        .unwrap()
        .is_none()
    {
        assert!(d.reports().is_empty());
        i += 1;
    }
    assert_eq!(d.reports().len(), 1);
    let r = &d.reports()[0];
    assert_eq!((r.tracker, r.object, r.seq), (leaked, 100, 0));
    assert_eq!(
        r.text,
        "LEAK: ByteBuf.release() was not called before it's garbage-collected. See \
https://netty.io/wiki/reference-counted-objects.html for more information.
Recent access records: 
Created at:
\tleakproof.PooledByteBufAllocator.directBuffer(PooledByteBufAllocator.java)
\tleakproof.Program.run(op#1 on t0)"
    );
    assert_eq!(d.outcomes()[&leaked], LeakOutcome::Reported { seq: 0 });
    assert!(
        d.tracker(leaked).is_none(),
        "a disposed tracker is forgotten"
    );
}

#[test]
fn closed_trackers_are_never_enqueued_nor_reported_and_close_is_once() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut d = detector(LeakLevel::Paranoid);
    let id = d.track(&mut rng, 1, creation("a")).unwrap().unwrap();
    assert!(d.close(id));
    assert!(
        d.tracker(id).is_none(),
        "a closed tracker nobody enqueued is forgotten"
    );
    assert!(!d.close(id));
    assert_eq!(d.record(&mut rng, id, creation("b")), RecordOutcome::Closed);
    d.on_referent_collected(id);
    assert!(d.queued().is_empty());
    d.track(&mut rng, 2, creation("a")).unwrap();
    assert!(d.reports().is_empty());
    assert_eq!(d.stats().closed, 1);
}

#[test]
fn a_tracker_closed_while_enqueued_stays_until_the_queue_drains_it() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut d = detector(LeakLevel::Paranoid);
    let id = d.track(&mut rng, 1, creation("a")).unwrap().unwrap();
    d.on_referent_collected(id);
    assert_eq!(d.queued(), &[id]);
    assert!(d.close(id));
    assert!(d.tracker(id).is_some(), "still in the reference queue");
    d.track(&mut rng, 2, creation("a")).unwrap();
    assert!(d.queued().is_empty());
    assert!(d.tracker(id).is_none(), "drained without a report");
    assert!(d.reports().is_empty());
}

#[test]
fn a_leak_is_reported_once_per_distinct_records_string() {
    let mut d = detector(LeakLevel::Simple);
    let a = d.track_forcibly(1, creation("decoder"));
    let b = d.track_forcibly(2, creation("decoder"));
    let c = d.track_forcibly(3, creation("state"));
    for id in [a, b, c] {
        d.on_referent_collected(id);
    }
    d.track_forcibly(4, creation("sentinel"));
    // The ReferenceQueue is a stack: the last enqueued is polled first.
    let order: Vec<_> = d.reports().iter().map(|r| r.tracker).collect();
    assert_eq!(order, [c, b]);
    assert!(matches!(
        d.outcomes()[&a],
        LeakOutcome::DuplicateOf { seq: 1, .. }
    ));
    assert_eq!(d.stats().leaks, 3);
    assert_eq!(d.stats().duplicate_leaks, 1);
    assert_eq!(d.reported_records().count(), 2);
    // A later identical leak stays silent too.
    let e = d.track_forcibly(5, creation("decoder"));
    d.on_referent_collected(e);
    d.track_forcibly(6, creation("sentinel"));
    assert_eq!(d.reports().len(), 2);
}

#[test]
fn advanced_records_appear_newest_first_with_drop_and_duplicate_notes() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut d = detector(LeakLevel::Advanced);
    let id = d.track_forcibly(1, creation("op#0 on t0"));
    let access = |n: u32| Record::at("ByteBuf", "getByte", &format!("op#{n} on t0"));
    for n in 1..=3 {
        d.record(&mut rng, id, access(n));
    }
    d.record(&mut rng, id, access(2)); // 5th record: pushed (back-off 0), a duplicate text.
    for n in 5..=40 {
        d.record(&mut rng, id, access(n));
    }
    let tracker = d.tracker(id).unwrap();
    let dropped = tracker.dropped();
    let kept = tracker.records().unwrap().len() as u32;
    assert_eq!(kept + dropped, 41);
    assert_eq!(d.stats().dropped_records, u64::from(dropped));
    let text = d.records_text(id).unwrap();
    assert!(text.text.starts_with("\nRecent access records: \n#1:\n\tleakproof.ByteBuf.getByte(ByteBuf.java)\n\tleakproof.Program.run(op#40 on t0)\n"));
    assert_eq!(text.duplicates, 1);
    assert!(text.text.ends_with(&format!(
        "\tleakproof.Program.run(op#0 on t0)\n: 1 leak records were discarded because they were duplicates\n\
: {dropped} leak records were discarded because the leak record count is targeted to 4. \
Use system property io.netty.leakDetection.targetRecords to increase the limit."
    )));
    d.on_referent_collected(id);
    d.track_forcibly(2, creation("sentinel"));
    assert_eq!(d.reports()[0].records_text, text.text);
}

#[test]
fn error_logging_off_disposes_silently() {
    let mut config = LeakConfig::from_profile(&LeakProfile::netty_4_1());
    config.error_logging = false;
    let mut d = LeakDetector::new(config);
    let id = d.track_forcibly(1, creation("a"));
    d.on_referent_collected(id);
    d.track_forcibly(2, creation("a"));
    assert!(d.reports().is_empty());
    assert_eq!(d.outcomes()[&id], LeakOutcome::Unlogged);
    assert!(!d.all_leaks().contains(&id));
}

#[test]
fn collect_before_close_mutant_reports_a_released_buffer() {
    for (mutant, expect_report) in [(Mutant::None, false), (Mutant::CollectBeforeClose, true)] {
        let config = LeakConfig::from_profile(&LeakProfile::netty_4_1());
        let mut d = LeakDetector::new(config).with_mutant(mutant);
        let id = d.track_forcibly(1, creation("a"));
        let closed = d.close_on_release(id, true);
        assert_eq!(closed, !expect_report, "{mutant}: the drain won the race");
        d.track_forcibly(2, creation("b"));
        assert_eq!(d.reports().len(), usize::from(expect_report), "{mutant}");
        // A still-reachable buffer is safe even with the mutant.
        let kept = d.track_forcibly(3, creation("c"));
        assert!(d.close_on_release(kept, false));
    }
}

#[test]
fn take_new_reports_returns_each_report_once() {
    let mut d = detector(LeakLevel::Simple);
    let a = d.track_forcibly(1, creation("a"));
    d.on_referent_collected(a);
    d.track_forcibly(2, creation("x"));
    assert_eq!(d.take_new_reports().len(), 1);
    assert!(d.take_new_reports().is_empty());
    let b = d.track_forcibly(3, creation("b"));
    d.on_referent_collected(b);
    d.on_referent_collected(b);
    assert_eq!(d.queued().len(), 1, "a tracker is enqueued once");
    d.track_forcibly(4, creation("x"));
    let new = d.take_new_reports();
    assert_eq!((new.len(), new[0].tracker, new[0].seq), (1, b, 1));
    assert_eq!(d.reports().len(), 2);
}

#[test]
fn same_seed_same_reports() {
    let run = || {
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let mut d = detector(LeakLevel::Advanced);
        for i in 0..5000u64 {
            if let Some(id) = d
                .track(&mut rng, i, creation(&format!("op#{} on t0", i % 3)))
                .unwrap()
            {
                d.record(&mut rng, id, Record::at("ByteBuf", "copy", "decoder"));
                if i % 2 == 0 {
                    d.on_referent_collected(id);
                } else {
                    d.close(id);
                }
            }
        }
        d.reports().to_vec()
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}
