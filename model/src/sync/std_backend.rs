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

pub(super) use std::sync::{Mutex as RawMutex, MutexGuard as RawMutexGuard};

pub(super) const BACKEND: super::Backend = super::Backend::Std;
