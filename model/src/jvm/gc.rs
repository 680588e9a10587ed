//! Garbage collection by reachability.
//!
//! Roots are the program's live handles and the recycler pools. A derived buffer keeps
//! its root (and, for pooled derivatives, its parent) reachable. Unreachable objects
//! are collected: Cleaner-backed and heap memory is reclaimed, unreleased pooled and
//! no-Cleaner memory is not (a leak), and leak trackers of collected buffers are
//! enqueued for the detector.

use super::Jvm;
use crate::alloc::pooled::FinalizerReport;
use crate::alloc::release_accounting;
use crate::buffer::{Accounting, AllocId, Body, BufObject, ObjectId, Region};
use crate::sync::book::counter::Ordering;
use crate::sync::Arc;
use serde::Serialize;
use std::collections::BTreeSet;

/// What one collection did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Buffer objects collected.
    pub collected_objects: usize,
    /// Bytes of Cleaner-backed direct memory the Cleaners freed.
    pub cleaner_freed_bytes: u64,
    /// Bytes of heap arrays collected.
    pub heap_freed_bytes: u64,
    /// Allocation generations whose memory the GC could not reclaim (pooled or
    /// no-Cleaner buffers collected without a release: leaked for good).
    pub leaked: Vec<AllocId>,
    /// Leak trackers enqueued for the detector.
    pub trackers_enqueued: usize,
    /// What the finalizers run after the collection did (one entry per allocator).
    pub finalizers: Vec<FinalizerReport>,
}

impl Jvm {
    /// `System.gc()` from program code: a full collection, then the finalizers it made
    /// runnable (thread caches, arenas of unreachable allocators).
    pub fn gc(self: &Arc<Self>) -> GcReport {
        let mut report = self.collect_garbage();
        report.finalizers = self.run_finalizers();
        report
    }

    /// Runs every pending finalizer (a safe point: the caller holds no model lock).
    /// Inlined down to its flag's load: every allocation asks.
    #[inline(always)]
    pub fn run_finalizers(&self) -> Vec<FinalizerReport> {
        if !self.finalizers_pending.load(Ordering::SeqCst) {
            return Vec::new();
        }
        self.drain_finalizers()
    }

    fn drain_finalizers(&self) -> Vec<FinalizerReport> {
        // Cleared before draining: a finalizer enqueued from here on sets it again.
        self.finalizers_pending.store(false, Ordering::SeqCst);
        let allocators = self.allocators.lock().clone();
        allocators
            .iter()
            .map(|a| a.run_finalizers())
            .filter(|r| *r != FinalizerReport::default())
            .collect()
    }

    /// A collection without running finalizers (the JDK's retry inside an allocation,
    /// where the finalizer thread runs later).
    pub(crate) fn collect_garbage(self: &Arc<Self>) -> GcReport {
        self.gc_runs.fetch_add(1, Ordering::SeqCst);
        let objects = self.objects.lock().all();
        let pooled: BTreeSet<ObjectId> = self.recycler.lock().pooled_ids().collect();
        let mut marked = BTreeSet::new();
        let mut stack: Vec<Arc<BufObject>> = objects
            .iter()
            .filter(|o| o.handle_count() > 0 || pooled.contains(&o.id()))
            .cloned()
            .collect();
        while let Some(object) = stack.pop() {
            if marked.insert(object.id()) {
                stack.extend(object.references());
            }
        }
        let mut report = GcReport::default();
        let mut linked = BTreeSet::new();
        let mut referenced = BTreeSet::new();
        for object in objects.iter().filter(|o| marked.contains(&o.id())) {
            linked.extend(object.cache_link());
            // A root references its allocator for as long as it is reachable, released
            // or waiting in a Recycler pool: `PooledByteBuf.allocator` is set by `init0`
            // and never cleared (4.1.48 PooledByteBuf.java:41,66; 4.1.128 :42,71), an
            // unpooled fallback's `alloc` is final (UnpooledDirectByteBuf.java:40), and
            // the allocator holds its arenas (PooledByteBufAllocator.java:184–185). A
            // derivative reaches it only through the objects it references.
            if object.class().is_root() {
                referenced.extend(object.alloc().pooled_id());
            }
        }
        // An allocator's `EmptyByteBuf` is never collected: its allocator holds it
        // (`emptyBuf`), and it holds nothing (no memory, count or tracker).
        let garbage = |o: &&Arc<BufObject>| !marked.contains(&o.id()) && !is_empty_buf(o);
        for object in objects.iter().filter(garbage) {
            self.objects.lock().remove(object.id());
            self.collect(object, &mut report);
        }
        // Cloned first: `after_mark` reads caches' `freed` (a facade operation), which
        // must not run inside the registry's bookkeeping lock.
        let allocators = self.allocators.lock().clone();
        for allocator in &allocators {
            allocator.after_mark(&linked, referenced.contains(&allocator.id()));
        }
        report
    }

    /// Reclaims what the collector may reclaim of one unreachable object.
    fn collect(&self, object: &BufObject, report: &mut GcReport) {
        report.collected_objects += 1;
        let (tracker, region, alloc_id) = {
            let mut state = object.state();
            let tracker = state.tracker;
            let region = match &mut state.body {
                Body::Root { region, .. } => std::mem::replace(region, Region::Freed),
                _ => Region::Freed,
            };
            // Garbage holds no references: a collected view drops its edges, so
            // misuse-made cycles of views (a stale handle deriving from a recycled
            // object) cannot outlive the collection.
            if matches!(state.body, Body::Derived { .. }) {
                state.body = Body::Recycled;
            }
            (tracker, region, state.alloc_id)
        };
        if let Some(tracker) = tracker {
            if self.leak_referent_collected(tracker.id) {
                report.trackers_enqueued += 1;
            }
        }
        match region {
            Region::Unpooled(r) => {
                let len = r.memory.len() as u64;
                match r.accounting {
                    Accounting::NettyCounter => report.leaked.push(alloc_id),
                    Accounting::JdkCleaner => {
                        report.cleaner_freed_bytes += len;
                        release_accounting(self, r.accounting, len);
                    }
                    Accounting::Heap => {
                        report.heap_freed_bytes += len;
                        release_accounting(self, r.accounting, len);
                    }
                }
            }
            Region::Pooled(_) => report.leaked.push(alloc_id),
            Region::Freed | Region::Unallocated | Region::Empty => {}
        }
    }
}

fn is_empty_buf(object: &BufObject) -> bool {
    object.class() == crate::buffer::BufClass::Empty
}
