//! The invariants compile into their caller: every function of the invariant sources is
//! `#[inline]`, so rustc emits its code in the crate that calls it (the executor in
//! `leakproof-sim`) instead of in `leakproof-model`. In cargo-fuzz builds that crate is
//! built without SanitizerCoverage (`.cargo/fuzz-coverage-scope`), so the checker's own
//! branches are not libFuzzer features: they cost time at every execution and say
//! nothing about the model (docs/throughput/eleventh-pass.md). A function without the
//! attribute would silently stay instrumented; this test names it.

use crate::syntax::{is_cfg_test, parse};
use syn::visit::Visit;

/// Functions of one file that lack `#[inline]`, `#[cfg(test)]` code skipped.
#[derive(Default)]
struct NotInline(Vec<String>);

impl NotInline {
    /// Notes a function outside test code without `#[inline]`; true when its body is
    /// to be visited (it is not test code).
    fn note(&mut self, attrs: &[syn::Attribute], name: &syn::Ident) -> bool {
        if is_cfg_test(attrs) {
            return false;
        }
        if !attrs.iter().any(|a| a.path().is_ident("inline")) {
            self.0.push(name.to_string());
        }
        true
    }
}

impl<'a> Visit<'a> for NotInline {
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

fn not_inline(file: &syn::File) -> Vec<String> {
    let mut v = NotInline::default();
    v.visit_file(file);
    v.0
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
