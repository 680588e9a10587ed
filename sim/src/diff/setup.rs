//! What one differential run fixes for the whole JVM, and the model configuration that
//! matches a real Netty 4.1.48 JVM started with those flags.
//!
//! Netty reads its system properties once per JVM (Unsafe, `io.netty.maxDirectMemory`,
//! the leak level, the Recycler, `maxCachedBufferCapacity`, `cacheTrimInterval`), so a
//! [`JvmKey`] is everything that must be equal for two programs to share one JVM; the
//! allocator's constructor arguments differ from program to program.

use crate::exec::ExecConfig;
use leakproof_model::jvm::JdkVersion;
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;

/// The heap every oracle JVM gets (`-Xmx`). Heap exhaustion is not compared (the JVM's
/// heap is not a flat budget), so the model's heap budget is set far above it.
pub const ORACLE_XMX: &str = "256m";

/// The oracle JVM's environment. glibc's `MALLOC_PERTURB_=255` fills every `malloc`ed
/// block with `255 ^ 0xff` = 0 (and freed ones with 0xff), so native memory Netty takes
/// uninitialized (`Unsafe.allocateMemory`/`reallocateMemory`: no-Cleaner chunks and
/// unpooled buffers) holds zeros, as the model's does, instead of what earlier programs
/// of the same JVM freed there.
pub const ORACLE_ENV: [(&str, &str); 1] = [("MALLOC_PERTURB_", "255")];

/// The JVM-wide settings of one oracle JVM (its `-D`/`-XX` flags).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JvmKey {
    /// `sun.misc.Unsafe` usable (else `-Dio.netty.noUnsafe=true`).
    pub has_unsafe: bool,
    /// `-Dio.netty.maxDirectMemory`.
    pub netty_max_direct_memory: i64,
    /// `-XX:MaxDirectMemorySize`.
    pub jdk_max_direct_memory: u64,
    /// `-Dio.netty.allocator.maxCachedBufferCapacity`.
    pub max_cached_buffer_capacity: i32,
    /// `-Dio.netty.allocator.cacheTrimInterval`.
    pub cache_trim_interval: i32,
    /// `-Dio.netty.recycler.maxCapacityPerThread` (0, the Recycler off, unless the run
    /// tests object reuse).
    pub recycler_max_capacity: u32,
}

impl JvmKey {
    /// The key of `config` (after [`normalize`]).
    pub fn of(config: &ExecConfig) -> Self {
        JvmKey {
            has_unsafe: config.jvm.has_unsafe,
            netty_max_direct_memory: config.jvm.netty_max_direct_memory,
            jdk_max_direct_memory: config.jvm.jdk_max_direct_memory(),
            max_cached_buffer_capacity: config.allocator.max_cached_buffer_capacity,
            cache_trim_interval: config.allocator.cache_trim_interval,
            recycler_max_capacity: config
                .jvm
                .profile
                .allocator
                .recycler_max_capacity_per_thread,
        }
    }

    /// The `java` flags that give a real JVM these settings (JDK 17 flags included).
    /// `byte[]`s are zeroed as the model's are: on JDK 9+ Netty allocates heap buffer
    /// and heap chunk arrays above 1024 bytes uninitialized
    /// (`PlatformDependent.allocateUninitializedArray`), whose bytes past what a program
    /// wrote are whatever earlier programs of the JVM left there.
    pub fn java_flags(&self) -> Vec<String> {
        let mut f: Vec<String> = [
            "-XX:+UseSerialGC",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.leakDetection.level=disabled",
            "-Dio.netty.uninitializedArrayAllocationThreshold=-1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        f.push(format!(
            "-Dio.netty.recycler.maxCapacityPerThread={}",
            self.recycler_max_capacity
        ));
        f.push(format!("-Xmx{ORACLE_XMX}"));
        f.push(format!(
            "-XX:MaxDirectMemorySize={}",
            self.jdk_max_direct_memory
        ));
        f.push(format!(
            "-Dio.netty.maxDirectMemory={}",
            self.netty_max_direct_memory
        ));
        f.push(format!(
            "-Dio.netty.allocator.maxCachedBufferCapacity={}",
            self.max_cached_buffer_capacity
        ));
        f.push(format!(
            "-Dio.netty.allocator.cacheTrimInterval={}",
            self.cache_trim_interval
        ));
        if !self.has_unsafe {
            f.push("-Dio.netty.noUnsafe=true".into());
        }
        f
    }

    /// True when Netty counts direct memory in this JVM (Unsafe and
    /// `io.netty.maxDirectMemory != 0`): the counter is observed and programs can reach
    /// its limit, so each starts only after a GC/finalization barrier brought it back
    /// to its baseline (what earlier programs' unreachable arenas still hold).
    pub fn needs_barrier(&self) -> bool {
        self.has_unsafe && self.netty_max_direct_memory != 0
    }
}

/// What the differential run holds fixed, whatever the trace says: JDK 17 wording (the
/// oracle runs on JDK 17), the leak detector disabled, the Recycler off (as the oracle's
/// `-Dio.netty.recycler.maxCapacityPerThread=0`), real bytes (reads are compared), and a
/// heap budget no program reaches. Returns what it changed, for a note.
pub fn normalize(config: &mut ExecConfig) -> Vec<String> {
    let mut changed = Vec::new();
    let jvm = &mut config.jvm;
    if jvm.jdk != JdkVersion::Jdk17 {
        jvm.jdk = JdkVersion::Jdk17;
        changed.push("JDK 17 wording".to_string());
    }
    if jvm.leak.level != LeakLevel::Disabled {
        changed.push(format!("leak level {:?} -> Disabled", jvm.leak.level));
        jvm.leak.level = LeakLevel::Disabled;
    }
    let recycler = &mut jvm.profile.allocator.recycler_max_capacity_per_thread;
    if *recycler != 0 {
        changed.push(format!("Recycler capacity {recycler} -> 0"));
        *recycler = 0;
    }
    if jvm.memory_mode != MemoryMode::Materialized {
        changed.push("materialized memory".to_string());
        jvm.memory_mode = MemoryMode::Materialized;
    }
    if jvm.runtime_max_memory < 1 << 36 {
        jvm.runtime_max_memory = 1 << 36;
    }
    if jvm.max_direct_memory_size.is_none() {
        jvm.max_direct_memory_size = Some(1 << 30);
        changed.push("-XX:MaxDirectMemorySize 1 GiB".to_string());
    }
    changed
}
