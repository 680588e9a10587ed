//! The shadow's maps by id: the JVM numbers objects and generations from 1 up
//! (`Jvm::next_alloc_id`, the object registry), so a map from one of those ids is a
//! `Vec` indexed by it — a look-up is an index instead of a tree walk — and it
//! iterates in ascending id order, as the `BTreeMap`s it replaces did.

use leakproof_model::buffer::{AllocId, ObjectId};
use std::hash::{Hash, Hasher};

/// An id the JVM hands out in sequence.
pub(crate) trait DenseKey: Copy + Eq + Hash {
    fn index(self) -> usize;
}

impl DenseKey for AllocId {
    fn index(self) -> usize {
        usize::try_from(self.0).expect("generation ids fit an index")
    }
}

impl DenseKey for ObjectId {
    fn index(self) -> usize {
        usize::try_from(self.0).expect("object ids fit an index")
    }
}

/// A map from a [`DenseKey`] to `V`, in ascending key order.
#[derive(Clone, Debug)]
pub(crate) struct DenseMap<K, V> {
    slots: Vec<Option<(K, V)>>,
    len: usize,
}

impl<K: DenseKey, V> Default for DenseMap<K, V> {
    fn default() -> Self {
        DenseMap {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<K: DenseKey, V> DenseMap<K, V> {
    pub fn get(&self, k: &K) -> Option<&V> {
        match self.slots.get(k.index()) {
            Some(Some((_, v))) => Some(v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        match self.slots.get_mut(k.index()) {
            Some(Some((_, v))) => Some(v),
            _ => None,
        }
    }

    pub fn contains_key(&self, k: &K) -> bool {
        self.get(k).is_some()
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        let i = k.index();
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        let old = self.slots[i].replace((k, v)).map(|(_, old)| old);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, k: &K) -> Option<V> {
        let old = self.slots.get_mut(k.index())?.take().map(|(_, v)| v);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Every entry, in ascending key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.slots.iter().flatten().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

impl<K: DenseKey, V> std::ops::Index<&K> for DenseMap<K, V> {
    type Output = V;

    fn index(&self, k: &K) -> &V {
        self.get(k).expect("key in the map")
    }
}

/// Hashes as a `BTreeMap` with the same entries does: the length, then each entry in
/// key order.
impl<K: DenseKey, V: Hash> Hash for DenseMap<K, V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len);
        for entry in self.iter() {
            entry.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::hash::DefaultHasher;

    fn hash_of(x: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    /// Random inserts and removes agree with a `BTreeMap`: look-ups, order, length and hash.
    #[test]
    fn agrees_with_a_btree_map() {
        let mut dense: DenseMap<AllocId, u32> = DenseMap::default();
        let mut tree: BTreeMap<AllocId, u32> = BTreeMap::new();
        let mut x: u64 = 7;
        for step in 0..2_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = AllocId((x >> 33) % 64);
            if (x >> 20) % 3 == 0 {
                assert_eq!(dense.remove(&k), tree.remove(&k));
            } else {
                assert_eq!(dense.insert(k, step), tree.insert(k, step));
            }
            assert_eq!(dense.get(&k), tree.get(&k));
            assert_eq!(
                dense.contains_key(&AllocId(x % 70)),
                tree.contains_key(&AllocId(x % 70))
            );
            assert_eq!(dense.iter().count(), tree.len());
        }
        assert!(dense.iter().eq(tree.iter()));
        assert_eq!(hash_of(&dense), hash_of(&tree));
        if let Some(v) = dense.get_mut(&AllocId(3)) {
            *v = 99;
        }
        if let Some(v) = tree.get_mut(&AllocId(3)) {
            *v = 99;
        }
        assert!(dense.values().eq(tree.values()));
        assert!(dense.keys().eq(tree.keys()));
    }
}
