//! The serialized form of [`JvmConfig`]. Its `leak` block also names the mutant (every
//! trace has carried it there): written from the one `mutant` field, checked against it
//! when read, and derived from it when absent.

use super::config::{JdkVersion, JvmConfig};
use crate::leak::LeakConfig;
use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// [`JvmConfig`] as written.
#[derive(Serialize, Deserialize)]
pub(super) struct JvmConfigWire {
    profile: Profile,
    mutant: Mutant,
    runtime_max_memory: u64,
    max_direct_memory_size: Option<u64>,
    netty_max_direct_memory: i64,
    has_unsafe: bool,
    cores: u32,
    seed: u64,
    memory_mode: MemoryMode,
    jdk: JdkVersion,
    leak: LeakWire,
}

/// [`LeakConfig`] followed by the JVM's mutant.
#[derive(Serialize, Deserialize)]
struct LeakWire {
    #[serde(flatten)]
    config: LeakConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mutant: Option<Mutant>,
}

impl From<JvmConfig> for JvmConfigWire {
    fn from(c: JvmConfig) -> Self {
        JvmConfigWire {
            leak: LeakWire {
                config: c.leak,
                mutant: Some(c.mutant),
            },
            profile: c.profile,
            mutant: c.mutant,
            runtime_max_memory: c.runtime_max_memory,
            max_direct_memory_size: c.max_direct_memory_size,
            netty_max_direct_memory: c.netty_max_direct_memory,
            has_unsafe: c.has_unsafe,
            cores: c.cores,
            seed: c.seed,
            memory_mode: c.memory_mode,
            jdk: c.jdk,
        }
    }
}

impl TryFrom<JvmConfigWire> for JvmConfig {
    type Error = String;

    fn try_from(w: JvmConfigWire) -> Result<Self, String> {
        if let Some(leak_mutant) = w.leak.mutant.filter(|m| *m != w.mutant) {
            return Err(format!(
                "`leak.mutant` is `{leak_mutant}` but `mutant` is `{}` (the detector's mutant is the JVM's)",
                w.mutant
            ));
        }
        Ok(JvmConfig {
            profile: w.profile,
            mutant: w.mutant,
            runtime_max_memory: w.runtime_max_memory,
            max_direct_memory_size: w.max_direct_memory_size,
            netty_max_direct_memory: w.netty_max_direct_memory,
            has_unsafe: w.has_unsafe,
            cores: w.cores,
            seed: w.seed,
            memory_mode: w.memory_mode,
            jdk: w.jdk,
            leak: w.leak.config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leak_block_names_the_one_mutant_and_must_agree_with_it() {
        let config = JvmConfig {
            mutant: Mutant::CollectBeforeClose,
            ..JvmConfig::default()
        };
        let mut json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["leak"]["mutant"], json["mutant"]);
        assert_eq!(
            serde_json::from_value::<JvmConfig>(json.clone()).unwrap(),
            config
        );
        json["leak"]["mutant"] = serde_json::json!("none");
        let err = serde_json::from_value::<JvmConfig>(json.clone()).unwrap_err();
        assert!(
            err.to_string()
                .contains("`leak.mutant` is `none` but `mutant` is `collect-before-close`"),
            "{err}"
        );
        json["leak"].as_object_mut().unwrap().remove("mutant");
        assert_eq!(serde_json::from_value::<JvmConfig>(json).unwrap(), config);
    }
}
