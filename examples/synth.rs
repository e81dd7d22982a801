//! Writes a synthetic portfolio as a `strat import` document, for load
//! tests and benchmarks:
//!
//!   cargo run --release --example synth -- --strategies 500 --items 100000 > big.json
//!
//! Items are spread evenly over the strategies, with a realistic mix of
//! statuses, owners, themes and dates, and a history of two to five events
//! each that replays exactly to the item. Events are numbered and listed in
//! the order they happened, across all items, as a database numbers them
//! and `strat export` lists them. The same arguments (and `--seed`) always
//! give the same file.

use serde_json::{Value, json};
use std::io::{BufWriter, Write};

/// A small, fast, reproducible generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const THEMES: &[&str] = &[
    "Modern workplace",
    "Infrastructure",
    "Data",
    "Cyber security",
    "Resident experience",
    "Health and care",
    "Innovation",
    "People",
];

const VERBS: &[&str] = &[
    "Replace",
    "Migrate",
    "Deploy",
    "Pilot",
    "Implement",
    "Retire",
    "Review",
];
const THINGS: &[&str] = &[
    "the storage area network",
    "telephony to Teams",
    "device management",
    "the data platform",
    "the resident account",
    "backup and recovery",
    "network segmentation",
    "the case management system",
];

struct Args {
    strategies: usize,
    items: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        strategies: 10,
        items: 1000,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: '{value}' is not a number"))?;
        match flag.as_str() {
            "--strategies" => args.strategies = n.max(1) as usize,
            "--items" => args.items = n as usize,
            "--seed" => args.seed = n,
            _ => {
                return Err(format!(
                    "unknown flag {flag}; use --strategies N --items M [--seed S]"
                ));
            }
        }
    }
    Ok(args)
}

fn code(s: usize) -> String {
    format!("prog-{s:04}")
}

/// Days since 2020-01-01 as a date.
fn date(days: u64) -> String {
    let d =
        chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(days as i64);
    d.to_string()
}

fn at(days: u64, seconds: u64) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}.000000Z",
        date(days),
        8 + seconds / 3600 % 10,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn change(field: &str, from: Option<String>, to: Option<String>) -> Value {
    json!({"field": field, "from": from, "to": to})
}

/// One item and its history, from its own seed, so both passes agree.
fn story(args: &Args, n: usize) -> (Value, Vec<Value>) {
    let mut rng = Rng::new(args.seed ^ ((n as u64 + 1) << 20));
    let s = n % args.strategies;
    let period_start = (s as u64 % 5) * 365;
    let start = period_start + rng.below(365);
    let due = start + 90 + rng.below(900);
    let title = format!(
        "{} {} ({})",
        VERBS[rng.below(VERBS.len() as u64) as usize],
        THINGS[rng.below(THINGS.len() as u64) as usize],
        n + 1
    );
    let owner = format!("Team {}", rng.below(60) + 1);
    let theme = THEMES[rng.below(THEMES.len() as u64) as usize];
    let roll = rng.below(100);
    let status = match roll {
        0..35 => "in-progress",
        35..55 => "planned",
        55..65 => "on-hold",
        65..90 => "completed",
        _ => "cancelled",
    };
    let id = n + 1;
    let mut events = vec![json!({
        "item": id, "at": at(start, rng.below(36000)), "by": "synth", "action": "created",
        "changes": [
            change("ref", None, Some(format!("R{id}"))),
            change("title", None, Some(title.clone())),
            change("theme", None, Some(theme.into())),
            change("owner", None, Some(owner.clone())),
            change("status", None, Some("planned".into())),
            change("progress", None, Some("0".into())),
            change("start", None, Some(date(start))),
            change("due", None, Some(date(due))),
        ],
        "note": null
    })];
    let mut progress = 0u64;
    let mut current = "planned";
    let mut day = start;
    let updates = 1 + rng.below(4);
    for k in 0..updates {
        day += 20 + rng.below(120);
        let last = k + 1 == updates;
        let mut changes = Vec::new();
        let next_status = if last { status } else { "in-progress" };
        let next_progress = match next_status {
            "completed" => 100,
            "planned" => 0,
            _ => (progress + 5 + rng.below(30)).min(95),
        };
        if next_status != current {
            changes.push(change(
                "status",
                Some(current.into()),
                Some(next_status.into()),
            ));
        }
        if next_progress != progress {
            changes.push(change(
                "progress",
                Some(progress.to_string()),
                Some(next_progress.to_string()),
            ));
        }
        let action = if next_status == "completed" {
            changes.push(change("completed_on", None, Some(date(day))));
            "completed"
        } else if changes.is_empty() {
            "noted"
        } else {
            "updated"
        };
        let note = (rng.below(3) == 0).then(|| format!("Checkpoint {} for item {id}", k + 1));
        events.push(json!({
            "item": id, "at": at(day, rng.below(36000)), "by": owner, "action": action,
            "changes": changes, "note": note
        }));
        current = next_status;
        progress = next_progress;
    }
    let created_at = events[0]["at"].clone();
    let updated_at = events.last().unwrap()["at"].clone();
    let item = json!({
        "id": id, "strategy": code(s), "ref": format!("R{id}"), "title": title,
        "description": null, "theme": theme, "owner": owner, "status": status,
        "progress": progress, "start": date(start), "due": date(due),
        "completed_on": (status == "completed").then(|| date(day)),
        "rag_override": null, "rag_reason": null, "carried_from": null, "carried_to": null,
        "created_at": created_at, "updated_at": updated_at
    });
    (item, events)
}

fn write_list(
    out: &mut impl Write,
    key: &str,
    records: impl Iterator<Item = Value>,
) -> std::io::Result<()> {
    write!(out, ",\"{key}\":[")?;
    for (n, r) in records.enumerate() {
        if n > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &r)?;
    }
    out.write_all(b"]")
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("synth: {e}");
            std::process::exit(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = (|| -> std::io::Result<()> {
        out.write_all(br#"{"format":"strat","version":1"#)?;
        write_list(
            &mut out,
            "strategies",
            (0..args.strategies).map(|s| {
                let first = 2020 + s % 5;
                json!({"code": code(s), "title": format!("Programme {s}"), "status": "adopted",
                       "starts": format!("{first}-01-01"), "ends": format!("{}-12-31", first + 3)})
            }),
        )?;
        write_list(
            &mut out,
            "items",
            (0..args.items).map(|n| story(&args, n).0),
        )?;
        // A database numbers events as they happen, and `strat export`
        // lists them by number: one item's events lie far apart, between
        // other items'. Only each event's time and place are held here;
        // the events themselves are made again in that order.
        let mut order: Vec<(String, usize, usize)> = (0..args.items)
            .flat_map(|n| {
                let events = story(&args, n).1;
                events
                    .into_iter()
                    .enumerate()
                    .map(move |(k, e)| (e["at"].as_str().unwrap_or_default().to_string(), n, k))
            })
            .collect();
        order.sort();
        let mut next_id = 0;
        write_list(
            &mut out,
            "events",
            order.into_iter().map(|(_, n, k)| {
                let mut e = story(&args, n).1.swap_remove(k);
                next_id += 1;
                e["id"] = json!(next_id);
                e
            }),
        )?;
        out.write_all(b"}\n")?;
        out.flush()
    })();
    if let Err(e) = result {
        // A closed pipe (`| head`) is not worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("synth: {e}");
            std::process::exit(1);
        }
    }
}
