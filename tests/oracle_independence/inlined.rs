//! The invariants compile into their caller: every function of the invariant sources is
//! `#[inline]`, so rustc emits its code in the crate that calls it (the executor in
//! `leakproof-sim`) instead of in `leakproof-model`. In cargo-fuzz builds that crate is
//! built without SanitizerCoverage (`.cargo/fuzz-coverage-scope`), so the checker's own
//! branches are not libFuzzer features: they cost time at every execution and say
//! nothing about the model (docs/throughput/eleventh-pass.md). A function without the
//! attribute would silently stay instrumented; this test names it.

use crate::syntax::{is_cfg_test, parse};
use syn::visit::Visit;

/// The functions of one file outside `#[cfg(test)]` code, each with whether it is
/// `#[inline]`.
#[derive(Default)]
struct Functions(Vec<(String, bool)>);

impl Functions {
    /// Notes a function outside test code; true when its body is to be visited (it is
    /// not test code).
    fn note(&mut self, attrs: &[syn::Attribute], name: &syn::Ident) -> bool {
        if is_cfg_test(attrs) {
            return false;
        }
        let inline = attrs.iter().any(|a| a.path().is_ident("inline"));
        self.0.push((name.to_string(), inline));
        true
    }
}

impl<'a> Visit<'a> for Functions {
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        if !is_cfg_test(&i.attrs) {
            syn::visit::visit_item_impl(self, i);
        }
    }
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        if self.note(&f.attrs, &f.sig.ident) {
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        if self.note(&f.attrs, &f.sig.ident) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
}

fn functions(file: &syn::File) -> Vec<(String, bool)> {
    let mut v = Functions::default();
    v.visit_file(file);
    v.0
}

fn not_inline(file: &syn::File) -> Vec<String> {
    functions(file)
        .into_iter()
        .filter(|(_, inline)| !inline)
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn every_invariant_function_is_inline() {
    let files = crate::invariant_sources();
    assert!(
        files.len() >= 10,
        "invariant sources found: {}",
        files.len()
    );
    let missing: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let rel = f
                .strip_prefix(crate::root())
                .unwrap_or(f)
                .display()
                .to_string();
            not_inline(&parse(f))
                .into_iter()
                .map(move |n| format!("{rel}: fn {n}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "invariant functions without #[inline] (they would stay instrumented in fuzz builds):\n{}",
        missing.join("\n")
    );
}

/// The model's state reads the checks make, outside the invariant sources (twelfth
/// throughput pass, docs/throughput/twelfth-pass.md): `#[inline]` for the same reason,
/// so the oracle's copies are emitted uninstrumented while the model's own calls keep
/// their coverage. A function of each name in its file must carry the attribute (a
/// file may hold another of the name elsewhere, as `registry.rs` the threads' `all`).
const STATE_READS: &[(&str, &[&str])] = &[
    ("model/src/alloc/pooled/bindings.rs", &["all"]),
    ("model/src/alloc/pooled/mod.rs", &["all_caches"]),
    ("model/src/alloc/pooled/thread_cache.rs", &["is_freed"]),
    ("model/src/jvm/mod.rs", &["object"]),
    ("model/src/jvm/registry.rs", &["get", "all"]),
    (
        "model/src/pool/buddy.rs",
        &["depth", "unusable", "run_of", "free_runs"],
    ),
    (
        "model/src/pool/chunk.rs",
        &[
            "buddy_tree",
            "run_pages",
            "free_runs_by_queue",
            "free_runs",
            "used_run_at",
            "subpage_at",
        ],
    ),
    ("model/src/pool/chunk_pages.rs", &["get"]),
    ("model/src/pool/runs.rs", &["free_runs_by_queue"]),
];

#[test]
fn the_state_reads_the_checks_make_are_inline() {
    let mut problems = Vec::new();
    for (file, names) in STATE_READS {
        let found = functions(&parse(&crate::root().join(file)));
        for name in *names {
            let of_name: Vec<bool> = found
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, inline)| *inline)
                .collect();
            if of_name.is_empty() {
                problems.push(format!("{file}: fn {name} is gone (update this list)"));
            } else if !of_name.contains(&true) {
                problems.push(format!("{file}: fn {name} lacks #[inline]"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "state reads of the checks (they would stay instrumented in fuzz builds):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_inline_check_sees_free_functions_methods_and_skips_tests() {
    let file = syn::parse_file(
        "#[inline] fn a() { fn inner() {} }\n\
         fn b() {}\n\
         impl S { #[inline] fn c(&self) {} fn d(&self) {} }\n\
         #[cfg(test)] mod tests { fn e() {} }\n",
    )
    .unwrap();
    assert_eq!(not_inline(&file), ["inner", "b", "d"]);
}
