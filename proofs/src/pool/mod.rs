//! The pool's state machines as stateright models over the model's own `ArenaCore`
//! (netty.md §3): the run allocator (or the ≤4.1.51 buddy tree) and subpage bitmaps
//! of one tiny chunk, and the chunk-list moves of a small arena with up to three chunks.
//!
//! A state is an arena plus the buffers it handed out; an action allocates one of a
//! few representative sizes (every size kind) or frees one live buffer, through
//! `ArenaCore::allocate` / `ArenaCore::free` themselves. The number of live buffers is
//! bounded, not the path length, so every sequence of allocations and frees within
//! that bound is covered. The `always` properties are the allocator invariants of the
//! table; the `sometimes` ones show subpage release, list moves, chunk destruction,
//! huge buffers and running out of memory are all reached.

mod canonical;
pub mod cases;

use crate::invariant::holds;
use leakproof_model::check::netty::NettySizes;
use leakproof_model::error::{DirectShortfall, JavaClass, JavaException, JavaResult};
use leakproof_model::invariant::{
    self, ARENA_METRICS_CONSISTENT, BUDDY_TREE_CONSISTENT, FREE_ALL_RETURNS_PAGES,
    FREE_SUBPAGE_RETURNED_UNLESS_ALONE, HANDLE_SIZE_CLASS_MATCHES, MODEL_RAISED_NO_ASSERTION,
    SUBPAGE_RUN_SIZE_MATCHES,
};
use leakproof_model::memory::{Memory, MemoryMode};
use leakproof_model::pool::{
    handle, invariants, ArenaCore, ArenaKind, ArenaOptions, ChunkId, ChunkSource, SizeClasses,
    SizeKind,
};
use leakproof_model::profile::AllocatorProfile;
use leakproof_model::{check, Mutant};
use stateright::{Model, Property};
use std::hash::{Hash, Hasher};

/// Events of the transition that led to a state, as bits (only the last transition's,
/// so they multiply the state space by little; a `sometimes` property is reached when
/// some state carries its bit).
pub mod seen {
    /// A free released a subpage's run back to its chunk.
    pub const SUBPAGE_RELEASED: u8 = 1;
    /// A chunk moved to another list.
    pub const LIST_MOVE: u8 = 2;
    /// A pooled chunk was destroyed (fell out of q000).
    pub const CHUNK_DESTROYED: u8 = 4;
    /// A huge buffer was allocated and freed.
    pub const HUGE_FREED: u8 = 8;
    /// An allocation failed with `OutOfDirectMemoryError`.
    pub const OUT_OF_MEMORY: u8 = 16;
    /// Everything was freed after something was allocated.
    pub const ALL_FREED: u8 = 32;
}

/// A chunk source with a byte budget: `OutOfDirectMemoryError` beyond it, no bytes.
#[derive(Clone, Copy, Debug)]
struct Budget {
    used: usize,
    limit: usize,
}

impl ChunkSource for Budget {
    fn new_chunk(&mut self, size: usize, _unpooled: bool) -> JavaResult<Memory> {
        if self.used + size > self.limit {
            return Err(JavaException::out_of_direct_memory(DirectShortfall {
                requested: size as i64,
                used: self.used as i64,
                max: self.limit as i64,
            }));
        }
        self.used += size;
        Ok(Memory::new(MemoryMode::Virtual, size))
    }
    fn destroy_chunk(&mut self, size: usize, _unpooled: bool) {
        self.used -= size.min(self.used);
    }
}

/// A buffer the arena handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Live {
    /// Its chunk.
    pub chunk: ChunkId,
    /// Netty's handle (0 for huge).
    pub handle: u64,
    /// The normalized capacity the buffer frees with (`maxLength`).
    pub norm: usize,
    /// The requested size.
    pub req: usize,
}

/// An arena, its live buffers and what the path has shown.
#[derive(Clone, Debug)]
pub struct PoolState {
    /// The arena (the model's own plain-data core).
    pub arena: ArenaCore,
    /// Bytes taken from the budget.
    pub used: usize,
    /// Buffers handed out and not freed.
    pub live: Vec<Live>,
    /// The subpage element the previous action freed (the double-free action's target).
    pub last_freed: Option<Live>,
    /// [`seen`] bits of the transition that led here.
    pub seen: u8,
    /// The first internal `AssertionError` the model raised.
    pub assertion: Option<String>,
}

