//! One module per command family. Each turns parsed arguments into store
//! and domain calls and returns an [`Outcome`]: the value to print, or,
//! for what is printed as it is read (lists, reports, export), nothing
//! once it has printed it through the [`Printer`] inside its own read.

mod carry;
mod demo;
mod exchange;
mod item;
mod listing;
mod maintenance;
mod manual;
mod report;
mod report_html;
mod sheets;
mod strategy;
mod undo;

use crate::cli::{Cli, Command, StrategyCommand, ViewArgs};
use crate::domain::Clock;
use crate::domain::dates::{DateExpr, Unit, Within, parse_iso};
use crate::domain::history::{Seen, rebuild, rebuild_strategies};
use crate::domain::model::{Code, Item, Strategy};
use crate::error::{Error, Result};
use crate::output::{Printer, View};
use crate::store::{Db, Location, Store};
use chrono::{DateTime, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use std::path::PathBuf;

/// What a command hands back: data for stdout, a message for stderr.
#[derive(Default)]
pub struct Outcome {
    pub view: Option<Box<dyn View>>,
    pub message: Option<String>,
    /// The data is the result of a change: printed for programs (json, csv,
    /// markdown) but not as a table, where the message says enough.
    pub for_programs: bool,
    /// The command printed its data but did not succeed (`check` with
    /// problems): this error sets the exit code.
    pub failure: Option<Error>,
    /// What the command changed, said on stderr should its data fail to be
    /// written: the change stands, and a script must not make it twice.
    pub made: Option<String>,
}

impl Outcome {
    fn show(view: impl View + 'static) -> Outcome {
        Outcome {
            view: Some(Box::new(view)),
            ..Outcome::default()
        }
    }

    /// The changed record, for `--format json` and friends, and a message.
    fn changed(view: impl View + 'static, message: impl Into<String>) -> Outcome {
        let message = message.into();
        Outcome {
            view: Some(Box::new(view)),
            made: Some(message.clone()),
            message: Some(message),
            for_programs: true,
            ..Outcome::default()
        }
    }

    fn said(mut self, message: impl Into<String>) -> Outcome {
        self.message = Some(message.into());
        self
    }
}

/// Who acts, and when: read once from flags and the environment.
pub struct Ctx {
    pub clock: Clock,
    pub by: String,
}

impl Ctx {
    /// The person running `name`, for the command their changes are
    /// recorded under.
    pub fn doer(&self, name: &'static str) -> crate::store::Doer {
        crate::store::Doer {
            by: self.by.clone(),
            at: self.clock.now,
            name,
        }
    }

    /// The day a date expression names, counting from today.
    pub fn date(&self, flag: &str, expr: DateExpr) -> Result<NaiveDate> {
        expr.resolve(self.clock.today)
            .map_err(|e| Error::invalid(format!("invalid value for {flag}: {e}")))
    }

    /// Resolves `--as-of` and `--known-on`: the day to compute health for,
    /// and for a past view which changes it takes (`--known-on D` alone
    /// is `--as-of D --known-on D`).
    pub fn view(&self, args: ViewArgs) -> Result<AsOf> {
        let known = args
            .known_on
            .map(|k| self.date("--known-on", k))
            .transpose()?;
        let day = match args.as_of {
            Some(d) => self.date("--as-of", d)?,
            None => match known {
                Some(k) => k,
                None => {
                    return Ok(AsOf {
                        day: self.clock.today,
                        seen: None,
                    });
                }
            },
        };
        Ok(AsOf {
            day,
            seen: Some(Seen {
                day,
                known: known.map(|k| end_of_day(k, "--known-on")).transpose()?,
            }),
        })
    }

    /// The day a change holds from: `--effective`, else `default`; never
    /// after today.
    pub fn effective(&self, flag: Option<DateExpr>, default: NaiveDate) -> Result<NaiveDate> {
        let Some(expr) = flag else {
            return Ok(default);
        };
        let day = self.date("--effective", expr)?;
        if day > self.clock.today {
            return Err(Error::invalid(format!(
                "--effective {day} is after today ({}); a change can hold from today at the latest",
                self.clock.today
            )));
        }
        Ok(day)
    }
}

/// A view of the portfolio: today's, from what is stored, or a past day's
/// (or as known on a past day), rebuilt from the history.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    /// The day health is computed for.
    pub day: NaiveDate,
    /// The changes a past view takes; `None` for the present state.
    pub seen: Option<Seen>,
}

impl AsOf {
    /// The same view of another day (`--compare`).
    pub fn on(self, day: NaiveDate) -> AsOf {
        AsOf {
            day,
            seen: Some(Seen {
                day,
                known: self.seen.and_then(|s| s.known),
            }),
        }
    }
}

