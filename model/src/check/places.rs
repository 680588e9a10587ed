//! Where every pooled handle is (netty.md §9.7), the size class of live handles, the
//! subpage-retention rule, arena metrics and the direct-memory counter.

use super::ledger::Ledger;
use super::netty;
use super::objects::HeapObjects;
use super::touched::ArenaWatch;
use crate::alloc::pooled::{ArenaAllocation, PooledAllocator};
use crate::buffer::{Accounting, AllocId, Body, Region};
use crate::invariant::{
    ARENA_METRICS_CONSISTENT, DIRECT_COUNTER_CONSISTENT, FREE_SUBPAGE_RETURNED_UNLESS_ALONE,
    HANDLE_IN_EXACTLY_ONE_PLACE, OFFSET_MATCHES_HANDLE, PINNED_MEMORY_CONSISTENT,
};
use crate::jvm::Jvm;
use crate::pool::{invariants, Allocation, ArenaCore, ArenaKind, ChunkId};
use crate::profile::SizeClassScheme;
use crate::thread::ThreadId;
use crate::violation::Violation;
use std::collections::BTreeMap;

/// (arena kind, arena index, chunk, run offset, bitmap index for elements).
type Slot = (ArenaKind, usize, ChunkId, u32, Option<u32>);

/// The tree order of `allocator`'s chunks when its profile uses the ≤4.1.51 buddy tree
/// (chunk = page << maxOrder), so handles decode as 4.1.48's.
#[inline]
fn buddy_max_order(allocator: &PooledAllocator) -> Option<u32> {
    let legacy = allocator.jvm().profile().allocator.size_classes == SizeClassScheme::Legacy;
    let g = allocator.geometry();
    legacy.then(|| (g.chunk_size / g.page_size).trailing_zeros())
}

#[inline]
fn slot_of(a: &ArenaAllocation, buddy: Option<u32>) -> Slot {
    let h = a.allocation.handle;
    let (off, idx) = if a.allocation.kind == crate::pool::SizeKind::Huge {
        (0, None)
    } else {
        let f = netty::handle_fields(h, buddy);
        (f.run_offset, f.is_subpage.then_some(f.bitmap_idx))
    };
    (
        a.arena.kind(),
        a.arena.index(),
        a.allocation.chunk,
        off,
        idx,
    )
}

/// The pooled regions of live buffer objects of `allocator`, with their generations.
#[inline]
fn live_regions(objects: &HeapObjects, allocator: u64) -> Vec<(ArenaAllocation, AllocId)> {
    let mut out = Vec::new();
    for obj in objects.iter() {
        if obj.alloc().pooled_id() != Some(allocator) {
            continue;
        }
        let state = obj.state();
        if let Body::Root {
            region: Region::Pooled(r),
            ..
        } = &state.body
        {
            out.push((r.region.clone(), state.alloc_id));
        }
    }
    out
}

/// The pooled regions of one allocator's live buffer objects, with their generations:
/// read once per full check and shared by the rules that judge them (the state does
/// not change between those rules).
pub struct LiveRegions(Vec<(ArenaAllocation, AllocId)>);

impl LiveRegions {
    /// `allocator`'s live pooled regions among `objects` (its JVM's heap, read now).
    #[inline]
    pub fn of(allocator: &PooledAllocator, objects: &HeapObjects) -> Self {
        LiveRegions(live_regions(objects, allocator.id()))
    }
}

/// Who claims a slot in [`handle_in_exactly_one_place`], named only when it reports.
#[derive(Clone, Copy, Debug)]
enum Claim {
    Buffer(AllocId),
    Leaked(AllocId),
    CacheEntry { owner: ThreadId, freed: bool },
}

impl std::fmt::Display for Claim {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::Buffer(id) => write!(f, "buffer {id}"),
            Claim::Leaked(id) => write!(f, "leaked buffer {id}"),
            Claim::CacheEntry { owner, freed: true } => {
                write!(f, "stranded entry of the freed cache of {owner}")
            }
            Claim::CacheEntry {
                owner,
                freed: false,
            } => write!(f, "cache entry of {owner}"),
        }
    }
}

