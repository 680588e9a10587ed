//! quickcheck generation and shrinking for [`Op`] and [`Program`]: generate from
//! random bytes through `arbitrary` (one generator for fuzzing and properties), shrink
//! by dropping steps, then simplifying ops (sizes toward 0/1, amounts toward 1,
//! derivatives toward plain slices).

use super::bounded::{Amount, Capacity, Size};
use super::ops::Op;
use super::step::{Program, Step};
use arbitrary::Unstructured;

fn bytes(g: &mut quickcheck::Gen, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| <u8 as quickcheck::Arbitrary>::arbitrary(g))
        .collect()
}

fn smaller_sizes(s: Size) -> Vec<Size> {
    let mut out = Vec::new();
    for c in [0, 1, s.0 / 2, s.0.saturating_sub(1)] {
        if c < s.0 && !out.contains(&Size(c)) {
            out.push(Size(c));
        }
    }
    out
}

impl Op {
    /// Simpler variants of this op, simplest first.
    pub fn simplifications(&self) -> Vec<Op> {
        let mut out = Vec::new();
        match self.clone() {
            Op::Alloc {
                pooled,
                direct,
                size,
                max,
                second,
            } => {
                let alloc = |size, max, second| Op::Alloc {
                    pooled,
                    direct,
                    size,
                    max,
                    second,
                };
                if second {
                    out.push(alloc(size, max, false));
                }
                if max != Capacity::Unbounded {
                    out.push(alloc(size, Capacity::Unbounded, second));
                }
                for s in smaller_sizes(size) {
                    out.push(alloc(s, max, second));
                }
            }
            Op::Write { buf, len, pattern } => {
                for s in smaller_sizes(len) {
                    out.push(Op::Write {
                        buf,
                        len: s,
                        pattern,
                    });
                }
            }
            Op::Read { buf, len } => out.extend(
                smaller_sizes(len)
                    .into_iter()
                    .map(|len| Op::Read { buf, len }),
            ),
            Op::SetCapacity { buf, capacity } => out.extend(
                smaller_sizes(capacity)
                    .into_iter()
                    .map(|capacity| Op::SetCapacity { buf, capacity }),
            ),
            Op::ReadSlice { buf, len } => {
                out.push(Op::Slice { buf });
                out.extend(
                    smaller_sizes(len)
                        .into_iter()
                        .map(|len| Op::ReadSlice { buf, len }),
                );
            }
            Op::ReadRetainedSlice { buf, len } => {
                out.push(Op::RetainedSlice { buf });
                out.extend(
                    smaller_sizes(len)
                        .into_iter()
                        .map(|len| Op::ReadRetainedSlice { buf, len }),
                );
            }
            Op::RetainedDuplicate { buf } => out.push(Op::RetainedSlice { buf }),
            Op::Duplicate { buf } => out.push(Op::Slice { buf }),
            Op::AsReadOnly { buf } | Op::Unreleasable { buf } => out.push(Op::Duplicate { buf }),
            Op::Retain { buf, k } if k.0 > 1 => out.push(Op::Retain { buf, k: Amount(1) }),
            Op::Release { buf, k } if k.0 > 1 => out.push(Op::Release { buf, k: Amount(1) }),
            Op::ExitThread { clean: false } => out.push(Op::ExitThread { clean: true }),
            _ => {}
        }
        out
    }
}

impl quickcheck::Arbitrary for Op {
    fn arbitrary(g: &mut quickcheck::Gen) -> Self {
        let raw = bytes(g, 16);
        let mut u = Unstructured::new(&raw);
        u.arbitrary().unwrap_or(Op::Gc)
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(self.simplifications().into_iter())
    }
}

impl Program {
    /// Candidate shrinks: remove halves, quarters … single steps (back to front), then
    /// simplify one op at a time.
    pub fn shrink_candidates(&self) -> Vec<Program> {
        let n = self.steps.len();
        let mut out = Vec::new();
        let mut chunk = n / 2;
        while chunk >= 1 {
            let mut start = n;
            while start >= chunk {
                start -= chunk;
                let mut steps = self.steps.clone();
                steps.drain(start..start + chunk);
                out.push(Program {
                    addressing: self.addressing,
                    steps,
                });
                if start == 0 {
                    break;
                }
            }
            chunk /= 2;
        }
        for (i, step) in self.steps.iter().enumerate() {
            for op in step.op.simplifications() {
                let mut steps = self.steps.clone();
                steps[i] = Step { op, ..step.clone() };
                out.push(Program {
                    addressing: self.addressing,
                    steps,
                });
            }
        }
        out
    }
}

impl quickcheck::Arbitrary for Program {
    fn arbitrary(g: &mut quickcheck::Gen) -> Self {
        let n = g.size().clamp(8, 1024) * 4;
        let raw = bytes(g, n);
        let mut u = Unstructured::new(&raw);
        u.arbitrary().unwrap_or_default()
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(self.shrink_candidates().into_iter())
    }
}
