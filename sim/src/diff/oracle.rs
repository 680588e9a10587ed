//! The Java oracle: finds `java`, `javac` and Netty's jars, compiles `oracle/src` once
//! (into a directory named by the sources' hash), and runs one JVM per batch of
//! programs that share a [`JvmKey`].

use super::setup::{JvmKey, ORACLE_ENV};
use super::DiffError;
use crate::trace::fnv1a;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Netty 4.1.48's buffer and common jars as Debian's `libnetty-java` installs them
/// (override with `LEAKPROOF_NETTY_JARS`, a `:`-separated class path).
pub const DEFAULT_JARS: &str = "/usr/share/java/netty-buffer.jar:/usr/share/java/netty-common.jar";

/// A ready oracle: compiled classes, the class path to run them with and the JVMs'
/// environment ([`ORACLE_ENV`]).
#[derive(Clone, Debug)]
pub struct Oracle {
    java: PathBuf,
    class_path: String,
    env: Vec<(String, String)>,
}

fn tool(name: &str) -> Result<PathBuf, DiffError> {
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        let p = Path::new(&home).join("bin").join(name);
        if p.is_file() {
            return Ok(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            DiffError::Oracle(format!(
                "`{name}` not found on PATH or in JAVA_HOME (install a JDK, e.g. default-jdk-headless)"
            ))
        })
}

impl Oracle {
    /// Checks the JDK and the jars, and compiles the oracle's sources in `src` unless a
    /// build of exactly these sources exists.
    pub fn prepare(src: &Path) -> Result<Self, DiffError> {
        let jars = std::env::var("LEAKPROOF_NETTY_JARS").unwrap_or_else(|_| DEFAULT_JARS.into());
        Self::prepare_with(src, &jars)
    }

    /// [`Oracle::prepare`] with the class path `jars` (`:`-separated).
    pub fn prepare_with(src: &Path, jars: &str) -> Result<Self, DiffError> {
        let java = tool("java")?;
        let javac = tool("javac")?;
        for jar in jars.split(':') {
            if !Path::new(jar).is_file() {
                return Err(DiffError::Oracle(format!(
                    "Netty jar `{jar}` is missing (install libnetty-java, or set LEAKPROOF_NETTY_JARS)"
                )));
            }
        }
        let mut sources: Vec<PathBuf> = std::fs::read_dir(src)
            .map_err(|e| DiffError::Oracle(format!("oracle sources `{}`: {e}", src.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "java"))
            .collect();
        sources.sort();
        if sources.is_empty() {
            return Err(DiffError::Oracle(format!(
                "no .java sources in `{}`",
                src.display()
            )));
        }
        let mut all = Vec::new();
        for s in &sources {
            all.extend(
                std::fs::read(s).map_err(|e| DiffError::Oracle(format!("{}: {e}", s.display())))?,
            );
        }
        let classes = std::env::temp_dir().join(format!("leakproof-oracle-{:016x}", fnv1a(&all)));
        if !classes.join("Oracle.class").is_file() {
            let staging = classes.with_extension(format!("tmp{}", std::process::id()));
            std::fs::create_dir_all(&staging)
                .map_err(|e| DiffError::Oracle(format!("{}: {e}", staging.display())))?;
            let out = Command::new(&javac)
                .args(["-nowarn", "-d"])
                .arg(&staging)
                .args(["-cp", jars])
                .args(&sources)
                .output()
                .map_err(|e| DiffError::Oracle(format!("running javac: {e}")))?;
            if !out.status.success() {
                return Err(DiffError::Oracle(format!(
                    "javac failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            // Another process may have won the race: either build is the same.
            if std::fs::rename(&staging, &classes).is_err() {
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        Ok(Oracle {
            java,
            class_path: format!("{}:{jars}", classes.display()),
            env: ORACLE_ENV
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    }

    /// The same oracle with the JVMs' environment variable `name` set to `value` (what
    /// a test uses to show what [`ORACLE_ENV`] changes).
    pub fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// Runs `programs` (line form, each `program NAME` … `end`) in one JVM with `key`'s
    /// flags; returns each program's observation text by name.
    pub fn run(&self, key: &JvmKey, programs: &str) -> Result<BTreeMap<String, String>, DiffError> {
        let file = std::env::temp_dir().join(format!(
            "leakproof-diff-{}-{:016x}.txt",
            std::process::id(),
            fnv1a(programs.as_bytes())
        ));
        std::fs::write(&file, programs)
            .map_err(|e| DiffError::Oracle(format!("{}: {e}", file.display())))?;
        let out = Command::new(&self.java)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(key.java_flags())
            .args(["-cp", &self.class_path, "Oracle", "diff"])
            .arg(&file)
            .output();
        let _ = std::fs::remove_file(&file);
        let out = out.map_err(|e| DiffError::Oracle(format!("running java: {e}")))?;
        if !out.status.success() {
            return Err(DiffError::Oracle(format!(
                "the oracle JVM exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        split(&String::from_utf8_lossy(&out.stdout))
    }
}

/// Splits the oracle's output into `program NAME` … `end NAME` blocks by name.
pub fn split(text: &str) -> Result<BTreeMap<String, String>, DiffError> {
    let mut blocks = BTreeMap::new();
    let mut cur: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("program ") {
            cur = Some((name.to_string(), String::new()));
        }
        let Some((name, body)) = cur.as_mut() else {
            continue;
        };
        body.push_str(line);
        body.push('\n');
        if line.strip_prefix("end ") == Some(name.as_str()) {
            let (name, body) = cur.take().expect("in a block");
            blocks.insert(name, body);
        }
    }
    if let Some((name, _)) = cur {
        return Err(DiffError::Oracle(format!(
            "the oracle's output for program {name} has no end"
        )));
    }
    Ok(blocks)
}
