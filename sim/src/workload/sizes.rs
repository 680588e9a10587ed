//! Message lengths drawn from a scenario's size distribution (validated once).

use super::error::ScenarioError;
use super::scenario::SizeDistribution;
use rand::Rng;
use rand_distr::weighted::WeightedIndex;
use rand_distr::{Distribution, Normal};

const KEY: &str = "traffic.size";

/// A validated size distribution.
#[derive(Clone, Debug)]
pub enum SizeSampler {
    /// Always this length.
    Fixed(usize),
    /// Uniform over `min..=max`.
    Uniform(usize, usize),
    /// Normal, rounded and clamped.
    Normal(Normal<f64>, usize, usize),
    /// One of `sizes`, by weight.
    Weighted(Vec<usize>, WeightedIndex<f64>),
}

fn length(value: i64, field: &str) -> Result<usize, ScenarioError> {
    i32::try_from(value)
        .ok()
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| {
            ScenarioError::invalid(
                format!("{KEY}.{field}"),
                format!("{value} (expected: a length in 0..=2147483647 bytes)"),
            )
        })
}

fn bounds(min: i64, max: i64) -> Result<(usize, usize), ScenarioError> {
    let (lo, hi) = (length(min, "min")?, length(max, "max")?);
    if lo > hi {
        return Err(ScenarioError::invalid(
            format!("{KEY}.min"),
            format!("{min} is above max {max}"),
        ));
    }
    Ok((lo, hi))
}

impl SizeSampler {
    /// Validates `d`, naming the key of any impossible value.
    pub fn new(d: &SizeDistribution) -> Result<Self, ScenarioError> {
        Ok(match d {
            SizeDistribution::Fixed { bytes } => SizeSampler::Fixed(length(*bytes, "bytes")?),
            SizeDistribution::Uniform { min, max } => {
                let (lo, hi) = bounds(*min, *max)?;
                SizeSampler::Uniform(lo, hi)
            }
            SizeDistribution::Normal {
                mean,
                stddev,
                min,
                max,
            } => {
                let (lo, hi) = bounds(*min, *max)?;
                if !mean.is_finite() {
                    return Err(ScenarioError::invalid(
                        format!("{KEY}.mean"),
                        format!("{mean} is not a number of bytes"),
                    ));
                }
                let normal = Normal::new(*mean, *stddev)
                    .ok()
                    .filter(|_| stddev.is_finite() && *stddev >= 0.0)
                    .ok_or_else(|| {
                        ScenarioError::invalid(
                            format!("{KEY}.stddev"),
                            format!("{stddev} (expected: a finite number >= 0)"),
                        )
                    })?;
                SizeSampler::Normal(normal, lo, hi)
            }
            SizeDistribution::Weighted { sizes, weights } => {
                if sizes.is_empty() || sizes.len() != weights.len() {
                    return Err(ScenarioError::invalid(
                        format!("{KEY}.weights"),
                        format!(
                            "{} weights for {} sizes (expected: one weight per size, at least one)",
                            weights.len(),
                            sizes.len()
                        ),
                    ));
                }
                let sizes = sizes
                    .iter()
                    .enumerate()
                    .map(|(i, &s)| length(s, &format!("sizes[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                let index = WeightedIndex::new(weights.iter().copied())
                    .map_err(|e| ScenarioError::invalid(format!("{KEY}.weights"), e.to_string()))?;
                SizeSampler::Weighted(sizes, index)
            }
        })
    }

    /// One message length.
    pub fn sample(&self, rng: &mut impl Rng) -> usize {
        match self {
            SizeSampler::Fixed(n) => *n,
            SizeSampler::Uniform(lo, hi) => rng.random_range(*lo..=*hi),
            SizeSampler::Normal(normal, lo, hi) => {
                let x = normal.sample(rng).round();
                (x.max(*lo as f64).min(*hi as f64)) as usize
            }
            SizeSampler::Weighted(sizes, index) => sizes[index.sample(rng)],
        }
    }

    /// The mean length (for reports).
    pub fn mean(&self) -> f64 {
        match self {
            SizeSampler::Fixed(n) => *n as f64,
            SizeSampler::Uniform(lo, hi) => (*lo + *hi) as f64 / 2.0,
            SizeSampler::Normal(normal, ..) => normal.mean(),
            SizeSampler::Weighted(sizes, index) => {
                let weights = index.weights().collect::<Vec<_>>();
                let total: f64 = weights.iter().sum();
                sizes
                    .iter()
                    .zip(weights)
                    .map(|(&s, w)| s as f64 * w)
                    .sum::<f64>()
                    / total
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn samples_stay_in_bounds_and_are_reproducible() {
        let d = SizeDistribution::Normal {
            mean: 200.0,
            stddev: 50.0,
            min: 150,
            max: 260,
        };
        let s = SizeSampler::new(&d).unwrap();
        let draw = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..1000).map(|_| s.sample(&mut rng)).collect::<Vec<_>>()
        };
        let a = draw(1);
        assert_eq!(a, draw(1));
        assert!(a.iter().all(|&x| (150..=260).contains(&x)));
        assert!(a.contains(&150) && a.contains(&260), "clamped tails");
        let w = SizeSampler::new(&SizeDistribution::Weighted {
            sizes: vec![10, 20],
            weights: vec![0.0, 1.0],
        })
        .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!((0..100).all(|_| w.sample(&mut rng) == 20));
        assert_eq!(w.mean(), 20.0);
    }

    #[test]
    fn impossible_values_name_their_key() {
        let bad = [
            (SizeDistribution::Fixed { bytes: -1 }, "traffic.size.bytes"),
            (
                SizeDistribution::Uniform { min: 5, max: 4 },
                "traffic.size.min",
            ),
            (
                SizeDistribution::Normal {
                    mean: 1.0,
                    stddev: -1.0,
                    min: 0,
                    max: 9,
                },
                "traffic.size.stddev",
            ),
            (
                SizeDistribution::Weighted {
                    sizes: vec![1],
                    weights: vec![],
                },
                "traffic.size.weights",
            ),
            (
                SizeDistribution::Weighted {
                    sizes: vec![1, 2],
                    weights: vec![0.0, 0.0],
                },
                "traffic.size.weights",
            ),
        ];
        for (d, key) in bad {
            let e = SizeSampler::new(&d).unwrap_err();
            assert!(e.to_string().contains(key), "{e} should name {key}");
        }
        assert!(SizeSampler::new(&SizeDistribution::Fixed { bytes: 0 }).is_ok());
    }
}
