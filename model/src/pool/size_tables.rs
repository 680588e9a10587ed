//! Size-class tables computed once per geometry and shared (issue 9: setup costs
//! nothing). A harness that builds many allocators — the fuzz target, the executor's
//! benchmark — owns one [`SizeTables`] and passes it to
//! [`PooledAllocator::with_tables`](crate::alloc::pooled::PooledAllocator::with_tables);
//! there is no process-wide memo. A table is a pure function of its key and is never
//! changed after it is built, so sharing one changes no behaviour.

use super::{ArenaKind, PoolGeometry, SharedSizeClasses};
use crate::profile::SizeClassScheme;
use crate::sync::BookLock;

/// What a table depends on: the geometry, the scheme, the arena kind and whether heap
/// arenas are aligned (`AllocatorProfile::heap_arenas_aligned`).
type Key = (PoolGeometry, SizeClassScheme, ArenaKind, bool);

/// The tables built so far, by key (a handful per harness: a linear search).
#[derive(Debug, Default)]
pub struct SizeTables {
    tables: BookLock<Vec<(Key, SharedSizeClasses)>>,
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
        let mut tables = self.tables.lock();
        if let Some((_, table)) = tables.iter().find(|(k, _)| *k == key) {
            return table.clone();
        }
        let table = SharedSizeClasses::new(geometry.arena_size_classes(scheme, kind, heap_aligned));
        tables.push((key, table.clone()));
        table
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
