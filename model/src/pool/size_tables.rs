//! Size-class tables computed once per geometry and shared (issue 9: setup costs
//! nothing). A harness that builds many allocators — the fuzz target, the executor's
//! benchmark — owns one [`SizeTables`] and passes it to
//! [`PooledAllocator::with_tables`](crate::alloc::pooled::PooledAllocator::with_tables);
//! there is no process-wide memo. A table is a pure function of its key and is never
//! changed after it is built, so sharing one changes no behaviour.

use super::{ArenaKind, PoolGeometry, SharedSizeClasses};
use crate::profile::SizeClassScheme;
use crate::sync::BookLock;
use std::collections::HashMap;

/// What a table depends on: the geometry, the scheme, the arena kind and whether heap
/// arenas are aligned (`AllocatorProfile::heap_arenas_aligned`).
type Key = (PoolGeometry, SizeClassScheme, ArenaKind, bool);

/// The tables built so far, by key. A fuzz campaign meets every geometry its inputs
/// decode to (hundreds), so a look-up is hashed, not a search; nothing iterates the map,
/// so its order never shows.
#[derive(Debug, Default)]
pub struct SizeTables {
    tables: BookLock<HashMap<Key, SharedSizeClasses>>,
}

impl SizeTables {
    /// No table built yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The size classes of an arena of `kind` under `scheme` over `geometry`
    /// ([`PoolGeometry::arena_size_classes`]), built on first use.
    pub fn get(
        &self,
        geometry: &PoolGeometry,
        scheme: SizeClassScheme,
        kind: ArenaKind,
        heap_aligned: bool,
    ) -> SharedSizeClasses {
        let key = (*geometry, scheme, kind, heap_aligned);
        self.tables
            .lock()
            .entry(key)
            .or_insert_with(|| {
                SharedSizeClasses::new(geometry.arena_size_classes(scheme, kind, heap_aligned))
            })
            .clone()
    }

    /// How many tables were built.
    pub fn len(&self) -> usize {
        self.tables.lock().len()
    }

    /// Whether none was built yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_built_once_per_key_and_equals_a_fresh_one() {
        let tables = SizeTables::new();
        assert!(tables.is_empty());
        let g = PoolGeometry::netty_default();
        let scheme = SizeClassScheme::Jemalloc4;
        let a = tables.get(&g, scheme, ArenaKind::Direct, false);
        let b = tables.get(&g, scheme, ArenaKind::Direct, false);
        assert!(SharedSizeClasses::ptr_eq(&a, &b));
        assert_eq!(tables.len(), 1);
        assert!(!tables.is_empty());
        let legacy = tables.get(&g, SizeClassScheme::Legacy, ArenaKind::Direct, false);
        assert!(!SharedSizeClasses::ptr_eq(&a, &legacy));
        assert_eq!(tables.len(), 2);
        let fresh = g.arena_size_classes(scheme, ArenaKind::Direct, false);
        assert_eq!(format!("{:?}", *a), format!("{fresh:?}"));
    }
}
