//! The whole command surface, parsed by clap. Values are turned into domain
//! types here (codes, statuses, dates, progress), so inner code never sees
//! a bad one.

use crate::domain::dates::{DateExpr, Period, Within};
use crate::domain::model::{Code, ItemKey, Progress};
use crate::domain::picks::Picks;
use crate::domain::text::{label, prose};
use crate::domain::vocab::{Health, RagSetting, Status, StrategyStatus};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Track strategy action plans: items, progress, RAG health, history and
/// status reports.
#[derive(Debug, Parser)]
#[command(
    name = "strat",
    version,
    about,
    max_term_width = 100,
    after_help = EXAMPLES
)]
pub struct Cli {
    /// The database file, or a team's PostgreSQL database as
    /// postgres://USER@HOST/DBNAME [default: STRAT_DB, else strat/strat.db in
    /// the data directory]
    #[arg(long, global = true, value_name = "PATH|URL", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,

    /// How read commands print: table for people, json for programs, csv for
    /// spreadsheets, markdown for papers, html for a committee pack, xlsx for
    /// Excel
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = Format::Table,
        help_heading = GLOBAL
    )]
    pub format: Format,

    /// The name your changes are recorded under in the history [default:
    /// STRAT_USER, else the login name]
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        value_parser = label,
        help_heading = GLOBAL
    )]
    pub by: Option<String>,

    /// Write the data to this file instead of stdout (a workbook needs one,
    /// or stdout redirected); it is put in place only when the command
    /// succeeds
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub output: Option<PathBuf>,

    /// With --format csv, start with a byte-order mark, so that Excel reads
    /// accented and other non-ASCII text rightly (programs want none)
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub bom: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The heading the flags every command takes are listed under.
const GLOBAL: &str = "Global options";

const EXAMPLES: &str = "Examples:
  # load the example portfolio and print its report
  strat demo
  strat item add tech-2020 \"Replace the SAN\" --due 2022-12-31
  # a quarter's return, entered late
  strat item update T02 --progress 60 --effective FY2021-Q2
  strat report --as-of FY2021-Q2 --compare FY2021-Q1 --format markdown
  strat outstanding --overdue";

const REPORT_EXAMPLES: &str = "Examples:
  # every strategy, with an overview
  strat report
  # the exceptions of one strategy
  strat report digital-2024 --health red,amber
  # a quarter, with the direction of travel since the one before
  strat report --as-of FY2024-Q3 --compare FY2024-Q2
  # the report as it could be printed on a past day
  strat report --known-on 2024-10-15";

const UPDATE_EXAMPLES: &str = "Examples:
  strat item update 12 --progress 60 --note \"On track\"
  # a late return holds from the quarter it is for
  strat item update T02 --status on-hold --effective FY2024-Q2
  # several items at once, all or none
  strat item update 13 14 --owner \"Digital services team\"
  strat item update 17 --rag amber --reason \"Supplier late\"";

const ADD_EXAMPLES: &str = "Examples:
  strat item add tech-2020 \"Migrate telephony to Teams\" --ref T03 --due 2022-06-30
  strat item add digital-2024 \"Digital skills\" --start 2024-04-01 --due +2y";

const OUTSTANDING_EXAMPLES: &str = "Examples:
  strat outstanding --overdue
  strat outstanding digital-2024 --due-within 30d
  # the quarterly returns still to chase, for a spreadsheet
  strat outstanding --stale 1q --format csv";

const IMPORT_EXAMPLES: &str = "Examples:
  strat import backup.json --dry-run
  strat import items.csv --strategy digital-2024
  # a quarter's return, saved from Excel: see what changes, then apply it
  strat import return.csv --strategy digital-2024 --update --effective FY2024-Q2 --dry-run
  strat import return.csv --strategy digital-2024 --update --effective FY2024-Q2";

const CARRY_EXAMPLES: &str = "Examples:
  strat carry-forward tech-2020 digital-2024 --dry-run
  strat carry-forward tech-2020 digital-2024 --item 2 --item 4 --due 2025-03-31";

