//! strat: parse the command line, run it, print, and exit with the SPEC's code.

use clap::Parser;
use std::process::ExitCode;
use strat::{cli, commands, output};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let format = cli.format;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut printer = output::Printer::new(format, output::Style::detect(), &mut stdout);
    let result = commands::run(cli, &mut printer).and_then(|outcome| {
        let shown = outcome
            .view
            .as_ref()
            .filter(|_| !(outcome.for_programs && format == cli::Format::Table));
        let written = match shown {
            Some(view) => printer.print(view.as_ref()),
            None => Ok(()),
        }
        .and_then(|()| printer.flush());
        match (written, &outcome.made) {
            (Err(e), Some(made)) if !e.is_closed_pipe() => {
                eprintln!("{made}");
                eprintln!("strat: the change was made, but its output could not be written: {e}");
                return Ok(());
            }
            (written, _) => written?,
        }
        if let Some(message) = &outcome.message {
            eprintln!("{message}");
        }
        match outcome.failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `strat report | head` closes the pipe early; that is not a failure.
        Err(e) if e.is_closed_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strat: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

// Reports and imports allocate and free many small strings across two
// threads, which glibc's allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
