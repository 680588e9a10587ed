//! Predictions: what each op must return (or raise, with Netty's class and text) and
//! what it does to counts, indexes and bytes. Applied as predicted; the executor
//! stops at the first disagreement.

use super::netty::{self as texts, calculate_new_capacity, fits_in_place, write_grows};
use super::{Body, Gen, Life, MemKind, RootState, Shadow, ViewState};
use leakproof_model::buffer::{AllocId, ObjectId};
use leakproof_model::check::netty::NettySizes;
use leakproof_model::check::ExpectedBytes;
use leakproof_model::error::{JavaClass, JavaException};

mod access;
mod alloc;
mod copy;
mod derive;
mod empty;
mod read_only;
mod refcount;
mod retained;

use alloc::norm_of;
pub use alloc::refused_threshold;
use empty::Call;

/// How an expected message is compared (texts embedding a buffer's `toString()`,
/// which depends on leak sampling, are compared up to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The whole text.
    Exact,
    /// The text starts with the expected one.
    Prefix,
    /// The text ends with the expected one.
    Suffix,
}

/// A predicted exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Class.
    pub class: JavaClass,
    /// Text (or its fixed part).
    pub message: String,
    /// How `message` is compared.
    pub matching: Match,
}

impl Expected {
    pub(crate) fn exact(e: JavaException) -> Self {
        Expected {
            class: e.class,
            message: e.message,
            matching: Match::Exact,
        }
    }

    /// True when `e` is what was predicted.
    pub fn matches(&self, e: &JavaException) -> bool {
        self.class == e.class
            && match self.matching {
                Match::Exact => e.message == self.message,
                Match::Prefix => e.message.starts_with(&self.message),
                Match::Suffix => e.message.ends_with(&self.message),
            }
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (pre, post) = match self.matching {
            Match::Exact => ("", ""),
            Match::Prefix => ("", "…"),
            Match::Suffix => ("…", ""),
        };
        write!(f, "{}: {pre}{}{post}", self.class.java_name(), self.message)
    }
}

/// A generation about to be created; bound to the model's object by [`Shadow::bind`].
#[derive(Clone, Debug)]
pub struct NewGen {
    /// Its state (object, step and handle are filled in by `bind`).
    pub gen: Gen,
}

/// A successful outcome.
#[derive(Clone, Debug)]
pub enum Pred {
    /// Nothing to compare.
    Unit,
    /// `release()`'s answer.
    Released(bool),
    /// The bytes a read returns (`None`: any value).
    Bytes(ExpectedBytes),
    /// A new handle.
    New(Box<NewGen>),
    /// A new handle to this existing generation (`asReadOnly()` of a read-only
    /// buffer, `Unpooled.unreleasableBuffer`).
    Same(AllocId),
}

/// A prediction.
pub type Prediction = Result<Pred, Expected>;

/// What the shadow needs to know about the allocators.
#[derive(Clone, Debug)]
pub struct AllocEnv {
    /// Netty's sizing rules for the heap arenas, if the pooled allocator has any.
    pub heap: Option<NettySizes>,
    /// Netty's sizing rules for the direct arenas, if any.
    pub direct: Option<NettySizes>,
    /// Unpooled direct memory is counted by Netty (no Cleaner).
    pub no_cleaner: bool,
    /// `PlatformDependent.hasUnsafe()`: without it an unpooled direct buffer is an
    /// `UnpooledDirectByteBuf` (UnpooledByteBufAllocator.java:88–95).
    pub has_unsafe: bool,
    /// Netty's `DIRECT_MEMORY_LIMIT` when it counts direct memory (no-Cleaner), else
    /// `None`: an allocation may fail with `OutOfDirectMemoryError` only past it.
    pub direct_limit: Option<i64>,
    /// Memory holds no bytes (`MemoryMode::Virtual`): writes are dropped, so what a
    /// read returns is not predicted.
    pub virtual_memory: bool,
    /// The `freeSweepAllocationThreshold` (`cacheTrimInterval`) a cached thread's
    /// `PoolThreadCache` constructor refuses, if it does (`refused_threshold`).
    pub cache_refusal: Option<i32>,
    /// `useCacheForAllThreads`: plain threads get a real cache too.
    pub cache_all_threads: bool,
}

