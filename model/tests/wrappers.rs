//! `asReadOnly()` and `Unpooled.unreleasableBuffer`, as ReadOnlyByteBuf.java and
//! UnreleasableByteBuf.java (4.1.128) define them.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::{ByteBufAllocator, UnpooledAllocator};
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::error::JavaClass;
use leakproof_model::jvm::Jvm;
use std::sync::Arc;

mod support;
use support::{jvm, T};

/// A 16-byte buffer holding 0..16, pooled and unpooled.
fn roots(jvm: &Arc<Jvm>) -> Vec<ByteBuf> {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 1;
    let pooled = PooledAllocator::new(jvm, config).unwrap();
    let out = vec![
        pooled.direct_buffer_with(T, 16).unwrap(),
        UnpooledAllocator::new(jvm).heap_buffer_with(T, 16).unwrap(),
    ];
    for b in &out {
        b.write_bytes(T, &(0..16).collect::<Vec<u8>>()).unwrap();
    }
    out
}

fn assert_read_only(e: leakproof_model::error::JavaException) {
    assert_eq!(
        (e.class, e.message.as_str()),
        (JavaClass::ReadOnlyBuffer, "")
    );
    assert_eq!(e.to_string(), "java.nio.ReadOnlyBufferException");
}

#[test]
fn read_only_views_share_the_count_and_refuse_writes() {
    // ReadOnlyByteBuf.java:42–51 (own indexes, the wrapped buffer's), 74–76
    // ensureWritable, 145–147 setByte, 429–431 capacity(n): ReadOnlyBufferException;
    // AbstractDerivedByteBuf.refCnt/retain/release go to unwrap().
    let jvm = jvm();
    for root in roots(&jvm) {
        root.set_reader_index(2).unwrap();
        let ro = root.as_read_only().unwrap();
        assert_eq!(ro.class(), BufClass::ReadOnly);
        assert!(ro.is_read_only() && !root.is_read_only());
        assert_eq!(
            (ro.reader_index(), ro.writer_index(), ro.capacity()),
            (2, 16, 16)
        );
        assert_eq!(ro.get_byte(5).unwrap(), 5);
        assert_read_only(ro.write_bytes(T, &[1]).unwrap_err());
        assert_read_only(ro.set_byte(0, 1).unwrap_err());
        assert_read_only(ro.set_capacity(T, 32).unwrap_err());
        assert_read_only(ro.ensure_writable(T, 1).unwrap_err());
        assert_eq!(
            ro.as_read_only().unwrap().object_id(),
            ro.object_id(),
            "asReadOnly of a read-only is this"
        );
        assert_eq!(ro.unwrap().unwrap().unwrap().object_id(), root.object_id());
        ro.retain().unwrap();
        assert_eq!((ro.ref_cnt(), root.ref_cnt()), (2, 2));
        assert!(!ro.release().unwrap());
        // A slice of a read-only view is read-only (java:297–299) and shares the count.
        let s = ro.slice_range(4, 4).unwrap();
        assert!(s.is_read_only());
        assert_eq!((s.capacity(), s.get_byte(0).unwrap()), (4, 4));
        assert_read_only(s.set_byte(0, 9).unwrap_err());
        let d = ro.duplicate().unwrap();
        assert!(d.is_read_only());
        let rd = ro.retained_duplicate(T).unwrap();
        assert!(rd.is_read_only());
        assert_eq!(
            root.ref_cnt(),
            2,
            "retainedDuplicate = duplicate().retain()"
        );
        assert!(!rd.release().unwrap());
        assert!(root.release().unwrap());
        let e = ro.get_byte(0).unwrap_err();
        assert_eq!(
            (e.class, e.message.as_str()),
            (JavaClass::IllegalReferenceCount, "refCnt: 0")
        );
    }
}

#[test]
fn a_read_only_slice_keeps_the_slices_range() {
    // new ReadOnlyByteBuf(slice): capacity() = unwrap().capacity() (java:424–426).
    let jvm = jvm();
    for root in roots(&jvm) {
        let slice = root.slice_range(8, 4).unwrap();
        let ro = slice.as_read_only().unwrap();
        assert_eq!((ro.capacity(), ro.get_byte(0).unwrap()), (4, 8));
        assert_eq!(ro.unwrap().unwrap().unwrap().object_id(), slice.object_id());
        root.release().unwrap();
    }
}

