//! A buffer *object* (a Java object on the simulated heap) and its mutable state.
//!
//! [`ByteBuf`](super::ByteBuf) handles are references to these. An object outlives
//! its handles until the GC collects it, and recycled classes are reused for a new
//! allocation generation, exactly as Netty's Recycler reuses them.

use super::region::Region;
use super::BufClass;
use crate::alloc::AllocRef;
use crate::leak::{TrackerId, WrapperKind};
use crate::refcnt::RefCnt;
use crate::sync::book::counter::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Arc, BookGuard, BookLock};
use crate::thread::ThreadId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Identity of a Java object (stable across recycling; `System.identityHashCode`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct ObjectId(pub u64);

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

/// One allocation generation: a buffer incarnation from allocation to deallocation.
/// A recycled object gets a new `AllocId` each time it is reused.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct AllocId(pub u64);

impl fmt::Display for AllocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "g{}", self.0)
    }
}

/// What a buffer object is made of: its own memory, or a view of another object's.
#[derive(Debug)]
pub(crate) enum Body {
    /// A root owns memory.
    Root {
        /// Where the bytes are (or `Freed`).
        region: Region,
        /// `capacity()`.
        capacity: usize,
    },
    /// A slice or duplicate.
    Derived {
        /// The root whose memory this views (`unwrap()`); for a read-only view, the
        /// buffer it wraps (its root is that buffer's, see `root_of`).
        unwrap: Arc<BufObject>,
        /// Offset of index 0 in the root's index space.
        adjustment: usize,
        /// `Some(len)` for slices (fixed capacity), `None` for duplicates of a root.
        fixed_capacity: Option<usize>,
        /// For plain derivatives: the object whose reference count this shares.
        count_owner: Option<Arc<BufObject>>,
        /// For pooled retained derivatives: the direct parent holding one reference.
        parent: Option<Arc<BufObject>>,
        /// For read-only views: the buffer they wrap (`unwrap()`), which answers for
        /// their capacity, bounds and bytes (`ByteBuf::read_only_target`).
        wrapped: Option<Arc<BufObject>>,
    },
    /// A pooled derivative returned to the recycler (its fields were cleared).
    Recycled,
}

impl Body {
    /// `*self = new`. A body that holds nothing to drop (a root whose memory was freed
    /// or never allocated, a recycled derivative: every reuse of a recycled object) is
    /// forgotten instead of going through the out-of-line drop glue, and is decided on
    /// by its tag alone: the rest of the old body is never read (reading it whole,
    /// right after `reuse` wrote its tag, stalled on store forwarding).
    #[inline(always)]
    pub(crate) fn set(&mut self, new: Body) {
        let owns_nothing = matches!(
            self,
            Body::Root {
                region: Region::Freed | Region::Unallocated | Region::Empty,
                ..
            } | Body::Recycled
        );
        if owns_nothing {
            std::mem::forget(std::mem::replace(self, new));
        } else {
            *self = new;
        }
    }
}

/// The mutable fields of a buffer object.
#[derive(Debug)]
pub(crate) struct BufState {
    /// Current allocation generation.
    pub alloc_id: AllocId,
    /// `readerIndex`.
    pub reader: usize,
    /// `writerIndex`.
    pub writer: usize,
    /// `maxCapacity()`.
    pub max_capacity: usize,
    /// `markedReaderIndex` and `markedWriterIndex`.
    pub marks: (usize, usize),
    /// Memory or view.
    pub body: Body,
    /// The leak tracker (and wrapper kind) closed when this object's own count
    /// reaches zero; derived views share their count holder's.
    pub tracker: Option<LeakHandle>,
    /// The thread cache this object keeps reachable (`PooledByteBuf.cache`).
    pub cache_link: Option<super::CacheLink>,
}

/// A buffer object on the simulated heap.
///
/// Its fields are plain Java fields, which Netty does not synchronize: the state, the
/// handle count and the recycler flag are bookkeeping (never scheduling points); only
/// the reference count is a facade atomic.
#[derive(Debug)]
pub struct BufObject {
    id: ObjectId,
    class: BufClass,
    instrumented: bool,
    owner_thread: ThreadId,
    recyclable: bool,
    alloc: AllocRef,
    refcnt: Option<RefCnt>,
    handles: AtomicUsize,
    in_recycler: AtomicBool,
    /// 4.1.48 `DefaultHandle.hasBeenRecycled`: a recycle of it was kept once, so the
    /// ratio never drops it again (recycler bookkeeping, under the recycler's lock).
    pub(crate) has_been_recycled: AtomicBool,
    state: BookLock<BufState>,
}

