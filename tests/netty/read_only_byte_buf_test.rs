//! `ReadOnlyByteBufTest`: `Unpooled.unmodifiableBuffer` / `asReadOnly()` views of an
//! unpooled heap buffer (`buffer(n)`).
//!
//! Skipped here (bytes/NIO/endianness): `shouldHaveSameByteOrder`,
//! `shouldForwardReadCallsBlindly` (a Mockito mock forwarding typed and NIO reads),
//! `shouldRejectSetShort`/`Medium`/`Int`/`Long` (typed writes) and
//! `shouldRejectSetBytes1`/`2`/`5` (stream, channel and `ByteBuffer` sources). Not ported
//! (docs/fidelity.md): `shouldNotAllowNullInConstructor` (no null in Rust).

use crate::sliced_byte_buf_test::unpooled_buffer;
use crate::support::{jvm, T};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::{JavaClass, JavaResult};

/// `assertThrows(UnsupportedOperationException.class, …)`: `ReadOnlyBufferException`
/// is one.
#[track_caller]
fn assert_unsupported<V: std::fmt::Debug>(result: JavaResult<V>) {
    let e = result.expect_err("a write through a read-only view throws");
    assert!(
        matches!(
            e.class,
            JavaClass::UnsupportedOperation | JavaClass::ReadOnlyBuffer
        ),
        "threw {e}"
    );
}

/// `unmodifiableBuffer(buffer(n))`.
/// `unmodifiableBuffer(EMPTY_BUFFER)`: `Unpooled.EMPTY_BUFFER` is an `EmptyByteBuf`,
/// and the model's is an allocator's (`heapBuffer(0, 0)`), the same class.
fn read_only_of_empty() -> ByteBuf {
    let empty = UnpooledAllocator::new(&jvm())
        .new_buffer(T, false, 0, 0)
        .unwrap();
    assert_eq!(empty.class(), BufClass::Empty);
    empty.unmodifiable().unwrap()
}

fn read_only_of(n: i64) -> (ByteBuf, ByteBuf) {
    let buf = unpooled_buffer(n);
    let ro = buf.unmodifiable().unwrap();
    (ro, buf)
}

#[test]
fn test_unmodifiable_buffer() {
    let (ro, _) = read_only_of(1);
    // assertThat(unmodifiableBuffer(buffer(1))).isInstanceOf(ReadOnlyByteBuf.class);
    assert_eq!(ro.class(), BufClass::ReadOnly);
}

#[test]
fn test_unwrap() {
    let (ro, buf) = read_only_of(1);
    // assertSame(buf, unmodifiableBuffer(buf).unwrap());
    let unwrapped = ro.unwrap().unwrap().unwrap();
    assert_eq!(unwrapped.object_id(), buf.object_id());
}

#[test]
fn should_return_read_only_derived_buffer() {
    let (buf, _) = read_only_of(1);
    // assertThat(buf.duplicate()).isInstanceOf(ReadOnlyByteBuf.class);
    assert_eq!(buf.duplicate().unwrap().class(), BufClass::ReadOnly);
    // assertThat(buf.slice()).isInstanceOf(ReadOnlyByteBuf.class);
    assert_eq!(buf.slice().unwrap().class(), BufClass::ReadOnly);
    // assertThat(buf.slice(0, 1)).isInstanceOf(ReadOnlyByteBuf.class);
    assert_eq!(buf.slice_range(0, 1).unwrap().class(), BufClass::ReadOnly);
    // assertThat(buf.duplicate()).isInstanceOf(ReadOnlyByteBuf.class);
    assert_eq!(buf.duplicate().unwrap().class(), BufClass::ReadOnly);
}

#[test]
fn should_return_writable_copy() {
    let (buf, _) = read_only_of(1);
    // assertThat(buf.copy()).isNotInstanceOf(ReadOnlyByteBuf.class);
    assert_ne!(buf.copy(T).unwrap().class(), BufClass::ReadOnly);
}

#[test]
fn should_reject_set_byte() {
    let ro = read_only_of_empty();
    // unmodifiableBuffer(EMPTY_BUFFER).setByte(0, (byte) 0): UnsupportedOperationException
    assert_unsupported(ro.set_byte(0, 0));
}

#[test]
fn should_reject_set_bytes3() {
    let ro = read_only_of_empty();
    // unmodifiableBuffer(EMPTY_BUFFER).setBytes(0, (byte[]) null, 0, 0)
    assert_unsupported(ro.set_bytes(0, &[]));
}

#[test]
fn should_reject_set_bytes4() {
    let ro = read_only_of_empty();
    // unmodifiableBuffer(EMPTY_BUFFER).setBytes(0, (ByteBuf) null, 0, 0)
    assert_unsupported(ro.set_bytes(0, &[]));
}

/// `ensureWritableIntStatusShouldFailButNotThrow(force)`.
fn int_status_fails(force: bool) {
    let (read_only, _) = read_only_of(1);
    let result = read_only.ensure_writable_force(T, 1, force).unwrap();
    // assertEquals(1, result); assertFalse(ensureWritableSuccess(result));
    assert_eq!(result, 1);
    read_only.release().unwrap();
}

#[test]
fn ensure_writable_int_status_should_fail_but_not_throw() {
    int_status_fails(false);
}

#[test]
fn ensure_writable_force_int_status_should_fail_but_not_throw() {
    int_status_fails(true);
}

#[test]
fn ensure_writable_should_throw() {
    let (read_only, buf) = read_only_of(1);
    // assertThrows(ReadOnlyBufferException.class, () -> readOnly.ensureWritable(1));
    let e = read_only.ensure_writable(T, 1).unwrap_err();
    assert_eq!(e.class, JavaClass::ReadOnlyBuffer);
    buf.release().unwrap();
}

#[test]
fn as_read_only() {
    let (read_only, _) = read_only_of(1);
    // assertTrue(readOnly.isReadOnly());
    assert!(read_only.is_read_only());
    // assertSame(readOnly, readOnly.asReadOnly());
    assert_eq!(
        read_only.as_read_only().unwrap().object_id(),
        read_only.object_id()
    );
    read_only.release().unwrap();
}

crate::only_4_1_128! {
    #[test]
    fn test_duplicate_of_slice_has_the_same_capacity_as_the_slice() {
        let buffer = unpooled_buffer(16);
        crate::abstract_byte_buf_test_derivatives::duplicate_of_slice_has_the_same_capacity(
            &buffer, false,
        );
        buffer.release().unwrap();
    }
}

crate::only_4_1_128! {
    #[test]
    fn test_duplicate_of_retained_slice_has_the_same_capacity_as_the_slice() {
        let buffer = unpooled_buffer(16);
        crate::abstract_byte_buf_test_derivatives::duplicate_of_slice_has_the_same_capacity(
            &buffer, true,
        );
        buffer.release().unwrap();
    }
}

#[test]
fn should_reject_discard_read_bytes() {
    let ro = read_only_of_empty();
    // assertThrows(UnsupportedOperationException.class, () -> unmodifiableBuffer(EMPTY_BUFFER).discardReadBytes());
    assert_unsupported(ro.discard_read_bytes());
}

#[test]
fn should_indicate_not_writable() {
    let (ro, _) = read_only_of(1);
    // assertFalse(unmodifiableBuffer(buffer(1)).isWritable());
    assert!(!ro.is_writable());
}

#[test]
fn should_indicate_not_writable_any_number() {
    let (ro, _) = read_only_of(1);
    // assertFalse(unmodifiableBuffer(buffer(1)).isWritable(1));
    assert!(!ro.is_writable_bytes(1));
}
