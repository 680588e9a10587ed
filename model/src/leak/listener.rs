//! `ResourceLeakDetector.LeakListener`: told of every leak the detector reports.

use std::fmt;
use std::sync::Arc;

/// `LeakListener.onLeak(resourceType, records)`, called once per reported leak (a
/// records string not reported before), after the report is logged
/// (ResourceLeakDetector.java 4.1.128, lines 316–327). `records` is empty for an
/// untraced leak. It runs under the detector's lock: it must not call back into the
/// JVM's leak detector.
#[derive(Clone)]
pub struct LeakListener(Arc<OnLeak>);

/// The callback's type: `onLeak(resourceType, records)`.
type OnLeak = dyn Fn(&str, &str) + Send + Sync;

impl LeakListener {
    /// A listener calling `on_leak(resource_type, records)`.
    pub fn new(on_leak: impl Fn(&str, &str) + Send + Sync + 'static) -> Self {
        LeakListener(Arc::new(on_leak))
    }

    /// `onLeak(resourceType, records)`.
    pub fn on_leak(&self, resource_type: &str, records: &str) {
        (self.0)(resource_type, records)
    }
}

impl fmt::Debug for LeakListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LeakListener")
    }
}
