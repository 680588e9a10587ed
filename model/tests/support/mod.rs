//! Setup shared by the model's integration tests.

use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::leak::{LeakConfig, LeakLevel};
use leakproof_model::{Profile, ThreadId, ThreadKind};
use std::sync::Arc;

/// The event-loop thread the tests run on.
pub const T: ThreadId = ThreadId(1);

/// A JVM with a 1 GiB heap and `T` started as an event loop.
#[allow(dead_code)] // not every test binary that includes `support` needs it
pub fn jvm() -> Arc<Jvm> {
    let jvm = Jvm::new(JvmConfig {
        runtime_max_memory: 1 << 30,
        ..JvmConfig::default()
    });
    jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
    jvm
}

/// A JVM of `profile` with the leak detector at `level`, a 1 GiB heap and `T` started
/// as an event loop; `tweak` sets anything else.
#[allow(dead_code)] // not every test binary that includes `support` needs it
pub fn jvm_at(profile: Profile, level: LeakLevel, tweak: impl FnOnce(&mut JvmConfig)) -> Arc<Jvm> {
    let mut config = JvmConfig {
        runtime_max_memory: 1 << 30,
        leak: LeakConfig::from_profile(&profile.leak).with_level(level),
        ..JvmConfig::for_profile(profile)
    };
    tweak(&mut config);
    let jvm = Jvm::new(config);
    jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
    jvm
}
