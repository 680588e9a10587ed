//! Issue 10: the configuration generator draws every knob. Over many drawn
//! configurations each value class of each knob appears at least once (counted, not
//! sampled), so a knob the generator stops varying, or one pushed past the header's
//! [`CONFIG_BYTES`] (then always its first choice), fails here by name.

use leakproof_model::jvm::JdkVersion;
use leakproof_model::leak::LeakLevel;
use leakproof_model::profile::CrossThreadRecycle;
use leakproof_model::Mutant;
use leakproof_sim::exec::{ExecConfig, CONFIG_BYTES};
use leakproof_sim::shadow::refused_threshold;
use rand::{RngCore, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};

const DRAWS: u64 = 4000;

/// knob → value classes seen.
type Seen = BTreeMap<&'static str, BTreeSet<String>>;

fn note(seen: &mut Seen, knob: &'static str, class: impl std::fmt::Debug) {
    seen.entry(knob).or_default().insert(format!("{class:?}"));
}

fn order_class(order: i32) -> &'static str {
    match order {
        0..=2 => "0-2",
        3..=5 => "3-5",
        _ => "6-14",
    }
}

fn classify(c: &ExecConfig, seen: &mut Seen) {
    let (j, a) = (&c.jvm, &c.allocator);
    let legacy = j.profile.allocator.tiny_cache_size > 0;
    note(seen, "profile", &j.profile.name);
    note(seen, "pageSize", a.page_size);
    note(seen, "maxOrder", order_class(a.max_order));
    if legacy {
        note(seen, "maxOrder on 4.1.48", a.max_order);
    } else {
        note(seen, "maxOrder on 4.1.128", a.max_order);
    }
    note(seen, "directMemoryCacheAlignment", a.direct_alignment);
    if legacy {
        note(seen, "alignment on 4.1.48", a.direct_alignment);
        note(seen, "tinyCacheSize", a.tiny_cache_size);
    } else {
        note(seen, "alignment on 4.1.128", a.direct_alignment);
    }
    note(seen, "numHeapArenas", a.heap_arenas);
    note(seen, "numDirectArenas", a.direct_arenas);
    note(seen, "smallCacheSize", a.small_cache_size);
    note(seen, "normalCacheSize", a.normal_cache_size);
    note(
        seen,
        "maxCachedBufferCapacity",
        a.max_cached_buffer_capacity,
    );
    note(seen, "cacheTrimInterval", a.cache_trim_interval);
    let scheme = j.profile.allocator.size_classes;
    note(
        seen,
        "thread cache refused",
        refused_threshold(scheme, a).is_some(),
    );
    note(seen, "useCacheForAllThreads", a.use_cache_for_all_threads);
    note(seen, "preferDirect", a.prefer_direct);
    note(seen, "leak level", j.leak.level);
    note(seen, "samplingInterval", j.leak.sampling_interval);
    note(seen, "targetRecords", j.leak.target_records);
    note(
        seen,
        "acquireAndReleaseOnly",
        j.leak.acquire_and_release_only,
    );
    note(seen, "ERROR logging", j.leak.error_logging);
    note(seen, "hasUnsafe", j.has_unsafe);
    note(seen, "JDK", j.jdk);
    note(seen, "cores", j.cores);
    let r = &j.profile.allocator.recycler_max_capacity_per_thread;
    note(seen, "recycler.maxCapacityPerThread", r);
    note(seen, "recycler.ratio", j.profile.recycler.ratio);
    if let CrossThreadRecycle::WeakOrderQueue {
        link_capacity,
        max_shared_capacity_factor,
        max_delayed_queues_per_core,
    } = j.profile.recycler.cross_thread
    {
        note(seen, "recycler.linkCapacity", link_capacity);
        note(
            seen,
            "recycler.maxSharedCapacityFactor",
            max_shared_capacity_factor,
        );
        note(
            seen,
            "recycler.maxDelayedQueuesPerThread",
            max_delayed_queues_per_core,
        );
    }
    let limit = match j.netty_max_direct_memory {
        n if n < 0 => "-1",
        0 => "0",
        _ => "a few chunks",
    };
    note(seen, "io.netty.maxDirectMemory", limit);
    note(seen, "memory mode", j.memory_mode);
    note(seen, "seed varies", j.seed > 0);
    note(seen, "check interval", c.check_every);
    note(seen, "second allocator", c.second_allocator);
}

