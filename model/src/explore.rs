//! Exhaustive enumeration of interleavings of any deterministic multi-threaded state.
//!
//! A state that implements [`Interleaving`] says which logical threads can take a step
//! and takes one; [`explore`] walks every schedule depth-first (cloning the state at each
//! branch) and returns the first complete schedule whose final state violates a
//! predicate. The refcount interpreter implements it; the proofs crate reuses it for
//! other step machines.

use std::fmt;

/// A deterministic state of several logical threads, each advancing one step at a time.
pub trait Interleaving: Clone + fmt::Debug {
    /// What one step records in a schedule (enough to replay it).
    type Entry: Clone + fmt::Debug;

    /// The threads that can take a step now, in ascending order; empty when finished.
    fn runnable(&self) -> Vec<usize>;

    /// Advances `thread` by one step; `None` (and no change) when it cannot step.
    fn step(&mut self, thread: usize) -> Option<Self::Entry>;
}

/// A schedule and the final state it led to.
#[derive(Clone, Debug)]
pub struct Counterexample<S: Interleaving> {
    /// The steps taken, in order.
    pub schedule: Vec<S::Entry>,
    /// The state after the last step.
    pub state: S,
}

/// The result of [`explore`].
#[derive(Clone, Debug)]
pub struct Exploration<S: Interleaving> {
    /// Complete schedules checked against the predicate.
    pub schedules: u64,
    /// Schedules cut at the depth bound before finishing (not checked). Zero means the
    /// enumeration was exhaustive.
    pub truncated: u64,
    /// The first complete schedule whose final state violates the predicate.
    pub violation: Option<Counterexample<S>>,
}

impl<S: Interleaving> Exploration<S> {
    /// True when every schedule finished within the bound and none violated.
    pub fn is_proof(&self) -> bool {
        self.truncated == 0 && self.violation.is_none()
    }
}

/// Enumerates every schedule of `initial` up to `max_depth` steps, depth-first with lower
/// thread indices first, and stops at the first finished state for which `violates`
/// returns true.
pub fn explore<S: Interleaving>(
    initial: &S,
    max_depth: usize,
    mut violates: impl FnMut(&S) -> bool,
) -> Exploration<S> {
    let mut result = Exploration {
        schedules: 0,
        truncated: 0,
        violation: None,
    };
    let mut prefix = Vec::new();
    walk(initial, max_depth, &mut prefix, &mut violates, &mut result);
    result
}

fn walk<S: Interleaving>(
    state: &S,
    depth_left: usize,
    prefix: &mut Vec<S::Entry>,
    violates: &mut impl FnMut(&S) -> bool,
    result: &mut Exploration<S>,
) {
    let runnable = state.runnable();
    if runnable.is_empty() {
        result.schedules += 1;
        if violates(state) {
            result.violation = Some(Counterexample {
                schedule: prefix.clone(),
                state: state.clone(),
            });
        }
        return;
    }
    if depth_left == 0 {
        result.truncated += 1;
        return;
    }
    for thread in runnable {
        let mut next = state.clone();
        let Some(entry) = next.step(thread) else {
            continue;
        };
        prefix.push(entry);
        walk(&next, depth_left - 1, prefix, violates, result);
        prefix.pop();
        if result.violation.is_some() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threads each count down their own number of steps; the state is the step order.
    #[derive(Clone, Debug)]
    struct Countdown {
        left: Vec<usize>,
        order: Vec<usize>,
    }

    impl Interleaving for Countdown {
        type Entry = usize;
        fn runnable(&self) -> Vec<usize> {
            (0..self.left.len()).filter(|&t| self.left[t] > 0).collect()
        }
        fn step(&mut self, thread: usize) -> Option<usize> {
            let left = self.left.get_mut(thread).filter(|l| **l > 0)?;
            *left -= 1;
            self.order.push(thread);
            Some(thread)
        }
    }

    #[test]
    fn enumerates_every_interleaving_exactly_once() {
        // Multinomial (2+2+1)! / (2! 2! 1!) = 30.
        let s = Countdown {
            left: vec![2, 2, 1],
            order: vec![],
        };
        let mut seen = std::collections::BTreeSet::new();
        let e = explore(&s, 10, |f| {
            seen.insert(f.order.clone());
            false
        });
        assert_eq!((e.schedules, e.truncated, seen.len()), (30, 0, 30));
        assert!(e.is_proof());
    }

    #[test]
    fn returns_the_first_violation_with_its_schedule() {
        let s = Countdown {
            left: vec![1, 2],
            order: vec![],
        };
        let e = explore(&s, 10, |f| f.order == [1, 1, 0]);
        let v = e.violation.expect("found");
        assert_eq!(v.schedule, vec![1, 1, 0]);
        assert_eq!(e.schedules, 3, "stops at the violating (last) schedule");
    }

    #[test]
    fn depth_bound_is_reported() {
        let s = Countdown {
            left: vec![3],
            order: vec![],
        };
        let e = explore(&s, 2, |_| false);
        assert_eq!((e.schedules, e.truncated), (0, 1));
        assert!(!e.is_proof());
    }
}
