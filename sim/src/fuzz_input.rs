//! How fuzz input bytes become a configuration and a program (shared by the fuzz
//! target and `replay --from-fuzz`): 4 bytes of allocator configuration, then the
//! program through `arbitrary`.

use crate::exec::ExecConfig;
use arbitrary::Unstructured;
use leakproof_model::op::Program;
use leakproof_model::{Mutant, Profile};

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
    if data.len() < 4 {
        return None;
    }
    let config = ExecConfig::from_bytes(
        Profile::netty_4_1(),
        mutant,
        [data[0], data[1], data[2], data[3]],
    );
    let mut u = Unstructured::new(&data[4..]);
    let program: Program = u.arbitrary().ok()?;
    Some((config, program))
}
