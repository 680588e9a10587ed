#![cfg(feature = "shuttle")]
//! Shuttle: whole-allocator scenarios with 4–8 threads (random op programs handing
//! buffers and retained slices between threads), arena contention with chunk creation
//! and destruction, and the harness's own determinism.
//!
//! Run with `cargo test --features shuttle --release --test shuttle_allocator --
//! --nocapture`; each test prints its executions, time and executions/s.
//! `LEAKPROOF_SHUTTLE_SCALE=N` explores N times as many programs.

mod shuttle_support;

use leakproof_sim::concurrent::generate::{generate, Scenario};
use leakproof_sim::exploration::explore;
use leakproof_sim::model::coverage::Event::*;
use leakproof_sim::trace::Strategy;
use shuttle_support::{explore_scenario, scale, Exploration};

#[test]
fn mixed_programs_under_random_schedules() {
    // 4–8 threads, 5–8 ops each; 20 programs × 40 random schedules.
    explore_scenario(
        "mixed (random)",
        Scenario::Mixed,
        0,
        20 * scale(),
        |seed| Exploration::random(0x5eed + seed, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[
        ListMoveUp,
        ListMoveDown,
        SubpageReleased,
        CacheAdd,
        CacheAddRefused,
        CachePoll,
        CacheTrim,
        CacheFree,
        OverRelease,
    ]);
}

#[test]
fn mixed_programs_under_pct() {
    // Same scenario, other programs; 20 programs × 40 PCT (depth 3) schedules.
    explore_scenario(
        "mixed (pct depth 3)",
        Scenario::Mixed,
        1_000,
        20 * scale(),
        |seed| Exploration::pct(0xc0ffee + seed, 3, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[
        ChunkDestroyed,
        ListMoveUp,
        ListMoveDown,
        SubpageReleased,
        CacheAdd,
        CacheAddRefused,
        CacheTrim,
        CacheFree,
        OverRelease,
    ]);
}

#[test]
fn arena_contention_with_chunk_creation_and_destruction() {
    // 4–6 plain threads, buffers of 25–100 % of a 32 KiB chunk (10 % huge); 8 programs
    // × 40 random schedules, then 8 others × 40 PCT (depth 2).
    explore_scenario(
        "arena contention (random)",
        Scenario::ArenaContention,
        0,
        8 * scale(),
        |seed| Exploration::random(0xa7e4a + seed, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[
        ChunkDestroyed,
        HugeChunkDestroyed,
        ListMoveUp,
        ListMoveDown,
        SubpageReleased,
        CacheAddRefused,
        CacheFree,
    ]);
    explore_scenario(
        "arena contention (pct depth 2)",
        Scenario::ArenaContention,
        100,
        8 * scale(),
        |seed| Exploration::pct(0xa7e4a + seed, 2, 40),
        |g| g,
    )
    .assert_passed()
    .assert_reaches(&[
        ChunkDestroyed,
        HugeChunkDestroyed,
        ListMoveUp,
        ListMoveDown,
        CacheAddRefused,
        CacheFree,
    ]);
}

#[test]
fn the_harness_has_no_uncontrolled_nondeterminism() {
    // Each schedule runs twice and must make the same scheduling decisions.
    let g = generate(Scenario::Mixed, 7);
    let exploration = Exploration {
        strategy: Strategy::NondeterminismCheck,
        seed: 0xde7,
        iterations: 10 * scale(),
    };
    let explored = explore(&g.program, &g.config, exploration).expect("valid program");
    assert!(explored.failure.is_none(), "{:?}", explored.failure);
    assert!(explored.iterations > 0);
}
