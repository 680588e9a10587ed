//! Netty 4.1.48.Final's own buffer tests, on the `netty-4.1.48` profile.
//!
//! The layout of `tests/netty` (one module per Java class, each Rust test named after
//! the Java test with its assertion quoted above the Rust form, `kinds_test!` for the
//! `AbstractByteBufTest` families). Where 4.1.48's test is the same as 4.1.128's, this
//! binary runs the module of `tests/netty` itself (`#[path]`), minus the tests 4.1.48
//! does not have (`only_4_1_128!` drops them); the modules of this directory are the
//! tests 4.1.48 has and 4.1.128 changed or dropped (tiny classes, the buddy tree,
//! `normalizeCapacity`). What is not ported, and why: `docs/fidelity.md` ("Netty's own
//! tests").
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

#[path = "../netty/support.rs"]
mod support;

/// The profile every test of this binary runs on.
pub fn profile() -> leakproof_model::Profile {
    leakproof_model::Profile::netty_4_1_48()
}

/// The `maxOrder` 4.1.48's `PooledByteBufAllocatorTest` passes its allocators (its
/// default: 16 MiB chunks).
pub const MAX_ORDER: i32 = 11;

/// Tests of 4.1.128 that 4.1.48 does not have: dropped here.
#[macro_export]
macro_rules! only_4_1_128 {
    ($($item:item)*) => {};
}

#[path = "../netty/abstract_byte_buf_test_bounds.rs"]
mod abstract_byte_buf_test_bounds;
#[path = "../netty/abstract_byte_buf_test_capacity.rs"]
mod abstract_byte_buf_test_capacity;
#[path = "../netty/abstract_byte_buf_test_contents.rs"]
mod abstract_byte_buf_test_contents;
#[path = "../netty/abstract_byte_buf_test_derivatives.rs"]
mod abstract_byte_buf_test_derivatives;
#[path = "../netty/abstract_byte_buf_test_refcount.rs"]
mod abstract_byte_buf_test_refcount;
#[path = "../netty/abstract_byte_buf_test_views.rs"]
mod abstract_byte_buf_test_views;
#[path = "../netty/abstract_reference_counted_byte_buf_test.rs"]
mod abstract_reference_counted_byte_buf_test;
#[path = "../netty/abstract_reference_counted_test.rs"]
mod abstract_reference_counted_test;
mod aligned_above_chunk;
mod aligned_below_16;
#[path = "../netty/byte_buf_allocator_test.rs"]
mod byte_buf_allocator_test;
#[path = "../netty/byte_buf_derivation_test.rs"]
mod byte_buf_derivation_test;
#[path = "../netty/duplicated_byte_buf_test.rs"]
mod duplicated_byte_buf_test;
mod pool_arena_test;
#[path = "../netty/pooled_byte_buf_allocator_test.rs"]
mod pooled_byte_buf_allocator_test;
#[path = "../netty/pooled_byte_buf_allocator_test_threads.rs"]
mod pooled_byte_buf_allocator_test_threads;
mod pooled_byte_buf_allocator_test_tiny;
#[path = "../netty/read_only_byte_buf_test.rs"]
mod read_only_byte_buf_test;
#[path = "../netty/resource_leak_detector_test.rs"]
mod resource_leak_detector_test;
#[path = "../netty/simple_leak_aware_byte_buf_test.rs"]
mod simple_leak_aware_byte_buf_test;
#[path = "../netty/sliced_byte_buf_test.rs"]
mod sliced_byte_buf_test;
#[path = "../netty/unreleaseable_byte_buf_test.rs"]
mod unreleaseable_byte_buf_test;
