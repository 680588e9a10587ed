//! The `Jvm` context: everything Netty keeps JVM-wide, as fields of one value.
//!
//! The direct-memory counter and limit, the JDK's own direct-memory ledger, the heap
//! budget, the buffer objects on the heap (for reachability and GC), the recyclers, the
//! logical threads and the one seeded RNG all live here. Every allocator lives inside
//! one `Jvm`; parallel tests and consecutive fuzz inputs never share state.
//!
//! Only what Netty synchronizes is a facade lock or atomic here: the direct-memory
//! counters and the recycler's hand-over. The registries of objects, threads and
//! allocators, the RNG (Netty's `ThreadLocalRandom`), the leak detector's tables, the
//! call site and the ids are bookkeeping ([`crate::sync::book`]): never scheduling
//! points, and never held across a facade operation.

mod bounded;
mod config;
mod config_wire;
mod direct;
mod gc;
mod heap;
mod leak_glue;
mod recycler;
mod registry;

pub use bounded::BoundedCounter;
pub use config::{JdkVersion, JvmConfig, INCIDENT_RUNTIME_MAX_MEMORY};
pub use direct::{JdkDirectMemory, NettyDirectCounter};
pub use gc::GcReport;
pub use heap::HeapBudget;
pub use leak_glue::LeakGuard;
pub use recycler::Recycler;
pub use registry::{ObjectRegistry, ThreadInfo, ThreadRegistry};

use crate::alloc::pooled::PooledAllocator;
use crate::buffer::AllocId;
use crate::coverage::{Coverage, Event, Events};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::leak::LeakDetector;
use crate::sync::book::counter::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use crate::sync::{Arc, BookLock, Mutex};
use crate::thread::{ThreadId, ThreadKind};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One simulated JVM.
#[derive(Debug)]
pub struct Jvm {
    config: JvmConfig,
    netty_direct: NettyDirectCounter,
    jdk_direct: JdkDirectMemory,
    heap: HeapBudget,
    rng: BookLock<ChaCha8Rng>,
    pub(crate) objects: BookLock<ObjectRegistry>,
    /// Netty's recycler hand-over: a facade lock (a synchronization point).
    pub(crate) recycler: Mutex<Recycler>,
    pub(crate) threads: BookLock<ThreadRegistry>,
    next_alloc_id: AtomicU64,
    gc_runs: AtomicU64,
    /// Set (before the enqueue, under the allocator's pending lock) whenever a GC
    /// enqueues a finalizer; cleared by [`Jvm::run_finalizers`] before it drains. False
    /// means no finalizer is pending, so the safe point on every allocation is one load.
    pub(crate) finalizers_pending: AtomicBool,
    leak: BookLock<LeakDetector>,
    /// The detector's level, mirrored so that an allocation reads it without the lock
    /// (written back whenever the detector's guard is released).
    pub(crate) leak_level: AtomicU8,
    /// Set once any leak tracker exists: until then no buffer can wear a leak-aware
    /// wrapper, and an access records nothing without looking.
    pub(crate) leak_tracked_any: AtomicBool,
    /// Shared so that reading it for a sampling draw allocates nothing.
    site: BookLock<Arc<str>>,
    pub(crate) allocators: BookLock<Vec<Arc<PooledAllocator>>>,
    /// Event counters (bookkeeping: never a scheduling point).
    events: Events,
    /// What bytes Java leaves uninitialized read as (see [`Jvm::fill_uninitialized`]).
    uninitialized_fill: AtomicU8,
    /// How many such bytes were handed out.
    uninitialized_bytes: AtomicU64,
}