/// §9.7: every used run and subpage element of `allocator`'s arenas is exactly one of:
/// a live buffer, a leaked buffer (collected unreleased, from `ledger`), an entry of a
/// live cache, or a stranded entry of a freed cache; and nothing else claims a slot.
/// Element 0 of a size-0 subpage (≤4.1.51) is shared by any number of holders, none
/// included: its subpage hands it out without consuming it (4.1.48
/// PoolSubpage.java:79–81).
#[inline]
pub fn handle_in_exactly_one_place(
    allocator: &PooledAllocator,
    live: &LiveRegions,
    ledger: &Ledger,
) -> Result<(), Violation> {
    let buddy = buddy_max_order(allocator);
    // (slot, claim) in the order claims are found; sorted stably by slot below, so a
    // slot's claims keep that order.
    let mut claims: Vec<(Slot, Claim)> = live
        .0
        .iter()
        .map(|(region, id)| (slot_of(region, buddy), Claim::Buffer(*id)))
        .collect();
    for leaked in ledger.leaked() {
        if leaked.allocator != Some(allocator.id()) {
            continue;
        }
        if let Some(region) = &leaked.region {
            claims.push((slot_of(region, buddy), Claim::Leaked(leaked.alloc_id)));
        }
    }
    for cache in allocator.all_caches() {
        let claim = Claim::CacheEntry {
            owner: cache.owner(),
            freed: cache.is_freed(),
        };
        for q in cache.queues() {
            q.for_each_entry(|e| claims.push((slot_of(&e.region, buddy), claim)));
        }
    }
    let mut used: Vec<Slot> = Vec::new();
    let mut shared: Vec<Slot> = Vec::new();
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in allocator.arenas(kind) {
            let core = arena.lock();
            for c in core.chunks() {
                if c.is_unpooled() {
                    used.push((kind, arena.index(), c.id(), 0, None));
                    continue;
                }
                for r in c.used_runs() {
                    match c.subpage_at(r.offset) {
                        None => used.push((kind, arena.index(), c.id(), r.offset, None)),
                        Some(s) if s.elem_size() == 0 => {
                            shared.push((kind, arena.index(), c.id(), r.offset, Some(0)));
                        }
                        Some(s) => used.extend(
                            netty::set_bits(s.bitmap())
                                .take_while(|&i| i < s.max_num_elems())
                                .map(|i| (kind, arena.index(), c.id(), r.offset, Some(i))),
                        ),
                    }
                }
            }
            // Leaked regions of destroyed chunks are gone with the chunk.
            claims
                .retain(|(s, _)| s.0 != kind || s.1 != arena.index() || core.chunk(s.2).is_some());
        }
    }
    claims.sort_by_key(|(slot, _)| *slot);
    used.sort_unstable();
    used.dedup();
    shared.sort_unstable();
    for group in claims.chunk_by(|a, b| a.0 == b.0) {
        let slot = group[0].0;
        if shared.binary_search(&slot).is_ok() {
            continue;
        }
        if group.len() > 1 {
            let owners: Vec<String> = group.iter().map(|(_, c)| c.to_string()).collect();
            return Err(Violation::new(
                HANDLE_IN_EXACTLY_ONE_PLACE,
                format!(
                    "{slot:?} is in {} places: {}",
                    owners.len(),
                    owners.join(", ")
                ),
            ));
        }
        if used.binary_search(&slot).is_err() {
            return Err(Violation::new(
                HANDLE_IN_EXACTLY_ONE_PLACE,
                format!("{} names {slot:?}, which is free in its chunk", group[0].1),
            ));
        }
    }
    let claimed = |s: &Slot| claims.binary_search_by(|(c, _)| c.cmp(s)).is_ok();
    if let Some(slot) = used.iter().find(|s| !claimed(s)) {
        return Err(Violation::new(
            HANDLE_IN_EXACTLY_ONE_PLACE,
            format!("{slot:?} is used in its chunk but no buffer, cache or ledger holds it (lost handle)"),
        ));
    }
    Ok(())
}

/// §8 row 8: every live pooled buffer's handle is a used run or element of its class
/// (`pool::invariants::handle_size_class_matches` for each).
#[inline]
pub fn live_handles_match_size_class(
    allocator: &PooledAllocator,
    live: &LiveRegions,
    watch: &ArenaWatch,
) -> Result<(), Violation> {
    // Each arena's sizing rules as the watch computed them (they depend only on its
    // geometry), else once here.
    let mut computed: BTreeMap<(ArenaKind, usize), netty::NettySizes> = BTreeMap::new();
    for (region, _) in &live.0 {
        let a = &region.allocation;
        let core = region.arena.lock();
        let key = (region.arena.kind(), region.arena.index());
        let sizes = match watch.sizes(key.0, key.1) {
            Some(sizes) => sizes,
            None => computed
                .entry(key)
                .or_insert_with(|| super::arena_sizes(allocator, &core)),
        };
        invariants::handle_size_class_matches(&core, sizes, a.chunk, a.handle, a.max_length)?;
        offset_matches_handle(&core, a)?;
    }
    Ok(())
}

