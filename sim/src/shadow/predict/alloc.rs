//! Predictions for new allocations and binding them to the model's generations.

use super::*;

impl Shadow {
    /// `heapBuffer`/`directBuffer(size, max)` from the pooled or unpooled allocator.
    pub fn alloc(
        &self,
        env: &AllocEnv,
        pooled: bool,
        direct: bool,
        size: i64,
        max: i64,
    ) -> Prediction {
        if size < 0 || size > max {
            return Err(Expected::exact(texts::bad_initial_capacity(size, max)));
        }
        let size = size as usize;
        let sc = if direct { &env.direct } else { &env.heap };
        let pooled_root = pooled && sc.is_some();
        let (mem, norm, huge, fill) = if pooled_root {
            let (norm, huge) = norm_of(sc.as_ref(), size);
            (MemKind::Pooled, norm, huge, None)
        } else if direct {
            let kind = if env.no_cleaner {
                MemKind::NoCleaner
            } else {
                MemKind::Cleaner
            };
            (kind, size, false, Some(0))
        } else {
            (MemKind::Heap, size, false, Some(0))
        };
        Ok(Pred::New(Box::new(NewGen {
            gen: Gen {
                object: ObjectId(0),
                step: 0,
                handle: 0,
                reader: 0,
                writer: 0,
                max: max as usize,
                count: Some(1),
                body: Body::Root(RootState {
                    pooled_allocator: pooled,
                    pooled_root,
                    direct,
                    huge,
                    mem,
                    capacity: size,
                    norm,
                    bytes: vec![fill; size],
                    life: Life::Live,
                }),
            },
        })))
    }

    /// Binds a predicted generation to the model's new object.
    pub fn bind(&mut self, new: NewGen, id: AllocId, object: ObjectId, step: usize, handle: u32) {
        let mut gen = new.gen;
        gen.object = object;
        gen.step = step;
        gen.handle = handle;
        if let Body::View(v) = &mut gen.body {
            if gen.count.is_some() {
                v.holder = id;
            }
        }
        self.gens.insert(id, gen);
        self.current.insert(object, id);
    }
}

/// `PooledByteBuf.capacity(n)` stays in place within `maxLength` (never for huge).
/// Restated here rather than imported: the shadow is an independent reference.
pub(super) fn fits_in_place(length: usize, max_length: usize, new: usize, huge: bool) -> bool {
    if huge {
        return false;
    }
    if new > length {
        new <= max_length
    } else {
        new > max_length >> 1 && (max_length > 512 || new > max_length - 16)
    }
}

/// The normalized size of a pooled request (its size class, or itself when huge).
pub(super) fn norm_of(sc: Option<&SizeClasses>, n: usize) -> (usize, bool) {
    let Some(sc) = sc else {
        return (n, false);
    };
    let idx = sc.size2size_idx(n);
    match sc.size_idx2size(idx) {
        Some(s) if idx < sc.n_sizes() => (s, false),
        _ => (n, true),
    }
}
