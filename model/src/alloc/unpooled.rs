//! `UnpooledByteBufAllocator`: one allocation per buffer, with its metric.

use super::{validate_capacities, AllocRef};
use crate::buffer::{Accounting, BufClass, ByteBuf, EmptySlot, NewRoot, Region, UnpooledRegion};
use crate::error::JavaResult;
use crate::jvm::Jvm;
use crate::memory::Memory;
use crate::sync::atomic::{AtomicI64, Ordering};
use crate::sync::Arc;
use crate::thread::ThreadId;
use serde::Serialize;

/// `UnpooledByteBufAllocatorMetric`: bytes allocated by instrumented buffers minus the
/// bytes they freed on release. Buffers the GC reclaims without a release are never
/// subtracted, so the metric drifts up (the incident's "metrics are wrong").
#[derive(Debug, Default)]
pub struct UnpooledMetric {
    used_heap: AtomicI64,
    used_direct: AtomicI64,
}

/// A snapshot of [`UnpooledMetric`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UnpooledMetricSnapshot {
    /// `usedHeapMemory()`.
    pub used_heap_memory: i64,
    /// `usedDirectMemory()`.
    pub used_direct_memory: i64,
}

impl UnpooledMetric {
    /// The current values.
    pub fn snapshot(&self) -> UnpooledMetricSnapshot {
        UnpooledMetricSnapshot {
            used_heap_memory: self.used_heap.load(Ordering::SeqCst),
            used_direct_memory: self.used_direct.load(Ordering::SeqCst),
        }
    }

    fn add(&self, direct: bool, delta: i64) {
        let counter = if direct {
            &self.used_direct
        } else {
            &self.used_heap
        };
        counter.fetch_add(delta, Ordering::SeqCst);
    }
}

/// Netty's `UnpooledByteBufAllocator`.
#[derive(Debug)]
pub struct UnpooledAllocator {
    jvm: Arc<Jvm>,
    no_cleaner: bool,
    has_unsafe: bool,
    prefer_direct: bool,
    metric: UnpooledMetric,
    /// `emptyBuf` (AbstractByteBufAllocator.java:84, 101 of 4.1.48).
    empty: EmptySlot,
}

impl UnpooledAllocator {
    /// `UnpooledByteBufAllocator.DEFAULT`: `preferDirect` is
    /// `PlatformDependent.directBufferPreferred()`, true when the JVM has Unsafe.
    pub fn new(jvm: &Arc<Jvm>) -> Arc<Self> {
        Self::with_prefer_direct(jvm, jvm.config().has_unsafe)
    }

    /// `new UnpooledByteBufAllocator(preferDirect)` with the JVM's platform settings.
    pub fn with_prefer_direct(jvm: &Arc<Jvm>, prefer_direct: bool) -> Arc<Self> {
        let config = jvm.config();
        Arc::new(UnpooledAllocator {
            no_cleaner: config.uses_no_cleaner(),
            has_unsafe: config.has_unsafe,
            prefer_direct,
            metric: UnpooledMetric::default(),
            empty: EmptySlot::default(),
            jvm: jvm.clone(),
        })
    }

    /// The `preferDirect` constructor argument.
    pub fn prefer_direct(&self) -> bool {
        self.prefer_direct
    }

    /// The JVM this allocator lives in.
    pub fn jvm(&self) -> &Arc<Jvm> {
        &self.jvm
    }

    /// The allocator's metric.
    pub fn metric(&self) -> &UnpooledMetric {
        &self.metric
    }

    /// The class of a new heap or direct buffer under this JVM's platform settings.
    pub fn class_for(&self, direct: bool) -> BufClass {
        match (direct, self.has_unsafe, self.no_cleaner) {
            (false, true, _) => BufClass::UnpooledUnsafeHeap,
            (false, false, _) => BufClass::UnpooledHeap,
            (true, true, true) => BufClass::UnpooledUnsafeNoCleanerDirect,
            (true, true, false) => BufClass::UnpooledUnsafeDirect,
            (true, false, _) => BufClass::UnpooledDirect,
        }
    }

