//! The `summary` numbers of a strategy, exactly as the SPEC defines them.

use super::dates::{Period, round_ratio};
use super::health::{days_overdue, health};
use super::model::Item;
use super::vocab::{Health, Status};
use chrono::NaiveDate;
use serde::Serialize;

/// How many items have each health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HealthCounts {
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    pub complete: usize,
    pub closed: usize,
}

impl HealthCounts {
    pub fn add(&mut self, h: Health) {
        match h {
            Health::Red => self.red += 1,
            Health::Amber => self.amber += 1,
            Health::Green => self.green += 1,
            Health::Complete => self.complete += 1,
            Health::Closed => self.closed += 1,
        }
    }
}

/// A strategy's headline numbers on a given day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub items: usize,
    pub completed: usize,
    pub outstanding: usize,
    pub overdue: usize,
    /// Outstanding items whose last update is older than the staleness line.
    pub stale: usize,
    pub cancelled: usize,
    pub carried_forward: usize,
    /// completed ÷ (items − cancelled), rounded; 0 when nothing counts.
    pub percent_complete: u8,
    /// Mean progress of the items that are not cancelled, rounded.
    pub average_progress: u8,
    pub period_elapsed_percent: u8,
    pub health: HealthCounts,
}

/// True when `item` is outstanding and its last update holds from before
/// `line`: a return that has not come in.
pub fn is_stale(item: &Item, line: NaiveDate) -> bool {
    item.status.is_outstanding() && item.last_update < line
}

impl Summary {
    /// The summary of `items` on day `on`; items last updated before
    /// `stale_line` count as stale.
    pub fn of<'a>(
        items: impl IntoIterator<Item = &'a Item>,
        period: Period,
        on: NaiveDate,
        stale_line: NaiveDate,
    ) -> Self {
        let mut s = Summary {
            period_elapsed_percent: period.elapsed_percent(on),
            ..Summary::default()
        };
        let mut progress_sum: i64 = 0;
        for item in items {
            s.items += 1;
            match item.status {
                Status::Completed => s.completed += 1,
                Status::Cancelled => s.cancelled += 1,
                Status::CarriedForward => s.carried_forward += 1,
                _ => s.outstanding += 1,
            }
            if item.status != Status::Cancelled {
                progress_sum += i64::from(item.progress.get());
            }
            if days_overdue(item, on) > 0 {
                s.overdue += 1;
            }
            if is_stale(item, stale_line) {
                s.stale += 1;
            }
            s.health.add(health(item, on));
        }
        let counted = (s.items - s.cancelled) as i64;
        s.percent_complete = round_ratio(s.completed as i64, counted);
        s.average_progress = if counted == 0 {
            0
        } else {
            // round to nearest: (sum + counted/2) / counted, exact in integers
            ((2 * progress_sum + counted) / (2 * counted)) as u8
        };
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ItemId, Progress};
    use chrono::Utc;

    fn item(status: Status, progress: i64, due: Option<&str>) -> Item {
        let mut i = Item::blank(ItemId(1), "s".parse().unwrap(), Utc::now());
        i.title = "t".into();
        i.status = status;
        i.progress = Progress::new(progress).unwrap();
        i.due = due.map(|s| s.parse().unwrap());
        i.last_update = "2021-06-01".parse().unwrap();
        i
    }

    #[test]
    fn numbers_follow_the_spec() {
        let items = [
            item(Status::Completed, 100, Some("2021-06-30")),
            item(Status::InProgress, 50, Some("2021-01-31")), // overdue
            item(Status::Planned, 0, None),
            item(Status::Cancelled, 10, None),
            item(Status::CarriedForward, 35, None),
        ];
        let period: Period = "2020-2023".parse().unwrap();
        let day = "2021-12-31".parse().unwrap();
        let s = Summary::of(&items, period, day, "2021-10-02".parse().unwrap());
        // The two outstanding items were last updated on 2021-06-01.
        assert_eq!(s.stale, 2);
        assert_eq!(Summary::of(&items, period, day, NaiveDate::MIN).stale, 0);
        assert_eq!(
            (s.items, s.completed, s.outstanding, s.overdue),
            (5, 1, 2, 1)
        );
        assert_eq!((s.cancelled, s.carried_forward), (1, 1));
        assert_eq!(s.percent_complete, 25); // 1 of 4
        assert_eq!(s.average_progress, 46); // (100+50+0+35)/4 = 46.25
        assert_eq!(s.period_elapsed_percent, 50); // 731 of 1461 days
        assert_eq!(
            s.health,
            HealthCounts {
                red: 1,
                amber: 0,
                green: 1,
                complete: 1,
                closed: 2
            }
        );
    }

    #[test]
    fn nothing_counts_gives_zero() {
        let period: Period = "2020-2023".parse().unwrap();
        let s = Summary::of(
            &[item(Status::Cancelled, 0, None)],
            period,
            "2021-01-01".parse().unwrap(),
            NaiveDate::MIN,
        );
        assert_eq!((s.percent_complete, s.average_progress), (0, 0));
    }
}
