//! The current and the ≤4.1.16 algorithms are proved on every bounded scenario; the
//! racy 4.1.17–4.1.31 one and the #2187 mutant are refuted, and their counterexamples
//! replay in the interpreter.

use leakproof_model::profile::RefCountProfile;
use leakproof_model::refcnt::interpreter::{run, Scenario};
use leakproof_model::refcnt::Algorithm;
use leakproof_proofs::refcount::{check, check_all, scenarios, Property};

#[test]
fn even_odd_and_cas_loop_are_proved_everywhere() {
    for algorithm in [Algorithm::EvenOdd, Algorithm::CasLoop] {
        for verdict in check_all(algorithm) {
            assert!(
                verdict.proved(),
                "{:?} violates {} on `{}`: {:?}",
                algorithm,
                verdict.property.name(),
                verdict.scenario,
                verdict.counterexample
            );
            assert!(verdict.schedules > 0);
        }
    }
}

#[test]
fn the_racy_algorithm_is_refuted_by_the_8563_schedule() {
    let scenario = scenarios()
        .into_iter()
        .find(|s| s.name.starts_with("#8563"))
        .unwrap();
    let verdict = check(
        Algorithm::RacyGetAndAdd,
        &scenario,
        Property::AtMostOneDeallocation,
    );
    let schedule = verdict.counterexample.expect("#8563 double deallocation");
    let model = Scenario::new(
        Algorithm::RacyGetAndAdd,
        RefCountProfile::netty_4_1(),
        scenario.threads.clone(),
    )
    .with_initial_raw(1);
    let log = run(&model, &schedule).unwrap();
    assert_eq!(log.deallocations, 2);
    assert!(!log.resurrections.is_empty());
}

#[test]
fn two_party_races_do_not_expose_the_racy_algorithm() {
    for scenario in scenarios().iter().filter(|s| s.threads.len() == 2) {
        let verdict = check(
            Algorithm::RacyGetAndAdd,
            scenario,
            Property::AtMostOneDeallocation,
        );
        assert!(verdict.proved(), "`{}`", scenario.name);
    }
}

#[test]
fn the_non_atomic_release_mutant_loses_a_release() {
    let scenario = &scenarios()[0];
    let verdict = check(
        Algorithm::NonAtomicRelease,
        scenario,
        Property::BalancedReleaseDeallocatesOnce,
    );
    assert!(
        !verdict.proved(),
        "#2187: two releases decide from one stale read"
    );
}
