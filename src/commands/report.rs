//! `strat report` and `strat outstanding`: what a programme office takes
//! to committee, now or as it stood on a past day.

use super::listing::{Order, print_items};
use super::{AsOf, Ctx, Outcome, items_of, named_once, stale_line, strategies_as_of};
use crate::cli::{Format, OutstandingArgs, ReportArgs};
use crate::domain::dates::{Unit, Within};
use crate::domain::health::{days_overdue, days_since_update, health, health_reason, is_late};
use crate::domain::history::rebuild_strategies;
use crate::domain::model::{Code, Item, ItemId, Note, Strategy, StrategyEvent};
use crate::domain::picks::Picks;
use crate::domain::summary::{Summary, is_stale};
use crate::domain::travel::{Directions, Then, direction};
use crate::domain::vocab::{Direction, Health};
use crate::error::{Error, Result};
use crate::output::shapes::{ItemJson, StrategyJson};
use crate::output::views::headline;
use crate::output::{Block, Cell, Doc, JsonOut, Printer, Streamed, Table, View};
use crate::store::{Db, Store};
use chrono::NaiveDate;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, sync_channel};

/// One item line of a report.
pub struct ReportItem {
    pub item: Item,
    pub health: Health,
    pub days_overdue: i64,
    pub latest_note: Option<Note>,
    /// "carried to digital-2024 #31" / "from tech-2020 #4".
    pub link: Option<String>,
    /// Under `--compare`: how it stood then (`None`: it did not exist),
    /// and which way it moved.
    pub travel: Option<(Option<Then>, Direction)>,
}

pub struct StrategyReport {
    pub strategy: Strategy,
    pub summary: Summary,
    /// The latest note on the strategy as a whole.
    pub note: Option<StrategyEvent>,
    pub items: Vec<ReportItem>,
    pub travel: Option<Travel>,
}

/// A strategy under `--compare`.
pub struct Travel {
    pub day: NaiveDate,
    /// Its summary then; `None` when it did not hold yet.
    pub previous_summary: Option<Summary>,
    pub directions: Directions,
}

/// What a report compares with, and how staleness is judged.
#[derive(Clone, Copy)]
pub struct Measures {
    pub compare: Option<NaiveDate>,
    pub stale: Option<Within>,
}

/// How the items of `strategy` stood on the day compared with: each
/// item's state then, and the strategy's summary then.
fn then_of(
    db: &Db,
    strategy: &Code,
    as_of: AsOf,
    day: NaiveDate,
    stale: Option<Within>,
) -> Result<(HashMap<ItemId, Then>, Option<Summary>)> {
    let view = as_of.on(day);
    let items = items_of(db, Some(strategy), view)?;
    let summary = match strategies_held(db, strategy, view)? {
        Some(s) => Some(Summary::of(&items, s.period, day, stale_line(day, stale)?)),
        None => None,
    };
    let then = items.iter().map(|i| (i.id, then_state(i, day))).collect();
    Ok((then, summary))
}

/// The strategy as it stood in `view`, `None` when it did not hold yet.
fn strategies_held(db: &Db, code: &Code, view: AsOf) -> Result<Option<Strategy>> {
    let history = db.strategy_history(Some(code), view.seen)?;
    Ok(rebuild_strategies(history).map_err(super::damaged)?.pop())
}

fn then_state(item: &Item, day: NaiveDate) -> Then {
    Then {
        status: item.status,
        progress: item.progress,
        health: health(item, day),
    }
}

/// Each item's direction since then, counted.
fn directions(items: &[Item], then: &HashMap<ItemId, Then>, day: NaiveDate) -> Directions {
    let mut counts = Directions::default();
    for i in items {
        counts.add(direction(then.get(&i.id), &then_state(i, day)));
    }
    counts
}

/// Red first, then amber, green, complete, closed.
fn health_rank(h: Health) -> u8 {
    match h {
        Health::Red => 0,
        Health::Amber => 1,
        Health::Green => 2,
        Health::Complete => 3,
        Health::Closed => 4,
    }
}

