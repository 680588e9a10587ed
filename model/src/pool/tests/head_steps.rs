//! The small path as `PoolArena` runs it in steps under the head lock: the fast path's
//! `head.next` read and allocation, and `PoolChunk.allocate`'s re-check of the pool
//! (4.1.128 PoolChunk.java:324–337) when the slow path finds it refilled.

use super::support::{direct, sc, PAGE};
use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::pool::invariants::check_arena;
use crate::pool::{ArenaCore, ArenaKind, ArenaOptions, ChunkListId, SimpleChunkSource};
use crate::profile::AllocatorProfile;

/// A direct 4.1.128 arena whose `PoolChunk.allocate` re-checks the pool or not.
fn arena(rechecks: bool) -> (ArenaCore, SimpleChunkSource) {
    let mut profile = AllocatorProfile::netty_4_1();
    profile.chunk_allocate_rechecks_subpage_pool = rechecks;
    let opts = ArenaOptions::new(ArenaKind::Direct, 1, &profile, Mutant::None);
    (
        ArenaCore::new(sc(), opts),
        SimpleChunkSource::new(MemoryMode::Virtual),
    )
}

#[test]
fn the_fast_path_in_two_steps_is_the_one_step_allocation() {
    let (mut whole, mut s1) = direct();
    let (mut steps, mut s2) = direct();
    let idx = sc().size2size_idx(100);
    for _ in 0..3 {
        let expected = whole.allocate(100, &mut s1).unwrap();
        let got = match steps.pool_first(idx) {
            Some(key) => steps.allocate_from_subpage(key, 100, idx).unwrap(),
            None => steps.allocate_small_in_chunks(100, idx, &mut s2).unwrap(),
        };
        assert_eq!(
            (got.chunk, got.handle, got.offset, got.max_length),
            (
                expected.chunk,
                expected.handle,
                expected.offset,
                expected.max_length
            )
        );
    }
    assert_eq!(steps.metrics(), whole.metrics());
    check_arena(&steps).unwrap();
}

#[test]
fn the_slow_path_serves_a_refilled_pool_when_the_chunk_rechecks() {
    // The fast path found the pool empty; meanwhile another thread linked a subpage.
    let idx = sc().size2size_idx(100);
    for rechecks in [true, false] {
        let (mut a, mut s) = arena(rechecks);
        let first = a.allocate(100, &mut s).unwrap();
        let next = a.allocate_small_in_chunks(100, idx, &mut s).unwrap();
        let same_run = next.handle >> 32 == first.handle >> 32;
        assert_eq!(
            same_run, rechecks,
            "re-check {rechecks}: {first:?} then {next:?}"
        );
        let linked = a.subpage_pools().pool(idx).len();
        assert_eq!(linked, if rechecks { 1 } else { 2 });
        assert_eq!(a.metrics().num_small_allocations, 2);
        check_arena(&a).unwrap();
    }
}

#[test]
fn a_recheck_on_a_new_chunk_serves_the_pool_and_keeps_the_chunk_empty() {
    // One chunk entirely used (q100) holds the only pooled subpage: allocateNormal
    // tries no list, makes a new chunk, and its `allocate` finds the pool's subpage.
    let (mut a, mut s) = arena(true);
    let idx = sc().size2size_idx(16);
    let small = a.allocate(16, &mut s).unwrap();
    for pages in [256, 128, 64, 32, 16, 8, 4, 2, 1] {
        a.allocate(pages * PAGE, &mut s).unwrap();
    }
    let full = a.chunk(small.chunk).unwrap();
    assert_eq!(
        (full.free_bytes(), full.list()),
        (0, Some(ChunkListId::Q100))
    );
    let next = a.allocate_small_in_chunks(16, idx, &mut s).unwrap();
    assert_eq!((next.chunk, next.offset), (small.chunk, small.offset + 16));
    let fresh: Vec<_> = a.chunks().filter(|c| c.id() != small.chunk).collect();
    assert_eq!(fresh.len(), 1, "a new chunk was made");
    assert_eq!(
        (fresh[0].free_bytes(), fresh[0].list()),
        (fresh[0].chunk_size(), Some(ChunkListId::QInit))
    );
    check_arena(&a).unwrap();
}
