//! Derived buffers as Netty 4.1.128 has them, and the 4.1.48 rule its profile field
//! keeps: a duplicate of a slice (#14093, commit e9caa97d59) and deriving from a
//! released slice or duplicate (the call reaches the root's `ensureAccessible()`).
//! Each expectation cites the Java that produces it.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::error::JavaClass;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::profile::Profile;
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

const T: ThreadId = ThreadId(1);

fn jvm_with(duplicate_of_slice_is_slice: bool) -> Arc<Jvm> {
    let mut profile = Profile::default();
    profile.derived.duplicate_of_slice_is_slice = duplicate_of_slice_is_slice;
    let jvm = Jvm::new(JvmConfig {
        runtime_max_memory: 1 << 30,
        ..JvmConfig::for_profile(profile)
    });
    jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
    jvm
}

/// A 16-byte root with 16 written bytes, pooled or unpooled.
fn root(jvm: &Arc<Jvm>, pooled: bool) -> ByteBuf {
    let buf = if pooled {
        let mut config = PooledConfig::netty_default(jvm.config());
        config.direct_arenas = 1;
        let alloc = PooledAllocator::new(jvm, config).unwrap();
        alloc.new_buffer(T, true, 16, i32::MAX as i64).unwrap()
    } else {
        UnpooledAllocator::new(jvm)
            .new_buffer(T, true, 16, i32::MAX as i64)
            .unwrap()
    };
    buf.write_bytes(T, &[7; 16]).unwrap();
    buf
}

/// The slices a duplicate is taken of: `slice(4, 8)` with indexes (2, 6), on an
/// unpooled and a pooled root, and a `retainedSlice(4, 8)` of a pooled root.
fn slices(jvm: &Arc<Jvm>) -> Vec<(ByteBuf, ByteBuf)> {
    let mut out = Vec::new();
    for pooled in [false, true] {
        let r = root(jvm, pooled);
        let s = r.slice_range(4, 8).unwrap();
        out.push((r, s));
    }
    let r = root(jvm, true);
    let s = r.retained_slice_range(T, 4, 8).unwrap();
    assert_eq!(s.class(), BufClass::PooledSliced);
    out.push((r, s));
    for (_, s) in &out {
        s.set_indexes(2, 6).unwrap();
    }
    out
}

#[test]
fn duplicate_of_a_slice_is_a_slice_of_the_same_range() {
    // AbstractUnpooledSlicedByteBuf.java:217–219 and PooledSlicedByteBuf.java:117–119:
    // `return slice(0, capacity()).setIndex(readerIndex(), writerIndex());`
    let jvm = jvm_with(true);
    for (r, s) in slices(&jvm) {
        let d = s.duplicate().unwrap();
        assert!(d.class().is_slice(), "{:?}", d.class());
        assert_eq!(
            (d.capacity(), d.reader_index(), d.writer_index()),
            (8, 2, 6)
        );
        assert_eq!(
            d.ref_cnt(),
            s.ref_cnt(),
            "a plain duplicate shares the count"
        );
        // AbstractUnpooledSlicedByteBuf.java:88–90: `throw new
        // UnsupportedOperationException("sliced buffer")`.
        let e = d.set_capacity(T, 32).unwrap_err();
        assert_eq!(
            (e.class, e.message.as_str()),
            (JavaClass::UnsupportedOperation, "sliced buffer")
        );
        assert_eq!(r.capacity(), 16, "the root did not grow");
        d.set_bytes(0, &[1]).unwrap();
        assert_eq!(r.get_byte(4).unwrap(), 1, "index 0 is the slice's");
    }
}

