//! Predictions for new allocations and binding them to the model's generations.

use super::*;
use crate::shadow::{TinyServed, TinyView};
use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::jvm::JvmConfig;
use leakproof_model::memory::MemoryMode;
use leakproof_model::profile::SizeClassScheme;

impl AllocEnv {
    /// What the shadow knows of a program's allocators, from their configuration: a
    /// kind with no arenas allocates unpooled (PooledByteBufAllocator.java `newHeapBuffer`
    /// / `newDirectBuffer`); direct memory bypasses the Cleaner with Unsafe and
    /// `io.netty.maxDirectMemory != 0` (PlatformDependent.java:165–169).
    pub fn from_config(jvm: &JvmConfig, allocator: &PooledConfig) -> Self {
        let scheme = jvm.profile.allocator.size_classes;
        // Before #11106 (4.1.48) the page size is not rounded up to the alignment
        // (PooledByteBufAllocator.java:239–262 of 4.1.48; :278–286 of 4.1.128).
        let page_alignment = if jvm.profile.allocator.page_size_aligned {
            allocator.direct_alignment.max(0) as usize
        } else {
            0
        };
        let sizes = |arenas: i32, alignment: i32| {
            (arenas > 0).then(|| {
                NettySizes::new(
                    scheme,
                    allocator.page_size.max(0) as usize,
                    allocator.max_order.max(0) as u32,
                    page_alignment,
                    alignment.max(0) as usize,
                )
            })
        };
        // 4.1.48 hands `directMemoryCacheAlignment` to every `HeapArena` too
        // (PooledByteBufAllocator.java:268–270 of 4.1.48), whose `normalizeCapacity`
        // then aligns tiny and huge requests (PoolArena.java:341, 364–365); 4.1.128
        // builds heap arenas with alignment 0.
        let heap_alignment = if jvm.profile.allocator.heap_arenas_aligned {
            allocator.direct_alignment
        } else {
            0
        };
        let no_cleaner = jvm.has_unsafe && jvm.netty_max_direct_memory != 0;
        // DIRECT_MEMORY_LIMIT (PlatformDependent.java:95, 182).
        let limit = if jvm.netty_max_direct_memory >= 1 {
            jvm.netty_max_direct_memory
        } else {
            jvm.max_direct_memory_size.unwrap_or(jvm.runtime_max_memory) as i64
        };
        AllocEnv {
            heap: sizes(allocator.heap_arenas, heap_alignment),
            direct: sizes(allocator.direct_arenas, allocator.direct_alignment),
            no_cleaner,
            has_unsafe: jvm.has_unsafe,
            direct_limit: no_cleaner.then_some(limit),
            virtual_memory: jvm.memory_mode == MemoryMode::Virtual,
            cache_refusal: refused_threshold(scheme, allocator),
            cache_all_threads: allocator.use_cache_for_all_threads,
        }
    }
}

/// The threshold a cached thread's `PoolThreadCache` constructor throws on: below 1
/// while any cache array is made (PoolThreadCache.java:113–119 of 4.1.48, :96–102 of
/// 4.1.128). Arrays (java:122–150 of 4.1.48, :105–134 of 4.1.128) exist only with an
/// arena of their kind: tiny ones when `tinyCacheSize > 0` under the legacy classes
/// (32 tiny pools), small ones when `smallCacheSize > 0` (every legal page size has
/// small pools), normal ones when `normalCacheSize` and `maxCachedBufferCapacity` are
/// positive, even where no size fits (4.1.128 then makes an empty array).
pub fn refused_threshold(scheme: SizeClassScheme, a: &PooledConfig) -> Option<i32> {
    let tiny = scheme == SizeClassScheme::Legacy && a.tiny_cache_size > 0;
    let normal = a.normal_cache_size > 0 && a.max_cached_buffer_capacity > 0;
    let arrays = tiny || a.small_cache_size > 0 || normal;
    let arenas = a.heap_arenas > 0 || a.direct_arenas > 0;
    (arenas && arrays && a.cache_trim_interval < 1).then_some(a.cache_trim_interval)
}

