//! The one op language (DESIGN.md "One op language, one invariant checker").
//!
//! A [`Program`] is a list of [`Step`]s, each running one [`Op`] on a logical thread.
//! The same types serve two forms ([`Addressing`]):
//!
//! - **modulo** (what `arbitrary` and quickcheck generate): handle and thread numbers
//!   are indexes taken modulo the handles the program still holds (reachable, live or
//!   released) and the running threads, so every number names something and double
//!   releases, use after release and stale references to recycled objects occur;
//! - **resolved** (what traces store): every number is a stable id the executor
//!   assigned (handles `#1, #2…` in creation order, threads their `ThreadId`), and each
//!   creating step records the id it created in [`Step::creates`]. Shrinking a
//!   resolved program never re-targets an op; a step naming a handle or thread that
//!   no longer exists (its creating step was removed) is skipped as a no-op.

mod bounded;
mod generate;
mod ops;
mod shrink;
mod step;

pub use bounded::{Amount, Capacity, Pattern, Size};
pub use ops::{Op, OpKind, ThreadKindOp};
pub use step::{Addressing, Program, Step};
