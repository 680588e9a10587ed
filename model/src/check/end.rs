//! The end-of-program claims ("leak-free ⇒ zero usage", issue §4) and the shadow
//! agreement, as named checks over numbers the executor measured.

use crate::invariant::{
    DIRECT_COUNTER_ZERO_AFTER_DESTROY, LEAKED_BYTES_EXACT, LEAK_FREE_ZERO_USAGE, SHADOW_AGREEMENT,
    USAGE_MATCHES_MODEL,
};
use crate::violation::Violation;

/// The shadow's usage (normalized bytes of generations neither deallocated nor
/// reclaimed) equals what the model still holds for them.
#[inline]
pub fn usage_matches_model(shadow_usage: u64, model_usage: u64) -> Result<(), Violation> {
    if shadow_usage == model_usage {
        return Ok(());
    }
    Err(Violation::new(
        USAGE_MATCHES_MODEL,
        format!("the shadow expects {shadow_usage} bytes in use, the model holds {model_usage}"),
    ))
}

/// A program that released everything it created ends with usage 0.
#[inline]
pub fn leak_free_zero_usage(usage: u64) -> Result<(), Violation> {
    if usage == 0 {
        return Ok(());
    }
    Err(Violation::new(
        LEAK_FREE_ZERO_USAGE,
        format!("the program released everything but {usage} bytes are still in use"),
    ))
}

/// A program that leaked ends with usage equal to exactly its leaked bytes.
#[inline]
pub fn leaked_bytes_exact(usage: u64, leaked: u64) -> Result<(), Violation> {
    if usage == leaked {
        return Ok(());
    }
    Err(Violation::new(
        LEAKED_BYTES_EXACT,
        format!("usage is {usage} bytes but the leaked buffers hold {leaked}"),
    ))
}

/// After the allocator is destroyed Netty's direct counter holds only what no
/// destruction can return: leaked huge chunks and leaked no-Cleaner buffers (0 for a
/// program that leaked none of those).
#[inline]
pub fn direct_counter_zero_after_destroy(used: i64, pinned_by_leaks: i64) -> Result<(), Violation> {
    if used == pinned_by_leaks {
        return Ok(());
    }
    Err(Violation::new(
        DIRECT_COUNTER_ZERO_AFTER_DESTROY,
        format!(
            "after destroying the allocator DIRECT_MEMORY_COUNTER = {used}, expected {pinned_by_leaks}"
        ),
    ))
}

/// The model and the shadow model disagree about an op's outcome.
#[inline]
pub fn shadow_agreement(
    step: usize,
    what: &str,
    model: &str,
    shadow: &str,
) -> Result<(), Violation> {
    if model == shadow {
        return Ok(());
    }
    Err(SHADOW_AGREEMENT.violated(format!(
        "step {step}: {what}: model {model}, shadow {shadow}"
    )))
}
