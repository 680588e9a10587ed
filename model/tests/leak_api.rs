//! The leak detector's public surface Netty's leak tests use: `toLeakAwareBuffer` on
//! any buffer by level, hints as values, and `LeakListener`.

use leakproof_model::alloc::{ByteBufAllocator, UnpooledAllocator};
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::{LeakLevel, LeakListener};
use leakproof_model::Profile;
use std::sync::{Arc, Mutex};

mod support;
use support::{jvm_at, T};

fn jvm(level: LeakLevel) -> Arc<Jvm> {
    jvm_at(Profile::netty_4_1(), level, |_| {})
}

#[test]
fn to_leak_aware_buffer_wraps_by_level() {
    // AbstractByteBufAllocator.toLeakAwareBuffer (4.1.128, java:40–58): SIMPLE →
    // SimpleLeakAwareByteBuf, ADVANCED/PARANOID → AdvancedLeakAwareByteBuf, DISABLED →
    // the buffer itself. Unpooled heap buffers are never wrapped at allocation, so
    // wrapping one shows the call alone.
    for (level, prefix) in [
        (
            LeakLevel::Disabled,
            "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf(",
        ),
        (LeakLevel::Paranoid, "AdvancedLeakAwareByteBuf("),
    ] {
        let jvm = jvm(level);
        let buf = UnpooledAllocator::new(&jvm).heap_buffer(T).unwrap();
        assert!(buf.leak_tracker().is_none());
        let aware = jvm.to_leak_aware_buffer(&buf).unwrap();
        assert!(
            aware.to_java_string().starts_with(prefix),
            "{level:?}: {aware}"
        );
        assert_eq!(aware.leak_tracker().is_some(), level.is_enabled());
        // A derived view is tracked on the count it shares.
        let slice = jvm.to_leak_aware_buffer(&buf.slice().unwrap()).unwrap();
        let wrapped = slice
            .to_java_string()
            .starts_with("AdvancedLeakAwareByteBuf(");
        assert_eq!(wrapped, level.is_enabled(), "{slice}");
        assert!(buf.release().unwrap());
    }
}

#[test]
fn hints_are_values_and_the_listener_hears_each_reported_leak() {
    // ResourceLeakDetector.java:316–327: after a new report, `listener.onLeak(
    // resourceType, records)`; DefaultResourceLeak.record(hint) keeps the hint's text.
    let jvm = jvm(LeakLevel::Paranoid);
    let heard: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = heard.clone();
    jvm.leak_detector()
        .set_leak_listener(Some(LeakListener::new(move |kind, records| {
            sink.lock().unwrap().push((kind.into(), records.into()));
        })));
    let alloc = UnpooledAllocator::new(&jvm);
    let leaked = alloc.direct_buffer(T).unwrap();
    leaked.touch_hint(&format_args!("frame {}", 7));
    // UnreleasableByteBuf.touch(hint) (4.1.128, java:115–122) returns itself: no record.
    leaked.unreleasable().touch("through the unreleasable view");
    drop(leaked);
    jvm.gc();
    let sentinel = alloc.direct_buffer(T).unwrap();
    let heard = heard.lock().unwrap();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].0, "ByteBuf");
    assert!(heard[0].1.contains("Hint: frame 7"), "{}", heard[0].1);
    assert!(!heard[0].1.contains("unreleasable view"), "{}", heard[0].1);
    sentinel.release().unwrap();
}

#[test]
fn set_level_changes_what_later_tracking_does() {
    // ResourceLeakDetector.setLevel: the level each later `track` reads.
    let jvm = jvm(LeakLevel::Disabled);
    let buf = UnpooledAllocator::new(&jvm).heap_buffer(T).unwrap();
    let before = jvm.to_leak_aware_buffer(&buf).unwrap();
    assert!(before.leak_tracker().is_none());
    jvm.leak_detector().set_level(LeakLevel::Paranoid);
    assert_eq!(jvm.leak_detector().level(), LeakLevel::Paranoid);
    let after = jvm.to_leak_aware_buffer(&buf).unwrap();
    assert!(after.leak_tracker().is_some());
    assert!(after.release().unwrap());
}
