//! Overlap detection (§8 row 9): what a live buffer holds is what was last written.

use super::ExpectedBytes;
use crate::invariant::BYTES_AS_WRITTEN;
use crate::sync::Piece;
use crate::violation::Violation;
use std::ops::ControlFlow;

/// Compares the bytes the program last wrote to a live buffer (`None` where nothing
/// was written since allocation, so any value is acceptable) with what the model's
/// memory holds; the first difference is a violation naming `what`.
#[inline]
pub fn bytes_as_written(
    what: &dyn std::fmt::Display,
    expected: &ExpectedBytes,
    actual: &[u8],
) -> Result<(), Violation> {
    match expected.first_difference(actual) {
        None => Ok(()),
        Some(i) => Err(differs(what, expected, i, actual[i])),
    }
}

/// The violation for byte `i`, which holds `actual`.
#[inline]
fn differs(
    what: &dyn std::fmt::Display,
    expected: &ExpectedBytes,
    i: usize,
    actual: u8,
) -> Violation {
    Violation::new(
        BYTES_AS_WRITTEN,
        format!(
            "{what}: byte {i} is {actual:#04x}, last written {:#04x} (another buffer overlaps it)",
            expected.get(i).unwrap_or(0)
        ),
    )
}

/// [`bytes_as_written`] for a root object's memory over `[0, min(capacity, len))`,
/// read in place, never-written pages without reading them (no copy, no access
/// checks, no leak records); `None` for views, freed or virtual memory.
#[inline]
pub fn root_bytes_as_written(
    what: &dyn std::fmt::Display,
    expected: &ExpectedBytes,
    obj: &crate::buffer::BufObject,
    len: usize,
) -> Option<Result<(), Violation>> {
    use crate::buffer::Body;
    // The memory is cloned out first: reading it is a facade operation (chunk bytes),
    // which must not run under the object's bookkeeping lock.
    let (memory, offset, capacity) = {
        let state = obj.state();
        let Body::Root { region, capacity } = &state.body else {
            return None;
        };
        let (memory, offset) = region.memory()?;
        (memory.clone(), offset, *capacity)
    };
    if offset + capacity > memory.len() {
        return None;
    }
    let first = memory.inspect(offset, capacity.min(len), |at, piece| {
        match expected.first_difference_at(at, piece) {
            Some(i) => {
                let actual = match piece {
                    Piece::Bytes(b) => b[i - at],
                    Piece::Zeros(_) => 0,
                };
                ControlFlow::Break(differs(what, expected, i, actual))
            }
            None => ControlFlow::Continue(()),
        }
    })?;
    Some(first.map_or(Ok(()), Err))
}

#[cfg(test)]
mod tests {
    use super::{bytes_as_written, ExpectedBytes, BYTES_AS_WRITTEN};

    #[test]
    fn unwritten_bytes_match_anything_and_the_first_difference_is_named() {
        let expected = ExpectedBytes::from(&[Some(1), None, Some(3), Some(4)][..]);
        assert!(bytes_as_written(&"b", &expected, &[1, 9, 3, 4]).is_ok());
        let v = bytes_as_written(&"b", &expected, &[1, 9, 7, 5]).unwrap_err();
        assert_eq!(v.invariant, BYTES_AS_WRITTEN);
        assert!(
            v.message.contains("byte 2 is 0x07, last written 0x03"),
            "{}",
            v.message
        );
    }
}
