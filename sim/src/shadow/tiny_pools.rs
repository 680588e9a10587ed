//! Netty #11955 (fixed by #11987 in 4.1.73): 4.1.48 with a `directMemoryCacheAlignment`
//! of 1–8. `normalizeCapacity` aligns a tiny request to the alignment only
//! (PoolArena.java:364–365), `tinyIdx` (`normCapacity >>> 4`, :151) picks the pool and
//! the cache queue, and a new subpage takes the request's `normCapacity` as its element
//! size (PoolChunk.java:358–361), so one pool can meet requests of other sizes:
//!
//! 1. the thread cache's tiny queue first (`PoolThreadCache.allocateTiny`,
//!    `MemoryRegionCache.allocate`): its head entry serves, after `initBufWithSubpage`'s
//!    `assert reqCapacity <= subpage.elemSize` (PoolChunk.java:427);
//! 2. else the pool's first subpage (`head.next`), after `assert s.doNotDestroy &&
//!    s.elemSize == normCapacity` (PoolArena.java:206);
//! 3. else a new subpage of `normCapacity` elements, whose `init` fills
//!    `bitmapLength = ⌈(pageSize / elemSize) / 64⌉` longs of a `bitmap` sized for
//!    16-byte elements (`new long[pageSize >>> 10]`, PoolSubpage.java:55, 59–71):
//!    `ArrayIndexOutOfBoundsException` below 16 bytes.
//!
//! The shadow does not track pools and caches; the executor observes them before the op
//! ([`TinyPools`]) and the rule above judges.

use super::predict::{Expected, Match};
use leakproof_model::error::JavaClass;

/// Number of tiny pools (`numTinySubpagePools` = 512 >>> 4, PoolArena.java:41).
const TINY_POOLS: usize = 512 >> 4;

/// One arena's tiny pools as observed: its `numThreadCaches` and, per `tinyIdx`, the
/// element size of the pool's first subpage (`None`: the pool is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedArena {
    /// `numThreadCaches` (what `leastUsedArena` compares).
    pub thread_caches: i32,
    /// `tinySubpagePools[i].next.elemSize`.
    pub heads: Vec<Option<usize>>,
}

/// What one allocation of a kind (heap or direct) of one pooled allocator meets on the
/// acting thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TinySide {
    /// The allocator's arenas of the kind, in order.
    pub arenas: Vec<ObservedArena>,
    /// The arena the thread's cache is bound to; `None`: the thread has no cache yet,
    /// `threadCache.get()` binds it to `leastUsedArena`.
    pub bound: Option<usize>,
    /// Per `tinyIdx`, the element size (`maxLength`) of the entry the thread's tiny
    /// queue would poll (`None`: no queue, or empty).
    pub cached: Vec<Option<usize>>,
}

/// The observation of every (pooled allocator, direct) pair, taken before one op.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TinyPools {
    /// By `(allocator index, direct)`.
    pub sides: Vec<((u8, bool), TinySide)>,
    /// The arena (index within its kind) of the pooled root the op's handle reaches:
    /// `capacity(n)` reallocates in the buffer's own arena (`buf.chunk.arena`), with the
    /// calling thread's cache (4.1.48 PoolArena.java:381–397).
    pub own_arena: Option<usize>,
}

/// What the shadow knows of the tiny pools when it predicts an op.
#[derive(Clone, Debug, Default)]
pub enum TinyView {
    /// Nothing: pools are not observed (every profile and alignment where a pool meets
    /// only its own size, and the concurrent executors).
    #[default]
    Untracked,
    /// Observed before this op.
    Observed(TinyPools),
    /// Not observed, because the executor knows the op allocates nothing: a prediction
    /// that needs the pools then is a bug of the executor, and panics.
    Skipped,
}

/// How #11955's rule serves a tiny request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TinyServed {
    /// Served; the buffer's `maxLength` (the element size).
    Element(usize),
    /// Netty throws (the `-ea` assert, or the bitmap overflow).
    Throws(Expected),
}