/// Output formats of read commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
    /// An Excel workbook (item list, outstanding and report), written to
    /// --output FILE
    Xlsx,
    /// A self-contained page for a committee pack (report and outstanding)
    Html,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (harmless if it exists)
    Init,
    /// Load the example portfolio into a demo database and print its report
    Demo,
    /// Add, list, show, edit and remove strategies
    #[command(subcommand)]
    Strategy(StrategyCommand),
    /// Add, list, show, update and complete activity items
    #[command(subcommand)]
    Item(ItemCommand),
    /// List outstanding items, soonest target first
    #[command(after_help = OUTSTANDING_EXAMPLES)]
    Outstanding(OutstandingArgs),
    /// Status report per strategy: headline numbers, then the items
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Move the outstanding items of one strategy into its successor
    #[command(after_help = CARRY_EXAMPLES)]
    CarryForward(CarryArgs),
    /// Load a JSON export, or a spreadsheet of items (.csv, .xlsx), all or
    /// nothing
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),
    /// Write strategies, items and their history as one JSON document
    Export(ExportArgs),
    /// Copy the database to a new file, safely while others write to it
    Backup {
        /// The copy to create (it must not exist yet)
        file: PathBuf,
    },
    /// Check the database: SQLite's own checks and strat's rules
    Check,
    /// Take back your most recent command: every change it made, over every
    /// item it touched (a removal or an import too)
    Undo {
        /// Show what would be restored, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a shell's completion script (source it, or save it where your
    /// shell loads completions)
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (strat man > strat.1; man -l strat.1)
    Man,
}

