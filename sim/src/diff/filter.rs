//! Applies the known differences ([`super::expected`]) to one program's observation
//! blocks: masks what a difference makes incomparable, and tells whether the first
//! remaining difference is one the profiles predict (the program then diverged as
//! expected and is compared no further) or a disagreement.

use super::expected::Effect;
use leakproof_model::op::{Op, Step};
use std::collections::{BTreeMap, BTreeSet};

/// The known differences in force for one program.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    effects: Vec<Effect>,
    /// The allocator's chunk size: capacities from it up depend on the layout.
    chunk: u64,
    /// Handles a `duplicate()` of a slice made, and their views.
    dup_of_slice: BTreeSet<u32>,
    /// Non-retained derivatives of retained derivatives, and their views.
    non_retained: BTreeSet<u32>,
    /// Per step: the handles the op acts on or creates.
    involved: Vec<Vec<u32>>,
    /// Steps whose op is itself one a known difference changes (e.g. a `duplicate()`
    /// of a slice, which may fail on one side only).
    steps: BTreeMap<usize, Effect>,
    /// Steps that write (`ensureWritable` grows a pooled buffer to
    /// `maxFastWritableBytes`, its size class's `maxLength`, when that suffices).
    writes: BTreeSet<usize>,
}

fn is_slice(op: &Op) -> bool {
    matches!(
        op,
        Op::Slice { .. }
            | Op::ReadSlice { .. }
            | Op::RetainedSlice { .. }
            | Op::ReadRetainedSlice { .. }
    )
}

fn is_retained(op: &Op) -> bool {
    matches!(
        op,
        Op::RetainedSlice { .. } | Op::RetainedDuplicate { .. } | Op::ReadRetainedSlice { .. }
    )
}

impl Filter {
    /// The filter for a program whose resolved steps are `steps`, on an allocator with
    /// chunks of `chunk` bytes. No effects: nothing is masked or excused.
    pub fn new(effects: Vec<Effect>, chunk: u64, steps: &[Step]) -> Self {
        let mut f = Filter {
            effects,
            chunk,
            ..Filter::default()
        };
        let mut view_of_slice = BTreeSet::new();
        let mut retained_derived = BTreeSet::new();
        for (i, s) in steps.iter().enumerate() {
            let target = s.op.handle();
            f.involved
                .push(target.into_iter().chain(s.creates).collect());
            match s.op {
                // What a trim frees, and a free's effect, depend on what the caches hold.
                Op::TrimCache | Op::FreeCache => {
                    f.steps.insert(i, Effect::Layout);
                }
                Op::Write { .. } => {
                    f.writes.insert(i);
                }
                _ => {}
            }
            let Some(from) = target else { continue };
            let op = &s.op;
            let dup = matches!(op, Op::Duplicate { .. } | Op::RetainedDuplicate { .. });
            // The op itself is affected even when it fails and creates nothing.
            if (dup && view_of_slice.contains(&from)) || f.dup_of_slice.contains(&from) {
                f.steps.insert(i, Effect::DuplicateOfSlice);
                f.dup_of_slice.extend(s.creates);
            }
            // A view of `from` (not a copy, which is a new root).
            let derives = is_slice(op)
                || dup
                || matches!(op, Op::AsReadOnly { .. } | Op::Unreleasable { .. });
            let non_retained_view = derives && !is_retained(op) && retained_derived.contains(&from);
            if non_retained_view || f.non_retained.contains(&from) {
                f.steps.entry(i).or_insert(Effect::NonRetainedAccess);
                f.non_retained.extend(s.creates);
            }
            let Some(id) = s.creates.filter(|_| derives) else {
                continue;
            };
            if is_slice(op) || view_of_slice.contains(&from) {
                view_of_slice.insert(id);
            }
            if is_retained(op) || retained_derived.contains(&from) {
                retained_derived.insert(id);
            }
        }
        f
    }

    fn has(&self, e: Effect) -> bool {
        self.effects.contains(&e)
    }

