//! The committee pack: `report --format html` (and `outstanding`) as one
//! self-contained page, parsed as a browser would, and drawn by a real
//! browser where one is installed.

mod common;

use common::Env;
use scraper::{Html, Selector};
use serde_json::Value;

fn pack(env: &Env, args: &[&str]) -> Html {
    let page = env.ok(&[&["--format", "html", "report"][..], args].concat());
    Html::parse_document(&page)
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    page.select(&Selector::parse(css).unwrap()).collect()
}

fn demo() -> Env {
    let env = Env::on("2026-12-01");
    env.ok(&["demo"]);
    env
}

#[test]
fn every_title_and_code_is_there_as_text() {
    let env = demo();
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "<script>alert(1)</script> & <b>bold</b>",
    ]);
    let page = pack(&env, &[]);
    let text: String = page.root_element().text().collect();
    for item in env.json(&["item", "list"]).as_array().unwrap() {
        assert!(
            text.contains(item["title"].as_str().unwrap()),
            "{}",
            item["title"]
        );
    }
    for code in ["tech-2016", "tech-2020", "digital-2024"] {
        assert!(text.contains(code), "{code}");
    }
    assert!(
        select(&page, "script").is_empty(),
        "a title is never markup"
    );
    assert!(select(&page, "b").is_empty(), "a title is never markup");
    assert!(text.contains("<script>alert(1)</script> & <b>bold</b>"));
}

#[test]
fn the_page_stands_alone() {
    let env = demo();
    let raw = env.ok(&["--format", "html", "report"]);
    let page = Html::parse_document(&raw);
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert!(select(&page, tag).is_empty(), "{tag}");
    }
    let elsewhere: Vec<String> = select(&page, "[src], [href]")
        .iter()
        .map(|e| e.html())
        .collect();
    assert!(
        elsewhere.is_empty(),
        "references to elsewhere: {elsewhere:?}"
    );
    assert!(
        !raw.contains("url("),
        "no style sheet or image from elsewhere"
    );
    assert!(raw.contains("@media print"));
    // Tables have header cells; charts have a text alternative.
    assert!(!select(&page, "table th[scope=col]").is_empty());
    for svg in select(&page, "svg") {
        assert_eq!(svg.value().attr("role"), Some("img"));
        assert!(
            svg.select(&Selector::parse("title").unwrap())
                .next()
                .is_some()
        );
    }
}

/// The completions each strategy's items hold on a day, by the JSON report.
fn completions(env: &Env, args: &[&str]) -> Vec<(String, usize)> {
    let report: Value = env.json(&[&["report"][..], args].concat());
    report["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["items"].as_array().unwrap().is_empty())
        .map(|s| {
            let done = s["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| !i["completed_on"].is_null())
                .count();
            (s["strategy"]["code"].as_str().unwrap().to_string(), done)
        })
        .collect()
}

#[test]
fn one_timeline_and_one_burn_up_per_strategy_as_the_history_has_it() {
    let env = demo();
    for args in [&[][..], &["--as-of", "2021-09-30"][..]] {
        let page = pack(&env, args);
        let expected = completions(&env, args);
        for (code, done) in &expected {
            let section = select(&page, &format!("section.strategy[id=\"{code}\"]"));
            assert_eq!(section.len(), 1, "{code}");
            let find = |css: &str| section[0].select(&Selector::parse(css).unwrap()).count();
            assert_eq!(find("figure.timeline svg"), 1, "{code} {args:?}");
            assert_eq!(find("figure.burnup svg"), 1, "{code} {args:?}");
            assert_eq!(find("figure.burnup circle.point"), *done, "{code} {args:?}");
        }
        assert!(!expected.is_empty());
    }
    // As of 30 September 2021, tech-2020 had 5 of its items completed.
    let then = completions(&env, &["--as-of", "2021-09-30"]);
    assert!(then.contains(&("tech-2020".to_string(), 5)), "{then:?}");
}

#[test]
fn outstanding_work_is_a_page_too_and_other_commands_refuse_it() {
    let env = demo();
    let page = Html::parse_document(&env.ok(&["--format", "html", "outstanding"]));
    let rows = select(&page, "table.items tbody tr");
    let listed = env.json(&["outstanding"]);
    assert_eq!(rows.len(), listed.as_array().unwrap().len());
    let err = env.fails(&["--format", "html", "item", "list"], 2);
    assert!(err.contains("report and outstanding"), "{err}");
}

#[test]
fn a_tiny_pinned_pack() {
    let env = Env::on("2024-09-30");
    env.add_strategy("digital-2024", "Digital Strategy 2024-2027", "2024-2027");
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "Intune rollout",
        "--ref",
        "D01",
        "--start",
        "2024-04-01",
        "--due",
        "2025-03-31",
        "--status",
        "in-progress",
        "--progress",
        "60",
        "--effective",
        "2024-04-01",
    ]);
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "Defender",
        "--ref",
        "D02",
        "--due",
        "2024-09-01",
        "--effective",
        "2024-04-01",
    ]);
    env.ok(&[
        "item",
        "add",
        "digital-2024",
        "PSN compliance",
        "--ref",
        "D03",
        "--effective",
        "2024-04-01",
    ]);
    env.ok(&[
        "item",
        "done",
        "D03",
        "--on",
        "2024-08-15",
        "--note",
        "Certificate received",
    ]);
    insta::assert_snapshot!(
        "html_pack",
        env.ok(&[
            "--format",
            "html",
            "report",
            "digital-2024",
            "--compare",
            "2024-06-30"
        ])
    );
}

/// Chromium, where one is installed: CI installs Debian's.
fn chromium() -> Option<std::path::PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

#[test]
fn a_browser_draws_it_and_prints_it_a_page_or_more_per_strategy() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on this machine (CI installs it)");
        return;
    };
    let env = demo();
    let html = env.dir.path().join("pack.html");
    let raw = env.ok(&[
        "--format",
        "html",
        "report",
        "--as-of",
        "FY2025-Q4",
        "--compare",
        "FY2025-Q3",
    ]);
    std::fs::write(&html, raw).unwrap();
    let run = |extra: &[String]| {
        let profile = tempfile::TempDir::new().unwrap();
        let status = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    let png = env.dir.path().join("pack.png");
    run(&[
        "--window-size=1200,1600".into(),
        format!("--screenshot={}", png.display()),
    ]);
    let picture = std::fs::read(&png).unwrap();
    assert!(picture.starts_with(b"\x89PNG"), "a picture");
    // A blank page of this size compresses to a few kilobytes.
    assert!(
        picture.len() > 40_000,
        "the picture is blank: {} bytes",
        picture.len()
    );
    let pdf = env.dir.path().join("pack.pdf");
    run(&[
        "--no-pdf-header-footer".into(),
        format!("--print-to-pdf={}", pdf.display()),
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    // A page object is "/Type /Page", and the tree above them "/Type /Pages".
    let count = |needle: &str| {
        let with_space = needle.replace("/Type", "/Type ");
        occurrences(&bytes, needle.as_bytes()) + occurrences(&bytes, with_space.as_bytes())
    };
    let pages = count("/Type/Page") - count("/Type/Pages");
    assert!(pages >= 3, "{pages} pages for 3 strategies");
}

/// How many times `needle` occurs in `bytes`.
fn occurrences(bytes: &[u8], needle: &[u8]) -> usize {
    bytes.windows(needle.len()).filter(|w| *w == needle).count()
}