impl Jvm {
    /// Starts a JVM with `config`; its `main` thread (id 0, a plain thread) is running.
    pub fn new(config: JvmConfig) -> Arc<Jvm> {
        let netty_direct = NettyDirectCounter::new(config.netty_direct_limit());
        let jdk_direct = JdkDirectMemory::new(config.jdk_max_direct_memory(), config.jdk);
        let heap = HeapBudget::new(config.runtime_max_memory);
        let recycler = Recycler::new(
            config.profile.allocator.recycler_max_capacity_per_thread,
            &config.profile.recycler,
            config.cores,
        );
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Arc::new(Jvm {
            netty_direct,
            jdk_direct,
            heap,
            rng: BookLock::new(rng),
            objects: BookLock::new(ObjectRegistry::default()),
            recycler: Mutex::new(recycler),
            threads: BookLock::new(ThreadRegistry::with_main()),
            next_alloc_id: AtomicU64::new(1),
            gc_runs: AtomicU64::new(0),
            finalizers_pending: AtomicBool::new(false),
            leak_level: AtomicU8::new(config.leak.level as u8),
            leak_tracked_any: AtomicBool::new(false),
            leak: BookLock::new(LeakDetector::new(config.leak.clone()).with_mutant(config.mutant)),
            site: BookLock::new(Arc::from("main")),
            allocators: BookLock::new(Vec::new()),
            events: Events::default(),
            uninitialized_fill: AtomicU8::new(0),
            uninitialized_bytes: AtomicU64::new(0),
            config,
        })
    }

    /// The configuration this JVM was started with.
    pub fn config(&self) -> &JvmConfig {
        &self.config
    }

    /// The pinned Netty release.
    pub fn profile(&self) -> &crate::profile::Profile {
        &self.config.profile
    }

    /// The switched-on mutant (usually `None`).
    pub fn mutant(&self) -> crate::mutant::Mutant {
        self.config.mutant
    }

    /// Netty's direct-memory counter (`PlatformDependent.usedDirectMemory()`).
    pub fn netty_direct(&self) -> &NettyDirectCounter {
        &self.netty_direct
    }

    /// The JDK's direct-memory ledger (Cleaner-backed `ByteBuffer`s).
    pub fn jdk_direct(&self) -> &JdkDirectMemory {
        &self.jdk_direct
    }

    /// This JVM's event counters (`docs/coverage.md`).
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// The events counted so far, as a value: the JVM's counters and those the
    /// thread-cache queues of its allocators keep themselves (`RegionCache::event_counts`).
    pub fn coverage(&self) -> Coverage {
        let mut coverage = self.events.snapshot();
        for allocator in self.allocators() {
            for queue in allocator.all_caches().flat_map(|c| c.queues()) {
                let (polls, adds) = queue.event_counts();
                coverage.add(Event::CachePoll, polls);
                coverage.add(Event::CacheAdd, adds);
            }
        }
        coverage
    }

    /// The heap budget for `byte[]` arrays.
    pub fn heap(&self) -> &HeapBudget {
        &self.heap
    }

    /// Runs `f` with the JVM's one seeded RNG.
    pub fn with_rng<R>(&self, f: impl FnOnce(&mut ChaCha8Rng) -> R) -> R {
        f(&mut self.rng.lock())
    }

    /// A fresh allocation-generation id (never reused within this JVM).
    pub fn next_alloc_id(&self) -> AllocId {
        AllocId(self.next_alloc_id.fetch_add(1, Ordering::SeqCst))
    }

    /// How many garbage collections have run.
    pub fn gc_runs(&self) -> u64 {
        self.gc_runs.load(Ordering::SeqCst)
    }

    /// Sets what memory Java leaves uninitialized reads as: the tail that
    /// `PlatformDependent.reallocateDirectNoCleaner` (`Unsafe.reallocateMemory`, both
    /// releases) grows. Zero by default, as a fresh `malloc` block under the oracle's
    /// `MALLOC_PERTURB_`; the differential run reruns a program with another value to
    /// find which bytes it reads depend on it (docs/differential.md).
    pub fn fill_uninitialized(&self, byte: u8) {
        self.uninitialized_fill.store(byte, Ordering::SeqCst);
    }

    /// Uninitialized bytes handed out so far, each filled with the value
    /// [`Jvm::fill_uninitialized`] set.
    pub fn uninitialized_bytes(&self) -> u64 {
        self.uninitialized_bytes.load(Ordering::SeqCst)
    }

    /// Fills `len` bytes of `memory` at `offset` that Java leaves uninitialized.
    pub(crate) fn uninitialized(&self, memory: &crate::memory::Memory, offset: usize, len: usize) {
        self.uninitialized_bytes
            .fetch_add(len as u64, Ordering::SeqCst);
        let fill = self.uninitialized_fill.load(Ordering::SeqCst);
        if fill != 0 {
            memory.fill(offset, len, fill);
        }
    }