    /// `line` as compared: `None` when it is left out.
    pub fn mask(&self, line: &str) -> Option<String> {
        if self.has(Effect::Layout) {
            let arena = line
                .strip_prefix(" heap")
                .or_else(|| line.strip_prefix(" direct"))
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            if arena {
                return None;
            }
            if line.starts_with(" unpooled ") {
                if let Some(at) = line.find(" counter=") {
                    return Some(format!("{} counter=*", &line[..at]));
                }
            }
        }
        if self.has(Effect::ArgumentTexts) {
            const IAE: &str = " err java.lang.IllegalArgumentException";
            if let Some(at) = line.find(IAE) {
                return Some(line[..at + IAE.len()].to_string());
            }
        }
        Some(line.to_string())
    }

    /// The effect that explains the differences between a step's masked blocks, or
    /// `None` when one is a disagreement. An op on (or creating) an affected handle, or
    /// an out-of-memory point under [`Effect::Layout`], explains its whole block (what
    /// it did to other handles follows from it); otherwise each differing line must
    /// concern an affected handle or, under `Layout`, a capacity of a chunk or more.
    pub fn explain(
        &self,
        step: Option<usize>,
        model: &[String],
        oracle: &[String],
    ) -> Option<Effect> {
        let sets = [
            (Effect::DuplicateOfSlice, &self.dup_of_slice),
            (Effect::NonRetainedAccess, &self.non_retained),
        ];
        if let Some(&e) = step.and_then(|i| self.steps.get(&i)) {
            if self.has(e) {
                return Some(e);
            }
        }
        let involved = step.and_then(|i| self.involved.get(i));
        for (e, set) in sets {
            if self.has(e) && involved.is_some_and(|ids| ids.iter().any(|id| set.contains(id))) {
                return Some(e);
            }
        }
        let oom = |b: &[String]| {
            b.first().is_some_and(|l| {
                l.contains("OutOfMemoryError") || l.contains("OutOfDirectMemoryError")
            })
        };
        if self.has(Effect::Layout) && (oom(model) || oom(oracle)) {
            return Some(Effect::Layout);
        }
        let differing: Vec<&String> = differing_lines(model, oracle).collect();
        let grew = |line: &str| {
            let twin = model
                .iter()
                .chain(oracle)
                .find(|l| *l != line && handle_of(l).is_some() && handle_of(l) == handle_of(line));
            twin.is_some_and(|t| without_capacity(t) == without_capacity(line))
        };
        let wrote = step.is_some_and(|i| self.writes.contains(&i));
        let mut found = None;
        for line in differing {
            if self.has(Effect::Layout) && wrote && grew(line) {
                found = Some(Effect::Layout);
                continue;
            }
            let explained = sets
                .iter()
                .find(|(e, set)| {
                    self.has(*e) && handle_of(line).is_some_and(|id| set.contains(&id))
                })
                .map(|(e, _)| *e)
                .or_else(|| {
                    (self.has(Effect::Layout) && capacity_of(line).is_some_and(|c| c >= self.chunk))
                        .then_some(Effect::Layout)
                });
            found = Some(explained?);
        }
        found
    }
}

/// The lines of one block that the other lacks.
fn differing_lines<'a>(
    model: &'a [String],
    oracle: &'a [String],
) -> impl Iterator<Item = &'a String> + 'a {
    let only = |a: &'a [String], b: &'a [String]| a.iter().filter(move |l| !b.contains(l));
    only(model, oracle).chain(only(oracle, model))
}

/// The handle a ` #id ref=…` line shows.
fn handle_of(line: &str) -> Option<u32> {
    line.strip_prefix(" #")?.split(' ').next()?.parse().ok()
}

