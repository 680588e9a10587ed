//! 4.1.48's `PoolArenaTest`: `normalizeCapacity` of the tiny/small/normal scheme and
//! the arena's tiny/small/normal allocation counters.
//!
//! Not ported: `testDirectArenaOffsetCacheLine` (the native address of a direct
//! `ByteBuffer` and `offsetCacheLine`: the model has no native addresses) and, as in
//! `tests/netty`, `testDirectArenaMemoryCopy` (NIO).

use crate::support::{jvm, pooled_tiny, MAX, T};
use leakproof_model::pool::{PoolGeometry, SizeClasses};

/// `new PoolArena.DirectArena(null, pageSize 0, maxOrder 0, pageShifts 9, chunkSize
/// 999999, alignment)`: `normalizeCapacity` reads only the chunk size and the
/// alignment; the model builds its class table from the page too, so it gets
/// `1 << pageShifts` instead of Java's unread 0.
fn arena_size_classes(alignment: usize) -> SizeClasses {
    let geometry = PoolGeometry {
        page_size: 1 << 9,
        page_shifts: 9,
        chunk_size: 999_999,
        alignment,
    };
    SizeClasses::legacy(&geometry, alignment)
}

/// `arena.normalizeCapacity(reqCapacities[i])` for each request.
fn normalized(alignment: usize) -> Vec<usize> {
    let sc = arena_size_classes(alignment);
    let req_capacities = [0, 15, 510, 1024, 1023, 1025];
    req_capacities
        .iter()
        .map(|&r| sc.normalize_size(r))
        .collect()
}

#[test]
fn test_normalize_capacity() {
    // assertEquals(expectedResult[i], arena.normalizeCapacity(reqCapacities[i]));
    assert_eq!(normalized(0), [0, 16, 512, 1024, 1024, 2048]);
}

#[test]
fn test_normalize_aligned_capacity() {
    // assertEquals(expectedResult[i], arena.normalizeCapacity(reqCapacities[i]));
    assert_eq!(normalized(64), [0, 64, 512, 1024, 1024, 2048]);
}

#[test]
fn test_allocation_counter() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 0, 1, 8192, 11, 0, 0, 0, true)
    let allocator = pooled_tiny(&jvm, true, 0, 1, 8192, 11, [0; 3], true, 0);
    // create tiny buffer, small buffer, normal buffer
    let b1 = allocator.new_buffer(T, true, 24, MAX).unwrap();
    let b2 = allocator.new_buffer(T, true, 800, MAX).unwrap();
    let b3 = allocator.new_buffer(T, true, 8192 * 2, MAX).unwrap();
    // assertTrue(b1.release()); assertTrue(b2.release()); assertTrue(b3.release());
    for b in [b1, b2, b3] {
        assert!(b.release().unwrap());
    }
    let m = allocator.metric();
    // assertTrue(allocator.directArenas().size() >= 1);
    assert!(!m.direct_arenas.is_empty());
    let metric = &m.direct_arenas[0];
    // assertEquals(3, metric.numDeallocations()); assertEquals(3, metric.numAllocations());
    assert_eq!((metric.num_deallocations, metric.num_allocations), (3, 3));
    // assertEquals(1, metric.numTinyDeallocations()); assertEquals(1, metric.numTinyAllocations());
    let tiny = metric.tiny.as_ref().expect("4.1.48 has tiny metrics");
    assert_eq!(
        (tiny.num_tiny_deallocations, tiny.num_tiny_allocations),
        (1, 1)
    );
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
