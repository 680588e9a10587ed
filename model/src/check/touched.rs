//! The arena checks, incremental over arenas and chunks: each op, and the full set at
//! the executor's interval, check only the arenas changed since the last check that
//! passed, and in them the chunk-local rules only over the chunks changed since.
//! [`check_allocator_arenas`](super::check_allocator_arenas) and
//! [`ArenaWatch::check_all`] with `every_chunk` check every arena and chunk (the
//! executor's end phase does).
//!
//! Why skipping a chunk finds exactly what checking it would: the chunk-local rules
//! (`pool::invariants::check_arena_in` §9.1–9.4 and `subpage_run_size_matches_in`)
//! read nothing but the chunk and the arena's sizing rules, which never change (see
//! `ChunkScope`). A chunk's state is its private fields, changed only by its `&mut
//! self` methods, each of which bumps
//! [`PoolChunk::version`](crate::pool::chunk::PoolChunk::version) (pinned by
//! `pool/tests/versions.rs`); chunk ids are never reused (`ArenaCore::fresh_id`
//! counts up). So a chunk whose (id, version) a passing check saw is in the state that
//! passed, and its rules pass again; the first violation is the same one, in the same
//! order. The arena-wide rules (§9.5, §9.6, the subpage-retention rule and the
//! metrics) read the arena's lists, pools, counters and chunks, and its sizing rules,
//! nothing else; every public `&mut self` method of `ArenaCore` bumps
//! [`ArenaCore::version`](crate::pool::ArenaCore::version) (pinned by the same test),
//! so an arena whose version a passing check saw passes again and is skipped; when it
//! moved, they run over every chunk.

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
    /// The chunks a check finds changed, kept to reuse its allocation.
    changed: Vec<ChunkId>,
}

const KINDS: [ArenaKind; 2] = [ArenaKind::Heap, ArenaKind::Direct];

impl ArenaWatch {
    /// Nothing seen yet: the first check looks at everything.
    #[inline]
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
            changed: Vec::new(),
        }
    }

    /// Netty's sizing rules for the arena of `kind` at `index`, as computed once.
    #[inline]
    pub fn sizes(&self, kind: ArenaKind, index: usize) -> Option<&NettySizes> {
        let k = KINDS.iter().position(|x| *x == kind)?;
        self.seen[k].get(index).map(|seen| &seen.sizes)
    }

    /// The arena invariants of
    /// [`check_allocator_arenas`](super::check_allocator_arenas) over what changed
    /// since the last check that passed (arenas whose version did not move are
    /// skipped); the first violation wins, in the same order.
    #[inline]
    pub fn check_changed(&mut self, allocator: &PooledAllocator) -> Result<(), Violation> {
        self.check(allocator, Scope::Changed)
    }

    /// Every arena invariant over every arena and chunk when `every_chunk`, else as
    /// [`ArenaWatch::check_changed`] (the module's doc says why that finds the same);
    /// the sizing rules reused.
    #[inline]
    pub fn check_all(
        &mut self,
        allocator: &PooledAllocator,
        every_chunk: bool,
    ) -> Result<(), Violation> {
        let scope = if every_chunk {
            Scope::EveryChunk
        } else {
            Scope::Changed
        };
        self.check(allocator, scope)
    }

    #[inline]
    fn check(&mut self, allocator: &PooledAllocator, scope: Scope) -> Result<(), Violation> {
        for (k, kind) in KINDS.into_iter().enumerate() {
            for (arena, seen) in allocator.arenas(kind).iter().zip(&mut self.seen[k]) {
                let core = arena.lock();
                if scope == Scope::Changed && seen.version == Some(core.version()) {
                    continue;
                }
                let chunks = if scope == Scope::EveryChunk {
                    ChunkScope::All
                } else {
                    let last = &seen.chunks;
                    self.changed.clear();
                    self.changed.extend(
                        core.chunks()
                            .filter(|c| {
                                let i = last.binary_search_by_key(&c.id(), |(id, _)| *id);
                                i.map_or(true, |i| last[i].1 != c.version())
                            })
                            .map(|c| c.id()),
                    );
                    ChunkScope::Only(&self.changed)
                };
                check_core(&core, &seen.sizes, chunks, self.releases_single_element)?;
                seen.version = Some(core.version());
                seen.chunks.clear();
                seen.chunks
                    .extend(core.chunks().map(|c| (c.id(), c.version())));
            }
        }
        Ok(())
    }
}

/// What [`ArenaWatch::check`] covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The arenas changed since the last passing check, their changed chunks.
    Changed,
    /// Every arena and chunk.
    EveryChunk,
}

/// One arena's invariants, the chunk-local ones over `scope`.
#[inline]
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
