//! Independent oracles (DESIGN.md): the shadow model (`sim/src/shadow/`) and the
//! invariants (`model/src/check/`, `model/src/pool/invariants/`,
//! `model/src/leak/checks.rs`) restate Netty's rules instead of calling the model's.
//!
//! This test parses their sources with `syn` and fails, naming each one, on every import,
//! call or constant that reaches a function or constant of the model outside an explicit
//! allowlist. The allowlist holds only what an oracle must read to judge the model —
//! read-only state (accessors of stored fields), ids and handles, value constructors,
//! and the operations that drive the model (the GC) — never a rule (size classes,
//! thresholds, capacity growth, run sizes, usage, texts, refcount decoding …).
//!
//! Limits: method calls are matched by name, without types, so a model rule that
//! shares its name with a function the oracle defines itself passes (the oracle's own
//! restatement is then what the name usually means); `#[cfg(test)]` code is skipped.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

mod inlined;
mod syntax;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::visit::Visit;
use syntax::{defs, module_of, parse, rust_files, Defs, Uses};

/// Names of std's collection and iterator methods that the model also defines on its
/// own containers (all read-only lookups or local-collection operations).
const GENERIC: &[&str] = &[
    "new", "len", "is_empty", "iter", "get", "first", "insert", "remove", "retain", "find", "max",
    "min", "collect", "all", "fill", "clear",
];

/// Model functions the invariants may call besides [`GENERIC`]: accessors of stored
/// state, ids, handles, value constructors, and driving the model.
const INVARIANT_METHODS: &[&str] = &[
    "id",
    "index",
    "kind",
    "name",
    "end",
    "config",
    "lock",
    "state",
    // The pool's stored state (PoolArena/PoolChunk/PoolChunkList/PoolSubpage fields).
    "chunks",
    "chunk",
    "chunk_lists",
    "chunk_size",
    "free_bytes",
    "page_shifts",
    "list",
    "free_runs",
    "free_runs_by_queue",
    "runs_avail_map",
    "used_runs",
    "used_run_at",
    "buddy_tree",
    "memory_map",
    "max_order",
    "subpages",
    "subpage_at",
    "run_offset",
    "run_pages",
    "run_size",
    "bitmap",
    "max_num_elems",
    "num_avail",
    "do_not_destroy",
    "subpage_pools",
    "num_pools",
    "pool",
    "is_linked",
    "head_index",
    "key",
    "is_unpooled",
    "elem_size",
    "counters",
    "options",
    "size_classes",
    "page_size",
    "alignment",
    "arenas",
    "geometry",
    // Change counters of arenas and chunks (which ones the per-op check revisits).
    "version",
    // Allocator, caches and the JVM's registries (what exists, who owns it).
    "jvm",
    "profile",
    "all_caches",
    "arena",
    "num_thread_caches",
    "refused_thread_caches",
    "queues",
    "normal_queues",
    "capacity",
    "thread_kind",
    "entries",
    // `entries` lent under the queue's lock instead of cloned.
    "for_each_entry",
    "stranded",
    "is_freed",
    "owner",
    "objects",
    "alloc",
    "pooled_id",
    "own_refcnt",
    "raw",
    "algorithm",
    "is_in_recycler",
    "simple_name",
    "netty_direct",
    // The pinned-memory values `pinned_memory_consistent` judges (observed, not a rule).
    "pinned_direct_memory",
    "pinned_heap_memory",
    "used",
    "limit",
    "is_counting",
    "allocators",
    "memory",
    "is_materialized",
    "read",
    // Reading memory in place (`read` without the copy).
    "inspect",
    "gc",
    "gc_runs",
    // The leak detector's stored state.
    "reports",
    "outcomes",
    "queued",
];

/// `Type::function` pairs the invariants may call (value constructors).
const INVARIANT_PATHS: &[&str] = &["Violation::new", "NettySizes::of_arena"];

/// Model functions the shadow may call besides [`GENERIC`]: the Java name of an
/// exception class (how `Expected` prints), and the stored page size and alignment of
/// the checkers' `NettySizes` (`check::netty`, oracle code), which the #11955 rule reads
/// (names the model's tables share, also accessors of stored fields).
const SHADOW_METHODS: &[&str] = &["java_name", "alignment", "page_size"];

