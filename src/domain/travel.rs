//! Direction of travel: how each item moved since an earlier day, by the
//! rule of the SPEC, and how many moved each way.

use super::model::Progress;
use super::vocab::{Direction, Health, Status};
use serde::Serialize;

/// An item as it stood on the day compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Then {
    pub status: Status,
    pub progress: Progress,
    pub health: Health,
}

fn is_closed(s: Status) -> bool {
    matches!(s, Status::Cancelled | Status::CarriedForward)
}

/// Red < amber < green < complete; a closed item has no place.
fn rank(h: Health) -> Option<u8> {
    match h {
        Health::Red => Some(0),
        Health::Amber => Some(1),
        Health::Green => Some(2),
        Health::Complete => Some(3),
        Health::Closed => None,
    }
}

/// The direction of an item that stands at `now` and stood at `then`
/// (`None`: it did not exist). An item closed then and open now (reopened)
/// is compared by progress alone.
pub fn direction(then: Option<&Then>, now: &Then) -> Direction {
    let Some(then) = then else {
        return Direction::New;
    };
    match (is_closed(then.status), is_closed(now.status)) {
        (true, true) => return Direction::Same,
        (false, true) => return Direction::Closed,
        _ => {}
    }
    let by_health = match (rank(then.health), rank(now.health)) {
        (Some(a), Some(b)) => b.cmp(&a),
        _ => std::cmp::Ordering::Equal,
    };
    match by_health.then(now.progress.cmp(&then.progress)) {
        std::cmp::Ordering::Greater => Direction::Better,
        std::cmp::Ordering::Less => Direction::Worse,
        std::cmp::Ordering::Equal => Direction::Same,
    }
}

/// How many items moved each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Directions {
    pub better: usize,
    pub same: usize,
    pub worse: usize,
    pub new: usize,
    pub closed: usize,
}

impl Directions {
    pub fn add(&mut self, d: Direction) {
        match d {
            Direction::Better => self.better += 1,
            Direction::Same => self.same += 1,
            Direction::Worse => self.worse += 1,
            Direction::New => self.new += 1,
            Direction::Closed => self.closed += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(status: Status, progress: i64, health: Health) -> Then {
        Then {
            status,
            progress: Progress::new(progress).unwrap(),
            health,
        }
    }

    use Health::*;
    use Status::*;

    /// One case per row of the SPEC's rule.
    #[test]
    fn the_rule_of_the_spec_row_by_row() {
        let now = at(InProgress, 50, Green);
        // new: it did not exist then
        assert_eq!(direction(None, &now), Direction::New);
        // closed: cancelled or carried forward since
        let open = at(InProgress, 40, Amber);
        assert_eq!(
            direction(Some(&open), &at(Cancelled, 40, Closed)),
            Direction::Closed
        );
        assert_eq!(
            direction(Some(&open), &at(CarriedForward, 40, Closed)),
            Direction::Closed
        );
        // closed both then and now: same
        assert_eq!(
            direction(Some(&at(Cancelled, 10, Closed)), &at(Cancelled, 10, Closed)),
            Direction::Same
        );
        // by health rank: red < amber < green < complete
        assert_eq!(
            direction(Some(&at(InProgress, 50, Red)), &now),
            Direction::Better
        );
        assert_eq!(
            direction(Some(&at(InProgress, 80, Green)), &at(InProgress, 90, Amber)),
            Direction::Worse
        );
        assert_eq!(
            direction(
                Some(&at(InProgress, 90, Green)),
                &at(Completed, 100, Complete)
            ),
            Direction::Better
        );
        // at equal health, by progress
        assert_eq!(
            direction(Some(&at(InProgress, 40, Green)), &now),
            Direction::Better
        );
        assert_eq!(
            direction(Some(&at(InProgress, 60, Green)), &now),
            Direction::Worse
        );
        assert_eq!(direction(Some(&now), &now), Direction::Same);
        // reopened: by progress alone
        assert_eq!(
            direction(Some(&at(Cancelled, 10, Closed)), &at(InProgress, 30, Red)),
            Direction::Better
        );
    }
}
