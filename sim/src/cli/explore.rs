//! `leakproof explore`: browse a proof model in stateright's web explorer, list the
//! models, or check them (a shard of them) from the command line.

use crate::cli::bad_input;
use crate::exit::Exit;
use leakproof_proofs::catalog::{self, Shard};
use std::io::Write;

/// Arguments of `leakproof explore`.
#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// The proof model (a name from `--list`, e.g. `refcount/racy-get-and-add/misuse/3`).
    pub model: Option<String>,
    /// Where the explorer listens.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// List every model and exit.
    #[arg(long)]
    pub list: bool,
    /// Check instead of serving: MODEL, or every model of `--shard` (default: all),
    /// printing states, unique states and states/s per model.
    #[arg(long)]
    pub check: bool,
    /// `i/N`: with `--check`, only the i-th of N round-robin shards of the catalog.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<String>,
}

/// Runs `leakproof explore`.
pub fn run(args: &ExploreArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    if args.list {
        for proof in catalog::all() {
            let _ = writeln!(out, "{}", proof.name());
        }
        return Exit::Done;
    }
    let shard = match args.shard.as_deref().map(Shard::parse).transpose() {
        Ok(shard) => shard.unwrap_or(Shard::ALL),
        Err(e) => return bad_input(err, "--shard", &e),
    };
    if args.check {
        let proofs = match &args.model {
            Some(name) => match catalog::by_name(name) {
                Some(p) => vec![p],
                None => return unknown(err, name),
            },
            None => catalog::shard(shard),
        };
        let mut exit = Exit::Done;
        for proof in proofs {
            let report = proof.check();
            let _ = writeln!(out, "{report}");
            if let Err(why) = report.verdict() {
                let _ = writeln!(out, "FAILED: {why}");
                exit = Exit::Violation;
            }
        }
        return exit;
    }
    let Some(name) = &args.model else {
        return bad_input(err, "MODEL", "name a model to explore (see --list)");
    };
    let Some(proof) = catalog::by_name(name) else {
        return unknown(err, name);
    };
    let _ = writeln!(
        out,
        "serving the explorer for {name} on http://{} (Ctrl-C to stop)",
        args.addr
    );
    let _ = out.flush();
    match proof.serve(&args.addr) {
        Ok(()) => Exit::Done,
        Err(e) => bad_input(err, "--addr", &format!("{}: {e}", args.addr)),
    }
}

fn unknown(err: &mut dyn Write, name: &str) -> Exit {
    bad_input(
        err,
        "MODEL",
        &format!("no proof model named `{name}` (see leakproof explore --list)"),
    )
}

#[cfg(test)]
mod tests {
    use crate::cli::main_with_args;
    use crate::exit::Exit;

    fn run(args: &[&str]) -> (Exit, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut full = vec!["leakproof", "explore"];
        full.extend_from_slice(args);
        let exit = main_with_args(full, &mut out, &mut err);
        (
            exit,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn lists_checks_and_refuses_unknown_models() {
        let (exit, out, _) = run(&["--list"]);
        assert_eq!(exit, Exit::Done);
        assert!(out.contains("refcount/racy-get-and-add/misuse/3"), "{out}");
        assert!(out.contains("pool/chunk/netty-4.1"), "{out}");
        let (exit, out, _) = run(&["--check", "refcount/racy-get-and-add/misuse/3"]);
        assert_eq!(exit, Exit::Done, "a refutation that is found passes");
        assert!(
            out.contains("counterexamples: deallocate_at_most_once"),
            "{out}"
        );
        assert!(out.contains("unique") && out.contains("states/s"), "{out}");
        let (exit, _, err) = run(&["no/such/model"]);
        assert_eq!(exit, Exit::BadInput);
        assert!(
            err.contains("no proof model named `no/such/model`"),
            "{err}"
        );
        let (exit, _, err) = run(&["--check", "--shard", "3/2"]);
        assert_eq!(exit, Exit::BadInput);
        assert!(err.contains("--shard"), "{err}");
        let (exit, _, err) = run(&[]);
        assert_eq!(exit, Exit::BadInput);
        assert!(err.contains("MODEL"), "{err}");
    }

    #[test]
    fn an_unusable_address_is_bad_input() {
        let (exit, _, err) = run(&["refcount/even-odd/misuse/2", "--addr", "not-an-address"]);
        assert_eq!(exit, Exit::BadInput);
        assert!(err.contains("--addr"), "{err}");
    }
}
