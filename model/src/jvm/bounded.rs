//! A byte counter with a hard limit, reserved with a CAS loop (the JDK's `Bits` ledger
//! and the heap budget both work this way).

use crate::sync::atomic::{AtomicI64, Ordering};

/// Bytes in use against a limit.
#[derive(Debug)]
pub struct BoundedCounter {
    used: AtomicI64,
    limit: i64,
}

impl BoundedCounter {
    /// A counter at 0 with `limit` (saturated to `i64::MAX`).
    pub fn new(limit: u64) -> Self {
        BoundedCounter {
            used: AtomicI64::new(0),
            limit: limit.min(i64::MAX as u64) as i64,
        }
    }

    /// Bytes in use.
    pub fn used(&self) -> i64 {
        self.used.load(Ordering::SeqCst)
    }

    /// The limit.
    pub fn limit(&self) -> i64 {
        self.limit
    }

    /// Adds `size` unless that would exceed the limit; true when added.
    pub fn try_add(&self, size: u64) -> bool {
        let size = size as i64;
        let mut current = self.used.load(Ordering::SeqCst);
        loop {
            if size > self.limit - current {
                return false;
            }
            match self.used.compare_exchange(
                current,
                current + size,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }

    /// Subtracts `size`.
    pub fn sub(&self, size: u64) {
        self.used.fetch_sub(size as i64, Ordering::SeqCst);
    }
}
