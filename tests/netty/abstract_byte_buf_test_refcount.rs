//! `AbstractByteBufTest`: every access to a released buffer throws
//! `IllegalReferenceCountException`, and the reference counts of `testRefCnt`,
//! `testSliceRelease`, `testDuplicateRelease`.
//!
//! Skipped here (bytes): the typed accessors after release (`get/set/read/write` of
//! `Boolean`, `Short`, `Medium`, `Int`, `Long`, `Char`, `Float`, `Double`, LE and
//! unsigned forms), `CharSequence` and `forEachByte` after release, and the NIO forms
//! (`getBytesAfterRelease6/7/8`, `setBytesAfterRelease6/7/8`,
//! `readBytesAfterRelease7/8/9/10`, `writeBytesAfterRelease6/7/8`, `nioBuffer*`,
//! `internalNioBuffer`, `array`, `memoryAddress` after release).

use crate::support::{assert_throws, Fixture, IRCE, T};
use leakproof_model::buffer::ByteBuf;
use leakproof_model::ThreadId;
use leakproof_model::ThreadKind;

fn test_ensure_writable_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().ensureWritable(16));
    assert_throws(IRCE, fx.released_buffer().ensure_writable(T, 16));
}

fn test_discard_read_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().discardReadBytes());
    assert_throws(IRCE, fx.released_buffer().discard_read_bytes());
}

fn test_discard_some_read_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().discardSomeReadBytes());
    assert_throws(IRCE, fx.released_buffer().discard_some_read_bytes());
}

fn test_index_of_release_buffer(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.released_buffer();
    if buffer.capacity() != 0 {
        // buffer.indexOf(0, 1, (byte) 1); fail(); catch (IllegalReferenceCountException expected)
        assert_throws(IRCE, buffer.index_of(0, 1, 1));
    } else {
        // assertEquals(-1, buffer.indexOf(0, 1, (byte) 1));
        assert_eq!(buffer.index_of(0, 1, 1).unwrap(), -1);
    }
}

fn test_get_byte_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getByte(0));
    assert_throws(IRCE, fx.released_buffer().get_byte(0));
}

/// `getBytes(0, dst)` for a `ByteBuf` dst reads `dst.writableBytes()` bytes.
fn test_get_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    let dst = fx.unpooled_buffer(8, crate::support::MAX);
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getBytes(0, buffer));
    assert_throws(
        IRCE,
        fx.released_buffer().get_bytes(0, dst.writable_bytes()),
    );
    dst.release().unwrap();
}

fn test_get_bytes_after_release2(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getBytes(0, buffer, 1));
    assert_throws(IRCE, fx.released_buffer().get_bytes(0, 1));
}

fn test_get_bytes_after_release3(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getBytes(0, buffer, 0, 1));
    assert_throws(IRCE, fx.released_buffer().get_bytes(0, 1));
}

fn test_get_bytes_after_release4(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getBytes(0, new byte[8]));
    assert_throws(IRCE, fx.released_buffer().get_bytes(0, 8));
}

fn test_get_bytes_after_release5(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().getBytes(0, new byte[8], 0, 1));
    assert_throws(IRCE, fx.released_buffer().get_bytes(0, 1));
}

fn test_set_byte_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setByte(0, 1));
    assert_throws(IRCE, fx.released_buffer().set_byte(0, 1));
}

/// `setBytes(0, src)` for a `ByteBuf` src writes `src.readableBytes()` bytes.
fn test_set_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    let src = fx.unpooled_buffer(256, crate::support::MAX);
    let data = vec![0; src.readable_bytes()];
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setBytes(0, buffer));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &data));
    src.release().unwrap();
}

fn test_set_bytes_after_release2(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setBytes(0, buffer, 1));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &[0]));
}

fn test_set_bytes_after_release3(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setBytes(0, buffer, 0, 1));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &[0]));
}

fn test_set_bytes_after_release4(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setBytes(0, new byte[8]));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &[0; 8]));
}

fn test_set_bytes_after_release5(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setBytes(0, new byte[8], 0, 1));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &[0]));
}

/// `setZero(0, 1)`: the model has no `setZero`; writing one zero byte at 0 is the same
/// call path (`checkIndex`, then the write).
fn test_set_zero_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().setZero(0, 1));
    assert_throws(IRCE, fx.released_buffer().set_bytes(0, &[0]));
}

fn test_read_byte_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readByte());
    assert_throws(IRCE, fx.released_buffer().read_byte());
}

fn test_read_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(1));
    assert_throws(IRCE, fx.released_buffer().read_bytes(1));
}

/// `readBytes(dst)` reads `dst.writableBytes()` bytes.
fn test_read_bytes_after_release2(fx: &Fixture, _: &ByteBuf) {
    let dst = fx.unpooled_buffer(8, crate::support::MAX);
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(buffer));
    assert_throws(IRCE, fx.released_buffer().read_bytes(dst.writable_bytes()));
    dst.release().unwrap();
}

fn test_read_bytes_after_release3(fx: &Fixture, _: &ByteBuf) {
    let dst = fx.unpooled_buffer(8, crate::support::MAX);
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(buffer));
    assert_throws(IRCE, fx.released_buffer().read_bytes(dst.writable_bytes()));
    dst.release().unwrap();
}

fn test_read_bytes_after_release4(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(buffer, 0, 1));
    assert_throws(IRCE, fx.released_buffer().read_bytes(1));
}

