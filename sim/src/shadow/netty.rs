//! The Netty rules the shadow predicts with, restated from Netty 4.1.128's Java source
//! (file and line cited on each): exception texts, capacity growth and in-place
//! resizing. Sizes come from `leakproof_model::check::netty`, the checkers' own
//! restatement; nothing here calls the model's rule functions
//! (`tests/oracle_independence/` checks that).

use leakproof_model::error::{JavaClass, JavaException};
use leakproof_model::profile::ArgumentErrorStyle;

/// `AbstractByteBufAllocator.CALCULATE_THRESHOLD` (AbstractByteBufAllocator.java:34).
const CALCULATE_THRESHOLD: usize = 4 * 1024 * 1024;

/// `IllegalReferenceCountException(refCnt)` (common/…/IllegalReferenceCountException.java:30).
pub fn ref_cnt(ref_cnt: i64) -> JavaException {
    JavaException::new(
        JavaClass::IllegalReferenceCount,
        format!("refCnt: {ref_cnt}"),
    )
}

/// `IllegalReferenceCountException(refCnt, increment)`: a negative increment prints as
/// `decrement` (IllegalReferenceCountException.java:33–34).
pub fn ref_cnt_change(ref_cnt: i64, increment: i64) -> JavaException {
    let change = if increment > 0 {
        format!("increment: {increment}")
    } else {
        format!("decrement: {}", -increment)
    };
    JavaException::new(
        JavaClass::IllegalReferenceCount,
        format!("refCnt: {ref_cnt}, {change}"),
    )
}

/// What `ObjectUtil`'s argument checks put between the name and the value: ` :` in
/// 4.1.128 (common/…/ObjectUtil.java:100, 144), `:` in 4.1.48 (ObjectUtil.java:66).
fn colon(style: ArgumentErrorStyle) -> &'static str {
    match style {
        ArgumentErrorStyle::NoSpace => ":",
        ArgumentErrorStyle::SpaceBeforeColon => " :",
    }
}

/// `ObjectUtil.checkPositive(i, name)`: `name : i (expected: > 0)` (4.1.128).
pub fn non_positive(style: ArgumentErrorStyle, what: &str, amount: i32) -> JavaException {
    let sep = colon(style);
    JavaException::new(
        JavaClass::IllegalArgument,
        format!("{what}{sep} {amount} (expected: > 0)"),
    )
}

/// `checkRangeBounds("index", …)` via `checkIndex0` (AbstractByteBuf.java:1387–1395).
pub fn index_out_of_range(index: i64, length: i64, capacity: usize) -> JavaException {
    JavaException::new(
        JavaClass::IndexOutOfBounds,
        format!("index: {index}, length: {length} (expected: range(0, {capacity}))"),
    )
}

/// `UnpooledDirectByteBuf.copy` past the capacity (UnpooledDirectByteBuf.java:618).
pub fn too_many_bytes_to_read(need: i64) -> JavaException {
    JavaException::new(
        JavaClass::IndexOutOfBounds,
        format!("Too many bytes to read - Need {need}"),
    )
}

/// `checkNewCapacity` (AbstractByteBuf.java:1431–1436).
pub fn bad_new_capacity(new_capacity: i64, max: usize) -> JavaException {
    JavaException::new(
        JavaClass::IllegalArgument,
        format!("newCapacity: {new_capacity} (expected: 0-{max})"),
    )
}

/// `AbstractByteBufAllocator.validate` (AbstractByteBufAllocator.java:227–233), with
/// `checkPositiveOrZero`'s text for a negative capacity.
pub fn bad_initial_capacity(style: ArgumentErrorStyle, initial: i64, max: i64) -> JavaException {
    let message = if initial < 0 {
        let sep = colon(style);
        format!("initialCapacity{sep} {initial} (expected: >= 0)")
    } else {
        format!("initialCapacity: {initial} (expected: not greater than maxCapacity({max})")
    };
    JavaException::new(JavaClass::IllegalArgument, message)
}

