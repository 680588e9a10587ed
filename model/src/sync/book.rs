//! Bookkeeping primitives: locks and counters for the model's *own* state, which are
//! never scheduling points.
//!
//! Netty synchronizes only a few things (refCnt, the cache queues and `freed`, the
//! arena lock, the recycler's hand-over, the direct-memory counter); those go through
//! the facade's [`Mutex`](super::Mutex) and [`atomic`](super::atomic) types, where loom
//! and shuttle branch. What the model keeps for itself — registries of objects and
//! threads, ledgers, the leak detector's tables, per-thread state of a logical thread,
//! ids and handle counts — uses these types instead: plain `std` primitives on every
//! backend, invisible to loom and shuttle, so they neither widen the search nor slow the
//! sequential path.
//!
//! The rule that makes this sound: **never run a facade operation while holding a
//! [`BookLock`]**. Loom and shuttle run one model thread at a time and switch only at
//! facade operations, so a bookkeeping lock is then never contended, and each critical
//! section is atomic to them, as in Netty (where this state is thread-confined or not
//! there at all). Under loom and shuttle a contended bookkeeping lock can only mean the
//! rule was broken, and [`BookLock::lock`] panics saying so instead of deadlocking.

/// Counters and flags of the model's bookkeeping (std atomics on every backend).
pub mod counter {
    pub use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
}

/// A lock over model bookkeeping: not a scheduling point under loom or shuttle. A spin
/// lock that yields while it waits ([`SpinLock`]): its critical sections are a few field
/// reads and writes, and it is taken several times per operation.
#[derive(Debug, Default)]
pub struct BookLock<T>(SpinLock<T>);

/// The guard returned by [`BookLock::lock`].
pub type BookGuard<'a, T> = SpinGuard<'a, T>;

/// A spin lock that yields the thread while the lock is held elsewhere: one
/// compare-and-swap to lock and a plain release store to unlock, where a parking mutex
/// (parking_lot's, std's) needs a second read-modify-write to unlock, about 6 ns on the
/// cache hit (docs/throughput/twelfth-pass.md). No poisoning. Used where critical
/// sections are short and contention is rare: the bookkeeping locks, the byte store and,
/// on the std backend, the facade's [`Mutex`](super::Mutex).
pub type SpinLock<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;

/// The guard of a [`SpinLock`].
pub type SpinGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

impl<T> BookLock<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        BookLock(SpinLock::new(value))
    }

    /// Locks. Under `std` this blocks like any mutex (real threads); under loom and
    /// shuttle it panics when the lock is held, which means a facade operation ran
    /// inside a bookkeeping critical section (see the module documentation).
    pub fn lock(&self) -> BookGuard<'_, T> {
        if CHECKED {
            return self.0.try_lock().unwrap_or_else(|| {
                panic!(
                    "a bookkeeping lock (sync::BookLock) is contended: its holder ran a facade \
                     operation (a loom/shuttle scheduling point) inside the critical section"
                )
            });
        }
        self.0.lock()
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

/// True on the checker backends, where contention means a broken rule.
const CHECKED: bool = cfg!(any(feature = "loom", feature = "shuttle"));
