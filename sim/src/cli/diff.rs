//! `leakproof diff TRACE` / `leakproof diff --random N --seed S`: the model against the
//! real Netty 4.1.48 (docs/differential.md).

use crate::diff::{self, random, setup, Case, CaseResult, Oracle};
use crate::exit::Exit;
use crate::trace::{self, fnv1a, Trace};
use leakproof_model::op::{Addressing, Program};
use leakproof_model::Profile;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The oracle's Java sources in this checkout.
pub const ORACLE_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../oracle/src");

/// Arguments of `diff`.
#[derive(Clone, Debug, clap::Args)]
pub struct DiffArgs {
    /// A trace to run on the model and on the real Netty.
    #[arg(required_unless_present = "random", conflicts_with = "random")]
    pub trace: Option<PathBuf>,
    /// Generate and compare this many random single-threaded programs instead.
    #[arg(long, value_name = "N")]
    pub random: Option<u64>,
    /// The random run's seed (same seed, same programs, same output).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The model's profile (the oracle is always Netty 4.1.48).
    #[arg(long, default_value = "netty-4.1.48")]
    pub profile: String,
    /// Programs per JVM at most.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Where disagreeing programs are written as traces (default
    /// `LEAKPROOF_TRACE_DIR`/`target/leakproof-traces`, subdirectory `diff`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also print both sides' full observations of every disagreeing program.
    #[arg(long)]
    pub show: bool,
    /// Object reuse (issue 14 item 5): the random programs (or the trace) run with the
    /// Recycler on, at the profile's `maxCapacityPerThread`, on both sides.
    #[arg(long)]
    pub recycler: bool,
    /// The oracle's Java sources.
    #[arg(long, value_name = "DIR", default_value = ORACLE_SRC)]
    pub oracle_src: PathBuf,
}

/// Runs `diff`.
pub fn run(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let profile = match Profile::by_name(&args.profile) {
        Ok(p) => p,
        Err(e) => return super::bad_input(err, "--profile", &e.to_string()),
    };
    if args.batch == 0 {
        return super::bad_input(err, "--batch", "must be at least 1");
    }
    if args.recycler {
        // Which object a stale handle reaches after reuse is the Recycler's order,
        // which the releases define differently: reuse is compared on the oracle's.
        let fields: Vec<String> = diff::expected::between(&profile, &Profile::netty_4_1_48())
            .into_iter()
            .filter(|k| k.field.starts_with("recycler."))
            .map(|k| k.field)
            .collect();
        if !fields.is_empty() {
            let why = format!(
                "the {} profile's Recycler differs from the oracle's 4.1.48 one ({}), so \
                 stale handles reach other objects; compare object reuse on netty-4.1.48",
                profile.name,
                fields.join(", ")
            );
            return super::bad_input(err, "--recycler", &why);
        }
    }
    let cases = match (&args.trace, args.random) {
        (Some(path), _) => match trace_case(path, &profile, args.recycler, out) {
            Ok(c) => vec![c],
            Err(e) => {
                let _ = writeln!(err, "error: {}: {e}", path.display());
                return Exit::BadInput;
            }
        },
        (None, Some(n)) => (0..n)
            .map(|i| {
                let mut c = random::case(&profile, args.seed, i);
                if args.recycler {
                    random::with_recycler(&mut c, &profile);
                }
                c
            })
            .collect(),
        (None, None) => return super::bad_input(err, "TRACE", "give a trace or --random N"),
    };
    let oracle = match Oracle::prepare(&args.oracle_src) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::BadInput;
        }
    };
    let started = Instant::now();
    let results = match diff::run_cases(&oracle, &cases, args.batch) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::BadInput;
        }
    };
    let secs = started.elapsed().as_secs_f64();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| trace::trace_dir().join("diff"));
    report(&cases, &results, &dir, args, out, err, secs)
}

fn trace_case(
    path: &Path,
    profile: &Profile,
    recycler: bool,
    out: &mut dyn Write,
) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let t = trace::parse(&text).map_err(|e| e.to_string())?;
    let mut config = t.config.clone();
    if config.jvm.profile.name != profile.name {
        let _ = writeln!(
            out,
            "note: the trace's profile {} replaced by {}",
            config.jvm.profile.name, profile.name
        );
    }
    // The named profile as this build defines it (a trace stores the fields it was
    // written with; the oracle is what they are compared against).
    config.jvm.profile = profile.clone();
    let mut notes = setup::normalize(&mut config);
    if recycler {
        // The reuse run's capacity replaces normalize's 0: not a change to note.
        notes.retain(|n| !n.starts_with("Recycler capacity"));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "note: compared with {}", notes.join(", "));
    }
    let mut case = Case {
        name: "trace".into(),
        program: t.program(),
        config,
    };
    if recycler {
        random::with_recycler(&mut case, profile);
    }
    Ok(case)
}

fn report(
    cases: &[Case],
    results: &[CaseResult],
    dir: &Path,
    args: &DiffArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    secs: f64,
) -> Exit {
    let ops: usize = results.iter().map(|r| r.resolved.len()).sum();
    let mut disagreements = 0;
    for (case, r) in cases.iter().zip(results) {
        let Some(d) = &r.disagreement else { continue };
        disagreements += 1;
        let _ = write!(out, "{}", d.render());
        if let (true, Some((model, oracle))) = (args.show, &r.texts) {
            let _ = write!(out, "--- model\n{model}--- oracle\n{oracle}");
        }
        if args.random.is_some() {
            let program = Program {
                addressing: Addressing::Resolved,
                steps: r.resolved.clone(),
            };
            let json = Trace::new(&case.config, &program, None).to_json();
            let path = dir.join(format!("diff-{:016x}.json", fnv1a(json.as_bytes())));
            match std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, json)) {
                Ok(()) => {
                    let _ = writeln!(out, "  trace: {}", path.display());
                }
                Err(e) => {
                    let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
                    return Exit::BadInput;
                }
            }
        }
    }
    let known = cases
        .first()
        .map(|c| diff::expected::between(&c.config.jvm.profile, &diff::oracle_profile(&c.config)))
        .unwrap_or_default();
    if !known.is_empty() {
        let _ = writeln!(
            out,
            "known differences {} vs the oracle's netty-4.1.48 (from the profiles' fields):",
            args.profile
        );
        for k in &known {
            let _ = writeln!(out, "  {k}");
        }
    }
    let mut diverged: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, effect) in results.iter().filter_map(|r| r.diverged) {
        *diverged.entry(format!("{effect:?}")).or_default() += 1;
    }
    for (effect, n) in &diverged {
        let _ = writeln!(
            out,
            "  {n} programs diverged as expected ({effect}) and were compared up to there"
        );
    }
    let _ = writeln!(
        out,
        "diff {}: {} programs, {ops} ops, {disagreements} disagreements",
        args.profile,
        results.len()
    );
    let _ = writeln!(
        err,
        "took {secs:.1} s: {:.0} programs/s, {:.0} ops/s",
        results.len() as f64 / secs.max(1e-9),
        ops as f64 / secs.max(1e-9)
    );
    if disagreements > 0 {
        Exit::Violation
    } else {
        Exit::Done
    }
}
