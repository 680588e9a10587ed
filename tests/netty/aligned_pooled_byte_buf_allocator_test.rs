//! `AlignedPooledByteBufAllocatorTest`'s own tests (its inherited allocator tests run
//! as the `aligned` class in `byte_buf_allocator_test`).
//!
//! Not ported (docs/fidelity.md): `testDirectSubpageReleaseLock`, which asserts that a
//! releasing thread is queued on the subpage head's `ReentrantLock`; the model folds
//! the subpage locks into the arena lock and has no lock queue to observe.

use crate::support::{jvm, pooled, T};
use leakproof_model::alloc::pooled::PooledConfig;

/// `AlignedPooledByteBufAllocatorTest.testCorrectElementSize` (#11955): with a 64-byte
/// alignment, capacities of 16, 17 and 18 in one subpage stay exact.
#[test]
fn test_correct_element_size() {
    let jvm = jvm();
    let d = PooledConfig::netty_default(jvm.config());
    let allocator = pooled(
        &jvm,
        true,
        d.heap_arenas,
        d.direct_arenas,
        d.page_size,
        11,
        d.small_cache_size,
        64,
        d.use_cache_for_all_threads,
        64,
    );
    let a = allocator.new_buffer(T, true, 0, 16384).unwrap();
    let b = allocator.new_buffer(T, true, 0, 16384).unwrap();
    for (buf, capacity) in [(&a, 16), (&b, 16), (&a, 17), (&b, 18)] {
        buf.set_capacity(T, capacity).unwrap();
        // assertEquals(capacity, buf.capacity());
        assert_eq!(buf.capacity() as i64, capacity);
    }
    // assertTrue(a.release()); assertTrue(b.release());
    assert!(a.release().unwrap());
    assert!(b.release().unwrap());
}