/// `Type::function` pairs the shadow may call.
const SHADOW_PATHS: &[&str] = &["JavaException::new", "Violation::new"];

/// Where an oracle lives and what it may call.
struct Oracle {
    name: &'static str,
    /// Source files.
    files: Vec<PathBuf>,
    /// The crate's root directory (`…/src`) and how the crate names the model.
    src: PathBuf,
    model_root: &'static str,
    /// Absolute module paths (in the model) that are oracle code, not model rules.
    oracle_modules: Vec<Vec<String>>,
    methods: &'static [&'static str],
    paths: &'static [&'static str],
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Oracle {
    /// Resolves a path written in `file` to an absolute model path, or `None` when it
    /// names something outside the model (std, serde, the oracle's own crate).
    fn resolve(&self, file: &Path, path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        let mut module = module_of(&self.src, file);
        if first == self.model_root {
            return Some(path[1..].to_vec());
        }
        if self.model_root == "crate" && (first == "super" || first == "self") {
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super" || s == "self") {
                if rest[0] == "super" {
                    module.pop();
                }
                rest = &rest[1..];
            }
            // A file's own items sit in its module; `mod.rs` is its directory's module.
            let mut abs = module;
            abs.extend(rest.iter().cloned());
            return Some(abs);
        }
        None
    }

    fn is_oracle_module(&self, abs: &[String]) -> bool {
        self.oracle_modules.iter().any(|m| abs.starts_with(m))
    }
}