fn set(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|s| s.to_string()).collect()
}

fn debug_set<T: std::fmt::Debug>(values: &[T]) -> BTreeSet<String> {
    values.iter().map(|v| format!("{v:?}")).collect()
}

fn expected() -> BTreeMap<&'static str, BTreeSet<String>> {
    let alignments = [0, 1, 2, 4, 8, 16, 64, 1024, 4096, 8192];
    let bools = debug_set(&[false, true]);
    let mut e = BTreeMap::new();
    e.insert("profile", debug_set(&["netty-4.1", "netty-4.1.48"]));
    e.insert("pageSize", debug_set(&[4096, 8192, 16384, 32768, 65536]));
    e.insert("maxOrder", debug_set(&["0-2", "3-5", "6-14"]));
    e.insert(
        "maxOrder on 4.1.48",
        debug_set(&(0..=14).collect::<Vec<i32>>()),
    );
    e.insert(
        "maxOrder on 4.1.128",
        debug_set(&(3..=14).collect::<Vec<i32>>()),
    );
    e.insert("directMemoryCacheAlignment", debug_set(&alignments));
    e.insert("alignment on 4.1.48", debug_set(&alignments));
    e.insert("alignment on 4.1.128", debug_set(&alignments));
    e.insert("tinyCacheSize", debug_set(&[0, 1, 2, 4, 512]));
    e.insert("numHeapArenas", debug_set(&[0, 1, 2]));
    e.insert("numDirectArenas", debug_set(&[0, 1, 2]));
    e.insert("smallCacheSize", debug_set(&[0, 1, 2, 4, 256]));
    e.insert("normalCacheSize", debug_set(&[0, 1, 2, 64]));
    e.insert(
        "maxCachedBufferCapacity",
        debug_set(&[0, 8192, 32 * 1024, 64 * 1024]),
    );
    e.insert("cacheTrimInterval", debug_set(&[-1, 0, 1, 8, 64, 8192]));
    e.insert("thread cache refused", bools.clone());
    e.insert("useCacheForAllThreads", bools.clone());
    e.insert("preferDirect", bools.clone());
    e.insert(
        "leak level",
        debug_set(&[
            LeakLevel::Disabled,
            LeakLevel::Simple,
            LeakLevel::Advanced,
            LeakLevel::Paranoid,
        ]),
    );
    e.insert("samplingInterval", debug_set(&[1, 2, 128]));
    e.insert("targetRecords", debug_set(&[0, 1, 4]));
    e.insert("acquireAndReleaseOnly", bools.clone());
    e.insert("ERROR logging", bools.clone());
    e.insert("hasUnsafe", bools.clone());
    e.insert("JDK", debug_set(&[JdkVersion::Jdk8, JdkVersion::Jdk17]));
    e.insert("cores", debug_set(&[1, 2, 8]));
    e.insert("recycler.maxCapacityPerThread", debug_set(&[0, 2, 4096]));
    e.insert("recycler.ratio", debug_set(&[1, 2, 8]));
    e.insert("recycler.linkCapacity", debug_set(&[16, 32]));
    e.insert("recycler.maxSharedCapacityFactor", debug_set(&[2, 4]));
    e.insert("recycler.maxDelayedQueuesPerThread", debug_set(&[0, 1, 2]));
    e.insert(
        "io.netty.maxDirectMemory",
        debug_set(&["-1", "0", "a few chunks"]),
    );
    e.insert("memory mode", set(&["Materialized", "Virtual"]));
    e.insert("seed varies", bools.clone());
    e.insert("check interval", debug_set(&[1, 16, 64]));
    e.insert("second allocator", bools);
    e
}

#[test]
fn every_value_class_of_every_knob_is_drawn() {
    let mut seen = Seen::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(10);
    for _ in 0..DRAWS {
        let mut bytes = [0u8; CONFIG_BYTES];
        rng.fill_bytes(&mut bytes);
        classify(&ExecConfig::from_bytes(Mutant::None, &bytes), &mut seen);
    }
    let mut problems = Vec::new();
    for (knob, want) in expected() {
        let got = seen.remove(knob).unwrap_or_default();
        if got != want {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            problems.push(format!("{knob}: missing {missing:?}, unexpected {extra:?}"));
        }
    }
    for knob in seen.keys() {
        problems.push(format!("{knob}: seen but not expected"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