    /// `heapBuffer`/`directBuffer(initialCapacity, maxCapacity)` on thread `t`.
    pub fn new_buffer(
        self: &Arc<Self>,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf> {
        // `if (initialCapacity == 0 && maxCapacity == 0) return emptyBuf;` before
        // validation (AbstractByteBufAllocator.java:164–165, 183–184 of 4.1.48).
        if initial == 0 && max == 0 {
            let alloc = || AllocRef::Unpooled(self.clone());
            return Ok(ByteBuf::shared_empty(&self.empty, &alloc, t));
        }
        validate_capacities(&self.jvm.profile().refcount, initial, max)?;
        let class = self.class_for(direct);
        let region = self.allocate_region(class, initial as usize)?;
        let buf = ByteBuf::new_root(NewRoot {
            alloc: AllocRef::Unpooled(self.clone()),
            thread: t,
            class,
            instrumented: true,
            region: Region::Unpooled(region),
            capacity: initial as usize,
            max_capacity: max as usize,
        });
        // Only `newDirectBuffer` ends in `toLeakAwareBuffer`: Netty never wraps unpooled
        // heap buffers, even at PARANOID (oracle 4.1.48 surprise 7; unchanged in 4.1.128).
        if direct {
            self.jvm
                .leak_track_root(&buf, "UnpooledByteBufAllocator", "newDirectBuffer")?;
        }
        Ok(buf)
    }

    /// Allocates the memory of one unpooled buffer of `class`.
    pub fn allocate_region(&self, class: BufClass, capacity: usize) -> JavaResult<UnpooledRegion> {
        let (reserved, accounting) = match class {
            BufClass::UnpooledUnsafeNoCleanerDirect => (
                self.jvm.netty_direct().increment(capacity as u64),
                Accounting::NettyCounter,
            ),
            BufClass::UnpooledDirect | BufClass::UnpooledUnsafeDirect => (
                self.jvm.reserve_jdk_direct(capacity as u64),
                Accounting::JdkCleaner,
            ),
            _ => (self.jvm.reserve_heap(capacity as u64), Accounting::Heap),
        };
        if let Err(e) = reserved {
            self.jvm.events().record_error(&e);
            return Err(e);
        }
        self.metric
            .add(accounting != Accounting::Heap, capacity as i64);
        Ok(UnpooledRegion {
            memory: Memory::new(self.jvm.config().memory_mode, capacity),
            accounting,
        })
    }

    /// A new region of `new_capacity` accounted as `accounting`, like the region it
    /// replaces (for `capacity(n)`).
    pub(crate) fn allocate_region_like(
        &self,
        accounting: Accounting,
        new_capacity: usize,
    ) -> JavaResult<UnpooledRegion> {
        let class = match accounting {
            Accounting::NettyCounter => BufClass::UnpooledUnsafeNoCleanerDirect,
            Accounting::JdkCleaner => BufClass::UnpooledUnsafeDirect,
            Accounting::Heap => BufClass::UnpooledHeap,
        };
        self.allocate_region(class, new_capacity)
    }

    /// Moves the direct metric by `delta` (an in-place reallocation).
    pub(crate) fn adjust_direct_metric(&self, delta: i64) {
        self.metric.add(true, delta);
    }

    /// Frees a released buffer's memory (`freeDirect`/`freeArray`), updating the metric.
    pub(crate) fn free_region(&self, region: UnpooledRegion) {
        let len = region.memory.len() as u64;
        self.metric
            .add(region.accounting != Accounting::Heap, -(len as i64));
        release_accounting(&self.jvm, region.accounting, len);
    }
}

/// Gives `len` bytes back to whatever accounted them, without touching any metric (the
/// GC path: a Cleaner or the collector frees memory Netty never saw released).
pub(crate) fn release_accounting(jvm: &Jvm, accounting: Accounting, len: u64) {
    match accounting {
        Accounting::NettyCounter => {
            jvm.netty_direct().decrement(len);
        }
        Accounting::JdkCleaner => jvm.jdk_direct().unreserve(len),
        Accounting::Heap => jvm.heap().free(len),
    }
}
