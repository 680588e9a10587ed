//! The copy loop's settings, validated as Netty and the JVM would validate them.
//!
//! What `PooledByteBufAllocator` rejects comes back with Netty's
//! `IllegalArgumentException` text, tagged with the command-line flag that caused it;
//! zero is accepted wherever Netty accepts it (`--copies 0`, `--size 0`, 0 arenas).

use super::kind::BufferKind;
use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::validate_capacities;
use leakproof_model::error::Argument;
use leakproof_model::jvm::{JdkVersion, Jvm, JvmConfig, INCIDENT_RUNTIME_MAX_MEMORY};
use leakproof_model::leak::{LeakConfig, LeakLevel};
use leakproof_model::memory::MemoryMode;
use leakproof_model::pool::PoolGeometry;
use leakproof_model::{JavaException, Profile};
use serde::Serialize;
use std::fmt;

/// The incident's buffer size: 1 MiB.
pub const DEFAULT_SIZE: i64 = 1 << 20;
/// The incident's number of copies.
pub const DEFAULT_COPIES: i64 = 30;

/// A bad setting: the flag that carries it and what is wrong, one line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct BadArgument {
    /// The command-line flag, e.g. `--page-size`.
    pub flag: String,
    /// What is wrong; Netty's exception text where Netty rejects the value.
    pub message: String,
}

impl fmt::Display for BadArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value for {}: {}", self.flag, self.message)
    }
}

impl BadArgument {
    /// A bad value of `flag`.
    pub fn new(flag: &str, message: impl Into<String>) -> Self {
        BadArgument {
            flag: flag.to_string(),
            message: message.into(),
        }
    }

    /// Netty's exception for a value of `flag`, printed as Java prints it.
    pub fn netty(flag: &str, e: &JavaException) -> Self {
        BadArgument::new(flag, e.to_string())
    }
}

/// Everything the copy loop can be asked to do (the command's flags, unvalidated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyLoopConfig {
    /// How the buffer is made.
    pub kind: BufferKind,
    /// The pinned Netty release.
    pub profile: Profile,
    /// `Runtime.maxMemory()` (and so the JDK's and Netty's direct limit), in bytes.
    pub runtime_max_memory: i64,
    /// `pageSize`; `None` = the profile's default.
    pub page_size: Option<i64>,
    /// `maxOrder`; `None` = the profile's default.
    pub max_order: Option<i64>,
    /// `numDirectArenas`; `None` = Netty's formula.
    pub direct_arenas: Option<i64>,
    /// `numHeapArenas`; `None` = Netty's formula.
    pub heap_arenas: Option<i64>,
    /// `Runtime.availableProcessors()`.
    pub cores: i64,
    /// The buffer's capacity and maxCapacity.
    pub size: i64,
    /// How many `copy()`s the loop makes.
    pub copies: i64,
    /// Whether each copy is released after its line is printed.
    pub release: bool,
    /// Seed of the JVM's RNG (leak sampling).
    pub seed: u64,
    /// `io.netty.leakDetection.level`.
    pub leak_level: LeakLevel,
    /// `System.gc()` after every N copies; `None` = never.
    pub gc_every: Option<i64>,
    /// Which JDK's out-of-memory wording.
    pub jdk: JdkVersion,
    /// Virtual (fast) or materialized (real bytes) memory.
    pub memory_mode: MemoryMode,
}

impl CopyLoopConfig {
    /// The incident's experiment for `kind` with Netty's defaults: 1 MiB, 30 copies, no
    /// release, `-Xmx32M` (32440320 bytes), the default profile, 2 cores, seed 0,
    /// SIMPLE leak detection, JDK 8, virtual memory.
    pub fn incident(kind: BufferKind) -> Self {
        CopyLoopConfig {
            kind,
            profile: Profile::default(),
            runtime_max_memory: INCIDENT_RUNTIME_MAX_MEMORY as i64,
            page_size: None,
            max_order: None,
            direct_arenas: None,
            heap_arenas: None,
            cores: 2,
            size: DEFAULT_SIZE,
            copies: DEFAULT_COPIES,
            release: false,
            seed: 0,
            leak_level: LeakLevel::Simple,
            gc_every: None,
            jdk: JdkVersion::Jdk8,
            memory_mode: MemoryMode::Virtual,
        }
    }

