//! Derived buffers (netty.md §6.3): slices and duplicates share a count. Each method
//! dispatches on the Java class whose override runs in 4.1.128 (`AbstractByteBuf`,
//! `AbstractUnpooledSlicedByteBuf`, `DuplicatedByteBuf`, `PooledSlicedByteBuf`,
//! `PooledDuplicatedByteBuf`, `AbstractPooledDerivedByteBuf` and its two non-retained
//! inner classes). Retained derivatives are in `retained.rs`, `copy` in `copy.rs`.

use super::access::is_out_of_bounds;
use super::{
    materialize, root_of, texts, Body, BufClass, BufObject, BufState, ByteBuf, ObjectKind,
};
use crate::error::JavaResult;
use crate::leak::AccessKind;
use crate::mutant::Mutant;
use crate::sync::Arc;
use crate::thread::ThreadId;

/// The shape of a new derived object.
pub(super) struct DerivedSpec {
    pub class: BufClass,
    pub thread: ThreadId,
    pub adjustment: usize,
    pub fixed_capacity: Option<usize>,
    pub count_owner: Option<Arc<BufObject>>,
    pub parent: Option<Arc<BufObject>>,
    pub wrapped: Option<Arc<BufObject>>,
    pub reader: usize,
    pub writer: usize,
    pub max_capacity: usize,
}

impl DerivedSpec {
    /// A view of the whole root with `indexes` (reader, writer) and the root's
    /// `max_capacity`, sharing `count_owner`'s count (`None`: the root's, or its own
    /// once retained).
    pub fn duplicate(
        class: BufClass,
        thread: ThreadId,
        count_owner: Option<Arc<BufObject>>,
        (reader, writer): (usize, usize),
        max_capacity: usize,
    ) -> Self {
        DerivedSpec {
            class,
            thread,
            adjustment: 0,
            fixed_capacity: None,
            count_owner,
            parent: None,
            wrapped: None,
            reader,
            writer,
            max_capacity,
        }
    }

    /// A slice of `length` bytes at root index `adjustment`, indexes `0..length`.
    pub fn slice(
        class: BufClass,
        thread: ThreadId,
        count_owner: Option<Arc<BufObject>>,
        adjustment: usize,
        length: usize,
    ) -> Self {
        DerivedSpec {
            adjustment,
            fixed_capacity: Some(length),
            ..DerivedSpec::duplicate(class, thread, count_owner, (0, length), length)
        }
    }
}

impl ByteBuf {
    /// Offset of this buffer's index 0 in its root's index space.
    pub(super) fn adjustment(&self) -> usize {
        if let Some(wrapped) = self.read_only_target() {
            return wrapped.adjustment();
        }
        match &self.object().state().body {
            Body::Derived { adjustment, .. } => *adjustment,
            _ => 0,
        }
    }

    /// `unwrap()` of a derived buffer: its root. A pooled derivative recycled with its
    /// fields cleared (#14250) has none (`IllegalReferenceCountException`).
    pub(super) fn root_buf(&self) -> JavaResult<ByteBuf> {
        let root = self.root();
        if self.class().is_derived() && Arc::ptr_eq(&root, self.object()) {
            return Err(self.released());
        }
        Ok(ByteBuf::from_object(root))
    }

    /// `checkSliceOutOfBounds(index, length, root)`: the text names the root.
    pub(super) fn check_root_slice(&self, root_index: i64, length: i64) -> JavaResult<()> {
        let root = self.root_buf()?;
        if is_out_of_bounds(root_index, length, root.capacity()) {
            return Err(texts::slice_out_of_bounds(
                &root.thrower_string(),
                root_index,
                length,
            ));
        }
        Ok(())
    }

    /// `slice()`: `slice(readerIndex, readableBytes)`.
    pub fn slice(&self) -> JavaResult<ByteBuf> {
        self.slice_range(self.reader_index() as i64, self.readable_bytes() as i64)
    }

