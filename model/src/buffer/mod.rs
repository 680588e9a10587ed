//! Buffers as Java sees them: [`ByteBuf`] handles are cheap references to buffer
//! objects on the simulated heap.
//!
//! `retain`/`release` are explicit. Dropping the last handle never releases anything:
//! it only makes the object *unreachable*, which is what the GC and the leak detector
//! see. Recycled objects are reused for new allocation generations, so a stale handle
//! can act on a new incarnation exactly as in Netty; [`ByteBuf::is_stale`] tells the
//! checker.

mod access;
mod claim;
mod class;
mod copy;
mod derive;
mod empty;
mod guard;
mod indexes;
mod introspect;
mod lifecycle;
mod object;
mod read_only;
mod region;
mod resize;
mod retained;
pub mod texts;
mod unreleasable;

pub use class::BufClass;
pub use empty::{EmptySlot, EMPTY_TO_STRING};
pub use guard::ReleaseOnDrop;
pub use introspect::PooledFields;
pub use object::{AllocId, BufObject, LeakHandle, ObjectId};
pub(crate) use object::{Body, BufState};
pub(crate) use region::Region;
pub use region::{Accounting, CacheLink, PooledRegion, UnpooledRegion};

use crate::alloc::AllocRef;
use crate::coverage::Event;
use crate::error::{JavaException, JavaResult};
use crate::jvm::Jvm;
use crate::sync::Arc;
use crate::thread::ThreadId;
use std::fmt;
use std::fmt::Write as _;

/// A Java reference to a buffer object.
#[derive(Debug)]
pub struct ByteBuf {
    obj: Arc<BufObject>,
    alloc_id: AllocId,
    /// Seen through `Unpooled.unreleasableBuffer` (see `unreleasable.rs`).
    unreleasable: bool,
}

/// Everything needed to put a new root buffer object on the heap.
pub(crate) struct NewRoot {
    pub alloc: AllocRef,
    pub thread: ThreadId,
    pub class: BufClass,
    pub instrumented: bool,
    pub region: Region,
    pub capacity: usize,
    pub max_capacity: usize,
}

impl Clone for ByteBuf {
    fn clone(&self) -> Self {
        self.obj.add_handle();
        ByteBuf {
            obj: self.obj.clone(),
            alloc_id: self.alloc_id,
            unreleasable: self.unreleasable,
        }
    }
}

impl Drop for ByteBuf {
    fn drop(&mut self) {
        self.obj.drop_handle();
    }
}

impl ByteBuf {
    /// Creates a new, never-recycled root object and returns the first handle to it.
    pub(crate) fn new_root(spec: NewRoot) -> ByteBuf {
        let NewRoot {
            alloc,
            thread,
            class,
            instrumented,
            region,
            capacity,
            max_capacity,
        } = spec;
        let jvm = alloc.jvm().clone();
        let state = Self::root_state(&jvm, region, capacity, max_capacity, None);
        let kind = ObjectKind {
            class,
            instrumented,
            own_count: true,
            recycled: false,
            pool: 0,
        };
        materialize(&jvm, kind, thread, &|| alloc.clone(), state)
    }

    /// The initial state of a root owning `region`.
    fn root_state(
        jvm: &Jvm,
        region: Region,
        capacity: usize,
        max_capacity: usize,
        cache_link: Option<CacheLink>,
    ) -> BufState {
        BufState {
            alloc_id: jvm.next_alloc_id(),
            reader: 0,
            writer: 0,
            max_capacity,
            // PooledByteBuf.reuse: discardMarks().
            marks: (0, 0),
            body: Body::Root { region, capacity },
            tracker: None,
            cache_link,
        }
    }

    /// The first handle to an object the caller just (re)initialised for generation
    /// `alloc_id` (the generation it created, without re-reading it under the lock).
    fn first_handle(obj: Arc<BufObject>, alloc_id: AllocId) -> ByteBuf {
        obj.add_handle();
        ByteBuf {
            obj,
            alloc_id,
            unreleasable: false,
        }
    }

