//! Netty's reference-count protocol (netty.md §6.1–6.2) as step machines.
//!
//! Each algorithm ([`even_odd`] 4.1.32+, [`cas_loop`] ≤4.1.16, [`racy_get_and_add`]
//! 4.1.17–4.1.31, and the [`non_atomic_release`] mutant) is a pure machine of atomic
//! micro-steps ([`machine`]). [`RefCnt`] executes them on the sync facade's atomic,
//! [`system`] is the state of a scenario between micro-steps as plain hashable data,
//! [`interpreter`] replays `(thread, micro-step)` schedules on it with a log, and the
//! proofs crate explores it with stateright: code, traces and proofs share one
//! definition.

pub mod algorithm;
pub mod cas_loop;
mod cell;
pub mod even_odd;
pub mod interpreter;
pub mod machine;
pub mod non_atomic_release;
pub mod program;
pub mod protocol;
pub mod racy_get_and_add;
pub mod system;

#[cfg(test)]
mod tests;

pub use algorithm::{Algorithm, OpMachine, ReleaseMachine, RetainMachine};
pub use cell::RefCnt;
pub use interpreter::{
    run, Interpreter, Log, OpRecord, Scenario, ScheduleEntry, ScheduleError, StepRecord,
};
pub use machine::{run_solo, Action, MicroStep, OpOutcome, RefOp, StepMachine};
pub use program::{ObjectOp, ObjectRef, ThreadOp};
pub use system::{ObjectState, System, ThreadState};
