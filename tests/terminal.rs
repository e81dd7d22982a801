//! What a person at a terminal sees: the binary run on a pseudo-terminal
//! of 80 and 200 columns, on the example portfolio; and the help, the
//! manual page and the completion scripts made from the command tree.

mod common;

use clap::CommandFactory;
use common::Env;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;
use strat::cli::Cli;
use unicode_width::UnicodeWidthStr;

/// Runs strat on a pseudo-terminal `cols` wide, with the environment the
/// other tests give it (less `NO_COLOR` unless `extra` sets it again);
/// returns what the terminal was sent (stdout and stderr together).
fn on_terminal(env: &Env, cols: u16, args: &[&str], extra: &[(&str, &str)]) -> String {
    answering(env, cols, args, extra, None)
}

/// As [`on_terminal`], typing `answer` when strat asks.
fn answering(
    env: &Env,
    cols: u16,
    args: &[&str],
    extra: &[(&str, &str)],
    answer: Option<&str>,
) -> String {
    let (text, success) = terminal_run(env, cols, args, extra, answer);
    assert!(success, "strat {args:?}:\n{text}");
    text
}

/// What the terminal was sent, and whether strat succeeded.
fn terminal_run(
    env: &Env,
    cols: u16,
    args: &[&str],
    extra: &[(&str, &str)],
    answer: Option<&str>,
) -> (String, bool) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin!("strat"));
    cmd.args(args);
    let std = env.std_cmd();
    for (key, value) in std.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("COLUMNS");
    cmd.env("TERM", "xterm-256color");
    for (key, value) in extra {
        cmd.env(key, value);
    }
    let mut child = pty.slave.spawn_command(cmd).expect("strat starts");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("a reader");
    let mut writer = pty.master.take_writer().expect("a writer");
    if let Some(answer) = answer {
        use std::io::Write;
        writer.write_all(answer.as_bytes()).expect("typed");
        writer.flush().expect("typed");
    }
    let mut out = Vec::new();
    // The read ends with an error once the child has gone and closed it.
    let _ = reader.read_to_end(&mut out);
    let status = child.wait().expect("strat ends");
    let text = String::from_utf8(out).expect("utf-8 output");
    (text, status.success())
}

