use super::support::{arena_with, direct, CHUNK};
use crate::invariant::CHUNK_IN_LIST_BY_USAGE;
use crate::mutant::Mutant;
use crate::pool::invariants::{check_arena, chunk_in_list_by_usage};
use crate::pool::{ArenaKind, ChunkListId, ChunkLists};
use crate::profile::ChunkListThresholds;

const MIB: usize = 1 << 20;

#[test]
fn byte_thresholds_for_a_4_mib_chunk() {
    let lists = ChunkLists::new(CHUNK, ChunkListThresholds::Bytes, true, false);
    use ChunkListId::*;
    // (list, move up if free ≤, move down if free >, maxCapacity, next, prev, metric min/max)
    let expected = [
        (
            QInit,
            3187671,
            i32::MAX,
            4152360,
            Some(Q000),
            Some(QInit),
            1,
            25,
        ),
        (Q000, 2139095, 4194303, 4152360, Some(Q025), None, 1, 50),
        (
            Q025,
            1090519,
            3187671,
            3145728,
            Some(Q050),
            Some(Q000),
            25,
            75,
        ),
        (Q050, 0, 2139095, 2097152, Some(Q100), Some(Q025), 50, 100),
        (Q075, 0, 1090519, 1048576, Some(Q100), Some(Q050), 75, 100),
        (Q100, i32::MIN, 0, 0, None, Some(Q075), 100, 100),
    ];
    for (id, up, down, cap, next, prev, min, max) in expected {
        let l = lists.get(id);
        assert_eq!(
            (
                l.free_min_threshold(),
                l.free_max_threshold(),
                l.max_capacity(),
                l.next(),
                l.prev()
            ),
            (up, down, cap, next, prev),
            "{id}"
        );
        assert_eq!((l.min_usage(), l.max_usage()), (min, max), "{id}");
    }
    let old = ChunkLists::new(CHUNK, ChunkListThresholds::Bytes, false, false);
    assert_eq!(old.get(Q050).next(), Some(Q075));
}

#[test]
fn percent_thresholds_compare_usage() {
    let lists = ChunkLists::new(CHUNK, ChunkListThresholds::Percent, false, false);
    let qinit = lists.get(ChunkListId::QInit);
    // usage 25 ≥ 25 up to 3187671 free bytes (the byte scheme's threshold), 24 beyond.
    assert!(qinit.should_move_up(3187671));
    assert!(!qinit.should_move_up(3187672));
    assert!(!qinit.should_move_down(CHUNK));
    let q000 = lists.get(ChunkListId::Q000);
    assert!(q000.should_move_down(CHUNK)); // usage 0 < 1
    assert!(!q000.should_move_down(CHUNK - 1)); // usage 1
}

#[test]
fn quarter_chunk_buffers_churn_chunks_14257() {
    let (mut a, mut s) = direct();
    for _ in 0..3 {
        let x = a.allocate(MIB, &mut s).unwrap();
        assert_eq!(a.chunk(x.chunk).unwrap().list(), Some(ChunkListId::Q000));
        let out = a.free(x.chunk, x.handle, MIB, false, &mut s).unwrap();
        assert_eq!(out.destroyed, Some(x.chunk));
        assert!(a.chunk(x.chunk).is_none());
    }
    assert_eq!((s.created(), s.destroyed()), (3, 3));
    assert_eq!(s.used, 0);
}

#[test]
fn heap_arenas_keep_one_destroyed_chunk_14291() {
    let (mut a, mut s) = arena_with(ArenaKind::Heap, Mutant::None);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let x = a.allocate(MIB, &mut s).unwrap();
        ids.push(x.chunk);
        a.free(x.chunk, x.handle, MIB, false, &mut s).unwrap();
    }
    assert_eq!((s.created(), s.destroyed()), (1, 0));
    assert!(a.last_destroyed_chunk().is_some());
    ids.dedup();
    assert_eq!(ids.len(), 3, "each incarnation gets a fresh id");
    assert_eq!(a.destroy_all(&mut s), 1);
    assert_eq!(s.destroyed(), 1);
}

