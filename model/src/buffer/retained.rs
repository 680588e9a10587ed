//! Retained derivatives (netty.md §6.3): on pooled buffers a recycled
//! `PooledSlicedByteBuf`/`PooledDuplicatedByteBuf` with its own count of 1 that holds
//! one reference on its direct parent; elsewhere `slice(…).retain()` /
//! `duplicate().retain()`, sharing the count. Dispatch follows the 4.1.128 overrides.

use super::derive::DerivedSpec;
use super::{BufClass, BufObject, ByteBuf};
use crate::error::JavaResult;
use crate::leak::AccessKind;
use crate::sync::Arc;
use crate::thread::ThreadId;

impl ByteBuf {
    /// True when this object's class makes *pooled* retained derivatives: a pooled
    /// root, or a pooled derivative (`AbstractPooledDerivedByteBuf` and its inner
    /// classes). Unpooled slices and duplicates of a pooled root inherit
    /// `AbstractByteBuf`'s `slice().retain()`.
    fn derives_pooled(&self) -> bool {
        let class = self.class();
        class.is_pooled_root()
            || class.is_pooled_derivative()
            || matches!(
                class,
                BufClass::PooledNonRetainedSliced | BufClass::PooledNonRetainedDuplicated
            )
    }

    /// `retainedSlice()` on thread `t`: `retainedSlice(readerIndex, readableBytes)`,
    /// except where the non-retained inner classes override it (4.1.128 and 4.1.48
    /// alike): a slice's is `retainedSlice(0, capacity())`, a duplicate's
    /// `retainedSlice(readerIndex, capacity())`.
    pub fn retained_slice(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        if self.is_unreleasable() {
            return self.slice();
        }
        let reader = self.reader_index() as i64;
        let (index, length) = match self.class() {
            BufClass::PooledNonRetainedSliced => (0, self.capacity() as i64),
            BufClass::PooledNonRetainedDuplicated => (reader, self.capacity() as i64),
            _ => (reader, self.readable_bytes() as i64),
        };
        self.retained_slice_range(t, index, length)
    }

    /// `retainedSlice(index, length)` on thread `t`.
    pub fn retained_slice_range(
        &self,
        t: ThreadId,
        index: i64,
        length: i64,
    ) -> JavaResult<ByteBuf> {
        if self.is_unreleasable() {
            return self.slice_range(index, length);
        }
        if !self.derives_pooled() {
            let slice = self.slice_range(index, length)?;
            slice.retain()?;
            return Ok(slice);
        }
        self.retained_slice0(t, index, length)
    }

    /// The pooled `retainedSlice(index, length)` overrides.
    fn retained_slice0(&self, t: ThreadId, index: i64, length: i64) -> JavaResult<ByteBuf> {
        let adjusted = self.adjustment() as i64 + index;
        let root_index = match self.class() {
            // PooledSlicedByteBuf: checkIndex0, then newInstance0(unwrap(), …) (no root
            // check; `unwrap()` of a recycled one throws before the retain).
            BufClass::PooledSliced => {
                self.check_index0(index, length)?;
                self.root_buf()?;
                adjusted
            }
            // PooledSlicedByteBuf.newInstance(unwrap(), this, idx(index), length).
            BufClass::PooledNonRetainedSliced => {
                self.check_root_slice(adjusted, length)?;
                adjusted
            }
            // newInstance(unwrap(), this, index, length): a root or a duplicate.
            _ => {
                self.check_root_slice(index, length)?;
                index
            }
        };
        let length = length as usize;
        self.pooled_derivative(
            t,
            AccessKind::RetainedSlice,
            DerivedSpec::slice(BufClass::PooledSliced, t, None, root_index as usize, length),
        )
    }

    /// `retainedDuplicate()` on thread `t`. Of a slice, per
    /// [`crate::profile::DerivedProfile::duplicate_of_slice_is_slice`].
    pub fn retained_duplicate(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        if self.is_unreleasable() {
            return self.duplicate();
        }
        self.record_access(AccessKind::RetainedDuplicate);
        let slice_rule = self.duplicate_of_slice_is_slice();
        let (reader, writer) = (self.reader_index(), self.writer_index());
        let class = self.class();
        if slice_rule && matches!(class, BufClass::UnpooledSliced | BufClass::PooledSliced) {
            // retainedSlice(0, capacity()).setIndex(readerIndex(), writerIndex()).
            let capacity = self.capacity() as i64;
            let slice = if class == BufClass::PooledSliced {
                self.retained_slice0(t, 0, capacity)?
            } else {
                let slice = self.slice0(0, capacity)?;
                slice.retain()?;
                slice
            };
            slice.set_indexes(reader as i64, writer as i64)?;
            return Ok(slice);
        }
        if !self.derives_pooled() {
            // AbstractByteBuf: duplicate().retain().
            let duplicate = self.duplicate()?;
            duplicate.retain()?;
            return Ok(duplicate);
        }
        // PooledDuplicatedByteBuf.newInstance(unwrap(), this, r, w); slices pass
        // idx(r), idx(w) (init sets them unchecked).
        let adjustment = match class {
            BufClass::PooledSliced | BufClass::PooledNonRetainedSliced => self.adjustment(),
            _ => 0,
        };
        let root = self.root_buf()?;
        self.pooled_derivative(
            t,
            AccessKind::RetainedDuplicate,
            DerivedSpec::duplicate(
                BufClass::PooledDuplicated,
                t,
                None,
                (reader + adjustment, writer + adjustment),
                root.max_capacity(),
            ),
        )
    }

    /// `AbstractPooledDerivedByteBuf.init`: retains the wrapped buffer (its count
    /// holder) up front, then a recycled derivative holding that reference, tracked
    /// as the leak profile says.
    fn pooled_derivative(
        &self,
        t: ThreadId,
        op: AccessKind,
        mut spec: DerivedSpec,
    ) -> JavaResult<ByteBuf> {
        let parent: Arc<BufObject> = self.count_holder();
        if let Err(e) = super::lifecycle::retain_object(&parent, 1) {
            // `newInstance0` takes the object from the Recycler (`RECYCLER.get()`)
            // before `init` retains the wrapped buffer, and a failing retain loses it:
            // nothing recycles it (4.1.48 and 4.1.128 alike).
            if spec.class.is_pooled_derivative() {
                let pool = self.alloc().pooled_id().unwrap_or(0);
                let _lost = self.jvm().recycler.lock().get(spec.class, pool, t);
            }
            return Err(e);
        }
        spec.thread = t;
        spec.parent = Some(parent.clone());
        let derived = self.new_derived(spec);
        self.jvm().leak_track_derivative(&derived, &parent, op)?;
        Ok(derived)
    }

    /// `readRetainedSlice(length)` on thread `t`; advances the reader index.
    pub fn read_retained_slice(&self, t: ThreadId, length: usize) -> JavaResult<ByteBuf> {
        if self.is_unreleasable() || self.is_empty_buffer() {
            // EmptyByteBuf.readRetainedSlice: checkLength, then itself (java:627–629).
            return self.read_slice(length);
        }
        self.check_readable(length)?;
        let reader = self.reader_index();
        let slice = self.retained_slice_range(t, reader as i64, length as i64)?;
        self.object().state().reader = reader + length;
        Ok(slice)
    }
}
