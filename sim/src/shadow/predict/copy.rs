//! Predictions for `copy()` (netty.md §6.3): an independent buffer of the root's kind.

use super::*;

impl Shadow {
    /// `copy()` through `e`.
    pub fn copy(&self, env: &AllocEnv, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::Copy) {
            return p;
        }
        let g = self.g(e);
        let (mut index, length) = (g.reader, g.writer.saturating_sub(g.reader));
        let root = if let Some(v) = self.view(e) {
            // Slices check their own range first (AbstractUnpooledSlicedByteBuf.java:
            // 227–230, PooledSlicedByteBuf.java:99–102); a duplicate
            // (DuplicatedByteBuf.java:209–211, PooledDuplicatedByteBuf.java:88–90) leaves
            // it to `unwrap().copy`, and a read-only view (ReadOnlyByteBuf.java:292–294)
            // to what it wraps, whose rule it carries.
            if v.fixed.is_some() {
                self.check_index0(e, index, length)?;
            }
            let root = self.root(e).ok_or_else(released)?;
            index += self.adj(e);
            root
        } else {
            e
        };
        self.accessible(root)?;
        let r = self.root_state(root);
        if out_of_bounds(index as i64, length as i64, r.capacity) {
            if r.direct && !r.pooled_root && !env.has_unsafe {
                // UnpooledDirectByteBuf.copy (UnpooledDirectByteBuf.java:612–619): the NIO
                // limit fails before any checkIndex.
                return Err(Expected::exact(texts::too_many_bytes_to_read(
                    index as i64 + length as i64,
                )));
            }
            return Err(Expected::exact(texts::index_out_of_range(
                index as i64,
                length as i64,
                r.capacity,
            )));
        }
        let data = r.bytes.window(index, length);
        let mut new = self.new_buffer(
            env,
            r.pooled_allocator,
            r.direct,
            length as i64,
            self.g(root).max as i64,
        )?;
        if let Pred::New(n) = &mut new {
            n.gen.writer = length;
            // A huge copy's capacity is its normalized length, past the copied bytes.
            if let Body::Root(nr) = &mut n.gen.body {
                nr.bytes.overwrite(0, &data);
            }
        }
        Ok(new)
    }

    /// The pooled allocation a `copy()` through `e` makes, if any: (allocator, direct,
    /// maxCapacity). `copy` allocates from the root's `alloc()` with the root's
    /// `maxCapacity()` (UnsafeByteBufUtil.java:454 of 4.1.128, `PooledHeapByteBuf.copy`,
    /// `PooledDirectByteBuf.copy`), which for a pooled root is its pooled allocator.
    pub fn copy_allocation(&self, e: AllocId) -> Option<(u8, bool, i64)> {
        let root = self.root(e)?;
        let r = self.root_state(root);
        if r.mem == MemKind::Empty {
            // A copy of an `EmptyByteBuf` is itself: nothing is allocated.
            return None;
        }
        Some((r.pooled_allocator?, r.direct, self.g(root).max as i64))
    }
}
