//! Derived-buffer fields of a profile (netty.md §6.3).

use serde::{Deserialize, Serialize};

/// How derived buffers (slices, duplicates) behave in a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedProfile {
    /// `duplicate()`/`retainedDuplicate()` of an `UnpooledSlicedByteBuf` or a
    /// `PooledSlicedByteBuf` is `slice(0, capacity()).setIndex(readerIndex, writerIndex)`
    /// (its retained form likewise): a slice of the same range, whose `capacity(n)`
    /// throws `sliced buffer` (4.1.111+, #14093, commit e9caa97d59). When false, the
    /// duplicate views the whole root with the slice's indexes shifted (4.1.48).
    /// `PooledNonRetainedSlicedByteBuf` keeps its own root-wide duplicate in both.
    pub duplicate_of_slice_is_slice: bool,
    /// `PooledNonRetainedDuplicateByteBuf`/`PooledNonRetainedSlicedByteBuf` are
    /// accessible while their count's owner is (`isAccessible0()` returns
    /// `referenceCountDelegate.isAccessible()`, 4.1.128). When false they follow
    /// `AbstractDerivedByteBuf.isAccessible()`, `unwrap().isAccessible()`: the root's,
    /// even after the retained derivative they share a count with was released (4.1.48).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub non_retained_access_follows_delegate: bool,
}

/// Profiles serialized before a field existed read it as 4.1.128's value.
fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for DerivedProfile {
    fn default() -> Self {
        DerivedProfile::netty_4_1()
    }
}

impl DerivedProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        DerivedProfile {
            duplicate_of_slice_is_slice: true,
            non_retained_access_follows_delegate: true,
        }
    }

    /// 4.1.48.Final: a duplicate of a slice views the whole root (before #14093); a
    /// non-retained pooled derivative is accessible while its root is.
    pub fn netty_4_1_48() -> Self {
        DerivedProfile {
            duplicate_of_slice_is_slice: false,
            non_retained_access_follows_delegate: false,
        }
    }

    /// True when this is 4.1.128's behaviour (then left out of serialized profiles).
    pub fn is_netty_4_1(&self) -> bool {
        *self == Self::netty_4_1()
    }
}
