//! `leakproof-sim`: executor, shadow model, traces, replay/minimize, scenarios and the
//! commands of the `leakproof` binary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use leakproof_model as model;

pub mod cli;
pub mod commands;
pub mod exec;
pub mod exit;
pub mod fuzz_input;
pub mod minimize;
pub mod replay;
pub mod scenarios;
pub mod shadow;
pub mod shard;
pub mod trace;
pub mod workload;
