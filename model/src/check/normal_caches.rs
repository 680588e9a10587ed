//! `normal_caches_as_created`: the normal-size queues of every thread cache are the ones
//! Netty's `PoolThreadCache` constructor creates.

use super::arena_sizes;
use super::netty::NettySizes;
use super::touched::ArenaWatch;
use crate::alloc::pooled::PooledAllocator;
use crate::invariant::NORMAL_CACHES_AS_CREATED;
use crate::pool::ArenaKind;
use crate::profile::SizeClassScheme;
use crate::thread::ThreadKind;
use crate::violation::Violation;

/// How many normal queues `createNormalCaches(cacheSize, maxCachedBufferCapacity, area)`
/// makes. 4.1.128 (PoolThreadCache.java:122–137): none unless both are `> 0`, else one
/// per size index from `nSubpages` while `sizeIdx2size(idx) <= min(chunkSize,
/// maxCachedBufferCapacity)`. 4.1.48 (PoolThreadCache.java:137–152):
/// `max(1, log2(max / pageSize) + 1)` queues, for the page multiples.
#[inline]
fn expected_queues(sizes: &NettySizes, scheme: SizeClassScheme, size: i32, max: i32) -> usize {
    if size <= 0 || max <= 0 {
        return 0;
    }
    let max = sizes.chunk_size().min(max as usize);
    let fit = sizes
        .normal_classes()
        .into_iter()
        .take_while(|&s| s <= max)
        .count();
    match scheme {
        SizeClassScheme::Jemalloc4 => fit,
        SizeClassScheme::Legacy => fit.max(1),
    }
}

/// Every live cache of `allocator`: a thread gets queues only when
/// `useCacheForAllThreads`, it is a `FastThreadLocalThread` or it runs an
/// `EventExecutor` (PooledByteBufAllocator.java:533–538; event loops are
/// `FastThreadLocalThread`s in 4.1.48, :471); each normal queue holds
/// `safeFindNextPositivePowerOfTwo(normalCacheSize)` entries (PoolThreadCache.java:336).
/// The arenas' sizing rules come from `watch` (computed once per run).
#[inline]
pub fn normal_caches_as_created(
    allocator: &PooledAllocator,
    watch: &ArenaWatch,
) -> Result<(), Violation> {
    let config = allocator.config();
    let scheme = allocator.jvm().profile().allocator.size_classes;
    for cache in allocator.all_caches() {
        if cache.is_freed() {
            continue;
        }
        let Ok(thread) = allocator.jvm().thread_kind(cache.owner()) else {
            continue;
        };
        let cached = config.use_cache_for_all_threads
            || matches!(thread, ThreadKind::EventLoop | ThreadKind::FastThreadLocal);
        let (size, max) = (config.normal_cache_size, config.max_cached_buffer_capacity);
        for kind in [ArenaKind::Heap, ArenaKind::Direct] {
            let Some(arena) = cache.arena(kind) else {
                continue;
            };
            let expected = if cached {
                match watch.sizes(kind, arena.index()) {
                    Some(sizes) => expected_queues(sizes, scheme, size, max),
                    None => {
                        let sizes = arena_sizes(allocator, &arena.lock());
                        expected_queues(&sizes, scheme, size, max)
                    }
                }
            } else {
                0
            };
            let queues = cache.normal_queues(kind);
            let capacity = (size.max(1) as usize).next_power_of_two();
            if queues.len() != expected || queues.iter().any(|q| q.capacity() != capacity) {
                let caps: Vec<usize> = queues.iter().map(|q| q.capacity()).collect();
                return Err(Violation::new(
                    NORMAL_CACHES_AS_CREATED,
                    format!(
                        "the {kind:?} normal queues of {}'s cache have capacities {caps:?}; Netty creates {expected} of {capacity} (normalCacheSize {size}, maxCachedBufferCapacity {max})",
                        cache.owner()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SizeClassScheme::{Jemalloc4, Legacy};

    #[test]
    fn queue_counts_follow_each_release() {
        let new = NettySizes::new(Jemalloc4, 8192, 9, 0, 0);
        // 32 KiB (four pages) is the first normal class; 40, 48, 56, 64 KiB follow.
        assert_eq!(expected_queues(&new, Jemalloc4, 64, 32 * 1024), 1);
        assert_eq!(expected_queues(&new, Jemalloc4, 64, 64 * 1024), 5);
        assert_eq!(expected_queues(&new, Jemalloc4, 64, 8192), 0);
        assert_eq!(expected_queues(&new, Jemalloc4, 0, 32 * 1024), 0);
        assert_eq!(expected_queues(&new, Jemalloc4, 64, 0), 0);
        let old = NettySizes::new(Legacy, 8192, 11, 0, 0);
        // log2(32 KiB / 8 KiB) + 1 = 3: 8, 16 and 32 KiB; below a page still one.
        assert_eq!(expected_queues(&old, Legacy, 64, 32 * 1024), 3);
        assert_eq!(expected_queues(&old, Legacy, 64, 4096), 1);
    }
}