    /// A new handle to `obj`, bound to its current allocation generation.
    pub(crate) fn from_object(obj: Arc<BufObject>) -> ByteBuf {
        obj.add_handle();
        let alloc_id = obj.alloc_id();
        ByteBuf {
            obj,
            alloc_id,
            unreleasable: false,
        }
    }

    /// The object this handle references.
    pub fn object(&self) -> &Arc<BufObject> {
        &self.obj
    }

    /// Identity of the referenced object.
    pub fn object_id(&self) -> ObjectId {
        self.obj.id()
    }

    /// The allocation generation this handle was obtained for.
    pub fn alloc_id(&self) -> AllocId {
        self.alloc_id
    }

    /// True when the object was recycled and reused since this handle was obtained:
    /// every operation through it now acts on another owner's buffer (ABA, #12387).
    pub fn is_stale(&self) -> bool {
        self.obj.alloc_id() != self.alloc_id
    }

    /// The object's Java class.
    pub fn class(&self) -> BufClass {
        self.obj.class()
    }

    /// `alloc()`.
    pub fn alloc(&self) -> &AllocRef {
        self.obj.alloc()
    }

    /// The JVM the buffer lives in.
    pub fn jvm(&self) -> &Arc<Jvm> {
        self.obj.alloc().jvm()
    }

    /// `isDirect()` (an `EmptyByteBuf`'s is true, EmptyByteBuf.java:109–111).
    pub fn is_direct(&self) -> bool {
        let class = self.root().class();
        class == BufClass::Empty || class.is_direct_root()
    }

    /// `refCnt()`: the real count of the object whose count this buffer uses.
    pub fn ref_cnt(&self) -> i32 {
        if self.counts_nothing() {
            // EmptyByteBuf.refCnt() (java:1006–1008).
            return 1;
        }
        self.count_holder().own_refcnt().map_or(0, |c| c.ref_cnt())
    }

    /// `capacity()`. A recycled `PooledSlicedByteBuf` keeps answering its
    /// `maxCapacity()` (PooledSlicedByteBuf.java:66–68; deallocate does not reset it);
    /// a recycled duplicate, whose `unwrap()` is gone, answers 0.
    pub fn capacity(&self) -> usize {
        if let Some(wrapped) = self.read_only_target() {
            return wrapped.capacity();
        }
        let (unwrap, fixed) = {
            let state = self.obj.state();
            match &state.body {
                Body::Root { capacity, .. } => return *capacity,
                Body::Derived {
                    unwrap,
                    fixed_capacity,
                    ..
                } => (unwrap.clone(), *fixed_capacity),
                Body::Recycled if self.class().is_slice() => return state.max_capacity,
                Body::Recycled => return 0,
            }
        };
        fixed.unwrap_or_else(|| root_capacity(&unwrap))
    }

    /// `maxCapacity()`.
    pub fn max_capacity(&self) -> usize {
        self.obj.state().max_capacity
    }

    /// `readerIndex()`.
    pub fn reader_index(&self) -> usize {
        self.obj.state().reader
    }

    /// `writerIndex()`.
    pub fn writer_index(&self) -> usize {
        self.obj.state().writer
    }

    /// `readableBytes()`.
    pub fn readable_bytes(&self) -> usize {
        let state = self.obj.state();
        state.writer - state.reader
    }

    /// `writableBytes()`.
    pub fn writable_bytes(&self) -> usize {
        self.capacity().saturating_sub(self.writer_index())
    }

    /// The root object whose memory this buffer views (itself for roots).
    pub(crate) fn root(&self) -> Arc<BufObject> {
        root_of(&self.obj)
    }

    /// The object whose count `retain`/`release` act on.
    pub(crate) fn count_holder(&self) -> Arc<BufObject> {
        self.obj.count_holder()
    }

