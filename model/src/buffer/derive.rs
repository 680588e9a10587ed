//! Derived buffers (netty.md §6.3): slices and duplicates share a count; pooled
//! retained derivatives own a count and hold one reference on their direct parent;
//! `copy` allocates an independent buffer.

use super::access::is_out_of_bounds;
use super::{
    materialize, root_of, texts, Body, BufClass, BufObject, BufState, ByteBuf, ObjectKind,
};
use crate::error::{JavaException, JavaResult};
use crate::leak::AccessKind;
use crate::mutant::Mutant;
use crate::sync::Arc;
use crate::thread::ThreadId;

/// The shape of a new derived object.
struct DerivedSpec {
    class: BufClass,
    thread: ThreadId,
    adjustment: usize,
    fixed_capacity: Option<usize>,
    count_owner: Option<Arc<BufObject>>,
    parent: Option<Arc<BufObject>>,
    reader: usize,
    writer: usize,
    max_capacity: usize,
}

impl ByteBuf {
    /// Offset of this buffer's index 0 in its root's index space.
    fn adjustment(&self) -> usize {
        match &self.object().state().body {
            Body::Derived { adjustment, .. } => *adjustment,
            _ => 0,
        }
    }

    /// The count holder, if it is a pooled retained derivative.
    fn pooled_count_owner(&self) -> Option<Arc<BufObject>> {
        let holder = self.count_holder();
        holder.class().is_pooled_derivative().then_some(holder)
    }

    /// `slice()`: `slice(readerIndex, readableBytes)`.
    pub fn slice(&self) -> JavaResult<ByteBuf> {
        self.slice_range(self.reader_index() as i64, self.readable_bytes() as i64)
    }

