//! Setup shared by the model's integration tests.

use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

/// The event-loop thread the tests run on.
pub const T: ThreadId = ThreadId(1);

/// A JVM with a 1 GiB heap and `T` started as an event loop.
pub fn jvm() -> Arc<Jvm> {
    let jvm = Jvm::new(JvmConfig {
        runtime_max_memory: 1 << 30,
        ..JvmConfig::default()
    });
    jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
    jvm
}
