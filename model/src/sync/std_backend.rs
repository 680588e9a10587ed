//! `std` primitives behind the facade.

pub use std::sync::Arc;

/// Atomics and fences.
pub mod atomic {
    pub use std::sync::atomic::{
        fence, AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
        Ordering,
    };
}

/// Channels (the harness hands buffers between logical threads through them).
pub mod mpsc {
    pub use std::sync::mpsc::{channel, Receiver, Sender};
}

/// Thread spawn, join and yield.
pub mod thread {
    pub use std::thread::{spawn, yield_now, JoinHandle};
}

/// The yielding spin lock of the bookkeeping ([`SpinLock`](super::book::SpinLock)).
pub(super) use super::book::{SpinGuard as RawMutexGuard, SpinLock as RawMutex};

/// Locks `m`.
pub(super) fn lock<T>(m: &RawMutex<T>) -> RawMutexGuard<'_, T> {
    m.lock()
}

/// The value of `m`.
pub(super) fn into_inner<T>(m: RawMutex<T>) -> T {
    m.into_inner()
}

pub(super) const BACKEND: super::Backend = super::Backend::Std;
