//! Predictions for retained derivatives (netty.md §6.3), by the Java class whose
//! override runs in 4.1.128 (abbreviations as in `derive.rs`).

use super::derive::Kind;
use super::*;

impl Shadow {
    /// True when `e`'s class makes pooled retained derivatives (`PB`, `APD` and its
    /// inner classes); unpooled slices and duplicates of a pooled root inherit
    /// A:1214–1227 (`slice(…).retain()`).
    fn derives_pooled(&self, e: AllocId) -> bool {
        !matches!(
            self.kind(e),
            Kind::Root { pooled: false } | Kind::Sliced | Kind::Duplicated | Kind::ReadOnly(_)
        )
    }

    /// `retain()` of a new shared view (`AbstractDerivedByteBuf.retain0`: its root's).
    fn retain_new(&mut self, p: Pred) -> Prediction {
        if let Pred::New(n) = &p {
            if let Body::View(v) = &n.gen.body {
                let h = self.cur(v.holder);
                let c = self.g(h).count.unwrap_or(0);
                if c == 0 {
                    return Err(Expected::exact(texts::ref_cnt_change(0, 1)));
                }
                self.gm(h).count = Some(c + 1);
            }
        }
        Ok(p)
    }

    /// `APD.init` (APD:62–79): `wrapped.retain()` first (the count `e` uses), then a
    /// derivative holding that reference.
    fn pooled_derivative(
        &mut self,
        e: AllocId,
        view: ViewState,
        idx: (usize, usize, usize),
    ) -> Prediction {
        let parent = self.holder(e);
        let c = self.g(parent).count.unwrap_or(0);
        if c == 0 {
            return Err(Expected::exact(texts::ref_cnt_change(0, 1)));
        }
        self.gm(parent).count = Some(c + 1);
        let view = ViewState {
            holder: AllocId(0),
            parent: Some(parent),
            ..view
        };
        Ok(self.new_view(view, idx))
    }

    /// `retainedSlice(index, length)` through `e`.
    pub fn retained_slice_range(&mut self, e: AllocId, index: usize, length: usize) -> Prediction {
        if !self.derives_pooled(e) {
            let p = self.slice_range(e, index, length)?;
            return self.retain_new(p);
        }
        let adjusted = self.adj(e) + index;
        let root_index = match self.kind(e) {
            // PS:111–114: checkIndex0, then newInstance0(unwrap(), …): no root check, but
            // `unwrap()` (APD:54–60) throws for a recycled derivative before the retain.
            Kind::PooledSliced => {
                self.check_index0(e, index, length)?;
                self.root(e).ok_or_else(released)?;
                adjusted
            }
            // APD:326–328: newInstance(unwrap(), this, idx(index), length).
            Kind::NonRetainedSliced => {
                self.check_root_slice(e, adjusted, length)?;
                adjusted
            }
            // PB:154–156, PD:93–95, APD:243–245: newInstance(…, index, length).
            _ => {
                self.check_root_slice(e, index, length)?;
                index
            }
        };
        let root = self.root(e).ok_or_else(released)?;
        let view = ViewState::slice(root, root_index, length, AllocId(0));
        self.pooled_derivative(e, view, (0, length, length))
    }

    /// `retainedSlice()` through `e`: APD:237–240 takes `(readerIndex, capacity())`
    /// and APD:320–323 `(0, capacity())`; every other class `(readerIndex,
    /// readableBytes)`.
    pub fn retained_slice(&mut self, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::View) {
            return p;
        }
        let g = self.g(e);
        let (r, n) = (g.reader, g.writer.saturating_sub(g.reader));
        let (index, length) = match self.kind(e) {
            Kind::NonRetainedSliced => (0, self.capacity(e)),
            Kind::NonRetainedDuplicated => (r, self.capacity(e)),
            _ => (r, n),
        };
        self.retained_slice_range(e, index, length)
    }

    /// `readRetainedSlice(len)` through `e`.
    pub fn read_retained_slice(&mut self, e: AllocId, len: usize) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::ReadView(len)) {
            return p;
        }
        self.check_readable(e, len)?;
        let reader = self.g(e).reader;
        let out = self.retained_slice_range(e, reader, len)?;
        self.gm(e).reader = reader + len;
        Ok(out)
    }

    /// `retainedDuplicate()` through `e`.
    pub fn retained_duplicate(&mut self, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::View) {
            return p;
        }
        let (reader, writer, adj) = (self.g(e).reader, self.g(e).writer, self.adj(e));
        let kind = self.kind(e);
        if self.derived.duplicate_of_slice_is_slice
            && matches!(kind, Kind::Sliced | Kind::PooledSliced)
        {
            // AUS:222–224, PS:122–124 (#14093): retainedSlice(0, capacity()).setIndex(r, w).
            let p = self.retained_slice_range(e, 0, self.capacity(e))?;
            return self.set_new_indexes(p, reader, writer);
        }
        if !self.derives_pooled(e) {
            // A:1204–1206: duplicate().retain().
            let p = self.duplicate(e)?;
            return self.retain_new(p);
        }
        // PB:143–145, PD:103–105, APD:226–228, 309–311 and the 4.1.48 PS: a
        // `PooledDuplicatedByteBuf` of the root, slices passing idx(r), idx(w).
        let shift = match kind {
            Kind::PooledSliced | Kind::NonRetainedSliced => adj,
            _ => 0,
        };
        let root = self.root(e).ok_or_else(released)?;
        let view = ViewState::duplicate(root, AllocId(0));
        let max = self.g(root).max;
        self.pooled_derivative(e, view, (reader + shift, writer + shift, max))
    }
}