    /// `ensureAccessible()`: `refCnt: 0` when the count is released (best effort,
    /// as Netty's non-volatile check; only with `io.netty.buffer.checkAccessible`).
    pub(crate) fn ensure_accessible(&self) -> JavaResult<()> {
        // A read-only view asks what it wraps: AbstractDerivedByteBuf.isAccessible
        // is `unwrap().isAccessible()` (4.1.48 java:35–37; 4.1.128 `isAccessible0`),
        // so over a non-retained derivative the non-retained rule below decides.
        if let Some(wrapped) = self.read_only_target() {
            return wrapped.ensure_accessible();
        }
        let non_retained = matches!(
            self.class(),
            BufClass::PooledNonRetainedSliced | BufClass::PooledNonRetainedDuplicated
        );
        let holder = if non_retained
            && !self
                .jvm()
                .profile()
                .derived
                .non_retained_access_follows_delegate
        {
            root_of(&self.obj)
        } else {
            self.count_holder()
        };
        let accessible = holder.own_refcnt().is_none_or(|c| c.is_accessible());
        if self.jvm().profile().refcount.check_accessible && !accessible {
            return Err(self.released());
        }
        Ok(())
    }

    /// `IllegalReferenceCountException` (`refCnt: 0`) for an access to a released
    /// buffer, counted as [`Event::AccessAfterRelease`].
    pub(crate) fn released(&self) -> JavaException {
        self.jvm().events().record(Event::AccessAfterRelease);
        JavaException::ref_cnt(0)
    }

    /// The `toString()` an exception text shows: the buffer that throws, which for an
    /// `UnreleasableByteBuf` is the wrapped one (`WrappedByteBuf` delegates every call).
    pub(crate) fn thrower_string(&self) -> String {
        let inner = self.inner_java_string();
        match self.wrapper_name() {
            Some(wrapper) => format!("{wrapper}({inner})"),
            None => inner,
        }
    }

    /// `toString()`, as Netty prints it (leak-aware wrappers included).
    pub fn to_java_string(&self) -> String {
        let inner = self.inner_java_string();
        let inner = match self.wrapper_name() {
            Some(wrapper) => format!("{wrapper}({inner})"),
            None => inner,
        };
        if self.unreleasable {
            return format!("UnreleasableByteBuf({inner})");
        }
        inner
    }

    fn inner_java_string(&self) -> String {
        if self.is_empty_buffer() {
            return EMPTY_TO_STRING.to_string();
        }
        let name = self.obj.simple_name();
        if self.ref_cnt() == 0 {
            return format!("{name}(freed)");
        }
        let (reader, writer, max) = {
            let s = self.obj.state();
            (s.reader, s.writer, s.max_capacity)
        };
        let mut out = format!(
            "{name}(ridx: {reader}, widx: {writer}, cap: {}",
            self.capacity()
        );
        if max != i32::MAX as usize {
            let _ = write!(out, "/{max}");
        }
        if self.class().is_derived() {
            // `unwrap()`: a read-only view's wrapped buffer (a slice stays a slice),
            // every other view's root.
            let unwrapped = self
                .read_only_target()
                .unwrap_or_else(|| ByteBuf::from_object(self.root()));
            let _ = write!(out, ", unwrapped: {}", unwrapped.inner_java_string());
        }
        out.push(')');
        out
    }

