//! The one exit-code table every `leakproof` command uses (DESIGN.md).

use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exit {
    /// 0: done, nothing wrong (a forecast OOM is a result, not a failure).
    Done,
    /// 1: `copy-loop` only: the simulated Java program died of an uncaught JVM error,
    /// as `java` exits.
    JavaDied,
    /// 2: bad input (arguments, files).
    BadInput,
    /// 3: a violation was found or reproduced (replay, diff disagreement, an
    /// unexpected mutant survivor).
    Violation,
    /// 4: a trace reproduced a different violation than the one it records.
    DifferentViolation,
    /// 5: the trace needs a checker this binary was not built with (loom/shuttle).
    NeedsChecker,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::JavaDied => 1,
            Exit::BadInput => 2,
            Exit::Violation => 3,
            Exit::DifferentViolation => 4,
            Exit::NeedsChecker => 5,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_follow_the_design_table() {
        let all = [
            Exit::Done,
            Exit::JavaDied,
            Exit::BadInput,
            Exit::Violation,
            Exit::DifferentViolation,
            Exit::NeedsChecker,
        ];
        let codes: Vec<u8> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes, vec![0, 1, 2, 3, 4, 5]);
    }
}
