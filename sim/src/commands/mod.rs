//! The `replay`, `minimize` and `mutants` commands: clap argument structs and `run` functions
//! writing to any `Write` and returning an [`Exit`](crate::exit::Exit). The CLI's
//! `Cli` enum hooks them in.

pub mod minimize;
pub mod mutants;
pub mod replay;