impl PoolState {
    /// Live buffers in canonical order (chunk renamed, then handle, then size).
    fn canonical_live(
        &self,
        names: &std::collections::BTreeMap<ChunkId, u64>,
    ) -> Vec<(u64, u64, usize, usize)> {
        let mut live: Vec<_> = self
            .live
            .iter()
            .map(|l| {
                (
                    names.get(&l.chunk).copied().unwrap_or(u64::MAX),
                    l.handle,
                    l.norm,
                    l.req,
                )
            })
            .collect();
        live.sort_unstable();
        live
    }

    fn huge_order(&self) -> Vec<ChunkId> {
        let mut huge: Vec<&Live> = self
            .live
            .iter()
            .filter(|l| self.arena.chunk(l.chunk).is_some_and(|c| c.is_unpooled()))
            .collect();
        huge.sort_by_key(|l| (l.req, l.norm));
        huge.into_iter().map(|l| l.chunk).collect()
    }
}

impl Hash for PoolState {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let names = canonical::chunk_names(&self.arena, &self.huge_order());
        canonical::hash_arena(&self.arena, &names, h);
        self.canonical_live(&names).hash(h);
        self.last_freed
            .map(|l| (names.get(&l.chunk).copied(), l.handle, l.norm))
            .hash(h);
        (self.used, self.seen, self.assertion.is_some()).hash(h);
    }
}

impl PartialEq for PoolState {
    fn eq(&self, other: &Self) -> bool {
        let fp = |s: &PoolState| {
            let mut h = std::hash::DefaultHasher::new();
            s.hash(&mut h);
            h.finish()
        };
        fp(self) == fp(other)
    }
}

/// One step of the pool model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolAction {
    /// `ArenaCore::allocate(size)`.
    Allocate(usize),
    /// Free live buffer `i` (index into [`PoolState::live`]).
    Free(usize),
    /// Free the last freed subpage element again (#13467's effect).
    FreeAgain,
}

/// A pool model: an arena of one profile (and mutant) with a budget of chunks.
#[derive(Clone, Debug)]
pub struct PoolModel {
    /// The allocator profile.
    pub profile: AllocatorProfile,
    /// The switched-on mutant.
    pub mutant: Mutant,
    /// The arena's size classes (its geometry).
    pub sc: SizeClasses,
    /// Netty's sizing rules for the same geometry, restated independently of `sc`
    /// (`check::netty`), which the size-class invariants judge by.
    pub netty_sizes: NettySizes,
    /// The sizes an action may request (representatives of every kind).
    pub sizes: Vec<usize>,
    /// At most this many live buffers.
    pub max_live: usize,
    /// The byte budget of the chunk source.
    pub budget: usize,
    /// Offer the double-free action.
    pub double_free: bool,
}

impl PoolModel {
    fn options(&self) -> ArenaOptions {
        ArenaOptions::new(ArenaKind::Direct, 0, &self.profile, self.mutant)
    }

    /// True when `mutant` changes the arena's behaviour under `profile` in these
    /// models (the mutants they must catch). Their size classes are unaligned and they
    /// run one thread, so an alignment fault or a missing lock changes nothing here
    /// (the fuzz configurations and loom reach those).
    pub fn touches_arena(profile: &AllocatorProfile, mutant: Mutant) -> bool {
        ArenaOptions::new(ArenaKind::Direct, 0, profile, mutant).sequential_unaligned()
            != ArenaOptions::new(ArenaKind::Direct, 0, profile, Mutant::None)
    }

    /// Netty's rule for the profile (#10988), independent of the mutant under test:
    /// the invariants judge the arena by the profile, never by the switched options.
    fn releases_single_element(&self) -> bool {
        self.profile.release_single_element_subpages
    }

    fn has_huge(&self) -> bool {
        self.sizes
            .iter()
            .any(|&s| self.sc.kind_of_size(s) == SizeKind::Huge)
    }

    fn fail(state: &mut PoolState, e: JavaException) {
        if e.class == JavaClass::OutOfDirectMemory {
            state.seen |= seen::OUT_OF_MEMORY;
        } else if state.assertion.is_none() {
            state.assertion = Some(e.to_string());
        }
    }

