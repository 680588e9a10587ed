//! Pooled memory without buffer objects (`allocate_raw` / `release_raw`), which the
//! workload simulation's ledger counts by footprint: a buffer holds its size class
//! (`PoolChunk.initBuf`: `maxLength` is the run or element size), a huge or unpooled
//! buffer its capacity (`PoolArena.allocateHuge`: an unpooled chunk of exactly `reqCapacity`).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::jvm::Jvm;
use leakproof_model::pool::SizeKind;
use std::sync::Arc;

mod support;
use support::{jvm, T};

fn pooled(jvm: &Arc<Jvm>, direct_arenas: i32) -> Arc<PooledAllocator> {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = direct_arenas;
    config.heap_arenas = 1;
    PooledAllocator::new(jvm, config).unwrap()
}

#[test]
fn a_pooled_buffer_holds_its_size_class() {
    let jvm = jvm();
    let alloc = pooled(&jvm, 1);
    let thread = alloc.raw_thread(T).unwrap();
    // 4.1.128's size classes (SizeClasses.java): 100 → 112 and 10,000 → 10,240 are
    // small (subpages up to 28 KiB with 8 KiB pages), 40,000 → 40,960 is normal (a run
    // of five pages).
    for (capacity, footprint, kind) in [
        (100, 112, SizeKind::Small),
        (10_000, 10_240, SizeKind::Small),
        (40_000, 40_960, SizeKind::Normal),
    ] {
        let b = alloc.allocate_raw(&thread, true, capacity).unwrap();
        assert_eq!(b.capacity(), capacity);
        assert_eq!(b.footprint(), footprint, "capacity {capacity}");
        assert_eq!(b.size_kind(), Some(kind));
        assert_eq!(b.arena_index(), Some(0));
        assert!(b.handle().is_some());
        alloc.release_raw(b).unwrap();
    }
}

#[test]
fn a_huge_buffer_holds_its_capacity_and_gives_it_back() {
    let jvm = jvm();
    let alloc = pooled(&jvm, 1);
    let thread = alloc.raw_thread(T).unwrap();
    let before = jvm.netty_direct().used();
    let capacity = 5 << 20;
    let b = alloc.allocate_raw(&thread, true, capacity).unwrap();
    assert_eq!(
        (b.footprint(), b.size_kind()),
        (capacity, Some(SizeKind::Huge))
    );
    assert_eq!(jvm.netty_direct().used() - before, capacity as i64);
    alloc.release_raw(b).unwrap();
    assert_eq!(jvm.netty_direct().used(), before);
}

#[test]
fn without_direct_arenas_a_buffer_is_unpooled_and_holds_its_capacity() {
    let jvm = jvm();
    let alloc = pooled(&jvm, 0);
    let thread = alloc.raw_thread(T).unwrap();
    let b = alloc.allocate_raw(&thread, true, 100).unwrap();
    assert_eq!((b.capacity(), b.footprint()), (100, 100));
    assert_eq!(
        (b.size_kind(), b.arena_index(), b.handle()),
        (None, None, None)
    );
    alloc.release_raw(b).unwrap();
}

/// A raw thread handle names the thread it was made for.
#[test]
fn a_raw_thread_names_its_thread() {
    let jvm = jvm();
    let alloc = pooled(&jvm, 1);
    let other = leakproof_model::ThreadId(3);
    jvm.start_thread(other, leakproof_model::ThreadKind::EventLoop)
        .unwrap();
    assert_eq!(alloc.raw_thread(other).unwrap().id(), other);
    assert_eq!(alloc.raw_thread(T).unwrap().id(), T);
}
