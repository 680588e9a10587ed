//! `PoolArenaTest`: size normalization, the size/page index tables and the arena's
//! allocation counters.
//!
//! Skipped here (NIO): `testDirectArenaMemoryCopy` (the reused `ByteBuffer`
//! duplicate's limit in `PoolArena.memoryCopy`).

use crate::support::{jvm, pooled, MAX, T};
use leakproof_model::pool::{PoolGeometry, SizeClasses};

const PAGE_SIZE: usize = 8192;
/// As the Java test passes it (not log2(PAGE_SIZE)): `SizeClasses` takes it as given.
const PAGE_SHIFTS: u32 = 11;
/// chunkSize = pageSize * (2 ^ pageShifts)
const CHUNK_SIZE: usize = 16777216;

/// `new SizeClasses(PAGE_SIZE, PAGE_SHIFTS, CHUNK_SIZE, alignment)`.
fn size_classes(alignment: usize) -> SizeClasses {
    let geometry = PoolGeometry {
        page_size: PAGE_SIZE,
        page_shifts: PAGE_SHIFTS,
        chunk_size: CHUNK_SIZE,
        alignment,
    };
    SizeClasses::new(&geometry, alignment)
}

/// `sizeIdx2size(size2SizeIdx(req))` for each request.
fn normalized(sc: &SizeClasses, requests: &[usize]) -> Vec<usize> {
    requests
        .iter()
        .map(|&r| sc.size_idx2size(sc.size2size_idx(r)).unwrap())
        .collect()
}

#[test]
fn test_normalize_capacity() {
    let sc = size_classes(0);
    // assertEquals(expectedResult[i], arena.sizeClass.sizeIdx2size(arena.sizeClass.size2SizeIdx(reqCapacities[i])));
    assert_eq!(
        normalized(&sc, &[0, 15, 510, 1024, 1023, 1025]),
        [16, 16, 512, 1024, 1024, 1280]
    );
}

#[test]
fn test_normalize_aligned_capacity() {
    let sc = size_classes(64);
    // assertEquals(expectedResult[i], arena.sizeClass.sizeIdx2size(arena.sizeClass.size2SizeIdx(reqCapacities[i])));
    assert_eq!(
        normalized(&sc, &[0, 15, 510, 1024, 1023, 1025]),
        [64, 64, 512, 1024, 1024, 1280]
    );
}

#[test]
fn test_size2_size_idx() {
    let sc = size_classes(0);
    for sz in 0..=CHUNK_SIZE {
        let size_idx = sc.size2size_idx(sz);
        // assertTrue(sz <= arena.sizeClass.sizeIdx2size(sizeIdx));
        assert!(sz <= sc.size_idx2size(size_idx).unwrap(), "{sz}");
        if size_idx > 0 {
            // assertTrue(sz > arena.sizeClass.sizeIdx2size(sizeIdx - 1));
            assert!(sz > sc.size_idx2size(size_idx - 1).unwrap(), "{sz}");
        }
    }
}

#[test]
fn test_pages2_page_idx() {
    let sc = size_classes(0);
    let page = |idx: usize| sc.page_idx2size(idx).unwrap();
    let max_pages = CHUNK_SIZE >> PAGE_SHIFTS;
    for pages in 1..=max_pages {
        let bytes = pages << PAGE_SHIFTS;
        let floor = sc.pages2page_idx_floor(pages);
        // assertTrue(pages << pageShifts >= arena.sizeClass.pageIdx2size(pageIdxFloor));
        assert!(bytes >= page(floor), "{pages}");
        if floor > 0 && pages < max_pages {
            // assertTrue(pages << pageShifts < arena.sizeClass.pageIdx2size(pageIdxFloor + 1));
            assert!(bytes < page(floor + 1), "{pages}");
        }
        let ceiling = sc.pages2page_idx(pages);
        // assertTrue(pages << pageShifts <= arena.sizeClass.pageIdx2size(pageIdxCeiling));
        assert!(bytes <= page(ceiling), "{pages}");
        if ceiling > 0 {
            // assertTrue(pages << pageShifts > arena.sizeClass.pageIdx2size(pageIdxCeiling - 1));
            assert!(bytes > page(ceiling - 1), "{pages}");
        }
    }
}

#[test]
fn test_size_idx2size() {
    let sc = size_classes(0);
    for i in 0..sc.n_sizes() {
        // assertEquals(arena.sizeClass.sizeIdx2sizeCompute(i), arena.sizeClass.sizeIdx2size(i));
        let lookup = sc.size_idx2size(i).map(|s| s as u64);
        assert_eq!(sc.size_idx2size_compute(i), lookup, "{i}");
    }
}

#[test]
fn test_page_idx2size() {
    let sc = size_classes(0);
    for i in 0..sc.n_p_sizes() {
        // assertEquals(arena.sizeClass.pageIdx2sizeCompute(i), arena.sizeClass.pageIdx2size(i));
        let lookup = sc.page_idx2size(i).map(|s| s as u64);
        assert_eq!(sc.page_idx2size_compute(i), lookup, "{i}");
    }
}

#[test]
fn test_allocation_counter() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 0, 1, 8192, 11, 0, 0, 0, true)
    let allocator = pooled(&jvm, true, 0, 1, 8192, 11, 0, 0, true, 0);
    // create small buffer
    let b1 = allocator.new_buffer(T, true, 800, MAX).unwrap();
    // create normal buffer
    let b2 = allocator.new_buffer(T, true, 8192 * 5, MAX).unwrap();
    // assertTrue(b1.release()); assertTrue(b2.release());
    assert!(b1.release().unwrap());
    assert!(b2.release().unwrap());
    let m = allocator.metric();
    // assertTrue(allocator.directArenas().size() >= 1);
    assert!(!m.direct_arenas.is_empty());
    let metric = &m.direct_arenas[0];
    // assertEquals(2, metric.numDeallocations()); assertEquals(2, metric.numAllocations());
    assert_eq!((metric.num_deallocations, metric.num_allocations), (2, 2));
    // assertEquals(1, metric.numSmallDeallocations()); assertEquals(1, metric.numSmallAllocations());
    assert_eq!(
        (metric.num_small_deallocations, metric.num_small_allocations),
        (1, 1)
    );
    // assertEquals(1, metric.numNormalDeallocations()); assertEquals(1, metric.numNormalAllocations());
    assert_eq!(
        (
            metric.num_normal_deallocations,
            metric.num_normal_allocations
        ),
        (1, 1)
    );
}
