//! The nine buffer kinds of the incident experiment and the platform settings each one
//! implies (`reference/incident.md`, the oracle's kind flags).

use serde::{Deserialize, Serialize};
use std::fmt;

/// How the copy loop's buffer is made: allocator, memory and platform flags.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum BufferKind {
    /// `PooledByteBufAllocator.directBuffer` with Unsafe: arena chunks without a
    /// Cleaner, counted by Netty's direct-memory counter.
    PooledUnsafeDirect,
    /// `PooledByteBufAllocator.directBuffer` without Unsafe (`-Dio.netty.noUnsafe=true`):
    /// arena chunks from `ByteBuffer.allocateDirect`, limited by the JDK.
    PooledDirect,
    /// `PooledByteBufAllocator.heapBuffer` with Unsafe: `byte[]` arena chunks.
    PooledUnsafeHeap,
    /// `PooledByteBufAllocator.heapBuffer` without Unsafe.
    PooledHeap,
    /// `UnpooledByteBufAllocator.directBuffer` without Unsafe and with
    /// `-Dio.netty.maxDirectMemory=0`: one Cleaner-backed `ByteBuffer` per buffer.
    UnpooledDirect,
    /// `UnpooledByteBufAllocator.directBuffer` with Unsafe and
    /// `-Dio.netty.maxDirectMemory=0`: Cleaner-backed.
    UnpooledUnsafeDirect,
    /// `UnpooledByteBufAllocator.directBuffer` with Unsafe and the default
    /// `maxDirectMemory`: no Cleaner, counted by Netty.
    UnpooledUnsafeNocleanerDirect,
    /// `UnpooledByteBufAllocator.heapBuffer` without Unsafe.
    UnpooledHeap,
    /// `UnpooledByteBufAllocator.heapBuffer` with Unsafe.
    UnpooledUnsafeHeap,
}

impl BufferKind {
    /// All nine kinds, in the incident table's order.
    pub const ALL: [BufferKind; 9] = [
        BufferKind::PooledUnsafeDirect,
        BufferKind::PooledDirect,
        BufferKind::PooledUnsafeHeap,
        BufferKind::PooledHeap,
        BufferKind::UnpooledDirect,
        BufferKind::UnpooledUnsafeDirect,
        BufferKind::UnpooledUnsafeNocleanerDirect,
        BufferKind::UnpooledHeap,
        BufferKind::UnpooledUnsafeHeap,
    ];

    /// The command-line spelling, e.g. `pooled-unsafe-direct`.
    pub fn name(self) -> &'static str {
        match self {
            BufferKind::PooledUnsafeDirect => "pooled-unsafe-direct",
            BufferKind::PooledDirect => "pooled-direct",
            BufferKind::PooledUnsafeHeap => "pooled-unsafe-heap",
            BufferKind::PooledHeap => "pooled-heap",
            BufferKind::UnpooledDirect => "unpooled-direct",
            BufferKind::UnpooledUnsafeDirect => "unpooled-unsafe-direct",
            BufferKind::UnpooledUnsafeNocleanerDirect => "unpooled-unsafe-nocleaner-direct",
            BufferKind::UnpooledHeap => "unpooled-heap",
            BufferKind::UnpooledUnsafeHeap => "unpooled-unsafe-heap",
        }
    }

    /// True when the buffer comes from `PooledByteBufAllocator`.
    pub fn is_pooled(self) -> bool {
        matches!(
            self,
            BufferKind::PooledUnsafeDirect
                | BufferKind::PooledDirect
                | BufferKind::PooledUnsafeHeap
                | BufferKind::PooledHeap
        )
    }

    /// True for `directBuffer`, false for `heapBuffer`.
    pub fn is_direct(self) -> bool {
        matches!(
            self,
            BufferKind::PooledUnsafeDirect
                | BufferKind::PooledDirect
                | BufferKind::UnpooledDirect
                | BufferKind::UnpooledUnsafeDirect
                | BufferKind::UnpooledUnsafeNocleanerDirect
        )
    }

    /// Whether Netty finds `sun.misc.Unsafe` (`JvmConfig::has_unsafe`); the kinds
    /// without it are run with `-Dio.netty.noUnsafe=true`.
    pub fn has_unsafe(self) -> bool {
        !matches!(
            self,
            BufferKind::PooledDirect
                | BufferKind::PooledHeap
                | BufferKind::UnpooledDirect
                | BufferKind::UnpooledHeap
        )
    }

    /// `io.netty.maxDirectMemory`: 0 for the Cleaner-backed unpooled kinds (which is
    /// how the experiment obtained them), Netty's default −1 otherwise.
    pub fn netty_max_direct_memory(self) -> i64 {
        match self {
            BufferKind::UnpooledDirect | BufferKind::UnpooledUnsafeDirect => 0,
            _ => -1,
        }
    }
}

impl fmt::Display for BufferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn cli_names_match_serde_and_display() {
        for kind in BufferKind::ALL {
            let clap_name = kind.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(clap_name, kind.name());
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
    }

    #[test]
    fn platform_flags_follow_the_oracle_table() {
        let direct: Vec<_> = BufferKind::ALL.iter().map(|k| k.is_direct()).collect();
        assert_eq!(
            direct,
            [true, true, false, false, true, true, true, false, false]
        );
        assert!(!BufferKind::PooledDirect.has_unsafe());
        assert!(BufferKind::UnpooledUnsafeDirect.has_unsafe());
        assert_eq!(
            BufferKind::UnpooledUnsafeDirect.netty_max_direct_memory(),
            0
        );
        assert_eq!(
            BufferKind::UnpooledUnsafeNocleanerDirect.netty_max_direct_memory(),
            -1
        );
    }
}
