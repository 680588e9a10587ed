//! `AbstractByteBufAllocator`'s capacity rules.

use crate::buffer::texts;
use crate::error::{JavaException, JavaResult};
use crate::profile::RefCountProfile;

/// 4 MiB: below it capacities double, above it they grow in 4 MiB steps.
pub const CALCULATE_THRESHOLD: usize = 4 * 1024 * 1024;

/// `validate(initialCapacity, maxCapacity)`; `profile` spaces the negative text.
pub fn validate_capacities(profile: &RefCountProfile, initial: i64, max: i64) -> JavaResult<()> {
    if initial < 0 {
        return Err(profile.negative_amount("initialCapacity", initial));
    }
    if initial > max {
        return Err(texts::bad_initial_capacity(initial, max));
    }
    Ok(())
}

/// `calculateNewCapacity(minNewCapacity, maxCapacity)`.
pub fn calculate_new_capacity(min_new: usize, max: usize) -> JavaResult<usize> {
    if min_new > max {
        return Err(JavaException::illegal_argument(format!(
            "minNewCapacity: {min_new} (expected: not greater than maxCapacity({max})"
        )));
    }
    let threshold = CALCULATE_THRESHOLD;
    if min_new == threshold {
        return Ok(threshold);
    }
    if min_new > threshold {
        let new_capacity = min_new / threshold * threshold;
        return Ok(if new_capacity > max.saturating_sub(threshold) {
            max
        } else {
            new_capacity + threshold
        });
    }
    let new_capacity = min_new.max(64).next_power_of_two();
    Ok(new_capacity.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_64_below_threshold() {
        assert_eq!(calculate_new_capacity(1, 1 << 20).unwrap(), 64);
        assert_eq!(calculate_new_capacity(65, 1 << 20).unwrap(), 128);
        assert_eq!(
            calculate_new_capacity(1000, 512).unwrap_err().message,
            "minNewCapacity: 1000 (expected: not greater than maxCapacity(512)"
        );
        assert_eq!(calculate_new_capacity(300, 400).unwrap(), 400);
    }

    #[test]
    fn steps_by_4mib_above_threshold() {
        let t = CALCULATE_THRESHOLD;
        assert_eq!(calculate_new_capacity(t, usize::MAX).unwrap(), t);
        assert_eq!(calculate_new_capacity(t + 1, 64 << 20).unwrap(), 2 * t);
        // 4 MiB steps, not doubling: 8 MiB + 1 grows to 12 MiB.
        assert_eq!(calculate_new_capacity(2 * t + 1, 64 << 20).unwrap(), 3 * t);
        assert_eq!(calculate_new_capacity(t + 1, t + 10).unwrap(), t + 10);
    }

    #[test]
    fn validates_initial_against_max() {
        let p = RefCountProfile::netty_4_1();
        assert!(validate_capacities(&p, 0, 0).is_ok());
        assert_eq!(
            validate_capacities(&p, -1, 10).unwrap_err().message,
            "initialCapacity : -1 (expected: >= 0)"
        );
        assert_eq!(
            validate_capacities(&p, 11, 10).unwrap_err().message,
            "initialCapacity: 11 (expected: not greater than maxCapacity(10)"
        );
    }
}
