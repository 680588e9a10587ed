//! `leakproof replay <TRACE>` / `leakproof replay --from-fuzz <ARTIFACT>`.

use crate::exit::Exit;
use crate::trace::{self, ExpectedFailure, Trace};
use crate::{exec, fuzz_input, replay};
use leakproof_model::Mutant;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `replay`.
#[derive(Clone, Debug, clap::Args)]
pub struct ReplayArgs {
    /// The trace to replay (JSON).
    #[arg(required_unless_present = "from_fuzz", conflicts_with = "from_fuzz")]
    pub trace: Option<PathBuf>,
    /// Convert a cargo-fuzz artifact (raw bytes → program → trace), write the trace to
    /// `LEAKPROOF_TRACE_DIR` and replay it.
    #[arg(long, value_name = "ARTIFACT")]
    pub from_fuzz: Option<PathBuf>,
    /// With `--from-fuzz`: the mutant the fuzz run used (default `LEAKPROOF_MUTANT`).
    #[arg(long, value_name = "NAME")]
    pub mutant: Option<String>,
}

/// Runs `replay`.
pub fn run(args: &ReplayArgs, out: &mut dyn Write) -> Exit {
    if let Some(artifact) = &args.from_fuzz {
        return from_fuzz(args, artifact, out);
    }
    let Some(path) = &args.trace else {
        let _ = writeln!(out, "error: replay needs a trace or --from-fuzz");
        return Exit::BadInput;
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out, "error: cannot read {}: {e}", path.display());
            return Exit::BadInput;
        }
    };
    match trace::parse(&text) {
        Ok(t) => match replay::needs_checker(&t, &path.display().to_string()) {
            Some(why) => {
                let _ = writeln!(out, "{why}");
                Exit::NeedsChecker
            }
            None => replay::replay_trace(&t, out),
        },
        Err(e) => {
            let _ = writeln!(out, "error: {}: {e}", path.display());
            Exit::BadInput
        }
    }
}

fn from_fuzz(args: &ReplayArgs, artifact: &PathBuf, out: &mut dyn Write) -> Exit {
    let mutant = match &args.mutant {
        Some(name) => match Mutant::by_name(name) {
            Some(m) => m,
            None => {
                let _ = writeln!(out, "error: unknown mutant `{name}`");
                return Exit::BadInput;
            }
        },
        None => match fuzz_input::mutant_from_env() {
            Ok(m) => m,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                return Exit::BadInput;
            }
        },
    };
    let data = match std::fs::read(artifact) {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(out, "error: cannot read {}: {e}", artifact.display());
            return Exit::BadInput;
        }
    };
    let Some((config, program)) = fuzz_input::decode(&data, mutant) else {
        let _ = writeln!(
            out,
            "error: {} is too short to be an alloc_sequence input",
            artifact.display()
        );
        return Exit::BadInput;
    };
    let report = exec::run(&program, &config, &mut exec::Quiet);
    let expected = report.violation().map(|v| ExpectedFailure {
        invariant: v.name().to_string(),
        message: v.message.clone(),
    });
    let t = Trace::new(&config, &report.resolved, expected);
    match trace::write_trace(&trace::trace_dir(), &t) {
        Ok(p) => {
            let _ = writeln!(out, "wrote {}", p.display());
        }
        Err(e) => {
            let _ = writeln!(out, "error: cannot write the trace: {e}");
            return Exit::BadInput;
        }
    }
    replay::replay_trace(&t, out)
}
