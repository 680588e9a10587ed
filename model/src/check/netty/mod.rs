//! Netty's rules restated for the checkers, from Netty's Java source (each item cites
//! the file and line of the tag it restates; 4.1.128.Final unless it says 4.1.48).
//!
//! The shadow model and the invariants judge the model with these, never with the
//! model's own functions: an oracle that calls the rule it checks cannot see a fault
//! in it. `tests/oracle_independence/` fails when an oracle file calls a model rule.
//! Nothing in the model calls into this module.

mod chunk_lists;
mod layout;
mod refcount;
mod sizes;

pub use chunk_lists::{chunk_usage, list_bounds, ListBounds};
pub use layout::{
    bit_is_set, count_set_below, element_offset, handle_bitmap_idx, handle_fields,
    handle_is_subpage, handle_run_offset, handle_run_pages, set_bits, subpage_run_size,
    HandleFields,
};
pub use refcount::real_ref_cnt;
pub use sizes::{NettySizes, Norm};
