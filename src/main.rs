//! The `leakproof` binary: a thin main over `leakproof-sim`'s commands.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let exit = leakproof_sim::cli::main_with_args(std::env::args_os(), &mut out, &mut err);
    // A closed stdout (e.g. `| head`) is not an error of the command.
    let _ = out.flush();
    exit.into()
}
