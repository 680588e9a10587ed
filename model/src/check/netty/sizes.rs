//! What size a pooled request is served with: Netty's normalization, per scheme.

use crate::profile::SizeClassScheme;

/// A normalized request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Norm {
    /// The size the arena serves (a size class; for huge requests Netty's own rule).
    pub size: usize,
    /// Served by an unpooled chunk of its own.
    pub huge: bool,
    /// Served from a subpage (small, or tiny/small under the legacy scheme).
    pub small: bool,
}

/// One arena's sizing rules (`SizeClasses` / `PoolArena.normalizeCapacity`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NettySizes {
    scheme: SizeClassScheme,
    page_size: usize,
    chunk_size: usize,
    alignment: usize,
    /// The jemalloc scheme's classes, unaligned (`calculateSize`), ascending.
    raw: Vec<usize>,
}

/// `alignSizeIfNeeded` (SizeClasses.java:383–389) / 4.1.48 `alignCapacity`.
#[inline]
fn align(size: usize, alignment: usize) -> usize {
    if alignment == 0 {
        return size;
    }
    size.div_ceil(alignment) * alignment
}

impl NettySizes {
    /// The rules of an arena of `page_size << max_order` chunks; `alignment` is
    /// `directMemoryCacheAlignment` for direct arenas and 0 for heap arenas
    /// (PooledByteBufAllocator.java:309, 324). The page size is first rounded up to the
    /// alignment, as the allocator's constructor does (PooledByteBufAllocator.java:286).
    #[inline]
    pub fn new(
        scheme: SizeClassScheme,
        page_size: usize,
        max_order: u32,
        direct_alignment: usize,
        alignment: usize,
    ) -> Self {
        let page_size = align(page_size, direct_alignment);
        let chunk_size = page_size << max_order;
        let mut raw = Vec::new();
        if scheme == SizeClassScheme::Jemalloc4 {
            // Four classes per doubling from 64 B to the chunk, reserved at once.
            let doublings = chunk_size.max(64).ilog2() as usize - 5;
            raw.reserve_exact(4 + 4 * doublings);
            // SizeClasses.java:128–149: 16, 32, 48, 64, then four classes per doubling,
            // 2^g + k·2^(g−2) for k = 1..4, until a class (aligned) reaches the chunk.
            raw.extend([16, 32, 48, 64]);
            let mut group = 64usize;
            'groups: loop {
                for k in 1..=4 {
                    let size = group + k * (group / 4);
                    if align(*raw.last().expect("non-empty"), alignment) >= chunk_size {
                        break 'groups;
                    }
                    raw.push(size);
                }
                group *= 2;
            }
        }
        NettySizes {
            scheme,
            page_size,
            chunk_size,
            alignment,
            raw,
        }
    }

    /// The rules of an arena whose (already aligned) page and chunk sizes are known,
    /// e.g. read from a live arena's geometry.
    #[inline]
    pub fn of_arena(
        scheme: SizeClassScheme,
        page_size: usize,
        chunk_size: usize,
        alignment: usize,
    ) -> Self {
        let max_order = (chunk_size / page_size.max(1)).max(1).trailing_zeros();
        Self::new(scheme, page_size, max_order, 0, alignment)
    }

    /// The chunk size.
    #[inline]
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The arena's alignment (0 for none).
    #[inline]
    pub fn alignment(&self) -> usize {
        self.alignment
    }

    /// The (aligned) page size.
    #[inline]
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// `PoolArena.isTiny(normCapacity)` of a subpage's element size: below 512, under
    /// the legacy scheme only (4.1.48 PoolArena.java:170–173); jemalloc-4 has no tiny.
    #[inline]
    pub fn is_tiny(&self, elem_size: usize) -> bool {
        self.scheme == SizeClassScheme::Legacy && elem_size & !0x1FF == 0
    }

    /// True when a tiny request normalized to `norm` meets a 4.1.48 tiny pool whose
    /// element size the pool's first request fixed: an alignment of 1–8 leaves tiny
    /// requests unrounded (PoolArena.java:364–366, #11955).
    #[inline]
    pub fn tiny_pool_by_request(&self, norm: usize) -> bool {
        self.is_tiny(norm) && (1..16).contains(&self.alignment)
    }

    /// How a request of `req` bytes is served.
    #[inline]
    pub fn normalize(&self, req: usize) -> Norm {
        match self.scheme {
            SizeClassScheme::Jemalloc4 => self.normalize_jemalloc(req),
            SizeClassScheme::Legacy => self.normalize_legacy(req),
        }
    }

    /// PoolArena.java:131–143 with SizeClasses.java:316–343, 392–411: size 0 is the
    /// first class; a request above the chunk is huge (kept as is, or, with an
    /// alignment, aligned and rounded to its group's spacing by `normalizeSize`);
    /// otherwise the smallest class not below the aligned request, aligned. Small
    /// classes are those below four pages (SizeClasses.java:209).
    #[inline]
    fn normalize_jemalloc(&self, req: usize) -> Norm {
        if req > self.chunk_size {
            let size = if self.alignment > 0 {
                let a = align(req, self.alignment);
                // normalizeSizeCompute: round up to 2^(⌈log2 a⌉ − 3), at least 16.
                let log2 = usize::BITS - (2 * a - 1).leading_zeros() - 1;
                let delta = if log2 < 7 { 16 } else { 1usize << (log2 - 3) };
                a.div_ceil(delta) * delta
            } else {
                req
            };
            return Norm {
                size,
                huge: true,
                small: false,
            };
        }
        let want = align(req.max(1), self.alignment);
        match self.raw.iter().find(|&&c| c >= want) {
            Some(&class) => Norm {
                size: align(class, self.alignment),
                huge: false,
                small: class < 4 * self.page_size,
            },
            // No class left (only when an aligned class reached the chunk early).
            None => Norm {
                size: req,
                huge: true,
                small: false,
            },
        }
    }

    /// 4.1.48 PoolArena.java:337–374 and :175–233: above the chunk a request is huge
    /// and served with exactly its size (`allocateHuge(buf, reqCapacity)`); from 512 B
    /// the next power of two; below, aligned, or a multiple of 16 (0 stays 0). Tiny and
    /// small are below one page.
    #[inline]
    fn normalize_legacy(&self, req: usize) -> Norm {
        let size = if req >= self.chunk_size {
            // `reqCapacity >= chunkSize`: aligned (PoolArena.java:340–342), so huge
            // unless it is the chunk itself under an alignment no larger than it.
            align(req, self.alignment)
        } else if req >= 512 {
            req.next_power_of_two()
        } else if self.alignment > 0 {
            align(req, self.alignment)
        } else {
            align(req, 16)
        };
        if size > self.chunk_size {
            // `allocate` compares `normCapacity` with `chunkSize` (PoolArena.java:
            // 221–232) and serves a huge request at its own size from its own chunk;
            // an alignment above the chunk makes even smaller requests huge (4.1.48
            // does not round the page up to it).
            return Norm {
                size: req,
                huge: true,
                small: false,
            };
        }
        Norm {
            size,
            huge: false,
            small: size < self.page_size,
        }
    }

    /// The run a subpage of `elem_size` elements takes: `calculateRunSize`
    /// (PoolChunk.java:393–416); one page under the legacy scheme (4.1.48
    /// PoolChunk.allocateSubpage takes a leaf of the buddy tree).
    #[inline]
    pub fn subpage_run(&self, elem_size: usize) -> usize {
        match self.scheme {
            SizeClassScheme::Jemalloc4 => {
                super::layout::subpage_run_size(self.page_size, elem_size)
            }
            SizeClassScheme::Legacy => self.page_size,
        }
    }

    /// The normal (run-served, not huge) classes, ascending: jemalloc-4's classes from
    /// four pages up to the chunk (SizeClasses.java:209), aligned; the legacy scheme's
    /// page multiples `pageSize << i` up to the chunk.
    #[inline]
    pub fn normal_classes(&self) -> Vec<usize> {
        match self.scheme {
            SizeClassScheme::Jemalloc4 => self
                .raw
                .iter()
                .filter(|&&c| c >= 4 * self.page_size)
                .map(|&c| align(c, self.alignment))
                .collect(),
            SizeClassScheme::Legacy => (0..usize::BITS)
                .map(|i| self.page_size << i)
                .take_while(|&s| s <= self.chunk_size)
                .collect(),
        }
    }

    /// How a pooled class of `size` bytes (a live handle's `maxLength`) is served, or
    /// `None` when no request is served with that size. Not `normalize(size)`: under
    /// the legacy scheme normalizing a class need not give it back (with an alignment
    /// above the chunk, the chunk-sized class that requests of `chunkSize / 2 + 1` …
    /// `chunkSize − 1` get is huge as a request itself).
    #[inline]
    pub fn class(&self, size: usize) -> Option<Norm> {
        match self.scheme {
            SizeClassScheme::Jemalloc4 => {
                Some(self.normalize(size)).filter(|n| !n.huge && n.size == size)
            }
            SizeClassScheme::Legacy => self.is_legacy_class(size).then_some(Norm {
                size,
                huge: false,
                small: size < self.page_size,
            }),
        }
    }

    /// True when `size` is the size of one of the arena's pooled classes.
    #[inline]
    pub fn is_class(&self, size: usize) -> bool {
        self.class(size).is_some()
    }

    /// The values 4.1.48's `normalizeCapacity` (PoolArena.java:337–374) gives requests
    /// it serves from a chunk (`normCapacity <= chunkSize`, :221): a tiny request
    /// aligned, or rounded to 16 without alignment (0 to `align(511)`), a power of two
    /// from 512 (requests of 512 up to the chunk, alignment ignored, :344–358), and the
    /// chunk itself (a chunk-sized request aligned, :340–342, or the power of two above
    /// half the chunk); `isTinyOrSmall` (:166–168) is then `size < pageSize`.
    #[inline]
    fn is_legacy_class(&self, size: usize) -> bool {
        let step = if self.alignment > 0 {
            self.alignment
        } else {
            16
        };
        let tiny = size % step == 0 && size <= align(511, step);
        size <= self.chunk_size && (tiny || (size >= 512 && size.is_power_of_two()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SizeClassScheme::{Jemalloc4, Legacy};

    fn norm(s: &NettySizes, req: usize) -> (usize, bool, bool) {
        let n = s.normalize(req);
        (n.size, n.huge, n.small)
    }

    #[test]
    fn jemalloc_classes_of_netty_md() {
        // netty.md §2.1: 4 MiB chunks have 68 classes, 16 MiB chunks 76.
        assert_eq!(NettySizes::new(Jemalloc4, 8192, 9, 0, 0).raw.len(), 68);
        assert_eq!(NettySizes::new(Jemalloc4, 8192, 11, 0, 0).raw.len(), 76);
        let s = NettySizes::new(Jemalloc4, 8192, 9, 0, 0);
        assert_eq!(norm(&s, 0), (16, false, true));
        assert_eq!(norm(&s, 17), (32, false, true));
        assert_eq!(norm(&s, 65), (80, false, true));
        assert_eq!(norm(&s, 28672), (28672, false, true));
        assert_eq!(norm(&s, 28673), (32768, false, false));
        assert_eq!(norm(&s, 4 << 20), (4 << 20, false, false));
        assert_eq!(norm(&s, (4 << 20) + 1), ((4 << 20) + 1, true, false));
    }

    #[test]
    fn aligned_classes_and_huge_rounding() {
        let s = NettySizes::new(Jemalloc4, 8192, 9, 64, 64);
        assert_eq!(norm(&s, 1), (64, false, true));
        assert_eq!(norm(&s, 65), (128, false, true));
        // normalizeSize of 5 MiB + 64 rounds to the 1 MiB spacing of its group.
        assert_eq!(norm(&s, (5 << 20) + 1), (6 << 20, true, false));
        // The heap arenas of the same allocator are not aligned.
        let h = NettySizes::new(Jemalloc4, 8192, 9, 64, 0);
        assert_eq!(norm(&h, 1), (16, false, true));
        // An alignment above the page size raises the page size.
        assert_eq!(
            NettySizes::new(Jemalloc4, 4096, 3, 8192, 8192).page_size(),
            8192
        );
    }

    #[test]
    fn legacy_normalize_capacity() {
        let s = NettySizes::new(Legacy, 8192, 11, 0, 0);
        assert_eq!(norm(&s, 0), (0, false, true));
        assert_eq!(norm(&s, 17), (32, false, true));
        assert_eq!(norm(&s, 511), (512, false, true));
        assert_eq!(norm(&s, 513), (1024, false, true));
        assert_eq!(norm(&s, 8192), (8192, false, false));
        assert_eq!(norm(&s, 16 << 20), (16 << 20, false, false));
        assert_eq!(norm(&s, (16 << 20) + 1), ((16 << 20) + 1, true, false));
        assert!(s.is_class(4096) && !s.is_class(4095 + 2));
        // 4 KiB chunks aligned to 8 KiB: a chunk-sized request aligns past the chunk
        // and is served huge with its own size, as larger ones are.
        let a = NettySizes::of_arena(Legacy, 4096, 4096, 8192);
        assert_eq!(norm(&a, 4096), (4096, true, false));
        assert_eq!(norm(&a, 4097), (4097, true, false));
        assert_eq!(norm(&a, 31), (31, true, false));
        let b = NettySizes::of_arena(Legacy, 4096, 8192, 4096);
        assert_eq!(norm(&b, 8192), (8192, false, false));
    }

    #[test]
    fn legacy_classes_are_what_requests_normalize_to() {
        let class = |s: &NettySizes, n: usize| s.class(n).map(|c| (c.size, c.huge, c.small));
        // 4 KiB chunks aligned to 8 KiB: 2049–4095 B requests get the whole chunk (a
        // normal run), though a 4096 B request is huge.
        let a = NettySizes::of_arena(Legacy, 4096, 4096, 8192);
        assert_eq!(norm(&a, 2049), (4096, false, false));
        assert_eq!(class(&a, 4096), Some((4096, false, false)));
        assert_eq!(class(&a, 0), Some((0, false, true)));
        assert!(a.class(8192).is_none() && a.class(2048).is_some());
        assert!(a.class(16).is_none() && a.class(48).is_none());
        // Every class any request normalizes to, and nothing else.
        for (page, chunk, alignment) in [
            (4096, 4096, 8192),
            (4096, 8192, 0),
            (4096, 16384, 1),
            (4096, 16384, 8),
            (8192, 8192, 1024),
            (4096, 32768, 4096),
        ] {
            let s = NettySizes::of_arena(Legacy, page, chunk, alignment);
            let mut served = std::collections::BTreeSet::new();
            for req in 0..=chunk + 1 {
                let n = s.normalize(req);
                if !n.huge {
                    assert_eq!(
                        s.class(n.size),
                        Some(n),
                        "{req} B in {page}/{chunk}/{alignment}"
                    );
                    served.insert(n.size);
                }
            }
            let classes: Vec<usize> = (0..=2 * chunk).filter(|&n| s.is_class(n)).collect();
            assert_eq!(classes, served.into_iter().collect::<Vec<_>>());
        }
    }
}
