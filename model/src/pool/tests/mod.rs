//! Unit tests of the pool core, one file per module.

mod arena;
mod buddy;
mod buddy_levels;
mod chunk;
mod chunk_list;
mod geometry;
mod head_steps;
mod invariants;
mod size_classes;
mod size_classes_legacy;
mod subpage;
mod support;
mod versions;
