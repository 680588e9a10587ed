//! The shadow model: a small sequential reference for the refcount/parent graph, the
//! indexes and bytes of every allocation generation, and the error each op must raise.
//!
//! It knows Netty's rules (netty.md §6), not the model's code: the executor asks it to
//! predict every op from its own state alone (it never reads the model's), then
//! compares with what the model's op did. It is *told* what it does not predict —
//! which object an allocation reused (the Recycler's order) and whether a released
//! derivative's fields were cleared on recycling — and predicts the effect on
//! whichever generation a stale handle now reaches.

mod dense;
mod gc;
pub mod netty;
mod predict;
mod threads;
mod tiny_pools;

pub use gc::{GcPrediction, LeakedGen};
pub use predict::{refused_threshold, AllocEnv, Expected, Match, NewGen, Pred, Prediction};
pub use threads::Threads;
pub use tiny_pools::{ObservedArena, TinyPools, TinyServed, TinySide, TinyView};

use dense::DenseMap;
use leakproof_model::buffer::{AllocId, ObjectId};
use leakproof_model::check::ExpectedBytes;
use leakproof_model::profile::{DerivedProfile, RefCountProfile};
use std::collections::BTreeMap;

/// How a root's memory is reclaimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemKind {
    /// A pooled run/element (or huge chunk): only `release()` returns it.
    Pooled,
    /// Unpooled no-Cleaner direct memory: only `release()` returns it.
    NoCleaner,
    /// Cleaner-backed direct memory: the GC reclaims it.
    Cleaner,
    /// A heap array: the GC reclaims it.
    Heap,
    /// None: a pooled object a failed allocation claimed (`claimed_by_failed_alloc`).
    /// Netty reads and writes through it at a stale address (undefined), so what it
    /// holds is not predicted; `capacity(n)` throws.
    Unallocated,
    /// None at all: an allocator's `EmptyByteBuf` (`predict/empty.rs`), never released
    /// and never collected (its allocator holds it).
    Empty,
}

impl MemKind {
    /// True when the GC cannot reclaim it (an unreleased, unreachable buffer leaks).
    pub fn leaks_when_collected(self) -> bool {
        matches!(self, MemKind::Pooled | MemKind::NoCleaner)
    }
}

/// Where a root generation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Life {
    /// Allocated, not released.
    Live,
    /// Deallocated by its final release.
    Released,
    /// Collected unreleased; the memory is lost.
    Leaked,
    /// Collected unreleased; the GC reclaimed the memory.
    Reclaimed,
}

/// A root's memory.
#[derive(Clone, Debug)]
pub struct RootState {
    /// Which of the program's pooled allocators made it (0 the first, 1 the second;
    /// `None`: the unpooled one). A copy comes from the same one: `copy()` allocates
    /// through `alloc()` (4.1.128 PooledHeapByteBuf.java:214, PooledDirectByteBuf.java
    /// :285, UnsafeByteBufUtil.java:454), and a pooled buffer's `alloc()` is the
    /// allocator whose arena made it (PooledByteBuf.java:71 `allocator =
    /// chunk.arena.parent`, :128–129).
    pub pooled_allocator: Option<u8>,
    /// From a pooled arena (a pooled root class).
    pub pooled_root: bool,
    /// Direct memory.
    pub direct: bool,
    /// A huge (unpooled-chunk) pooled allocation.
    pub huge: bool,
    /// Memory kind.
    pub mem: MemKind,
    /// `capacity()`.
    pub capacity: usize,
    /// Normalized bytes it holds (size class, or the capacity for unpooled/huge).
    pub norm: usize,
    /// Expected content of `[0, capacity)`; `None` where any value is acceptable.
    pub bytes: ExpectedBytes,
    /// Life.
    pub life: Life,
}

/// A view (slice, duplicate, retained derivative).
#[derive(Clone, Debug)]
pub struct ViewState {
    /// The root generation it views (the object's current generation is what it reaches).
    pub root: AllocId,
    /// Offset of index 0 in the root.
    pub adjustment: usize,
    /// Fixed capacity of slices.
    pub fixed: Option<usize>,
    /// For views without their own count: the generation whose count they share.
    pub holder: AllocId,
    /// For pooled retained derivatives: the direct parent they hold one reference on.
    pub parent: Option<AllocId>,
    /// Its fields were cleared on recycling (#14250): it views nothing.
    pub recycled: bool,
    /// A `ReadOnlyByteBuf`, and the class of the buffer it wraps (`unwrap()`).
    pub read_only: Option<Wraps>,
}

