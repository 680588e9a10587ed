//! `loom` primitives behind the facade: every use must run inside `loom::model`.

/// Shared ownership: std's `Arc` on every backend. Its own count is not under test, and
/// methods taking `self: &Arc<Self>` need the std type.
pub use std::sync::Arc;

/// Atomics and fences.
pub mod atomic {
    pub use loom::sync::atomic::{
        fence, AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
        Ordering,
    };
}

/// Channels (the harness hands buffers between logical threads through them).
pub mod mpsc {
    pub use loom::sync::mpsc::{channel, Receiver, Sender};
}

/// Thread spawn, join and yield.
pub mod thread {
    pub use loom::thread::{spawn, yield_now, JoinHandle};
}

pub(super) use loom::sync::{Mutex as RawMutex, MutexGuard as RawMutexGuard};

/// Locks `m`, ignoring poisoning.
pub(super) fn lock<T>(m: &RawMutex<T>) -> RawMutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The value of `m`, ignoring poisoning.
pub(super) fn into_inner<T>(m: RawMutex<T>) -> T {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) const BACKEND: super::Backend = super::Backend::Loom;
