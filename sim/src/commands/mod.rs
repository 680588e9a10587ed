//! The `replay` and `minimize` commands: clap argument structs and `run` functions
//! writing to any `Write` and returning an [`Exit`](crate::exit::Exit). The CLI's
//! `Cli` enum hooks them in.

pub mod minimize;
pub mod replay;
