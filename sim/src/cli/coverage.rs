//! `leakproof coverage [--root DIR] [--only SOURCE] [--json] [--check]`: runs each
//! executor-driven checker's fixed inputs and prints which model events each reached.

use super::bad_input;
use crate::coverage::{self, check_claims, Measured, Source};
use crate::exit::Exit;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Flags of `coverage`.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct CoverageArgs {
    /// The repository (the committed fuzz corpus and regression traces are read there).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Measure only this checker (`fuzz-corpus`, `quickcheck`, `regressions`,
    /// `control-executor`, `control-quickcheck`, `control-fuzz`).
    #[arg(long, value_name = "SOURCE")]
    pub only: Option<String>,
    /// Print JSON (one object per checker) instead of the Markdown table.
    #[arg(long)]
    pub json: bool,
    /// Exit 3 when a checker misses an event it claims (docs/coverage.md).
    #[arg(long)]
    pub check: bool,
}

fn sources(only: Option<&str>) -> Result<Vec<Source>, String> {
    let Some(name) = only else {
        return Ok(Source::ALL.to_vec());
    };
    match Source::ALL.into_iter().find(|s| s.name() == name) {
        Some(s) => Ok(vec![s]),
        None => {
            let known: Vec<&str> = Source::ALL.iter().map(|s| s.name()).collect();
            Err(format!(
                "unknown checker `{name}` (known: {})",
                known.join(", ")
            ))
        }
    }
}

/// Runs `coverage`.
pub fn run(args: &CoverageArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let sources = match sources(args.only.as_deref()) {
        Ok(s) => s,
        Err(message) => return bad_input(err, "--only", &message),
    };
    let mut measured: Vec<Measured> = Vec::new();
    for source in sources {
        match coverage::measure(source, &args.root) {
            Ok(m) => measured.push(m),
            Err(e) => return bad_input(err, "--root", &e.to_string()),
        }
    }
    let text = if args.json {
        serde_json::to_string_pretty(&measured).expect("coverage serializes") + "\n"
    } else {
        coverage::render_table(&measured)
    };
    if out.write_all(text.as_bytes()).is_err() {
        return Exit::BadInput;
    }
    let unmet = check_claims(&measured);
    if args.check && !unmet.is_empty() {
        for u in &unmet {
            let _ = writeln!(err, "{u}");
        }
        return Exit::Violation;
    }
    Exit::Done
}
