//! What 4.1.128's `AlignedPooledByteBufAllocatorTest` allocator (alignment 1) found on
//! this profile: 4.1.48 has no such test, and with a `directMemoryCacheAlignment`
//! below 16 its tiny pools disagreed with the model, which gave pool `i` `16 i`-byte
//! elements (`docs/fidelity.md`, Allocator).
//! The expected values were printed by the real Netty 4.1.48 (JDK 17, the flags of
//! `oracle/run.sh` and `-ea`) for `new PooledByteBufAllocator(true, 1, 1, 8192, 11, 0,
//! 0, 0, true, alignment)`, one request after the other.
//!
//! 4.1.48 `PoolArena.normalizeCapacity` rounds a tiny request to the alignment only
//! (PoolArena.java:364–365), `tinyIdx` (`normCapacity >>> 4`, :151) picks the pool, and
//! `PoolChunk.allocateSubpage` makes the pool's subpage with `elemSize = normCapacity`
//! (PoolChunk.java:339–361): the first request of a pool fixes its element size (a
//! later one asserts `s.elemSize == normCapacity`, PoolArena.java:206), and below 16
//! bytes `PoolSubpage.init` writes past its `bitmap` (`pageSize >>> 10` longs,
//! PoolSubpage.java:55, 59–71).

use crate::support::{jvm, pooled_tiny, MAX, T};
use leakproof_model::JavaClass;

/// One request's outcome: `(capacity, maxFastWritableBytes)` or the exception and
/// its message (an `AssertionError`'s text is the model's own, so not compared).
#[derive(Debug, PartialEq)]
enum Seen {
    Buffer(usize, i64),
    Threw(JavaClass, Option<String>),
}

/// `java.lang.ArrayIndexOutOfBoundsException: Index 8 out of bounds for length 8`: the
/// bitmap fill of an 8 KiB page.
fn overflow() -> Seen {
    let message = "Index 8 out of bounds for length 8";
    Seen::Threw(JavaClass::ArrayIndexOutOfBounds, Some(message.into()))
}

/// `java.lang.AssertionError` (`-ea`).
fn assertion() -> Seen {
    Seen::Threw(JavaClass::Assertion, None)
}

/// Each `(direct, size)` request in turn on a fresh allocator with `alignment`; the
/// buffers stay live.
fn requests(alignment: i32, requests: &[(bool, i64)]) -> Vec<Seen> {
    let jvm = jvm();
    let allocator = pooled_tiny(&jvm, true, 1, 1, 8192, 11, [0; 3], true, alignment);
    requests
        .iter()
        .map(
            |&(direct, size)| match allocator.new_buffer(T, direct, size, MAX) {
                Ok(b) => Seen::Buffer(b.capacity(), b.max_fast_writable_bytes()),
                Err(e) => {
                    let message = (e.class != JavaClass::Assertion).then_some(e.message);
                    Seen::Threw(e.class, message)
                }
            },
        )
        .collect()
}

#[test]
fn alignment_1_requests_below_16_bytes_overflow_the_subpage_bitmap() {
    let seen = requests(
        1,
        &[
            (true, 1),
            (true, 2),
            (true, 16),
            (true, 17),
            (false, 1),
            (false, 2),
        ],
    );
    // 1, 2: AIOOBE; 16: capacity 16, fast 16; 17: AssertionError (pool 1 holds 16-byte
    // elements); heap 1, 2: AIOOBE.
    let expected = [
        overflow(),
        overflow(),
        Seen::Buffer(16, 16),
        assertion(),
        overflow(),
        overflow(),
    ];
    assert_eq!(seen, expected);
}

#[test]
fn alignment_8_the_first_request_of_a_tiny_pool_fixes_its_element_size() {
    let seen = requests(
        8,
        &[(true, 8), (true, 16), (true, 24), (true, 40), (true, 32)],
    );
    // 8: AIOOBE; 16: 16, 16; 24: AssertionError (pool 1 holds 16); 40: 40, 40 (pool 2
    // gets 40-byte elements); 32: AssertionError (pool 2 holds 40).
    let expected = [
        overflow(),
        Seen::Buffer(16, 16),
        assertion(),
        Seen::Buffer(40, 40),
        assertion(),
    ];
    assert_eq!(seen, expected);
}

#[test]
fn alignment_8_a_cached_smaller_element_fails_init_buf_with_subpage_assert() {
    // Printed by the real 4.1.48 (JDK 17, `-ea`) for `new PooledByteBufAllocator(true,
    // 1, 1, 4096, 3, 4, 4, 2, true, 8)`: 16 B, released into the cache's tiny queue 1;
    // then 24 B polls that 16-byte entry and fails `assert reqCapacity <=
    // subpage.elemSize` (PoolChunk.java:427); 16 B is served; 8 B and 1 B overflow the
    // bitmap of 4 KiB pages. (Without `-ea` the 24-byte request gets capacity 24 and
    // maxFastWritableBytes 16: a buffer over its neighbour's element.)
    let jvm = jvm();
    let allocator = pooled_tiny(&jvm, true, 1, 1, 4096, 3, [4, 4, 2], true, 8);
    let first = allocator.new_buffer(T, true, 16, MAX).expect("16 B");
    assert!(first.release().expect("released"));
    let seen: Vec<Seen> = [24, 16, 8, 1]
        .iter()
        .map(|&size| match allocator.new_buffer(T, true, size, MAX) {
            Ok(b) => Seen::Buffer(b.capacity(), b.max_fast_writable_bytes()),
            Err(e) => {
                let message = (e.class != JavaClass::Assertion).then_some(e.message);
                Seen::Threw(e.class, message)
            }
        })
        .collect();
    let overflow_4 = || {
        let message = "Index 4 out of bounds for length 4".to_string();
        Seen::Threw(JavaClass::ArrayIndexOutOfBounds, Some(message))
    };
    let expected = [
        assertion(),
        Seen::Buffer(16, 16),
        overflow_4(),
        overflow_4(),
    ];
    assert_eq!(seen, expected);
}