    /// Validates every setting and computes Netty's defaults for the missing ones.
    pub fn resolve(&self) -> Result<Resolved, BadArgument> {
        let runtime_max_memory = positive(self.runtime_max_memory, "--runtime-max-memory")?;
        // NettyRuntime.setAvailableProcessors' check (ObjectUtil.checkPositive).
        let cores = java_int(self.cores, "--cores")?;
        if cores <= 0 {
            let e = self
                .profile
                .refcount
                .non_positive_amount("availableProcessors", cores);
            return Err(BadArgument::netty("--cores", &e));
        }
        let size = java_int(self.size, "--size")?;
        validate_capacities(&self.profile.refcount, size as i64, size as i64)
            .map_err(|e| BadArgument::netty("--size", &e))?;
        let copies = java_int(self.copies, "--copies")?;
        if copies < 0 {
            return Err(BadArgument::new(
                "--copies",
                format!("{copies} (expected: >= 0)"),
            ));
        }
        let gc_every = match self.gc_every {
            None => None,
            Some(n) => Some(positive(n, "--gc-every")?),
        };
        let allocator = &self.profile.allocator;
        let page_size = java_int(
            self.page_size.unwrap_or(allocator.default_page_size.into()),
            "--page-size",
        )?;
        let max_order = java_int(
            self.max_order.unwrap_or(allocator.default_max_order.into()),
            "--max-order",
        )?;
        let mut jvm = JvmConfig::for_profile(self.profile.clone());
        jvm.runtime_max_memory = runtime_max_memory as u64;
        jvm.netty_max_direct_memory = self.kind.netty_max_direct_memory();
        jvm.has_unsafe = self.kind.has_unsafe();
        jvm.cores = cores as u32;
        jvm.seed = self.seed;
        jvm.memory_mode = self.memory_mode;
        jvm.jdk = self.jdk;
        jvm.leak = LeakConfig::from_profile(&self.profile.leak).with_level(self.leak_level);
        let mut pooled = PooledConfig::with_geometry(&jvm, page_size, max_order);
        if let Some(n) = self.direct_arenas {
            pooled.direct_arenas = java_int(n, "--direct-arenas")?;
        }
        if let Some(n) = self.heap_arenas {
            pooled.heap_arenas = java_int(n, "--heap-arenas")?;
        }
        let geometry = validate_pooled(&jvm, &pooled)?;
        Ok(Resolved {
            kind: self.kind,
            jvm,
            pooled,
            chunk_size: geometry.chunk_size,
            size: size as usize,
            copies: copies as u64,
            release: self.release,
            gc_every: gc_every.map(|n| n as u64),
        })
    }
}

/// A validated copy loop: the JVM and allocator settings it runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// How the buffer is made.
    pub kind: BufferKind,
    /// The JVM's settings (platform flags implied by the kind included).
    pub jvm: JvmConfig,
    /// The pooled allocator's constructor arguments (used by the pooled kinds).
    pub pooled: PooledConfig,
    /// `pageSize << maxOrder`.
    pub chunk_size: usize,
    /// Buffer capacity.
    pub size: usize,
    /// Number of copies.
    pub copies: u64,
    /// Release each copy.
    pub release: bool,
    /// `System.gc()` period.
    pub gc_every: Option<u64>,
}

/// The settings as the JSON report echoes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigEcho {
    /// The buffer kind.
    pub kind: BufferKind,
    /// Profile name.
    pub profile: String,
    /// The Netty release it pins.
    pub netty_version: String,
    /// `Runtime.maxMemory()`.
    pub runtime_max_memory: u64,
    /// `sun.misc.Unsafe` available.
    pub has_unsafe: bool,
    /// `io.netty.maxDirectMemory`.
    pub netty_max_direct_memory: i64,
    /// `pageSize`.
    pub page_size: i32,
    /// `maxOrder`.
    pub max_order: i32,
    /// `pageSize << maxOrder`.
    pub chunk_size: usize,
    /// `nDirectArena`.
    pub direct_arenas: i32,
    /// `nHeapArena`.
    pub heap_arenas: i32,
    /// `availableProcessors`.
    pub cores: u32,
    /// Buffer capacity.
    pub size: usize,
    /// Number of copies asked for.
    pub copies: u64,
    /// Each copy released.
    pub release: bool,
    /// RNG seed.
    pub seed: u64,
    /// Leak-detection level (`SIMPLE`, …).
    pub leak_level: String,
    /// `System.gc()` period.
    pub gc_every: Option<u64>,
    /// JDK wording (`Jdk8`/`Jdk17`).
    pub jdk: JdkVersion,
    /// Memory mode (`Virtual`/`Materialized`).
    pub memory_mode: MemoryMode,
}

impl Resolved {
    /// The echo of these settings for reports.
    pub fn echo(&self) -> ConfigEcho {
        ConfigEcho {
            kind: self.kind,
            profile: self.jvm.profile.name.clone(),
            netty_version: self.jvm.profile.netty_version.clone(),
            runtime_max_memory: self.jvm.runtime_max_memory,
            has_unsafe: self.jvm.has_unsafe,
            netty_max_direct_memory: self.jvm.netty_max_direct_memory,
            page_size: self.pooled.page_size,
            max_order: self.pooled.max_order,
            chunk_size: self.chunk_size,
            direct_arenas: self.pooled.direct_arenas,
            heap_arenas: self.pooled.heap_arenas,
            cores: self.jvm.cores,
            size: self.size,
            copies: self.copies,
            release: self.release,
            seed: self.jvm.seed,
            leak_level: self.jvm.leak.level.name().to_string(),
            gc_every: self.gc_every,
            jdk: self.jvm.jdk,
            memory_mode: self.jvm.memory_mode,
        }
    }
}

