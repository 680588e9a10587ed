//! Predictions for reading and writing bytes and for `capacity(n)`: index and range
//! checks (`AbstractByteBuf`), growth through the size classes, bytes kept or cleared.

use super::*;

impl Shadow {
    /// `readBytes(len)` through `e`.
    pub fn read(&mut self, e: AllocId, len: usize) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::Read(len)) {
            return p;
        }
        self.check_readable(e, len)?;
        let reader = self.g(e).reader;
        self.check_root_range(e, reader, len)?;
        let start = self.adj(e) + reader;
        // Through a view whose root the program over-released, the memory is gone:
        // Netty reads a null array or freed memory, the model reads zeros.
        let bytes = match self.root(e) {
            Some(r) if self.root_state(r).life == Life::Live => {
                self.root_state(r).bytes.window(start, len)
            }
            _ => ExpectedBytes::filled(len, None),
        };
        self.gm(e).reader = reader + len;
        Ok(Pred::Bytes(bytes))
    }

    /// `writeBytes(data)` through `e` (growing through `env`'s size classes).
    ///
    /// `AbstractByteBuf.ensureWritable0` (4.1.48 java:286–306, 4.1.128 java:284–305)
    /// calls `ensureAccessible()` only when the target fits the capacity or exceeds
    /// `maxCapacity`; a growth goes straight to `capacity(n)`, which a derivative
    /// forwards to its root (`PooledDuplicatedByteBuf.java:62–65`,
    /// `DuplicatedByteBuf.capacity`), and the root checks its own access. So a
    /// released derivative of a live root grows it, and `setBytes` (forwarded to
    /// the root the same way) writes.
    pub fn write(&mut self, env: &AllocEnv, e: AllocId, data: &[u8]) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::Write(data.len())) {
            return p;
        }
        self.refuse_if_read_only(e)?;
        let len = data.len();
        let (writer, max) = (self.g(e).writer, self.g(e).max);
        let target = writer + len;
        let cap = self.capacity(e);
        if !write_grows(writer, len, cap) {
            self.accessible(e)?;
        } else {
            if target > max {
                self.accessible(e)?;
                return Err(ioobe(
                    format!(
                        "writerIndex({writer}) + minWritableBytes({len}) exceeds maxCapacity({max}): "
                    ),
                    Match::Prefix,
                ));
            }
            let fast = match self.view(e) {
                None if self.root_state(e).pooled_root => {
                    self.root_state(e).norm.min(max) as i64 - writer as i64
                }
                _ => cap as i64 - writer as i64,
            };
            let new = if fast >= len as i64 {
                (writer as i64 + fast) as usize
            } else {
                calculate_new_capacity(target, max).map_err(Expected::exact)?
            };
            self.set_capacity(env, e, new as i64)?;
        }
        self.check_root_range(e, writer, len)?;
        let start = self.adj(e) + writer;
        if let Some(r) = self.root(e) {
            // Without memory (a claimed object), Netty writes at a stale address.
            let kept = !env.virtual_memory && self.root_state(r).mem != MemKind::Unallocated;
            let bytes = &mut self.root_mut(r).bytes;
            bytes.write(start, data, kept);
        }
        self.gm(e).writer = target;
        Ok(Pred::Unit)
    }

    /// `capacity(n)` through `e`.
    pub fn set_capacity(&mut self, env: &AllocEnv, e: AllocId, n: i64) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::SetCapacity) {
            return p;
        }
        self.refuse_if_read_only(e)?;
        if let Some(v) = self.view(e) {
            if v.fixed.is_some() {
                return Err(Expected::exact(JavaException::new(
                    JavaClass::UnsupportedOperation,
                    "sliced buffer",
                )));
            }
            return match self.root(e) {
                None => Err(released()),
                Some(r) => self.set_capacity(env, r, n),
            };
        }
        let (cap, max) = (self.root_state(e).capacity, self.g(e).max);
        if n == cap as i64 {
            return self.accessible(e).map(|_| Pred::Unit);
        }
        self.accessible(e)?;
        if n < 0 || n > max as i64 {
            return Err(Expected::exact(texts::bad_new_capacity(n, max)));
        }
        if self.root_state(e).mem == MemKind::Unallocated {
            // `capacity(n)` reads `chunk.unpooled` next (PooledByteBuf.java:101 of
            // 4.1.48, :106 of 4.1.128): a claimed object's `chunk` is null.
            return Err(Expected::exact(JavaException::new(
                JavaClass::NullPointer,
                "Cannot read field \"unpooled\" because \"this.chunk\" is null",
            )));
        }
        let n = n as usize;
        // `PoolArena.reallocate` allocates `n` through the calling thread's cache
        // (`parent.threadCache()`, PoolArena.java:397 of 4.1.48, :317 of 4.1.128): it
        // may throw before the buffer changes.
        let served = {
            let r = self.root_state(e);
            let reallocates = r.pooled_root && !fits_in_place(cap, r.norm, n, r.huge);
            if reallocates {
                self.threads.thread_cache(env)?;
            }
            let sc = if r.direct { &env.direct } else { &env.heap };
            match (reallocates, sc, r.pooled_allocator) {
                (true, Some(sizes), Some(p)) => {
                    let (norm, _) = norm_of(Some(sizes), n);
                    Some(self.served_max_length(sizes, (p, r.direct, true), n, norm)?)
                }
                _ => None,
            }
        };
        let root = self.root_mut(e);
        let kept = cap.min(n);
        if root.pooled_root {
            let sc = if root.direct { &env.direct } else { &env.heap };
            if fits_in_place(cap, root.norm, n, root.huge) {
                root.bytes.resize(n, None);
                root.capacity = n;
            } else {
                // PoolArena.reallocate allocates anew: a huge buffer gets the
                // normalized length (PoolArena.java:139–142, PooledByteBuf.java:55–56).
                let (norm, huge) = norm_of(sc.as_ref(), n);
                let new_cap = if huge { norm } else { n };
                root.norm = served.unwrap_or(norm);
                root.huge = huge;
                root.bytes.truncate(kept.min(new_cap));
                root.bytes.resize(new_cap, None);
                root.capacity = new_cap;
            }
        } else {
            root.norm = n;
            root.bytes.truncate(kept);
            root.bytes.resize(n, Some(0));
            root.capacity = n;
        }
        let g = self.gm(e);
        if g.writer > n {
            g.reader = g.reader.min(n);
            g.writer = n;
        }
        Ok(Pred::Unit)
    }
}
