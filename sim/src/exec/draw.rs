//! Every configuration knob Netty has, drawn from bytes: the one generator of
//! configurations that the fuzz target (its input's header) and the quickcheck
//! properties (random header bytes) share. Kept cheap: chunks above 1 MiB use virtual
//! memory, and sizes stay those of the op language.

use super::ExecConfig;
use crate::shadow::refused_threshold;
use arbitrary::{Result, Unstructured};
use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::jvm::JdkVersion;
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use leakproof_model::profile::{CrossThreadRecycle, RecyclerProfile, SizeClassScheme};
use leakproof_model::{Mutant, Profile};

/// Bytes of fuzz input that hold the configuration (the rest is the program).
pub const CONFIG_BYTES: usize = 48;

/// Chunks larger than this hold no real bytes (virtual memory keeps large max orders
/// cheap; the bytes checks then have nothing to compare).
pub const MATERIALIZED_CHUNK_LIMIT: usize = 1 << 20;

fn pick<T: Copy>(u: &mut Unstructured<'_>, choices: &[T]) -> Result<T> {
    Ok(*u.choose(choices)?)
}

/// True one time in `n` (false when the input is exhausted).
fn one_in(u: &mut Unstructured<'_>, n: u8) -> Result<bool> {
    Ok(u.int_in_range(0..=n - 1)? == n - 1)
}

/// The profiles [`ExecConfig::draw`] picks from: every one of
/// [`PROFILE_NAMES`](leakproof_model::profile::PROFILE_NAMES). The header's first byte
/// picks it, so adding a profile changes what older fuzz inputs decode to (the seed
/// corpus must still run clean; committed traces carry their configuration).
pub const DRAWN_PROFILES: &[&str] = leakproof_model::profile::PROFILE_NAMES;

/// The Recycler's system properties: `io.netty.recycler.ratio` (a power of two in
/// 4.1.48, `safeFindNextPositivePowerOfTwo`, Recycler.java:88) and, for 4.1.48's
/// `WeakOrderQueue`s, `linkCapacity` (at least 16, :83), `maxSharedCapacityFactor` (at
/// least 2, :73) and `maxDelayedQueuesPerThread` (0 included, :77).
fn draw_recycler(u: &mut Unstructured<'_>, r: &mut RecyclerProfile) -> Result<()> {
    r.ratio = pick(u, &[8, 1, 2])?;
    if let CrossThreadRecycle::WeakOrderQueue {
        link_capacity,
        max_shared_capacity_factor,
        max_delayed_queues_per_core,
    } = &mut r.cross_thread
    {
        *link_capacity = pick(u, &[16, 32])?;
        *max_shared_capacity_factor = pick(u, &[2, 4])?;
        *max_delayed_queues_per_core = pick(u, &[2, 0, 1])?;
    }
    Ok(())
}