fn test_read_bytes_after_release5(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(new byte[8]));
    assert_throws(IRCE, fx.released_buffer().read_bytes(8));
}

fn test_read_bytes_after_release6(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().readBytes(new byte[8], 0, 1));
    assert_throws(IRCE, fx.released_buffer().read_bytes(1));
}

fn test_write_byte_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeByte(1));
    assert_throws(IRCE, fx.released_buffer().write_byte(T, 1));
}

/// `writeBytes(src)` writes `src.readableBytes()` bytes.
fn test_write_bytes_after_release(fx: &Fixture, _: &ByteBuf) {
    let src = fx.unpooled_buffer(8, crate::support::MAX);
    let data = vec![0; src.readable_bytes()];
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeBytes(buffer));
    assert_throws(IRCE, fx.released_buffer().write_bytes(T, &data));
    src.release().unwrap();
}

fn test_write_bytes_after_release2(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeBytes(buffer, 1));
    assert_throws(IRCE, fx.released_buffer().write_bytes(T, &[0]));
}

fn test_write_bytes_after_release3(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeBytes(buffer, 0, 1));
    assert_throws(IRCE, fx.released_buffer().write_bytes(T, &[0]));
}

fn test_write_bytes_after_release4(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeBytes(new byte[8]));
    assert_throws(IRCE, fx.released_buffer().write_bytes(T, &[0; 8]));
}

fn test_write_bytes_after_release5(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeBytes(new byte[8], 0, 1));
    assert_throws(IRCE, fx.released_buffer().write_bytes(T, &[0]));
}

fn test_write_zero_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().writeZero(1));
    assert_throws(IRCE, fx.released_buffer().write_fill(T, 1, 0));
}

fn test_copy_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().copy());
    assert_throws(IRCE, fx.released_buffer().copy(T));
}

fn test_copy_after_release1(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().copy());
    assert_throws(IRCE, fx.released_buffer().copy(T));
}

fn test_slice_release(fx: &Fixture, _: &ByteBuf) {
    let buf = fx.new_buffer(8);
    // assertEquals(1, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 1);
    // assertTrue(buf.slice().release());
    assert!(buf.slice().unwrap().release().unwrap());
    // assertEquals(0, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 0);
}

fn test_duplicate_release(fx: &Fixture, _: &ByteBuf) {
    let buf = fx.new_buffer(8);
    // assertEquals(1, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 1);
    // assertTrue(buf.duplicate().release());
    assert!(buf.duplicate().unwrap().release().unwrap());
    // assertEquals(0, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 0);
}

/// `testRefCnt0`: thread t1 releases, t2 (started by t1) reads `refCnt()`; ten rounds.
/// Issue #2843 was a stale count seen by another thread; on logical threads the
/// model's count is one atomic cell, so t2 runs after t1's release, as the latch
/// orders it.
fn ref_cnt0(fx: &Fixture, release_all: bool) {
    let (t1, t2) = (ThreadId(1), ThreadId(2));
    fx.jvm.start_thread(t1, ThreadKind::Plain).unwrap();
    fx.jvm.start_thread(t2, ThreadKind::Plain).unwrap();
    for _ in 0..10 {
        let buffer = fx.new_buffer(4);
        // assertEquals(1, buffer.refCnt());
        assert_eq!(buffer.ref_cnt(), 1);
        let on_t1 = buffer.clone();
        let released = if release_all {
            on_t1.release_n(on_t1.ref_cnt()).unwrap()
        } else {
            on_t1.release().unwrap()
        };
        // assertTrue(released);
        assert!(released);
        let cnt = buffer.ref_cnt(); // t2: cnt.set(buffer.refCnt())
                                    // assertEquals(0, cnt.get());
        assert_eq!(cnt, 0);
    }
}

fn test_ref_cnt(fx: &Fixture, _: &ByteBuf) {
    ref_cnt0(fx, false);
}

fn test_ref_cnt2(fx: &Fixture, _: &ByteBuf) {
    ref_cnt0(fx, true);
}

crate::kinds_test! {
    test_ensure_writable_after_release: all;
    test_get_byte_after_release: all;
    test_get_bytes_after_release: all;
    test_get_bytes_after_release2: all;
    test_get_bytes_after_release3: all;
    test_get_bytes_after_release4: all;
    test_get_bytes_after_release5: all;
    test_set_byte_after_release: all;
    test_set_bytes_after_release: all;
    test_set_bytes_after_release2: all;
    test_set_bytes_after_release3: all;
    test_set_bytes_after_release4: all;
    test_set_bytes_after_release5: all;
    test_set_zero_after_release: all;
    test_read_byte_after_release: all;
    test_read_bytes_after_release: all;
    test_read_bytes_after_release2: all;
    test_read_bytes_after_release3: all;
    test_read_bytes_after_release4: all;
    test_read_bytes_after_release5: all;
    test_read_bytes_after_release6: all;
    test_write_byte_after_release: all;
    test_write_bytes_after_release: all;
    test_write_bytes_after_release2: all;
    test_write_bytes_after_release3: all;
    test_write_bytes_after_release4: all;
    test_write_bytes_after_release5: all;
    test_write_zero_after_release: all;
    test_copy_after_release: all;
    test_copy_after_release1: all;
    test_slice_release: all;
    test_duplicate_release: all;
    test_ref_cnt: all;
    test_ref_cnt2: all;
    test_discard_read_bytes_after_release: all;
    test_discard_some_read_bytes_after_release: all;
    test_index_of_release_buffer: all;
}
