//! What distinguishes one arena from another: its kind (heap or direct) and the
//! behaviour switches the profile and the active mutant give it.

use super::chunk::ChunkFreeOptions;
use super::subpage::SubpageOptions;
use crate::mutant::Mutant;
use crate::profile::{AllocatorProfile, ChunkListThresholds};
use serde::{Deserialize, Serialize};

/// Heap (`byte[]`) or direct (`ByteBuffer`) arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ArenaKind {
    /// `PoolArena.HeapArena`.
    Heap,
    /// `PoolArena.DirectArena`.
    Direct,
}

/// Behaviour of one arena, from the profile and the active mutant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArenaOptions {
    /// Heap or direct.
    pub kind: ArenaKind,
    /// Distinct per arena of one allocator; the high 16 bits of its chunk ids.
    pub arena_index: u16,
    /// Byte (4.1.49+) or percent chunk-list thresholds.
    pub thresholds: ChunkListThresholds,
    /// q050.next is q100 (#13622, 4.1.115+).
    pub q050_next_is_q100: bool,
    /// Heap arenas keep one destroyed chunk for reuse (#14291, 4.1.114+).
    pub reuse_last_destroyed_heap_chunk: bool,
    /// Chunk/subpage free behaviour.
    pub chunk_free: ChunkFreeOptions,
    /// `Mutant::ChunkMovesOneList`.
    pub one_level_moves: bool,
    /// `Mutant::HugeDeallocationDecremented` (#5216).
    pub huge_deallocation_decrements: bool,
    /// `PoolChunk.allocate` re-checks the subpage pool (profile, 4.1.128).
    pub rechecks_subpage_pool: bool,
    /// `Mutant::SubpageListUnlocked` (#4388): subpage frees skip the head lock.
    pub subpage_free_unlocked: bool,
    /// Where subpage elements ignore `directMemoryCacheAlignment` (#11106, #11987
    /// mutants; inert without an alignment).
    pub alignment_fault: AlignmentFault,
}

/// A place where the element size is taken unaligned (only with an alignment set).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AlignmentFault {
    /// Every element size is the aligned class size.
    #[default]
    None,
    /// #11101 → #11106: element offsets step by the unaligned size while buffers span
    /// the aligned one, so neighbouring buffers overlap.
    ElementOffset,
    /// #11955 → #11987: `maxLength` is the unaligned size, below requests the aligned
    /// class admits (`AssertionError` req > elemSize).
    ElementLength,
}

impl ArenaOptions {
    /// The same options without the faults that only an alignment or a second thread
    /// shows: what one thread on unaligned shapes (the proofs') can tell apart.
    pub fn sequential_unaligned(self) -> Self {
        ArenaOptions {
            alignment_fault: AlignmentFault::None,
            subpage_free_unlocked: false,
            ..self
        }
    }
}

impl ArenaOptions {
    /// Options of arena `arena_index` of `kind` under `profile` with `mutant` switched on.
    pub fn new(
        kind: ArenaKind,
        arena_index: u16,
        profile: &AllocatorProfile,
        mutant: Mutant,
    ) -> Self {
        ArenaOptions {
            kind,
            arena_index,
            thresholds: profile.chunk_list_thresholds,
            q050_next_is_q100: profile.q050_next_is_q100,
            reuse_last_destroyed_heap_chunk: profile.heap_arena_reuses_last_destroyed_chunk,
            chunk_free: ChunkFreeOptions {
                subpage: SubpageOptions {
                    release_single_element: profile.release_single_element_subpages
                        && mutant != Mutant::SingleElementSubpageKept,
                    double_free_undetected: mutant == Mutant::SubpageDoubleFree,
                },
                skip_coalescing: mutant == Mutant::UncoalescedFreeRuns,
            },
            one_level_moves: mutant == Mutant::ChunkMovesOneList,
            huge_deallocation_decrements: mutant == Mutant::HugeDeallocationDecremented,
            rechecks_subpage_pool: profile.chunk_allocate_rechecks_subpage_pool,
            subpage_free_unlocked: mutant == Mutant::SubpageListUnlocked,
            alignment_fault: match mutant {
                Mutant::OverlappingAlignedElements => AlignmentFault::ElementOffset,
                Mutant::UnalignedElementLength => AlignmentFault::ElementLength,
                _ => AlignmentFault::None,
            },
        }
    }
}