impl AllocEnv {
    /// True where a 4.1.48 tiny pool can meet requests of other sizes: the legacy
    /// scheme (`is_tiny` holds for size 0) with an alignment of 1–8 (#11955).
    pub fn tiny_pools_by_request(&self) -> bool {
        [&self.heap, &self.direct]
            .into_iter()
            .flatten()
            .any(|s| s.tiny_pool_by_request(0))
    }
}

impl Shadow {
    /// `heapBuffer`/`directBuffer(size, max)` from pooled allocator `pooled` (0 the
    /// first, 1 the second; all of one configuration) or the unpooled one (`None`).
    pub fn alloc(
        &mut self,
        env: &AllocEnv,
        pooled: Option<u8>,
        direct: bool,
        size: i64,
        max: i64,
    ) -> Prediction {
        if size == 0 && max == 0 {
            return Ok(self.empty_alloc(pooled));
        }
        self.new_buffer(env, pooled, direct, size, max)
    }

    /// A new buffer of the allocator's kind: the allocation past the `(0, 0)` check.
    /// A copy allocates so too: it asks for the root's `maxCapacity`, which only an
    /// `EmptyByteBuf` has at 0, and its copies are itself (`empty.rs`).
    pub(super) fn new_buffer(
        &self,
        env: &AllocEnv,
        pooled: Option<u8>,
        direct: bool,
        size: i64,
        max: i64,
    ) -> Prediction {
        if size < 0 || size > max {
            return Err(Expected::exact(texts::bad_initial_capacity(
                self.refcount.argument_error_style,
                size,
                max,
            )));
        }
        if pooled.is_some() {
            // `newDirectBuffer`/`newHeapBuffer` start with `threadCache.get()`, arenas
            // or not (PooledByteBufAllocator.java:334, 351 of 4.1.48; :381, 398 of
            // 4.1.128).
            self.threads.thread_cache(env)?;
        }
        let size = size as usize;
        let sc = if direct { &env.direct } else { &env.heap };
        let pooled_root = pooled.is_some() && sc.is_some();
        // Unpooled memory starts zeroed; virtual memory reads zeros too, but drops
        // writes, so the shadow predicts nothing it holds.
        let zero = (!env.virtual_memory).then_some(0);
        let (mem, norm, huge, fill) = if pooled_root {
            let (norm, huge) = norm_of(sc.as_ref(), size);
            let norm = match (sc, pooled) {
                (Some(sizes), Some(p)) => {
                    self.served_max_length(sizes, (p, direct, false), size, norm)?
                }
                _ => norm,
            };
            (MemKind::Pooled, norm, huge, None)
        } else if direct {
            let kind = if env.no_cleaner {
                MemKind::NoCleaner
            } else {
                MemKind::Cleaner
            };
            (kind, size, false, zero)
        } else {
            (MemKind::Heap, size, false, zero)
        };
        // A huge pooled buffer's length is the normalized request (PoolArena.java:
        // 139–142 passes normCapacity to allocateHuge, PooledByteBuf.java:55–56).
        let capacity = if huge { norm } else { size };
        Ok(Pred::New(Box::new(NewGen {
            gen: Gen {
                object: ObjectId(0),
                step: 0,
                handle: 0,
                reader: 0,
                writer: 0,
                max: max as usize,
                count: Some(1),
                body: Body::Root(RootState {
                    pooled_allocator: pooled,
                    pooled_root,
                    direct,
                    huge,
                    mem,
                    capacity,
                    norm,
                    bytes: ExpectedBytes::filled(capacity, fill),
                    life: Life::Live,
                }),
            },
        })))
    }

