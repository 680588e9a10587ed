//! Chunk memory for arenas, accounted in the `Jvm`: Netty's counter (no Cleaner),
//! the JDK's direct ledger (Cleaner) or the heap budget.

use crate::coverage::Event;
use crate::error::JavaResult;
use crate::jvm::Jvm;
use crate::memory::Memory;
use crate::pool::{ArenaKind, ChunkSource};
use crate::sync::Arc;

/// How an arena's chunks are paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkAccounting {
    /// `allocateDirectNoCleaner`: Netty's counter.
    NoCleaner,
    /// `ByteBuffer.allocateDirect`: the JDK's limit, freed by the Cleaner.
    Cleaner,
    /// `new byte[chunkSize]`: the heap.
    Heap,
}

/// The [`ChunkSource`] of one arena in one JVM.
#[derive(Debug)]
pub struct JvmChunkSource<'a> {
    jvm: &'a Arc<Jvm>,
    accounting: ChunkAccounting,
    alignment: usize,
}

impl<'a> JvmChunkSource<'a> {
    /// The source for an arena of `kind` (direct chunks carry `alignment` extra bytes).
    pub fn new(jvm: &'a Arc<Jvm>, kind: ArenaKind, alignment: usize) -> Self {
        let accounting = match kind {
            ArenaKind::Heap => ChunkAccounting::Heap,
            ArenaKind::Direct if jvm.config().uses_no_cleaner() => ChunkAccounting::NoCleaner,
            ArenaKind::Direct => ChunkAccounting::Cleaner,
        };
        let alignment = if kind == ArenaKind::Direct {
            alignment
        } else {
            0
        };
        JvmChunkSource {
            jvm,
            accounting,
            alignment,
        }
    }

    fn reserved(&self, size: usize) -> u64 {
        (size + self.alignment) as u64
    }
}

impl ChunkSource for JvmChunkSource<'_> {
    fn new_chunk(&mut self, size: usize, _unpooled: bool) -> JavaResult<Memory> {
        let bytes = self.reserved(size);
        let reserved = match self.accounting {
            ChunkAccounting::NoCleaner => self.jvm.netty_direct().increment(bytes),
            ChunkAccounting::Cleaner => self.jvm.reserve_jdk_direct(bytes),
            ChunkAccounting::Heap => self.jvm.reserve_heap(bytes),
        };
        if let Err(e) = reserved {
            self.jvm.events().record_error(&e);
            return Err(e);
        }
        Ok(Memory::new(self.jvm.config().memory_mode, size))
    }

    fn destroy_chunk(&mut self, size: usize, _unpooled: bool) {
        let bytes = self.reserved(size);
        match self.accounting {
            ChunkAccounting::NoCleaner => {
                self.jvm.netty_direct().decrement(bytes);
            }
            ChunkAccounting::Cleaner => self.jvm.jdk_direct().unreserve(bytes),
            ChunkAccounting::Heap => self.jvm.heap().free(bytes),
        }
    }

    fn record(&mut self, event: Event) {
        self.jvm.events().record(event);
    }
}
