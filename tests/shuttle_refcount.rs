#![cfg(feature = "shuttle")]
//! Shuttle: reference-count races on shared derived buffers (retained slices and
//! duplicates read, retained and released on several threads), checked for
//! linearizability against the shadow model, and #8563: the racy 4.1.17–4.1.31
//! refcount, driven by retains and releases through handles of a released buffer on
//! several threads, is found.
//!
//! Run with `cargo test --features shuttle --release --test shuttle_refcount --
//! --nocapture`. `LEAKPROOF_SHUTTLE_SCALE=N` explores N times as many programs.

mod shuttle_support;

use leakproof_model::invariant::{
    HISTORY_LINEARIZABLE, MODEL_RAISED_NO_ASSERTION, SHADOW_AGREEMENT,
};
use leakproof_sim::concurrent::generate::Scenario;
use leakproof_sim::model::coverage::Event::*;
use leakproof_sim::model::Mutant;
use shuttle_support::{explore_scenario, find_mutant, scale, Exploration};

#[test]
fn shared_derived_buffers_are_linearizable() {
    // 1–2 roots, 3–5 receivers of retained slices/duplicates; 12 programs × 40.
    explore_scenario(
        "shared derived (random)",
        Scenario::SharedDerived,
        0,
        12 * scale(),
        |seed| Exploration::random(0xde41 + seed, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[ListMoveUp, CacheAdd, CacheFree]);
    explore_scenario(
        "shared derived (pct depth 3)",
        Scenario::SharedDerived,
        100,
        12 * scale(),
        |seed| Exploration::pct(0xde41 + seed, 3, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[ListMoveUp, CacheAdd, CacheFree]);
}

#[test]
fn released_handles_are_linearizable_on_the_current_refcount() {
    // The #8563 pattern on Netty 4.1.128's even/odd count: every outcome is explained.
    let summary = explore_scenario(
        "released handles, even/odd (random)",
        Scenario::ReleasedHandles,
        0,
        20 * scale(),
        |seed| Exploration::random(0x8563 + seed, 60),
        |g| g,
    );
    summary.assert_passed().assert_reaches(&[
        CacheAdd,
        CacheFree,
        RetainAfterRelease,
        ReleaseAfterRelease,
    ]);
    assert!(
        !summary.whole || summary.with_misuse > 0,
        "the scenario must raise refcount misuse"
    );
}

#[test]
fn mutant_8563_the_racy_refcount_is_found() {
    let explore = |seed| Exploration::random(0x8563 + seed, 60);
    let (_, failure) = find_mutant(
        Scenario::ReleasedHandles,
        20 * scale(),
        explore,
        Mutant::RacyRefcount,
    );
    assert!(
        matches!(
            failure.violation.invariant,
            HISTORY_LINEARIZABLE | MODEL_RAISED_NO_ASSERTION | SHADOW_AGREEMENT
        ),
        "#8563 shows as a retain succeeding on a released buffer or a second deallocation \
         (a release answering true on a released buffer, a pool double free), or a count \
         off the shadow's: {failure:?}"
    );
}
