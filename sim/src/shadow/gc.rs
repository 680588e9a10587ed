//! What a collection must do: the shadow computes reachability over its own graph
//! (handles the program holds, recycler pools, view → root/count holder/parent edges)
//! and predicts which unreleased generations leak and which the GC reclaims.

use super::dense::DenseMap;
use super::{Body, Life, Shadow};
use leakproof_model::buffer::{AllocId, ObjectId};
use std::collections::BTreeSet;

/// A leaked generation, attributed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeakedGen {
    /// The generation.
    pub id: AllocId,
    /// Normalized bytes it pins.
    pub bytes: u64,
    /// The step that created it.
    pub step: usize,
    /// The handle it was created for.
    pub handle: u32,
    /// Unreleased retained derivatives (and their steps) that pinned it.
    pub pinned_by: Vec<(AllocId, usize)>,
}

/// The predicted effect of one collection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcPrediction {
    /// Generations whose memory is lost (pooled or no-Cleaner, collected unreleased).
    pub leaked: BTreeSet<AllocId>,
    /// Generations whose memory the GC reclaimed.
    pub reclaimed: BTreeSet<AllocId>,
}

impl Shadow {
    /// Pushes the objects `o`'s generation references onto `out`.
    fn edges(&self, o: ObjectId, out: &mut Vec<ObjectId>) {
        let Some(g) = self.current.get(&o).and_then(|id| self.gens.get(id)) else {
            return;
        };
        let Body::View(v) = &g.body else {
            return;
        };
        if v.recycled {
            return;
        }
        let mut push = |id: AllocId| {
            if let Some(x) = self.gens.get(&id) {
                out.push(x.object);
            }
        };
        // A read-only view of a pooled derivative references that object only.
        if let Some(w) = v.read_only.and_then(|w| w.recyclable()) {
            push(w);
            return;
        }
        push(v.root);
        if g.count.is_none() {
            push(v.holder);
        }
        if let Some(p) = v.parent {
            push(p);
        }
    }

    /// Predicts a collection with `held` objects referenced by the program and
    /// `in_recycler` telling which sit in recycler pools; applies it.
    pub fn predict_gc(
        &mut self,
        held: &BTreeSet<ObjectId>,
        in_recycler: impl Fn(ObjectId) -> bool,
    ) -> GcPrediction {
        let mut marked: DenseMap<ObjectId, ()> = DenseMap::default();
        let mut stack: Vec<ObjectId> = self
            .current
            .keys()
            .copied()
            .filter(|o| held.contains(o) || in_recycler(*o))
            .collect();
        while let Some(o) = stack.pop() {
            if marked.insert(o, ()).is_none() {
                self.edges(o, &mut stack);
            }
        }
        let dead: Vec<(ObjectId, AllocId)> = self
            .current
            .iter()
            .filter(|(o, _)| !marked.contains_key(o))
            .map(|(o, g)| (*o, *g))
            .collect();
        let mut out = GcPrediction::default();
        for (o, id) in dead {
            self.current.remove(&o);
            if let Some(Body::Root(r)) = self.gens.get_mut(&id).map(|g| &mut g.body) {
                // Nothing to reclaim of an `EmptyByteBuf`: it stays its allocator's.
                if r.life == Life::Live && r.mem != super::MemKind::Empty {
                    if r.mem.leaks_when_collected() {
                        r.life = Life::Leaked;
                        out.leaked.insert(id);
                    } else {
                        r.life = Life::Reclaimed;
                        out.reclaimed.insert(id);
                    }
                }
            }
        }
        out
    }

    /// True when an object the last collection kept (the program's handles, the recycler
    /// pools and what they reach) carries a root pooled allocator `allocator` made: such
    /// an object keeps that allocator, and so its arenas, from finalization whether it is
    /// live, released or recycled. `PooledByteBuf.init0` sets `allocator` and
    /// `deallocate` never clears it (4.1.48 PooledByteBuf.java:41,66,166–176; 4.1.128
    /// :42,71); an unpooled buffer's `alloc` is final (UnpooledDirectByteBuf.java:40,
    /// UnpooledHeapByteBuf.java:40). Views reach it through their root only.
    pub fn keeps_pooled_allocator(&self, allocator: u8) -> bool {
        self.current.values().any(|id| {
            matches!(self.gens.get(id).map(|g| &g.body),
                Some(Body::Root(r)) if r.pooled_allocator == Some(allocator))
        })
    }

    /// True when generation `id` is what its object still carries and the last
    /// collection kept that object (so its tracker was not enqueued either).
    pub fn survived_last_gc(&self, id: AllocId) -> bool {
        self.gens
            .get(&id)
            .is_some_and(|g| self.current.get(&g.object) == Some(&id))
    }

    /// Every leaked generation, with its creator and what pinned it.
    pub fn leaked(&self) -> Vec<LeakedGen> {
        let mut out = Vec::new();
        for (id, g) in self.gens.iter() {
            let Body::Root(r) = &g.body else { continue };
            if r.life != Life::Leaked {
                continue;
            }
            let pinned_by = self
                .gens
                .iter()
                .filter(|(_, d)| {
                    d.count.unwrap_or(0) > 0 && matches!(&d.body, Body::View(v) if v.root == *id)
                })
                .map(|(did, d)| (*did, d.step))
                .collect();
            out.push(LeakedGen {
                id: *id,
                bytes: r.norm as u64,
                step: g.step,
                handle: g.handle,
                pinned_by,
            });
        }
        out
    }

    /// Bytes of leaked huge pooled direct chunks and no-Cleaner buffers: what Netty's
    /// direct counter keeps after the allocator is destroyed. A huge chunk of an aligned
    /// arena counts its alignment too (`allocateDirect(capacity + alignment)`,
    /// PoolArena.java:711).
    pub fn counter_pinned_by_leaks(&self, direct_alignment: usize) -> u64 {
        self.gens
            .values()
            .filter_map(|g| match &g.body {
                Body::Root(r) if r.life == Life::Leaked => Some(r),
                _ => None,
            })
            .map(|r| {
                if r.mem == super::MemKind::Pooled && r.direct && r.huge {
                    (r.norm + direct_alignment) as u64
                } else if r.mem == super::MemKind::NoCleaner {
                    r.norm as u64
                } else {
                    0
                }
            })
            .sum()
    }
}