/// The report one strategy at a time: each strategy's items and notes are
/// read when its turn comes, so what is held follows the largest strategy,
/// not the portfolio.
struct Parts<'a> {
    db: &'a Db<'a>,
    as_of: AsOf,
    strategies: std::vec::IntoIter<Strategy>,
    /// The strategy of each linked item met so far.
    link_codes: HashMap<ItemId, Code>,
    /// For a report of everything, the latest notes of all items, read in
    /// one pass: per strategy, the notes' events would be sought all over
    /// the history, once for each strategy.
    notes: Option<HashMap<ItemId, Note>>,
    /// Outstanding items last updated before this day are stale.
    stale_line: NaiveDate,
    /// Which items are listed; the summary counts them all.
    picks: Picks,
    measures: Measures,
    /// The latest note on each strategy.
    strategy_notes: HashMap<Code, StrategyEvent>,
}

impl<'a> Parts<'a> {
    fn new(
        db: &'a Db<'a>,
        codes: &[Code],
        as_of: AsOf,
        picks: Picks,
        measures: Measures,
    ) -> Result<Parts<'a>> {
        Ok(Parts {
            db,
            as_of,
            picks,
            measures,
            stale_line: stale_line(as_of.day, measures.stale)?,
            strategy_notes: db.strategy_notes(as_of.seen)?,
            strategies: strategies_as_of(db, codes, as_of)?.into_iter(),
            link_codes: HashMap::new(),
            notes: match codes {
                [] => Some(db.latest_notes(None, as_of.seen)?),
                _ => None,
            },
        })
    }

    fn next(&mut self) -> Result<Option<StrategyReport>> {
        let Some(strategy) = self.strategies.next() else {
            return Ok(None);
        };
        let (db, as_of) = (self.db, self.as_of);
        let items = items_of(db, Some(&strategy.code), as_of)?;
        let mut own_notes;
        let notes = match &mut self.notes {
            Some(all) => all,
            None => {
                own_notes = db.latest_notes(Some(&strategy.code), as_of.seen)?;
                &mut own_notes
            }
        };
        let links = &mut self.link_codes;
        let summary = Summary::of(&items, strategy.period, as_of.day, self.stale_line);
        let (then, travel) = match self.measures.compare {
            Some(day) => {
                let (then, previous_summary) =
                    then_of(db, &strategy.code, as_of, day, self.measures.stale)?;
                let travel = Travel {
                    day,
                    previous_summary,
                    directions: directions(&items, &then, as_of.day),
                };
                (Some(then), Some(travel))
            }
            None => (None, None),
        };
        let mut lines = Vec::with_capacity(items.len());
        for item in items {
            if !self.picks.keeps(&item, as_of.day) {
                continue;
            }
            let link = match (item.carried_to, item.carried_from) {
                (Some(to), _) => Some(format!("carried to {}", link_name(db, links, to)?)),
                (None, Some(from)) => Some(format!("from {}", link_name(db, links, from)?)),
                _ => None,
            };
            let travel = then.as_ref().map(|then| {
                let was = then.get(&item.id).copied();
                (was, direction(was.as_ref(), &then_state(&item, as_of.day)))
            });
            lines.push(ReportItem {
                travel,
                health: health(&item, as_of.day),
                days_overdue: days_overdue(&item, as_of.day),
                latest_note: notes.remove(&item.id),
                link,
                item,
            });
        }
        // Keys first, then each line moved once: the lines are large.
        lines.sort_by_cached_key(|l| {
            (
                health_rank(l.health),
                -l.days_overdue,
                l.item.due.is_none(),
                l.item.due,
                l.item.id,
            )
        });
        Ok(Some(StrategyReport {
            note: self.strategy_notes.remove(&strategy.code),
            strategy,
            summary,
            items: lines,
            travel,
        }))
    }
}

/// `code #n` for a linked item; the strategy of an item never changes, so
/// today's answer holds for any past day too.
fn link_name(db: &Db, cache: &mut HashMap<ItemId, Code>, id: ItemId) -> Result<String> {
    if let Some(code) = cache.get(&id) {
        return Ok(format!("{code} {id}"));
    }
    Ok(match db.item(id)? {
        Some(item) => {
            let name = format!("{} {id}", item.strategy);
            cache.insert(id, item.strategy);
            name
        }
        None => id.to_string(),
    })
}