type R<T> = Result<T, Expected>;

fn ioobe(message: String, matching: Match) -> Expected {
    Expected {
        class: JavaClass::IndexOutOfBounds,
        message,
        matching,
    }
}

fn released() -> Expected {
    Expected::exact(texts::ref_cnt(0))
}

fn out_of_bounds(index: i64, length: i64, capacity: usize) -> bool {
    index < 0 || length < 0 || index + length > capacity as i64
}

impl Shadow {
    fn g(&self, id: AllocId) -> &Gen {
        &self.gens[&id]
    }

    fn gm(&mut self, id: AllocId) -> &mut Gen {
        self.gens.get_mut(&id).expect("known generation")
    }

    /// The generation `g`'s object carries now.
    pub fn cur(&self, g: AllocId) -> AllocId {
        self.gens
            .get(&g)
            .and_then(|x| self.current.get(&x.object))
            .copied()
            .unwrap_or(g)
    }

    fn view(&self, e: AllocId) -> Option<&ViewState> {
        match &self.g(e).body {
            Body::View(v) => Some(v),
            Body::Root(_) => None,
        }
    }

    /// The generation that answers for `e`'s range, count and life: for a read-only
    /// view of a pooled retained derivative, the generation that derivative's object
    /// carries now (ReadOnlyByteBuf.java:424–426 `capacity()`, AbstractDerivedByteBuf
    /// `refCnt0`/`isAccessible0`, `getBytes`: all `unwrap()`'s); `e` itself otherwise.
    fn through(&self, e: AllocId) -> AllocId {
        match self.view(e).and_then(|v| v.read_only?.recyclable()) {
            Some(w) => self.cur(w),
            None => e,
        }
    }

    /// For a read-only view wrapping a pooled derivative whose object the Recycler
    /// has since given another generation: (the generation it wrapped, the one it
    /// reaches now). The view itself is live; its `buffer` reference is stale.
    pub fn stale_wrapped(&self, e: AllocId) -> Option<(AllocId, AllocId)> {
        let w = self.gen(e).and_then(|g| match &g.body {
            Body::View(v) => v.read_only?.recyclable(),
            Body::Root(_) => None,
        })?;
        let now = self.cur(w);
        (now != w).then_some((w, now))
    }

    /// The generation whose count `e` uses.
    pub fn holder(&self, e: AllocId) -> AllocId {
        let e = self.through(e);
        match self.view(e) {
            Some(v) if self.g(e).count.is_none() => self.cur(v.holder),
            _ => e,
        }
    }

    /// The root generation `e` views now (`None` for a recycled derivative).
    pub fn root(&self, e: AllocId) -> Option<AllocId> {
        let e = self.through(e);
        match self.view(e) {
            None => Some(e),
            Some(v) if v.recycled => None,
            Some(v) => Some(self.cur(v.root)),
        }
    }

    fn root_state(&self, r: AllocId) -> &RootState {
        match &self.g(r).body {
            Body::Root(s) => s,
            Body::View(_) => unreachable!("roots are roots"),
        }
    }

    fn root_mut(&mut self, r: AllocId) -> &mut RootState {
        match &mut self.gm(r).body {
            Body::Root(s) => s,
            Body::View(_) => unreachable!("roots are roots"),
        }
    }

    /// `capacity()` of `e`.
    pub fn capacity(&self, e: AllocId) -> usize {
        let e = self.through(e);
        match self.view(e) {
            None => self.root_state(e).capacity,
            // A recycled PooledSlicedByteBuf's capacity() is its maxCapacity()
            // (PooledSlicedByteBuf.java:66–68), which deallocate keeps.
            Some(v) if v.recycled => v.fixed.map_or(0, |_| self.g(e).max),
            Some(v) => v
                .fixed
                .unwrap_or_else(|| self.root(e).map_or(0, |r| self.root_state(r).capacity)),
        }
    }

