//! What the garbage collector leaked for good: pooled allocations and no-Cleaner bytes
//! of buffers collected without a release. The GC forgets them (the object is gone),
//! so the checker keeps this ledger to account for the runs they still pin.

use crate::alloc::pooled::ArenaAllocation;
use crate::buffer::{Accounting, AllocId, Body, Region};
use crate::jvm::{GcReport, Jvm};
use crate::sync::Arc;
use std::collections::BTreeMap;

/// One allocation generation the GC collected without a release.
#[derive(Clone, Debug)]
pub struct LeakedRegion {
    /// The generation.
    pub alloc_id: AllocId,
    /// The pooled allocator's id, for pooled regions.
    pub allocator: Option<u64>,
    /// The pooled allocation (its run or element stays used until the arena dies).
    pub region: Option<ArenaAllocation>,
    /// Bytes of Netty's direct counter it pins (no-Cleaner unpooled memory).
    pub counter_bytes: u64,
}

/// Leaked regions, in collection order.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    leaked: Vec<LeakedRegion>,
    gc_runs: u64,
}

impl Ledger {
    /// Runs `jvm.gc()` and records what it leaked. Use this instead of `Jvm::gc` so the
    /// ledger stays complete.
    #[inline]
    pub fn gc(&mut self, jvm: &Arc<Jvm>) -> GcReport {
        let before = self.snapshot(jvm);
        let report = jvm.gc();
        self.gc_runs = jvm.gc_runs();
        for id in &report.leaked {
            if let Some(region) = before.get(id) {
                self.leaked.push(region.clone());
            }
        }
        report
    }

    #[inline]
    fn snapshot(&self, jvm: &Jvm) -> BTreeMap<AllocId, LeakedRegion> {
        let mut out = BTreeMap::new();
        let objects = jvm.objects.lock().all();
        for obj in objects {
            let state = obj.state();
            let Body::Root { region, .. } = &state.body else {
                continue;
            };
            let (allocation, counter_bytes) = match region {
                Region::Pooled(r) => (Some(r.region.clone()), 0),
                Region::Unpooled(r) if r.accounting == Accounting::NettyCounter => {
                    (None, r.memory.len() as u64)
                }
                _ => continue,
            };
            out.insert(
                state.alloc_id,
                LeakedRegion {
                    alloc_id: state.alloc_id,
                    allocator: obj.alloc().pooled_id(),
                    region: allocation,
                    counter_bytes,
                },
            );
        }
        out
    }

    /// True when every collection so far went through [`Ledger::gc`] (a collection
    /// inside an allocation that ran short of memory would be missed).
    #[inline]
    pub fn is_complete(&self, jvm: &Jvm) -> bool {
        self.gc_runs == jvm.gc_runs()
    }

    /// Every leaked region so far.
    #[inline]
    pub fn leaked(&self) -> &[LeakedRegion] {
        &self.leaked
    }
}
