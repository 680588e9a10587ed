//! cargo-mutants' test command (`.cargo/mutants.toml`, issue 10) runs every integration
//! test of the model: a test file added to `model/tests/` but not to the command would
//! catch nothing during mutation testing, silently.

use std::path::Path;

#[test]
fn every_model_integration_test_is_in_the_mutants_test_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(root.join(".cargo/mutants.toml")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("model/tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if !config.contains(&format!("\"--test\", \"{name}\"")) {
                missing.push(name);
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "model tests missing from .cargo/mutants.toml's additional_cargo_args: {missing:?}"
    );
}
