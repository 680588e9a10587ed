//! The pool models of the catalog: shapes (one tiny chunk, the same with the #13467
//! double free, a small arena of three chunks) for every profile, and every project
//! mutant that changes the arena's behaviour hunted across those shapes.
//!
//! The shapes pick their sizes by the profile's size-class scheme: the jemalloc4 run
//! allocator has multi-page small runs, the ≤4.1.51 buddy tree one-page subpages of
//! tiny and small classes, so each scheme needs its own representatives to reach
//! subpage release and list moves.

use super::PoolModel;
use crate::report::Expect;
use leakproof_model::check::netty::NettySizes;
use leakproof_model::pool::size_classes_legacy::TINY_LIMIT;
use leakproof_model::pool::{ArenaKind, PoolGeometry, SizeClasses, SizeKind};
use leakproof_model::profile::{AllocatorProfile, Profile, SizeClassScheme};
use leakproof_model::Mutant;

/// A named pool model.
#[derive(Clone, Debug)]
pub struct PoolCase {
    /// Stable name, e.g. `pool/chunk/netty-4.1`.
    pub name: String,
    /// The model.
    pub model: PoolModel,
}

/// The profile's size classes of a 4 KiB-page geometry of `max_order` (aligned: none),
/// and Netty's rules for it restated by the checker.
fn size_classes(profile: &AllocatorProfile, max_order: u32) -> (SizeClasses, NettySizes) {
    let sc = PoolGeometry::validate(4096, max_order as i32, 0, || Ok(()))
        .expect("a valid geometry")
        .size_classes(profile.size_classes, ArenaKind::Direct);
    let netty = NettySizes::new(profile.size_classes, 4096, max_order, 0, 0);
    (sc, netty)
}

/// Representative request sizes of every kind that fit a chunk of `sc`: the smallest
/// small class (many elements), a small class of a multi-page run with 2–4 elements, a
/// single-element small class, the smallest normal class and a huge size.
pub fn representative_sizes(sc: &SizeClasses) -> Vec<usize> {
    let pages = sc.chunk_size() / sc.page_size();
    let table = sc.table();
    let small: Vec<_> = table
        .iter()
        .filter(|r| sc.kind_of_size(r.size) == SizeKind::Small && r.run_pages <= pages)
        .collect();
    let mut sizes = Vec::new();
    sizes.extend(small.first().map(|r| r.size));
    sizes.extend(
        small
            .iter()
            .find(|r| r.run_pages > 1 && r.elements.is_some_and(|e| (2..=4).contains(&e)))
            .map(|r| r.size),
    );
    sizes.extend(small.iter().find(|r| r.elements == Some(1)).map(|r| r.size));
    sizes.extend(
        table
            .iter()
            .find(|r| sc.kind_of_size(r.size) == SizeKind::Normal)
            .map(|r| r.size),
    );
    sizes.push(sc.chunk_size() + sc.page_size());
    sizes.dedup();
    sizes
}

/// Representative sizes of the tiny/small/normal scheme (≤4.1.51), where every subpage
/// is one page of the buddy tree: the smallest and the largest tiny class (many
/// elements), the largest small class (two elements, so three live buffers need two
/// subpages of one pool and freeing can release one), a one-page normal run and a
/// huge size. Runs of two pages and the whole chunk (every depth of a tree) are the
/// arena shape's: with them here too, three live buffers make 4 million states.
pub fn buddy_sizes(sc: &SizeClasses) -> Vec<usize> {
    let page = sc.page_size();
    let small: Vec<usize> = sc
        .table()
        .iter()
        .map(|r| r.size)
        .filter(|&s| s > 0 && sc.kind_of_size(s) == SizeKind::Small)
        .collect();
    let tiny = || small.iter().copied().filter(|&s| s < TINY_LIMIT);
    let mut sizes: Vec<usize> = [tiny().min(), tiny().max(), small.last().copied()]
        .into_iter()
        .flatten()
        .collect();
    sizes.extend([page, sc.chunk_size() + page]);
    sizes.dedup();
    sizes
}

/// Page-run sizes for the arena shape: a one-page and a two-page class and the whole
/// chunk. Under the jemalloc4 scheme the page-sized classes are single-element small
/// classes (subpages); under the legacy one they are normal, so the largest small
/// class (half a page) joins them for the subpage pool.
fn run_sizes(sc: &SizeClasses) -> Vec<usize> {
    let page = sc.page_size();
    let mut sizes: Vec<usize> = [page, 2 * page]
        .into_iter()
        .filter(|&s| sc.size_idx2size(sc.size2size_idx(s)) == Some(s))
        .collect();
    if sc.kind_of_size(page) != SizeKind::Small {
        sizes.insert(0, page / 2);
    }
    sizes.push(sc.chunk_size());
    sizes
}

/// The shapes for `profile_name` under `mutant`.
pub fn shapes(profile_name: &str, mutant: Mutant) -> Vec<PoolCase> {
    let profile = Profile::by_name(profile_name)
        .expect("a known profile")
        .allocator;
    let (chunk_sc, chunk_netty) = size_classes(&profile, 3);
    // Subpages of one page need a third live buffer to have two in one pool.
    let (chunk_sizes, chunk_live) = match profile.size_classes {
        SizeClassScheme::Jemalloc4 => (representative_sizes(&chunk_sc), 2),
        SizeClassScheme::Legacy => (buddy_sizes(&chunk_sc), 3),
    };
    let huge = *chunk_sizes.last().unwrap_or(&0);
    let chunk = PoolModel {
        profile: profile.clone(),
        mutant,
        budget: chunk_sc.chunk_size() + huge,
        sizes: chunk_sizes,
        sc: chunk_sc,
        netty_sizes: chunk_netty,
        max_live: chunk_live,
        double_free: false,
    };
    let double_free = PoolModel {
        double_free: true,
        ..chunk.clone()
    };
    let (arena_sc, arena_netty) = size_classes(&profile, 2);
    let arena = PoolModel {
        profile,
        mutant,
        budget: 3 * arena_sc.chunk_size(),
        sizes: run_sizes(&arena_sc),
        sc: arena_sc,
        netty_sizes: arena_netty,
        max_live: 4,
        double_free: false,
    };
    let suffix = if mutant == Mutant::None {
        String::new()
    } else {
        format!("/{mutant}")
    };
    [
        ("chunk", chunk),
        ("chunk-double-free", double_free),
        ("arena", arena),
    ]
    .into_iter()
    .map(|(shape, model)| PoolCase {
        name: format!("pool/{shape}/{profile_name}{suffix}"),
        model,
    })
    .collect()
}

/// The profiles the pool shapes are built for: the run allocator and the buddy tree.
pub const PROOF_PROFILES: &[&str] = &["netty-4.1", "netty-4.1.48"];

/// Every shape of every proved profile without mutants: all invariants hold.
pub fn cases() -> Vec<(PoolCase, Expect)> {
    PROOF_PROFILES
        .iter()
        .flat_map(|p| shapes(p, Mutant::None))
        .map(|c| (c, Expect::Holds))
        .collect()
}

/// Every (profile, mutant) pair where the mutant changes the arena's behaviour: the
/// mutants the pool models must catch.
pub fn arena_mutants() -> Vec<(&'static str, Mutant)> {
    let mut out = Vec::new();
    for &name in PROOF_PROFILES {
        let profile = Profile::by_name(name).expect("a known profile").allocator;
        for &m in Mutant::ALL {
            if PoolModel::touches_arena(&profile, m) {
                out.push((name, m));
            }
        }
    }
    out
}
