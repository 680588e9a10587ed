//! Invariants over the buffer objects on the simulated heap: refcount parity, parents
//! kept alive, and the model's internal assertions.

use super::netty;
use crate::buffer::{Body, BufObject, Region};
use crate::error::{JavaClass, JavaException};
use crate::invariant::{DERIVED_KEEPS_PARENT_ALIVE, MODEL_RAISED_NO_ASSERTION, REFCOUNT_PARITY};
use crate::jvm::Jvm;
use crate::refcnt::Algorithm;
use crate::sync::Arc;
use crate::violation::Violation;

/// The buffer objects on the simulated heap, in id order: read once per full check and
/// shared by the rules that judge them (nothing changes while those rules run).
pub struct HeapObjects(Vec<Arc<BufObject>>);

impl HeapObjects {
    /// Every object on `jvm`'s heap now.
    #[inline]
    pub fn of(jvm: &Jvm) -> Self {
        HeapObjects(jvm.objects.lock().all())
    }

    /// The objects, in id order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &Arc<BufObject>> + '_ {
        self.0.iter()
    }
}

/// §9.9: under the even/odd protocol a root's raw count is even exactly while it holds
/// memory and odd once freed (odd is terminal: a freed root never holds memory again
/// until the recycler resets it for a new generation); a recycled derivative is odd.
#[inline]
pub fn refcount_parity(objects: &HeapObjects) -> Result<(), Violation> {
    for obj in objects.iter() {
        let Some(count) = obj.own_refcnt() else {
            continue;
        };
        if count.algorithm() != Algorithm::EvenOdd {
            continue;
        }
        let raw = count.raw();
        let state = obj.state();
        let bad = match &state.body {
            // An object a failed allocation claimed holds no memory with a live count
            // (`reuse` reset it, PooledByteBuf.java:77–82), and its release keeps it so.
            Body::Root {
                region: Region::Unallocated,
                ..
            } => false,
            Body::Root { region, .. } => {
                let holds = !matches!(region, Region::Freed);
                holds == (raw & 1 == 1)
            }
            Body::Recycled => raw & 1 == 0,
            Body::Derived { .. } => false,
        };
        if bad {
            return Err(Violation::new(
                REFCOUNT_PARITY,
                format!(
                    "{} {} (generation {}) has raw count {raw} but {}",
                    obj.simple_name(),
                    obj.id(),
                    state.alloc_id,
                    match &state.body {
                        Body::Root {
                            region: Region::Freed,
                            ..
                        } => "its memory was freed",
                        Body::Root { .. } => "it still holds memory",
                        _ => "it was recycled",
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// §9.10 (#5999): a pooled retained derivative whose own count is ≥ 1 keeps its direct
/// parent's count ≥ 1 — unless the program itself over-released the parent, which
/// `released_by_program(parent)` (the shadow model's view) answers: that is misuse.
#[inline]
pub fn derived_keeps_parent_alive(
    objects: &HeapObjects,
    released_by_program: impl Fn(crate::buffer::ObjectId) -> bool,
) -> Result<(), Violation> {
    // The real count of a cell, by `ReferenceCountUpdater.realRefCnt` (check::netty).
    let real = |c: &crate::refcnt::RefCnt| {
        netty::real_ref_cnt(c.raw(), c.algorithm() == Algorithm::EvenOdd)
    };
    for obj in objects.iter() {
        let Some(count) = obj.own_refcnt() else {
            continue;
        };
        let own = real(count);
        if own < 1 || obj.is_in_recycler() {
            continue;
        }
        let parent = match &obj.state().body {
            Body::Derived {
                parent: Some(p), ..
            } => p.clone(),
            _ => continue,
        };
        let parent_count = parent.own_refcnt().map_or(0, real);
        if parent_count < 1 && !released_by_program(parent.id()) {
            return Err(Violation::new(
                DERIVED_KEEPS_PARENT_ALIVE,
                format!(
                    "{} {} has refCnt {} but its parent {} {} was released",
                    obj.simple_name(),
                    obj.id(),
                    own,
                    parent.simple_name(),
                    parent.id()
                ),
            ));
        }
    }
    Ok(())
}

/// §8 rows 6–8: an op answered with an internal `AssertionError` (a double free, a
/// handle freed as the wrong class) — Netty asserts these only under `-ea`, so
/// production Netty would corrupt its pool instead.
#[inline]
pub fn model_raised_no_assertion(error: &JavaException) -> Result<(), Violation> {
    if error.class == JavaClass::Assertion {
        return Err(Violation::new(
            MODEL_RAISED_NO_ASSERTION,
            format!("{error}"),
        ));
    }
    Ok(())
}
