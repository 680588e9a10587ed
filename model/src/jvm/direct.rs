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
        self.add(capacity as i64)
    }

    /// `incrementMemoryCounter(len)` with a length of either sign, as
    /// `reallocateDirectNoCleaner` calls it for a resize (PlatformDependent.java:714–715
    /// in 4.1.48, 826–827 in 4.1.128): a shrink adds a negative length and still fails
    /// when the counter is over the limit at that moment (another thread's failed
    /// increment, before its undo), naming the negative length.
    pub fn add(&self, capacity: i64) -> JavaResult<()> {
        let Some(used) = &self.used else {
            return Ok(());
        };
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

#[cfg(test)]
mod tests {
    use super::NettyDirectCounter;

    #[test]
    fn a_length_of_either_sign_moves_the_counter_and_only_an_overflow_fails() {
        let counter = NettyDirectCounter::new(Some(100));
        counter.add(50).unwrap();
        counter.add(-20).unwrap();
        assert_eq!(counter.used(), 30);
        let e = counter.add(80).unwrap_err();
        assert!(
            e.message
                .contains("failed to allocate 80 byte(s) of direct memory (used: 30, max: 100)"),
            "{e}"
        );
        assert_eq!(counter.used(), 30, "a failed increment is undone");
        counter.add(70).unwrap();
        assert_eq!(counter.used(), 100);
    }
}
