//! Netty's index and capacity error texts (`AbstractByteBuf`, `AbstractUnpooledSlicedByteBuf`).

use crate::error::JavaException;

/// `checkIndex0`: `index: I, length: L (expected: range(0, C))`.
pub fn index_out_of_range(index: i64, length: i64, capacity: usize) -> JavaException {
    JavaException::index_out_of_bounds(format!(
        "index: {index}, length: {length} (expected: range(0, {capacity}))"
    ))
}

/// `checkReadableBytes0`: `readerIndex(R) + length(L) exceeds writerIndex(W): <buf>`.
pub fn not_readable(reader: usize, length: usize, writer: usize, buf: &str) -> JavaException {
    JavaException::index_out_of_bounds(format!(
        "readerIndex({reader}) + length({length}) exceeds writerIndex({writer}): {buf}"
    ))
}

/// `ensureWritable0`: `writerIndex(W) + minWritableBytes(N) exceeds maxCapacity(M): <buf>`.
pub fn not_writable(writer: usize, min: usize, max: usize, buf: &str) -> JavaException {
    JavaException::index_out_of_bounds(format!(
        "writerIndex({writer}) + minWritableBytes({min}) exceeds maxCapacity({max}): {buf}"
    ))
}

/// `checkIndexBounds` (`readerIndex(int)`, `writerIndex(int)`, `setIndex`):
/// `readerIndex: R, writerIndex: W (expected: 0 <= readerIndex <= writerIndex <= capacity(C))`.
pub fn bad_indexes(reader: i64, writer: i64, capacity: usize) -> JavaException {
    JavaException::index_out_of_bounds(format!(
        "readerIndex: {reader}, writerIndex: {writer} (expected: 0 <= readerIndex <= writerIndex <= capacity({capacity}))"
    ))
}

/// `checkSliceOutOfBounds`: `<buf>.slice(I, L)`.
pub fn slice_out_of_bounds(buf: &str, index: i64, length: i64) -> JavaException {
    JavaException::index_out_of_bounds(format!("{buf}.slice({index}, {length})"))
}

/// `checkNewCapacity`: `newCapacity: N (expected: 0-M)` (an `IllegalArgumentException`).
pub fn bad_new_capacity(new_capacity: i64, max: usize) -> JavaException {
    JavaException::illegal_argument(format!("newCapacity: {new_capacity} (expected: 0-{max})"))
}

/// `AbstractByteBufAllocator.validate`: `initialCapacity: I (expected: not greater
/// than maxCapacity(M)` (an `IllegalArgumentException`; a negative `I` is
/// `RefCountProfile::negative_amount`'s).
pub fn bad_initial_capacity(initial: i64, max: i64) -> JavaException {
    JavaException::illegal_argument(format!(
        "initialCapacity: {initial} (expected: not greater than maxCapacity({max})"
    ))
}
