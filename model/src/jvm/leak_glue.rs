//! The JVM's one `ResourceLeakDetector<ByteBuf>` and the calls the buffer layer and the
//! GC make into it (`toLeakAwareBuffer`, the wrappers' records, `close`, collection).

use super::Jvm;
use crate::buffer::{BufObject, ByteBuf, LeakHandle};
use crate::error::JavaResult;
use crate::leak::{
    derivative_tracking, wrapper_records, AccessKind, DerivativeTracking, LeakDetector, LeakLevel,
    LeakReport, Record, TrackerId, WrapperKind,
};
use crate::refcnt::Algorithm;
use crate::sync::book::counter::Ordering;
use crate::sync::{Arc, BookGuard};
use std::ops::{Deref, DerefMut};

/// The locked leak detector. Releasing it writes the detector's level back to the
/// JVM's lock-free mirror, so `setLevel` through it affects the next allocation.
pub struct LeakGuard<'a> {
    jvm: &'a Jvm,
    detector: BookGuard<'a, LeakDetector>,
}

impl Deref for LeakGuard<'_> {
    type Target = LeakDetector;
    fn deref(&self) -> &LeakDetector {
        &self.detector
    }
}

impl DerefMut for LeakGuard<'_> {
    fn deref_mut(&mut self) -> &mut LeakDetector {
        &mut self.detector
    }
}

impl Drop for LeakGuard<'_> {
    fn drop(&mut self) {
        self.jvm.mirror_leak_state(&self.detector);
    }
}

impl Jvm {
    /// The refcount algorithm in force: the profile's, or the mutant's.
    pub fn refcount_algorithm(&self) -> Algorithm {
        Algorithm::select(&self.profile().refcount, self.mutant())
    }

