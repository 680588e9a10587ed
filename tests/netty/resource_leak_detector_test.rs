//! common's `ResourceLeakDetectorTest`, on the model's `LeakDetector` directly (the
//! Java test drives its own detectors over a toy `Resource`, not buffers).
//!
//! Not ported (docs/fidelity.md): `testLeakBrokenHint` — hints are values in the
//! model, so a `toHintString()` that throws cannot be written.

use leakproof_model::leak::{LeakConfig, LeakDetector, LeakLevel, Record};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A detector sampling every `track` (`samplingInterval` 1), reporting (`needReport()`).
fn detector() -> LeakDetector {
    let mut config = LeakConfig::from_profile(&crate::profile().leak).with_level(LeakLevel::Simple);
    config.sampling_interval = 1;
    LeakDetector::new(config)
}

/// `testConcurrentUsage` (#6087): 50 threads each track 100 resources and close them
/// with `leak.close(resource)`, which keeps the resource reachable until the tracker
/// is closed, 1000 times. Every close must return true and nothing may be reported.
/// The model's detector is one table behind one lock, so the threads run as logical
/// threads in turn; each resource is unreachable once closed, the window in which the
/// unfenced `close()` of #6034 let the GC report it. 10 rounds per thread (Java: up to
/// 1000).
#[test]
fn test_concurrent_usage() {
    let mut detector = detector();
    let mut rng = ChaCha8Rng::seed_from_u64(6087);
    let mut object = 0u64;
    for _thread in 0..50 {
        for _round in 0..10 {
            let mut resources = Vec::with_capacity(100);
            for _ in 0..100 {
                object += 1;
                let leak = detector
                    .track(
                        &mut rng,
                        object,
                        Record::at("DefaultResource", "<init>", "thread"),
                    )
                    .unwrap()
                    .expect("samplingInterval 1 tracks every resource");
                resources.push(leak);
            }
            for leak in resources {
                // boolean closed = r.close(); … new AssertionError("ResourceLeak.close() returned 'false' but expected 'true'")
                assert!(detector.close_on_release(leak, true));
            }
        }
    }
    // DefaultResource.detector.assertNoErrors(): no leak reported.
    assert!(detector.take_new_reports().is_empty());
    assert_eq!(detector.stats().leaks, 0);
}

crate::only_4_1_128! {
    /// `testLeakSetupHints`: the detector's initial hint (a canary string) is in the
    /// creation record of a leaked resource, so its report contains it.
    #[test]
    fn test_leak_setup_hints() {
        let mut detector = detector();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let canary = "creation-canary-6b1f0e3c-5d2a-4c8e-9a71-2f4d8b6e0c19";
        // leakResource(): track(resource) and never close it.
        let leaked = detector
            .track(
                &mut rng,
                1,
                Record::hinted_at(canary, "ResourceLeakDetectorTest", "leakResource", "test"),
            )
            .unwrap()
            .unwrap();
        // System.gc(): the resource is collected unclosed.
        detector.on_referent_collected(leaked);
        let mut leaks_found = 0;
        for object in 2..10 {
            // Track another resource to trigger refqueue visiting (and close it).
            let other = detector
                .track(
                    &mut rng,
                    object,
                    Record::at("DefaultResource", "<init>", "test"),
                )
                .unwrap()
                .unwrap();
            assert!(detector.close(other));
            for report in detector.take_new_reports() {
                // if (!records.contains(canaryString)) reportError(…"Leak records did not contain canary string")
                assert!(report.records_text.contains(canary), "{}", report.text);
                leaks_found += 1;
            }
        }
        // assertThat(DefaultResource.detectorWithSetupHint.getLeaksFound()).isOne();
        assert_eq!(leaks_found, 1);
    }
}