/// `leastUsedArena` (4.1.48 PooledByteBufAllocator.java:494–507): the first arena with the
/// fewest thread caches.
fn least_used(arenas: &[ObservedArena]) -> Option<usize> {
    let mut min: Option<usize> = None;
    for (i, a) in arenas.iter().enumerate() {
        if min.is_none_or(|m| a.thread_caches < arenas[m].thread_caches) {
            min = Some(i);
        }
    }
    min
}

/// `java.lang.AssertionError` with any text (the model words its own).
pub fn assertion() -> Expected {
    Expected {
        class: JavaClass::Assertion,
        message: String::new(),
        matching: Match::Prefix,
    }
}

/// The bitmap overflow of a new `elem`-byte subpage on `page`-byte pages, if any:
/// the first index past `pageSize >>> 10` longs, worded as JDK 11+ do.
pub fn bitmap_overflow(page: usize, elem: usize) -> Option<Expected> {
    let length = page >> 10;
    let max_num_elems = page.checked_div(elem)?;
    let bitmap_length = max_num_elems.div_ceil(64);
    (bitmap_length > length).then(|| Expected {
        class: JavaClass::ArrayIndexOutOfBounds,
        message: format!("Index {length} out of bounds for length {length}"),
        matching: Match::Exact,
    })
}

impl TinySide {
    /// A tiny request of `req` bytes normalized to `norm` on `page`-byte pages, in
    /// `arena` (a reallocation's own) or else the thread's.
    pub fn serve(&self, req: usize, norm: usize, page: usize, arena: Option<usize>) -> TinyServed {
        let idx = norm >> 4;
        if idx >= TINY_POOLS {
            return TinyServed::Element(norm);
        }
        if let Some(elem) = self.cached.get(idx).copied().flatten() {
            return if req > elem {
                TinyServed::Throws(assertion())
            } else {
                TinyServed::Element(elem)
            };
        }
        let head = arena
            .or(self.bound)
            .or_else(|| least_used(&self.arenas))
            .and_then(|a| self.arenas.get(a))
            .and_then(|a| a.heads.get(idx).copied().flatten());
        match head {
            Some(elem) if elem != norm => TinyServed::Throws(assertion()),
            Some(elem) => TinyServed::Element(elem),
            None => match bitmap_overflow(page, norm) {
                Some(e) => TinyServed::Throws(e),
                None => TinyServed::Element(norm),
            },
        }
    }
}

impl TinyPools {
    /// The side of pooled allocator `pooled`, kind `direct`.
    pub fn side(&self, pooled: u8, direct: bool) -> Option<&TinySide> {
        self.sides
            .iter()
            .find(|(k, _)| *k == (pooled, direct))
            .map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(cached: Option<usize>, head: Option<usize>) -> TinySide {
        let mut heads = vec![None; TINY_POOLS];
        heads[1] = head;
        let mut c = vec![None; TINY_POOLS];
        c[1] = cached;
        TinySide {
            arenas: vec![ObservedArena {
                thread_caches: 0,
                heads,
            }],
            bound: None,
            cached: c,
        }
    }

    #[test]
    fn the_rule_of_4_1_48_tiny_pools() {
        let page = 8192;
        // A 24-byte request meets pool 1 holding 16-byte elements: the assert.
        assert_eq!(
            side(None, Some(16)).serve(24, 24, page, None),
            TinyServed::Throws(assertion())
        );
        assert_eq!(
            side(None, Some(24)).serve(17, 24, page, None),
            TinyServed::Element(24)
        );
        // The cache serves first: a larger entry serves, a smaller one asserts.
        assert_eq!(
            side(Some(24), Some(16)).serve(16, 16, page, None),
            TinyServed::Element(24)
        );
        assert_eq!(
            side(Some(16), None).serve(24, 24, page, None),
            TinyServed::Throws(assertion())
        );
        // A new subpage below 16 bytes overflows the bitmap; from 16 it does not.
        let overflow = bitmap_overflow(page, 8).expect("8-byte elements overflow");
        assert_eq!(overflow.message, "Index 8 out of bounds for length 8");
        assert!(bitmap_overflow(page, 16).is_none());
        assert!(bitmap_overflow(page, 0).is_none());
    }
}
