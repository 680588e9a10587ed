//! Every derivative rule of netty.md §6.3, with the reference counts the real Netty
//! 4.1.48 reports (`oracle/facts/texts.tsv`).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::check;
use leakproof_model::jvm::Jvm;
use std::sync::Arc;

mod support;
use support::{jvm, T};

fn pooled(jvm: &Arc<Jvm>) -> ByteBuf {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 1;
    let alloc = PooledAllocator::new(jvm, config).unwrap();
    let buf = alloc.new_buffer(T, true, 16, i32::MAX as i64).unwrap();
    buf.write_bytes(T, &[7; 16]).unwrap();
    buf
}

fn unpooled(jvm: &Arc<Jvm>) -> ByteBuf {
    let buf = UnpooledAllocator::new(jvm)
        .new_buffer(T, true, 16, i32::MAX as i64)
        .unwrap();
    buf.write_bytes(T, &[7; 16]).unwrap();
    buf
}

#[test]
fn plain_derivatives_share_the_roots_count() {
    let jvm = jvm();
    for root in [pooled(&jvm), unpooled(&jvm)] {
        let slice = root.slice().unwrap();
        let dup = root.duplicate().unwrap();
        let read = root.read_slice(4).unwrap();
        assert_eq!((slice.ref_cnt(), dup.ref_cnt(), read.ref_cnt()), (1, 1, 1));
        assert_eq!(root.reader_index(), 4, "readSlice advances");
        assert!(
            read.release().unwrap(),
            "releasing a plain slice releases the root"
        );
        assert_eq!(root.ref_cnt(), 0);
        assert_eq!(dup.get_byte(0).unwrap_err().message, "refCnt: 0");
    }
}

#[test]
fn pooled_retained_derivatives_have_their_own_count() {
    let jvm = jvm();
    let root = pooled(&jvm);
    let child = root.retained_slice(T).unwrap();
    assert_eq!(child.class(), BufClass::PooledSliced);
    assert_eq!((child.ref_cnt(), root.ref_cnt()), (1, 2));
    assert_eq!(child.slice().unwrap().ref_cnt(), 1);
    let dup = root.retained_duplicate(T).unwrap();
    assert_eq!(dup.class(), BufClass::PooledDuplicated);
    assert_eq!((dup.ref_cnt(), root.ref_cnt()), (1, 3));
    assert!(child.release().unwrap());
    assert_eq!((root.ref_cnt(), child.ref_cnt()), (2, 0));
    assert_eq!(
        child.release().unwrap_err().message,
        "refCnt: 0, decrement: 1"
    );
    assert!(dup.release().unwrap());
    assert_eq!(root.ref_cnt(), 1);
    assert!(root.release().unwrap());
}

#[test]
fn unpooled_retained_derivatives_are_slice_then_retain() {
    let jvm = jvm();
    let root = unpooled(&jvm);
    let child = root.retained_slice(T).unwrap();
    assert_eq!(child.class(), BufClass::UnpooledSliced);
    assert_eq!((child.ref_cnt(), root.ref_cnt()), (2, 2));
    let dup = root.retained_duplicate(T).unwrap();
    assert_eq!((dup.ref_cnt(), root.ref_cnt()), (3, 3));
    assert!(!child.release().unwrap());
    assert!(
        !child.release().unwrap(),
        "a second release of the child is legal: shared count"
    );
    assert!(dup.release().unwrap());
    assert_eq!(root.ref_cnt(), 0);
}

#[test]
fn read_retained_slice_advances_and_retains() {
    let jvm = jvm();
    let root = pooled(&jvm);
    let child = root.read_retained_slice(T, 6).unwrap();
    assert_eq!(root.reader_index(), 6);
    assert_eq!(
        (child.capacity(), child.ref_cnt(), root.ref_cnt()),
        (6, 1, 2)
    );
    assert_eq!(
        root.read_retained_slice(T, 11).unwrap_err().message,
        "readerIndex(6) + length(11) exceeds writerIndex(16): \
         PooledUnsafeDirectByteBuf(ridx: 6, widx: 16, cap: 16)"
    );
}

#[test]
fn retained_slice_errors_match_netty() {
    let jvm = jvm();
    let root = pooled(&jvm);
    assert_eq!(
        root.retained_slice_range(T, 10, 10).unwrap_err().message,
        "PooledUnsafeDirectByteBuf(ridx: 0, widx: 16, cap: 16).slice(10, 10)"
    );
    assert_eq!(root.ref_cnt(), 1, "no retain is left behind");
    root.release().unwrap();
    assert_eq!(
        root.retained_slice(T).unwrap_err().message,
        "refCnt: 0, increment: 1"
    );
    let root = unpooled(&jvm);
    root.release().unwrap();
    assert_eq!(root.retained_slice(T).unwrap_err().message, "refCnt: 0");
}

#[test]
fn derived_to_string_names_the_unwrapped_root() {
    let jvm = jvm();
    let root = pooled(&jvm);
    let child = root.retained_slice_range(T, 0, 3).unwrap();
    assert_eq!(
        child.to_java_string(),
        "PooledSlicedByteBuf(ridx: 0, widx: 3, cap: 3/3, unwrapped: \
         PooledUnsafeDirectByteBuf(ridx: 0, widx: 16, cap: 16))"
    );
    let plain = child.slice().unwrap();
    assert!(plain
        .to_java_string()
        .starts_with("AbstractPooledDerivedByteBuf$PooledNonRetainedSlicedByteBuf("));
}

#[test]
fn copies_are_independent_generations() {
    let jvm = jvm();
    let root = pooled(&jvm);
    let copy = root.copy(T).unwrap();
    assert_ne!(copy.alloc_id(), root.alloc_id());
    assert_eq!(
        (copy.ref_cnt(), copy.max_capacity()),
        (1, i32::MAX as usize)
    );
    root.release().unwrap();
    assert_eq!(copy.read_bytes(16).unwrap(), vec![7; 16]);
}

/// `derived_keeps_parent_alive` breaks on a live pooled retained derivative whose
/// parent reached 0 without the program releasing it, and not once the derivative is
/// released and recycled.
#[test]
fn the_parent_alive_check_flags_a_parent_released_under_a_live_derivative() {
    let jvm = jvm();
    let root = pooled(&jvm);
    let child = root.retained_slice(T).unwrap();
    assert!(!root.release().unwrap() && root.release().unwrap());
    let v =
        check::derived_keeps_parent_alive(&check::HeapObjects::of(&jvm), |_| false).unwrap_err();
    assert_eq!(v.name(), "derived_keeps_parent_alive", "{v:?}");
    assert!(check::derived_keeps_parent_alive(&check::HeapObjects::of(&jvm), |_| true).is_ok());
    let _ = child.release();
    assert!(check::derived_keeps_parent_alive(&check::HeapObjects::of(&jvm), |_| false).is_ok());
}
