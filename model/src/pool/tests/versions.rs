//! The contract the incremental arena checks rest on (`check::touched`): every
//! `&mut self` method of `PoolChunk`, and every public one of `ArenaCore`, bumps its
//! version, so a chunk or arena whose version did not move since a passing check is in
//! the state that passed. Read from the source: a method that changes one without a
//! bump fails here, naming it.

/// Methods that bump by calling one that does before changing anything themselves.
const DELEGATES: &[(&str, &str)] = &[
    ("allocate_run", "self.take_run("),
    ("allocate_subpage", "self.take_run("),
];

/// Each `&mut self` method of `source` with its body (up to its closing brace at the
/// method's indentation).
fn mut_methods(source: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ") else { continue };
        let indent = &line[..line.len() - line.trim_start().len()];
        if !line.trim_start().starts_with("fn ") && !line.trim_start().starts_with("pub") {
            continue;
        }
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let end = (i..lines.len())
            .find(|&j| lines[j] == close)
            .unwrap_or(lines.len());
        let text = lines[i..end].join("\n");
        let signature = &text[..text.find('{').unwrap_or(text.len())];
        if signature.contains("&mut self") {
            out.push((name, text));
        }
    }
    out
}

/// Fails naming the first method that neither bumps `version` nor calls its delegate.
fn assert_each_bumps(owner: &str, methods: &[(String, String)], delegates: &[(&str, &str)]) {
    for (name, body) in methods {
        let bumps = body.contains("self.version += 1")
            || delegates
                .iter()
                .any(|(n, call)| n == name && body.contains(call));
        assert!(
            bumps,
            "{owner}::{name} takes &mut self without bumping version"
        );
    }
}

#[test]
fn every_mut_method_of_a_chunk_bumps_its_version() {
    let methods = mut_methods(include_str!("../chunk.rs"));
    assert!(methods.len() >= 10, "found only {methods:?}");
    assert_each_bumps("PoolChunk", &methods, DELEGATES);
    let take_run = methods
        .iter()
        .find(|(n, _)| n == "take_run")
        .expect("take_run");
    assert!(take_run.1.contains("self.version += 1"));
}

/// `ArenaCore`'s public methods that bump through one that does.
const ARENA_DELEGATES: &[(&str, &str)] = &[("allocate", "self.allocate_sized(")];

#[test]
fn every_public_mut_method_of_an_arena_bumps_its_version() {
    let source = include_str!("../arena_core.rs");
    let methods: Vec<(String, String)> = mut_methods(source)
        .into_iter()
        .filter(|(_, body)| body.trim_start().starts_with("pub"))
        .collect();
    assert!(methods.len() >= 8, "found only {methods:?}");
    assert_each_bumps("ArenaCore", &methods, ARENA_DELEGATES);
}

#[test]
fn every_arena_operation_moves_its_version() {
    use super::support::{direct, CHUNK};
    let (mut a, mut s) = direct();
    let mut last = a.version();
    let mut moved = |a: &crate::pool::ArenaCore, what: &str| {
        assert!(
            a.version() > last,
            "{what} left the arena's version at {last}"
        );
        last = a.version();
    };
    // Small: a new subpage run, then the pool's first subpage; normal; huge.
    let small = a.allocate(64, &mut s).unwrap();
    moved(&a, "a small allocation in a new run");
    a.allocate(64, &mut s).unwrap();
    moved(&a, "a small allocation from the pool");
    let normal = a.allocate(64 << 10, &mut s).unwrap();
    moved(&a, "a normal allocation");
    let huge = a.allocate(CHUNK + 1, &mut s).unwrap();
    moved(&a, "a huge allocation");
    for (x, norm) in [(small, 64), (normal, 64 << 10), (huge, CHUNK + 1)] {
        a.free(x.chunk, x.handle, norm, false, &mut s).unwrap();
        moved(&a, "a free");
    }
    a.inc_thread_caches();
    moved(&a, "a thread cache bound");
    a.dec_thread_caches();
    moved(&a, "a thread cache freed");
    a.destroy_all(&mut s);
    moved(&a, "destroy_all");
}

#[test]
fn a_chunk_operation_moves_the_chunks_version() {
    use super::support::direct;
    let (mut a, mut s) = direct();
    let versions = |a: &crate::pool::ArenaCore| -> Vec<_> {
        a.chunks().map(|c| (c.id(), c.version())).collect()
    };
    a.allocate(64 << 10, &mut s).unwrap();
    let before = versions(&a);
    a.allocate(64 << 10, &mut s).unwrap();
    let after = versions(&a);
    assert_eq!(
        (before.len(), after[0].0),
        (1, before[0].0),
        "one chunk serves both"
    );
    assert!(after[0].1 > before[0].1, "{before:?} -> {after:?}");
}
