//! How fuzz input bytes become a configuration and a program (shared by the fuzz
//! target and `replay --from-fuzz`): [`CONFIG_BYTES`] bytes of configuration (every
//! knob and the second allocator, `ExecConfig::from_bytes`), then the program through
//! `arbitrary`.

use crate::exec::{ExecConfig, CONFIG_BYTES};
use arbitrary::Unstructured;
use leakproof_model::op::Program;
use leakproof_model::Mutant;

/// The mutant named by `LEAKPROOF_MUTANT` (kebab-case), `none` when unset; an unknown
/// name is an error naming the known ones.
pub fn mutant_from_env() -> Result<Mutant, String> {
    match std::env::var("LEAKPROOF_MUTANT") {
        Err(_) => Ok(Mutant::None),
        Ok(name) => Mutant::by_name(&name).ok_or_else(|| {
            let known: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
            format!(
                "LEAKPROOF_MUTANT={name} is not a mutant (known: {})",
                known.join(", ")
            )
        }),
    }
}

/// Decodes fuzz input: `None` when it is too short to hold a configuration.
pub fn decode(data: &[u8], mutant: Mutant) -> Option<(ExecConfig, Program)> {
    if data.len() < CONFIG_BYTES {
        return None;
    }
    let config = ExecConfig::from_bytes(mutant, &data[..CONFIG_BYTES]);
    let mut u = Unstructured::new(&data[CONFIG_BYTES..]);
    let program: Program = u.arbitrary().ok()?;
    Some((config, program))
}
