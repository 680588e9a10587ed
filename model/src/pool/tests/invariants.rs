use super::support::{arena_with, direct, sizes, Lcg, CHUNK, PAGE};
use crate::invariant::{
    Invariant, CHUNK_FREE_BYTES_CONSISTENT, CHUNK_IN_LIST_BY_USAGE, FREE_ALL_RETURNS_PAGES,
    FREE_RUNS_COALESCED, HANDLE_SIZE_CLASS_MATCHES, LIVE_RANGES_DISJOINT_IN_BOUNDS,
    SUBPAGE_BITMAP_CONSISTENT, SUBPAGE_LINKED_IFF_AVAILABLE,
};
use crate::mutant::Mutant;
use crate::pool::invariants::*;
use crate::pool::{Allocation, ArenaKind, Run};

const NAMES: [Invariant; 6] = [
    LIVE_RANGES_DISJOINT_IN_BOUNDS,
    CHUNK_FREE_BYTES_CONSISTENT,
    FREE_RUNS_COALESCED,
    SUBPAGE_BITMAP_CONSISTENT,
    SUBPAGE_LINKED_IFF_AVAILABLE,
    CHUNK_IN_LIST_BY_USAGE,
];

#[test]
fn random_workload_keeps_every_invariant() {
    let (mut a, mut s) = direct();
    let mut rng = Lcg(7);
    let mut live: Vec<Allocation> = Vec::new();
    let requests = [
        0,
        1,
        16,
        100,
        512,
        896,
        4096,
        8192,
        20_000,
        28_672,
        40_000,
        300_000,
        1 << 20,
        3 << 20,
        CHUNK + 1,
    ];
    for step in 0..3000 {
        if live.is_empty() || rng.below(100) < 55 {
            let size = requests[rng.below(requests.len() as u64) as usize];
            let x = a.allocate(size, &mut s).unwrap();
            handle_size_class_matches(&a, &sizes(), x.chunk, x.handle, x.max_length).unwrap();
            live.push(x);
        } else {
            let x = live.swap_remove(rng.below(live.len() as u64) as usize);
            a.free(x.chunk, x.handle, x.max_length, false, &mut s)
                .unwrap();
        }
        if let Err(v) = check_arena(&a) {
            panic!("step {step}: {v}");
        }
    }
    for x in live.drain(..) {
        a.free(x.chunk, x.handle, x.max_length, false, &mut s)
            .unwrap();
    }
    check_arena(&a).unwrap();
    let m = a.metrics();
    assert_eq!(m.num_active_allocations, 0);
    // Only qInit chunks and alone-kept subpage runs may remain.
    assert!(a
        .chunks()
        .all(|c| c.list() == Some(crate::pool::ChunkListId::QInit) || c.subpages().count() > 0));
    assert_eq!(s.used, a.chunks().map(|c| c.chunk_size()).sum::<usize>());
    assert!(
        s.destroyed() > 0 && m.num_huge_deallocations > 0,
        "the workload destroys chunks"
    );
}

#[test]
fn uncoalesced_free_runs_are_caught() {
    let (mut a, mut s) = arena_with(ArenaKind::Direct, Mutant::UncoalescedFreeRuns);
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    let y = a.allocate(64 * 1024, &mut s).unwrap();
    let _z = a.allocate(64 * 1024, &mut s).unwrap();
    a.free(x.chunk, x.handle, 64 * 1024, false, &mut s).unwrap();
    free_runs_coalesced(&a).unwrap();
    a.free(y.chunk, y.handle, 64 * 1024, false, &mut s).unwrap();
    assert_eq!(
        free_runs_coalesced(&a).unwrap_err().invariant,
        FREE_RUNS_COALESCED
    );
    assert_eq!(check_arena(&a).unwrap_err().invariant, FREE_RUNS_COALESCED);
}

#[test]
fn subpage_double_free_is_caught() {
    let (mut a, mut s) = arena_with(ArenaKind::Direct, Mutant::SubpageDoubleFree);
    let x = a.allocate(16, &mut s).unwrap();
    let _y = a.allocate(16, &mut s).unwrap();
    a.free(x.chunk, x.handle, 16, false, &mut s).unwrap();
    check_arena(&a).unwrap();
    a.free(x.chunk, x.handle, 16, false, &mut s).unwrap();
    assert_eq!(
        check_arena(&a).unwrap_err().invariant,
        SUBPAGE_BITMAP_CONSISTENT
    );
}

#[test]
fn corrupted_free_bytes_are_caught() {
    let (mut a, mut s) = direct();
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    check_arena(&a).unwrap();
    a.chunk_mut(x.chunk).unwrap().corrupt_free_bytes(CHUNK);
    assert_eq!(
        chunk_free_bytes_consistent(&a).unwrap_err().invariant,
        NAMES[1]
    );
}