#[test]
fn retained_duplicate_of_a_slice_is_a_retained_slice() {
    // AbstractUnpooledSlicedByteBuf.java:222–224 and PooledSlicedByteBuf.java:122–124:
    // `return retainedSlice(0, capacity()).setIndex(readerIndex(), writerIndex());`
    let jvm = jvm_with(true);
    for (r, s) in slices(&jvm) {
        let before = s.ref_cnt();
        let d = s.retained_duplicate(T).unwrap();
        assert!(d.class().is_slice(), "{:?}", d.class());
        assert_eq!(
            (d.capacity(), d.reader_index(), d.writer_index()),
            (8, 2, 6)
        );
        if s.class() == BufClass::PooledSliced {
            // PooledSlicedByteBuf.retainedSlice → newInstance0: own count, retains `this`.
            assert_eq!(
                (d.class(), d.ref_cnt(), s.ref_cnt()),
                (BufClass::PooledSliced, 1, 2)
            );
        } else {
            // AbstractByteBuf.retainedSlice: `slice(index, length).retain()` on the root.
            assert_eq!((d.ref_cnt(), r.ref_cnt()), (before + 1, before + 1));
        }
        assert_eq!(d.set_capacity(T, 32).unwrap_err().message, "sliced buffer");
    }
}

#[test]
fn the_4_1_48_rule_duplicates_the_root() {
    // 4.1.48 AbstractUnpooledSlicedByteBuf.java:217–219:
    // `return unwrap().duplicate().setIndex(idx(readerIndex()), idx(writerIndex()));`
    let jvm = jvm_with(false);
    for (r, s) in slices(&jvm) {
        let d = s.duplicate().unwrap();
        assert!(!d.class().is_slice(), "{:?}", d.class());
        assert_eq!(
            (d.capacity(), d.reader_index(), d.writer_index()),
            (16, 6, 10)
        );
        d.set_capacity(T, 32).unwrap();
        assert_eq!(r.capacity(), 32, "a root-wide duplicate resizes the root");
        let rd = s.retained_duplicate(T).unwrap();
        assert!(!rd.class().is_slice());
        assert_eq!((rd.reader_index(), rd.writer_index()), (6, 10));
    }
}

#[test]
fn a_slice_of_a_retained_slice_still_duplicates_the_root() {
    // AbstractPooledDerivedByteBuf.java:302–306 (PooledNonRetainedSlicedByteBuf, not
    // changed by #14093): `new PooledNonRetainedDuplicateByteBuf(referenceCountDelegate,
    // unwrap()).setIndex(idx(readerIndex()), idx(writerIndex()))`.
    let jvm = jvm_with(true);
    let r = root(&jvm, true);
    let rs = r.retained_slice_range(T, 4, 8).unwrap();
    let nr = rs.slice_range(2, 4).unwrap();
    assert_eq!(nr.class(), BufClass::PooledNonRetainedSliced);
    let d = nr.duplicate().unwrap();
    assert_eq!(d.class(), BufClass::PooledNonRetainedDuplicated);
    assert_eq!(
        (d.capacity(), d.reader_index(), d.writer_index()),
        (16, 6, 10)
    );
    assert_eq!(
        d.ref_cnt(),
        rs.ref_cnt(),
        "shares the retained slice's count"
    );
}

#[test]
fn deriving_from_a_released_unpooled_view_throws_ref_cnt_0() {
    // AbstractUnpooledSlicedByteBuf.java:233–236 `unwrap().slice(idx(index), length)`
    // and DuplicatedByteBuf.java:214–216 `unwrap().slice(index, length)` reach
    // AbstractByteBuf.java:1219–1221 `ensureAccessible()` on the root:
    // `throw new IllegalReferenceCountException(0)`, "refCnt: 0".
    let jvm = jvm_with(true);
    for pooled in [false, true] {
        let r = root(&jvm, pooled);
        let views = [r.slice_range(2, 8).unwrap(), r.duplicate().unwrap()];
        assert!(r.release().unwrap());
        for v in &views {
            let calls: [(&str, leakproof_model::error::JavaResult<ByteBuf>); 6] = [
                ("slice()", v.slice()),
                ("slice(0, 1)", v.slice_range(0, 1)),
                ("duplicate()", v.duplicate()),
                ("retainedSlice()", v.retained_slice(T)),
                ("retainedSlice(0, 1)", v.retained_slice_range(T, 0, 1)),
                ("retainedDuplicate()", v.retained_duplicate(T)),
            ];
            for (call, result) in calls {
                let e = result.expect_err(call);
                assert_eq!(
                    (e.class, e.message.as_str()),
                    (JavaClass::IllegalReferenceCount, "refCnt: 0"),
                    "{call} of a released {:?} (pooled root: {pooled})",
                    v.class()
                );
            }
        }
    }
}

