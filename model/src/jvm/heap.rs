//! The Java heap budget: bytes of live `byte[]` arrays (heap chunks, unpooled heap
//! buffers) against `Runtime.maxMemory()`.

use super::bounded::BoundedCounter;
use crate::error::{JavaClass, JavaException};

/// Heap usage by buffer arrays.
#[derive(Debug)]
pub struct HeapBudget(BoundedCounter);

impl HeapBudget {
    /// A heap of `max` bytes.
    pub fn new(max: u64) -> Self {
        HeapBudget(BoundedCounter::new(max))
    }

    /// Bytes of arrays currently allocated.
    pub fn used(&self) -> i64 {
        self.0.used()
    }

    /// `Runtime.maxMemory()`.
    pub fn max(&self) -> i64 {
        self.0.limit()
    }

    /// Tries to allocate an array of `size` bytes without collecting garbage.
    pub fn try_allocate(&self, size: u64) -> bool {
        self.0.try_add(size)
    }

    /// An array of `size` bytes became garbage and was collected.
    pub fn free(&self, size: u64) {
        self.0.sub(size)
    }

    /// `java.lang.OutOfMemoryError: Java heap space`.
    pub fn out_of_memory() -> JavaException {
        JavaException::new(JavaClass::OutOfMemory, "Java heap space")
    }
}
