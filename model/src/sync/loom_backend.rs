//! `loom` primitives behind the facade: every use must run inside `loom::model`.

pub use loom::sync::Arc;

/// Atomics and fences.
pub mod atomic {
    pub use loom::sync::atomic::{
        fence, AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
        Ordering,
    };
}

/// Thread spawn, join and yield.
pub mod thread {
    pub use loom::thread::{spawn, yield_now, JoinHandle};
}

pub(super) use loom::sync::{Mutex as RawMutex, MutexGuard as RawMutexGuard};

pub(super) const BACKEND: super::Backend = super::Backend::Loom;
