//! Unpooled buffers: texts, derivative rules, GC and metrics.

use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ReleaseOnDrop;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::{JavaClass, ThreadId};

const T: ThreadId = ThreadId::MAIN;

fn jvm() -> std::sync::Arc<Jvm> {
    Jvm::new(JvmConfig::default())
}

#[test]
fn refcount_error_texts_on_a_released_buffer() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, false, 16, 64).unwrap();
    assert_eq!(buf.ref_cnt(), 1);
    assert!(buf.release().unwrap());
    assert_eq!(buf.ref_cnt(), 0);
    let e = buf.release().unwrap_err();
    assert_eq!(e.class, JavaClass::IllegalReferenceCount);
    assert_eq!(e.message, "refCnt: 0, decrement: 1");
    assert_eq!(buf.retain().unwrap_err().message, "refCnt: 0, increment: 1");
    assert_eq!(buf.get_byte(0).unwrap_err().message, "refCnt: 0");
    assert_eq!(
        buf.to_java_string(),
        "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(freed)"
    );
}

#[test]
fn over_release_and_argument_texts() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 8, 8).unwrap();
    assert_eq!(
        buf.release_n(2).unwrap_err().message,
        "refCnt: 1, decrement: 2"
    );
    assert_eq!(
        buf.retain_n(0).unwrap_err().message,
        "increment : 0 (expected: > 0)"
    );
    assert_eq!(
        buf.release_n(0).unwrap_err().message,
        "decrement : 0 (expected: > 0)"
    );
    assert_eq!(buf.ref_cnt(), 1);
}

#[test]
fn index_texts_and_to_string() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, false, 4, 8).unwrap();
    buf.write_bytes(T, &[1, 2]).unwrap();
    assert_eq!(
        buf.to_java_string(),
        "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(ridx: 0, widx: 2, cap: 4/8)"
    );
    assert_eq!(
        buf.read_bytes(3).unwrap_err().message,
        "readerIndex(0) + length(3) exceeds writerIndex(2): \
         UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(ridx: 0, widx: 2, cap: 4/8)"
    );
    assert_eq!(
        buf.write_bytes(T, &[0; 7]).unwrap_err().message,
        "writerIndex(2) + minWritableBytes(7) exceeds maxCapacity(8): \
         UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(ridx: 0, widx: 2, cap: 4/8)"
    );
    assert_eq!(
        buf.get_byte(4).unwrap_err().message,
        "index: 4, length: 1 (expected: range(0, 4))"
    );
    assert_eq!(
        buf.set_reader_index(3).unwrap_err().message,
        "readerIndex: 3, writerIndex: 2 (expected: 0 <= readerIndex <= writerIndex <= capacity(4))"
    );
    assert_eq!(
        buf.set_writer_index(5).unwrap_err().message,
        "readerIndex: 0, writerIndex: 5 (expected: 0 <= readerIndex <= writerIndex <= capacity(4))"
    );
    let e = buf.set_capacity(T, 9).unwrap_err();
    assert_eq!(
        (e.class, e.message.as_str()),
        (JavaClass::IllegalArgument, "newCapacity: 9 (expected: 0-8)")
    );
}

#[test]
fn growth_doubles_and_keeps_bytes() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 2, 1000).unwrap();
    buf.write_bytes(T, &[7, 8, 9]).unwrap();
    assert_eq!(buf.capacity(), 64);
    assert_eq!(buf.get_bytes(0, 3).unwrap(), vec![7, 8, 9]);
    buf.set_capacity(T, 2).unwrap();
    assert_eq!((buf.reader_index(), buf.writer_index()), (0, 2));
    assert_eq!(buf.read_bytes(2).unwrap(), vec![7, 8]);
}

#[test]
fn unpooled_retained_slice_shares_the_count() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, false, 8, 8).unwrap();
    buf.write_bytes(T, b"abcdefgh").unwrap();
    let slice = buf.retained_slice_range(T, 2, 3).unwrap();
    assert_eq!((buf.ref_cnt(), slice.ref_cnt()), (2, 2));
    assert_eq!(slice.read_bytes(3).unwrap(), b"cde");
    slice.set_byte(0, b'X').unwrap();
    assert_eq!(buf.get_byte(2).unwrap(), b'X', "slices alias their parent");
    assert!(!slice.release().unwrap());
    assert!(
        slice.release().unwrap(),
        "releasing the slice releases the root"
    );
    assert_eq!(buf.ref_cnt(), 0);
    assert_eq!(slice.to_java_string(), "UnpooledSlicedByteBuf(freed)");
}

