//! `ByteBuf` method fields of a profile: behaviour of the buffer's own methods that
//! changed between releases outside the count, the allocator and derived buffers.

use serde::{Deserialize, Serialize};

/// How the buffer's own methods behave in a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteBufProfile {
    /// A backward `indexOf(fromIndex, toIndex, value)` (`fromIndex > toIndex`) whose
    /// exclusive upper bound, clamped to the capacity, is 0 finds nothing without
    /// checking the range (`ByteBufUtil.lastIndexOf`: `if (fromIndex <= 0) return -1`,
    /// 4.1.128). When false only a negative bound returns -1 and a bound of 0 checks
    /// `[toIndex, 0)`, which a negative `toIndex` fails with an
    /// `IndexOutOfBoundsException` (`fromIndex < 0 || capacity == 0`, then
    /// `forEachByteDesc(toIndex, fromIndex - toIndex, …)`, 4.1.48).
    pub backward_search_stops_at_zero: bool,
}

impl Default for ByteBufProfile {
    fn default() -> Self {
        ByteBufProfile::netty_4_1()
    }
}

impl ByteBufProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        ByteBufProfile {
            backward_search_stops_at_zero: true,
        }
    }

    /// 4.1.48.Final: a backward search from 0 checks its range.
    pub fn netty_4_1_48() -> Self {
        ByteBufProfile {
            backward_search_stops_at_zero: false,
        }
    }

    /// True when this is 4.1.128's behaviour (then left out of serialized profiles).
    pub fn is_netty_4_1(&self) -> bool {
        *self == Self::netty_4_1()
    }
}