impl Command {
    /// The command as typed (`item update`), as the history of commands
    /// names it.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Init => "init",
            Command::Demo => "demo",
            Command::Strategy(c) => match c {
                StrategyCommand::Add { .. } => "strategy add",
                StrategyCommand::List => "strategy list",
                StrategyCommand::Show { .. } => "strategy show",
                StrategyCommand::Edit { .. } => "strategy edit",
                StrategyCommand::Note { .. } => "strategy note",
                StrategyCommand::Remove { .. } => "strategy remove",
            },
            Command::Item(c) => match c {
                ItemCommand::Add(_) => "item add",
                ItemCommand::List(_) => "item list",
                ItemCommand::Show { .. } => "item show",
                ItemCommand::Update(_) => "item update",
                ItemCommand::Done { .. } => "item done",
                ItemCommand::Note { .. } => "item note",
                ItemCommand::History { .. } => "item history",
                ItemCommand::Remove { .. } => "item remove",
            },
            Command::Outstanding(_) => "outstanding",
            Command::Report(_) => "report",
            Command::CarryForward(_) => "carry-forward",
            Command::Import(_) => "import",
            Command::Export(_) => "export",
            Command::Backup { .. } => "backup",
            Command::Check => "check",
            Command::Undo { .. } => "undo",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
        }
    }

    /// True for commands that may write to the database (and so create it).
    pub fn writes(&self) -> bool {
        match self {
            Command::Init | Command::Demo | Command::CarryForward(_) => true,
            Command::Undo { dry_run } => !dry_run,
            Command::Import(a) => !a.dry_run,
            Command::Strategy(c) => {
                !matches!(c, StrategyCommand::List | StrategyCommand::Show { .. })
            }
            Command::Item(c) => !matches!(
                c,
                ItemCommand::List(_) | ItemCommand::Show { .. } | ItemCommand::History { .. }
            ),
            Command::Outstanding(_)
            | Command::Report(_)
            | Command::Export(_)
            | Command::Backup { .. }
            | Command::Check
            | Command::Completions { .. }
            | Command::Man => false,
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum StrategyCommand {
    /// Add a strategy
    Add {
        /// Its code: lower-case letters, digits and -, such as tech-2020
        code: Code,
        #[command(flatten)]
        fields: StrategyFields,
        /// The day it holds from [default: the earlier of today and its start]
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        effective: Option<DateExpr>,
    },
    /// List strategies
    List,
    /// Show a strategy with its summary
    Show {
        /// The strategy's code
        code: Code,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Change a strategy's details
    Edit {
        /// The strategy's code
        code: Code,
        #[command(flatten)]
        fields: StrategyFields,
        #[command(flatten)]
        effective: EffectiveArg,
    },
    /// Record commentary on the strategy as a whole (the report prints the latest)
    Note {
        /// The strategy's code
        code: Code,
        /// The commentary (quote it)
        #[arg(value_parser = prose)]
        text: String,
        #[command(flatten)]
        effective: EffectiveArg,
    },
    /// Remove a strategy (with --force, also its items and their history)
    Remove {
        /// The strategy's code
        code: Code,
        /// Remove it even though it has items
        #[arg(long)]
        force: bool,
    },
}

/// The details of a strategy; all optional so `edit` can change any subset.
#[derive(Debug, Clone, Args)]
pub struct StrategyFields {
    /// Its full title, such as "Technology Strategy 2020-2023"
    #[arg(long, value_parser = label)]
    pub title: Option<String>,
    /// Whole years: 2020-2023 is 1 January 2020 to 31 December 2023
    #[arg(long, value_name = "Y1-Y2", conflicts_with_all = ["starts", "ends"])]
    pub period: Option<Period>,
    /// The first day of its period (with --ends, instead of --period)
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub starts: Option<DateExpr>,
    /// The last day of its period
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub ends: Option<DateExpr>,
    /// draft, interim, adopted, superseded or closed [default for a new one: draft]
    #[arg(long, value_name = "STATUS")]
    pub status: Option<StrategyStatus>,
    /// The decision that adopted it, such as 21/00097
    #[arg(long, value_name = "REF", value_parser = label)]
    pub decision: Option<String>,
    /// The day it was adopted
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub adopted: Option<DateExpr>,
    /// The officer or member who leads it
    #[arg(long, value_name = "NAME", value_parser = label)]
    pub lead: Option<String>,
    /// The department that owns it
    #[arg(long, value_name = "NAME", value_parser = label)]
    pub department: Option<String>,
    /// The code of the strategy this one replaces
    #[arg(long, value_name = "CODE")]
    pub supersedes: Option<Code>,
    /// What it is for, in a few sentences
    #[arg(long, value_name = "TEXT", value_parser = prose)]
    pub description: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ItemCommand {
    /// Add an item to a strategy
    #[command(after_help = ADD_EXAMPLES)]
    Add(ItemAddArgs),
    /// List items
    List(ItemListArgs),
    /// Show an item with its history
    Show {
        /// The item: its number (12), or its ref (T01, tech-2020/T01)
        id: ItemKey,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Change an item's fields, health override or notes
    #[command(after_help = UPDATE_EXAMPLES)]
    Update(ItemUpdateArgs),
    /// Mark items completed
    Done {
        /// The items: each by its number (12), or its ref (T01, tech-2020/T01);
        /// all are completed, or none
        #[arg(value_name = "ID", required = true, num_args = 1..)]
        ids: Vec<ItemKey>,
        /// The completion date, which the change holds from [default: today]
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        on: Option<DateExpr>,
        /// A note for the history
        #[arg(long, value_name = "TEXT", value_parser = prose)]
        note: Option<String>,
        #[command(flatten)]
        effective: EffectiveArg,
    },
    /// Add a note to an item's history
    Note {
        /// The item: its number (12), or its ref (T01, tech-2020/T01)
        id: ItemKey,
        /// The note (quote it)
        #[arg(value_parser = prose)]
        text: String,
        #[command(flatten)]
        effective: EffectiveArg,
    },
    /// Show everything that happened to an item, oldest first
    History {
        /// The item: its number (12), or its ref (T01, tech-2020/T01)
        id: ItemKey,
    },
    /// Delete an item and its history (for mistakes; to stop work, cancel it)
    Remove {
        /// The item: its number (12), or its ref (T01, tech-2020/T01)
        id: ItemKey,
        /// Remove it without asking (needed where strat cannot ask: in a
        /// script, or with input from a pipe)
        #[arg(long)]
        yes: bool,
    },
}

/// The fields an item is added or updated with. On update, an empty text
/// ("") clears a text field.
#[derive(Debug, Args)]
pub struct ItemFields {
    /// A reference unique within the strategy, such as T01
    #[arg(long = "ref", value_name = "REF", value_parser = label)]
    pub reference: Option<String>,
    /// A theme to group items by, such as "Cyber security"
    #[arg(long, value_parser = label)]
    pub theme: Option<String>,
    /// Who is responsible
    #[arg(long, value_parser = label)]
    pub owner: Option<String>,
    /// planned, in-progress, on-hold, completed or cancelled
    #[arg(long, value_name = "STATUS")]
    pub status: Option<Status>,
    /// Percent complete
    #[arg(long, value_name = "0-100")]
    pub progress: Option<Progress>,
    /// When work starts (2024-04-01, today, +2w, -10d, 2024-Q3, FY2024-Q4, eom, …)
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub start: Option<DateExpr>,
    /// The target date (same forms as --start)
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub due: Option<DateExpr>,
    /// What the item delivers, in a few sentences
    #[arg(long, value_name = "TEXT", value_parser = prose)]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct ItemAddArgs {
    /// The code of the strategy it belongs to
    pub strategy: Code,
    /// What the item is (quote it)
    #[arg(value_parser = label)]
    pub title: String,
    #[command(flatten)]
    pub fields: ItemFields,
    /// A note for the history
    #[arg(long, value_name = "TEXT", value_parser = prose)]
    pub note: Option<String>,
    #[command(flatten)]
    pub effective: EffectiveArg,
}

#[derive(Debug, Args)]
pub struct ItemListArgs {
    /// Only these strategies [default: all]
    pub strategies: Vec<Code>,
    /// Only these statuses (repeat the flag or give a comma list): planned,
    /// in-progress, on-hold, completed, cancelled, carried-forward
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<Status>,
    #[command(flatten)]
    pub picks: PickArgs,
    /// Only outstanding items past their target date
    #[arg(long)]
    pub overdue: bool,
    /// Only items with a target date before this day
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub due_before: Option<DateExpr>,
    /// Only items whose title, description or ref contains this text
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct ItemUpdateArgs {
    /// The items: each by its number (12), or its ref (T01, tech-2020/T01);
    /// all are changed, or none
    #[arg(value_name = "ID", required = true, num_args = 1..)]
    pub ids: Vec<ItemKey>,
    /// A new title
    #[arg(long, value_parser = label)]
    pub title: Option<String>,
    #[command(flatten)]
    pub fields: ItemFields,
    /// Pin the health (with --reason), or `auto` to compute it again
    #[arg(long, value_name = "red|amber|green|auto")]
    pub rag: Option<RagSetting>,
    /// Why the health is pinned
    #[arg(long, value_name = "TEXT", requires = "rag", value_parser = prose)]
    pub reason: Option<String>,
    /// A note for the history, with or without other changes
    #[arg(long, value_name = "TEXT", value_parser = prose)]
    pub note: Option<String>,
    #[command(flatten)]
    pub effective: EffectiveArg,
}

#[derive(Debug, Args)]
pub struct OutstandingArgs {
    /// Only these strategies [default: all]
    pub strategies: Vec<Code>,
    #[command(flatten)]
    pub picks: PickArgs,
    /// Only items past their target date
    #[arg(long)]
    pub overdue: bool,
    /// Only items due within this time from today, overdue ones included (30d, 2w, 3m)
    #[arg(long, value_name = "DURATION")]
    pub due_within: Option<Within>,
    /// Only items whose last update is older than this (90d, 1q): the
    /// returns that are missing
    #[arg(long, value_name = "DURATION")]
    pub stale: Option<Within>,
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only these strategies [default: all, with an overview]
    pub strategies: Vec<Code>,
    /// Which items are listed (the headline and summary count them all)
    #[command(flatten)]
    pub picks: PickArgs,
    #[command(flatten)]
    pub view: ViewArgs,
    /// Compare with the end of this earlier day: each item's direction of
    /// travel, and each strategy's summary then
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub compare: Option<DateExpr>,
    /// Count as stale the outstanding items not updated for longer than
    /// this [default: 90d]
    #[arg(long, value_name = "DURATION")]
    pub stale: Option<Within>,
}

/// Which day a read command shows, and as known when.
#[derive(Debug, Clone, Copy, Args)]
pub struct ViewArgs {
    /// As things stood at the end of this day: every change that holds from
    /// then or earlier, whenever it was recorded
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub as_of: Option<DateExpr>,
    /// Only what had been recorded by the end of this day: the report as it
    /// could be printed then (alone, it is also the --as-of day)
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub known_on: Option<DateExpr>,
}

/// The day a change holds from.
#[derive(Debug, Clone, Copy, Args)]
pub struct EffectiveArg {
    /// The day the change holds from, up to today [default: today]: a
    /// quarter's return entered late holds from the quarter's end
    /// (--effective FY2024-Q2)
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub effective: Option<DateExpr>,
}

/// Filters of the items a list or report shows; each may be repeated or
/// given as a comma list, and matches any of its values.
#[derive(Debug, Clone, Args)]
pub struct PickArgs {
    /// Only items with this owner (whole, ignoring case)
    #[arg(long, value_name = "OWNER", value_delimiter = ',')]
    pub owner: Vec<String>,
    /// Only items with this theme (whole, ignoring case)
    #[arg(long, value_name = "THEME", value_delimiter = ',')]
    pub theme: Vec<String>,
    /// Only items of this health: red, amber, green, complete, closed
    #[arg(long, value_name = "HEALTH", value_delimiter = ',')]
    pub health: Vec<Health>,
}

impl PickArgs {
    pub fn picks(self) -> Picks {
        Picks::new(self.owner, self.theme, self.health)
    }
}

#[derive(Debug, Args)]
pub struct CarryArgs {
    /// The strategy whose items move
    pub from: Code,
    /// The strategy they move into
    pub to: Code,
    /// Only these items, by number or ref [default: every outstanding item of FROM]
    #[arg(long = "item", value_name = "ID")]
    pub items: Vec<ItemKey>,
    /// A new target date for every carried item [default: each keeps its own]
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub due: Option<DateExpr>,
    /// Show what would move and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub effective: EffectiveArg,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: a JSON export, or a spreadsheet of items (.csv, .xlsx; with
    /// --strategy)
    pub file: PathBuf,
    /// The strategy the items of a spreadsheet belong to
    #[arg(long, value_name = "CODE")]
    pub strategy: Option<Code>,
    /// Check the file and report what would be imported or changed, changing
    /// nothing
    #[arg(long)]
    pub dry_run: bool,
    /// A quarterly return: rows whose id or ref names an item of the
    /// strategy update it (one change per item, with the row's note); the
    /// others are added
    #[arg(long, requires = "strategy")]
    pub update: bool,
    /// The sheet of a workbook to read [default: the one named after
    /// --strategy, else the first]
    #[arg(long, value_name = "NAME", requires = "strategy")]
    pub sheet: Option<String>,
    /// Dates with slashes are month first (03/31/2026) [default: day first,
    /// 31/03/2026, as a UK spreadsheet writes them]
    #[arg(long, requires = "strategy")]
    pub month_first: bool,
    #[command(flatten)]
    pub effective: EffectiveArg,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only these strategies [default: all]
    pub strategies: Vec<Code>,
}
