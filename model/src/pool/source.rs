//! Where chunk memory comes from and goes back to: the memory accounting seam.

use crate::coverage::Event;
use crate::error::{DirectShortfall, JavaException, JavaResult};
use crate::memory::{Memory, MemoryMode};

/// Supplies and reclaims chunk memory for an arena. The direct-memory counter, the
/// heap budget and the JDK limits live behind it.
///
/// `size` is the usable region the arena needs: `chunkSize` for pooled chunks, the
/// (aligned) capacity for huge ones. A direct arena with `directMemoryCacheAlignment`
/// set makes Netty allocate `size + alignment`; the source accounts for that extra.
pub trait ChunkSource {
    /// Allocates a region of exactly `size` bytes, or fails with the error Netty would
    /// throw (e.g. `OutOfDirectMemoryError`); the arena propagates it untouched.
    fn new_chunk(&mut self, size: usize, unpooled: bool) -> JavaResult<Memory>;
    /// Releases a region the arena no longer uses (`destroyChunk`).
    fn destroy_chunk(&mut self, size: usize, unpooled: bool);
    /// Counts an arena event (`docs/coverage.md`); sources outside a JVM ignore it.
    fn record(&mut self, _event: Event) {}
}

/// A minimal [`ChunkSource`] with an optional byte limit and Netty's
/// `OutOfDirectMemoryError` text, for tests and small simulations.
#[derive(Clone, Debug, Default)]
pub struct SimpleChunkSource {
    /// Whether regions hold real bytes.
    pub mode: MemoryMode,
    /// Byte limit (`None` = unlimited).
    pub limit: Option<usize>,
    /// Bytes currently handed out.
    pub used: usize,
    /// Every call, in order: `(created, size, unpooled)`; `created` is false for destroys.
    pub log: Vec<(bool, usize, bool)>,
}

impl SimpleChunkSource {
    /// An unlimited source of `mode` memory.
    pub fn new(mode: MemoryMode) -> Self {
        SimpleChunkSource {
            mode,
            ..Self::default()
        }
    }

    /// A source failing like Netty's direct-memory counter beyond `limit` bytes.
    pub fn with_limit(mode: MemoryMode, limit: usize) -> Self {
        SimpleChunkSource {
            mode,
            limit: Some(limit),
            ..Self::default()
        }
    }

    /// Number of regions created so far.
    pub fn created(&self) -> usize {
        self.log.iter().filter(|e| e.0).count()
    }

    /// Number of regions destroyed so far.
    pub fn destroyed(&self) -> usize {
        self.log.iter().filter(|e| !e.0).count()
    }
}

impl ChunkSource for SimpleChunkSource {
    fn new_chunk(&mut self, size: usize, unpooled: bool) -> JavaResult<Memory> {
        if let Some(max) = self.limit {
            if self.used + size > max {
                return Err(JavaException::out_of_direct_memory(DirectShortfall {
                    requested: size as i64,
                    used: self.used as i64,
                    max: max as i64,
                }));
            }
        }
        self.used += size;
        self.log.push((true, size, unpooled));
        Ok(Memory::new(self.mode, size))
    }

    fn destroy_chunk(&mut self, size: usize, unpooled: bool) {
        self.used = self.used.saturating_sub(size);
        self.log.push((false, size, unpooled));
    }
}
