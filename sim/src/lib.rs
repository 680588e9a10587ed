//! `leakproof-sim`: executor, shadow model, traces, replay/minimize, scenarios and the
//! commands of the `leakproof` binary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use leakproof_model as model;

pub mod cli;
pub mod commands;
pub mod concurrent;
pub mod coverage;
pub mod diff;
pub mod exec;
pub mod exit;
#[cfg(feature = "shuttle")]
pub mod exploration;
pub mod fuzz_input;
pub mod minimize;
pub mod mutants;
pub mod replay;
pub mod scenarios;
pub mod shadow;
pub mod shard;
pub mod trace;
pub mod workload;

/// The shuttle crate the model was built with, for the root shuttle test suites.
#[cfg(feature = "shuttle")]
pub use shuttle;