/// `strat report`: checks the named strategies now, so a wrong code fails
/// before anything is printed, then prints the report as it reads it (see
/// [`print_report`]).
pub fn report(ctx: &Ctx, mut store: Store, args: ReportArgs, out: &mut Printer) -> Result<Outcome> {
    let as_of = ctx.view(args.view)?;
    let compare = args.compare.map(|d| ctx.date("--compare", d)).transpose()?;
    if let Some(day) = compare
        && day >= as_of.day
    {
        return Err(Error::invalid(format!(
            "--compare {day} is not before the day the report shows ({})\n\
             Compare with an earlier day, such as the end of the last quarter.",
            as_of.day
        )));
    }
    let measures = Measures {
        compare,
        stale: args.stale,
    };
    stale_line(as_of.day, args.stale)?;
    let codes = named_once(args.strategies);
    store.read(|db| strategies_as_of(db, &codes, as_of).map(drop))?;
    print_report(store, codes, as_of, args.picks.picks(), measures, out)?;
    Ok(Outcome::default())
}

/// What the reading side of a report hands the printing side, in order.
enum Piece {
    /// Every strategy's summary (and directions, under `--compare`), for
    /// the overview of a report of all.
    Overview(Vec<(Strategy, Summary, Option<Directions>)>),
    Part(Box<StrategyReport>),
}

/// Prints the report of the named strategies (all when none is named) as
/// of `as_of`, read in one read transaction, strategy by strategy: a
/// report of a whole portfolio never holds more than its largest strategy.
/// A report of everything, and any in JSON, is read on a thread of its own
/// while this one writes the last strategy; a few strategies for people
/// are read here, where a thread would cost more than it saves.
pub fn print_report(
    store: Store,
    codes: Vec<Code>,
    as_of: AsOf,
    picks: Picks,
    measures: Measures,
    out: &mut Printer,
) -> Result<()> {
    // The overview a report of everything opens with needs every
    // strategy's summary first, so its items are read twice; only the
    // documents for people show it.
    let all = codes.is_empty();
    let overview = all
        && matches!(
            out.format(),
            Format::Table | Format::Markdown | Format::Html
        );
    let mut store = store;
    if !all && out.format() != Format::Json {
        return store.read(|db| {
            let report = ReadReport {
                pieces: RefCell::new(Pieces::Here(Box::new(Parts::new(
                    db, &codes, as_of, picks, measures,
                )?))),
                all,
                as_of,
                measures,
            };
            out.print(&report)
        });
    }
    std::thread::scope(|scope| {
        let (pieces_tx, pieces) = sync_channel::<Result<Piece>>(4);
        let reader = scope.spawn(move || {
            let read = store.read(|db| {
                if overview
                    && pieces_tx
                        .send(Ok(Piece::Overview(summaries(db, as_of, measures)?)))
                        .is_err()
                {
                    return Ok(());
                }
                let mut parts = Parts::new(db, &codes, as_of, picks, measures)?;
                while let Some(part) = parts.next()? {
                    if pieces_tx.send(Ok(Piece::Part(Box::new(part)))).is_err() {
                        break; // the printing side has stopped
                    }
                }
                Ok(())
            });
            if let Err(e) = read {
                let _ = pieces_tx.send(Err(e));
            }
        });
        let report = ReadReport {
            pieces: RefCell::new(Pieces::Sent(pieces)),
            all,
            as_of,
            measures,
        };
        let printed = out.print(&report);
        // Closing the channel stops a reader the printing left behind.
        drop(report);
        reader
            .join()
            .map_err(|_| Error::bug("the report's reading thread failed"))?;
        printed
    })
}

/// Where a report's pieces come from: its reading thread, or the parts
/// read here.
enum Pieces<'a> {
    Sent(Receiver<Result<Piece>>),
    Here(Box<Parts<'a>>),
}