/// True when a cached thread's `PoolThreadCache` gets a queue array: an arena to bind
/// and a positive tiny (4.1.48) or small cache size, or positive `normalCacheSize` and
/// `maxCachedBufferCapacity` (`createSubPageCaches`, `createNormalCaches`,
/// PoolThreadCache.java:122–152 of 4.1.48, :106–137 of 4.1.128).
impl ExecConfig {
    /// A configuration drawn from `u` (exhausted input gives the first choice of each
    /// knob: the profile's first name, 4 KiB pages, order 3, no alignment …). Every
    /// knob Netty has that the model models (`docs/invariants.md`, "Every knob"):
    ///
    /// - the profile (every one of [`DRAWN_PROFILES`]);
    /// - `pageSize` 4–64 KiB, `maxOrder` 3–5 usually, up to 14 (the largest chunks are
    ///   virtual) and 0–2 on 4.1.48, `directMemoryCacheAlignment` 0, 1–8 and 16–8 KiB (above
    ///   the page it raises the page size, as Netty does);
    /// - heap and direct arenas 0–2 (0: that kind is unpooled), `tinyCacheSize` (where
    ///   the profile has tiny classes), `smallCacheSize`, `normalCacheSize`,
    ///   `maxCachedBufferCapacity`, `cacheTrimInterval` (0 included),
    ///   `useCacheForAllThreads`, `preferDirect`;
    /// - the leak level, sampling interval, target records, `acquireAndReleaseOnly` and
    ///   whether ERROR logging is on (not `io.netty.buffer.checkAccessible=false`:
    ///   a use after release then touches freed memory, which nothing predicts);
    /// - the Recycler's capacity (0 disables reuse), ratio and 4.1.48's cross-thread
    ///   queue knobs;
    /// - `io.netty.maxDirectMemory` (−1, 0 = Cleaner buffers, or a limit of a few
    ///   chunks that allocations reach; the heap and the JDK limit stay far), Unsafe,
    ///   the JDK, the cores, the seed and the full-check interval.
    pub fn draw(mutant: Mutant, u: &mut Unstructured<'_>) -> Result<Self> {
        let name = pick(u, DRAWN_PROFILES)?;
        let profile = Profile::by_name(name).expect("PROFILE_NAMES are known");
        let mut c = Self::small(profile, mutant, 0);
        let page = pick(u, &[4096, 8192, 16384, 65536, 32768])?;
        let order = if one_in(u, 8)? {
            u.int_in_range(6..=14)?
        } else if one_in(u, 8)? {
            // Chunks of 1–4 pages on 4.1.48 only, whose subpages take one page. On
            // 4.1.128 a small class's run (the page and element sizes' lcm, up to 7
            // pages) can exceed such a chunk, and Netty fails `assert success` in
            // `allocateNormal` (PoolArena.java:215), an outcome no rule predicts.
            let low = u.int_in_range(0..=2)?;
            if c.jvm.profile.allocator.size_classes == SizeClassScheme::Legacy {
                low
            } else {
                3
            }
        } else {
            u.int_in_range(3..=5)?
        };
        // Every power of two Netty accepts, below the 16-byte quantum too (on 4.1.48
        // #11955: the executor accepts exactly what the shadow predicts).
        let alignment = if one_in(u, 2)? {
            pick(u, &[16, 64, 1024, 4096, 8192, 8, 1, 2, 4])?
        } else {
            0
        };
        let jvm = &mut c.jvm;
        jvm.leak.level = pick(
            u,
            &[
                LeakLevel::Simple,
                LeakLevel::Paranoid,
                LeakLevel::Advanced,
                LeakLevel::Disabled,
            ],
        )?;
        jvm.leak.sampling_interval = pick(u, &[128, 1, 2])?;
        jvm.leak.target_records = pick(u, &[4, 0, 1])?;
        jvm.leak.acquire_and_release_only = one_in(u, 4)?;
        jvm.leak.error_logging = !one_in(u, 8)?;
        jvm.has_unsafe = !one_in(u, 8)?;
        jvm.jdk = pick(u, &[JdkVersion::Jdk8, JdkVersion::Jdk17])?;
        jvm.cores = pick(u, &[2, 1, 8])?;
        jvm.profile.allocator.recycler_max_capacity_per_thread = pick(u, &[4096, 0, 2])?;
        draw_recycler(u, &mut jvm.profile.recycler)?;
        jvm.seed = u64::from(u.arbitrary::<u8>()?);
        let chunk = (page as usize) << order;
        if chunk > MATERIALIZED_CHUNK_LIMIT {
            jvm.memory_mode = MemoryMode::Virtual;
        }
        // The heap and the JDK's direct limit stay out of reach (64 GiB; chunks up to
        // 1 GiB are virtual): the JDK 8 message names no numbers for the executor to
        // check an OutOfMemoryError against. Netty's own limit is drawn below.
        jvm.runtime_max_memory = 1 << 36;
        jvm.max_direct_memory_size = Some(1 << 36);
        let mut a = PooledConfig::with_geometry(jvm, page, order);
        // Netty refuses an alignment without Unsafe (`directMemoryCacheAlignment is not
        // supported`); the generator draws legal configurations.
        a.direct_alignment = if jvm.has_unsafe { alignment } else { 0 };
        a.heap_arenas = u.int_in_range(0..=2)?;
        a.direct_arenas = u.int_in_range(0..=2)?;
        if a.tiny_cache_size > 0 {
            // The profile has tiny classes (4.1.48): their queues' size too.
            a.tiny_cache_size = pick(u, &[4, 0, 1, 2, 512])?;
        }
        a.small_cache_size = pick(u, &[4, 0, 1, 2, 256])?;
        a.normal_cache_size = pick(u, &[2, 0, 1, 64])?;
        a.max_cached_buffer_capacity = pick(u, &[32 * 1024, 0, 8192, 64 * 1024])?;
        a.cache_trim_interval = pick(u, &[64, 0, 1, 8, 8192, -1])?;
        let scheme = jvm.profile.allocator.size_classes;
        if refused_threshold(scheme, &a).is_some() && !one_in(u, 4)? {
            // Netty's thread cache refuses a threshold below 1 where it gets a queue
            // (`freeSweepAllocationThreshold: 0 (expected: > 0)` on every allocation
            // of a cached thread): one time in four, so that most programs allocate.
            a.cache_trim_interval = 8192;
        }
        a.use_cache_for_all_threads = u.arbitrary()?;
        a.prefer_direct = u.arbitrary()?;
        // io.netty.maxDirectMemory: the counter with the JVM's limit, Cleaner buffers
        // without a counter, or a limit of a few chunks (plus alignment) that a program
        // can exhaust.
        jvm.netty_max_direct_memory = match u.int_in_range(0..=3u8)? {
            0 | 1 => -1,
            2 => 0,
            _ => ((chunk + alignment as usize) * u.int_in_range(1..=3usize)?) as i64,
        };
        c.allocator = a;
        // Full checks after every op one time in eight (they cost ~3× the run).
        c.check_every = if one_in(u, 8)? {
            1
        } else {
            pick(u, &[16, 64])?
        };
        Ok(c)
    }

    /// [`ExecConfig::draw`] over exactly `bytes` (fuzz header, quickcheck bytes), then
    /// the program's shape from the bytes `draw` left: a second pooled allocator one
    /// time in four. The differential generator calls `draw` alone (its oracle runs one
    /// allocator), so its programs decode as before.
    pub fn from_bytes(mutant: Mutant, bytes: &[u8]) -> Self {
        let mut u = Unstructured::new(bytes);
        let mut c = Self::draw(mutant, &mut u).expect("drawing from bytes never fails");
        c.second_allocator = one_in(&mut u, 4).expect("drawing from bytes never fails");
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    /// A threshold below 1 is drawn where Netty refuses it (a cached thread's cache
    /// gets a queue) and where it accepts it (no queue).
    #[test]
    fn trim_intervals_below_one_are_drawn_refused_and_accepted() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..4000 {
            let mut bytes = [0u8; CONFIG_BYTES];
            rng.fill_bytes(&mut bytes);
            let c = ExecConfig::from_bytes(Mutant::None, &bytes);
            let scheme = c.jvm.profile.allocator.size_classes;
            if c.allocator.cache_trim_interval < 1 {
                match refused_threshold(scheme, &c.allocator) {
                    Some(_) => refused += 1,
                    None => accepted += 1,
                }
            }
        }
        assert!(
            accepted > 0 && refused > 0,
            "{accepted} accepted, {refused} refused"
        );
    }
}
