//! The end-of-program phase (issue §4): the program ends, its handles die, and each
//! claim of "leak-free ⇒ zero usage" is checked by name.
//!
//! 1. Every handle is dropped and the GC runs: the shadow predicts exactly which
//!    generations leak; usage (normalized bytes neither deallocated nor reclaimed)
//!    must equal what the model still holds, 0 for a leak-free program, exactly the
//!    leaked bytes otherwise.
//! 2. Every thread but `main` exits cleanly and `main`'s cache is freed: every used
//!    run is now a leaked buffer, a stranded entry (reported by name) or a subpage run
//!    Netty keeps on purpose (`handle_in_exactly_one_place`,
//!    `free_subpage_returned_unless_alone`).
//! 3. The program's allocator handles are dropped and the GC + finalizers destroy
//!    each allocator's arenas unless a buffer object still reaches it (a released or recycled
//!    `PooledByteBuf` keeps its `allocator` field): Netty's direct counter must then
//!    hold exactly what no destruction can return (leaked huge chunks and no-Cleaner
//!    buffers), 0 without such leaks.

use super::report::{Finding, KnownBug};
use super::runner::Exec;
use leakproof_model::buffer::AllocId;
use leakproof_model::check;
use leakproof_model::invariant::DIRECT_COUNTER_ZERO_AFTER_DESTROY;
use leakproof_model::invariant::{ADD_TO_FREED_CACHE, STRANDED_BY_ADD_FREE_RACE};
use leakproof_model::leak;
use leakproof_model::pool::ArenaKind;
use leakproof_model::{ThreadId, Violation};
use std::collections::BTreeSet;

/// Bytes the model still holds for buffers: used pooled slots (minus cache and
/// stranded entries) plus no-Cleaner and leaked no-Cleaner unpooled regions.
fn model_usage(exec: &Exec<'_>) -> u64 {
    let mut used: u64 = 0;
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in exec.allocators.iter().flat_map(|a| a.arenas(kind)) {
            let core = arena.lock();
            for c in core.chunks() {
                if c.is_unpooled() {
                    used += c.chunk_size() as u64;
                    continue;
                }
                for r in c.used_runs() {
                    match c.subpage_at(r.offset) {
                        Some(s) => {
                            let n = s.max_num_elems() - s.num_avail().min(s.max_num_elems());
                            used += n as u64 * s.elem_size() as u64;
                        }
                        None => used += (r.pages as u64) << c.page_shifts(),
                    }
                }
            }
        }
    }
    for cache in exec.allocators.iter().flat_map(|a| a.all_caches()) {
        for q in cache.queues() {
            q.for_each_entry(|e| {
                used = used.saturating_sub(e.region.allocation.max_length as u64);
            });
        }
    }
    used += exec
        .ledger
        .leaked()
        .iter()
        .map(|l| l.counter_bytes)
        .sum::<u64>();
    used
}

/// Invariants 11 and 12: after the collection above, one tracked sentinel allocation
/// drains the detector's queue (`reportLeak()`); then no released generation was
/// reported and every leaked tracked generation was (or matched an earlier report).
fn leak_detector_checks(exec: &mut Exec<'_>) -> Result<(), Violation> {
    exec.jvm.leak_detector().report_leak();
    let mut closed = BTreeSet::new();
    let mut leaked = BTreeSet::new();
    // Before #14250 a recycled derivative can keep an unreleased root reachable: its
    // tracker is not collected, so not (yet) a leak.
    let held = |gen: AllocId| held_by_recycler(exec, gen);
    for (gen, tracker) in &exec.live.trackers {
        match exec.shadow.gen(*gen).and_then(|g| g.count) {
            Some(0) => closed.insert(*tracker),
            Some(_) if held(*gen) => false,
            Some(_) => leaked.insert(*tracker),
            None => false,
        };
    }
    let detector = exec.jvm.leak_detector();
    leak::checks::released_never_reported(&detector, &closed)?;
    leak::checks::every_leak_reported(&detector, &leaked)?;
    exec.report.checks_run += 2;
    Ok(())
}

/// Once the program's handles are gone, what the last collection kept is reachable
/// from the Recycler's pools: before #14250 (4.1.113) a recycled derivative keeps its
/// `parent`, which may be unreleased (even when an over-release freed its root).
fn held_by_recycler(exec: &Exec<'_>, gen: AllocId) -> bool {
    exec.shadow.survived_last_gc(gen)
}

