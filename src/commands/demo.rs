//! `strat demo`: the example portfolio, loaded and reported.

use super::report::print_report;
use super::{AsOf, Ctx, Outcome, default_db_path};
use crate::domain::picks::Picks;
use crate::error::{Error, Result};
use crate::exchange::load::Loader;
use crate::exchange::load_document;
use crate::output::Printer;
use crate::store::{Location, Store};
use std::path::PathBuf;

/// The example of `examples/`, built into the binary so installed copies
/// have it too.
pub const EXAMPLE: &str = include_str!("../../examples/kent-portfolio.json");

pub fn run(ctx: &Ctx, db: Option<&Location>, out: &mut Printer) -> Result<Outcome> {
    let (place, fresh) = match db {
        Some(place) => (place.clone(), false),
        None => (Location::File(demo_path()?), true),
    };
    if let (true, Some(path)) = (fresh, place.file()) {
        // The demo file is the tool's own scratch copy: start it anew.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::storage(format!(
                        "cannot replace the demo database {}: {e}",
                        path.display()
                    )));
                }
            }
        }
    }
    let mut store = Store::open(&place)?;
    store.acting(ctx.doer("demo"));
    store.load(true, |db| {
        if !db.is_empty()? {
            return Err(Error::conflict(format!(
                "{place} already holds strategies; the demo loads only into an empty database\n\
                 Run strat demo without --db to use a separate demo database."
            )));
        }
        let mut loader = Loader::new(db, &ctx.by, ctx.clock.now)?;
        load_document(EXAMPLE.as_bytes(), ctx.clock.now, &mut loader)?;
        loader.finish()
    })?;
    let as_of = AsOf {
        day: ctx.clock.today,
        seen: None,
    };
    let measures = super::report::Measures {
        compare: None,
        stale: None,
    };
    print_report(store, Vec::new(), as_of, Picks::default(), measures, out)?;
    let hint = format!(
        "Demo database: {}\nExplore it with, for example:\n  strat --db {} outstanding --overdue\n  strat --db {} report tech-2020 --as-of 2021-12-31",
        place,
        quoted(&place),
        quoted(&place)
    );
    Ok(Outcome::default().said(hint))
}

/// `demo.db` beside the default database.
fn demo_path() -> Result<PathBuf> {
    let default = default_db_path()?;
    Ok(default.with_file_name("demo.db"))
}

fn quoted(p: &Location) -> String {
    let s = p.to_string();
    if s.contains([' ', '\'', '"']) {
        format!("'{}'", s.replace('\'', "'\\''"))
    } else {
        s
    }
}