impl ViewState {
    /// A duplicate of the whole `root`, sharing `holder`'s count.
    pub fn duplicate(root: AllocId, holder: AllocId) -> Self {
        ViewState {
            root,
            adjustment: 0,
            fixed: None,
            holder,
            parent: None,
            recycled: false,
            read_only: None,
        }
    }

    /// A slice of `root` at `adjustment`, `length` bytes, sharing `holder`'s count.
    pub fn slice(root: AllocId, adjustment: usize, length: usize, holder: AllocId) -> Self {
        ViewState {
            adjustment,
            fixed: Some(length),
            ..ViewState::duplicate(root, holder)
        }
    }
}

/// The class of the buffer a read-only view wraps: its own derive rules are the
/// wrapped buffer's (ReadOnlyByteBuf.java:297–299 slices `unwrap()`). A read-only or
/// duplicated buffer is never wrapped: its `unwrap()` is (java:45–46).
///
/// A pooled retained derivative is named by the generation it carried when wrapped:
/// the view holds the Java object (`private final ByteBuf buffer`, java:40) and asks
/// it for its capacity, count and bytes, so once the Recycler gives that object a new
/// generation the view reaches the new one ([`Shadow::cur`]), as a stale handle does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wraps {
    /// A root.
    Root,
    /// `UnpooledSlicedByteBuf`.
    Sliced,
    /// `PooledSlicedByteBuf`, the generation it carried when wrapped.
    PooledSliced(AllocId),
    /// `PooledDuplicatedByteBuf`, the generation it carried when wrapped.
    PooledDuplicated(AllocId),
    /// `PooledNonRetainedSlicedByteBuf`.
    NonRetainedSliced,
}

impl Wraps {
    /// The recyclable derivative it wraps (a pooled retained one), if any.
    pub fn recyclable(self) -> Option<AllocId> {
        match self {
            Wraps::PooledSliced(w) | Wraps::PooledDuplicated(w) => Some(w),
            Wraps::Root | Wraps::Sliced | Wraps::NonRetainedSliced => None,
        }
    }

    /// The same class, naming generation `g` for a recyclable derivative.
    pub fn at(self, g: AllocId) -> Wraps {
        match self {
            Wraps::PooledSliced(_) => Wraps::PooledSliced(g),
            Wraps::PooledDuplicated(_) => Wraps::PooledDuplicated(g),
            other => other,
        }
    }
}

/// One allocation generation.
#[derive(Clone, Debug)]
pub struct Gen {
    /// The Java object.
    pub object: ObjectId,
    /// The step that created it.
    pub step: usize,
    /// The program handle it was created for.
    pub handle: u32,
    /// `readerIndex`.
    pub reader: usize,
    /// `writerIndex`.
    pub writer: usize,
    /// `maxCapacity`.
    pub max: usize,
    /// Own real count (`None` for views sharing another's); 0 = released.
    pub count: Option<i32>,
    /// Root memory or view.
    pub body: Body,
}

/// Root or view.
#[derive(Clone, Debug)]
pub enum Body {
    /// Owns memory.
    Root(RootState),
    /// Views a root.
    View(ViewState),
}

/// The shadow model's state.
#[derive(Clone, Debug)]
pub struct Shadow {
    gens: DenseMap<AllocId, Gen>,
    current: DenseMap<ObjectId, AllocId>,
    refcount: RefCountProfile,
    derived: DerivedProfile,
    /// Generations deallocated by the last prediction (to be told about recycling).
    pub deallocated: Vec<AllocId>,
    /// Each allocator's `EmptyByteBuf` once made (`None`: the unpooled allocator's).
    empty: BTreeMap<Option<u8>, AllocId>,
    /// Netty's tiny pools and the acting thread's tiny queues before the op, where a
    /// 4.1.48 pool can meet requests of other sizes (#11955, `tiny_pools.rs`).
    pub tiny_pools: TinyView,
    /// Which threads get a real thread cache, and the acting one.
    pub threads: Threads,
}

impl Shadow {
    /// An empty shadow for a profile's refcount and derived-buffer rules.
    pub fn new(refcount: RefCountProfile, derived: DerivedProfile) -> Self {
        Shadow {
            gens: DenseMap::default(),
            current: DenseMap::default(),
            refcount,
            derived,
            deallocated: Vec::new(),
            empty: BTreeMap::new(),
            tiny_pools: TinyView::Untracked,
            threads: Threads::default(),
        }
    }

