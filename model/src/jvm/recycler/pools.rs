//! The recycler's pools by key, without a tree walk on the hot path: a `Vec` sorted by
//! key (so every walk visits pools in the order a `BTreeMap` would) plus the position
//! of the pool used last. A thread's allocate+release loop claims from and gives back
//! to one pool, so a look-up is usually one key comparison.

use super::{Pool, PoolKey};
use crate::thread::ThreadId;

/// Pools sorted by key, and the position of the last one looked up.
#[derive(Debug, Default)]
pub(super) struct Pools {
    entries: Vec<(PoolKey, Pool)>,
    last: usize,
}

impl Pools {
    /// The pool of `key`, made by `make` when there is none.
    pub(super) fn get_or_insert_with(
        &mut self,
        key: PoolKey,
        make: impl FnOnce() -> Pool,
    ) -> &mut Pool {
        let hit = self.entries.get(self.last).is_some_and(|(k, _)| *k == key);
        if !hit {
            self.last = match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
                Ok(i) => i,
                Err(i) => {
                    self.entries.insert(i, (key, make()));
                    i
                }
            };
        }
        &mut self.entries[self.last].1
    }

    /// Every pool, in key order.
    pub(super) fn in_key_order(&self) -> impl Iterator<Item = &Pool> + '_ {
        self.entries.iter().map(|(_, p)| p)
    }

    /// Every pool, in key order.
    pub(super) fn in_key_order_mut(&mut self) -> impl Iterator<Item = &mut Pool> + '_ {
        self.entries.iter_mut().map(|(_, p)| p)
    }

    /// Removes the pools `owner` owns and returns them, in key order.
    pub(super) fn remove_owned_by(&mut self, owner: ThreadId) -> Vec<Pool> {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.entries.len());
        for (key, pool) in self.entries.drain(..) {
            if key.2 == owner {
                removed.push(pool);
            } else {
                kept.push((key, pool));
            }
        }
        self.entries = kept;
        self.last = 0;
        removed
    }

    /// Removes every pool.
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.last = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::Pools;
    use crate::buffer::BufClass;
    use crate::jvm::recycler::{Pool, PoolKey};
    use crate::profile::CrossThreadRecycle;
    use crate::thread::ThreadId;

    fn pool(counter: u32) -> Pool {
        Pool {
            elements: Vec::new(),
            ratio_counter: counter,
            queues: super::super::queue::Queues::new(CrossThreadRecycle::OwnerPool, 4),
        }
    }

    #[test]
    fn pools_are_found_by_key_and_walked_in_key_order() {
        let keys: [PoolKey; 4] = [
            (BufClass::PooledDirect, 2, ThreadId(1)),
            (BufClass::PooledHeap, 1, ThreadId(0)),
            (BufClass::PooledDirect, 1, ThreadId(3)),
            (BufClass::PooledDirect, 1, ThreadId(1)),
        ];
        let mut pools = Pools::default();
        for (i, k) in keys.iter().enumerate() {
            pools.get_or_insert_with(*k, || pool(i as u32));
        }
        // Every key finds its own pool, the memo's or not, and nothing new is made.
        for (i, k) in keys.iter().enumerate().chain(keys.iter().enumerate().rev()) {
            let p = pools.get_or_insert_with(*k, || unreachable!("made twice"));
            assert_eq!(p.ratio_counter, i as u32, "{k:?}");
        }
        let mut sorted = keys.to_vec();
        sorted.sort();
        let order: Vec<u32> = pools.in_key_order().map(|p| p.ratio_counter).collect();
        let want: Vec<u32> = sorted
            .iter()
            .map(|k| keys.iter().position(|x| x == k).unwrap() as u32)
            .collect();
        assert_eq!(order, want);
        let removed: Vec<u32> = pools
            .remove_owned_by(ThreadId(1))
            .iter()
            .map(|p| p.ratio_counter)
            .collect();
        assert_eq!(removed, [3, 0]);
        assert_eq!(pools.in_key_order().count(), 2);
        assert_eq!(
            pools
                .get_or_insert_with(keys[2], || unreachable!())
                .ratio_counter,
            2
        );
    }
}
