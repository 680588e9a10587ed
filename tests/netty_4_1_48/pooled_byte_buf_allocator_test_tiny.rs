//! 4.1.48's `PooledByteBufAllocatorTest.testTinySubpageMetric`, gone with the tiny
//! classes in 4.1.52 (its other tests are `tests/netty`'s, run with `maxOrder` 11).

use crate::support::{jvm, pooled_no_cache, MAX, T};
use crate::MAX_ORDER;

#[test]
fn test_tiny_subpage_metric() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 1, 1, 8192, 11, 0, 0, 0); heapBuffer(1)
    let allocator = pooled_no_cache(&jvm, 1, 1, 8192, MAX_ORDER);
    let buffer = allocator.new_buffer(T, false, 1, MAX).unwrap();
    let metric = &allocator.metric().heap_arenas[0];
    let tiny = metric.tiny.as_ref().expect("4.1.48 has tiny metrics");
    let subpage_metric = &tiny.tiny_subpages[0];
    // assertEquals(1, subpageMetric.maxNumElements() - subpageMetric.numAvailable());
    assert_eq!(
        subpage_metric.max_num_elements - subpage_metric.num_available,
        1
    );
    buffer.release().unwrap();
}