impl BufObject {
    /// A new object; `refcnt` is `Some` for objects that own a count.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: ObjectId,
        class: BufClass,
        instrumented: bool,
        owner_thread: ThreadId,
        recyclable: bool,
        alloc: AllocRef,
        refcnt: Option<RefCnt>,
        state: BufState,
    ) -> Self {
        BufObject {
            id,
            class,
            instrumented,
            owner_thread,
            recyclable,
            alloc,
            refcnt,
            handles: AtomicUsize::new(0),
            in_recycler: AtomicBool::new(false),
            has_been_recycled: AtomicBool::new(false),
            state: BookLock::new(state),
        }
    }

    /// Object identity.
    pub fn id(&self) -> ObjectId {
        self.id
    }

    /// Java class.
    pub fn class(&self) -> BufClass {
        self.class
    }

    /// `StringUtil.simpleClassName(this)`.
    pub fn simple_name(&self) -> &'static str {
        self.class.simple_name(self.instrumented)
    }

    /// The thread whose recycler pool owns this object.
    pub fn owner_thread(&self) -> ThreadId {
        self.owner_thread
    }

    /// True when the object got a recycler handle.
    pub fn is_recyclable(&self) -> bool {
        self.recyclable
    }

    /// The allocator that made it (`alloc()`).
    pub fn alloc(&self) -> &AllocRef {
        &self.alloc
    }

    /// The object's own count, if it has one.
    pub fn own_refcnt(&self) -> Option<&RefCnt> {
        self.refcnt.as_ref()
    }

    /// Number of live handles (Java references held by the program).
    pub fn handle_count(&self) -> usize {
        self.handles.load(Ordering::SeqCst)
    }

    pub(crate) fn add_handle(&self) {
        self.handles.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn drop_handle(&self) {
        self.handles.fetch_sub(1, Ordering::SeqCst);
    }

    /// True while the object sits in a recycler pool.
    pub fn is_in_recycler(&self) -> bool {
        self.in_recycler.load(Ordering::Acquire)
    }

    /// Marks the object as sitting in a recycler pool or not: by a give-back under the
    /// recycler's lock, and by the thread that just claimed it from the pool. Only the
    /// checkers read the flag; a release store is a plain `mov` on x86 where a
    /// sequentially consistent one is an `xchg` (two per recycled allocation).
    pub(crate) fn set_in_recycler(&self, pooled: bool) {
        self.in_recycler.store(pooled, Ordering::Release);
    }

    pub(crate) fn state(&self) -> BookGuard<'_, BufState> {
        self.state.lock()
    }

    /// True when the object is a pooled derivative whose fields were cleared on
    /// recycling (`Body::Recycled`): it views nothing until reused.
    pub fn is_recycled_body(&self) -> bool {
        matches!(self.state().body, Body::Recycled)
    }

    /// The current allocation generation.
    pub fn alloc_id(&self) -> AllocId {
        self.state().alloc_id
    }

    /// The object whose count this one uses (itself, or its count owner).
    pub(crate) fn count_holder(self: &Arc<Self>) -> Arc<BufObject> {
        if self.refcnt.is_some() {
            return self.clone();
        }
        match &self.state().body {
            Body::Derived {
                count_owner: Some(owner),
                ..
            } => owner.clone(),
            Body::Derived { unwrap, .. } => unwrap.clone(),
            _ => self.clone(),
        }
    }

    /// The thread cache this object keeps reachable, if any.
    pub(crate) fn cache_link(&self) -> Option<super::CacheLink> {
        self.state().cache_link
    }

    /// The objects this one keeps reachable (GC edges).
    pub(crate) fn references(&self) -> Vec<Arc<BufObject>> {
        match &self.state().body {
            Body::Derived {
                unwrap,
                count_owner,
                parent,
                wrapped,
                ..
            } => {
                let mut out = vec![unwrap.clone()];
                out.extend(count_owner.iter().cloned());
                out.extend(parent.iter().cloned());
                out.extend(wrapped.iter().cloned());
                out
            }
            _ => Vec::new(),
        }
    }
}

impl BufObject {
    /// Re-initialises a recycled object for a new allocation generation: new state,
    /// count back to 1 (`resetRefCnt`), out of the recycler.
    #[inline(always)]
    pub(crate) fn reincarnate(&self, state: BufState) {
        *self.state.lock() = state;
        self.reset_for_reuse();
    }

    /// `reuse(maxCapacity)` of a recycled pooled root (PooledByteBuf.java:77–82, both
    /// releases) as one change of its state: generation `alloc_id`, the new
    /// `maxCapacity`, indexes and marks 0, no memory yet and no tracker, keeping what
    /// `reuse` does not touch (`length`, so `capacity()`, and `cache`); count back to
    /// 1, out of the recycler. The same as [`reincarnate`](Self::reincarnate) with that
    /// state, without building it and reading the old one under a lock of its own.
    #[inline(always)]
    pub(crate) fn reuse_root(&self, alloc_id: AllocId, max_capacity: usize) {
        {
            let mut state = self.state.lock();
            let capacity = match &state.body {
                Body::Root { capacity, .. } => *capacity,
                _ => 0,
            };
            state.alloc_id = alloc_id;
            state.reader = 0;
            state.writer = 0;
            state.max_capacity = max_capacity;
            state.marks = (0, 0);
            state.body.set(Body::Root {
                region: Region::Unallocated,
                capacity,
            });
            state.tracker = None;
        }
        self.reset_for_reuse();
    }

    #[inline(always)]
    fn reset_for_reuse(&self) {
        if let Some(refcnt) = &self.refcnt {
            refcnt.reset();
        }
        self.set_in_recycler(false);
    }
}

/// A leak-aware wrapper: the tracker and which wrapper class records on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeakHandle {
    /// The tracker.
    pub id: TrackerId,
    /// `SimpleLeakAwareByteBuf` or `AdvancedLeakAwareByteBuf`.
    pub wrapper: WrapperKind,
}