    /// `slice(index, length)`: shares this buffer's count; no retain.
    pub fn slice_range(&self, index: i64, length: i64) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::Slice);
        self.rewrap(self.slice0(index, length))
    }

    /// `slice(index, length)` as the object's class overrides it, without a record.
    pub(super) fn slice0(&self, index: i64, length: i64) -> JavaResult<ByteBuf> {
        // EmptyByteBuf.slice(index, length): checkIndex, then itself (java:879–881).
        if self.is_empty_buffer() {
            self.empty_range(index, length)?;
            return Ok(self.clone());
        }
        let adjusted = self.adjustment() as i64 + index;
        match self.class() {
            // AbstractUnpooledSlicedByteBuf: checkIndex0, then unwrap().slice(idx(i), l),
            // which checks the root's accessibility (refCnt: 0 once released).
            BufClass::UnpooledSliced => {
                self.check_index0(index, length)?;
                self.root_buf()?
                    .root_slice(self.owner_thread(), adjusted, length)
            }
            // DuplicatedByteBuf: unwrap().slice(index, length).
            BufClass::UnpooledDuplicated => {
                self.root_buf()?
                    .root_slice(self.owner_thread(), index, length)
            }
            // PooledSlicedByteBuf: checkIndex0, then super.slice(idx(i), l).
            BufClass::PooledSliced => {
                self.check_index0(index, length)?;
                self.ensure_accessible()?;
                self.non_retained_slice(self.object().clone(), adjusted, length)
            }
            // AbstractPooledDerivedByteBuf.slice: ensureAccessible, new non-retained slice.
            BufClass::PooledDuplicated => {
                self.ensure_accessible()?;
                self.non_retained_slice(self.object().clone(), index, length)
            }
            // The non-retained inner classes: checkIndex (accessible and in bounds).
            BufClass::PooledNonRetainedSliced | BufClass::PooledNonRetainedDuplicated => {
                self.check_index(index, length)?;
                self.non_retained_slice(self.count_holder(), adjusted, length)
            }
            // ReadOnlyByteBuf: new ReadOnlyByteBuf(unwrap().slice(index, length)).
            BufClass::ReadOnly => self.wrapped_buf()?.slice0(index, length)?.read_only0(),
            _ => self.root_slice(self.owner_thread(), index, length),
        }
    }

    /// `AbstractByteBuf.slice(index, length)` on a root: ensureAccessible, then a new
    /// `UnpooledSlicedByteBuf` (`checkSliceOutOfBounds` against this root).
    fn root_slice(&self, thread: ThreadId, index: i64, length: i64) -> JavaResult<ByteBuf> {
        self.ensure_accessible()?;
        if is_out_of_bounds(index, length, self.capacity()) {
            return Err(texts::slice_out_of_bounds(
                &self.thrower_string(),
                index,
                length,
            ));
        }
        let length = length as usize;
        Ok(self.new_derived(DerivedSpec::slice(
            BufClass::UnpooledSliced,
            thread,
            None,
            index as usize,
            length,
        )))
    }

    /// A `PooledNonRetainedSlicedByteBuf` of the root at `root_index`, sharing
    /// `delegate`'s count (its constructor checks the bounds against the root).
    fn non_retained_slice(
        &self,
        delegate: Arc<BufObject>,
        root_index: i64,
        length: i64,
    ) -> JavaResult<ByteBuf> {
        self.check_root_slice(root_index, length)?;
        let length = length as usize;
        Ok(self.new_derived(DerivedSpec::slice(
            BufClass::PooledNonRetainedSliced,
            self.owner_thread(),
            Some(delegate),
            root_index as usize,
            length,
        )))
    }

    /// Whether a duplicate of a slice is a slice of the same range (#14093), per the
    /// profile; `Mutant::DuplicateOfSliceWidened` restores the root-wide duplicate.
    pub(super) fn duplicate_of_slice_is_slice(&self) -> bool {
        self.jvm().profile().derived.duplicate_of_slice_is_slice
            && self.jvm().mutant() != Mutant::DuplicateOfSliceWidened
    }

    /// `duplicate()`: shares the count; no retain. Of a root or duplicate, a view of
    /// the whole root with the same indexes; of a slice, per
    /// [`crate::profile::DerivedProfile::duplicate_of_slice_is_slice`].
    pub fn duplicate(&self) -> JavaResult<ByteBuf> {
        self.record_access(AccessKind::Duplicate);
        self.rewrap(self.duplicate0())
    }

    /// `duplicate()` as the object's class overrides it, without a record.
    pub(super) fn duplicate0(&self) -> JavaResult<ByteBuf> {
        // EmptyByteBuf.duplicate(): itself (java:889–891).
        if self.is_empty_buffer() {
            return Ok(self.clone());
        }
        let (reader, writer) = (self.reader_index(), self.writer_index());
        let slice_rule = self.duplicate_of_slice_is_slice();
        match self.class() {
            // ReadOnlyByteBuf: new ReadOnlyByteBuf(this), whose setIndex checks the
            // indexes against the wrapped buffer's capacity (`read_only0`).
            BufClass::ReadOnly => self.read_only0(),
            BufClass::UnpooledSliced | BufClass::PooledSliced if slice_rule => {
                let slice = self.slice0(0, self.capacity() as i64)?;
                slice.set_indexes(reader as i64, writer as i64)?;
                Ok(slice)
            }
            // 4.1.48: unwrap().duplicate().setIndex(idx(r), idx(w)).
            BufClass::UnpooledSliced => {
                let duplicate = self.root_buf()?.duplicate0()?;
                self.shift_indexes(&duplicate)?;
                Ok(duplicate)
            }
            // duplicate0().setIndex(idx(r), idx(w)): the 4.1.48 `PooledSlicedByteBuf`,
            // and `PooledNonRetainedSlicedByteBuf` in every release.
            BufClass::PooledSliced | BufClass::PooledNonRetainedSliced => {
                self.ensure_accessible()?;
                let root = self.root_buf()?;
                let duplicate = self.non_retained_duplicate(self.count_holder(), &root);
                self.shift_indexes(&duplicate)?;
                Ok(duplicate)
            }
            // duplicate0().setIndex(r, w): a duplicate of the root.
            BufClass::PooledDuplicated => {
                self.ensure_accessible()?;
                let root = self.root_buf()?;
                let duplicate = self.non_retained_duplicate(self.count_holder(), &root);
                duplicate.set_indexes(reader as i64, writer as i64)?;
                Ok(duplicate)
            }
            // new PooledNonRetainedDuplicateByteBuf(referenceCountDelegate, this): of
            // this view, whose indexes the constructor's setIndex checks.
            BufClass::PooledNonRetainedDuplicated => {
                self.ensure_accessible()?;
                let duplicate = self.non_retained_duplicate(self.count_holder(), self);
                duplicate.set_indexes(reader as i64, writer as i64)?;
                Ok(duplicate)
            }
            // AbstractByteBuf.duplicate: ensureAccessible, new UnpooledDuplicatedByteBuf
            // of the root (a duplicate of a duplicate unwraps to the root).
            _ => {
                self.ensure_accessible()?;
                let root = self.root_buf()?;
                // The DuplicatedByteBuf constructor's setIndex(readerIndex, writerIndex)
                // checks this view's indexes against the root's capacity now, which a
                // resize of the root may have moved below them.
                let capacity = root.capacity();
                if reader > writer || writer > capacity {
                    return Err(texts::bad_indexes(reader as i64, writer as i64, capacity));
                }
                // super(buffer.maxCapacity()) (DuplicatedByteBuf.java:46, both
                // releases): this view's own, which a duplicate keeps after the
                // Recycler gave its root's object a new generation.
                Ok(self.new_derived(DerivedSpec::duplicate(
                    BufClass::UnpooledDuplicated,
                    self.owner_thread(),
                    None,
                    (reader, writer),
                    self.max_capacity(),
                )))
            }
        }
    }

    /// A `PooledNonRetainedDuplicateByteBuf` of the root sharing `delegate`'s count,
    /// constructed with `of` (the root or this view): `DuplicatedByteBuf(of)` takes its
    /// indexes and `maxCapacity()` (DuplicatedByteBuf.java:41–46, both releases).
    fn non_retained_duplicate(&self, delegate: Arc<BufObject>, of: &ByteBuf) -> ByteBuf {
        self.new_derived(DerivedSpec::duplicate(
            BufClass::PooledNonRetainedDuplicated,
            self.owner_thread(),
            Some(delegate),
            (of.reader_index(), of.writer_index()),
            of.max_capacity(),
        ))
    }

    /// `setIndex(idx(readerIndex), idx(writerIndex))` on a root-wide `duplicate`.
    fn shift_indexes(&self, duplicate: &ByteBuf) -> JavaResult<()> {
        let adjustment = self.adjustment();
        duplicate.set_indexes(
            (self.reader_index() + adjustment) as i64,
            (self.writer_index() + adjustment) as i64,
        )
    }

    /// `readSlice(length)`: a slice of the next `length` readable bytes; advances.
    pub fn read_slice(&self, length: usize) -> JavaResult<ByteBuf> {
        // EmptyByteBuf.readSlice: checkLength, then itself (java:622–624).
        if self.is_empty_buffer() {
            self.empty_length(length as i64)?;
            return Ok(self.clone());
        }
        self.check_readable(length)?;
        let reader = self.reader_index();
        let slice = self.slice_range(reader as i64, length as i64)?;
        // `Mutant::ReadSliceKeepsReaderIndex`: the reader index stays.
        if self.jvm().mutant() != Mutant::ReadSliceKeepsReaderIndex {
            self.object().state().reader = reader + length;
        }
        Ok(slice)
    }

    /// Puts a derived object on the heap (reusing a recycled one for pooled
    /// derivatives) and returns a handle to it.
    pub(super) fn new_derived(&self, spec: DerivedSpec) -> ByteBuf {
        let jvm = self.jvm().clone();
        let unwrap = match &spec.wrapped {
            Some(wrapped) => wrapped.clone(),
            None => root_of(self.object()),
        };
        let state = BufState {
            alloc_id: jvm.next_alloc_id(),
            reader: spec.reader,
            writer: spec.writer,
            max_capacity: spec.max_capacity,
            // A duplicate marks its initial indexes (DuplicatedByteBuf.java:56–57,
            // PooledDuplicatedByteBuf.java:46–47); every other view starts at 0
            // (PooledSlicedByteBuf.java:54 `discardMarks()`).
            marks: if spec.class.is_duplicate() {
                (spec.reader, spec.writer)
            } else {
                (0, 0)
            },
            body: Body::Derived {
                unwrap,
                adjustment: spec.adjustment,
                fixed_capacity: spec.fixed_capacity,
                count_owner: spec.count_owner,
                parent: spec.parent,
                wrapped: spec.wrapped,
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
