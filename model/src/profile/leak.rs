//! Leak-detector fields of a profile (netty.md §7).

use serde::{Deserialize, Serialize};

/// Leak-detector behaviour of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakProfile {
    /// Default `io.netty.leakDetection.samplingInterval`.
    pub sampling_interval: u32,
    /// Default `io.netty.leakDetection.targetRecords`.
    pub target_records: u32,
    /// Retained derivatives of pooled buffers get their own forced tracker (4.1.94+, #13436).
    pub retained_derivatives_tracked: bool,
    /// Recycled derivatives clear their `parent` field (4.1.113+, #14250).
    pub recycled_derivative_clears_parent: bool,
}

impl LeakProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        LeakProfile {
            sampling_interval: 128,
            target_records: 4,
            retained_derivatives_tracked: true,
            recycled_derivative_clears_parent: true,
        }
    }

    /// 4.1.48.Final: derivatives share their root's tracker and keep their parent.
    pub fn netty_4_1_48() -> Self {
        LeakProfile {
            retained_derivatives_tracked: false,
            recycled_derivative_clears_parent: false,
            ..Self::netty_4_1()
        }
    }
}
