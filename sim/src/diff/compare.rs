//! Comparing the model's and the oracle's observation texts: the first step whose
//! block (result line and state lines) differs, both blocks side by side.

use std::fmt::Write;

/// The first step where the model and the oracle disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// The program.
    pub program: String,
    /// The step index (`None`: before any step, e.g. the constructor or the output's
    /// shape).
    pub step: Option<usize>,
    /// The model's lines of that block.
    pub model: Vec<String>,
    /// The oracle's lines of that block.
    pub oracle: Vec<String>,
}

/// Splits an observation text into blocks: the header block, then one per `step`.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        if line.starts_with("step ") || line.starts_with("end ") {
            out.push(Vec::new());
        }
        out.last_mut().expect("one block at least").push(line);
    }
    out
}

/// The first disagreement between `model` and `oracle` for `program`, if any.
pub fn first(program: &str, model: &str, oracle: &str) -> Option<Disagreement> {
    let (m, o) = (blocks(model), blocks(oracle));
    let n = m.len().max(o.len());
    for i in 0..n {
        let (mb, ob) = (m.get(i), o.get(i));
        if mb != ob {
            let own = |b: Option<&Vec<&str>>| {
                b.map_or_else(
                    || vec!["(nothing)".to_string()],
                    |b| b.iter().map(|s| s.to_string()).collect(),
                )
            };
            return Some(Disagreement {
                program: program.to_string(),
                step: i.checked_sub(1),
                model: own(mb),
                oracle: own(ob),
            });
        }
    }
    None
}

impl Disagreement {
    /// Both blocks, line by line: equal lines once, differing ones as a model/oracle pair.
    pub fn render(&self) -> String {
        let mut s = match self.step {
            Some(i) => format!("program {}: first disagreement at step {i}\n", self.program),
            None => format!(
                "program {}: disagreement before the first step\n",
                self.program
            ),
        };
        let n = self.model.len().max(self.oracle.len());
        for i in 0..n {
            let (m, o) = (self.model.get(i), self.oracle.get(i));
            if m == o {
                let _ = writeln!(s, "  both   | {}", m.map_or("", String::as_str));
            } else {
                let _ = writeln!(s, "  model  | {}", m.map_or("(no line)", String::as_str));
                let _ = writeln!(s, "  oracle | {}", o.map_or("(no line)", String::as_str));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_differing_step_and_shows_both_sides() {
        let m =
            "program p\nstep 0 alloc ok #1\n #1 ref=1\nstep 1 release ok true\n #1 ref=0\nend p\n";
        let o =
            "program p\nstep 0 alloc ok #1\n #1 ref=1\nstep 1 release ok false\n #1 ref=0\nend p\n";
        let d = first("p", m, o).unwrap();
        assert_eq!(d.step, Some(1));
        let r = d.render();
        assert!(r.contains("model  | step 1 release ok true"), "{r}");
        assert!(r.contains("oracle | step 1 release ok false"), "{r}");
        assert!(r.contains("both   |  #1 ref=0"), "{r}");
        assert_eq!(first("p", m, m), None);
    }

    #[test]
    fn a_missing_step_is_a_disagreement() {
        let m = "program p\nstep 0 alloc ok #1\nend p\n";
        let o = "program p\nend p\n";
        let d = first("p", m, o).unwrap();
        assert_eq!(d.step, Some(0));
        assert!(d.render().contains("oracle | end p"));
    }
}
