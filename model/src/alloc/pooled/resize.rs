//! `PooledByteBuf.capacity(newCapacity)`: in place within `maxLength` when Netty
//! allows it, otherwise `PoolArena.reallocate` (allocate on the calling thread's cache,
//! copy, free the old memory to the *old* cache; to the new one under 4.1.48).

use super::{ArenaAllocation, PooledAllocator};
use crate::buffer::{Body, ByteBuf, CacheLink, PooledRegion, Region};
use crate::error::JavaResult;
use crate::mutant::Mutant;
use crate::pool::SizeKind;
use crate::sync::Arc;
use crate::thread::ThreadId;
use std::num::NonZeroU64;

/// Whether `capacity(new)` can change `length` in place for a buffer of `length`
/// within a `max_length` class (never for huge chunks).
pub fn fits_in_place(length: usize, max_length: usize, new: usize, huge: bool) -> bool {
    if huge {
        return false;
    }
    if new > length {
        new <= max_length
    } else {
        new > max_length >> 1 && (max_length > 512 || new > max_length - 16)
    }
}

/// Resizes a pooled root after `checkNewCapacity` passed.
pub(crate) fn resize_pooled(
    allocator: &Arc<PooledAllocator>,
    buf: &ByteBuf,
    t: ThreadId,
    new_capacity: usize,
) -> JavaResult<()> {
    let (length, old) = {
        let state = buf.object().state();
        match &state.body {
            Body::Root {
                region: Region::Pooled(r),
                capacity,
            } => (*capacity, r.region.clone()),
            _ => return Err(buf.released()),
        }
    };
    let huge = old.allocation.kind == SizeKind::Huge;
    if fits_in_place(length, old.allocation.max_length, new_capacity, huge) {
        set_length(buf, new_capacity, None);
        buf.trim_indices_to_capacity(new_capacity);
        return Ok(());
    }
    let cache = allocator.thread_cache(t)?;
    let new_region = allocator.allocate_region(&old.arena, cache, new_capacity)?;
    let kept = length.min(new_capacity);
    let data = buf.get_bytes0(0, kept)?;
    let link = allocator.cache_link(cache, &new_region);
    // A huge buffer of an aligned arena gets the normalized length (PoolArena.java:
    // 139–142, 226), though the indexes are trimmed to the request.
    let length_new = new_region.allocation.length;
    let huge_new = new_region.allocation.kind == SizeKind::Huge;
    let old_region = set_length(
        buf,
        length_new,
        Some((new_region, NonZeroU64::new(cache.id()), link)),
    );
    buf.trim_indices_to_capacity(new_capacity);
    buf.set_bytes0(0, &data)?;
    let Some(mut old) = old_region else {
        return Ok(());
    };
    if allocator
        .jvm()
        .profile()
        .allocator
        .reallocate_frees_to_new_cache
    {
        // 4.1.48 reads `buf.cache` after `allocate` re-initialized it: the calling
        // thread's cache, or none when the new region is huge (`initUnpooled`).
        old.cache = NonZeroU64::new(cache.id()).filter(|_| !huge_new);
    }
    let again = (allocator.jvm().mutant() == Mutant::SubpageDoubleFree).then(|| old.region.clone());
    allocator.free_region(old)?;
    if let Some(region) = again {
        // #13467/#13461: two racing `capacity()` calls both reallocate and both free the
        // old handle; the subpage's XOR free does not notice (#12564).
        region.free_to_arena(allocator.jvm(), false)?;
    }
    Ok(())
}

/// Sets the buffer's length and, when reallocating, swaps in the new region and
/// cache link; returns the old region.
fn set_length(
    buf: &ByteBuf,
    new_capacity: usize,
    replacement: Option<(ArenaAllocation, Option<NonZeroU64>, Option<CacheLink>)>,
) -> Option<PooledRegion> {
    let mut state = buf.object().state();
    let mut new_link = None;
    let old = {
        let Body::Root { region, capacity } = &mut state.body else {
            return None;
        };
        *capacity = new_capacity;
        match replacement {
            Some((region_new, cache, link)) => {
                new_link = Some(link);
                let new = Region::Pooled(PooledRegion {
                    region: region_new,
                    cache,
                });
                match std::mem::replace(region, new) {
                    Region::Pooled(r) => Some(r),
                    _ => None,
                }
            }
            None => {
                if let Region::Pooled(r) = region {
                    r.region.allocation.length = new_capacity;
                }
                None
            }
        }
    };
    if let Some(link) = new_link {
        state.cache_link = link;
    }
    old
}

#[cfg(test)]
mod tests {
    use super::fits_in_place;
    use crate::alloc::pooled::{PooledAllocator, PooledConfig};
    use crate::alloc::ByteBufAllocator;
    use crate::jvm::{Jvm, JvmConfig};
    use crate::thread::ThreadId;

    /// `PooledByteBuf.cache` is the allocating thread's cache, but none for a huge
    /// buffer (`allocateHuge` → `initUnpooled`), also after a reallocation to or from a
    /// huge size: a huge buffer does not keep a thread cache reachable.
    #[test]
    fn huge_buffers_link_to_no_thread_cache() {
        let jvm = Jvm::new(JvmConfig::default());
        let alloc = PooledAllocator::new(&jvm, PooledConfig::netty_default(jvm.config())).unwrap();
        let chunk = alloc.geometry().chunk_size;
        let main = ThreadId::MAIN;
        let small = alloc.new_buffer_on(main, true, 64, i64::MAX).unwrap();
        assert!(small.object().cache_link().is_some());
        small.set_capacity(main, chunk as i64 + 1).unwrap();
        assert_eq!(small.object().cache_link(), None, "reallocated to huge");
        let huge = alloc
            .new_buffer_on(main, true, chunk as i64 + 1, i64::MAX)
            .unwrap();
        assert_eq!(huge.object().cache_link(), None);
        huge.set_capacity(main, 64).unwrap();
        assert!(huge.object().cache_link().is_some(), "reallocated to small");
    }

    #[test]
    fn in_place_rules_match_pooled_byte_buf() {
        assert!(fits_in_place(100, 112, 112, false));
        assert!(!fits_in_place(100, 112, 113, false));
        assert!(
            fits_in_place(1000, 1024, 600, false),
            "more than half of a >512 class"
        );
        assert!(!fits_in_place(1000, 1024, 512, false));
        assert!(
            fits_in_place(500, 512, 497, false),
            "within 16 bytes of a small class"
        );
        assert!(!fits_in_place(500, 512, 496, false));
        assert!(
            !fits_in_place(100, 112, 100 + 1, true),
            "huge chunks always reallocate"
        );
    }
}
