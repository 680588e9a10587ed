//! Shuttle explorations of concurrent programs (built with the `shuttle` feature).
//!
//! [`explore`] runs one program under `check_random`/`check_pct`-style schedulers with
//! fixed seeds until an execution fails; a failure writes a trace in the common format
//! with the scheduler, seed, iterations, the schedule string and the pinned shuttle
//! version. [`replay_trace`] reproduces such a trace (by its schedule string, or by
//! re-running its exploration), and [`minimize`] shrinks its per-thread programs while
//! the failure persists.

mod explore;
mod minimize;
mod scheduler;
mod trace;

pub use explore::{explore, replay_schedule, Explored, Failure};
pub use minimize::minimize;
pub use trace::{minimize_trace, replay_trace, Replayed};
