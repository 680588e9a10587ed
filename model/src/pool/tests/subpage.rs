use super::support::{arena_with, direct, CHUNK, PAGE};
use crate::error::JavaClass;
use crate::mutant::Mutant;
use crate::pool::handle;
use crate::pool::invariants::check_arena;
use crate::pool::{ArenaKind, SizeKind};

#[test]
fn elements_fill_one_subpage_then_the_next() {
    let (mut a, mut s) = direct();
    let allocs: Vec<_> = (0..512).map(|_| a.allocate(10, &mut s).unwrap()).collect();
    for (i, al) in allocs.iter().enumerate() {
        assert_eq!(
            (al.offset, al.length, al.max_length, al.kind),
            (i * 16, 10, 16, SizeKind::Small)
        );
        assert_eq!(handle::bitmap_idx(al.handle), i as u32);
        assert!(handle::is_subpage(al.handle));
    }
    let chunk = allocs[0].chunk;
    // Full: unlinked from the pool.
    assert!(a.subpage_pools().pool(0).is_empty());
    let next = a.allocate(16, &mut s).unwrap();
    assert_eq!((next.chunk, next.offset), (chunk, PAGE));
    assert_eq!(a.subpage_pools().pool(0).len(), 1);
    assert_eq!(a.subpage_pools().first(0).unwrap().run_offset, 1);
    check_arena(&a).unwrap();
}

#[test]
fn freeing_into_a_full_subpage_relinks_it_at_the_front() {
    let (mut a, mut s) = direct();
    let first: Vec<_> = (0..512).map(|_| a.allocate(16, &mut s).unwrap()).collect();
    let _second = a.allocate(16, &mut s).unwrap();
    a.free(first[7].chunk, first[7].handle, 16, false, &mut s)
        .unwrap();
    let pool: Vec<u32> = a
        .subpage_pools()
        .pool(0)
        .iter()
        .map(|k| k.run_offset)
        .collect();
    assert_eq!(pool, vec![0, 1]);
    // The freed slot is the hint: it is handed out next.
    assert_eq!(a.allocate(16, &mut s).unwrap().offset, 7 * 16);
    check_arena(&a).unwrap();
}

#[test]
fn fully_free_subpage_is_released_unless_alone() {
    let (mut a, mut s) = direct();
    let first: Vec<_> = (0..512).map(|_| a.allocate(16, &mut s).unwrap()).collect();
    let second = a.allocate(16, &mut s).unwrap();
    let chunk = second.chunk;
    let free_before = a.chunk(chunk).unwrap().free_bytes();
    for al in &first {
        a.free(al.chunk, al.handle, 16, false, &mut s).unwrap();
    }
    // Not alone (the second subpage is linked): released, run back to the chunk.
    assert!(a.chunk(chunk).unwrap().subpage_at(0).is_none());
    assert_eq!(a.chunk(chunk).unwrap().free_bytes(), free_before + PAGE);
    check_arena(&a).unwrap();
    // The second one is alone when it becomes free: kept and linked.
    a.free(chunk, second.handle, 16, false, &mut s).unwrap();
    let sub = a.chunk(chunk).unwrap().subpage_at(1).unwrap();
    assert!(sub.do_not_destroy());
    assert_eq!(sub.num_avail(), 512);
    assert_eq!(a.subpage_pools().pool(0).len(), 1);
    assert_eq!(a.chunk(chunk).unwrap().free_bytes(), CHUNK - PAGE);
    check_arena(&a).unwrap();
}

fn three_single_element_subpages(
    mutant: Mutant,
) -> (crate::pool::ArenaCore, Vec<crate::pool::Allocation>) {
    let (mut a, mut s) = arena_with(ArenaKind::Direct, mutant);
    let allocs: Vec<_> = (0..3).map(|_| a.allocate(8192, &mut s).unwrap()).collect();
    assert!(a.subpage_pools().pool(allocs[0].size_idx).is_empty());
    a.free(allocs[0].chunk, allocs[0].handle, 8192, false, &mut s)
        .unwrap();
    a.free(allocs[1].chunk, allocs[1].handle, 8192, false, &mut s)
        .unwrap();
    (a, allocs)
}

