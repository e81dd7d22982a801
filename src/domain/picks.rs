//! Which items a list or a report shows: by owner, theme and health, each
//! matching any of its values (none given: any item).

use super::health::health;
use super::model::Item;
use super::vocab::Health;
use chrono::NaiveDate;

#[derive(Debug, Clone, Default)]
pub struct Picks {
    owners: Vec<String>,
    themes: Vec<String>,
    health: Vec<Health>,
}

impl Picks {
    pub fn new(owners: Vec<String>, themes: Vec<String>, health: Vec<Health>) -> Picks {
        Picks {
            owners,
            themes,
            health,
        }
    }

    /// True when `item` passes every filter given, its health taken on `on`.
    /// Owners and themes match whole, ignoring case.
    pub fn keeps(&self, item: &Item, on: NaiveDate) -> bool {
        let any = |wanted: &[String], field: &Option<String>| {
            wanted.is_empty()
                || field
                    .as_deref()
                    .is_some_and(|f| wanted.iter().any(|w| f.eq_ignore_ascii_case(w)))
        };
        any(&self.owners, &item.owner)
            && any(&self.themes, &item.theme)
            && (self.health.is_empty() || self.health.contains(&health(item, on)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ItemId, Progress};
    use crate::domain::vocab::Status;
    use chrono::Utc;

    #[test]
    fn each_filter_matches_any_of_its_values_and_all_must_pass() {
        let on = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let mut item = Item::blank(ItemId(1), "tech-2020".parse().unwrap(), Utc::now());
        item.title = "SAN".into();
        item.owner = Some("Infrastructure".into());
        item.status = Status::InProgress;
        item.progress = Progress::new(10).unwrap();
        item.due = NaiveDate::from_ymd_opt(2021, 6, 30); // overdue: red
        assert!(Picks::default().keeps(&item, on));
        let owners = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(Picks::new(owners(&["x", "infrastructure"]), vec![], vec![]).keeps(&item, on));
        assert!(!Picks::new(owners(&["x"]), vec![], vec![]).keeps(&item, on));
        assert!(Picks::new(vec![], vec![], vec![Health::Red, Health::Amber]).keeps(&item, on));
        assert!(!Picks::new(vec![], vec![], vec![Health::Green]).keeps(&item, on));
        // no theme given to the item: a theme filter leaves it out
        assert!(!Picks::new(vec![], owners(&["Data"]), vec![]).keeps(&item, on));
    }
}
