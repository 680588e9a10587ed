//! `EmptyByteBufTest`: the allocator's shared `EmptyByteBuf`. Java constructs
//! `new EmptyByteBuf(UnpooledByteBufAllocator.DEFAULT)`; the model's public way to it
//! is `heapBuffer(0, 0)` of an `UnpooledByteBufAllocator`, which returns that
//! allocator's one (AbstractByteBufAllocator.java:184–185).
//!
//! Not ported: `testIsContiguous`, `testArray`, `testNioBuffer`, `testMemoryAddress`
//! and `testGetCharSequence` (arrays, NIO, addresses, charsets), and the `equals`/
//! `hashCode` half of `consistentEqualsAndHashCodeWithAbstractBytebuf` (byte content);
//! its `UnpooledHeapByteBuf(alloc, 0, 0)` is built by a constructor the model has no
//! public form of (the allocator returns the `EmptyByteBuf` for (0, 0)).

use crate::support::{assert_throws, jvm, IOOBE, T};
use leakproof_model::alloc::{ByteBufAllocator, UnpooledAllocator};
use leakproof_model::buffer::{BufClass, ByteBuf};

fn empty() -> ByteBuf {
    let e = UnpooledAllocator::new(&jvm())
        .heap_buffer_with_max(T, 0, 0)
        .unwrap();
    assert_eq!(e.class(), BufClass::Empty);
    e
}

#[test]
fn test_is_writable() {
    let empty = empty();
    // assertFalse(empty.isWritable());
    assert!(!empty.is_writable());
    // assertFalse(empty.isWritable(1));
    assert!(!empty.is_writable_bytes(1));
}

#[test]
fn test_write_empty_byte_buf() {
    let empty = empty();
    // empty.writeBytes(Unpooled.EMPTY_BUFFER); // Ok
    empty.write_bytes(T, &[]).unwrap();
    // ByteBuf nonEmpty = UnpooledByteBufAllocator.DEFAULT.buffer().writeBoolean(false);
    let non_empty = UnpooledAllocator::new(&jvm()).buffer(T).unwrap();
    non_empty.write_byte(T, 0).unwrap();
    // empty.writeBytes(nonEmpty); fail(); catch (IndexOutOfBoundsException ignored)
    let readable = non_empty.get_bytes(0, non_empty.readable_bytes()).unwrap();
    assert_throws(IOOBE, empty.write_bytes(T, &readable));
    // finally { nonEmpty.release(); }
    assert!(non_empty.release().unwrap());
}

#[test]
fn test_is_readable() {
    let empty = empty();
    // assertFalse(empty.isReadable());
    assert!(empty.readable_bytes() == 0);
    // assertFalse(empty.isReadable(1));
    assert!(empty.readable_bytes() < 1);
}

#[test]
fn consistent_equals_and_hash_code_with_abstract_bytebuf() {
    let empty = empty();
    // assertFalse(empty.release());
    assert!(!empty.release().unwrap());
    assert_eq!(empty.ref_cnt(), 1);
}
