//! Which checkers can reach each mutant, cheapest first, and the test under a checker
//! feature (loom, shuttle) for mutants only interleavings of real threads reach.

use super::Checker;
use leakproof_model::Mutant;

/// A test of the root package under a checker feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureTest {
    /// `loom` or `shuttle`.
    pub feature: &'static str,
    /// The test target (`tests/<name>.rs`).
    pub target: &'static str,
    /// The test function, run with `--exact`.
    pub name: &'static str,
}

impl FeatureTest {
    /// The command that runs it from the source tree.
    pub fn command(&self) -> String {
        format!(
            "cargo test --release --features {} --test {} -- --exact {}",
            self.feature, self.target, self.name
        )
    }
}

/// How a mutant is hunted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// In-process checkers, tried in this order.
    InProcess(&'static [Checker]),
    /// Only a loom or shuttle test reaches it.
    Feature(FeatureTest),
}

/// Programs first (they write the smallest traces), then the wider configurations.
const PROGRAMS: &[Checker] = &[Checker::Executor, Checker::Quickcheck, Checker::Fuzz];

/// Refcount algorithms: the interpreter's interleavings (the sequential executor
/// cannot interleave two threads inside one `release`).
const INTERLEAVINGS: &[Checker] = &[Checker::Interpreter];

/// The checkers for `mutant` (`None`: the control run, every program checker).
pub fn reach(mutant: Mutant) -> Reach {
    match mutant {
        Mutant::RacyRefcount | Mutant::NonAtomicRelease => Reach::InProcess(INTERLEAVINGS),
        Mutant::AddToFreedCache => Reach::Feature(FeatureTest {
            feature: "shuttle",
            target: "shuttle_exit",
            name: "mutant_12749_a_freed_cache_accepting_adds_is_found",
        }),
        // 4.1.128 clears `FreeOnFinalize.cache` in `free()`, so a finalizer frees a
        // cache `onRemoval` freed only when it read the field first: a race.
        Mutant::CacheFreedTwice => Reach::Feature(FeatureTest {
            feature: "loom",
            target: "loom_allocator",
            name: "mutant_8108_a_cache_freed_by_both_is_counted_out_twice",
        }),
        // The fast path holds only the head lock: the unlocked free must fall between
        // its read of `head.next` and its allocation.
        Mutant::SubpageListUnlocked => Reach::Feature(FeatureTest {
            feature: "loom",
            target: "loom_allocator",
            name: "mutant_4388_a_subpage_freed_without_the_head_lock_is_allocated_from",
        }),
        _ => Reach::InProcess(PROGRAMS),
    }
}
