//! What Netty's tests read off a buffer besides its indexes: `unwrap()` and a pooled
//! buffer's package-private fields (`PooledByteBuf.handle`, `chunk`, `maxLength`).

use super::{Body, ByteBuf, Region};
use crate::alloc::pooled::PoolArena;
use crate::error::JavaResult;
use crate::pool::ChunkId;
use crate::sync::Arc;

/// A pooled root's memory fields (`PooledByteBuf`).
#[derive(Clone, Debug)]
pub struct PooledFields {
    /// `handle` (0 for a huge buffer's unpooled chunk).
    pub handle: u64,
    /// `chunk`, by id within its arena.
    pub chunk: ChunkId,
    /// `offset` of index 0 in the chunk's memory.
    pub offset: usize,
    /// `length` (the capacity).
    pub length: usize,
    /// `maxLength`: the size-class size (the request for huge buffers).
    pub max_length: usize,
    /// `chunk.arena`.
    pub arena: Arc<PoolArena>,
}

impl ByteBuf {
    /// `unwrap()`: the wrapped buffer of an unreleasable one, the buffer a read-only view
    /// wraps, the root a derived buffer views, `None` (`null`) for a root. A
    /// pooled derivative recycled with its fields cleared throws
    /// `IllegalReferenceCountException` (`AbstractPooledDerivedByteBuf.unwrap`).
    pub fn unwrap(&self) -> JavaResult<Option<ByteBuf>> {
        if self.is_unreleasable() {
            return Ok(Some(self.unwrap_unreleasable()));
        }
        if !self.class().is_derived() {
            return Ok(None);
        }
        self.wrapped_buf().map(Some)
    }

    /// The `PooledByteBuf` fields of a pooled root while it holds memory; `None` for
    /// other buffers and once deallocated (Netty then sets `handle = -1`, `chunk = null`).
    pub fn pooled_fields(&self) -> Option<PooledFields> {
        let state = self.object().state();
        let Body::Root {
            region: Region::Pooled(p),
            capacity,
        } = &state.body
        else {
            return None;
        };
        let a = &p.region.allocation;
        Some(PooledFields {
            handle: a.handle,
            chunk: a.chunk,
            offset: a.offset,
            length: *capacity,
            max_length: a.max_length,
            arena: p.region.arena.clone(),
        })
    }
}

impl ByteBuf {
    /// True for a root object a failed pooled allocation claimed and reset without
    /// memory (`newByteBuf` ran, `allocate` threw: `handle` -1, `chunk` null).
    pub fn is_unallocated(&self) -> bool {
        self.object().is_unallocated()
    }
}

impl super::BufObject {
    /// See [`ByteBuf::is_unallocated`].
    pub fn is_unallocated(&self) -> bool {
        matches!(
            self.state().body,
            Body::Root {
                region: Region::Unallocated,
                ..
            }
        )
    }
}