    fn free(&self, state: &mut PoolState, live: Live) -> JavaResult<()> {
        let mut budget = Budget {
            used: state.used,
            limit: self.budget,
        };
        let lists_before: Vec<_> = state.arena.chunks().map(|c| (c.id(), c.list())).collect();
        let subpages_before: usize = state.arena.chunks().map(|c| c.subpages().count()).sum();
        let out = state
            .arena
            .free(live.chunk, live.handle, live.norm, false, &mut budget)?;
        state.used = budget.used;
        let subpages_after: usize = state.arena.chunks().map(|c| c.subpages().count()).sum();
        if subpages_after < subpages_before {
            state.seen |= seen::SUBPAGE_RELEASED;
        }
        if out.kind == SizeKind::Huge {
            state.seen |= seen::HUGE_FREED;
        } else if out.destroyed.is_some() {
            state.seen |= seen::CHUNK_DESTROYED;
        }
        let moved = lists_before
            .iter()
            .any(|(id, list)| state.arena.chunk(*id).is_some_and(|c| c.list() != *list));
        if moved {
            state.seen |= seen::LIST_MOVE;
        }
        Ok(())
    }
}

impl Model for PoolModel {
    type State = PoolState;
    type Action = PoolAction;

    fn init_states(&self) -> Vec<PoolState> {
        vec![PoolState {
            arena: ArenaCore::new(self.sc.clone(), self.options()),
            used: 0,
            live: Vec::new(),
            last_freed: None,
            seen: 0,
            assertion: None,
        }]
    }

    fn actions(&self, state: &PoolState, actions: &mut Vec<PoolAction>) {
        if state.assertion.is_some() {
            return;
        }
        if state.live.len() < self.max_live {
            actions.extend(self.sizes.iter().map(|&s| PoolAction::Allocate(s)));
        }
        actions.extend((0..state.live.len()).map(PoolAction::Free));
        if state.last_freed.is_some() {
            actions.push(PoolAction::FreeAgain);
        }
    }

    fn next_state(&self, state: &PoolState, action: PoolAction) -> Option<PoolState> {
        let mut next = state.clone();
        next.seen = 0;
        // #13467 frees the same handle twice in a row: the double free may only follow
        // the free it repeats.
        next.last_freed = None;
        match action {
            PoolAction::Allocate(req) => {
                let mut budget = Budget {
                    used: next.used,
                    limit: self.budget,
                };
                match next.arena.allocate(req, &mut budget) {
                    Ok(a) => {
                        next.used = budget.used;
                        next.live.push(Live {
                            chunk: a.chunk,
                            handle: a.handle,
                            norm: a.max_length,
                            req,
                        });
                    }
                    Err(e) => Self::fail(&mut next, e),
                }
            }
            PoolAction::Free(i) => {
                let live = next.live.remove(i);
                if let Err(e) = self.free(&mut next, live) {
                    Self::fail(&mut next, e);
                }
                let small = live.handle != 0 && handle::is_subpage(live.handle);
                next.last_freed = (self.double_free && small).then_some(live);
                if next.live.is_empty() {
                    next.seen |= seen::ALL_FREED;
                }
            }
            PoolAction::FreeAgain => {
                let live = state.last_freed?;
                // Netty as is refuses nothing here and corrupts itself; the model
                // refuses with an AssertionError value, which is the correct outcome.
                let _ = self.free(&mut next, live);
            }
        }
        Some(next)
    }

    fn format_action(&self, action: &PoolAction) -> String {
        match action {
            PoolAction::Allocate(size) => format!("allocate({size})"),
            PoolAction::Free(i) => format!("free(live #{i})"),
            PoolAction::FreeAgain => "free the last freed element again".to_string(),
        }
    }

