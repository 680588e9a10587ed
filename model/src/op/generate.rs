//! How `arbitrary` draws an [`Op`]: first a family of ops by a fixed weight, then one
//! op of the family uniformly.
//!
//! The families' shares are what the checkers' budgets were measured with (each op
//! of the original twenty drawn alike). A new op joins a family and shares its
//! weight, so adding a kind of view never thins out the allocations and frees whose
//! pressure the pool's mutants need (the mutant catalogue hunts within a fixed budget
//! of seeds).

use super::ops::{Op, ThreadKindOp};
use arbitrary::{Arbitrary, Unstructured};

/// A family of ops: its weight (out of [`TOTAL`]) and its members.
struct Family {
    weight: u8,
    ops: &'static [Kind],
}

/// The op kinds, without their arguments.
#[derive(Clone, Copy)]
enum Kind {
    Alloc,
    Write,
    Read,
    SetCapacity,
    Copy,
    Slice,
    Duplicate,
    ReadSlice,
    RetainedSlice,
    RetainedDuplicate,
    ReadRetainedSlice,
    AsReadOnly,
    Unreleasable,
    Retain,
    Release,
    Drop,
    HandOff,
    Gc,
    TrimCache,
    FreeCache,
    StartThread,
    ExitThread,
}

const FAMILIES: &[Family] = &[
    // Allocation, and what returns memory (the pool's mutants live here).
    Family {
        weight: 1,
        ops: &[Kind::Alloc],
    },
    Family {
        weight: 2,
        ops: &[Kind::Release, Kind::Drop],
    },
    // Bytes, growth and copies.
    Family {
        weight: 4,
        ops: &[Kind::Write, Kind::Read, Kind::SetCapacity, Kind::Copy],
    },
    // Views and wrappers: six shares however many kinds there are.
    Family {
        weight: 6,
        ops: &[
            Kind::Slice,
            Kind::Duplicate,
            Kind::ReadSlice,
            Kind::RetainedSlice,
            Kind::RetainedDuplicate,
            Kind::ReadRetainedSlice,
            Kind::AsReadOnly,
            Kind::Unreleasable,
        ],
    },
    Family {
        weight: 1,
        ops: &[Kind::Retain],
    },
    // Threads, caches and the collector.
    Family {
        weight: 6,
        ops: &[
            Kind::HandOff,
            Kind::Gc,
            Kind::TrimCache,
            Kind::FreeCache,
            Kind::StartThread,
            Kind::ExitThread,
        ],
    },
];

/// The sum of the families' weights.
const TOTAL: u8 = {
    let mut sum = 0;
    let mut i = 0;
    while i < FAMILIES.len() {
        sum += FAMILIES[i].weight;
        i += 1;
    }
    sum
};

fn kind(u: &mut Unstructured<'_>) -> arbitrary::Result<Kind> {
    let mut roll = u.int_in_range(0..=TOTAL - 1)?;
    let family = FAMILIES
        .iter()
        .find(|f| {
            let here = roll < f.weight;
            roll = roll.saturating_sub(f.weight);
            here
        })
        .unwrap_or(&FAMILIES[0]);
    Ok(*u.choose(family.ops)?)
}

impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match kind(u)? {
            Kind::Alloc => {
                // `pooled` is the byte's low bit, as `bool::arbitrary` reads it, and the
                // next bit picks the second allocator: programs drawn before it existed
                // decode to the same ops.
                let which: u8 = u.arbitrary()?;
                Op::Alloc {
                    pooled: which & 1 == 1,
                    direct: u.arbitrary()?,
                    size: u.arbitrary()?,
                    max: u.arbitrary()?,
                    second: which & 2 == 2,
                }
            }
            Kind::Write => Op::Write {
                buf: u.arbitrary()?,
                len: u.arbitrary()?,
                pattern: u.arbitrary()?,
            },
            Kind::Read => Op::Read {
                buf: u.arbitrary()?,
                len: u.arbitrary()?,
            },
            Kind::SetCapacity => Op::SetCapacity {
                buf: u.arbitrary()?,
                capacity: u.arbitrary()?,
            },
            Kind::Copy => Op::Copy {
                buf: u.arbitrary()?,
            },
            Kind::Slice => Op::Slice {
                buf: u.arbitrary()?,
            },
            Kind::Duplicate => Op::Duplicate {
                buf: u.arbitrary()?,
            },
            Kind::ReadSlice => Op::ReadSlice {
                buf: u.arbitrary()?,
                len: u.arbitrary()?,
            },
            Kind::RetainedSlice => Op::RetainedSlice {
                buf: u.arbitrary()?,
            },
            Kind::RetainedDuplicate => Op::RetainedDuplicate {
                buf: u.arbitrary()?,
            },
            Kind::ReadRetainedSlice => Op::ReadRetainedSlice {
                buf: u.arbitrary()?,
                len: u.arbitrary()?,
            },
            Kind::AsReadOnly => Op::AsReadOnly {
                buf: u.arbitrary()?,
            },
            Kind::Unreleasable => Op::Unreleasable {
                buf: u.arbitrary()?,
            },
            Kind::Retain => Op::Retain {
                buf: u.arbitrary()?,
                k: u.arbitrary()?,
            },
            Kind::Release => Op::Release {
                buf: u.arbitrary()?,
                k: u.arbitrary()?,
            },
            Kind::Drop => Op::Drop {
                buf: u.arbitrary()?,
            },
            Kind::HandOff => Op::HandOff {
                buf: u.arbitrary()?,
                to: u.arbitrary()?,
            },
            Kind::Gc => Op::Gc,
            Kind::TrimCache => Op::TrimCache,
            Kind::FreeCache => Op::FreeCache,
            Kind::StartThread => Op::StartThread {
                kind: ThreadKindOp::arbitrary(u)?,
            },
            Kind::ExitThread => Op::ExitThread {
                clean: u.arbitrary()?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_kind_is_drawn_and_families_keep_their_share() {
        let mut names = std::collections::BTreeMap::<&str, u32>::new();
        let mut allocs = 0u32;
        let n = 20_000u32;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..n {
            let bytes: Vec<u8> = (0..16)
                .map(|_| {
                    // xorshift64: any fixed stream of bytes will do.
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let op = Op::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
            allocs += u32::from(matches!(op, Op::Alloc { .. }));
            *names.entry(op.name()).or_default() += 1;
        }
        assert_eq!(names.len(), 22, "{names:?}");
        // One share in twenty, within sampling noise.
        assert!(
            (n / 30..n / 13).contains(&allocs),
            "{allocs} allocations of {n}"
        );
    }
}