#[test]
fn overlapping_runs_are_caught() {
    let (mut a, mut s) = direct();
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    a.chunk_mut(x.chunk).unwrap().corrupt_add_used_run(Run {
        offset: 4,
        pages: 8,
    });
    assert_eq!(
        live_ranges_disjoint_in_bounds(&a).unwrap_err().invariant,
        NAMES[0]
    );
}

#[test]
fn out_of_bounds_runs_are_caught() {
    let (mut a, mut s) = direct();
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    a.chunk_mut(x.chunk).unwrap().corrupt_add_used_run(Run {
        offset: 510,
        pages: 4,
    });
    assert!(live_ranges_disjoint_in_bounds(&a).is_err());
}

#[test]
fn wrong_num_avail_and_linking_are_caught() {
    let (mut a, mut s) = direct();
    let x = a.allocate(16, &mut s).unwrap();
    check_arena(&a).unwrap();
    let sub = a.chunk_mut(x.chunk).unwrap().subpage_at_mut(0).unwrap();
    sub.corrupt_num_avail(0);
    assert_eq!(
        subpage_bitmap_consistent(&a).unwrap_err().invariant,
        NAMES[3]
    );
    assert_eq!(
        subpage_linked_iff_available(&a).unwrap_err().invariant,
        NAMES[4]
    );
}

#[test]
fn chunk_in_wrong_list_is_caught() {
    let (mut a, mut s) = direct();
    let x = a.allocate(64 * 1024, &mut s).unwrap();
    a.chunk_mut(x.chunk).unwrap().corrupt_free_bytes(PAGE);
    assert_eq!(chunk_in_list_by_usage(&a).unwrap_err().invariant, NAMES[5]);
}

#[test]
fn handle_class_mismatch_is_caught() {
    let (mut a, mut s) = direct();
    let small = a.allocate(16, &mut s).unwrap();
    let normal = a.allocate(64 * 1024, &mut s).unwrap();
    handle_size_class_matches(&a, &sizes(), small.chunk, small.handle, 16).unwrap();
    handle_size_class_matches(&a, &sizes(), normal.chunk, normal.handle, 64 * 1024).unwrap();
    // #11939: a small handle freed as a normal size, and the reverse.
    let v =
        handle_size_class_matches(&a, &sizes(), small.chunk, small.handle, 32 * 1024).unwrap_err();
    assert_eq!(v.invariant, HANDLE_SIZE_CLASS_MATCHES);
    assert!(handle_size_class_matches(&a, &sizes(), normal.chunk, normal.handle, 16).is_err());
    assert!(handle_size_class_matches(&a, &sizes(), small.chunk, small.handle, 32).is_err());
    a.free(small.chunk, small.handle, 16, false, &mut s)
        .unwrap();
    assert!(
        handle_size_class_matches(&a, &sizes(), small.chunk, small.handle, 16).is_err(),
        "freed handle"
    );
}

#[test]
fn free_all_returns_pages_allows_only_lone_empty_subpages() {
    let (mut a, mut s) = direct();
    let run = a.allocate(64 * 1024, &mut s).unwrap();
    let x = a.allocate(1024, &mut s).unwrap();
    // With "nothing live" claimed while a run is in use, the rule is broken.
    let e = free_all_returns_pages(&a, true).unwrap_err();
    assert_eq!(e.invariant, FREE_ALL_RETURNS_PAGES);
    a.free(run.chunk, run.handle, 64 * 1024, false, &mut s)
        .unwrap();
    assert!(
        free_all_returns_pages(&a, true).is_err(),
        "a 1 KiB element is in use"
    );
    a.free(x.chunk, x.handle, 1024, false, &mut s).unwrap();
    // The emptied subpage is alone in its pool: Netty keeps it on purpose.
    free_all_returns_pages(&a, true).unwrap();
    check_arena(&a).unwrap();
}

/// §9.5's other half: every pool entry names a live subpage of that pool's size; an
/// entry in another size's pool (the last pool included) or naming no subpage is caught.
#[test]
fn a_pool_entry_of_another_size_or_no_subpage_is_caught() {
    let linked = |a: &mut crate::pool::ArenaCore, idx: usize, key| {
        a.pools.link_front(idx, key);
        subpage_linked_iff_available(a).unwrap_err()
    };
    let (mut a, mut s) = direct();
    a.allocate(16, &mut s).unwrap();
    check_arena(&a).unwrap();
    let (idx, key) = a.subpage_pools().iter().next().unwrap();
    let last = a.subpage_pools().num_pools() - 1;
    assert_ne!(idx, last);
    let v = linked(&mut a, last, key);
    assert_eq!(v.invariant, NAMES[4]);
    assert!(v.message.starts_with(&format!("pool {last} links")), "{v}");
    let (mut b, mut s) = direct();
    b.allocate(16, &mut s).unwrap();
    let not_a_subpage = crate::pool::SubpageKey {
        run_offset: key.run_offset + 1,
        ..key
    };
    let v = linked(&mut b, idx, not_a_subpage);
    assert!(v.message.starts_with(&format!("pool {idx} links")), "{v}");
}
