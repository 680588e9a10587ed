//! Allocators: Netty's `UnpooledByteBufAllocator` and `PooledByteBufAllocator`.

mod api;
mod capacity;
pub mod pooled;
mod unpooled;

pub use api::{ByteBufAllocator, DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY};
pub use capacity::{calculate_new_capacity, validate_capacities, CALCULATE_THRESHOLD};
pub(crate) use unpooled::release_accounting;
pub use unpooled::{UnpooledAllocator, UnpooledMetric, UnpooledMetricSnapshot};

use crate::buffer::{ByteBuf, UnpooledRegion};
use crate::error::JavaResult;
use crate::jvm::Jvm;
use crate::sync::Arc;
use crate::thread::ThreadId;

/// A reference to the allocator that made a buffer (`ByteBuf.alloc()`).
#[derive(Clone, Debug)]
pub enum AllocRef {
    /// An `UnpooledByteBufAllocator`.
    Unpooled(Arc<UnpooledAllocator>),
    /// A `PooledByteBufAllocator`.
    Pooled(Arc<pooled::PooledAllocator>),
}

impl AllocRef {
    /// The JVM the allocator lives in.
    pub fn jvm(&self) -> &Arc<Jvm> {
        match self {
            AllocRef::Unpooled(a) => a.jvm(),
            AllocRef::Pooled(a) => a.jvm(),
        }
    }

    /// `directBuffer(initial, max)` or `heapBuffer(initial, max)` on thread `t`.
    pub fn buffer(
        &self,
        t: ThreadId,
        direct: bool,
        initial: usize,
        max: usize,
    ) -> JavaResult<ByteBuf> {
        match self {
            AllocRef::Unpooled(a) => a.new_buffer(t, direct, initial as i64, max as i64),
            AllocRef::Pooled(a) => a.new_buffer(t, direct, initial as i64, max as i64),
        }
    }

    /// Returns an unpooled region's memory (release or `capacity(n)`).
    pub(crate) fn free_unpooled(&self, region: UnpooledRegion) {
        match self {
            AllocRef::Unpooled(a) => a.free_region(region),
            AllocRef::Pooled(a) => {
                let len = region.memory.len() as u64;
                release_accounting(a.jvm(), region.accounting, len);
            }
        }
    }

    /// A fresh unpooled region for `capacity(n)` of an unpooled buffer.
    pub(crate) fn reallocate_unpooled(
        &self,
        accounting: crate::buffer::Accounting,
        new_capacity: usize,
    ) -> JavaResult<UnpooledRegion> {
        match self {
            AllocRef::Unpooled(a) => a.allocate_region_like(accounting, new_capacity),
            AllocRef::Pooled(a) => {
                UnpooledAllocator::new(a.jvm()).allocate_region_like(accounting, new_capacity)
            }
        }
    }

    /// `capacity(n)` of a no-Cleaner direct buffer: `PlatformDependent
    /// .reallocateDirectNoCleaner` moves Netty's counter by the difference only, through
    /// `incrementMemoryCounter` whatever its sign (a resize that does not fit fails
    /// naming the difference), and an instrumented buffer's metric follows
    /// (`InstrumentedUnpooledUnsafeNoCleanerDirectByteBuf.reallocateDirect`; 4.1.48 and
    /// 4.1.128 alike). The old region is then dropped without touching either.
    pub(crate) fn reallocate_no_cleaner(
        &self,
        old_capacity: usize,
        new_capacity: usize,
    ) -> JavaResult<UnpooledRegion> {
        let jvm = self.jvm();
        jvm.netty_direct()
            .add(new_capacity as i64 - old_capacity as i64)
            .inspect_err(|e| jvm.events().record_error(e))?;
        if let AllocRef::Unpooled(a) = self {
            a.adjust_direct_metric(new_capacity as i64 - old_capacity as i64);
        }
        let memory = crate::memory::Memory::new(jvm.config().memory_mode, new_capacity);
        // `Unsafe.reallocateMemory` leaves the grown tail uninitialized.
        if new_capacity > old_capacity {
            jvm.uninitialized(&memory, old_capacity, new_capacity - old_capacity);
        }
        Ok(UnpooledRegion {
            memory,
            accounting: crate::buffer::Accounting::NettyCounter,
        })
    }

    /// Returns a released pooled buffer's memory (cache, arena or huge destruction).
    #[inline]
    pub(crate) fn free_pooled(&self, region: crate::buffer::PooledRegion) -> JavaResult<()> {
        match self {
            AllocRef::Pooled(a) => a.free_region(region),
            AllocRef::Unpooled(_) => Ok(()),
        }
    }

    /// The pooled allocator, if this is one.
    pub fn as_pooled(&self) -> Option<&Arc<pooled::PooledAllocator>> {
        match self {
            AllocRef::Pooled(a) => Some(a),
            AllocRef::Unpooled(_) => None,
        }
    }

    /// Identity of the allocator (pooled allocators only; 0 for unpooled).
    pub fn pooled_id(&self) -> Option<u64> {
        self.as_pooled().map(|a| a.id())
    }
}
