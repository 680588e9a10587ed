//! The one sync facade of the model.
//!
//! Every atomic, lock, shared pointer, thread spawn, channel and shared byte store that
//! the model (and the concurrent harness driving it) uses comes from here. By cargo
//! feature it maps to `std` (default), `loom` (exhaustive interleavings) or `shuttle`
//! (randomised schedules). Nothing else in the model names `std::sync` or `std::thread`.
//!
//! Two families: [`Mutex`] and [`atomic`] are Netty's own synchronization points, the
//! scheduling points loom and shuttle branch on; [`book`] holds the model's bookkeeping
//! locks and counters and [`Slots`] its lock-free append-only registries, which are
//! `std` on every backend and never scheduling points.

#[cfg(all(feature = "loom", feature = "shuttle"))]
compile_error!(
    "leakproof-model: the `loom` and `shuttle` features are mutually exclusive: each replaces \
     the same atomics, locks and threads. Build one checker at a time: \
     `cargo test --features loom --release` or `cargo test --features shuttle --release`."
);

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
#[path = "std_backend.rs"]
mod backend;

#[cfg(all(feature = "loom", not(feature = "shuttle")))]
#[path = "loom_backend.rs"]
mod backend;

#[cfg(all(feature = "shuttle", not(feature = "loom")))]
#[path = "shuttle_backend.rs"]
mod backend;

pub mod book;
mod byte_cells;
mod mutex;
mod slots;

pub use backend::atomic;
pub use backend::mpsc;
pub use backend::thread;
pub use backend::Arc;
pub use book::{BookGuard, BookLock};
pub use byte_cells::{ByteCells, Piece};
pub use mutex::{Mutex, MutexGuard};
pub use slots::Slots;

/// Which backend this build of the model runs on.
pub const BACKEND: Backend = backend::BACKEND;

/// The sync backend a build was compiled with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Plain `std` primitives: real threads, real atomics.
    Std,
    /// `loom`: every interleaving of the C11 memory model, inside `loom::model`.
    Loom,
    /// `shuttle`: randomised/PCT schedules, sequentially consistent atomics.
    Shuttle,
}
