//! The per-op arena check, incremental: each op checks only the arenas and chunks it
//! changed. Every arena invariant is a function of one arena's state, so an arena whose
//! [`ArenaCore::version`] did not move since a check that passed still passes, and
//! within a changed arena the chunk-local rules need only the chunks whose
//! [`PoolChunk::version`](crate::pool::chunk::PoolChunk::version) moved
//! (`pool::invariants::check_arena_in`). The executor still runs the full set
//! ([`check_allocator_arenas`](super::check_allocator_arenas)) at its interval and at
//! the end.

use super::{arena_metrics_consistent, arena_sizes};
use super::{free_subpage_returned_unless_alone, netty::NettySizes};
use crate::alloc::pooled::PooledAllocator;
use crate::pool::invariants::{self, ChunkScope};
use crate::pool::{ArenaCore, ArenaKind, ChunkId};
use crate::violation::Violation;

/// What the last passing check saw of one arena, and its sizing rules.
#[derive(Debug)]
struct Seen {
    /// `None` before the first check.
    version: Option<u64>,
    /// Each chunk's version, ascending by id (as `ArenaCore::chunks` lists them).
    chunks: Vec<(ChunkId, u64)>,
    /// Netty's sizing rules for the arena, computed once (the geometry never changes).
    sizes: NettySizes,
}

/// The versions of every arena of one allocator at its last passing check, with each
/// arena's sizing rules computed once: `[heap…, direct…]` in the allocator's order.
#[derive(Debug)]
pub struct ArenaWatch {
    seen: [Vec<Seen>; 2],
    releases_single_element: bool,
}

const KINDS: [ArenaKind; 2] = [ArenaKind::Heap, ArenaKind::Direct];

impl ArenaWatch {
    /// Nothing seen yet: the first check looks at everything.
    pub fn new(allocator: &PooledAllocator) -> Self {
        let seen = KINDS.map(|kind| {
            allocator
                .arenas(kind)
                .iter()
                .map(|arena| Seen {
                    version: None,
                    chunks: Vec::new(),
                    sizes: arena_sizes(allocator, &arena.lock()),
                })
                .collect()
        });
        ArenaWatch {
            seen,
            releases_single_element: allocator
                .jvm()
                .profile()
                .allocator
                .release_single_element_subpages,
        }
    }

    /// Netty's sizing rules for the arena of `kind` at `index`, as computed once.
    pub fn sizes(&self, kind: ArenaKind, index: usize) -> Option<&NettySizes> {
        let k = KINDS.iter().position(|x| *x == kind)?;
        self.seen[k].get(index).map(|seen| &seen.sizes)
    }

    /// The arena invariants of
    /// [`check_allocator_arenas`](super::check_allocator_arenas) over what changed
    /// since the last check that passed; the first violation wins, in the same order.
    pub fn check_changed(&mut self, allocator: &PooledAllocator) -> Result<(), Violation> {
        for (k, kind) in KINDS.into_iter().enumerate() {
            for (arena, seen) in allocator.arenas(kind).iter().zip(&mut self.seen[k]) {
                let core = arena.lock();
                if seen.version == Some(core.version()) {
                    continue;
                }
                let last = &seen.chunks;
                let changed: Vec<ChunkId> = core
                    .chunks()
                    .filter(|c| {
                        let i = last.binary_search_by_key(&c.id(), |(id, _)| *id);
                        i.map_or(true, |i| last[i].1 != c.version())
                    })
                    .map(|c| c.id())
                    .collect();
                let scope = ChunkScope::Only(&changed);
                check_core(&core, &seen.sizes, scope, self.releases_single_element)?;
                seen.version = Some(core.version());
                seen.chunks = core.chunks().map(|c| (c.id(), c.version())).collect();
            }
        }
        Ok(())
    }

    /// Every arena invariant over every chunk (the sizing rules reused).
    pub fn check_all(&self, allocator: &PooledAllocator) -> Result<(), Violation> {
        for (k, kind) in KINDS.into_iter().enumerate() {
            for (arena, seen) in allocator.arenas(kind).iter().zip(&self.seen[k]) {
                let core = arena.lock();
                check_core(
                    &core,
                    &seen.sizes,
                    ChunkScope::All,
                    self.releases_single_element,
                )?;
            }
        }
        Ok(())
    }
}

/// One arena's invariants, the chunk-local ones over `scope`.
pub(super) fn check_core(
    core: &ArenaCore,
    sizes: &NettySizes,
    scope: ChunkScope<'_>,
    releases_single_element: bool,
) -> Result<(), Violation> {
    invariants::check_arena_in(core, scope)?;
    invariants::subpage_run_size_matches_in(core, sizes, scope)?;
    free_subpage_returned_unless_alone(core, releases_single_element)?;
    arena_metrics_consistent(core, sizes)
}
