//! strat: parse the command line, run it, print, and exit with the SPEC's code.

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use strat::{cli, commands, output};

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let format = cli.format;
    let mut style = output::Style::detect();
    // Messages wrap to the window when they go to one.
    let width = style.width.filter(|_| std::io::stderr().is_terminal());
    let mut sink = match output::Sink::open(cli.output.as_deref(), format, cli.command.name()) {
        Ok(sink) => sink,
        Err(e) => {
            eprintln!("{}", output::shown_message(&format!("strat: {e}"), width));
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    if cli.output.is_some() {
        // A file is not a terminal: no colour, and tables as wide as their text.
        style = output::Style::default();
    }
    let mut printer = output::Printer::new(format, style, &mut sink).with_bom(cli.bom);
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
                eprintln!("{}", output::shown_message(made, width));
                eprintln!("strat: the change was made, but its output could not be written: {e}");
                return Ok(());
            }
            (written, _) => written?,
        }
        if let Some(message) = &outcome.message {
            eprintln!("{}", output::shown_message(message, width));
        }
        match outcome.failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    });
    drop(printer);
    let result = match result {
        Ok(()) => sink.finish(),
        Err(e) => {
            sink.abandon();
            Err(e)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `strat report | head` closes the pipe early; that is not a failure.
        Err(e) if e.is_closed_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", output::shown_message(&format!("strat: {e}"), width));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Prints clap's message (help and version too), with a hint where a
/// missing item number was likely eaten by the shell: unquoted, `#12`
/// starts a comment.
fn usage_error(e: clap::Error) -> ExitCode {
    let missing_item = e.kind() == clap::error::ErrorKind::MissingRequiredArgument
        && e.to_string().contains("<ID");
    let _ = e.print();
    if missing_item {
        eprintln!(
            "hint: an item number written with # must be quoted ('#12') or written without it \
             (12); unquoted, the shell takes # and all after it as a comment."
        );
    }
    ExitCode::from(e.exit_code() as u8)
}

// Reports and imports allocate and free many small strings across two
// threads, which glibc's allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
