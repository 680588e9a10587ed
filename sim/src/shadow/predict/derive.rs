//! Predictions for derived buffers: slices, duplicates, retained derivatives and
//! copies (netty.md §6.3).

use super::*;

impl Shadow {
    fn new_view(&self, _e: AllocId, view: ViewState, idx: (usize, usize, usize)) -> Pred {
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

    /// `slice(index, length)` through `e`.
    pub fn slice_range(&self, e: AllocId, index: usize, length: usize) -> Prediction {
        let owner = self.pooled_owner(e);
        let derived = self.view(e).is_some();
        if derived && owner.is_none() {
            self.check_index0(e, index, length)?;
        } else if owner.is_some() {
            self.accessible(e)?;
            self.check_index0(e, index, length)?;
        } else {
            self.accessible(e)?;
            if out_of_bounds(index as i64, length as i64, self.capacity(e)) {
                return Err(ioobe(format!(".slice({index}, {length})"), Match::Suffix));
            }
        }
        let root = self.root(e).ok_or_else(released)?;
        let view = ViewState {
            root,
            adjustment: self.adj(e) + index,
            fixed: Some(length),
            holder: owner.unwrap_or(root),
            parent: None,
            recycled: false,
        };
        Ok(self.new_view(e, view, (0, length, length)))
    }

    /// `slice()` through `e`.
    pub fn slice(&self, e: AllocId) -> Prediction {
        let g = self.g(e);
        self.slice_range(e, g.reader, g.writer.saturating_sub(g.reader))
    }

    /// `duplicate()` through `e`.
    pub fn duplicate(&self, e: AllocId) -> Prediction {
        self.accessible(e)?;
        let owner = self.pooled_owner(e);
        let root = self.root(e).ok_or_else(released)?;
        let adj = self.adj(e);
        let g = self.g(e);
        let view = ViewState {
            root,
            adjustment: 0,
            fixed: None,
            holder: owner.unwrap_or(root),
            parent: None,
            recycled: false,
        };
        Ok(self.new_view(e, view, (g.reader + adj, g.writer + adj, self.g(root).max)))
    }

    /// `readSlice(len)` through `e`.
    pub fn read_slice(&mut self, e: AllocId, len: usize) -> Prediction {
        self.check_readable(e, len)?;
        let reader = self.g(e).reader;
        let out = self.slice_range(e, reader, len)?;
        self.gm(e).reader = reader + len;
        Ok(out)
    }

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

    /// `retainedSlice(index, length)` through `e`.
    pub fn retained_slice_range(&mut self, e: AllocId, index: usize, length: usize) -> Prediction {
        if !self.root_is_pooled(e) {
            let p = self.slice_range(e, index, length)?;
            return self.retain_new(p);
        }
        if self.view(e).is_some() {
            self.check_index0(e, index, length)?;
        }
        let root = self.root(e).ok_or_else(released)?;
        let root_index = self.adj(e) + index;
        if out_of_bounds(root_index as i64, length as i64, self.capacity(root)) {
            return Err(ioobe(
                format!(".slice({root_index}, {length})"),
                Match::Suffix,
            ));
        }
        let parent = self.holder(e);
        let c = self.g(parent).count.unwrap_or(0);
        if c == 0 {
            return Err(Expected::exact(texts::ref_cnt_change(0, 1)));
        }
        self.gm(parent).count = Some(c + 1);
        let view = ViewState {
            root,
            adjustment: root_index,
            fixed: Some(length),
            holder: AllocId(0),
            parent: Some(parent),
            recycled: false,
        };
        Ok(self.new_view(e, view, (0, length, length)))
    }

    /// `retainedSlice()` through `e`.
    pub fn retained_slice(&mut self, e: AllocId) -> Prediction {
        let g = self.g(e);
        let (r, n) = (g.reader, g.writer.saturating_sub(g.reader));
        self.retained_slice_range(e, r, n)
    }

    /// `readRetainedSlice(len)` through `e`.
    pub fn read_retained_slice(&mut self, e: AllocId, len: usize) -> Prediction {
        self.check_readable(e, len)?;
        let reader = self.g(e).reader;
        let out = self.retained_slice_range(e, reader, len)?;
        self.gm(e).reader = reader + len;
        Ok(out)
    }

    /// `retainedDuplicate()` through `e`.
    pub fn retained_duplicate(&mut self, e: AllocId) -> Prediction {
        if !self.root_is_pooled(e) {
            let p = self.duplicate(e)?;
            return self.retain_new(p);
        }
        let parent = self.holder(e);
        let c = self.g(parent).count.unwrap_or(0);
        if c == 0 {
            return Err(Expected::exact(texts::ref_cnt_change(0, 1)));
        }
        self.gm(parent).count = Some(c + 1);
        let root = self.root(e).ok_or_else(released)?;
        let adj = self.adj(e);
        let g = self.g(e);
        let view = ViewState {
            root,
            adjustment: 0,
            fixed: None,
            holder: AllocId(0),
            parent: Some(parent),
            recycled: false,
        };
        Ok(self.new_view(e, view, (g.reader + adj, g.writer + adj, self.g(root).max)))
    }

    /// `copy()` through `e`.
    pub fn copy(&self, env: &AllocEnv, e: AllocId) -> Prediction {
        let g = self.g(e);
        let (mut index, length) = (g.reader, g.writer.saturating_sub(g.reader));
        let root = if self.view(e).is_some() {
            self.check_index0(e, index, length)?;
            let root = self.root(e).ok_or_else(released)?;
            index += self.adj(e);
            root
        } else {
            e
        };
        self.accessible(root)?;
        let r = self.root_state(root);
        if out_of_bounds(index as i64, length as i64, r.capacity) {
            return Err(Expected::exact(texts::index_out_of_range(
                index as i64,
                length as i64,
                r.capacity,
            )));
        }
        let data: Vec<Option<u8>> = r.bytes[index..index + length].to_vec();
        let mut new = self.alloc(
            env,
            r.pooled_allocator,
            r.direct,
            length as i64,
            self.g(root).max as i64,
        )?;
        if let Pred::New(n) = &mut new {
            n.gen.writer = length;
            if let Body::Root(nr) = &mut n.gen.body {
                nr.bytes = data;
            }
        }
        Ok(new)
    }
}
