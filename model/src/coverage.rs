//! Event counters: which allocator and refcount events a run reached
//! (`docs/coverage.md`).
//!
//! Every [`Jvm`](crate::jvm::Jvm) owns one [`Events`]: an array of bookkeeping counters
//! ([`crate::sync::book::counter`], plain `std` atomics on every backend), so counting
//! adds no scheduling point under loom or shuttle and no lock anywhere; each event is
//! one relaxed increment. [`Events::snapshot`] reads them out as a [`Coverage`] value,
//! which checkers merge across runs and compare with what they claim to reach.

use crate::error::{JavaClass, JavaException, RefCntFault};
use crate::sync::book::counter::{AtomicU64, Ordering};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

/// One countable event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Event {
    /// `OutOfDirectMemoryError`: Netty's direct-memory counter refused a chunk or an
    /// unpooled buffer.
    OutOfDirectMemory,
    /// `OutOfMemoryError`: the JDK's direct-memory limit or the heap refused one.
    OutOfMemory,
    /// A pooled chunk fell out of `q000` and was destroyed (or kept for reuse).
    ChunkDestroyed,
    /// A huge (unpooled) chunk was freed with its buffer.
    HugeChunkDestroyed,
    /// A chunk moved to a fuller list after an allocation (`PoolChunkList.allocate`).
    ListMoveUp,
    /// A chunk moved to an emptier list after a free (`PoolChunkList.free`).
    ListMoveDown,
    /// A fully free subpage gave its run back to the chunk.
    SubpageReleased,
    /// A freed handle was queued in a thread cache (`PoolThreadCache.add`).
    CacheAdd,
    /// A thread cache refused a handle (no queue, full, or freed): it went to the arena.
    CacheAddRefused,
    /// An allocation was served from a thread cache.
    CachePoll,
    /// `trim()` freed a cached entry to its arena.
    CacheTrim,
    /// A thread cache was freed (`onRemoval` or its finalizer).
    CacheFree,
    /// `refCnt: 0`: an access to a released buffer.
    AccessAfterRelease,
    /// `refCnt: 0, increment: k`: a retain (or retained derivative) of a released buffer.
    RetainAfterRelease,
    /// `refCnt: n, increment: k` with `n > 0`: the count would overflow.
    RetainOverflow,
    /// `refCnt: 0, decrement: k`: a release of a released buffer.
    ReleaseAfterRelease,
    /// `refCnt: n, decrement: k` with `0 < n < k`: more released than held.
    OverRelease,
}

impl Event {
    /// The number of events.
    pub const COUNT: usize = 17;

    /// Every event, in table order.
    pub const ALL: [Event; Event::COUNT] = [
        Event::OutOfDirectMemory,
        Event::OutOfMemory,
        Event::ChunkDestroyed,
        Event::HugeChunkDestroyed,
        Event::ListMoveUp,
        Event::ListMoveDown,
        Event::SubpageReleased,
        Event::CacheAdd,
        Event::CacheAddRefused,
        Event::CachePoll,
        Event::CacheTrim,
        Event::CacheFree,
        Event::AccessAfterRelease,
        Event::RetainAfterRelease,
        Event::RetainOverflow,
        Event::ReleaseAfterRelease,
        Event::OverRelease,
    ];

