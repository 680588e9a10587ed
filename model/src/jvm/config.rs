//! JVM and platform settings: what `java -X…` flags and Netty's platform probe decide.

use crate::leak::LeakConfig;
use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// The incident's `Runtime.maxMemory()` under `-Xmx32M -XX:+UseSerialGC` on JDK 8.
pub const INCIDENT_RUNTIME_MAX_MEMORY: u64 = 32_440_320;

/// Which JDK's wording `java.lang.OutOfMemoryError` for direct memory uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JdkVersion {
    /// JDK 8: `Direct buffer memory`.
    #[default]
    Jdk8,
    /// JDK 17: `Cannot reserve N bytes of direct buffer memory (allocated: A, limit: L)`.
    Jdk17,
}

/// Everything that configures one simulated JVM. The mutant and the seed live here
/// only; the leak detector and traces derive theirs from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "super::config_wire::JvmConfigWire")]
#[serde(try_from = "super::config_wire::JvmConfigWire")]
pub struct JvmConfig {
    /// The pinned Netty release.
    pub profile: Profile,
    /// A deliberately re-introduced bug, or none.
    pub mutant: Mutant,
    /// `Runtime.maxMemory()`: the heap budget in bytes (`-Xmx`).
    pub runtime_max_memory: u64,
    /// `-XX:MaxDirectMemorySize`; `None` means the JDK default, `Runtime.maxMemory()`.
    pub max_direct_memory_size: Option<u64>,
    /// `io.netty.maxDirectMemory`: < 0 Netty's counter with the JVM limit (default −1),
    /// 0 Cleaner-backed buffers and no counter, > 0 a hard cap of that many bytes.
    pub netty_max_direct_memory: i64,
    /// Whether `sun.misc.Unsafe` (and the no-Cleaner constructor) is usable.
    pub has_unsafe: bool,
    /// `Runtime.availableProcessors()` (or `io.netty.availableProcessors`).
    pub cores: u32,
    /// Seed of the JVM's one RNG (leak sampling, record dropping).
    pub seed: u64,
    /// Whether buffer memory holds real bytes.
    pub memory_mode: MemoryMode,
    /// Wording of the JDK's direct-memory `OutOfMemoryError`.
    pub jdk: JdkVersion,
    /// The leak detector's level, interval and target records.
    pub leak: LeakConfig,
}

impl Default for JvmConfig {
    fn default() -> Self {
        let profile = Profile::default();
        JvmConfig {
            leak: LeakConfig::from_profile(&profile.leak),
            profile,
            mutant: Mutant::None,
            runtime_max_memory: INCIDENT_RUNTIME_MAX_MEMORY,
            max_direct_memory_size: None,
            netty_max_direct_memory: -1,
            has_unsafe: true,
            cores: 2,
            seed: 0,
            memory_mode: MemoryMode::Materialized,
            jdk: JdkVersion::Jdk8,
        }
    }
}

impl JvmConfig {
    /// The default configuration for `profile` (its leak defaults included).
    pub fn for_profile(profile: Profile) -> Self {
        JvmConfig {
            leak: LeakConfig::from_profile(&profile.leak),
            profile,
            ..JvmConfig::default()
        }
    }

    /// The JDK's direct-memory limit (`VM.maxDirectMemory()`).
    pub fn jdk_max_direct_memory(&self) -> u64 {
        self.max_direct_memory_size
            .unwrap_or(self.runtime_max_memory)
    }

    /// Netty's `PlatformDependent.maxDirectMemory()`: its estimate of the JDK limit.
    pub fn netty_max_direct_estimate(&self) -> u64 {
        self.jdk_max_direct_memory()
    }

    /// `USE_DIRECT_BUFFER_NO_CLEANER`: direct buffers bypass the JDK's Cleaner and are
    /// counted by Netty instead (needs Unsafe and `io.netty.maxDirectMemory != 0`).
    pub fn uses_no_cleaner(&self) -> bool {
        self.has_unsafe && self.netty_max_direct_memory != 0
    }

    /// `DIRECT_MEMORY_LIMIT` when Netty keeps a counter, `None` when it keeps none.
    pub fn netty_direct_limit(&self) -> Option<u64> {
        if !self.uses_no_cleaner() {
            None
        } else if self.netty_max_direct_memory >= 1 {
            Some(self.netty_max_direct_memory as u64)
        } else {
            Some(self.netty_max_direct_estimate())
        }
    }
}
