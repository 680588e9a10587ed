//! Known differences between the model's profile and the oracle's release, derived from
//! the two profiles' fields (issue 14 item 4): `diff --profile netty-4.1` compares the
//! 4.1.128 model with the real 4.1.48 on what did not change between the releases.
//!
//! Every field in which the profiles differ is listed with what it changes in the
//! observation lines ([`Effect`]); a field this table does not know excuses nothing, so
//! a difference it makes stays a disagreement. The same profile on both sides has no
//! known differences and the comparison is the plain one.

use leakproof_model::Profile;
use serde_json::Value;
use std::fmt;

/// What a differing profile field changes in what the differential run observes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Pooled memory layout: size classes, chunk lists, caches. Arena metric lines and
    /// Netty's direct counter are not compared; an out-of-memory point or a capacity of
    /// a chunk or more on one side only ends the program's comparison.
    Layout,
    /// `IllegalArgumentException` messages: only the class is compared.
    ArgumentTexts,
    /// `duplicate()` of a slice (#14093): from the first difference on a duplicate of
    /// a slice, or a view of one, the program is not compared further.
    DuplicateOfSlice,
    /// Access through a non-retained pooled derivative of a retained one: from the
    /// first difference on such a handle, the program is not compared further.
    NonRetainedAccess,
    /// Switched off or unreachable in the differential run (the reason).
    NotObserved(&'static str),
    /// Not in the table: nothing is excused.
    Unknown,
}

const RECYCLER_OFF: &str = "the Recycler is off in the differential run";
const LEAK_OFF: &str = "the leak detector is disabled in the differential run";
const ONE_THREAD: &str = "concurrency: the differential run is single-threaded";
const EXPLICIT: &str = "a default the differential run passes explicitly";
const NOT_AN_OP: &str = "a method the op language does not call";

/// What each profile field changes (fields as serialized, `section.field`).
fn effect_of(field: &str) -> Effect {
    match field {
        "allocator.size_classes"
        | "allocator.page_size_aligned"
        | "allocator.chunk_list_thresholds"
        | "allocator.q050_next_is_q100"
        | "allocator.use_cache_for_all_threads"
        | "allocator.clear_cache_link_on_deallocate"
        | "allocator.heap_arena_reuses_last_destroyed_chunk"
        | "allocator.release_single_element_subpages"
        | "allocator.heap_arenas_aligned"
        | "allocator.reallocate_frees_to_new_cache"
        | "allocator.normal_cache_covers_a_page"
        | "allocator.chunk_allocate_rechecks_subpage_pool"
        | "allocator.alignment_rounds_page_size" => Effect::Layout,
        "allocator.default_page_size"
        | "allocator.default_max_order"
        | "allocator.fallback_max_order"
        | "allocator.tiny_cache_size"
        | "allocator.small_cache_size"
        | "allocator.normal_cache_size"
        | "allocator.max_cached_buffer_capacity"
        | "allocator.cache_trim_interval" => Effect::NotObserved(EXPLICIT),
        "allocator.cache_add_checks_freed"
        | "allocator.cache_add_rechecks_after_offer"
        | "allocator.reallocate_synchronized" => Effect::NotObserved(ONE_THREAD),
        "allocator.recycler_max_capacity_per_thread" => Effect::NotObserved(RECYCLER_OFF),
        "refcount.argument_error_style" => Effect::ArgumentTexts,
        "derived.duplicate_of_slice_is_slice" => Effect::DuplicateOfSlice,
        "derived.non_retained_access_follows_delegate" => Effect::NonRetainedAccess,
        "bytebuf.backward_search_stops_at_zero" => Effect::NotObserved(NOT_AN_OP),
        f if f.starts_with("recycler.") => Effect::NotObserved(RECYCLER_OFF),
        f if f.starts_with("leak.") => Effect::NotObserved(LEAK_OFF),
        _ => Effect::Unknown,
    }
}

/// One field in which the two profiles differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownDifference {
    /// `section.field`, as serialized.
    pub field: String,
    /// The model profile's value (`default` when it is left out when serialized).
    pub model: String,
    /// The oracle profile's value.
    pub oracle: String,
    /// What it changes.
    pub effect: Effect,
}