/// A report as it is read.
struct ReadReport<'a> {
    pieces: RefCell<Pieces<'a>>,
    /// A report of every strategy (with an overview for people).
    all: bool,
    as_of: AsOf,
    measures: Measures,
}

impl ReadReport<'_> {
    fn title(&self) -> String {
        if self.as_of.seen.is_some() {
            format!("Status report as of {}", self.as_of.day)
        } else {
            format!("Status report, {}", self.as_of.day)
        }
    }

    /// The next piece, `None` after the last.
    fn next(&self) -> Result<Option<Piece>> {
        match &mut *self.pieces.borrow_mut() {
            Pieces::Sent(pieces) => pieces.recv().ok().transpose(),
            Pieces::Here(parts) => Ok(parts.next()?.map(|p| Piece::Part(Box::new(p)))),
        }
    }

    /// The next strategy's part, `None` after the last.
    fn next_part(&self) -> Result<Option<StrategyReport>> {
        loop {
            match self.next()? {
                Some(Piece::Part(part)) => return Ok(Some(*part)),
                Some(Piece::Overview(_)) => {}
                None => return Ok(None),
            }
        }
    }
}

impl View for ReadReport<'_> {
    fn write_json(&self, out: &mut JsonOut) -> Result<()> {
        let day = self.as_of.day;
        // Nothing is written before the first part (or the error that
        // there is none) has come.
        let mut first = Some(self.next_part()?);
        let list = Streamed::new(|| {
            let part = match first.take() {
                Some(part) => part,
                None => self.next_part()?,
            };
            Ok(part.map(|report| OwnedPart { report, day }))
        });
        let written = out.value(&ReportJson {
            as_of: day,
            compared_with: self.measures.compare,
            strategies: &list,
        });
        list.finish(written)
    }

    /// The committee pack: written strategy by strategy as they are read.
    fn html(&self, out: &mut dyn std::io::Write) -> Result<()> {
        use super::report_html::{key, opening, overview, section};
        let day = self.as_of.day;
        let title = self.title();
        crate::output::html::page(out, &title, |out| {
            out.write_all(
                opening(&title, day, self.measures.compare)
                    .into_string()
                    .as_bytes(),
            )?;
            if self.all
                && let Some(Piece::Overview(summaries)) = self.next()?
            {
                let rows: Vec<_> = summaries
                    .into_iter()
                    .map(|(s, m, _)| (s.code.to_string(), s.title, s.status.to_string(), m))
                    .collect();
                out.write_all(overview(&rows).into_string().as_bytes())?;
            }
            while let Some(r) = self.next_part()? {
                out.write_all(section(&r, day).into_string().as_bytes())?;
            }
            out.write_all(key(self.measures.compare).into_string().as_bytes())?;
            Ok(())
        })
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let day = self.as_of.day;
        doc.block(Block::Title(self.title()))?;
        if let Some(then) = self.measures.compare {
            doc.block(Block::Text(format!("Compared with the end of {then}.")))?;
        }
        if self.all {
            let summaries = match self.next()? {
                Some(Piece::Overview(summaries)) => summaries,
                _ => {
                    return Err(Error::bug(
                        "a report of everything came without its overview",
                    ));
                }
            };
            doc.block(if summaries.is_empty() {
                Block::Text(
                    "No strategies yet. Add one with: strat strategy add CODE --title T --period Y1-Y2".into(),
                )
            } else {
                Block::Table(overview_table(&summaries))
            })?;
        }
        let mut any_items = false;
        while let Some(r) = self.next_part()? {
            let mut fields = headline(&r.strategy, &r.summary);
            fields.insert(
                fields.len().min(9),
                ("Stale", Cell::from(stale_text(&r.summary, self.measures))),
            );
            if let Some(t) = &r.travel {
                fields.push(("Compared with", Cell::from(compared_text(t))));
            }
            if let Some(note) = &r.note {
                fields.push((
                    "Note",
                    Cell::Prose(format!(
                        "{} ({}): {}",
                        note.effective,
                        note.by,
                        note.note.as_deref().unwrap_or_default()
                    )),
                ));
            }
            doc.blocks([
                Block::Heading(format!("{} ({})", r.strategy.title, r.strategy.code)),
                Block::Fields(fields),
            ])?;
            if r.items.is_empty() {
                doc.block(Block::Text("No items.".into()))?;
                continue;
            }
            any_items = true;
            let rows = r
                .items
                .iter()
                .map(|l| {
                    vec![
                        Cell::Int(l.item.id.0),
                        Cell::opt(l.item.reference.as_ref()),
                        Cell::from(item_title(l)),
                        Cell::opt(l.item.owner.as_ref()),
                        Cell::from(l.item.status.as_str()),
                        Cell::Bar(l.item.progress.get()),
                        Cell::opt(l.item.due),
                        match l.travel {
                            Some((_, d)) => Cell::Marked(l.health, arrow(d)),
                            None => Cell::Health(l.health),
                        },
                        Cell::opt(why(l, day)),
                        Cell::prose(l.latest_note.as_ref().map(note_text)),
                    ]
                })
                .collect();
            doc.block(Block::Table(Table {
                headers: vec![
                    "#",
                    "ref",
                    "title",
                    "owner",
                    "status",
                    "progress",
                    "target",
                    "health",
                    "why",
                    "latest note",
                ],
                rows,
            }))?;
        }
        if any_items || self.all {
            doc.block(Block::Text(key(self.measures.compare)))?;
        }
        Ok(())
    }

    /// One row per item, with its strategy, for spreadsheets.
    fn csv(&self, doc: &mut Doc) -> Result<()> {
        let mut rows = doc.table(vec![
            "strategy",
            "id",
            "ref",
            "title",
            "owner",
            "theme",
            "status",
            "progress",
            "start",
            "due",
            "days_overdue",
            "health",
            "health_reason",
            "direction",
            "last_update",
            "latest_note_on",
            "latest_note",
        ])?;
        {
            while let Some(r) = self.next_part()? {
                for l in &r.items {
                    rows.row(vec![
                        Cell::from(r.strategy.code.as_str()),
                        Cell::Int(l.item.id.0),
                        Cell::opt(l.item.reference.as_ref()),
                        Cell::from(item_title(l)),
                        Cell::opt(l.item.owner.as_ref()),
                        Cell::opt(l.item.theme.as_ref()),
                        Cell::from(l.item.status.as_str()),
                        Cell::Bar(l.item.progress.get()),
                        Cell::opt(l.item.start),
                        Cell::opt(l.item.due),
                        Cell::Int(l.days_overdue),
                        Cell::Health(l.health),
                        Cell::opt(health_reason(&l.item, self.as_of.day)),
                        Cell::opt(l.travel.map(|(_, d)| d.as_str())),
                        Cell::from(l.item.last_update.to_string()),
                        Cell::opt(l.latest_note.as_ref().map(|n| n.on)),
                        Cell::prose(l.latest_note.as_ref().map(|n| &n.text)),
                    ])?;
                }
            }
        }
        rows.finish()
    }
}