#[test]
fn qinit_chunks_are_never_destroyed() {
    let (mut a, mut s) = direct();
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    assert_eq!(a.chunk(x.chunk).unwrap().list(), Some(ChunkListId::QInit));
    assert_eq!(
        a.free(x.chunk, x.handle, 64 * 1024, false, &mut s)
            .unwrap()
            .destroyed,
        None
    );
    let c = a.chunk(x.chunk).unwrap();
    assert_eq!(
        (c.free_bytes(), c.list()),
        (CHUNK, Some(ChunkListId::QInit))
    );
    assert_eq!(s.destroyed(), 0);
    check_arena(&a).unwrap();
}

/// 2 MiB + 1 MiB + 1 MiB fill one chunk (q025 → q050 → q100); freeing moves it down.
fn filled(
    mutant: Mutant,
) -> (
    crate::pool::ArenaCore,
    crate::pool::SimpleChunkSource,
    Vec<crate::pool::Allocation>,
) {
    let (mut a, mut s) = arena_with(ArenaKind::Direct, mutant);
    let big = a.allocate(2 * MIB, &mut s).unwrap();
    assert_eq!(a.chunk(big.chunk).unwrap().list(), Some(ChunkListId::Q025));
    let m1 = a.allocate(MIB, &mut s).unwrap();
    assert_eq!(a.chunk(big.chunk).unwrap().list(), Some(ChunkListId::Q050));
    let m2 = a.allocate(MIB, &mut s).unwrap();
    assert_eq!(a.chunk(big.chunk).unwrap().list(), Some(ChunkListId::Q100));
    assert_eq!((m1.chunk, m2.chunk), (big.chunk, big.chunk));
    (a, s, vec![big, m1, m2])
}

#[test]
fn frees_move_chunks_down_several_levels_and_destroy_from_q000() {
    let (mut a, mut s, allocs) = filled(Mutant::None);
    let id = allocs[0].chunk;
    a.free(id, allocs[0].handle, 2 * MIB, false, &mut s)
        .unwrap();
    assert_eq!(
        a.chunk(id).unwrap().list(),
        Some(ChunkListId::Q050),
        "q100 → q075 → q050"
    );
    check_arena(&a).unwrap();
    a.free(id, allocs[1].handle, MIB, false, &mut s).unwrap();
    assert_eq!(a.chunk(id).unwrap().list(), Some(ChunkListId::Q025));
    let out = a.free(id, allocs[2].handle, MIB, false, &mut s).unwrap();
    assert_eq!(out.destroyed, Some(id), "q025 → q000 → destroyed");
    assert_eq!(s.destroyed(), 1);
    check_arena(&a).unwrap();
}

#[test]
fn one_level_mutant_leaves_chunks_in_the_wrong_list() {
    let (mut a, mut s, allocs) = filled(Mutant::ChunkMovesOneList);
    let id = allocs[0].chunk;
    a.free(id, allocs[0].handle, 2 * MIB, false, &mut s)
        .unwrap();
    assert_eq!(a.chunk(id).unwrap().list(), Some(ChunkListId::Q075));
    let v = chunk_in_list_by_usage(&a).unwrap_err();
    assert_eq!(v.invariant, CHUNK_IN_LIST_BY_USAGE);
    assert!(
        v.message.contains(" in q075: "),
        "the message names the list: {}",
        v.message
    );
}

#[test]
fn new_chunks_go_to_the_head_of_their_list() {
    let (mut a, mut s) = direct();
    let x = a.allocate(3 * MIB, &mut s).unwrap();
    let y = a.allocate(3 * MIB, &mut s).unwrap();
    assert_ne!(x.chunk, y.chunk);
    let list = a.chunk(x.chunk).unwrap().list().unwrap();
    assert_eq!(a.chunk_lists().get(list).chunks(), &[y.chunk, x.chunk]);
}
