//! The pooled allocator's plain-data core (Netty 4.1.128 `PoolArena`, `PoolChunk`,
//! `PoolChunkList`, `PoolSubpage`, `SizeClasses`; netty.md §2.1, §3).
//!
//! Nothing here locks: the allocator's `PoolArena` runs Netty's critical sections on
//! each [`ArenaCore`] as steps under Netty's locks (the arena lock, the subpage pools'
//! head locks; `runsAvailLock` is folded into the arena lock). Thread caches, buffers,
//! the allocator facade and JVM memory accounting live elsewhere and meet this module
//! through [`ArenaCore`]'s allocate and free steps and the [`ChunkSource`] trait.

mod allocation;
pub mod arena_core;
pub mod arena_metrics;
mod arena_options;
pub mod bitmap;
pub mod buddy;
pub mod chunk;
pub mod chunk_list;
mod chunk_pages;
pub mod geometry;
pub mod handle;
pub mod invariants;
pub mod runs;
pub mod size_classes;
pub mod size_classes_legacy;
mod size_tables;
pub mod source;
pub mod subpage;
pub mod subpage_pools;

#[cfg(test)]
mod tests;

pub use arena_core::{AlignmentFault, Allocation, ArenaCore, ArenaKind, ArenaOptions, FreeOutcome};
pub use arena_metrics::{
    ArenaCounters, ArenaMetrics, ChunkListMetric, ChunkMetric, SubpageMetric, TinyMetrics,
};
pub use buddy::BuddyTree;
pub use chunk::{pooled_handle_layout, ChunkFree, ChunkFreeOptions, ChunkId, PoolChunk, Run};
pub use chunk_list::{ChunkListId, ChunkLists, PoolChunkList};
pub use geometry::PoolGeometry;
pub use handle::{Handle, HandleLayout};
pub use runs::RunPages;
pub use size_classes::{SharedSizeClasses, SizeClassRow, SizeClasses, SizeKind, SizeTableRow};
pub use size_tables::SizeTables;
pub use source::{ChunkSource, SimpleChunkSource};
pub use subpage::{PoolSubpage, SubpageFree, SubpageOptions};
pub use subpage_pools::{SubpageKey, SubpagePools};