    /// `slice(index, length)`: shares this buffer's count; no retain.
    pub fn slice_range(&self, index: i64, length: i64) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::Slice);
        let owner = self.pooled_count_owner();
        if self.class().is_derived() && owner.is_none() {
            self.check_index0(index, length)?;
        } else if owner.is_some() {
            self.ensure_accessible()?;
            self.check_index0(index, length)?;
        } else {
            self.ensure_accessible()?;
            if is_out_of_bounds(index, length, self.capacity()) {
                return Err(texts::slice_out_of_bounds(
                    &self.to_java_string(),
                    index,
                    length,
                ));
            }
        }
        let class = if owner.is_some() {
            BufClass::PooledNonRetainedSliced
        } else {
            BufClass::UnpooledSliced
        };
        Ok(self.new_derived(DerivedSpec {
            class,
            thread: self.owner_thread(),
            adjustment: self.adjustment() + index as usize,
            fixed_capacity: Some(length as usize),
            count_owner: owner,
            parent: None,
            reader: 0,
            writer: length as usize,
            max_capacity: length as usize,
        }))
    }

    /// `duplicate()`: a view of the whole root with this buffer's indexes; shares the
    /// count; no retain.
    pub fn duplicate(&self) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::Duplicate);
        self.ensure_accessible()?;
        let owner = self.pooled_count_owner();
        let class = if owner.is_some() {
            BufClass::PooledNonRetainedDuplicated
        } else {
            BufClass::UnpooledDuplicated
        };
        let adjustment = self.adjustment();
        let root = ByteBuf::from_object(self.root());
        Ok(self.new_derived(DerivedSpec {
            class,
            thread: self.owner_thread(),
            adjustment: 0,
            fixed_capacity: None,
            count_owner: owner,
            parent: None,
            reader: self.reader_index() + adjustment,
            writer: self.writer_index() + adjustment,
            max_capacity: root.max_capacity(),
        }))
    }

    /// `readSlice(length)`: a slice of the next `length` readable bytes; advances.
    pub fn read_slice(&self, length: usize) -> JavaResult<ByteBuf> {
        self.check_readable(length)?;
        let reader = self.reader_index();
        let slice = self.slice_range(reader as i64, length as i64)?;
        // `Mutant::ReadSliceKeepsReaderIndex`: the reader index stays.
        if self.jvm().mutant() != Mutant::ReadSliceKeepsReaderIndex {
            self.object().state().reader = reader + length;
        }
        Ok(slice)
    }

    /// `retainedSlice()` on thread `t`.
    pub fn retained_slice(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.retained_slice_range(t, self.reader_index() as i64, self.readable_bytes() as i64)
    }

    /// `retainedSlice(index, length)` on thread `t`: on pooled buffers a recycled
    /// `PooledSlicedByteBuf` with its own count of 1 that retains its direct parent;
    /// elsewhere `slice(index, length).retain()`.
    pub fn retained_slice_range(
        &self,
        t: ThreadId,
        index: i64,
        length: i64,
    ) -> JavaResult<ByteBuf> {
        if !self.root().class().is_pooled_root() {
            let slice = self.slice_range(index, length)?;
            slice.retain()?;
            return Ok(slice);
        }
        if self.class().is_derived() {
            self.check_index0(index, length)?;
        }
        let root = ByteBuf::from_object(self.root());
        let root_index = self.adjustment() as i64 + index;
        if is_out_of_bounds(root_index, length, root.capacity()) {
            return Err(texts::slice_out_of_bounds(
                &root.to_java_string(),
                root_index,
                length,
            ));
        }
        let parent = self.count_holder();
        super::lifecycle::retain_object(&parent, 1)?;
        let derived = self.new_derived(DerivedSpec {
            class: BufClass::PooledSliced,
            thread: t,
            adjustment: root_index as usize,
            fixed_capacity: Some(length as usize),
            count_owner: None,
            parent: Some(parent),
            reader: 0,
            writer: length as usize,
            max_capacity: length as usize,
        });
        self.jvm().leak_track_derivative(
            &derived,
            &self.count_holder(),
            AccessKind::RetainedSlice,
        )?;
        Ok(derived)
    }

    /// `retainedDuplicate()` on thread `t` (see [`ByteBuf::retained_slice_range`]).
    pub fn retained_duplicate(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::RetainedDuplicate);
        if !self.root().class().is_pooled_root() {
            let duplicate = self.duplicate()?;
            duplicate.retain()?;
            return Ok(duplicate);
        }
        let parent = self.count_holder();
        super::lifecycle::retain_object(&parent, 1)?;
        let adjustment = self.adjustment();
        let root = ByteBuf::from_object(self.root());
        let derived = self.new_derived(DerivedSpec {
            class: BufClass::PooledDuplicated,
            thread: t,
            adjustment: 0,
            fixed_capacity: None,
            count_owner: None,
            parent: Some(parent),
            reader: self.reader_index() + adjustment,
            writer: self.writer_index() + adjustment,
            max_capacity: root.max_capacity(),
        });
        self.jvm().leak_track_derivative(
            &derived,
            &self.count_holder(),
            AccessKind::RetainedDuplicate,
        )?;
        Ok(derived)
    }

    /// `readRetainedSlice(length)` on thread `t`; advances the reader index.
    pub fn read_retained_slice(&self, t: ThreadId, length: usize) -> JavaResult<ByteBuf> {
        self.check_readable(length)?;
        let reader = self.reader_index();
        let slice = self.retained_slice_range(t, reader as i64, length as i64)?;
        self.object().state().reader = reader + length;
        Ok(slice)
    }

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
        if self.class().is_derived() {
            self.check_index0(index, length)?;
            if Arc::ptr_eq(&self.root(), self.object()) {
                // A recycled derivative (its fields cleared, #14250) views nothing.
                return Err(JavaException::ref_cnt(0));
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

    /// Puts a derived object on the heap (reusing a recycled one for pooled
    /// derivatives) and returns a handle to it.
    fn new_derived(&self, spec: DerivedSpec) -> ByteBuf {
        let jvm = self.jvm().clone();
        let unwrap = root_of(self.object());
        let state = BufState {
            alloc_id: jvm.next_alloc_id(),
            reader: spec.reader,
            writer: spec.writer,
            max_capacity: spec.max_capacity,
            body: Body::Derived {
                unwrap,
                adjustment: spec.adjustment,
                fixed_capacity: spec.fixed_capacity,
                count_owner: spec.count_owner,
                parent: spec.parent,
            },
            tracker: None,
            cache_link: None,
        };
        let pooled = spec.class.is_pooled_derivative();
        let pool = if pooled {
            self.alloc().pooled_id().unwrap_or(0)
        } else {
            0
        };
        let kind = ObjectKind {
            class: spec.class,
            instrumented: false,
            own_count: pooled,
            recycled: pooled,
            pool,
        };
        let alloc = self.alloc();
        materialize(&jvm, kind, spec.thread, &|| alloc.clone(), state)
    }
}
