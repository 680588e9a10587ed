//! Overlap detection (§8 row 9): what a live buffer holds is what was last written.

use crate::invariant::BYTES_AS_WRITTEN;
use crate::violation::Violation;

/// Compares the bytes the program last wrote to a live buffer (`None` where nothing
/// was written since allocation, so any value is acceptable) with what the model's
/// memory holds; the first difference is a violation naming `what`.
pub fn bytes_as_written(
    what: &dyn std::fmt::Display,
    expected: &[Option<u8>],
    actual: &[u8],
) -> Result<(), Violation> {
    // One branch-free pass (it vectorizes, and coverage instrumentation sees no
    // per-byte comparison); the first difference is searched only when there is one.
    let differs = expected.iter().zip(actual).fold(0u8, |acc, (e, &a)| {
        acc | (u8::from(e.is_some()).wrapping_neg() & (e.unwrap_or(0) ^ a))
    });
    if differs == 0 {
        return Ok(());
    }
    let first = expected
        .iter()
        .zip(actual)
        .position(|(e, a)| e.is_some_and(|e| e != *a));
    match first {
        None => Ok(()),
        Some(i) => Err(Violation::new(
            BYTES_AS_WRITTEN,
            format!(
                "{what}: byte {i} is {:#04x}, last written {:#04x} (another buffer overlaps it)",
                actual[i],
                expected[i].unwrap_or(0)
            ),
        )),
    }
}

/// The bytes a root object's memory holds over `[0, capacity)`, read directly (no
/// access checks, no leak records); `None` for views, freed or virtual memory.
pub fn object_root_bytes(obj: &crate::buffer::BufObject) -> Option<Vec<u8>> {
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
    if !memory.is_materialized() || offset + capacity > memory.len() {
        return None;
    }
    let mut out = vec![0; capacity];
    memory.read(offset, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{bytes_as_written, BYTES_AS_WRITTEN};

    #[test]
    fn unwritten_bytes_match_anything_and_the_first_difference_is_named() {
        let expected = [Some(1), None, Some(3), Some(4)];
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