    /// Stable name (tables, JSON, claims).
    pub fn name(self) -> &'static str {
        match self {
            Event::OutOfDirectMemory => "out_of_direct_memory",
            Event::OutOfMemory => "out_of_memory",
            Event::ChunkDestroyed => "chunk_destroyed",
            Event::HugeChunkDestroyed => "huge_chunk_destroyed",
            Event::ListMoveUp => "list_move_up",
            Event::ListMoveDown => "list_move_down",
            Event::SubpageReleased => "subpage_released",
            Event::CacheAdd => "cache_add",
            Event::CacheAddRefused => "cache_add_refused",
            Event::CachePoll => "cache_poll",
            Event::CacheTrim => "cache_trim",
            Event::CacheFree => "cache_free",
            Event::AccessAfterRelease => "access_after_release",
            Event::RetainAfterRelease => "retain_after_release",
            Event::RetainOverflow => "retain_overflow",
            Event::ReleaseAfterRelease => "release_after_release",
            Event::OverRelease => "over_release",
        }
    }

    /// The event named `name`, if any.
    pub fn from_name(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The event a Java error stands for: an out-of-memory error by its class, an
    /// `IllegalReferenceCountException` by the call its constructor was given
    /// ([`RefCntFault`]: the count seen and the change attempted).
    pub fn of_error(error: &JavaException) -> Option<Event> {
        match error.class {
            JavaClass::OutOfDirectMemory => return Some(Event::OutOfDirectMemory),
            JavaClass::OutOfMemory => return Some(Event::OutOfMemory),
            _ => {}
        }
        Some(match error.ref_cnt_fault()? {
            RefCntFault::Access { .. } => Event::AccessAfterRelease,
            RefCntFault::Increment { ref_cnt: 0, .. } => Event::RetainAfterRelease,
            RefCntFault::Increment { .. } => Event::RetainOverflow,
            RefCntFault::Decrement { ref_cnt: 0, .. } => Event::ReleaseAfterRelease,
            RefCntFault::Decrement { .. } => Event::OverRelease,
        })
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One JVM's live event counters.
#[derive(Debug, Default)]
pub struct Events {
    counts: [AtomicU64; Event::COUNT],
}

impl Events {
    /// Counts one `event`.
    #[inline]
    pub fn record(&self, event: Event) {
        self.counts[event as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `n` occurrences of `event`.
    #[inline]
    pub fn record_n(&self, event: Event, n: u64) {
        if n > 0 {
            self.counts[event as usize].fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts the event `error` stands for ([`Event::of_error`]), if any.
    pub fn record_error(&self, error: &JavaException) {
        if let Some(event) = Event::of_error(error) {
            self.record(event);
        }
    }

    /// The counts so far, as a value (without what the thread caches count
    /// themselves: `Jvm::coverage` merges those).
    pub fn snapshot(&self) -> Coverage {
        let mut out = Coverage::default();
        for (slot, count) in out.counts.iter_mut().zip(&self.counts) {
            *slot = count.load(Ordering::Relaxed);
        }
        out
    }
}

/// Event counts of one run, or merged over many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Coverage {
    counts: [u64; Event::COUNT],
}

impl Coverage {
    /// How often `event` happened.
    pub fn times(&self, event: Event) -> u64 {
        self.counts[event as usize]
    }

    /// True when `event` happened at least once.
    pub fn reached(&self, event: Event) -> bool {
        self.times(event) > 0
    }

    /// Counts `n` more occurrences of `event` (saturating).
    pub(crate) fn add(&mut self, event: Event, n: u64) {
        let count = &mut self.counts[event as usize];
        *count = count.saturating_add(n);
    }

    /// Adds `other`'s counts (saturating).
    pub fn merge(&mut self, other: &Coverage) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a = a.saturating_add(b);
        }
    }

    /// The events of `expected` that never happened, in their order.
    pub fn missing(&self, expected: &[Event]) -> Vec<Event> {
        expected
            .iter()
            .copied()
            .filter(|&e| !self.reached(e))
            .collect()
    }

    /// Every event with its count, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (Event, u64)> + '_ {
        Event::ALL.into_iter().map(|e| (e, self.times(e)))
    }
}

impl Serialize for Coverage {
    /// A map from event name to count, in table order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Event::COUNT))?;
        for (event, count) in self.iter() {
            map.serialize_entry(event.name(), &count)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for (i, e) in Event::ALL.into_iter().enumerate() {
            assert_eq!(e as usize, i, "ALL is in declaration order");
            assert_eq!(Event::from_name(e.name()), Some(e));
        }
        assert_eq!(Event::from_name("nope"), None);
    }

    #[test]
    fn errors_are_classified_by_their_class_and_refcount_call() {
        let of = |e: JavaException| Event::of_error(&e);
        assert_eq!(
            of(JavaException::ref_cnt(0)),
            Some(Event::AccessAfterRelease)
        );
        let change = JavaException::ref_cnt_change;
        assert_eq!(of(change(0, 1)), Some(Event::RetainAfterRelease));
        assert_eq!(of(change(10, 1)), Some(Event::RetainOverflow));
        assert_eq!(of(change(0, -1)), Some(Event::ReleaseAfterRelease));
        assert_eq!(of(change(1, -2)), Some(Event::OverRelease));
        let oom = JavaException::new(JavaClass::OutOfDirectMemory, "failed to allocate");
        assert_eq!(of(oom), Some(Event::OutOfDirectMemory));
        let heap = JavaException::new(JavaClass::OutOfMemory, "Java heap space");
        assert_eq!(of(heap), Some(Event::OutOfMemory));
        assert_eq!(of(JavaException::illegal_argument("x")), None);
    }

    #[test]
    fn counts_snapshot_merge_and_missing() {
        let events = Events::default();
        events.record(Event::CacheAdd);
        events.record_n(Event::CacheTrim, 3);
        events.record_error(&JavaException::ref_cnt_change(0, -1));
        let mut c = events.snapshot();
        assert_eq!(c.times(Event::CacheAdd), 1);
        assert_eq!(c.times(Event::CacheTrim), 3);
        assert!(c.reached(Event::ReleaseAfterRelease));
        c.merge(&events.snapshot());
        assert_eq!(c.times(Event::CacheTrim), 6);
        assert_eq!(
            c.missing(&[Event::CacheAdd, Event::CacheFree, Event::OverRelease]),
            vec![Event::CacheFree, Event::OverRelease]
        );
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.starts_with("{\"out_of_direct_memory\":0,"), "{json}");
        assert!(json.contains("\"cache_trim\":6"), "{json}");
    }
}