/// The arrow beside a health under `--compare`.
pub(super) fn arrow(d: Direction) -> &'static str {
    match d {
        Direction::Better => "↑",
        Direction::Same => "→",
        Direction::Worse => "↓",
        Direction::New => "+",
        Direction::Closed => "×",
    }
}

/// What every symbol of the report means.
fn key(compare: Option<NaiveDate>) -> String {
    let mut key = "Key: progress bars fill one █ for each tenth done (░ still to do); \
                   \"why\" says what makes an item red or amber (\"set by hand\" where its \
                   health was pinned, with the reason given) or when it was completed; a \
                   latest note starts with the day it holds from."
        .to_string();
    if let Some(then) = compare {
        key.push_str(&format!(
            " Beside the health, the direction since {then}: ↑ better, → the same, ↓ worse \
             (by health, then progress), + new since, × closed since (cancelled or carried \
             forward); the overview's travel counts them."
        ));
    }
    key
}

/// Why an item's health is what it is, or when it was completed.
pub(super) fn why(l: &ReportItem, day: NaiveDate) -> Option<String> {
    if let Some(reason) = health_reason(&l.item, day) {
        return Some(reason);
    }
    let done = l.item.completed_on?;
    Some(match l.item.due {
        Some(due) if done > due => format!("completed {done}, after its target"),
        _ => format!("completed {done}"),
    })
}

