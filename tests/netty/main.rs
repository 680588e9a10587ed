//! Netty 4.1.128.Final's own buffer tests, ported onto the model's public API.
//!
//! One module per Java test class (big classes split by family); each Rust test is
//! named after the Java test (snake case) and quotes the Java assertion above its Rust
//! form. Tests of `AbstractByteBufTest` are generic over the buffer kind and run once
//! per subclass (`<family>::<test>::<kind>`). What is not ported, and why, is listed
//! in `docs/fidelity.md` ("Netty's own tests"); tests about bytes, NIO or endianness
//! are skipped with a comment where they would be.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

mod support;

/// The profile every test of this binary runs on.
pub fn profile() -> leakproof_model::Profile {
    leakproof_model::Profile::netty_4_1()
}

/// The `maxOrder` `PooledByteBufAllocatorTest` passes its allocators (9 in 4.1.128;
/// `tests/netty_4_1_48` passes 11, as 4.1.48's test does).
pub const MAX_ORDER: i32 = 9;

/// Tests of 4.1.128 that 4.1.48's buffer tests do not have: `tests/netty_4_1_48`,
/// which shares these modules, drops them.
#[macro_export]
macro_rules! only_4_1_128 {
    ($($item:item)*) => {
        $($item)*
    };
}

mod abstract_byte_buf_test_bounds;
mod abstract_byte_buf_test_capacity;
mod abstract_byte_buf_test_contents;
mod abstract_byte_buf_test_derivatives;
mod abstract_byte_buf_test_refcount;
mod abstract_byte_buf_test_views;
mod abstract_reference_counted_byte_buf_test;
mod abstract_reference_counted_test;
mod aligned_pooled_byte_buf_allocator_test;
mod byte_buf_allocator_test;
mod byte_buf_derivation_test;
mod duplicated_byte_buf_test;
mod empty_byte_buf_test;
mod pool_arena_test;
mod pooled_byte_buf_allocator_test;
mod pooled_byte_buf_allocator_test_threads;
mod read_only_byte_buf_test;
mod resource_leak_detector_test;
mod simple_leak_aware_byte_buf_test;
mod sliced_byte_buf_test;
mod unreleaseable_byte_buf_test;
