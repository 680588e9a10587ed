//! Profiles: every Netty behaviour that changed across releases is a field here.
//!
//! `netty-4.1` pins the release of `shared/reference/netty.md` (4.1.128.Final);
//! `netty-4.1.48` pins the release installable on this machine (the incident's
//! allocator generation). Code never branches on a version number, only on fields.

mod allocator;
mod bytebuf;
mod derived;
mod leak;
mod recycler;
mod refcount;

pub use allocator::{AllocatorProfile, ChunkListThresholds, SizeClassScheme};
pub use bytebuf::ByteBufProfile;
pub use derived::DerivedProfile;
pub use leak::LeakProfile;
pub use recycler::{CrossThreadRecycle, RecyclerProfile, RecyclerRatio};
pub use refcount::{ArgumentErrorStyle, RefCountAlgorithm, RefCountProfile};

use crate::error::JavaException;
use serde::{Deserialize, Serialize};

/// The names of the profiles this build knows, in order of preference.
pub const PROFILE_NAMES: &[&str] = &["netty-4.1", "netty-4.1.48"];

/// A pinned Netty release's behaviour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Stable profile name, e.g. `netty-4.1`.
    pub name: String,
    /// The Netty release it pins, e.g. `4.1.128.Final`.
    pub netty_version: String,
    /// Reference-count protocol behaviour.
    pub refcount: RefCountProfile,
    /// Pooled allocator behaviour.
    pub allocator: AllocatorProfile,
    /// Leak detector behaviour.
    pub leak: LeakProfile,
    /// Derived-buffer behaviour. Written only when it differs from 4.1.128's, so traces
    /// recorded before the field existed stay byte-identical (and read back as 4.1.128).
    #[serde(default, skip_serializing_if = "DerivedProfile::is_netty_4_1")]
    pub derived: DerivedProfile,
    /// Recycler behaviour, written only when it differs from 4.1.128's (as `derived`).
    #[serde(default, skip_serializing_if = "RecyclerProfile::is_netty_4_1")]
    pub recycler: RecyclerProfile,
    /// `ByteBuf` method behaviour, written only when it differs from 4.1.128's (as
    /// `derived`).
    #[serde(default, skip_serializing_if = "ByteBufProfile::is_netty_4_1")]
    pub bytebuf: ByteBufProfile,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::netty_4_1()
    }
}

impl Profile {
    /// Netty 4.1.128.Final, the release `reference/netty.md` describes.
    pub fn netty_4_1() -> Self {
        Profile {
            name: "netty-4.1".into(),
            netty_version: "4.1.128.Final".into(),
            refcount: RefCountProfile::netty_4_1(),
            allocator: AllocatorProfile::netty_4_1(),
            leak: LeakProfile::netty_4_1(),
            derived: DerivedProfile::netty_4_1(),
            recycler: RecyclerProfile::netty_4_1(),
            bytebuf: ByteBufProfile::netty_4_1(),
        }
    }

    /// Netty 4.1.48.Final, the release installable here and the incident's allocator
    /// generation (`reference/incident.md`).
    pub fn netty_4_1_48() -> Self {
        Profile {
            name: "netty-4.1.48".into(),
            netty_version: "4.1.48.Final".into(),
            refcount: RefCountProfile::netty_4_1_48(),
            allocator: AllocatorProfile::netty_4_1_48(),
            leak: LeakProfile::netty_4_1_48(),
            derived: DerivedProfile::netty_4_1_48(),
            recycler: RecyclerProfile::netty_4_1_48(),
            bytebuf: ByteBufProfile::netty_4_1_48(),
        }
    }

    /// Looks a profile up by its name; unknown names are an error naming the known ones.
    pub fn by_name(name: &str) -> Result<Self, UnknownProfile> {
        match name {
            "netty-4.1" => Ok(Profile::netty_4_1()),
            "netty-4.1.48" => Ok(Profile::netty_4_1_48()),
            _ => Err(UnknownProfile(name.to_string())),
        }
    }

    /// Netty's `IllegalArgumentException` for a non-positive `increment`/`decrement`
    /// (`ObjectUtil.checkPositive`), whose spacing differs by release.
    pub fn non_positive_amount(&self, what: &str, amount: i32) -> JavaException {
        self.refcount.non_positive_amount(what, amount)
    }
}

/// A profile name this build does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}` (known: {known})", known = PROFILE_NAMES.join(", "))]
pub struct UnknownProfile(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_resolves_to_itself() {
        for name in PROFILE_NAMES {
            assert_eq!(Profile::by_name(name).unwrap().name, *name);
        }
        let e = Profile::by_name("netty-4.0").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown profile `netty-4.0` (known: netty-4.1, netty-4.1.48)"
        );
    }

    #[test]
    fn netty_4_1_48_is_the_legacy_generation() {
        let p = Profile::netty_4_1_48();
        assert_eq!(p.allocator.size_classes, SizeClassScheme::Legacy);
        assert_eq!(
            p.allocator.default_page_size << p.allocator.default_max_order,
            16 << 20
        );
        assert_eq!(
            p.allocator.chunk_list_thresholds,
            ChunkListThresholds::Percent
        );
        assert!(!p.allocator.q050_next_is_q100);
        assert_eq!(p.allocator.tiny_cache_size, 512);
        assert!(!p.allocator.cache_add_checks_freed);
        assert_eq!(p.refcount.argument_error_style, ArgumentErrorStyle::NoSpace);
        assert!(!p.leak.retained_derivatives_tracked);
    }
}
