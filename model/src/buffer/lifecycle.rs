//! `retain`, `release`, `touch` and what a release to zero does (`deallocate`).

use super::{Body, BufClass, BufObject, ByteBuf, Region};
use crate::error::JavaResult;
use crate::leak::AccessKind;
use crate::mutant::Mutant;
use crate::sync::Arc;
use crate::thread::ThreadId;

impl ByteBuf {
    /// `retain()`.
    pub fn retain(&self) -> JavaResult<()> {
        self.retain_n(1)
    }

    /// `retain(increment)`.
    pub fn retain_n(&self, increment: i32) -> JavaResult<()> {
        if self.is_unreleasable() || self.counts_nothing() {
            return Ok(());
        }
        let holder = self.count_holder();
        retain_object(&holder, increment)?;
        self.jvm().leak_record(&holder, AccessKind::Retain, None);
        Ok(())
    }

    /// `release()`: true when this call released the last reference and deallocated.
    ///
    /// Java's `release()` runs on the calling thread; this one runs on the thread that
    /// created this buffer object (its recycler owner), so a recycle it causes is never
    /// a cross-thread one. [`ByteBuf::release_on`] names the thread.
    pub fn release(&self) -> JavaResult<bool> {
        self.release_n(1)
    }

    /// `release(decrement)` on the thread that created this buffer object (as
    /// [`ByteBuf::release`]).
    pub fn release_n(&self, decrement: i32) -> JavaResult<bool> {
        self.release_n_on(self.owner_thread(), decrement)
    }

    /// `release()` on logical thread `t`: a deallocation recycles the object from `t`
    /// (4.1.48: into a `WeakOrderQueue` when `t` is not the object's owner).
    pub fn release_on(&self, t: ThreadId) -> JavaResult<bool> {
        self.release_n_on(t, 1)
    }

    /// `release(decrement)` on logical thread `t`.
    pub fn release_n_on(&self, t: ThreadId, decrement: i32) -> JavaResult<bool> {
        if self.is_unreleasable() || self.counts_nothing() {
            return Ok(false);
        }
        let derived_holder;
        let holder = if self.obj.own_refcnt().is_some() {
            // A count holder is its own holder: skip the `Arc` round trip (hot path).
            &self.obj
        } else {
            derived_holder = self.count_holder();
            &derived_holder
        };
        self.jvm().leak_record(holder, AccessKind::Release, None);
        release_object(holder, decrement, t)
    }

    /// `touch(Object hint)` with a hint value: the record shows its text (Netty's
    /// `ResourceLeakHint.toHintString()` or `toString()`).
    pub fn touch_hint(&self, hint: &dyn std::fmt::Display) {
        self.touch(&hint.to_string());
    }

    /// `touch(hint)`: records an access at ADVANCED/PARANOID (a no-op otherwise).
    pub fn touch(&self, hint: &str) {
        if self.is_unreleasable() || self.counts_nothing() {
            return;
        }
        let holder = self.count_holder();
        self.jvm()
            .leak_record(&holder, AccessKind::Touch, Some(hint));
    }
}

/// Retains `holder`'s own count.
pub(crate) fn retain_object(holder: &Arc<BufObject>, increment: i32) -> JavaResult<()> {
    let jvm = holder.alloc().jvm();
    let refcnt = holder.own_refcnt().expect("count holders own a count");
    refcnt
        .retain(increment, &jvm.profile().refcount)
        .inspect_err(|e| jvm.events().record_error(e))
}

/// Releases `holder`'s own count on thread `t` and deallocates on the transition to zero.
pub(crate) fn release_object(
    holder: &Arc<BufObject>,
    decrement: i32,
    t: ThreadId,
) -> JavaResult<bool> {
    let jvm = holder.alloc().jvm();
    let refcnt = holder.own_refcnt().expect("count holders own a count");
    let released = refcnt
        .release(decrement, &jvm.profile().refcount)
        .inspect_err(|e| jvm.events().record_error(e))?;
    if released {
        deallocate(holder, t)?;
        return Ok(true);
    }
    Ok(false)
}

