//! strat: a command-line tracker for strategy action plans.

mod cli;
mod commands;
mod domain;
mod error;
mod output;
mod store;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let format = cli.format;
    let result = commands::run(cli).and_then(|outcome| {
        let shown = outcome
            .view
            .as_ref()
            .filter(|_| !(outcome.for_programs && format == cli::Format::Table));
        if let Some(view) = shown {
            let format = if outcome.always_json {
                cli::Format::Json
            } else {
                format
            };
            let text = output::render(view.as_ref(), format, output::Style::detect())?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
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
        Err(error::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("strat: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