    /// The leak detector (locked).
    pub fn leak_detector(&self) -> LeakGuard<'_> {
        LeakGuard {
            jvm: self,
            detector: self.leak.lock(),
        }
    }

    /// Copies the detector's level and whether it ever made a tracker to the mirrors
    /// read without its lock.
    fn mirror_leak_state(&self, detector: &LeakDetector) {
        self.leak_level
            .store(detector.level() as u8, Ordering::Relaxed);
        if detector.stats().tracked + detector.stats().forced > 0 {
            self.leak_tracked_any.store(true, Ordering::Relaxed);
        }
    }

    /// The detector's level, read without its lock.
    fn leak_level(&self) -> LeakLevel {
        LeakLevel::ALL[usize::from(self.leak_level.load(Ordering::Relaxed))]
    }

    /// Sets the call site that new leak records name (the op or scenario stage about to
    /// run), standing in for the Java stack above Netty.
    pub fn set_site(&self, site: impl Into<String>) {
        *self.site.lock() = Arc::from(site.into());
    }

    /// The current call site.
    pub fn site(&self) -> String {
        self.site.lock().to_string()
    }

    /// The current call site without copying it (read on every sampled allocation).
    fn shared_site(&self) -> Arc<str> {
        self.site.lock().clone()
    }

    /// Leak reports not yet taken.
    pub fn take_leak_reports(&self) -> Vec<LeakReport> {
        self.leak.lock().take_new_reports()
    }

    /// `toLeakAwareBuffer(buf)` for a new root made by `allocator.method`: tracks it
    /// at SIMPLE (1 in samplingInterval), ADVANCED likewise, PARANOID always. Inlined
    /// down to the level check: with detection disabled it costs one relaxed load.
    #[inline(always)]
    pub(crate) fn leak_track_root(
        &self,
        buf: &ByteBuf,
        allocator: &str,
        method: &str,
    ) -> JavaResult<()> {
        match WrapperKind::for_level(self.leak_level()) {
            None => Ok(()),
            Some(wrapper) => self.leak_track_root_as(wrapper, buf, allocator, method),
        }
    }

    /// [`Jvm::leak_track_root`] at a level that tracks, behind `wrapper`.
    #[inline(never)]
    fn leak_track_root_as(
        &self,
        wrapper: WrapperKind,
        buf: &ByteBuf,
        allocator: &str,
        method: &str,
    ) -> JavaResult<()> {
        let site = self.shared_site();
        let object = buf.object_id().0;
        let id = {
            let mut rng = self.rng.lock();
            let mut leak = self.leak_detector();
            leak.track_with(&mut *rng, object, || Record::at(allocator, method, &site))?
        };
        if let Some(id) = id {
            buf.object().state().tracker = Some(LeakHandle { id, wrapper });
        }
        Ok(())
    }

    /// `AbstractByteBufAllocator.toLeakAwareBuffer(buf)` for any buffer: by the
    /// detector's level, untracked (DISABLED), or tracked — 1 in `samplingInterval` at
    /// SIMPLE and ADVANCED, always at PARANOID — behind a `SimpleLeakAwareByteBuf`
    /// (SIMPLE) or `AdvancedLeakAwareByteBuf`. The model keeps the tracker on the
    /// object whose count `buf` uses, one per object: a buffer already tracked is
    /// returned as it is (Netty would wrap the wrapper). An `EmptyByteBuf` is returned
    /// untracked: its one object is the allocator's, which a tracker on it would change
    /// for every later `(0, 0)` allocation (Netty wraps it; docs/fidelity.md).
    pub fn to_leak_aware_buffer(&self, buf: &ByteBuf) -> JavaResult<ByteBuf> {
        let holder = ByteBuf::from_object(buf.count_holder());
        if holder.object().state().tracker.is_none() && !holder.is_empty_buffer() {
            self.leak_track_root(&holder, "AbstractByteBufAllocator", "toLeakAwareBuffer")?;
        }
        Ok(buf.clone())
    }

    /// Tracks a new pooled retained derivative as the profile says (#13436): forced
    /// when the parent is tracked (4.1.94+), sampled independently before.
    pub(crate) fn leak_track_derivative(
        &self,
        derived: &ByteBuf,
        parent: &BufObject,
        op: AccessKind,
    ) -> JavaResult<()> {
        let parent_handle = parent.state().tracker;
        let rule = derivative_tracking(
            parent_handle.is_some(),
            op,
            true,
            &self.profile().leak,
            self.mutant(),
        );
        let Some(parent_handle) = parent_handle else {
            return Ok(());
        };
        let object = derived.object_id().0;
        let method = if op == AccessKind::RetainedSlice {
            "retainedSlice"
        } else {
            "retainedDuplicate"
        };
        let creation = Record::at("ByteBuf", method, &self.shared_site());
        let id = match rule {
            DerivativeTracking::ForceOwn => {
                Some(self.leak_detector().track_forcibly(object, creation))
            }
            DerivativeTracking::SampleOwn => {
                let mut rng = self.rng.lock();
                self.leak_detector().track(&mut *rng, object, creation)?
            }
            DerivativeTracking::Untracked | DerivativeTracking::ShareParent => None,
        };
        if let Some(id) = id {
            derived.object().state().tracker = Some(LeakHandle {
                id,
                wrapper: parent_handle.wrapper,
            });
        }
        Ok(())
    }

    /// An access through a leak-aware wrapper: the advanced wrapper records it. Inlined
    /// down to the check whether anything was ever tracked (one relaxed load).
    #[inline(always)]
    pub(crate) fn leak_record(&self, holder: &BufObject, op: AccessKind, hint: Option<&str>) {
        if self.leak_tracked_any.load(Ordering::Relaxed) {
            self.leak_record_tracked(holder, op, hint);
        }
    }

    /// [`Jvm::leak_record`] once something was tracked.
    #[inline(never)]
    fn leak_record_tracked(&self, holder: &BufObject, op: AccessKind, hint: Option<&str>) {
        let Some(handle) = holder.state().tracker else {
            return;
        };
        let only_acquire = self.leak.lock().config().acquire_and_release_only;
        if !wrapper_records(handle.wrapper, op, only_acquire) {
            return;
        }
        let method = access_method(op);
        let site = self.shared_site();
        let record = match hint {
            Some(hint) => Record::hinted_at(hint, "ByteBuf", method, &site),
            None => Record::at("ByteBuf", method, &site),
        };
        let mut rng = self.rng.lock();
        self.leak.lock().record(&mut *rng, handle.id, record);
    }

    /// The count reached zero: `closeLeak()` (with `reachabilityFence0`).
    pub(crate) fn leak_close(&self, id: TrackerId, caller_held_last_reference: bool) {
        self.leak
            .lock()
            .close_on_release(id, caller_held_last_reference);
    }

    /// The GC found a tracked buffer unreachable; true when its tracker was enqueued.
    pub(crate) fn leak_referent_collected(&self, id: TrackerId) -> bool {
        let mut leak = self.leak.lock();
        let before = leak.queued().len();
        leak.on_referent_collected(id);
        leak.queued().len() > before
    }
}

/// The Java method name a record of `op` shows.
fn access_method(op: AccessKind) -> &'static str {
    match op {
        AccessKind::Retain => "retain",
        AccessKind::Release => "release",
        AccessKind::Touch => "touch",
        AccessKind::Read => "getBytes",
        AccessKind::Write => "setBytes",
        AccessKind::Slice => "slice",
        AccessKind::Duplicate => "duplicate",
        AccessKind::RetainedSlice => "retainedSlice",
        AccessKind::RetainedDuplicate => "retainedDuplicate",
        AccessKind::ReadOnly => "asReadOnly",
        AccessKind::Order => "order",
        AccessKind::Copy => "copy",
        AccessKind::CapacityChange => "capacity",
        AccessKind::Metadata => "toString",
    }
}