/// `deallocate()`: frees a root's memory (recycling pooled objects) or, for a pooled
/// retained derivative, recycles it and releases its direct parent (#5999, #5347); on
/// thread `t`.
pub(crate) fn deallocate(obj: &Arc<BufObject>, t: ThreadId) -> JavaResult<()> {
    let jvm = obj.alloc().jvm();
    if obj.class().is_pooled_derivative() {
        let tracker = obj.state().tracker.take();
        if let Some(tracker) = tracker {
            jvm.leak_close(tracker.id, obj.handle_count() <= 1);
        }
        return deallocate_derivative(obj, t);
    }
    // One critical section takes the tracker and the memory (nobody but this
    // deallocation writes either field of a released object).
    let (tracker, region) = {
        let mut state = obj.state();
        let tracker = state.tracker.take();
        let heap = matches!(
            obj.class(),
            BufClass::UnpooledHeap | BufClass::UnpooledUnsafeHeap
        );
        let region = match &mut state.body {
            // `PooledByteBuf.deallocate` runs only `if (handle >= 0)` (java:166–175 of
            // 4.1.48, :171–181 of 4.1.128): an object a failed allocation claimed
            // frees nothing, keeps its fields and is not recycled.
            Body::Root {
                region: Region::Unallocated,
                ..
            } => return Ok(()),
            Body::Root { region, capacity } => {
                // UnpooledHeapByteBuf.deallocate (4.1.48 and 4.1.128 alike): `array =
                // EMPTY_BYTES`, and `capacity()` is `array.length` from then on.
                if heap {
                    *capacity = 0;
                }
                std::mem::replace(region, Region::Freed)
            }
            _ => Region::Freed,
        };
        // 4.1.48 keeps `PooledByteBuf.cache` set: the recycled object keeps the cache
        // reachable.
        if jvm.profile().allocator.clear_cache_link_on_deallocate {
            state.cache_link = None;
        }
        (tracker, region)
    };
    if let Some(tracker) = tracker {
        jvm.leak_close(tracker.id, obj.handle_count() <= 1);
    }
    match region {
        Region::Unpooled(r) => obj.alloc().free_unpooled(r),
        Region::Pooled(r) => obj.alloc().free_pooled(r)?,
        Region::Freed | Region::Unallocated | Region::Empty => {}
    }
    if obj.class().is_pooled_root() {
        recycle(obj, t);
    }
    Ok(())
}

fn deallocate_derivative(obj: &Arc<BufObject>, t: ThreadId) -> JavaResult<()> {
    let jvm = obj.alloc().jvm();
    let mutant = jvm.mutant();
    let parent = if mutant == Mutant::RecycleBeforeParentRelease {
        // #5347: recycle first, then read the (possibly re-initialised) parent field.
        recycle(obj, t);
        derivative_parent(obj, mutant)
    } else {
        let parent = derivative_parent(obj, mutant);
        recycle(obj, t);
        parent
    };
    match parent {
        Some(parent) => release_object(&parent, 1, t).map(|_| ()),
        None => Ok(()),
    }
}

/// The object a derivative releases when it deallocates: its direct parent, or with
/// `Mutant::DerivedReleasesRoot` (#5999) the root.
fn derivative_parent(obj: &Arc<BufObject>, mutant: Mutant) -> Option<Arc<BufObject>> {
    match &obj.state().body {
        Body::Derived { parent, unwrap, .. } => {
            if mutant == Mutant::DerivedReleasesRoot {
                Some(unwrap.clone())
            } else {
                parent.clone()
            }
        }
        _ => None,
    }
}

/// Recycles a recyclable object on thread `t` (`handle.recycle(this)`). Derivatives
/// clear their references first when the profile does (#14250; not under
/// `Mutant::RecycledDerivativeKeepsParent`).
fn recycle(obj: &Arc<BufObject>, t: ThreadId) {
    if !obj.is_recyclable() {
        return;
    }
    let jvm = obj.alloc().jvm();
    let mut recycler = jvm.recycler.lock();
    if !recycler.owner_alive(obj.owner_thread()) {
        return;
    }
    if obj.class().is_pooled_derivative()
        && jvm.profile().leak.recycled_derivative_clears_parent
        && jvm.mutant() != Mutant::RecycledDerivativeKeepsParent
    {
        obj.state().body = Body::Recycled;
    }
    let family = obj.alloc().pooled_id().unwrap_or(0);
    if recycler.give_back(obj.class(), family, obj, t) {
        obj.set_in_recycler(true);
    }
}