impl fmt::Display for KnownDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.effect {
            Effect::Layout => "pooled layout: arena metrics and the direct counter not compared, OOM points and capacities of a chunk or more end a program",
            Effect::ArgumentTexts => "IllegalArgumentException messages: class compared only",
            Effect::DuplicateOfSlice => "duplicates of slices: a program ends at their first difference",
            Effect::NonRetainedAccess => "non-retained derivatives of retained ones: a program ends at their first difference",
            Effect::NotObserved(why) => why,
            Effect::Unknown => "not known: nothing excused",
        };
        write!(
            f,
            "{}: {} vs {} ({what})",
            self.field, self.model, self.oracle
        )
    }
}

/// The known differences between `model` and `oracle`, field by field.
pub fn between(model: &Profile, oracle: &Profile) -> Vec<KnownDifference> {
    let sections = |p: &Profile| -> Vec<(&'static str, Value)> {
        let v = |s: Result<Value, serde_json::Error>| s.expect("profiles serialize");
        vec![
            ("refcount", v(serde_json::to_value(&p.refcount))),
            ("allocator", v(serde_json::to_value(&p.allocator))),
            ("leak", v(serde_json::to_value(&p.leak))),
            ("derived", v(serde_json::to_value(&p.derived))),
            ("recycler", v(serde_json::to_value(&p.recycler))),
            ("bytebuf", v(serde_json::to_value(&p.bytebuf))),
        ]
    };
    let mut out = Vec::new();
    for ((section, m), (_, o)) in sections(model).into_iter().zip(sections(oracle)) {
        let (Value::Object(m), Value::Object(o)) = (m, o) else {
            continue;
        };
        let mut keys: Vec<&String> = m.keys().chain(o.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (mv, ov) = (m.get(key), o.get(key));
            if mv == ov {
                continue;
            }
            let show = |v: Option<&Value>| v.map_or("default".to_string(), |v| v.to_string());
            let field = format!("{section}.{key}");
            out.push(KnownDifference {
                effect: effect_of(&field),
                model: show(mv),
                oracle: show(ov),
                field,
            });
        }
    }
    out
}

/// The effects in force for a list of differences.
pub fn effects(diffs: &[KnownDifference]) -> Vec<Effect> {
    let mut e: Vec<Effect> = diffs.iter().map(|d| d.effect).collect();
    e.sort();
    e.dedup();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_profile_has_no_known_differences() {
        let p = Profile::netty_4_1_48();
        assert!(between(&p, &p).is_empty());
    }

    #[test]
    fn the_modern_profile_differs_in_fields_each_with_its_effect() {
        let d = between(&Profile::netty_4_1(), &Profile::netty_4_1_48());
        let get = |f: &str| d.iter().find(|k| k.field == f).map(|k| k.effect);
        assert_eq!(get("allocator.size_classes"), Some(Effect::Layout));
        assert_eq!(
            get("refcount.argument_error_style"),
            Some(Effect::ArgumentTexts)
        );
        assert_eq!(
            get("derived.duplicate_of_slice_is_slice"),
            Some(Effect::DuplicateOfSlice)
        );
        assert_eq!(
            get("recycler.ratio_at"),
            Some(Effect::NotObserved(RECYCLER_OFF))
        );
        assert_eq!(get("allocator.small_cache_size"), None, "equal in both");
        assert!(
            d.iter().all(|k| k.effect != Effect::Unknown),
            "every field the two releases differ in is in the table: {d:?}"
        );
        let size = d
            .iter()
            .find(|k| k.field == "allocator.size_classes")
            .unwrap();
        assert_eq!(
            size.to_string().split(" (").next(),
            Some("allocator.size_classes: \"Jemalloc4\" vs \"Legacy\"")
        );
    }

    #[test]
    fn a_field_outside_the_table_excuses_nothing() {
        assert_eq!(effect_of("refcount.algorithm"), Effect::Unknown);
    }
}
