//! A `directMemoryCacheAlignment` up to and above the chunk: 4.1.48 accepts it (it does
//! not round the page up to the alignment, #11106). Printed by the real Netty 4.1.48
//! (JDK 17, `-ea`) for `new PooledByteBufAllocator(true, 1, 1, 4096, 0, 0, 0, 0, true,
//! alignment)`: a request aligned to the chunk is served from a page; aligned past it,
//! `allocate` finds `normCapacity > chunkSize` and serves the request itself from a huge
//! chunk (PoolArena.java:221–232). The model panicked building this table before.

use crate::support::{jvm, pooled_tiny, MAX, T};

/// `(capacity, maxFastWritableBytes)` of each request on a fresh allocator.
fn served(alignment: i32) -> Vec<(usize, i64)> {
    let jvm = jvm();
    let allocator = pooled_tiny(&jvm, true, 1, 1, 4096, 0, [0; 3], true, alignment);
    [1, 0, 100]
        .iter()
        .map(|&size| {
            let b = allocator.new_buffer(T, true, size, MAX).expect("served");
            (b.capacity(), b.max_fast_writable_bytes())
        })
        .collect()
}

#[test]
fn alignment_4096_serves_a_page_and_8192_a_huge_chunk_of_the_request() {
    assert_eq!(served(4096), [(1, 4096), (0, 0), (100, 4096)]);
    assert_eq!(served(8192), [(1, 1), (0, 0), (100, 100)]);
}