/// The headline's count of stale items, with the line it was drawn at.
fn stale_text(s: &Summary, measures: Measures) -> String {
    let within = measures.stale.map_or("90 days".to_string(), within_text);
    format!("{} (outstanding, no update for over {within})", s.stale)
}

fn within_text(w: Within) -> String {
    let unit = match w.1 {
        Unit::Day => "day",
        Unit::Week => "week",
        Unit::Month => "month",
        Unit::Year => "year",
    };
    format!("{} {unit}{}", w.0, if w.0 == 1 { "" } else { "s" })
}

/// The headline's line under `--compare`.
fn compared_text(t: &Travel) -> String {
    let d = &t.directions;
    let moved = format!(
        "{} better, {} the same, {} worse, {} new, {} closed",
        d.better, d.same, d.worse, d.new, d.closed
    );
    match &t.previous_summary {
        Some(p) => format!(
            "{}: {} of {} complete ({}%), {} red, {} amber; since then {moved}",
            t.day,
            p.completed,
            p.items - p.cancelled,
            p.percent_complete,
            p.health.red,
            p.health.amber
        ),
        None => format!(
            "{}: the strategy did not hold yet; since then {moved}",
            t.day
        ),
    }
}

/// Every strategy with the summary of its items, as they stood, and
/// under `--compare` their directions since.
fn summaries(
    db: &Db,
    as_of: AsOf,
    measures: Measures,
) -> Result<Vec<(Strategy, Summary, Option<Directions>)>> {
    let line = stale_line(as_of.day, measures.stale)?;
    strategies_as_of(db, &[], as_of)?
        .into_iter()
        .map(|s| {
            let items = items_of(db, Some(&s.code), as_of)?;
            let summary = Summary::of(&items, s.period, as_of.day, line);
            let moved = match measures.compare {
                Some(day) => {
                    let (then, _) = then_of(db, &s.code, as_of, day, measures.stale)?;
                    Some(directions(&items, &then, as_of.day))
                }
                None => None,
            };
            Ok((s, summary, moved))
        })
        .collect()
}

fn overview_table(summaries: &[(Strategy, Summary, Option<Directions>)]) -> Table {
    let compared = summaries.iter().any(|(_, _, d)| d.is_some());
    let rows = summaries
        .iter()
        .map(|(strategy, s, moved)| {
            let mut row = vec![
                Cell::from(strategy.code.as_str()),
                Cell::from(strategy.title.as_str()),
                Cell::from(strategy.status.as_str()),
                Cell::from(format!("{}%", s.period_elapsed_percent)),
                Cell::from(format!(
                    "{} of {} ({}%)",
                    s.completed,
                    s.items - s.cancelled,
                    s.percent_complete
                )),
                Cell::Bar(s.average_progress),
                Cell::Int(s.outstanding as i64),
                Cell::Int(s.overdue as i64),
                Cell::Int(s.stale as i64),
                // A count and its word stay on one line when the cell wraps.
                Cell::from(format!(
                    "{}\u{a0}red, {}\u{a0}amber, {}\u{a0}green",
                    s.health.red, s.health.amber, s.health.green
                )),
            ];
            if let Some(d) = moved {
                row.push(Cell::from(format!(
                    "{}\u{a0}↑\u{a0}better, {}\u{a0}→\u{a0}same, {}\u{a0}↓\u{a0}worse",
                    d.better, d.same, d.worse
                )));
            }
            row
        })
        .collect();
    let mut headers = vec![
        "code",
        "title",
        "status",
        "elapsed",
        "complete",
        "average progress",
        "outstanding",
        "overdue",
        "stale",
        "health",
    ];
    if compared {
        headers.push("travel");
    }
    Table { headers, rows }
}