    fn format_step(&self, state: &PoolState, action: PoolAction) -> Option<String> {
        let what = match action {
            PoolAction::Free(i) => {
                let l = state.live.get(i)?;
                format!(
                    "free {} bytes (handle {:#x} in {})",
                    l.req, l.handle, l.chunk
                )
            }
            other => self.format_action(&other),
        };
        let next = self.next_state(state, action)?;
        let lists: Vec<String> = next
            .arena
            .chunks()
            .map(|c| {
                format!(
                    "{}: {} free, {:?}, runs {:?}",
                    c.id(),
                    c.free_bytes(),
                    c.list().map(|l| l.name()),
                    c.free_runs()
                )
            })
            .collect();
        Some(format!("{what} -> [{}]", lists.join("; ")))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut p = self.invariants();
        if self.has_huge() {
            p.push(Property::sometimes(
                "reach_huge_freed",
                |_, s: &PoolState| s.seen & seen::HUGE_FREED != 0,
            ));
        }
        p
    }
}

impl PoolModel {
    fn invariants(&self) -> Vec<Property<Self>> {
        macro_rules! arena_invariant {
            ($invariant:path, $f:path) => {
                Property::always($invariant.name, |_, s: &PoolState| holds($f(&s.arena)))
            };
        }
        vec![
            arena_invariant!(
                invariant::LIVE_RANGES_DISJOINT_IN_BOUNDS,
                invariants::live_ranges_disjoint_in_bounds
            ),
            arena_invariant!(
                invariant::CHUNK_FREE_BYTES_CONSISTENT,
                invariants::chunk_free_bytes_consistent
            ),
            arena_invariant!(
                invariant::FREE_RUNS_COALESCED,
                invariants::free_runs_coalesced
            ),
            arena_invariant!(
                invariant::SUBPAGE_BITMAP_CONSISTENT,
                invariants::subpage_bitmap_consistent
            ),
            arena_invariant!(
                invariant::SUBPAGE_LINKED_IFF_AVAILABLE,
                invariants::subpage_linked_iff_available
            ),
            arena_invariant!(
                invariant::CHUNK_IN_LIST_BY_USAGE,
                invariants::chunk_in_list_by_usage
            ),
            arena_invariant!(
                BUDDY_TREE_CONSISTENT,
                check::buddy_tree::buddy_tree_consistent
            ),
            Property::always(
                FREE_SUBPAGE_RETURNED_UNLESS_ALONE.name,
                |m: &Self, s: &PoolState| {
                    holds(check::free_subpage_returned_unless_alone(
                        &s.arena,
                        m.releases_single_element(),
                    ))
                },
            ),
            Property::always(HANDLE_SIZE_CLASS_MATCHES.name, |m: &Self, s: &PoolState| {
                s.live.iter().all(|l| {
                    holds(invariants::handle_size_class_matches(
                        &s.arena,
                        &m.netty_sizes,
                        l.chunk,
                        l.handle,
                        l.norm,
                    ))
                })
            }),
            Property::always(SUBPAGE_RUN_SIZE_MATCHES.name, |m: &Self, s: &PoolState| {
                holds(invariants::subpage_run_size_matches(
                    &s.arena,
                    &m.netty_sizes,
                ))
            }),
            Property::always(ARENA_METRICS_CONSISTENT.name, |m: &Self, s: &PoolState| {
                holds(check::arena_metrics_consistent(&s.arena, &m.netty_sizes))
            }),
            Property::always(MODEL_RAISED_NO_ASSERTION.name, |_, s: &PoolState| {
                s.assertion.is_none()
            }),
            Property::always(FREE_ALL_RETURNS_PAGES.name, |m: &Self, s: &PoolState| {
                !s.live.is_empty()
                    || holds(invariants::free_all_returns_pages(
                        &s.arena,
                        m.releases_single_element(),
                    ))
            }),
            Property::sometimes("reach_subpage_released", |_, s: &PoolState| {
                s.seen & seen::SUBPAGE_RELEASED != 0
            }),
            Property::sometimes("reach_list_move", |_, s: &PoolState| {
                s.seen & seen::LIST_MOVE != 0
            }),
            Property::sometimes("reach_chunk_destroyed", |_, s: &PoolState| {
                s.seen & seen::CHUNK_DESTROYED != 0
            }),
            Property::sometimes("reach_out_of_memory", |_, s: &PoolState| {
                s.seen & seen::OUT_OF_MEMORY != 0
            }),
            Property::sometimes("reach_all_freed", |_, s: &PoolState| {
                s.seen & seen::ALL_FREED != 0
            }),
        ]
    }
}