#[test]
fn slice_and_duplicate_bounds() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, false, 8, 8).unwrap();
    assert_eq!(
        buf.slice_range(4, 5).unwrap_err().message,
        "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(ridx: 0, widx: 0, cap: 8/8).slice(4, 5)"
    );
    let slice = buf.slice_range(2, 4).unwrap();
    assert_eq!(slice.max_capacity(), 4);
    assert_eq!(
        slice.slice_range(1, 4).unwrap_err().message,
        "index: 1, length: 4 (expected: range(0, 4))"
    );
    slice.set_writer_index(3).unwrap();
    slice.set_reader_index(1).unwrap();
    // A duplicate of a slice is a slice of the same range (#14093, 4.1.111+).
    let dup = slice.duplicate().unwrap();
    assert_eq!(
        (dup.reader_index(), dup.writer_index(), dup.capacity()),
        (1, 3, 4)
    );
    assert_eq!(
        slice.set_capacity(T, 2).unwrap_err().to_string(),
        "java.lang.UnsupportedOperationException: sliced buffer"
    );
}

#[test]
fn copy_is_independent_with_the_roots_max_capacity() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 8, 100).unwrap();
    buf.write_bytes(T, b"12345678").unwrap();
    let slice = buf.slice_range(2, 4).unwrap();
    let copy = slice.copy(T).unwrap();
    assert_eq!(copy.max_capacity(), 100);
    assert_eq!(copy.read_bytes(4).unwrap(), b"3456");
    buf.set_byte(2, b'!').unwrap();
    assert_eq!(copy.get_byte(0).unwrap(), b'3');
    assert!(buf.release().unwrap());
    assert_eq!(copy.ref_cnt(), 1);
}

#[test]
fn gc_reclaims_cleaner_and_heap_memory_but_metrics_drift() {
    let jvm = Jvm::new(JvmConfig {
        netty_max_direct_memory: 0,
        ..JvmConfig::default()
    });
    let alloc = UnpooledAllocator::new(&jvm);
    for _ in 0..4 {
        let buf = alloc.new_buffer(T, true, 1000, 1000).unwrap();
        drop(buf);
    }
    assert_eq!(jvm.jdk_direct().reserved(), 4000);
    let report = jvm.gc();
    assert_eq!(report.cleaner_freed_bytes, 4000);
    assert_eq!(jvm.jdk_direct().reserved(), 0);
    assert_eq!(
        alloc.metric().snapshot().used_direct_memory,
        4000,
        "metric never sees the GC"
    );
    assert_eq!(jvm.netty_direct().used(), -1);
}

#[test]
fn gc_never_reclaims_counted_direct_memory() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 1000, 1000).unwrap();
    let id = buf.alloc_id();
    drop(buf);
    let report = jvm.gc();
    assert_eq!(report.leaked, vec![id]);
    assert_eq!(jvm.netty_direct().used(), 1000);
}

#[test]
fn a_reachable_slice_keeps_its_root_alive() {
    let jvm = Jvm::new(JvmConfig {
        netty_max_direct_memory: 0,
        ..JvmConfig::default()
    });
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 100, 100).unwrap();
    let slice = buf.slice_range(0, 10).unwrap();
    drop(buf);
    assert_eq!(jvm.gc().cleaner_freed_bytes, 0);
    drop(slice);
    assert_eq!(jvm.gc().cleaner_freed_bytes, 100);
}

#[test]
fn no_cleaner_direct_memory_fails_with_nettys_text() {
    let jvm = Jvm::new(JvmConfig {
        netty_max_direct_memory: 2048,
        ..JvmConfig::default()
    });
    let alloc = UnpooledAllocator::new(&jvm);
    let _a = alloc.new_buffer(T, true, 1024, 1024).unwrap();
    let _b = alloc.new_buffer(T, true, 1024, 1024).unwrap();
    let e = alloc.new_buffer(T, true, 1024, 1024).unwrap_err();
    assert_eq!(
        e.uncaught_line(),
        "Exception in thread \"main\" io.netty.util.internal.OutOfDirectMemoryError: \
         failed to allocate 1024 byte(s) of direct memory (used: 2048, max: 2048)"
    );
    assert_eq!(jvm.netty_direct().used(), 2048);
}

/// The library's RAII guard releases its one reference on drop, once; `into_inner`
/// hands the reference back unreleased.
#[test]
fn release_on_drop_releases_once_unless_taken_back() {
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, false, 16, 64).unwrap();
    buf.retain().unwrap();
    drop(ReleaseOnDrop::new(buf.clone()));
    assert_eq!(buf.ref_cnt(), 1);
    let kept = ReleaseOnDrop::new(buf.clone()).into_inner();
    assert_eq!((kept.ref_cnt(), kept.capacity()), (1, 16));
    drop(ReleaseOnDrop::new(buf.clone()));
    assert_eq!(buf.ref_cnt(), 0);
}
