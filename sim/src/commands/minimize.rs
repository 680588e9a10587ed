//! `leakproof minimize <TRACE> [--out PATH] [--invariant NAME]`.

use crate::exit::Exit;
use crate::minimize::minimize;
use crate::trace;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `minimize`.
#[derive(Clone, Debug, clap::Args)]
pub struct MinimizeArgs {
    /// The failing trace.
    pub trace: PathBuf,
    /// Where to write the minimized trace (default: print it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep this invariant's violation (default: the one the trace records).
    #[arg(long, value_name = "NAME")]
    pub invariant: Option<String>,
}

/// Runs `minimize`: 3 with the minimized trace written, 0 when the trace does not
/// fail (nothing to minimize), 2 on bad input.
pub fn run(args: &MinimizeArgs, out: &mut dyn Write) -> Exit {
    let text = match std::fs::read_to_string(&args.trace) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out, "error: cannot read {}: {e}", args.trace.display());
            return Exit::BadInput;
        }
    };
    let t = match trace::parse(&text) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out, "error: {}: {e}", args.trace.display());
            return Exit::BadInput;
        }
    };
    let min = match &t.attachments.workload {
        Some(w) => match crate::workload::minimize::minimize(&t, w) {
            Ok(m) => m,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                return Exit::BadInput;
            }
        },
        None => minimize(&t, args.invariant.as_deref()),
    };
    let Some(min) = min else {
        let _ = writeln!(
            out,
            "the trace does not violate the invariant: nothing to minimize"
        );
        return Exit::Done;
    };
    let json = min.to_json();
    match &args.out {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &json) {
                let _ = writeln!(out, "error: cannot write {}: {e}", p.display());
                return Exit::BadInput;
            }
            let _ = writeln!(
                out,
                "minimized {} → {} ops: {}",
                t.ops.len(),
                min.ops.len(),
                p.display()
            );
        }
        None => {
            let _ = out.write_all(json.as_bytes());
        }
    }
    if min.expected.is_none() {
        // A workload failure whose explicit op list the executor's checks do not flag.
        let _ = writeln!(
            out,
            "note: the explicit op list does not fail under the op executor's checks; \
             replay the original workload trace to see the failure"
        );
        return Exit::Done;
    }
    Exit::Violation
}