pub fn outstanding(
    ctx: &Ctx,
    mut store: Store,
    args: OutstandingArgs,
    out: &mut Printer,
) -> Result<Outcome> {
    let as_of = ctx.view(args.view)?;
    let stale = args
        .stale
        .map(|s| stale_line(as_of.day, Some(s)))
        .transpose()?;
    let until = args
        .due_within
        .map(|w| {
            w.until(as_of.day).map_err(|e| {
                crate::error::Error::invalid(format!("invalid value for --due-within: {e}"))
            })
        })
        .transpose()?;
    let day = as_of.day;
    let (picks, overdue) = (args.picks.picks(), args.overdue);
    let keep = move |i: &Item| {
        i.status.is_outstanding()
            && picks.keeps(i, day)
            && (!overdue || days_overdue(i, day) > 0)
            && until.is_none_or(|u| i.due.is_some_and(|d| d <= u))
            && stale.is_none_or(|line| is_stale(i, line))
    };
    print_items(&mut store, args.strategies, as_of, Order::Due, keep, out)?;
    Ok(Outcome::default())
}

/// A note as a line shows it: the day it holds from, then its text.
pub(super) fn note_text(n: &Note) -> String {
    format!("{}: {}", n.on, n.text)
}

fn item_title(l: &ReportItem) -> String {
    match &l.link {
        Some(link) => format!("{} ({link})", l.item.title),
        None => l.item.title.clone(),
    }
}

/// The report's JSON, serialised straight from the report (no tree of
/// values in between, which at 100,000 items would cost seconds).
#[derive(Serialize)]
struct ReportJson<S> {
    as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    compared_with: Option<NaiveDate>,
    strategies: S,
}

#[derive(Serialize)]
struct StrategyReportJson<'a> {
    strategy: StrategyJson<'a>,
    summary: &'a Summary,
    note: Option<NoteJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_summary: Option<Option<&'a Summary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    directions: Option<&'a Directions>,
    items: Vec<ReportItemJson<'a>>,
}

/// A note on a strategy: its text, the day it holds from, who wrote it.
#[derive(Serialize)]
struct NoteJson<'a> {
    text: &'a str,
    on: NaiveDate,
    by: &'a str,
}

#[derive(Serialize)]
struct ReportItemJson<'a> {
    #[serde(flatten)]
    item: ItemJson<'a>,
    health_reason: Option<String>,
    late: bool,
    days_overdue: i64,
    latest_note: Option<&'a str>,
    latest_note_on: Option<NaiveDate>,
    days_since_update: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<Option<Then>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
}

impl<'a> StrategyReportJson<'a> {
    fn new(r: &'a StrategyReport, day: NaiveDate) -> StrategyReportJson<'a> {
        StrategyReportJson {
            strategy: StrategyJson::from(&r.strategy),
            summary: &r.summary,
            note: r.note.as_ref().map(|e| NoteJson {
                text: e.note.as_deref().unwrap_or_default(),
                on: e.effective,
                by: &e.by,
            }),
            previous_summary: r.travel.as_ref().map(|t| t.previous_summary.as_ref()),
            directions: r.travel.as_ref().map(|t| &t.directions),
            items: r
                .items
                .iter()
                .map(|l| ReportItemJson {
                    item: ItemJson::new(&l.item, day),
                    health_reason: health_reason(&l.item, day),
                    late: is_late(&l.item, day),
                    days_overdue: l.days_overdue,
                    latest_note: l.latest_note.as_ref().map(|n| n.text.as_str()),
                    latest_note_on: l.latest_note.as_ref().map(|n| n.on),
                    days_since_update: days_since_update(&l.item, day),
                    previous: l.travel.map(|(then, _)| then),
                    direction: l.travel.map(|(_, d)| d),
                })
                .collect(),
        }
    }
}

/// A strategy's part of a report being streamed, owning what it shows.
struct OwnedPart {
    report: StrategyReport,
    day: NaiveDate,
}

impl Serialize for OwnedPart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        StrategyReportJson::new(&self.report, self.day).serialize(s)
    }
}
