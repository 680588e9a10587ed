//! The leak detector wired into buffers: levels, derived-buffer tracking (#13436),
//! reports only at a later tracked allocation, released buffers never reported.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::LeakLevel;
use leakproof_model::{Mutant, Profile};
use std::sync::Arc;

mod support;
use support::{jvm_at, T};

fn jvm(level: LeakLevel, mutant: Mutant) -> Arc<Jvm> {
    jvm_at(Profile::netty_4_1(), level, |c| {
        c.netty_max_direct_memory = 0;
        c.mutant = mutant;
    })
}

fn pooled(jvm: &Arc<Jvm>) -> Arc<PooledAllocator> {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 1;
    PooledAllocator::new(jvm, config).unwrap()
}

#[test]
fn paranoid_wraps_every_buffer_and_derivatives_follow_their_parent() {
    let jvm = jvm(LeakLevel::Paranoid, Mutant::None);
    let alloc = pooled(&jvm);
    let root = alloc.new_buffer(T, true, 64, 64).unwrap();
    assert!(root
        .to_java_string()
        .starts_with("AdvancedLeakAwareByteBuf(PooledUnsafeDirectByteBuf("));
    let plain = root.slice().unwrap();
    assert!(plain
        .to_java_string()
        .starts_with("AdvancedLeakAwareByteBuf(UnpooledSlicedByteBuf("));
    let child = root.retained_slice(T).unwrap();
    let stats = jvm.leak_detector().stats();
    assert_eq!(
        (stats.tracked, stats.forced),
        (1, 1),
        "the retained derivative is force-tracked"
    );
    assert!(child.release().unwrap());
    assert!(root.release().unwrap());
    assert_eq!(jvm.leak_detector().stats().closed, 2);
}

#[test]
fn a_leak_is_reported_at_the_next_tracked_allocation_once() {
    let jvm = jvm(LeakLevel::Paranoid, Mutant::None);
    let alloc = UnpooledAllocator::new(&jvm);
    jvm.set_site("decoder");
    for _ in 0..3 {
        drop(alloc.new_buffer(T, true, 16, 16).unwrap());
    }
    let released = alloc.new_buffer(T, true, 16, 16).unwrap();
    released.release().unwrap();
    drop(released);
    let report = jvm.gc();
    assert_eq!(
        report.trackers_enqueued, 3,
        "the released buffer is not enqueued"
    );
    assert_eq!(
        jvm.leak_detector().stats().enqueued,
        3,
        "the detector counts the trackers the GC enqueued"
    );
    assert!(
        jvm.take_leak_reports().is_empty(),
        "nothing before a tracked allocation"
    );
    let sentinel = alloc.new_buffer(T, true, 16, 16).unwrap();
    let reports = jvm.take_leak_reports();
    assert_eq!(
        reports.len(),
        1,
        "three leaks with one records text: reported once"
    );
    assert!(reports[0]
        .text
        .starts_with("LEAK: ByteBuf.release() was not called"));
    assert!(reports[0].text.contains("leakproof.Program.run(decoder)"));
    let stats = jvm.leak_detector().stats();
    assert_eq!(
        (stats.leaks, stats.reported, stats.duplicate_leaks),
        (3, 1, 2)
    );
    sentinel.release().unwrap();
}

#[test]
fn disabled_tracks_nothing_and_simple_samples() {
    let jvm = jvm(LeakLevel::Disabled, Mutant::None);
    let alloc = UnpooledAllocator::new(&jvm);
    let buf = alloc.new_buffer(T, true, 16, 16).unwrap();
    assert!(!buf.to_java_string().contains("LeakAware"));
    assert_eq!(jvm.leak_detector().stats().track_calls, 0);

    let jvm2 = self::jvm(LeakLevel::Simple, Mutant::None);
    let alloc = UnpooledAllocator::new(&jvm2);
    let tracked = (0..1280)
        .map(|_| alloc.new_buffer(T, true, 1, 1).unwrap())
        .filter(|b| b.to_java_string().starts_with("SimpleLeakAwareByteBuf("))
        .count();
    assert!(
        (3..=25).contains(&tracked),
        "about 1 in 128 of 1280: {tracked}"
    );
}

#[test]
fn derivatives_sampled_independently_mutant_leaves_children_untracked() {
    let jvm = jvm(LeakLevel::Paranoid, Mutant::DerivativesSampledIndependently);
    let alloc = pooled(&jvm);
    let root = alloc.new_buffer(T, true, 64, 64).unwrap();
    let _child = root.retained_slice(T).unwrap();
    let stats = jvm.leak_detector().stats();
    assert_eq!(
        stats.forced, 0,
        "#13414: the child went through sampling instead"
    );
    assert_eq!(stats.track_calls, 2);
}

/// An advanced wrapper records each access (`recordLeakNonRefCountingOperation`): the
/// report lists the leaked buffer's write and read, newest first.
#[test]
fn a_leak_report_lists_the_accesses_of_an_advanced_buffer() {
    let jvm = jvm(LeakLevel::Paranoid, Mutant::None);
    let alloc = UnpooledAllocator::new(&jvm);
    let leaked = alloc.new_buffer(T, true, 16, 16).unwrap();
    leaked.write_bytes(T, &[1, 2]).unwrap();
    assert_eq!(leaked.read_byte().unwrap(), 1);
    drop(leaked);
    jvm.gc();
    let sentinel = alloc.new_buffer(T, true, 16, 16).unwrap();
    let reports = jvm.take_leak_reports();
    assert_eq!(reports.len(), 1);
    let text = &reports[0].text;
    assert!(text.contains("Recent access records:"), "{text}");
    let (read, write) = (text.find("getBytes"), text.find("setBytes"));
    assert!(read.is_some() && read < write, "{text}");
    sentinel.release().unwrap();
}