    /// A pooled allocation from allocator `pooled` failed (out of direct memory) after
    /// the model gave `object` generation `id`: Netty's `PoolArena.allocate` takes the
    /// object first — `newByteBuf(maxCapacity)`, then `allocate(cache, buf, reqCapacity)`
    /// (PoolArena.java:145–149 of 4.1.48, :125–129 of 4.1.128) — so a recycled object
    /// is taken even when the memory is not. Only a released pooled root of the same
    /// allocator and kind can be in its Recycler. `reuse(maxCapacity)` (PooledByteBuf
    /// .java:77–82) gives it count 1, the new `maxCapacity` and indexes 0, and leaves
    /// `length`; it holds no memory (`handle` -1, `memory` and `chunk` null).
    pub fn claimed_by_failed_alloc(
        &mut self,
        (pooled, direct, max): (u8, bool, usize),
        object: ObjectId,
        id: AllocId,
        step: usize,
    ) -> Result<(), String> {
        let prev = self
            .current
            .get(&object)
            .and_then(|g| self.gens.get(g))
            .ok_or_else(|| format!("{object} is unknown to the shadow"))?;
        let Body::Root(r) = &prev.body else {
            return Err(format!("{object} is not a root"));
        };
        let recyclable = r.pooled_root
            && r.life == Life::Released
            && r.direct == direct
            && r.pooled_allocator == Some(pooled);
        if !recyclable || self.gens.contains_key(&id) {
            return Err(format!(
                "{object} ({:?}, pooled root {}, direct {}, allocator {:?}) cannot be \
                 claimed as {id} by a failed allocation of allocator {pooled} (direct {direct})",
                r.life, r.pooled_root, r.direct, r.pooled_allocator
            ));
        }
        let gen = Gen {
            object,
            step,
            handle: prev.handle,
            reader: 0,
            writer: 0,
            max,
            count: Some(1),
            body: Body::Root(RootState {
                mem: MemKind::Unallocated,
                norm: 0,
                huge: false,
                bytes: ExpectedBytes::filled(r.capacity, None),
                life: Life::Live,
                ..r.clone()
            }),
        };
        self.gens.insert(id, gen);
        self.current.insert(object, id);
        Ok(())
    }

    /// Binds a predicted generation to the model's new object.
    pub fn bind(&mut self, new: NewGen, id: AllocId, object: ObjectId, step: usize, handle: u32) {
        let mut gen = new.gen;
        gen.object = object;
        gen.step = step;
        gen.handle = handle;
        match &mut gen.body {
            Body::View(v) if gen.count.is_some() => v.holder = id,
            Body::Root(r) if r.mem == MemKind::Empty => {
                self.empty.insert(r.pooled_allocator, id);
            }
            _ => {}
        }
        self.gens.insert(id, gen);
        self.current.insert(object, id);
    }
}

impl Shadow {
    /// The `maxLength` a pooled request of `req` bytes (normalized to `norm`) from
    /// allocator `pooled` gets: `norm`, except where 4.1.48 with an alignment of 1–8
    /// serves a tiny request by the observed pools and queues (#11955,
    /// `tiny_pools.rs`), which may throw instead.
    /// `realloc`: a reallocation, served in the buffer's own arena.
    pub(super) fn served_max_length(
        &self,
        sizes: &NettySizes,
        (pooled, direct, realloc): (u8, bool, bool),
        req: usize,
        norm: usize,
    ) -> Result<usize, Expected> {
        if !sizes.tiny_pool_by_request(norm) {
            return Ok(norm);
        }
        let pools = match &self.tiny_pools {
            TinyView::Untracked => return Ok(norm),
            TinyView::Observed(pools) => pools,
            TinyView::Skipped => {
                panic!("a tiny allocation by an op the executor did not observe the tiny pools for")
            }
        };
        let Some(side) = pools.side(pooled, direct) else {
            return Ok(norm);
        };
        let arena = if realloc { pools.own_arena } else { None };
        match side.serve(req, norm, sizes.page_size(), arena) {
            TinyServed::Element(elem) => Ok(elem),
            TinyServed::Throws(e) => Err(e),
        }
    }
}

/// The normalized size of a pooled request (its size class, or Netty's huge size) and
/// whether it is huge, by Netty's rules (`check::netty`).
pub(super) fn norm_of(sizes: Option<&NettySizes>, n: usize) -> (usize, bool) {
    match sizes {
        None => (n, false),
        Some(s) => {
            let norm = s.normalize(n);
            (norm.size, norm.huge)
        }
    }
}
