//! Direct memory: Netty's `DIRECT_MEMORY_COUNTER` and the JDK's `Bits` reservation.

use crate::error::{DirectShortfall, JavaClass, JavaException, JavaResult};
use crate::jvm::bounded::BoundedCounter;
use crate::jvm::config::JdkVersion;
use crate::sync::atomic::{AtomicI64, Ordering};

/// Netty's direct-memory counter (`PlatformDependent.incrementMemoryCounter`).
#[derive(Debug)]
pub struct NettyDirectCounter {
    used: Option<AtomicI64>,
    limit: i64,
}

impl NettyDirectCounter {
    /// A counter with `limit`, or no counter at all (`None`: Cleaner-backed buffers).
    pub fn new(limit: Option<u64>) -> Self {
        NettyDirectCounter {
            used: limit.map(|_| AtomicI64::new(0)),
            limit: limit.map_or(-1, |l| l.min(i64::MAX as u64) as i64),
        }
    }

    /// `usedDirectMemory()`: the counter, or −1 when there is none.
    pub fn used(&self) -> i64 {
        self.used.as_ref().map_or(-1, |u| u.load(Ordering::SeqCst))
    }

    /// `maxDirectMemory` as the error message prints it (−1 without a counter).
    pub fn limit(&self) -> i64 {
        self.limit
    }

    /// True when Netty counts direct memory itself.
    pub fn is_counting(&self) -> bool {
        self.used.is_some()
    }

    /// `incrementMemoryCounter`: `addAndGet`, and if over the limit undo and throw
    /// `OutOfDirectMemoryError` (since 4.1.32, #8596). The undo makes the inflated value
    /// transiently visible to other threads, as in Netty.
    pub fn increment(&self, capacity: u64) -> JavaResult<()> {
        let Some(used) = &self.used else {
            return Ok(());
        };
        let capacity = capacity as i64;
        let new_used = used.fetch_add(capacity, Ordering::SeqCst) + capacity;
        if new_used > self.limit {
            used.fetch_sub(capacity, Ordering::SeqCst);
            return Err(JavaException::out_of_direct_memory(DirectShortfall {
                requested: capacity,
                used: new_used - capacity,
                max: self.limit,
            }));
        }
        Ok(())
    }

    /// `decrementMemoryCounter`; returns the new value (Netty asserts it stays ≥ 0).
    pub fn decrement(&self, capacity: u64) -> i64 {
        match &self.used {
            Some(used) => used.fetch_sub(capacity as i64, Ordering::SeqCst) - capacity as i64,
            None => -1,
        }
    }
}

/// The JDK's own direct-memory accounting (`java.nio.Bits.reserveMemory`), used by
/// `ByteBuffer.allocateDirect` and released by the Cleaner.
#[derive(Debug)]
pub struct JdkDirectMemory {
    ledger: BoundedCounter,
    wording: JdkVersion,
}

impl JdkDirectMemory {
    /// A reservation ledger with the JDK's `MaxDirectMemorySize`.
    pub fn new(limit: u64, wording: JdkVersion) -> Self {
        JdkDirectMemory {
            ledger: BoundedCounter::new(limit),
            wording,
        }
    }

    /// Bytes currently reserved.
    pub fn reserved(&self) -> i64 {
        self.ledger.used()
    }

    /// The JDK limit.
    pub fn limit(&self) -> i64 {
        self.ledger.limit()
    }

    /// Tries to reserve `size` bytes without collecting garbage.
    pub fn try_reserve(&self, size: u64) -> bool {
        self.ledger.try_add(size)
    }

    /// Releases `size` reserved bytes (the Cleaner ran or the buffer was freed).
    pub fn unreserve(&self, size: u64) {
        self.ledger.sub(size)
    }

    /// The `OutOfMemoryError` the JDK throws when a reservation of `size` fails even
    /// after a GC.
    pub fn out_of_memory(&self, size: u64) -> JavaException {
        let message = match self.wording {
            JdkVersion::Jdk8 => "Direct buffer memory".to_string(),
            JdkVersion::Jdk17 => format!(
                "Cannot reserve {size} bytes of direct buffer memory (allocated: {}, limit: {})",
                self.reserved(),
                self.limit()
            ),
        };
        JavaException::new(JavaClass::OutOfMemory, message)
    }
}
