//! `Unpooled.unreleasableBuffer(buf)`: an `UnreleasableByteBuf` wrapping `buf`.
//!
//! A `WrappedByteBuf` keeps no state of its own (indexes, count and memory are the
//! wrapped buffer's), so the model keeps the wrapper as a flag on the handle rather
//! than as an object: `retain`/`release`/`touch` do nothing (`retain` returns the
//! wrapper, `release` false, without even checking the argument), derivatives are
//! wrapped again and the retained ones are the plain ones (UnreleasableByteBuf.java
//! 4.1.128, lines 62–128). Its identity is the wrapped object's.

use super::ByteBuf;
use crate::error::JavaResult;

impl ByteBuf {
    /// `Unpooled.unreleasableBuffer(this)` (an unreleasable buffer is not wrapped twice).
    pub fn unreleasable(&self) -> ByteBuf {
        let mut wrapper = self.clone();
        wrapper.unreleasable = true;
        wrapper
    }

    /// True for an `UnreleasableByteBuf`.
    pub fn is_unreleasable(&self) -> bool {
        self.unreleasable
    }

    /// The wrapped buffer of an `UnreleasableByteBuf` (`unwrap()`).
    pub(super) fn unwrap_unreleasable(&self) -> ByteBuf {
        let mut inner = self.clone();
        inner.unreleasable = false;
        inner
    }

    /// `new UnreleasableByteBuf(derived)` when this handle is one.
    pub(super) fn rewrap(&self, derived: JavaResult<ByteBuf>) -> JavaResult<ByteBuf> {
        if self.unreleasable {
            return derived.map(|d| d.unreleasable());
        }
        derived
    }
}