/// `calculateNewCapacity(minNewCapacity, maxCapacity)` (AbstractByteBufAllocator.java:
/// 252–279): double from 64 up to 4 MiB, then grow in 4 MiB steps, never past the max.
pub fn calculate_new_capacity(min_new: usize, max: usize) -> Result<usize, JavaException> {
    if min_new > max {
        return Err(JavaException::new(
            JavaClass::IllegalArgument,
            format!("minNewCapacity: {min_new} (expected: not greater than maxCapacity({max})"),
        ));
    }
    let t = CALCULATE_THRESHOLD;
    if min_new == t {
        return Ok(t);
    }
    if min_new > t {
        let floor = min_new / t * t;
        return Ok(if floor > max.saturating_sub(t) {
            max
        } else {
            floor + t
        });
    }
    let mut capacity = 64;
    while capacity < min_new {
        capacity <<= 1;
    }
    Ok(capacity.min(max))
}

/// `ensureWritable0(len)` reaches `capacity(n)` (and may allocate): unless
/// `writerIndex + minWritableBytes <= capacity()` (AbstractByteBuf.java:286–291 of
/// 4.1.48, :284–290 of 4.1.128). A derivative's writer index can be past its
/// capacity (another view shrank the root), and then even a 0-byte write grows it.
pub fn write_grows(writer: usize, len: usize, capacity: usize) -> bool {
    writer + len > capacity
}

/// `PooledByteBuf.capacity(n)` stays in place (PooledByteBuf.java:106–119): growing
/// within `maxLength`, or shrinking to more than half of it (and, for `maxLength` ≤
/// 512, by less than 16 bytes); huge buffers always reallocate.
pub fn fits_in_place(length: usize, max_length: usize, new: usize, huge: bool) -> bool {
    if huge {
        return false;
    }
    if new > length {
        new <= max_length
    } else {
        new > max_length >> 1 && (max_length > 512 || new > max_length - 16)
    }
}

/// `checkIndexBounds` via `setIndex` (AbstractByteBuf.java:110–116).
pub fn bad_indexes(reader: i64, writer: i64, capacity: usize) -> JavaException {
    JavaException::new(
        JavaClass::IndexOutOfBounds,
        format!(
            "readerIndex: {reader}, writerIndex: {writer} (expected: 0 <= readerIndex <= writerIndex <= capacity({capacity}))"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_doubles_then_steps_by_4_mib() {
        assert_eq!(calculate_new_capacity(1, 1 << 20).unwrap(), 64);
        assert_eq!(calculate_new_capacity(65, 1 << 20).unwrap(), 128);
        assert_eq!(calculate_new_capacity(300, 400).unwrap(), 400);
        let t = CALCULATE_THRESHOLD;
        assert_eq!(calculate_new_capacity(t, usize::MAX).unwrap(), t);
        assert_eq!(calculate_new_capacity(t + 1, 64 << 20).unwrap(), 2 * t);
        assert_eq!(calculate_new_capacity(t + 1, t + 10).unwrap(), t + 10);
        assert!(calculate_new_capacity(1000, 512).is_err());
    }

    #[test]
    fn a_write_grows_past_the_capacity_even_when_empty() {
        assert!(!write_grows(10, 6, 16) && write_grows(10, 7, 16));
        // A duplicate whose root shrank to 0 under it (4.1.48: Netty grows the root).
        assert!(write_grows(131_073, 0, 0));
        assert!(!write_grows(0, 0, 0));
    }

    #[test]
    fn texts_as_netty_prints_them() {
        assert_eq!(ref_cnt_change(0, -1).message, "refCnt: 0, decrement: 1");
        assert_eq!(ref_cnt_change(1, 1).message, "refCnt: 1, increment: 1");
        assert_eq!(
            non_positive(ArgumentErrorStyle::SpaceBeforeColon, "increment", 0).message,
            "increment : 0 (expected: > 0)"
        );
        assert_eq!(
            non_positive(ArgumentErrorStyle::NoSpace, "decrement", -1).message,
            "decrement: -1 (expected: > 0)"
        );
    }
}
