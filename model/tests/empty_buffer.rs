//! `directBuffer(0, 0)`/`heapBuffer(0, 0)` return the allocator's one shared
//! `EmptyByteBuf` (AbstractByteBufAllocator.java:164–165, 183–184 of 4.1.48), which
//! behaves as EmptyByteBuf.java says (identical in 4.1.48 and 4.1.128) and as the
//! real 4.1.48 showed (docs/fidelity.md).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::{AllocRef, ByteBufAllocator, UnpooledAllocator};
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::error::{JavaClass, JavaException};
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::LeakLevel;
use leakproof_model::Profile;
use std::sync::Arc;

mod support;
use support::{jvm_at, T};

/// A JVM of `profile` at PARANOID (so any tracked buffer would show), `T` running.
fn jvm(profile: Profile) -> Arc<Jvm> {
    jvm_at(profile, LeakLevel::Paranoid, |_| {})
}

fn pooled(jvm: &Arc<Jvm>) -> Arc<PooledAllocator> {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 1;
    config.heap_arenas = 1;
    PooledAllocator::new(jvm, config).unwrap()
}

/// Both allocator classes of one JVM.
fn allocators(jvm: &Arc<Jvm>) -> Vec<AllocRef> {
    vec![
        AllocRef::Pooled(pooled(jvm)),
        AllocRef::Unpooled(UnpooledAllocator::new(jvm)),
    ]
}

fn profiles() -> [Profile; 2] {
    [Profile::netty_4_1(), Profile::netty_4_1_48()]
}

/// `new IndexOutOfBoundsException()`.
fn assert_bare_ioobe<T: std::fmt::Debug>(r: Result<T, JavaException>) {
    let e = r.unwrap_err();
    assert_eq!(
        (e.class, e.message.as_str()),
        (JavaClass::IndexOutOfBounds, "")
    );
    assert_eq!(e.to_string(), "java.lang.IndexOutOfBoundsException");
}

#[test]
fn zero_zero_returns_one_shared_empty_buffer_per_allocator() {
    for profile in profiles() {
        let jvm = jvm(profile);
        let [a, b] = [allocators(&jvm), allocators(&jvm)];
        for (x, y) in a.iter().zip(&b) {
            let direct = x.direct_buffer_with_max(T, 0, 0).unwrap();
            let heap = x.heap_buffer_with_max(T, 0, 0).unwrap();
            let plain = x.buffer_with_max(T, 0, 0).unwrap();
            let io = x.io_buffer_with_max(T, 0, 0).unwrap();
            let other = y.heap_buffer_with_max(T, 0, 0).unwrap();
            assert_eq!(direct.class(), BufClass::Empty);
            for same in [&heap, &plain, &io] {
                assert_eq!(same.object_id(), direct.object_id());
                assert_eq!(same.alloc_id(), direct.alloc_id());
            }
            assert_ne!(other.object_id(), direct.object_id(), "one per allocator");
            // Only (0, 0): (0, 1) and (0, MAX) are buffers of the allocator's kind.
            assert_ne!(
                x.heap_buffer_with_max(T, 0, 1).unwrap().class(),
                BufClass::Empty
            );
            assert_ne!(x.heap_buffer_with(T, 0).unwrap().class(), BufClass::Empty);
            // It survives collections while nobody holds it, as the allocator does.
            let id = direct.object_id();
            drop((direct, heap, plain, io));
            jvm.gc();
            assert_eq!(x.direct_buffer_with_max(T, 0, 0).unwrap().object_id(), id);
        }
    }
}

