//! Which thread cache is whose: every cache an allocator made (by id) and the running
//! threads' bindings (Netty's `PoolThreadLocalCache`, a `FastThreadLocal`).
//!
//! Model bookkeeping, never a scheduling point (Netty reads its thread-local without
//! synchronizing). The cache hit reads both without a read-modify-write: the caches
//! sit in a lock-free append-only list ([`Slots`]), and a small direct-mapped memo of
//! the bindings answers for the threads that allocate most. The memo is written only
//! under the bindings' lock — when a lookup misses it, and when a binding goes — so it
//! never names a binding the map no longer has.

use super::ThreadCache;
use crate::sync::book::counter::{AtomicU64, Ordering};
use crate::sync::{Arc, BookLock, Slots};
use crate::thread::ThreadId;
use std::collections::BTreeMap;

/// Memo entries (threads `t` and `t + MEMO` share one).
const MEMO: usize = 16;

/// The thread caches of one allocator.
#[derive(Debug, Default)]
pub(crate) struct CacheBindings {
    /// Every cache ever made, cache id `i + 1` at index `i`.
    all: Slots<Arc<ThreadCache>>,
    /// Running threads' caches, as indexes into `all`.
    bound: BookLock<BTreeMap<ThreadId, usize>>,
    /// `thread << 32 | (index + 1)` of a binding in `bound`, or 0.
    memo: [AtomicU64; MEMO],
}

/// The memo entry of a binding, if its index fits.
fn pack(t: ThreadId, index: usize) -> Option<u64> {
    let tag = u32::try_from(index).ok()?.checked_add(1)?;
    Some(u64::from(t.0) << 32 | u64::from(tag))
}

impl CacheBindings {
    fn memo_of(&self, t: ThreadId) -> &AtomicU64 {
        &self.memo[t.0 as usize % MEMO]
    }

    /// The id the next cache gets (ids count from 1, in creation order). Callers
    /// serialize creation (`PoolThreadLocalCache.initialValue` is synchronized).
    pub(crate) fn next_id(&self) -> u64 {
        self.all.len() as u64 + 1
    }

    /// The cache with id `id`.
    #[inline]
    pub(crate) fn by_id(&self, id: u64) -> Option<&Arc<ThreadCache>> {
        let cache = self.all.get(usize::try_from(id.checked_sub(1)?).ok()?)?;
        (cache.id() == id).then_some(cache)
    }

    /// The cache bound to thread `t`, if any.
    #[inline]
    pub(crate) fn bound(&self, t: ThreadId) -> Option<&Arc<ThreadCache>> {
        let memo = self.memo_of(t).load(Ordering::Acquire);
        if memo >> 32 == u64::from(t.0) && memo as u32 != 0 {
            return self.all.get((memo as u32 - 1) as usize);
        }
        let bound = self.bound.lock();
        let index = *bound.get(&t)?;
        if let Some(entry) = pack(t, index) {
            self.memo_of(t).store(entry, Ordering::Release);
        }
        self.all.get(index)
    }

    /// Records a new cache (its id from [`CacheBindings::next_id`]) and binds it to
    /// its owner.
    pub(crate) fn bind(&self, cache: Arc<ThreadCache>) -> &Arc<ThreadCache> {
        debug_assert_eq!(cache.id(), self.next_id(), "caches are made one at a time");
        let owner = cache.owner();
        let index = self.all.publish(cache);
        self.bound.lock().insert(owner, index);
        self.all.get(index).expect("just appended")
    }

    /// Removes thread `t`'s binding; returns the cache it had.
    pub(crate) fn unbind(&self, t: ThreadId) -> Option<&Arc<ThreadCache>> {
        let mut bound = self.bound.lock();
        let index = bound.remove(&t)?;
        let memo = self.memo_of(t);
        if memo.load(Ordering::Relaxed) >> 32 == u64::from(t.0) {
            memo.store(0, Ordering::Release);
        }
        drop(bound);
        self.all.get(index)
    }

    /// Every cache made, in creation order.
    #[inline]
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<ThreadCache>> + '_ {
        self.all.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_entry_is_the_thread_above_the_index_plus_one() {
        assert_eq!(pack(ThreadId(3), 4), Some(3 << 32 | 5));
        assert_eq!(pack(ThreadId(0), 0), Some(1));
        assert_eq!(
            pack(ThreadId(7), u32::MAX as usize),
            None,
            "no tag past u32"
        );
    }
}
