//! The `leakproof` command line: one clap `Cli`, one module per subcommand.
//!
//! [`main_with_args`] runs a whole command in-process, writing to the given output and
//! error streams and returning the [`Exit`] of the one exit-code table, so tests can
//! run commands without spawning a process. To add a subcommand: a module with an
//! `Args` struct and a `run(args, out, err) -> Exit`, one [`Command`] variant, one arm
//! in [`run`].

pub mod copy_loop;
pub mod coverage;
pub mod diff;
pub mod explore;
pub mod run;
pub mod sizes;

use crate::exit::Exit;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;

/// `leakproof`: deterministic simulation of Netty's pooled allocator, refcount protocol
/// and leak detector.
#[derive(Debug, Parser)]
#[command(name = "leakproof", version, about, long_about = None)]
pub struct Cli {
    /// What to run; without one, `run jt809` (the incident's forecast).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay the incident's Java program: one buffer, then N copies never (or always)
    /// released, until the JVM runs out of memory or the loop ends.
    CopyLoop(copy_loop::CopyLoopArgs),
    /// Simulate a workload scenario over days: when does the service run out of
    /// memory, and when (if ever) does Netty's leak detector first print `LEAK:`?
    Run(run::RunArgs),
    /// Print the pooled allocator's size-class table.
    Sizes(sizes::SizesArgs),
    /// Re-execute a counterexample trace step by step (or convert a fuzz artifact).
    Replay(crate::commands::replay::ReplayArgs),
    /// Shrink a counterexample trace, keeping the violation it records.
    Minimize(crate::commands::minimize::MinimizeArgs),
    /// Hunt every mutant with the checkers that reach it; fails on a survivor.
    Mutants(crate::commands::mutants::MutantsArgs),
    /// Run a trace (or N random programs) on the model and on the real Netty 4.1.48;
    /// report the first op where they disagree.
    Diff(diff::DiffArgs),
    /// Browse a proof model in stateright's web explorer (or list / check the models).
    Explore(explore::ExploreArgs),
    /// Measure which model events each executor-driven checker's fixed inputs reach.
    Coverage(coverage::CoverageArgs),
}

impl Command {
    /// The built-in default: the incident's forecast, `run jt809` with every other
    /// setting at its default.
    pub fn default_command() -> Command {
        Command::Run(run::RunArgs::incident())
    }
}

/// Parses `args` (the program name first, as `std::env::args_os()` yields it) and runs
/// the command, writing results to `out` and diagnostics to `err`.
pub fn main_with_args<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => run(
            cli.command.unwrap_or_else(Command::default_command),
            out,
            err,
        ),
        Err(e) => clap_error(&e, out, err),
    }
}

/// Runs one parsed command.
pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    match command {
        Command::CopyLoop(args) => copy_loop::run(&args, out, err),
        Command::Run(args) => run::run(&args, out, err),
        Command::Sizes(args) => sizes::run(&args, out, err),
        Command::Replay(args) => crate::commands::replay::run(&args, out),
        Command::Minimize(args) => crate::commands::minimize::run(&args, out),
        Command::Mutants(args) => crate::commands::mutants::run(&args, out, err),
        Command::Explore(args) => explore::run(&args, out, err),
        Command::Diff(args) => diff::run(&args, out, err),
        Command::Coverage(args) => coverage::run(&args, out, err),
    }
}

/// Prints one bad-input line naming `flag` and returns [`Exit::BadInput`].
pub fn bad_input(err: &mut dyn Write, flag: &str, message: &str) -> Exit {
    // A closed stderr cannot be reported anywhere; the exit code still says it.
    let _ = writeln!(err, "error: invalid value for {flag}: {message}");
    Exit::BadInput
}

/// `--help`/`--version` go to `out` with exit 0; parse errors become one line on `err`
/// (clap's first paragraph, joined) with exit 2.
fn clap_error(e: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    use clap::error::ErrorKind;
    let rendered = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = out.write_all(rendered.as_bytes());
            Exit::Done
        }
        _ => {
            // clap's first paragraph (the message and the lines naming the argument or
            // listing possible values), joined into one line.
            let first: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect();
            let line = if first.is_empty() {
                "error: bad arguments".to_string()
            } else {
                first.join(" ")
            };
            let _ = writeln!(err, "{line}");
            Exit::BadInput
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn run_args(args: &[&str]) -> (Exit, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let exit = main_with_args(args.iter().copied(), &mut out, &mut err);
        (
            exit,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn parse_errors_are_one_line_and_exit_2() {
        let (exit, out, err) = run_args(&["leakproof", "copy-loop", "--kind", "pooled"]);
        assert_eq!(exit, Exit::BadInput);
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--kind"), "{err}");
        assert!(err.contains("pooled-unsafe-direct"), "{err}");
        let (exit, _, err) = run_args(&["leakproof", "frobnicate"]);
        assert_eq!(exit, Exit::BadInput);
        assert_eq!(err.lines().count(), 1, "{err}");
    }

    #[test]
    fn no_arguments_mean_run_jt809() {
        let parsed = Cli::try_parse_from(["leakproof"]).unwrap();
        assert!(parsed.command.is_none());
        let explicit = Cli::try_parse_from(["leakproof", "run"]).unwrap();
        match (Command::default_command(), explicit.command) {
            (Command::Run(default), Some(Command::Run(args))) => {
                assert_eq!(default, args);
                assert_eq!(default.scenario, "jt809");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn help_goes_to_stdout_and_exits_0() {
        let (exit, out, err) = run_args(&["leakproof", "--help"]);
        assert_eq!(exit, Exit::Done);
        assert!(
            out.contains("copy-loop") && out.contains("sizes") && out.contains("run"),
            "{out}"
        );
        assert!(err.is_empty());
    }
}