#[test]
fn it_reaches_no_cache_arena_metric_counter_or_leak_detector() {
    for profile in profiles() {
        let jvm = jvm(profile);
        let pooled = pooled(&jvm);
        let unpooled = UnpooledAllocator::new(&jvm);
        let before = (pooled.metric(), unpooled.metric().snapshot());
        let counter = jvm.netty_direct().used();
        let mut held = Vec::new();
        for direct in [true, false] {
            held.push(pooled.new_buffer(T, direct, 0, 0).unwrap());
            held.push(unpooled.new_buffer(T, direct, 0, 0).unwrap());
        }
        assert_eq!((pooled.metric(), unpooled.metric().snapshot()), before);
        assert_eq!(
            pooled.metric().num_thread_local_caches,
            0,
            "no thread cache"
        );
        assert_eq!(jvm.netty_direct().used(), counter);
        for buf in &held {
            assert_eq!(buf.leak_tracker(), None, "never toLeakAwareBuffer'd");
            assert_eq!(buf.to_java_string(), "EmptyByteBufBE");
        }
        // toLeakAwareBuffer of it leaves the shared object untracked (docs/fidelity.md).
        let wrapped = jvm.to_leak_aware_buffer(&held[0]).unwrap();
        assert_eq!(wrapped.leak_tracker(), None);
        drop((held, wrapped));
        jvm.gc();
        // A tracked buffer's collection would be reported at the next tracked allocation.
        let probe = unpooled.direct_buffer(T).unwrap();
        assert!(jvm.take_leak_reports().is_empty());
        probe.release().unwrap();
    }
}

#[test]
fn its_count_is_one_for_good_and_any_amount_is_accepted() {
    // EmptyByteBuf.java:1006–1038.
    let jvm = jvm(Profile::netty_4_1_48());
    for a in allocators(&jvm) {
        let e = a.heap_buffer_with_max(T, 0, 0).unwrap();
        assert!(
            e.is_direct(),
            "isDirect() is true, even from heapBuffer(0, 0)"
        );
        for k in [-1, 0, 1, 3] {
            e.retain_n(k).unwrap();
            assert!(!e.release_n(k).unwrap());
        }
        assert!(!e.release().unwrap());
        e.touch("hint");
        assert_eq!(e.ref_cnt(), 1);
        assert_eq!((e.capacity(), e.max_capacity()), (0, 0));
    }
}

#[test]
fn indexes_and_bounds_accept_only_zero() {
    let jvm = jvm(Profile::netty_4_1());
    let e = UnpooledAllocator::new(&jvm)
        .direct_buffer_with_max(T, 0, 0)
        .unwrap();
    // checkIndex(index) / checkIndex(index, length) / checkLength(length).
    e.set_reader_index(0).unwrap();
    e.set_writer_index(0).unwrap();
    e.set_indexes(0, 0).unwrap();
    assert_bare_ioobe(e.set_reader_index(1));
    assert_bare_ioobe(e.set_writer_index(-1));
    assert_bare_ioobe(e.set_indexes(0, 1));
    assert_eq!(e.get_bytes(0, 0).unwrap(), Vec::<u8>::new());
    assert_bare_ioobe(e.get_bytes(1, 0));
    assert_bare_ioobe(e.get_byte(0));
    e.set_bytes(0, &[]).unwrap();
    assert_bare_ioobe(e.set_byte(0, 1));
    assert_eq!(e.read_bytes(0).unwrap(), Vec::<u8>::new());
    assert_bare_ioobe(e.read_bytes(1));
    assert_bare_ioobe(e.read_byte());
    e.write_bytes(T, &[]).unwrap();
    assert_bare_ioobe(e.write_bytes(T, &[1]));
    assert_bare_ioobe(e.write_byte(T, 1));
    assert_bare_ioobe(e.write_fill(T, 2, 0));
    e.skip_bytes(0).unwrap();
    assert_bare_ioobe(e.skip_bytes(1));
    let negative = e.skip_bytes(-1).unwrap_err();
    assert_eq!(negative.class, JavaClass::IllegalArgument);
    assert!(negative.message.starts_with("length"), "{negative}");
    assert_eq!(e.index_of(0, 0, 7).unwrap(), -1);
    assert_bare_ioobe(e.index_of(0, 1, 7));
    e.ensure_writable(T, 0).unwrap();
    assert_bare_ioobe(e.ensure_writable(T, 1));
    assert_eq!(e.ensure_writable_force(T, 0, true).unwrap(), 0);
    assert_eq!(e.ensure_writable_force(T, 5, true).unwrap(), 1);
    let negative = e.ensure_writable_force(T, -1, false).unwrap_err();
    assert_eq!(negative.class, JavaClass::IllegalArgument);
    assert!(!e.is_writable() && !e.is_writable_bytes(0));
    e.discard_read_bytes().unwrap();
    e.discard_some_read_bytes().unwrap();
    e.mark_reader_index();
    e.reset_writer_index().unwrap();
    e.clear();
    assert_eq!(e.max_fast_writable_bytes(), 0);
    assert_eq!((e.reader_index(), e.writer_index()), (0, 0));
    for n in [0, 1, 16] {
        let err = e.set_capacity(T, n).unwrap_err();
        assert_eq!(
            (err.class, err.message.as_str()),
            (JavaClass::ReadOnlyBuffer, "")
        );
    }
    assert!(e.unwrap().unwrap().is_none());
    assert!(!e.is_read_only());
}