    fn adj(&self, e: AllocId) -> usize {
        let e = self.through(e);
        match self.view(e) {
            Some(v) if !v.recycled => v.adjustment,
            _ => 0,
        }
    }

    /// The real count `e` reports (`refCnt()`).
    pub fn ref_cnt(&self, e: AllocId) -> i32 {
        self.g(self.holder(e)).count.unwrap_or(0)
    }

    fn accessible(&self, e: AllocId) -> R<()> {
        if self.refcount.check_accessible && self.access_count(e) == 0 {
            return Err(released());
        }
        Ok(())
    }

    /// The count `ensureAccessible()` tests for `e` (AbstractByteBuf.java:1487–1491 of
    /// 4.1.48): `refCnt()`'s, except that 4.1.48's `AbstractDerivedByteBuf.isAccessible()`
    /// is final and asks `unwrap()` (java:35–37), so a `PooledNonRetained*` view, or a
    /// read-only view of one (which wraps the view itself, ReadOnlyByteBuf.java:44–47),
    /// is accessible while its root is, even after the retained derivative whose count
    /// it shares was released. 4.1.128 overrides `isAccessible0` to ask that derivative.
    fn access_count(&self, e: AllocId) -> i32 {
        let non_retained = matches!(
            self.kind(e),
            derive::Kind::NonRetainedSliced
                | derive::Kind::NonRetainedDuplicated
                | derive::Kind::ReadOnly(super::Wraps::NonRetainedSliced)
        );
        if non_retained && !self.derived.non_retained_access_follows_delegate {
            return self.root(e).map_or(0, |r| self.g(r).count.unwrap_or(0));
        }
        self.ref_cnt(e)
    }

    fn is_pooled_derivative(&self, g: AllocId) -> bool {
        self.view(g).is_some() && self.g(g).count.is_some()
    }

    fn pooled_owner(&self, e: AllocId) -> Option<AllocId> {
        let h = self.holder(e);
        self.is_pooled_derivative(h).then_some(h)
    }

    fn check_index0(&self, e: AllocId, index: usize, length: usize) -> R<()> {
        let cap = self.capacity(e);
        if out_of_bounds(index as i64, length as i64, cap) {
            return Err(Expected::exact(texts::index_out_of_range(
                index as i64,
                length as i64,
                cap,
            )));
        }
        Ok(())
    }

    fn check_root_range(&self, e: AllocId, index: usize, length: usize) -> R<()> {
        let e = self.through(e);
        match self.view(e) {
            None => Ok(()),
            Some(v) if v.recycled => Err(released()),
            Some(_) => {
                // The root's checked accessor runs ensureAccessible() first: a view
                // with a count of its own over a released root answers refCnt: 0.
                if let Some(r) = self.root(e) {
                    if self.refcount.check_accessible && self.root_state(r).life != Life::Live {
                        return Err(released());
                    }
                }
                let cap = self.root(e).map_or(0, |r| self.root_state(r).capacity);
                let start = self.adj(e) + index;
                if out_of_bounds(start as i64, length as i64, cap) {
                    return Err(Expected::exact(texts::index_out_of_range(
                        start as i64,
                        length as i64,
                        cap,
                    )));
                }
                Ok(())
            }
        }
    }

    fn check_readable(&self, e: AllocId, length: usize) -> R<()> {
        self.accessible(e)?;
        let g = self.g(e);
        if g.reader as i64 > g.writer as i64 - length as i64 {
            return Err(ioobe(
                format!(
                    "readerIndex({}) + length({length}) exceeds writerIndex({}): ",
                    g.reader, g.writer
                ),
                Match::Prefix,
            ));
        }
        Ok(())
    }
}