#[test]
fn single_element_subpages_are_released_since_10988() {
    let (a, allocs) = three_single_element_subpages(Mutant::None);
    let c = a.chunk(allocs[0].chunk).unwrap();
    // The first is alone and kept; the second is not alone and goes back.
    assert!(c.subpage_at(0).is_some());
    assert!(c.subpage_at(1).is_none());
    assert_eq!(c.free_bytes(), CHUNK - 2 * PAGE);
}

#[test]
fn single_element_mutant_keeps_them_as_before_10988() {
    let (a, allocs) = three_single_element_subpages(Mutant::SingleElementSubpageKept);
    let c = a.chunk(allocs[0].chunk).unwrap();
    assert!(c.subpage_at(0).is_some() && c.subpage_at(1).is_some());
    assert_eq!(c.free_bytes(), CHUNK - 3 * PAGE);
    assert_eq!(a.subpage_pools().pool(allocs[0].size_idx).len(), 2);
}

#[test]
fn multi_page_subpage_offsets() {
    let (mut a, mut s) = direct();
    let x = a.allocate(28 * 1024, &mut s).unwrap();
    let y = a.allocate(28 * 1024, &mut s).unwrap();
    assert_eq!(
        (x.offset, y.offset, x.max_length),
        (0, 28 * 1024, 28 * 1024)
    );
    let sub = a.chunk(x.chunk).unwrap().subpage_at(0).unwrap();
    assert_eq!(
        (sub.run_pages(), sub.max_num_elems(), sub.num_avail()),
        (7, 2, 0)
    );
    assert_eq!(a.allocate(28 * 1024, &mut s).unwrap().offset, 7 * PAGE);
}

#[test]
fn no_free_bit_while_num_avail_positive_is_12776() {
    let (mut a, mut s) = direct();
    let allocs: Vec<_> = (0..511).map(|_| a.allocate(16, &mut s).unwrap()).collect();
    let chunk = allocs[0].chunk;
    a.chunk_mut(chunk)
        .unwrap()
        .subpage_at_mut(0)
        .unwrap()
        .corrupt_set_bit(511);
    let e = a.allocate(16, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::Assertion);
    assert_eq!(
        e.message,
        "No next available bitmap index found (bitmapIdx = -1), even though there are supposed to be \
         (numAvail = 1) out of (maxNumElems = 512) available indexes."
    );
    assert!(
        a.subpage_pools().pool(0).is_empty(),
        "the broken subpage is unlinked"
    );
    assert_eq!(a.counters().allocations_small, 511);
}

#[test]
fn double_free_is_refused_or_corrupts_under_the_mutant() {
    let (mut a, mut s) = direct();
    let x = a.allocate(16, &mut s).unwrap();
    let _y = a.allocate(16, &mut s).unwrap();
    a.free(x.chunk, x.handle, 16, false, &mut s).unwrap();
    let e = a.free(x.chunk, x.handle, 16, false, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::Assertion);
    assert_eq!(a.counters().deallocations_small, 1);
    check_arena(&a).unwrap();

    let (mut a, mut s) = arena_with(ArenaKind::Direct, Mutant::SubpageDoubleFree);
    let x = a.allocate(16, &mut s).unwrap();
    let _y = a.allocate(16, &mut s).unwrap();
    a.free(x.chunk, x.handle, 16, false, &mut s).unwrap();
    a.free(x.chunk, x.handle, 16, false, &mut s).unwrap();
    let sub = a.chunk(x.chunk).unwrap().subpage_at(0).unwrap();
    assert!(sub.is_set(0), "XOR set the bit again");
    assert_eq!(sub.num_avail(), 512);
}

#[test]
fn next_avail_is_the_hint_netty_keeps() {
    // PoolSubpage.java:81 (init: nextAvail = 0), 170 (free: nextAvail = bitmapIdx),
    // 174–177 (getNextAvail takes the hint and leaves −1).
    let (mut a, mut s) = direct();
    let x = a.allocate(16, &mut s).unwrap();
    let hint = |a: &crate::pool::ArenaCore| {
        a.chunk(x.chunk)
            .unwrap()
            .subpage_at(0)
            .unwrap()
            .next_avail()
    };
    assert_eq!(hint(&a), -1, "the first allocation took the initial hint 0");
    let y = a.allocate(16, &mut s).unwrap();
    a.free(y.chunk, y.handle, 16, false, &mut s).unwrap();
    assert_eq!(hint(&a), 1, "the freed element is the hint");
    assert_eq!(a.allocate(16, &mut s).unwrap().offset, 16);
    assert_eq!(hint(&a), -1);
}
