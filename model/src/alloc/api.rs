//! `ByteBufAllocator`'s public entry points as Netty's tests call them
//! (`AbstractByteBufAllocator`): Java `int` arguments, so a negative one gets Netty's
//! `IllegalArgumentException` text, and the default capacities.

use super::{calculate_new_capacity, AllocRef, UnpooledAllocator};
use crate::alloc::pooled::PooledAllocator;
use crate::buffer::ByteBuf;
use crate::error::{JavaException, JavaResult};
use crate::sync::Arc;
use crate::thread::ThreadId;

/// `AbstractByteBufAllocator.DEFAULT_INITIAL_CAPACITY`.
pub const DEFAULT_INITIAL_CAPACITY: i32 = 256;
/// `AbstractByteBufAllocator.DEFAULT_MAX_CAPACITY` (`Integer.MAX_VALUE`).
pub const DEFAULT_MAX_CAPACITY: i32 = i32::MAX;

/// Netty's `ByteBufAllocator` as `AbstractByteBufAllocator` implements it. Every
/// method runs on logical thread `t` (the thread cache and recycler it uses).
///
/// `directBuffer(0, 0)`/`heapBuffer(0, 0)` (and every form reaching them with both
/// capacities 0) return the allocator's one shared `EmptyByteBuf`, as Netty's do
/// (AbstractByteBufAllocator.java:164–165, 183–184 of 4.1.48; `buffer/empty.rs`).
pub trait ByteBufAllocator {
    /// `validate(initialCapacity, maxCapacity)`, then `newDirectBuffer`/`newHeapBuffer`.
    fn new_buffer_on(
        &self,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf>;

    /// `directByDefault`: `preferDirect && PlatformDependent.hasUnsafe()`.
    fn direct_by_default(&self) -> bool;

    /// `isDirectBufferPooled()`.
    fn is_direct_buffer_pooled(&self) -> bool;

    /// `PlatformDependent.hasUnsafe()` of the allocator's JVM.
    fn has_unsafe(&self) -> bool;

    /// The `ArgumentErrorStyle` of the allocator's profile, for argument texts.
    fn argument_error(&self, what: &str, amount: i64) -> JavaException;

    /// `buffer()`: direct when `directByDefault`, else heap; 256 bytes, max `MAX_VALUE`.
    fn buffer(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.buffer_with_max(t, DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY)
    }

    /// `buffer(initialCapacity)`.
    fn buffer_with(&self, t: ThreadId, initial: i32) -> JavaResult<ByteBuf> {
        self.buffer_with_max(t, initial, DEFAULT_MAX_CAPACITY)
    }

    /// `buffer(initialCapacity, maxCapacity)`.
    fn buffer_with_max(&self, t: ThreadId, initial: i32, max: i32) -> JavaResult<ByteBuf> {
        self.allocate(t, self.direct_by_default(), initial, max)
    }

    /// `ioBuffer()`: direct when the platform has Unsafe or direct buffers are pooled.
    fn io_buffer(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.io_buffer_with_max(t, DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY)
    }

    /// `ioBuffer(initialCapacity)`.
    fn io_buffer_with(&self, t: ThreadId, initial: i32) -> JavaResult<ByteBuf> {
        self.io_buffer_with_max(t, initial, DEFAULT_MAX_CAPACITY)
    }

    /// `ioBuffer(initialCapacity, maxCapacity)`.
    fn io_buffer_with_max(&self, t: ThreadId, initial: i32, max: i32) -> JavaResult<ByteBuf> {
        let direct = self.has_unsafe() || self.is_direct_buffer_pooled();
        self.allocate(t, direct, initial, max)
    }

    /// `heapBuffer()`.
    fn heap_buffer(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.heap_buffer_with_max(t, DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY)
    }

    /// `heapBuffer(initialCapacity)`.
    fn heap_buffer_with(&self, t: ThreadId, initial: i32) -> JavaResult<ByteBuf> {
        self.heap_buffer_with_max(t, initial, DEFAULT_MAX_CAPACITY)
    }

    /// `heapBuffer(initialCapacity, maxCapacity)`.
    fn heap_buffer_with_max(&self, t: ThreadId, initial: i32, max: i32) -> JavaResult<ByteBuf> {
        self.allocate(t, false, initial, max)
    }

    /// `directBuffer()`.
    fn direct_buffer(&self, t: ThreadId) -> JavaResult<ByteBuf> {
        self.direct_buffer_with_max(t, DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY)
    }

    /// `directBuffer(initialCapacity)`.
    fn direct_buffer_with(&self, t: ThreadId, initial: i32) -> JavaResult<ByteBuf> {
        self.direct_buffer_with_max(t, initial, DEFAULT_MAX_CAPACITY)
    }

    /// `directBuffer(initialCapacity, maxCapacity)`.
    fn direct_buffer_with_max(&self, t: ThreadId, initial: i32, max: i32) -> JavaResult<ByteBuf> {
        self.allocate(t, true, initial, max)
    }

    /// `validate(initialCapacity, maxCapacity)` then the allocator's constructor.
    fn allocate(&self, t: ThreadId, direct: bool, initial: i32, max: i32) -> JavaResult<ByteBuf> {
        self.new_buffer_on(t, direct, initial as i64, max as i64)
    }

    /// `calculateNewCapacity(minNewCapacity, maxCapacity)`.
    fn calculate_new_capacity(&self, min_new: i32, max: i32) -> JavaResult<i32> {
        if min_new < 0 {
            return Err(self.argument_error("minNewCapacity", min_new as i64));
        }
        if min_new > max {
            return Err(JavaException::illegal_argument(format!(
                "minNewCapacity: {min_new} (expected: not greater than maxCapacity({max})"
            )));
        }
        calculate_new_capacity(min_new as usize, max as usize).map(|c| c as i32)
    }
}

impl ByteBufAllocator for Arc<UnpooledAllocator> {
    fn new_buffer_on(
        &self,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf> {
        self.new_buffer(t, direct, initial, max)
    }

    fn direct_by_default(&self) -> bool {
        self.prefer_direct() && self.has_unsafe()
    }

    fn is_direct_buffer_pooled(&self) -> bool {
        false
    }

    fn has_unsafe(&self) -> bool {
        self.jvm().config().has_unsafe
    }

    fn argument_error(&self, what: &str, amount: i64) -> JavaException {
        self.jvm().profile().refcount.negative_amount(what, amount)
    }
}

impl ByteBufAllocator for Arc<PooledAllocator> {
    fn new_buffer_on(
        &self,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf> {
        self.new_buffer(t, direct, initial, max)
    }

    fn direct_by_default(&self) -> bool {
        self.config().prefer_direct && self.has_unsafe()
    }

    /// `directArenas != null`: false with `nDirectArena = 0`.
    fn is_direct_buffer_pooled(&self) -> bool {
        self.config().direct_arenas > 0
    }

    fn has_unsafe(&self) -> bool {
        self.jvm().config().has_unsafe
    }

    fn argument_error(&self, what: &str, amount: i64) -> JavaException {
        self.jvm().profile().refcount.negative_amount(what, amount)
    }
}

impl ByteBufAllocator for AllocRef {
    fn new_buffer_on(
        &self,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf> {
        match self {
            AllocRef::Unpooled(a) => a.new_buffer_on(t, direct, initial, max),
            AllocRef::Pooled(a) => a.new_buffer_on(t, direct, initial, max),
        }
    }

    fn direct_by_default(&self) -> bool {
        match self {
            AllocRef::Unpooled(a) => a.direct_by_default(),
            AllocRef::Pooled(a) => a.direct_by_default(),
        }
    }

    fn is_direct_buffer_pooled(&self) -> bool {
        match self {
            AllocRef::Unpooled(a) => a.is_direct_buffer_pooled(),
            AllocRef::Pooled(a) => a.is_direct_buffer_pooled(),
        }
    }

    fn has_unsafe(&self) -> bool {
        self.jvm().config().has_unsafe
    }

    fn argument_error(&self, what: &str, amount: i64) -> JavaException {
        self.jvm().profile().refcount.negative_amount(what, amount)
    }
}
