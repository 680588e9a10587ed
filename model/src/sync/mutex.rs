//! A mutex with one call shape on every backend.
//!
//! Poisoning is ignored (the `std` backend is a spin lock, which has none): a
//! panic inside the model is a bug report in itself, and the checkers want to inspect
//! the state it left behind.

use super::backend::{self, RawMutex, RawMutexGuard};

/// Mutual exclusion over `T` (std, loom or shuttle underneath).
#[derive(Debug, Default)]
pub struct Mutex<T>(RawMutex<T>);

/// The guard returned by [`Mutex::lock`].
pub type MutexGuard<'a, T> = RawMutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// Wraps `value` in a new mutex.
    pub fn new(value: T) -> Self {
        Mutex(RawMutex::new(value))
    }

    /// Locks the mutex, blocking (or yielding to the checker's scheduler) until it is free.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        backend::lock(&self.0)
    }

    /// Consumes the mutex and returns the value.
    pub fn into_inner(self) -> T {
        backend::into_inner(self.0)
    }
}
