//! Bounded numbers for ops: `arbitrary` draws them in ranges that keep one execution
//! cheap (a few pages, a few chunks), biased toward the sizes where size classes,
//! subpages and run boundaries meet.

use arbitrary::{Arbitrary, Unstructured};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest [`Size`] the uniform buckets produce (two 8 KiB-page chunks of order 2).
pub const MAX_SIZE: u32 = 40_000;

/// Where Netty's behaviour changes with a size, for every page size (4–64 KiB) and
/// chunk the configuration generator draws: the legacy tiny/small limit (512), page
/// multiples and four pages (small/normal), chunk sizes (normal/huge), the default
/// `maxCachedBufferCapacity` (32 KiB) and `calculateNewCapacity`'s 4 MiB threshold.
pub const THRESHOLDS: &[u32] = &[
    16,
    512,
    4096,
    8192,
    16384,
    28672,
    32768,
    65536,
    131072,
    262144,
    524288,
    1 << 20,
    4 << 20,
];

/// Size-class boundaries from 64 B to 112 KiB: `2^g + k·2^(g−2)` for g = 6..16 and
/// k = 0..3, 4.1.128's classes (SizeClasses.java:128–149) and, at k = 0, 4.1.48's small
/// and normal classes and every page size the generator draws (the tiny classes are the
/// 16-byte steps the small buckets cover; larger chunks are in [`THRESHOLDS`]).
const CLASS_BOUNDARIES: [u32; 44] = {
    let mut out = [0u32; 44];
    let mut i = 0;
    while i < 44 {
        let group = 1u32 << (6 + i / 4);
        out[i] = group + (i % 4) as u32 * (group / 4);
        i += 1;
    }
    out
};

/// One uniform draw `n` in sixteen becomes a size at or around a class boundary, picked
/// by `n`'s other bits: no extra input is read, so programs decode as before.
fn near_a_class_boundary(n: u32) -> u32 {
    if n % 16 != 15 {
        return n;
    }
    let k = (n / 16) as usize;
    let t = CLASS_BOUNDARIES[k % CLASS_BOUNDARIES.len()];
    (i64::from(t) + NEAR[(k / CLASS_BOUNDARIES.len()) % NEAR.len()]).max(0) as u32
}

/// Offsets around a threshold: one byte, one quantum (16 B), one alignment step.
const NEAR: &[i64] = &[-17, -16, -1, 0, 1, 16, 17, 64];

/// A byte count (capacity, length).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Size(pub u32);

impl<'a> Arbitrary<'a> for Size {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let bucket: u8 = u.arbitrary()?;
        let n = match bucket % 16 {
            0..=6 => u.int_in_range(0..=64u32)?,
            7..=9 => u.int_in_range(0..=600u32)?,
            10 | 11 => u.int_in_range(0..=9_000u32)?,
            12..=14 => near_a_class_boundary(u.int_in_range(0..=MAX_SIZE)?),
            _ => {
                // Near a threshold; the largest ones (≥ 1 MiB, whose bytes every check
                // compares) one time in sixteen.
                let t = *u.choose(THRESHOLDS)?;
                let t = if t >= 1 << 20 && u.int_in_range(0..=15u8)? != 0 {
                    THRESHOLDS[1]
                } else {
                    t
                };
                (i64::from(t) + *u.choose(NEAR)?).max(0) as u32
            }
        };
        Ok(Size(n))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(7))
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A `maxCapacity`: Java's `Integer.MAX_VALUE` (the allocator default) or a bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// `Integer.MAX_VALUE`.
    #[default]
    Unbounded,
    /// Exactly this many bytes (may be below the initial capacity: an error).
    Bounded(Size),
}

impl Capacity {
    /// The value Netty sees.
    pub fn value(self) -> i64 {
        match self {
            Capacity::Unbounded => i32::MAX as i64,
            Capacity::Bounded(s) => s.0 as i64,
        }
    }
}

impl<'a> Arbitrary<'a> for Capacity {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(if u.ratio(1, 4)? {
            Capacity::Bounded(u.arbitrary()?)
        } else {
            Capacity::Unbounded
        })
    }
}

/// A retain/release amount: 0 (Netty's `IllegalArgumentException`) to 3.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Amount(pub u8);

impl<'a> Arbitrary<'a> for Amount {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let b: u8 = u.arbitrary()?;
        Ok(Amount(match b % 16 {
            0 => 0,
            1..=11 => 1,
            12..=14 => 2,
            _ => 3,
        }))
    }
}

/// The seed of a written byte pattern: byte `i` of a write is `seed + i` (mod 256),
/// so a shifted or overlapping region never reads back as the expected bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Pattern(pub u8);

impl Pattern {
    /// The `len` bytes this pattern writes: byte `i` is `(seed + i) * 31 + 7` (mod 256),
    /// so the bytes repeat every 256 and are copied from one period.
    pub fn bytes(self, len: usize) -> Vec<u8> {
        let period: [u8; 256] = std::array::from_fn(|i| {
            self.0
                .wrapping_add(i as u8)
                .wrapping_mul(31)
                .wrapping_add(7)
        });
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let n = (len - out.len()).min(period.len());
            out.extend_from_slice(&period[..n]);
        }
        out
    }
}

impl<'a> Arbitrary<'a> for Pattern {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Pattern(u.arbitrary()?))
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn pattern_bytes_follow_the_per_byte_rule_across_periods() {
        for seed in [0u8, 1, 200, 255] {
            for len in [0usize, 1, 255, 256, 257, 1000] {
                let expected: Vec<u8> = (0..len)
                    .map(|i| seed.wrapping_add(i as u8).wrapping_mul(31).wrapping_add(7))
                    .collect();
                assert_eq!(Pattern(seed).bytes(len), expected, "seed {seed} len {len}");
            }
        }
    }
}
