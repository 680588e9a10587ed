//! Comparing the model's and the oracle's observation texts: the first step whose
//! block (result line and state lines) differs, both blocks side by side.

use super::expected::Effect;
use super::filter::Filter;
use std::fmt::Write;

/// What comparing one program gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every block agrees (after the known differences' masks).
    Agree,
    /// The first difference is one the profiles predict: the program is compared no
    /// further from `step` on.
    Diverged {
        /// The step.
        step: Option<usize>,
        /// The known difference's effect.
        effect: Effect,
    },
    /// A disagreement.
    Disagree(Disagreement),
}

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
    match judge(program, model, oracle, &Filter::default()) {
        Verdict::Disagree(d) => Some(d),
        _ => None,
    }
}

/// Compares `model` and `oracle` for `program` block by block, each line through
/// `filter`'s mask; the first block that still differs is a divergence the filter
/// explains, or a disagreement.
pub fn judge(program: &str, model: &str, oracle: &str, filter: &Filter) -> Verdict {
    let (m, o) = (blocks(model), blocks(oracle));
    let n = m.len().max(o.len());
    for i in 0..n {
        let (mb, ob) = (m.get(i), o.get(i));
        if mb == ob {
            continue;
        }
        let mask = |b: Option<&Vec<&str>>| {
            b.map(|b| {
                b.iter()
                    .filter_map(|l| filter.mask(l))
                    .collect::<Vec<String>>()
            })
        };
        let (mm, om) = (mask(mb), mask(ob));
        if mm == om {
            continue;
        }
        let step = i.checked_sub(1);
        if let (Some(mm), Some(om)) = (&mm, &om) {
            if let Some(effect) = filter.explain(step, mm, om) {
                return Verdict::Diverged { step, effect };
            }
        }
        let own = |b: Option<&Vec<&str>>| {
            b.map_or_else(
                || vec!["(nothing)".to_string()],
                |b| b.iter().map(|s| s.to_string()).collect(),
            )
        };
        return Verdict::Disagree(Disagreement {
            program: program.to_string(),
            step,
            model: own(mb),
            oracle: own(ob),
        });
    }
    Verdict::Agree
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
