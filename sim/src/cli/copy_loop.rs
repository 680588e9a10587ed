//! `leakproof copy-loop`: the incident's Java program (see
//! [`crate::scenarios::copy_loop`]), printed line by line or as one JSON object.

use super::bad_input;
use crate::exit::Exit;
use crate::scenarios::copy_loop::run_copy_loop;
use crate::scenarios::copy_loop_config::{DEFAULT_COPIES, DEFAULT_SIZE};
use crate::scenarios::{BufferKind, CopyLoopConfig};
use clap::{Args, ValueEnum};
use leakproof_model::jvm::{JdkVersion, INCIDENT_RUNTIME_MAX_MEMORY};
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use leakproof_model::Profile;
use std::io::Write;

/// The JDK whose out-of-memory wording the run prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JdkArg {
    /// JDK 8 (the incident's): `Direct buffer memory`.
    #[value(name = "8")]
    Jdk8,
    /// JDK 17: `Cannot reserve N bytes of direct buffer memory (allocated: A, limit: L)`.
    #[value(name = "17")]
    Jdk17,
}

impl From<JdkArg> for JdkVersion {
    fn from(jdk: JdkArg) -> JdkVersion {
        match jdk {
            JdkArg::Jdk8 => JdkVersion::Jdk8,
            JdkArg::Jdk17 => JdkVersion::Jdk17,
        }
    }
}

/// Flags of `copy-loop`. Numbers are read as 64-bit integers and validated as Netty
/// and the JVM would (Java `int`s where Java has them), so a bad value gets one clear
/// line naming its flag.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct CopyLoopArgs {
    /// How the buffer is made; implies the platform flags of the incident table.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: BufferKind,
    /// `Runtime.maxMemory()` in bytes (`-Xmx32M` gives 32440320); also the JDK's and
    /// Netty's direct-memory limit.
    #[arg(long, value_name = "BYTES", default_value_t = INCIDENT_RUNTIME_MAX_MEMORY as i64, allow_negative_numbers = true)]
    pub runtime_max_memory: i64,
    /// `io.netty.allocator.maxOrder` (default: the profile's; 9 gives 4 MiB chunks, 11
    /// gives 16 MiB).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_order: Option<i64>,
    /// `io.netty.allocator.pageSize` (default: the profile's, 8192).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub page_size: Option<i64>,
    /// `io.netty.allocator.numDirectArenas` (default: Netty's formula).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub direct_arenas: Option<i64>,
    /// `io.netty.allocator.numHeapArenas` (default: Netty's formula).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub heap_arenas: Option<i64>,
    /// `Runtime.availableProcessors()`.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2,
        allow_negative_numbers = true
    )]
    pub cores: i64,
    /// Capacity and maxCapacity of the buffer, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_SIZE, allow_negative_numbers = true)]
    pub size: i64,
    /// Number of `copy()`s.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COPIES, allow_negative_numbers = true)]
    pub copies: i64,
    /// Release each copy after printing its line.
    #[arg(long)]
    pub release: bool,
    /// The pinned Netty release.
    #[arg(long, value_name = "P", default_value = "netty-4.1")]
    pub profile: String,
    /// Seed of the JVM's RNG (leak sampling).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// `io.netty.leakDetection.level`, parsed as Netty parses it (unknown → SIMPLE).
    #[arg(long, value_name = "LEVEL", default_value = "SIMPLE")]
    pub leak_level: String,
    /// Call `System.gc()` after every N copies.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gc_every: Option<i64>,
    /// The JDK whose out-of-memory wording is printed.
    #[arg(long, value_enum, value_name = "8|17", default_value = "8")]
    pub jdk: JdkArg,
    /// Keep real bytes in buffer memory (slower; the default is virtual memory).
    #[arg(long)]
    pub materialized: bool,
    /// Print one JSON object instead of the program's output.
    #[arg(long)]
    pub json: bool,
}

impl CopyLoopArgs {
    /// `copy-loop --kind pooled-unsafe-direct` with every other flag at its default.
    pub fn incident() -> Self {
        CopyLoopArgs {
            kind: BufferKind::PooledUnsafeDirect,
            runtime_max_memory: INCIDENT_RUNTIME_MAX_MEMORY as i64,
            max_order: None,
            page_size: None,
            direct_arenas: None,
            heap_arenas: None,
            cores: 2,
            size: DEFAULT_SIZE,
            copies: DEFAULT_COPIES,
            release: false,
            profile: "netty-4.1".to_string(),
            seed: 0,
            leak_level: "SIMPLE".to_string(),
            gc_every: None,
            jdk: JdkArg::Jdk8,
            materialized: false,
            json: false,
        }
    }

    /// The scenario settings these flags ask for (the profile looked up by name).
    pub fn to_config(&self) -> Result<CopyLoopConfig, (&'static str, String)> {
        let profile = Profile::by_name(&self.profile).map_err(|e| ("--profile", e.to_string()))?;
        Ok(CopyLoopConfig {
            kind: self.kind,
            profile,
            runtime_max_memory: self.runtime_max_memory,
            page_size: self.page_size,
            max_order: self.max_order,
            direct_arenas: self.direct_arenas,
            heap_arenas: self.heap_arenas,
            cores: self.cores,
            size: self.size,
            copies: self.copies,
            release: self.release,
            seed: self.seed,
            leak_level: LeakLevel::parse(&self.leak_level),
            gc_every: self.gc_every,
            jdk: self.jdk.into(),
            memory_mode: if self.materialized {
                MemoryMode::Materialized
            } else {
                MemoryMode::Virtual
            },
        })
    }
}

/// Runs `copy-loop`: exit 0 after `end`, 1 when the Java program died, 2 on bad flags.
pub fn run(args: &CopyLoopArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let config = match args.to_config() {
        Ok(config) => config,
        Err((flag, message)) => return bad_input(err, flag, &message),
    };
    // Lines stream as the program prints them; a closed stdout stops the printing
    // (as a Java program's PrintStream swallows the error) but not the run.
    let mut out_ok = true;
    let mut sink = |line: &str| {
        if !args.json && out_ok {
            out_ok = writeln!(out, "{line}").is_ok();
        }
    };
    let result = match run_copy_loop(&config, &mut sink) {
        Ok(result) => result,
        Err(bad) => return bad_input(err, &bad.flag, &bad.message),
    };
    if args.json {
        match serde_json::to_string_pretty(&result) {
            Ok(json) => {
                let _ = writeln!(out, "{json}");
            }
            Err(e) => {
                let _ = writeln!(err, "error: cannot render the result as JSON: {e}");
            }
        }
    }
    if result.outcome.is_exception() {
        Exit::JavaDied
    } else {
        Exit::Done
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Command};
    use super::*;
    use clap::Parser;

    #[test]
    fn incident_args_equal_the_parsed_defaults() {
        let cli = Cli::try_parse_from(["leakproof", "copy-loop", "--kind", "pooled-unsafe-direct"])
            .unwrap();
        match cli.command {
            Some(Command::CopyLoop(args)) => assert_eq!(args, CopyLoopArgs::incident()),
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn unknown_profile_names_the_flag() {
        let mut args = CopyLoopArgs::incident();
        args.profile = "netty-5".into();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), Exit::BadInput);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "error: invalid value for --profile: unknown profile `netty-5` (known: netty-4.1, netty-4.1.48)\n"
        );
    }
}
