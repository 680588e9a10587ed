//! Predictions for derived buffers: slices, duplicates, retained derivatives and
//! copies (netty.md §6.3), by the Java class whose override runs in 4.1.128 (cited
//! per arm; `A` = AbstractByteBuf.java, `AUS` = AbstractUnpooledSlicedByteBuf.java,
//! `D` = DuplicatedByteBuf.java, `PS` = PooledSlicedByteBuf.java, `PD` =
//! PooledDuplicatedByteBuf.java, `APD` = AbstractPooledDerivedByteBuf.java,
//! `PB` = PooledByteBuf.java).

use super::*;
use crate::shadow::Wraps;

/// The Java class of a generation, told apart by the shadow's own view state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A root (`PooledByteBuf` when pooled).
    Root { pooled: bool },
    /// `UnpooledSlicedByteBuf`.
    Sliced,
    /// `UnpooledDuplicatedByteBuf`.
    Duplicated,
    /// `PooledSlicedByteBuf` (own count).
    PooledSliced,
    /// `PooledDuplicatedByteBuf` (own count).
    PooledDuplicated,
    /// `PooledNonRetainedSlicedByteBuf` (a pooled derivative's count).
    NonRetainedSliced,
    /// `PooledNonRetainedDuplicateByteBuf`.
    NonRetainedDuplicated,
    /// `ReadOnlyByteBuf` wrapping a buffer of this class.
    ReadOnly(Wraps),
}

impl Wraps {
    /// The class whose slice rule a read-only view applies to what it wraps (a
    /// root's does not depend on pooling).
    pub(super) fn kind(self) -> Kind {
        match self {
            Wraps::Root => Kind::Root { pooled: false },
            Wraps::Sliced => Kind::Sliced,
            Wraps::PooledSliced(_) => Kind::PooledSliced,
            Wraps::PooledDuplicated(_) => Kind::PooledDuplicated,
            Wraps::NonRetainedSliced => Kind::NonRetainedSliced,
        }
    }
}

impl Shadow {
    pub(super) fn kind(&self, e: AllocId) -> Kind {
        let Some(v) = self.view(e) else {
            return Kind::Root {
                pooled: self.root_state(e).pooled_root,
            };
        };
        if let Some(w) = v.read_only {
            return Kind::ReadOnly(w);
        }
        let slice = v.fixed.is_some();
        match (
            self.g(e).count.is_some(),
            self.pooled_owner(e).is_some(),
            slice,
        ) {
            (true, _, true) => Kind::PooledSliced,
            (true, _, false) => Kind::PooledDuplicated,
            (false, true, true) => Kind::NonRetainedSliced,
            (false, true, false) => Kind::NonRetainedDuplicated,
            (false, false, true) => Kind::Sliced,
            (false, false, false) => Kind::Duplicated,
        }
    }

    pub(super) fn new_view(&self, view: ViewState, idx: (usize, usize, usize)) -> Pred {
        let own = view.parent.is_some();
        Pred::New(Box::new(NewGen {
            gen: Gen {
                object: ObjectId(0),
                step: 0,
                handle: 0,
                reader: idx.0,
                writer: idx.1,
                max: idx.2,
                count: own.then_some(1),
                body: Body::View(ViewState {
                    holder: if own { AllocId(0) } else { view.holder },
                    ..view
                }),
            },
        }))
    }

    /// `setIndex(r, w)` on a new view (`checkIndexBounds` against its capacity).
    pub(super) fn set_new_indexes(&self, mut p: Pred, reader: usize, writer: usize) -> Prediction {
        if let Pred::New(n) = &mut p {
            let cap = match &n.gen.body {
                Body::View(v) => v.fixed.unwrap_or_else(|| self.capacity(v.root)),
                Body::Root(r) => r.capacity,
            };
            check_indexes(reader, writer, cap)?;
            n.gen.reader = reader;
            n.gen.writer = writer;
        }
        Ok(p)
    }

    /// `checkSliceOutOfBounds(index, length, root)` (AUS:477–481): names the root.
    pub(super) fn check_root_slice(&self, e: AllocId, index: usize, length: usize) -> R<AllocId> {
        let root = self.root(e).ok_or_else(released)?;
        if out_of_bounds(index as i64, length as i64, self.capacity(root)) {
            return Err(ioobe(format!(".slice({index}, {length})"), Match::Suffix));
        }
        Ok(root)
    }

    /// `A.slice(index, length)` on root `r` (A:1219–1222): ensureAccessible, then an
    /// `UnpooledSlicedByteBuf` checked against `r`.
    fn root_slice(&self, r: AllocId, index: usize, length: usize) -> Prediction {
        self.accessible(r)?;
        self.check_root_slice(r, index, length)?;
        let view = ViewState::slice(r, index, length, r);
        Ok(self.new_view(view, (0, length, length)))
    }

