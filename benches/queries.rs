//! The core queries and rules, timed in-process with divan at 10,000 and
//! 100,000 items (200 items a strategy in both), so the two sizes can be
//! compared as a ratio within one run: a one-strategy query should cost
//! the same at either size.
//!
//!   cargo bench --bench queries

use chrono::{NaiveDate, TimeZone, Utc};
use divan::Bencher;
use std::path::PathBuf;
use std::sync::OnceLock;
use strat::domain::dates::Period;
use strat::domain::health::health;
use strat::domain::history::{Seen, rebuild};
use strat::domain::model::{Code, Event, Item, ItemId, Progress, Strategy, Tracked};
use strat::domain::summary::Summary;
use strat::domain::vocab::{Action, Status, StrategyStatus};
use strat::store::{Location, Store};

const PER_STRATEGY: usize = 200;
const SIZES: &[usize] = &[10_000, 100_000];

fn main() {
    divan::main();
}

fn code(s: usize) -> Code {
    format!("prog-{s:04}").parse().unwrap()
}

/// A database of `items` items with a creation event and a noted update
/// each, built once per size and kept for the whole run.
fn database(items: usize) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::TempDir::new().unwrap());
    let path = dir.path().join(format!("bench-{items}.db"));
    if path.exists() {
        return path;
    }
    let mut store = Store::open(&Location::File(path.clone())).unwrap();
    let day = |d: i64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(d);
    let at = Utc.with_ymd_and_hms(2024, 2, 1, 9, 0, 0).unwrap();
    store
        .write(|db| {
            for s in 0..items / PER_STRATEGY {
                db.insert_strategy(&Strategy {
                    title: format!("Programme {s}"),
                    status: StrategyStatus::Adopted,
                    period: Period::new(day(0), day(1460)).unwrap(),
                    ..Strategy::blank(code(s))
                })?;
            }
            for n in 0..items {
                let mut item = Item::blank(ItemId(0), code(n % (items / PER_STRATEGY)), at);
                item.title = format!("Item {n}");
                item.owner = Some(format!("Team {}", n % 60));
                item.status = [Status::Planned, Status::InProgress, Status::OnHold][n % 3];
                item.progress = Progress::new((n % 90) as i64).unwrap();
                item.start = Some(day((n % 300) as i64));
                item.due = Some(day(300 + (n % 700) as i64));
                let id = db.insert_item(&item, false)?;
                for (k, note) in [(0, None), (1, Some(format!("Checkpoint for {n}")))] {
                    db.insert_event(
                        &Event {
                            id: 0,
                            item: id,
                            at: at + chrono::Duration::days(k),
                            effective: (at + chrono::Duration::days(k)).date_naive(),
                            by: "bench".into(),
                            action: if k == 0 {
                                Action::Created
                            } else {
                                Action::Noted
                            },
                            changes: if k == 0 {
                                item.creation_changes()
                            } else {
                                Vec::new()
                            },
                            note,
                        },
                        false,
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
    path
}

fn one_strategy_items(items: usize) -> Vec<Item> {
    let mut store = Store::open_for_reading(&Location::File(database(items))).unwrap();
    store.read(|db| db.items(Some(&code(7)))).unwrap()
}

#[divan::bench(args = SIZES, sample_count = 200)]
fn items_of_one_strategy(bencher: Bencher, items: usize) {
    let mut store = Store::open_for_reading(&Location::File(database(items))).unwrap();
    bencher.bench_local(|| store.read(|db| db.items(Some(&code(7)))).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 200)]
fn latest_notes_of_one_strategy(bencher: Bencher, items: usize) {
    let mut store = Store::open_for_reading(&Location::File(database(items))).unwrap();
    bencher.bench_local(|| {
        store
            .read(|db| db.latest_notes(Some(&code(7)), None))
            .unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 100)]
fn as_of_rebuild_of_one_strategy(bencher: Bencher, items: usize) {
    let mut store = Store::open_for_reading(&Location::File(database(items))).unwrap();
    let seen = Some(Seen {
        day: NaiveDate::from_ymd_opt(2024, 6, 29).unwrap(),
        known: Some(Utc.with_ymd_and_hms(2024, 6, 30, 0, 0, 0).unwrap()),
    });
    bencher.bench_local(|| {
        store
            .read(|db| Ok(rebuild(db.history(Some(&code(7)), seen)?).unwrap()))
            .unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 50)]
fn item_update_in_a_transaction(bencher: Bencher, items: usize) {
    let mut store = Store::open(&Location::File(database(items))).unwrap();
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        store
            .write(|db| {
                let mut item = db.item(ItemId(7))?.unwrap();
                item.description = Some(format!("run {n}"));
                item.updated_at = Utc::now().max(item.updated_at);
                db.update_item(&item)
            })
            .unwrap()
    });
}

#[divan::bench]
fn summary_and_health_of_one_strategy(bencher: Bencher) {
    let items = one_strategy_items(10_000);
    let period = Period::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    )
    .unwrap();
    let on = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    bencher.bench_local(|| {
        let s = Summary::of(&items, period, on, on);
        let red = items
            .iter()
            .filter(|i| health(i, on) == strat::domain::vocab::Health::Red)
            .count();
        (s, red)
    });
}
