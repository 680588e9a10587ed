//! The reference-count protocol's invariants over a [`System`] (netty.md §6.1, §9.9).
//!
//! Each restates Netty's rule from what happened to the objects (deallocations, reads,
//! successful operations), not from the algorithm that produced it: a release returns
//! "deallocate" once per allocation, nothing touches a deallocated object, a released
//! object never counts as live again, and even/odd keeps the cell's parity. The proofs
//! evaluate them on every explored state; the interpreter's logs carry the same facts.

use super::algorithm::Algorithm;
use super::system::{ObjectState, System};
use crate::invariant::{
    Invariant, DEALLOCATE_AT_MOST_ONCE, EVERY_REFERENCE_RELEASED, NO_ACCESS_AFTER_DEALLOCATE,
    PROTOCOL_PARITY, RELEASED_IS_TERMINAL,
};
use crate::violation::Violation;

fn first_bad(
    system: &System,
    invariant: Invariant,
    bad: impl Fn(&ObjectState) -> Option<String>,
) -> Result<(), Violation> {
    for (i, o) in system.objects().enumerate() {
        if let Some(what) = bad(o) {
            let which = if i == 0 {
                "the root".to_string()
            } else {
                format!("derivative #{i}")
            };
            return Err(Violation::new(invariant, format!("{which}: {what}")));
        }
    }
    Ok(())
}

/// `deallocate()` runs at most once per object (§9.9: one deallocate per allocation
/// generation; #8563 broke it).
pub fn deallocate_at_most_once(system: &System) -> Result<(), Violation> {
    first_bad(system, DEALLOCATE_AT_MOST_ONCE, |o| {
        (o.deallocations() > 1).then(|| format!("deallocated {} times", o.deallocations()))
    })
}

/// No micro-step touches an object's cell after its deallocation: its memory is back in
/// the pool (or someone else's). Holds for misuse-free programs only; misuse is
/// expected to touch released objects and get an exception.
pub fn no_access_after_deallocate(system: &System) -> Result<(), Violation> {
    first_bad(system, NO_ACCESS_AFTER_DEALLOCATE, |o| {
        o.touched_after_deallocate()
            .then(|| "its cell was read or written after deallocation".to_string())
    })
}

/// Released is terminal (§9.9): once deallocated, an object's count never reads live
/// (`refCnt() > 0`) again.
pub fn released_is_terminal(system: &System) -> Result<(), Violation> {
    first_bad(system, RELEASED_IS_TERMINAL, |o| {
        o.resurrected()
            .then(|| "its count read live again after deallocation".to_string())
    })
}

/// Even/odd only (§6.1, §9.9): an object's raw count is even until its final release
/// and odd from then on (the final release's CAS writes 1; every other change is ±2k).
pub fn protocol_parity(system: &System, algorithm: Algorithm) -> Result<(), Violation> {
    if algorithm != Algorithm::EvenOdd {
        return Ok(());
    }
    first_bad(system, PROTOCOL_PARITY, |o| {
        let odd = o.raw() & 1 == 1;
        let released = o.deallocations() > 0;
        (o.is_born() && odd != released).then(|| {
            format!(
                "raw count {} after {} deallocation(s)",
                o.raw(),
                o.deallocations()
            )
        })
    })
}

/// On a finished misuse-free program (every reference released once by its holder):
/// every object that was created was deallocated exactly once.
pub fn every_reference_released(system: &System) -> Result<(), Violation> {
    first_bad(system, EVERY_REFERENCE_RELEASED, |o| {
        (o.is_born() && o.deallocations() != 1).then(|| {
            format!(
                "ended with raw count {} and {} deallocation(s)",
                o.raw(),
                o.deallocations()
            )
        })
    })
}

/// The invariants that hold in every state of any program (misuse included) under a
/// correct algorithm, first violation wins.
pub fn check_always(system: &System, algorithm: Algorithm) -> Result<(), Violation> {
    deallocate_at_most_once(system)?;
    released_is_terminal(system)?;
    protocol_parity(system, algorithm)
}

/// Every protocol invariant that applies to `system`: the [`check_always`] ones, plus
/// for misuse-free programs no access after deallocation and, once finished, every
/// reference released. Replay of a recorded schedule uses this.
pub fn check_all(
    system: &System,
    algorithm: Algorithm,
    misuse_free: bool,
) -> Result<(), Violation> {
    check_always(system, algorithm)?;
    if misuse_free {
        no_access_after_deallocate(system)?;
        if system.is_finished() {
            every_reference_released(system)?;
        }
    }
    Ok(())
}