    /// `new PooledNonRetainedSlicedByteBuf(delegate, unwrap(), index, length)`
    /// (APD:158, 233, 316): bounds against the root.
    fn non_retained_slice(&self, e: AllocId, delegate: AllocId, i: usize, n: usize) -> Prediction {
        let root = self.check_root_slice(e, i, n)?;
        let view = ViewState::slice(root, i, n, delegate);
        Ok(self.new_view(view, (0, n, n)))
    }

    /// `slice(index, length)` through `e`.
    pub fn slice_range(&self, e: AllocId, index: usize, length: usize) -> Prediction {
        match self.kind(e) {
            // ReadOnlyByteBuf.java:297–299: new ReadOnlyByteBuf(unwrap().slice(i, l)).
            Kind::ReadOnly(w) => {
                let p = self.slice_as(e, w.kind(), index, length)?;
                Ok(self.read_only_of_new(p))
            }
            kind => self.slice_as(e, kind, index, length),
        }
    }

    /// `slice(index, length)` by the rules of class `kind` (the class of `e`, or the
    /// class of what a read-only view `e` wraps: it has the same range and count).
    fn slice_as(&self, e: AllocId, kind: Kind, index: usize, length: usize) -> Prediction {
        let adjusted = self.adj(e) + index;
        match kind {
            // AUS:233–236: checkIndex0, then unwrap().slice(idx(index), length).
            Kind::Sliced => {
                self.check_index0(e, index, length)?;
                self.root_slice(self.root(e).ok_or_else(released)?, adjusted, length)
            }
            // D:214–216: unwrap().slice(index, length).
            Kind::Duplicated => self.root_slice(self.root(e).ok_or_else(released)?, index, length),
            // PS:105–108: checkIndex0, then APD.slice (ensureAccessible).
            Kind::PooledSliced => {
                self.check_index0(e, index, length)?;
                self.accessible(e)?;
                self.non_retained_slice(e, self.holder(e), adjusted, length)
            }
            // APD:155–159.
            Kind::PooledDuplicated => {
                self.accessible(e)?;
                self.non_retained_slice(e, self.holder(e), index, length)
            }
            // APD:231–234, 314–317: checkIndex (accessible, then bounds).
            Kind::NonRetainedSliced | Kind::NonRetainedDuplicated => {
                self.accessible(e)?;
                self.check_index0(e, index, length)?;
                self.non_retained_slice(e, self.holder(e), adjusted, length)
            }
            Kind::Root { .. } => self.root_slice(self.root(e).ok_or_else(released)?, index, length),
            Kind::ReadOnly(_) => unreachable!("a read-only view wraps no read-only view"),
        }
    }