    /// The leak-aware wrapper class this handle goes through, if any.
    fn wrapper_name(&self) -> Option<&'static str> {
        let handle = self.count_holder().state().tracker?;
        Some(match handle.wrapper {
            crate::leak::WrapperKind::Simple => "SimpleLeakAwareByteBuf",
            crate::leak::WrapperKind::Advanced => "AdvancedLeakAwareByteBuf",
        })
    }

    /// Offset of index 0 in the root's memory region (chunk offset for pooled buffers),
    /// `None` once the memory was freed.
    pub fn memory_offset(&self) -> Option<usize> {
        self.memory_view().map(|(_, offset)| offset)
    }

    /// The leak tracker this object owns (roots and pooled retained derivatives that
    /// were tracked), `None` once closed or when never tracked.
    pub fn leak_tracker(&self) -> Option<crate::leak::TrackerId> {
        self.obj.own_refcnt()?;
        self.obj.state().tracker.map(|t| t.id)
    }

    /// The thread that created the object (its recycler owner).
    pub fn owner_thread(&self) -> ThreadId {
        self.obj.owner_thread()
    }
}

impl fmt::Display for ByteBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_java_string())
    }
}

/// What kind of Java object to put on the heap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ObjectKind {
    /// Its class.
    pub class: BufClass,
    /// `Instrumented…` subclass of the unpooled allocator.
    pub instrumented: bool,
    /// It owns a reference count (roots, pooled retained derivatives).
    pub own_count: bool,
    /// It is reused through the Recycler.
    pub recycled: bool,
    /// Which recycler pool family it belongs to: the pooled allocator's id (0 when not
    /// recycled). Netty's recyclers are JVM-wide per class; the model keeps one pool per
    /// allocator so that `alloc()` of a reused object stays right (docs/fidelity.md).
    pub pool: u64,
}

/// Puts an object of `kind` with `state` on the heap — reusing one from `thread`'s
/// recycler pool when the class is recycled and one is pooled — and returns a handle.
pub(crate) fn materialize(
    jvm: &Arc<Jvm>,
    kind: ObjectKind,
    thread: ThreadId,
    alloc: &dyn Fn() -> AllocRef,
    state: BufState,
) -> ByteBuf {
    let alloc_id = state.alloc_id;
    let recyclable = if kind.recycled {
        let claimed = jvm.recycler.lock().get(kind.class, kind.pool, thread);
        match claimed {
            Ok(obj) => {
                obj.reincarnate(state);
                return ByteBuf::first_handle(obj, alloc_id);
            }
            Err(recyclable) => recyclable,
        }
    } else {
        false
    };
    materialize_new(jvm, kind, thread, recyclable, alloc, state)
}

/// Puts a new object of `kind` with `state` on the heap (`recyclable`: it has a
/// recycler handle) and returns the first handle to it.
pub(crate) fn materialize_new(
    jvm: &Arc<Jvm>,
    kind: ObjectKind,
    thread: ThreadId,
    recyclable: bool,
    alloc: &dyn Fn() -> AllocRef,
    state: BufState,
) -> ByteBuf {
    let alloc_id = state.alloc_id;
    let refcnt = kind
        .own_count
        .then(|| crate::refcnt::RefCnt::new(jvm.refcount_algorithm()));
    let mut objects = jvm.objects.lock();
    let id = objects.next_id();
    let obj = Arc::new(BufObject::new(
        id,
        kind.class,
        kind.instrumented,
        thread,
        recyclable,
        alloc(),
        refcnt,
        state,
    ));
    objects.insert(obj.clone());
    drop(objects);
    ByteBuf::first_handle(obj, alloc_id)
}

/// The root object `obj` views (itself for roots; for a read-only view, the root of
/// the buffer it wraps, whichever generation that object carries now).
pub(crate) fn root_of(obj: &Arc<BufObject>) -> Arc<BufObject> {
    let (unwrap, read_only) = match &obj.state().body {
        Body::Derived {
            unwrap, wrapped, ..
        } => (unwrap.clone(), wrapped.is_some()),
        _ => return obj.clone(),
    };
    if read_only {
        return root_of(&unwrap);
    }
    unwrap
}

/// A root object's current capacity.
pub(crate) fn root_capacity(root: &BufObject) -> usize {
    match &root.state().body {
        Body::Root { capacity, .. } => *capacity,
        _ => 0,
    }
}
