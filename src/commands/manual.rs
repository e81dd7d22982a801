//! `strat completions SHELL` and `strat man`: both generated from the one
//! clap tree that parses the command line, so they cannot drift from it.

use crate::cli::Cli;
use crate::error::Result;
use clap::CommandFactory;
use clap_mangen::Man;
use std::io::Write;

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<()> {
    clap_complete::generate(shell, &mut Cli::command(), "strat", out);
    Ok(())
}

/// Writes the manual page: the program's own sections, then one for each
/// command (`STRAT ITEM ADD`), its name, synopsis, description and options
/// as subsections, so every command is in the one page.
pub fn man(out: &mut dyn Write) -> Result<()> {
    let mut cli = Cli::command();
    cli.build();
    let page = Man::new(cli.clone()).manual("strat");
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    writeln!(out, "Each command below takes the global options too.")?;
    for command in cli.get_subcommands() {
        command_sections(command, out)?;
    }
    page.render_extra_section(out)?;
    page.render_version_section(out)?;
    Ok(())
}

/// A command's sections, then its own commands'.
fn command_sections(command: &clap::Command, out: &mut dyn Write) -> Result<()> {
    if command.get_name() == "help" {
        return Ok(());
    }
    let name = command.get_bin_name().unwrap_or(command.get_name());
    // The global options and help are said once, at the top.
    let own = command
        .get_arguments()
        .filter(|a| a.is_global_set() || a.get_id() == "help")
        .map(|a| a.get_id().clone())
        .collect::<Vec<_>>()
        .into_iter()
        .fold(command.clone(), |c, id| c.mut_arg(id, |a| a.hide(true)));
    let page = Man::new(own.clone());
    let mut text = Vec::new();
    page.render_synopsis_section(&mut text)?;
    page.render_description_section(&mut text)?;
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        page.render_options_section(&mut text)?;
    }
    if command.get_after_help().is_some() {
        page.render_extra_section(&mut text)?;
    }
    // Each command's own sections are subsections of its heading.
    let text = String::from_utf8_lossy(&text).replace("\n.SH ", "\n.SS ");
    let text = text
        .strip_prefix(".SH ")
        .map_or(text.clone(), |t| format!(".SS {t}"));
    writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
    out.write_all(text.as_bytes())?;
    for sub in command.get_subcommands() {
        command_sections(sub, out)?;
    }
    Ok(())
}
