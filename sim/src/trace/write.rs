//! Writing traces: one file per failure, named from its content.

use super::Trace;
use std::path::{Path, PathBuf};

/// `LEAKPROOF_TRACE_DIR`, else `target/leakproof-traces/`.
pub fn trace_dir() -> PathBuf {
    std::env::var_os("LEAKPROOF_TRACE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/leakproof-traces"))
}

/// 64-bit FNV-1a: a stable, platform-independent content hash (trace names, scenario hashes).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Writes `trace` into `dir` as `<invariant>-<hash>.json` (the hash of its content, so
/// the same failure always lands in the same file) and returns the path.
pub fn write_trace(dir: &Path, trace: &Trace) -> std::io::Result<PathBuf> {
    let json = trace.to_json();
    let name = trace
        .expected
        .as_ref()
        .map_or("trace", |e| e.invariant.as_str());
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{name}-{:016x}.json", fnv1a(json.as_bytes())));
    std::fs::write(&path, json)?;
    Ok(path)
}
