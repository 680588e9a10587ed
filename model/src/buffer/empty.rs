//! Netty's `EmptyByteBuf` (EmptyByteBuf.java, identical in 4.1.48 and 4.1.128): the
//! one buffer of capacity and maximum capacity 0 each allocator keeps (`emptyBuf`,
//! AbstractByteBufAllocator.java:84, 101 of 4.1.48; :85, 102 of 4.1.128) and returns
//! from `directBuffer(0, 0)`/`heapBuffer(0, 0)` before validation, thread caches,
//! arenas, counters, metrics and leak detection.
//!
//! It overrides every method of `ByteBuf`: `refCnt()` is 1 for good, `retain`/`release`
//! accept any amount and change nothing (`release` answers false, java:1006–1038),
//! `isDirect()` is true (java:109–111), `capacity(n)` throws `ReadOnlyBufferException`
//! (java:79–81), index and length arguments other than 0 throw an
//! `IndexOutOfBoundsException` without a message (`checkIndex`/`checkLength`,
//! java:1040–1061; a negative length is `checkPositiveOrZero`'s
//! `IllegalArgumentException`), and `copy`/`slice`/`duplicate`, their retained forms and
//! `readSlice` return the buffer itself (java:617–629, 859–896). `asReadOnly()` wraps
//! it in a `ReadOnlyByteBuf` as any buffer (java:99–101). The `ByteBuf` methods call
//! the rules here first when the buffer (or the one a read-only view wraps) is empty.

use super::{materialize_new, Body, BufClass, BufState, ByteBuf, ObjectId, ObjectKind, Region};
use crate::alloc::AllocRef;
use crate::error::{JavaException, JavaResult};
use crate::sync::BookLock;
use crate::thread::ThreadId;

/// `EmptyByteBuf.toString()` of the big-endian instance: `simpleClassName + "BE"`
/// (java:70).
pub const EMPTY_TO_STRING: &str = "EmptyByteBufBE";

/// An allocator's `emptyBuf`: made on first use and kept on the heap for good (the
/// GC never collects it, as the allocator holding it keeps it reachable). Named by
/// object id, so the allocator and its buffer do not own each other.
#[derive(Debug)]
pub struct EmptySlot(BookLock<Option<ObjectId>>);

impl Default for EmptySlot {
    fn default() -> Self {
        EmptySlot(BookLock::new(None))
    }
}

impl ByteBuf {
    /// The allocator's one `EmptyByteBuf` (`alloc` makes its `AllocRef`); `t` is only
    /// the thread recorded as its creator the first time.
    pub(crate) fn shared_empty(
        slot: &EmptySlot,
        alloc: &dyn Fn() -> AllocRef,
        t: ThreadId,
    ) -> Self {
        let owner = alloc();
        let jvm = owner.jvm().clone();
        let mut id = slot.0.lock();
        if let Some(obj) = id.and_then(|id| jvm.object(id)) {
            return ByteBuf::from_object(obj);
        }
        let state = BufState {
            alloc_id: jvm.next_alloc_id(),
            reader: 0,
            writer: 0,
            max_capacity: 0,
            marks: (0, 0),
            body: Body::Root {
                region: Region::Empty,
                capacity: 0,
            },
            tracker: None,
            cache_link: None,
        };
        let kind = ObjectKind {
            class: BufClass::Empty,
            instrumented: false,
            own_count: false,
            recycled: false,
            pool: 0,
        };
        let buf = materialize_new(&jvm, kind, t, false, &|| owner.clone(), state);
        *id = Some(buf.object_id());
        buf
    }

    /// True for an `EmptyByteBuf`.
    pub fn is_empty_buffer(&self) -> bool {
        self.class() == BufClass::Empty
    }

    /// True when `refCnt`/`retain`/`release` reach an `EmptyByteBuf` (it, or a
    /// read-only view of it: `AbstractDerivedByteBuf` asks `unwrap()`).
    pub(super) fn counts_nothing(&self) -> bool {
        self.object().own_refcnt().is_none() && self.count_holder().class() == BufClass::Empty
    }

    /// `checkIndex(index)` (java:1040–1045).
    pub(super) fn empty_index(&self, index: i64) -> JavaResult<()> {
        if index != 0 {
            return Err(bare_out_of_bounds());
        }
        Ok(())
    }

    /// `checkIndex(index, length)` (java:1047–1053).
    pub(super) fn empty_range(&self, index: i64, length: i64) -> JavaResult<()> {
        self.empty_length(length)?;
        self.empty_index(index)
    }

    /// `checkLength(length)` (java:1055–1061): `checkPositiveOrZero(length, "length")`,
    /// then only 0.
    pub(super) fn empty_length(&self, length: i64) -> JavaResult<()> {
        if length < 0 {
            let refcount = &self.jvm().profile().refcount;
            return Err(refcount.negative_amount("length", length));
        }
        if length != 0 {
            return Err(bare_out_of_bounds());
        }
        Ok(())
    }

    /// For `getBytes`: the `EmptyByteBuf` this buffer is or a read-only view of it
    /// wraps (`ReadOnlyByteBuf.getBytes` is `unwrap().getBytes(…)` unchecked,
    /// ReadOnlyByteBuf.java:269–272 of 4.1.48).
    pub(super) fn empty_target(&self) -> Option<ByteBuf> {
        if self.is_empty_buffer() {
            return Some(self.clone());
        }
        self.read_only_target().filter(ByteBuf::is_empty_buffer)
    }

    /// `ensureWritable(minWritableBytes)` (java:221–227): only 0 fits.
    pub(super) fn empty_ensure_writable(&self, min_writable: usize) -> JavaResult<()> {
        if min_writable != 0 {
            return Err(bare_out_of_bounds());
        }
        Ok(())
    }

    /// `ensureWritable(minWritableBytes, force)` (java:230–238): 0 for 0, else 1.
    pub(super) fn empty_ensure_writable_force(&self, min_writable: i32) -> JavaResult<i32> {
        if min_writable < 0 {
            let refcount = &self.jvm().profile().refcount;
            return Err(refcount.negative_amount("minWritableBytes", i64::from(min_writable)));
        }
        Ok(i32::from(min_writable != 0))
    }
}

/// `new IndexOutOfBoundsException()`: no message.
fn bare_out_of_bounds() -> JavaException {
    JavaException::index_out_of_bounds("")
}
