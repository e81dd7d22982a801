//! `strat report` and `strat outstanding`: what a programme office takes
//! to committee, now or as it stood on a past day.

use super::listing::{Order, print_items};
use super::{AsOf, Ctx, Outcome, items_of, named_once, stale_line, strategies_as_of};
use crate::cli::{Format, OutstandingArgs, ReportArgs};
use crate::domain::health::{days_overdue, days_since_update, health, health_reason, is_late};
use crate::domain::model::{Code, Item, ItemId, Note, Strategy};
use crate::domain::picks::Picks;
use crate::domain::summary::{Summary, is_stale};
use crate::domain::vocab::Health;
use crate::error::{Error, Result};
use crate::output::shapes::{ItemJson, StrategyJson};
use crate::output::views::{headline, overdue_cell};
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
}

pub struct StrategyReport {
    pub strategy: Strategy,
    pub summary: Summary,
    pub items: Vec<ReportItem>,
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
}

impl<'a> Parts<'a> {
    fn new(
        db: &'a Db<'a>,
        codes: &[Code],
        as_of: AsOf,
        picks: Picks,
        stale_line: NaiveDate,
    ) -> Result<Parts<'a>> {
        Ok(Parts {
            db,
            as_of,
            picks,
            stale_line,
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
            lines.push(ReportItem {
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
            strategy,
            summary,
            items: lines,
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
    let stale_line = stale_line(as_of.day, args.stale)?;
    let codes = named_once(args.strategies);
    store.read(|db| strategies_as_of(db, &codes, as_of).map(drop))?;
    print_report(store, codes, as_of, args.picks.picks(), stale_line, out)?;
    Ok(Outcome::default())
}

/// What the reading side of a report hands the printing side, in order.
enum Piece {
    /// Every strategy's summary, for the overview of a report of all.
    Overview(Vec<(Strategy, Summary)>),
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
    stale_line: NaiveDate,
    out: &mut Printer,
) -> Result<()> {
    // The overview a report of everything opens with needs every
    // strategy's summary first, so its items are read twice; only the
    // documents for people show it.
    let all = codes.is_empty();
    let overview = all && matches!(out.format(), Format::Table | Format::Markdown);
    let mut store = store;
    if !all && out.format() != Format::Json {
        return store.read(|db| {
            let report = ReadReport {
                pieces: RefCell::new(Pieces::Here(Box::new(Parts::new(
                    db, &codes, as_of, picks, stale_line,
                )?))),
                all,
                as_of,
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
                        .send(Ok(Piece::Overview(summaries(db, as_of, stale_line)?)))
                        .is_err()
                {
                    return Ok(());
                }
                let mut parts = Parts::new(db, &codes, as_of, picks, stale_line)?;
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
            strategies: &list,
        });
        list.finish(written)
    }

    fn document(&self, doc: &mut Doc) -> Result<()> {
        let day = self.as_of.day;
        doc.block(Block::Title(self.title()))?;
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
        while let Some(r) = self.next_part()? {
            doc.blocks([
                Block::Heading(format!("{} ({})", r.strategy.title, r.strategy.code)),
                Block::Fields(headline(&r.strategy, &r.summary)),
            ])?;
            if r.items.is_empty() {
                doc.block(Block::Text("No items.".into()))?;
                continue;
            }
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
                        overdue_cell(&l.item, day),
                        Cell::Health(l.health),
                        Cell::opt(l.latest_note.as_ref().map(note_text)),
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
                    "overdue",
                    "health",
                    "latest note",
                ],
                rows,
            }))?;
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
                        Cell::opt(l.latest_note.as_ref().map(|n| &n.text)),
                    ])?;
                }
            }
        }
        rows.finish()
    }
}

/// Every strategy with the summary of its items, as they stood.
fn summaries(db: &Db, as_of: AsOf, stale_line: NaiveDate) -> Result<Vec<(Strategy, Summary)>> {
    strategies_as_of(db, &[], as_of)?
        .into_iter()
        .map(|s| {
            let items = items_of(db, Some(&s.code), as_of)?;
            let summary = Summary::of(&items, s.period, as_of.day, stale_line);
            Ok((s, summary))
        })
        .collect()
}

fn overview_table(summaries: &[(Strategy, Summary)]) -> Table {
    let rows = summaries
        .iter()
        .map(|(strategy, s)| {
            vec![
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
                Cell::Int(s.health.red as i64),
                Cell::Int(s.health.amber as i64),
                Cell::Int(s.health.green as i64),
            ]
        })
        .collect();
    Table {
        headers: vec![
            "code",
            "strategy",
            "status",
            "elapsed",
            "complete",
            "average progress",
            "outstanding",
            "overdue",
            "red",
            "amber",
            "green",
        ],
        rows,
    }
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
fn note_text(n: &Note) -> String {
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
    strategies: S,
}

#[derive(Serialize)]
struct StrategyReportJson<'a> {
    strategy: StrategyJson<'a>,
    summary: &'a Summary,
    items: Vec<ReportItemJson<'a>>,
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
    last_update: NaiveDate,
    days_since_update: i64,
}

impl<'a> StrategyReportJson<'a> {
    fn new(r: &'a StrategyReport, day: NaiveDate) -> StrategyReportJson<'a> {
        StrategyReportJson {
            strategy: StrategyJson::from(&r.strategy),
            summary: &r.summary,
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
                    last_update: l.item.last_update,
                    days_since_update: days_since_update(&l.item, day),
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
