//! The RAG rules of the SPEC, in one place: list, show, report and the
//! point-in-time views all call [`health`].

use super::model::Item;
use super::vocab::{Health, Status};
use chrono::NaiveDate;

/// How far behind the straight line an item may fall before it turns amber.
pub const BEHIND_TOLERANCE: i64 = 25;

/// The health of `item` on day `on`; the first matching rule wins.
pub fn health(item: &Item, on: NaiveDate) -> Health {
    assess(item, on).0
}

/// Why `item` has the health it has on `on`, where it is not green,
/// complete or closed: "set by hand: …", "overdue by N days", "on hold",
/// "N points behind plan".
pub fn health_reason(item: &Item, on: NaiveDate) -> Option<String> {
    assess(item, on).1
}

/// The health and its reason, by the rules of the SPEC in their order.
fn assess(item: &Item, on: NaiveDate) -> (Health, Option<String>) {
    if let Some(pinned) = item.rag_override {
        let reason = match item.rag_reason.as_deref().filter(|r| !r.trim().is_empty()) {
            Some(r) => format!("set by hand: {r}"),
            None => "set by hand".to_string(),
        };
        let health: Health = pinned.into();
        return (health, (health != Health::Green).then_some(reason));
    }
    match item.status {
        Status::Completed => return (Health::Complete, None),
        Status::Cancelled | Status::CarriedForward => return (Health::Closed, None),
        _ => {}
    }
    match days_overdue(item, on) {
        0 => {}
        1 => return (Health::Red, Some("overdue by 1 day".into())),
        n => {
            let days = crate::domain::text::counted(n, "day", "days");
            return (Health::Red, Some(format!("overdue by {days}")));
        }
    }
    if item.status == Status::OnHold {
        return (Health::Amber, Some("on hold".into()));
    }
    if let (Some(start), Some(due)) = (item.start, item.due)
        && let Some(behind) = points_behind(start, due, item.progress.get().into(), on)
    {
        return (Health::Amber, Some(format!("{behind} points behind plan")));
    }
    (Health::Green, None)
}

/// True when `item` was completed after its target, or is outstanding
/// past it on `on`.
pub fn is_late(item: &Item, on: NaiveDate) -> bool {
    match (item.completed_on, item.due) {
        (Some(done), Some(due)) => done > due,
        _ => days_overdue(item, on) > 0,
    }
}

/// Days from the item's last update to `on` (0 for one after it).
pub fn days_since_update(item: &Item, on: NaiveDate) -> i64 {
    (on - item.last_update).num_days().max(0)
}

/// Days past the target date on `on` for outstanding work; 0 otherwise.
pub fn days_overdue(item: &Item, on: NaiveDate) -> i64 {
    match item.due {
        Some(due) if item.status.is_outstanding() && due < on => (on - due).num_days(),
        _ => 0,
    }
}

/// How many whole points progress trails the line from 0% at `start` to
/// 100% at `due` on `on`, when it trails it by more than
/// [`BEHIND_TOLERANCE`] points; `None` otherwise. Integer arithmetic keeps
/// the 25-point line exact: expected = 100·elapsed/span.
fn points_behind(start: NaiveDate, due: NaiveDate, progress: i64, on: NaiveDate) -> Option<i64> {
    let span = (due - start).num_days();
    let elapsed = (on - start).num_days();
    if span <= 0 {
        // A one-day plan: all of it is expected once the day is reached.
        let behind = 100 - progress;
        return (elapsed >= 0 && behind > BEHIND_TOLERANCE).then_some(behind);
    }
    let elapsed = elapsed.clamp(0, span);
    // expected - progress > 25  ⇔  100·elapsed - progress·span > 25·span
    (100 * elapsed - progress * span > BEHIND_TOLERANCE * span)
        .then(|| ((100 * elapsed - progress * span) / span).max(BEHIND_TOLERANCE + 1))
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

    #[test]
    fn each_health_that_is_not_green_says_why() {
        let on = d("2022-01-01");
        let reason = |i: &Item| health_reason(i, on);
        let overdue = item(Status::InProgress, 50, None, Some("2021-12-31"));
        assert_eq!(reason(&overdue).as_deref(), Some("overdue by 1 day"));
        let overdue = item(Status::InProgress, 50, None, Some("2021-12-01"));
        assert_eq!(reason(&overdue).as_deref(), Some("overdue by 31 days"));
        let held = item(Status::OnHold, 50, None, Some("2023-01-01"));
        assert_eq!(reason(&held).as_deref(), Some("on hold"));
        // half the span gone, 10% done: 40 points behind
        let behind = item(
            Status::InProgress,
            10,
            Some("2021-01-01"),
            Some("2022-12-31"),
        );
        assert_eq!(health(&behind, on), Health::Amber);
        assert_eq!(reason(&behind).as_deref(), Some("40 points behind plan"));
        let mut pinned = item(Status::InProgress, 90, None, None);
        pinned.rag_override = Some(Rag::Red);
        pinned.rag_reason = Some("supplier failed".into());
        assert_eq!(
            reason(&pinned).as_deref(),
            Some("set by hand: supplier failed")
        );
        let fine = item(Status::InProgress, 90, None, Some("2023-01-01"));
        assert_eq!(reason(&fine), None);
        let mut done = item(Status::Completed, 100, None, Some("2021-06-30"));
        done.completed_on = Some(d("2021-07-15"));
        assert_eq!(reason(&done), None);
        assert!(is_late(&done, on));
        done.completed_on = Some(d("2021-06-30"));
        assert!(!is_late(&done, on));
        assert!(is_late(&overdue, on));
        assert!(!is_late(&fine, on));
    }
}
