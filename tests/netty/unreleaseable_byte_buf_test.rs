//! `UnreleaseableByteBufTest`: `Unpooled.unreleasableBuffer` ignores retain and
//! release; its `unwrap()` releases for real.

use crate::sliced_byte_buf_test::unpooled_buffer;
use crate::support::T;

#[test]
fn test_cant_release() {
    // Unpooled.unreleasableBuffer(Unpooled.copyInt(1))
    let int = unpooled_buffer(4);
    int.write_bytes(T, &1i32.to_be_bytes()).unwrap();
    let buf = int.unreleasable();
    // assertEquals(1, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 1);
    // assertFalse(buf.release()); assertEquals(1, buf.refCnt());
    assert!(!buf.release().unwrap());
    assert_eq!(buf.ref_cnt(), 1);
    // assertFalse(buf.release()); assertEquals(1, buf.refCnt());
    assert!(!buf.release().unwrap());
    assert_eq!(buf.ref_cnt(), 1);
    buf.retain_n(5).unwrap();
    // assertEquals(1, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 1);
    buf.retain().unwrap();
    // assertEquals(1, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 1);
    // assertTrue(buf.unwrap().release());
    assert!(buf.unwrap().unwrap().unwrap().release().unwrap());
    // assertEquals(0, buf.refCnt());
    assert_eq!(buf.ref_cnt(), 0);
}

#[test]
fn test_wrapped_read_only() {
    // Unpooled.unreleasableBuffer(buffer(1).asReadOnly())
    let buf = unpooled_buffer(1).as_read_only().unwrap().unreleasable();
    // assertSame(buf, buf.asReadOnly()): the same unreleasable wrapper of the same view.
    let again = buf.as_read_only().unwrap();
    assert!(again.is_unreleasable());
    assert_eq!(again.object_id(), buf.object_id());
    // assertTrue(buf.unwrap().release());
    assert!(buf.unwrap().unwrap().unwrap().release().unwrap());
}