    /// A generation.
    pub fn gen(&self, id: AllocId) -> Option<&Gen> {
        self.gens.get(&id)
    }

    /// The life of the root generation `id` is or views.
    pub fn root_life(&self, id: AllocId) -> Option<Life> {
        let root = match &self.gens.get(&id)?.body {
            Body::Root(_) => id,
            Body::View(v) => v.root,
        };
        match &self.gens.get(&root)?.body {
            Body::Root(r) => Some(r.life),
            Body::View(_) => None,
        }
    }

    /// Every generation.
    pub fn gens(&self) -> impl Iterator<Item = (&AllocId, &Gen)> {
        self.gens.iter()
    }

    /// The generation object `o` currently carries.
    pub fn current_of(&self, o: ObjectId) -> Option<AllocId> {
        self.current.get(&o).copied()
    }

    /// Every object with the generation it carries.
    pub fn objects(&self) -> impl Iterator<Item = (ObjectId, AllocId)> + '_ {
        self.current.iter().map(|(o, g)| (*o, *g))
    }

    /// The executor observed that deallocated derivative `id` had its fields cleared.
    pub fn observe_recycled(&mut self, id: AllocId) {
        if let Some(Gen {
            body: Body::View(v),
            ..
        }) = self.gens.get_mut(&id)
        {
            v.recycled = true;
        }
    }

    /// A hash of the state: every generation (indexes, count, life, links) and the
    /// generation each object carries, with the expected bytes only when `bytes`.
    /// Searches over orders of ops memoize on it; without bytes it is cheap and, for
    /// programs whose shared memory is read-only, still tells states apart (see
    /// `concurrent::linearize`).
    pub fn fingerprint(&self, bytes: bool) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        for (id, g) in self.gens.iter() {
            (id, g.object, g.reader, g.writer, g.max, g.count).hash(&mut h);
            match &g.body {
                Body::Root(r) => {
                    (
                        r.pooled_root,
                        r.direct,
                        r.huge,
                        r.mem,
                        r.capacity,
                        r.norm,
                        r.life,
                    )
                        .hash(&mut h);
                    if bytes {
                        r.bytes.hash(&mut h);
                    }
                }
                Body::View(v) => (
                    v.root,
                    v.adjustment,
                    v.fixed,
                    v.holder,
                    v.parent,
                    v.recycled,
                    v.read_only,
                )
                    .hash(&mut h),
            }
        }
        self.current.hash(&mut h);
        // std's `Hasher::finish`, spelled out: the model has a `finish` of its own.
        Hasher::finish(&h)
    }

    /// The generations an op on `e` can change (itself and the root it views), to
    /// [`Shadow::restore`] when the model's op failed without effect (an allocation
    /// past the direct-memory limit).
    pub fn save(&self, e: AllocId) -> Vec<(AllocId, Gen)> {
        let mut ids = vec![e];
        ids.extend(self.root(e));
        ids.iter()
            .filter_map(|id| self.gens.get(id).map(|g| (*id, g.clone())))
            .collect()
    }

    /// Puts generations saved by [`Shadow::save`] back.
    pub fn restore(&mut self, saved: Vec<(AllocId, Gen)>) {
        for (id, g) in saved {
            self.gens.insert(id, g);
        }
    }

    /// Normalized bytes neither deallocated nor reclaimed (live and leaked roots).
    pub fn usage(&self) -> u64 {
        self.roots()
            .filter(|r| matches!(r.life, Life::Live | Life::Leaked))
            .map(|r| r.norm as u64)
            .sum()
    }

    /// Normalized bytes of roots still live (after the program's handles are gone: those
    /// a recycled derivative still reaches, on profiles before #14250).
    pub fn live_bytes(&self) -> u64 {
        self.roots()
            .filter(|r| r.life == Life::Live)
            .map(|r| r.norm as u64)
            .sum()
    }

    /// Normalized bytes of leaked roots.
    pub fn leaked_bytes(&self) -> u64 {
        self.roots()
            .filter(|r| r.life == Life::Leaked)
            .map(|r| r.norm as u64)
            .sum()
    }

    fn roots(&self) -> impl Iterator<Item = &RootState> {
        self.gens.values().filter_map(|g| match &g.body {
            Body::Root(r) => Some(r),
            Body::View(_) => None,
        })
    }
}
