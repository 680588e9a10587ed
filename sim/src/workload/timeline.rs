//! When messages arrive: a fixed number per day, split over the day's 24 hours by an
//! optional shape and spread evenly inside each segment. Deterministic: message `n`'s
//! time depends on `n` alone, in whole microseconds.

use super::error::ScenarioError;
use super::resolve::US_PER_DAY;

/// The arrival schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    per_day: u64,
    /// Messages in each segment of a day (one segment without a shape, else 24 hours).
    segments: Vec<u64>,
    duration_us: u64,
}

impl Timeline {
    /// `messages_per_day` split by `shape` (24 non-negative weights, not all 0), over
    /// `duration_us`.
    pub fn new(
        messages_per_day: i64,
        shape: Option<&[f64]>,
        duration_us: u64,
    ) -> Result<Self, ScenarioError> {
        const KEY: &str = "traffic.messages_per_day";
        let per_day = u64::try_from(messages_per_day)
            .ok()
            .filter(|&n| n <= 1_000_000_000)
            .ok_or_else(|| {
                ScenarioError::invalid(
                    KEY,
                    format!("{messages_per_day} (expected: 0..=1000000000)"),
                )
            })?;
        let segments = match shape {
            None => vec![per_day],
            Some(w) => split_by_shape(per_day, w)?,
        };
        Ok(Timeline {
            per_day,
            segments,
            duration_us,
        })
    }

    /// Messages per day.
    pub fn per_day(&self) -> u64 {
        self.per_day
    }

    /// The simulated horizon in microseconds.
    pub fn duration_us(&self) -> u64 {
        self.duration_us
    }

    /// Messages that arrive before the horizon.
    pub fn total(&self) -> u64 {
        let days = self.duration_us / US_PER_DAY;
        let rest = self.duration_us % US_PER_DAY;
        let mut total = days * self.per_day;
        let seg_us = US_PER_DAY / self.segments.len() as u64;
        for (i, &n) in self.segments.iter().enumerate() {
            let start = i as u64 * seg_us;
            if start >= rest {
                break;
            }
            total += (0..n)
                .take_while(|&k| start + k * seg_us / n < rest)
                .count() as u64;
        }
        total
    }

    /// Arrival times (µs since start) of every message before the horizon, in order.
    pub fn arrivals(&self) -> impl Iterator<Item = u64> + '_ {
        let seg_us = US_PER_DAY / self.segments.len() as u64;
        let days = self.duration_us.div_ceil(US_PER_DAY);
        (0..days)
            .flat_map(move |day| {
                self.segments.iter().enumerate().flat_map(move |(i, &n)| {
                    let start = day * US_PER_DAY + i as u64 * seg_us;
                    (0..n).map(move |k| start + k * seg_us / n)
                })
            })
            .take_while(move |&t| t < self.duration_us)
    }
}

/// Whole messages per hour: the cumulative share of the day, floored, differenced, so
/// the 24 counts add up to `per_day` exactly.
fn split_by_shape(per_day: u64, weights: &[f64]) -> Result<Vec<u64>, ScenarioError> {
    const KEY: &str = "traffic.daily_shape";
    if weights.len() != 24 {
        return Err(ScenarioError::invalid(
            KEY,
            format!("{} weights (expected: 24, one per hour)", weights.len()),
        ));
    }
    if let Some((h, w)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(ScenarioError::invalid(
            format!("{KEY}[{h}]"),
            format!("{w} (expected: a finite weight >= 0)"),
        ));
    }
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return Err(ScenarioError::invalid(KEY, "all weights are 0"));
    }
    let mut cumulative = 0.0;
    let mut before = 0u64;
    let mut counts = Vec::with_capacity(24);
    for (h, w) in weights.iter().enumerate() {
        cumulative += w;
        let upto = if h == 23 {
            per_day
        } else {
            ((per_day as f64) * cumulative / sum).floor() as u64
        };
        let upto = upto.clamp(before, per_day);
        counts.push(upto - before);
        before = upto;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_arrivals_fill_the_day_in_order() {
        let t = Timeline::new(4, None, 2 * US_PER_DAY).unwrap();
        let times: Vec<u64> = t.arrivals().collect();
        let q = US_PER_DAY / 4;
        assert_eq!(
            times,
            vec![
                0,
                q,
                2 * q,
                3 * q,
                US_PER_DAY,
                US_PER_DAY + q,
                US_PER_DAY + 2 * q,
                US_PER_DAY + 3 * q
            ]
        );
        assert_eq!(t.total(), 8);
        let half = Timeline::new(4, None, US_PER_DAY / 2 + 1).unwrap();
        assert_eq!(half.total(), half.arrivals().count() as u64);
        assert_eq!(half.total(), 3);
    }

    #[test]
    fn a_shape_keeps_the_daily_total_and_moves_traffic_to_busy_hours() {
        let mut w = vec![0.0; 24];
        w[9] = 3.0;
        w[18] = 1.0;
        let t = Timeline::new(1000, Some(&w), US_PER_DAY).unwrap();
        let times: Vec<u64> = t.arrivals().collect();
        assert_eq!(times.len(), 1000);
        let hour = |x: u64| x / (US_PER_DAY / 24);
        assert_eq!(times.iter().filter(|&&x| hour(x) == 9).count(), 750);
        assert_eq!(times.iter().filter(|&&x| hour(x) == 18).count(), 250);
        assert!(times.windows(2).all(|p| p[0] <= p[1]));
        assert_eq!(t.total(), 1000);
    }

    #[test]
    fn bad_shapes_and_counts_name_their_key() {
        let e = Timeline::new(10, Some(&[1.0; 23]), US_PER_DAY).unwrap_err();
        assert!(e.to_string().contains("traffic.daily_shape"), "{e}");
        let mut w = vec![1.0; 24];
        w[5] = -1.0;
        let e = Timeline::new(10, Some(&w), US_PER_DAY).unwrap_err();
        assert!(e.to_string().contains("traffic.daily_shape[5]"), "{e}");
        let e = Timeline::new(10, Some(&[0.0; 24]), US_PER_DAY).unwrap_err();
        assert!(e.to_string().contains("all weights are 0"), "{e}");
        let e = Timeline::new(-1, None, US_PER_DAY).unwrap_err();
        assert!(e.to_string().contains("traffic.messages_per_day"), "{e}");
        assert_eq!(Timeline::new(0, None, US_PER_DAY).unwrap().total(), 0);
    }
}
