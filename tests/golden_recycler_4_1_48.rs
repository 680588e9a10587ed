#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! Golden test of the netty-4.1.48 Recycler against what the real Netty 4.1.48 did
//! (`oracle/facts/recycler.tsv`, `oracle/run.sh recycler`, JDK 17): which released
//! pooled buffer objects later allocations on the owner thread get back, when the
//! buffers were released on the owner (`Stack.dropHandle`: one in nine first recycles
//! kept) or on another thread (a `WeakOrderQueue` with its own ratio, drained into the
//! empty stack through the stack's ratio). The scenarios restate the oracle's
//! (`oracle/src/Reuse.java`); the expected values are read from the facts file.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::ByteBufAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::profile::Profile;
use leakproof_model::thread::{ThreadId, ThreadKind};

const FACTS: &str = include_str!("../oracle/facts/recycler.tsv");
const OWNER: ThreadId = ThreadId(1);
const OTHER: ThreadId = ThreadId(2);

fn fact(key: &str) -> &'static str {
    FACTS
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('\t'))
        .unwrap_or_else(|| panic!("{key} missing from oracle/facts/recycler.tsv"))
}

/// `Reuse.scenario`: `n` buffers allocated on the owner, those in `elsewhere` released
/// on another thread and the rest on the owner, in index order; then `after`
/// allocations on the owner, each named by the index of the object it reuses.
fn scenario(n: usize, elsewhere: &[usize], after: usize) -> String {
    let mut config = JvmConfig::for_profile(Profile::netty_4_1_48());
    config.runtime_max_memory = 256 << 20;
    let jvm = Jvm::new(config);
    jvm.start_thread(OWNER, ThreadKind::Plain).unwrap();
    jvm.start_thread(OTHER, ThreadKind::Plain).unwrap();
    // `new PooledByteBufAllocator(true, 2, 2, 8192, 11)`.
    let mut pooled = PooledConfig::with_geometry(jvm.config(), 8192, 11);
    pooled.heap_arenas = 2;
    pooled.direct_arenas = 2;
    let alloc = PooledAllocator::new(&jvm, pooled).unwrap();
    let new = |_| alloc.new_buffer_on(OWNER, true, 16, 16).unwrap();
    let bufs: Vec<ByteBuf> = (0..n).map(new).collect();
    for (i, b) in bufs.iter().enumerate() {
        let on = if elsewhere.contains(&i) { OTHER } else { OWNER };
        assert!(b.release_on(on).unwrap());
    }
    let next: Vec<ByteBuf> = (0..after).map(new).collect();
    let named: Vec<String> = next
        .iter()
        .map(|b| {
            bufs.iter()
                .position(|o| o.object_id() == b.object_id())
                .map_or("new".to_string(), |i| i.to_string())
        })
        .collect();
    named.join(",")
}

#[test]
fn same_thread_recycles_keep_one_in_nine_first_recycles() {
    assert_eq!(scenario(20, &[], 4), fact("recycler.same_thread"));
}

#[test]
fn cross_thread_recycles_pass_the_queue_ratio_and_then_the_stack_ratio() {
    let all: Vec<usize> = (0..10).collect();
    assert_eq!(scenario(10, &all, 2), fact("recycler.cross_thread"));
}

#[test]
fn the_owners_stack_is_used_before_its_queues() {
    assert_eq!(scenario(2, &[0], 2), fact("recycler.stack_before_queue"));
}