fn local_moment(day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    Local
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The first moment after `day` ends, in local time.
fn end_of_day(day: NaiveDate, flag: &str) -> Result<DateTime<Utc>> {
    day.succ_opt()
        .and_then(|next| local_moment(next, NaiveTime::MIN))
        .ok_or_else(|| Error::invalid(format!("{day} is too far in the future for {flag}")))
}

/// The day before which an outstanding item's last update makes it stale,
/// for a view of `day`: `--stale` back from it, 90 days by default.
pub fn stale_line(day: NaiveDate, stale: Option<Within>) -> Result<NaiveDate> {
    stale
        .unwrap_or(Within(90, Unit::Day))
        .back_from(day)
        .map_err(|e| Error::invalid(format!("invalid value for --stale: {e}")))
}

/// Reads the clock; `STRAT_TODAY` pins the day but keeps the time of day,
/// so changes made under it still follow one another.
pub fn clock() -> Result<Clock> {
    let now = Utc::now();
    match std::env::var("STRAT_TODAY") {
        Err(_) => Ok(Clock {
            today: now.with_timezone(&Local).date_naive(),
            now,
        }),
        Ok(s) => {
            let today = parse_iso(s.trim()).map_err(|why| {
                Error::invalid(format!(
                    "STRAT_TODAY='{s}' {why}\nSet it to a day as YYYY-MM-DD, or unset it."
                ))
            })?;
            let time = now.with_timezone(&Local).time();
            let now = local_moment(today, time)
                .ok_or_else(|| Error::invalid(format!("STRAT_TODAY='{s}' is out of range")))?;
            Ok(Clock { today, now })
        }
    }
}

/// `--by`, else `STRAT_USER`, else the database role (on a server), else
/// the login name.
pub fn who(flag: Option<String>, role: Option<String>) -> String {
    flag.filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("STRAT_USER")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .or(role)
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Where the user's own database lives when `--db`/`STRAT_DB` is not given.
pub fn default_db_path() -> Result<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })
        .ok_or_else(|| {
            Error::storage("cannot tell where to keep the database: HOME is not set\nGive one with --db PATH or STRAT_DB.")
        })?;
    Ok(data.join("strat").join("strat.db"))
}

/// Runs the parsed command line.
pub fn run(cli: Cli, out: &mut Printer) -> Result<Outcome> {
    match cli.command {
        Command::Completions { shell } => {
            return manual::completions(shell, out.raw()).map(|()| Outcome::default());
        }
        Command::Man => return manual::man(out.raw()).map(|()| Outcome::default()),
        _ => {}
    }
    let given = given_db(cli.db)?;
    let ctx = Ctx {
        clock: clock()?,
        by: who(cli.by, given.as_ref().and_then(Location::role)),
    };
    if let Command::Demo = cli.command {
        return demo::run(&ctx, given.as_ref(), out);
    }
    let place = match given {
        Some(place) => place,
        None => Location::File(default_db_path()?),
    };
    run_on(&ctx, cli.command, &place, out).map_err(|e| match place.file() {
        Some(path) => crate::store::explain_disk_io(e, path),
        None => e,
    })
}

/// Runs `command` on the database at `path`.
fn run_on(ctx: &Ctx, command: Command, path: &Location, out: &mut Printer) -> Result<Outcome> {
    if let Command::Import(args) = command {
        return exchange::import(ctx, path, args);
    }
    if !path.exists() {
        return match command {
            Command::Init => Store::create(path, |_| Ok(())).map(|()| init_message(path)),
            Command::Strategy(cmd @ StrategyCommand::Add { .. }) => Store::create(path, |store| {
                store.acting(ctx.doer("strategy add"));
                strategy::run(ctx, store, cmd.clone())
            }),
            _ => Err(no_database(path)),
        };
    }
    // Only what may make a database makes a server database's tables.
    let creates = matches!(
        command,
        Command::Init | Command::Strategy(StrategyCommand::Add { .. })
    );
    let mut store = if creates {
        Store::open(path)?
    } else {
        Store::open_existing(path, command.writes())?
    };
    store.acting(ctx.doer(command.name()));
    let note = store.upgrade_note();
    let mut outcome = match command {
        // A server database's tables are made by its first write.
        Command::Init => store.write(|_| Ok(())).map(|()| init_message(path)),
        Command::Demo | Command::Import(_) | Command::Completions { .. } | Command::Man => {
            unreachable!("handled above")
        }
        Command::Strategy(cmd) => strategy::run(ctx, &mut store, cmd),
        Command::Item(cmd) => item::run(ctx, store, cmd, out),
        Command::Outstanding(args) => report::outstanding(ctx, store, args, out),
        Command::Report(args) => report::report(ctx, store, args, out),
        Command::CarryForward(args) => carry::run(ctx, &mut store, args),
        Command::Export(args) => exchange::export(ctx, store, args, out),
        Command::Backup { file } => maintenance::backup(&mut store, &file),
        Command::Check => maintenance::check(&mut store),
        Command::Undo { dry_run } => undo::run(ctx, &mut store, dry_run),
    }?;
    if let Some(note) = note {
        outcome.message = Some(match outcome.message {
            Some(m) => format!("{note}\n{m}"),
            None => note,
        });
    }
    Ok(outcome)
}