    /// `slice()` through `e`.
    pub fn slice(&self, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::View) {
            return p;
        }
        let g = self.g(e);
        self.slice_range(e, g.reader, g.writer.saturating_sub(g.reader))
    }

    /// A root-wide non-retained duplicate sharing `delegate`'s count, with the root's
    /// indexes, of `of`: `new PooledNonRetainedDuplicateByteBuf(delegate, of)`, whose
    /// `maxCapacity` is `of.maxCapacity()` (DuplicatedByteBuf.java:46).
    fn non_retained_duplicate(&self, e: AllocId, delegate: AllocId, of: Of) -> Prediction {
        let root = self.root(e).ok_or_else(released)?;
        let g = self.g(root);
        let view = ViewState::duplicate(root, delegate);
        Ok(self.new_view(view, (g.reader, g.writer, self.g(of.pick(e, root)).max)))
    }

    /// `duplicate()` through `e`.
    pub fn duplicate(&self, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::View) {
            return p;
        }
        let (reader, writer, adj) = (self.g(e).reader, self.g(e).writer, self.adj(e));
        let slice_rule = self.derived.duplicate_of_slice_is_slice;
        match self.kind(e) {
            // ReadOnlyByteBuf.java:287–289: new ReadOnlyByteBuf(this).
            // Its constructor's setIndex checks the indexes against the capacity
            // (java:50).
            Kind::ReadOnly(_) => {
                let cap = self.capacity(e);
                check_indexes(reader, writer, cap)?;
                Ok(self.read_only_view(e))
            }
            // AUS:217–219, PS:117–119 (#14093): slice(0, capacity()).setIndex(r, w).
            Kind::Sliced | Kind::PooledSliced if slice_rule => {
                let p = self.slice_range(e, 0, self.capacity(e))?;
                self.set_new_indexes(p, reader, writer)
            }
            // 4.1.48: unwrap().duplicate().setIndex(idx(r), idx(w)).
            Kind::Sliced => {
                let p = self.duplicate(self.root(e).ok_or_else(released)?)?;
                self.set_new_indexes(p, reader + adj, writer + adj)
            }
            // APD:302–306 (and the 4.1.48 PS): duplicate0().setIndex(idx(r), idx(w)).
            Kind::PooledSliced | Kind::NonRetainedSliced => {
                self.accessible(e)?;
                let p = self.non_retained_duplicate(e, self.holder(e), Of::Root)?;
                self.set_new_indexes(p, reader + adj, writer + adj)
            }
            // PD:98–100: duplicate0(), of unwrap(); APD:220–223: of this.
            Kind::PooledDuplicated | Kind::NonRetainedDuplicated => {
                self.accessible(e)?;
                let of = match self.kind(e) {
                    Kind::PooledDuplicated => Of::Root,
                    _ => Of::This,
                };
                let p = self.non_retained_duplicate(e, self.holder(e), of)?;
                self.set_new_indexes(p, reader, writer)
            }
            // A:1198–1201: `new UnpooledDuplicatedByteBuf(this)`, of the root (D:48–49
            // unwraps a duplicate) with this buffer's `maxCapacity` (D:46): a duplicate
            // keeps the one its root had, which a Recycler reuse may since have changed.
            Kind::Root { .. } | Kind::Duplicated => {
                self.accessible(e)?;
                let root = self.root(e).ok_or_else(released)?;
                // D:56 setIndex(r, w) against the root's capacity now.
                let cap = self.capacity(root);
                check_indexes(reader, writer, cap)?;
                let view = ViewState::duplicate(root, root);
                Ok(self.new_view(view, (reader, writer, self.g(e).max)))
            }
        }
    }

    /// `readSlice(len)` through `e`.
    pub fn read_slice(&mut self, e: AllocId, len: usize) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::ReadView(len)) {
            return p;
        }
        self.check_readable(e, len)?;
        let reader = self.g(e).reader;
        let out = self.slice_range(e, reader, len)?;
        self.gm(e).reader = reader + len;
        Ok(out)
    }
}

/// Whose `maxCapacity` a new duplicate takes: the buffer it wraps (DuplicatedByteBuf.java:46).
#[derive(Clone, Copy)]
enum Of {
    /// `unwrap()`, the root.
    Root,
    /// The buffer `duplicate()` was called on.
    This,
}

impl Of {
    fn pick(self, this: AllocId, root: AllocId) -> AllocId {
        match self {
            Of::Root => root,
            Of::This => this,
        }
    }
}

/// `setIndex(r, w)`'s `checkIndexBounds` (AbstractByteBuf): `0 <= r <= w <= capacity`.
pub(super) fn check_indexes(reader: usize, writer: usize, cap: usize) -> Result<(), Expected> {
    if reader > writer || writer > cap {
        return Err(Expected::exact(texts::bad_indexes(
            reader as i64,
            writer as i64,
            cap,
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::ExecConfig;
    use leakproof_model::{Mutant, Profile};

    fn bind(s: &mut Shadow, pred: Prediction, id: u64) -> AllocId {
        let Ok(Pred::New(new)) = pred else {
            panic!("a new buffer expected: {pred:?}")
        };
        s.bind(*new, AllocId(id), ObjectId(id), 0, 0);
        AllocId(id)
    }

    fn max_of(pred: Prediction) -> usize {
        match pred {
            Ok(Pred::New(new)) => new.gen.max,
            other => panic!("a new buffer expected: {other:?}"),
        }
    }

    /// `new UnpooledDuplicatedByteBuf(this)` takes `this.maxCapacity()`
    /// (DuplicatedByteBuf.java:46): a duplicate of a duplicate keeps the first one's,
    /// though the Recycler reused the root's object with another.
    #[test]
    fn a_duplicate_takes_the_max_capacity_of_the_buffer_it_wraps() {
        for name in ["netty-4.1.48", "netty-4.1"] {
            let p = Profile::by_name(name).unwrap();
            let c = ExecConfig::small(p.clone(), Mutant::None, 0);
            let env = AllocEnv::from_config(&c.jvm, &c.allocator);
            let mut s = Shadow::new(p.refcount.clone(), p.derived.clone());
            let pred = s.alloc(&env, None, false, 0, 34);
            let root = bind(&mut s, pred, 1);
            let pred = s.duplicate(root);
            let dup = bind(&mut s, pred, 2);
            s.gm(root).max = i32::MAX as usize;
            assert_eq!(max_of(s.duplicate(dup)), 34, "{name}");
            assert_eq!(max_of(s.duplicate(root)), i32::MAX as usize, "{name}");
        }
    }
}
