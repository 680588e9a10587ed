//! `copy`: an independent buffer of the root's kind (netty.md §6.3).

use super::access::is_out_of_bounds;
use super::{BufClass, ByteBuf};
use crate::error::{JavaException, JavaResult};
use crate::leak::AccessKind;
use crate::mutant::Mutant;
use crate::sync::Arc;
use crate::thread::ThreadId;

impl ByteBuf {
    /// `copy()` on thread `t`: `copy(readerIndex, readableBytes)`.
    pub fn copy(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.copy_range(t, self.reader_index() as i64, self.readable_bytes() as i64)
    }

    /// `copy(index, length)` on thread `t`: a new, independent buffer of the root's
    /// kind with count 1 and the root's `maxCapacity`, allocated on `t`.
    pub fn copy_range(&self, t: ThreadId, index: i64, length: i64) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::Copy);
        self.copy0(t, index, length)
    }

    fn copy0(&self, t: ThreadId, index: i64, length: i64) -> JavaResult<ByteBuf> {
        // EmptyByteBuf.copy(index, length): checkIndex, then itself (java:864–866),
        // never an `UnreleasableByteBuf` (its `copy()` is `buf.copy()`).
        if self.is_empty_buffer() {
            self.empty_range(index, length)?;
            return Ok(self.unwrap_unreleasable());
        }
        // ReadOnlyByteBuf.java:292–294: unwrap().copy(index, length).
        if let Some(wrapped) = self.read_only_target() {
            return wrapped.copy0(t, index, length);
        }
        if self.class().is_derived() {
            // Slices check their range first; duplicates leave it to the root.
            if self.class().is_slice() {
                self.check_index0(index, length)?;
            }
            if Arc::ptr_eq(&self.root(), self.object()) {
                // A recycled derivative (its fields cleared, #14250) views nothing.
                return Err(self.released());
            }
            let root = ByteBuf::from_object(self.root());
            return root.copy0(t, self.adjustment() as i64 + index, length);
        }
        if self.class() == BufClass::UnpooledDirect {
            self.ensure_accessible()?;
            if is_out_of_bounds(index, length, self.capacity()) {
                return Err(JavaException::index_out_of_bounds(format!(
                    "Too many bytes to read - Need {}",
                    index + length
                )));
            }
        } else {
            self.check_index(index, length)?;
        }
        let length = length as usize;
        let copy = self
            .alloc()
            .buffer(t, self.is_direct(), length, self.max_capacity())?;
        let data = self.get_bytes0(index, length)?;
        if matches!(
            self.class(),
            BufClass::PooledUnsafeDirect
                | BufClass::UnpooledUnsafeDirect
                | BufClass::UnpooledUnsafeNoCleanerDirect
        ) {
            // `UnsafeByteBufUtil.copy`: `copyMemory` then `setIndex(0, length)`, neither
            // of which a leak-aware wrapper records (the oracle's PARANOID report of a
            // copy shows only `Created at:`); the other kinds `writeBytes`, which it does.
            copy.write_memory(0, &data)?;
            // `Mutant::CopyWithoutWriterIndex`: no `setIndex(0, length)`.
            if self.jvm().mutant() != Mutant::CopyWithoutWriterIndex {
                copy.object().state().writer = length;
            }
        } else {
            copy.write_bytes(t, &data)?;
        }
        Ok(copy)
    }
}
