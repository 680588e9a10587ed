//! The Java heap budget: bytes of live `byte[]` arrays (heap chunks, unpooled heap
//! buffers) against `Runtime.maxMemory()`.

use crate::error::{JavaClass, JavaException};
use crate::sync::atomic::{AtomicI64, Ordering};

/// Heap usage by buffer arrays.
#[derive(Debug)]
pub struct HeapBudget {
    used: AtomicI64,
    max: i64,
}

impl HeapBudget {
    /// A heap of `max` bytes.
    pub fn new(max: u64) -> Self {
        HeapBudget {
            used: AtomicI64::new(0),
            max: max.min(i64::MAX as u64) as i64,
        }
    }

    /// Bytes of arrays currently allocated.
    pub fn used(&self) -> i64 {
        self.used.load(Ordering::SeqCst)
    }

    /// `Runtime.maxMemory()`.
    pub fn max(&self) -> i64 {
        self.max
    }

    /// Tries to allocate an array of `size` bytes without collecting garbage.
    pub fn try_allocate(&self, size: u64) -> bool {
        let size = size as i64;
        let mut current = self.used.load(Ordering::SeqCst);
        loop {
            if size > self.max - current {
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

    /// An array of `size` bytes became garbage and was collected.
    pub fn free(&self, size: u64) {
        self.used.fetch_sub(size as i64, Ordering::SeqCst);
    }

    /// `java.lang.OutOfMemoryError: Java heap space`.
    pub fn out_of_memory() -> JavaException {
        JavaException::new(JavaClass::OutOfMemory, "Java heap space")
    }
}
