//! Built-in scenarios: library functions returning structured results, shared by the
//! CLI commands and the tests.

pub mod copy_loop;
pub mod copy_loop_config;
pub mod kind;

pub use copy_loop::{run_copy_loop, CopyLoopResult, LeakEvent, Outcome};
pub use copy_loop_config::{BadArgument, CopyLoopConfig};
pub use kind::BufferKind;
