//! Splitting long checker runs across CI jobs: `i/N` shards, from `--shard` or the
//! `LEAKPROOF_SHARD` environment variable (docs/scale-out.md).
//!
//! One definition for every checker: the proofs split their catalog with it, the
//! shuttle suites their program seeds (`tests/shuttle_support`), and the fuzz campaign
//! script (`.ci/fuzz-shard`) takes the same `i/N` form.

pub use leakproof_proofs::catalog::Shard;

/// The environment variable that names this job's shard.
pub const SHARD_ENV: &str = "LEAKPROOF_SHARD";

/// The shard `LEAKPROOF_SHARD` names, [`Shard::ALL`] when it is unset, or an error
/// naming the variable and the bad value.
pub fn from_env() -> Result<Shard, String> {
    match std::env::var(SHARD_ENV) {
        Ok(text) => Shard::parse(&text).map_err(|e| format!("{SHARD_ENV}: {e}")),
        Err(std::env::VarError::NotPresent) => Ok(Shard::ALL),
        Err(e) => Err(format!("{SHARD_ENV}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_items_round_robin() {
        let shards: Vec<Shard> = (1..=3)
            .map(|i| Shard::parse(&format!("{i}/3")).unwrap())
            .collect();
        for item in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.owns(item)).count(), 1);
        }
        assert!(shards[0].owns(0) && shards[1].owns(1) && shards[2].owns(5));
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", ""] {
            assert!(Shard::parse(bad).unwrap_err().contains("i/N"), "{bad}");
        }
        assert_eq!(Shard::ALL, Shard::parse("1/1").unwrap());
    }
}