#[test]
fn copies_and_views_are_the_buffer_itself() {
    // EmptyByteBuf.java:617–629, 859–896.
    let jvm = jvm(Profile::netty_4_1());
    for a in allocators(&jvm) {
        let e = a.direct_buffer_with_max(T, 0, 0).unwrap();
        let same: Vec<ByteBuf> = vec![
            e.copy(T).unwrap(),
            e.copy_range(T, 0, 0).unwrap(),
            e.slice().unwrap(),
            e.slice_range(0, 0).unwrap(),
            e.duplicate().unwrap(),
            e.retained_slice(T).unwrap(),
            e.retained_slice_range(T, 0, 0).unwrap(),
            e.retained_duplicate(T).unwrap(),
            e.read_slice(0).unwrap(),
            e.read_retained_slice(T, 0).unwrap(),
        ];
        for s in &same {
            assert_eq!((s.object_id(), s.alloc_id()), (e.object_id(), e.alloc_id()));
        }
        assert_bare_ioobe(e.copy_range(T, 0, 1));
        assert_bare_ioobe(e.slice_range(1, 0));
        assert_bare_ioobe(e.retained_slice_range(T, 0, 1));
        assert_bare_ioobe(e.read_slice(1));
        assert_bare_ioobe(e.read_retained_slice(T, 1));
        assert_eq!(e.ref_cnt(), 1);
    }
}

#[test]
fn as_read_only_wraps_it_and_asks_it() {
    // EmptyByteBuf.asReadOnly: Unpooled.unmodifiableBuffer(this) (java:99–101); the
    // ReadOnlyByteBuf asks it for its count, capacity, copies and slices.
    let jvm = jvm(Profile::netty_4_1_48());
    for a in allocators(&jvm) {
        let e = a.heap_buffer_with_max(T, 0, 0).unwrap();
        let ro = e.as_read_only().unwrap();
        assert_eq!(ro.class(), BufClass::ReadOnly);
        assert_eq!(
            ro.to_java_string(),
            "ReadOnlyByteBuf(ridx: 0, widx: 0, cap: 0/0, unwrapped: EmptyByteBufBE)"
        );
        assert!(ro.is_direct() && ro.is_read_only());
        assert_eq!(ro.ref_cnt(), 1);
        ro.retain_n(2).unwrap();
        assert!(!ro.release_n(5).unwrap());
        assert_eq!(ro.ref_cnt(), 1);
        assert_eq!(ro.copy(T).unwrap().object_id(), e.object_id());
        let slice = ro.slice().unwrap();
        assert_eq!(slice.class(), BufClass::ReadOnly);
        assert_eq!(slice.unwrap().unwrap().unwrap().object_id(), e.object_id());
        assert_eq!(ro.read_bytes(0).unwrap(), Vec::<u8>::new());
        assert_eq!(
            ro.read_bytes(1).unwrap_err().class,
            JavaClass::IndexOutOfBounds
        );
        assert_eq!(
            ro.set_capacity(T, 0).unwrap_err().class,
            JavaClass::ReadOnlyBuffer
        );
        assert_eq!(
            ro.write_bytes(T, &[]).unwrap_err().class,
            JavaClass::ReadOnlyBuffer
        );
        let unreleasable = e.unreleasable();
        assert_eq!(
            unreleasable.to_java_string(),
            "UnreleasableByteBuf(EmptyByteBufBE)"
        );
        assert!(unreleasable.slice().unwrap().is_unreleasable());
    }
}