/// `checked`: the full set already ran on the state the program ended in (its last
/// step hit the interval), so it is not run again on the same state. Both full sets
/// here check every chunk (`Exec::complete_checks`).
pub(crate) fn end_phase(exec: &mut Exec<'_>, checked: bool) -> Result<(), Violation> {
    if !checked {
        exec.complete_checks()?;
    }
    let end = usize::MAX;
    // 1. The program ends: its handles die.
    exec.live.handles.clear();
    exec.gc(end)?;
    exec.report.checks_run += 3;
    let usage = exec.shadow.usage();
    let leaked = exec.shadow.leaked_bytes();
    check::usage_matches_model(usage, model_usage(exec))?;
    // Before #14250 (4.1.113) a recycled derivative keeps its `parent`, so an unreleased
    // buffer it reached stays reachable from the Recycler: neither leaked nor the
    // program's. Since then nothing can hold a root once the program's handles are gone.
    let usage = if exec.jvm.profile().leak.recycled_derivative_clears_parent {
        usage
    } else {
        usage - exec.shadow.live_bytes()
    };
    if leaked == 0 {
        check::leak_free_zero_usage(usage)?;
    } else {
        check::leaked_bytes_exact(usage, leaked)?;
    }
    exec.report.leaked = exec.shadow.leaked();
    exec.report.leaked_bytes = leaked;
    leak_detector_checks(exec)?;
    // 2. Every thread cache is freed.
    let others: Vec<ThreadId> = exec
        .live
        .threads
        .iter()
        .copied()
        .filter(|t| *t != ThreadId::MAIN)
        .collect();
    for t in others {
        exec.exit_thread(t, true)?;
    }
    let allocators = exec.allocators.clone();
    for a in &allocators {
        a.free_thread_cache(ThreadId::MAIN);
    }
    exec.complete_checks()?;
    let known = !exec.jvm.profile().allocator.cache_add_checks_freed;
    let mut stranded = check::StrandedReport::default();
    for a in &allocators {
        let each = check::stranded_entries(a, known)?;
        stranded.raced.extend(each.raced);
        stranded.unchecked.extend(each.unchecked);
    }
    for (owner, bytes) in &stranded.raced {
        exec.report.findings.push(Finding {
            name: STRANDED_BY_ADD_FREE_RACE.name,
            message: format!("a {bytes}-byte entry stranded in the freed cache of {owner}"),
        });
    }
    for (owner, bytes) in &stranded.unchecked {
        exec.report.known_bugs.push(KnownBug {
            issue: check::KNOWN_BUG_ADD_TO_FREED_CACHE,
            invariant: ADD_TO_FREED_CACHE.name,
            message: format!("a {bytes}-byte entry was queued into the freed cache of {owner}"),
        });
    }
    // 3. The allocators are destroyed: each one's finalizers run exactly when nothing
    //    reaches it any more, which the shadow predicts over its own object graph.
    exec.handles.clear();
    exec.gc(end)?;
    exec.report.checks_run += 1;
    let mut all_finalized = true;
    for (index, a) in (0u8..).zip(&allocators) {
        let name = ["the allocator", "the second allocator"][usize::from(index)];
        let kept = exec.shadow.keeps_pooled_allocator(index);
        let finalized = a.is_finalized();
        all_finalized &= finalized;
        if finalized && kept {
            return Err(Violation::new(
                DIRECT_COUNTER_ZERO_AFTER_DESTROY,
                format!("{name} was finalized although a reachable buffer object references it"),
            ));
        }
        if !finalized && !kept && exec.report.findings.is_empty() && stranded.unchecked.is_empty() {
            return Err(Violation::new(
                DIRECT_COUNTER_ZERO_AFTER_DESTROY,
                format!("{name} was not finalized although nothing reaches it"),
            ));
        }
    }
    // Netty's direct counter is the JVM's: it drops to what no destruction can return
    // once every allocator is gone.
    if all_finalized && exec.jvm.netty_direct().is_counting() {
        let alignment = exec.env.direct.as_ref().map_or(0, |d| d.alignment());
        let pinned = exec.shadow.counter_pinned_by_leaks(alignment) as i64;
        check::direct_counter_zero_after_destroy(exec.jvm.netty_direct().used(), pinned)?;
    }
    Ok(())
}
