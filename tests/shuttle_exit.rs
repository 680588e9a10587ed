#![cfg(feature = "shuttle")]
//! Shuttle: thread exit (`onRemoval`) while other threads release the exiting
//! owner's buffers into its cache. Caches are freed exactly once (`caches_freed_once`)
//! and every handle ends in exactly one place (`handle_in_exactly_one_place`) at every
//! quiescent point; Netty's add/free race (`stranded_by_add_free_race`) is found on
//! Netty's code as it is and never with the re-check after the offer; #12749 (a cache
//! that accepts adds after it was freed) is found and fails.
//!
//! Run with `cargo test --features shuttle --release --test shuttle_exit --
//! --nocapture`. `LEAKPROOF_SHUTTLE_SCALE=N` explores N times as many programs.

mod shuttle_support;

use leakproof_sim::concurrent::generate::{Generated, Scenario};
use leakproof_sim::model::coverage::Event::{self, *};
use leakproof_sim::model::Mutant;
use shuttle_support::{explore_scenario, find_mutant, scale, Exploration};

use leakproof_model::invariant::{ADD_TO_FREED_CACHE, STRANDED_BY_ADD_FREE_RACE};

const RACE: &str = STRANDED_BY_ADD_FREE_RACE.name;

/// What every thread-exit run reaches, with or without the re-check
/// (`docs/coverage.md`): owners' caches take, refuse, serve and free entries.
const THREAD_EXIT_REACHES: &[Event] =
    &[ListMoveUp, CacheAdd, CacheAddRefused, CachePoll, CacheFree];

fn recheck(mut g: Generated) -> Generated {
    g.config
        .jvm
        .profile
        .allocator
        .cache_add_rechecks_after_offer = true;
    g
}

#[test]
fn the_add_free_race_strands_entries_on_netty_as_is() {
    // 1–2 owners (event loop, FastThreadLocalThread) hand 2–4 buffers each to 2–3 plain
    // releasers, then exit cleanly; 20 programs × 60 random schedules.
    let summary = explore_scenario(
        "thread exit, Netty as is (random)",
        Scenario::ThreadExit,
        0,
        20 * scale(),
        |seed| Exploration::random(0xe1 + seed, 60),
        |g| g,
    );
    summary.assert_passed().assert_reaches(THREAD_EXIT_REACHES);
    assert!(
        !summary.whole || summary.findings.get(RACE).copied().unwrap_or(0) > 0,
        "shuttle must find {RACE} on Netty's code as it is: {:?}",
        summary.findings
    );
    let pct = explore_scenario(
        "thread exit, Netty as is (pct depth 3)",
        Scenario::ThreadExit,
        0,
        20 * scale(),
        |seed| Exploration::pct(0xe1 + seed, 3, 60),
        |g| g,
    );
    pct.assert_passed().assert_reaches(THREAD_EXIT_REACHES);
}

#[test]
fn the_recheck_after_the_offer_strands_nothing() {
    // The same programs and schedules with `cache_add_rechecks_after_offer`.
    let random = |seed: u64| Exploration::random(0xe1 + seed, 60);
    let pct = |seed: u64| Exploration::pct(0xe1 + seed, 3, 60);
    let explorations: [(&str, &dyn Fn(u64) -> Exploration); 2] =
        [("random", &random), ("pct depth 3", &pct)];
    for (name, exploration) in explorations {
        let summary = explore_scenario(
            &format!("thread exit, re-check ({name})"),
            Scenario::ThreadExit,
            0,
            20 * scale(),
            exploration,
            recheck,
        );
        summary.assert_passed().assert_reaches(THREAD_EXIT_REACHES);
        assert_eq!(
            summary.findings.get(RACE),
            None,
            "{name}: {:?}",
            summary.findings
        );
    }
}

#[test]
fn mutant_12749_a_freed_cache_accepting_adds_is_found() {
    let explore = |seed| Exploration::random(0xe1 + seed, 60);
    let (_, failure) = find_mutant(
        Scenario::ThreadExit,
        20 * scale(),
        explore,
        Mutant::AddToFreedCache,
    );
    assert_eq!(
        failure.violation.invariant, ADD_TO_FREED_CACHE,
        "{failure:?}"
    );
    assert!(failure.trace.is_some(), "the failure writes its trace");
}
