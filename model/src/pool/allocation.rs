//! What an arena hands out ([`Allocation`]) and reports back from a free
//! ([`FreeOutcome`]), and how a chunk's handle becomes an allocation.

use super::arena_options::{AlignmentFault, ArenaOptions};
use super::chunk::{ChunkId, PoolChunk};
use super::size_classes::{SizeClasses, SizeKind};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::memory::Memory;

/// A successful allocation: what `PooledByteBuf.init` receives.
#[derive(Clone, Debug)]
pub struct Allocation {
    /// The chunk (an unpooled chunk of its own for huge buffers).
    pub chunk: ChunkId,
    /// Netty's handle (0 for huge buffers).
    pub handle: u64,
    /// Byte offset of the buffer inside the chunk's memory.
    pub offset: usize,
    /// The requested capacity (`length`).
    pub length: usize,
    /// `maxLength`: the class size (for huge buffers Netty uses the request itself).
    pub max_length: usize,
    /// The chunk's memory region (shared).
    pub memory: Memory,
    /// Size class index (`n_sizes()` for huge).
    pub size_idx: usize,
    /// Small, normal or huge.
    pub kind: SizeKind,
}

/// What a free did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeOutcome {
    /// Class of the freed handle.
    pub kind: SizeKind,
    /// The normalized capacity the caller passed (Netty uses it only for pinned bytes).
    pub norm_capacity: usize,
    /// The chunk that was destroyed (huge chunks always; pooled ones falling out of
    /// q000). `ChunkSource::destroy_chunk` has been called unless a heap arena kept it.
    pub destroyed: Option<ChunkId>,
}

pub(super) fn model_error(message: String) -> JavaException {
    JavaException::new(JavaClass::Assertion, message)
}

/// The buffer region handle `h` of `chunk` (keyed `id`) gives a request of `req` bytes
/// (with the arena's alignment mutant, if any).
pub(super) fn allocation_in(
    sc: &SizeClasses,
    opts: &ArenaOptions,
    id: ChunkId,
    chunk: &PoolChunk,
    h: u64,
    req: usize,
    size_idx: usize,
) -> JavaResult<Allocation> {
    let (mut offset, mut max_length) = chunk
        .offset_of(h)
        .ok_or_else(|| model_error(format!("model: handle {h:#x} has no subpage")))?;
    let decoded = chunk.decode(h);
    if decoded.is_subpage && sc.alignment() > 0 {
        let unaligned = sc.unaligned_size(size_idx).unwrap_or(max_length);
        match opts.alignment_fault {
            AlignmentFault::None => {}
            AlignmentFault::ElementOffset => {
                offset -= decoded.bitmap_idx as usize * max_length.saturating_sub(unaligned);
            }
            AlignmentFault::ElementLength => max_length = unaligned,
        }
    }
    if req > max_length {
        // PoolChunk.initBufWithSubpage's assert (#11955).
        return Err(model_error(format!("{req}<={max_length}")));
    }
    Ok(Allocation {
        chunk: id,
        handle: h,
        offset,
        length: req,
        max_length,
        memory: chunk.memory().clone(),
        size_idx,
        kind: sc.kind_of_idx(size_idx),
    })
}
