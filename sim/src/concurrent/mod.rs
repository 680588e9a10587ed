//! Concurrent runs of one program: the allocator shared by several logical threads,
//! each on its own checker thread, judged by linearizability against the shadow model
//! and by the common invariant checker at quiescent points.
//!
//! - [`plan`]: a resolved program split into per-thread programs and rounds;
//! - [`ownership`]: the discipline that keeps every observation Netty's to explain;
//! - [`generate`]: seeded generators of disciplined programs, one per scenario;
//! - [`history`], [`linearize`]: what the threads observed, and the search for a
//!   sequential order of the shadow model that explains it;
//! - [`runner`]: one run, driven by the sync facade's threads (shuttle's under the
//!   `shuttle` feature; `crate::shuttle` explores schedules, replays and minimizes).

pub mod generate;
pub mod history;
pub mod linearize;
pub mod ownership;
pub mod plan;
pub mod runner;
mod worker;

pub use plan::{Plan, PlanError};
pub use runner::{run, validate};
