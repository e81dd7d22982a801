//! The RAG rules of the SPEC, in one place: list, show, report and the
//! point-in-time views all call [`health`].

use super::model::Item;
use super::vocab::{Health, Status};
use chrono::NaiveDate;

/// How far behind the straight line an item may fall before it turns amber.
pub const BEHIND_TOLERANCE: i64 = 25;

/// The health of `item` on day `on`; the first matching rule wins.
pub fn health(item: &Item, on: NaiveDate) -> Health {
    if let Some(pinned) = item.rag_override {
        return pinned.into();
    }
    match item.status {
        Status::Completed => return Health::Complete,
        Status::Cancelled | Status::CarriedForward => return Health::Closed,
        _ => {}
    }
    if days_overdue(item, on) > 0 {
        return Health::Red;
    }
    if item.status == Status::OnHold {
        return Health::Amber;
    }
    if let (Some(start), Some(due)) = (item.start, item.due)
        && behind_schedule(start, due, item.progress.get().into(), on)
    {
        return Health::Amber;
    }
    Health::Green
}

/// Days past the target date on `on` for outstanding work; 0 otherwise.
pub fn days_overdue(item: &Item, on: NaiveDate) -> i64 {
    match item.due {
        Some(due) if item.status.is_outstanding() && due < on => (on - due).num_days(),
        _ => 0,
    }
}

/// True when progress trails the line from 0% at `start` to 100% at `due`
/// by more than [`BEHIND_TOLERANCE`] points on `on`. Integer arithmetic keeps
/// the 25-point line exact: expected = 100·elapsed/span.
fn behind_schedule(start: NaiveDate, due: NaiveDate, progress: i64, on: NaiveDate) -> bool {
    let span = (due - start).num_days();
    let elapsed = (on - start).num_days();
    if span <= 0 {
        // A one-day plan: all of it is expected once the day is reached.
        return elapsed >= 0 && 100 - progress > BEHIND_TOLERANCE;
    }
    let elapsed = elapsed.clamp(0, span);
    // expected - progress > 25  ⇔  100·elapsed - progress·span > 25·span
    100 * elapsed - progress * span > BEHIND_TOLERANCE * span
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ItemId, Progress};
    use crate::domain::vocab::Rag;
    use chrono::Utc;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(status: Status, progress: i64, start: Option<&str>, due: Option<&str>) -> Item {
        let mut i = Item::blank(ItemId(1), "s".parse().unwrap(), Utc::now());
        i.title = "t".into();
        i.status = status;
        i.progress = Progress::new(progress).unwrap();
        i.start = start.map(d);
        i.due = due.map(d);
        i
    }

    #[test]
    fn override_wins_over_everything() {
        let mut i = item(Status::Completed, 100, None, None);
        i.rag_override = Some(Rag::Amber);
        assert_eq!(health(&i, d("2024-01-01")), Health::Amber);
    }

    #[test]
    fn closed_statuses() {
        let on = d("2024-01-01");
        assert_eq!(
            health(&item(Status::Completed, 100, None, Some("2020-01-01")), on),
            Health::Complete
        );
        assert_eq!(
            health(&item(Status::Cancelled, 10, None, Some("2020-01-01")), on),
            Health::Closed
        );
        assert_eq!(
            health(
                &item(Status::CarriedForward, 10, None, Some("2020-01-01")),
                on
            ),
            Health::Closed
        );
    }

    #[test]
    fn red_starts_the_day_after_the_target() {
        let i = item(Status::InProgress, 90, None, Some("2024-02-29"));
        assert_eq!(health(&i, d("2024-02-29")), Health::Green);
        assert_eq!(days_overdue(&i, d("2024-02-29")), 0);
        assert_eq!(health(&i, d("2024-03-01")), Health::Red);
        assert_eq!(days_overdue(&i, d("2024-03-01")), 1);
        assert_eq!(days_overdue(&i, d("2025-02-28")), 365);
    }

    #[test]
    fn on_hold_is_amber_unless_overdue() {
        let i = item(Status::OnHold, 0, None, Some("2024-06-30"));
        assert_eq!(health(&i, d("2024-01-01")), Health::Amber);
        assert_eq!(health(&i, d("2024-07-01")), Health::Red);
    }

    #[test]
    fn the_25_point_line_is_exact() {
        // 100-day plan; on day 50 the line says 50%.
        let on = d("2024-02-20"); // 2024-01-01 + 50 days
        let at = |p| {
            health(
                &item(
                    Status::InProgress,
                    p,
                    Some("2024-01-01"),
                    Some("2024-04-10"),
                ),
                on,
            )
        };
        assert_eq!(at(25), Health::Green); // exactly 25 behind: not more than 25
        assert_eq!(at(24), Health::Amber);
        assert_eq!(at(0), Health::Amber);
    }

    #[test]
    fn no_line_without_both_dates_and_none_before_the_start() {
        let on = d("2024-06-01");
        assert_eq!(
            health(&item(Status::Planned, 0, None, Some("2024-12-31")), on),
            Health::Green
        );
        assert_eq!(
            health(&item(Status::Planned, 0, Some("2024-01-01"), None), on),
            Health::Green
        );
        let future = item(Status::Planned, 0, Some("2024-07-01"), Some("2024-12-31"));
        assert_eq!(health(&future, on), Health::Green);
    }

    #[test]
    fn a_one_day_plan_is_due_in_full_on_its_day() {
        let i = item(
            Status::InProgress,
            50,
            Some("2024-03-01"),
            Some("2024-03-01"),
        );
        assert_eq!(health(&i, d("2024-02-29")), Health::Green);
        assert_eq!(health(&i, d("2024-03-01")), Health::Amber);
    }
}
