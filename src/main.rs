//! The `leakproof` binary: a thin main over `leakproof-sim`'s commands.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if let Some(backend) = checker_backend() {
        // The model's primitives are the checker's, which only run inside its models.
        let _ = writeln!(
            err,
            "leakproof: this binary was built with the `{backend}` feature, whose primitives \
             only run inside {backend} models (cargo test --features {backend} --release); \
             build the CLI without it: cargo run --release"
        );
        return leakproof_sim::exit::Exit::NeedsChecker.into();
    }
    let mut out = BufWriter::new(stdout.lock());
    let exit = leakproof_sim::cli::main_with_args(std::env::args_os(), &mut out, &mut err);
    // A closed stdout (e.g. `| head`) is not an error of the command.
    let _ = out.flush();
    exit.into()
}

/// The checker backend this build's model runs on, if not `std`.
fn checker_backend() -> Option<&'static str> {
    match leakproof_sim::model::sync::BACKEND {
        leakproof_sim::model::sync::Backend::Std => None,
        leakproof_sim::model::sync::Backend::Loom => Some("loom"),
        leakproof_sim::model::sync::Backend::Shuttle => Some("shuttle"),
    }
}