fn check(oracle: &Oracle, rules: &Defs) -> Vec<String> {
    let own = defs(&oracle.files, &oracle.src);
    let allowed_method =
        |m: &str| oracle.methods.contains(&m) || GENERIC.contains(&m) || own.fns.contains(m);
    let mut problems = Vec::new();
    for file in &oracle.files {
        let rel = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        let mut uses = Uses::default();
        uses.visit_file(&parse(file));
        // Aliases this file imports from the model, by name → absolute path.
        let mut model_alias: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (alias, path, glob) in &uses.imports {
            let Some(abs) = oracle.resolve(file, path) else {
                continue;
            };
            if oracle.is_oracle_module(&abs) {
                continue;
            }
            if *glob {
                problems.push(format!(
                    "{rel}: glob import of model module `{}::*`",
                    path.join("::")
                ));
                continue;
            }
            let leaf = abs.last().cloned().unwrap_or_default();
            if rules.fns.contains(&leaf) && !allowed_method(&leaf) {
                problems.push(format!("{rel}: imports model rule `{}`", path.join("::")));
            }
            model_alias.insert(alias.clone(), abs);
        }
        let mut check_path = |path: &Vec<String>, what: &str| {
            let leaf = path.last().cloned().unwrap_or_default();
            if path.len() == 1 {
                if own.fns.contains(&leaf) || !rules.fns.contains(&leaf) {
                    return;
                }
                if model_alias.contains_key(&leaf) || !allowed_method(&leaf) {
                    problems.push(format!("{rel}: {what} model rule `{leaf}`"));
                }
                return;
            }
            let owner = &path[path.len() - 2];
            let pair = format!("{owner}::{leaf}");
            if oracle.paths.contains(&pair.as_str()) || !rules.fns.contains(&leaf) {
                return;
            }
            // Resolve the first segment through the file's imports.
            let abs = match model_alias.get(&path[0]) {
                Some(a) => Some(a.iter().chain(&path[1..]).cloned().collect::<Vec<_>>()),
                None => oracle.resolve(file, path),
            };
            match abs {
                Some(abs) if !oracle.is_oracle_module(&abs) => {
                    problems.push(format!("{rel}: {what} model rule `{}`", path.join("::")));
                }
                None if own.types.contains(owner.as_str()) || owner == "Self" => {}
                None => {} // std, serde, … or the oracle's own crate
                Some(_) => {}
            }
        };
        for c in &uses.calls {
            check_path(c, "calls");
        }
        for c in &uses.consts {
            check_path(c, "reads");
        }
        for m in &uses.methods {
            if rules.fns.contains(m) && !allowed_method(m) {
                problems.push(format!("{rel}: calls model method `.{m}()`"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn model_rules(oracle_files: &[PathBuf]) -> Defs {
    let src = root().join("model/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| {
        !oracle_files.contains(f)
            && !f.components().any(|c| c.as_os_str() == "tests")
            && !f.to_string_lossy().ends_with("_tests.rs")
    });
    let mut d = Defs::default();
    for f in &files {
        d.visit_file(&parse(f));
    }
    d
}

/// The invariant sources: `model/src/check/`, `model/src/pool/invariants/` and
/// `model/src/leak/checks.rs`.
fn invariant_sources() -> Vec<PathBuf> {
    let model_src = root().join("model/src");
    let mut files = Vec::new();
    rust_files(&model_src.join("check"), &mut files);
    rust_files(&model_src.join("pool/invariants"), &mut files);
    files.push(model_src.join("leak/checks.rs"));
    files
}

fn oracles() -> Vec<Oracle> {
    let model_src = root().join("model/src");
    let mut invariant_files = invariant_sources();
    // The invariant table: the checker's own names, no rule of the model.
    invariant_files.push(model_src.join("invariant.rs"));
    let mut shadow_files = Vec::new();
    rust_files(&root().join("sim/src/shadow"), &mut shadow_files);
    let m = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        Oracle {
            name: "invariants",
            files: invariant_files,
            src: model_src,
            model_root: "crate",
            oracle_modules: vec![
                m(&["check"]),
                m(&["invariant"]),
                m(&["pool", "invariants"]),
                m(&["leak", "checks"]),
            ],
            methods: INVARIANT_METHODS,
            paths: INVARIANT_PATHS,
        },
        Oracle {
            name: "shadow",
            files: shadow_files,
            src: root().join("sim/src"),
            model_root: "leakproof_model",
            oracle_modules: vec![m(&["check", "netty"])],
            methods: SHADOW_METHODS,
            paths: SHADOW_PATHS,
        },
    ]
}

#[test]
fn oracles_share_no_rule_with_the_model() {
    let oracles = oracles();
    let all: Vec<PathBuf> = oracles.iter().flat_map(|o| o.files.clone()).collect();
    let rules = model_rules(&all);
    assert!(rules.fns.contains("calculate_new_capacity") && rules.fns.contains("size2size_idx"));
    let mut problems = Vec::new();
    for o in &oracles {
        assert!(o.files.len() >= 3, "{}: sources found", o.name);
        problems.extend(
            check(o, &rules)
                .into_iter()
                .map(|p| format!("[{}] {p}", o.name)),
        );
    }
    assert!(
        problems.is_empty(),
        "oracles reach model rules:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_an_imported_rule_a_called_method_and_a_constant() {
    let dir = std::env::temp_dir().join(format!("leakproof-oracle-check-{}", std::process::id()));
    let shadow = dir.join("shadow");
    std::fs::create_dir_all(&shadow).unwrap();
    std::fs::write(
        shadow.join("mod.rs"),
        "use leakproof_model::alloc::calculate_new_capacity;\n\
         use leakproof_model::alloc::CALCULATE_THRESHOLD;\n\
         fn f(c: &C) -> usize { c.usage() as usize + CALCULATE_THRESHOLD + calculate_new_capacity(1, 2).unwrap() }\n",
    )
    .unwrap();
    std::fs::write(shadow.join("b.rs"), "fn g() {}\n").unwrap();
    std::fs::write(shadow.join("c.rs"), "fn h() {}\n").unwrap();
    let oracle = Oracle {
        name: "probe",
        files: vec![
            shadow.join("mod.rs"),
            shadow.join("b.rs"),
            shadow.join("c.rs"),
        ],
        src: dir.clone(),
        model_root: "leakproof_model",
        oracle_modules: vec![],
        methods: SHADOW_METHODS,
        paths: SHADOW_PATHS,
    };
    let rules = model_rules(&[]);
    let problems = check(&oracle, &rules).join("\n");
    std::fs::remove_dir_all(&dir).ok();
    for needle in ["calculate_new_capacity", "CALCULATE_THRESHOLD", ".usage()"] {
        assert!(
            problems.contains(needle),
            "{needle} not reported:\n{problems}"
        );
    }
}
