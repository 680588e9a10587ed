//! Reading Rust sources for the independence check: the files of a directory, what a
//! set of files defines ([`Defs`]) and what an oracle file reaches ([`Uses`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

pub(crate) fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().split_whitespace().any(|t| t == "test"))
    })
}

/// The module path of a source file under `src` (`check/places.rs` → `[check, places]`).
pub(crate) fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// Names a set of files defines: functions and constants (`rules`), and types and
/// modules (`types`). Trait impls are left out: their methods are std's names.
#[derive(Default)]
pub(crate) struct Defs {
    pub(crate) fns: BTreeSet<String>,
    pub(crate) types: BTreeSet<String>,
}

impl<'a> Visit<'a> for Defs {
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            return;
        }
        self.types.insert(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
    }
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            self.fns.insert(f.sig.ident.to_string());
        }
    }
    fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
        self.fns.insert(c.ident.to_string());
    }
    fn visit_item_static(&mut self, c: &'a syn::ItemStatic) {
        self.fns.insert(c.ident.to_string());
    }
    fn visit_item_struct(&mut self, s: &'a syn::ItemStruct) {
        self.types.insert(s.ident.to_string());
    }
    fn visit_item_enum(&mut self, s: &'a syn::ItemEnum) {
        self.types.insert(s.ident.to_string());
    }
    fn visit_item_type(&mut self, s: &'a syn::ItemType) {
        self.types.insert(s.ident.to_string());
    }
    fn visit_item_trait(&mut self, t: &'a syn::ItemTrait) {
        self.types.insert(t.ident.to_string());
        for item in &t.items {
            if let syn::TraitItem::Fn(f) = item {
                self.fns.insert(f.sig.ident.to_string());
            }
        }
    }
    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        if i.trait_.is_some() || is_cfg_test(&i.attrs) {
            return;
        }
        for item in &i.items {
            match item {
                syn::ImplItem::Fn(f) if !is_cfg_test(&f.attrs) => {
                    self.fns.insert(f.sig.ident.to_string());
                }
                syn::ImplItem::Const(c) => {
                    self.fns.insert(c.ident.to_string());
                }
                _ => {}
            }
        }
    }
}

pub(crate) fn defs(files: &[PathBuf], src: &Path) -> Defs {
    let mut d = Defs::default();
    for f in files {
        d.visit_file(&parse(f));
        d.types.extend(module_of(src, f));
    }
    d
}

/// What an oracle file reaches: imports, calls and constant paths.
#[derive(Default)]
pub(crate) struct Uses {
    /// (alias, absolute path as written, is glob).
    pub(crate) imports: Vec<(String, Vec<String>, bool)>,
    pub(crate) methods: Vec<String>,
    pub(crate) calls: Vec<Vec<String>>,
    pub(crate) consts: Vec<Vec<String>>,
}

pub(crate) fn flatten(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>, bool)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut path = prefix.clone();
            if name != "self" {
                path.push(name.clone());
            }
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name
            };
            out.push((alias, path, false));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((r.rename.to_string(), path, false));
        }
        syn::UseTree::Glob(_) => out.push(("*".into(), prefix.clone(), true)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix, out);
            }
        }
    }
}

pub(crate) fn segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl<'a> Visit<'a> for Uses {
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_item_use(&mut self, u: &'a syn::ItemUse) {
        flatten(&u.tree, &mut Vec::new(), &mut self.imports);
    }
    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        self.methods.push(m.method.to_string());
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            self.calls.push(segments(&p.path));
            for a in &c.args {
                self.visit_expr(a);
            }
            return;
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
        let segs = segments(&p.path);
        if segs.last().is_some_and(|s| {
            s.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                && s.len() > 1
        }) {
            self.consts.push(segs);
        }
    }
    fn visit_macro(&mut self, m: &'a syn::Macro) {
        // format!/assert! arguments: parse them as expressions where possible.
        if let Ok(args) = m.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for a in &args {
                self.visit_expr(a);
            }
        }
    }
}