/// A ` #id …` line without its `cap=`.
fn without_capacity(line: &str) -> String {
    line.split(' ')
        .filter(|w| !w.starts_with("cap="))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `cap=` of a ` #id …` line.
fn capacity_of(line: &str) -> Option<u64> {
    handle_of(line)?;
    line.split(' ')
        .find_map(|w| w.strip_prefix("cap=")?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakproof_model::op::Size;

    fn step(op: Op, creates: Option<u32>) -> Step {
        let mut s = Step::new(0, op);
        s.creates = creates;
        s
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn layout_masks_arena_lines_and_the_counter_only() {
        let f = Filter::new(vec![Effect::Layout], 1 << 20, &[]);
        assert_eq!(f.mask(" direct0 threads=1 alloc=0/1/0/0"), None);
        assert_eq!(f.mask(" heap12 threads=0"), None);
        assert_eq!(
            f.mask(" unpooled heap=0 direct=5 counter=77").as_deref(),
            Some(" unpooled heap=0 direct=5 counter=*")
        );
        assert_eq!(
            f.mask(" #1 ref=1 cap=7").as_deref(),
            Some(" #1 ref=1 cap=7")
        );
        let none = Filter::new(Vec::new(), 1 << 20, &[]);
        assert_eq!(none.mask(" direct0 x").as_deref(), Some(" direct0 x"));
    }

    #[test]
    fn argument_texts_compare_the_class_only() {
        let f = Filter::new(vec![Effect::ArgumentTexts], 1 << 20, &[]);
        assert_eq!(
            f.mask("step 1 release err java.lang.IllegalArgumentException: decrement : 0 (expected: > 0)"),
            f.mask("step 1 release err java.lang.IllegalArgumentException: decrement: 0 (expected: > 0)")
        );
    }

    #[test]
    fn a_duplicate_of_a_slice_explains_its_differences_and_nothing_else_does() {
        let steps = vec![
            step(
                Op::Alloc {
                    pooled: true,
                    direct: true,
                    size: Size(64),
                    max: Default::default(),
                    second: false,
                },
                Some(1),
            ),
            step(Op::Slice { buf: 1 }, Some(2)),
            step(Op::Duplicate { buf: 2 }, Some(3)),
            step(Op::Duplicate { buf: 1 }, Some(4)),
        ];
        let f = Filter::new(vec![Effect::DuplicateOfSlice], 1 << 20, &steps);
        let m = lines(&["step 2 duplicate ok #3", " #3 ref=1 cap=0 max=0"]);
        let o = lines(&["step 2 duplicate ok #3", " #3 ref=1 cap=64 max=64"]);
        assert_eq!(f.explain(Some(2), &m, &o), Some(Effect::DuplicateOfSlice));
        let m = lines(&["step 3 duplicate ok #4", " #4 ref=1 cap=0 max=0"]);
        let o = lines(&["step 3 duplicate ok #4", " #4 ref=1 cap=64 max=64"]);
        assert_eq!(
            f.explain(Some(3), &m, &o),
            None,
            "a duplicate of a root is no excuse"
        );
    }

    #[test]
    fn layout_explains_a_capacity_a_write_grew_to_its_size_class() {
        let steps = vec![step(
            Op::Write {
                buf: 1,
                len: Size(860),
                pattern: leakproof_model::op::Pattern(1),
            },
            None,
        )];
        let f = Filter::new(vec![Effect::Layout], 1 << 20, &steps);
        let m = lines(&["step 0 write ok", " #1 ref=1 cap=1024 max=99 r=0 w=860"]);
        let o = lines(&["step 0 write ok", " #1 ref=1 cap=4096 max=99 r=0 w=860"]);
        assert_eq!(f.explain(Some(0), &m, &o), Some(Effect::Layout));
        let o = lines(&["step 0 write ok", " #1 ref=1 cap=4096 max=99 r=0 w=861"]);
        assert_eq!(
            f.explain(Some(0), &m, &o),
            None,
            "the writer index is compared"
        );
    }

    #[test]
    fn layout_explains_oom_points_and_huge_capacities_only() {
        let f = Filter::new(vec![Effect::Layout], 1 << 20, &[]);
        let m = lines(&["step 0 alloc err io.netty.util.internal.OutOfDirectMemoryError: x"]);
        let o = lines(&["step 0 alloc ok #1"]);
        assert_eq!(f.explain(Some(0), &m, &o), Some(Effect::Layout));
        let m = lines(&[" #1 ref=1 cap=2097152 max=9"]);
        let o = lines(&[" #1 ref=1 cap=2097153 max=9"]);
        assert_eq!(f.explain(Some(0), &m, &o), Some(Effect::Layout));
        let m = lines(&[" #1 ref=1 cap=100 max=9"]);
        let o = lines(&[" #1 ref=1 cap=101 max=9"]);
        assert_eq!(f.explain(Some(0), &m, &o), None);
    }
}
