//! Allocators: Netty's `UnpooledByteBufAllocator` and `PooledByteBufAllocator`.

mod capacity;
mod unpooled;

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
}

impl AllocRef {
    /// The JVM the allocator lives in.
    pub fn jvm(&self) -> &Arc<Jvm> {
        match self {
            AllocRef::Unpooled(a) => a.jvm(),
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
        }
    }

    /// Returns an unpooled region's memory (release or `capacity(n)`).
    pub(crate) fn free_unpooled(&self, region: UnpooledRegion) {
        match self {
            AllocRef::Unpooled(a) => a.free_region(region),
        }
    }

    /// A fresh unpooled region for `capacity(n)` of an unpooled buffer.
    pub(crate) fn reallocate_unpooled(
        &self,
        old: &UnpooledRegion,
        new_capacity: usize,
    ) -> JavaResult<UnpooledRegion> {
        match self {
            AllocRef::Unpooled(a) => a.allocate_region_like(old, new_capacity),
        }
    }
}