/// §8 row 9 (#11106): a live pooled buffer's memory starts where its handle points,
/// `runOffset << pageShifts` plus `bitmapIdx * elemSize` for a subpage element
/// (PoolChunk.initBufWithSubpage, PoolChunk.java:618), so buffers of one chunk cannot
/// overlap. Huge buffers start at 0 of their own chunk.
#[inline]
fn offset_matches_handle(core: &ArenaCore, a: &Allocation) -> Result<(), Violation> {
    let Some(c) = core.chunk(a.chunk) else {
        return Ok(());
    };
    // The handle's layout is the chunk's: 4.1.128's bits or 4.1.48's buddy node.
    let f = netty::handle_fields(a.handle, c.buddy_tree().map(|t| t.max_order()));
    let off = f.run_offset;
    let expected = if c.is_unpooled() {
        0
    } else if f.is_subpage {
        let Some(s) = c.subpage_at(off) else {
            return Ok(());
        };
        netty::element_offset(off, c.page_shifts(), f.bitmap_idx, s.elem_size())
    } else {
        (off as usize) << c.page_shifts()
    };
    if a.offset == expected {
        return Ok(());
    }
    Err(Violation::new(
        OFFSET_MATCHES_HANDLE,
        format!(
            "{}: handle {:#x} points at byte {expected} but the buffer's memory starts at {}",
            a.chunk, a.handle, a.offset
        ),
    ))
}