/// The database `--db`, else `STRAT_DB`, names; an empty one counts as
/// not given.
fn given_db(flag: Option<PathBuf>) -> Result<Option<Location>> {
    let given = flag
        .map(PathBuf::into_os_string)
        .or_else(|| std::env::var_os("STRAT_DB"));
    match given.filter(|p| !p.is_empty()) {
        Some(p) if p == ":memory:" => Err(Error::invalid(
            "--db :memory: would keep the portfolio only while the command runs\n\
             Give the path of a file.",
        )),
        Some(given) => Location::parse(given).map(Some),
        None => Ok(None),
    }
}

/// For commands that need a database that is not there.
fn no_database(path: &Location) -> Error {
    Error::not_found(format!(
        "no strat database at {path}\nCreate one with: strat init (or strat import FILE), \
         or point --db or STRAT_DB at yours."
    ))
}

fn init_message(path: &Location) -> Outcome {
    Outcome::default().said(format!(
        "Database ready at {path} (schema version {}).",
        crate::store::LATEST_VERSION
    ))
}

/// "Not found", with the code most likely meant when one is close.
fn not_found_strategy(db: &Db, code: &Code) -> Error {
    let codes: Vec<String> = db
        .strategies()
        .map(|all| all.into_iter().map(|s| s.code.to_string()).collect())
        .unwrap_or_default();
    let meant = crate::domain::spelling::closest(code.as_str(), codes.iter().map(String::as_str));
    Error::not_found(match meant {
        Some(meant) => format!("no strategy with code '{code}'; did you mean {meant}?"),
        None => format!("no strategy with code '{code}'\nSee the codes with: strat strategy list"),
    })
}

/// The strategies named, each once, in the order first named: a strategy
/// named twice is listed or reported once.
fn named_once(mut codes: Vec<Code>) -> Vec<Code> {
    let mut seen = std::collections::HashSet::new();
    codes.retain(|code| seen.insert(code.clone()));
    codes
}

/// Fails with "not found" unless every named strategy exists.
fn require_strategies(db: &Db, codes: &[Code]) -> Result<()> {
    for code in codes {
        if db.strategy(code)?.is_none() {
            return Err(not_found_strategy(db, code));
        }
    }
    Ok(())
}

/// The named strategies (all when none is named), as they stand now or as
/// they stood at `as_of`, rebuilt from their history.
fn strategies_as_of(db: &Db, codes: &[Code], as_of: AsOf) -> Result<Vec<Strategy>> {
    let Some(seen) = as_of.seen else {
        if codes.is_empty() {
            return db.strategies();
        }
        return codes
            .iter()
            .map(|c| db.strategy(c)?.ok_or_else(|| not_found_strategy(db, c)))
            .collect();
    };
    let mut then = rebuild_strategies(db.strategy_history(None, Some(seen))?).map_err(damaged)?;
    then.sort_by(|a, b| (a.period.starts(), &a.code).cmp(&(b.period.starts(), &b.code)));
    if codes.is_empty() {
        return Ok(then);
    }
    codes
        .iter()
        .map(|c| match then.iter().find(|s| &s.code == c) {
            Some(s) => Ok(s.clone()),
            None if db.strategy(c)?.is_some() => Err(Error::not_found(format!(
                "strategy {c} did not exist yet at the end of {}",
                as_of.day
            ))),
            None => Err(not_found_strategy(db, c)),
        })
        .collect()
}

fn damaged(e: crate::domain::Invalid) -> Error {
    Error::storage(format!(
        "the stored history is damaged: {e}\nRun strat check for details."
    ))
}

/// The items of the named strategies (all when none is named) as they
/// stand now, or as they stood at `as_of`, rebuilt from the history.
fn items_as_of(db: &Db, codes: &[Code], as_of: AsOf) -> Result<Vec<Item>> {
    require_strategies(db, codes)?;
    if codes.is_empty() {
        return items_of(db, None, as_of);
    }
    let mut items = Vec::new();
    for code in codes {
        items.extend(items_of(db, Some(code), as_of)?);
    }
    Ok(items)
}

/// The items of one strategy (all when `None`) as they stood, without
/// checking that the strategy exists.
fn items_of(db: &Db, scope: Option<&Code>, as_of: AsOf) -> Result<Vec<Item>> {
    match as_of.seen {
        None => db.items(scope),
        Some(seen) => rebuild(db.history(scope, Some(seen))?).map_err(damaged),
    }
}
