//! `SimpleLeakAwareByteBufTest` and `AdvancedLeakAwareByteBufTest`: every derivative of
//! a leak-aware buffer is itself wrapped in the same leak-aware class (their inherited
//! `AbstractByteBufTest` tests run as the `simple_leak_aware` and `advanced_leak_aware`
//! kinds of the `abstract_byte_buf_test_*` modules).
//!
//! Not ported (docs/fidelity.md): `AdvancedLeakAwareByteBufTest`'s
//! `testAddComponentWithLeakAwareByteBuf` (composite buffers).

use crate::support::{Fixture, T};
use leakproof_model::buffer::ByteBuf;

/// `assertWrapped(buf)`: `assertSame(clazz, buf.getClass())`, then `buf.release()`.
#[track_caller]
fn assert_wrapped(fx: &Fixture, buf: ByteBuf) {
    let class = fx.leak_class().expect("a leak-aware kind");
    // assertSame(clazz, buf.getClass());
    let text = buf.to_java_string();
    assert!(text.starts_with(&format!("{class}(")), "{text}");
    buf.release().unwrap();
}

fn test_wrap_slice(fx: &Fixture, _: &ByteBuf) {
    assert_wrapped(fx, fx.new_buffer(8).slice().unwrap());
}

fn test_wrap_slice2(fx: &Fixture, _: &ByteBuf) {
    assert_wrapped(fx, fx.new_buffer(8).slice_range(0, 1).unwrap());
}

fn test_wrap_read_slice(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    if buffer.readable_bytes() > 0 {
        assert_wrapped(fx, buffer.read_slice(1).unwrap());
    } else {
        // assertTrue(buffer.release());
        assert!(buffer.release().unwrap());
    }
}

fn test_wrap_retained_slice(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    assert_wrapped(fx, buffer.retained_slice(T).unwrap());
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
}

fn test_wrap_retained_slice2(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    if buffer.readable_bytes() > 0 {
        assert_wrapped(fx, buffer.retained_slice_range(T, 0, 1).unwrap());
    }
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
}

fn test_wrap_read_retained_slice(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    if buffer.readable_bytes() > 0 {
        assert_wrapped(fx, buffer.read_retained_slice(T, 1).unwrap());
    }
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
}

fn test_wrap_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_wrapped(fx, fx.new_buffer(8).duplicate().unwrap());
}

fn test_wrap_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    assert_wrapped(fx, buffer.retained_duplicate(T).unwrap());
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
}

fn test_wrap_read_only(fx: &Fixture, _: &ByteBuf) {
    assert_wrapped(fx, fx.new_buffer(8).as_read_only().unwrap());
}

crate::kinds_test! {
    test_wrap_read_only: [simple_leak_aware, advanced_leak_aware];
    test_wrap_slice: [simple_leak_aware, advanced_leak_aware];
    test_wrap_slice2: [simple_leak_aware, advanced_leak_aware];
    test_wrap_read_slice: [simple_leak_aware, advanced_leak_aware];
    test_wrap_retained_slice: [simple_leak_aware, advanced_leak_aware];
    test_wrap_retained_slice2: [simple_leak_aware, advanced_leak_aware];
    test_wrap_read_retained_slice: [simple_leak_aware, advanced_leak_aware];
    test_wrap_duplicate: [simple_leak_aware, advanced_leak_aware];
    test_wrap_retained_duplicate: [simple_leak_aware, advanced_leak_aware];
}