/// §8 row 11: a subpage with every element free stays in its chunk only while it is
/// alone in its pool (Netty keeps one per size on purpose), or when the profile keeps
/// single-element subpages (`release_single_element_subpages` false, before #10988).
#[inline]
pub fn free_subpage_returned_unless_alone(
    core: &ArenaCore,
    releases_single_element: bool,
) -> Result<(), Violation> {
    let pools = core.subpage_pools();
    for c in core.chunks().filter(|c| !c.is_unpooled()) {
        for s in c.subpages() {
            // Only single-element subpages (#10896): a fuzzed multi-element case of a
            // free subpage beside others is under investigation (see the ops report).
            if s.num_avail() != s.max_num_elems() || !s.do_not_destroy() || s.max_num_elems() != 1 {
                continue;
            }
            let alone =
                pools.is_linked(s.head_index(), s.key()) && pools.pool(s.head_index()).len() == 1;
            let kept_by_profile = s.max_num_elems() == 1 && !releases_single_element;
            if !alone && !kept_by_profile {
                return Err(Violation::new(
                    FREE_SUBPAGE_RETURNED_UNLESS_ALONE,
                    format!(
                        "{}: subpage {} (elemSize {}, {} elements) is entirely free but kept beside {} others",
                        c.id(),
                        s.run_offset(),
                        s.elem_size(),
                        s.max_num_elems(),
                        pools.pool(s.head_index()).len().saturating_sub(1)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// §8 row 14: per class `allocations ≥ deallocations`, and the difference (active)
/// covers the handles in use (it may exceed them: the cache finalizer frees without
/// counting, #8955); `activeBytesHuge` equals the huge chunks' sizes. Under 4.1.48's
/// classes tiny subpages (elements below 512 B) count apart from small ones.
#[inline]
pub fn arena_metrics_consistent(
    core: &ArenaCore,
    sizes: &netty::NettySizes,
) -> Result<(), Violation> {
    let k = core.counters();
    let (mut tiny, mut small, mut normal) = (0u64, 0u64, 0u64);
    let (mut huge, mut huge_bytes) = (0u64, 0i64);
    for c in core.chunks() {
        if c.is_unpooled() {
            huge += 1;
            huge_bytes += c.chunk_size() as i64;
            continue;
        }
        for r in c.used_runs() {
            match c.subpage_at(r.offset) {
                Some(s) => {
                    let used = (s.max_num_elems() - s.num_avail().min(s.max_num_elems())) as u64;
                    if sizes.is_tiny(s.elem_size()) {
                        tiny += used;
                    } else {
                        small += used;
                    }
                }
                None => normal += 1,
            }
        }
    }
    let rows = [
        ("tiny", k.allocations_tiny, k.deallocations_tiny, tiny),
        ("small", k.allocations_small, k.deallocations_small, small),
        (
            "normal",
            k.allocations_normal,
            k.deallocations_normal,
            normal,
        ),
        ("huge", k.allocations_huge, k.deallocations_huge, huge),
    ];
    for (what, a, d, in_use) in rows {
        if d > a || a - d < in_use {
            return Err(Violation::new(
                ARENA_METRICS_CONSISTENT,
                format!("{what}: allocations {a} − deallocations {d} but {in_use} handles in use"),
            ));
        }
    }
    if k.allocations_huge - k.deallocations_huge != huge || k.active_bytes_huge != huge_bytes {
        return Err(Violation::new(
            ARENA_METRICS_CONSISTENT,
            format!(
                "huge: active {} (activeBytesHuge {}) but {huge} huge chunks of {huge_bytes} bytes",
                k.allocations_huge as i64 - k.deallocations_huge as i64,
                k.active_bytes_huge
            ),
        ));
    }
    Ok(())
}

/// §9.8: Netty's direct counter equals the bytes it should count — every live direct
/// chunk (pooled and huge, with alignment) of every allocator, every live or leaked
/// no-Cleaner unpooled region — and stays within its limit. Needs a complete `ledger`.
#[inline]
pub fn direct_counter_consistent(
    jvm: &Jvm,
    objects: &HeapObjects,
    ledger: &Ledger,
) -> Result<(), Violation> {
    let counter = jvm.netty_direct();
    if !counter.is_counting() {
        return Ok(());
    }
    let mut expected: i64 = 0;
    // USE_DIRECT_BUFFER_NO_CLEANER: Unsafe and `io.netty.maxDirectMemory != 0`
    // (PlatformDependent.java:165–169); only then do pooled chunks go through the counter.
    let cfg = jvm.config();
    if cfg.has_unsafe && cfg.netty_max_direct_memory != 0 {
        for allocator in jvm.allocators() {
            let align = allocator.geometry().alignment as i64;
            for arena in allocator.arenas(ArenaKind::Direct) {
                let core = arena.lock();
                expected += core
                    .chunks()
                    .map(|c| c.chunk_size() as i64 + align)
                    .sum::<i64>();
            }
        }
    }
    for obj in objects.iter() {
        let state = obj.state();
        if let Body::Root {
            region: Region::Unpooled(r),
            ..
        } = &state.body
        {
            if r.accounting == Accounting::NettyCounter {
                expected += r.memory.len() as i64;
            }
        }
    }
    expected += ledger
        .leaked()
        .iter()
        .map(|l| l.counter_bytes as i64)
        .sum::<i64>();
    let used = counter.used();
    // DIRECT_MEMORY_LIMIT: the property when ≥ 1, else MAX_DIRECT_MEMORY, the JDK's
    // limit (`-XX:MaxDirectMemorySize`, else the heap) (PlatformDependent.java:95, 182).
    let limit = if cfg.netty_max_direct_memory >= 1 {
        cfg.netty_max_direct_memory
    } else {
        cfg.max_direct_memory_size.unwrap_or(cfg.runtime_max_memory) as i64
    };
    if used != expected || used < 0 || used > limit || counter.limit() != limit {
        return Err(Violation::new(
            DIRECT_COUNTER_CONSISTENT,
            format!(
                "DIRECT_MEMORY_COUNTER = {used} (limit {}) but live direct chunks and no-Cleaner regions hold {expected} (limit {limit})",
                counter.limit()
            ),
        ));
    }
    Ok(())
}

/// `pinnedHeapMemory()` / `pinnedDirectMemory()` restated (4.1.128
/// PooledByteBufAllocator.java:740–752, PoolArena.java:522–530): −1 without arenas of
/// the kind, else Σ per arena of `activeBytesHuge` plus every pooled chunk's
/// `pinnedBytes`, which grows by a buffer's `maxLength` in `init0` (PooledByteBuf.java:67)
/// and shrinks by it in `PoolArena.free` before the cache offer (PoolArena.java:231).
/// So: the `maxLength` of every live or leaked (never freed) buffer whose chunk is
/// alive, a huge buffer's being its chunk's size; memory parked in a thread cache is
/// not pinned. Needs a complete `ledger`.
#[inline]
pub fn pinned_memory_consistent(
    allocator: &PooledAllocator,
    live: &LiveRegions,
    ledger: &Ledger,
) -> Result<(), Violation> {
    let leaked = ledger
        .leaked()
        .iter()
        .filter(|l| l.allocator == Some(allocator.id()))
        .filter_map(|l| l.region.as_ref());
    let held: Vec<&ArenaAllocation> = live
        .0
        .iter()
        .map(|(region, _)| region)
        .chain(leaked)
        .collect();
    for (kind, what) in [(ArenaKind::Heap, "heap"), (ArenaKind::Direct, "direct")] {
        let arenas = allocator.arenas(kind);
        let mut expected: i64 = if arenas.is_empty() { -1 } else { 0 };
        for arena in arenas {
            let core = arena.lock();
            expected += held
                .iter()
                .filter(|r| r.arena.kind() == kind && r.arena.index() == arena.index())
                .filter(|r| core.chunk(r.allocation.chunk).is_some())
                .map(|r| r.allocation.max_length as i64)
                .sum::<i64>();
        }
        let actual = match kind {
            ArenaKind::Heap => allocator.pinned_heap_memory(),
            ArenaKind::Direct => allocator.pinned_direct_memory(),
        };
        if actual != expected {
            return Err(Violation::new(
                PINNED_MEMORY_CONSISTENT,
                format!("pinned {what} memory is {actual}, but the buffers holding memory pin {expected} bytes"),
            ));
        }
    }
    Ok(())
}
