//! The README's tour runs as written, line by line, on a new database.

use std::process::Command;

/// The commands of the README's tour, one a line.
fn tour() -> Vec<&'static str> {
    let readme = include_str!("../README.md");
    let section = readme
        .split("## A short tour")
        .nth(1)
        .expect("the README has a tour");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the tour is a sh block");
    block.lines().filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn the_readme_tour_runs_as_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("strat");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let lines = tour();
    assert!(lines.len() > 15, "{lines:?}");
    for line in &lines {
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("STRAT_DB", dir.path().join("strat.db"))
            .env("STRAT_USER", "tour")
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("NO_COLOR", "1")
            .env_remove("STRAT_TODAY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}\nexit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let committee = std::fs::read_to_string(dir.path().join("committee.md")).unwrap();
    assert!(
        committee.contains("Technology Strategy 2020-2023"),
        "{committee}"
    );
    for made in [
        "portfolio.json",
        "copy.db",
        "strat-backup.db",
        "strat.bash",
        "strat.1",
    ] {
        assert!(dir.path().join(made).exists(), "{made}");
    }
}