/// `text` without its colour and bold sequences (SGR: ESC [ … m).
fn unstyled(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .expect("a whole sequence");
        assert_eq!(&after[end..=end], "m", "only colour: {text:?}");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn demo() -> Env {
    let env = Env::on("2026-12-01");
    env.ok(&["demo"]);
    env
}

const SCREENS: [&[&str]; 7] = [
    &["report"],
    &["report", "digital-2024", "--compare", "FY2025-Q4"],
    &["outstanding"],
    &["item", "list"],
    &["item", "history", "1"],
    &["--help"],
    &["item", "update", "--help"],
];

#[test]
fn no_line_is_wider_than_the_terminal_and_no_word_breaks() {
    let env = demo();
    for cols in [80u16, 200] {
        for args in SCREENS {
            let shown = unstyled(&on_terminal(&env, cols, args, &[]));
            for line in shown.lines() {
                let line = line.trim_end_matches('\r');
                assert!(
                    line.width() <= cols.into(),
                    "{cols} columns, strat {args:?}: {} wide\n{line}\n{shown}",
                    line.width()
                );
            }
            // Titles wrap at spaces: each demo title's words stay whole.
            if args == ["item", "list"] {
                for word in ["infrastructure", "line-of-business", "conferencing"] {
                    assert!(shown.contains(word), "{cols}: {word} broke\n{shown}");
                }
            }
        }
    }
}

#[test]
fn a_narrow_terminal_says_what_it_left_out_and_a_wide_one_shows_all() {
    let env = demo();
    let narrow = unstyled(&on_terminal(&env, 80, &["report", "digital-2024"], &[]));
    assert!(narrow.contains("leaves out"), "{narrow}");
    assert!(narrow.contains("latest note"), "{narrow}");
    let wide = unstyled(&on_terminal(&env, 200, &["report", "digital-2024"], &[]));
    assert!(!wide.contains("leaves out"), "{wide}");
    assert!(wide.contains("Waiting on the national"), "{wide}");
    let history = unstyled(&on_terminal(&env, 80, &["item", "history", "1"], &[]));
    for kept in ["changes", "note", "progress 10 → 35", "Personal"] {
        assert!(history.contains(kept), "{kept}\n{history}");
    }
}

#[test]
fn colour_only_where_it_is_wanted() {
    let env = demo();
    let coloured = on_terminal(&env, 200, &["report", "tech-2020"], &[]);
    assert!(coloured.contains("\u{1b}[31mred"), "{coloured:?}");
    for off in [("NO_COLOR", "1"), ("TERM", "dumb")] {
        let plain = on_terminal(&env, 200, &["report", "tech-2020"], &[off]);
        assert!(!plain.contains('\u{1b}'), "{off:?}: {plain:?}");
        assert!(plain.contains("red"), "{plain}");
    }
}

/// Every command, by its words: `["item", "add"]`.
fn command_paths(command: &clap::Command, path: Vec<String>, all: &mut Vec<Vec<String>>) {
    for sub in command.get_subcommands() {
        let mut p = path.clone();
        p.push(sub.get_name().to_string());
        all.push(p.clone());
        command_paths(sub, p, all);
    }
}

fn every_command() -> Vec<Vec<String>> {
    let mut all = Vec::new();
    command_paths(&Cli::command(), Vec::new(), &mut all);
    assert!(all.len() > 20, "{all:?}");
    all
}

#[test]
fn every_flag_and_argument_is_described() {
    fn check(command: &clap::Command, path: &str) {
        for arg in command.get_arguments() {
            assert!(
                arg.get_help().is_some(),
                "{path}: {} has no description",
                arg.get_id()
            );
        }
        for sub in command.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    check(&Cli::command(), "strat");
}

#[test]
fn the_manual_page_and_completions_name_every_command() {
    let env = Env::new();
    let man = env.ok(&["man"]);
    assert!(man.contains(".TH strat 1"), "{}", &man[..200]);
    for path in every_command() {
        let heading = format!(".SH \"STRAT {}\"", path.join(" ").to_uppercase());
        assert!(man.contains(&heading), "{heading} missing");
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = env.ok(&["completions", shell]);
        for path in every_command() {
            let last = path.last().unwrap();
            assert!(script.contains(last.as_str()), "{shell}: {path:?}");
        }
        // A flag of a nested command is completed too.
        assert!(script.contains("due-within"), "{shell}");
    }
    let r = env.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn help_reads_well_at_80_columns() {
    let env = Env::new();
    for args in [
        &["--help"][..],
        &["item", "update", "--help"],
        &["report", "--help"],
    ] {
        let out = env.cmd().env("COLUMNS", "80").args(args).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        for line in help.lines() {
            assert!(line.width() <= 80, "{args:?}: {line}");
        }
        assert!(help.contains("Global options:"), "{help}");
        assert!(help.contains("Examples:"), "{help}");
        insta::assert_snapshot!(format!("help_{}", args.join("_").replace("--", "")), help);
    }
}

#[test]
fn item_remove_asks_at_a_terminal_and_needs_yes_elsewhere() {
    let env = demo();
    let before = env.dump();
    let kept = answering(&env, 80, &["item", "remove", "13"], &[], Some("n\n"));
    assert!(kept.contains("Remove item #13"), "{kept}");
    assert!(kept.contains("One online account"), "{kept}");
    assert!(kept.contains("Kept item #13"), "{kept}");
    assert_eq!(env.dump(), before);

    let err = env.fails(&["item", "remove", "13"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(env.dump(), before);

    let gone = answering(&env, 80, &["item", "remove", "13"], &[], Some("y\n"));
    assert!(gone.contains("Removed item #13"), "{gone}");
    env.fails(&["item", "show", "13"], 3);
    env.ok(&["item", "remove", "14", "--yes"]);
    env.fails(&["item", "show", "14"], 3);
}

#[test]
fn a_workbook_is_not_written_to_a_terminal() {
    let env = demo();
    let (said, success) = terminal_run(&env, 80, &["--format", "xlsx", "report"], &[], None);
    assert!(!success, "{said}");
    assert!(said.contains("--output"), "{said}");
    assert!(!said.contains("PK"), "no bytes of a workbook: {said}");
}