#[test]
fn retained_derivatives_of_plain_views_of_a_pooled_root_share_its_count() {
    // Neither AbstractUnpooledSlicedByteBuf nor DuplicatedByteBuf overrides
    // retainedSlice(int, int): AbstractByteBuf.java:1225–1227 `slice(index,
    // length).retain()` — an UnpooledSlicedByteBuf on the root's count, not a
    // PooledSlicedByteBuf with its own.
    let jvm = jvm_with(true);
    let r = root(&jvm, true);
    let dup = r.duplicate().unwrap();
    let rs = dup.retained_slice_range(T, 0, 4).unwrap();
    assert_eq!(rs.class(), BufClass::UnpooledSliced);
    assert_eq!((rs.ref_cnt(), r.ref_cnt()), (2, 2));
    let rd = dup.retained_duplicate(T).unwrap();
    assert_eq!(rd.class(), BufClass::UnpooledDuplicated);
    assert_eq!(r.ref_cnt(), 3);
}

#[test]
fn slice_bounds_of_a_duplicate_name_the_root() {
    // DuplicatedByteBuf.slice → AbstractByteBuf.slice → UnpooledSlicedByteBuf's
    // checkSliceOutOfBounds (AbstractUnpooledSlicedByteBuf.java:477–481):
    // `buffer + ".slice(" + index + ", " + length + ')'`, the buffer being the root.
    let jvm = jvm_with(true);
    let r = root(&jvm, false);
    let dup = r.duplicate().unwrap();
    let e = dup.slice_range(10, 10).unwrap_err();
    assert_eq!(e.class, JavaClass::IndexOutOfBounds);
    assert_eq!(e.message, format!("{}.slice(10, 10)", r.to_java_string()));
}

/// 4.1.48's `AbstractDerivedByteBuf.isAccessible()` is final and asks `unwrap()`
/// (AbstractDerivedByteBuf.java:35–37): a non-retained slice of a released retained
/// slice, and a read-only view of it (which wraps the slice itself,
/// ReadOnlyByteBuf.java:44–47), stay accessible while the root is. 4.1.128's
/// `isAccessible0` asks the retained slice whose count they share.
#[test]
fn a_non_retained_slice_is_accessible_while_its_root_is_on_4_1_48() {
    for (profile, accessible) in [
        (Profile::netty_4_1_48(), true),
        (Profile::netty_4_1(), false),
    ] {
        let jvm = Jvm::new(JvmConfig {
            runtime_max_memory: 1 << 30,
            ..JvmConfig::for_profile(profile)
        });
        jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
        let r = root(&jvm, true);
        let retained = r.retained_slice_range(T, 4, 8).unwrap();
        let plain = retained.slice_range(0, 8).unwrap();
        assert_eq!(plain.class(), BufClass::PooledNonRetainedSliced);
        let read_only = plain.as_read_only().unwrap();
        assert!(retained.release().unwrap());
        for view in [&plain, &read_only] {
            match view.get_bytes(0, 2) {
                Ok(bytes) => assert!(accessible, "{bytes:?}"),
                Err(e) => {
                    assert!(!accessible, "{e}");
                    assert_eq!(e.class, JavaClass::IllegalReferenceCount);
                }
            }
        }
    }
}
