//! Which chunk list a chunk belongs in (PoolArena.java:87–99, PoolChunkList.java:47–72,
//! 99–140; 4.1.48 PoolChunkList.java:88–136 for the percent scheme).

use crate::pool::ChunkListId;
use crate::profile::ChunkListThresholds;

/// One list's bounds, as Netty's constructor computes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListBounds {
    /// `minUsage` as constructed (`Integer.MIN_VALUE` for qInit).
    pub min_usage: i32,
    /// `maxUsage` as constructed (`Integer.MAX_VALUE` for q100).
    pub max_usage: i32,
    /// The list chunks move up to (`nextList`); q100 has none.
    pub next: Option<ChunkListId>,
    /// Move up after an allocation when `freeBytes <= free_min_threshold` (bytes scheme).
    pub free_min_threshold: i64,
    /// Move down after a free when `freeBytes > free_max_threshold` (bytes scheme).
    pub free_max_threshold: i64,
    scheme: ChunkListThresholds,
    chunk_size: usize,
}

/// `(int) (chunkSize * (100.0 - usage + 0.99999999) / 100L)`, with Java's saturating
/// double-to-int cast (PoolChunkList.java:70–71).
#[inline]
fn threshold(chunk_size: usize, usage: i32) -> i64 {
    let v = chunk_size as f64 * (100.0 - f64::from(usage) + 0.99999999) / 100.0;
    v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i64
}

/// `PoolChunk.usage(freeBytes)`: 100 when nothing is free, else
/// `100 − freeBytes·100/chunkSize`, except that 0 free percent reports 99
/// (PoolChunk.java `usage`; 4.1.48 PoolChunk.java:213–223).
#[inline]
pub fn chunk_usage(free_bytes: usize, chunk_size: usize) -> i32 {
    if free_bytes == 0 {
        return 100;
    }
    let free_percent = (free_bytes as u128 * 100 / chunk_size.max(1) as u128) as i32;
    if free_percent == 0 {
        99
    } else {
        100 - free_percent
    }
}

/// The bounds of `list` in an arena of `chunk_size` chunks. `q050_next_is_q100`:
/// 4.1.128's q050 moves up to q100 (#13622), 4.1.48's to q075.
#[inline]
pub fn list_bounds(
    list: ChunkListId,
    chunk_size: usize,
    scheme: ChunkListThresholds,
    q050_next_is_q100: bool,
) -> ListBounds {
    use ChunkListId::*;
    let (min_usage, max_usage, next) = match list {
        QInit => (i32::MIN, 25, Some(Q000)),
        Q000 => (1, 50, Some(Q025)),
        Q025 => (25, 75, Some(Q050)),
        Q050 => (50, 100, Some(if q050_next_is_q100 { Q100 } else { Q075 })),
        Q075 => (75, 100, Some(Q100)),
        Q100 => (100, i32::MAX, None),
    };
    ListBounds {
        min_usage,
        max_usage,
        next,
        free_min_threshold: if max_usage == 100 {
            0
        } else {
            threshold(chunk_size, max_usage)
        },
        free_max_threshold: if min_usage == 100 {
            0
        } else {
            threshold(chunk_size, min_usage)
        },
        scheme,
        chunk_size,
    }
}

impl ListBounds {
    /// Why a chunk with `free_bytes` free does not belong here (it would move up after
    /// an allocation or down after a free), or `None` when it does.
    #[inline]
    pub fn misplaced(&self, free_bytes: usize) -> Option<String> {
        let free = free_bytes as i64;
        let usage = chunk_usage(free_bytes, self.chunk_size);
        let (up, down) = match self.scheme {
            ChunkListThresholds::Bytes => (
                free <= self.free_min_threshold,
                free > self.free_max_threshold,
            ),
            ChunkListThresholds::Percent => (usage >= self.max_usage, usage < self.min_usage),
        };
        if self.next.is_some() && up {
            return Some(format!(
                "freeBytes {free_bytes} (usage {usage}%) should have moved it up to {:?}",
                self.next
            ));
        }
        if down {
            return Some(format!(
                "freeBytes {free_bytes} (usage {usage}%) should have moved it down (min usage {}, freeMaxThreshold {})",
                self.min_usage, self.free_max_threshold
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChunkListId::*;

    #[test]
    fn thresholds_of_netty_md_for_4mib() {
        // netty.md §3.1 table (4 MiB chunks).
        let b = |l| list_bounds(l, 4 << 20, ChunkListThresholds::Bytes, true);
        assert_eq!(b(QInit).free_min_threshold, 3187671);
        assert_eq!(b(QInit).free_max_threshold, i64::from(i32::MAX));
        assert_eq!(b(Q000).free_min_threshold, 2139095);
        assert_eq!(b(Q000).free_max_threshold, 4194303);
        assert_eq!(b(Q025).free_min_threshold, 1090519);
        assert_eq!(b(Q025).free_max_threshold, 3187671);
        assert_eq!(b(Q050).free_max_threshold, 2139095);
        assert_eq!(b(Q075).free_max_threshold, 1090519);
        assert_eq!(b(Q100).free_max_threshold, 0);
        assert_eq!(b(Q050).next, Some(Q100));
        let old = list_bounds(Q050, 4 << 20, ChunkListThresholds::Percent, false);
        assert_eq!(old.next, Some(Q075));
    }

    #[test]
    fn usage_reports_99_below_one_free_percent() {
        assert_eq!(chunk_usage(0, 100), 100);
        assert_eq!(chunk_usage(1, 1000), 99);
        assert_eq!(chunk_usage(500, 1000), 50);
        assert_eq!(chunk_usage(1000, 1000), 0);
    }

    #[test]
    fn a_full_chunk_belongs_in_q100_and_a_free_one_in_qinit_only() {
        let b = |l| list_bounds(l, 1 << 15, ChunkListThresholds::Bytes, true);
        assert!(b(Q100).misplaced(0).is_none());
        assert!(b(Q050).misplaced(0).is_some());
        assert!(b(QInit).misplaced(1 << 15).is_none());
        assert!(b(Q000).misplaced(1 << 15).is_some());
    }
}
