//! Bytes Java leaves unspecified, and how a read's bytes are compared around them.
//!
//! A no-Cleaner buffer's `capacity(n)` reallocates with `Unsafe.reallocateMemory`
//! (`PlatformDependent.reallocateDirectNoCleaner`, both releases), which leaves the
//! grown tail uninitialized: glibc's in-place `realloc` may hand back what an earlier
//! shrink cut off. No value there is Netty's, so the comparison must not look at those
//! bytes, nor at any byte that came from them (a copy, a read through a view), while a
//! byte written since is defined again. Rather than restate how bytes move, the model
//! side runs a program that received such bytes a second time with them filled with
//! another value ([`SECOND_FILL`], `Jvm::fill_uninitialized`): a byte that a read
//! returns differently in the two runs came from uninitialized memory, one that reads
//! the same did not (bytes are only ever copied, never computed). Both sides hash a
//! read with those bytes zeroed — the oracle is told their ranges at the end of the
//! read's op line — and print how many there were.

use crate::trace::fnv1a;

/// The value uninitialized bytes get in the model's second run (the first: 0).
pub const SECOND_FILL: u8 = 0xa5;

/// Where `a` and `b` differ, as `[start, end)` ranges (over the shorter length).
pub fn differing_ranges(a: &[u8], b: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, _) in a.iter().zip(b).enumerate().filter(|(_, (x, y))| x != y) {
        match out.last_mut() {
            Some((_, end)) if *end == i => *end = i + 1,
            _ => out.push((i, i + 1)),
        }
    }
    out
}

/// A successful read's result as both sides print it: `ok bytes N HASH`, the hash
/// taken with the bytes in `unspecified` zeroed, then ` unspecified K` when K > 0.
pub fn read_result(bytes: &[u8], unspecified: &[(usize, usize)]) -> String {
    let mut masked = bytes.to_vec();
    let mut n = 0;
    for &(from, to) in unspecified {
        let to = to.min(masked.len());
        let from = from.min(to);
        masked[from..to].fill(0);
        n += to - from;
    }
    let tail = if n == 0 {
        String::new()
    } else {
        format!(" unspecified {n}")
    };
    format!("ok bytes {} {:016x}{tail}", bytes.len(), fnv1a(&masked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regrown_no_cleaner_tail_is_unspecified_until_written_and_in_copies() {
        // Write 100 bytes, keep a duplicate, shrink the root to 4 and grow it back to
        // 100 (Unsafe.reallocateMemory: [4, 100) uninitialized), write 10 bytes at the
        // root's writer index 4, copy the duplicate, then read the duplicate and the copy.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/diff/no-cleaner-regrown-tail-is-unspecified.json"
        );
        let t = crate::trace::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut config = t.config.clone();
        crate::diff::setup::normalize(&mut config);
        let run = crate::diff::observe::run("t", &t.program(), &config).unwrap();
        let expected: std::collections::BTreeMap<usize, Vec<(usize, usize)>> =
            [(7, vec![(14, 100)]), (8, vec![(14, 100)])].into();
        assert_eq!(run.unspecified, expected);
        assert!(run.text.contains("step 7 read ok bytes 100 "));
        assert_eq!(run.text.matches(" unspecified 86").count(), 2);
        // Without the regrowth nothing is unspecified and nothing runs twice.
        let mut program = t.program();
        program
            .steps
            .retain(|s| !matches!(s.op, leakproof_model::op::Op::SetCapacity { .. }));
        let plain = crate::diff::observe::run("t", &program, &config).unwrap();
        assert!(plain.unspecified.is_empty());
        assert!(!plain.text.contains("unspecified"));
    }

    #[test]
    fn ranges_cover_exactly_the_differing_bytes() {
        assert_eq!(differing_ranges(&[1, 2, 3], &[1, 2, 3]), vec![]);
        assert_eq!(
            differing_ranges(&[0, 0, 0, 1, 0, 0], &[9, 9, 0, 1, 9, 0]),
            vec![(0, 2), (4, 5)]
        );
    }

    #[test]
    fn unspecified_bytes_are_ignored_and_defined_ones_still_compared() {
        // The model's bytes, and Netty's with other values in the unspecified range.
        let model = [7, 7, 0, 0, 0, 7];
        let netty = [7, 7, 41, 0, 13, 7];
        let unspecified = [(2, 5)];
        assert_eq!(
            read_result(&model, &unspecified),
            read_result(&netty, &unspecified)
        );
        assert!(read_result(&model, &unspecified).ends_with(" unspecified 3"));
        // A difference in a defined byte is still a disagreement.
        let wrong = [7, 8, 41, 0, 13, 7];
        assert_ne!(
            read_result(&model, &unspecified),
            read_result(&wrong, &unspecified)
        );
        // Without ranges the text is the plain one both sides printed before.
        assert_eq!(
            read_result(&model, &[]),
            format!("ok bytes 6 {:016x}", fnv1a(&model))
        );
    }
}