    /// Starts logical thread `id` of `kind`. Starting a running thread is an error.
    pub fn start_thread(&self, id: ThreadId, kind: ThreadKind) -> JavaResult<()> {
        self.threads.lock().start(id, kind)?;
        self.recycler.lock().thread_started(id);
        Ok(())
    }

    /// The kind of a running thread, or an `IllegalStateException` naming it.
    pub fn thread_kind(&self, id: ThreadId) -> JavaResult<ThreadKind> {
        self.threads.lock().kind_of(id)
    }

    /// True when `id` is a running thread.
    pub fn is_alive(&self, id: ThreadId) -> bool {
        self.threads.lock().is_alive(id)
    }

    /// Thread `id` exits. A clean exit (`FastThreadLocal.removeAll`, as
    /// `FastThreadLocalThread`s do) frees its cache in every allocator now
    /// (`onRemoval`); otherwise the caches wait for their finalizers. Its recycler
    /// pools die with it.
    pub fn exit_thread(&self, id: ThreadId, clean: bool) -> JavaResult<ThreadInfo> {
        let info = self.threads.lock().exit(id)?;
        let allocators = self.allocators.lock().clone();
        for allocator in allocators {
            if clean {
                allocator.free_thread_cache(id);
            } else {
                allocator.forget_thread(id);
            }
        }
        self.recycler.lock().forget_thread(id);
        Ok(info)
    }

    /// Registers a pooled allocator for GC and finalization.
    pub(crate) fn register_allocator(&self, allocator: Arc<PooledAllocator>) {
        self.allocators.lock().push(allocator);
    }

    /// Ends the JVM: forgets every object and allocator, breaking the reference cycles
    /// (objects and allocators point back at their `Jvm`) so a finished run frees its
    /// memory. Nothing may use the JVM afterwards.
    pub fn dispose(&self) {
        self.recycler.lock().clear();
        let objects = std::mem::take(&mut *self.objects.lock());
        for object in objects.all() {
            object.state().body = crate::buffer::Body::Recycled;
        }
        drop(objects);
        let allocators = std::mem::take(&mut *self.allocators.lock());
        drop(allocators);
    }

    /// The buffer object `id`, while it is on the heap (not yet collected).
    #[inline]
    pub fn object(&self, id: crate::buffer::ObjectId) -> Option<Arc<crate::buffer::BufObject>> {
        self.objects.lock().get(id)
    }

    /// True when object `id` sits in a live recycler pool now. An object whose pool
    /// died with its owner thread sits in none, although it still reads as recycled
    /// (`BufObject::is_in_recycler`: it dropped its chunk when it was recycled).
    pub fn in_recycler_pool(&self, id: crate::buffer::ObjectId) -> bool {
        self.recycler.lock().holds(id)
    }

    /// Every pooled allocator living in this JVM.
    pub fn allocators(&self) -> Vec<Arc<PooledAllocator>> {
        self.allocators.lock().clone()
    }

    /// Reserves `size` bytes of heap for a `byte[]`, collecting garbage once if the heap
    /// is full, as the JVM does; fails with `Java heap space`.
    pub fn reserve_heap(self: &Arc<Self>, size: u64) -> JavaResult<()> {
        if self.heap.try_allocate(size) {
            return Ok(());
        }
        self.collect_garbage();
        if self.heap.try_allocate(size) {
            return Ok(());
        }
        Err(HeapBudget::out_of_memory())
    }

    /// `ByteBuffer.allocateDirect`'s reservation (`Bits.reserveMemory`): on failure the
    /// JDK runs `System.gc()` (letting Cleaners free unreachable buffers) and retries
    /// before throwing `OutOfMemoryError`.
    pub fn reserve_jdk_direct(self: &Arc<Self>, size: u64) -> JavaResult<()> {
        if self.jdk_direct.try_reserve(size) {
            return Ok(());
        }
        self.collect_garbage();
        if self.jdk_direct.try_reserve(size) {
            return Ok(());
        }
        Err(self.jdk_direct.out_of_memory(size))
    }

    /// `IllegalStateException` for an operation naming a thread that is not running.
    pub(crate) fn no_such_thread(id: ThreadId) -> JavaException {
        JavaException::new(
            JavaClass::IllegalState,
            format!("thread {id} is not running"),
        )
    }
}