#[test]
fn as_read_only_checks_the_indexes_against_the_wrapped_capacity() {
    // ReadOnlyByteBuf.java:50 (4.1.48 and 4.1.128): the constructor's
    // setIndex(buffer.readerIndex(), buffer.writerIndex()) against capacity(), which
    // is the wrapped buffer's (java:424–426; a duplicate's is its root's).
    let jvm = jvm();
    for root in roots(&jvm) {
        let dup = root.duplicate().unwrap();
        root.set_capacity(T, 8).unwrap();
        assert_eq!((root.writer_index(), dup.writer_index()), (8, 16));
        let e = dup.as_read_only().unwrap_err();
        assert_eq!(
            (e.class, e.message.as_str()),
            (
                JavaClass::IndexOutOfBounds,
                "readerIndex: 0, writerIndex: 16 (expected: 0 <= readerIndex <= writerIndex <= capacity(8))"
            )
        );
        let e = dup.unreleasable().as_read_only().unwrap_err();
        assert_eq!(e.class, JavaClass::IndexOutOfBounds);
        assert_eq!(
            root.as_read_only().unwrap().capacity(),
            8,
            "the root's own indexes fit"
        );
        root.set_capacity(T, 16).unwrap();
        assert_eq!(dup.as_read_only().unwrap().writer_index(), 16);
        root.release().unwrap();
    }
}

#[test]
fn unreleasable_buffers_ignore_retain_and_release() {
    // UnreleasableByteBuf.java:105–128: retain returns this, release returns false,
    // neither checks its argument; java:58–102: derivatives are wrapped again and the
    // retained ones are the plain ones.
    let jvm = jvm();
    for root in roots(&jvm) {
        let u = root.unreleasable();
        assert!(u.is_unreleasable());
        assert!(u.to_java_string().starts_with("UnreleasableByteBuf("));
        u.retain_n(-5).unwrap();
        assert!(!u.release_n(0).unwrap());
        assert!(!u.release().unwrap());
        assert_eq!(root.ref_cnt(), 1);
        for d in [
            u.slice().unwrap(),
            u.duplicate().unwrap(),
            u.retained_slice(T).unwrap(),
            u.retained_duplicate(T).unwrap(),
            u.read_retained_slice(T, 1).unwrap(),
        ] {
            assert!(d.is_unreleasable());
            assert!(!d.release().unwrap());
        }
        assert_eq!(root.ref_cnt(), 1, "no derivative retained the root");
        assert!(!u.unwrap().unwrap().unwrap().is_unreleasable());
        let ro = u.as_read_only().unwrap();
        assert!(ro.is_unreleasable() && ro.is_read_only());
        assert!(root.release().unwrap(), "the wrapped buffer still releases");
    }
}

#[test]
fn ensure_writable_with_force_answers_nettys_codes() {
    // AbstractByteBuf.java:309–335 and ReadOnlyByteBuf.java:69–71.
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let b = alloc.heap_buffer_with_max(T, 8, 16).unwrap();
    assert_eq!(b.ensure_writable_force(T, 8, false).unwrap(), 0);
    assert_eq!(b.ensure_writable_force(T, 17, false).unwrap(), 1);
    assert_eq!(b.capacity(), 8, "unchanged");
    assert_eq!(b.ensure_writable_force(T, 12, false).unwrap(), 2);
    assert_eq!(b.capacity(), 16);
    // Exactly `maxCapacity - writerIndex` fits (`minWritableBytes > maxCapacity -
    // writerIndex` is the refusal).
    let d = alloc.heap_buffer_with_max(T, 8, 16).unwrap();
    assert_eq!(d.ensure_writable_force(T, 16, false).unwrap(), 2);
    assert_eq!(d.capacity(), 16);
    let c = alloc.heap_buffer_with_max(T, 8, 16).unwrap();
    assert_eq!(c.ensure_writable_force(T, 17, true).unwrap(), 3);
    assert_eq!(c.capacity(), 16);
    assert_eq!(
        c.ensure_writable_force(T, 17, true).unwrap(),
        1,
        "already at max"
    );
    assert_eq!(
        b.as_read_only()
            .unwrap()
            .ensure_writable_force(T, 1, true)
            .unwrap(),
        1
    );
    let e = b.ensure_writable_force(T, -1, false).unwrap_err();
    assert_eq!(e.message, "minWritableBytes : -1 (expected: >= 0)");
}