/// `PooledByteBufAllocator`'s constructor checks, run by the model's own constructor in
/// a scratch JVM (so the texts cannot drift), each failure tagged with the flag whose
/// value Netty rejected.
pub fn validate_pooled(
    jvm: &JvmConfig,
    pooled: &PooledConfig,
) -> Result<PoolGeometry, BadArgument> {
    pooled_geometry(jvm, pooled).map_err(|e| BadArgument::netty(geometry_flag(&e), &e))
}

/// `PooledByteBufAllocator`'s constructor in a scratch JVM: the geometry, or Netty's
/// exception (whose [`JavaException::argument`] names the rejected setting).
pub fn pooled_geometry(
    jvm: &JvmConfig,
    pooled: &PooledConfig,
) -> Result<PoolGeometry, JavaException> {
    let scratch = Jvm::new(jvm.clone());
    let allocator = PooledAllocator::new(&scratch, pooled.clone())?;
    let geometry = *allocator.geometry();
    scratch.dispose();
    Ok(geometry)
}

/// The flag behind a `PooledByteBufAllocator` constructor exception (an alignment is
/// reported on the page size it is checked against: no flag sets the alignment).
pub fn geometry_flag(e: &JavaException) -> &'static str {
    match e.argument() {
        Some(Argument::HeapArenas) => "--heap-arenas",
        Some(Argument::DirectArenas) => "--direct-arenas",
        Some(Argument::MaxOrder) => "--max-order",
        Some(Argument::PageSizeAndMaxOrder) => "--page-size/--max-order",
        Some(Argument::PageSize | Argument::Alignment) | None => "--page-size",
    }
}

/// `value` as a Java `int`, or a bad-argument naming `flag`.
pub fn java_int(value: i64, flag: &str) -> Result<i32, BadArgument> {
    i32::try_from(value).map_err(|_| {
        BadArgument::new(
            flag,
            format!(
                "{value} does not fit a Java int ({}..={})",
                i32::MIN,
                i32::MAX
            ),
        )
    })
}

fn positive(value: i64, flag: &str) -> Result<i64, BadArgument> {
    if value <= 0 {
        return Err(BadArgument::new(flag, format!("{value} (expected: > 0)")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_defaults_resolve_to_one_arena_of_4mib_chunks() {
        let r = CopyLoopConfig::incident(BufferKind::PooledUnsafeDirect)
            .resolve()
            .unwrap();
        assert_eq!(r.chunk_size, 4 << 20);
        assert_eq!((r.pooled.direct_arenas, r.pooled.heap_arenas), (1, 1));
        let mut c = CopyLoopConfig::incident(BufferKind::PooledUnsafeDirect);
        c.max_order = Some(11);
        let r = c.resolve().unwrap();
        assert_eq!(r.chunk_size, 16 << 20);
        assert_eq!((r.pooled.direct_arenas, r.pooled.heap_arenas), (0, 0));
    }

    #[test]
    fn netty_rejections_name_the_flag() {
        let mut c = CopyLoopConfig::incident(BufferKind::PooledHeap);
        c.page_size = Some(1000);
        let e = c.resolve().unwrap_err();
        assert_eq!(e.flag, "--page-size");
        assert_eq!(
            e.message,
            "java.lang.IllegalArgumentException: pageSize: 1000 (expected: 4096)"
        );
        let mut c = CopyLoopConfig::incident(BufferKind::PooledHeap);
        c.direct_arenas = Some(-1);
        let e = c.resolve().unwrap_err();
        assert_eq!(e.flag, "--direct-arenas");
        let mut c = CopyLoopConfig::incident(BufferKind::PooledHeap);
        c.max_order = Some(15);
        assert_eq!(c.resolve().unwrap_err().flag, "--max-order");
        let mut c = CopyLoopConfig::incident(BufferKind::PooledHeap);
        c.size = -1;
        let e = c.resolve().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value for --size: java.lang.IllegalArgumentException: initialCapacity : -1 (expected: >= 0)"
        );
    }

    #[test]
    fn zero_is_legal_where_netty_accepts_it() {
        let mut c = CopyLoopConfig::incident(BufferKind::PooledUnsafeDirect);
        c.copies = 0;
        c.size = 0;
        c.direct_arenas = Some(0);
        c.heap_arenas = Some(0);
        assert!(c.resolve().is_ok());
        c.cores = 0;
        assert_eq!(c.resolve().unwrap_err().flag, "--cores");
    }
}
